import type * as ts from 'typescript';
import {
  calleeName,
  edit,
  getPropValue,
  insertPropertyEdit,
  isFunctionLike,
  literalParts,
  returnedExpressions,
  stringValue,
  unwrap,
  unwrapAwait,
} from '../astUtil';
import type { RuleContext } from '../context';
import type { TextEdit } from '../../../model';
import { type DefFact, callsNamed } from '../facts';
import { resolveFunction, resolveRef } from '../resolve';
import { trimEndOf } from '../../../util/text';
import { toolLabel } from './security';
import { isDiagnosticTool } from '../../toolPurpose';

/** Protocol rules: MCP701 702 703 705 706 709 (static part). */
export function protocolRules(ctx: RuleContext): void {
  const tools = ctx.facts.defs.filter((d) => d.def.kind === 'tool');
  mcp701(ctx, tools);
  mcp702(ctx, tools);
  mcp703(ctx, tools);
  mcp705(ctx);
  mcp706(ctx);
  mcp709(ctx);
}

const STUB = '"TODO: describe what this tool does"';

function mcp701(ctx: RuleContext, tools: DefFact[]): void {
  const { sf, file } = ctx;
  for (const d of tools) {
    const desc = d.descriptionNode && unwrap(d.descriptionNode);
    const value = stringValue(desc);
    if (desc && (value === undefined || value.trim() !== '')) continue;
    if (!desc && d.opaqueConfig) continue; // description may come from a variable or a spread
    let fixEdit: TextEdit | TextEdit[] | undefined;
    if (desc) fixEdit = edit(file, sf, desc.getStart(sf), desc.getEnd(), STUB);
    else if (d.config && d.style !== 'positional')
      fixEdit = insertPropertyEdit(file, sf, d.config, `description: ${STUB}`);
    else if (d.style === 'positional' && d.nameNode)
      fixEdit = edit(file, sf, d.nameNode.getEnd(), d.nameNode.getEnd(), `, ${STUB}`);
    else if (d.style === 'register' && !d.config && d.nameNode) {
      // registerTool(name, configVar, cb): cannot edit the variable safely
      fixEdit = undefined;
    }
    const where = d.style === 'positional' ? 'the description argument' : '`description`';
    // `tool(name, schema, cb, { description })`: the description is written, but where tool() drops it.
    const dropped = d.afterHandler?.find((a) => {
      const o = unwrap(a);
      return ctx.ts.isObjectLiteralExpression(o) && !!getPropValue(o, 'description');
    });
    const message = dropped
      ? `Tool \`${d.def.name}\` is registered without a description: the \`{ description: ... }\` object on line ${sf.getLineAndCharacterOfPosition(dropped.getStart(sf)).line + 1} comes after the callback, and the SDK's positional \`tool()\` takes the callback last and ignores what follows, so tools/list shows no description (the model's only guide to the tool). Pass the description as a string right after the name (\`tool(name, description, schema, cb)\`), or use \`registerTool(name, { description, inputSchema }, cb)\`.`
      : `Tool \`${d.def.name}\` has no ${value === '' ? 'non-empty ' : ''}description: it is the model's only guide to when and how to call the tool, and some agent platforms refuse tools without one. Add ${where} saying what it does and when to use it.`;
    if (dropped && d.nameNode) {
      // Move a lone `{ description }` object to the description argument.
      const o = unwrap(dropped) as ts.ObjectLiteralExpression;
      const args = d.call.arguments;
      const i = args.indexOf(dropped);
      fixEdit =
        o.properties.length === 1 && i === args.length - 1
          ? [
              edit(
                file,
                sf,
                d.nameNode.getEnd(),
                d.nameNode.getEnd(),
                `, ${getPropValue(o, 'description')!.getText(sf)}`,
              ),
              edit(file, sf, args[i - 1]!.getEnd(), dropped.getEnd(), ''),
            ]
          : undefined;
    }
    ctx.report('MCP701', d.def.nameRange, message, {
      fixes: Array.isArray(fixEdit)
        ? [ctx.fix('Move the description after the name', fixEdit, true)]
        : fixEdit
          ? [ctx.fix('Add a description stub', [fixEdit], true)]
          : [],
      data: { tool: d.def.name },
    });
  }
}

function mcp702(ctx: RuleContext, tools: DefFact[]): void {
  const first = new Map<string, DefFact>();
  for (const d of tools) {
    const name = d.def.dynamicName ? undefined : d.def.name;
    if (name === undefined || !d.nameNode) continue;
    const key = `${d.serverKey}\u0000${name}`;
    const prev = first.get(key);
    if (!prev) {
      first.set(key, d);
      continue;
    }
    ctx.report(
      'MCP702',
      d.nameNode!,
      `Tool \`${name}\` is registered twice on the same server: the TypeScript SDK throws \`Tool ${name} is already registered\` at startup (fastmcp keeps only one), so the server never starts or a tool silently disappears. Rename one of them.`,
      {
        related: [{ file: ctx.file, range: ctx.range(prev.nameNode!), message: `First registration of \`${name}\`` }],
        fixes: isLiteral(d.nameNode!)
          ? [ctx.fix(`Rename to ${name}_2`, [quotedReplace(ctx, d.nameNode!, `${name}_2`)])]
          : [],
        data: { tool: name },
      },
    );
  }
}

/** Whether a name expression is written as a string literal (so a rename fix can edit it). */
function isLiteral(e: ts.Expression): boolean {
  return stringValue(unwrap(e)) !== undefined;
}

/** Replaces a string literal's content, keeping its quote style. */
function quotedReplace(ctx: RuleContext, lit: ts.Expression, value: string) {
  const u = unwrap(lit);
  const q = u.getText(ctx.sf)[0] ?? '"';
  const escaped = value.replace(/\\/g, '\\\\').split(q).join(`\\${q}`);
  return edit(ctx.file, ctx.sf, u.getStart(ctx.sf), u.getEnd(), `${q}${escaped}${q}`);
}

const SEP986 = /^[A-Za-z0-9._/-]{1,128}$/;
const STRICT = /^[a-zA-Z0-9_-]{1,64}$/;

function mcp703(ctx: RuleContext, tools: DefFact[]): void {
  for (const d of tools) {
    const name = d.def.dynamicName ? undefined : d.def.name;
    if (name === undefined || !d.nameNode) continue;
    let level: 'error' | 'warning' | 'info' | undefined;
    let why = '';
    if (!SEP986.test(name)) {
      level = 'error';
      why =
        name.length > 128
          ? 'is longer than 128 characters'
          : 'contains characters outside `A-Z a-z 0-9 _ - . /` (spaces, commas...)';
    } else if (!STRICT.test(name)) {
      level = 'warning';
      why = name.length > 64 ? 'is longer than 64 characters' : 'contains `.` or `/`';
    } else if (/^[-./]|[-./]$/.test(name)) {
      level = 'info';
      why = 'starts or ends with `-`, `.` or `/`';
    }
    if (!level) continue;
    const fixed = trimEndOf(name.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^[-_]+/, ''), '-_').slice(0, 64) || 'tool';
    const consequence =
      level === 'error'
        ? 'it fails the MCP naming rule (SEP-986) and clients such as Claude Desktop reject the whole tool list'
        : level === 'warning'
          ? 'Claude Desktop/claude.ai (`^[a-zA-Z0-9_-]{1,64}$`), the Anthropic API and Copilot CLI reject it'
          : 'some clients prefix server names and produce an invalid combined name';
    ctx.report(
      'MCP703',
      d.nameNode,
      `Tool name \`${name}\` ${why}; ${consequence}. Use letters, digits, \`_\` and \`-\` only, at most 64 characters (e.g. \`${fixed}\`).`,
      {
        fixes:
          fixed !== name && isLiteral(d.nameNode)
            ? [ctx.fix(`Rename to ${fixed}`, [quotedReplace(ctx, d.nameNode, fixed)], true)]
            : [],
        severity: level === 'error' ? undefined : level,
        data: { tool: name, severity: level, suggestion: fixed },
      },
    );
  }
}

const ERROR_TEXT = /^\s*(error|failed|failure|fail|could not|cannot|unable)\b/i;

/**
 * Whether the nearest handling context of `node` is a `catch`: a return in the `try` of a
 * recovery attempt inside a catch (`catch { try { retry(); return saved; } ... }`) is that
 * attempt's success, not the failure.
 */
function insideCatch(ctx: RuleContext, node: ts.Node, stop: ts.Node): boolean {
  const { ts } = ctx;
  for (let n: ts.Node | undefined = node.parent; n && n !== stop; n = n.parent) {
    if (ts.isCatchClause(n)) return true;
    if (ts.isBlock(n) && n.parent && ts.isTryStatement(n.parent) && n.parent.tryBlock === n) return false;
  }
  return false;
}

function mcp705(ctx: RuleContext): void {
  const { ts } = ctx;
  for (const d of [...ctx.tools, ...ctx.facts.dispatchers]) {
    const h = d.handler!;
    // A connection test or status check answers with the failure it found.
    if (d.def.name && isDiagnosticTool(d.def.name)) continue;
    for (const { expr, stmt } of ctx.returnsOf(h)) {
      const e = unwrapAwait(expr);
      const inCatch = insideCatch(ctx, stmt ?? expr, h);
      if (d.style === 'fastmcp') {
        const parts = literalParts(e);
        if (parts && ERROR_TEXT.test(parts[0]!)) {
          ctx.report(
            'MCP705',
            e,
            `Tool \`${d.def.name}\` reports a failure as a normal string result, so the client sees \`isError: false\` and the model treats it as success. Throw \`new UserError("...")\` instead.`,
            { data: { tool: d.def.name } },
          );
        }
        continue;
      }
      failureAsResult(ctx, e, inCatch, toolLabel(d), d.def.name);
      builtFailure(ctx, e, inCatch, toolLabel(d), d.def.name);
    }
  }
  // A function declared to return the SDK's `CallToolResult` builds a tool's result, wherever the
  // tool is registered (`export async function isochrone(...): Promise<CallToolResult>`).
  const handlers = new Set(ctx.facts.defs.map((d) => d.handler));
  for (const [name, fns] of ctx.facts.functions)
    for (const fn of fns) {
      if (
        !ts.isFunctionLike(fn) ||
        handlers.has(fn as ts.FunctionLikeDeclaration) ||
        isDiagnosticTool(name) ||
        !returnsToolResult(ctx, fn)
      )
        continue;
      const h = fn as ts.FunctionLikeDeclaration;
      for (const { expr, stmt } of ctx.returnsOf(h))
        failureAsResult(
          ctx,
          unwrapAwait(expr),
          insideCatch(ctx, stmt ?? expr, h),
          `\`${name}()\` (declared to return \`CallToolResult\`)`,
          name,
        );
    }
  errorBuilderResults(ctx, handlers);
}

/**
 * MCP705 in a helper named for building error results (`errorResult(message)`, `toolError(...)`)
 * whose result has content and no `isError`: every failure the tools return through it reads as
 * success. Also run on helper modules a stdio server imports (the builder often lives there).
 */
export function errorBuilderResults(ctx: RuleContext, handlers: Set<unknown> = new Set()): void {
  const { ts } = ctx;
  for (const [name, fns] of ctx.facts.functions) {
    if (!ERROR_BUILDER.test(name)) continue;
    for (const fn of fns) {
      if (!ts.isFunctionLike(fn) || handlers.has(fn as ts.FunctionLikeDeclaration) || returnsToolResult(ctx, fn))
        continue;
      for (const { expr } of ctx.returnsOf(fn as ts.FunctionLikeDeclaration))
        failureAsResult(ctx, unwrapAwait(expr), 'builder', `\`${name}()\` (a builder of error results)`, name);
    }
  }
}

/** Names of helpers that build a tool's error result: `errorResult`, `makeErrorResponse`, `toolError`, `createErrorContent`. */
const ERROR_BUILDER =
  /^(?:make|build|create|to|tool)?(?:Error|error|Err|err|Failure|failure)(?:Result|Response|Content|Reply)?$|(?:Error|Failure)(?:Result|Response|Content|Reply)$/;

/** Whether a function's declared return type is the SDK's `CallToolResult` (or a promise of it). */
function returnsToolResult(ctx: RuleContext, fn: ts.SignatureDeclaration): boolean {
  const t = fn.type?.getText(ctx.sf).replace(/\s+/g, '');
  const m = t ? /^(?:Promise<(\w+)>|(\w+))$/.exec(t) : null;
  const ref = m ? ctx.facts.bindings.get((m[1] ?? m[2])!) : undefined;
  return !!ref && ref.name === 'CallToolResult' && ref.module.startsWith('@modelcontextprotocol/');
}

/**
 * MCP705 on a returned call of a local content builder (`asTextJson(value)`, every return of which
 * is `{ content: [...] }` without `isError`), in a `catch` or given an object that reads as a
 * failure (`{ ok: false, error }`, `{ success: false }`, `{ error: ... }`).
 */
function builtFailure(ctx: RuleContext, e: ts.Expression, inCatch: boolean, label: string, tool: string): void {
  const { ts } = ctx;
  if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression)) return;
  const name = e.expression.text;
  const fns = ctx.facts.functions.get(name) ?? [];
  if (fns.length !== 1 || !ts.isFunctionLike(fns[0]!)) return;
  const rets = ctx.returnsOf(fns[0] as ts.FunctionLikeDeclaration);
  const builds = (x: ts.Expression) => {
    const o = unwrapAwait(x);
    return ts.isObjectLiteralExpression(o) && !!getPropValue(o, 'content') && !getPropValue(o, 'isError');
  };
  if (!rets.length || !rets.every((r) => builds(r.expr))) return;
  const arg = e.arguments[0] && unwrap(e.arguments[0]);
  const failing =
    !!arg &&
    ts.isObjectLiteralExpression(arg) &&
    arg.properties.some((p) => {
      const key = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
      const v = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
      return (
        key === 'error' ||
        ((key === 'ok' || key === 'success') && v?.kind === ts.SyntaxKind.FalseKeyword) ||
        (ts.isShorthandPropertyAssignment(p) && p.name.text === 'error')
      );
    });
  if (!inCatch && !failing) return;
  ctx.report(
    'MCP705',
    e,
    `${label} returns a failure ${inCatch ? 'from a `catch` block ' : ''}as a successful result (built by \`${name}()\`, which sets no \`isError\`): the model cannot tell the call failed and will not retry or change course. Return the failure with \`isError: true\` (a second builder for errors, or a flag on this one).`,
    { data: { tool } },
  );
}

/** MCP705 on one returned object: content without `isError: true` that reads as a failure, or comes from a `catch`. */
function failureAsResult(
  ctx: RuleContext,
  e: ts.Expression,
  /** `builder`: the result of a helper that builds error results, whatever its text. */
  inCatch: boolean | 'builder',
  label: string,
  tool: string,
): void {
  const { ts, sf, file } = ctx;
  if (!ts.isObjectLiteralExpression(e)) return;
  if (getPropValue(e, 'isError')) return;
  const content = getPropValue(e, 'content');
  const arr = content && unwrap(content);
  if (!arr || !ts.isArrayLiteralExpression(arr)) return;
  const errorish = arr.elements.some((el) => {
    const o = unwrap(el);
    if (!ts.isObjectLiteralExpression(o)) return false;
    const t = getPropValue(o, 'text');
    const parts = t && literalParts(unwrap(t));
    return !!parts && ERROR_TEXT.test(parts[0]!);
  });
  if (!errorish && !inCatch) return;
  if (!errorish && inCatch && arr.elements.length === 0) return;
  const what =
    inCatch === 'builder'
      ? 'returns every failure it is given as a successful result'
      : `returns a failure ${inCatch ? 'from a `catch` block ' : ''}as a successful result`;
  ctx.report(
    'MCP705',
    e,
    `${label} ${what} (no \`isError: true\`): the model cannot tell the call failed and will not retry or change course. Add \`isError: true\` to the result.`,
    {
      fixes: [ctx.fix('Mark the result as an error', [insertPropertyEdit(file, sf, e, 'isError: true')], true)],
      data: { tool },
    },
  );
}

const BACK_CHANNEL = new Set(['elicitInput', 'createMessage', 'listRoots', 'requestSampling']);

function mcp706(ctx: RuleContext): void {
  const { ts } = ctx;
  // Stateless: sessionIdGenerator: undefined, or punkpeye httpStream.stateless: true.
  if (!/sessionIdGenerator|stateless/.test(ctx.sf.text)) return;
  const stateless = ctx.facts.objects.some((o) => {
    const g = getPropValue(o, 'sessionIdGenerator');
    if (g && ts.isIdentifier(unwrap(g)) && (unwrap(g) as ts.Identifier).text === 'undefined') return true;
    const s = getPropValue(o, 'stateless');
    return !!s && unwrap(s).kind === ts.SyntaxKind.TrueKeyword;
  });
  if (!stateless) return;
  for (const call of callsNamed(ctx.facts, ...BACK_CHANNEL, 'sendRequest')) {
    const m = calleeName(call);
    if (!m || !ts.isPropertyAccessExpression(call.expression)) continue;
    if (!BACK_CHANNEL.has(m) && !(m === 'sendRequest' && call.expression.expression.getText(ctx.sf) === 'extra'))
      continue;
    if (!ctx.toolOf(call)) continue; // only requests made while serving a tool call
    ctx.report(
      'MCP706',
      call,
      `\`${call.expression.getText(ctx.sf)}()\` sends a request from the server to the client, but this server is stateless (no session, no standalone stream), so there is no channel for the answer and the call fails. Keep sessions for this server, or ask for the information in the tool's input schema.`,
      { data: { call: m } },
    );
  }
}

function mcp709(ctx: RuleContext): void {
  const { ts } = ctx;
  for (const call of callsNamed(ctx.facts, 'setRequestHandler')) {
    if (call.arguments.length < 2) continue;
    const schema = call.arguments[0]!;
    const name = resolveRef(ctx.facts, schema)?.name ?? (ts.isIdentifier(schema) ? schema.text : '');
    if (name !== 'InitializeRequestSchema') continue;
    const fn = resolveFunction(ctx.facts, call.arguments[1]);
    if (!fn || !isFunctionLike(fn)) continue;
    for (const { expr } of returnedExpressions(fn)) {
      const e = unwrapAwait(expr);
      if (!ts.isObjectLiteralExpression(e)) continue;
      const pv = getPropValue(e, 'protocolVersion');
      if (!pv) continue;
      const v = unwrap(pv);
      const constant =
        stringValue(v) ??
        (ts.isIdentifier(v) && /^LATEST_PROTOCOL_VERSION$|^PROTOCOL_VERSION$/.test(v.text) ? v.text : undefined);
      if (!constant) continue;
      ctx.report(
        'MCP709',
        pv,
        `The \`initialize\` handler always answers \`protocolVersion: ${constant}\` instead of echoing the client's requested version when supported: older or newer clients fail with "Server's protocol version is not supported". Return \`request.params.protocolVersion\` when it is in \`SUPPORTED_PROTOCOL_VERSIONS\`, else your latest.`,
        { data: { protocolVersion: constant } },
      );
    }
  }
}
