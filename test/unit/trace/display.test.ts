import * as assert from 'node:assert/strict';
import {
  findServerEntry,
  proxiedTraceFile,
  restoreFromProxy,
  routeThroughProxy,
} from '../../../src/core/proxy/configRewrite';
import {
  boundedJson,
  buildDetail,
  diffLines,
  prettyJson,
  restoreRedacted,
  toDisplayEntry,
} from '../../../src/core/trace/display';
import { redactValue } from '../../../src/core/trace/redact';
import { TraceHub } from '../../../src/core/trace/hub';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import { findToolDefinition } from '../../../src/core/trace/toolDefinition';

describe('trace/display', () => {
  it('builds compact, redacted rows', () => {
    const rec = new TraceRecorder({ serverId: 's', serverName: 's' });
    const a = rec.record(
      'message',
      'out',
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'hi', token: 'sk-abcdefghijklmnopqrstuvwx' } },
      },
      10,
    );
    const b = rec.record(
      'message',
      'in',
      { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Echo: hi' }] } },
      12.5,
    );
    const c = rec.record(
      'message',
      'in',
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } },
      13,
    );
    const d = rec.record('stderr', 'in', 'Authorization: Bearer abc.def.ghi', 14);
    const ra = toDisplayEntry(rec.get(a)!, 3);
    assert.equal(ra.sx, 3);
    assert.equal(ra.label, 'tools/call');
    assert.equal(ra.tool, 'echo');
    assert.equal(ra.latencyMs, 2.5);
    assert.equal(ra.pair, b);
    assert.ok(!ra.preview!.includes('sk-abc'), ra.preview);
    assert.match(ra.preview!, /"message":"hi"/);
    assert.equal(toDisplayEntry(rec.get(b)!, 3).preview, 'Echo: hi');
    const rc = toDisplayEntry(rec.get(c)!, 3);
    assert.equal(rc.label, 'error -32601');
    assert.equal(rc.preview, 'Method not found');
    assert.equal(toDisplayEntry(rec.get(d)!, 3).label, 'Authorization: Bearer ***');
    const det = buildDetail(rec.get(b)!, 3, rec.get(a)!);
    assert.match(det.pair!.json, /"name": "echo"/);
    assert.ok(!det.pair!.json.includes('sk-abc'));
    rec.dispose();
  });

  it('bounds previews of huge payloads', () => {
    const big = { arr: Array.from({ length: 100_000 }, (_, i) => ({ i, s: 'x'.repeat(20) })) };
    const s = boundedJson(big, 160);
    assert.ok(s.length < 400, String(s.length));
    assert.ok(s.startsWith('{"arr":[{"i":0'));
    const p = prettyJson(big, 1000);
    assert.equal(p.cut, true);
    assert.equal(p.json.length, 1000);
  });

  it('puts recorded secrets back into params edited from their redacted view (edited replay)', () => {
    const recorded = {
      name: 'deploy',
      arguments: {
        api_key: 'sk-live-1234567890abcdef',
        note: 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 inside',
        n: 1,
      },
      list: ['Bearer abcdefghijklmnop'],
    };
    const shown = redactValue(recorded, ['sk-live-1234567890abcdef']) as typeof recorded;
    assert.equal(shown.arguments.api_key, '***');
    assert.deepEqual(
      restoreRedacted(shown, recorded, ['sk-live-1234567890abcdef']),
      recorded,
      'unchanged: as recorded',
    );
    const edited = structuredClone(shown);
    edited.arguments.n = 2;
    edited.arguments.api_key = 'sk-test-new';
    (edited as Record<string, unknown>).extra = true;
    assert.deepEqual(restoreRedacted(edited, recorded), {
      ...recorded,
      arguments: { ...recorded.arguments, api_key: 'sk-test-new', n: 2 },
      extra: true,
    });
  });

  it('diffs results line by line', () => {
    const a = JSON.stringify({ content: [{ type: 'text', text: 'a' }], n: 1, keep: true }, null, 2);
    const b = JSON.stringify({ content: [{ type: 'text', text: 'b' }], n: 1, keep: true, extra: 2 }, null, 2);
    const d = diffLines(a, b);
    assert.deepEqual(
      d.filter((l) => l.op !== '=').map((l) => `${l.op}${l.text.trim()}`),
      ['-"text": "a"', '+"text": "b"', '-"keep": true', '+"keep": true,', '+"extra": 2'],
    );
    assert.equal(
      d
        .filter((l) => l.op !== '+')
        .map((l) => l.text)
        .join('\n'),
      a,
      'old side reconstructs',
    );
    assert.equal(
      d
        .filter((l) => l.op !== '-')
        .map((l) => l.text)
        .join('\n'),
      b,
      'new side reconstructs',
    );
    assert.ok(diffLines(a, a).every((l) => l.op === '='));
    const x = Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\n');
    const y = Array.from({ length: 300 }, (_, i) => `other ${i}`).join('\n');
    const big = diffLines(x, y, 50);
    assert.equal(big.length, 600, 'falls back to remove-all/add-all beyond maxEdits');
  });
});

describe('trace/hub', () => {
  it('numbers sessions, forwards appends and disposes removed recorders', async () => {
    const hub = new TraceHub();
    const r1 = new TraceRecorder({ serverId: 'a', serverName: 'A' });
    const r2 = new TraceRecorder({ serverId: 'a', serverName: 'A' });
    let changes = 0;
    hub.onDidChangeSessions(() => changes++);
    const s1 = hub.add(r1, { origin: 'live', live: true });
    const s2 = hub.add(r2, { origin: 'stored' });
    assert.deepEqual([s1.sx, s2.sx], [1, 2]);
    assert.equal(hub.latestFor('a'), s1, 'live sessions first');
    const seen: number[] = [];
    hub.onDidAppend((e) => seen.push(e.session.sx));
    r2.lifecycle('x', 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [2]);
    hub.remove(2);
    assert.equal(hub.get(2), undefined);
    assert.equal(r2.record('lifecycle', 'in', 'after', 2), 0, 'disposed recorder ignores input');
    assert.equal(changes, 3);
    hub.dispose();
  });
});

describe('proxy/configRewrite', () => {
  const original = `{
  // my servers
  "servers": {
    "everything": {
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-everything"] // trailing comment
    },
    "other": { "command": "python3" }
  }
}
`;
  const target = { node: 'node', cliPath: '/ext/dist/cli.js', traceFile: '/store/proxy/everything.jsonl' };

  it('routes a server through the proxy and restores it, preserving the rest of the file', () => {
    const r = routeThroughProxy(original, 'everything', target);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.ok(r.text.includes('// my servers') && r.text.includes('// trailing comment'));
    const entry = findServerEntry(r.text, 'everything');
    assert.ok(entry);
    assert.match(r.text, /"command": "node"/);
    assert.match(
      r.text,
      /"\/ext\/dist\/cli.js",\s*"proxy",\s*"--trace",\s*"\/store\/proxy\/everything.jsonl",\s*"--name",\s*"everything",\s*"--",\s*"npx",\s*"-y"/,
    );
    assert.equal(proxiedTraceFile(r.text, 'everything'), target.traceFile);
    const again = routeThroughProxy(r.text, 'everything', target);
    assert.equal(again.ok, false, 'no double proxy');
    const back = restoreFromProxy(r.text, 'everything');
    assert.ok(back.ok);
    if (!back.ok) return;
    assert.match(back.text, /"command": "npx"/);
    assert.match(back.text, /"args": \[\s*"-y",\s*"@modelcontextprotocol\/server-everything"\s*\]/);
    assert.ok(back.text.includes('"other": { "command": "python3" }'), 'other entries untouched');
    // With the original source text from the routing result, the restore is exact.
    const exact = restoreFromProxy(r.text, 'everything', r.original);
    assert.ok(exact.ok && exact.text === original, 'byte-for-byte restore');
    // A stale original (entry edited since) falls back to rebuilding from the args.
    const stale = restoreFromProxy(r.text, 'everything', { command: '"npx"', args: '["-y", "other"]' });
    assert.ok(stale.ok && /"@modelcontextprotocol\/server-everything"/.test(stale.text));
  });

  it('handles entries without args and reports what it cannot do', () => {
    const r = routeThroughProxy(original, 'other', target);
    assert.ok(r.ok);
    if (!r.ok) return;
    const back = restoreFromProxy(r.text, 'other');
    assert.ok(back.ok && !/"other":[^}]*"args"/.test(back.text));
    const claude = '{"mcpServers":{"x":{"url":"http://localhost/mcp"}}}';
    const bad = routeThroughProxy(claude, 'x', target);
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.message : '', /only stdio servers/);
    assert.equal(routeThroughProxy(claude, 'missing', target).ok, false);
    assert.equal(restoreFromProxy(original, 'everything').ok, false);
  });
});

describe('trace/toolDefinition', () => {
  it('finds FastMCP and TypeScript SDK definitions, preferring registrations', () => {
    const py = [
      'from fastmcp import FastMCP',
      'mcp = FastMCP("x")',
      '',
      '# calls get_weather',
      '@mcp.tool',
      'async def get_weather(city: str) -> str:',
      '    return city',
    ].join('\n');
    assert.deepEqual(findToolDefinition(py, 'get_weather', 'python'), { line: 5, character: 10, score: 9 });
    const py2 = '@mcp.tool(name="weather")\ndef w(): ...';
    assert.equal(findToolDefinition(py2, 'weather', 'python')?.line, 0);
    const ts = "const note = 'echo';\nserver.registerTool('echo', { description: 'x' }, async () => ({}));";
    assert.deepEqual(findToolDefinition(ts, 'echo', 'typescript'), { line: 1, character: 21, score: 10 });
    assert.equal(findToolDefinition("server.addTool({ name: 'add', execute })", 'add', 'typescript')?.score, 6);
    assert.equal(
      findToolDefinition("console.log('echo')", 'echo', 'typescript'),
      undefined,
      'a bare string is not a definition',
    );
  });
});
