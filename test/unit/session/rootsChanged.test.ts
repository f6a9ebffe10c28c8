import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Root } from '../../../src/core/session/clientFeatures';
import { venvPython } from '../../python';
import { waitFor } from '../../waitFor';
import { FIXTURES, MemorySink, SERVER_EVERYTHING, SessionPool, serverConfig } from './helpers';

/**
 * Roots follow the workspace folders: when they change, the VS Code side calls `rootsChanged()`
 * (sessionManager, on onDidChangeWorkspaceFolders). server-everything asks `roots/list` once after
 * `initialize` and again on each `notifications/roots/list_changed`, and its get-roots-list tool
 * shows what it holds.
 */
describe('roots list_changed: a real server hears that the roots changed and asks again', function () {
  this.timeout(60000);
  const pool = new SessionPool();
  afterEach(() => pool.cleanup());

  it('a stop does not wait out the grace for a server that asks roots/list after its stdin closed', async () => {
    // server-everything asks roots/list ~350 ms after initialize; stopped before that, it asks a
    // client that can no longer answer and waits instead of exiting on the closed stdin.
    const grace = 8000;
    const s = pool.create({
      server: serverConfig('everything', { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] }),
      era: '2025',
      stopGraceMs: grace,
      features: { roots: () => [{ uri: 'file:///work/one', name: 'one' }] },
    });
    await s.start();
    const pid = s.view().pid!;
    const t0 = performance.now();
    await s.stop();
    const ms = performance.now() - t0;
    assert.ok(ms < grace / 2, `the stop took ${ms.toFixed(0)} ms (grace ${grace} ms)`);
    assert.throws(() => process.kill(pid, 0), 'the server process is gone');
  });

  it('2025 era: server-everything lists the new roots after rootsChanged()', async () => {
    let roots: Root[] = [{ uri: 'file:///work/one', name: 'one' }];
    let asked = 0;
    const s = pool.create({
      server: serverConfig('everything', { command: process.execPath, args: [SERVER_EVERYTHING, 'stdio'] }),
      era: '2025',
      features: {
        roots: () => {
          asked++;
          return roots;
        },
      },
    });
    await s.start();
    await waitFor(() => asked === 1, 'the first roots/list after initialize', 10000);
    const text = async () => {
      const r = await s.callTool('get-roots-list', {});
      assert.equal(r.ok, true, JSON.stringify(r.error));
      return JSON.stringify(r.result);
    };
    assert.match(await text(), /file:\/\/\/work\/one/);

    roots = [...roots, { uri: 'file:///work/two', name: 'two' }];
    await s.rootsChanged();
    await waitFor(() => asked === 2, 'roots/list asked again after notifications/roots/list_changed', 10000);
    assert.match(await text(), /file:\/\/\/work\/two/);
  });

  it('2026-07-28 era: nothing is sent (the revision removed the notification; servers ask again)', async () => {
    const sink = new MemorySink();
    const s = pool.create({
      server: serverConfig('features', { command: venvPython(), args: [path.join(FIXTURES, 'py', 'features.py')] }),
      era: '2026',
      trace: sink,
      startupTimeoutMs: 30000,
      features: { roots: () => [{ uri: 'file:///work/one' }] },
    });
    await s.start();
    const state = s.view().state;
    assert.equal(state.kind === 'running' && state.era, '2026', JSON.stringify(state));
    const sent = sink.messages.length;
    assert.ok(
      sink.messages.some((m) => m.dir === 'out'),
      'the sink records what the client sends',
    );
    await s.rootsChanged();
    assert.equal(sink.messages.length, sent, JSON.stringify(sink.messages.slice(sent)));
    // The roots still reach the server: it asks with an input request when it needs them.
    const r = await s.callTool('roots_guard', {});
    assert.equal(JSON.stringify(r.result).includes('roots: file:///work/one'), true, JSON.stringify(r.result));
  });
});
