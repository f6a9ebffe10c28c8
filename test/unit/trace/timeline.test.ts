import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { axisMarks, layoutTimeline } from '../../../media/trace/timeline';
import type { DisplayEntry } from '../../../src/shared/protocol';
import { syntheticEntries } from './helpers/synthetic';

let seq = 0;
function request(ts: number, method: string, latencyMs?: number, over: Partial<DisplayEntry> = {}): DisplayEntry {
  return {
    sx: 1,
    seq: ++seq,
    ts,
    dir: 'out',
    kind: 'message',
    label: method,
    method,
    size: 50,
    status: latencyMs === undefined ? 'pending' : 'ok',
    ...(latencyMs !== undefined ? { latencyMs, pair: seq + 100 } : {}),
    ...over,
  };
}
const response = (ts: number, method: string): DisplayEntry => ({
  sx: 1,
  seq: ++seq,
  ts,
  dir: 'in',
  kind: 'message',
  label: 'result',
  method,
  size: 10,
  status: 'ok',
  pair: 1,
});
const notification = (ts: number, method: string, dir: 'in' | 'out' = 'in', sx = 1): DisplayEntry => ({
  sx,
  seq: ++seq,
  ts,
  dir,
  kind: 'message',
  label: method,
  method,
  size: 10,
  status: 'none',
});
const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
const groups = (sx: number) => ({ key: sx === 1 ? 'a' : 'b', title: sx === 1 ? 'everything' : 'memory' });

describe('trace timeline layout (pure)', () => {
  it('draws one bar per request, from send to answer; responses are not bars', () => {
    const entries = [request(1000, 'initialize', 500), response(1500, 'initialize'), request(1600, 'tools/list', 40)];
    const l = layoutTimeline(entries, all(3), groups, 5000);
    assert.equal(l.groups.length, 1);
    const calls = l.groups[0].calls;
    assert.deepEqual(
      calls.map((c) => [c.label, c.start, c.end, c.lane]),
      [
        ['initialize', 1000, 1500, 0],
        ['tools/list', 1600, 1640, 0],
      ],
    );
    assert.equal(l.start, 1000);
    assert.equal(l.end, 1640);
  });

  it('puts calls that overlap in time on different lanes, and reuses a lane once it is free', () => {
    const entries = [
      request(0, 'resources/list', 126),
      request(1, 'resources/templates/list', 126),
      request(1, 'prompts/list', 126),
      request(200, 'tools/call', 10, { tool: 'echo' }),
    ];
    const l = layoutTimeline(entries, all(4), groups, 1000);
    const g = l.groups[0];
    assert.equal(g.lanes, 3);
    assert.deepEqual(
      g.calls.map((c) => c.lane),
      [0, 1, 2, 0],
    );
    assert.equal(g.calls[3].label, 'tools/call echo');
    for (const a of g.calls)
      for (const b of g.calls)
        if (a !== b && a.lane === b.lane) assert.ok(a.end <= b.start || b.end <= a.start, 'no overlap in a lane');
  });

  it('runs a pending request to now, and makes notifications ticks per server', () => {
    const entries = [
      request(100, 'tools/call', undefined, { tool: 'slow' }),
      notification(150, 'notifications/progress'),
      notification(170, 'notifications/initialized', 'out', 2),
    ];
    const l = layoutTimeline(entries, all(3), groups, 900);
    const [a, b] = l.groups;
    assert.deepEqual([a.calls[0].open, a.calls[0].end], [true, 900]);
    assert.deepEqual(
      a.ticks.map((t) => [t.label, t.ts, t.fromServer]),
      [['notifications/progress', 150, true]],
    );
    assert.equal(b.title, 'memory');
    assert.deepEqual(
      b.ticks.map((t) => t.fromServer),
      [false],
    );
  });

  it('lays out only the filtered rows it is given, and the newest calls beyond the cap', () => {
    const entries = [request(0, 'a', 1), request(10, 'b', 1), request(20, 'c', 1), notification(5, 'notifications/x')];
    const l = layoutTimeline(entries, Uint32Array.from([1, 2, 3]), groups, 100, { maxCalls: 1 });
    assert.deepEqual(
      l.groups[0].calls.map((c) => c.label),
      ['c'],
    );
    assert.equal(l.dropped, 1);
    assert.equal(l.groups[0].ticks.length, 0, 'ticks before the newest kept call are left out with the calls');
  });

  it('gives a short call drawn at the minimum width its own room on the lane', () => {
    const entries = [request(0, 'a', 0.1), request(1, 'b', 0.1), request(1000, 'c', 0.1)];
    const tight = layoutTimeline(entries, all(3), groups, 2000);
    assert.deepEqual(
      tight.groups[0].calls.map((c) => c.lane),
      [0, 0, 0],
    );
    // 1 % of a 1 s span is 10 ms: a and b would cover each other when drawn that wide.
    const drawn = layoutTimeline(entries, all(3), groups, 2000, { minBarFraction: 0.01 });
    assert.deepEqual(
      drawn.groups[0].calls.map((c) => c.lane),
      [0, 1, 0],
    );
  });

  it('picks round axis steps', () => {
    assert.deepEqual(axisMarks(1000, 5), { step: 200, marks: [0, 200, 400, 600, 800, 1000] });
    assert.equal(axisMarks(37, 8).step, 5);
    assert.equal(axisMarks(3_600_000, 8).step, 500_000);
  });

  it('lays out 100,000 entries in well under a frame budget of a filter change (median of 5)', () => {
    const entries = syntheticEntries(100_000);
    const times: number[] = [];
    let l: ReturnType<typeof layoutTimeline> | undefined;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      l = layoutTimeline(entries, all(entries.length), (sx) => ({ key: String(sx), title: String(sx) }), 2e12);
      times.push(performance.now() - t0);
    }
    assert.equal(
      l!.groups.reduce((n, g) => n + g.calls.length, 0),
      2000,
    );
    assert.ok(l!.dropped > 40_000);
    const median = times.sort((a, b) => a - b)[2];
    // 3-25 ms on a quiet 2-core machine; the bound leaves room for a loaded one.
    assert.ok(median < 100, `median ${median.toFixed(1)} ms (${times.map((t) => t.toFixed(1)).join(', ')})`);
  });
});
