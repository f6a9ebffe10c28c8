import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { discover } from '../../../src/core/config/discover';
import { configLocations } from '../../../src/core/config/locations';
import { resolveVariables } from '../../../src/core/config/variables';

function write(root: string, rel: string, text: string) {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
}

const SERVER = (n: string) => JSON.stringify({ mcpServers: { [n]: { command: 'node', args: ['x.js'] } } });

describe('config discover', () => {
  let ws: string;
  let home: string;
  before(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-disc-'));
    ws = path.join(tmp, 'ws');
    home = path.join(tmp, 'home');
    write(ws, '.vscode/mcp.json', '{ "servers": { "v": { "command": "node" } }, }');
    write(ws, '.mcp.json', SERVER('root'));
    write(ws, '.cursor/mcp.json', SERVER('cur'));
    write(ws, '.codex/config.toml', '[mcp_servers.cx]\ncommand = "node"\n');
    write(ws, '.continue/mcpServers/a.yaml', 'mcpServers:\n  - name: cont\n    command: node\n');
    write(ws, '.continue/mcpServers/notes.txt', 'ignored');
    write(ws, 'proj.code-workspace', '{ "settings": { "mcp": { "servers": { "cw": { "command": "node" } } } } }');
    write(ws, 'dev.fastmcp.json', '{ "source": { "path": "s.py" } }');
    write(ws, 'services/api/fastmcp.json', '{ "source": { "path": "s.py" } }');
    write(ws, 'services/api/.mcp.json', SERVER('nested'));
    write(ws, 'a/b/c/.vscode/mcp.json', '{ "servers": { "deep": { "command": "node" } } }');
    write(ws, 'a/b/c/d/e/f/g/.mcp.json', SERVER('too-deep')); // depth 7
    write(ws, 'node_modules/pkg/.mcp.json', SERVER('in-node-modules'));
    write(ws, '.venv/lib/fastmcp.json', '{}');
    write(ws, 'build/.mcp.json', SERVER('in-build'));
    fs.mkdirSync(path.join(ws, '.github'));
    fs.symlinkSync('mcp.json', path.join(ws, '.github', 'mcp.json')); // self-loop: ELOOP on read
    write(
      home,
      '.cursor/mcp.json',
      JSON.stringify({ mcpServers: { 'user-cur': { command: 'node' }, cur: { command: 'node' } } }),
    );
    write(
      home,
      '.claude.json',
      JSON.stringify({
        mcpServers: { u: { command: 'node' } },
        projects: {
          [ws]: { mcpServers: { local: { command: 'node' } } },
          '/other': { mcpServers: { nope: { command: 'node' } } },
        },
      }),
    );
    write(home, '.config/Code/User/mcp.json', '{ "servers": { "prof": { "type": "http", "url": "https://x/mcp" } } }');
  });

  const opts = () => ({ workspaceFolders: [ws], home, platform: 'linux' as const, env: {}, includeUser: true });

  it('reads the existing files, expands folders, walks nested configs within the bounds', async () => {
    const files = await discover({ ...opts(), includeUser: false });
    const names = files.flatMap((f) => f.servers.map((s) => s.name)).sort();
    assert.deepEqual(names, ['api', 'cont', 'cur', 'cw', 'cx', 'deep', 'dev', 'nested', 'root', 'v'].sort());
    const rel = files.map((f) => path.relative(ws, f.file));
    assert.ok(!rel.some((r) => r.includes('node_modules') || r.startsWith('.venv') || r.startsWith('build')));
    const nested = files.find((f) => f.file.endsWith(path.join('services', 'api', '.mcp.json')))!;
    assert.equal(nested.servers[0].workspaceFolder, path.join(ws, 'services', 'api'));
    assert.ok(files.every((f) => f.scope === 'workspace'));
    assert.equal(new Set(files.map((f) => f.file)).size, files.length, 'no file twice');
    assert.ok(
      files.every((f) => f.location?.file === f.file),
      'each result carries its location for re-parsing',
    );
    assert.equal(files.find((f) => f.file.endsWith('proj.code-workspace'))!.location!.workspaceFolder, ws);
  });

  it('reports unreadable files as a finding, never throws', async () => {
    const files = await discover({ ...opts(), includeUser: false });
    const bad = files.find((f) => f.file.endsWith(path.join('.github', 'mcp.json')))!;
    assert.equal(bad.findings[0].code, 'io/unreadable');
    assert.equal(bad.findings[0].severity, 'error');
    assert.deepEqual(bad.servers, []);
  });

  it('includeUser adds home files and only the matching ~/.claude.json projects', async () => {
    const files = await discover(opts());
    const user = files.filter((f) => f.scope === 'user');
    assert.deepEqual(user.map((f) => f.client).sort(), ['claude-code', 'cursor', 'vscode']);
    const claude = files.find((f) => f.file.endsWith('.claude.json'))!;
    assert.deepEqual(
      claude.servers.map((s) => `${s.name}:${s.scope}`),
      ['u:user', 'local:project-local'],
    );
    // "cur" exists in the workspace and the user Cursor config: the user one is shadowed.
    const userCursor = files.find((f) => f.client === 'cursor' && f.scope === 'user')!;
    const shadow = userCursor.findings.filter((f) => f.code === 'MCP035');
    assert.deepEqual(
      shadow.map((f) => [f.server, f.severity, f.related![0].file]),
      [['cur', 'info', path.join(ws, '.cursor', 'mcp.json')]],
    );
  });

  it('clients filter, walk off, strict-file findings survive discovery', async () => {
    const files = await discover({ ...opts(), includeUser: false, clients: ['vscode'], walk: false });
    assert.deepEqual(files.map((f) => path.relative(ws, f.file)).sort(), ['.vscode/mcp.json', 'proj.code-workspace']);
    assert.equal(
      files.find((f) => f.file.endsWith('mcp.json'))!.accepted,
      true,
      'JSONC trailing comma is fine for VS Code',
    );
  });

  it('missing folders and a garbage home do not throw', async () => {
    const files = await discover({
      workspaceFolders: ['/does/not/exist'],
      home: '/nope',
      platform: 'linux',
      env: {},
      includeUser: true,
    });
    assert.deepEqual(files, []);
  });

  it('checkCommands uses the injected PATH lookup and existence check', async () => {
    const files = await discover({
      ...opts(),
      includeUser: false,
      clients: ['cursor'],
      walk: false,
      checkCommands: true,
      findOnPath: () => undefined,
      fileExists: () => false,
    });
    const f = files[0].findings.map((x) => x.code).sort();
    assert.deepEqual(f, ['MCP061', 'MCP062']);
  });
});

describe('config public functions on bad input', () => {
  it('discover / configLocations / resolveVariables do not throw on missing or odd options', async () => {
    const bad = {
      workspaceFolders: undefined,
      home: undefined,
      platform: 'linux',
      env: undefined,
      includeUser: true,
    } as never;
    assert.deepEqual(await discover(bad), []);
    assert.ok(Array.isArray(configLocations(bad)));
    const s = resolveVariables(
      {
        id: 'i',
        name: 'n',
        client: 'vscode',
        file: '/f',
        scope: 'user',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        transport: 'stdio',
        disabled: false,
        unresolved: [],
        raw: {},
        command: '${userHome}/x',
        interpolation: 'vscode',
      },
      { home: undefined, env: undefined } as never,
    );
    assert.deepEqual(s.unresolved, ['${userHome}']);
  });
});
