import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { processAlive } from '../../../src/core/process/managedProcess';
import { readTraceFile } from '../../../src/core/trace/store';
import { waitFor } from '../../waitFor';

const root = path.resolve(__dirname, '../../..');
const CLI = ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'proxy'];
const ECHO = path.join(__dirname, 'helpers/rawEcho.mjs');
const SE = path.join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the proxy CLI in front of `cmd`, feeding `input` in small chunks, optionally keeping stdin open. */
function runProxy(
  args: string[],
  input: Buffer,
  opts: { keepOpen?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...CLI, ...args], { cwd: root, env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    // Odd chunk sizes so lines straddle chunks.
    let o = 0;
    const step = () => {
      if (o >= input.length) {
        if (!opts.keepOpen) p.stdin.end();
        return;
      }
      p.stdin.write(input.subarray(o, o + 7777), step);
      o += 7777;
    };
    step();
  });
}

describe('proxy (mcp-doctor proxy)', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-proxy-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('relays bytes unchanged in both directions and records lines to the trace', async () => {
    const trace = path.join(dir, 't.jsonl');
    const lines = [
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"ünïcode ✓"}}}',
      '{"jsonrpc":"2.0","id":"two","method":"ping"}\r',
      'garbage from the client',
      `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"big","arguments":{"blob":"${'b'.repeat(300_000)}"}}}`,
    ];
    const input = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from([0xc3, 0x28, 0x0a])]);
    const direct = await new Promise<Buffer>((resolve) => {
      const p = spawn(process.execPath, [ECHO]);
      const out: Buffer[] = [];
      p.stdout.on('data', (d) => out.push(d));
      p.on('close', () => resolve(Buffer.concat(out)));
      p.stdin.end(input);
    });
    const r = await runProxy(['--trace', trace, '--name', 'echo-fixture', '--', process.execPath, ECHO], input);
    assert.equal(r.code, 3, `exit code of the child; stderr: ${r.stderr}`);
    assert.equal(r.stdout.length, direct.length);
    assert.ok(r.stdout.equals(direct), 'stdout is byte-identical to running the server directly');
    assert.match(r.stderr, /server log line 1\nserver log line 2\n/);

    const back = await readTraceFile(trace);
    assert.equal(back.problems.length, 0, JSON.stringify(back.problems));
    assert.equal(back.header?.serverName, 'echo-fixture');
    assert.equal(back.header?.writer, 'proxy');
    const entries = [...back.recorder.entries()];
    const outMsgs = entries.filter((e) => e.kind === 'message' && e.dir === 'out');
    assert.deepEqual(
      outMsgs.map((e) => e.method),
      ['tools/call', 'ping', 'tools/call'],
    );
    assert.equal(outMsgs[0].tool, 'echo');
    assert.equal(
      (outMsgs[0].msg as { params: { arguments: { message: string } } }).params.arguments.message,
      'ünïcode ✓',
    );
    // The echoed requests come back on stdout as server→client requests with the same ids: paired.
    const inMsgs = entries.filter((e) => e.kind === 'message' && e.dir === 'in');
    assert.ok(inMsgs.some((e) => e.method === 'notifications/message'));
    assert.ok(
      entries.some((e) => e.kind === 'stdout-noise' && e.msg === 'not json at all'),
      'CR stripped from noise',
    );
    assert.ok(entries.some((e) => e.kind === 'stdout-noise' && e.dir === 'out' && e.msg === 'garbage from the client'));
    assert.deepEqual(
      entries.filter((e) => e.kind === 'stderr').map((e) => e.msg),
      ['server log line 1', 'server log line 2'],
    );
    assert.ok(entries.some((e) => e.kind === 'lifecycle' && /client closed stdin/.test(String(e.msg))));
    assert.ok(entries.some((e) => e.kind === 'lifecycle' && /exited with code 3/.test(String(e.msg))));
  });

  it('masks the values of secret-named env variables in the trace, never in the relayed bytes', async () => {
    const trace = path.join(dir, 'secret.jsonl');
    const secret = 'proxy-secret-9f8e7d6c';
    const input = Buffer.from(
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"key=${secret}"}}}\n`,
    );
    const r = await runProxy(['--trace', trace, '--', process.execPath, ECHO], input, {
      env: { MY_SERVICE_TOKEN: secret },
    });
    assert.ok(r.stdout.includes(`key=${secret}`), 'the client gets the bytes unchanged');
    const text = fs.readFileSync(trace, 'utf8');
    assert.ok(!text.includes(secret), text.slice(0, 2000));
    const back = await readTraceFile(trace);
    assert.equal(back.problems.length, 0);
    // (The echo comes back glued to the fixture's partial line, so it is recorded as noise; the text check above covers it.)
    const calls = [...back.recorder.entries()].filter((e) => e.method === 'tools/call' && e.dir === 'out');
    assert.equal(calls.length, 1);
    assert.equal((calls[0].msg as { params: { arguments: { message: string } } }).params.arguments.message, 'key=***');
  });

  it('exits with the child code when the server exits while the client keeps stdin open', async () => {
    const trace = path.join(dir, 'exit.jsonl');
    const r = await runProxy(
      ['--trace', trace, '--', process.execPath, ECHO],
      Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}\n'),
      {
        keepOpen: true,
        env: { EXIT_AFTER_MS: '300' },
      },
    );
    assert.equal(r.code, 5);
    const back = await readTraceFile(trace);
    assert.ok(
      [...back.recorder.entries()].some((e) => /exited with code 5/.test(String(e.msg))),
      'flushed before exit',
    );
  });

  it('forwards SIGTERM to the server and exits with 128 + signal', async () => {
    const trace = path.join(dir, 'sig.jsonl');
    const p = spawn(process.execPath, [...CLI, '--trace', trace, '--', process.execPath, ECHO], { cwd: root });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    // Wait until the server runs (its first output came through), then signal the proxy.
    await waitFor(() => out.includes('not json at all'), 'the server output through the proxy', 10000);
    p.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => p.on('close', (c) => resolve(c)));
    assert.equal(code, 143);
    const back = await readTraceFile(trace);
    const texts = [...back.recorder.entries()].map((e) => String(e.msg));
    assert.ok(texts.some((t) => /received SIGTERM, forwarding/.test(t)));
    assert.ok(texts.some((t) => /exited with signal SIGTERM/.test(t)));
  });

  it('terminates a server that ignores stdin EOF after the grace time', async () => {
    const trace = path.join(dir, 'grace.jsonl');
    const t0 = Date.now();
    const r = await runProxy(
      ['--trace', trace, '--grace', '300', '--', process.execPath, ECHO],
      Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}\n'),
      { env: { IGNORE_EOF: '1' } },
    );
    assert.equal(r.code, 143, 'killed by the forwarded SIGTERM');
    assert.ok(Date.now() - t0 < 15000);
    const back = await readTraceFile(trace);
    assert.ok(
      [...back.recorder.entries()].some((e) => /still running 300 ms after stdin closed: SIGTERM/.test(String(e.msg))),
    );
  });

  it('reports a command that cannot start with exit code 127', async () => {
    const r = await runProxy(['--', path.join(dir, 'no-such-server')], Buffer.alloc(0));
    assert.equal(r.code, 127);
    assert.match(r.stderr, /cannot start .*ENOENT/);
    assert.equal(r.stdout.length, 0, 'nothing but protocol bytes on stdout');
  });

  it('rejects bad usage with exit code 2', async () => {
    const r = await runProxy(['--trace'], Buffer.alloc(0));
    assert.equal(r.code, 2);
    const r2 = await runProxy(['--bogus', 'x'], Buffer.alloc(0));
    assert.equal(r2.code, 2);
  });

  it('works for a real SDK client in front of server-everything, and the trace pairs the calls', async () => {
    const trace = path.join(dir, 'se.jsonl');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...CLI, '--trace', trace, '--name', 'everything', '--', process.execPath, SE, 'stdio'],
      cwd: root,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'proxy-test', version: '0.0.0' }, { capabilities: {} });
    await client.connect(transport);
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'echo'));
    const r1 = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const r2 = await client.callTool({ name: 'echo', arguments: { message: 'there' } });
    assert.deepEqual(r1.content, [{ type: 'text', text: 'Echo: hi' }]);
    assert.deepEqual(r2.content, [{ type: 'text', text: 'Echo: there' }]);
    const proxyPid = transport.pid;
    assert.ok(proxyPid, 'the proxy runs');
    await client.close();
    // client.close() ends stdin → proxy waits for the server → flushes → exits.
    await waitFor(() => !processAlive(proxyPid), `the proxy (pid ${proxyPid}) to exit`, 10000);
    const back = await readTraceFile(trace);
    const entries = [...back.recorder.entries()];
    const methods = entries.filter((e) => e.shape === 'request').map((e) => e.method);
    assert.deepEqual(methods.slice(0, 4), ['initialize', 'tools/list', 'tools/call', 'tools/call']);
    const calls = entries.filter((e) => e.method === 'tools/call' && e.shape === 'request');
    for (const c of calls) {
      assert.equal(c.tool, 'echo');
      assert.equal(c.status, 'ok');
      assert.ok(c.latencyMs! > 0, 'paired with latency');
    }
    assert.equal(back.recorder.statsFor('echo')?.calls, 2);
  });
});
