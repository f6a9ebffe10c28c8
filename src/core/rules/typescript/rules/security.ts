import type * as ts from 'typescript';
import { calleeName, getPropValue, isFunctionLike, stringValue, unwrap } from '../astUtil';
import { type RuleContext, refersTo, taintedNames } from '../context';
import { type DefFact, callsNamed, importsModule } from '../facts';
import { initializerOf, resolveRef } from '../resolve';
import { reachesBoundary } from './pathBoundary';
import { outsideAllowlist, validatedInput } from '../allowlist';
import { exceptionLeakVerdict, type LeakVerdict } from './errorExposure';
import { documentsAnyPath } from '../../toolPurpose';

/** Security rules: MCP501 502 503 504. */
export function securityRules(ctx: RuleContext): void {
  const sanitizers = ctx.sanitizers;
  for (const d of ctx.tools) {
    const tainted = taintedNames(ctx, d.handler!);
    mcp501(ctx, d, tainted);
    mcp502(ctx, d, tainted, sanitizers);
    mcp504(ctx, d);
  }
  for (const d of ctx.facts.dispatchers) {
    const tainted = taintedNames(ctx, d.handler!);
    mcp501(ctx, d, tainted);
    mcp502(ctx, d, tainted, sanitizers);
    mcp504(ctx, d);
  }
  mcp503(ctx);
}

/** How a message names a tool body: the tool, or the low-level tools/call dispatcher. */
export function toolLabel(d: DefFact): string {
  return d.dispatcher ? 'The `CallToolRequestSchema` handler (the tools/call dispatcher)' : `Tool \`${d.def.name}\``;
}

const SHELL_FNS = new Set(['exec', 'execSync']);
const ARGV_FNS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync']);

/** A string built by interpolation or concatenation (directly or through a local). */
function builtString(ctx: RuleContext, e: ts.Expression, depth = 0): ts.Expression | undefined {
  const { ts } = ctx;
  const u = unwrap(e);
  if (ts.isTemplateExpression(u)) return u;
  if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken) return u;
  if (
    ts.isCallExpression(u) &&
    ts.isPropertyAccessExpression(u.expression) &&
    ['join', 'concat', 'replace'].includes(u.expression.name.text)
  )
    return u;
  if (ts.isIdentifier(u) && depth < 2) {
    const init = initializerOf(ctx.facts, u);
    return init ? builtString(ctx, init, depth + 1) : undefined;
  }
  return undefined;
}

function mcp501(ctx: RuleContext, d: DefFact, tainted: Set<string>): void {
  if (tainted.size === 0) return;
  const { ts } = ctx;
  const h = d.handler!;
  const tool = d.def.name;
  for (const call of ctx.handlerInfo(h).calls) {
    const ref = resolveRef(ctx.facts, call.expression);
    if (ref?.module !== 'child_process') continue;
    const cmd = call.arguments[0];
    if (!cmd) continue;
    if (SHELL_FNS.has(ref.name)) {
      const built = builtString(ctx, cmd);
      const direct = ts.isIdentifier(unwrap(cmd)) && tainted.has((unwrap(cmd) as ts.Identifier).text);
      if ((built && refersTo(ctx, built, tainted)) || direct || refersTo(ctx, cmd, tainted)) {
        ctx.report(
          'MCP501',
          call,
          `${toolLabel(d)} passes caller-controlled input to \`${ref.name}\`, which runs it through a shell: a model steered by untrusted content can inject \`; rm -rf ~\` or worse. Use \`execFile(cmd, [args])\` with an argv array (no shell) and validate the value.`,
          { data: { tool, sink: ref.name } },
        );
      }
    } else if (ARGV_FNS.has(ref.name)) {
      const opts = call.arguments[call.arguments.length - 1];
      const o = opts && unwrap(opts);
      const shell = o && ts.isObjectLiteralExpression(o) ? getPropValue(o, 'shell') : undefined;
      if (!shell || unwrap(shell).kind === ts.SyntaxKind.FalseKeyword) continue;
      if (call.arguments.slice(0, -1).some((a) => refersTo(ctx, a, tainted))) {
        ctx.report(
          'MCP501',
          call,
          `${toolLabel(d)} runs \`${ref.name}\` with \`shell: true\` on caller-controlled input: the arguments are joined into a shell command line and can inject commands. Drop \`shell: true\` and pass an argv array.`,
          { data: { tool, sink: ref.name } },
        );
      }
    }
  }
}

const FS_PATH_FNS = new Set([
  'readFile',
  'readFileSync',
  'writeFile',
  'writeFileSync',
  'appendFile',
  'appendFileSync',
  'createReadStream',
  'createWriteStream',
  'open',
  'openSync',
  'unlink',
  'unlinkSync',
  'rm',
  'rmSync',
  'rmdir',
  'rmdirSync',
  'readdir',
  'readdirSync',
  'mkdir',
  'mkdirSync',
  'copyFile',
  'copyFileSync',
  'cp',
  'cpSync',
  'rename',
  'renameSync',
  'stat',
  'statSync',
  'lstat',
  'lstatSync',
  'access',
  'accessSync',
  'truncate',
  'truncateSync',
  'opendir',
  'realpath',
]);
const CONTAINMENT =
  /\.relative\(|\.startsWith\(|isAbsolute\(|realpath|isInside|isWithin|safeJoin|resolveInside|assertInside/;

/** A tool's documentation as written, through a `const` it names (`const paramsShape = {...}`). */
function documentText(ctx: RuleContext, n: ts.Expression): string {
  const e = unwrap(n);
  const init = ctx.ts.isIdentifier(e) ? initializerOf(ctx.facts, e) : undefined;
  return (init ?? n).getText(ctx.sf);
}

function mcp502(ctx: RuleContext, d: DefFact, tainted: Set<string>, sanitizers: Set<string>): void {
  if (tainted.size === 0) return;
  const h = d.handler!;
  const body = ctx.handlerInfo(h).text;
  // A containment check in the handler itself (path.relative + startsWith, or a helper call) clears it.
  if (/\.relative\(/.test(body) && /startsWith|isAbsolute/.test(body)) return;
  if (CONTAINMENT.test(body) && /startsWith\(\s*(root|base|dir|ROOT|BASE|allowed)/.test(body)) return;
  // The tool documents that its path may be absolute or anywhere: no folder to keep it in.
  const docs = [d.descriptionNode, d.schema, d.config].map((n) => (n ? documentText(ctx, n) : '')).join('\n');
  if (documentsAnyPath(docs)) return;
  const tool = d.def.name;
  for (const call of ctx.handlerInfo(h).calls) {
    const ref = resolveRef(ctx.facts, call.expression);
    const isFs =
      ref &&
      (ref.module === 'fs' || ref.module === 'fs/promises' || ref.module === 'fs-extra') &&
      FS_PATH_FNS.has(ref.name);
    const isSendFile = !ref && calleeName(call) === 'sendFile';
    if (!isFs && !isSendFile) continue;
    const p = call.arguments[0];
    if (!p || !reachesBoundary(ctx, h, p, outsideAllowlist(ctx, call, tainted, h), sanitizers)) continue;
    if (validatedInput(ctx, call, p, tainted, h)) continue;
    const fn = ref?.name ?? 'sendFile';
    ctx.report(
      'MCP502',
      call,
      `${toolLabel(d)} opens a path built from caller input with \`${fn}\` and no containment check: \`../\` or an absolute path escapes the intended directory (\`.env\`, SSH keys, anything the server can read or write). Resolve the path and check \`path.relative(root, resolved)\` does not start with \`..\` before using it.`,
      { data: { tool, sink: fn } },
    );
  }
}

const AUTH =
  /requireBearerAuth|mcpAuthRouter|authenticate\s*:|oauth\s*:|passport\.|jwt\.verify|bearerAuth|basicAuth\(/i;
/** Reading the Authorization header: a check only when the file also turns requests away. */
const AUTH_HEADER = /\.headers\.authorization|headers\[['"]authorization['"]\]|get\(\s*['"]authorization['"]\s*\)/i;
const REJECTS = /\b40[13]\b|unauthori[sz]ed|forbidden/i;

/**
 * Whether a file shows authentication of its requests: an auth library or option, or a read of the
 * Authorization header next to a 401/403 reply. A header read alone may only forward the caller's
 * token upstream (`authHeaders.Authorization = req.headers.authorization`), which checks nothing.
 */
function authenticates(text: string): boolean {
  return AUTH.test(text) || (AUTH_HEADER.test(text) && REJECTS.test(text));
}

/** Looser evidence that a file authenticates requests (a bearer check in a helper, a 401 reply). */
const AUTH_HINT = /bearer|authoriz|unauthori[sz]ed|\b401\b|x-api-key|apiKeyAuth/i;

function mcp503(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const wildcard = (v: string | undefined): boolean => v !== undefined && (v === '0.0.0.0' || v === '::' || v === '');
  // Only scan the whole text for auth markers when the file binds all interfaces somewhere.
  if (/['"](0\.0\.0\.0|::)['"]/.test(sf.text) && !authenticates(sf.text)) {
    for (const call of callsNamed(ctx.facts, 'listen')) {
      if (!ts.isPropertyAccessExpression(call.expression)) continue;
      const host = stringValue(call.arguments[1] && unwrap(call.arguments[1]));
      const o = call.arguments[0] && unwrap(call.arguments[0]);
      const objHost = o && ts.isObjectLiteralExpression(o) ? stringValue(getPropValue(o, 'host')) : undefined;
      if (wildcard(host) || wildcard(objHost)) {
        ctx.report(
          'MCP503',
          call,
          `The MCP HTTP server listens on all interfaces (\`${host ?? objHost}\`) with no authentication: anyone who can reach this machine can call every tool. Bind \`127.0.0.1\` for local use, or put a bearer-token check (\`requireBearerAuth\`) in front of the MCP route.`,
          { data: { host: host ?? objHost } },
        );
      }
    }
    for (const s of ctx.facts.servers) {
      for (const st of s.starts) {
        if (st.kind !== 'http' || !st.options) continue;
        const hs = getPropValue(st.options, 'httpStream');
        const hso = hs && unwrap(hs);
        const host = hso && ts.isObjectLiteralExpression(hso) ? stringValue(getPropValue(hso, 'host')) : undefined;
        if (wildcard(host)) {
          ctx.report(
            'MCP503',
            st.call,
            `\`${s.name}\` serves HTTP on all interfaces (\`${host}\`) without \`authenticate\`: anyone who can reach the port can call every tool. Add an \`authenticate\` function to the FastMCP options, or bind \`127.0.0.1\`.`,
            { data: { host } },
          );
        }
      }
    }
  }
  // `app.listen(PORT)` with no host: Node binds every interface (`::`). Reported when this file
  // serves MCP over HTTP (an HTTP transport is constructed here) and nothing authenticates.
  if (
    ctx.facts.transportsSeen.some((t) => t.kind === 'http' || t.kind === 'sse') &&
    !authenticates(sf.text) &&
    !AUTH_HINT.test(sf.text)
  ) {
    for (const call of callsNamed(ctx.facts, 'listen')) {
      if (!ts.isPropertyAccessExpression(call.expression) || !call.arguments.length) continue;
      const a0 = unwrap(call.arguments[0]);
      if (ts.isObjectLiteralExpression(a0) || ts.isStringLiteral(a0)) continue;
      const a1 = call.arguments[1] && unwrap(call.arguments[1]);
      if (a1 && !ts.isArrowFunction(a1) && !ts.isFunctionExpression(a1)) continue;
      ctx.report(
        'MCP503',
        call,
        `\`${call.expression.getText(sf)}(${call.arguments[0].getText(sf)})\` gives no host, so Node listens on every interface (\`::\`), and nothing authenticates the MCP route: anyone who can reach this machine can call every tool. Pass \`"127.0.0.1"\` as the host for local use, or check a bearer token (\`requireBearerAuth\`) in front of the MCP route.`,
        { data: { host: '::' } },
      );
    }
  }
  // Wildcard CORS. With `*` the browser sends no cookies, so when every MCP route requires a
  // token (`app.post("/mcp", requireBearer, handler)`) a foreign page has nothing to call it with.
  if (authenticates(sf.text) || mcpRoutesAuthenticated(ctx) || globalAuthMiddleware(ctx)) return;
  const corsImported = importsModule(ctx.facts, 'cors', 'hono/cors');
  for (const call of corsImported ? ctx.facts.calls : callsNamed(ctx.facts, 'setHeader', 'header', 'set')) {
    const ref = corsImported ? resolveRef(ctx.facts, call.expression) : undefined;
    const isCors =
      ref &&
      ((ref.module === 'cors' && (ref.name === 'default' || ref.name === '*')) ||
        (ref.module === 'hono/cors' && ref.name === 'cors'));
    if (isCors) {
      const o = call.arguments[0] && unwrap(call.arguments[0]);
      const origin = o && ts.isObjectLiteralExpression(o) ? getPropValue(o, 'origin') : undefined;
      const star =
        !o ||
        (origin && (stringValue(unwrap(origin)) === '*' || unwrap(origin).kind === ts.SyntaxKind.TrueKeyword)) ||
        (o && ts.isObjectLiteralExpression(o) && !origin);
      if (star)
        ctx.report(
          'MCP503',
          call,
          'CORS allows every origin (`cors()` defaults to `*`), so any web page the user opens can call this MCP server from the browser. List the allowed origins explicitly (`origin: ["https://your.app"]`).',
          { downgrade: true, data: { cors: '*' } },
        );
      continue;
    }
    const m = calleeName(call);
    if (
      (m === 'setHeader' || m === 'header' || m === 'set') &&
      /^access-control-allow-origin$/i.test(stringValue(call.arguments[0]) ?? '') &&
      stringValue(call.arguments[1]) === '*' &&
      !onlyWellKnown(ctx, call)
    ) {
      ctx.report(
        'MCP503',
        call,
        '`Access-Control-Allow-Origin: *` lets any web page call this MCP server from the browser. Reflect only known origins.',
        { downgrade: true, data: { cors: '*' } },
      );
    }
  }
}

const MCP_PATH = /^\/(mcp|sse|messages?)\b/;
const AUTH_MIDDLEWARE = /auth|bearer|token|verif|protect|jwt/i;

/**
 * Every route of the MCP endpoints (`/mcp`, `/sse`, `/messages`) registered in this file passes
 * through a middleware named for authentication first (`app.post("/mcp", requireBearerHeader,
 * handler)`), and there is at least one.
 */
function mcpRoutesAuthenticated(ctx: RuleContext): boolean {
  const { ts } = ctx;
  let routes = 0;
  for (const call of callsNamed(ctx.facts, 'get', 'post', 'delete', 'all', 'put')) {
    const path = stringValue(call.arguments[0] && unwrap(call.arguments[0]));
    if (path === undefined || !MCP_PATH.test(path)) continue;
    routes++;
    const middle = call.arguments.slice(1, -1).map((a) => unwrap(a));
    const guarded = middle.some(
      (a) => (ts.isIdentifier(a) || ts.isCallExpression(a)) && AUTH_MIDDLEWARE.test(a.getText(ctx.sf)),
    );
    if (!guarded) return false;
  }
  return routes > 0;
}

/**
 * An authentication middleware applied to every route before any is registered: `app.use(verifyJWT)`
 * (a function named for it, here or imported), ahead of the first `app.get/post/...(path, ...)`.
 */
function globalAuthMiddleware(ctx: RuleContext): boolean {
  const { ts, sf } = ctx;
  const routes = callsNamed(ctx.facts, 'get', 'post', 'delete', 'all', 'put').filter(
    (c) => c.arguments.length >= 2 && stringValue(unwrap(c.arguments[0]!)) !== undefined,
  );
  const first = Math.min(...routes.map((c) => c.getStart(sf)));
  return callsNamed(ctx.facts, 'use').some((c) => {
    const a = c.arguments.length === 1 ? unwrap(c.arguments[0]!) : undefined;
    return (
      !!a &&
      (ts.isIdentifier(a) || ts.isCallExpression(a)) &&
      AUTH_MIDDLEWARE.test(ts.isCallExpression(a) ? a.expression.getText(sf) : a.text) &&
      c.getStart(sf) < first
    );
  });
}

/**
 * True when the header is set in a route handler registered only on `/.well-known/...` paths
 * (OAuth protected-resource or authorization-server metadata, public by design and read by
 * browser clients): `app.get(["/.well-known/oauth-protected-resource"], handler)`.
 */
function onlyWellKnown(ctx: RuleContext, call: ts.CallExpression): boolean {
  const { ts } = ctx;
  let fn: ts.Node | undefined = call.parent;
  while (fn && !isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return false;
  const sites: ts.Node[] = [];
  const p = fn.parent;
  if (p && ts.isCallExpression(p)) sites.push(p);
  else if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
    const name = p.name.text;
    for (const c of ctx.facts.calls)
      if (c.arguments.some((a) => ts.isIdentifier(unwrap(a)) && (unwrap(a) as ts.Identifier).text === name))
        sites.push(c);
  }
  if (!sites.length) return false;
  return sites.every((site) => {
    const c = site as ts.CallExpression;
    const m = calleeName(c);
    if (m !== 'get' && m !== 'use' && m !== 'all') return false;
    const first = c.arguments[0] && unwrap(c.arguments[0]);
    const paths =
      first && ts.isArrayLiteralExpression(first) ? first.elements.map((e) => stringValue(e)) : [stringValue(first)];
    return paths.length > 0 && paths.every((x) => x !== undefined && x.startsWith('/.well-known/'));
  });
}

/** True when `expr` exposes the caught error's text: `e.message`, `e.stack`, `String(e)`, `${e}`. */
function leaksError(ctx: RuleContext, expr: ts.Node, errName: string): boolean {
  const { ts } = ctx;
  let found = false;
  const isErr = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    return ts.isIdentifier(u) && u.text === errName;
  };
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && ['message', 'stack'].includes(n.name.text) && isErr(n.expression))
      found = true;
    else if (
      ts.isCallExpression(n) &&
      n.arguments[0] &&
      ['String', 'JSON.stringify', 'util.inspect', 'inspect'].includes(n.expression.getText(ctx.sf)) &&
      isErr(n.arguments[0])
    )
      found = true;
    else if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'toString' &&
      isErr(n.expression.expression)
    )
      found = true;
    else if (ts.isTemplateSpan(n) && isErr(n.expression)) found = true;
    else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.PlusToken &&
      (isErr(n.left) || isErr(n.right))
    )
      found = true;
    else ts.forEachChild(n, visit);
  };
  visit(expr);
  return found;
}

/** Upstream data interpolated into an error message: `await res.text()`, `res.url`, `err.message`. */
function upstreamInterpolation(ctx: RuleContext, tpl: ts.Expression): boolean {
  const { ts } = ctx;
  if (!ts.isTemplateExpression(tpl)) return false;
  return tpl.templateSpans.some((s) => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        ['text', 'json'].includes(n.expression.name.text) &&
        n.arguments.length === 0
      )
        found = true;
      else if (ts.isPropertyAccessExpression(n) && ['message', 'stack', 'url', 'body'].includes(n.name.text))
        found = true;
      else ts.forEachChild(n, visit);
    };
    visit(s.expression);
    return found;
  });
}

function mcp504(ctx: RuleContext, d: DefFact): void {
  const { ts } = ctx;
  const h = d.handler!;
  const tool = d.def.name;
  const msg = (how: string, v: LeakVerdict) => {
    const where = v.receiver === 'remote' ? 'serves over HTTP/SSE' : 'is not proven to run only over stdio';
    const why = !v.source
      ? `the stack carries the server's file paths and code, and this server ${where}`
      : v.carries
        ? `the code it runs reaches ${v.source}, whose errors can carry hosts, users, database details or credentials`
        : `the code it runs reaches ${v.source}, whose errors can name hosts, accounts and the service's internal messages, and this server ${where}`;
    return `${toolLabel(d)} ${how}: ${why}; the text goes to the model and the client log. Return a deliberate message${d.style === 'fastmcp' ? ' (`throw new UserError("Could not ...")`)' : ''} and log the details with \`console.error\`.`;
  };
  const text = ctx.handlerInfo(h).text;
  if (!text.includes('catch') && !(d.style === 'fastmcp' && text.includes('throw'))) return;
  const info = ctx.handlerInfo(h);
  /** The catch clause whose block holds `n`, when no function boundary lies between them. */
  const enclosingCatch = (n: ts.Node): ts.CatchClause | undefined => {
    for (let p = n.parent; p && p !== h; p = p.parent) {
      if (isFunctionLike(p)) return undefined;
      if (ts.isCatchClause(p)) return p;
    }
    return undefined;
  };
  const catchVar = (c: ts.CatchClause | undefined): string | undefined =>
    c?.variableDeclaration && ts.isIdentifier(c.variableDeclaration.name) ? c.variableDeclaration.name.text : undefined;
  const tryBlock = (c: ts.CatchClause): ts.Node => (ts.isTryStatement(c.parent) ? c.parent.tryBlock : c.parent);
  for (const r of info.returns) {
    const clause = enclosingCatch(r);
    const errName = catchVar(clause);
    if (!clause || !errName || !r.expression || !leaksError(ctx, r.expression, errName)) continue;
    const v = exceptionLeakVerdict(ctx, tryBlock(clause), r.expression, errName);
    if (v)
      ctx.report('MCP504', r.expression, msg(`returns the caught error's details (\`${errName}\`)`, v), {
        data: { tool },
      });
  }
  for (const t of info.throws) {
    const clause = enclosingCatch(t);
    const errName = catchVar(clause);
    if (
      clause &&
      errName &&
      leaksError(ctx, t.expression, errName) &&
      !/UserError|McpError/.test(t.expression.getText(ctx.sf))
    ) {
      const v = exceptionLeakVerdict(ctx, tryBlock(clause), t.expression, errName);
      if (v)
        ctx.report(
          'MCP504',
          t.expression,
          msg(`rethrows the caught error's text (\`${errName}\`), which the framework sends to the client`, v),
          { data: { tool } },
        );
      continue;
    }
    if (d.style === 'fastmcp') {
      const e = unwrap(t.expression);
      if (
        ts.isNewExpression(e) &&
        e.expression.getText(ctx.sf) === 'Error' &&
        e.arguments?.[0] &&
        upstreamInterpolation(ctx, unwrap(e.arguments[0]))
      ) {
        const v = exceptionLeakVerdict(ctx, h, t.expression, undefined);
        if (v)
          ctx.report(
            'MCP504',
            t,
            msg(
              "throws an `Error` with upstream response data interpolated; fastmcp returns non-`UserError` messages verbatim (`Tool '...' execution failed: ...`)",
              v,
            ),
            { data: { tool } },
          );
      }
    }
  }
}
