import * as assert from 'node:assert/strict';
import { SignIn } from '../../../src/core/auth/signIn';
import type { AuthSettings } from '../../../src/core/auth/settings';
import { MemorySecretStore, grantKey } from '../../../src/core/auth/store';
import { HeadlessUserAgent } from '../../../src/core/auth/userAgent';
import { McpSession } from '../../../src/core/session/mcpSession';
import type { TraceSink } from '../../../src/core/trace/types';
import { serverConfig } from '../session/helpers';
import { startWorld, type World, type WorldOptions } from './world';

/** Everything a session wrote to its trace, as text. */
class TextSink implements TraceSink {
  readonly lines: string[] = [];
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

async function run(world: WorldOptions, settings: Partial<AuthSettings> = {}): Promise<Run> {
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
  const session = new McpSession({
    server: serverConfig('protected', { transport: 'http', url: w.mcpUrl }),
    trace: sink,
    auth: signIn,
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
    await Promise.all(worlds.splice(0).map((w) => w.stop()));
  });

  it('signs in headlessly (discovery, registration, PKCE, resource), lists and calls a tool', async () => {
    const r = await run({});
    const v = r.session.view();
    assert.equal(v.state.kind, 'running', JSON.stringify(v.state) + JSON.stringify(v.findings) + r.signIn.log.rows.map((x) => `\n${x.step} ${x.request.method} ${x.request.url} ${x.response?.status} ${x.response?.headers.location ?? ''} ${x.verdict.text}`).join(''));
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
    assert.ok(r.sink.lines.some((l) => l.startsWith('http POST') && l.includes('→ 401')), r.sink.lines.join('\n'));
    assert.ok(r.sink.lines.some((l) => l.startsWith('auth sign-in · Token request')));
    const record = JSON.parse((await r.store.get(grantKey(r.world.mcpUrl)))!);
    assert.ok(record.tokens.access_token);
  });
});
