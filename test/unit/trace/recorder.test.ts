import * as assert from 'node:assert/strict';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import { estimateJsonSize } from '../../../src/core/trace/payload';
import { redactArgs, redactConfig, redactString, redactValue } from '../../../src/core/trace/redact';
import type { TraceAppendEvent } from '../../../src/core/trace/recorder';

const req = (id: number | string, method: string, params?: unknown) => ({ jsonrpc: '2.0', id, method, params });
const res = (id: number | string, result: unknown) => ({ jsonrpc: '2.0', id, result });
const err = (id: number | string, code: number, message: string) => ({ jsonrpc: '2.0', id, error: { code, message } });
const note = (method: string, params?: unknown) => ({ jsonrpc: '2.0', method, params });

describe('trace/TraceRecorder', () => {
  let rec: TraceRecorder;
  beforeEach(() => {
    rec = new TraceRecorder({ serverId: 's1', serverName: 'demo' });
  });
  afterEach(() => rec.dispose());

  it('pairs requests and responses by id and measures latency on both', () => {
    const a = rec.record('message', 'out', req(1, 'initialize', {}), 1000);
    const b = rec.record('message', 'out', req(2, 'tools/list'), 1001);
    const rb = rec.record('message', 'in', res(2, { tools: [] }), 1004.5);
    const ra = rec.record('message', 'in', res(1, {}), 1010);
    assert.equal(rec.get(a)!.pair, ra);
    assert.equal(rec.get(ra)!.pair, a);
    assert.equal(rec.get(a)!.latencyMs, 10);
    assert.equal(rec.get(b)!.latencyMs, 3.5);
    assert.equal(rec.get(rb)!.method, 'tools/list', 'a response carries its request method');
    assert.equal(rec.get(rb)!.shape, 'response');
    assert.equal(rec.get(a)!.status, 'ok');
  });

  it('keys pairing by direction: a server→client request with the same id does not steal the pair', () => {
    const out = rec.record('message', 'out', req(1, 'tools/call', { name: 'echo', arguments: {} }), 0);
    const inReq = rec.record('message', 'in', req(1, 'roots/list'), 1);
    const inRes = rec.record('message', 'out', res(1, { roots: [] }), 2);
    const outRes = rec.record('message', 'in', res(1, { content: [] }), 5);
    assert.equal(rec.get(inReq)!.pair, inRes);
    assert.equal(rec.get(out)!.pair, outRes);
    assert.equal(rec.get(out)!.latencyMs, 5);
  });

  it('derives tool name and status (ok, JSON-RPC error code, isError)', () => {
    const c1 = rec.record('message', 'out', req(1, 'tools/call', { name: 'echo', arguments: { message: 'hi' } }), 0);
    const c2 = rec.record('message', 'out', req(2, 'tools/call', { name: 'boom', arguments: {} }), 0);
    const c3 = rec.record('message', 'out', req(3, 'tools/call', { name: 'nope' }), 0);
    rec.record('message', 'in', res(1, { content: [{ type: 'text', text: 'hi' }] }), 2);
    const r2 = rec.record('message', 'in', res(2, { content: [], isError: true }), 4);
    const r3 = rec.record('message', 'in', err(3, -32602, 'Unknown tool'), 6);
    assert.equal(rec.get(c1)!.tool, 'echo');
    assert.equal(rec.get(c1)!.status, 'ok');
    assert.equal(rec.get(c2)!.status, 'tool-error');
    assert.equal(rec.get(r2)!.tool, 'boom');
    assert.equal(rec.get(c3)!.status, 'error');
    assert.equal(rec.get(c3)!.errorCode, -32602);
    assert.equal(rec.get(r3)!.shape, 'error');
    assert.equal(rec.get(r3)!.errorCode, -32602);
  });

  it('links progress, cancelled, logging and list_changed notifications to their request', () => {
    const call = rec.record(
      'message',
      'out',
      req(7, 'tools/call', { name: 'slow', arguments: {}, _meta: { progressToken: 'tok' } }),
      0,
    );
    const prog = rec.record(
      'message',
      'in',
      note('notifications/progress', { progressToken: 'tok', progress: 1, total: 2 }),
      1,
    );
    const log = rec.record('message', 'in', note('notifications/message', { level: 'info', data: 'working' }), 2);
    const lc = rec.record('message', 'in', note('notifications/tools/list_changed'), 3);
    const line = rec.record('stderr', 'in', 'Traceback (most recent call last):', 3.5);
    const cancel = rec.record(
      'message',
      'out',
      note('notifications/cancelled', { requestId: 7, reason: 'timeout' }),
      4,
    );
    assert.equal(rec.get(prog)!.parent, call);
    assert.equal(rec.get(log)!.parent, call);
    assert.equal(rec.get(lc)!.parent, call);
    assert.equal(rec.get(line)!.parent, call, 'stderr during a call is attributed to it');
    assert.equal(rec.get(cancel)!.parent, call);
    assert.equal(rec.get(call)!.status, 'cancelled');
    // A late response still pairs.
    const late = rec.record('message', 'in', res(7, { content: [] }), 9);
    assert.equal(rec.get(call)!.pair, late);
    // Once nothing is in flight, notifications have no parent.
    const after = rec.record('message', 'in', note('notifications/message', { level: 'info', data: 'idle' }), 10);
    assert.equal(rec.get(after)!.parent, undefined);
  });

  it('keeps messages by reference and records output kinds', () => {
    const m = req(1, 'ping');
    const s = rec.record('message', 'out', m, 0);
    assert.equal(rec.get(s)!.msg, m);
    const e = rec.record('stdout-noise', 'in', 'hello from print()', 1);
    assert.equal(rec.get(e)!.kind, 'stdout-noise');
    assert.equal(rec.get(e)!.msg, 'hello from print()');
    rec.lifecycle('exited with code 1', 2);
    assert.equal(rec.get(rec.lastSeq)!.kind, 'lifecycle');
  });

  it('is bounded by count: the oldest entries are dropped', () => {
    const small = new TraceRecorder({ serverId: 'x', serverName: 'x', maxMessages: 1000 });
    for (let i = 0; i < 5000; i++) small.record('message', 'out', note('notifications/message', { i }), i);
    assert.equal(small.length, 1000);
    assert.equal(small.oldestSeq, 4001);
    assert.equal(small.get(4000), undefined);
    assert.deepEqual((small.get(5000)!.msg as { params: { i: number } }).params, { i: 4999 });
    assert.equal([...small.entries()].length, 1000);
    small.dispose();
  });

  it('is bounded by bytes, and drops the pending state of evicted requests', () => {
    const small = new TraceRecorder({ serverId: 'x', serverName: 'x', maxBytes: 10_000 });
    const first = small.record('message', 'out', req(1, 'tools/call', { name: 'a' }), 0, 100);
    for (let i = 0; i < 200; i++) small.record('message', 'in', note('notifications/message', { i }), i, 100);
    assert.ok(small.memoryBytes <= 10_000, `memory ${small.memoryBytes}`);
    assert.ok(small.length <= 100);
    assert.equal(small.get(first), undefined);
    // The response to the evicted request does not pair with anything.
    const r = small.record('message', 'in', res(1, {}), 300, 100);
    assert.equal(small.get(r)!.pair, undefined);
    small.dispose();
  });

  it('truncates huge payloads in memory with a visible marker, and taps the whole message', () => {
    const tapped: unknown[] = [];
    const r2 = new TraceRecorder({
      serverId: 'x',
      serverName: 'x',
      maxPayloadBytes: 10_000,
      tap: (l) => tapped.push(l.msg),
    });
    const big = 'x'.repeat(50_000);
    const call = r2.record('message', 'out', req(1, 'tools/call', { name: 'upload', arguments: { data: big } }), 0);
    const resp = r2.record('message', 'in', res(1, { content: [{ type: 'text', text: big }], isError: true }), 1);
    const e = r2.get(call)!;
    assert.equal(e.truncated, true);
    assert.equal(e.tool, 'upload', 'tool name survives truncation');
    const params = (e.msg as { params: { $truncated: boolean; bytes: number; preview: string } }).params;
    assert.equal(params.$truncated, true);
    assert.ok(params.bytes > 50_000);
    assert.ok(params.preview.length <= 2000);
    assert.equal(r2.get(resp)!.status, 'tool-error', 'isError survives truncation');
    assert.equal(r2.get(call)!.pair, resp);
    assert.equal((tapped[0] as { params: { arguments: { data: string } } }).params.arguments.data.length, 50_000);
    assert.ok(r2.memoryBytes < 10_000);
    r2.dispose();
  });

  it('computes per-tool statistics with percentiles and a histogram', () => {
    for (let i = 1; i <= 100; i++) {
      rec.record('message', 'out', req(i, 'tools/call', { name: 'echo', arguments: {} }), i * 1000);
      rec.record('message', 'in', i % 10 === 0 ? err(i, -32603, 'x') : res(i, {}), i * 1000 + i);
    }
    const s = rec.statsFor('echo')!;
    assert.equal(s.calls, 100);
    assert.equal(s.errors, 10);
    assert.equal(s.p50, 50);
    assert.equal(s.p95, 95);
    assert.equal(s.max, 100);
    assert.equal(
      s.histogram.reduce((a, b) => a + b, 0),
      100,
    );
    // buckets: ≤1, ≤2, ≤5, ≤10, ≤20, ≤50, ≤100 ...
    assert.deepEqual(s.histogram.slice(0, 7), [1, 1, 3, 5, 10, 30, 50]);
    assert.deepEqual(
      rec.toolStats().map((t) => t.tool),
      ['echo'],
    );
  });

  it('fires onDidAppend once per event-loop turn with new and updated seqs', async () => {
    const events: TraceAppendEvent[] = [];
    rec.onDidAppend((e) => events.push(e));
    const a = rec.record('message', 'out', req(1, 'tools/call', { name: 'echo' }), 0);
    await new Promise((r) => setImmediate(r));
    rec.record('message', 'in', note('notifications/message', {}), 1);
    const b = rec.record('message', 'in', res(1, {}), 2);
    await new Promise((r) => setImmediate(r));
    assert.equal(events.length, 2);
    assert.deepEqual([events[0].first, events[0].last], [a, a]);
    assert.deepEqual([events[1].first, events[1].last], [a + 1, b]);
    assert.deepEqual(events[1].updated, [a]);
    assert.deepEqual(events[1].tools, ['echo']);
  });

  it('never throws on garbage', () => {
    for (const m of [null, 42, 'text', [1, 2], { id: {}, method: 5 }, { jsonrpc: '2.0', id: 1 }, undefined]) {
      const s = rec.record('message', 'in', m, 0);
      assert.equal(rec.get(s)!.shape === 'invalid' || rec.get(s)!.shape === undefined, true);
    }
    const cyclic: Record<string, unknown> = { jsonrpc: '2.0', method: 'x' };
    cyclic.self = cyclic;
    assert.ok(
      rec.record('message', 'in', cyclic, 0) > 0,
      'a cyclic object is recorded (size estimate stops at the limit)',
    );
    const small = new TraceRecorder({ serverId: 'x', serverName: 'x', maxPayloadBytes: 300 });
    const big: Record<string, unknown> = { jsonrpc: '2.0', method: 'x', params: { s: 'y'.repeat(1000) } };
    big.self = big;
    small.record('message', 'in', big, 0);
    small.dispose();
  });

  it('estimates JSON size cheaply and close to the truth', () => {
    const m = req(12, 'tools/call', { name: 'echo', arguments: { message: 'hello world', n: [1, 2, 3], ok: true } });
    const real = JSON.stringify(m).length;
    const est = estimateJsonSize(m);
    assert.ok(Math.abs(est - real) / real < 0.35, `estimate ${est} vs ${real}`);
  });
});

describe('trace/redact', () => {
  it('replaces known token formats anywhere in a string', () => {
    const s = redactString(
      'key sk-abcdefghijklmnopqrstuv and ghp_abcdefghijklmnopqrstuvwxyz0123 xoxb-1234567890-abc AKIAABCDEFGHIJKLMNOP Bearer abc.def.ghi',
    );
    assert.equal(s, 'key *** and *** *** *** Bearer ***');
    assert.equal(redactString('nothing secret here'), 'nothing secret here');
  });

  it('replaces values of secret keys and leaves the input untouched', () => {
    const input = {
      headers: { Authorization: 'token xyz', 'X-Api-Key': 'k', accept: 'json' },
      nested: [{ password: 'p', note: 'sk-proj-abcdefghijklmnopqrstu' }],
    };
    const out = redactValue(input) as typeof input;
    assert.equal(out.headers.Authorization, '***');
    assert.equal(out.headers['X-Api-Key'], '***');
    assert.equal(out.headers.accept, 'json');
    assert.equal(out.nested[0].password, '***');
    assert.equal(out.nested[0].note, '***');
    assert.equal(input.headers.Authorization, 'token xyz');
  });

  it('redacts a server config: env values, secret headers, secret args, raw', () => {
    const cfg = {
      name: 'gh',
      command: 'npx',
      args: ['server', '--token', 'abc', '--api-key=def', '--verbose'],
      env: { GITHUB_TOKEN: 'ghp_x', LOG_LEVEL: 'debug' },
      headers: { Authorization: 'Bearer zzz', 'X-Trace': 'on' },
      raw: { env: { A: 'b' }, args: ['--password', 'p'] },
    };
    const r = redactConfig(cfg);
    assert.deepEqual(r.env, { GITHUB_TOKEN: '***', LOG_LEVEL: '***' });
    assert.deepEqual(r.args, ['server', '--token', '***', '--api-key=***', '--verbose']);
    assert.deepEqual(r.headers, { Authorization: '***', 'X-Trace': 'on' });
    assert.deepEqual((r.raw as { env: unknown }).env, { A: '***' });
    assert.deepEqual(redactArgs(['-p', '1']), ['-p', '1']);
    assert.equal(cfg.env.GITHUB_TOKEN, 'ghp_x');
  });
});
