import type { Finding, Range } from '../model';

/** Which MCP client owns a config file. */
export type ClientId =
  | 'vscode'
  | 'claude-desktop'
  | 'claude-code'
  | 'cursor'
  | 'windsurf'
  | 'gemini-cli'
  | 'zed'
  | 'continue'
  | 'cline'
  | 'roo'
  | 'codex'
  | 'fastmcp'
  | 'goose'
  | 'junie'
  | 'lmstudio'
  | 'opencode'
  | 'copilot-cli';

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
  /** Variable syntax of the owning client (set by the parser; `resolveVariables` uses it). */
  interpolation?: InterpolationStyle;
  /** False when the owning client would not start this entry (invalid entry, rejected file). */
  valid?: boolean;
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
  /** VS Code `inputs` declared in this file (mcp.json, settings `mcp` block, .code-workspace). */
  inputs?: InputDeclaration[];
  /** Parser that was used. */
  format?: ConfigFormat;
  /** Where the file was found (pass it back to `parseConfigText` to re-parse unsaved text). */
  location?: ConfigLocation;
}

/* ----------------------------------------------------------------------------------------
 * Additions by the config area (all optional / new types; nothing above changed).
 * -------------------------------------------------------------------------------------- */

/** A VS Code `inputs[]` declaration (`${input:id}` is resolved by prompting). */
export interface InputDeclaration {
  id: string;
  /** `promptString` | `pickString` | `command` (as written). */
  type: string;
  description?: string;
  password?: boolean;
  options?: string[];
  default?: string;
}

/** Which variable syntax a server's values use (decides what `resolveVariables` expands). */
export type InterpolationStyle =
  | 'vscode' // ${workspaceFolder} ${userHome} ${env:X} ${input:id} ${/} ...
  | 'posix' // ${VAR} ${VAR:-default} (Claude Code, Copilot CLI, VS Code portable .mcp.json)
  | 'gemini' // $VAR ${VAR} ${VAR:-default}; unset => ''
  | 'cursor' // ${env:X} ${userHome} ${workspaceFolder} ${workspaceFolderBasename} ${/}
  | 'windsurf' // ${env:X} ${file:/path}
  | 'roo' // ${env:X} ${workspaceFolder}
  | 'opencode' // {env:X} {file:path}
  | 'continue' // ${{ secrets.X }} ${{ inputs.X }}
  | 'fastmcp' // ${VAR} (deployment.env only)
  | 'codex' // no user interpolation; only the ${env:X} the parser synthesizes from env_vars / *_env_var
  | 'none';

/** How the bytes of a config file are parsed; one parser per format. */
export type ConfigFormat =
  | 'vscode-mcp' // { servers, inputs } (JSONC)
  | 'vscode-settings' // settings.json → "mcp": { servers, inputs }
  | 'vscode-workspace' // *.code-workspace → settings.mcp
  | 'vscode-devcontainer' // .devcontainer/devcontainer.json → customizations.vscode.mcp
  | 'mcp-servers' // { mcpServers: { name: {...} } } (Claude Desktop, .mcp.json, Cursor, Windsurf, Gemini, Cline, Roo, Junie, LM Studio, Copilot CLI)
  | 'claude-json' // ~/.claude.json: top-level mcpServers + projects[path].mcpServers
  | 'zed' // context_servers
  | 'continue' // YAML (config.yaml / block files) or JSON drop-ins in .continue/mcpServers/
  | 'codex' // TOML [mcp_servers.<name>]
  | 'opencode' // mcp.<name> (v1) or mcp.servers.<name> (v2)
  | 'goose' // YAML extensions.<id>
  | 'fastmcp'; // fastmcp.json (one launchable server)

/** One place to look for a config file. Produced by `configLocations`, consumed by `discover`. */
export interface ConfigLocation {
  /** Absolute path of the file; when `suffixes` is set, the directory whose entries are read. */
  file: string;
  client: ClientId;
  scope: ConfigScope;
  format: ConfigFormat;
  /** Workspace folder this location belongs to (workspace scope). */
  workspaceFolder?: string;
  /** `file` is a directory: read every regular file in it whose name ends with one of these. */
  suffixes?: string[];
  /** For `claude-json`: only read `projects[<path>]` entries for these folders (all when absent). */
  projects?: string[];
}

/** Input of `configLocations` / `discover`. Nothing is read from the real process. */
export interface DiscoveryOptions {
  workspaceFolders: string[];
  home: string;
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Also read user-scope files (home folder, app data). */
  includeUser: boolean;
  /** Only these clients (all when absent or empty). */
  clients?: ClientId[];
  /** Report commands not on PATH and script arguments that do not exist. */
  checkCommands?: boolean;
  /** Injectable PATH lookup (tests); defaults to the real `findOnPath`. */
  findOnPath?: (command: string) => string | undefined;
  /** Injectable existence check (tests); defaults to `fs.existsSync`. */
  fileExists?: (path: string) => boolean;
  /** Bounded walk for nested fastmcp.json / .mcp.json / .vscode/mcp.json / .cursor/mcp.json (default true). */
  walk?: boolean;
}
