import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/list';
import type { CliIo } from '../../../src/cli/io';

function captured(cwd: string, env: Record<string, string | undefined> = { PATH: process.env.PATH }) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), cwd, env };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('cli list', () => {
  let dir: string;
  let clean: string;
  before(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-list-'));
    dir = path.join(tmp, 'proj');
    clean = path.join(tmp, 'clean');
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.mkdirSync(clean);
    fs.writeFileSync(path.join(dir, 'server.py'), 'print("hi")\n');
    fs.writeFileSync(
      path.join(dir, '.vscode', 'mcp.json'),
      '{\n  "servers": {\n    "ok": { "command": "node", "args": ["-e", "1"] },\n    "bad": { "type": "streamable-http", "url": "https://x/mcp" },\n    "remote": { "type": "http", "url": "https://x/mcp" }\n  }\n}\n',
    );
    fs.writeFileSync(
      path.join(dir, '.mcp.json'),
      '{ "mcpServers": { "py": { "command": "node", "args": ["server.js"], "disabled": true }, } }',
    );
    fs.writeFileSync(
      path.join(clean, '.mcp.json'),
      JSON.stringify({ mcpServers: { fine: { type: 'http', url: 'https://example.com/mcp' } } }),
    );
  });

  it('text output: grouped by file, servers, 1-based findings; exit 1 on errors', async () => {
    const c = captured(path.dirname(dir));
    const code = await run(['proj', '--no-user'], c.io);
    assert.equal(code, 1);
    const out = c.out();
    assert.match(out, /^proj\/\.vscode\/mcp\.json {2}\(vscode, workspace\)$/m);
    assert.match(out, /^ {2}• ok {2}\[stdio\] {2}node -e 1$/m);
    assert.match(out, /^ {2}✗ bad {2}\[unknown\] {2}https:\/\/x\/mcp$/m);
    assert.match(out, /^ {2}proj\/\.vscode\/mcp\.json:4:22 error MCP018 Server "bad": VS Code does not know/m);
    assert.match(out, /^proj\/\.mcp\.json {2}\(claude-code, workspace\) {2}\[rejected by the client/m);
    assert.match(out, /^ {2}proj\/\.mcp\.json:1:87 error MCP002 /m);
    assert.match(out, /disabled/);
    assert.match(out, /4 servers in 2 files: 2 errors, 0 warnings\.\n$/);
    assert.equal(c.err(), '');
  });

  it('--json prints files and summary; exit 0 when there are no errors', async () => {
    const c = captured(clean);
    const code = await run(['--json', '--no-user'], c.io);
    assert.equal(code, 0);
    const data = JSON.parse(c.out());
    assert.deepEqual(data.summary, { files: 1, servers: 1, errors: 0, warnings: 0 });
    assert.equal(data.files[0].servers[0].name, 'fine');
    assert.equal(data.files[0].servers[0].transport, 'http');
  });

  it('an empty folder prints a clear message and exits 0', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-empty-'));
    const c = captured(empty);
    assert.equal(await run(['--no-user'], c.io), 0);
    assert.match(c.out(), /^No MCP configuration found in/);
  });

  it('bad usage exits 2: unknown option, two folders, missing folder', async () => {
    for (const args of [['--frobnicate'], ['a', 'b'], ['/definitely/not/here']]) {
      const c = captured(dir);
      assert.equal(await run(args, c.io), 2, args.join(' '));
      assert.ok(c.err().length > 10);
    }
  });

  it('uses io.env (not process.env) for variables and PATH', async () => {
    const proj = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-env-'));
    fs.writeFileSync(
      path.join(proj, '.mcp.json'),
      JSON.stringify({
        mcpServers: { a: { command: 'definitely-not-a-command-xyz', env: { K: '${MY_VAR_FOR_TEST}' } } },
      }),
    );
    const unset = captured(proj, { PATH: '' });
    assert.equal(await run(['--no-user', '--json'], unset.io), 1);
    const f1 = JSON.parse(unset.out())
      .files[0].findings.map((f: { code: string }) => f.code)
      .sort();
    assert.deepEqual(f1, ['MCP051', 'MCP061']);
    const set = captured(proj, { PATH: '', MY_VAR_FOR_TEST: 'x' });
    assert.equal(await run(['--no-user', '--no-check-commands', '--json'], set.io), 0);
  });
});
