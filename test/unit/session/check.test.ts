import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/check';
import type { CliIo } from '../../../src/cli/io';
import { FIXTURES } from './helpers';

function bufferIo(cwd: string, home: string): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    cwd,
    env: { PATH: process.env.PATH, HOME: home, PYTHONDONTWRITEBYTECODE: '1' } as Record<string, string | undefined>,
  };
  return io;
}

describe('cli: mcp-doctor check', function () {
  this.timeout(30000);
  let ws: string;
  let home: string;

  before(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-check-'));
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-home-'));
    fs.mkdirSync(path.join(ws, '.vscode'));
    const py = (f: string) => ({ type: 'stdio', command: 'python3', args: [path.join(FIXTURES, f)] });
    fs.writeFileSync(
      path.join(ws, '.vscode', 'mcp.json'),
      JSON.stringify(
        {
          inputs: [{ type: 'promptString', id: 'token', password: true, description: 'API token' }],
          servers: {
            good: py('good-stdio.py'),
            crash: py('crash-at-start.py'),
            schemas: py('invalid-schema.py'),
            off: { ...py('good-stdio.py'), disabled: true },
            secret: { ...py('good-stdio.py'), env: { TOKEN: '${input:token}' } },
          },
        },
        null,
        2,
      ),
    );
  });
  after(() => {
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('--json: checks enabled servers, skips disabled and input-needing ones, exit 1 on errors', async () => {
    const io = bufferIo(ws, home);
    const code = await run(['.', '--json', '--no-user', '--timeout', '8000'], io);
    assert.equal(code, 1, io.stderr);
    const out = JSON.parse(io.stdout);
    const by = Object.fromEntries(out.servers.map((s: { name: string }) => [s.name, s]));
    assert.equal(by.good.status, 'ok');
    assert.equal(by.good.tools, 6);
    assert.equal(by.good.prompts, 1);
    assert.ok(by.good.initializeMs > 0);
    assert.deepEqual(by.good.findings, []);
    assert.equal(by.crash.status, 'failed');
    assert.equal(by.crash.findings[0].code, 'MCP708');
    // The traceback's frames are outside this workspace, so the finding sits on the config entry.
    assert.equal(by.crash.findings[0].file, path.join(ws, '.vscode', 'mcp.json'));
    assert.match(by.crash.findings[0].message, /KeyError: 'WEATHER_API_KEY'/);
    assert.equal(by.schemas.status, 'ok');
    assert.equal(by.schemas.findings.filter((f: { code: string }) => f.code === 'MCP710').length, 4);
    assert.equal(by.off.status, 'skipped');
    assert.equal(by.secret.status, 'skipped');
    assert.match(by.secret.skipReason, /\$\{input:token\}/);
    assert.equal(out.summary.ok, 2);
    assert.equal(out.summary.failed, 1);
    assert.equal(out.summary.skipped, 2);
    assert.ok(out.summary.errors >= 1);
  });

  it('--server limits the run; text output; exit 0 without errors', async () => {
    const io = bufferIo(ws, home);
    const code = await run([ws, '--server', 'good', '--no-user'], io);
    assert.equal(code, 0, io.stdout + io.stderr);
    assert.match(
      io.stdout,
      /✔ good \(vscode, .*mcp\.json:\d+\)\s+initialize \d+ ms · protocol 2025-11-25 \(2025 era\) · 6 tools/,
    );
    assert.match(io.stdout, /1 server\(s\): 1 ok, 0 failed, 0 skipped; 0 error\(s\)/);
  });

  it('bad usage exits 2', async () => {
    const io = bufferIo(ws, home);
    assert.equal(await run(['--timeout', 'soon'], io), 2);
    assert.equal(await run([ws, '--server', 'nope', '--no-user'], io), 2);
    assert.match(io.stderr, /Known servers: .*good/);
    assert.equal(await run([path.join(ws, 'missing-folder')], io), 2);
  });
});
