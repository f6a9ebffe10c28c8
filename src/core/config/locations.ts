import * as path from 'node:path';
import type { ClientId, ConfigFormat, ConfigLocation, ConfigScope, DiscoveryOptions } from './types';

/** Workspace-relative config files: [relative path, client, format]. Order = display order. */
const WORKSPACE_FILES: [string, ClientId, ConfigFormat][] = [
  ['.vscode/mcp.json', 'vscode', 'vscode-mcp'],
  ['.vscode/settings.json', 'vscode', 'vscode-settings'],
  ['.devcontainer/devcontainer.json', 'vscode', 'vscode-devcontainer'],
  ['.mcp.json', 'claude-code', 'mcp-servers'],
  ['.cursor/mcp.json', 'cursor', 'mcp-servers'],
  ['.gemini/settings.json', 'gemini-cli', 'mcp-servers'],
  ['.zed/settings.json', 'zed', 'zed'],
  ['.roo/mcp.json', 'roo', 'mcp-servers'],
  ['.codex/config.toml', 'codex', 'codex'],
  ['fastmcp.json', 'fastmcp', 'fastmcp'],
  ['.junie/mcp/mcp.json', 'junie', 'mcp-servers'],
  ['opencode.json', 'opencode', 'opencode'],
  ['opencode.jsonc', 'opencode', 'opencode'],
  ['.opencode/opencode.json', 'opencode', 'opencode'],
  ['.opencode/opencode.jsonc', 'opencode', 'opencode'],
  ['.github/mcp.json', 'copilot-cli', 'mcp-servers'],
];

/** Names found by the bounded nested walk (relative to any sub folder). */
export const NESTED_FILES: [string, ClientId, ConfigFormat][] = [
  ['.vscode/mcp.json', 'vscode', 'vscode-mcp'],
  ['.mcp.json', 'claude-code', 'mcp-servers'],
  ['.cursor/mcp.json', 'cursor', 'mcp-servers'],
  ['fastmcp.json', 'fastmcp', 'fastmcp'],
];

/** Folders the nested walk never enters. */
export const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.venv',
  'venv',
  'dist',
  'build',
  '__pycache__',
  '.hg',
  '.svn',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  'out',
  'target',
]);

/** Maximum folder depth of the nested walk (workspace folder = 0). */
export const MAX_WALK_DEPTH = 6;

/** Editors whose `<App>/User` folder may hold VS Code, Cline or Roo configs. */
const VSCODE_APPS = ['Code', 'Code - Insiders', 'VSCodium'];
const FORK_APPS = ['Cursor', 'Windsurf'];

/**
 * Every path to look at, per client and scope, for the given OS. Pure: uses only `opts`
 * (home, env such as APPDATA / XDG_CONFIG_HOME / CODEX_HOME, platform), never the process.
 */
export function configLocations(opts: DiscoveryOptions): ConfigLocation[] {
  const p = opts.platform === 'win32' ? path.win32 : path.posix;
  const env = opts.env ?? {};
  const home = typeof opts.home === 'string' ? opts.home : '';
  const wanted = (c: ClientId) => !opts.clients || opts.clients.length === 0 || opts.clients.includes(c);
  const out: ConfigLocation[] = [];
  const add = (
    file: string,
    client: ClientId,
    format: ConfigFormat,
    scope: ConfigScope,
    extra: Partial<ConfigLocation> = {},
  ) => {
    if (wanted(client)) out.push({ file, client, format, scope, ...extra });
  };

  for (const folder of (opts.workspaceFolders ?? []).filter((f) => typeof f === 'string' && f)) {
    for (const [rel, client, format] of WORKSPACE_FILES)
      add(p.join(folder, ...rel.split('/')), client, format, 'workspace', { workspaceFolder: folder });
    add(folder, 'vscode', 'vscode-workspace', 'workspace', { workspaceFolder: folder, suffixes: ['.code-workspace'] });
    add(folder, 'fastmcp', 'fastmcp', 'workspace', { workspaceFolder: folder, suffixes: ['.fastmcp.json'] });
    add(p.join(folder, '.continue', 'mcpServers'), 'continue', 'continue', 'workspace', {
      workspaceFolder: folder,
      suffixes: ['.yaml', '.yml', '.json'],
    });
  }
  if (!opts.includeUser || !home) return out;

  // Per-OS application-data roots.
  const appData = opts.platform === 'win32' ? env.APPDATA || p.join(home, 'AppData', 'Roaming') : undefined;
  const xdg = env.XDG_CONFIG_HOME && p.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : p.join(home, '.config');
  const appSupport =
    opts.platform === 'win32'
      ? appData!
      : opts.platform === 'darwin'
        ? p.join(home, 'Library', 'Application Support')
        : xdg;
  const userDir = (app: string) => p.join(appSupport, app, 'User');

  for (const app of VSCODE_APPS) {
    add(p.join(userDir(app), 'mcp.json'), 'vscode', 'vscode-mcp', 'user');
    add(p.join(userDir(app), 'settings.json'), 'vscode', 'vscode-settings', 'user');
  }
  for (const app of [...VSCODE_APPS, ...FORK_APPS]) {
    const storage = p.join(userDir(app), 'globalStorage');
    add(
      p.join(storage, 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
      'cline',
      'mcp-servers',
      'user',
    );
    add(p.join(storage, 'rooveterinaryinc.roo-cline', 'settings', 'mcp_settings.json'), 'roo', 'mcp-servers', 'user');
  }
  add(p.join(home, '.cline', 'data', 'settings', 'cline_mcp_settings.json'), 'cline', 'mcp-servers', 'user');

  add(p.join(appSupport, 'Claude', 'claude_desktop_config.json'), 'claude-desktop', 'mcp-servers', 'user');
  add(p.join(home, '.claude.json'), 'claude-code', 'claude-json', 'user', { projects: opts.workspaceFolders });
  add(p.join(home, '.cursor', 'mcp.json'), 'cursor', 'mcp-servers', 'user');
  add(p.join(home, '.codeium', 'windsurf', 'mcp_config.json'), 'windsurf', 'mcp-servers', 'user');
  add(p.join(home, '.codeium', 'mcp_config.json'), 'windsurf', 'mcp-servers', 'user');
  add(p.join(home, '.gemini', 'settings.json'), 'gemini-cli', 'mcp-servers', 'user');
  add(
    opts.platform === 'win32'
      ? p.join(appData!, 'Zed', 'settings.json')
      : p.join(opts.platform === 'darwin' ? p.join(home, '.config') : xdg, 'zed', 'settings.json'),
    'zed',
    'zed',
    'user',
  );
  add(p.join(home, '.continue', 'config.yaml'), 'continue', 'continue', 'user');
  add(p.join(home, '.continue', 'mcpServers'), 'continue', 'continue', 'user', {
    suffixes: ['.yaml', '.yml', '.json'],
  });
  add(p.join(env.CODEX_HOME || p.join(home, '.codex'), 'config.toml'), 'codex', 'codex', 'user');
  add(
    opts.platform === 'win32'
      ? p.join(appData!, 'Block', 'goose', 'config', 'config.yaml')
      : p.join(opts.platform === 'darwin' ? p.join(home, '.config') : xdg, 'goose', 'config.yaml'),
    'goose',
    'goose',
    'user',
  );
  add(p.join(home, '.junie', 'mcp', 'mcp.json'), 'junie', 'mcp-servers', 'user');
  add(p.join(home, '.lmstudio', 'mcp.json'), 'lmstudio', 'mcp-servers', 'user');
  const opencodeDir = p.join(opts.platform === 'win32' ? p.join(home, '.config') : xdg, 'opencode');
  add(p.join(opencodeDir, 'opencode.json'), 'opencode', 'opencode', 'user');
  add(p.join(opencodeDir, 'opencode.jsonc'), 'opencode', 'opencode', 'user');
  if (env.OPENCODE_CONFIG && p.isAbsolute(env.OPENCODE_CONFIG))
    add(env.OPENCODE_CONFIG, 'opencode', 'opencode', 'user');
  add(p.join(env.COPILOT_HOME || p.join(home, '.copilot'), 'mcp-config.json'), 'copilot-cli', 'mcp-servers', 'user');
  return out;
}

/**
 * The location `file` would be read as by `discover` (fixed locations, folder entries such as
 * `*.code-workspace` and `.continue/mcpServers/*`, and nested files inside a workspace
 * folder), or undefined when it is not an MCP config file. Pure: compares paths only.
 */
export function locateConfigFile(file: string, opts: DiscoveryOptions): ConfigLocation | undefined {
  const p = opts.platform === 'win32' ? path.win32 : path.posix;
  const fold = (s: string) => (opts.platform === 'win32' || opts.platform === 'darwin' ? s.toLowerCase() : s);
  const target = fold(p.normalize(file));
  const locations = configLocations(opts);
  const exact = locations.find((l) => !l.suffixes && fold(p.normalize(l.file)) === target);
  if (exact) return exact;
  const dir = fold(p.dirname(p.normalize(file)));
  const name = p.basename(file);
  const inDir = locations.find(
    (l) => l.suffixes && fold(p.normalize(l.file)) === dir && l.suffixes.some((s) => name.endsWith(s)),
  );
  if (inDir) return { ...inDir, file, suffixes: undefined };
  // Nested files found by the walk: inside a workspace folder, not under a skipped folder.
  const folder = (opts.workspaceFolders ?? []).find((f) => target.startsWith(fold(p.normalize(f)) + p.sep));
  if (!folder) return undefined;
  const rel = p.relative(folder, file).split(/[\\/]/);
  const parent = rel.length >= 2 ? rel[rel.length - 2] : '';
  const wanted = (c: ClientId) => !opts.clients || opts.clients.length === 0 || opts.clients.includes(c);
  for (const [relName, client, format] of NESTED_FILES) {
    const parts = relName.split('/');
    const matches =
      parts.length === 2
        ? parent === parts[0] && name === parts[1]
        : name === relName || (relName === 'fastmcp.json' && name.endsWith('.fastmcp.json'));
    if (!matches || !wanted(client)) continue;
    // Same bounds as the walk: depth, skipped folders, hidden folders (except the .vscode/.cursor parent).
    const dirs = rel.slice(0, rel.length - parts.length);
    if (
      dirs.length > MAX_WALK_DEPTH ||
      dirs.some((seg) => SKIPPED_DIRS.has(seg) || (seg.startsWith('.') && seg !== '.github'))
    )
      return undefined;
    const projectDir = parts.length === 2 ? p.dirname(p.dirname(file)) : p.dirname(file);
    return { file, client, format, scope: 'workspace', workspaceFolder: projectDir };
  }
  return undefined;
}

/**
 * Glob patterns, relative to a workspace folder, matching every file `discover` may read in
 * it (for file watchers: a change to any of them should trigger a refresh).
 */
export function watchPatterns(): { workspace: string[] } {
  const files = WORKSPACE_FILES.map(([rel]) => rel);
  return {
    workspace: [
      ...files,
      '*.code-workspace',
      '*.fastmcp.json',
      '.continue/mcpServers/*.{yaml,yml,json}',
      ...NESTED_FILES.map(([rel]) => `**/${rel}`),
    ],
  };
}
