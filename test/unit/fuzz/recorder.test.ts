import * as assert from 'node:assert/strict';
import { buildDetail, toDisplayEntry } from '../../../src/core/trace/display';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import { fuzz, type Rand } from './prng';

const METHODS = [
  'initialize',
  'tools/list',
  'tools/call',
  'ping',
  'notifications/progress',
  'notifications/cancelled',
  'notifications/message',
  'resources/read',
  '',
  'x/'.repeat(40),
];

/** A random id: the usual kinds and the ones a broken peer sends. */
function id(rand: Rand, pool: unknown[]): unknown {
  if (pool.length && rand.chance(0.6)) return rand.pick(pool);
  const v = rand.pick<unknown>([
    rand.int(20),
    `r${rand.int(20)}`,
    null,
    -1,
    1.5,
    { o: 1 },
    [1],
    '',
    NaN,
    Number.MAX_SAFE_INTEGER + 2,
    true,
  ]);
  pool.push(v);
  return v;
}

/** Any value, nested a little, sometimes large or deep. */
function value(rand: Rand, depth = 0): unknown {
  const k = rand.int(depth > 3 ? 5 : 8);
  if (k === 0) return rand.text(rand.int(40));
  if (k === 1) return rand.int(1000) - 500;
  if (k === 2) return rand.pick([null, true, false, undefined, NaN, Infinity]);
  if (k === 3) return rand.chance(0.05) ? 'L'.repeat(3000 + rand.int(5000)) : '';
  if (k === 4)
    return rand.pick([{ token: 'secret-value' }, { Authorization: 'Bearer abcdefgh' }, 'sk-proj-abcdefghijklmnopqrs']);
  if (k === 5) return Array.from({ length: rand.int(5) }, () => value(rand, depth + 1));
  let deep: unknown = 'bottom';
  if (k === 6 && rand.chance(0.1)) for (let i = 0; i < 200; i++) deep = { d: deep };
  if (k === 6) return deep;
  const o: Record<string, unknown> = {};
  for (let i = rand.int(5); i > 0; i--)
    o[rand.pick(['name', 'arguments', 'progressToken', 'requestId', 'content', 'isError', '_meta', rand.text(4)])] =
      value(rand, depth + 1);
  return o;
}

/** A JSON-RPC-ish message of a random shape: valid, half valid or garbage. */
function message(rand: Rand, ids: unknown[]): unknown {
  switch (rand.int(9)) {
    case 0:
      return { jsonrpc: '2.0', id: id(rand, ids), method: rand.pick(METHODS), params: value(rand) };
    case 1:
      return {
        jsonrpc: '2.0',
        id: id(rand, ids),
        method: 'tools/call',
        params: {
          name: rand.pick(['echo', 'add', rand.text(6), 7]),
          arguments: value(rand),
          _meta: { progressToken: id(rand, ids) },
        },
      };
    case 2:
      return {
        jsonrpc: '2.0',
        id: id(rand, ids),
        result: rand.chance(0.3)
          ? { content: [{ type: 'text', text: rand.text(20) }], isError: rand.chance(0.5) }
          : value(rand),
      };
    case 3:
      return {
        jsonrpc: '2.0',
        id: id(rand, ids),
        error: rand.pick<unknown>([
          { code: -32601, message: 'nope' },
          { code: 'x' },
          null,
          'str',
          { message: value(rand) },
        ]),
      };
    case 4:
      return {
        jsonrpc: '2.0',
        method: rand.pick(['notifications/progress', 'notifications/cancelled', 'notifications/message']),
        params: { progressToken: id(rand, ids), requestId: id(rand, ids), progress: rand.int(10), data: value(rand) },
      };
    case 5:
      return Array.from({ length: rand.int(4) }, () => message(rand, ids));
    case 6:
      return value(rand);
    case 7:
      return { jsonrpc: rand.pick(['1.0', 2, undefined]), id: id(rand, ids), method: value(rand), result: value(rand) };
    default:
      return rand.pick<unknown>([null, undefined, 0, '', 'not json', [], {}]);
  }
}

describe('fuzz: trace recorder', () => {
  it('records random message shapes without throwing; entries, pairs and rows stay consistent (~2 s)', async () => {
    await fuzz(2000, (rand) => {
      const maxMessages = rand.pick([5, 50, 1000]);
      const rec = new TraceRecorder({
        serverId: 's',
        serverName: 's',
        maxMessages,
        maxBytes: rand.pick([2000, 64 * 1024, 1 << 26]),
        maxPayloadBytes: rand.pick([100, 4096, 1 << 20]),
      });
      const ids: unknown[] = [];
      let ts = 1000;
      const n = rand.int(150);
      for (let i = 0; i < n; i++) {
        ts += rand.chance(0.1) ? -5 : rand.next() * 10; // clocks may step back
        const k = rand.int(10);
        if (k === 0) rec.stderr(rand.text(rand.int(80)), ts);
        else if (k === 1) rec.stdoutNoise(rand.text(rand.int(80)), ts);
        else if (k === 2) rec.lifecycle(rand.text(rand.int(40)), ts);
        else
          rec.message(
            rand.chance(0.5) ? 'in' : 'out',
            message(rand, ids),
            ts,
            rand.chance(0.2) ? rand.int(5000) : undefined,
          );
      }
      rec.flushEvents();

      assert.ok(rec.length <= maxMessages, `${rec.length} entries, cap ${maxMessages}`);
      assert.ok(rec.memoryBytes >= 0, `memory ${rec.memoryBytes}`);
      const entries = [...rec.entries()];
      assert.equal(entries.length, rec.length);
      for (let i = 1; i < entries.length; i++)
        assert.equal(entries[i].seq, entries[i - 1].seq + 1, 'seqs are consecutive');
      if (entries.length) assert.equal(entries[entries.length - 1].seq, rec.lastSeq);
      const bySeq = new Map(entries.map((e) => [e.seq, e]));
      for (const e of entries) {
        if (e.pair !== undefined) {
          assert.notEqual(e.pair, e.seq);
          const other = bySeq.get(e.pair);
          // A pair still in memory points back (the other one may have been evicted).
          if (other) assert.equal(other.pair, e.seq, `pair of ${e.seq} is ${e.pair} but not back`);
        }
        if (e.parent !== undefined) assert.ok(e.parent < e.seq, `parent ${e.parent} of ${e.seq} is earlier`);
        if (e.latencyMs !== undefined) assert.ok(Number.isFinite(e.latencyMs), `latency ${e.latencyMs}`);
        const row = toDisplayEntry(e, 1);
        assert.equal(row.seq, e.seq);
        assert.equal(typeof row.label, 'string');
        assert.ok(
          (row.preview ?? '').length <= 160 && row.label.length <= 400,
          `row size: ${JSON.stringify(row).slice(0, 300)}`,
        );
        const detail = buildDetail(
          e,
          1,
          e.pair ? rec.get(e.pair) : undefined,
          e.parent ? rec.get(e.parent) : undefined,
        );
        assert.equal(typeof detail.json, 'string');
        assert.ok(
          !JSON.stringify(row).includes('secret-value') && !detail.json.includes('secret-value'),
          `secret keys redacted: ${JSON.stringify(row)} ${detail.json.slice(0, 600)}`,
        );
      }
      for (const s of rec.toolStats()) assert.ok(s.calls >= s.errors && s.errors >= 0, JSON.stringify(s));
    });
  });
});
