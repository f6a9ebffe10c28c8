import type { ClientId, InterpolationStyle, Transport } from './types';
import type { JsonStrictness } from './jsonSyntax';

/** What one client accepts in its config files; drives parsing and validation. */
export interface ClientProfile {
  id: ClientId;
  /** Display name used in messages. */
  label: string;
  /** JSON tolerance of the client's reader (JSON-family formats only). */
  strictness: JsonStrictness;
  interpolation: InterpolationStyle;
  /** `type` values the client accepts and what they mean; empty = the client has no `type`. */
  types: Record<string, Transport>;
  /** Keys holding a remote URL, in the client's precedence order. */
  urlKeys: string[];
  /** Whether the client has a `cwd` field. */
  hasCwd: boolean;
  /**
   * Where a stdio server starts when no cwd is given: the workspace folder, or somewhere
   * unrelated to the project (relative paths then break).
   */
  defaultCwd: 'workspace' | 'config-dir' | 'unrelated';
  /** Only VS Code accepts numbers/null as env values. */
  envAllowsNonString: boolean;
  /** Roo: an entry with `url` needs an explicit `type`. */
  urlNeedsType?: boolean;
  /** Transport of a `url` entry without `type`. */
  urlDefault: Transport;
  /** Whether `command` + `url` together is rejected (true) or resolved by preferring `url`. */
  rejectsMixed: boolean;
}

const STD: Record<string, Transport> = { stdio: 'stdio', http: 'http', sse: 'sse' };

function profile(p: Partial<ClientProfile> & Pick<ClientProfile, 'id' | 'label'>): ClientProfile {
  return {
    strictness: 'strict',
    interpolation: 'none',
    types: STD,
    urlKeys: ['url'],
    hasCwd: false,
    defaultCwd: 'unrelated',
    envAllowsNonString: false,
    urlDefault: 'http',
    rejectsMixed: true,
    ...p,
  };
}

/** Every supported client, keyed by id. Sources: config-formats reference §4. */
export const CLIENTS: Record<ClientId, ClientProfile> = {
  vscode: profile({
    id: 'vscode',
    label: 'VS Code',
    strictness: 'jsonc',
    interpolation: 'vscode',
    hasCwd: true,
    defaultCwd: 'workspace',
    envAllowsNonString: true,
    rejectsMixed: false,
  }),
  'claude-desktop': profile({ id: 'claude-desktop', label: 'Claude Desktop', types: {} }),
  'claude-code': profile({ id: 'claude-code', label: 'Claude Code', interpolation: 'posix', defaultCwd: 'workspace' }),
  cursor: profile({
    id: 'cursor',
    label: 'Cursor',
    interpolation: 'cursor',
    types: { stdio: 'stdio', http: 'http', sse: 'sse', 'streamable-http': 'http', streamableHttp: 'http' },
    defaultCwd: 'workspace',
  }),
  windsurf: profile({
    id: 'windsurf',
    label: 'Windsurf',
    interpolation: 'windsurf',
    urlKeys: ['serverUrl', 'url'],
    types: { stdio: 'stdio', http: 'http', sse: 'sse', 'streamable-http': 'http' },
  }),
  'gemini-cli': profile({
    id: 'gemini-cli',
    label: 'Gemini CLI',
    strictness: 'comments',
    interpolation: 'gemini',
    urlKeys: ['httpUrl', 'url'],
    hasCwd: true,
    defaultCwd: 'workspace',
    rejectsMixed: false,
  }),
  zed: profile({ id: 'zed', label: 'Zed', strictness: 'jsonc', types: {}, defaultCwd: 'workspace' }),
  continue: profile({
    id: 'continue',
    label: 'Continue',
    interpolation: 'continue',
    types: { stdio: 'stdio', sse: 'sse', 'streamable-http': 'http' },
    hasCwd: true,
    defaultCwd: 'workspace',
  }),
  cline: profile({
    id: 'cline',
    label: 'Cline',
    types: { stdio: 'stdio', sse: 'sse', streamableHttp: 'http' },
    hasCwd: true,
    urlDefault: 'sse',
  }),
  roo: profile({
    id: 'roo',
    label: 'Roo Code',
    interpolation: 'roo',
    types: { stdio: 'stdio', sse: 'sse', 'streamable-http': 'http' },
    hasCwd: true,
    defaultCwd: 'workspace',
    urlNeedsType: true,
  }),
  codex: profile({ id: 'codex', label: 'Codex', interpolation: 'codex', types: {}, hasCwd: true }),
  fastmcp: profile({
    id: 'fastmcp',
    label: 'FastMCP',
    interpolation: 'fastmcp',
    hasCwd: true,
    defaultCwd: 'config-dir',
  }),
  goose: profile({
    id: 'goose',
    label: 'Goose',
    // `${VAR}` in header values is substituted from envs/env_keys; unset ones stay literal.
    interpolation: 'fastmcp',
    types: {
      stdio: 'stdio',
      streamable_http: 'http',
      sse: 'sse',
      builtin: 'unknown',
      platform: 'unknown',
      frontend: 'unknown',
      inline_python: 'unknown',
    },
    urlKeys: ['uri'],
  }),
  junie: profile({ id: 'junie', label: 'JetBrains Junie', types: {}, defaultCwd: 'workspace' }),
  lmstudio: profile({ id: 'lmstudio', label: 'LM Studio', types: {} }),
  opencode: profile({
    id: 'opencode',
    label: 'opencode',
    strictness: 'jsonc',
    interpolation: 'opencode',
    types: { local: 'stdio', remote: 'http' },
    hasCwd: true,
    defaultCwd: 'workspace',
  }),
  'copilot-cli': profile({
    id: 'copilot-cli',
    label: 'Copilot CLI',
    interpolation: 'posix',
    types: { local: 'stdio', stdio: 'stdio', http: 'http', sse: 'sse' },
    hasCwd: true,
    defaultCwd: 'workspace',
  }),
};

/** All client ids, in display order. */
export const CLIENT_IDS = Object.keys(CLIENTS) as ClientId[];

/** Canonical meaning of `type` spellings across clients, used to suggest the right spelling. */
const SYNONYMS: Record<string, Transport> = {
  stdio: 'stdio',
  local: 'stdio',
  command: 'stdio',
  process: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamablehttp: 'http',
  streamable_http: 'http',
  streamable: 'http',
  remote: 'http',
  https: 'http',
  sse: 'sse',
  'server-sent-events': 'sse',
};

/** The client's own spelling for what `value` most likely means, if any. */
export function suggestType(profile: ClientProfile, value: string): string | undefined {
  const meaning = SYNONYMS[value.toLowerCase()] ?? SYNONYMS[value.toLowerCase().replace(/[\s]/g, '')];
  if (!meaning) return undefined;
  return Object.entries(profile.types).find(([, t]) => t === meaning)?.[0];
}
