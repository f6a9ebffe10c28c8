import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/check';
import type { CliIo } from '../../../src/cli/io';
import type { CheckedServer } from '../../../src/cli/commands/checkServer';
import { venvPython } from '../../python';
import { waitFor } from '../../waitFor';
import { FIXTURES, SERVER_EVERYTHING, SessionPool, freePort, serverConfig } from './helpers';

const PY = path.join(FIXTURES, 'py', 'features.py');
const ERA = path.join(FIXTURES, 'era-fixtures.py');

function cliIo(cwd: string): CliIo & { stdout: string; stderr: string } {
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
    env: { PATH: process.env.PATH, HOME: cwd, PYTHONDONTWRITEBYTECODE: '1' } as Record<string, string | undefined>,
  };
  return io;
}

/** A workspace whose .vscode/mcp.json holds these servers; runs `check --json` with the args. */
async function check(
  servers: Record<string, unknown>,
  args: string[],
): Promise<{ code: number; servers: CheckedServer[]; text: string }> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-eras-'));
  fs.mkdirSync(path.join(ws, '.vscode'));
  fs.writeFileSync(path.join(ws, '.vscode', 'mcp.json'), JSON.stringify({ servers }));
  try {
    const io = cliIo(ws);
    const code = await run(['--no-user', '--json', ...args], io);
    return { code, servers: (JSON.parse(io.stdout) as { servers: CheckedServer[] }).servers, text: io.stdout };
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
}

const codes = (s: CheckedServer) => s.findings.map((f) => f.code).sort();

describe('protocol eras: check --era, era findings, and the client features in both eras', function () {
  this.timeout(120000);
  const pool = new SessionPool();
  afterEach(() => pool.cleanup());

  it('FastMCP 4 over stdio speaks both eras; tools that ask the client work in one era each (MCP743)', async () => {
    const fast = { type: 'stdio', command: venvPython(), args: [PY] };
    const r = await check({ fast }, [
      '--era',
      'both',
      '--call',
      'elicit_request',
      '--call',
      'elicit_guard',
      '--elicit',
      writeJson({ value: 'Grace', name: 'Grace' }),
    ]);
    const s = r.servers[0];
    assert.deepEqual(
      s.eras?.map((e) => [e.era, e.ok, e.protocolVersion]),
      [
        ['2025', true, '2025-11-25'],
        ['2026', true, '2026-07-28'],
      ],
    );
    const call = (tool: string, era: string) => s.calls!.find((c) => c.tool === tool && c.era === era)!;
    assert.equal(call('elicit_request', '2025').text, 'hello Grace', 'ctx.elicit() answered in the 2025 era');
    assert.equal(call('elicit_guard', '2026').text, 'hello Grace', 'the input_required round trip answered in 2026');
    assert.equal(call('elicit_request', '2026').ok, false);
    assert.equal(call('elicit_guard', '2025').ok, false);
    const diffs = s.findings.filter((f) => f.code === 'MCP743');
    assert.deepEqual(diffs.map((f) => f.data?.tool).sort(), ['elicit_guard', 'elicit_request']);
    assert.match(
      diffs.find((f) => f.data?.tool === 'elicit_request')!.message,
      /fails for 2026-07-28 clients.*input_required/,
    );
    assert.ok(!codes(s).includes('MCP716'), 'no "wrong arguments" advice for an era failure');
    assert.equal(r.code, 1, 'a failing --call fails the run');
  });

  it('FastMCP 4 over Streamable HTTP, stateless and stateful: both eras, with and without a session', async () => {
    for (const stateless of [true, false]) {
      const port = await freePort();
      const proc = spawn(venvPython(), [PY, '--http', String(port), ...(stateless ? ['--stateless'] : [])], {
        stdio: 'ignore',
      });
      try {
        const url = `http://127.0.0.1:${port}/mcp`;
        await waitForHttp(url);
        const r = await check({}, ['--url', url, '--era', 'both', '--call', 'regional={"region":"eu-west"}']);
        const eras = r.servers[0].eras!;
        assert.deepEqual(
          eras.map((e) => [e.era, e.ok, e.httpSession]),
          [
            ['2025', true, !stateless],
            ['2026', true, false],
          ],
          stateless ? 'stateless' : 'stateful',
        );
        assert.ok(!codes(r.servers[0]).some((c) => c === 'MCP741' || c === 'MCP742'));
        // The 2026-07-28 call carries the parameter the schema marks with x-mcp-header as a header.
        assert.deepEqual(
          r.servers[0].calls!.map((c) => [c.era, c.ok, c.text]),
          [
            ['2025', true, 'served from eu-west'],
            ['2026', true, 'served from eu-west'],
          ],
        );
      } finally {
        proc.kill();
      }
    }
  });

  it('server-everything speaks only the 2025 era (MCP741), and --era 2026 says so without calling it a crash (MCP749)', async () => {
    const everything = { type: 'stdio', command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] };
    const both = await check({ everything }, ['--era', 'both']);
    assert.deepEqual(
      both.servers[0].eras?.map((e) => [e.era, e.ok]),
      [
        ['2025', true],
        ['2026', false],
      ],
    );
    assert.ok(codes(both.servers[0]).includes('MCP741'));
    assert.ok(!codes(both.servers[0]).includes('MCP708') && !codes(both.servers[0]).includes('MCP749'));
    const modern = await check({ everything }, ['--era', '2026']);
    assert.deepEqual(codes(modern.servers[0]), ['MCP749']);
  });

  it('a server that speaks only 2026-07-28 (MCP742), one that exits on server/discover (MCP740)', async () => {
    const r = await check(
      {
        modern: { type: 'stdio', command: 'python3', args: [ERA, 'modern-only'] },
        exits: { type: 'stdio', command: 'python3', args: [ERA, 'exits-on-discover'] },
      },
      ['--era', 'both'],
    );
    const modern = r.servers.find((s) => s.name === 'modern')!;
    assert.ok(codes(modern).includes('MCP742'), JSON.stringify(modern.findings));
    assert.equal(modern.eras![1].protocolVersion, '2026-07-28');
    const auto = await check({ exits: { type: 'stdio', command: 'python3', args: [ERA, 'exits-on-discover'] } }, []);
    const exits = auto.servers[0];
    assert.equal(exits.status, 'ok', 'started again with a 2025 handshake');
    assert.equal(exits.era, '2025');
    assert.deepEqual(codes(exits), ['MCP740']);
  });

  it('2026-era request errors are explained: header mismatch, version, envelope (MCP746–MCP748)', async () => {
    const s = pool.create({ server: serverConfig('envelope', { command: 'python3', args: [ERA, 'envelope'] }) });
    await s.start();
    const v = s.view();
    assert.equal(v.state.kind === 'running' && v.state.era, '2026');
    for (const tool of ['header', 'version', 'envelope']) assert.equal((await s.callTool(tool, {})).ok, false);
    assert.equal((await s.callTool('ok', {})).ok, true);
    assert.deepEqual(
      s
        .view()
        .findings.map((f) => f.code)
        .filter((c) => /^MCP74[6-8]$/.test(c))
        .sort(),
      ['MCP746', 'MCP747', 'MCP748'],
    );
  });

  it('a tool that asks for a feature the client lacks (MCP770) and a token the server says is missing (MCP725)', async () => {
    const fast = pool.create({ server: serverConfig('fast', { command: venvPython(), args: [PY] }), era: '2025' });
    await fast.start();
    const r = await fast.callTool('sample_request', { topic: 'x' });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.backChannel?.map((e) => [e.method, e.unsupported]),
      [['sampling/createMessage', true]],
    );
    assert.ok(
      r.findings.some((f) => f.code === 'MCP770' && /does not declare the `sampling` capability/.test(f.message)),
    );
    const token = pool.create({ server: serverConfig('token', { command: 'python3', args: [ERA, 'missing-token'] }) });
    await token.start();
    await waitFor(() => token.view().findings.find((f) => f.code === 'MCP725'), 'MCP725 from stderr', 10000);
    assert.match(token.view().findings.find((f) => f.code === 'MCP725')!.message, /BILLING_API_TOKEN/);
  });
});

function writeJson(value: unknown): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-elicit-')), 'answer.json');
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

async function waitForHttp(url: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        await fetch(url, { method: 'GET' });
        return true;
      } catch {
        return false;
      }
    },
    `${url} listening`,
    30000,
  );
}
