import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResultHistory, toResultRecord, type OutcomeLike } from '../../../src/core/results/record';
import type { ResultBlock, ResultRecord } from '../../../src/shared/results';
import { FIXTURES, SessionPool, serverConfig } from '../session/helpers';

const ok = (result: unknown, extra: Partial<OutcomeLike> = {}): OutcomeLike => ({
  ok: true,
  result,
  durationMs: 12,
  findings: [],
  ...extra,
});
const base = { kind: 'tool' as const, name: 't', serverId: 'vscode:/ws/.vscode/mcp.json#s', serverName: 's' };
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('result records (what the result view draws)', () => {
  it('turns each content block into its typed block', () => {
    const r = toResultRecord(
      {
        ...base,
        args: { q: 1 },
        outcome: ok({
          content: [
            { type: 'text', text: 'plain' },
            { type: 'text', text: '{"a":[1,2]}' },
            { type: 'image', mimeType: 'image/png', data: PNG_1PX },
            { type: 'audio', mimeType: 'audio/wav', data: 'UklGRg==' },
            { type: 'resource_link', uri: 'notes://x', name: 'x', description: 'd', mimeType: 'text/plain' },
            { type: 'resource', resource: { uri: 'notes://y', mimeType: 'application/json', text: '[true]' } },
            { type: 'resource', resource: { uri: 'img://z', mimeType: 'image/png', blob: PNG_1PX } },
            { type: 'mystery', x: 1 },
          ],
        }),
      },
      7,
    );
    assert.equal(r.id, 7);
    assert.equal(r.status, 'ok');
    assert.deepEqual(r.args, { q: 1 });
    const [text, json, image, audio, link, res, blob, other] = r.blocks;
    assert.deepEqual(text, { type: 'text', text: 'plain' });
    assert.deepEqual(json, { type: 'text', text: '{"a":[1,2]}', json: { a: [1, 2] } });
    assert.equal(image.type === 'image' && image.src, `data:image/png;base64,${PNG_1PX}`);
    assert.equal(audio.type === 'audio' && audio.src, 'data:audio/wav;base64,UklGRg==');
    assert.deepEqual(link, {
      type: 'resource_link',
      uri: 'notes://x',
      name: 'x',
      description: 'd',
      mimeType: 'text/plain',
    });
    assert.deepEqual(res, {
      type: 'resource',
      uri: 'notes://y',
      mimeType: 'application/json',
      text: '[true]',
      json: [true],
    });
    assert.ok(blob.type === 'resource' && blob.src?.startsWith('data:image/png;base64,') && blob.bytes! > 0);
    assert.deepEqual(other, { type: 'other', label: 'mystery', value: { type: 'mystery', x: 1 } });
    assert.match(r.raw!, /"mystery"/);
  });

  it('never makes a src from a type that can carry script or from data that is not base64', () => {
    const r = toResultRecord(
      {
        ...base,
        outcome: ok({
          content: [
            { type: 'image', mimeType: 'image/svg+xml', data: 'PHN2Zz48L3N2Zz4=' },
            { type: 'image', mimeType: 'image/png', data: '"><script>alert(1)</script>' },
            { type: 'image', mimeType: 'image/png"><script>', data: PNG_1PX },
            { type: 'audio', mimeType: 'text/html', data: 'PGI+' },
            { type: 'resource', resource: { uri: 'x', mimeType: 'image/svg+xml', blob: 'PHN2Zz4=' } },
          ],
        }),
      },
      1,
    );
    for (const b of r.blocks) {
      assert.ok(!('src' in b) || b.src === undefined, `no src for ${JSON.stringify(b)}`);
    }
    assert.match((r.blocks[0] as Extract<ResultBlock, { type: 'image' | 'audio' }>).why!, /not shown inline/);
    assert.match((r.blocks[1] as Extract<ResultBlock, { type: 'image' | 'audio' }>).why!, /not base64/);
  });

  it('keeps structuredContent beside the outputSchema, and the call findings', () => {
    const schema = { type: 'object', properties: { sum: { type: 'number' } } };
    const r = toResultRecord(
      {
        ...base,
        outputSchema: schema,
        outcome: ok(
          { content: [{ type: 'text', text: '3' }], structuredContent: { sum: '3' } },
          { findings: [{ code: 'MCP7xx', severity: 'warning', message: 'sum: must be number' }] },
        ),
      },
      1,
    );
    assert.deepEqual(r.structuredContent, { sum: '3' });
    assert.deepEqual(r.outputSchema, schema);
    assert.deepEqual(r.findings, [{ code: 'MCP7xx', severity: 'warning', message: 'sum: must be number' }]);
  });

  it('explains failures: isError, JSON-RPC errors, timeouts, cancellations', () => {
    const at = (o: OutcomeLike) => toResultRecord({ ...base, outcome: o }, 1);
    assert.equal(at(ok({ content: [], isError: true }, { ok: false, isError: true })).status, 'tool-error');
    const rpc = at({ ok: false, durationMs: 1, findings: [], error: { code: -32602, message: 'bad', data: { x: 1 } } });
    assert.equal(rpc.status, 'error');
    assert.match(rpc.error!.explanation, /Invalid params/);
    assert.deepEqual(rpc.error!.data, { x: 1 });
    const slow = at({ ok: false, durationMs: 1, findings: [], timedOut: true, error: { code: -32001, message: 't' } });
    assert.equal(slow.status, 'timeout');
    assert.match(slow.error!.explanation, /toolCallTimeoutMs/);
    assert.equal(
      at({ ok: false, durationMs: 1, findings: [], cancelled: true, error: { message: 'c' } }).status,
      'cancelled',
    );
  });

  it('draws prompts as messages and resources as their contents', () => {
    const prompt = toResultRecord(
      {
        ...base,
        kind: 'prompt',
        outcome: ok({
          description: 'Greets',
          messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }],
        }),
      },
      1,
    );
    assert.equal(prompt.description, 'Greets');
    assert.deepEqual(prompt.blocks, [{ type: 'message', role: 'user', blocks: [{ type: 'text', text: 'Say hello' }] }]);
    const res = toResultRecord(
      {
        ...base,
        kind: 'resource',
        outcome: ok({ contents: [{ uri: 'mem://a', text: 'hi', mimeType: 'text/plain' }] }),
      },
      2,
    );
    assert.deepEqual(res.blocks, [{ type: 'resource', uri: 'mem://a', mimeType: 'text/plain', text: 'hi' }]);
  });

  it('cuts very long texts and raw results', () => {
    const long = 'x'.repeat(250_000);
    const r = toResultRecord({ ...base, outcome: ok({ content: [{ type: 'text', text: long }] }) }, 1);
    const b = r.blocks[0] as Extract<ResultBlock, { type: 'text' }>;
    assert.equal(b.text.length, 200_000);
    assert.equal(b.clipped, 50_000);
    const huge = toResultRecord(
      { ...base, outcome: ok({ content: [{ type: 'text', text: 'y'.repeat(600_000) }] }) },
      2,
    );
    assert.equal(huge.raw!.length, 500_000);
    assert.ok(huge.rawClipped! > 100_000);
  });

  it('keeps the last calls of a server, bounded by count and size', () => {
    const h = new ResultHistory(3, 1000);
    const rec = (id: number, text = 'a'): ResultRecord =>
      toResultRecord({ ...base, outcome: ok({ content: [{ type: 'text', text }] }) }, id);
    for (let i = 1; i <= 5; i++) h.add(rec(i));
    assert.deepEqual(
      h.list().map((r) => r.id),
      [3, 4, 5],
    );
    h.add(rec(6, 'z'.repeat(900)));
    assert.deepEqual(
      h.list().map((r) => r.id),
      [6],
      'a record larger than the rest pushes the older ones out',
    );
    assert.equal(h.get(6)?.id, 6);
    assert.equal(h.get(3), undefined);
  });

  describe('on a real FastMCP 4 server', function () {
    this.timeout(30000);
    const python = path.resolve(__dirname, '../../../.venv/bin/python');
    const pool = new SessionPool();
    after(() => pool.cleanup());

    it('draws every block kind FastMCP returns, and structured content from a pydantic model', async function () {
      if (!fs.existsSync(python)) this.skip(); // .ci/python/setup.sh makes it; CI always has it
      const session = pool.create({
        server: serverConfig('content-kinds', {
          command: python,
          args: [path.join(FIXTURES, 'fastmcp-content.py')],
          env: { PYTHONDONTWRITEBYTECODE: '1' },
        }),
      });
      await session.start();
      const view = session.view();
      assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
      const gallery = await session.callTool('gallery', {});
      const r = toResultRecord({ ...base, outcome: gallery }, 1);
      assert.deepEqual(
        r.blocks.map((b) => b.type),
        ['text', 'text', 'image', 'audio', 'resource_link', 'resource'],
      );
      assert.ok(r.blocks[1].type === 'text' && r.blocks[1].json !== undefined, 'the JSON text is parsed');
      assert.ok(r.blocks[2].type === 'image' && r.blocks[2].src?.startsWith('data:image/png;base64,iVBOR'));
      assert.ok(r.blocks[3].type === 'audio' && r.blocks[3].src?.startsWith('data:audio/wav;base64,UklGR'));
      const tool = session.view().tools.find((t) => t.name === 'forecast');
      const forecast = await session.callTool('forecast', { city: 'Oslo' });
      const f = toResultRecord({ ...base, outputSchema: tool?.outputSchema, outcome: forecast }, 2);
      assert.deepEqual(f.structuredContent, { city: 'Oslo', temperature_c: 21.5, conditions: 'Sunny' });
      assert.deepEqual((f.outputSchema as { required: string[] }).required, ['city', 'temperature_c', 'conditions']);
    });
  });
});
