/**
 * MCP602 for mcp 1.x code that mcp 2 cannot import (checked on mcp 2.3): `mcp.server.fastmcp`
 * (ModuleNotFoundError: FastMCP became MCPServer in mcp.server.mcpserver) and the low-level
 * `Server`'s decorators (`@server.list_tools()`: AttributeError, mcp 2 takes `on_list_tools=`
 * and kin in the constructor). An error when the project gets mcp 2 (lockfile, installed package,
 * exact pin); a warning when the declared range admits mcp 2 and nothing fixes the version, since
 * a fresh install resolves the newest release.
 */
import { field, named, type PyNode } from '../ast';
import type { PyFile } from '../context';
import { lowLevelServers } from '../dispatchers';
import { majorOf, provenPyVersion, pyRangeAdmitsAtLeast } from '../../project/versions';

/** Decorator methods of mcp 1.x's low-level `Server` that mcp 2's `Server` no longer has. */
const V1_DECORATORS = new Set([
  'list_tools',
  'call_tool',
  'list_resources',
  'list_resource_templates',
  'read_resource',
  'subscribe_resource',
  'unsubscribe_resource',
  'list_prompts',
  'get_prompt',
  'set_logging_level',
  'completion',
  'progress_notification',
]);

/** Whether the project runs on mcp 2, and the evidence: proven (error) or admitted by its range (warning). */
function mcp2Evidence(py: PyFile): { severity: 'error' | 'warning'; evidence: string; spec?: string } | undefined {
  const source = py.project.packageSources.get('mcp') ?? 'the project';
  const proven = provenPyVersion(py.project, 'mcp');
  if (proven)
    return (majorOf(proven) ?? 0) >= 2
      ? { severity: 'error', evidence: `the project gets mcp ${proven} (${source})` }
      : undefined;
  const spec = py.project.declared?.get('mcp');
  if (spec === undefined || pyRangeAdmitsAtLeast(spec, '2.0.0') !== true) return undefined;
  return {
    severity: 'warning',
    evidence: `the project's mcp${spec ? spec : ' (no version)'} (${source}) admits mcp 2 and no lockfile or pin fixes the version, so a fresh install resolves the newest release`,
    spec,
  };
}

export function mcpV1OnV2(py: PyFile): void {
  const on2 = mcp2Evidence(py);
  if (!on2) return;
  const cap = on2.spec !== undefined ? `Cap the range (mcp${on2.spec ? `${on2.spec},` : ''}<2)` : 'Pin mcp<2';
  for (const n of py.importNodes) {
    if (!/\bmcp\.server\.fastmcp\b/.test(py.text(n)) || importGuarded(py, n)) continue;
    py.hit(
      'MCP602',
      n,
      `Line ${py.line(n)} imports mcp.server.fastmcp, which mcp 2 no longer has (FastMCP became MCPServer in mcp.server.mcpserver), and ${on2.evidence}: the import raises ModuleNotFoundError and the server never starts. ${cap}, or import MCPServer from mcp.server.mcpserver.`,
      { severity: on2.severity },
    );
  }
  const first = firstV1Decorator(py);
  if (first) {
    // Decorators inside a factory (`def create_server(): @server.list_tools() ...`) run when it does.
    const outer = py.enclosingFunction(first.node);
    const when = outer ? `when ${outer.name}() runs` : 'when the module is imported';
    py.hit(
      'MCP602',
      first.node,
      `@${first.server}.${first.method}() on line ${py.line(first.node)} is the mcp 1.x low-level API: mcp 2's Server has no ${first.method} (AttributeError: 'Server' object has no attribute '${first.method}' ${when}), and ${on2.evidence}: the server never starts. ${cap}, or pass the handlers to Server(..., on_list_tools=..., on_call_tool=...).`,
      { severity: on2.severity },
    );
  }
}

/**
 * An import in a `try` whose `except` takes ImportError (or any exception), or in such an
 * `except` itself: `try: from mcp.server.mcpserver import MCPServer / except ImportError: from
 * mcp.server.fastmcp import FastMCP` runs on either major version.
 */
function importGuarded(py: PyFile, n: PyNode): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'class_definition') return false;
    const tryStmt = p.type === 'try_statement' ? p : p.type === 'except_clause' ? p.parent : undefined;
    if (tryStmt?.type !== 'try_statement') continue;
    const handlers = named(tryStmt).filter((c) => c.type === 'except_clause');
    if (
      handlers.some((h) => {
        const caught = named(h).find((c) => c.type !== 'block' && c.type !== 'comment');
        return !caught || /\b(?:ImportError|ModuleNotFoundError|Exception|BaseException)\b/.test(py.text(caught));
      })
    )
      return true;
  }
  return false;
}

/** The first `@server.list_tools()`-style decorator on a low-level server of the file. */
function firstV1Decorator(py: PyFile): { node: PyNode; server: string; method: string } | undefined {
  const servers = lowLevelServers(py);
  if (!servers.size) return undefined;
  let best: { node: PyNode; server: string; method: string } | undefined;
  for (const fn of py.functions) {
    if (!fn.decorated) continue;
    for (const dec of named(fn.decorated)) {
      const expr = dec.type === 'decorator' ? named(dec)[0] : undefined;
      const callee = expr?.type === 'call' ? field(expr, 'function') : undefined;
      if (callee?.type !== 'attribute') continue;
      const obj = field(callee, 'object');
      const method = py.text(field(callee, 'attribute')!);
      if (!obj || !servers.has(py.text(obj)) || !V1_DECORATORS.has(method)) continue;
      if (!best || dec.start < best.node.start) best = { node: dec, server: py.text(obj), method };
    }
  }
  return best;
}
