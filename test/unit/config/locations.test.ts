import * as assert from 'node:assert/strict';
import { configLocations, locateConfigFile, watchPatterns } from '../../../src/core/config/locations';
import type { DiscoveryOptions } from '../../../src/core/config/types';

function files(opts: Partial<DiscoveryOptions>): string[] {
  return configLocations({
    workspaceFolders: [],
    home: '/home/dana',
    platform: 'linux',
    env: {},
    includeUser: true,
    ...opts,
  }).map((l) => `${l.client} ${l.scope} ${l.file}`);
}

describe('config locations', () => {
  it('workspace files for every client, relative to each folder, with folder attached', () => {
    const locs = configLocations({
      workspaceFolders: ['/ws/a', '/ws/b'],
      home: '/home/dana',
      platform: 'linux',
      env: {},
      includeUser: false,
    });
    const a = locs.filter((l) => l.workspaceFolder === '/ws/a').map((l) => l.file);
    for (const f of [
      '/ws/a/.vscode/mcp.json',
      '/ws/a/.vscode/settings.json',
      '/ws/a/.devcontainer/devcontainer.json',
      '/ws/a/.mcp.json',
      '/ws/a/.cursor/mcp.json',
      '/ws/a/.gemini/settings.json',
      '/ws/a/.zed/settings.json',
      '/ws/a/.roo/mcp.json',
      '/ws/a/.codex/config.toml',
      '/ws/a/fastmcp.json',
      '/ws/a/.junie/mcp/mcp.json',
      '/ws/a/opencode.json',
      '/ws/a/opencode.jsonc',
      '/ws/a/.github/mcp.json',
      '/ws/a/.continue/mcpServers',
    ]) {
      assert.ok(a.includes(f), f);
    }
    assert.ok(locs.some((l) => l.workspaceFolder === '/ws/b' && l.file === '/ws/b/.mcp.json'));
    assert.ok(
      locs.every((l) => l.scope === 'workspace'),
      'includeUser: false reads no user file',
    );
    assert.deepEqual(locs.find((l) => l.file === '/ws/a/.continue/mcpServers')!.suffixes, ['.yaml', '.yml', '.json']);
  });

  it('linux: XDG_CONFIG_HOME and home dot-files', () => {
    const l = files({ env: { XDG_CONFIG_HOME: '/xdg' } });
    for (const f of [
      'vscode user /xdg/Code/User/mcp.json',
      'vscode user /xdg/Code/User/settings.json',
      'claude-desktop user /xdg/Claude/claude_desktop_config.json',
      'claude-code user /home/dana/.claude.json',
      'cursor user /home/dana/.cursor/mcp.json',
      'windsurf user /home/dana/.codeium/windsurf/mcp_config.json',
      'gemini-cli user /home/dana/.gemini/settings.json',
      'zed user /xdg/zed/settings.json',
      'continue user /home/dana/.continue/config.yaml',
      'cline user /xdg/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
      'cline user /xdg/Cursor/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
      'roo user /xdg/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json',
      'codex user /home/dana/.codex/config.toml',
      'goose user /xdg/goose/config.yaml',
      'junie user /home/dana/.junie/mcp/mcp.json',
      'lmstudio user /home/dana/.lmstudio/mcp.json',
      'opencode user /xdg/opencode/opencode.json',
      'copilot-cli user /home/dana/.copilot/mcp-config.json',
    ])
      assert.ok(l.includes(f), f);
    assert.ok(files({}).includes('vscode user /home/dana/.config/Code/User/mcp.json'), 'default XDG is ~/.config');
  });

  it('darwin: Application Support', () => {
    const l = files({ platform: 'darwin', home: '/Users/dana' });
    assert.ok(l.includes('vscode user /Users/dana/Library/Application Support/Code/User/mcp.json'));
    assert.ok(
      l.includes('claude-desktop user /Users/dana/Library/Application Support/Claude/claude_desktop_config.json'),
    );
    assert.ok(l.includes('zed user /Users/dana/.config/zed/settings.json'));
    assert.ok(l.includes('goose user /Users/dana/.config/goose/config.yaml'));
  });

  it('win32: APPDATA, backslashes, env overrides (CODEX_HOME, COPILOT_HOME)', () => {
    const l = files({
      platform: 'win32',
      home: 'C:\\Users\\dana',
      env: { APPDATA: 'D:\\Roaming', CODEX_HOME: 'E:\\codex', COPILOT_HOME: 'E:\\cp' },
    });
    for (const f of [
      'vscode user D:\\Roaming\\Code\\User\\mcp.json',
      'claude-desktop user D:\\Roaming\\Claude\\claude_desktop_config.json',
      'zed user D:\\Roaming\\Zed\\settings.json',
      'goose user D:\\Roaming\\Block\\goose\\config\\config.yaml',
      'cursor user C:\\Users\\dana\\.cursor\\mcp.json',
      'codex user E:\\codex\\config.toml',
      'copilot-cli user E:\\cp\\mcp-config.json',
    ])
      assert.ok(l.includes(f), f);
    const noAppData = files({ platform: 'win32', home: 'C:\\Users\\dana' });
    assert.ok(noAppData.includes('vscode user C:\\Users\\dana\\AppData\\Roaming\\Code\\User\\mcp.json'));
  });

  it('clients filter and claude.json project filter', () => {
    const locs = configLocations({
      workspaceFolders: ['/ws'],
      home: '/h',
      platform: 'linux',
      env: {},
      includeUser: true,
      clients: ['cursor', 'claude-code'],
    });
    assert.deepEqual([...new Set(locs.map((l) => l.client))].sort(), ['claude-code', 'cursor']);
    assert.deepEqual(locs.find((l) => l.format === 'claude-json')!.projects, ['/ws']);
  });

  it('watchPatterns covers the workspace files and the nested walk', () => {
    const w = watchPatterns().workspace;
    for (const p of [
      '.vscode/mcp.json',
      '.mcp.json',
      '.cursor/mcp.json',
      '**/fastmcp.json',
      '**/.mcp.json',
      '*.code-workspace',
      '.codex/config.toml',
    ])
      assert.ok(w.includes(p), p);
  });
});

describe('config locateConfigFile', () => {
  const opts = {
    workspaceFolders: ['/ws'],
    home: '/home/dana',
    platform: 'linux' as const,
    env: {},
    includeUser: true,
  };
  it('maps fixed, folder-entry and nested files to the location discover uses', () => {
    assert.deepEqual(locateConfigFile('/ws/.vscode/mcp.json', opts), {
      file: '/ws/.vscode/mcp.json',
      client: 'vscode',
      format: 'vscode-mcp',
      scope: 'workspace',
      workspaceFolder: '/ws',
    });
    assert.equal(locateConfigFile('/home/dana/.claude.json', opts)!.format, 'claude-json');
    assert.deepEqual(locateConfigFile('/ws/.continue/mcpServers/x.yaml', opts)!.suffixes, undefined);
    assert.equal(locateConfigFile('/ws/team.code-workspace', opts)!.format, 'vscode-workspace');
    assert.deepEqual(locateConfigFile('/ws/services/api/.vscode/mcp.json', opts), {
      file: '/ws/services/api/.vscode/mcp.json',
      client: 'vscode',
      format: 'vscode-mcp',
      scope: 'workspace',
      workspaceFolder: '/ws/services/api',
    });
    assert.equal(locateConfigFile('/ws/a/dev.fastmcp.json', opts)!.workspaceFolder, '/ws/a');
  });
  it('ignores non-config files, skipped folders and files beyond the walk depth', () => {
    assert.equal(locateConfigFile('/ws/package.json', opts), undefined);
    assert.equal(locateConfigFile('/ws/node_modules/x/.mcp.json', opts), undefined);
    assert.equal(locateConfigFile('/ws/1/2/3/4/5/6/7/.mcp.json', opts), undefined);
    assert.ok(locateConfigFile('/ws/1/2/3/4/5/6/.mcp.json', opts));
    assert.equal(locateConfigFile('/elsewhere/.mcp.json', opts), undefined);
  });
  it('Windows paths compare case-insensitively', () => {
    const w = { ...opts, workspaceFolders: ['C:\\Ws'], home: 'C:\\Users\\dana', platform: 'win32' as const };
    assert.equal(locateConfigFile('c:\\ws\\.MCP.json', w)!.client, 'claude-code');
  });
});
