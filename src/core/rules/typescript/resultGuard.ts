/**
 * A helper's return value that decides whether its caller serves: `handleCliArgs()` prints the
 * help and returns `false`, and the entry point does `if (!handleCliArgs()) return;` before it
 * starts the stdio transport. The helper side (`resultAfterWrite`) says which value the exported
 * function returns on every path after a write; the caller side (`leavingResult`) says which
 * value makes a call site leave the serving path. The project model matches the two
 * (`crossFile.ts`).
 */
import type * as ts from 'typescript';
import { isFunctionLike, unwrap } from './astUtil';
import type { Facts } from './facts';

/** Whether a value is truthy or falsy in a condition. */
export type Truth = 'truthy' | 'falsy';

/** After a write: the exported function returns this kind of value, or the process exits. */
type Outcome = Truth | 'exit' | undefined;

function truthOf(ts: typeof import('typescript'), e: ts.Expression | undefined): Truth | undefined {
  if (!e) return 'falsy';
  const x = unwrap(e);
  if (x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return 'falsy';
  if (x.kind === ts.SyntaxKind.TrueKeyword) return 'truthy';
  if (ts.isIdentifier(x) && x.text === 'undefined') return 'falsy';
  if (ts.isNumericLiteral(x)) return Number(x.text) === 0 ? 'falsy' : 'truthy';
  if (ts.isStringLiteralLike(x)) return x.text === '' ? 'falsy' : 'truthy';
  if (ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x)) return 'truthy';
  return undefined;
}

function join(a: Outcome | null, b: Outcome): Outcome {
  if (a === null || a === 'exit') return b;
  if (b === 'exit') return a;
  return a === b ? a : undefined;
}

/** `process.exit(...)`; with `clean`, only `process.exit()` / `process.exit(0)` (a CLI's help or version). */
function isExitCall(ts: typeof import('typescript'), facts: Facts, s: ts.Statement, clean = false): boolean {
  if (!ts.isExpressionStatement(s)) return false;
  const e = unwrap(s.expression);
  if (!ts.isCallExpression(e) || e.expression.getText(facts.sf) !== 'process.exit') return false;
  const code = e.arguments[0];
  return !clean || !code || (ts.isNumericLiteral(code) && Number(code.text) === 0);
}

/** True when `n` may leave its statement other than by completing (a return, throw, break, or nested function excluded). */
function mayJump(ts: typeof import('typescript'), n: ts.Node): boolean {
  if (isFunctionLike(n) || ts.isClassLike(n)) return false;
  if (ts.isReturnStatement(n) || ts.isThrowStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n))
    return true;
  return !!ts.forEachChild(n, (c) => mayJump(ts, c) || undefined);
}

/**
 * What the exported function `entry` returns once `write` has run (its statement completed): the
 * truth of the `return` every path reaches, `exit` when every path exits (with `clean`: exits with
 * code 0), undefined when a path is not followed (a loop, a jump, a caller outside `entry`, an
 * async function).
 */
export function resultAfterWrite(
  ts: typeof import('typescript'),
  facts: Facts,
  write: ts.Node,
  entry: ts.Node,
  depth = 0,
  clean = false,
): Outcome {
  if (depth > 3 || !isFunctionLike(entry) || entry.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword))
    return undefined;
  // The statement of `write` directly in a block of its function.
  let stmt: ts.Node = write;
  while (stmt.parent && !ts.isBlock(stmt.parent)) {
    if (isFunctionLike(stmt.parent) || ts.isSourceFile(stmt.parent)) return undefined;
    stmt = stmt.parent;
  }
  for (let guard = 0; guard < 32; guard++) {
    const block = stmt.parent as ts.Block;
    const list = block.statements;
    for (let i = list.indexOf(stmt as ts.Statement) + 1; i < list.length; i++) {
      const s = list[i]!;
      if (ts.isReturnStatement(s)) {
        const fn = block.parent && isFunctionLike(block.parent) ? block.parent : enclosingFunction(ts, s);
        return fn === entry
          ? truthOf(ts, s.expression)
          : fn
            ? callersOf(ts, facts, fn, entry, depth, clean)
            : undefined;
      }
      if (isExitCall(ts, facts, s, clean)) return 'exit';
      if (mayJump(ts, s)) return undefined;
    }
    const owner = block.parent;
    if (!owner) return undefined;
    if (isFunctionLike(owner)) return owner === entry ? 'falsy' : callersOf(ts, facts, owner, entry, depth, clean);
    // Out of an `if`/`else` or a plain block: go on after it; loops, `try` and `switch` are not followed.
    let up: ts.Node = owner;
    if (ts.isIfStatement(up)) while (up.parent && ts.isIfStatement(up.parent)) up = up.parent;
    else if (!ts.isBlock(up)) return undefined;
    if (!up.parent || !ts.isBlock(up.parent)) return undefined;
    stmt = up;
  }
  return undefined;
}

function enclosingFunction(ts: typeof import('typescript'), n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return undefined;
}

/** A local function `fn` that `entry` calls as a statement (`showHelp();`): what follows each call. */
function callersOf(
  ts: typeof import('typescript'),
  facts: Facts,
  fn: ts.Node,
  entry: ts.Node,
  depth: number,
  clean: boolean,
): Outcome {
  if (!ts.isFunctionDeclaration(fn) || !fn.name) return undefined;
  const name = fn.name.text;
  let out: Outcome | null = null;
  let ok = true;
  const visit = (n: ts.Node): void => {
    if (!ok) return;
    if (ts.isIdentifier(n) && n.text === name && n !== fn.name) {
      const call = n.parent;
      const stmt = call?.parent;
      const inEntry = entry.pos <= n.pos && n.end <= entry.end;
      if (!call || !ts.isCallExpression(call) || call.expression !== n || !stmt || !ts.isExpressionStatement(stmt))
        ok = false;
      else if (!inEntry) ok = false;
      else {
        const r = resultAfterWrite(ts, facts, stmt, entry, depth + 1, clean);
        if (r === undefined) ok = false;
        else out = join(out, r);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(facts.sf);
  return ok && out !== null ? out : undefined;
}

/**
 * For a call whose value an `if` tests (`if (!f())`, `if (f() === false)`, `const ok = f(); if
 * (!ok)`): the branch taken when the value is falsy and the one taken when it is truthy.
 */
export function testedBranches(
  ts: typeof import('typescript'),
  call: ts.CallExpression,
): { falsy?: ts.Statement; truthy?: ts.Statement } | undefined {
  let e: ts.Node = call;
  const up = (): void => {
    while (e.parent && (ts.isParenthesizedExpression(e.parent) || ts.isAwaitExpression(e.parent))) e = e.parent;
  };
  up();
  // `const ok = f();` followed by `if (…ok…)`.
  const decl = e.parent;
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer === e && ts.isIdentifier(decl.name)) {
    const vs = decl.parent?.parent;
    const block = vs?.parent;
    if (!vs || !block || !ts.isVariableStatement(vs) || !(ts.isBlock(block) || ts.isSourceFile(block)))
      return undefined;
    const next = block.statements[block.statements.indexOf(vs) + 1];
    if (!next || !ts.isIfStatement(next)) return undefined;
    const name = decl.name.text;
    let found: ts.Identifier | undefined;
    const find = (n: ts.Node): void => {
      if (!found && ts.isIdentifier(n) && n.text === name) found = n;
      else ts.forEachChild(n, find);
    };
    find(next.expression);
    if (!found) return undefined;
    e = found;
    up();
  }
  let negated = false;
  for (;;) {
    const p = e.parent;
    if (p && ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) negated = !negated;
    else if (
      p &&
      ts.isBinaryExpression(p) &&
      [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(p.operatorToken.kind) &&
      (p.left === e ? p.right : p.left).kind === ts.SyntaxKind.FalseKeyword
    )
      negated = !negated;
    else break;
    e = p;
    up();
  }
  const stmt = e.parent;
  if (!stmt || !ts.isIfStatement(stmt) || stmt.expression !== e) return undefined;
  const [whenTrue, whenFalse] = [stmt.thenStatement, stmt.elseStatement];
  return negated ? { falsy: whenTrue, truthy: whenFalse } : { truthy: whenTrue, falsy: whenFalse };
}
