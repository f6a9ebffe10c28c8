/**
 * Stdio connection rules: MCP102 (writes to stdout, the JSON-RPC channel: console.log,
 * process.stdout.write, pino and winston defaults) and MCP103 (child processes and stdin readers
 * that share the protocol pipes).
 */
import type * as ts from 'typescript';
import { edit, getProp, getPropValue, insertPropertyEdit, stringValue, unwrap } from '../../astUtil';
import type { RuleContext } from '../../context';
import { callsNamed, importsModule } from '../../facts';
import { resolveRef } from '../../resolve';
import { type PathVerdict, ServePaths } from '../../servePath';
import { branchTransport, inHttpOnlyCode } from './transportPaths';

const STDOUT_CONSOLE = new Set(['log', 'info', 'debug', 'dir', 'table']);

const SAFE_STDIO = "['ignore', 'pipe', 'pipe']";

function stdioNote(ctx: RuleContext): string {
  return ctx.stdio === 'unknown' ? ' (the transport is not fixed in this file, so this assumes stdio)' : '';
}

/**
 * What the serving-path analysis found for a write, as a sentence for the message, and whether
 * it lowers the finding (the file starts stdio but no path could be followed to or from the write).
 */
function pathEvidence(ctx: RuleContext, v: PathVerdict | undefined): { note: string; unproven: boolean } {
  if (!v) return { note: '', unproven: false };
  if (v.on === 'unknown')
    return {
      note: ' Evidence: this file starts a stdio transport, but no path between this line and the start could be followed (a callback or an exported function whose callers are elsewhere), so this is not proven to run while it serves.',
      unproven: true,
    };
  if (v.on !== 'yes') return { note: '', unproven: false };
  const line = ctx.sf.getLineAndCharacterOfPosition(v.via.getStart(ctx.sf)).line + 1;
  if (ctx.facts.handlers.has(v.via))
    return { note: ' Evidence: it runs inside a tool handler, while the server serves.', unproven: false };
  return {
    note: v.after
      ? ` Evidence: it runs after the stdio transport starts (line ${line}).`
      : ` Evidence: a path from it reaches the stdio start on line ${line}.`,
    unproven: false,
  };
}

const pathsCache = new WeakMap<RuleContext, ServePaths>();

/** The serving-path analysis of the file (built once per rule context). */
function servePaths(ctx: RuleContext): ServePaths {
  let p = pathsCache.get(ctx);
  if (!p) pathsCache.set(ctx, (p = new ServePaths(ctx.ts, ctx.facts)));
  return p;
}

export function mcp102(ctx: RuleContext): void {
  if (ctx.stdio === 'not-stdio') return;
  const { ts, sf, file } = ctx;
  const paths = servePaths(ctx);
  for (const call of callsNamed(ctx.facts, ...STDOUT_CONSOLE, 'write')) {
    if (inHttpOnlyCode(ctx, call) || branchTransport(ctx, call) === 'other') continue;
    const e = call.expression;
    if (!ts.isPropertyAccessExpression(e)) continue;
    const obj = e.expression;
    const method = e.name.text;
    const isConsole = ts.isIdentifier(obj) && obj.text === 'console' && STDOUT_CONSOLE.has(method);
    const isStdout =
      method === 'write' &&
      ts.isPropertyAccessExpression(obj) &&
      obj.name.text === 'stdout' &&
      ts.isIdentifier(obj.expression) &&
      obj.expression.text === 'process';
    if (!isConsole && !isStdout) continue;
    // Output on a path that never serves (a CLI sub-command that returns or exits first).
    const verdict = paths.applies ? paths.verdict(call) : undefined;
    if (verdict?.on === 'no') continue;
    const { note, unproven } = pathEvidence(ctx, verdict);
    const downgrade = ctx.stdio === 'unknown' || unproven;
    if (isConsole) {
      const fixes = ['log', 'info', 'debug'].includes(method)
        ? [
            ctx.fix(
              'Write to stderr with console.error',
              [edit(file, sf, e.name.getStart(sf), e.name.getEnd(), 'error')],
              true,
            ),
          ]
        : [];
      ctx.report(
        'MCP102',
        call,
        `\`console.${method}\` writes to stdout, which is the JSON-RPC channel of a stdio MCP server${stdioNote(ctx)}; clients fail to parse the line (\`Unexpected token ... is not valid JSON\`) and may drop the server. Log with \`console.error\` (stderr) instead.${note}`,
        { fixes, downgrade, data: { call: `console.${method}` } },
      );
    } else {
      ctx.report(
        'MCP102',
        call,
        `\`process.stdout.write\` puts bytes on the stdio server's JSON-RPC channel${stdioNote(ctx)}; anything that is not a framed MCP message breaks the client's parser. Write diagnostics to \`process.stderr\` instead.${note}`,
        {
          fixes: [
            ctx.fix(
              'Write to process.stderr',
              [
                edit(
                  file,
                  sf,
                  (obj as ts.PropertyAccessExpression).name.getStart(sf),
                  (obj as ts.PropertyAccessExpression).name.getEnd(),
                  'stderr',
                ),
              ],
              true,
            ),
          ],
          downgrade,
          data: { call: 'process.stdout.write' },
        },
      );
    }
  }
  const downgrade = ctx.stdio === 'unknown';
  // pino() defaults to stdout.
  for (const call of importsModule(ctx.facts, 'pino') ? ctx.facts.calls : []) {
    const ref = resolveRef(ctx.facts, call.expression);
    if (!ref || ref.module !== 'pino' || !['default', '*', 'pino'].includes(ref.name)) continue;
    if (ts.isPropertyAccessExpression(call.expression) && ref.name !== 'pino') continue; // pino.destination(...)
    const argsText = call.arguments.map((a) => a.getText(sf)).join(',');
    if (
      /stderr|destination\(\s*2\s*\)|destination\s*:\s*2\b|\bfd\s*:\s*2\b|transport\s*:/.test(argsText) ||
      call.arguments.length >= 2
    )
      continue;
    const callee = call.expression.getText(sf);
    const insertion = call.arguments.length === 0 ? `{}, ${callee}.destination(2)` : `, ${callee}.destination(2)`;
    const at = call.arguments.length === 0 ? call.arguments.pos : call.arguments[call.arguments.length - 1]!.getEnd();
    ctx.report(
      'MCP102',
      call,
      `\`${callee}()\` logs to stdout by default, which is the JSON-RPC channel of a stdio MCP server${stdioNote(ctx)}. Pass \`${callee}.destination(2)\` so logs go to stderr.`,
      {
        fixes: [ctx.fix('Send pino logs to stderr', [edit(file, sf, at, at, insertion)], true)],
        downgrade,
        data: { call: 'pino' },
      },
    );
  }
  // winston Console transport without stderrLevels.
  if (ctx.facts.moduleSpecifiers.some((s) => s.module === 'winston')) {
    for (const n of ctx.facts.news) {
      const t = n.expression.getText(sf);
      if (!/(^|\.)transports\.Console$/.test(t) && t !== 'Console') continue;
      if (t === 'Console' && resolveRef(ctx.facts, n.expression)?.module !== 'winston') continue;
      const opts = n.arguments?.[0] && unwrap(n.arguments[0]);
      if (opts && ts.isObjectLiteralExpression(opts) && getProp(opts, 'stderrLevels')) continue;
      const prop = "stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']";
      const fixEdit =
        opts && ts.isObjectLiteralExpression(opts)
          ? insertPropertyEdit(file, sf, opts, prop)
          : !n.arguments || n.arguments.length === 0
            ? edit(file, sf, n.getEnd() - 1, n.getEnd() - 1, `{ ${prop} }`)
            : undefined;
      ctx.report(
        'MCP102',
        n,
        `winston's Console transport writes every level except \`error\` to stdout, the JSON-RPC channel of a stdio MCP server${stdioNote(ctx)}. Set \`stderrLevels\` to all levels.`,
        {
          fixes: fixEdit ? [ctx.fix('Send all winston levels to stderr', [fixEdit], true)] : [],
          downgrade,
          data: { call: 'winston.transports.Console' },
        },
      );
    }
  }
}

const CHILD_ASYNC = new Set(['spawn', 'exec', 'execFile', 'fork']);

/** The options object literal of a child_process call (last object-literal argument). */
function childOptions(ctx: RuleContext, call: ts.CallExpression): ts.ObjectLiteralExpression | undefined {
  for (let i = call.arguments.length - 1; i >= 1; i--) {
    const a = unwrap(call.arguments[i]!);
    if (ctx.ts.isObjectLiteralExpression(a)) return a;
  }
  return undefined;
}

function inheritsStdio(ctx: RuleContext, value: ts.Expression): boolean {
  const { ts } = ctx;
  const v = unwrap(value);
  if (stringValue(v) === 'inherit') return true;
  if (ts.isArrayLiteralExpression(v)) {
    return v.elements.slice(0, 2).some((el, i) => {
      const u = unwrap(el);
      const t = u.getText(ctx.sf);
      return (
        stringValue(u) === 'inherit' ||
        (ts.isNumericLiteral(u) && Number(u.text) === i) ||
        t === (i === 0 ? 'process.stdin' : 'process.stdout')
      );
    });
  }
  return false;
}

export function mcp103(ctx: RuleContext): void {
  if (ctx.stdio === 'not-stdio') return;
  const { ts, sf, file } = ctx;
  const downgrade = ctx.stdio === 'unknown';
  const childOrReadline = importsModule(ctx.facts, 'child_process', 'readline', 'readline/promises');
  const candidates = childOrReadline
    ? ctx.facts.calls
    : callsNamed(ctx.facts, 'on', 'once', 'addListener', 'read', 'pipe', 'setEncoding');
  for (const call of candidates) {
    const ref = childOrReadline ? resolveRef(ctx.facts, call.expression) : undefined;
    if (ref?.module === 'child_process') {
      const opts = childOptions(ctx, call);
      const stdioProp = opts && getProp(opts, 'stdio');
      const stdioVal = opts && getPropValue(opts, 'stdio');
      if ((CHILD_ASYNC.has(ref.name) || ref.name === 'spawnSync') && stdioVal && inheritsStdio(ctx, stdioVal)) {
        ctx.report(
          'MCP103',
          call,
          `\`${ref.name}\` with \`stdio: ${stdioVal.getText(sf)}\` hands the child this stdio server's protocol pipes${stdioNote(ctx)}: it can read the client's requests from stdin or write non-JSON to stdout. Use \`stdio: ${SAFE_STDIO}\` and read its output from the pipes.`,
          {
            fixes: [
              ctx.fix(
                'Give the child its own pipes',
                [edit(file, sf, stdioVal.getStart(sf), stdioVal.getEnd(), SAFE_STDIO)],
                true,
              ),
            ],
            downgrade,
          },
        );
      } else if (
        ref.name === 'fork' &&
        !stdioProp &&
        !(opts && getPropValue(opts, 'silent')?.kind === ts.SyntaxKind.TrueKeyword)
      ) {
        // fork() inherits the parent's stdin/stdout unless `silent: true` or `stdio` is given.
        const fixEdit = opts
          ? insertPropertyEdit(file, sf, opts, 'silent: true')
          : call.arguments.length >= 1 && call.arguments.length <= 2
            ? edit(
                file,
                sf,
                call.arguments[call.arguments.length - 1]!.getEnd(),
                call.arguments[call.arguments.length - 1]!.getEnd(),
                call.arguments.length === 1 ? ', [], { silent: true }' : ', { silent: true }',
              )
            : undefined;
        ctx.report(
          'MCP103',
          call,
          `\`fork\` without \`silent: true\` or \`stdio\` gives the child this stdio server's own stdin and stdout${stdioNote(ctx)}: anything it prints lands on the JSON-RPC channel and it can consume the client's requests. Pass \`silent: true\` (pipes) and read its output from \`child.stdout\`.`,
          {
            fixes: fixEdit ? [ctx.fix('Fork with silent: true', [fixEdit], true)] : [],
            downgrade,
          },
        );
      } else if ((ref.name === 'execSync' || ref.name === 'execFileSync') && !stdioProp) {
        let fixEdit;
        if (opts) fixEdit = insertPropertyEdit(file, sf, opts, `stdio: ${SAFE_STDIO}`);
        else {
          const last = call.arguments[call.arguments.length - 1];
          const canAppend =
            ref.name === 'execSync'
              ? call.arguments.length === 1
              : call.arguments.length === 1 ||
                (call.arguments.length === 2 && ts.isArrayLiteralExpression(unwrap(call.arguments[1]!)));
          if (last && canAppend) fixEdit = edit(file, sf, last.getEnd(), last.getEnd(), `, { stdio: ${SAFE_STDIO} }`);
        }
        // Node's default for the sync helpers is `pipe` (verified: the child reads EOF, stdout is
        // captured), so this is hygiene, not a live break: reported one level lower, and said so.
        ctx.report(
          'MCP103',
          call,
          `\`${ref.name}\` runs without an explicit \`stdio\` in a stdio server${stdioNote(ctx)}. Node's default \`pipe\` keeps the child off the protocol pipes today (stdin reads EOF, stdout is captured), but the child's stderr is inherited and any later \`stdio: 'inherit'\` would hand it the client's pipes; pin \`stdio: ${SAFE_STDIO}\` to make the isolation explicit.`,
          {
            fixes: fixEdit ? [ctx.fix("Pin the child's stdio to pipes", [fixEdit], true)] : [],
            downgrade: true,
            data: { explicitStdio: false },
          },
        );
      }
      continue;
    }
    // process.stdin.on('data' | 'readable') / process.stdin.read()
    const e = call.expression;
    if (
      ts.isPropertyAccessExpression(e) &&
      e.expression.getText(sf) === 'process.stdin' &&
      ['on', 'once', 'addListener', 'read', 'pipe', 'setEncoding'].includes(e.name.text)
    ) {
      const ev = stringValue(call.arguments[0]);
      if (['on', 'once', 'addListener'].includes(e.name.text) && ev !== 'data' && ev !== 'readable') continue;
      ctx.report(
        'MCP103',
        call,
        `Reading \`process.stdin\` yourself competes with the stdio transport for the client's requests${stdioNote(ctx)}: messages are lost or parsed twice. Leave stdin to \`StdioServerTransport\` and take input from tool arguments.`,
        { downgrade },
      );
    }
    // readline.createInterface({ input: process.stdin })
    if (ref?.module === 'readline' || ref?.module === 'readline/promises') {
      const o = call.arguments[0] && unwrap(call.arguments[0]);
      if (
        ref.name === 'createInterface' &&
        o &&
        ts.isObjectLiteralExpression(o) &&
        getPropValue(o, 'input')?.getText(sf) === 'process.stdin'
      ) {
        ctx.report(
          'MCP103',
          call,
          `A readline interface on \`process.stdin\` competes with the stdio transport for the client's requests${stdioNote(ctx)}. Leave stdin to \`StdioServerTransport\`.`,
          { downgrade },
        );
      }
    }
  }
}
