/**
 * Tool input checked against a fixed list before use: `if (names.includes(bare)) { ...read(bare) }`,
 * `if (!ALLOWED.has(name)) return error;` earlier in the block, or `name in TABLE`. Inside such a
 * guard the name can only be one of the list's values, so a path built from it names one of the
 * server's own files (MCP502, MCP301, MCP403).
 */
import type * as ts from 'typescript';
import { unwrap, unwrapAwait } from './astUtil';
import { type RuleContext, refersTo } from './context';

/** Names of `tainted` that a membership check guards at `node` (searched up to `stop`). */
function allowlistedAt(ctx: RuleContext, node: ts.Node, tainted: Set<string>, stop: ts.Node): Set<string> {
  const { ts } = ctx;
  const out = new Set<string>();
  for (let child: ts.Node = node, p = node.parent; p && child !== stop; child = p, p = p.parent) {
    if (ts.isIfStatement(p) && child !== p.expression) {
      for (const n of members(ctx, p.expression, child === p.thenStatement, tainted)) out.add(n);
    }
    if (ts.isBlock(p) || ts.isSourceFile(p)) {
      // `if (!LIST.includes(name)) return ...;` before the statement that holds `node`.
      for (const s of p.statements) {
        if (s === child) break;
        if (ts.isIfStatement(s) && !s.elseStatement && exits(ts, s.thenStatement))
          for (const n of members(ctx, s.expression, false, tainted)) out.add(n);
      }
    }
  }
  return out;
}

/** Names a condition proves to be list members when it has the value `truth`. */
function members(ctx: RuleContext, cond: ts.Expression, truth: boolean, tainted: Set<string>): string[] {
  const { ts } = ctx;
  const e = unwrap(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken)
    return members(ctx, e.operand, !truth, tainted);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken && truth)
      return [...members(ctx, e.left, true, tainted), ...members(ctx, e.right, true, tainted)];
    if (op === ts.SyntaxKind.BarBarToken && !truth)
      return [...members(ctx, e.left, false, tainted), ...members(ctx, e.right, false, tainted)];
    if (op === ts.SyntaxKind.InKeyword && truth) {
      const name = unwrap(e.left);
      if (ts.isIdentifier(name) && tainted.has(name.text) && !refersTo(ctx, e.right, tainted)) return [name.text];
    }
    return [];
  }
  if (truth && ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.arguments.length === 1) {
    const method = e.expression.name.text;
    const arg = unwrap(e.arguments[0]!);
    if (
      (method === 'includes' || method === 'has') &&
      ts.isIdentifier(arg) &&
      tainted.has(arg.text) &&
      !refersTo(ctx, e.expression.expression, tainted)
    )
      return [arg.text];
  }
  return [];
}

/** A statement that always leaves: `return`, `throw`, or a block that ends with one. */
function exits(ts: typeof import('typescript'), s: ts.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  if (ts.isBlock(s)) {
    const last = s.statements[s.statements.length - 1];
    return !!last && exits(ts, last);
  }
  return false;
}

/** `tainted` without the names a membership check guards at `node`. */
export function outsideAllowlist(ctx: RuleContext, node: ts.Node, tainted: Set<string>, stop: ts.Node): Set<string> {
  const listed = allowlistedAt(ctx, node, tainted, stop);
  if (!listed.size) return tainted;
  const out = new Set([...tainted].filter((n) => !listed.has(n)));
  // Locals built only from listed names (`const docsPath = resolve(dir, `${name}.md`)`) are
  // listed values too.
  const decls = new Map<string, ts.Expression>();
  for (const d of ctx.handlerInfo(stop).decls)
    if (ctx.ts.isIdentifier(d.name) && d.initializer) decls.set(d.name.text, d.initializer);
  for (let changed = true, rounds = 0; changed && rounds < 4; rounds++) {
    changed = false;
    for (const n of out) {
      const init = decls.get(n);
      if (init && !refersTo(ctx, init, out)) {
        out.delete(n);
        changed = true;
      }
    }
  }
  return out;
}

/** A validator by its name: `validateWritePath`, `assertInsideRoot`, `checkFilePath`, `isSafePath`. */
const VALIDATOR = /(valid|check|assert|verify|ensure|sanitiz|safe|allowed|inside|within|guard)/i;
const PATH_WORD = /(path|file|dir|folder|root|location)/i;

/**
 * Expressions (by text: `args.outputPath`, `filePath`) that a path validator checked before
 * `node`, in `handler`: `validateWritePath(x)` as a statement (it throws), `const v =
 * validateWritePath(x, cfg); if (!v.valid) throw ...;`, or `if (!isSafePath(x)) return ...;`.
 */
function validatedBefore(ctx: RuleContext, node: ts.Node, handler: ts.Node): Set<string> {
  const { ts } = ctx;
  const out = new Set<string>();
  const validatorArg = (e: ts.Expression | undefined): string | undefined => {
    const c = e && unwrapAwait(unwrap(e));
    if (!c || !ts.isCallExpression(c) || !c.arguments.length) return undefined;
    const callee = unwrap(c.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (!VALIDATOR.test(name) || !PATH_WORD.test(name)) return undefined;
    return unwrap(c.arguments[0]!).getText(ctx.sf);
  };
  const callsIn = (e: ts.Node): string[] => {
    const found: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isExpression(n)) {
        const a = validatorArg(n);
        if (a) found.push(a);
      }
      ts.forEachChild(n, visit);
    };
    visit(e);
    return found;
  };
  for (let child: ts.Node = node, p = node.parent; p && child !== handler; child = p, p = p.parent) {
    if (!ts.isBlock(p)) continue;
    const results = new Map<string, string>(); // result variable → validated expression
    for (const s of p.statements) {
      if (s === child) break;
      if (ts.isExpressionStatement(s)) {
        const a = validatorArg(s.expression);
        if (a) out.add(a);
      } else if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          const a = validatorArg(d.initializer);
          if (a && ts.isIdentifier(d.name)) results.set(d.name.text, a);
        }
      } else if (ts.isIfStatement(s) && exits(ts, s.thenStatement)) {
        for (const a of callsIn(s.expression)) out.add(a);
        for (const [v, a] of results) if (refersTo(ctx, s.expression, new Set([v]))) out.add(a);
      }
    }
  }
  return out;
}

/**
 * Whether every piece of caller input in `expr` went through a path validator before `node`
 * (following the handler's local variables, `let p = args.outputPath; p = p + ".csv"` included).
 */
export function validatedInput(
  ctx: RuleContext,
  node: ts.Node,
  expr: ts.Expression,
  tainted: Set<string>,
  handler: ts.FunctionLikeDeclaration,
): boolean {
  const validated = validatedBefore(ctx, node, handler);
  if (!validated.size) return false;
  const { ts } = ctx;
  // The values the handler's locals get: initializers and plain `x = ...` assignments.
  const locals = new Map<string, ts.Expression[]>();
  const add = (name: string, value: ts.Expression) => (locals.get(name) ?? locals.set(name, []).get(name)!).push(value);
  const info = ctx.handlerInfo(handler);
  for (const d of info.decls) if (ts.isIdentifier(d.name) && d.initializer) add(d.name.text, d.initializer);
  for (const a of info.assigns)
    if (a.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(a.left)) add(a.left.text, a.right);
  const seen = new Set<string>();
  const clean = (e: ts.Node, depth: number): boolean => {
    if (validated.has(e.getText(ctx.sf))) return true;
    if (ts.isIdentifier(e)) {
      if (!tainted.has(e.text)) return true;
      const values = locals.get(e.text);
      if (!values || depth > 4) return false;
      if (seen.has(e.text)) return true; // `p = p + ".csv"`: judged by its other values
      seen.add(e.text);
      return values.every((v) => clean(v, depth + 1));
    }
    let ok = true;
    ts.forEachChild(e, (c) => {
      if (ok && !(ts.isPropertyAccessExpression(e) && c === e.name)) ok = clean(c, depth);
    });
    return ok;
  };
  return clean(expr, 0);
}
