/**
 * Tool-call dispatchers of the official SDK's low-level `Server`: one function receives every
 * `tools/call` and branches on the tool name (`if name == ...` / `match name:`). mcp 1.x registers
 * it with the `@server.call_tool()` decorator, mcp 2.x with `Server(..., on_call_tool=fn)`.
 * Rules that look inside tool bodies (MCP502, MCP504, MCP705) read these too.
 */
import { field, named, type PyNode } from './ast';
import type { PyFile } from './context';
import type { FunctionFact } from './functions';

/** Qualified names of the low-level server class. */
const LOW_LEVEL_SERVER = /^mcp\.server(\.lowlevel(\.server)?)?\.Server$/;

export interface Dispatcher {
  fn: FunctionFact;
  /** The low-level server's variable. */
  server: string;
  /**
   * `decorator`: mcp 1.x `@server.call_tool()` (the decorator turns a raised exception into a
   * result with isError: true); `handler`: mcp 2.x `on_call_tool=` (it receives `(ctx, params)`).
   */
  style: 'decorator' | 'handler';
}

const cache = new WeakMap<PyFile, Dispatcher[]>();

/** Low-level server variables of the file (`server = Server("name")`, `self.server = Server(...)`), by their text. */
export function lowLevelServers(py: PyFile): Map<string, PyNode> {
  const out = new Map<string, PyNode>();
  if (!py.importsFrom('mcp')) return out;
  for (const call of py.calls) {
    if (!LOW_LEVEL_SERVER.test(py.callee(call) ?? '')) continue;
    const assign = call.parent;
    if (assign?.type !== 'assignment' || field(assign, 'right') !== call) continue;
    const left = field(assign, 'left');
    // `server = Server(...)`, or `self.server = Server(...)` in a class that wraps it.
    if (left?.type === 'identifier' || (left?.type === 'attribute' && field(left, 'object')?.type === 'identifier'))
      out.set(py.text(left), call);
  }
  return out;
}

/** The `tools/call` dispatchers of the file's low-level servers. */
export function dispatchersOf(py: PyFile): Dispatcher[] {
  let out = cache.get(py);
  if (out) return out;
  out = [];
  cache.set(py, out);
  const servers = lowLevelServers(py);
  if (!servers.size) return out;
  for (const fn of py.functions) {
    if (!fn.decorated) continue;
    for (const dec of named(fn.decorated)) {
      const expr = dec.type === 'decorator' ? named(dec)[0] : undefined;
      const callee = expr?.type === 'call' ? field(expr, 'function') : undefined;
      if (callee?.type !== 'attribute') continue;
      const obj = field(callee, 'object');
      if (!obj || !servers.has(py.text(obj))) continue;
      if (py.text(field(callee, 'attribute')!) !== 'call_tool') continue;
      out.push({ fn, server: py.text(obj), style: 'decorator' });
    }
  }
  for (const [server, ctor] of servers) {
    const h = py.kwargs(ctor).get('on_call_tool');
    if (h?.type !== 'identifier') continue;
    const fn = py.functions.find((f) => f.name === py.text(h));
    if (fn && !out.some((d) => d.fn === fn)) out.push({ fn, server, style: 'handler' });
  }
  return out;
}

/** A tool body a rule reads: a registered tool, or a low-level dispatcher. */
export interface ToolBody {
  fn: FunctionFact;
  /** The tool's name, or the dispatcher function's name. */
  name: string;
  /** "Tool 'name'" or "The tools/call dispatcher 'fn'", to start a message with. */
  label: string;
  /** "'name'" or "the tools/call dispatcher 'fn'", inside a sentence ("tool argument 'x' of ..."). */
  mention: string;
  dispatcher?: Dispatcher;
  framework: 'fastmcp' | 'mcp-python-sdk';
}

/** Registered tools and low-level dispatchers of the file. */
export function toolBodies(py: PyFile): ToolBody[] {
  const out: ToolBody[] = py.tools.map((d) => ({
    fn: d.fn,
    name: d.def.name,
    label: `Tool '${d.def.name}'`,
    mention: `'${d.def.name}'`,
    framework: d.server.framework,
  }));
  for (const d of dispatchersOf(py))
    out.push({
      fn: d.fn,
      name: d.fn.name,
      label: `The tools/call dispatcher '${d.fn.name}'`,
      mention: `the tools/call dispatcher '${d.fn.name}'`,
      dispatcher: d,
      framework: 'mcp-python-sdk',
    });
  return out;
}
