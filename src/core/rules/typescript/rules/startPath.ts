/**
 * MCP401: which awaits before a server start are on the path to it. Syntax only, within the
 * function that starts the server.
 */
import type * as ts from 'typescript';
import { unwrap } from '../astUtil';
import type { RuleContext } from '../context';

/**
 * Whether an await that precedes a server start in the same function is on the path to it:
 * `off` when they sit in different branches of one `if`/`else` (an HTTP branch, the stdio start in
 * the `else`) or in different `switch` clauses, or when the await's branch leaves the function
 * (`return`, `throw`, `process.exit`) before the start; `optional` when the await sits in an `if`
 * (or a `switch` clause) that does not hold the start and has no `else` (an opt-in `--otel` step),
 * with the condition that selects it; `on` otherwise.
 */
export function pathToStart(
  ctx: RuleContext,
  n: ts.Node,
  start: ts.Node,
  scope: ts.Node,
): { kind: 'on' | 'off' } | { kind: 'optional'; condition: string } {
  const { ts, sf } = ctx;
  const inside = (outer: ts.Node | undefined, inner: ts.Node) =>
    !!outer && inner.pos >= outer.pos && inner.end <= outer.end;
  let condition: string | undefined;
  for (let p: ts.Node = n; p.parent && p !== scope; p = p.parent) {
    const parent = p.parent;
    if (ts.isIfStatement(parent) && p !== parent.expression) {
      if (inside(parent, start)) {
        // The start is in the other branch of this `if`.
        if (!inside(p, start)) return { kind: 'off' };
        continue;
      }
      if (leaves(ctx, p)) return { kind: 'off' };
      if (condition === undefined) {
        const text = parent.expression.getText(sf).replace(/\s+/g, ' ').slice(0, 60);
        condition = p === parent.elseStatement ? `!(${text})` : text;
      }
    } else if (ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      if (inside(parent.parent, start)) {
        if (!inside(parent, start)) return { kind: 'off' };
        continue;
      }
      condition ??= ts.isCaseClause(parent) ? `case ${parent.expression.getText(sf).slice(0, 40)}` : 'default';
    }
  }
  return condition === undefined ? { kind: 'on' } : { kind: 'optional', condition };
}

/** Whether a branch ends by leaving the function: its last statement returns, throws or exits. */
function leaves(ctx: RuleContext, branch: ts.Node): boolean {
  const { ts, sf } = ctx;
  const last = ts.isBlock(branch) ? branch.statements[branch.statements.length - 1] : branch;
  if (!last) return false;
  if (ts.isReturnStatement(last) || ts.isThrowStatement(last)) return true;
  if (!ts.isExpressionStatement(last)) return false;
  const e = unwrap(last.expression);
  return ts.isCallExpression(e) && e.expression.getText(sf) === 'process.exit';
}
