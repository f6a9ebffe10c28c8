/** Small helpers shared by the Python rules. */
import { field, named, type PyNode, walk } from '../ast';
import { majorOf, provenPyVersion, pyRangeAdmitsAtLeast } from '../../project/versions';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { externalStarts, type ServerFact } from '../servers';

/**
 * Whether stdout rules apply, and whether the transport is only "maybe stdio" (downgrade). In a
 * runner module (no server of its own) whose every start runs an imported name over stdio
 * (`from .server import mcp` … `mcp.run()`), `imported` is that name: the project model keeps
 * the hits only when the other module defines it as a server.
 */
export function stdioState(py: PyFile): {
  applies: boolean;
  downgrade: boolean;
  server?: ServerFact;
  imported?: string;
} {
  if (py.helper) return { applies: true, downgrade: true };
  if (!py.servers.length) {
    const starts = externalStarts(py);
    const first = starts[0]?.imported;
    if (first && starts.every((st) => st.imported === first && st.transport === 'stdio'))
      return { applies: true, downgrade: false, imported: first };
    // A server this file builds with an imported class or factory and runs over stdio only (a
    // low-level `Server` run on `stdio_server()` streams).
    if (!first && starts.length && starts.every((st) => !st.imported && st.transport === 'stdio'))
      return { applies: true, downgrade: false };
  }
  const stdio = py.servers.find((s) => s.transport === 'stdio');
  if (stdio) return { applies: true, downgrade: false, server: stdio };
  // A server that this file never starts but drives in-process (a demo, a test) or mounts into
  // another server does not make stdout a protocol channel here.
  const maybe = py.servers.find(
    (s) => s.transport === 'unknown' || (s.transport === 'none' && !s.inProcess && !s.mounted),
  );
  if (maybe) return { applies: true, downgrade: true, server: maybe };
  return { applies: false, downgrade: false };
}

/** Wording for the transport precondition, appended to stdout messages when it is not proven. */
export function maybeStdio(down: boolean): string {
  return down ? ' (the transport is not fixed in this file; this applies when it runs over stdio)' : '';
}

/** Expression text of `sys.stdout`-like arguments, resolving `import sys as s`. */
export function isStdout(py: PyFile, node: PyNode | undefined): boolean {
  const q = py.qualify(node);
  return q === 'sys.stdout' || q === 'sys.__stdout__';
}

/** Loopback host literals (and the empty default of some helpers is handled by callers). */
export function isLoopback(host: string | undefined): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || (!!host && /^127\./.test(host));
}

export function isAllInterfaces(host: string | undefined): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** A function body flattened in pre-order; `ends[i]` is the index just past node i's subtree. */
interface FlatBody {
  nodes: PyNode[];
  ends: number[];
}

const NESTED_SCOPES = new Set(['function_definition', 'class_definition', 'lambda', 'decorated_definition']);
const flatCache = new WeakMap<FunctionFact, FlatBody>();

/** Flattens a body once (many rules walk every tool body; arrays are cheaper than re-walking). */
function flatBody(fn: FunctionFact): FlatBody {
  let flat = flatCache.get(fn);
  if (flat) return flat;
  const nodes: PyNode[] = [];
  const ends: number[] = [];
  const visit = (n: PyNode) => {
    const i = nodes.length;
    nodes.push(n);
    ends.push(0);
    if (n === fn.body || !NESTED_SCOPES.has(n.type)) for (const c of n.children) visit(c);
    ends[i] = nodes.length;
  };
  // Bodies are shallow enough for recursion; fall back to an empty list on absurd nesting.
  try {
    visit(fn.body);
  } catch {
    nodes.length = 0;
    ends.length = 0;
  }
  flat = { nodes, ends };
  flatCache.set(fn, flat);
  return flat;
}

/**
 * Visits a function body in source order without descending into nested functions, classes or
 * lambdas (they are visited, their insides are not); return `false` to skip a node's children.
 */
export function walkBody(fn: FunctionFact, visit: (n: PyNode) => boolean | void): void {
  const { nodes, ends } = flatBody(fn);
  for (let i = 0; i < nodes.length;) {
    const n = nodes[i];
    if (n !== fn.body && NESTED_SCOPES.has(n.type)) {
      i = ends[i];
      continue;
    }
    i = visit(n) === false ? ends[i] : i + 1;
  }
}

/** What each local name of `fn` is last assigned in its body (`name = <value>`; not nested functions). */
export function lastAssignments(py: PyFile, fn: FunctionFact): Map<string, PyNode> {
  const out = new Map<string, PyNode>();
  walkBody(fn, (n) => {
    const left = n.type === 'assignment' ? field(n, 'left') : undefined;
    const right = left && field(n, 'right');
    if (left?.type === 'identifier' && right) out.set(py.text(left), right);
    return true;
  });
  return out;
}

const returnsCache = new WeakMap<FunctionFact, { stmt: PyNode; value?: PyNode }[]>();

/** `return` statements of a function (not of nested functions), with their value (if any). */
export function returnsOf(fn: FunctionFact): { stmt: PyNode; value?: PyNode }[] {
  let out = returnsCache.get(fn);
  if (out) return out;
  out = [];
  for (const n of flatBody(fn).nodes) if (n.type === 'return_statement') out.push({ stmt: n, value: named(n)[0] });
  returnsCache.set(fn, out);
  return out;
}

/** Identifiers mentioned in an expression (not attribute names, not keyword names). */
export function identifiersIn(py: PyFile, node: PyNode, skipIndices = false): string[] {
  const out: string[] = [];
  walk(node, (n) => {
    if (skipIndices && n.field === 'subscript' && n.parent?.type === 'subscript') return false;
    if (n.type === 'identifier') {
      if (n.field === 'attribute' && n.parent?.type === 'attribute') return false;
      if (n.field === 'name' && n.parent?.type === 'keyword_argument') return false;
      out.push(py.text(n));
    }
    return n.type !== 'lambda';
  });
  return out;
}

/** Parses a non-negative integer or float literal. */
export function numberValue(py: PyFile, node: PyNode | undefined): number | undefined {
  if (!node || (node.type !== 'integer' && node.type !== 'float')) return undefined;
  const n = Number(py.text(node).replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** Compares dotted versions numerically (`2.10.0` > `2.9`); unparsable parts count as 0. */
export function versionAtLeast(version: string | undefined, min: string): boolean | undefined {
  if (!version) return undefined;
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  const a = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/**
 * The version of the file's framework package (`fastmcp` or `mcp`) the project provably gets (a
 * lockfile, installed metadata or an exact pin), else undefined: a range is not a version.
 */
export function frameworkVersion(py: PyFile, framework = py.framework): string | undefined {
  if (!framework) return undefined;
  return provenPyVersion(py.project, framework === 'fastmcp' ? 'fastmcp' : 'mcp');
}

/**
 * The mcp major version the file's imports prove: `mcp.server.mcpserver` and `mcp.server.MCPServer`
 * exist only in mcp 2, `mcp.server.fastmcp` only in mcp 1 (its import fails on mcp 2).
 */
export function importedMcpMajor(py: PyFile): 1 | 2 | undefined {
  if (py.importsFrom('mcp.server.mcpserver') || [...py.imports.values()].includes('mcp.server.MCPServer')) return 2;
  if (py.importsFrom('mcp.server.fastmcp')) return 1;
  return undefined;
}

/** Whether sync tools run inline on the event loop for this file's framework and version. */
export function syncToolsInline(py: PyFile): boolean {
  const v = frameworkVersion(py);
  const major = importedMcpMajor(py);
  if (py.framework === 'mcp-python-sdk' && major) return major < 2;
  if (py.framework === 'mcp-python-sdk') return versionAtLeast(v, '2.0.0') !== true;
  if (py.framework === 'fastmcp') {
    if (v) return versionAtLeast(v, '3.0.0') === false;
    // A declared cap below 3 (`fastmcp>=2.14,<3`) admits only releases that run sync tools inline.
    const spec = py.project.declared?.get('fastmcp');
    return spec !== undefined && spec !== '' && pyRangeAdmitsAtLeast(spec, '3.0.0') === false;
  }
  return false;
}

/** Whether sync tools run in worker threads (so they race truly in parallel). */
export function syncToolsThreaded(py: PyFile): boolean {
  const v = frameworkVersion(py);
  const major = importedMcpMajor(py);
  if (py.framework === 'mcp-python-sdk' && major) return major >= 2;
  if (py.framework === 'mcp-python-sdk') return versionAtLeast(v, '2.0.0') === true;
  if (py.framework === 'fastmcp') return versionAtLeast(v, '3.0.0') === true;
  return false;
}

/**
 * Whether stdout is the protocol channel while the server serves. mcp 2.x (and so fastmcp 4)
 * serves stdio from a private duplicate of fd 1 and points fd 1 at stderr while it serves, so
 * output from handlers (print, sys.stdout, os.write(1), child processes) lands on stderr; output
 * before the transport starts still reaches the client. mcp 1.x (fastmcp up to 3) writes the
 * protocol to fd 1 itself. Checked against mcp 2.3 / fastmcp 4 in test/unit/rules/realFrameworks.
 *
 * Evidence, strongest first: the import path (`mcp.server.mcpserver` exists only in mcp 2,
 * `mcp.server.fastmcp` only in mcp 1), a proven version of `mcp` or `fastmcp` (lockfile,
 * installed metadata, exact pin), a declared range capped below mcp 2 / fastmcp 4. A range with
 * no cap proves nothing.
 */
export interface StdioIsolation {
  kind: 'isolated' | 'shared' | 'unknown';
  why: string;
}

const isolationCache = new WeakMap<PyFile, StdioIsolation>();

export function stdioIsolation(py: PyFile): StdioIsolation {
  let v = isolationCache.get(py);
  if (!v) {
    v = computeIsolation(py);
    isolationCache.set(py, v);
  }
  return v;
}

function computeIsolation(py: PyFile): StdioIsolation {
  const major = importedMcpMajor(py);
  if (major === 2)
    return {
      kind: 'isolated',
      why: py.importsFrom('mcp.server.mcpserver')
        ? 'it imports mcp.server.mcpserver, which exists only in mcp 2.x'
        : 'it imports MCPServer from mcp.server, which exists only in mcp 2.x',
    };
  if (major === 1) return { kind: 'shared', why: 'it imports mcp.server.fastmcp, which exists only in mcp 1.x' };
  const source = (name: string) => py.project.packageSources.get(name) ?? 'the project';
  const mcp = provenPyVersion(py.project, 'mcp');
  if (mcp) {
    const major = majorOf(mcp) ?? 0;
    return major >= 2
      ? { kind: 'isolated', why: `the project gets mcp ${mcp} (${source('mcp')})` }
      : { kind: 'shared', why: `the project gets mcp ${mcp} (${source('mcp')})` };
  }
  const usesFastmcp = py.framework === 'fastmcp' || py.importsFrom('fastmcp');
  const fm = usesFastmcp ? provenPyVersion(py.project, 'fastmcp') : undefined;
  if (fm) {
    const major = majorOf(fm) ?? 0;
    return major >= 4
      ? { kind: 'isolated', why: `the project gets fastmcp ${fm} (${source('fastmcp')}), which runs on mcp 2.x` }
      : { kind: 'shared', why: `the project gets fastmcp ${fm} (${source('fastmcp')}), which runs on mcp 1.x` };
  }
  const cappedBelow = (range: string | undefined, major: number) =>
    !!range &&
    new RegExp(`<\\s*${major}(?:\\.0)*(?![.\\d])|^(?:==|~=)\\s*${major - 1}\\.`).test(range.replace(/\s+/g, ''));
  if (cappedBelow(py.project.declared?.get('mcp'), 2))
    return { kind: 'shared', why: `the project caps mcp below 2 (${py.project.declared!.get('mcp')})` };
  if (usesFastmcp && cappedBelow(py.project.declared?.get('fastmcp'), 4))
    return { kind: 'shared', why: `the project caps fastmcp below 4 (${py.project.declared!.get('fastmcp')})` };
  return { kind: 'unknown', why: 'no lockfile, installed package or pin fixes the mcp / fastmcp version' };
}

/**
 * The host a bind argument stands for: a literal, a module-level constant bound to one, the
 * default of an environment lookup (`os.environ.get("HOST", "0.0.0.0")`, `os.getenv("HOST",
 * "0.0.0.0")`) with the variable that overrides it, the default of an argparse option
 * (`parser.add_argument("--host", default="0.0.0.0")` read as `args.host`) with the flag that
 * overrides it, or the default of a pydantic settings field (`class Settings(BaseSettings): host:
 * str = "127.0.0.1"` read as `settings.host`) with the environment variable that overrides it.
 */
export function hostValue(
  py: PyFile,
  node: PyNode | undefined,
  depth = 0,
): { value?: string; env?: string; flag?: string } {
  if (!node || depth > 3) return {};
  const lit = py.constStr(node);
  if (lit !== undefined) return { value: lit };
  if (node.type === 'identifier') return hostValue(py, py.moduleAssignments.get(py.text(node)), depth + 1);
  if (node.type === 'call' && /^os\.(environ\.get|getenv)$/.test(py.callee(node) ?? '')) {
    const pos = py.positional(node);
    const def = pos[1] ?? py.kwargs(node).get('default');
    const value = def ? hostValue(py, def, depth + 1).value : undefined;
    return value === undefined ? {} : { value, env: py.str(pos[0] ?? py.kwargs(node).get('key')) };
  }
  if (node.type === 'attribute') return argparseDefault(py, node, depth) ?? settingsDefault(py, node, depth) ?? {};
  return {};
}

/** The assignment value bound to `name` in the function holding `at` (or at module level). */
function localValue(py: PyFile, name: string, at: PyNode): PyNode | undefined {
  const fn = py.enclosingFunction(at);
  let found: PyNode | undefined;
  walk(fn ? fn.body : py.root, (n) => {
    if (n !== (fn ? fn.body : py.root) && (n.type === 'function_definition' || n.type === 'class_definition'))
      return false;
    if (n.type === 'assignment') {
      const left = field(n, 'left');
      if (left?.type === 'identifier' && py.text(left) === name) found = field(n, 'right') ?? found;
    }
    return true;
  });
  return found ?? py.moduleAssignments.get(name);
}

/** `args.host` where `args = parser.parse_args()`: the `default=` of the `--host` option. */
function argparseDefault(py: PyFile, node: PyNode, depth: number): { value?: string; flag?: string } | undefined {
  const obj = field(node, 'object');
  const attr = field(node, 'attribute');
  if (obj?.type !== 'identifier' || !attr) return undefined;
  const bound = localValue(py, py.text(obj), node);
  if (bound?.type !== 'call' || !/(^|\.)parse_(known_)?args$/.test(py.text(field(bound, 'function') ?? bound)))
    return undefined;
  const dest = py.text(attr);
  for (const c of py.calls) {
    const fnNode = field(c, 'function');
    if (fnNode?.type !== 'attribute' || py.text(field(fnNode, 'attribute') ?? fnNode) !== 'add_argument') continue;
    const names = py
      .positional(c)
      .map((a) => py.str(a))
      .filter((x): x is string => !!x);
    const long = names.find((n) => n.startsWith('--')) ?? names.find((n) => !n.startsWith('-'));
    const own = py.str(py.kwargs(c).get('dest')) ?? long?.replace(/^-+/, '').replace(/-/g, '_');
    if (own !== dest) continue;
    const def = py.kwargs(c).get('default');
    const value = def ? hostValue(py, def, depth + 1).value : undefined;
    return value === undefined ? {} : { value, flag: long?.startsWith('--') ? long : undefined };
  }
  return undefined;
}

/**
 * `settings.host` where `settings = Settings()` and `class Settings(BaseSettings)` (pydantic) in
 * this file declares `host: str = "..."`: the field's default, which the `HOST` environment
 * variable (with the class's `env_prefix`) overrides.
 */
function settingsDefault(py: PyFile, node: PyNode, depth: number): { value?: string; env?: string } | undefined {
  const obj = field(node, 'object');
  const attr = field(node, 'attribute');
  if (obj?.type !== 'identifier' || !attr || depth > 3) return undefined;
  const bound = localValue(py, py.text(obj), node);
  const clsName = bound?.type === 'call' ? py.text(field(bound, 'function') ?? bound) : undefined;
  const fields = clsName ? settingsFields(py, clsName) : undefined;
  if (!fields) return undefined;
  return fields.get(py.text(attr)) ?? {};
}

/** String field defaults of a pydantic `BaseSettings` class of this file, with their environment variables. */
function settingsFields(py: PyFile, clsName: string): Map<string, { value: string; env: string }> | undefined {
  if (!/^[A-Za-z_]\w*$/.test(clsName)) return undefined;
  const cls = py.classes.get(clsName);
  if (!cls) return undefined;
  const bases = field(cls, 'superclasses');
  if (!bases || !named(bases).some((b) => /(^|\.)BaseSettings$/.test(py.qualify(b) ?? py.text(b)))) return undefined;
  const body = field(cls, 'body');
  const assigns: PyNode[] = [];
  for (const stmt of body ? named(body) : []) {
    const a = stmt.type === 'expression_statement' ? named(stmt)[0] : undefined;
    if (a?.type === 'assignment') assigns.push(a);
  }
  let prefix = '';
  for (const a of assigns) {
    const right = field(a, 'right');
    if (py.text(field(a, 'left') ?? a) === 'model_config' && right?.type === 'call') {
      const p = py.str(py.kwargs(right).get('env_prefix'));
      if (p) prefix = p;
    }
  }
  const out = new Map<string, { value: string; env: string }>();
  for (const a of assigns) {
    const left = field(a, 'left');
    const right = field(a, 'right');
    if (left?.type !== 'identifier' || !right) continue;
    const value = py.constStr(right);
    if (value !== undefined) out.set(py.text(left), { value, env: `${prefix}${py.text(left)}`.toUpperCase() });
  }
  return out;
}

/** Module-level settings objects of this file and their field defaults (for the project model). */
export function moduleSettingsDefaults(py: PyFile): Record<string, Record<string, { value: string; env: string }>> {
  const out: Record<string, Record<string, { value: string; env: string }>> = {};
  for (const [name, value] of py.moduleAssignments) {
    if (value.type !== 'call') continue;
    const fields = settingsFields(py, py.text(field(value, 'function') ?? value));
    if (fields?.size) out[name] = Object.fromEntries(fields);
  }
  return out;
}

/**
 * The line of the `except` clause around `node` (in the body of a `try`) that catches one of
 * `errors`: a bare `except:`, `Exception`, `BaseException`, or one of the names (not one that re-raises).
 */
export function catchingHandler(py: PyFile, node: PyNode, errors: string[]): number | undefined {
  for (let n: PyNode = node; n.parent; n = n.parent) {
    const t = n.parent;
    if (t.type === 'function_definition' || t.type === 'class_definition') return undefined;
    if (t.type !== 'try_statement' || n.field !== 'body') continue;
    for (const c of t.children) {
      if (c.type !== 'except_clause' || reraises(c)) continue;
      const names = exceptNames(py, c);
      if (!names.length || names.some((x) => x === 'Exception' || x === 'BaseException' || errors.includes(x)))
        return py.line(c);
    }
  }
  return undefined;
}

/** An `except` whose block ends in `raise` (log and re-raise): the error goes on to the caller. */
function reraises(clause: PyNode): boolean {
  const block = named(clause).find((c) => c.type === 'block');
  const last = block ? named(block).at(-1) : undefined;
  return last?.type === 'raise_statement';
}

/** The exception names an `except` clause lists (`builtins.` dropped); none for a bare `except:`. */
export function exceptNames(py: PyFile, clause: PyNode): string[] {
  return py
    .text(clause)
    .split(':')[0]!
    .replace(/^except\*?/, '')
    .replace(/\bas\s+\w+\s*$/, '')
    .replace(/[()]/g, '')
    .split(',')
    .map((x) => x.trim().replace(/^builtins\./, ''))
    .filter(Boolean);
}

/** Values assigned to `<server>.settings.host` anywhere in the file. */
export function settingsHosts(py: PyFile, server: string): PyNode[] {
  const out: PyNode[] = [];
  for (const a of py.attributes) {
    const asg = a.parent;
    if (asg?.type !== 'assignment' || field(asg, 'left') !== a || py.text(a) !== `${server}.settings.host`) continue;
    const right = field(asg, 'right');
    if (right) out.push(right);
  }
  return out;
}
