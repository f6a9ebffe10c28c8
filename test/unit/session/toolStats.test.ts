import * as assert from 'node:assert/strict';
import { ToolStatsTracker } from '../../../src/core/session/toolStats';

describe('session: ToolStatsTracker', () => {
  it('keeps counts over all calls and percentiles over the last 1000', () => {
    const t = new ToolStatsTracker();
    // 1000 slow calls (100 ms), then 1000 fast ones (1..1000 ms scaled to 0.001..1): the window forgets the slow ones.
    for (let i = 0; i < 1000; i++) t.record('echo', 100, i % 100 === 0);
    assert.deepEqual(t.get('echo'), { calls: 1000, errors: 10, p50: 100, p95: 100, max: 100 });
    for (let i = 1; i <= 1000; i++) t.record('echo', i / 1000, false);
    const s = t.get('echo')!;
    assert.equal(s.calls, 2000);
    assert.equal(s.errors, 10);
    assert.equal(s.p50, 0.5);
    assert.equal(s.p95, 0.95);
    assert.equal(s.max, 100, 'max covers every call');
    assert.equal(t.get('other'), undefined);
  });

  it('hands out fresh objects and sees calls recorded after a snapshot', () => {
    const t = new ToolStatsTracker();
    t.record('a', 5, false);
    const first = t.snapshot();
    first.get('a')!.calls = 99;
    assert.equal(t.get('a')!.calls, 1, 'a caller changing its copy changes nothing');
    t.record('a', 7, true);
    t.record('b', 1, false);
    const second = t.snapshot();
    assert.deepEqual(second.get('a'), { calls: 2, errors: 1, p50: 5, p95: 7, max: 7 });
    assert.deepEqual([...second.keys()], ['a', 'b']);
    t.clear();
    assert.equal(t.snapshot().size, 0);
  });
});
