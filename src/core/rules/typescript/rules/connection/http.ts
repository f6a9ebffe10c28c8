/**
 * HTTP connection rules: MCP106 (loopback binds in a container), MCP108 (DNS-rebinding protection
 * off or too strict), MCP109 (CORS hiding Mcp-Session-Id), MCP110 (stateful sessions across
 * cluster workers) and MCP111 (one server or stateless transport shared by every request).
 */
import type * as ts from 'typescript';
import {
  calleeName,
  contains,
  edit,
  getPropValue,
  insertPropertyEdit,
  receiverText,
  stringValue,
  scopeOf,
  unwrap,
  unwrapAwait,
  walk,
} from '../../astUtil';
import type { RuleContext } from '../../context';
import { callsNamed, importsModule } from '../../facts';
import { resolveDecl, resolveRef } from '../../resolve';
import { classifyTransportClass, findServer } from '../../servers';
import { routeHandlers } from './transportPaths';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

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

export function mcp106(ctx: RuleContext): void {
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

export function mcp108(ctx: RuleContext): void {
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

export function mcp109(ctx: RuleContext): void {
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

export function mcp110(ctx: RuleContext): void {
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

/**
 * Whether the request handler `h` closes what `connect` joined when the request ends
 * (`res.on("close", () => transport.close())`): the server is free again for the next request.
 */
function closesPerRequest(ctx: RuleContext, connect: ts.CallExpression, h: ts.Node): boolean {
  const { ts, sf } = ctx;
  const names = new Set([
    receiverText(connect, sf),
    connect.arguments[0] && unwrapAwait(connect.arguments[0]).getText(sf),
  ]);
  let found = false;
  walk(h, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && calleeName(n) === 'close' && names.has(receiverText(n, sf))) found = true;
    return !found;
  });
  return found;
}

/**
 * A server connected inside a request handler `h` that is bound outside it, in a function that
 * holds the handler (`const server = createServer(args); app.get("/sse", ... server.connect(t))`,
 * or the server passed in as a parameter): one server for every request. The argument must be a
 * server transport built for the request (`new SSEServerTransport(...)` in the handler), so that
 * `connect` is the SDK's. Module-level servers are reported by the caller.
 */
function sharedServer(ctx: RuleContext, call: ts.CallExpression, h: ts.Node): ts.Node | undefined {
  const { ts } = ctx;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
  const decl = resolveDecl(ctx.facts, callee.expression);
  if (!decl || contains(h, decl) || scopeOf(decl).kind === ts.SyntaxKind.SourceFile) return undefined;
  const server = findServer(ctx.facts, callee.expression.text, call);
  if (server?.kind === 'fastmcp') return undefined;
  const arg = call.arguments[0] && unwrapAwait(call.arguments[0]);
  if (!arg || !ts.isIdentifier(arg)) return undefined;
  const t = resolveDecl(ctx.facts, arg);
  if (!t || !contains(h, t) || !ts.isVariableDeclaration(t)) return undefined;
  // `const transport = new SSEServerTransport(...)`, or `let transport; ... transport = new ...`.
  const values = [
    t.initializer,
    ...(ctx.facts.assignments.get(arg.text) ?? []).filter((a) => contains(h, a.right)).map((a) => a.right),
  ];
  const built = values.some((v) => {
    const e = v && unwrapAwait(v);
    if (!e || !ts.isNewExpression(e)) return false;
    const kind = classifyTransportClass(ctx.facts, e.expression);
    return kind === 'http' || kind === 'sse';
  });
  return built ? decl : undefined;
}

export function mcp111(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const handlers = routeHandlers(ctx);
  if (handlers.length === 0) return;
  // Stateless transports created once, outside the request handlers: at module scope, or in the
  // function that sets up the routes (its handlers close over the one transport).
  const stateless: ts.VariableDeclaration[] = [];
  for (const n of ctx.facts.news) {
    if (classifyTransportClass(ctx.facts, n.expression) !== 'http') continue;
    const p = n.parent;
    if (!p || !ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) continue;
    const o = n.arguments?.[0] && unwrap(n.arguments[0]);
    const gen = o && ts.isObjectLiteralExpression(o) ? getPropValue(o, 'sessionIdGenerator') : undefined;
    if (gen && ts.isIdentifier(unwrap(gen)) && (unwrap(gen) as ts.Identifier).text === 'undefined') stateless.push(p);
  }
  /** The stateless transport `name` in a handler refers to: declared outside it, in a scope that holds it. */
  const sharedTransport = (name: string, handler: ts.Node): ts.VariableDeclaration | undefined =>
    stateless.find((d) => {
      if ((d.name as ts.Identifier).text !== name) return false;
      if (handler.pos <= d.pos && d.end <= handler.end) return false;
      const scope = scopeOf(d);
      return scope.pos <= handler.pos && handler.end <= scope.end;
    });
  const seen = new Set<ts.Node>();
  for (const h of handlers) {
    walk(h, (n) => {
      if (!ts.isCallExpression(n) || seen.has(n)) return true;
      seen.add(n);
      const m = calleeName(n);
      const recv = receiverText(n, sf);
      if (m === 'connect' && recv) {
        const server = findServer(ctx.facts, recv, n);
        const shared = !server?.moduleLevel ? sharedServer(ctx, n, h) : undefined;
        if (shared) {
          ctx.report(
            'MCP111',
            n,
            `\`${recv}\` is bound once, outside the request handler (line ${sf.getLineAndCharacterOfPosition(shared.getStart(sf)).line + 1}), and connected to a new transport inside it: every request handled here shares that one server, so ${closesPerRequest(ctx, n, h) ? 'a request that arrives while another is in flight (the handler closes the transport only when the response ends) throws' : 'the second session throws'} \`Already connected to a transport\`. Create the server per session/request (e.g. \`function getServer() { const server = new McpServer(...); ... return server; }\`) inside the handler.`,
            { related: [{ file: ctx.file, range: ctx.range(shared), message: `\`${recv}\` is bound here, once` }] },
          );
        } else if (server && server.moduleLevel && server.kind !== 'fastmcp') {
          ctx.report(
            'MCP111',
            n,
            `\`${recv}\` is created once at module scope but connected to a new transport inside a request handler: ${closesPerRequest(ctx, n, h) ? 'the handler closes the transport when the response ends, so requests one after another work, but a request that arrives while another is in flight throws' : 'the second session throws'} \`Already connected to a transport\`. Create the server per session/request (e.g. \`function getServer() { const server = new McpServer(...); ... return server; }\`).`,
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
      } else if (m === 'handleRequest' && recv && sharedTransport(recv, h)) {
        const decl = sharedTransport(recv, h)!;
        const where =
          scopeOf(decl).kind === ts.SyntaxKind.SourceFile ? 'at module scope' : 'once, outside the request handler,';
        ctx.report(
          'MCP111',
          n,
          `\`${recv}\` is a stateless \`StreamableHTTPServerTransport\` created ${where} and reused for every request: request ids from different clients collide, and recent SDK releases fail every request after the first (the transport throws "Stateless transport cannot be reused across requests" and the client gets HTTP 500; SDK 1.32.2). Create server and transport inside the handler for each request.`,
          { related: [{ file: ctx.file, range: ctx.range(decl), message: `\`${recv}\` is created here, once` }] },
        );
      }
      return true;
    });
  }
}
