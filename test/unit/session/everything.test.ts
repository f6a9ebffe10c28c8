import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../../waitFor';
import { MemorySink, SERVER_EVERYTHING, SERVER_MEMORY, SessionPool, isAlive, serverConfig } from './helpers';

describe('session: server-everything and server-memory over stdio', function () {
  this.timeout(20000);
  const pool = new SessionPool();
  afterEach(() => pool.cleanup());

  it('starts, lists, calls echo, traces paired messages and stops without leaving a process', async () => {
    const sink = new MemorySink();
    const s = pool.create({
      server: serverConfig('everything', { command: 'node', args: [SERVER_EVERYTHING, 'stdio'] }),
      trace: sink,
    });
    const states: string[] = [];
    s.onDidChangeState((st) => states.push(st.kind === 'starting' ? `starting:${st.step}` : st.kind));
    await s.start();
    const v = s.view();
    assert.equal(v.state.kind, 'running', JSON.stringify(v.state));
    assert.ok(
      v.tools.some((t) => t.name === 'echo'),
      'echo listed',
    );
    assert.ok(v.tools.length >= 10, `tools: ${v.tools.length}`);
    assert.ok(v.resources.length > 0 && v.prompts.length > 0 && v.resourceTemplates.length > 0);
    assert.deepEqual(states, ['starting:connecting', 'starting:listing', 'running']);
    if (v.state.kind === 'running') {
      assert.equal(v.state.serverName, 'mcp-servers/everything');
      assert.ok(v.state.initializeMs > 0);
    }
    const r = await s.callTool('echo', { message: 'hello doctor' });
    assert.equal(r.ok, true);
    assert.match(JSON.stringify(r.result), /Echo: hello doctor/);
    const stats = s.view().toolStats.get('echo')!;
    assert.equal(stats.calls, 1);
    assert.equal(stats.errors, 0);
    assert.ok(stats.max >= stats.p50 && stats.p50 > 0);

    // Every request out has its response in, with sizes for incoming lines.
    const outIds = sink.messages
      .filter((m) => m.dir === 'out' && m.msg.id !== undefined && m.msg.method)
      .map((m) => m.msg.id);
    const inIds = new Set(
      sink.messages.filter((m) => m.dir === 'in' && m.msg.id !== undefined && !m.msg.method).map((m) => m.msg.id),
    );
    assert.ok(outIds.length >= 5);
    for (const id of outIds) assert.ok(inIds.has(id), `response for ${id}`);
    assert.ok(sink.messages.filter((m) => m.dir === 'in').every((m) => typeof m.size === 'number' && m.size > 0));
    // The era probe first (server-everything is 2025-era and answers -32601), then `initialize`.
    assert.deepEqual(
      sink.messages
        .filter((m) => m.dir === 'out')
        .slice(0, 2)
        .map((m) => m.msg.method),
      ['server/discover', 'initialize'],
    );
    assert.equal(sink.messages.find((m) => m.dir === 'in')?.msg.error?.code, -32601);
    assert.equal(v.state.kind === 'running' && v.state.era, '2025');

    const pid = v.pid!;
    assert.ok(isAlive(pid));
    await s.stop();
    assert.equal(isAlive(pid), false, 'server process gone');
    assert.equal(s.view().state.kind, 'stopped');
  });

  it('reports progress, honours per-call timeouts and cancellation', async () => {
    const s = pool.create({
      server: serverConfig('everything', { command: 'node', args: [SERVER_EVERYTHING, 'stdio'] }),
    });
    await s.start();
    const progress: number[] = [];
    const ok = await s.callTool(
      'trigger-long-running-operation',
      { duration: 0.6, steps: 3 },
      { onProgress: (p) => progress.push(p.progress) },
    );
    assert.equal(ok.ok, true, JSON.stringify(ok.error));
    // The SDK dispatches notifications asynchronously, so a progress sent right before the result can be
    // dropped once the result has settled the request: at least the earlier steps arrive, in order.
    assert.ok(progress.length >= 2, `progress: ${progress}`);
    assert.deepEqual(progress, [1, 2, 3].slice(0, progress.length));

    const t = await s.callTool('trigger-long-running-operation', { duration: 5, steps: 1 }, { timeoutMs: 300 });
    assert.equal(t.ok, false);
    assert.equal(t.timedOut, true);
    assert.equal(t.error?.code, -32001);
    assert.ok(t.durationMs < 2000);

    const ac = new AbortController();
    // Cancel once the operation is running (its first progress arrived).
    const c = await s.callTool(
      'trigger-long-running-operation',
      { duration: 5, steps: 5 },
      { signal: ac.signal, onProgress: () => ac.abort('user pressed cancel') },
    );
    assert.equal(c.ok, false);
    assert.equal(c.cancelled, true);
    assert.ok(c.durationMs < 2000);
    const stats = s.view().toolStats.get('trigger-long-running-operation')!;
    assert.equal(stats.calls, 3);
    assert.equal(stats.errors, 2);
    // The session is still usable after a timeout and a cancellation.
    assert.equal((await s.callTool('echo', { message: 'still here' })).ok, true);
  });

  it('reads a resource, gets a prompt and replays an arbitrary request', async () => {
    const s = pool.create({
      server: serverConfig('everything', { command: 'node', args: [SERVER_EVERYTHING, 'stdio'] }),
    });
    await s.start();
    const res = s.view().resources[0];
    const r = await s.readResource(res.uri);
    assert.equal(r.ok, true);
    assert.ok(Array.isArray((r.result as { contents: unknown[] }).contents));
    const p = await s.getPrompt('simple-prompt', {});
    assert.equal(p.ok, true, JSON.stringify(p.error));
    const ping = await s.request('ping', {});
    assert.equal(ping.ok, true);
    const note = await s.request('notifications/roots/list_changed', {});
    assert.equal(note.ok, true);
    assert.equal(note.result, undefined);
    const bad = await s.request('no/such-method', {});
    assert.equal(bad.ok, false);
    assert.equal(bad.error?.code, -32601);
  });

  it('starts server-memory and lists its tools', async () => {
    const file = path.join(os.tmpdir(), `mcp-doctor-memory-${process.pid}.json`);
    const s = pool.create({
      server: serverConfig('memory', { command: 'node', args: [SERVER_MEMORY], env: { MEMORY_FILE_PATH: file } }),
    });
    await s.start();
    assert.equal(s.view().state.kind, 'running');
    assert.ok(s.view().tools.some((t) => t.name === 'create_entities'));
    const r = await s.callTool('read_graph', {});
    assert.equal(r.ok, true, JSON.stringify(r.error));
  });

  it('samples process health (RSS and fds)', async () => {
    const s = pool.create({
      server: serverConfig('everything', { command: 'node', args: [SERVER_EVERYTHING, 'stdio'] }),
      healthIntervalMs: 100,
    });
    await s.start();
    if (process.platform === 'linux') {
      const h = await waitFor(
        () => (s.health().length >= 2 ? s.health() : undefined),
        () => `two health samples 100 ms apart (got ${s.health().length})`,
        2000,
      );
      assert.ok(h[h.length - 1].rssBytes > 10 * 1024 * 1024);
      assert.ok(h[h.length - 1].fds >= 3);
    }
  });
});
