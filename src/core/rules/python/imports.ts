/**
 * Name resolution for one Python file: the names each import binds (`t` → `time`, `sleep` →
 * `time.sleep`, `F` → `fastmcp.FastMCP`), qualified names of identifier/attribute chains, and the
 * framework the imports name.
 */
import { field, named, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import type { PyFramework } from './servers';

/** Records the names an `import` / `from ... import` statement binds in `py.imports`. */
export function addImport(py: PyFile, n: PyNode): void {
  if (n.type === 'import_statement') {
    for (const c of named(n)) {
      if (c.type === 'dotted_name') {
        const full = py.text(c);
        const head = full.split('.')[0];
        py.imports.set(head, head);
      } else if (c.type === 'aliased_import') {
        const nm = field(c, 'name');
        const alias = field(c, 'alias');
        if (nm && alias) py.imports.set(py.text(alias), py.text(nm));
      }
    }
    return;
  }
  const mod = field(n, 'module_name');
  if (!mod) return;
  const modText = py.text(mod).replace(/\s+/g, '');
  for (const c of n.children) {
    if (c.field !== 'name') continue;
    if (c.type === 'dotted_name') {
      const nm = py.text(c);
      py.imports.set(nm, `${modText}.${nm}`);
      py.fromImports.set(nm, { name: nm, from: modText });
    } else if (c.type === 'aliased_import') {
      const nm = field(c, 'name');
      const alias = field(c, 'alias');
      if (nm && alias) {
        py.imports.set(py.text(alias), `${modText}.${py.text(nm)}`);
        py.fromImports.set(py.text(alias), { name: py.text(nm), from: modText });
      }
    }
  }
}

/** Qualified dotted name of an identifier/attribute chain, resolving import aliases. */
export function qualifiedName(py: PyFile, node: PyNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') {
    const t = py.text(node);
    return py.imports.get(t) ?? t;
  }
  if (node.type === 'attribute') {
    const obj = qualifiedName(py, field(node, 'object'));
    const attr = field(node, 'attribute');
    return obj && attr ? `${obj}.${py.text(attr)}` : undefined;
  }
  return undefined;
}

/** The framework the imports name, if any. */
export function frameworkFromImports(py: PyFile): PyFramework | undefined {
  if (py.importsFrom('fastmcp')) return 'fastmcp';
  if (
    py.importsFrom('mcp.server.fastmcp') ||
    py.importsFrom('mcp.server.mcpserver') ||
    py.importsFrom('mcp.server.lowlevel') ||
    // A module that builds the SDK's SSE transport for a server made elsewhere (a factory).
    py.importsFrom('mcp.server.sse') ||
    ['mcp.server.MCPServer', 'mcp.server.Server'].includes(
      py.imports.get('MCPServer') ?? py.imports.get('Server') ?? '',
    )
  ) {
    return 'mcp-python-sdk';
  }
  return undefined;
}

/** Names that make a parameter the injected context rather than a user argument. */
const CONTEXT_CLASSES =
  /^(fastmcp(\.server)?(\.context)?|mcp\.server\.fastmcp(\.server)?|mcp\.server\.mcpserver(\.context)?|mcp\.server\.fastmcp\.context)\.Context$/;

/** Whether an annotation names the framework's Context (also `Context[...]`, `Context | None`). */
export function namesContext(py: PyFile, ann: PyNode): boolean {
  let found = false;
  walk(ann, (n) => {
    if (found) return false;
    if (n.type === 'identifier' || n.type === 'attribute') {
      const q = qualifiedName(py, n);
      if (q && CONTEXT_CLASSES.test(q)) found = true;
      return n.type !== 'attribute';
    }
    return true;
  });
  return found;
}

/**
 * fastmcp's dependency injection: a parameter whose default is `Depends(get_client)`,
 * `CurrentContext()`, `Progress()`, `TokenClaim("sub")` (from `fastmcp.dependencies`, or the
 * docket `Depends` it re-exports) is filled by the framework and left out of the input schema
 * (fastmcp 4.0: checked with `Client(mcp).list_tools()`).
 */
const INJECTED_DEFAULTS = /^(fastmcp(\.server)?\.dependencies|docket(\.dependencies)?)\.\w+$/;

/** Whether a parameter default makes the parameter injected by the framework. */
export function isInjectedDefault(py: PyFile, value: PyNode | undefined): boolean {
  if (value?.type !== 'call') return false;
  const q = qualifiedName(py, field(value, 'function'));
  return !!q && INJECTED_DEFAULTS.test(q);
}
