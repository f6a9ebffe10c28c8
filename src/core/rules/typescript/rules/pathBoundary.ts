/**
 * MCP502 (TypeScript): whether caller input can supply a whole leading component of a path
 * expression — the twin of the Python rule's `boundaryTaint`. Only such input can walk out of a
 * folder: `path.join(dir, name)`, `` `${dir}/${name}` ``, `name` itself can; `` `${dir}/create_${name}.json` ``
 * and `dir + "/report-" + name` cannot (the value sits after a fixed prefix inside one component,
 * so `../` in it makes the OS resolve a directory named `create_..` that does not exist).
 */
import type * as ts from 'typescript';
import { unwrap } from '../astUtil';
import { type RuleContext, refersTo } from '../context';
import { resolveRef } from '../resolve';

const JOIN_FNS = new Set(['join', 'resolve', 'posix.join', 'win32.join', 'posix.resolve', 'win32.resolve']);

/**
 * True when a tainted name can reach a component boundary of `expr`. Local constants the handler
 * declares (`const file = ...`) are judged by their initializer; parameters and anything not
 * modelled (calls, property reads) count where they may start a component.
 */
export function reachesBoundary(
  ctx: RuleContext,
  handler: ts.Node,
  expr: ts.Expression,
  tainted: Set<string>,
  sanitizers: Set<string>,
): boolean {
  const { ts } = ctx;
  const decls = new Map<string, ts.Expression>();
  for (const d of ctx.handlerInfo(handler).decls)
    if (ts.isIdentifier(d.name) && d.initializer && !decls.has(d.name.text)) decls.set(d.name.text, d.initializer);
  let found = false;
  let depth = 0;
  const opaque = (n: ts.Node, atStart: boolean): boolean => {
    const has = refersTo(ctx, n, tainted, sanitizers);
    if (atStart && has) found = true;
    // Unknown text may end in a separator; tainted text inside a fixed component stays inside it.
    return atStart || !has;
  };
  const text = (s: string, atStart: boolean): boolean => (s ? /[\\/]$/.test(s) : atStart);
  const seq = (node: ts.Expression, atStart: boolean): boolean => {
    if (found) return true;
    const n = unwrap(node);
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return text(n.text, atStart);
    if (ts.isTemplateExpression(n)) {
      let at = text(n.head.text, atStart);
      for (const span of n.templateSpans) {
        at = seq(span.expression, at);
        at = text(span.literal.text, at);
      }
      return at;
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken)
      return seq(n.right, seq(n.left, atStart));
    if (ts.isIdentifier(n) && tainted.has(n.text) && decls.has(n.text) && depth < 8) {
      const init = decls.get(n.text)!;
      // Only plain string building is followed; anything else is judged as a whole.
      if (ts.isTemplateExpression(init) || ts.isBinaryExpression(init) || ts.isCallExpression(init)) {
        depth++;
        const at = seq(init, atStart);
        depth--;
        return at;
      }
    }
    if (ts.isCallExpression(n) && n.arguments.length) {
      const ref = resolveRef(ctx.facts, n.expression);
      if (ref && (ref.module === 'path' || ref.module === 'node:path') && JOIN_FNS.has(ref.name)) {
        // The first argument sits where the call does; each later one starts a component.
        return n.arguments.reduce((at, a, i) => seq(a, i === 0 ? at : true), atStart);
      }
    }
    return opaque(n, atStart);
  };
  seq(expr, true);
  return found;
}
