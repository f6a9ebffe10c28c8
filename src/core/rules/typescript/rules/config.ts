import type * as ts from 'typescript';
import type { TextEdit } from '../../../model';
import { compareVersions, edit, getProp, packageVersion, stringValue, unwrap } from '../astUtil';
import type { RuleContext } from '../context';
import type { DefFact } from '../facts';
import { isAnnotationsObject } from '../definitions';
import { zodChain } from '../schemas';
import { classifyTransportClass } from '../servers';
import { rangeAdmitsAtLeast } from '../../project/versions';

/** Config rules: MCP603 604 606. */
export function configRules(ctx: RuleContext): void {
  mcp603(ctx);
  mcp604(ctx);
  mcp606(ctx);
}

function mcp603(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  let reportedSdk = false;
  for (const n of ctx.facts.news) {
    if (classifyTransportClass(ctx.facts, n.expression) !== 'sse') continue;
    reportedSdk = true;
    ctx.report(
      'MCP603',
      n,
      '`SSEServerTransport` is the deprecated HTTP+SSE transport (replaced by Streamable HTTP in protocol 2025-03-26): clients are dropping it, it cannot run stateless or scale out, and SDK v2 moved it to a frozen legacy package. Serve `StreamableHTTPServerTransport` on `/mcp` and point clients there.',
      { data: { transport: 'sse' } },
    );
  }
  if (!reportedSdk) {
    for (const s of ctx.facts.moduleSpecifiers) {
      if (/^@modelcontextprotocol\/sdk\/server\/sse(\.js)?$/.test(s.module)) {
        ctx.report(
          'MCP603',
          s.node,
          'Importing the deprecated HTTP+SSE transport (`server/sse.js`): clients are dropping it and SDK v2 moved it to a legacy package. Use `StreamableHTTPServerTransport` from `server/streamableHttp.js`.',
          { data: { transport: 'sse' } },
        );
      }
    }
  }
  // punkpeye: start({ transportType: "sse", sse: {...} })
  for (const s of ctx.facts.servers) {
    for (const st of s.starts) {
      // `transportType: useSse ? "sse" : "stdio"`: the SSE branch is deprecated all the same.
      const ttv = st.options && getProp(st.options, 'transportType');
      if (st.kind === 'unknown' && ttv && ts.isPropertyAssignment(ttv)) {
        const c = unwrap(ttv.initializer);
        const branch = ts.isConditionalExpression(c)
          ? [c.whenTrue, c.whenFalse].map(unwrap).find((b) => stringValue(b) === 'sse')
          : undefined;
        if (branch)
          ctx.report(
            'MCP603',
            branch,
            '`transportType: "sse"` (in one branch) is the deprecated HTTP+SSE transport; current fastmcp accepts only `"httpStream"` and `"stdio"`, and clients are dropping SSE. Use `"httpStream"` and point clients at `/mcp`.',
            { data: { transport: 'sse' } },
          );
      }
      if (st.kind !== 'sse' || !st.options) continue;
      const tt = getProp(st.options, 'transportType');
      if (!tt || !ts.isPropertyAssignment(tt)) continue;
      const v = unwrap(tt.initializer);
      const q = v.getText(sf)[0] ?? '"';
      const edits: TextEdit[] = [edit(file, sf, v.getStart(sf), v.getEnd(), `${q}httpStream${q}`)];
      const sseProp = getProp(st.options, 'sse');
      if (sseProp?.name && ts.isIdentifier(sseProp.name))
        edits.push(edit(file, sf, sseProp.name.getStart(sf), sseProp.name.getEnd(), 'httpStream'));
      ctx.report(
        'MCP603',
        v,
        `\`transportType: "sse"\` is the deprecated HTTP+SSE transport; current fastmcp accepts only \`"httpStream"\` and \`"stdio"\`, and clients are dropping SSE. Use \`transportType: "httpStream"\` and point clients at \`/mcp\`.`,
        {
          fixes: [ctx.fix('Switch to httpStream', edits, true)],
          data: { transport: 'sse' },
        },
      );
    }
  }
}

/** Subpaths the SDK exports by exact name (no `.js` needed). */
const EXACT_EXPORTS = new Set([
  'client',
  'server',
  'validation',
  'validation/ajv',
  'validation/cfworker',
  'experimental',
  'experimental/tasks',
]);

function mcp604(ctx: RuleContext): void {
  const { sf, file } = ctx;
  const ext = file.slice(file.lastIndexOf('.'));
  const esm = ctx.project.moduleType === 'module' || ext === '.mts' || ext === '.mjs';
  for (const s of ctx.facts.moduleSpecifiers) {
    const m = /^@modelcontextprotocol\/sdk\/(.+)$/.exec(s.module);
    if (!m) continue;
    const sub = m[1]!;
    if (sub.endsWith('.js') || EXACT_EXPORTS.has(sub)) continue;
    const quoteEnd = s.node.getEnd() - 1; // before the closing quote
    const fixed = sub.endsWith('.ts') ? `${s.module.slice(0, -3)}.js` : `${s.module}.js`;
    const fixEdit = sub.endsWith('.ts')
      ? edit(file, sf, quoteEnd - 3, quoteEnd, '.js')
      : edit(file, sf, quoteEnd, quoteEnd, '.js');
    ctx.report(
      'MCP604',
      s.node,
      `\`${s.module}\` has no \`.js\` extension: the SDK exposes its subpaths through a \`"./*"\` export that maps to files, so Node fails with \`ERR_MODULE_NOT_FOUND\` before the handshake (clients see "Connection closed"). Import \`${fixed}\`.`,
      {
        fixes: [ctx.fix('Add the .js extension', [fixEdit], true)],
        downgrade: !esm && ctx.project.moduleType === 'commonjs',
        data: { specifier: s.module, fixed },
      },
    );
  }
}

const REGISTER_NAME: Record<string, string> = {
  tool: 'registerTool',
  resource: 'registerResource',
  prompt: 'registerPrompt',
};

function mcp606(ctx: RuleContext): void {
  const { sf, file } = ctx;
  const sdk = packageVersion(ctx.project.packages, '@modelcontextprotocol/sdk');
  // The positional overloads are deprecated from 1.21.1 (registerTool exists from 1.12): a proven
  // older SDK, or a range that admits none of the deprecating releases, is not reported.
  if (sdk && compareVersions(sdk, '1.21.1') < 0) return;
  const range = ctx.project.packages.get('@modelcontextprotocol/sdk');
  if (!sdk && range && rangeAdmitsAtLeast(range, '1.21.1') === false) return;
  for (const d of ctx.facts.defs) {
    if (d.style !== 'positional') continue;
    const callee = d.call.expression as ts.PropertyAccessExpression;
    const method = callee.name.text;
    const replacement = REGISTER_NAME[method]!;
    const fix = rewritePositional(ctx, d, method);
    const form =
      method === 'resource'
        ? `${replacement}(name, uriOrTemplate, { ... }, handler)`
        : `${replacement}(name, { ${method === 'prompt' ? 'description, argsSchema' : 'description, inputSchema'} }, handler)`;
    // Resources take no schema: the raw-shape confusion is about tool and prompt arguments.
    const why = method === 'resource' ? '' : ' (and the usual source of the raw-shape vs `z.object` confusion)';
    ctx.report(
      'MCP606',
      callee.name,
      `\`${callee.expression.getText(sf)}.${method}(...)\` uses the positional overloads deprecated since SDK 1.21.1${why}. Use \`${form}\`.`,
      {
        fixes: fix
          ? [ctx.fix(`Rewrite to ${replacement}`, [edit(file, sf, d.call.getStart(sf), d.call.getEnd(), fix)])]
          : [],
        data: { method, replacement },
      },
    );
  }
}

/**
 * Mechanical rewrite of `srv.tool(name, desc?, schema?, annotations?, cb)` and friends. A
 * `{ description }` object after the callback (which `tool()` ignores) becomes the description.
 */
function rewritePositional(ctx: RuleContext, d: DefFact, method: string): string | undefined {
  const { ts, sf } = ctx;
  const call = d.call;
  const after = d.afterHandler ?? [];
  const args = call.arguments.slice(0, call.arguments.length - after.length);
  if (args.length < 2 || args.some((a) => ts.isSpreadElement(a))) return undefined;
  const trailing: string[] = [];
  for (const a of after) {
    const o = unwrap(a);
    if (!ts.isObjectLiteralExpression(o)) return undefined;
    for (const p of o.properties) {
      if (!ts.isPropertyAssignment(p) || !['description', 'title'].includes(p.name.getText(sf))) return undefined;
      trailing.push(p.getText(sf));
    }
  }
  const recv = (call.expression as ts.PropertyAccessExpression).expression.getText(sf);
  const name = args[0]!.getText(sf);
  const cb = args[args.length - 1]!.getText(sf);
  const middle = args.slice(1, -1);
  const text = (e: ts.Expression): string => e.getText(sf);
  const isStr = (e: ts.Expression): boolean =>
    stringValue(unwrap(e)) !== undefined || ts.isTemplateExpression(unwrap(e));
  const props: string[] = [];
  if (method === 'resource') {
    if (middle.length < 1 || middle.length > 2) return undefined;
    const meta = middle[1] ? text(middle[1]) : '{}';
    return `${recv}.registerResource(${name}, ${text(middle[0]!)}, ${meta}, ${cb})`;
  }
  let rest = middle;
  if (rest[0] && isStr(rest[0])) {
    props.push(`description: ${text(rest[0])}`);
    rest = rest.slice(1);
  }
  props.push(...trailing);
  const schemaKey = method === 'prompt' ? 'argsSchema' : 'inputSchema';
  if (rest.length === 2) {
    props.push(`${schemaKey}: ${text(rest[0]!)}`, `annotations: ${text(rest[1]!)}`);
  } else if (rest.length === 1) {
    if (method === 'tool' && isAnnotationsObject(rest[0]!)) props.push(`annotations: ${text(rest[0]!)}`);
    else props.push(`${schemaKey}: ${unwrapZodObject(ctx, rest[0]!)}`);
  } else if (rest.length > 2) return undefined;
  // The callback receives (args, extra) in both forms; only tools without a schema change shape.
  return `${recv}.${REGISTER_NAME[method]}(${name}, ${props.length ? `{ ${props.join(', ')} }` : '{}'}, ${cb})`;
}

/** `z.object({...})` → `{...}` (registerTool takes a raw shape on every 1.x release). */
function unwrapZodObject(ctx: RuleContext, e: ts.Expression): string {
  const c = zodChain(e);
  const arg = c && c.root === 'object' && c.methods.length === 0 ? c.rootCall.arguments[0] : undefined;
  return arg && ctx.ts.isObjectLiteralExpression(unwrap(arg)) ? arg.getText(ctx.sf) : e.getText(ctx.sf);
}
