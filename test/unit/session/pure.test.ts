import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { detectMemoryGrowth, sampleHealth } from '../../../src/core/process/health';
import { LineSplitter } from '../../../src/core/process/lineSplitter';
import { resolveCommand } from '../../../src/core/process/resolveCommand';
import { locateTextInWorkspace, searchFragments } from '../../../src/core/runtime/locateText';
import { deepestWorkspaceFrame, parseLastTrace } from '../../../src/core/runtime/stackTraces';
import { buildTroubleshootingReport, redactServerConfig, redactText } from '../../../src/core/session/report';
import { lintToolList } from '../../../src/core/session/toolLint';
import { validateToolArgs } from '../../../src/core/session/validateArgs';
import { FIXTURES, serverConfig } from './helpers';

describe('session core: pure parts', () => {
  describe('LineSplitter', () => {
    it('splits across chunks, strips \\r, keeps byte lengths', () => {
      const got: [string, number][] = [];
      const s = new LineSplitter((l, b) => got.push([l, b]));
      s.push(Buffer.from('{"a":1}\r\n{"b"'));
      s.push(Buffer.from(':"é"}\n'));
      s.push(Buffer.from('tail'));
      s.flush();
      assert.deepEqual(got, [
        ['{"a":1}', 8],
        ['{"b":"é"}', 10],
        ['tail', 4],
      ]);
    });

    it('drops a line above the cap and reports it once, then continues', () => {
      const got: string[] = [];
      const over: number[] = [];
      const s = new LineSplitter(
        (l) => got.push(l),
        100,
        (bytes) => over.push(bytes),
      );
      s.push(Buffer.from('x'.repeat(60)));
      s.push(Buffer.from('y'.repeat(60)));
      s.push(Buffer.from('z'.repeat(10) + '\nok\n' + 'w'.repeat(150) + '\nfine\n'));
      assert.deepEqual(got, ['ok', 'fine']);
      assert.deepEqual(over, [130, 150]);
    });

    it('splits an 8 MB line in 64 KiB chunks faster than the SDK ReadBuffer (no quadratic concat)', () => {
      const line = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { blob: 'a'.repeat(8 << 20) } }) + '\n');
      const chunks: Buffer[] = [];
      for (let o = 0; o < line.length; o += 65536) chunks.push(line.subarray(o, o + 65536));
      const best = (f: () => void) =>
        Math.min(
          ...[0, 1, 2].map(() => {
            const t0 = performance.now();
            f();
            return performance.now() - t0;
          }),
        );
      let n = 0;
      const ours = best(() => {
        const s = new LineSplitter((l) => (n = l.length));
        for (const c of chunks) s.push(c);
      });
      const sdk = best(() => {
        const rb = new ReadBuffer();
        for (const c of chunks) {
          rb.append(c);
          rb.readMessage();
        }
      });
      assert.equal(n, line.length - 1);
      // Both include toString; the SDK also pays JSON.parse + zod. Ours must not be the slow part.
      assert.ok(ours < sdk, `ours ${ours.toFixed(1)} ms vs SDK ReadBuffer ${sdk.toFixed(1)} ms`);
    });
  });

  describe('stack traces', () => {
    it('parses the last Python traceback (chained) and picks the deepest workspace frame', () => {
      const ws = FIXTURES;
      const lines = [
        'Traceback (most recent call last):',
        '  File "/usr/lib/python3.11/x.py", line 1, in <module>',
        'ValueError: first',
        '',
        'During handling of the above exception, another exception occurred:',
        '',
        'Traceback (most recent call last):',
        `  File "${path.join(ws, 'crash-at-start.py')}", line 11, in <module>`,
        '    config = load_config()',
        `  File "${path.join(ws, 'crash-at-start.py')}", line 8, in load_config`,
        '    return {"api_key": os.environ["WEATHER_API_KEY"]}',
        `  File "${path.join(ws, '.venv/lib/python3.11/site-packages/lib.py')}", line 3, in get`,
        '  File "<frozen os>", line 679, in __getitem__',
        "KeyError: 'WEATHER_API_KEY'",
      ];
      const t = parseLastTrace(lines)!;
      assert.equal(t.language, 'python');
      assert.equal(t.exception, "KeyError: 'WEATHER_API_KEY'");
      assert.equal(t.frames.length, 4);
      const f = deepestWorkspaceFrame(t, ws)!;
      assert.equal(f.line, 8);
      assert.equal(f.file, path.join(ws, 'crash-at-start.py'));
    });

    it('parses Node stack traces with file:// URLs and skips node_modules frames', () => {
      const ws = FIXTURES;
      const lines = [
        `file://${ws}/node-crash.mjs:4`,
        "  if (!raw) throw new Error('x');",
        '                  ^',
        '',
        'TypeError [ERR_X]: cannot read things',
        `    at inner (${ws}/node_modules/dep/index.js:10:5)`,
        `    at loadConfig (file://${ws}/node-crash.mjs:4:19)`,
        `    at file://${ws}/node-crash.mjs:8:1`,
        '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
        '',
        'Node.js v20.20.2',
      ];
      const t = parseLastTrace(lines)!;
      assert.equal(t.language, 'node');
      assert.equal(t.exception, 'TypeError [ERR_X]: cannot read things');
      const f = deepestWorkspaceFrame(t, ws)!;
      assert.equal(f.file, path.join(ws, 'node-crash.mjs'));
      assert.equal(f.line, 4);
      assert.equal(f.fn, 'loadConfig');
    });

    it('returns undefined without a trace', () => {
      assert.equal(parseLastTrace(['just a log line', 'another']), undefined);
    });
  });

  describe('locating printed text', () => {
    it('finds f-string output by its literal fragments', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-loc-'));
      fs.mkdirSync(path.join(dir, 'pkg'));
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.writeFileSync(path.join(dir, 'node_modules', 'x.py'), 'print("Weather service ready on port")\n');
      fs.writeFileSync(
        path.join(dir, 'pkg', 'server.py'),
        'import sys\n\nprint(f"Weather service ready on port {PORT} (v{VERSION})")\n',
      );
      assert.ok(
        searchFragments('Weather service ready on port 8080 (v1.2.3)').includes('Weather service ready on port'),
      );
      const loc = await locateTextInWorkspace(dir, 'Weather service ready on port 8080 (v1.2.3)');
      assert.equal(loc?.file, path.join(dir, 'pkg', 'server.py'));
      assert.equal(loc?.line, 2);
      assert.equal(loc?.character, 8);
      assert.equal(await locateTextInWorkspace(dir, 'nothing like this anywhere'), undefined);
    });
  });

  describe('resolveCommand', () => {
    it('finds commands on PATH and relative paths; reports misses', () => {
      const node = resolveCommand('node', { PATH: path.dirname(process.execPath) }, '/');
      assert.equal(node.path, process.execPath);
      assert.equal(resolveCommand('definitely-not-a-command', { PATH: '/usr/bin' }, '/').path, undefined);
      assert.equal(resolveCommand('./good-stdio.py', { PATH: '' }, FIXTURES).path, undefined); // not executable
    });
  });

  describe('health', () => {
    it('samples this process and detects steady growth only', () => {
      if (process.platform === 'linux') {
        const s = sampleHealth(process.pid)!;
        assert.ok(s.rssBytes > 1e6 && s.fds > 2);
      }
      const MB = 1024 * 1024;
      const steady = Array.from({ length: 12 }, (_, i) => ({ ts: i * 5000, rssBytes: 100 * MB + i * 6 * MB, fds: 10 }));
      const v = detectMemoryGrowth(steady);
      assert.equal(v.growing, true);
      assert.ok(Math.abs(v.bytesPerSecond - 1.2 * MB) < 0.01 * MB);
      const jump = Array.from({ length: 12 }, (_, i) => ({
        ts: i * 5000,
        rssBytes: (i < 6 ? 100 : 180) * MB + (i % 2) * MB,
        fds: 10,
      }));
      assert.equal(detectMemoryGrowth(jump).growing, false);
      const flat = Array.from({ length: 12 }, (_, i) => ({ ts: i * 5000, rssBytes: 100 * MB + (i % 3) * MB, fds: 10 }));
      assert.equal(detectMemoryGrowth(flat).growing, false);
      assert.equal(detectMemoryGrowth(steady.slice(0, 3)).growing, false);
      // A Node heap filling up to its first major GC (1 s samples): 12 samples alone look like a
      // leak; the 60-sample window the session uses at 1 s sees the drop and the plateau.
      const warmup = Array.from({ length: 60 }, (_, i) => ({
        ts: i * 1000,
        rssBytes: (i < 20 ? 60 + i * 3 : 70 + (i % 4)) * MB,
        fds: 10,
      }));
      assert.equal(detectMemoryGrowth(warmup.slice(0, 20), { window: 12 }).growing, true);
      assert.equal(detectMemoryGrowth(warmup, { window: 60 }).growing, false);
    });
  });

  describe('tool lint (MCP710)', () => {
    it('flags each problem once per tool and accepts clean tools', () => {
      const res = lintToolList([
        { name: 'ok', description: 'fine', inputSchema: { type: 'object', properties: { a: { type: 'string' } } } },
        {
          name: 'bad.name',
          description: 'd',
          inputSchema: { type: 'object', properties: { list: { type: 'array' } } },
        },
        {
          name: 'refs',
          description: 'd',
          inputSchema: {
            type: 'object',
            properties: { a: { $ref: '#/$defs/missing' }, b: { $ref: '#/$defs/B' } },
            $defs: { B: { type: 'string' } },
          },
        },
        { name: 'notobj', description: 'd', inputSchema: { type: 'string' } },
        { name: 'ok', description: 'dup', inputSchema: { type: 'object' } },
        { name: 'scalar_out', description: 'd', inputSchema: { type: 'object' }, outputSchema: { type: 'string' } },
        { name: 'broken', description: 'd', inputSchema: { type: 'object', properties: { a: { type: 'strin' } } } },
      ]);
      const by = new Map(res.map((r) => [`${r.index}:${r.tool}`, r.problems.join(' | ')]));
      assert.equal(by.has('0:ok'), false);
      assert.match(by.get('1:bad.name')!, /does not match/);
      assert.match(by.get('1:bad.name')!, /inputSchema.list` is an array without `items`/);
      assert.match(by.get('2:refs')!, /#\/\$defs\/missing/);
      assert.doesNotMatch(by.get('2:refs')!, /#\/\$defs\/B/);
      assert.match(by.get('3:notobj')!, /not "object"/);
      assert.match(by.get('4:ok')!, /duplicate tool name/);
      assert.match(by.get('5:scalar_out')!, /outputSchema/);
      assert.match(by.get('6:broken')!, /not valid JSON Schema/);
    });
  });

  describe('validateToolArgs', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2, pattern: '^[A-Z]' },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        units: { enum: ['metric', 'imperial'] },
        tags: { type: 'array', items: { type: 'string' } },
        note: { type: ['string', 'null'] },
        mode: { anyOf: [{ const: 'fast' }, { const: 'slow' }] },
      },
      required: ['city'],
      additionalProperties: false,
    };
    it('accepts valid arguments', () => {
      assert.deepEqual(
        validateToolArgs(schema, { city: 'Oslo', days: 3, units: 'metric', tags: ['a'], note: null, mode: 'fast' }),
        { ok: true, errors: [] },
      );
    });
    it('explains each violation', () => {
      const r = validateToolArgs(schema, { city: 'o', days: 9, units: 'kelvin', tags: [1], extra: true, mode: 'x' });
      assert.equal(r.ok, false);
      const text = r.errors.join('\n');
      for (const re of [
        /\/city must NOT have fewer than 2/,
        /\/city must match pattern/,
        /\/days must be <= 7/,
        /\/units must be equal to one of the allowed values/,
        /\/tags\/0 must be string/,
        /additional properties \(`extra`\)/,
        /\/mode must match a schema in anyOf/,
      ])
        assert.match(text, re);
      assert.match(validateToolArgs(schema, {}).errors.join(), /must have required property 'city'/);
    });
    it('does not block calls when the schema itself is broken', () => {
      const r = validateToolArgs({ type: 'object', properties: { a: { type: 'strin' } } }, { a: 1 });
      assert.equal(r.ok, true);
      assert.ok(r.schemaError);
    });
  });

  describe('troubleshooting report', () => {
    const server = serverConfig('weather', {
      command: 'uvx',
      args: ['weather-mcp', '--api-key=sk-abcdefghijklmnop1234'],
      env: { WEATHER_API_KEY: 'supersecretvalue', LOG_LEVEL: 'debug' },
      url: 'https://user:hunter22@example.com/mcp',
      headers: { Authorization: 'Bearer abc.def.ghi', 'X-Api-Key': 'k-123456', Accept: 'application/json' },
    });

    it('redacts tokens in free text', () => {
      const t = redactText(
        'key sk-proj-abcdefghijkl, gh ghp_abcdefghijklmnopqrstuvwx12, slack xoxb-1234567890-abc, aws AKIAIOSFODNN7EXAMPLE, auth Bearer xyz123, api_key=hello123',
      );
      for (const secret of ['sk-proj-abc', 'ghp_abc', 'xoxb-123', 'AKIAIOSFODNN7EXAMPLE', 'xyz123', 'hello123'])
        assert.ok(!t.includes(secret), `${secret} in ${t}`);
      assert.match(t, /Bearer \*\*\*/);
      assert.equal(redactText('nothing secret here'), 'nothing secret here');
    });

    it('redacts env values, auth headers, URL credentials and tokens in args', () => {
      const r = redactServerConfig(server);
      assert.deepEqual(r.env, { WEATHER_API_KEY: '***', LOG_LEVEL: '***' });
      assert.equal(r.headers!.Authorization, '***');
      assert.equal(r.headers!['X-Api-Key'], '***');
      assert.equal(r.headers!.Accept, 'application/json');
      assert.equal(r.url, 'https://user:***@example.com/mcp');
      assert.ok(!r.args!.join(' ').includes('sk-abcdef'));
    });

    it('builds Markdown with versions, config, findings, stderr and trace, without secrets', () => {
      const md = buildTroubleshootingReport({
        extensionVersion: '0.1.0',
        vscodeVersion: '1.117.0',
        server,
        findings: [
          {
            code: 'MCP708',
            severity: 'error',
            message: 'The server process exited (code 1): KeyError\nTraceback...',
            file: '/w/server.py',
            range: { start: { line: 7, character: 4 }, end: { line: 7, character: 9 } },
            origin: 'runtime',
          },
        ],
        view: {
          serverId: server.id,
          serverName: 'weather',
          state: { kind: 'error', reason: 'Process exited (code 1)' },
          tools: [],
          resources: [],
          resourceTemplates: [],
          prompts: [],
          findings: [],
          stderrTail: ['using token sk-abcdefghijklmnop1234', "KeyError: 'WEATHER_API_KEY'"],
          toolStats: new Map([['get_forecast', { calls: 3, errors: 1, p50: 12, p95: 40, max: 41 }]]),
        },
        lockfileVersions: { mcp: '1.9.0' },
        traceTail: ['→ initialize {"headers":{"Authorization":"Bearer abc.def.ghi"}}'],
      });
      assert.match(md, /^# MCP Doctor report: `weather`/);
      assert.match(md, /VS Code: 1\.117\.0/);
      assert.match(md, /mcp: 1\.9\.0/);
      assert.match(md, /`MCP708` at `\/w\/server\.py:8:5`/);
      assert.match(md, /\| get_forecast \| 3 \| 1 \|/);
      assert.match(md, /KeyError: 'WEATHER_API_KEY'/);
      assert.match(md, /"WEATHER_API_KEY": "\*\*\*"/);
      for (const secret of ['supersecretvalue', 'sk-abcdefghijklmnop1234', 'abc.def.ghi', 'hunter22', 'k-123456'])
        assert.ok(!md.includes(secret), `leaked ${secret}`);
    });
  });
});
