/** Security rules: shell injection, path traversal, unauthenticated network servers, leaked errors. */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { fix, fixes, replaceNode } from '../fixes';
import { dockerfileOf } from './connection/http';
import { isAuthenticated } from './httpAuth';
import { exceptionLeakVerdict } from './errorExposure';
import { toolBodies, type ToolBody } from '../dispatchers';
import { hostValue, identifiersIn, isAllInterfaces, walkBody } from './util';
import { externalStarts, isMcpServerClass } from '../servers';
import type { RuleHit } from '../../types';

/** Identifiers whose value flows into an expression: a subscript index only selects a value. */
function flowIdentifiers(py: PyFile, node: PyNode): string[] {
  return identifiersIn(py, node, true);
}

// ---- taint from tool parameters ------------------------------------------------------------

interface Taint {
  /** Names holding (something derived from) a tool argument. */
  tainted: Set<string>;
  /** Tainted names that came out of a path sink already reported (not reported again). */
  viaSink: Set<string>;
}

const NON_STRING = /^(int|float|bool|Literal\[.*\])$/s;
const CONTAINMENT_CALL = /\.is_relative_to\(|\.relative_to\(|commonpath\(|commonprefix\(/;

/** Whether code performs a containment check (resolve + is_relative_to / commonpath / startswith). */
function hasContainment(text: string): boolean {
  if (CONTAINMENT_CALL.test(text)) return true;
  return /(realpath|resolve|abspath)\(/.test(text) && text.includes('.startswith(');
}

const sanitizerCache = new WeakMap<PyFile, Set<string>>();

/** Functions in the file that perform a containment check (their results count as safe paths). */
function sanitizers(py: PyFile): Set<string> {
  let out = sanitizerCache.get(py);
  if (!out) {
    out = new Set();
    for (const f of py.functions) if (hasContainment(py.text(f.body))) out.add(f.name);
    sanitizerCache.set(py, out);
  }
  return out;
}

function computeTaint(
  py: PyFile,
  fn: FunctionFact,
  isPathSink: (n: PyNode, t: Set<string>) => boolean,
  carried: (right: PyNode, t: Set<string>) => string[] = (right) => flowIdentifiers(py, right),
): Taint {
  const tainted = new Set<string>();
  for (const p of fn.params) {
    if (py.isInjected(p)) continue;
    if (p.annotation && NON_STRING.test(py.text(p.annotation))) continue;
    tainted.add(p.name);
  }
  const viaSink = new Set<string>();
  const safe = sanitizers(py);
  const assigns: { left: PyNode; right: PyNode }[] = [];
  walkBody(fn, (n) => {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = field(n, 'left');
      const right = field(n, 'right');
      if (left?.type === 'identifier' && right) assigns.push({ left, right });
    } else if (n.type === 'for_statement') {
      const left = field(n, 'left');
      const right = field(n, 'right');
      if (left?.type === 'identifier' && right) assigns.push({ left, right });
    }
    return true;
  });
  for (let pass = 0; pass < 2; pass++) {
    for (const { left, right } of assigns) {
      const name = py.text(left);
      if (
        right.type === 'call' &&
        field(right, 'function')?.type === 'identifier' &&
        safe.has(py.text(field(right, 'function')!))
      )
        continue;
      const ids = carried(right, tainted);
      if (!ids.some((i) => tainted.has(i))) continue;
      tainted.add(name);
      let sink = false;
      walk(right, (m) => {
        if (!sink && isPathSink(m, tainted)) sink = true;
        return !sink;
      });
      if (sink || ids.filter((i) => tainted.has(i)).every((i) => viaSink.has(i))) viaSink.add(name);
    }
  }
  return { tainted, viaSink };
}

/**
 * Tainted names a path expression lets the caller supply at a component boundary that did not
 * come out of an already reported sink.
 */
function freshTaint(py: PyFile, node: PyNode | undefined, t: Taint): string[] {
  if (!node) return [];
  return boundaryTaint(py, node, t.tainted).filter((i) => !t.viaSink.has(i));
}

/** Identifiers whose value flows into a path, except through a containment helper (`safe(p)`). */
function pathIdentifiers(py: PyFile, node: PyNode): string[] {
  const safe = sanitizers(py);
  if (!safe.size) return flowIdentifiers(py, node);
  const out: string[] = [];
  walk(node, (n) => {
    if (n.type === 'call') {
      const f = field(n, 'function');
      if (f?.type === 'identifier' && safe.has(py.text(f))) return false;
      return true;
    }
    if (n.type !== 'identifier' && n.type !== 'subscript' && n.type !== 'attribute') return true;
    out.push(...flowIdentifiers(py, n));
    return false;
  });
  return out;
}

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
      t ??= computeTaint(py, d.fn, () => false);
      const tainted = t.tainted;
      const names = flowIdentifiers(py, cmd).filter((i) => tainted.has(i));
      if (!names.length) continue;
      py.hit(
        'MCP501',
        call,
        `${q}() on line ${py.line(call)} runs a shell command built from tool argument${names.length > 1 ? 's' : ''} ${[...new Set(names)].map((n) => `'${n}'`).join(', ')} of ${d.dispatcher ? `the tools/call dispatcher '${d.name}'` : `'${d.name}'`}: a model steered by untrusted content can inject ; && $( ) and run anything with the server's privileges. Pass an argument list with shell=False (e.g. subprocess.run(["cmd", arg])) and validate the values.`,
        {},
      );
    }
  }
}

// ---- MCP502 ----------------------------------------------------------------------------------

/** MCP502: tool input used as a filesystem path without a containment check. */
export function mcp502(py: PyFile): void {
  for (const d of toolBodies(py)) {
    if (hasContainment(py.text(d.fn.body))) continue;
    // Taint is computed only for tools that touch a path sink at all (most do not).
    let anySink = false;
    walkBody(d.fn, (n) => {
      if (!anySink && pathSinkArgs(py, n).length) anySink = true;
      return !anySink;
    });
    if (!anySink) continue;
    const isSink = (n: PyNode, tainted: Set<string>) =>
      pathSinkArgs(py, n).some((a) => boundaryTaint(py, a, tainted).length > 0);
    const t = computeTaint(py, d.fn, isSink, (right, tainted) => boundaryTaint(py, right, tainted));
    const reported = new Set<PyNode>();
    walkBody(d.fn, (n) => {
      const args = pathSinkArgs(py, n);
      if (!args.length) return true;
      const names = [...new Set(args.flatMap((a) => freshTaint(py, a, t)))];
      if (!names.length) return true;
      for (let p = n.parent; p; p = p.parent) if (reported.has(p)) return true;
      reported.add(n);
      py.hit(
        'MCP502',
        n,
        `${describeSink(py, n)} on line ${py.line(n)} uses ${d.dispatcher ? `the caller's tool arguments (${names.map((x) => `'${x}'`).join(', ')}) in the tools/call dispatcher '${d.name}'` : `tool argument ${names.map((x) => `'${x}'`).join(', ')} of '${d.name}'`} as a path without checking that it stays inside the intended folder: "../" or an absolute path reads or writes anywhere (.env, SSH keys). Resolve it and check containment (resolved.is_relative_to(base)) before use.`,
        {},
      );
      return true;
    });
  }
}

const PATH_DIR_NAME = /(dir|root|path|base|folder|home)$/i;

/** Path attributes and methods that only compute names: `Path(p).suffix` touches no file. */
const PURE_PATH_ATTRS =
  /^(name|suffix|suffixes|stem|parent|parents|parts|anchor|drive|root|as_posix|as_uri|with_suffix|with_name|with_stem|is_absolute|is_relative_to|relative_to|match|full_match)$/;

/** Helper functions whose parameters reach a path sink (by parameter index), per file. */
const helperCache = new WeakMap<PyFile, Map<FunctionFact, { index: number; line: number }[]>>();

/**
 * The parameters of a module-level helper (not a tool) that it uses as a filesystem path without
 * a containment check, e.g. `def get_excel_path(name): return os.path.join(BASE, name)`.
 */
function helperPathParams(py: PyFile, fn: FunctionFact, depth: number): { index: number; line: number }[] {
  let cache = helperCache.get(py);
  if (!cache) helperCache.set(py, (cache = new Map()));
  const hit = cache.get(fn);
  if (hit) return hit;
  cache.set(fn, []); // recursion guard
  const out: { index: number; line: number }[] = [];
  if (!hasContainment(py.text(fn.body)) && !py.definitionOf(fn)) {
    const params = fn.params.filter((p) => p.kind === 'plain' && p.name !== 'self' && p.name !== 'cls');
    const t = computeTaint(
      py,
      fn,
      () => false,
      (right, tainted) => boundaryTaint(py, right, tainted),
    );
    walkBody(fn, (n) => {
      const args = pathSinkArgs(py, n, depth + 1);
      for (const a of args)
        for (const id of boundaryTaint(py, a, t.tainted)) {
          const i = params.findIndex((p) => p.name === id);
          if (i >= 0 && t.tainted.has(id) && !out.some((o) => o.index === i)) out.push({ index: i, line: py.line(n) });
        }
      return true;
    });
  }
  cache.set(fn, out);
  return out;
}

/** Arguments of a node that end up as a filesystem path, if it is a path sink. */
function pathSinkArgs(py: PyFile, n: PyNode, depth = 0): PyNode[] {
  if (n.type === 'call') {
    const q = py.callee(n) ?? '';
    const pos = py.positional(n);
    if (q === 'open' || q === 'io.open' || q === 'codecs.open')
      return pos.slice(0, 1).concat(py.kwargs(n).get('file') ?? []);
    if (/^(pathlib\.)?(Pure)?(Path|PosixPath|WindowsPath)$/.test(q)) {
      // `Path(p).suffix`, `Path(p).name`: a name computation, not file access.
      const up = n.parent;
      if (
        up?.type === 'attribute' &&
        field(up, 'object') === n &&
        PURE_PATH_ATTRS.test(py.text(field(up, 'attribute')!))
      )
        return [];
      return pos;
    }
    // fastmcp / mcp `File(path=...)`, `Image(path=...)`, `Audio(path=...)` read the file when sent.
    if (
      /(^|\.)utilities\.types\.(File|Image|Audio)$|^(fastmcp|mcp\.server\.(fastmcp|mcpserver))(\.\w+)*\.(File|Image|Audio)$/.test(
        q,
      )
    )
      return (py.kwargs(n).get('path') ? [py.kwargs(n).get('path')!] : []).concat(pos.slice(0, 1));
    // A helper in this file that uses one of its parameters as a path.
    const fnNode = field(n, 'function');
    if (fnNode?.type === 'identifier' && depth < 2) {
      const helper = py.moduleFunctions.get(py.text(fnNode));
      if (helper) {
        const params = helperPathParams(py, helper, depth);
        if (params.length) return params.flatMap((p) => (pos[p.index] ? [pos[p.index]] : []));
      }
    }
    if (
      q === 'os.path.join' ||
      /^shutil\./.test(q) ||
      /^os\.(remove|unlink|rmdir|makedirs|mkdir|rename|listdir|scandir|stat)$/.test(q)
    )
      return pos;
    if (/(^|\.)(send_file|FileResponse|send_from_directory)$/.test(q)) return pos.slice(0, 2);
    // GitPython opens (or creates, with mkdir=True) a repository at the caller's path.
    if (q === 'git.Repo' || q === 'git.Repo.init' || q === 'git.repo.Repo' || q === 'git.repo.base.Repo')
      return pos.slice(0, 1).concat(py.kwargs(n).get('path') ?? []);
    if (q === 'git.Repo.clone_from') return pos.slice(1, 2).concat(py.kwargs(n).get('to_path') ?? []);
    return [];
  }
  if (n.type === 'binary_operator' && n.children.some((c) => !c.named && c.type === '/')) {
    const left = field(n, 'left');
    const right = field(n, 'right');
    if (!left || !right) return [];
    const pathy = (x: PyNode) =>
      (x.type === 'call' && /(^|\.)Path$/.test(py.callee(x) ?? '')) ||
      (x.type === 'identifier' &&
        (PATH_DIR_NAME.test(py.text(x)) || /Path\(/.test(py.text(py.moduleAssignments.get(py.text(x)) ?? x)))) ||
      (x.type === 'attribute' && PATH_DIR_NAME.test(py.text(x))) ||
      (x.type === 'binary_operator' && pathSinkArgs(py, x).length > 0);
    if (pathy(left)) return [right];
    return [];
  }
  return [];
}

/** Calls whose positional arguments are path components, each starting a new one. */
const JOIN_CALL = /^(os\.path\.join|posixpath\.join|ntpath\.join|(pathlib\.)?(Pure)?(Path|PosixPath|WindowsPath))$/;

/**
 * The tainted names in a path expression that can supply a whole leading path component (or the
 * whole path): only those can walk out of the folder. `base / name`, `os.path.join(base, name)`,
 * `f"{base}/{name}"` and `name` itself can; `base / f"create_{name}.json"` and
 * `"report_" + name` cannot: the value sits after a fixed prefix inside one component, so "../"
 * or "/" in it makes the OS resolve a directory named `create_..` that does not exist, and no
 * absolute path can be formed. The expression is read left to right, tracking whether the next
 * piece starts a component (at the start, after a literal ending in a separator, after an
 * argument of a join, or after a value whose text is unknown); a form it does not model (a call,
 * `%` or `.format()`) passes every tainted name it mentions when it may start a component.
 */
function boundaryTaint(py: PyFile, expr: PyNode, tainted: Set<string>): string[] {
  const out = new Set<string>();
  const opaque = (n: PyNode, atStart: boolean): boolean => {
    // A value passed through a containment helper of the file (`safe(p)`) is clean.
    const ids = pathIdentifiers(py, n).filter((i) => tainted.has(i));
    if (atStart) for (const i of ids) out.add(i);
    // A value of unknown text may end in a separator; a tainted one inside a fixed component
    // keeps the walk inside that component's (non-existent) directory.
    return atStart || !ids.length;
  };
  const seq = (n: PyNode, atStart: boolean): boolean => {
    switch (n.type) {
      case 'parenthesized_expression': {
        const inner = named(n)[0];
        return inner ? seq(inner, atStart) : atStart;
      }
      case 'concatenated_string':
        return named(n).reduce((at, c) => seq(c, at), atStart);
      case 'string': {
        let at = atStart;
        for (const c of n.children) {
          if (c.type === 'string_content' || c.type === 'escape_sequence') {
            const text = py.text(c);
            if (text) at = /[\\/]$/.test(text);
          } else if (c.type === 'interpolation') {
            const e = field(c, 'expression');
            if (e) at = seq(e, at);
          }
        }
        return at;
      }
      case 'binary_operator': {
        const left = field(n, 'left');
        const right = field(n, 'right');
        const op = n.children.find((c) => !c.named)?.type;
        if (!left || !right) return opaque(n, atStart);
        if (op === '/') return seq(right, (seq(left, atStart), true));
        if (op === '+') return seq(right, seq(left, atStart));
        return opaque(n, atStart);
      }
      case 'call': {
        if (!JOIN_CALL.test(py.callee(n) ?? '')) return opaque(n, atStart);
        const args = py.positional(n);
        if (!args.length) return opaque(n, atStart);
        // The first argument sits where the call does; each later one starts a component.
        return args.reduce((at, a, i) => seq(a, i === 0 ? at : true), atStart);
      }
      default:
        return opaque(n, atStart);
    }
  };
  seq(expr, true);
  return [...out];
}

function describeSink(py: PyFile, n: PyNode): string {
  if (n.type === 'call') {
    const fnNode = field(n, 'function')!;
    const helper = fnNode.type === 'identifier' ? py.moduleFunctions.get(py.text(fnNode)) : undefined;
    const params = helper ? helperPathParams(py, helper, 0) : [];
    if (params.length)
      return `${py.text(fnNode)}() (which uses it as a path on line ${params[0].line} without a containment check)`;
    return `${py.text(fnNode)}()`;
  }
  return `The path expression ${py.text(n).slice(0, 60)}`;
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
