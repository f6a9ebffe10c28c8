// The fault suite: fixture servers that misbehave in one way each (test/fixtures/servers/fault-*),
// run through a real McpSession with a real TraceRecorder as its sink. Every test checks that
// the session stays responsive (event-loop lag, bounded call times), the trace keeps every
// message received before the fault, the user gets a clear finding, and stop() leaves no process.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Finding } from '../../../src/core/model';
import type { McpSession } from '../../../src/core/session/mcpSession';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import type { TraceDirection, TraceSink } from '../../../src/core/trace/types';
import { waitFor } from '../../waitFor';
import { FIXTURES, SessionPool, freePort, isAlive, pyServer, serverConfig } from './helpers';

/** Forwards to a real recorder and remembers what the session handed it (to prove nothing is lost). */
class CountingSink implements TraceSink {
  readonly recorder: TraceRecorder;
  readonly incoming: unknown[] = [];
  constructor(name: string, opts: { maxMessages?: number } = {}) {
    this.recorder = new TraceRecorder({ serverId: `fault:${name}`, serverName: name, ...opts });
  }
  message(dir: TraceDirection, msg: unknown, ts: number, size?: number): void {
    if (dir === 'in') this.incoming.push(msg);
    this.recorder.message(dir, msg, ts, size);
  }
  stderr(line: string, ts: number): void {
    this.recorder.stderr(line, ts);
  }
  stdoutNoise(line: string, ts: number): void {
    this.recorder.stdoutNoise(line, ts);
  }
  lifecycle(text: string, ts: number): void {
    this.recorder.lifecycle(text, ts);
  }
  /** Incoming messages in the recorder, in order. */
  recordedIncoming(): unknown[] {
    return [...this.recorder.entries()].filter((e) => e.kind === 'message' && e.dir === 'in').map((e) => e.msg);
  }
  /** Every message the session received is in the recorder, same objects, same order. */
  assertKeptEverything(): void {
    const rec = this.recordedIncoming();
    assert.equal(rec.length, this.incoming.length, 'recorder kept every incoming message');
    for (let i = 0; i < rec.length; i++) assert.equal(rec[i], this.incoming[i]);
  }
  lines(kind: 'stderr' | 'stdout-noise' | 'lifecycle'): string[] {
    return [...this.recorder.entries()].filter((e) => e.kind === kind).map((e) => String(e.msg));
  }
}

/** Measures event-loop lag with a 20 ms timer: the session must never block the test's loop. */
class LagMonitor {
  maxLagMs = 0;
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const t = performance.now();
    this.maxLagMs = Math.max(this.maxLagMs, t - this.last - 20);
    this.last = t;
  }, 20);
  stop(): number {
    clearInterval(this.timer);
    return this.maxLagMs;
  }
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t0 };
}

function finding(s: McpSession, code: string): Finding {
  const f = s.view().findings.find((x) => x.code === code);
  assert.ok(
    f,
    `expected ${code}, got ${JSON.stringify(
      s.view().findings.map((x) => `${x.code}: ${x.message}`),
      null,
      1,
    )}`,
  );
  return f;
}

/** Pids the session spawns (from its "started (pid N)" lifecycle line). */
function pidsOf(s: McpSession): number[] {
  const pids: number[] = [];
  s.onOutput((e) => {
    const m = /^started \(pid (\d+)\)/.exec(e.text);
    if (m) pids.push(Number(m[1]));
  });
  return pids;
}

function initResult(sink: CountingSink): boolean {
  return sink.recordedIncoming().some((m) => !!(m as { result?: { serverInfo?: unknown } }).result?.serverInfo);
}

/** Starts test/fixtures/servers/fault-http.mjs and waits until it listens. */
async function startHttpFault(mode: string): Promise<{ url: string; proc: ChildProcess; log: string[] }> {
  const port = await freePort();
  const log: string[] = [];
  const proc = spawn(process.execPath, [path.join(FIXTURES, 'fault-http.mjs'), String(port), mode], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
  await waitFor(
    () => log.join('').includes('listening'),
    () => `fault-http to listen (its output: ${log.join('')})`,
    5000,
  );
  return { url: `http://127.0.0.1:${port}/mcp`, proc, log };
}

describe('session faults: misbehaving servers', function () {
  this.timeout(20000);
  const pool = new SessionPool();
  const httpProcs: ChildProcess[] = [];
  let lag: LagMonitor;
  beforeEach(() => (lag = new LagMonitor()));
  afterEach(async () => {
    lag.stop();
    await pool.cleanup();
    for (const p of httpProcs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  });

  it('crash at start → MCP708 with the exception at its line; start resolves fast; nothing left running', async () => {
    const sink = new CountingSink('crash-start');
    const s = pool.create({ server: pyServer('fault-crash-start.py'), trace: sink });
    const pids = pidsOf(s);
    const { ms } = await timed(s.start());
    assert.ok(ms < 5000, `start took ${ms} ms`);
    assert.equal(s.view().state.kind, 'error');
    const f = finding(s, 'MCP708');
    assert.match(f.message, /FileNotFoundError/);
    assert.match(f.message, /fault-settings\.json/);
    assert.equal(f.file, path.join(FIXTURES, 'fault-crash-start.py'));
    assert.equal(f.range.start.line, 5); // open("/nonexistent/...")
    assert.ok(
      sink.lines('stderr').some((l) => l.startsWith('Traceback')),
      'the traceback is in the trace',
    );
    sink.assertKeptEverything();
    await s.stop();
    // It exits during the era probe, so it is started once more with a 2025-era handshake (a
    // 2025-era server may exit on an unknown request); it crashes again: two starts, none left.
    assert.equal(pids.length, 2);
    assert.ok(pids.every((p) => !isAlive(p)));
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('crash mid-call → the pending call fails at once naming the exit; MCP708; trace keeps what came before', async () => {
    const sink = new CountingSink('crash-midcall');
    const s = pool.create({ server: pyServer('fault-crash-midcall.py'), trace: sink });
    await s.start();
    assert.equal(s.view().state.kind, 'running');
    assert.equal((await s.callTool('echo', { text: 'before' })).ok, true);
    const pid = s.view().pid!;
    const { value: r, ms } = await timed(s.callTool('explode', {}));
    assert.ok(ms < 3000, `the pending call took ${ms} ms to fail`);
    assert.equal(r.ok, false);
    assert.match(r.error!.message, /exited|closed/i);
    await waitFor(() => s.view().findings.some((x) => x.code === 'MCP708'), 'an MCP708 finding', 5000);
    const f = finding(s, 'MCP708');
    assert.equal(f.data?.exitCode, 9);
    assert.match(f.message, /about to segfault/);
    assert.equal(s.view().state.kind, 'error');
    // Everything received before the crash: init, lists, the echo result and the log notification.
    sink.assertKeptEverything();
    const rec = sink.recordedIncoming() as { method?: string; result?: { content?: { text: string }[] } }[];
    assert.ok(initResult(sink));
    assert.ok(rec.some((m) => m.result?.content?.[0]?.text === 'before'));
    assert.ok(rec.some((m) => m.method === 'notifications/message'));
    assert.ok(sink.lines('stderr').includes('explode: about to segfault (simulated)'));
    // Later calls fail fast with the state, not a hang.
    const after = await timed(s.callTool('echo', { text: 'after' }));
    assert.ok(after.ms < 500 && after.value.ok === false);
    await s.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('hangs forever in a tool → timeout, notifications/cancelled sent, the session keeps working', async () => {
    const sink = new CountingSink('hang');
    const s = pool.create({ server: pyServer('fault-hang.py'), trace: sink });
    await s.start();
    const pid = s.view().pid!;
    const t = await timed(s.callTool('hang', {}, { timeoutMs: 1500 }));
    assert.equal(t.value.ok, false);
    assert.equal(t.value.timedOut, true);
    assert.match(t.value.error!.message, /timed out/i);
    assert.ok(t.ms >= 1400 && t.ms < 4000, `timeout after ${t.ms} ms`);
    const f = finding(s, 'MCP717');
    assert.match(f.message, /Tool `hang` did not answer within 1\.5 s/);
    assert.equal(f.data?.tool, 'hang');
    // User cancellation of a second hanging call.
    const ac = new AbortController();
    const c0 = timed(s.callTool('hang', {}, { signal: ac.signal }));
    // Cancel once the second call is on the wire (the server never answers it).
    const hangCalls = () =>
      [...sink.recorder.entries()].filter(
        (e) => e.dir === 'out' && (e.msg as { params?: { name?: string } }).params?.name === 'hang',
      ).length;
    await waitFor(() => hangCalls() === 2, 'the second hang call to be sent', 5000);
    ac.abort('user pressed cancel');
    const c = await c0;
    assert.equal(c.value.cancelled, true);
    assert.ok(c.ms < 2000);
    const out = [...sink.recorder.entries()]
      .filter((e) => e.dir === 'out')
      .map((e) => e.msg as { method?: string; params?: { reason?: string } });
    const cancels = out.filter((m) => m.method === 'notifications/cancelled');
    assert.equal(cancels.length, 2, 'one notifications/cancelled per abandoned call');
    assert.ok(cancels.some((m) => /user pressed cancel/.test(String(m.params?.reason))));
    // Still responsive.
    const echo = await timed(s.callTool('echo', { text: 'still here' }));
    assert.equal(echo.value.ok, true);
    assert.ok(echo.ms < 2000);
    assert.equal(s.view().toolStats.get('hang')?.errors, 2);
    sink.assertKeptEverything();
    await s.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('never answers initialize → MCP707 after the startup timeout with its stderr; process stopped', async () => {
    const sink = new CountingSink('no-init');
    const s = pool.create({ server: pyServer('fault-no-initialize.py'), trace: sink, startupTimeoutMs: 1500 });
    const pids: number[] = [];
    s.onOutput((e) => {
      const m = /started \(pid (\d+)\)/.exec(e.text);
      if (m) pids.push(Number(m[1]));
    });
    const { ms } = await timed(s.start());
    assert.ok(ms >= 1400 && ms < 5000, `start took ${ms} ms`);
    const f = finding(s, 'MCP707');
    assert.match(f.message, /did not answer `initialize` within 2 s|within 1 s|within 1\.5 s/);
    assert.match(f.message, /license server/);
    assert.equal(s.view().state.kind, 'error');
    assert.ok(
      sink.lines('stderr').some((l) => l.startsWith('ignored: {"') && l.includes('initialize')),
      'the server got the request',
    );
    assert.equal(pids.length, 1);
    await waitFor(() => !isAlive(pids[0]), 'the silent server to be stopped', 3000);
    await s.stop();
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('floods 10,000 notifications/s for 2 s → all traced, UI events batched, memory bounded, calls still answered', async function () {
    this.timeout(30000);
    const sink = new CountingSink('flood');
    let appendEvents = 0;
    sink.recorder.onDidAppend(() => appendEvents++);
    const s = pool.create({ server: pyServer('fault-flood.py'), trace: sink });
    let logs = 0;
    s.onOutput((e) => e.kind === 'log' && logs++);
    await s.start();
    const pid = s.view().pid!;
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const flood = s.callTool('flood', { rate: 10000, seconds: 2 }, { timeoutMs: 20000 });
    // While the flood runs: a call gets through in bounded time.
    await waitFor(
      () => logs >= 1000,
      () => `the flood to be under way (${logs} log events)`,
      5000,
    );
    const echo = await timed(s.callTool('echo', { text: 'during flood' }));
    assert.equal(echo.value.ok, true);
    assert.ok(echo.ms < 3000, `echo during flood took ${echo.ms} ms`);
    const r = await flood;
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.match(JSON.stringify(r.result), /sent 20000/);
    await waitFor(
      () => logs >= 20000,
      () => `20000 log events (got ${logs})`,
      5000,
    );
    const heapGrowthMb = (process.memoryUsage().heapUsed - heap0) / 1048576;
    const notes = sink.recordedIncoming().filter((m) => (m as { method?: string }).method === 'notifications/message');
    assert.equal(notes.length, 20000, 'every notification is in the trace');
    sink.assertKeptEverything();
    sink.recorder.flushEvents();
    assert.ok(
      appendEvents < 2000,
      `recorder UI events are batched: ${appendEvents} events for ${sink.recorder.lastSeq} entries`,
    );
    assert.ok(heapGrowthMb < 150, `heap grew ${heapGrowthMb.toFixed(1)} MB`);
    assert.equal(s.view().state.kind, 'running');
    await s.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('floods into a small recorder → memory held to the ring (oldest dropped), the session unaffected', async function () {
    this.timeout(30000);
    const sink = new CountingSink('flood-small', { maxMessages: 1000 });
    const s = pool.create({ server: pyServer('fault-flood.py'), trace: sink });
    await s.start();
    const pid = s.view().pid!;
    const r = await s.callTool('flood', { rate: 10000, seconds: 1 }, { timeoutMs: 20000 });
    assert.equal(r.ok, true);
    assert.equal(sink.recorder.length, 1000);
    assert.ok(sink.recorder.lastSeq > 10000);
    assert.ok((await s.callTool('echo', { text: 'x' })).ok);
    await s.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('50 MB message → handled in linear time, truncated in the trace memory, session responsive', async function () {
    this.timeout(30000);
    const sink = new CountingSink('huge');
    const s = pool.create({ server: pyServer('fault-huge.py'), trace: sink, requestTimeoutMs: 15000 });
    await s.start();
    const pid = s.view().pid!;
    const small = await timed(s.callTool('big', { mb: 5 }));
    const big = await timed(s.callTool('big', { mb: 50 }));
    assert.equal(big.value.ok, true, JSON.stringify(big.value.error));
    const text = (big.value.result as { content: { text: string }[] }).content[0].text;
    assert.equal(text.length, 50 * 1024 * 1024);
    // Linear: 10× the bytes must not cost 100× the time (generous for a loaded machine).
    assert.ok(
      big.ms < Math.max(10000, small.value.ok ? small.ms * 40 : 0),
      `5 MB ${small.ms.toFixed(0)} ms, 50 MB ${big.ms.toFixed(0)} ms`,
    );
    const last = [...sink.recorder.entries()].filter((e) => e.kind === 'message' && e.dir === 'in').pop()!;
    assert.equal(last.truncated, true, 'the 50 MB payload is a marker in memory');
    assert.ok(last.size > 50 * 1024 * 1024);
    assert.ok(sink.recorder.memoryBytes < 20 * 1048576, `recorder holds ${sink.recorder.memoryBytes} bytes`);
    assert.equal(sink.recordedIncoming().length, sink.incoming.length);
    assert.equal((await s.callTool('echo', { text: 'after' })).ok, true);
    await s.stop();
    assert.equal(isAlive(pid), false);
    // One 50 MB line is one synchronous JSON.parse: the floor of any client. The lag may be a few
    // such parses (decode, parse, size), never more; calibrated here so a loaded machine is fair.
    const maxLag = lag.stop();
    const line = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } });
    const t0 = performance.now();
    JSON.parse(line);
    const parseMs = performance.now() - t0;
    assert.ok(
      maxLag < Math.max(3000, parseMs * 6),
      `event loop lag ${maxLag} ms; one JSON.parse ${parseMs.toFixed(0)} ms`,
    );
  });

  it('50 MB message above maxLineBytes → MCP714 and the waiting call fails at once', async function () {
    this.timeout(30000);
    const sink = new CountingSink('huge-capped');
    const s = pool.create({
      server: pyServer('fault-huge.py'),
      trace: sink,
      maxLineBytes: 10 * 1048576,
      requestTimeoutMs: 15000,
    });
    await s.start();
    const pid = s.view().pid!;
    const r = await timed(s.callTool('big', { mb: 50 }));
    assert.equal(r.value.ok, false);
    assert.ok(r.ms < 8000, `the call took ${r.ms} ms`);
    assert.match(r.value.error!.message, /too large|MB/);
    const f = finding(s, 'MCP714');
    assert.match(f.message, /50\.0 MB line/);
    assert.equal((await s.callTool('echo', { text: 'after' })).ok, true);
    sink.assertKeptEverything();
    await s.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('invalid JSON and invalid JSON-RPC lines → MCP713 findings; the session keeps working', async () => {
    const sink = new CountingSink('garbage');
    const s = pool.create({ server: pyServer('fault-garbage.py'), trace: sink });
    await s.start();
    const pid = s.view().pid!;
    const r = await s.callTool('garbage', {});
    assert.equal(r.ok, true);
    await s.flushFindings();
    const bad = s.view().findings.filter((x) => x.code === 'MCP713');
    const all = bad.map((x) => x.message).join('\n');
    assert.match(all, /not valid JSON/);
    assert.match(all, /"jsonrpc": "2\.0"/);
    assert.ok(bad.length >= 3, all);
    assert.equal(
      s.view().findings.filter((x) => x.code === 'MCP101').length,
      0,
      'JSON-looking lines are not called stdout logging',
    );
    // The broken lines are kept in the trace as received.
    assert.equal(sink.lines('stdout-noise').length, 5);
    assert.equal((await s.callTool('echo', { text: 'valid again' })).ok, true);
    assert.equal(s.view().state.kind, 'running');
    sink.assertKeptEverything();
    await s.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('closes stdout but stays alive → MCP712, pending call fails, stop still kills it', async () => {
    const sink = new CountingSink('close-stdout');
    const s = pool.create({ server: pyServer('fault-close-stdout.py'), trace: sink });
    await s.start();
    const pid = s.view().pid!;
    const r = await timed(s.callTool('close_stdout', {}));
    assert.equal(r.value.ok, false);
    assert.ok(r.ms < 3000, `call took ${r.ms} ms`);
    assert.match(r.value.error!.message, /stdout/);
    const f = finding(s, 'MCP712');
    assert.match(f.message, /closed its stdout/);
    assert.equal(s.view().state.kind, 'error');
    assert.ok(isAlive(pid), 'the process itself is still alive');
    sink.assertKeptEverything();
    assert.ok(initResult(sink));
    const stop = await timed(s.stop());
    assert.ok(stop.ms < 3000, `stop took ${stop.ms} ms`);
    assert.equal(isAlive(pid), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('closes stdout before the handshake → MCP712 at once (not a startup timeout)', async () => {
    const sink = new CountingSink('close-stdout-start');
    const s = pool.create({
      server: pyServer('fault-close-stdout.py', { env: { CLOSE_AT_START: '1' } }),
      trace: sink,
      startupTimeoutMs: 8000,
    });
    const pids = pidsOf(s);
    const { ms } = await timed(s.start());
    assert.ok(ms < 4000, `start took ${ms} ms`);
    assert.equal(s.view().state.kind, 'error');
    assert.match((s.view().state as { reason: string }).reason, /closed its stdout/);
    const f = finding(s, 'MCP712');
    assert.match(f.message, /during the handshake/);
    assert.match(f.message, /closing stdout at start/);
    assert.equal(s.view().findings.filter((x) => x.code === 'MCP707' || x.code === 'MCP711').length, 0);
    await s.stop();
    assert.equal(isAlive(pids[0]), false);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('ignores SIGTERM → stop escalates to SIGKILL within the grace time', async () => {
    const sink = new CountingSink('ignore-term');
    const s = pool.create({ server: pyServer('fault-ignore-sigterm.py'), trace: sink, stopGraceMs: 500 });
    await s.start();
    const pid = s.view().pid!;
    const stop = await timed(s.stop());
    // stdin closed → 500 ms → SIGTERM → 500 ms → SIGKILL
    assert.ok(stop.ms >= 900 && stop.ms < 3000, `stop took ${stop.ms} ms`);
    assert.equal(isAlive(pid), false);
    assert.equal((s.view().state as { signal?: string }).signal, 'SIGKILL');
    assert.ok(sink.lines('lifecycle').some((l) => /stopped \(signal SIGKILL\)/.test(l)));
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('spawns children that outlive it (one escaped with setsid) → stop kills the whole tree', async () => {
    const s = pool.create({ server: pyServer('fault-orphans.py'), trace: new CountingSink('orphans') });
    await s.start();
    const pid = s.view().pid!;
    const r = await s.callTool('pids', {});
    const [inGroup, escaped] = (r.result as { content: { text: string }[] }).content[0].text.split(',').map(Number);
    assert.ok(isAlive(inGroup) && isAlive(escaped));
    const stop = await timed(s.stop());
    assert.ok(stop.ms < 5000, `stop took ${stop.ms} ms`);
    for (const p of [pid, inGroup, escaped]) assert.equal(isAlive(p), false, `pid ${p} still alive`);
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  it('exits on its own leaving children (one escaped with setsid) → the session clears them out', async () => {
    const s = pool.create({
      server: pyServer('fault-orphans.py'),
      trace: new CountingSink('orphans-exit'),
      healthIntervalMs: 200,
    });
    await s.start();
    const pid = s.view().pid!;
    const r = await s.callTool('pids', {});
    const [inGroup, escaped] = (r.result as { content: { text: string }[] }).content[0].text.split(',').map(Number);
    // A health sample taken after the children started remembers the tree.
    const spawned = Date.now();
    await waitFor(() => s.health().some((h) => h.ts > spawned), 'a health sample that sees the children', 5000);
    assert.equal((await s.callTool('quit', {})).ok, true);
    await waitFor(() => s.view().state.kind === 'error', 'the error state', 5000);
    assert.match(finding(s, 'MCP708').message, /exited \(code 0\) while running/);
    for (const p of [pid, inGroup, escaped]) await waitFor(() => !isAlive(p), `pid ${p} to be gone`, 5000);
    await s.stop();
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });

  for (const status of [400, 404, 421, 500]) {
    it(`HTTP ${status} on initialize → MCP720 naming ${status}`, async () => {
      const srv = await startHttpFault(`status-${status}`);
      httpProcs.push(srv.proc);
      const sink = new CountingSink(`http-${status}`);
      const s = pool.create({
        server: serverConfig(`http-${status}`, { transport: 'http', url: srv.url }),
        trace: sink,
        startupTimeoutMs: 5000,
      });
      const { ms } = await timed(s.start());
      assert.ok(ms < 6000, `start took ${ms} ms`);
      assert.equal(s.view().state.kind, 'error');
      const f = finding(s, 'MCP720');
      assert.equal(f.data?.status, status);
      assert.match(f.message, new RegExp(`HTTP ${status}`));
      if (status === 421) assert.match(f.message, /Host|Origin/);
      sink.assertKeptEverything();
      await s.stop();
      assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
    });
  }

  it('HTTP connection dropped on initialize → a finding that says the connection was dropped', async () => {
    const srv = await startHttpFault('drop');
    httpProcs.push(srv.proc);
    const sink = new CountingSink('http-drop');
    const s = pool.create({
      server: serverConfig('http-drop', { transport: 'http', url: srv.url }),
      trace: sink,
      startupTimeoutMs: 5000,
    });
    const { ms } = await timed(s.start());
    assert.ok(ms < 6000);
    assert.equal(s.view().state.kind, 'error');
    const f = finding(s, 'MCP722');
    assert.match(f.message, /closed it without an HTTP response to `initialize`/);
    assert.equal(s.view().findings.filter((x) => x.code === 'MCP721').length, 0, 'it was reachable');
    sink.assertKeptEverything();
    await s.stop();
  });

  for (const status of [400, 421, 500]) {
    it(`HTTP ${status} mid-session on tools/call → the call fails naming the status, MCP720`, async () => {
      const srv = await startHttpFault(`call-status-${status}`);
      httpProcs.push(srv.proc);
      const sink = new CountingSink(`http-call-${status}`);
      const s = pool.create({
        server: serverConfig(`http-call-${status}`, { transport: 'http', url: srv.url }),
        trace: sink,
      });
      await s.start();
      assert.equal(s.view().state.kind, 'running', JSON.stringify(s.view().findings));
      assert.deepEqual(
        s.view().tools.map((t) => t.name),
        ['echo'],
      );
      const r = await timed(s.callTool('echo', { text: 'x' }));
      assert.equal(r.value.ok, false);
      assert.ok(r.ms < 3000);
      assert.match(r.value.error!.message, new RegExp(String(status)));
      const f = finding(s, 'MCP720');
      assert.equal(f.data?.status, status);
      assert.match(f.message, /tools\/call/);
      sink.assertKeptEverything();
      assert.ok(initResult(sink));
      await s.stop();
      assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
    });
  }

  it('HTTP connection dropped mid-session → the call fails fast with a clear error', async () => {
    const srv = await startHttpFault('call-drop');
    httpProcs.push(srv.proc);
    const sink = new CountingSink('http-call-drop');
    const s = pool.create({ server: serverConfig('http-call-drop', { transport: 'http', url: srv.url }), trace: sink });
    await s.start();
    assert.equal(s.view().state.kind, 'running');
    const r = await timed(s.callTool('echo', { text: 'x' }));
    assert.equal(r.value.ok, false);
    assert.ok(r.ms < 3000);
    assert.match(r.value.error!.message, /closed the connection|dropped|reset|socket/i);
    const f = finding(s, 'MCP722');
    assert.match(f.message, /without an HTTP response on `tools\/call`/);
    assert.equal(s.view().state.kind, 'running', 'one dropped request does not end the session');
    assert.ok(initResult(sink));
    sink.assertKeptEverything();
    await s.stop();
  });

  it('HTTP 404 mid-session on a request carrying the session id → MCP723 naming the id', async () => {
    const srv = await startHttpFault('call-status-404');
    httpProcs.push(srv.proc);
    const sink = new CountingSink('http-call-404');
    const s = pool.create({ server: serverConfig('http-call-404', { transport: 'http', url: srv.url }), trace: sink });
    await s.start();
    assert.equal(s.view().state.kind, 'running', JSON.stringify(s.view().findings));
    const r = await timed(s.callTool('echo', { text: 'x' }));
    assert.equal(r.value.ok, false);
    assert.ok(r.ms < 3000);
    assert.match(r.value.error!.message, /404/);
    const f = finding(s, 'MCP723');
    assert.match(f.message, /fault-session-1/);
    assert.match(f.message, /tools\/call/);
    assert.equal(s.view().state.kind, 'error');
    sink.assertKeptEverything();
    await s.stop();
  });

  it('server loses the Mcp-Session-Id (404 "Session not found" after initialize) → MCP723', async () => {
    const srv = await startHttpFault('lose-session');
    httpProcs.push(srv.proc);
    const sink = new CountingSink('lose-session');
    const s = pool.create({
      server: serverConfig('lose-session', { transport: 'http', url: srv.url }),
      trace: sink,
      startupTimeoutMs: 5000,
    });
    const { ms } = await timed(s.start());
    assert.ok(ms < 6000);
    assert.equal(s.view().state.kind, 'error');
    const f = finding(s, 'MCP723');
    assert.match(f.message, /Mcp-Session-Id/);
    assert.match(f.message, /fault-session-1/);
    assert.match(f.message, /404/);
    assert.ok(initResult(sink), 'the initialize answer is in the trace');
    sink.assertKeptEverything();
    await s.stop();
    assert.ok(lag.stop() < 1000, `event loop lag ${lag.maxLagMs} ms`);
  });
});
