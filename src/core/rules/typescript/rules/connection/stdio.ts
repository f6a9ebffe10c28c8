/**
 * Stdio connection rules: MCP102 (writes to stdout, the JSON-RPC channel: console.log,
 * process.stdout.write, pino and winston defaults) and MCP103 (child processes and stdin readers
 * that share the protocol pipes).
 */
import type * as ts from 'typescript';
import {
  edit,
  getProp,
  getPropValue,
  insertPropertyEdit,
  STDOUT_CONSOLE_METHODS,
  stdoutWriteKind,
  stringValue,
  unwrap,
  walk,
} from '../../astUtil';
import type { RuleContext } from '../../context';
import { callsNamed, importsModule } from '../../facts';
import { initializerOf, resolveDecl, resolveRef } from '../../resolve';
import { type PathVerdict, ServePaths } from '../../servePath';
import { TransportGuards } from '../../transportGuard';
import { EnvGuards } from '../../envGuard';
import { guardedByCallerVariable, stdioQuietData } from '../../paramGuard';
import { loggerHits } from './loggers';
import { branchTransport, inHttpOnlyCode } from './transportPaths';

const SAFE_STDIO = "['ignore', 'pipe', 'pipe']";

function stdioNote(ctx: RuleContext): string {
  return ctx.stdio === 'unknown' ? ' (the transport is not fixed in this file, so this assumes stdio)' : '';
}

/**
 * What the serving-path analysis found for a write, as a sentence for the message, and whether
 * it lowers the finding (the file starts stdio but no path could be followed to or from the write).
 */
function pathEvidence(
  ctx: RuleContext,
  node: ts.Node,
  v: PathVerdict | undefined,
): { note: string; unproven: boolean } {
  if (!v) return { note: '', unproven: false };
  if (v.on === 'unknown')
    return {
      note: ' Evidence: this file starts a stdio transport, but no path between this line and the start could be followed (a callback or an exported function whose callers are elsewhere), so this is not proven to run while it serves.',
      unproven: true,
    };
  if (v.on !== 'yes') return { note: '', unproven: false };
  const line = ctx.sf.getLineAndCharacterOfPosition(v.via.getStart(ctx.sf)).line + 1;
  if (ctx.facts.handlers.has(v.via)) {
    const inside = v.via.pos <= node.pos && node.end <= v.via.end;
    return {
      note: inside
        ? ' Evidence: it runs inside a tool handler, while the server serves.'
        : ` Evidence: the tool handler on line ${line} calls the function it is in, while the server serves.`,
      unproven: false,
    };
  }
  return {
    note: v.after
      ? ` Evidence: it runs after the stdio transport starts (line ${line}).`
      : ` Evidence: a path from it reaches the stdio start on line ${line}.`,
    unproven: false,
  };
}

/**
 * A call through a name bound to the console or one of its stdout methods: \`logger.info()\` after
 * \`const logger = console\`, \`log()\` after \`const log = console.log\` (or \`.bind(console)\`).
 */
function consoleAlias(ctx: RuleContext, call: ts.CallExpression): { method: string; line: number } | undefined {
  const { ts, sf } = ctx;
  const e = call.expression;
  const bound = (id: ts.Identifier): ts.Expression | undefined => {
    const init = initializerOf(ctx.facts, id);
    return init && unwrap(init);
  };
  const line = (n: ts.Node): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  if (ts.isIdentifier(e)) {
    const init = bound(e);
    if (!init) return undefined;
    const m = /^console\.(log|info|debug)(?:\.bind\(console\))?$/.exec(init.getText(sf));
    return m ? { method: m[1]!, line: line(init) } : undefined;
  }
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text !== 'console') {
    if (!STDOUT_CONSOLE_METHODS.has(e.name.text)) return undefined;
    const init = bound(e.expression);
    return init && init.getText(sf) === 'console' ? { method: e.name.text, line: line(init) } : undefined;
  }
  return undefined;
}

const pathsCache = new WeakMap<RuleContext, ServePaths>();

/** The serving-path analysis of the file (built once per rule context). */
function servePaths(ctx: RuleContext): ServePaths {
  let p = pathsCache.get(ctx);
  if (!p) pathsCache.set(ctx, (p = new ServePaths(ctx.ts, ctx.facts)));
  return p;
}

/**
 * A file whose servers never serve: it starts none and builds no transport, and every server it
 * builds stays in the file (not exported, returned or passed on; only its own methods are called):
 * a probe script (`console.log(typeof server.registerTool)`), where stdout is no protocol channel.
 */
function idleServers(ctx: RuleContext): boolean {
  const { ts, sf } = ctx;
  const servers = ctx.facts.servers;
  if (!servers.length || ctx.facts.transportsSeen.length || servers.some((s) => s.starts.length)) return false;
  if (/\bexport\b|module\.exports|\bexports\./.test(sf.text)) return false;
  return servers.every((s) => {
    if (!s.moduleLevel || s.name.includes('.')) return false;
    const decl = s.node.parent;
    if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return false;
    let escapes = false;
    walk(sf, (n) => {
      if (escapes) return false;
      if (ts.isIdentifier(n) && n.text === s.name && n !== decl.name) {
        const p = n.parent;
        const receiver = ts.isPropertyAccessExpression(p) && p.expression === n && p.name.text !== 'connect';
        const cast = ts.isAsExpression(p) || ts.isParenthesizedExpression(p);
        if (!receiver && !cast) escapes = true;
      }
      return true;
    });
    return !escapes;
  });
}

export function mcp102(ctx: RuleContext): void {
  if (ctx.stdio === 'not-stdio' || idleServers(ctx)) return;
  const { ts, sf, file } = ctx;
  const paths = servePaths(ctx);
  const guards = new TransportGuards(ts, ctx.facts);
  const envGuards = new EnvGuards(ts, ctx.facts);
  // Silenced while a stdio setting holds (`if (!quiet()) console.log(...)`): the project model
  // drops the finding when a module of the project assigns that setting.
  const quiet = (node: ts.Node) => stdioQuietData(ts, envGuards, node);
  // A file whose only server start is an HTTP listen (`http.createServer(...).listen(port, host)`,
  // `app.listen(port)`): stdout is not a protocol channel unless a module that imports it serves
  // stdio, which the project model decides (`crossFile.ts`).
  const listensHttp =
    ctx.stdio === 'unknown' &&
    !paths.applies &&
    callsNamed(ctx.facts, 'listen').some((c) => ts.isPropertyAccessExpression(c.expression));
  const http = listensHttp ? { listensHttp: true } : {};
  // Console methods by name, and calls through a local name (`const log = console.log`).
  const named = new Set(callsNamed(ctx.facts, ...STDOUT_CONSOLE_METHODS, 'write'));
  for (const call of ctx.facts.calls)
    if (ts.isIdentifier(call.expression) && ctx.facts.decls.has(call.expression.text)) named.add(call);
  // Guarded by a parameter whose caller passes the transport choice (`loadConfig(isStdio)`).
  const offByCaller = (v: PathVerdict | undefined, node: ts.Node): boolean =>
    v?.on !== undefined && guardedByCallerVariable(ts, ctx.facts, node)?.on === 'no';
  /** Where a write runs: undefined off the serving path, else the evidence note and the downgrade. */
  const placed = (node: ts.Node): { note: string; downgrade: boolean } | undefined => {
    const verdict = paths.applies ? paths.verdict(node) : undefined;
    if (verdict?.on === 'no' || offByCaller(verdict, node)) return undefined;
    const { note, unproven } = pathEvidence(ctx, node, verdict);
    return { note, downgrade: ctx.stdio === 'unknown' || unproven };
  };
  for (const call of [...named].sort((a, b) => a.pos - b.pos)) {
    if (inHttpOnlyCode(ctx, call) || branchTransport(ctx, call) === 'other') continue;
    // Selected by a value of a constant that no stdio start of this file can run with.
    if (paths.applies && guards.exclusive(call, [...paths.starts])) continue;
    const e = call.expression;
    const alias = consoleAlias(ctx, call);
    if (alias) {
      const at = placed(call);
      if (!at) continue;
      ctx.report(
        'MCP102',
        call,
        `\`${e.getText(sf)}\` is \`console.${alias.method}\` (bound on line ${alias.line}), which writes to stdout, the JSON-RPC channel of a stdio MCP server${stdioNote(ctx)}; clients fail to parse the line and may drop the server. Bind it to \`console.error\` (stderr) instead.${at.note}`,
        {
          downgrade: at.downgrade,
          data: { call: `console.${alias.method}`, ...http, ...quiet(call) },
        },
      );
      continue;
    }
    const param = stdoutParam(ctx, e);
    if (param) {
      const at = placed(call);
      if (!at) continue;
      ctx.report(
        'MCP102',
        call,
        `\`${e.getText(sf)}\` writes to \`process.stdout\` (the default of the parameter \`${param}\`), the JSON-RPC channel of a stdio MCP server${stdioNote(ctx)}; anything that is not a framed MCP message breaks the client's parser. Default it to \`process.stderr\` instead.${at.note}`,
        {
          downgrade: at.downgrade,
          data: { call: 'process.stdout.write', ...http, ...quiet(call) },
        },
      );
      continue;
    }
    const kind = stdoutWriteKind(e);
    if (!kind || !ts.isPropertyAccessExpression(e)) continue;
    const obj = e.expression;
    const method = e.name.text;
    const isConsole = kind === 'console';
    // Output on a path that never serves (a CLI sub-command that returns or exits first).
    const at = placed(call);
    if (!at) continue;
    const { note, downgrade } = at;
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
        { fixes, downgrade, data: { call: `console.${method}`, ...http, ...quiet(call) } },
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
          data: { call: 'process.stdout.write', ...http, ...quiet(call) },
        },
      );
    }
  }
  loggerHits(ctx, (node) => {
    if (inHttpOnlyCode(ctx, node) || branchTransport(ctx, node) === 'other')
      return { skip: true, downgrade: false, note: '' };
    const verdict = paths.applies ? paths.verdict(node) : undefined;
    if (verdict?.on === 'no') return { skip: true, downgrade: false, note: '' };
    const { note, unproven } = pathEvidence(ctx, node, verdict);
    const runtime = ctx.stdio === 'unknown' ? ' The transport is not fixed in this file, so this assumes stdio.' : '';
    return { skip: false, downgrade: ctx.stdio === 'unknown' || unproven, note: runtime + note };
  });
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
  // A child process or a prompt on a CLI path that returns or exits before serving shares nothing.
  const paths = servePaths(ctx);
  const report: RuleContext['report'] = (ruleId, node, message, extra) => {
    if ('kind' in node && paths.applies && paths.verdict(node).on === 'no') return;
    ctx.report(ruleId, node, message, extra);
  };
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
        report(
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
        report(
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
        report(
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
      report(
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
        report(
          'MCP103',
          call,
          `A readline interface on \`process.stdin\` competes with the stdio transport for the client's requests${stdioNote(ctx)}. Leave stdin to \`StdioServerTransport\`.`,
          { downgrade },
        );
      }
    }
  }
}

/**
 * `stdout.write(...)` where `stdout` is a parameter that defaults to `process.stdout`
 * (`function createLogger(stdout = process.stdout) { ... stdout.write(line) }`, a stream injected
 * for tests): the parameter's name, when the callee is such a write.
 */
function stdoutParam(ctx: RuleContext, callee: ts.Expression): string | undefined {
  const { ts } = ctx;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'write' || !ts.isIdentifier(callee.expression))
    return undefined;
  const d = resolveDecl(ctx.facts, callee.expression);
  if (!d || !ts.isParameter(d) || !d.initializer) return undefined;
  return unwrap(d.initializer).getText(ctx.sf) === 'process.stdout' ? callee.expression.text : undefined;
}
