import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildDetail, toDisplayEntry } from '../../../src/core/trace/display';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import type { TraceEntry } from '../../../src/core/trace/types';
import { venvPython } from '../../python';
import { FIXTURES, SessionPool, serverConfig } from '../session/helpers';

const FEATURES = path.join(FIXTURES, 'py', 'features.py');

/** Records a real FastMCP 4 session in the era given while one tool asks for a name. */
async function recordCall(era: '2025' | '2026', tool: string): Promise<{ rec: TraceRecorder; text: string }> {
  const pool = new SessionPool();
  const rec = new TraceRecorder({ serverId: 'features', serverName: 'features' });
  try {
    const session = pool.create({
      server: serverConfig('features', {
        command: venvPython(),
        args: [FEATURES],
        env: { PYTHONDONTWRITEBYTECODE: '1' },
      }),
      era,
      trace: rec,
      startupTimeoutMs: 30000,
      features: {
        elicit: async () => {
          await new Promise((r) => setTimeout(r, 30)); // the user typing
          return { action: 'accept', content: { value: 'Grace', name: 'Grace' } };
        },
      },
    });
    await session.start();
    const outcome = await session.callTool(tool, {});
    const text = (outcome.result as { content?: { text?: string }[] } | undefined)?.content?.[0]?.text ?? '';
    return { rec, text };
  } finally {
    await pool.cleanup();
  }
}

const all = (rec: TraceRecorder): TraceEntry[] => [...rec.entries()];

describe('trace: requests to the client, paired with their answers, in both eras (real FastMCP 4)', function () {
  this.timeout(90000);

  it('2025: the server request is paired with the client answer, with latency, and belongs to the tool call', async () => {
    const { rec, text } = await recordCall('2025', 'elicit_request');
    assert.equal(text, 'hello Grace');
    const entries = all(rec);
    const call = entries.find((e) => e.method === 'tools/call' && e.shape === 'request')!;
    const ask = entries.find((e) => e.method === 'elicitation/create' && e.shape === 'request')!;
    assert.equal(ask.dir, 'in');
    assert.equal(ask.parent, call.seq, 'the elicitation serves the call in flight');
    const answer = rec.get(ask.pair!)!;
    assert.equal(answer.dir, 'out');
    assert.equal(answer.shape, 'response');
    assert.equal(answer.method, 'elicitation/create');
    assert.ok(ask.latencyMs! >= 25, `latency ${ask.latencyMs} covers the answer`);
    const detail = buildDetail(ask, 1, answer, rec.get(ask.parent!));
    assert.equal(detail.parent?.tool, 'elicit_request');
    assert.match(detail.pair!.json, /"action": "accept"/);
  });

  it('2026-07-28: the input_required result is paired with the retried request that carries the answers', async () => {
    const { rec, text } = await recordCall('2026', 'elicit_guard');
    assert.equal(text, 'hello Grace');
    const entries = all(rec);
    const calls = entries.filter((e) => e.method === 'tools/call' && e.shape === 'request');
    assert.equal(calls.length, 2, 'the call and its retry');
    const asked = rec.get(calls[0].pair!)!;
    const retry = calls[1];
    assert.equal(asked.input, retry.seq);
    assert.equal(retry.input, asked.seq);
    assert.ok(asked.inputLatencyMs! >= 25, `the answer took ${asked.inputLatencyMs} ms`);
    assert.equal(asked.inputLatencyMs, retry.inputLatencyMs);

    const row = toDisplayEntry(asked, 1);
    assert.equal(row.label, 'input_required: elicitation/create');
    assert.equal(row.preview, 'Your name?');
    assert.equal(row.input, retry.seq);
    const retryRow = toDisplayEntry(retry, 1);
    assert.equal(retryRow.label, 'tools/call + input responses');
    assert.match(retryRow.preview!, /"action":"accept"/);

    for (const from of [asked, retry]) {
      const d = buildDetail(from, 1, undefined, undefined, [], rec.get(from.input!));
      assert.equal(d.input?.asked.seq, asked.seq);
      assert.equal(d.input?.answered?.seq, retry.seq);
      assert.match(d.input!.requests, /"method": "elicitation\/create"/);
      assert.match(d.input!.responses!, /"name": "Grace"/);
    }
  });

  it('a subscriptions/listen stream is no call: logs are not attributed to it', () => {
    const rec = new TraceRecorder({ serverId: 's', serverName: 's' });
    rec.record('message', 'out', { jsonrpc: '2.0', id: 'listen:0', method: 'subscriptions/listen', params: {} }, 0);
    const log = rec.record('message', 'in', { jsonrpc: '2.0', method: 'notifications/message', params: {} }, 1);
    assert.equal(rec.get(log)!.parent, undefined);
    rec.dispose();
  });
});
