import * as assert from 'node:assert/strict';
import { SignIn } from '../../../src/core/auth/signIn';
import type { AuthSettings } from '../../../src/core/auth/settings';
import { MemorySecretStore, grantKey } from '../../../src/core/auth/store';
import { HeadlessUserAgent } from '../../../src/core/auth/userAgent';
import { McpSession } from '../../../src/core/session/mcpSession';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildTroubleshootingReport } from '../../../src/core/session/report';
import { TraceRecorder } from '../../../src/core/trace/recorder';
import { exportTrace, makeHeader, TraceFileWriter } from '../../../src/core/trace/store';
import type { TraceSink } from '../../../src/core/trace/types';
import { serverConfig } from '../session/helpers';
import { waitFor } from '../../waitFor';
import { startWorld, type World, type WorldOptions } from './world';

/** Everything a session wrote to its trace, as text. */
class TextSink implements TraceSink {
  readonly lines: string[] = [];
  /** The trace file, written as the extension writes it (a `TraceFileWriter` on the recorder's tap). */
  readonly file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-trace-')), 'protected.jsonl');
  readonly writer = new TraceFileWriter(
    this.file,
    makeHeader({ serverId: 'protected', serverName: 'protected', writer: 'extension' }),
  );
  /** The trace area's real recorder, fed the same entries (for the export and the file). */
  readonly recorder = new TraceRecorder({ serverId: 'protected', serverName: 'protected', tap: this.writer.write });
  constructor() {
    for (const k of ['message', 'stderr', 'stdoutNoise', 'lifecycle', 'http', 'auth'] as const) {
      const mine = this[k].bind(this) as (...a: unknown[]) => void;
      const theirs = (this.recorder[k] as (...a: unknown[]) => void).bind(this.recorder);
      (this as Record<string, unknown>)[k] = (...a: unknown[]) => {
        mine(...a);
        theirs(...a);
      };
    }
  }
  /** Closes the trace file and removes it. */
  dispose(): void {
    this.writer.close();
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
  }
  message(dir: string, msg: unknown): void {
    this.lines.push(`${dir} ${JSON.stringify(msg)}`);
  }
  stderr(line: string): void {
    this.lines.push(line);
  }
  stdoutNoise(line: string): void {
    this.lines.push(line);
  }
  lifecycle(text: string): void {
    this.lines.push(`lifecycle ${text}`);
  }
  http(text: string): void {
    this.lines.push(`http ${text}`);
  }
  auth(text: string): void {
    this.lines.push(`auth ${text}`);
  }
}

interface Run {
  world: World;
  session: McpSession;
  signIn: SignIn;
  store: MemorySecretStore;
  sink: TextSink;
  output: string[];
}

const worlds: World[] = [];
const sessions: McpSession[] = [];
const sinks: TextSink[] = [];

async function run(world: WorldOptions, settings: Partial<AuthSettings> = {}, withAuth = true): Promise<Run> {
  const w = await startWorld(world);
  worlds.push(w);
  const store = new MemorySecretStore();
  const signIn = new SignIn({
    settings: { grant: 'authorization_code', ...settings },
    store,
    userAgent: new HeadlessUserAgent((u, init) => fetch(u, init)),
    clientName: 'MCP Doctor (test)',
    timeoutMs: 10000,
  });
  const sink = new TextSink();
  sinks.push(sink);
  const session = new McpSession({
    server: serverConfig('protected', { transport: 'http', url: w.mcpUrl }),
    trace: sink,
    auth: withAuth ? signIn : undefined,
    startupTimeoutMs: 10000,
    requestTimeoutMs: 10000,
    healthIntervalMs: 0,
  });
  sessions.push(session);
  const output: string[] = [];
  session.onOutput((e) => output.push(e.text));
  await session.start();
  return { world: w, session, signIn, store, sink, output };
}

function codes(r: Run): string[] {
  return r.session
    .view()
    .findings.map((f) => f.code)
    .sort();
}

describe('sign-in to an OAuth-protected server (oidc-provider + SDK server on loopback)', function () {
  this.timeout(30000);
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
    for (const s of sinks.splice(0)) s.dispose();
    await Promise.all(worlds.splice(0).map((w) => w.stop()));
  });

  it('signs in headlessly (discovery, registration, PKCE, resource), lists and calls a tool', async () => {
    const r = await run({});
    const v = r.session.view();
    assert.equal(
      v.state.kind,
      'running',
      JSON.stringify(v.state) +
        JSON.stringify(v.findings) +
        r.signIn.log.rows
          .map(
            (x) =>
              `\n${x.step} ${x.request.method} ${x.request.url} ${x.response?.status} ${x.response?.headers.location ?? ''} ${x.verdict.text}`,
          )
          .join(''),
    );
    assert.deepEqual(
      v.tools.map((t) => t.name),
      ['whoami'],
    );
    const call = await r.session.callTool('whoami', {});
    assert.equal(call.ok, true, JSON.stringify(call.error));
    assert.match(JSON.stringify(call.result), /scopes mcp:tools/);
    const steps = r.signIn.log.rows.map((row) => row.step);
    for (const step of ['challenge', 'resource-metadata', 'server-metadata', 'registration', 'authorization', 'token'])
      assert.ok(steps.includes(step as never), `${step} in ${steps.join(', ')}`);
    assert.ok(
      r.sink.lines.some((l) => l.startsWith('http POST') && l.includes('→ 401')),
      r.sink.lines.join('\n'),
    );
    assert.ok(r.sink.lines.some((l) => l.startsWith('auth sign-in · Token request')));
    const record = JSON.parse((await r.store.get(grantKey(r.world.mcpUrl)))!);
    assert.ok(record.tokens.access_token);
  });

  /**
   * Everything a user or a file can see of a session: the trace (lines, the trace file, its
   * export), the terminal, the findings, the troubleshooting report and the debugger rows.
   */
  async function shownText(r: Run): Promise<string> {
    const exported = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-export-')), 'trace.jsonl');
    await exportTrace(exported, { recorder: r.sink.recorder });
    r.sink.writer.flushSync();
    const view = r.session.view();
    const report = buildTroubleshootingReport({
      extensionVersion: '0',
      server: serverConfig('protected', { transport: 'http', url: r.world.mcpUrl }),
      view,
      findings: view.findings,
      traceTail: r.sink.lines.slice(-50),
    });
    const file = fs.readFileSync(r.sink.file, 'utf8');
    assert.match(file, /"kind":"http"/, 'the trace file has the HTTP exchanges');
    const shown = [
      ...r.sink.lines,
      ...r.output,
      JSON.stringify(view.findings),
      JSON.stringify(r.signIn.log.rows),
      file,
      fs.readFileSync(exported, 'utf8'),
      report,
    ].join('\n');
    fs.rmSync(path.dirname(exported), { recursive: true, force: true });
    return shown;
  }

  it('keeps tokens, the code and the PKCE verifier out of the trace, its file and export, the terminal, the findings, the report and the debugger', async () => {
    const r = await run({ clients: [], registration: 'open' });
    assert.equal(r.session.view().state.kind, 'running');
    await r.session.callTool('whoami', {});
    const secrets = [...new Set([...r.world.secretsSeen, ...r.world.tokensSeen])];
    assert.ok(secrets.length >= 3, `the authorization server handled ${secrets.length} secrets`);
    const shown = await shownText(r);
    assert.match(shown, /"kind":"http"/);
    for (const secret of secrets) assert.ok(!shown.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
    assert.match(shown, /Bearer \*\*\*/);
  });

  it('keeps a pre-registered client secret and the refresh token out of everything shown, through a refresh', async () => {
    const clientSecret = 'notes-app-client-secret-0123456789';
    const r = await run(
      {
        registration: 'off',
        // Long enough that the refreshed token is still valid when the retried call arrives on a
        // loaded machine (at 1 s the retry could meet an expired token and fail with 401).
        accessTokenTtl: 3,
        clients: [
          {
            client_id: 'notes-app',
            client_secret: clientSecret,
            redirect_uris: ['http://127.0.0.1:33418/callback'],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
      },
      { clientId: 'notes-app', clientSecret },
    );
    assert.equal(r.session.view().state.kind, 'running', JSON.stringify(r.session.view().findings));
    await new Promise((done) => setTimeout(done, 3500));
    const call = await r.session.callTool('whoami', {});
    assert.equal(call.ok, true, JSON.stringify(call.error));
    assert.ok(
      r.signIn.log.rows.some((x) => x.step === 'refresh' && x.verdict.level === 'ok'),
      'a refresh happened',
    );
    // The secret as sent in an HTTP Basic Authorization header (client_secret_basic) too.
    const basic = Buffer.from(`notes-app:${clientSecret}`).toString('base64');
    const secrets = [...new Set([clientSecret, basic, ...r.world.secretsSeen, ...r.world.tokensSeen])];
    assert.ok(secrets.length >= 6, `the authorization server handled ${secrets.length} secrets`);
    const shown = await shownText(r);
    for (const secret of secrets) assert.ok(!shown.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
  });

  it('signs in with a client id from the config without the SDK warning about an unstamped credential (SEP-2352)', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => void warnings.push(a.map(String).join(' '));
    try {
      const r = await run(
        {
          registration: 'off',
          clients: [
            {
              client_id: 'notes-app',
              redirect_uris: ['http://127.0.0.1:33418/callback'],
              token_endpoint_auth_method: 'none',
            },
          ],
        },
        { clientId: 'notes-app' },
      );
      assert.equal(r.session.view().state.kind, 'running', JSON.stringify(r.session.view().findings));
      assert.ok(r.signIn.log.rows.some((x) => x.step === 'token' && x.verdict.level === 'ok'));
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(
      warnings.filter((w) => w.includes('SEP-2352')),
      [],
    );
  });

  it('without a way to sign in, a 401 is MCP801 "sign-in required", never "nothing serves MCP at this path"', async () => {
    const r = await run({}, {}, false);
    assert.deepEqual(codes(r), ['MCP801']);
    const text = JSON.stringify(r.session.view());
    assert.doesNotMatch(text, /Nothing serves MCP/);
    assert.match(text, /resource_metadata=/);
  });

  it('refreshes an expired access token with the refresh token, without a new authorization', async () => {
    const r = await run({ accessTokenTtl: 3 }); // see the TTL note above
    assert.equal(r.session.view().state.kind, 'running', JSON.stringify(r.session.view().findings));
    const authorizations = () => r.signIn.log.rows.filter((x) => x.step === 'authorization').length;
    assert.equal(authorizations(), 1);
    const token = JSON.parse((await r.store.get(grantKey(r.world.mcpUrl)))!).tokens.access_token as string;
    const exp = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
    await waitFor(() => Date.now() > exp * 1000 + 100, 'the access token to expire', 5000);
    const call = await r.session.callTool('whoami', {});
    assert.equal(call.ok, true, JSON.stringify(call.error));
    assert.ok(
      r.signIn.log.rows.some((x) => x.step === 'refresh' && x.verdict.level === 'ok'),
      r.signIn.log.rows.map((x) => `${x.step} ${x.verdict.text}`).join('\n'),
    );
    assert.equal(authorizations(), 1, 'no second authorization');
  });

  it('leaves failures that are not about signing in to their own codes (refused connection, JSON-RPC errors)', async () => {
    const r = await run({});
    const bad = await r.session.callTool('no-such-tool', {});
    assert.equal(bad.ok, false);
    assert.ok(!codes(r).some((c) => c.startsWith('MCP8')), codes(r).join(' '));
    const signIn = new SignIn({
      settings: { grant: 'authorization_code' },
      store: new MemorySecretStore(),
      userAgent: new HeadlessUserAgent((u, init) => fetch(u, init)),
      clientName: 'MCP Doctor (test)',
      timeoutMs: 5000,
    });
    const refused = new McpSession({
      server: serverConfig('down', { transport: 'http', url: 'http://127.0.0.1:9/mcp' }),
      auth: signIn,
      startupTimeoutMs: 5000,
      healthIntervalMs: 0,
    });
    sessions.push(refused);
    await refused.start();
    assert.deepEqual(
      refused.view().findings.map((f) => f.code),
      ['MCP721'],
    );
  });

  it('a 401 without an OAuth challenge or metadata (an API key server) is MCP801 asking for the key in headers', async () => {
    const http = await import('node:http');
    const srv = http.createServer((req, res) => {
      req.resume();
      res
        .writeHead(req.url === '/mcp' ? 401 : 404, { 'content-type': 'application/json' })
        .end('{"error":"missing x-api-key"}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/mcp`;
    try {
      const signIn = new SignIn({
        settings: { grant: 'authorization_code' },
        store: new MemorySecretStore(),
        userAgent: new HeadlessUserAgent((u, init) => fetch(u, init)),
        clientName: 'MCP Doctor (test)',
        timeoutMs: 5000,
      });
      const session = new McpSession({
        server: serverConfig('api-key', { transport: 'http', url }),
        auth: signIn,
        startupTimeoutMs: 5000,
        healthIntervalMs: 0,
      });
      sessions.push(session);
      await session.start();
      const found = session.view().findings;
      assert.deepEqual(
        found.map((f) => f.code),
        ['MCP801'],
        JSON.stringify(found),
      );
      assert.match(found[0].message, /without an OAuth challenge .* API key/);
    } finally {
      srv.close();
    }
  });

  const cases: {
    code: string[];
    what: string;
    world: WorldOptions;
    settings?: Partial<AuthSettings>;
    call?: boolean;
    match: RegExp;
  }[] = [
    {
      code: ['MCP801'],
      what: 'an authorization server that wants a person, with no browser here',
      world: { interaction: 'form' },
      match: /wants a person to sign in/,
    },
    {
      code: ['MCP802', 'MCP811'],
      what: 'no resource_metadata and no well-known document (nor metadata at the origin)',
      world: { prm: 'none' },
      match: /no protected resource metadata/,
    },
    {
      code: ['MCP803'],
      what: 'metadata resource that does not match the server URL',
      world: { prm: { resource: 'https://elsewhere.example/mcp' } },
      match: /names the resource https:\/\/elsewhere\.example\/mcp/,
    },
    {
      code: ['MCP804'],
      what: 'no S256 in code_challenge_methods_supported',
      world: { rewriteMetadata: (m) => ({ ...m, code_challenge_methods_supported: ['plain'] }) },
      match: /S256/,
    },
    {
      code: ['MCP805'],
      what: 'registration rejected (with the server body)',
      world: { registration: 'initial-access-token' },
      match: /rejected dynamic client registration \(HTTP 401\): .*invalid_token/,
    },
    {
      code: ['MCP806'],
      what: 'no registration endpoint and no client id',
      world: { registration: 'off' },
      match: /no way to identify itself/,
    },
    {
      code: ['MCP807'],
      what: 'redirect URI not allowed for the pre-registered client',
      world: {
        registration: 'off',
        clients: [
          {
            client_id: 'notes-app',
            redirect_uris: ['https://notes.example/callback'],
            token_endpoint_auth_method: 'none',
          },
        ],
      },
      settings: { clientId: 'notes-app' },
      match: /refused the redirect URI http:\/\/127\.0\.0\.1:33418\/callback/,
    },
    {
      code: ['MCP808'],
      what: 'token for the wrong audience',
      world: { audience: 'https://other.example/api' },
      match: /issued for the audience https:\/\/other\.example\/api/,
    },
    {
      code: ['MCP809'],
      what: 'scope never granted (403 insufficient_scope after the step-up limit)',
      world: { callScope: 'mcp:admin' },
      call: true,
      match: /wants `mcp:tools mcp:admin`/,
    },
    {
      code: ['MCP810'],
      what: 'a 401 after a fresh token',
      world: { wrongKeys: true },
      match: /401 to a token it had just been given/,
    },
    {
      code: ['MCP812'],
      what: 'token request rejected (wrong client secret)',
      world: {
        registration: 'off',
        clients: [
          {
            client_id: 'notes-app',
            client_secret: 'the-right-secret-value',
            redirect_uris: ['http://127.0.0.1:33418/callback'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
      },
      settings: { clientId: 'notes-app', clientSecret: 'a-wrong-secret-value' },
      match: /invalid_client/,
    },
    {
      code: ['MCP813'],
      what: 'the user declines',
      world: { deny: true },
      match: /access_denied/,
    },
    {
      code: ['MCP814'],
      what: 'authorization server metadata with another issuer',
      world: { rewriteMetadata: (m) => ({ ...m, issuer: 'https://login.example/tenant' }) },
      match: /another issuer/,
    },
  ];
  for (const c of cases)
    it(`${c.code.join(' + ')}: ${c.what}`, async () => {
      const r = await run(c.world, c.settings);
      if (c.call) {
        assert.equal(r.session.view().state.kind, 'running', JSON.stringify(r.session.view().findings));
        const out = await r.session.callTool('whoami', {});
        assert.equal(out.ok, false);
      }
      const found = r.session.view().findings;
      assert.deepEqual(
        codes(r),
        c.code,
        found.map((f) => `${f.code} ${f.message}`).join('\n') +
          r.signIn.log.rows
            .map((x) => `\n${x.step} ${x.request.method} ${x.request.url} ${x.response?.status} ${x.verdict.text}`)
            .join(''),
      );
      assert.match(found.map((f) => f.message).join('\n'), c.match);
      assert.doesNotMatch(JSON.stringify(found), /Nothing serves MCP/);
      if (c.settings?.clientSecret) assert.ok(!JSON.stringify(found).includes(c.settings.clientSecret));
    });
});
