import * as assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineSplitter } from '../../../src/core/process/lineSplitter';
import type { ManagedProcess } from '../../../src/core/process/managedProcess';
import {
  ProcessStdioTransport,
  responseIdFromEnds,
  whyNotJsonRpc,
  type WireTap,
} from '../../../src/core/session/transports';
import { fuzz, type Rand } from './prng';

/** Splits `data` into random chunks (1 byte up to a few KB, sometimes cut inside a UTF-8 sequence). */
function chunks(rand: Rand, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const n = 1 + rand.int(rand.chance(0.3) ? 8 : 4096);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

type Event = { line: string; bytes: number } | { overflow: number };

/** What the splitter must produce for `data`: lines without `\n` (one trailing `\r` removed), oversized ones as overflows. */
function reference(data: Buffer, max: number, flushed: boolean): Event[] {
  const events: Event[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(10, start);
    const end = nl === -1 ? data.length : nl;
    const seg = data.subarray(start, end);
    if (nl === -1) {
      // The last, unterminated line: only at flush, and an oversized one is dropped silently.
      if (flushed && seg.length > 0 && seg.length <= max)
        events.push({
          line: seg.toString('utf8', 0, seg[seg.length - 1] === 13 ? seg.length - 1 : seg.length),
          bytes: seg.length,
        });
      break;
    }
    if (seg.length > max) events.push({ overflow: seg.length });
    else
      events.push({
        line: seg.toString('utf8', 0, seg[seg.length - 1] === 13 ? seg.length - 1 : seg.length),
        bytes: seg.length,
      });
    start = nl + 1;
  }
  return events;
}

/** Random stdout: JSON lines, text, blank lines, CRLF, long lines, random bytes. */
function stdout(rand: Rand): Buffer {
  const parts: Buffer[] = [];
  const n = rand.int(40);
  for (let i = 0; i < n; i++) {
    const kind = rand.int(6);
    if (kind === 0)
      parts.push(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: i, result: { text: rand.text(rand.int(50)) } })));
    else if (kind === 1) parts.push(Buffer.from(rand.text(rand.int(30))));
    else if (kind === 2) parts.push(rand.bytes(rand.int(200)));
    else if (kind === 3) parts.push(Buffer.from('x'.repeat(rand.int(600))));
    else if (kind === 4) parts.push(Buffer.from('é€😀\r'));
    parts.push(Buffer.from(rand.pick(['\n', '\r\n', '\n\n', '', '\n'])));
  }
  return Buffer.concat(parts);
}

describe('fuzz: stdio line splitter and message classifier', () => {
  it('LineSplitter gives the same lines for any chunking, overflows counted exactly (~2 s)', async () => {
    const runs = await fuzz(2000, (rand) => {
      const data = stdout(rand);
      const max = rand.pick([16, 64, 300, 64 * 1024]);
      const flushed = rand.chance(0.5);
      const got: Event[] = [];
      const splitter = new LineSplitter(
        (line, bytes) => got.push({ line, bytes }),
        max,
        (bytes, head, tail) => {
          assert.ok(Buffer.byteLength(head) <= 200 * 3 && Buffer.byteLength(tail) <= 200 * 3, 'head/tail stay short');
          got.push({ overflow: bytes });
        },
      );
      for (const c of chunks(rand, data)) splitter.push(c);
      if (flushed) splitter.flush();
      assert.deepEqual(
        got,
        reference(data, max, flushed),
        `max ${max}, ${data.length} bytes: ${JSON.stringify(data.toString('latin1').slice(0, 200))}`,
      );
    });
    assert.ok(runs >= 20);
  });

  it('the stdio transport classifies every line once and delivers only JSON-RPC messages (~2 s)', async () => {
    // Only the three members the transport uses of its process: it is fed stdout directly here.
    const proc = {
      exited: new Promise(() => undefined),
      pauseStdout() {},
      resumeStdout() {},
    } as unknown as ManagedProcess;
    await fuzz(2000, async (rand) => {
      const incoming: JSONRPCMessage[] = [];
      const delivered: JSONRPCMessage[] = [];
      const noise: string[] = [];
      const invalid: { line: string; reason: string }[] = [];
      const overflows: (string | number | undefined)[] = [];
      const tap: WireTap = {
        outgoing() {},
        incoming: (m) => incoming.push(m),
        noise: (l) => noise.push(l),
        overflow: (_b, _h, id) => overflows.push(id),
        invalid: (line, reason) => invalid.push({ line, reason }),
      };
      const transport = new ProcessStdioTransport(proc, tap, 100, rand.pick([256, 4096]));
      transport.onmessage = (m) => delivered.push(m);
      const expected = { valid: 0, noise: [] as string[], invalidish: 0 };
      const lines: string[] = [];
      for (let i = rand.int(30); i > 0; i--) {
        const kind = rand.int(8);
        let line: string;
        if (kind === 0)
          line = JSON.stringify(
            rand.pick([
              { jsonrpc: '2.0', id: i, result: {} },
              { jsonrpc: '2.0', method: 'notifications/x', params: { a: rand.text(5) } },
              { jsonrpc: '2.0', id: `s${i}`, error: { code: -1, message: rand.text(8) } },
            ]),
          );
        else if (kind === 1) line = `log: ${rand.text(rand.int(40), 'abc xyz:=')}`;
        else if (kind === 2) line = `{${rand.text(rand.int(20))}`;
        else if (kind === 3)
          line = JSON.stringify(
            rand.pick<unknown>([
              [],
              [1, 2],
              { jsonrpc: '1.0', id: 1 },
              { id: 1 },
              null,
              42,
              'str',
              [{ jsonrpc: '2.0', id: 7, result: 1 }, 3],
            ]),
          );
        else if (kind === 4) line = rand.bytes(rand.int(80)).toString('latin1').replace(/\n/g, ' ');
        else if (kind === 5)
          line = `{"jsonrpc":"2.0","id":${i},"result":"${'y'.repeat(5000)}"}`; // may overflow
        else if (kind === 6) line = '   ';
        else line = rand.text(rand.int(60)).replace(/\n/g, ' ');
        // One line each, as the server's UTF-8 bytes decode (lone surrogates become U+FFFD).
        line = Buffer.from(line.replace(/[\r\n]/g, ' ')).toString('utf8');
        lines.push(line);
        if (kind === 0) expected.valid++;
        if (kind === 1) expected.noise.push(line);
      }
      const data = Buffer.from(lines.map((l) => `${l}${rand.chance(0.2) ? '\r' : ''}\n`).join(''));
      for (const c of chunks(rand, data)) transport.feed(c);
      // Parsing may be sliced across event-loop turns under load.
      for (
        let i = 0;
        i < 50 &&
        incoming.length + noise.length + invalid.length + overflows.length === 0 &&
        lines.some((l) => l.trim());
        i++
      )
        await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));

      // Delivered: every tapped message in order, plus one synthesized error per dropped oversized response.
      const tooLarge = (m: JSONRPCMessage) =>
        /MCP714/.test(String((m as { error?: { message?: string } }).error?.message));
      assert.deepEqual(
        delivered.filter((m) => !tooLarge(m)),
        incoming,
        'every tapped message is delivered, in order',
      );
      assert.deepEqual(
        delivered.filter(tooLarge).map((m) => (m as { id: unknown }).id),
        overflows.filter((id) => id !== undefined),
        'dropped responses fail their request',
      );
      for (const m of incoming) {
        const r = m as Record<string, unknown>;
        assert.equal(r.jsonrpc, '2.0');
        assert.ok(typeof r.method === 'string' || 'id' in r, JSON.stringify(m));
        assert.equal(whyNotJsonRpc(m), undefined, JSON.stringify(m));
      }
      assert.ok(incoming.length >= expected.valid, `${incoming.length} messages, ${expected.valid} valid lines`);
      for (const l of expected.noise) assert.ok(noise.includes(l), `noise line "${l}" reported as is`);
      for (const x of invalid)
        assert.ok(
          x.reason.length > 0 && lines.includes(x.line),
          `invalid line is one of the input lines: ${x.line.slice(0, 80)}`,
        );
      // Nothing was reported twice: each callback maps to a distinct line, batches aside.
      assert.ok(noise.length + invalid.length + overflows.length <= lines.length);
    });
  });

  it('responseIdFromEnds and whyNotJsonRpc never throw on random text and values (~1 s)', async () => {
    await fuzz(1000, (rand) => {
      const head = rand.chance(0.5)
        ? `{"id":${rand.pick(['1', '"a"', '-5', rand.text(5)])},${rand.text(rand.int(100))}`
        : rand.text(rand.int(200));
      const tail = rand.chance(0.5)
        ? `${rand.text(rand.int(100))},"id":${rand.pick(['2', '"b"', rand.text(4)])}}`
        : rand.text(rand.int(200));
      const id = responseIdFromEnds(head, tail);
      assert.ok(id === undefined || typeof id === 'string' || typeof id === 'number');
      const value = rand.pick<unknown>([
        null,
        0,
        'x',
        [],
        {},
        { jsonrpc: rand.text(3) },
        { jsonrpc: '2.0', method: rand.int(3) },
        { jsonrpc: '2.0' },
        { jsonrpc: '2.0', id: null },
      ]);
      const why = whyNotJsonRpc(value);
      assert.ok(why === undefined || why.length > 0);
    });
  });
});
