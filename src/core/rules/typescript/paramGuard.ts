/**
 * Output guarded by a parameter that the caller passes the transport choice in: `function
 * loadConfig(isStdio) { if (!isStdio) console.log(config) }`, called as `loadConfig(isStdio)` in
 * a function that starts stdio only under `if (isStdio)`. The write needs the value the stdio
 * start rules out, so the serving path is followed with that value taken as known.
 */
import type * as ts from 'typescript';
import { guardsOf, scopeOf, stripNot, unwrap } from './astUtil';
import type { EnvGuards, EnvQuiet } from './envGuard';
import type { Facts } from './facts';
import { type PathVerdict, ServePaths } from './servePath';

/** The parameter of the enclosing function that must be truthy or falsy for `node` to run. */
function parameterGuard(
  ts: typeof import('typescript'),
  node: ts.Node,
): { fn: ts.FunctionLikeDeclaration; index: number; truthy: boolean } | undefined {
  const { guards, fn } = guardsOf(ts, node);
  if (!fn) return undefined;
  for (const g of guards) {
    const { expr, negated } = stripNot(ts, g.cond);
    if (!ts.isIdentifier(expr)) continue;
    const index = fn.parameters.findIndex((q) => ts.isIdentifier(q.name) && q.name.text === expr.text);
    if (index >= 0) return { fn, index, truthy: g.holds !== negated };
  }
  return undefined;
}

/** The name a function is called by: `function f()`, `const f = () => ...`. */
function nameOf(ts: typeof import('typescript'), fn: ts.FunctionLikeDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return fn.name.text;
  const p = fn.parent;
  return p && ts.isVariableDeclaration(p) && p.initializer === fn && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

/**
 * The serving-path verdict for `node` when a parameter guards it and every call of its function
 * passes one local variable of one caller for that parameter; undefined otherwise.
 */
export function guardedByCallerVariable(
  ts: typeof import('typescript'),
  facts: Facts,
  node: ts.Node,
): PathVerdict | undefined {
  const guard = parameterGuard(ts, node);
  const name = guard && nameOf(ts, guard.fn);
  if (!guard || !name) return undefined;
  const sites = facts.calls.filter((c) => ts.isIdentifier(c.expression) && c.expression.text === name);
  if (!sites.length) return undefined;
  let variable: string | undefined;
  let scope: ts.Node | undefined;
  for (const c of sites) {
    const arg = c.arguments[guard.index] && unwrap(c.arguments[guard.index]!);
    if (!arg || !ts.isIdentifier(arg) || (variable !== undefined && arg.text !== variable)) return undefined;
    const s = scopeOf(c);
    if (scope !== undefined && s !== scope) return undefined;
    variable = arg.text;
    scope = s;
  }
  // The variable must keep its value: no assignment to it after its declaration.
  if (
    !variable ||
    !scope ||
    (facts.assignments.get(variable) ?? []).some((a) => scope!.pos <= a.pos && a.end <= scope!.end)
  )
    return undefined;
  return new ServePaths(ts, facts, undefined, { name: variable, truthy: guard.truthy, scope }).verdict(node);
}

/**
 * A write guarded by a local flag that its function returns as a property: `const isStdio =
 * opts.stdio === true; if (!isStdio) console.log(config); return { isStdioMode: isStdio, ... }`.
 * The write runs only where that property is falsy (or truthy): the name of the property and
 * the value under which the write cannot run.
 */
function returnedFlagGuard(
  ts: typeof import('typescript'),
  node: ts.Node,
): { prop: string; quietWhen: boolean } | undefined {
  const { guards, fn } = guardsOf(ts, node);
  let flag: { name: string; truthy: boolean } | undefined;
  for (const g of guards) {
    if (g.ternary) continue;
    const { expr, negated } = stripNot(ts, g.cond);
    if (ts.isIdentifier(expr)) {
      flag = { name: expr.text, truthy: g.holds !== negated };
      break;
    }
  }
  if (!fn?.body || !flag || !ts.isBlock(fn.body)) return undefined;
  const body = fn.body;
  // The flag is a variable of the function that nothing assigns again (a bundler turns `const`
  // into `let`), and the function returns an object that carries it.
  const declared = body.statements.some(
    (s) =>
      ts.isVariableStatement(s) &&
      s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === flag!.name),
  );
  let reassigned = false;
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(unwrap(n.left)) &&
      (unwrap(n.left) as ts.Identifier).text === flag!.name
    )
      reassigned = true;
    if (!reassigned) ts.forEachChild(n, visit);
  };
  visit(body);
  if (!declared || reassigned) return undefined;
  for (const s of body.statements) {
    if (!ts.isReturnStatement(s) || !s.expression) continue;
    const o = unwrap(s.expression);
    if (!ts.isObjectLiteralExpression(o)) continue;
    for (const prop of o.properties) {
      const value = ts.isShorthandPropertyAssignment(prop)
        ? prop.name
        : ts.isPropertyAssignment(prop)
          ? unwrap(prop.initializer)
          : undefined;
      if (value && ts.isIdentifier(value) && value.text === flag.name && prop.name && ts.isIdentifier(prop.name))
        return { prop: prop.name.text, quietWhen: !flag.truthy };
    }
  }
  return undefined;
}

/**
 * Properties that every stdio start of the file is selected by: `if (config.isStdioMode) await
 * server.connect(new StdioServerTransport())` gives `isStdioMode` (true).
 */
export function stdioSelectors(ts: typeof import('typescript'), starts: readonly ts.Node[]): string[] {
  let common: Set<string> | undefined;
  for (const m of starts) {
    const here = new Set<string>();
    for (let c: ts.Node = m, p = m.parent; p; c = p, p = p.parent) {
      if (!ts.isIfStatement(p) || c === p.expression) continue;
      const { expr, negated } = stripNot(ts, p.expression);
      if ((c === p.thenStatement) !== negated && ts.isPropertyAccessExpression(expr)) here.add(expr.name.text);
    }
    common = common ? new Set([...common].filter((n) => here.has(n))) : here;
  }
  return [...(common ?? [])];
}

/**
 * The `data` of an MCP102 finding that says which stdio settings silence the write (`quietUnder`)
 * and which returned flag it needs false (`quietWhenProp`), for the project model to judge.
 */
export function stdioQuietData(
  ts: typeof import('typescript'),
  envGuards: EnvGuards,
  node: ts.Node,
): { quietUnder?: EnvQuiet[]; quietWhenProp?: string } {
  const quietUnder = envGuards.quietUnder(node);
  const flag = returnedFlagGuard(ts, node);
  return { ...(quietUnder.length ? { quietUnder } : {}), ...(flag?.quietWhen ? { quietWhenProp: flag.prop } : {}) };
}
