/**
 * Server objects of one Python file and how they start: `FastMCP(...)` constructions, servers
 * imported from a local module or passed into a registration helper, their transport starts
 * (`run()`, `http_app()`...), in-process, mounted and factory-returned servers, and the imports
 * starts the project model reads through `moduleFacts.ts`.
 */
import { field, named, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import { frameworkFromImports } from './imports';

export type PyFramework = 'fastmcp' | 'mcp-python-sdk';
type PyTransport = 'stdio' | 'http' | 'sse' | 'unknown' | 'none';

/** Fully qualified constructor names of a server class, by framework. */
const SERVER_CLASSES: Record<string, PyFramework> = {
  'fastmcp.FastMCP': 'fastmcp',
  'fastmcp.server.FastMCP': 'fastmcp',
  'fastmcp.server.server.FastMCP': 'fastmcp',
  'mcp.server.fastmcp.FastMCP': 'mcp-python-sdk',
  'mcp.server.fastmcp.server.FastMCP': 'mcp-python-sdk',
  'mcp.server.fastmcp.MCPServer': 'mcp-python-sdk',
  'mcp.server.MCPServer': 'mcp-python-sdk',
  'mcp.server.mcpserver.MCPServer': 'mcp-python-sdk',
  'mcp.server.mcpserver.server.MCPServer': 'mcp-python-sdk',
};

/** Methods that start (or build) a transport, with the transport they imply by default. */
const START_METHODS: Record<string, PyTransport> = {
  run: 'stdio',
  run_async: 'stdio',
  run_stdio_async: 'stdio',
  run_http_async: 'http',
  run_streamable_http_async: 'http',
  run_sse_async: 'sse',
  http_app: 'http',
  streamable_http_app: 'http',
  sse_app: 'sse',
};

/** A call that starts or builds a transport for a server. */
export interface StartCall {
  /** The `call` node, or the bare attribute when the method is passed by reference. */
  node: PyNode;
  method: string;
  transport: Exclude<PyTransport, 'none'>;
  /** The `transport=` (or first positional) argument of run()/run_async()/http_app(). */
  transportArg?: PyNode;
}

/** A server object: `name = FastMCP(...)`, or a server imported from a local module. */
export interface ServerFact {
  name: string;
  /** The assignment (or the import) that binds the name. */
  node: PyNode;
  /** The constructor call; absent for imported servers. */
  ctor?: PyNode;
  framework: PyFramework;
  transport: PyTransport;
  starts: StartCall[];
  /** `stateless_http=True` in the constructor, run() or http_app(). */
  stateless: boolean;
  imported: boolean;
  /**
   * Driven in-process in this file (`Client(mcp)`, `FastMCPTransport(mcp)`,
   * `create_connected_server_and_client_session(mcp)`): a demo or test, not a stdio process.
   */
  inProcess?: boolean;
  /** Mounted or imported into another server (`app.mount(server=sub)`, `app.import_server(sub)`). */
  mounted?: boolean;
  /** Returned from a function (a factory): whoever calls it starts the server. */
  returned?: boolean;
}

/**
 * Whether the server is an mcp 2.x `MCPServer` (`mcp.server.mcpserver.MCPServer`,
 * `mcp.server.MCPServer`): the class exists only in mcp 2.x, so its import path proves the major
 * version, and its constructor takes `version=`, `description=`, `title=`, `website_url=`, `icons=`.
 */
export function isMcpServerClass(py: PyFile, s: ServerFact): boolean {
  const q = s.ctor ? py.callee(s.ctor) : undefined;
  return !!q && /^mcp\.server(\.[\w.]+)?\.MCPServer$/.test(q);
}

/** Calls that drive a server in the same process (clients and in-memory transports). */
const IN_PROCESS = new Set([
  'Client',
  'FastMCPTransport',
  'create_connected_server_and_client_session',
  'connect_in_memory',
  'InMemoryTransport',
]);

/**
 * A server's own in-process API: a file that calls `mcp.call_tool(...)` or `mcp.list_tools()`
 * outside the server's handlers drives the server in the same process (a demo, a test, a
 * script), as a client would.
 */
const SELF_CLIENT_METHODS = new Set([
  'call_tool',
  'list_tools',
  'get_tools',
  'read_resource',
  'list_resources',
  'get_resources',
  'get_prompt',
  'render_prompt',
  'list_prompts',
  'get_prompts',
  '_call_tool',
  '_list_tools',
  '_mcp_call_tool',
  '_mcp_list_tools',
]);

/** Methods that make a server part of another one. */
const MOUNTS = new Set(['mount', 'import_server', 'as_proxy', 'add_server']);

/** Finds the servers of the file, their starts and uses (run once, by the `PyFile` constructor). */
export function findServers(py: PyFile): void {
  for (const call of py.calls) {
    const q = py.callee(call);
    const fw = q ? SERVER_CLASSES[q] : undefined;
    if (!fw) continue;
    const assign = call.parent;
    if (assign?.type !== 'assignment' || field(assign, 'right') !== call) continue;
    const left = field(assign, 'left');
    if (left?.type !== 'identifier') continue;
    const name = py.text(left);
    if (py.servers.some((s) => s.name === name)) continue;
    py.servers.push({
      name,
      node: assign,
      ctor: call,
      framework: fw,
      transport: 'none',
      starts: [],
      stateless: false,
      imported: false,
    });
  }
  // Servers imported from a local module (`from .server import mcp`) that this file registers on.
  for (const [local, q] of py.imports) {
    if (py.servers.some((s) => s.name === local)) continue;
    if (q.startsWith('fastmcp') || q === 'mcp' || q.startsWith('mcp.') || !/^[.\w]+$/.test(q)) continue;
    const fw = frameworkFromImports(py) ?? frameworkFromProject(py);
    if (!fw || !usesAsServer(py, local)) continue;
    const imp = py.importNodes.find((n) => py.text(n).includes(local))!;
    py.servers.push({
      name: local,
      node: imp,
      framework: fw,
      transport: 'unknown',
      starts: [],
      stateless: false,
      imported: true,
    });
  }
  // Servers an imported factory returns, that this module runs or builds an ASGI app from:
  // `mcp_server = MCPServerFactory.get()` … `app.mount("/mcp", mcp_server.sse_app())`,
  // `mcp = create_server()` … `mcp.run(transport="sse")` in a runner.
  const assigns: PyNode[] = [];
  walk(py.root, (n) => {
    if (n.type === 'assignment') assigns.push(n);
    return n.type !== 'lambda' && n.type !== 'class_definition';
  });
  for (const assign of assigns) {
    const left = field(assign, 'left');
    const right = field(assign, 'right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const name = py.text(left);
    if (py.servers.some((s) => s.name === name)) continue;
    let root = field(right, 'function');
    while (root?.type === 'attribute') root = field(root, 'object');
    const q = root?.type === 'identifier' ? py.imports.get(py.text(root)) : undefined;
    if (!q || q.startsWith('fastmcp') || q === 'mcp' || q.startsWith('mcp.')) continue;
    if (!usedAsMcpApp(py, name, py.text(field(right, 'function')!))) continue;
    const fw = frameworkFromImports(py) ?? frameworkFromProject(py);
    if (!fw) continue;
    py.servers.push({
      name,
      node: assign,
      framework: fw,
      transport: 'unknown',
      starts: [],
      stateless: false,
      imported: true,
    });
  }
  // Servers passed into a registration helper: `def register(mcp: FastMCP): @mcp.tool() ...`.
  for (const fn of py.functions) {
    for (const p of fn.params) {
      if (p.kind !== 'plain' || py.servers.some((s) => s.name === p.name)) continue;
      const annotated = p.annotation ? SERVER_CLASSES[py.qualify(named(p.annotation)[0]) ?? ''] : undefined;
      const fw = annotated ?? (p.annotation ? undefined : (frameworkFromImports(py) ?? frameworkFromProject(py)));
      if (!fw || !usesAsServer(py, p.name)) continue;
      py.servers.push({
        name: p.name,
        node: p.node,
        framework: fw,
        transport: 'unknown',
        starts: [],
        stateless: false,
        imported: true,
      });
    }
  }
  if (!py.servers.length) return;
  const byName = new Map(py.servers.map((s) => [s.name, s]));
  for (const n of py.attributes) {
    const obj = field(n, 'object');
    const attr = field(n, 'attribute');
    if (obj?.type !== 'identifier' || !attr) continue;
    const srv = byName.get(py.text(obj));
    const method = py.text(attr);
    if (!srv || !Object.prototype.hasOwnProperty.call(START_METHODS, method)) continue;
    const call = n.parent?.type === 'call' && field(n.parent, 'function') === n ? n.parent : undefined;
    srv.starts.push({ node: call ?? n, method, ...startTransport(py, srv, method, call) });
  }
  findServerUses(py);
  findFactoryStarts(py);
  for (const s of py.servers) {
    if (s.ctor && py.isTrue(py.kwargs(s.ctor).get('stateless_http'))) s.stateless = true;
    if (s.imported) continue;
    const set = new Set(s.starts.map((st) => st.transport));
    s.transport = set.size === 0 ? 'none' : set.size === 1 ? [...set][0] : 'unknown';
  }
}

/**
 * The transport a start method runs, read from its call (`transport=` or the first positional
 * argument of `run*`; unknown behind `**kwargs`). `stateless_http=True` marks the server.
 */
function startTransport(
  py: PyFile,
  srv: ServerFact,
  method: string,
  call: PyNode | undefined,
): { transport: Exclude<PyTransport, 'none'>; transportArg?: PyNode } {
  let transport = START_METHODS[method] as Exclude<PyTransport, 'none'>;
  let transportArg: PyNode | undefined;
  if (!call) return { transport };
  const kw = py.kwargs(call);
  if (method === 'run' || method === 'run_async' || method === 'http_app' || method === 'run_http_async') {
    transportArg =
      kw.get('transport') ??
      (method.startsWith('run') && method !== 'run_http_async' ? py.positional(call)[0] : undefined);
    if (transportArg) transport = transportOf(py.str(transportArg));
    else if (py.hasSplat(call)) transport = 'unknown';
  }
  if (py.isTrue(kw.get('stateless_http'))) srv.stateless = true;
  return { transport, transportArg };
}

/**
 * Starts on a server that a factory in this file builds and returns: `create_server().run(...)`,
 * or `server = create_server()` then `server.run(...)`. The start counts for the returned server.
 */
function findFactoryStarts(py: PyFile): void {
  const factoryServer = (call: PyNode | undefined): ServerFact | undefined => {
    const f = call?.type === 'call' ? field(call, 'function') : undefined;
    const fn = f?.type === 'identifier' ? py.moduleFunctions.get(py.text(f)) : undefined;
    if (!fn) return undefined;
    return py.servers.find(
      (s) => s.returned && !s.imported && s.node.start >= fn.node.start && s.node.end <= fn.node.end,
    );
  };
  const bound = new Map<string, ServerFact>();
  for (const c of py.calls) {
    const a = c.parent;
    const left = a?.type === 'assignment' && field(a, 'right') === c ? field(a, 'left') : undefined;
    const srv = left?.type === 'identifier' ? factoryServer(c) : undefined;
    if (srv && !py.servers.some((s) => s.name === py.text(left!) && !s.returned)) bound.set(py.text(left!), srv);
  }
  for (const c of py.calls) {
    const fnNode = field(c, 'function');
    if (fnNode?.type !== 'attribute') continue;
    const method = py.text(field(fnNode, 'attribute')!);
    if (!Object.prototype.hasOwnProperty.call(START_METHODS, method)) continue;
    const obj = field(fnNode, 'object');
    const srv =
      obj?.type === 'call' ? factoryServer(obj) : obj?.type === 'identifier' ? bound.get(py.text(obj)) : undefined;
    if (!srv || srv.starts.some((st) => st.node === c)) continue;
    srv.starts.push({ node: c, method, ...startTransport(py, srv, method, c) });
  }
}

/** Marks servers used in-process, mounted into another server, or returned by a factory. */
function findServerUses(py: PyFile): void {
  const byName = new Map(py.servers.map((s) => [s.name, s]));
  for (const call of py.calls) {
    const q = py.callee(call) ?? '';
    const last = q.slice(q.lastIndexOf('.') + 1);
    const inProcess = IN_PROCESS.has(last);
    const mounts = MOUNTS.has(last) && field(call, 'function')?.type === 'attribute';
    if (!inProcess && !mounts) continue;
    const args = named(py.args(call));
    for (const a of args) {
      const v = a.type === 'keyword_argument' ? field(a, 'value') : a;
      const srv = v?.type === 'identifier' ? byName.get(py.text(v)) : undefined;
      if (!srv) continue;
      if (inProcess) srv.inProcess = true;
      else if (
        field(field(call, 'function')!, 'object') &&
        py.text(field(field(call, 'function')!, 'object')!) !== srv.name
      )
        srv.mounted = true;
    }
  }
  // Functions the server runs itself: its lifespan (`FastMCP(..., lifespan=startup)`).
  const lifespans = new Set<string>();
  for (const s of py.servers) {
    const ls = s.ctor ? py.kwargs(s.ctor).get('lifespan') : undefined;
    if (ls?.type === 'identifier') lifespans.add(py.text(ls));
  }
  for (const call of py.calls) {
    const fnNode = field(call, 'function');
    if (fnNode?.type !== 'attribute') continue;
    const obj = field(fnNode, 'object');
    const srv = obj?.type === 'identifier' ? byName.get(py.text(obj)) : undefined;
    if (!srv || !SELF_CLIENT_METHODS.has(py.text(field(fnNode, 'attribute')!))) continue;
    if (insideHandlerOf(py, call, srv.name)) continue;
    const fn = py.enclosingFunction(call);
    if (fn && lifespans.has(fn.name)) continue;
    srv.inProcess = true;
  }
  for (const fn of py.functions) {
    for (const r of named(fn.body)) {
      if (r.type !== 'return_statement') continue;
      const v = named(r)[0];
      const srv = v?.type === 'identifier' ? byName.get(py.text(v)) : undefined;
      if (srv) srv.returned = true;
    }
  }
}

/** Whether `node` sits in a function decorated by the server (`@mcp.tool`, `@mcp.resource(...)`). */
function insideHandlerOf(py: PyFile, node: PyNode, server: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'decorated_definition') continue;
    for (const d of p.children) {
      if (d.type !== 'decorator') continue;
      const expr = named(d)[0];
      const target = expr?.type === 'call' ? field(expr, 'function') : expr;
      const obj = target?.type === 'attribute' ? field(target, 'object') : undefined;
      if (obj?.type === 'identifier' && py.text(obj) === server) return true;
    }
  }
  return false;
}

/** A start method called on a server this file does not define (see `moduleFactsOf`). */
export interface ExternalStart {
  call: PyNode;
  method: string;
  transport: Exclude<PyTransport, 'none'>;
  transportArg?: PyNode;
  /** `from x import name` … `name.run()`: the name as the other module exports it. */
  imported?: string;
}

const externalCache = new WeakMap<PyFile, ExternalStart[]>();

/**
 * Start calls on servers imported from, or built by a factory of, another module (computed once
 * per file: the module facts, the stdout rules and the runner rules all ask).
 */
export function externalStarts(py: PyFile): ExternalStart[] {
  let out = externalCache.get(py);
  if (!out) externalCache.set(py, (out = findExternalStarts(py)));
  return out;
}

function findExternalStarts(py: PyFile): ExternalStart[] {
  const out: ExternalStart[] = [];
  const own = new Set(py.servers.map((s) => s.name));
  // Names bound to the result of calling an imported factory: `mcp = create_server()`.
  const made = new Set<string>();
  for (const c of py.calls) {
    const fnNode = field(c, 'function');
    if (fnNode?.type !== 'identifier' || !py.fromImports.has(py.text(fnNode))) continue;
    const a = c.parent;
    const left = a?.type === 'assignment' && field(a, 'right') === c ? field(a, 'left') : undefined;
    if (left?.type === 'identifier') made.add(py.text(left));
  }
  for (const c of py.calls) {
    const fnNode = field(c, 'function');
    if (fnNode?.type !== 'attribute') continue;
    const method = py.text(field(fnNode, 'attribute')!);
    if (!Object.prototype.hasOwnProperty.call(START_METHODS, method)) continue;
    const obj = field(fnNode, 'object');
    let external = false;
    if (obj?.type === 'identifier') {
      const name = py.text(obj);
      external = !own.has(name) && (py.fromImports.has(name) || made.has(name));
    } else if (obj?.type === 'call') {
      const f = field(obj, 'function');
      external = f?.type === 'identifier' && py.fromImports.has(py.text(f));
    } else if (obj?.type === 'attribute') {
      // `server_module.mcp.run()` on an imported module
      let root: PyNode | undefined = obj;
      while (root?.type === 'attribute') root = field(root, 'object');
      external = root?.type === 'identifier' && py.imports.has(py.text(root)) && !own.has(py.text(root));
    }
    if (!external) continue;
    let transport = START_METHODS[method] as Exclude<PyTransport, 'none'>;
    let transportArg: PyNode | undefined;
    if (method === 'run' || method === 'run_async' || method === 'http_app') {
      transportArg = py.kwargs(c).get('transport') ?? (method.startsWith('run') ? py.positional(c)[0] : undefined);
      if (transportArg) transport = transportOf(py.str(transportArg));
      else if (py.hasSplat(c)) transport = 'unknown';
      // A low-level server run on streams: `async with stdio_server() as (read, write): await
      // server.run(read, write, ...)` serves the transport that opened the streams.
      const streams = method === 'run' && transportArg?.type === 'identifier' ? streamTransport(py, c) : undefined;
      if (streams) {
        transport = streams;
        transportArg = undefined;
      }
    }
    const imported = obj?.type === 'identifier' ? fromImportedAs(py, py.text(obj)) : undefined;
    out.push({ call: c, method, transport, transportArg, ...(imported ? { imported } : {}) });
  }
  return out;
}

/** The name a module exports for a local name bound by `from x import name [as local]`. */
export function fromImportedAs(py: PyFile, local: string): string | undefined {
  return py.fromImports.get(local)?.name;
}

/**
 * The transport whose streams a `server.run(read, write, ...)` call runs on: the enclosing `async
 * with` that opens them (`stdio_server()`, `sse.connect_sse(...)`, `streamablehttp_server(...)`).
 */
function streamTransport(py: PyFile, call: PyNode): 'stdio' | 'sse' | 'http' | undefined {
  for (let p = call.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type !== 'with_statement') continue;
    for (const item of named(named(p).find((n) => n.type === 'with_clause'))) {
      let v: PyNode | undefined = item.type === 'with_item' ? named(item)[0] : undefined;
      if (v?.type === 'as_pattern') v = named(v)[0];
      const q = v?.type === 'call' ? (py.callee(v) ?? py.text(field(v, 'function')!)) : '';
      if (/(?:^|\.)stdio_server$/.test(q)) return 'stdio';
      if (/(?:^|\.)connect_sse$/.test(q)) return 'sse';
      if (/(?:^|\.)(?:streamablehttp_server|streamable_http_server)$/.test(q)) return 'http';
    }
  }
  return undefined;
}

/** Whether the module has an `if __name__ == "__main__":` block. */
export function hasMainBlock(py: PyFile): boolean {
  return named(py.root).some((n) => n.type === 'if_statement' && isMainGuard(py, n));
}

function frameworkFromProject(py: PyFile): PyFramework | undefined {
  // A version (lockfile, pin, installed) or a declared range (`mcp>=1.27` in pyproject.toml).
  const has = (name: string) => py.project.packages.has(name) || !!py.project.declared?.has(name);
  if (has('fastmcp')) return 'fastmcp';
  if (has('mcp') || has('mcp[cli]')) return 'mcp-python-sdk';
  return undefined;
}

/**
 * Whether a name bound to an imported factory's result is used the way only an MCP server is:
 * `name.sse_app()` / `.streamable_http_app()` / `.http_app()`, `name.run(transport="sse")` (a
 * transport keyword or literal), or a plain `name.run()` when the factory or class is named for
 * one (`ADOMCPServer(...)`, `create_mcp_server()`). An awaited `name.run()` is the project's own
 * async class, not FastMCP's synchronous run().
 */
function usedAsMcpApp(py: PyFile, name: string, factory: string): boolean {
  return py.calls.some((c) => {
    const f = field(c, 'function');
    const obj = f?.type === 'attribute' ? field(f, 'object') : undefined;
    if (obj?.type !== 'identifier' || py.text(obj) !== name) return false;
    const method = py.text(field(f!, 'attribute')!);
    if (method === 'sse_app' || method === 'streamable_http_app' || method === 'http_app') return true;
    if (method !== 'run' && method !== 'run_async') return false;
    if (method === 'run' && c.parent?.type === 'await') return false;
    const t = py.kwargs(c).get('transport') ?? py.positional(c)[0];
    if (t) return t.type !== 'string' || transportOf(py.str(t)) !== 'unknown';
    return method === 'run' && /mcp|server$/i.test(factory.slice(factory.lastIndexOf('.') + 1));
  });
}

/** Whether `name` is used as `@name.tool`/`.resource`/`.prompt` or `name.add_tool(...)`. */
function usesAsServer(py: PyFile, name: string): boolean {
  const re = new RegExp(`(@${name}\\.(tool|resource|prompt)\\b|\\b${name}\\.add_(tool|resource|prompt)\\()`);
  return re.test(py.src.text);
}

/** `if __name__ == "__main__":` (either operand order, either quote). */
function isMainGuard(py: PyFile, n: PyNode): boolean {
  const cond = field(n, 'condition');
  if (!cond || cond.type !== 'comparison_operator') return false;
  const t = py.text(cond).replace(/\s+/g, '');
  return /^__name__==(['"])__main__\1$|^(['"])__main__\2==__name__$/.test(t);
}

/** Maps a transport literal to a transport; computed values are unknown. */
function transportOf(value: string | undefined): Exclude<PyTransport, 'none'> {
  switch (value) {
    case 'stdio':
      return 'stdio';
    case 'http':
    case 'streamable-http':
    case 'streamable_http':
      return 'http';
    case 'sse':
      return 'sse';
    default:
      return 'unknown';
  }
}
