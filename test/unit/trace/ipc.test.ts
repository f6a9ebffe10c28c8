import * as assert from 'node:assert/strict';
import {
  ClearCommand,
  DidNotifyNotification,
  GetDetailRequest,
  IpcEndpoint,
  IpcRequest,
  IpcTimeoutError,
  type EntryDetail,
  type IpcMessage,
} from '../../../src/shared/protocol';

/** Timers alive in this process (the request timers must all be cleared). */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
/** The timer count once mocha has armed its own timeout for the running (async) test. */
async function baseline(): Promise<number> {
  await new Promise((r) => setImmediate(r));
  return timers();
}

/**
 * Two endpoints joined like the host and the webview: each message is structured-cloned and
 * delivered on a later turn, as `postMessage` does. `drop` loses messages on the way to a side.
 */
function channel() {
  const seen: { to: 'host' | 'webview'; msg: IpcMessage }[] = [];
  const drop = { host: false, webview: false };
  const unhandled: { host: IpcMessage[]; webview: IpcMessage[] } = { host: [], webview: [] };
  const deliver = (to: 'host' | 'webview') => (msg: IpcMessage) => {
    const copy = structuredClone(msg);
    seen.push({ to, msg: copy });
    if (drop[to]) return;
    setImmediate(() => {
      if (!(to === 'host' ? host : webview).receive(copy)) unhandled[to].push(copy);
    });
  };
  const host: IpcEndpoint = new IpcEndpoint('h', deliver('webview'));
  const webview: IpcEndpoint = new IpcEndpoint('w', deliver('host'));
  return { host, webview, seen, drop, unhandled };
}

const detail = (seq: number): EntryDetail => ({
  entry: { sx: 1, seq, ts: 0, dir: 'out', kind: 'message', label: 'tools/call', size: 1, status: 'ok' },
  json: `{"seq":${seq}}`,
  cut: false,
});

/** A request the host asks the webview (the same endpoint code serves both directions). */
const DescribeViewRequest = new IpcRequest<{ what: string }, { rows: number }>('test/describeView', 1000);

describe('trace IPC: requests with ids, one reply each, timeouts', () => {
  it('pairs each answer with its request by id, also when answers come back out of order', async () => {
    const { host, webview, seen } = channel();
    // The first request is answered last: its handler waits until the other two are answered.
    let releaseFirst!: () => void;
    const firstMayAnswer = new Promise<void>((r) => (releaseFirst = r));
    host.onRequest(GetDetailRequest, async ({ seq }) => {
      if (seq === 1) await firstMayAnswer;
      return detail(seq);
    });
    const asked = [1, 2, 3].map((seq) => webview.request(GetDetailRequest, { sx: 1, seq }));
    await Promise.all(asked.slice(1));
    releaseFirst();
    const answers = await Promise.all(asked);
    assert.deepEqual(
      answers.map((a) => a?.entry.seq),
      [1, 2, 3],
    );
    const replies = seen.filter((s) => s.to === 'webview').map((s) => s.msg);
    assert.deepEqual(
      replies.map((m) => (m.params as EntryDetail).entry.seq),
      [2, 3, 1],
      'answered out of order',
    );
    assert.deepEqual(
      replies.map((m) => m.method),
      Array(3).fill('trace/getDetail/completion'),
    );
    const requests = seen.filter((s) => s.to === 'host').map((s) => s.msg);
    assert.deepEqual(replies.map((m) => m.completionId).sort(), requests.map((m) => m.id).sort());
    assert.equal(new Set(requests.map((m) => m.id)).size, 3, 'request ids are unique');
    assert.equal(webview.pendingCount, 0);
  });

  it('works in both directions: the host asks the webview', async () => {
    const { host, webview } = channel();
    webview.onRequest(DescribeViewRequest, ({ what }) => ({ rows: what.length }));
    assert.deepEqual(await host.request(DescribeViewRequest, { what: 'abc' }), { rows: 3 });
  });

  it('rejects with IpcTimeoutError when no answer comes, and ignores a late answer', async () => {
    const { host, webview, drop } = channel();
    host.onRequest(GetDetailRequest, ({ seq }) => detail(seq));
    drop.webview = true; // the answer is lost
    const t0 = Date.now();
    await assert.rejects(webview.request(GetDetailRequest, { sx: 1, seq: 7 }, 50), (err: unknown) => {
      assert.ok(err instanceof IpcTimeoutError);
      assert.equal(err.method, 'trace/getDetail');
      assert.match(err.message, /trace\/getDetail got no answer within 50 ms/);
      return true;
    });
    assert.ok(Date.now() - t0 >= 45, 'not before the timeout');
    assert.equal(webview.pendingCount, 0);
    // An answer arriving after the timeout settles nothing and throws nothing.
    assert.equal(
      webview.receive({ id: 'h99', method: GetDetailRequest.response.method, params: detail(7), completionId: 'w1' }),
      true,
    );
  });

  it('clears the timer of every answered request (nothing stays scheduled)', async () => {
    const { host, webview } = channel();
    host.onRequest(GetDetailRequest, ({ seq }) => detail(seq));
    const before = await baseline();
    // An hour-long timeout: a timer left behind would keep a CLI or test process alive that long.
    for (let i = 0; i < 5; i++) await webview.request(GetDetailRequest, { sx: 1, seq: i }, 3_600_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(timers(), before);
  });

  it('turns a failing handler into a rejection on the asking side', async () => {
    const { host, webview } = channel();
    host.onRequest(GetDetailRequest, () => {
      throw new Error('the recorder is gone');
    });
    await assert.rejects(
      webview.request(GetDetailRequest, { sx: 1, seq: 1 }),
      /trace\/getDetail: the recorder is gone/,
    );
  });

  it('dispose rejects open requests at once and clears their timers', async () => {
    const { webview, drop } = channel();
    drop.host = true;
    const before = await baseline();
    const pending = webview.request(GetDetailRequest, { sx: 1, seq: 1 }, 3_600_000);
    assert.equal(webview.pendingCount, 1);
    webview.dispose();
    await assert.rejects(pending, /channel was closed/);
    assert.equal(timers(), before);
    await assert.rejects(webview.request(GetDetailRequest, { sx: 1, seq: 2 }), /channel is closed/);
  });

  it('leaves commands and notifications to the caller', async () => {
    const { host, webview, unhandled } = channel();
    webview.notify(ClearCommand, { sx: 3 });
    host.notify(DidNotifyNotification, { level: 'info', message: 'hi' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      unhandled.host.map((m) => [m.method, m.params]),
      [['trace/clear', { sx: 3 }]],
    );
    assert.deepEqual(
      unhandled.webview.map((m) => [m.method, m.params]),
      [['trace/didNotify', { level: 'info', message: 'hi' }]],
    );
  });
});
