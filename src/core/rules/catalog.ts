import type { Severity } from '../model';
import type { Language, RuleCategory, RuleMeta } from './types';

/**
 * The rule catalogue (ids, titles, categories, languages, default severities), one entry per
 * rule of the MCP server diagnostics catalogue v0.1. Rules whose catalogue severity is
 * "error/warning" use the stronger level here; analyzers lower it per finding with `downgrade`.
 */

/**
 * Base URL of the rule documentation pages. Each rule has `docs/rules/<id>.md` in the
 * repository; the link points at the rendered file on the default branch so it works from the
 * Problems panel, the CLI and SARIF viewers alike.
 */
export const DOCS_BASE_URL = 'https://github.com/mcp-doctor/mcp-doctor/blob/main/docs/rules/';

const PY: Language[] = ['python'];
const TS: Language[] = ['typescript'];
const PY_TS: Language[] = ['python', 'typescript'];
const ALL: Language[] = ['python', 'typescript', 'config'];

function rule(
  id: string,
  title: string,
  category: RuleCategory,
  languages: Language[],
  defaultSeverity: Severity,
): RuleMeta {
  return { id, title, category, languages, defaultSeverity };
}

/** All 49 rules, in catalogue order. */
export const RULES: readonly RuleMeta[] = [
  rule('MCP101', 'Python writes to stdout on a stdio server', 'connection', PY, 'error'),
  rule('MCP102', 'JS/TS writes to stdout on a stdio server', 'connection', TS, 'error'),
  rule('MCP103', 'Child process or stdin read shares the stdio pipe', 'connection', PY_TS, 'warning'),
  rule('MCP104', 'Server never starts a transport', 'connection', PY_TS, 'error'),
  rule('MCP105', 'Synchronous run() called inside a running event loop', 'connection', PY, 'error'),
  rule('MCP106', 'HTTP server bound to loopback inside a container', 'connection', [...PY_TS, 'config'], 'warning'),
  rule('MCP107', 'Streamable HTTP app mounted without its lifespan', 'connection', PY, 'error'),
  rule('MCP108', 'Host/Origin (DNS-rebinding) validation misconfigured', 'connection', PY_TS, 'warning'),
  rule('MCP109', 'CORS does not expose Mcp-Session-Id', 'connection', PY_TS, 'warning'),
  rule(
    'MCP110',
    'Stateful HTTP sessions behind multiple workers/replicas',
    'connection',
    [...PY_TS, 'config'],
    'warning',
  ),
  rule('MCP111', 'One McpServer/transport instance shared across HTTP requests', 'connection', TS, 'error'),
  rule('MCP112', 'connect() / entry promise not awaited or caught', 'connection', TS, 'warning'),
  rule('MCP201', 'Tool parameter schema cannot be derived from the signature', 'serialization', PY, 'error'),
  rule('MCP202', 'Parameter or return type is not JSON-native', 'serialization', PY, 'warning'),
  rule('MCP203', 'Structured-output contract violated', 'serialization', PY_TS, 'error'),
  rule('MCP204', 'Image/binary content helper misused', 'serialization', PY_TS, 'warning'),
  rule('MCP205', 'Schema object given in the form the SDK does not expect', 'serialization', TS, 'error'),
  rule('MCP206', 'zod version incompatible with the installed SDK', 'serialization', ['typescript', 'config'], 'error'),
  rule('MCP207', 'Input schema uses constructs clients reject', 'serialization', PY_TS, 'warning'),
  rule('MCP208', 'Tool handler returns something that is not a tool result', 'serialization', TS, 'error'),
  rule('MCP209', 'Text file I/O without an explicit encoding', 'serialization', PY, 'warning'),
  rule('MCP301', 'Blocking call on the event loop', 'concurrency', PY_TS, 'warning'),
  rule('MCP302', 'Shared mutable state mutated without (the right) lock', 'concurrency', PY_TS, 'warning'),
  rule('MCP401', 'Slow startup delays the initialize response', 'performance', PY_TS, 'warning'),
  rule('MCP402', 'Long-running tool without progress or timeout handling', 'performance', PY_TS, 'info'),
  rule('MCP403', 'Unbounded tool output', 'performance', PY_TS, 'warning'),
  rule('MCP404', 'Per-call resource leak', 'performance', PY_TS, 'warning'),
  rule('MCP501', 'Shell command built from tool input', 'security', PY_TS, 'error'),
  rule('MCP502', 'Filesystem path from tool input without containment', 'security', PY_TS, 'warning'),
  rule('MCP503', 'Network-reachable server without authentication', 'security', [...PY_TS, 'config'], 'warning'),
  rule('MCP504', 'Internal exception details returned to the client', 'security', PY_TS, 'info'),
  rule('MCP505', 'Hard-coded secret in server code or client config', 'security', ALL, 'warning'),
  rule('MCP601', 'Runtime version below the SDK floor', 'config', [...PY_TS, 'config'], 'error'),
  rule(
    'MCP602',
    'Constructor/run() arguments or transport name not accepted by the installed version',
    'config',
    PY,
    'error',
  ),
  rule('MCP603', 'Deprecated HTTP+SSE transport', 'config', ALL, 'warning'),
  rule('MCP604', 'ESM import of an SDK subpath without .js', 'config', TS, 'error'),
  rule('MCP605', '@mcp.tool used without parentheses on a framework that requires them', 'config', PY, 'error'),
  rule('MCP606', 'Deprecated server.tool() overloads', 'config', TS, 'info'),
  rule('MCP607', 'Client launch configuration will not start the server', 'config', ['config'], 'error'),
  rule('MCP701', 'Tool without a description', 'protocol', PY_TS, 'warning'),
  rule('MCP702', 'Duplicate tool names', 'protocol', PY_TS, 'error'),
  rule('MCP703', 'Tool name not portable', 'protocol', PY_TS, 'error'),
  rule('MCP704', 'Resource template parameters do not match the function', 'protocol', PY, 'error'),
  rule('MCP705', 'Tool failure reported as a successful result', 'protocol', PY_TS, 'info'),
  rule('MCP706', 'Server-to-client request on a stateless connection', 'protocol', PY_TS, 'error'),
  rule('MCP707', 'initialize not answered in time', 'protocol', ALL, 'error'),
  rule('MCP708', 'Server process exited or crashed', 'protocol', ALL, 'error'),
  rule('MCP709', 'Protocol version not negotiated', 'protocol', ALL, 'error'),
  rule('MCP710', 'tools/list returns schemas clients will reject', 'protocol', ALL, 'warning'),
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

/** The rule with this id, or undefined for unknown ids. */
export function getRule(id: string): RuleMeta | undefined {
  return BY_ID.get(id);
}

/** Link to the documentation page of a rule (`docs/rules/<id>.md` on the default branch). */
export function docsUrl(id: string): string {
  return `${DOCS_BASE_URL}${encodeURIComponent(id)}.md`;
}
