import type { Severity } from './model';

/**
 * The one catalogue of finding codes. Every finding that any path emits (config files, source
 * rules, project rules, runtime checks, the CLI) carries one of these ids, and each id has a
 * documentation page `docs/rules/<id>.md` (a unit test enumerates both). Blocks:
 *
 * - MCP000 MCP Doctor itself failed; MCP0xx client configuration files;
 * - MCP1xx connection, MCP2xx serialization, MCP3xx concurrency, MCP4xx performance,
 *   MCP5xx security, MCP6xx versions and launch configuration (source and project rules);
 * - MCP7xx protocol: handshake, lists, calls and transports, checked statically and at runtime;
 * - MCP8xx authorization (OAuth) of remote servers.
 *
 * Codes that were used before the single scheme are kept as `aliases` (shown in the docs, and
 * accepted by `--rule` and the severity settings).
 */

/** Where a code can come from. `config` is project files (package.json, pyproject, Dockerfile…). */
type CodeSource = 'python' | 'typescript' | 'config' | 'client-config' | 'runtime';

type CodeCategory =
  | 'internal'
  | 'client-config'
  | 'connection'
  | 'serialization'
  | 'concurrency'
  | 'performance'
  | 'security'
  | 'config'
  | 'protocol'
  | 'auth';

/** Static description of a finding code. */
export interface CodeEntry {
  id: string;
  title: string;
  category: CodeCategory;
  sources: readonly CodeSource[];
  defaultSeverity: Severity;
  /** Codes this one had before the single scheme. */
  aliases?: readonly string[];
}

const PY: CodeSource[] = ['python'];
const TS: CodeSource[] = ['typescript'];
const PY_TS: CodeSource[] = ['python', 'typescript'];
const ALL: CodeSource[] = ['python', 'typescript', 'config'];
const CLIENT: CodeSource[] = ['client-config'];
const CLIENT_AND_RUNTIME: CodeSource[] = ['client-config', 'runtime'];
const RUNTIME: CodeSource[] = ['runtime'];
const INTERNAL: CodeSource[] = ['client-config', 'python', 'typescript', 'config'];

function code(
  id: string,
  title: string,
  category: CodeCategory,
  sources: CodeSource[],
  defaultSeverity: Severity,
  aliases?: string[],
): CodeEntry {
  return aliases
    ? { id, title, category, sources, defaultSeverity, aliases }
    : { id, title, category, sources, defaultSeverity };
}

/** Every code, in id order within its block. */
export const CODES: readonly CodeEntry[] = [
  // MCP000: MCP Doctor itself failed (please report)
  code('MCP000', 'MCP Doctor failed to analyse a file', 'internal', INTERNAL, 'error', [
    'internal/parse-failed',
    'internal/analyzer-error',
  ]),

  // MCP0xx: client configuration files (parse, schema, variables, paths); some are also found at launch
  code('MCP001', 'JSON syntax error in a config file', 'client-config', CLIENT, 'error', ['parse/syntax']),
  code('MCP002', 'Trailing comma where the client reads strict JSON', 'client-config', CLIENT, 'error', [
    'parse/trailing-comma',
  ]),
  code('MCP003', 'Comment where the client reads strict JSON', 'client-config', CLIENT, 'error', [
    'parse/comment-not-allowed',
  ]),
  code(
    'MCP004',
    'Invalid escape in a JSON string (Windows path with single backslashes)',
    'client-config',
    CLIENT,
    'error',
    ['parse/invalid-escape'],
  ),
  code('MCP005', 'Config file is empty', 'client-config', CLIENT, 'warning', ['parse/empty']),
  code('MCP006', 'YAML error in a config file', 'client-config', CLIENT, 'error', ['parse/yaml']),
  code('MCP007', 'YAML warning in a config file', 'client-config', CLIENT, 'warning', ['parse/yaml-warning']),
  code('MCP008', 'TOML error in a config file', 'client-config', CLIENT, 'error', ['parse/toml']),
  code('MCP009', 'Duplicate key in a config object', 'client-config', CLIENT, 'warning', ['schema/duplicate-key']),
  code('MCP010', 'Config file is not an object at the top level', 'client-config', CLIENT, 'error', [
    'schema/root-not-object',
  ]),
  code('MCP011', 'Server container is not an object', 'client-config', CLIENT, 'error', ['schema/servers-not-object']),
  code('MCP012', 'Servers under a key the client does not read', 'client-config', CLIENT, 'warning', [
    'schema/wrong-container-key',
  ]),
  code('MCP013', 'Server entry is not an object', 'client-config', CLIENT, 'error', ['schema/server-not-object']),
  code('MCP014', 'Server entry without a name', 'client-config', CLIENT, 'error', ['schema/missing-name']),
  code('MCP015', 'Server entry has neither a command nor a URL', 'client-config', CLIENT, 'error', [
    'schema/no-transport',
  ]),
  code('MCP016', 'Server entry sets both a command and a URL', 'client-config', CLIENT, 'warning', [
    'schema/ambiguous-transport',
  ]),
  code('MCP017', 'URL server without the type the client requires', 'client-config', CLIENT, 'error', [
    'schema/type-required',
  ]),
  code('MCP018', 'Transport type the client does not know', 'client-config', CLIENT, 'error', ['schema/unknown-type']),
  code('MCP019', 'URL server that the client connects to over legacy SSE', 'client-config', CLIENT, 'info', [
    'schema/implicit-sse',
  ]),
  code('MCP020', 'Command is not a string', 'client-config', CLIENT, 'error', ['schema/command-not-string']),
  code('MCP021', 'Command is empty', 'client-config', CLIENT, 'error', ['schema/empty-command']),
  code('MCP022', 'args is not an array of strings', 'client-config', CLIENT, 'error', ['schema/args-not-array']),
  code('MCP023', 'An item of args is not a string', 'client-config', CLIENT, 'error', ['schema/arg-not-string']),
  code('MCP024', 'env is not an object', 'client-config', CLIENT, 'error', ['schema/env-not-object']),
  code('MCP025', 'An env value is not a string', 'client-config', CLIENT, 'error', ['schema/env-value-not-string']),
  code('MCP026', 'headers is not an object', 'client-config', CLIENT, 'error', ['schema/headers-not-object']),
  code('MCP027', 'A header value is not a string', 'client-config', CLIENT, 'error', [
    'schema/header-value-not-string',
  ]),
  code('MCP028', 'Field must be a string', 'client-config', CLIENT, 'error', ['schema/string-expected']),
  code('MCP029', 'Field must be true or false', 'client-config', CLIENT, 'error', ['schema/boolean-expected']),
  code('MCP030', 'Timeout in the wrong unit', 'client-config', CLIENT, 'warning', ['schema/timeout-unit']),
  code('MCP031', 'Unknown key in a server entry', 'client-config', CLIENT, 'warning', ['schema/unknown-key']),
  code('MCP032', 'Field the client rejects for this transport', 'client-config', CLIENT, 'error', [
    'schema/field-not-supported',
  ]),
  code('MCP033', 'Reserved server name', 'client-config', CLIENT, 'warning', ['schema/reserved-name']),
  code('MCP034', 'Server name with an underscore (Gemini CLI)', 'client-config', CLIENT, 'warning', [
    'schema/name-underscore',
  ]),
  code('MCP035', 'Server defined again in a scope that wins', 'client-config', CLIENT, 'info', [
    'schema/shadowed-server',
  ]),
  code('MCP036', 'Server provided by the client itself', 'client-config', CLIENT, 'info', ['schema/managed-by-client']),
  code('MCP037', 'inputs is not an array', 'client-config', CLIENT, 'error', ['schema/inputs-not-array']),
  code('MCP038', 'Invalid input declaration', 'client-config', CLIENT, 'error', ['schema/input-invalid']),
  code('MCP039', 'Input id declared twice', 'client-config', CLIENT, 'warning', ['schema/input-duplicate']),
  code('MCP040', 'fastmcp.json without a source', 'client-config', CLIENT, 'error', ['schema/fastmcp-no-source']),
  code('MCP050', 'Variable not set in the environment', 'client-config', CLIENT, 'warning', ['vars/env-unset']),
  code('MCP051', 'Variable not set and without a default', 'client-config', CLIENT, 'error', [
    'vars/env-unset-no-default',
  ]),
  code('MCP052', 'Secret not in the environment', 'client-config', CLIENT, 'info', ['vars/secret-unset']),
  code('MCP053', '${input:…} without a matching input declaration', 'client-config', CLIENT, 'error', [
    'vars/undeclared-input',
  ]),
  code('MCP054', 'Variable the client does not define', 'client-config', CLIENT, 'warning', ['vars/unknown-variable']),
  code('MCP055', 'Variable syntax the client does not expand', 'client-config', CLIENT, 'warning', [
    'vars/not-interpolated',
  ]),
  code('MCP056', '$NAME that no shell expands', 'client-config', CLIENT, 'warning', ['vars/bare-dollar-not-expanded']),
  code('MCP057', 'Variable only the editor resolves', 'client-config', CLIENT, 'info', ['vars/editor-only']),
  code('MCP058', 'Variable left unresolved at launch', 'client-config', CLIENT_AND_RUNTIME, 'error', [
    'RT-unresolved-variable',
  ]),
  code('MCP060', 'Command path does not exist', 'client-config', CLIENT, 'error', ['path/command-missing']),
  code('MCP061', 'Command not found on PATH', 'client-config', CLIENT_AND_RUNTIME, 'error', [
    'path/command-not-found',
    'RT-command-not-found',
  ]),
  code('MCP062', 'Script passed to the interpreter does not exist', 'client-config', CLIENT, 'error', [
    'path/script-missing',
    'MCP607',
  ]),
  code('MCP063', 'Working directory does not exist', 'client-config', CLIENT_AND_RUNTIME, 'error', [
    'path/cwd-missing',
    'RT-cwd-missing',
  ]),
  code('MCP064', 'envFile does not exist', 'client-config', CLIENT_AND_RUNTIME, 'error', [
    'path/envfile-missing',
    'RT-envfile',
  ]),
  code('MCP065', "Relative path resolved against the client's working directory", 'client-config', CLIENT, 'warning', [
    'path/relative-without-cwd',
  ]),
  code('MCP066', '~ in a path that no shell expands', 'client-config', CLIENT, 'warning', ['path/tilde-not-expanded']),
  code('MCP067', 'Command is a .cmd shim on Windows', 'client-config', CLIENT, 'info', ['path/windows-shim']),
  code('MCP068', 'Control character in a path (single backslashes in JSON)', 'client-config', CLIENT, 'warning', [
    'path/control-char-escape',
  ]),
  code('MCP069', 'Bare python in a project that has its own environment', 'client-config', CLIENT, 'warning'),
  code('MCP080', 'Server URL without http:// or https://', 'client-config', CLIENT_AND_RUNTIME, 'error'),
  code(
    'MCP090',
    'Config file beyond the parse limits (size, nesting, values, time)',
    'client-config',
    CLIENT,
    'error',
    ['io/too-large'],
  ),

  // MCP1xx–MCP6xx: source and project rules; MCP7xx: protocol, checked statically and at runtime
  code('MCP101', 'Python writes to stdout on a stdio server', 'connection', PY, 'error'),
  code('MCP102', 'JS/TS writes to stdout on a stdio server', 'connection', TS, 'error'),
  code('MCP103', 'Child process or stdin read shares the stdio pipe', 'connection', PY_TS, 'warning'),
  code('MCP104', 'Server never starts a transport', 'connection', PY_TS, 'error'),
  code('MCP105', 'Synchronous run() called inside a running event loop', 'connection', PY, 'error'),
  code('MCP106', 'HTTP server bound to loopback inside a container', 'connection', [...PY_TS, 'config'], 'warning'),
  code('MCP107', 'Streamable HTTP app mounted without its lifespan', 'connection', PY, 'error'),
  code('MCP108', 'Host/Origin (DNS-rebinding) validation misconfigured', 'connection', PY_TS, 'warning'),
  code('MCP109', 'CORS does not expose Mcp-Session-Id', 'connection', PY_TS, 'warning'),
  code(
    'MCP110',
    'Stateful HTTP sessions behind multiple workers/replicas',
    'connection',
    [...PY_TS, 'config'],
    'warning',
  ),
  code('MCP111', 'One McpServer/transport instance shared across HTTP requests', 'connection', TS, 'error'),
  code('MCP112', 'connect() / entry promise not awaited or caught', 'connection', TS, 'warning'),
  code('MCP113', 'Low-level server run with raise_exceptions=True over stdio (mcp 2.x)', 'connection', PY, 'warning'),
  code('MCP201', 'Tool parameter schema cannot be derived from the signature', 'serialization', PY, 'error'),
  code('MCP202', 'Parameter or return type is not JSON-native', 'serialization', PY, 'warning'),
  code('MCP203', 'Structured-output contract violated', 'serialization', PY_TS, 'error'),
  code('MCP204', 'Image/binary content helper misused', 'serialization', PY_TS, 'warning'),
  code('MCP205', 'Schema object given in the form the SDK does not expect', 'serialization', TS, 'error'),
  code('MCP206', 'zod version incompatible with the installed SDK', 'serialization', ['typescript', 'config'], 'error'),
  code('MCP207', 'Input schema uses constructs clients reject', 'serialization', PY_TS, 'warning'),
  code('MCP208', 'Tool handler returns something that is not a tool result', 'serialization', TS, 'error'),
  code('MCP209', 'Text file I/O without an explicit encoding', 'serialization', PY, 'warning'),
  code('MCP301', 'Blocking call on the event loop', 'concurrency', PY_TS, 'warning'),
  code('MCP302', 'Shared mutable state mutated without (the right) lock', 'concurrency', PY_TS, 'warning'),
  code('MCP401', 'Slow startup delays the initialize response', 'performance', PY_TS, 'warning'),
  code('MCP402', 'Long-running tool without progress or timeout handling', 'performance', PY_TS, 'info'),
  code('MCP403', 'Unbounded tool output', 'performance', PY_TS, 'warning'),
  code('MCP404', 'Per-call resource leak', 'performance', PY_TS, 'warning'),
  code('MCP501', 'Shell command built from tool input', 'security', PY_TS, 'error'),
  code('MCP502', 'Filesystem path from tool input without containment', 'security', PY_TS, 'warning'),
  code('MCP503', 'Network-reachable server without authentication', 'security', [...PY_TS, 'config'], 'warning'),
  code('MCP504', 'Internal exception details returned to the client', 'security', PY_TS, 'info'),
  code('MCP505', 'Hard-coded secret in server code or client config', 'security', ALL, 'warning'),
  code('MCP601', 'Runtime version below the SDK floor', 'config', [...PY_TS, 'config'], 'error'),
  code(
    'MCP602',
    'Import, constructor/run() argument or transport name not accepted by the installed version',
    'config',
    PY,
    'error',
  ),
  code('MCP603', 'Deprecated HTTP+SSE transport', 'config', ALL, 'warning'),
  code('MCP604', 'ESM import of an SDK subpath without .js', 'config', TS, 'error'),
  code('MCP605', '@mcp.tool used without parentheses on a framework that requires them', 'config', PY, 'error'),
  code('MCP606', 'Deprecated server.tool() overloads', 'config', TS, 'info'),
  code('MCP608', 'fastmcp.json entrypoint that fastmcp run cannot run', 'config', ['config'], 'error'),
  code(
    'MCP609',
    'fastmcp.json in a project whose dependencies do not declare fastmcp',
    'config',
    ['config'],
    'warning',
  ),
  code('MCP701', 'Tool without a description', 'protocol', PY_TS, 'warning'),
  code('MCP702', 'Duplicate tool names', 'protocol', PY_TS, 'error'),
  code('MCP703', 'Tool name not portable', 'protocol', PY_TS, 'error'),
  code('MCP704', 'Resource template parameters do not match the function', 'protocol', PY, 'error'),
  code('MCP705', 'Tool failure reported as a successful result', 'protocol', PY_TS, 'info'),
  code('MCP706', 'Server-to-client request the connection cannot carry', 'protocol', PY_TS, 'error'),
  code('MCP707', 'initialize not answered in time', 'protocol', ALL, 'error'),
  code('MCP708', 'Server process exited or crashed', 'protocol', ALL, 'error'),
  code('MCP709', 'Protocol version not negotiated', 'protocol', ALL, 'error'),
  code('MCP710', 'tools/list returns schemas clients will reject', 'protocol', ALL, 'warning'),
  code('MCP711', 'initialize failed', 'protocol', RUNTIME, 'error', ['RT-initialize-failed']),
  code('MCP712', 'Server closed its stdout but keeps running', 'protocol', RUNTIME, 'error', ['RT-stdout-closed']),
  code('MCP713', 'stdout line that is not a JSON-RPC 2.0 message', 'protocol', RUNTIME, 'error', [
    'RT-invalid-message',
  ]),
  code('MCP714', 'Message above the line size cap', 'protocol', RUNTIME, 'error', ['RT-message-too-large']),
  code('MCP715', 'A declared list method failed', 'protocol', RUNTIME, 'warning', ['RT-list-failed']),
  code('MCP716', 'Tool call failed with a JSON-RPC error', 'protocol', RUNTIME, 'warning', ['RT-jsonrpc-error']),
  code('MCP717', 'Tool call timed out', 'protocol', RUNTIME, 'warning', ['RT-call-timeout']),
  code('MCP718', 'Tool result too large for clients', 'protocol', RUNTIME, 'warning', ['RT-large-result']),
  code('MCP719', 'Server memory grows steadily', 'protocol', RUNTIME, 'warning', ['RT-memory-growth']),
  code('MCP720', 'HTTP error status from the server', 'protocol', RUNTIME, 'error', ['RT-http-status']),
  code('MCP721', 'Cannot connect to the server URL', 'protocol', RUNTIME, 'error', ['RT-http-unreachable']),
  code('MCP722', 'Connection closed without an HTTP response', 'protocol', RUNTIME, 'error', ['RT-http-dropped']),
  code('MCP723', 'Server lost its own Mcp-Session-Id', 'protocol', RUNTIME, 'error', ['RT-http-session-lost']),
  code('MCP724', 'Stdout bytes that are not valid UTF-8', 'protocol', RUNTIME, 'error'),
  code('MCP725', 'Server reports an environment variable that is not set', 'protocol', RUNTIME, 'warning'),

  // MCP740–MCP769: the two eras of the protocol (2025 revisions and the stateless 2026-07-28)
  code('MCP740', 'Server exits on server/discover before initialize', 'protocol', RUNTIME, 'warning'),
  code('MCP741', 'Server speaks only the 2025 era', 'protocol', RUNTIME, 'info'),
  code('MCP742', 'Server speaks only the 2026-07-28 era', 'protocol', RUNTIME, 'warning'),
  code('MCP743', 'Tool works in one protocol era and fails in the other', 'protocol', RUNTIME, 'warning'),
  code('MCP744', 'Feature deprecated by the 2026-07-28 revision in use', 'protocol', RUNTIME, 'info'),
  code('MCP746', 'Request rejected for a header that does not match its body (-32020)', 'protocol', RUNTIME, 'error'),
  code('MCP747', 'Request rejected for its protocol version after connecting (-32022)', 'protocol', RUNTIME, 'error'),
  code('MCP748', 'Request rejected for its _meta envelope (-32602)', 'protocol', RUNTIME, 'error'),
  code('MCP749', 'Server does not speak the protocol era that was asked for', 'protocol', RUNTIME, 'warning'),

  // MCP770–MCP789: the client features a server asks for (elicitation, sampling, roots…)
  code('MCP770', 'Tool asked the client for input and that request failed', 'protocol', RUNTIME, 'error'),

  // ---- MCP8xx authorization (OAuth) of remote servers
  code('MCP801', 'Sign-in required and not completed', 'auth', RUNTIME, 'error'),
  code('MCP802', 'No protected resource metadata', 'auth', RUNTIME, 'error'),
  code('MCP803', 'Protected resource metadata names another resource', 'auth', RUNTIME, 'error'),
  code('MCP804', 'Authorization server without PKCE S256', 'auth', RUNTIME, 'error'),
  code('MCP805', 'Dynamic client registration rejected', 'auth', RUNTIME, 'error'),
  code('MCP806', 'No way to identify the client', 'auth', RUNTIME, 'error'),
  code('MCP807', 'Redirect URI not allowed', 'auth', RUNTIME, 'error'),
  code('MCP808', 'Token issued for another audience', 'auth', RUNTIME, 'error'),
  code('MCP809', 'Scope never granted (step-up limit reached)', 'auth', RUNTIME, 'error'),
  code('MCP810', 'Server rejects a fresh token', 'auth', RUNTIME, 'error'),
  code('MCP811', 'No authorization server metadata', 'auth', RUNTIME, 'error'),
  code('MCP812', 'Token request rejected', 'auth', RUNTIME, 'error'),
  code('MCP813', 'Authorization answered with an error', 'auth', RUNTIME, 'error'),
  code('MCP814', 'Authorization server issuer mismatch', 'auth', RUNTIME, 'error'),
];

const BY_ID = new Map<string, CodeEntry>();
for (const c of CODES) {
  BY_ID.set(c.id, c);
  for (const a of c.aliases ?? []) BY_ID.set(a, c);
}

/** The entry of a code (or of one of its old aliases); undefined for unknown codes. */
export function getCode(id: string): CodeEntry | undefined {
  return BY_ID.get(id);
}

/**
 * Base URL of the documentation pages: `docs/rules/<id>.md` in the repository, rendered on the
 * default branch, so the link works from the Problems panel, the CLI and SARIF viewers alike.
 */
export const DOCS_BASE_URL = 'https://github.com/mcp-doctor/mcp-doctor/blob/main/docs/rules/';

/** Link to the documentation page of a code. */
export function docsUrl(id: string): string {
  return `${DOCS_BASE_URL}${encodeURIComponent(getCode(id)?.id ?? id)}.md`;
}
