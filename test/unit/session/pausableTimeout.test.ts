import * as assert from 'node:assert/strict';
import type { McpSession } from '../../../src/core/session/mcpSession';
import { probeTimeoutMs, startDeadline } from '../../../src/core/session/pausableTimeout';
import { TimeoutPause } from '../../../src/core/session/timeoutPause';
import { isTimeout } from '../../../src/core/session/sdk';
import { waitFor } from '../../waitFor';
import { FIXTURES, pyServer, SessionPool } from './helpers';

/** Resolves when `signal` aborts; the time it took, in ms. */
function abortedAfter(signal: AbortSignal): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(performance.now() - t0)));
}

/** Resolves after `ms` of wall time: here the condition under test is time passing. */
function elapsed(ms: number): Promise<void> {
  const t0 = performance.now();
  return waitFor(() => performance.now() - t0 >= ms, `${ms} ms to pass`, ms + 5000).then(() => undefined);
}

describe('pausable timeouts (the debugger holds the clock)', () => {
  describe('TimeoutPause', () => {
    it('is paused while any named hold is taken, and fires only when that flips', () => {
      const pause = new TimeoutPause();
      const seen: boolean[] = [];
      pause.onDidChange((p) => seen.push(p));
      pause.hold('attaching');
      pause.hold('stopped');
      pause.release('attaching');
      assert.equal(pause.paused, true, 'the other hold still counts');
      pause.release('attaching');
      pause.release('stopped');
      pause.release('stopped');
      assert.equal(pause.paused, false);
      pause.hold('stopped');
      pause.releaseAll();
      pause.releaseAll();
      assert.deepEqual(seen, [true, false, true, false]);
    });
  });

  describe('startDeadline', () => {
    it('without a pause: the SDK keeps the time with the budget and the caller signal', () => {
      const outer = new AbortController();
      const d = startDeadline(1234, undefined, outer.signal);
      assert.equal(d.sdkTimeout, 1234);
      assert.equal(d.signal, outer.signal);
      assert.equal(d.expired, false);
      d.dispose();
    });

    it('with a pause never held: aborts after the budget with the SDK timeout error', async () => {
      const d = startDeadline(60, new TimeoutPause());
      assert.ok(d.sdkTimeout > 2_000_000_000, 'the SDK gets no timeout of its own');
      const ms = await abortedAfter(d.signal!);
      assert.ok(ms >= 55, `fired after ${ms} ms`);
      assert.equal(d.expired, true);
      assert.ok(isTimeout(d.signal!.reason), 'the reason is what an SDK timeout rejects with');
      d.dispose();
    });

    it('held from the start: does not fire while held, then takes the whole budget after release', async () => {
      const pause = new TimeoutPause();
      pause.hold('attaching');
      const d = startDeadline(80, pause);
      await elapsed(250);
      assert.equal(d.signal!.aborted, false, 'no timeout while paused (3× the budget)');
      const released = performance.now();
      pause.release('attaching');
      await abortedAfter(d.signal!);
      const after = performance.now() - released;
      assert.ok(after >= 75, `fired ${after} ms after the release`);
      d.dispose();
    });

    it('held midway: the paused time is not counted', async () => {
      const pause = new TimeoutPause();
      const t0 = performance.now();
      const d = startDeadline(150, pause);
      const done = abortedAfter(d.signal!);
      await elapsed(50);
      pause.hold('stopped');
      await elapsed(300);
      assert.equal(d.signal!.aborted, false);
      pause.release('stopped');
      await done;
      const total = performance.now() - t0;
      assert.ok(total >= 150 + 300 - 10, `total ${total} ms = budget + time held`);
      d.dispose();
    });

    it('the caller abort goes through; dispose stops the clock', async () => {
      const outer = new AbortController();
      const d = startDeadline(10_000, new TimeoutPause(), outer.signal);
      outer.abort('cancelled by the user');
      assert.equal(d.signal!.aborted, true);
      assert.equal(d.signal!.reason, 'cancelled by the user');
      assert.equal(d.expired, false);
      d.dispose();
      const quiet = startDeadline(30, new TimeoutPause());
      quiet.dispose();
      await elapsed(100);
      assert.equal(quiet.signal!.aborted, false, 'no abort after dispose');
    });

    it('expiry rejects with the timeout error when the budget runs out (for work the signal cannot stop)', async () => {
      const d = startDeadline(50, new TimeoutPause());
      const work = new Promise<string>(() => undefined); // e.g. the SDK's era probe
      await assert.rejects(Promise.race([work, d.expiry]), (err) => isTimeout(err));
      d.dispose();
      const plain = startDeadline(50, undefined);
      const r = await Promise.race([plain.expiry, new Promise((ok) => setTimeout(() => ok('not settled'), 150))]);
      assert.equal(r, 'not settled', 'without a pause the SDK keeps the time; expiry never settles');
      assert.equal(probeTimeoutMs(30000, undefined), 30000);
      assert.ok(probeTimeoutMs(3000, new TimeoutPause()) > 2_000_000_000, 'under the debugger: not timed');
    });

    it('reset (progress) restarts the budget, within the total cap', async () => {
      const d = startDeadline(100, new TimeoutPause(), undefined, 160);
      const t0 = performance.now();
      const done = abortedAfter(d.signal!);
      await elapsed(70);
      d.reset(); // 100 more, but only 90 left of the 160 cap
      await done;
      const total = performance.now() - t0;
      assert.ok(total >= 150 && total < 250, `expired at ${total} ms (cap 160)`);
      d.dispose();
    });
  });

  describe('in a session', function () {
    this.timeout(30000);
    const pool = new SessionPool();
    afterEach(() => pool.cleanup());

    it('a call held longer than its timeout succeeds; the same call unheld times out', async () => {
      const pause = new TimeoutPause();
      const session: McpSession = pool.create({
        server: pyServer('slow-tool.py'),
        requestTimeoutMs: 400,
        pause,
        workspaceFolder: FIXTURES,
      });
      await session.start();
      assert.equal(session.view().state.kind, 'running');

      const unheld = await session.callTool('sleep', { seconds: 1 });
      assert.equal(unheld.timedOut, true, JSON.stringify(unheld.error));
      assert.equal(unheld.error?.code, -32001);

      const call = session.callTool('sleep', { seconds: 1 });
      await elapsed(200);
      pause.hold('stopped'); // e.g. a breakpoint in the tool
      await elapsed(900);
      pause.release('stopped');
      const held = await call;
      assert.equal(held.ok, true, JSON.stringify(held.error));
      assert.ok(held.durationMs >= 1000, `true latency ${held.durationMs} ms`);
    });

    it('the startup timeout does not fire while held (a debugger attaching)', async () => {
      const pause = new TimeoutPause();
      pause.hold('attaching');
      const session = pool.create({ server: pyServer('never-answers.py'), startupTimeoutMs: 300, pause });
      const started = session.start();
      await elapsed(900);
      assert.equal(session.view().state.kind, 'starting', 'still waiting while held');
      pause.release('attaching');
      await started;
      const state = session.view().state;
      assert.equal(state.kind, 'error');
      assert.ok(
        session.view().findings.some((f) => f.code === 'MCP707'),
        'the usual startup-timeout finding',
      );
    });
  });
});
