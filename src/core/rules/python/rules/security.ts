/** Security rules: shell injection, path traversal, unauthenticated network servers, leaked errors. */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { fix, fixes, replaceNode } from '../fixes';
import { dockerfileOf } from './connection/http';
import { isAuthenticated } from './httpAuth';
import { exceptionLeakVerdict } from './errorExposure';
import { toolBodies, type ToolBody } from '../dispatchers';
import { hostValue, identifiersIn, isAllInterfaces, settingsHosts, walkBody } from './util';
import { externalStarts, isMcpServerClass } from '../servers';
import type { RuleHit } from '../../types';
import { argumentTaint, flowIdentifiers, type Taint } from './taint';

// ---- MCP501 ----------------------------------------------------------------------------------

/** MCP501: tool input interpolated into a shell command. */
export function mcp501(py: PyFile): void {
  for (const d of toolBodies(py)) {
    // Taint is computed only for tools that make a shell call at all (most do not).
    let t: Taint | undefined;
    for (const call of py.callsIn(d.fn)) {
      const q = py.callee(call) ?? '';
      const kw = py.kwargs(call);
      let cmd: PyNode | undefined;
      if (/^subprocess\.(run|call|check_call|check_output|Popen)$/.test(q) && py.isTrue(kw.get('shell')))
        cmd = kw.get('args') ?? py.positional(call)[0];
      else if (
        /^(os\.system|os\.popen|subprocess\.getoutput|subprocess\.getstatusoutput|asyncio\.create_subprocess_shell|asyncio\.subprocess\.create_subprocess_shell)$/.test(
          q,
        )
      )
        cmd = kw.get('cmd') ?? py.positional(call)[0];
      if (!cmd) continue;
      t ??= argumentTaint(py, d.fn);
      const tainted = t.tainted;
      const names = flowIdentifiers(py, cmd).filter((i) => tainted.has(i));
      if (!names.length) continue;
      // The whole command is the caller's (`subprocess.run(command, shell=True)`): running commands
      // is the tool's purpose, so there is nothing to escape, only the exposure to confine.
      if (cmd.type === 'identifier' && d.fn.params.some((p) => p.name === py.text(cmd))) {
        py.hit(
          'MCP501',
          call,
          `${q}() on line ${py.line(call)} runs the caller's whole command (tool argument '${py.text(cmd)}' of ${d.mention}) in a shell: whoever steers the model (a web page, a document, an issue it reads) can run anything with the server's privileges. If running commands is this tool's purpose, confine it: an allowlist of programs run without a shell, a sandbox or container, or a confirmation from the user (ctx.elicit).`,
          { severity: 'warning' },
        );
        continue;
      }
      py.hit(
        'MCP501',
        call,
        `${q}() on line ${py.line(call)} runs a shell command built from tool argument${names.length > 1 ? 's' : ''} ${[...new Set(names)].map((n) => `'${n}'`).join(', ')} of ${d.mention}: a model steered by untrusted content can inject ; && $( ) and run anything with the server's privileges. Pass an argument list with shell=False (e.g. subprocess.run(["cmd", arg])) and validate the values.`,
        {},
      );
    }
  }
}

// ---- MCP503 ----------------------------------------------------------------------------------

/** MCP503: HTTP server on all interfaces (or wildcard CORS) without authentication. */
export function mcp503(py: PyFile): void {
  if (isAuthenticated(py)) return;
  const wildcard = (h: PyNode | undefined) => !!h && isAllInterfaces(hostValue(py, h).value);
  const report = (host: PyNode, what: string) => reportAllInterfaces(py, host, what);
  for (const s of py.servers) {
    if (s.imported) continue;
    const http = s.starts.filter((st) => st.transport === 'http' || st.transport === 'sse');
    if (!http.length) continue;
    const ctorHost = s.ctor ? py.kwargs(s.ctor).get('host') : undefined;
    if (wildcard(ctorHost)) report(ctorHost!, `Server '${s.name}'`);
    // mcp 1.x FastMCP.run() takes no host= (MCP602): that call never listens.
    const v1Run = s.framework === 'mcp-python-sdk' && !isMcpServerClass(py, s);
    // mcp 1.x FastMCP serves on `self.settings.host`: `mcp.settings.host = "0.0.0.0"` before run().
    if (v1Run)
      for (const h of settingsHosts(py, s.name)) if (wildcard(h)) report(h, `Server '${s.name}' (settings.host)`);
    for (const st of http) {
      if (st.node.type !== 'call' || (v1Run && st.method === 'run')) continue;
      const h = py.kwargs(st.node).get('host');
      if (wildcard(h)) report(h!, `${s.name}.${st.method}() on line ${py.line(st.node)}`);
    }
  }
  importedHttpBinds(py);
  for (const call of py.calls) {
    const q = py.callee(call) ?? '';
    if (q === 'uvicorn.run') {
      const h = py.kwargs(call).get('host');
      if (wildcard(h)) report(h!, `uvicorn.run() on line ${py.line(call)}`);
    }
    const pos = py.positional(call);
    if (pos[0] && /(^|\.)CORSMiddleware$/.test(py.qualify(pos[0]) ?? '')) {
      const origins = py.kwargs(call).get('allow_origins');
      if (origins && /^\[["']\*["'],?\]$/.test(py.text(origins).replace(/\s+/g, ''))) {
        const credentials = py.isTrue(py.kwargs(call).get('allow_credentials'));
        py.hit(
          'MCP503',
          origins,
          `allow_origins=["*"] on line ${py.line(origins)} lets any web page call this unauthenticated MCP server from a visitor's browser${credentials ? " (with allow_credentials=True Starlette echoes the caller's origin, so even cookie-carrying requests are allowed)" : ''}, also when it only listens on 127.0.0.1. List the origins that may connect, or add authentication.`,
          {},
        );
      }
    }
  }
}

/** The MCP503 hit for an HTTP listen on every interface, at the host argument. */
function reportAllInterfaces(py: PyFile, host: PyNode, what: string, extra: Partial<RuleHit> = {}): void {
  const docker = dockerfileOf(py);
  const hv = hostValue(py, host);
  const shown = hv.env
    ? `${hv.value || 'all interfaces'} by default (unless ${hv.env} is set)`
    : hv.flag
      ? `${hv.value || 'all interfaces'} by default (unless ${hv.flag} is given)`
      : hv.value || 'all interfaces';
  py.hit(
    'MCP503',
    host,
    `${what} listens on ${shown} (every network interface) and the server has no authentication: anyone who can reach the port can list and call every tool. Bind 127.0.0.1 for local use${docker ? ' (or publish the container port as 127.0.0.1:PORT:PORT)' : ''}, or add auth (auth=... / token_verifier=...).`,
    {
      fixes:
        docker || hv.env || hv.flag
          ? undefined
          : fixes(fix('Bind 127.0.0.1 (local only)', replaceNode(py, host, '"127.0.0.1"'))),
      ...extra,
    },
  );
}

/**
 * MCP503 in a runner module: `from .server import mcp` … `mcp.run(transport="http",
 * host="0.0.0.0")`. Where it binds is decided here; whether the server authenticates is decided
 * in its own module, so the hit waits for the project model (`data.importedServer`).
 */
export function importedHttpBinds(py: PyFile): void {
  if (isAuthenticated(py)) return;
  for (const st of externalStarts(py)) {
    if (!st.imported || (st.transport !== 'http' && st.transport !== 'sse')) continue;
    const h = py.kwargs(st.call).get('host');
    if (!h || !isAllInterfaces(hostValue(py, h).value)) continue;
    const obj = py.text(field(field(st.call, 'function')!, 'object')!);
    reportAllInterfaces(py, h, `${obj}.${st.method}() on line ${py.line(st.call)}`, {
      // mcp 1.x FastMCP.run() takes no host= (MCP602): that server never listens.
      data: { importedServer: { name: st.imported, cls: ['fastmcp', 'mcp2'], unauthenticated: true } },
    });
  }
}

/** Attributes that serve MCP from a Starlette/FastAPI app: SSE transport endpoints, the session manager, server apps. */
const MCP_ROUTE_ATTRS = new Set(['handle_post_message', 'connect_sse', 'sse_app', 'streamable_http_app', 'http_app']);

/**
 * Whether a module without MCP imports of its own serves MCP over HTTP: its routes use an SSE
 * transport's endpoints (`sse.handle_post_message`, `connect_sse`), a session manager's
 * `handle_request`, or a server's `sse_app()` / `http_app()` built elsewhere.
 */
export function servesMcpRoutes(py: PyFile): boolean {
  return py.attributes.some((a) => {
    const attr = field(a, 'attribute');
    const name = attr ? py.text(attr) : '';
    // `httpx_sse.connect_sse(...)` is a client library's function, not a server transport.
    if (MCP_ROUTE_ATTRS.has(name)) return !/^httpx_sse\b/.test(py.qualify(field(a, 'object')) ?? '');
    return name === 'handle_request' && /session_manager$/i.test(py.text(field(a, 'object') ?? a));
  });
}

// ---- MCP504 ----------------------------------------------------------------------------------

/** MCP504: raw exception text returned to the client from broad except blocks. */
export function mcp504(py: PyFile): void {
  for (const d of toolBodies(py)) forEachBroadHandler(py, d.fn, (clause, errName) => leakCheck(py, d, clause, errName));
}

/** Calls `visit` for each `except Exception [as e]:` / bare `except:` handler in a function. */
export function forEachBroadHandler(
  py: PyFile,
  fn: FunctionFact,
  visit: (clause: PyNode, errName: string | undefined, broad: boolean) => void,
): void {
  walkBody(fn, (n) => {
    if (n.type !== 'except_clause') return true;
    const parts = named(n).filter((c) => c.type !== 'block' && c.type !== 'comment');
    let typeNode = parts[0];
    let errName: string | undefined;
    if (typeNode?.type === 'as_pattern') {
      const alias = field(typeNode, 'alias');
      errName = alias ? py.text(named(alias)[0] ?? alias) : undefined;
      typeNode = named(typeNode)[0];
    } else if (parts[1]?.type === 'identifier') {
      errName = py.text(parts[1]);
    }
    const typeText = typeNode ? py.text(typeNode) : '';
    const broad = !typeNode || /^\(?\s*(Exception|BaseException)\b/.test(typeText);
    visit(n, errName, broad);
    return true;
  });
}

function leakCheck(py: PyFile, d: ToolBody, clause: PyNode, errName: string | undefined): void {
  const parts = named(clause).filter((c) => c.type !== 'block' && c.type !== 'comment');
  const typeText = parts[0]
    ? py.text(parts[0].type === 'as_pattern' ? (named(parts[0])[0] ?? parts[0]) : parts[0])
    : '';
  if (parts.length && !/^\(?\s*(Exception|BaseException)\b/.test(typeText)) return;
  const block = named(clause).find((c) => c.type === 'block');
  if (!block) return;
  walk(block, (n) => {
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
    if (n.type !== 'return_statement' && n.type !== 'raise_statement') return true;
    const value = named(n)[0];
    if (!value) return false;
    const mentions =
      (errName && identifiersIn(py, value).includes(errName)) ||
      /traceback\.format_exc|format_exception/.test(py.text(value));
    if (!mentions) return false;
    const verdict = exceptionLeakVerdict(py, clause, value);
    if (!verdict) return false;
    const verb = n.type === 'return_statement' ? 'returns' : 'raises';
    const what = verdict.traceback ? 'a traceback' : 'the raw exception text';
    const where = verdict.receiver === 'remote' ? 'serves over HTTP/SSE' : 'is not proven to run only over stdio';
    const why = !verdict.source
      ? `a traceback carries the server's file paths and code, and this server ${where}`
      : verdict.carries
        ? `the code in the try reaches ${verdict.source}, whose errors can carry hosts, users, database details or credentials`
        : `the code in the try reaches ${verdict.source}, whose errors can name hosts, accounts and the service's internal messages, and this server ${where}`;
    py.hit(
      'MCP504',
      n,
      `${d.label} ${verb} ${what} on line ${py.line(n)} from a broad except: ${why}; the text reaches the model and the client log. ${d.dispatcher ? `Return a deliberate message (CallToolResult(content=[TextContent(type="text", text="Could not ...")], ${d.dispatcher.style === 'handler' ? 'is_error' : 'isError'}=True))` : 'Raise a deliberate message (ToolError("Could not ..."))'} and log the details to stderr.`,
      {},
    );
    return false;
  });
}
