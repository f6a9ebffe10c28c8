import * as assert from 'node:assert/strict';
import { findOnPath } from '../../../src/core/config/findOnPath';
import { looksLikeRelativePath, scriptArgument } from '../../../src/core/config/scriptPaths';
import { codes, only, parseText } from './helpers';

/** A fake disk: the set of existing paths. */
function disk(...paths: string[]) {
  const set = new Set(paths);
  return {
    fileExists: (p: string) => set.has(p),
    findOnPath: (c: string) => (['node', 'npx', 'python3'].includes(c) ? `/usr/bin/${c}` : undefined),
    checkCommands: true,
  };
}

describe('config checks', () => {
  it('findOnPath: posix PATH order, Windows PATHEXT and case, explicit paths', () => {
    const files = new Set(['/a/node', '/b/node', 'C:\\tools\\npx.cmd', 'C:\\py\\python.exe']);
    const ex = (p: string) => files.has(p);
    assert.equal(findOnPath('node', '/x:/b:/a', 'linux', ex), '/b/node');
    assert.equal(findOnPath('nope', '/a:/b', 'linux', ex), undefined);
    assert.equal(findOnPath('/a/node', '', 'linux', ex), '/a/node');
    assert.equal(findOnPath('npx', 'C:\\py;C:\\tools', 'win32', ex, '.EXE;.CMD'), 'C:\\tools\\npx.cmd');
    assert.equal(findOnPath('python', 'C:\\py', 'win32', ex), 'C:\\py\\python.exe');
    assert.equal(findOnPath('node', undefined, 'linux', ex), undefined);
  });

  it('scriptArgument: python, node, uv run --directory, fastmcp run file:obj; -m is a module', () => {
    assert.deepEqual(scriptArgument('python3', ['-u', 'server.py', '--port', '1']), {
      index: 1,
      path: 'server.py',
      directory: undefined,
    });
    assert.equal(scriptArgument('python', ['-m', 'pkg.server']), undefined);
    assert.deepEqual(scriptArgument('node', ['--import', 'tsx', 'dist/index.js']), {
      index: 2,
      path: 'dist/index.js',
      directory: undefined,
    });
    assert.deepEqual(scriptArgument('uv', ['--directory', '/srv/w', 'run', 'server.py']), {
      index: 3,
      path: 'server.py',
      directory: '/srv/w',
    });
    assert.deepEqual(scriptArgument('fastmcp', ['run', 'notes/server.py:mcp']), {
      index: 1,
      path: 'notes/server.py',
      directory: undefined,
    });
    assert.equal(scriptArgument('npx', ['-y', 'pkg']), undefined);
    assert.equal(scriptArgument('C:\\Python312\\python.exe', ['app.py'])?.path, 'app.py');
  });

  it('looksLikeRelativePath', () => {
    for (const yes of ['./x', '../x/y.py', 'server.py', 'data/db.sqlite', 'notes/server.py:mcp'])
      assert.ok(looksLikeRelativePath(yes, false), yes);
    for (const no of [
      '-y',
      '@scope/pkg',
      'mcp-server-fetch',
      '/abs/x.py',
      'C:\\x.py',
      'https://x/y.js',
      '~/x.py',
      '${workspaceFolder}/x.py',
      'ghcr.io/github/server',
    ])
      assert.ok(!looksLikeRelativePath(no, false), no);
    assert.ok(looksLikeRelativePath('./.venv/bin/python', true));
    assert.ok(!looksLikeRelativePath('python', true));
  });

  it('command not on PATH (warning), missing absolute command (error), missing script (error)', () => {
    const r = parseText(
      JSON.stringify(
        {
          servers: {
            a: { command: 'uvx', args: ['x'] },
            b: { command: '/opt/none/bin/tool' },
            c: { command: 'python3', args: ['server.py'] },
            d: { command: 'python3', args: ['ok.py'] },
          },
        },
        null,
        2,
      ),
      'vscode',
      'vscode-mcp',
      disk('/ws/ok.py'),
      '/ws/.vscode/mcp.json',
    );
    assert.deepEqual(
      only(r, 'MCP061').map((f) => [f.server, f.severity]),
      [['a', 'warning']],
    );
    assert.deepEqual(
      only(r, 'MCP060').map((f) => [f.server, f.severity]),
      [['b', 'error']],
    );
    const s = only(r, 'MCP062');
    assert.deepEqual(
      s.map((f) => [f.server, f.data?.path]),
      [['c', '/ws/server.py']],
    );
    assert.equal(s[0].range.start.line, 14, 'points at the "server.py" argument');
  });

  it('script is resolved against cwd (with variables) and skipped when the config has no known cwd', () => {
    const r = parseText(
      JSON.stringify({ servers: { a: { command: 'python3', args: ['server.py'], cwd: '${workspaceFolder}/svc' } } }),
      'vscode',
      'vscode-mcp',
      disk('/ws/svc', '/ws/svc/server.py'),
    );
    assert.deepEqual(codes(r), []);
    const d = parseText(
      JSON.stringify({
        mcpServers: {
          a: { command: 'python3', args: ['/abs/server.py'] },
          b: { command: 'python3', args: ['rel.py'] },
        },
      }),
      'claude-desktop',
      'mcp-servers',
      disk(),
    );
    assert.deepEqual(
      only(d, 'MCP062').map((f) => f.server),
      ['a'],
    );
    assert.deepEqual(
      only(d, 'MCP065').map((f) => f.server),
      ['b'],
    );
  });

  it('missing cwd and envFile are errors; checks are skipped for disabled servers and when checkCommands is off', () => {
    const text = JSON.stringify({
      servers: {
        a: { command: 'node', cwd: 'nope', envFile: '${workspaceFolder}/.env' },
        off: { command: 'zzz', disabled: true },
      },
    });
    const r = parseText(text, 'vscode', 'vscode-mcp', disk());
    assert.deepEqual(codes(r).sort(), ['MCP063', 'MCP064']);
    assert.deepEqual(codes(parseText(text, 'vscode', 'vscode-mcp', { ...disk(), checkCommands: false })), []);
  });

  it('MCP505: literal secrets in env/headers/args; placeholders and variables are fine', () => {
    const r = parseText(
      JSON.stringify({
        mcpServers: {
          a: { command: 'x', env: { GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', OTHER: 'plain' } },
          b: { url: 'https://x', headers: { Authorization: 'Bearer 9f8e7d6c5b4a39281706f5e4' } },
          c: { command: 'x', args: ['--key', 'sk-proj-abcdefghijklmnopqrstuvwx'] },
          ok: { command: 'x', env: { API_KEY: '${API_KEY}', TOKEN: 'REPLACE_ME', LOG_LEVEL: 'debug' }, headers: {} },
        },
      }),
      'claude-code',
      'mcp-servers',
      { env: { API_KEY: 'k' } },
    );
    const s = only(r, 'MCP505');
    assert.deepEqual(
      s.map((f) => f.server),
      ['a', 'b', 'c'],
    );
    assert.ok(s.every((f) => f.severity === 'warning' && /\$\{/.test(f.message)));
  });

  it('tilde, control characters from Windows escapes, bare $VAR in VS Code', () => {
    const r = parseText(
      '{ "servers": { "a": { "command": "C:\\tools\\new.exe", "args": ["~/x"], "env": { "T": "$TOKEN" } } } }',
      'vscode',
      'vscode-mcp',
    );
    assert.deepEqual(codes(r).sort(), ['MCP056', 'MCP066', 'MCP068']);
    assert.equal(only(r, 'MCP056')[0].fixes![0].edits[0].newText, '${env:TOKEN}');
    assert.equal(only(r, 'MCP066')[0].fixes![0].edits[0].newText, '"${userHome}/x"');
  });

  it('variables in clients without interpolation, unknown variables, gemini naming, timeouts, typos', () => {
    const d = parseText(
      JSON.stringify({ mcpServers: { a: { command: 'node', args: ['${HOME}/x.js'] } } }),
      'claude-desktop',
      'mcp-servers',
    );
    assert.ok(codes(d).includes('MCP055'));
    const g = parseText(
      JSON.stringify({ mcpServers: { my_tools: { command: 'x', timeout: 30 } } }),
      'gemini-cli',
      'mcp-servers',
    );
    assert.deepEqual(codes(g).sort(), ['MCP030', 'MCP034']);
    const c = parseText(
      JSON.stringify({ mcpServers: { a: { command: 'x', agrs: ['y'], timeout: 60000 } } }),
      'cline',
      'mcp-servers',
    );
    assert.deepEqual(codes(c).sort(), ['MCP030', 'MCP031']);
    assert.equal(only(c, 'MCP031')[0].data!.suggest, 'args');
    const v = parseText(
      JSON.stringify({ servers: { a: { command: 'x', args: ['${foo}', '${config:x.y}'] } } }),
      'vscode',
      'vscode-mcp',
    );
    assert.deepEqual(codes(v).sort(), ['MCP054', 'MCP057']);
  });

  it('transport rules: roo url needs type, cline url defaults to SSE, stdio type without command, codex field checks', () => {
    const roo = parseText(JSON.stringify({ mcpServers: { a: { url: 'https://x/mcp' } } }), 'roo', 'mcp-servers');
    assert.deepEqual(codes(roo), ['MCP017']);
    const cline = parseText(JSON.stringify({ mcpServers: { a: { url: 'https://x/sse' } } }), 'cline', 'mcp-servers');
    assert.equal(cline.servers[0].transport, 'sse');
    const vs = parseText(
      JSON.stringify({ servers: { a: { type: 'stdio', url: 'https://x' }, b: { type: 'http', command: 'x' } } }),
      'vscode',
      'vscode-mcp',
    );
    assert.deepEqual(
      only(vs, 'MCP015').map((f) => f.server),
      ['a', 'b'],
    );
    const codex = parseText(
      '[mcp_servers.a]\ncommand = "x"\nbearer_token_env_var = "T"\n',
      'codex',
      'codex',
      { env: { T: '1' } },
      '/u/config.toml',
    );
    assert.deepEqual(
      only(codex, 'MCP032').map((f) => f.range.start.line),
      [2],
    );
    const vsBoth = parseText(
      JSON.stringify({ servers: { a: { command: 'x', url: 'https://x' } } }),
      'vscode',
      'vscode-mcp',
    );
    assert.equal(only(vsBoth, 'MCP016')[0].severity, 'warning', 'VS Code prefers url: warning only');
  });

  it('Windows: npx in clients that spawn without a shell gets a cmd /c hint (info)', () => {
    const text = JSON.stringify({ mcpServers: { a: { command: 'npx', args: ['-y', 'pkg'] } } });
    assert.deepEqual(codes(parseText(text, 'claude-desktop', 'mcp-servers', { platform: 'win32' })), ['MCP067']);
    assert.deepEqual(codes(parseText(text, 'claude-desktop', 'mcp-servers', { platform: 'linux' })), []);
  });

  it('inputs: invalid and duplicate declarations are reported', () => {
    const r = parseText(
      JSON.stringify({
        inputs: [
          { type: 'promptString', id: 'a' },
          { type: 'promptString', id: 'a' },
          { type: 'bogus', id: 'b' },
          { description: 'no id' },
        ],
        servers: {},
      }),
      'vscode',
      'vscode-mcp',
    );
    assert.deepEqual(codes(r).sort(), ['MCP038', 'MCP038', 'MCP039']);
    assert.deepEqual(
      r.inputs!.map((i) => i.id),
      ['a', 'a', 'b'],
    );
  });
});
