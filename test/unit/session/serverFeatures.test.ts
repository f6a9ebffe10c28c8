import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { McpSession } from '../../../src/core/session/mcpSession';
import { ServerFeatures } from '../../../src/core/session/serverFeatures';
import { venvPython } from '../../python';
import { waitFor } from '../../waitFor';
import { FIXTURES, MemorySink, SessionPool, serverConfig } from './helpers';

const FEATURES = path.join(FIXTURES, 'py', 'features.py');
const COUNTER = path.join(FIXTURES, 'py', 'subscriptions.py');

/** A session on a real Python server with `ServerFeatures` beside it (as the VS Code side builds them). */
function start(
  pool: SessionPool,
  file: string,
  era: '2025' | '2026',
): { session: McpSession; features: ServerFeatures; sink: MemorySink } {
  const late: { features?: ServerFeatures } = {};
  const sink = new MemorySink();
  const session = pool.create({
    server: serverConfig(path.basename(file, '.py'), {
      command: venvPython(),
      args: [file],
      env: { PYTHONDONTWRITEBYTECODE: '1' },
    }),
    era,
    trace: sink,
    startupTimeoutMs: 30000,
    onClient: (client) => late.features?.onClient(client),
  });
  const features = new ServerFeatures(session, { requestTimeoutMs: 10000 });
  late.features = features;
  return { session, features, sink };
}

describe('server features beside a session: completions, log level, ping, subscriptions (real FastMCP 4 and mcp 2)', function () {
  this.timeout(120000);
  const pool = new SessionPool();
  const all: ServerFeatures[] = [];
  afterEach(async () => {
    for (const f of all.splice(0)) f.dispose();
    await pool.cleanup();
  });

  for (const era of ['2025', '2026'] as const) {
    it(`FastMCP 4, ${era} era: completes prompt and template arguments; ping and logging/setLevel only in 2025`, async () => {
      const { session, features } = start(pool, FEATURES, era);
      all.push(features);
      await session.start();
      assert.equal(session.view().state.kind, 'running', JSON.stringify(session.view().state));
      assert.ok(features.completes, 'FastMCP declares completions once a handler is registered');
      assert.deepEqual((await features.complete({ type: 'ref/prompt', name: 'greet' }, 'language', 'e')).values, [
        'English',
        'Esperanto',
      ]);
      assert.deepEqual(
        (await features.complete({ type: 'ref/resource', uri: 'doc://{topic}' }, 'topic', 'in')).values,
        ['install', 'intro'],
      );
      const ping = await features.ping();
      const level = await features.setLogLevel('warning');
      if (era === '2025') {
        assert.ok(ping.ok && ping.ms >= 0, JSON.stringify(ping));
        assert.deepEqual(level, { ok: true });
        const logs: string[] = [];
        session.onOutput((e) => e.kind === 'log' && logs.push(e.level ?? ''));
        await session.callTool('chatty', {});
        await waitFor(() => logs.length >= 2, 'the warning and error lines');
        assert.deepEqual(logs, ['warning', 'error'], 'debug and info are filtered by the level');
      } else {
        assert.deepEqual(ping, { ok: false, reason: 'not in the 2026-07-28 era' });
        assert.equal(level.ok, false);
        assert.match((level as { reason: string }).reason, /2026-07-28 revision removed `logging\/setLevel`/);
      }
    });

    it(`mcp 2 MCPServer, ${era} era: a subscribed resource's update arrives, and stops after unsubscribing`, async () => {
      const { session, features, sink } = start(pool, COUNTER, era);
      all.push(features);
      await session.start();
      assert.equal(session.view().state.kind, 'running', JSON.stringify(session.view().state));
      assert.ok(features.subscribes);
      const updates: string[] = [];
      features.onDidUpdateResource((u) => updates.push(u.uri));
      assert.deepEqual(await features.subscribe('counter://value'), { ok: true });
      assert.equal(features.channel(), era === '2025' ? 'resources/subscribe' : 'subscriptions/listen');
      await session.callTool('bump', {});
      await waitFor(() => updates.length === 1, 'the update notification');
      assert.deepEqual(updates, ['counter://value']);
      const methods = sink.messages.filter((m) => m.dir === 'out').map((m) => m.msg.method);
      assert.ok(methods.includes(era === '2025' ? 'resources/subscribe' : 'subscriptions/listen'), methods.join());
      assert.deepEqual(await features.unsubscribe('counter://value'), { ok: true });
      assert.deepEqual(features.subscribed(), []);
      await session.callTool('bump', {});
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(updates, ['counter://value'], 'no update after unsubscribing');
    });
  }

  it('keeps a subscription across a restart', async () => {
    const { session, features } = start(pool, COUNTER, '2025');
    all.push(features);
    await session.start();
    await features.subscribe('counter://value');
    await session.restart();
    await waitFor(() => features.channel() === 'resources/subscribe', 'subscribed again after the restart');
    const updates: string[] = [];
    features.onDidUpdateResource((u) => updates.push(u.uri));
    await session.callTool('bump', {});
    await waitFor(() => updates.length === 1, 'the update after the restart');
  });
});
