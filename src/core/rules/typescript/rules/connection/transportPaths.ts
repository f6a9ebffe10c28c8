/**
 * Which transport a code path serves, for the connection rules: code inside `.listen(...)`
 * callbacks and HTTP route handlers serves HTTP only, and the innermost block that starts a
 * transport decides the transport of the code in it.
 */
import type * as ts from 'typescript';
import { calleeName, isFunctionLike, stringValue, unwrap } from '../../astUtil';
import type { RuleContext } from '../../context';
import { callsNamed, type Facts } from '../../facts';

/** True when `node` runs only in HTTP mode: inside a `.listen(...)` callback or an HTTP route handler. */
export function inHttpOnlyCode(ctx: RuleContext, node: ts.Node): boolean {
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
export function branchTransport(ctx: RuleContext, node: ts.Node): 'stdio' | 'other' | undefined {
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

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'all', 'use', 'route', 'on', 'createServer']);

/** Functions passed as route handlers (`app.post('/mcp', fn)`, `http.createServer(fn)`). */
export function routeHandlers(ctx: RuleContext): ts.FunctionLikeDeclaration[] {
  return routeHandlersOf(ctx.facts);
}

/** {@link routeHandlers} from the facts alone. */
export function routeHandlersOf(facts: Facts): ts.FunctionLikeDeclaration[] {
  const out: ts.FunctionLikeDeclaration[] = [];
  for (const call of callsNamed(facts, ...ROUTE_METHODS)) {
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
