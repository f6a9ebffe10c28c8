import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ServerConfig } from '../../../src/core/config/types';
import { resolveVariables } from '../../../src/core/config/variables';
import { buildTroubleshootingReport, redactServerConfig, redactText } from '../../../src/core/session/report';
import type { SessionView } from '../../../src/core/session/types';
import { boundedJson, buildDetail, prettyJson, toDisplayEntry } from '../../../src/core/trace/display';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import {
  maskJsonSecrets,
  maskSecrets,
  redactArgs,
  redactConfig,
  redactString,
  redactValue,
  rememberableArgs,
} from '../../../src/core/trace/redact';
import { exportTrace, makeHeader, readTraceFile, TraceFileWriter } from '../../../src/core/trace/store';
import { redactSecretFlags, secretValues, terminalHeader } from '../../../src/vscode/redact';

/** One sample of every token shape the brief names (none is a real credential). */
const TOKENS = {
  openai: 'sk-proj-Abcdefghijklmnop1234567890',
  github: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  slack: 'xoxb-1234567890-0987654321-AbCdEfGhIjKl',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  bearer: 'eyJhbGciOi.payload-part.signature-part',
};
const INPUT_SECRET = 'hunter2-from-the-input-box';
const INPUT_TOKEN = 'tok-typed-by-the-user-9876';

function config(name: string, over: Partial<ServerConfig>): ServerConfig {
  return {
    id: `vscode:/ws/.vscode/mcp.json#${name}`,
    name,
    client: 'vscode',
    file: '/ws/.vscode/mcp.json',
    scope: 'workspace',
    range: { start: { line: 3, character: 4 }, end: { line: 3, character: 12 } },
    transport: over.url && !over.command ? 'http' : 'stdio',
    disabled: false,
    unresolved: [],
    raw: {},
    interpolation: 'vscode',
    ...over,
  };
}

/** Resolved with the real resolver, the way the config area does before a launch. */
function resolve(server: ServerConfig): ServerConfig {
  return resolveVariables(server, {
    workspaceFolder: '/ws',
    home: '/home/u',
    env: { HOME: '/home/u', GH_TOKEN: TOKENS.github },
    inputs: new Map([
      ['apiKey', INPUT_SECRET],
      ['token', INPUT_TOKEN],
    ]),
  });
}

function assertNoSecret(text: string, secrets: string[], where: string): void {
  for (const s of secrets) assert.ok(!text.includes(s), `${where} shows the secret ${s}:\n${text}`);
}

const stdioListed = config('weather', {
  command: 'node',
  args: ['${workspaceFolder}/server.js', '--api-key', '${input:apiKey}', `--github=${TOKENS.github}`],
  env: {
    WEATHER_API_KEY: '${input:apiKey}',
    GITHUB_TOKEN: '${env:GH_TOKEN}',
    LOG_LEVEL: 'debug',
    CUSTOM: 'prefix-${input:token}',
  },
});
const httpListed = config('remote', {
  url: 'https://bob:pa55word-xyz@api.example.com/mcp?api_key=${input:apiKey}&region=eu',
  headers: { Authorization: 'Bearer ${input:token}', 'X-API-Key': TOKENS.openai, 'X-Trace': 'plain-value' },
});

describe('secrets never shown', () => {
  describe('terminal header and output masking (src/vscode/redact.ts)', () => {
    it('collects what ${input:...} resolved to, also inside longer values, and secret env/header values', () => {
      const resolved = resolve(stdioListed);
      assert.ok(resolved.args!.includes(INPUT_SECRET), 'the real resolver substituted the input');
      const secrets = secretValues(stdioListed, resolved);
      assert.ok(secrets.includes(INPUT_SECRET));
      assert.ok(secrets.includes(INPUT_TOKEN), 'the input inside "prefix-${input:token}" is found alone');
      assert.ok(secrets.includes(TOKENS.github), 'GITHUB_TOKEN is a secret-named env variable');
      assert.ok(!secrets.includes('debug'), 'LOG_LEVEL is not a secret');
      // Longest first, so a longer secret is masked whole before a shorter one inside it.
      assert.deepEqual(
        secrets,
        [...secrets].sort((a, b) => b.length - a.length),
      );
    });

    it('the stdio header lists env keys, with a value only where it cannot be a secret (LOG_LEVEL=debug)', () => {
      const resolved = resolve(stdioListed);
      const text = terminalHeader(resolved, secretValues(stdioListed, resolved))
        .map((l) => l.text)
        .join('\n');
      assert.match(text, /config: \/ws\/\.vscode\/mcp\.json/);
      assert.match(text, /env: WEATHER_API_KEY=\*\*\* GITHUB_TOKEN=\*\*\* LOG_LEVEL=debug CUSTOM=\*\*\*/);
      assertNoSecret(text, [INPUT_SECRET, INPUT_TOKEN, TOKENS.github], 'the stdio header');
    });

    it('the HTTP header redacts URL credentials, secret query parameters and input values, and hides header values', () => {
      const resolved = resolve(httpListed);
      assert.ok(resolved.url!.includes(INPUT_SECRET));
      const text = terminalHeader(resolved, secretValues(httpListed, resolved))
        .map((l) => l.text)
        .join('\n');
      assert.match(text, /HTTP https:\/\/bob:\*\*\*@api\.example\.com\/mcp\?api_key=\*\*\*&region=eu/);
      assert.match(text, /headers: Authorization: \*\*\*, X-API-Key: \*\*\*, X-Trace: \*\*\*/);
      assertNoSecret(text, [INPUT_SECRET, INPUT_TOKEN, 'pa55word-xyz', TOKENS.openai], 'the HTTP header');
    });

    it('masks the launch command line: input values, secret flags and token shapes', () => {
      const resolved = resolve(stdioListed);
      const secrets = secretValues(stdioListed, resolved);
      // What the session prints as its first lifecycle line, masked the way the manager does.
      const line = `$ node /ws/server.js --api-key ${INPUT_SECRET} --password 'plain secret' --github=${TOKENS.github}   (cwd /ws)`;
      const shown = maskSecrets(redactSecretFlags(redactText(line)), secrets);
      assertNoSecret(shown, [INPUT_SECRET, 'plain secret', TOKENS.github], 'the command line');
      assert.match(shown, /--api-key \*\*\* --password \*\*\*/);
      assert.match(shown, /\(cwd \/ws\)$/);
    });

    it('masks a secret wherever it shows up in output (stderr echoing its config)', () => {
      const out = maskSecrets(`config loaded: key=${INPUT_SECRET}; again ${INPUT_SECRET}.`, [INPUT_SECRET]);
      assert.equal(out, 'config loaded: key=***; again ***.');
      assert.equal(maskSecrets('nothing here', ['abcd']), 'nothing here');
      assert.equal(maskSecrets('', []), '');
    });

    it('does not mask very short values (masking "1" everywhere would garble output)', () => {
      const listed = config('short', { command: 'node', args: ['${input:token}'] });
      const resolved = resolveVariables(listed, { home: '/h', env: {}, inputs: new Map([['token', 'ab']]) });
      assert.deepEqual(secretValues(listed, resolved), []);
    });
  });

  describe('remembered tool arguments (rememberableArgs)', () => {
    it('keeps ordinary values and drops secrets by name, by schema and by value', () => {
      const schema = {
        type: 'object',
        properties: { pin: { type: 'string', format: 'password' }, seed: { type: 'string', writeOnly: true } },
      };
      const kept = rememberableArgs(
        {
          query: 'weather in Paris',
          limit: 5,
          apiKey: 'plain-looking-value',
          pin: '1234',
          seed: 'correct horse',
          note: `use ${TOKENS.github} for this`,
          headers: { Authorization: 'hunter2-value' },
          tags: ['a', 'b'],
        },
        schema,
      );
      assert.deepEqual(kept, { query: 'weather in Paris', limit: 5, tags: ['a', 'b'] });
    });
    it('works without a schema and with a schema that has no properties', () => {
      assert.deepEqual(rememberableArgs({ city: 'Oslo', token: 'x' }), { city: 'Oslo' });
      assert.deepEqual(rememberableArgs({ city: 'Oslo' }, { type: 'object' }), { city: 'Oslo' });
    });
  });

  describe('free-text token patterns (report redactText and trace redactString)', () => {
    const sample = `openai ${TOKENS.openai} gh ${TOKENS.github} slack ${TOKENS.slack} aws ${TOKENS.aws} sent Bearer ${TOKENS.bearer}`;
    for (const [name, fn] of [
      ['redactText', redactText],
      ['redactString', redactString],
    ] as const) {
      it(`${name} replaces sk-, ghp_, xoxb-, AKIA and Bearer tokens`, () => {
        const out = fn(sample);
        assertNoSecret(out, Object.values(TOKENS), name);
        assert.match(out, /Bearer \*\*\*/);
        assert.equal(fn('plain text with no secret, sk- alone'), 'plain text with no secret, sk- alone');
      });
      it(`${name} redacts URL credentials and secret query parameters`, () => {
        const out = fn(
          'connected over Streamable HTTP to https://bob:pa55word-xyz@h.example/mcp?access_token=abc123def&x=1',
        );
        assertNoSecret(out, ['pa55word-xyz', 'abc123def'], name);
        assert.match(out, /https:\/\/bob:\*\*\*@h\.example\/mcp\?access_token=\*\*\*/);
      });
    }
  });

  describe('trace display and export (src/core/trace)', () => {
    it('redacts Authorization / X-API-Key / token keys and token shapes in nested values', () => {
      const v = redactValue({
        headers: {
          Authorization: 'Basic dXNlcjpwYXNz',
          'X-API-Key': 'k-not-a-known-shape',
          'x-goog-api-key': 'zzz-1234',
        },
        params: { arguments: { github_token: 'anything', note: `use ${TOKENS.slack}` } },
      }) as Record<string, Record<string, Record<string, string>>>;
      assert.equal(v.headers.Authorization, '***');
      assert.equal(v.headers['X-API-Key'], '***');
      assert.equal(v.headers['x-goog-api-key'], '***');
      assert.equal(v.params.arguments.github_token, '***');
      assert.equal(v.params.arguments.note, 'use ***');
    });

    it('redacts env values, secret headers and secret flags of a stored config', () => {
      const c = redactConfig(resolve(httpListed));
      assertNoSecret(JSON.stringify(c), [INPUT_SECRET, INPUT_TOKEN, 'pa55word-xyz', TOKENS.openai], 'redactConfig');
      assert.equal(c.headers!['X-Trace'], 'plain-value');
      const s = redactConfig(resolve(stdioListed));
      assert.deepEqual(Object.values(s.env!), ['***', '***', '***', '***']);
      assert.deepEqual(redactArgs(['--token', 'abc', '--api-key=xyz', '-v', TOKENS.aws]), [
        '--token',
        '***',
        '--api-key=***',
        '-v',
        '***',
      ]);
    });

    it('rows, previews and details of recorded traffic show no secret', () => {
      const rec = new TraceRecorder({ serverId: 's', serverName: 's' });
      const t = 1000;
      rec.lifecycle(`connected over Streamable HTTP to https://bob:pa55word-xyz@h.example/mcp`, t);
      rec.stderr(`starting with GITHUB_TOKEN=${TOKENS.github}`, t + 1);
      rec.message(
        'out',
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'fetch',
            arguments: { url: 'x', apiKey: 'plain-secret-value', q: `Bearer ${TOKENS.bearer}` },
          },
        },
        t + 2,
      );
      rec.message(
        'in',
        { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `your key is ${TOKENS.openai}` }] } },
        t + 3,
      );
      rec.message('in', { jsonrpc: '2.0', id: 2, error: { code: -32000, message: `denied for ${TOKENS.aws}` } }, t + 4);
      const entries = [...rec.entries()];
      assert.equal(entries.length, 5);
      const secrets = ['pa55word-xyz', TOKENS.github, 'plain-secret-value', TOKENS.bearer, TOKENS.openai, TOKENS.aws];
      for (const e of entries) {
        const row = toDisplayEntry(e, 1);
        assertNoSecret(JSON.stringify(row), secrets, `row ${e.seq}`);
        assertNoSecret(JSON.stringify(buildDetail(e, 1)), secrets, `detail ${e.seq}`);
      }
    });

    it('a preview cut right inside a token does not show the token half', () => {
      const text = `${'x'.repeat(150)} ${TOKENS.openai}`;
      const preview = boundedJson({ note: text }, 160).slice(0, 160);
      assert.ok(!preview.includes('sk-proj-Abc'), preview);
      assert.ok(!prettyJson(text).json.includes(TOKENS.openai));
    });

    it('the preview of an oversized (truncated) payload has its secret keys redacted too', () => {
      const rec = new TraceRecorder({ serverId: 's', serverName: 's', maxPayloadBytes: 200 });
      rec.message(
        'out',
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'upload', arguments: { api_key: 'plain-secret-value', blob: 'B'.repeat(500) } },
        },
        1,
      );
      rec.message(
        'in',
        {
          jsonrpc: '2.0',
          id: 1,
          result: { content: [], structuredContent: { password: 'plain-secret-value', pad: 'P'.repeat(500) } },
        },
        2,
      );
      const entries = [...rec.entries()];
      assert.ok(
        entries.every((e) => e.truncated),
        'both payloads are truncated in memory',
      );
      for (const e of entries) {
        assert.ok(
          JSON.stringify(e.msg).includes('plain-secret-value'),
          'the in-memory preview holds the raw JSON text',
        );
        assertNoSecret(JSON.stringify(toDisplayEntry(e, 1)), ['plain-secret-value'], `row ${e.seq}`);
        assertNoSecret(buildDetail(e, 1).json, ['plain-secret-value'], `detail ${e.seq}`);
        assertNoSecret(JSON.stringify(redactValue(e.msg)), ['plain-secret-value'], `export of ${e.seq}`);
      }
    });

    it("a launch's secret values are masked in message bodies: rows, details, the trace file and exports", async () => {
      // A server that echoes its environment (server-everything's get-env does): the value has no
      // token shape and sits in text, so only the launch's known secret values can catch it.
      const secrets = secretValues(stdioListed, resolve(stdioListed));
      assert.ok(secrets.includes(INPUT_SECRET) && secrets.includes(TOKENS.github));
      const envText = JSON.stringify({
        WEATHER_API_KEY: INPUT_SECRET,
        CUSTOM: `prefix-${INPUT_TOKEN}`,
        LOG_LEVEL: 'debug',
      });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-sec-'));
      try {
        const file = path.join(dir, 'live.jsonl');
        const writer = new TraceFileWriter(file, makeHeader({ serverId: 's', serverName: 's', writer: 'extension' }), {
          secrets,
        });
        const rec = new TraceRecorder({ serverId: 's', serverName: 's', tap: writer.write, secrets });
        rec.message(
          'out',
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'get-env', arguments: { echo: `x ${INPUT_TOKEN} "${INPUT_SECRET}"` } },
          },
          1,
        );
        rec.message('in', { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: envText }] } }, 2);
        writer.close();
        const shown = [INPUT_SECRET, INPUT_TOKEN];
        for (const e of rec.entries()) {
          assertNoSecret(JSON.stringify(toDisplayEntry(e, 1, rec.secrets)), shown, `row ${e.seq}`);
          assertNoSecret(
            JSON.stringify(buildDetail(e, 1, undefined, undefined, rec.secrets)),
            shown,
            `detail ${e.seq}`,
          );
        }
        // The result's text is shown as the row preview, its secret value masked in place.
        assert.match(toDisplayEntry(rec.get(2)!, 1, rec.secrets).preview ?? '', /WEATHER_API_KEY":"\*\*\*"/);
        const text = fs.readFileSync(file, 'utf8');
        assertNoSecret(text, shown, 'the trace file');
        const reopened = await readTraceFile(file);
        assert.equal(reopened.problems.length, 0, 'every masked line is still valid JSON');
        assert.equal(reopened.entries, 2);
        const target = path.join(dir, 'export.jsonl');
        await exportTrace(target, { recorder: rec });
        assertNoSecret(fs.readFileSync(target, 'utf8'), shown, 'the export');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('trace files on disk hold no token, secret-keyed value or URL credential; plain lines are written as they came', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-sec-'));
      try {
        const file = path.join(dir, 'rest.jsonl');
        const writer = new TraceFileWriter(file, makeHeader({ serverId: 's', serverName: 's', writer: 'proxy' }));
        const plain =
          '{"seq":1,"ts":1,"dir":"out","kind":"message","size":60,"msg":{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}}';
        writer.writeRaw(plain);
        // A token right after a newline: in JSON text it follows "\n", where a word boundary fails.
        writer.writeRaw(
          JSON.stringify({
            seq: 2,
            ts: 2,
            dir: 'in',
            kind: 'message',
            size: 1,
            msg: {
              jsonrpc: '2.0',
              id: 1,
              result: { content: [{ type: 'text', text: `line 1\n${TOKENS.openai}\n${TOKENS.github}` }] },
            },
          }),
        );
        writer.writeRaw(
          JSON.stringify({
            seq: 3,
            ts: 3,
            dir: 'out',
            kind: 'message',
            size: 1,
            msg: {
              jsonrpc: '2.0',
              id: 2,
              method: 'tools/call',
              params: {
                name: 'login',
                arguments: {
                  apiKey: 'plain-secret-value',
                  url: 'https://bob:pa55word-xyz@h.example/?token=t0k3n-value',
                },
              },
            },
          }),
        );
        writer.writeRaw(
          JSON.stringify({
            seq: 4,
            ts: 4,
            dir: 'in',
            kind: 'stderr',
            size: 1,
            msg: `Authorization: Bearer ${TOKENS.bearer}`,
          }),
        );
        writer.close();
        const text = fs.readFileSync(file, 'utf8');
        assertNoSecret(
          text,
          [TOKENS.openai, TOKENS.github, 'plain-secret-value', 'pa55word-xyz', 't0k3n-value', TOKENS.bearer],
          'the trace file',
        );
        assert.equal(text.split('\n')[1], plain, 'a line without anything secret-looking is written byte for byte');
        const back = await readTraceFile(file);
        assert.deepEqual(back.problems, []);
        assert.equal(back.entries, 4);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('masking JSON text keeps it valid JSON, also next to escape sequences', () => {
      const secrets = ['nabcdef', 'q"uote\\d'];
      const cases: [string, string][] = [
        // A newline followed by "abcdef" is not the secret "nabcdef": it survives intact.
        ['\nabcdef and nabcdef', '\nabcdef and ***'],
        // A real backslash before the secret: the secret is masked, the backslash stays.
        ['a\\nabcdef', 'a\\***'],
        ['say q"uote\\d!', 'say ***!'],
        ['nabcdefnabcdef', '******'],
      ];
      for (const [value, expected] of cases) {
        const masked = maskJsonSecrets(JSON.stringify({ v: value }), secrets);
        assert.equal((JSON.parse(masked) as { v: string }).v, expected, masked);
      }
    });

    it('an exported trace file contains no secret, also in its config header', async () => {
      const rec = new TraceRecorder({ serverId: 's', serverName: 's' });
      rec.lifecycle(`$ node server.js --github=${TOKENS.github}`, 1);
      rec.message(
        'out',
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { headers: { Authorization: `Bearer ${TOKENS.bearer}` } },
        },
        2,
      );
      rec.message('in', { jsonrpc: '2.0', id: 1, result: { token: 'plain-secret-value', text: TOKENS.slack } }, 3);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-sec-'));
      try {
        const target = path.join(dir, 'export.jsonl');
        const header = makeHeader({ serverId: 's', serverName: 's', writer: 'live', config: resolve(httpListed) });
        const count = await exportTrace(target, { recorder: rec, header });
        assert.equal(count, 3);
        const text = fs.readFileSync(target, 'utf8');
        assertNoSecret(
          text,
          [
            TOKENS.github,
            TOKENS.bearer,
            'plain-secret-value',
            TOKENS.slack,
            INPUT_SECRET,
            INPUT_TOKEN,
            'pa55word-xyz',
            TOKENS.openai,
          ],
          'the export',
        );
        assert.match(text.split('\n')[0], /"redacted":true/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('troubleshooting report (src/core/session/report.ts)', () => {
    const view = (server: ServerConfig, stderr: string[]): SessionView => ({
      serverId: server.id,
      serverName: server.name,
      state: { kind: 'error', reason: `auth failed with ${TOKENS.openai}` },
      tools: [],
      resources: [],
      resourceTemplates: [],
      prompts: [],
      findings: [],
      stderrTail: stderr,
      toolStats: new Map(),
    });

    it('shows no env value, input value, secret flag value, header value or token', () => {
      const resolved = resolve(stdioListed);
      const md = buildTroubleshootingReport({
        extensionVersion: '0.0.0',
        server: resolved,
        view: view(resolved, [`loaded key ${INPUT_SECRET}`, `token=${TOKENS.github}`]),
        findings: [
          {
            code: 'MCP708',
            severity: 'error',
            message: `exited: bad key ${INPUT_SECRET}\nAuthorization: Bearer ${TOKENS.bearer}`,
            file: '/ws/s.js',
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
            origin: 'runtime',
          },
        ],
        traceTail: [`{"headers":{"X-API-Key":"${TOKENS.slack}"}}`],
        secrets: secretValues(stdioListed, resolved),
      });
      assertNoSecret(
        md,
        [INPUT_SECRET, INPUT_TOKEN, TOKENS.github, TOKENS.openai, TOKENS.bearer, TOKENS.slack],
        'the report',
      );
      assert.match(md, /"--api-key",\s*"\*\*\*"/, 'the value after a secret flag is hidden');
      assert.match(md, /"WEATHER_API_KEY": "\*\*\*"/);
    });

    it('HTTP servers: URL credentials and header values are redacted', () => {
      const r = redactServerConfig(resolve(httpListed));
      assertNoSecret(JSON.stringify(r), ['pa55word-xyz', INPUT_TOKEN, TOKENS.openai], 'redactServerConfig');
      assert.equal(r.headers!['X-Trace'], 'plain-value');
      // The input value inside the URL's query is caught by the report's `secrets` masking too.
      const resolved = resolve(httpListed);
      const md = buildTroubleshootingReport({
        extensionVersion: '0',
        server: resolved,
        findings: [],
        secrets: secretValues(httpListed, resolved),
      });
      assertNoSecret(md, [INPUT_SECRET, INPUT_TOKEN, 'pa55word-xyz', TOKENS.openai], 'the HTTP report');
    });
  });
});
