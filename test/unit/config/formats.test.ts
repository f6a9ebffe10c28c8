import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfigText } from '../../../src/core/config/parse';
import type { ClientId, ConfigFormat, Transport } from '../../../src/core/config/types';
import { codes, only, parseFixture, parseText } from './helpers';

/** Env that defines every variable the valid fixtures reference, so they are error-free. */
const ENV = {
  DATABASE_URL: 'postgres://x',
  INTERNAL_MCP_TOKEN: 't',
  TRACKER_TOKEN: 't',
  PARTNER_API_KEY: 'k',
  INVENTORY_DB: 'db',
  STATUS_TOKEN: 's',
  GITHUB_TOKEN: 'g',
  DOCS_MCP_TOKEN: 'd',
  HOME: '/home/dana',
  NOTES_TOKEN: 'n',
  DB_USER: 'u',
  DB_HOST: 'h',
  OPENAI_API_KEY: 'o',
  FIGMA_OAUTH_TOKEN: 'f',
  INVENTORY_TOKEN: 'i',
  DOCS_TOKEN: 'd',
};

type Row = [string, ClientId, ConfigFormat, [name: string, transport: Transport, disabled?: boolean][]];

const VALID: Row[] = [
  [
    'valid/vscode/.vscode/mcp.json',
    'vscode',
    'vscode-mcp',
    [
      ['workspaceFiles', 'stdio'],
      ['webFetch', 'stdio'],
      ['inventoryDev', 'stdio'],
      ['github', 'http'],
      ['legacyDocs', 'sse'],
    ],
  ],
  [
    'valid/vscode/user-profile/mcp.json',
    'vscode',
    'vscode-mcp',
    [
      ['memory', 'stdio'],
      ['context7', 'http'],
    ],
  ],
  ['valid/vscode/legacy-settings/settings.json', 'vscode', 'vscode-settings', [['time', 'stdio']]],
  [
    'valid/claude-desktop/claude_desktop_config.json',
    'claude-desktop',
    'mcp-servers',
    [
      ['filesystem', 'stdio'],
      ['fetch', 'stdio'],
      ['weather', 'stdio'],
    ],
  ],
  [
    'valid/claude-code/.mcp.json',
    'claude-code',
    'mcp-servers',
    [
      ['postgres', 'stdio'],
      ['notes', 'stdio'],
      ['sentry', 'http'],
      ['internal-api', 'http'],
    ],
  ],
  [
    'valid/claude-code/dot-claude.json',
    'claude-code',
    'claude-json',
    [
      ['fetch', 'stdio'],
      ['stripe', 'http'],
      ['scratch', 'stdio'],
    ],
  ],
  [
    'valid/cursor/.cursor/mcp.json',
    'cursor',
    'mcp-servers',
    [
      ['filesystem', 'stdio'],
      ['issues', 'stdio'],
      ['linear', 'http'],
      ['partner-api', 'http'],
    ],
  ],
  [
    'valid/windsurf/mcp_config.json',
    'windsurf',
    'mcp-servers',
    [
      ['github', 'stdio'],
      ['fetch', 'stdio', true],
      ['docs-search', 'http'],
      ['ci-status', 'http'],
    ],
  ],
  [
    'valid/gemini-cli/.gemini/settings.json',
    'gemini-cli',
    'mcp-servers',
    [
      ['repoTools', 'stdio'],
      ['bigquery', 'http'],
      ['weather', 'http'],
      ['experimental', 'sse'],
    ],
  ],
  [
    'valid/zed/.zed/settings.json',
    'zed',
    'zed',
    [
      ['filesystem', 'stdio'],
      ['fetch', 'stdio', true],
      ['linear', 'http'],
      ['postgres-context-server', 'unknown'],
    ],
  ],
  [
    'valid/continue/config.yaml',
    'continue',
    'continue',
    [
      ['SQLite', 'stdio'],
      ['Remote docs', 'http'],
      ['Legacy events', 'sse'],
    ],
  ],
  [
    'valid/continue/.continue/mcpServers/playwright.yaml',
    'continue',
    'continue',
    [
      ['Playwright', 'stdio'],
      ['Inventory (local dev)', 'stdio'],
    ],
  ],
  [
    'valid/cline/cline_mcp_settings.json',
    'cline',
    'mcp-servers',
    [
      ['filesystem', 'stdio'],
      ['fetch', 'stdio', true],
      ['remote-kb', 'http'],
      ['legacy-sse', 'sse'],
    ],
  ],
  [
    'valid/roo-code/.roo/mcp.json',
    'roo',
    'mcp-servers',
    [
      ['project-fs', 'stdio'],
      ['inventory', 'stdio'],
      ['status-page', 'http'],
    ],
  ],
  [
    'valid/codex-cli/.codex/config.toml',
    'codex',
    'codex',
    [
      ['filesystem', 'stdio'],
      ['fetch', 'stdio', true],
      ['notes', 'stdio'],
      ['figma', 'http'],
    ],
  ],
  [
    'valid/opencode/opencode.jsonc',
    'opencode',
    'opencode',
    [
      ['filesystem', 'stdio'],
      ['notes', 'stdio'],
      ['context7', 'http'],
      ['jira', 'http', true],
    ],
  ],
  [
    'valid/opencode/opencode.v2.jsonc',
    'opencode',
    'opencode',
    [
      ['everything', 'stdio'],
      ['fetch', 'stdio', true],
    ],
  ],
  [
    'valid/jetbrains-junie/.junie/mcp/mcp.json',
    'junie',
    'mcp-servers',
    [
      ['filesystem', 'stdio'],
      ['fetch', 'stdio'],
    ],
  ],
  [
    'valid/lm-studio/mcp.json',
    'lmstudio',
    'mcp-servers',
    [
      ['hf-mcp-server', 'http'],
      ['filesystem', 'stdio'],
      ['fetch', 'stdio'],
    ],
  ],
  [
    'valid/goose/config.yaml',
    'goose',
    'goose',
    [
      ['developer', 'unknown'],
      ['filesystem', 'stdio'],
      ['fetch', 'stdio', true],
      ['github', 'http'],
    ],
  ],
  [
    'valid/copilot-cli/mcp-config.json',
    'copilot-cli',
    'mcp-servers',
    [
      ['playwright', 'stdio'],
      ['context7', 'http'],
    ],
  ],
  ['valid/fastmcp/fastmcp.json', 'fastmcp', 'fastmcp', [['fastmcp', 'http']]],
];

describe('config formats: valid files', () => {
  for (const [rel, client, format, expected] of VALID) {
    it(`${client}: ${rel} parses into the expected servers, with no errors`, () => {
      const r = parseFixture(rel, client, format, { env: ENV });
      assert.equal(r.accepted, true);
      assert.deepEqual(
        r.servers.map((s) => [s.name, s.transport, s.disabled]),
        expected.map(([n, t, d]) => [n, t, d ?? false]),
      );
      assert.deepEqual(
        r.findings.filter((f) => f.severity === 'error'),
        [],
      );
      for (const s of r.servers) {
        assert.equal(s.client, client);
        assert.equal(s.id, `${client}:${r.file}#${s.name}`);
        assert.ok(s.range.start.line > 0 || format === 'fastmcp', `${s.name} has a key range`);
      }
    });
  }

  it('vscode: reads inputs, keeps values as written, lists what still needs resolving', () => {
    const r = parseFixture('valid/vscode/.vscode/mcp.json', 'vscode', 'vscode-mcp', { env: ENV });
    assert.deepEqual(r.inputs, [
      {
        id: 'github-pat',
        type: 'promptString',
        description: 'GitHub personal access token (repo:read)',
        password: true,
      },
      {
        id: 'log-level',
        type: 'pickString',
        description: 'Server log level',
        options: ['debug', 'info', 'warn'],
        default: 'info',
      },
    ]);
    const dev = r.servers.find((s) => s.name === 'inventoryDev')!;
    assert.equal(dev.command, '${workspaceFolder}/.venv/bin/python');
    assert.equal(dev.cwd, '${workspaceFolder}/services/inventory');
    assert.equal(dev.envFile, '${workspaceFolder}/.env');
    assert.deepEqual(dev.env, { INVENTORY_DB: '${env:INVENTORY_DB}', PAGE_SIZE: '50' });
    assert.deepEqual(dev.unresolved, []);
    assert.deepEqual(r.servers.find((s) => s.name === 'github')!.unresolved, ['${input:github-pat}']);
    assert.equal(r.servers.find((s) => s.name === 'github')!.headers!.Authorization, 'Bearer ${input:github-pat}');
    assert.equal(dev.interpolation, 'vscode');
    // The key range points at "inventoryDev" on line 32 (0-based 31).
    assert.deepEqual(dev.range.start, { line: 31, character: 4 });
  });

  it('claude-json: user servers plus only the matching project entries', () => {
    const file = 'valid/claude-code/dot-claude.json';
    const all = parseFixture(file, 'claude-code', 'claude-json', {}, 'user');
    assert.deepEqual(
      all.servers.map((s) => `${s.name}:${s.scope}`),
      ['fetch:user', 'stripe:project-local', 'scratch:project-local'],
    );
    assert.equal(all.servers[1].workspaceFolder, '/home/dana/code/shop-api');
    const abs = path.join(__dirname, '../../fixtures/configs', file);
    const other = parseConfigText(abs, fs.readFileSync(abs, 'utf8'), {
      file: abs,
      client: 'claude-code',
      format: 'claude-json',
      scope: 'user',
      projects: ['/somewhere/else'],
    });
    assert.deepEqual(
      other.servers.map((s) => s.name),
      ['fetch'],
    );
  });

  it('codex: synthesizes headers from bearer_token_env_var / env_http_headers and forwards env_vars', () => {
    const r = parseFixture('valid/codex-cli/.codex/config.toml', 'codex', 'codex', { env: ENV });
    const figma = r.servers.find((s) => s.name === 'figma')!;
    assert.deepEqual(figma.headers, {
      'X-Figma-Region': 'us-east-1',
      Authorization: 'Bearer ${env:FIGMA_OAUTH_TOKEN}',
      'X-Team-Id': '${env:FIGMA_TEAM_ID}',
    });
    const notes = r.servers.find((s) => s.name === 'notes')!;
    assert.deepEqual(notes.env, { NOTES_DIR: '/home/dana/notes', OPENAI_API_KEY: '${env:OPENAI_API_KEY}' });
    assert.equal(notes.cwd, '/home/dana/code/notes');
    // The TOML locator gives real positions: the [mcp_servers.notes] header is on line 15.
    assert.equal(notes.range.start.line, 14);
  });

  it('opencode: the command array is split into command + args; environment becomes env', () => {
    const r = parseFixture('valid/opencode/opencode.jsonc', 'opencode', 'opencode', { env: ENV });
    const notes = r.servers.find((s) => s.name === 'notes')!;
    assert.equal(notes.command, 'fastmcp');
    assert.deepEqual(notes.args, ['run', 'tools/notes_server.py:mcp']);
    assert.deepEqual(notes.env, { NOTES_TOKEN: '{env:NOTES_TOKEN}' });
  });

  it('continue: requestOptions.headers become headers; goose: cmd/envs/uri are understood', () => {
    const c = parseFixture('valid/continue/config.yaml', 'continue', 'continue', { env: ENV });
    assert.deepEqual(c.servers[1].headers, { Authorization: 'Bearer ${{ secrets.DOCS_TOKEN }}' });
    assert.equal(c.servers[1].url, 'https://docs-mcp.example.com/mcp');
    const g = parseFixture('valid/goose/config.yaml', 'goose', 'goose');
    const gh = g.servers.find((s) => s.name === 'github')!;
    assert.equal(gh.url, 'https://api.githubcopilot.com/mcp/');
    assert.equal(g.servers.find((s) => s.name === 'filesystem')!.command, 'npx');
    assert.ok(only(g, 'MCP036').some((f) => f.server === 'developer'));
  });

  it('fastmcp: one launchable server (fastmcp run <file>) plus the URL it serves', () => {
    const r = parseFixture('valid/fastmcp/fastmcp.json', 'fastmcp', 'fastmcp', { env: ENV });
    const s = r.servers[0];
    assert.equal(s.command, 'fastmcp');
    assert.deepEqual(s.args, ['run', 'fastmcp.json']);
    assert.equal(s.url, 'http://127.0.0.1:8765/mcp/');
    assert.equal(s.env!.APP_ENV, 'development');
  });

  it('zed: legacy "command": { path, args, env } is normalized', () => {
    const r = parseText(
      '{ "context_servers": { "old": { "command": { "path": "uvx", "args": ["mcp-server-fetch"], "env": { "A": "1" } }, "settings": {} } } }',
      'zed',
      'zed',
    );
    assert.deepEqual(
      [r.servers[0].command, r.servers[0].args, r.servers[0].env, r.servers[0].transport],
      ['uvx', ['mcp-server-fetch'], { A: '1' }, 'stdio'],
    );
  });

  it('vscode: settings .code-workspace "settings.mcp" block is read', () => {
    const r = parseText(
      '{ "folders": [{ "path": "." }], "settings": { "mcp": { "servers": { "w": { "command": "node", "args": ["s.js"] } } } } }',
      'vscode',
      'vscode-workspace',
      {},
      '/ws/x.code-workspace',
    );
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['w'],
    );
  });

  it('vscode: devcontainer.json "customizations.vscode.mcp" block is read (JSONC)', () => {
    const r = parseText(
      '{ // dev container\n "customizations": { "vscode": { "mcp": { "servers": { "d": { "command": "node", }, }, }, }, }, }',
      'vscode',
      'vscode-devcontainer',
      {},
      '/ws/.devcontainer/devcontainer.json',
    );
    assert.deepEqual([r.accepted, r.servers.map((s) => s.name)], [true, ['d']]);
  });

  it('vscode: an "mcpServers" map in mcp.json is read but flagged, with a rename fix', () => {
    const r = parseText('{\n  "mcpServers": { "a": { "command": "node" } }\n}', 'vscode', 'vscode-mcp');
    assert.deepEqual(
      r.servers.map((s) => s.name),
      ['a'],
    );
    const f = only(r, 'MCP012')[0];
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 14 } });
    assert.equal(f.fixes![0].edits[0].newText, '"servers"');
  });

  it('.mcp.json with a "servers" map is flagged: Claude Code reads "mcpServers"', () => {
    const r = parseText('{ "servers": { "a": { "command": "node" } } }', 'claude-code', 'mcp-servers');
    assert.ok(codes(r).includes('MCP012'));
  });

  it('opencode v2 without matching server children falls back to v1 (a server named "servers")', () => {
    const r = parseText(
      '{ "mcp": { "servers": { "type": "local", "command": ["node", "x.js"] } } }',
      'opencode',
      'opencode',
    );
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.command]),
      [['servers', 'node']],
    );
  });
});

/** One broken text per format: parse never throws, reports a positioned error. */
const BROKEN: [ClientId, ConfigFormat, string, string, string, string][] = [
  // client, format, file, text, expected code, expected 1-based start
  [
    'vscode',
    'vscode-mcp',
    '/ws/.vscode/mcp.json',
    '{\n  "servers": {\n    "a": { "command": "node" \n  }\n',
    'MCP001',
    '',
  ],
  [
    'claude-desktop',
    'mcp-servers',
    '/u/claude_desktop_config.json',
    '{ "mcpServers": { "a": { "command": "x", } } }',
    'MCP002',
    '1:40',
  ],
  [
    'claude-code',
    'claude-json',
    '/u/.claude.json',
    '{ "mcpServers": { "a": { "command": "x" } } // c\n}',
    'MCP003',
    '1:45',
  ],
  [
    'cursor',
    'mcp-servers',
    '/ws/.cursor/mcp.json',
    '{ "mcpServers": { "a": { "command": "x" "args": [] } } }',
    'MCP001',
    '1:41',
  ],
  ['windsurf', 'mcp-servers', '/u/mcp_config.json', '{ "mcpServers": { "a": { "command": "x" } }, }', 'MCP002', '1:44'],
  [
    'gemini-cli',
    'mcp-servers',
    '/ws/.gemini/settings.json',
    '{\n  // ok in Gemini\n  "mcpServers": { "a": { "command": "x" }, }\n}',
    'MCP002',
    '3:42',
  ],
  ['zed', 'zed', '/ws/.zed/settings.json', '{ "context_servers": { "a": { "command": "x" ', 'MCP001', ''],
  [
    'continue',
    'continue',
    '/ws/.continue/mcpServers/a.yaml',
    'mcpServers:\n  - name: a\n    command: [npx\n',
    'MCP006',
    '',
  ],
  [
    'cline',
    'mcp-servers',
    '/u/cline_mcp_settings.json',
    '{ "mcpServers": { "a": { "command": "C:\\tools\\x.exe" } } }',
    'MCP004',
    '',
  ],
  ['roo', 'mcp-servers', '/ws/.roo/mcp.json', '{ "mcpServers": [] }', 'MCP011', '1:17'],
  ['codex', 'codex', '/u/.codex/config.toml', '[mcp_servers.a]\ncommand = "npx\nargs = []\n', 'MCP008', '2:'],
  ['opencode', 'opencode', '/ws/opencode.json', '{ "mcp": { "a": { "type": "local", "command": ["x"] } ', 'MCP001', ''],
  ['junie', 'mcp-servers', '/ws/.junie/mcp/mcp.json', '[1, 2]', 'MCP010', '1:1'],
  ['lmstudio', 'mcp-servers', '/u/.lmstudio/mcp.json', '', 'MCP005', '1:1'],
  ['goose', 'goose', '/u/goose/config.yaml', 'extensions:\n  a:\n    cmd: npx\n   bad: indent\n', 'MCP006', ''],
  [
    'copilot-cli',
    'mcp-servers',
    '/u/.copilot/mcp-config.json',
    '{ "mcpServers": { "a": { "type": "local", "command": "x" }} /* c */ }',
    'MCP003',
    '1:61',
  ],
  ['fastmcp', 'fastmcp', '/ws/fastmcp.json', '{ "source": { "path": "server.py", }, }', 'MCP002', '1:34'],
];

describe('config formats: broken files', () => {
  for (const [client, format, file, text, code, pos] of BROKEN) {
    it(`${client} (${format}): ${code}`, () => {
      const r = parseText(text, client, format, {}, file);
      const hit = only(r, code);
      assert.ok(hit.length > 0, `expected ${code}, got ${codes(r).join(', ')}`);
      if (pos) {
        const start = `${hit[0].range.start.line + 1}:${hit[0].range.start.character + 1}`;
        assert.ok(start.startsWith(pos), `${code} at ${start}, expected ${pos}`);
      }
      assert.ok(hit.every((f) => f.origin === 'config' && f.file === file && f.message.length > 20));
      if (/^MCP00[1-8]$/.test(code)) assert.equal(r.accepted, false, 'the owning client rejects the file');
    });
  }

  it('JSON recovery: a trailing comma in a strict file still lists the server (for display) and marks it invalid', () => {
    const r = parseText('{ "mcpServers": { "a": { "command": "x", } } }', 'claude-desktop', 'mcp-servers');
    assert.deepEqual(
      r.servers.map((s) => [s.name, s.command, s.valid]),
      [['a', 'x', false]],
    );
    assert.deepEqual(r.findings[0].fixes![0].edits[0], {
      file: '/ws/claude-desktop.json',
      range: { start: { line: 0, character: 39 }, end: { line: 0, character: 40 } },
      newText: '',
    });
  });

  it('JSONC clients accept comments and trailing commas', () => {
    const r = parseText('{ // c\n "servers": { "a": { "command": "x", }, },\n}', 'vscode', 'vscode-mcp');
    assert.equal(r.accepted, true);
    assert.deepEqual(r.findings, []);
  });

  it('invalid escapes: value keeps the backslashes for display; fixes use forward or doubled slashes', () => {
    const r = parseText('{ "mcpServers": { "a": { "command": "C:\\Users\\x.exe" } } }', 'cline', 'mcp-servers');
    assert.equal(r.servers[0].command, 'C:\\Users\\x.exe');
    const f = only(r, 'MCP004')[0];
    assert.deepEqual(
      f.fixes!.map((x) => x.edits[0].newText),
      ['"C:/Users/x.exe"', '"C:\\\\Users\\\\x.exe"'],
    );
    assert.deepEqual(f.data!.escapes, ['\\U', '\\x']);
  });
});

describe('config formats: duplicate keys', () => {
  it('a server name defined twice in one JSON object is reported on the ignored (first) one', () => {
    const r = parseText(
      '{ "mcpServers": {\n  "a": { "command": "x" },\n  "a": { "command": "y" }\n} }',
      'cursor',
      'mcp-servers',
    );
    assert.deepEqual(
      r.servers.map((s) => s.command),
      ['y'],
    );
    const d = only(r, 'MCP009');
    assert.deepEqual(
      d.map((f) => [f.range.start.line, f.data!.key]),
      [[1, 'a']],
    );
  });
});
