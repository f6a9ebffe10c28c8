import type * as ts from 'typescript';
import {
  calleeName,
  edit,
  getProp,
  getPropValue,
  insertPropertyEdit,
  isFunctionLike,
  receiverText,
  stringValue,
  unwrap,
  walk,
} from '../astUtil';
import { type RuleContext, findAll } from '../context';
import { callsNamed, importsModule } from '../facts';
import { resolveRef } from '../resolve';
import { classifyTransportClass, findServer } from '../servers';

/** Connection rules: MCP102 103 104 106 108 109 110 111 112. */
export function connectionRules(ctx: RuleContext): void {
  mcp102(ctx);
  mcp103(ctx);
  mcp104(ctx);
  mcp106(ctx);
  mcp108(ctx);
  mcp109(ctx);
  mcp110(ctx);
  mcp111(ctx);
  mcp112(ctx);
}

const STDOUT_CONSOLE = new Set(['log', 'info', 'debug', 'dir', 'table']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const SAFE_STDIO = "['ignore', 'pipe', 'pipe']";

function stdioNote(ctx: RuleContext): string {
  return ctx.stdio === 'unknown' ? ' (the transport is not fixed in this file, so this assumes stdio)' : '';
}

/** True when `node` runs only in HTTP mode: inside a `.listen(...)` callback or an HTTP route handler. */
function inHttpOnlyCode(ctx: RuleContext, node: ts.Node): boolean {
  const handlers = httpCallbacks(ctx);
  if (handlers.size === 0) return false;
  for (let n = node.parent; n; n = n.parent) if (handlers.has(n)) return true;
  return false;
}

/**
 * The transport of the code path `node` is on, decided by the innermost enclosing block that
 * starts a transport (an `if` branch, a function body): `other` when every start in it is HTTP or
 * SSE, `stdio` when one is stdio or opaque, undefined when no enclosing block starts anything.
 */
function branchTransport(ctx: RuleContext, node: ts.Node): 'stdio' | 'other' | undefined {
  const { ts } = ctx;
  const marks = transportMarks(ctx);
  if (!marks.length) return undefined;
  for (let p = node.parent; p; p = p.parent) {
    if (!ts.isBlock(p) && !ts.isSourceFile(p)) continue;
    if (ts.isSourceFile(p)) return undefined;
    const inside = marks.filter((m) => m.node.pos >= p.pos && m.node.end <= p.end);
    if (!inside.length) continue;
    return inside.some((m) => m.stdio) ? 'stdio' : 'other';
  }
  return undefined;
}

const marksCache = new WeakMap<RuleContext, { node: ts.Node; stdio: boolean }[]>();

/**
 * Code that fixes the transport of the block it sits in: server starts (stdio or opaque ones
 * count as stdio), transport constructors (`new StdioServerTransport()`, `new
 * StreamableHTTPServerTransport()`), and HTTP listeners (`app.listen(...)`), which serve HTTP even
 * when the MCP server is created elsewhere (a factory in another module).
 */
function transportMarks(ctx: RuleContext): { node: ts.Node; stdio: boolean }[] {
  let marks = marksCache.get(ctx);
  if (marks) return marks;
  marks = [];
  for (const s of ctx.facts.servers)
    for (const st of s.starts) marks.push({ node: st.call, stdio: st.kind === 'stdio' || !!st.opaque });
  for (const t of ctx.facts.transportsSeen)
    marks.push({ node: t.node, stdio: t.kind === 'stdio' || t.kind === 'unknown' });
  for (const call of callsNamed(ctx.facts, 'listen')) marks.push({ node: call, stdio: false });
  marksCache.set(ctx, marks);
  return marks;
}

const httpCallbackCache = new WeakMap<RuleContext, Set<ts.Node>>();
function httpCallbacks(ctx: RuleContext): Set<ts.Node> {
  let set = httpCallbackCache.get(ctx);
  if (set) return set;
  set = new Set<ts.Node>(routeHandlers(ctx));
  for (const call of callsNamed(ctx.facts, 'listen')) {
    for (const a of call.arguments) if (isFunctionLike(unwrap(a))) set.add(unwrap(a));
  }
  httpCallbackCache.set(ctx, set);
  return set;
}

function mcp102(ctx: RuleContext): void {
  if (ctx.stdio === 'not-stdio') return;
  const { ts, sf, file } = ctx;
  const downgrade = ctx.stdio === 'unknown';
  for (const call of callsNamed(ctx.facts, ...STDOUT_CONSOLE, 'write')) {
    if (inHttpOnlyCode(ctx, call) || branchTransport(ctx, call) === 'other') continue;
    const e = call.expression;
    if (!ts.isPropertyAccessExpression(e)) continue;
    const obj = e.expression;
    const method = e.name.text;
    if (ts.isIdentifier(obj) && obj.text === 'console' && STDOUT_CONSOLE.has(method)) {
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
        `\`console.${method}\` writes to stdout, which is the JSON-RPC channel of a stdio MCP server${stdioNote(ctx)}; clients fail to parse the line (\`Unexpected token ... is not valid JSON\`) and may drop the server. Log with \`console.error\` (stderr) instead.`,
        { fixes, downgrade, data: { call: `console.${method}` } },
      );
    } else if (
      method === 'write' &&
      ts.isPropertyAccessExpression(obj) &&
      obj.name.text === 'stdout' &&
      ts.isIdentifier(obj.expression) &&
      obj.expression.text === 'process'
    ) {
      ctx.report(
        'MCP102',
        call,
        `\`process.stdout.write\` puts bytes on the stdio server's JSON-RPC channel${stdioNote(ctx)}; anything that is not a framed MCP message breaks the client's parser. Write diagnostics to \`process.stderr\` instead.`,
        {
          fixes: [
            ctx.fix(
              'Write to process.stderr',
              [edit(file, sf, obj.name.getStart(sf), obj.name.getEnd(), 'stderr')],
              true,
            ),
          ],
          downgrade,
          data: { call: 'process.stdout.write' },
        },
      );
    }
  }
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

function mcp103(ctx: RuleContext): void {
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

function mcp104(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const f = ctx.facts;
  if (f.servers.length === 0 || !f.defs.some((d) => d.def.kind === 'tool')) return;
  // Any connect/start/listen anywhere means the file wires a transport (possibly to an imported server).
  const anyStart = callsNamed(f, 'connect', 'start', 'handleRequest').length > 0;
  if (anyStart) return;
  for (const s of f.servers) {
    if (!s.moduleLevel || s.name === '<anonymous>' || s.name.startsWith('this.')) continue;
    if (f.exported.has(s.name)) continue;
    // Passed to another function (`runServer(server)`) or returned: started elsewhere.
    const escapes =
      f.calls.some((c) =>
        c.arguments.some((a) => {
          const u = unwrap(a);
          return ts.isIdentifier(u) && u.text === s.name;
        }),
      ) ||
      findAll(sf, ts.isReturnStatement).some(
        (r) =>
          r.expression &&
          ts.isIdentifier(unwrap(r.expression)) &&
          (unwrap(r.expression) as ts.Identifier).text === s.name,
      );
    if (escapes) continue;
    const how =
      s.kind === 'fastmcp'
        ? `\`${s.name}.start({ transportType: "stdio" })\``
        : `\`await ${s.name}.connect(new StdioServerTransport())\``;
    ctx.report(
      'MCP104',
      s.node,
      `\`${s.name}\` registers tools but no transport is ever started: no \`connect()\`/\`start()\` call exists, so \`node\` exits immediately with status 0 and clients report "Connection closed". Add ${how} at the end of the entry module.`,
      { data: { server: s.name } },
    );
  }
}

function isLoopback(v: string | undefined): boolean {
  return v !== undefined && LOOPBACK.has(v.toLowerCase());
}

/**
 * The loopback literal a host expression binds: `'127.0.0.1'`, or the fallback of
 * `process.env.HOST ?? 'localhost'` (then `defaulted`: the deployment may override it).
 */
function loopbackHost(
  ctx: RuleContext,
  e: ts.Expression | undefined,
): { lit: ts.Expression; host: string; defaulted: boolean } | undefined {
  if (!e) return undefined;
  const { ts } = ctx;
  const u = unwrap(e);
  const v = stringValue(u);
  if (isLoopback(v)) return { lit: u, host: v!, defaulted: false };
  if (
    ts.isBinaryExpression(u) &&
    (u.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || u.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  ) {
    const r = unwrap(u.right);
    const rv = stringValue(r);
    if (isLoopback(rv)) return { lit: r, host: rv!, defaulted: true };
  }
  return undefined;
}

function mcp106(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  const docker = ctx.project.deployment.dockerfile ?? ctx.project.deployment.compose;
  // Loopback is the secure default: say nothing without container evidence for this project.
  if (!docker) return;
  const downgrade = false;
  const where = docker ? ` and the project is deployed with \`${docker.split(/[\\/]/).pop()}\`` : '';
  const msg = (host: string, what: string): string =>
    `${what} binds \`${host}\`${where}; inside a container a loopback listener is unreachable through a published port (\`docker run -p\` gives "connection refused"). Bind \`0.0.0.0\` in the container and publish the port as \`127.0.0.1:PORT:PORT\` on the host.`;
  const report = (
    node: ts.Node,
    host: string,
    what: string,
    fixEdit?: ReturnType<typeof edit>,
    defaulted = false,
  ): void => {
    ctx.report(
      'MCP106',
      node,
      msg(host, what) +
        (defaulted
          ? ' (The host comes from the environment with this fallback; set it to 0.0.0.0 in the container.)'
          : ''),
      {
        downgrade: downgrade || defaulted,
        data: { loopbackBind: true, host, ...(defaulted ? { defaulted: true } : {}) },
        fixes: docker && fixEdit ? [ctx.fix('Bind 0.0.0.0 inside the container', [fixEdit], true)] : [],
      },
    );
  };
  const literalFix = (lit: ts.Expression): ReturnType<typeof edit> => {
    const q = lit.getText(sf)[0] ?? "'";
    return edit(file, sf, lit.getStart(sf), lit.getEnd(), `${q}0.0.0.0${q}`);
  };
  const check = (node: ts.Node, hostExpr: ts.Expression | undefined, what: string): void => {
    const h = loopbackHost(ctx, hostExpr);
    if (h) report(node, h.host, what, literalFix(h.lit), h.defaulted);
  };
  for (const call of callsNamed(ctx.facts, 'listen', 'serve')) {
    const m = calleeName(call);
    if (m === 'listen' && ts.isPropertyAccessExpression(call.expression)) {
      const what = `\`${call.expression.getText(sf)}\``;
      check(call, call.arguments[1], what);
      const o = call.arguments[0] && unwrap(call.arguments[0]);
      if (o && ts.isObjectLiteralExpression(o)) check(call, getPropValue(o, 'host'), what);
    } else if (m === 'serve') {
      const o = call.arguments[0] && unwrap(call.arguments[0]);
      if (o && ts.isObjectLiteralExpression(o)) check(call, getPropValue(o, 'hostname'), '`serve()`');
    }
  }
  // punkpeye: httpStream.host defaults to "localhost".
  for (const s of ctx.facts.servers) {
    if (s.kind !== 'fastmcp') continue;
    for (const st of s.starts) {
      if (st.kind !== 'http' || !st.options) continue;
      const hs = getPropValue(st.options, 'httpStream');
      const hso = hs && unwrap(hs);
      if (!hso || !ts.isObjectLiteralExpression(hso)) {
        if (!hs)
          report(
            st.call,
            'localhost',
            `\`${s.name}.start()\` with \`httpStream\` (default host)`,
            insertPropertyEdit(file, sf, st.options, 'httpStream: { host: "0.0.0.0", port: 8080 }'),
          );
        continue;
      }
      const h = getPropValue(hso, 'host');
      if (!h)
        report(
          st.call,
          'localhost',
          `\`${s.name}.start()\` with no \`httpStream.host\` (fastmcp defaults to "localhost")`,
          insertPropertyEdit(file, sf, hso, 'host: "0.0.0.0"'),
        );
      else check(st.call, h, `\`${s.name}.start()\``);
    }
  }
}

const AUTH_MARKERS =
  /requireBearerAuth|mcpAuthRouter|ProxyOAuthServerProvider|authenticate\s*:|oauth\s*:|\.headers\.authorization|headers\[['"]authorization['"]\]|get\(\s*['"]authorization['"]\s*\)|passport\.|verifyToken|jwt\.verify|bearerAuth|basicAuth\(/i;
const HOST_GUARD = /hostHeaderValidation|localhostHostValidation|createMcpExpressApp|allowedHosts/;

function mcp108(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const text = sf.text;
  const hasAuth = AUTH_MARKERS.test(text);
  const loopbackListen = callsNamed(ctx.facts, 'listen').some((c) =>
    isLoopback(stringValue(c.arguments[1] && unwrap(c.arguments[1]))),
  );
  for (const n of ctx.facts.news) {
    if (classifyTransportClass(ctx.facts, n.expression) !== 'http') continue;
    const o = n.arguments?.[0] && unwrap(n.arguments[0]);
    const opts = o && ts.isObjectLiteralExpression(o) ? o : undefined;
    const prot = opts && getPropValue(opts, 'enableDnsRebindingProtection');
    if (prot && prot.kind === ts.SyntaxKind.FalseKeyword) {
      if (hasAuth) continue;
      ctx.report(
        'MCP108',
        prot,
        'DNS-rebinding protection is turned off (`enableDnsRebindingProtection: false`) on an HTTP server without authentication: any web page the user opens can drive this server through a rebinding host name. Enable it with an explicit `allowedHosts` list (or put a Host/Origin check in front of `handleRequest`).',
        { data: { mode: 'off' } },
      );
    } else if (prot && prot.kind === ts.SyntaxKind.TrueKeyword && ctx.project.deployment.dockerfile) {
      const hosts = opts && getPropValue(opts, 'allowedHosts');
      const h = hosts && unwrap(hosts);
      if (
        h &&
        ts.isArrayLiteralExpression(h) &&
        h.elements.length > 0 &&
        h.elements.every((el) => {
          const v = stringValue(unwrap(el));
          return v !== undefined && /^(localhost|127\.0\.0\.1|\[::1\]|::1)(:\d+)?$/i.test(v);
        })
      ) {
        ctx.report(
          'MCP108',
          h,
          `\`allowedHosts\` lists only loopback names while the server is deployed in a container: behind a proxy or a real domain every request is rejected with \`Invalid Host header\`. Add the public host name (e.g. \`"mcp.example.com"\`) to \`allowedHosts\`.`,
          { data: { mode: 'too-strict' } },
        );
      }
    } else if (!prot && loopbackListen && !hasAuth && !HOST_GUARD.test(text)) {
      ctx.report(
        'MCP108',
        n,
        "This loopback HTTP server has no Host/Origin validation: `StreamableHTTPServerTransport` leaves DNS-rebinding protection off unless asked, so a web page can reach it through a rebinding host name. Set `enableDnsRebindingProtection: true` with `allowedHosts`, or use the SDK's `createMcpExpressApp()`/host validation middleware.",
        { downgrade: true, data: { mode: 'default-off' } },
      );
    }
  }
}

/**
 * True when the file creates a stateful Streamable HTTP transport (session ids in the
 * `Mcp-Session-Id` header), or, with `includeSse`, an SSE one (sessions in memory too).
 */
function statefulHttp(ctx: RuleContext, includeSse: boolean): boolean {
  const { ts } = ctx;
  for (const n of ctx.facts.news) {
    const k = classifyTransportClass(ctx.facts, n.expression);
    if (k === 'sse' && includeSse) return true;
    if (k !== 'http') continue;
    const o = n.arguments?.[0] && unwrap(n.arguments[0]);
    if (!o || !ts.isObjectLiteralExpression(o)) continue;
    const gen = getPropValue(o, 'sessionIdGenerator');
    if (gen && !(ts.isIdentifier(unwrap(gen)) && (unwrap(gen) as ts.Identifier).text === 'undefined')) return true;
  }
  for (const s of ctx.facts.servers) {
    for (const st of s.starts) {
      if (st.kind !== 'http' || !st.options) continue;
      const hs = getPropValue(st.options, 'httpStream');
      const hso = hs && unwrap(hs);
      const stateless = hso && ts.isObjectLiteralExpression(hso) ? getPropValue(hso, 'stateless') : undefined;
      if (!stateless || stateless.kind !== ts.SyntaxKind.TrueKeyword) return true;
    }
  }
  return false;
}

function mcp109(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  if (!statefulHttp(ctx, false)) return;
  if (!importsModule(ctx.facts, 'cors', 'hono/cors')) return;
  for (const call of ctx.facts.calls) {
    const ref = resolveRef(ctx.facts, call.expression);
    if (!ref) continue;
    const express = ref.module === 'cors' && (ref.name === 'default' || ref.name === '*');
    const hono = ref.module === 'hono/cors' && ref.name === 'cors';
    if (!express && !hono) continue;
    const exposeKey = express ? 'exposedHeaders' : 'exposeHeaders';
    const allowKey = express ? 'allowedHeaders' : 'allowHeaders';
    const o = call.arguments[0] && unwrap(call.arguments[0]);
    const opts = o && ts.isObjectLiteralExpression(o) ? o : undefined;
    if (o && !opts) continue; // options computed elsewhere
    const expose = opts && getPropValue(opts, exposeKey);
    if (!expose || !/mcp-session-id/i.test(expose.getText(sf))) {
      let fixEdit;
      const ex = expose && unwrap(expose);
      if (!opts)
        fixEdit = edit(file, sf, call.arguments.pos, call.arguments.end, `{ ${exposeKey}: ["Mcp-Session-Id"] }`);
      else if (!expose) fixEdit = insertPropertyEdit(file, sf, opts, `${exposeKey}: ["Mcp-Session-Id"]`);
      else if (ex && ts.isArrayLiteralExpression(ex))
        fixEdit = edit(
          file,
          sf,
          ex.getEnd() - 1,
          ex.getEnd() - 1,
          ex.elements.length ? ', "Mcp-Session-Id"' : '"Mcp-Session-Id"',
        );
      ctx.report(
        'MCP109',
        call,
        `CORS is configured without \`${exposeKey}: ["Mcp-Session-Id"]\`: browser clients (MCP Inspector, web apps) cannot read the session id returned by \`initialize\`, send the next request without it, and get \`400 Bad Request: No valid session ID provided\`. Expose the header.`,
        {
          fixes: fixEdit ? [ctx.fix('Expose Mcp-Session-Id', [fixEdit], true)] : [],
          data: { missing: exposeKey },
        },
      );
    }
    const allow = opts && getPropValue(opts, allowKey);
    if (allow && !/\*|mcp-session-id/i.test(allow.getText(sf))) {
      ctx.report(
        'MCP109',
        allow,
        `\`${allowKey}\` does not include \`Mcp-Session-Id\` (nor \`Mcp-Protocol-Version\`): the browser's preflight rejects every request after \`initialize\`. Add both headers to \`${allowKey}\`.`,
        { data: { missing: allowKey } },
      );
    }
  }
}

function mcp110(ctx: RuleContext): void {
  if (!statefulHttp(ctx, true)) return;
  for (const call of callsNamed(ctx.facts, 'fork')) {
    const ref = resolveRef(ctx.facts, call.expression);
    if (ref?.module === 'cluster' && ref.name === 'fork') {
      ctx.report(
        'MCP110',
        call,
        '`cluster.fork()` runs several workers behind one port while this server keeps MCP sessions in process memory: follow-up requests land on a worker that never saw `initialize` and fail with `404 Session not found` / `400 No valid session ID`. Use `sessionIdGenerator: undefined` (stateless) or a single worker with sticky routing.',
      );
    }
  }
}

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'all', 'use', 'route', 'on', 'createServer']);

/** Functions passed as route handlers (`app.post('/mcp', fn)`, `http.createServer(fn)`). */
function routeHandlers(ctx: RuleContext): ts.FunctionLikeDeclaration[] {
  const out: ts.FunctionLikeDeclaration[] = [];
  for (const call of callsNamed(ctx.facts, ...ROUTE_METHODS)) {
    const m = calleeName(call);
    if (!m) continue;
    if (m === 'on') {
      // server.on('request', fn)
      if (stringValue(call.arguments[0]) !== 'request') continue;
    } else if (m !== 'createServer') {
      const first = call.arguments[0];
      if (!first || stringValue(unwrap(first)) === undefined) continue; // app.get('/path', ...)
    }
    for (const a of call.arguments) {
      const u = unwrap(a);
      if (isFunctionLike(u)) out.push(u);
    }
  }
  return out;
}

function mcp111(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const handlers = routeHandlers(ctx);
  if (handlers.length === 0) return;
  // Module-level stateless transports.
  const sharedTransports = new Set<string>();
  for (const n of ctx.facts.news) {
    if (classifyTransportClass(ctx.facts, n.expression) !== 'http') continue;
    const p = n.parent;
    if (!p || !ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) continue;
    if (p.parent?.parent?.parent?.kind !== ts.SyntaxKind.SourceFile) continue;
    const o = n.arguments?.[0] && unwrap(n.arguments[0]);
    const gen = o && ts.isObjectLiteralExpression(o) ? getPropValue(o, 'sessionIdGenerator') : undefined;
    if (gen && ts.isIdentifier(unwrap(gen)) && (unwrap(gen) as ts.Identifier).text === 'undefined')
      sharedTransports.add(p.name.text);
  }
  const seen = new Set<ts.Node>();
  for (const h of handlers) {
    walk(h, (n) => {
      if (!ts.isCallExpression(n) || seen.has(n)) return true;
      seen.add(n);
      const m = calleeName(n);
      const recv = receiverText(n, sf);
      if (m === 'connect' && recv) {
        const server = findServer(ctx.facts, recv, n);
        if (server && server.moduleLevel && server.kind !== 'fastmcp') {
          ctx.report(
            'MCP111',
            n,
            `\`${recv}\` is created once at module scope but connected to a new transport inside a request handler: the second session throws \`Already connected to a transport\`. Create the server per session/request (e.g. \`function getServer() { const server = new McpServer(...); ... return server; }\`).`,
            {
              related: [
                {
                  file: ctx.file,
                  range: ctx.range(server.node),
                  message: `\`${recv}\` is created here, once for the whole process`,
                },
              ],
            },
          );
        }
      } else if (m === 'handleRequest' && recv && sharedTransports.has(recv)) {
        ctx.report(
          'MCP111',
          n,
          `\`${recv}\` is a stateless \`StreamableHTTPServerTransport\` created once at module scope and reused for every request: request ids from different clients collide (newer SDKs refuse to reuse a stateless transport). Create server and transport inside the handler for each request.`,
        );
      }
      return true;
    });
  }
}

/** Local async functions that start the server (connect/start/listen), plus `main`. */
function entryFunctions(ctx: RuleContext): Set<string> {
  const { ts } = ctx;
  const out = new Set<string>();
  for (const [name, fns] of ctx.facts.functions) {
    for (const fn of fns) {
      const isAsync = (ts.getModifiers(fn as ts.FunctionDeclaration) ?? []).some(
        (m) => m.kind === ts.SyntaxKind.AsyncKeyword,
      );
      if (!isAsync) continue;
      let starts = name === 'main';
      if (!starts)
        walk(fn, (n) => {
          if (ts.isCallExpression(n) && ['connect', 'start', 'listen'].includes(calleeName(n) ?? '')) starts = true;
          return !starts;
        });
      if (starts) out.add(name);
    }
  }
  return out;
}

function handlerExits(ctx: RuleContext, h: ts.Expression | undefined): boolean {
  if (!h) return false;
  const t = h.getText(ctx.sf);
  return /process\.exit|process\.exitCode|throw\b/.test(t);
}

function mcp112(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  const entries = entryFunctions(ctx);
  const isStartCall = (c: ts.CallExpression): string | undefined => {
    const e = c.expression;
    if (ts.isPropertyAccessExpression(e)) {
      const recv = e.expression.getText(sf);
      const server = findServer(ctx.facts, recv, c);
      if (!server) return undefined;
      if (e.name.text === 'connect' && server.kind !== 'fastmcp') return `${recv}.connect()`;
      if (e.name.text === 'start' && server.kind === 'fastmcp') return `${recv}.start()`;
      return undefined;
    }
    if (ts.isIdentifier(e) && entries.has(e.text)) return `${e.text}()`;
    return undefined;
  };
  const catchFix = (c: ts.Node) =>
    ctx.fix(
      'Exit with an error when startup fails',
      [edit(file, sf, c.getEnd(), c.getEnd(), '.catch((err) => {\n  console.error(err);\n  process.exit(1);\n})')],
      true,
    );
  /**
   * `main()` whose start calls all sit in a `try` whose `catch` exits the process: its promise
   * cannot reject with a startup failure, so leaving it unawaited is fine.
   */
  const handlesItself = (name: string): boolean => {
    const fns = ctx.facts.functions.get(name) ?? [];
    return fns.some((fn) => {
      const starts: ts.CallExpression[] = [];
      walk(fn, (n) => {
        if (ts.isCallExpression(n) && ['connect', 'start', 'listen'].includes(calleeName(n) ?? '')) starts.push(n);
        return true;
      });
      return (
        starts.length > 0 &&
        starts.every((c) => {
          for (let p: ts.Node | undefined = c.parent; p && p !== fn; p = p.parent)
            if (ts.isTryStatement(p) && p.catchClause && /process\.exit\s*\(/.test(p.catchClause.getText(sf)))
              return true;
          return false;
        })
      );
    });
  };
  for (const call of callsNamed(ctx.facts, 'connect', 'start', ...entries)) {
    const what = isStartCall(call);
    if (!what) continue;
    if (ts.isIdentifier(call.expression) && handlesItself(call.expression.text)) continue;
    let p: ts.Node = call;
    while (p.parent && (ts.isParenthesizedExpression(p.parent) || ts.isVoidExpression(p.parent))) p = p.parent;
    const parent = p.parent;
    if (parent && ts.isExpressionStatement(parent)) {
      ctx.report(
        'MCP112',
        call,
        `\`${what}\` returns a promise that is neither awaited nor caught: if startup fails, Node reports an unhandled rejection and exits (clients only see "Connection closed"). Add \`.catch((err) => { console.error(err); process.exit(1); })\` or \`await\` it inside a try/catch.`,
        {
          fixes: [catchFix(call)],
          data: { call: what },
        },
      );
      continue;
    }
    // x().catch(h) where h does not exit; x().then(ok) without a rejection handler
    if (
      parent &&
      ts.isPropertyAccessExpression(parent) &&
      parent.expression === p &&
      parent.parent &&
      ts.isCallExpression(parent.parent)
    ) {
      const chained = parent.parent;
      const stmt = chained.parent;
      if (!stmt || !ts.isExpressionStatement(stmt)) continue;
      if (parent.name.text === 'catch' && !handlerExits(ctx, chained.arguments[0])) {
        ctx.report(
          'MCP112',
          chained,
          `The \`.catch\` on \`${what}\` logs the error but leaves a half-started process running: the client waits for a handshake that never comes. Call \`process.exit(1)\` in the handler.`,
          { downgrade: true, data: { call: what, handler: 'no-exit' } },
        );
      } else if (parent.name.text === 'then' && chained.arguments.length < 2) {
        ctx.report(
          'MCP112',
          chained,
          `\`${what}.then(...)\` has no rejection handler: a startup failure becomes an unhandled rejection. Add \`.catch((err) => { console.error(err); process.exit(1); })\`.`,
          { fixes: [catchFix(chained)], data: { call: what } },
        );
      }
      continue;
    }
  }
}
