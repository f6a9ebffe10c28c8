/** MCP403 (TypeScript): tool results whose size grows with the data and has no limit. */
import type * as ts from 'typescript';
import { calleeName, getPropValue, unwrap, unwrapAwait } from '../astUtil';
import { outsideAllowlist } from '../allowlist';
import { type RuleContext, refersTo, taintedNames } from '../context';
import type { DefFact } from '../facts';
import { initializerOf, resolveRef } from '../resolve';

const GROWING_FILE = /log|history|journal|\.jsonl|\.csv|\.ndjson|\.db\b/i;

const LIMIT_PARAM = /limit|max|page|cursor|offset|size|count|length|head|tail|lines|bytes|top/i;

/** A call whose result grows with the data: whole-file reads, recursive listings, unlimited queries. */
function isUnboundedSource(
  ctx: RuleContext,
  expr: ts.Expression,
  input?: { handler: ts.FunctionLikeDeclaration; tainted: Set<string> },
  depth = 0,
): string | undefined {
  const { ts, sf } = ctx;
  let e = unwrapAwait(expr);
  // unwrap `.toString()` on a Buffer read
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'toString')
    e = unwrapAwait(e.expression.expression);
  if (ts.isIdentifier(e) && depth < 3) {
    const init = initializerOf(ctx.facts, e);
    return init ? isUnboundedSource(ctx, init, input, depth + 1) : undefined;
  }
  if (!ts.isCallExpression(e)) return undefined;
  const ref = resolveRef(ctx.facts, e.expression);
  const m = calleeName(e) ?? '';
  if (
    ref &&
    (ref.module === 'fs' || ref.module === 'fs/promises') &&
    (ref.name === 'readFile' || ref.name === 'readFileSync')
  ) {
    // A file no tool argument chooses (a document shipped with the server), or one chosen from a
    // fixed list (`if (names.includes(name))`), has a size the author knows.
    // A log or data file that grows (`app.log`, `history.jsonl`) stays unbounded.
    const path = e.arguments[0];
    const grows = (x: ts.Expression): boolean => {
      const v = unwrap(x);
      const init = ts.isIdentifier(v) ? initializerOf(ctx.facts, v) : undefined;
      return GROWING_FILE.test(v.getText(sf)) || (!!init && GROWING_FILE.test(init.getText(sf)));
    };
    const chosen = (x: ts.Expression, names: Set<string>): boolean => {
      const v = unwrap(x);
      const init = ts.isIdentifier(v) ? initializerOf(ctx.facts, v) : undefined;
      return refersTo(ctx, x, names) || (!!init && refersTo(ctx, init, names));
    };
    if (input && path && !grows(path) && !chosen(path, outsideAllowlist(ctx, e, input.tainted, input.handler)))
      return undefined;
    return `\`${ref.name}\``;
  }
  if (
    ref &&
    (ref.module === 'fs' || ref.module === 'fs/promises') &&
    (ref.name === 'readdir' || ref.name === 'readdirSync') &&
    /recursive\s*:\s*true/.test(e.getText(sf))
  )
    return '`readdir({ recursive: true })`';
  if (ref && /glob|fast-glob|tinyglobby|globby/.test(ref.module)) return `\`${m}\``;
  if (m === 'findMany' && !/\btake\s*:/.test(e.getText(sf))) return '`findMany()` without `take`';
  if (m === 'toArray' && ts.isPropertyAccessExpression(e.expression)) {
    const inner = unwrap(e.expression.expression);
    if (ts.isCallExpression(inner) && calleeName(inner) === 'find') return '`find().toArray()` without `limit`';
  }
  return undefined;
}

/** The text payloads of a returned value: `content[].text` of an object literal, or the value itself. */
function returnedPayloads(ctx: RuleContext, d: DefFact, e: ts.Expression): ts.Expression[] {
  const { ts } = ctx;
  if (ts.isObjectLiteralExpression(e)) {
    const content = getPropValue(e, 'content');
    const arr = content && unwrap(content);
    if (!arr || !ts.isArrayLiteralExpression(arr)) return [];
    return arr.elements.flatMap((el) => {
      const o = unwrap(el);
      const t = ts.isObjectLiteralExpression(o) ? getPropValue(o, 'text') : undefined;
      return t ? [t] : [];
    });
  }
  return d.style === 'fastmcp' ? [e] : [];
}

export function mcp403(ctx: RuleContext, d: DefFact): void {
  const { ts } = ctx;
  const h = d.handler!;
  const tainted = taintedNames(ctx, h);
  const paramNames = [...d.def.params.map((p) => p.name), ...tainted];
  if (paramNames.some((p) => LIMIT_PARAM.test(p))) return;
  for (const { expr } of ctx.returnsOf(h)) {
    const e = unwrapAwait(expr);
    for (const payload of returnedPayloads(ctx, d, e)) {
      let p = unwrapAwait(payload);
      if (
        ts.isCallExpression(p) &&
        ['JSON.stringify', 'String'].includes(p.expression.getText(ctx.sf)) &&
        p.arguments[0]
      )
        p = unwrapAwait(p.arguments[0]);
      const src = isUnboundedSource(ctx, p, { handler: h, tainted });
      if (!src) continue;
      ctx.report(
        'MCP403',
        e,
        `Tool \`${d.def.name}\` returns the full result of ${src} with no size limit: large files or listings flood the model context (Claude Code rejects results over ~25,000 tokens). Slice to a maximum (e.g. \`.slice(0, MAX_CHARS)\`) or add a \`limit\`/\`offset\` parameter.`,
        { data: { tool: d.def.name } },
      );
      break;
    }
  }
}
