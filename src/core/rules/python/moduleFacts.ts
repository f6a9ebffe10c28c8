/** What one Python file contributes to the project model (ModuleFacts). */
import type { ModuleFacts } from '../types';
import { field, named } from './ast';
import { moduleBindings } from './bindings';
import { blockingFacts, importedCallFacts, importedClientCallFacts } from './blocking';
import { clientFactoryFacts } from './syncClients';
import type { PyFile } from './context';
import { injectingDecorators } from './decorators';
import { cliOnlyImports } from './flow';
import { importedPathCalls, pathParamFacts } from './rules/paths';
import { importedMcpMajor, moduleSettingsDefaults } from './rules/util';
import { externalStarts, fromImportedAs, hasMainBlock } from './servers';

/**
 * Imports and transport starts for the project model. Besides this file's own servers, a start
 * counts when `.run()` (or another start method) is called on a name imported with
 * `from x import name`, or on the result of calling one (`create_server().run()`,
 * `mcp = create_server(); mcp.run()`): that is how runner modules start a server defined elsewhere.
 */
export function moduleFactsOf(py: PyFile): ModuleFacts {
  const imports: ModuleFacts['imports'] = [];
  for (const n of py.importNodes) {
    if (n.type === 'import_statement') {
      for (const c of named(n)) {
        const nm = c.type === 'aliased_import' ? field(c, 'name') : c;
        if (nm?.type === 'dotted_name') imports.push({ from: py.text(nm), names: [] });
      }
    } else if (n.type === 'import_from_statement') {
      const mod = field(n, 'module_name');
      if (!mod) continue;
      const names: string[] = [];
      for (const c of n.children) {
        if (c.field !== 'name') continue;
        const nm = c.type === 'aliased_import' ? field(c, 'name') : c;
        if (nm) names.push(py.text(nm));
      }
      imports.push({ from: py.text(mod).replace(/\s+/g, ''), names });
    }
  }
  const starts: ModuleFacts['starts'] = [];
  const byServer: NonNullable<ModuleFacts['startsByServer']> = {};
  const add = (name: string, t: ModuleFacts['starts'][number]) => (byServer[name] ??= []).push(t);
  for (const s of py.servers) {
    // A server imported by name (`from app.mcp import mcp`) is keyed by the name its module exports.
    const key = s.imported ? fromImportedAs(py, s.name) : s.name;
    for (const st of s.starts) {
      starts.push(st.transport);
      if (key) add(key, st.transport);
    }
  }
  for (const st of externalStarts(py)) {
    starts.push(st.transport);
    if (st.imported) add(st.imported, st.transport);
  }
  const offStdio = cliOnlyImports(py);
  const settings = moduleSettingsDefaults(py);
  const major = importedMcpMajor(py);
  const http = py.servers.filter((s) => s.starts.some((st) => st.transport === 'http'));
  const statelessHttp = http.length > 0 && http.every((s) => s.stateless);
  const blocking = blockingFacts(py);
  const callsImported = importedCallFacts(py);
  const clientFactories = clientFactoryFacts(py);
  const clientCalls = importedClientCallFacts(py);
  const pathParams = pathParamFacts(py);
  const pathCalls = importedPathCalls(py);
  const injects = injectingDecorators(py);
  return {
    imports,
    starts,
    ...(Object.keys(byServer).length ? { startsByServer: byServer } : {}),
    ...(statelessHttp ? { statelessHttp } : {}),
    mainGuard: hasMainBlock(py),
    ...(offStdio.length ? { offStdio } : {}),
    ...(Object.keys(settings).length ? { settingsDefaults: settings } : {}),
    ...(major ? { mcpMajor: major } : {}),
    ...(blocking.size ? { blocking: Object.fromEntries(blocking) } : {}),
    ...(callsImported.length ? { callsImported } : {}),
    ...(Object.keys(clientFactories).length ? { clientFactories } : {}),
    ...(clientCalls.length ? { clientCalls } : {}),
    ...(Object.keys(pathParams).length ? { pathParams } : {}),
    ...(pathCalls.length ? { pathCalls } : {}),
    ...(Object.keys(injects).length ? { injects } : {}),
    bindings: moduleBindings(py),
  };
}
