import type { Finding, Range } from '../model';

/** Which MCP client owns a config file. */
export type ClientId =
  | 'vscode' | 'claude-desktop' | 'claude-code' | 'cursor' | 'windsurf' | 'gemini-cli' | 'zed'
  | 'continue' | 'cline' | 'roo' | 'codex' | 'fastmcp' | 'goose' | 'junie' | 'lmstudio'
  | 'opencode' | 'copilot-cli';

/** `http` means Streamable HTTP, falling back to SSE (what VS Code does for `type: "http"`). */
export type Transport = 'stdio' | 'http' | 'sse' | 'unknown';

export type ConfigScope = 'workspace' | 'user' | 'project-local';

/** One server entry from one config file, normalized across all client formats. */
export interface ServerConfig {
  /** Stable id: `${client}:${file}#${name}`. */
  id: string;
  name: string;
  client: ClientId;
  /** Absolute path of the config file. */
  file: string;
  scope: ConfigScope;
  /** Range of the server's key (or list item) in the config file. */
  range: Range;
  transport: Transport;
  command?: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  envFile?: string;
  url?: string;
  headers?: Record<string, string>;
  disabled: boolean;
  /** Variables (`${input:x}`, `${env:X}`...) that are still unresolved after interpolation. */
  unresolved: string[];
  /** Workspace folder the config belongs to, for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
  /** The entry exactly as written, for display and reports (never executed). */
  raw: unknown;
}

/** The result of reading one config file. Never thrown: every problem becomes a finding. */
export interface ConfigFileResult {
  file: string;
  client: ClientId;
  scope: ConfigScope;
  /** False when the owning client would reject the whole file (strict JSON with comments...). */
  accepted: boolean;
  servers: ServerConfig[];
  findings: Finding[];
}
