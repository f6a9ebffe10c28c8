/**
 * Tool input checked against a fixed list before use: `if (names.includes(bare)) { ...read(bare) }`,
 * `if (!ALLOWED.has(name)) return error;` earlier in the block, or `name in TABLE`. Inside such a
 * guard the name can only be one of the list's values, so a path built from it names one of the
 * server's own files (MCP502, MCP301, MCP403).
 */
import type * as ts from 'typescript';
import { unwrap } from './astUtil';
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
