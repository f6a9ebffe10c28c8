import * as assert from 'node:assert/strict';
import type { AuthRow } from '../../../src/core/auth/authLog';
import { LoopbackRedirect } from '../../../src/core/auth/loopback';
import { KnownSecrets, maskBody, maskHeaders, maskUrl } from '../../../src/core/auth/mask';
import { authSettingsOf } from '../../../src/core/auth/settings';
import { callbackParams } from '../../../src/core/auth/userAgent';
import { diagnoseSignIn, tokenAudience, type SignInEvidence } from '../../../src/core/session/authDiagnosis';
import { observeFetch, type HttpExchange } from '../../../src/core/session/httpObserver';
import { HttpTraceListener } from '../../../src/core/session/httpTrace';

const subject = {
  name: 'notes',
  file: '/ws/.vscode/mcp.json',
  range: { start: { line: 1, character: 2 }, end: { line: 1, character: 9 } },
};

function row(
  step: AuthRow['step'],
  level: AuthRow['verdict']['level'],
  text: string,
  over: Partial<AuthRow> = {},
): AuthRow {
  return {
    seq: 0,
    ts: 0,
    step,
    request: { method: 'GET', url: 'http://as.test/x', headers: {} },
    verdict: { level, text },
    ...over,
  };
}

function evidence(over: Partial<SignInEvidence>): SignInEvidence {
  return {
    serverUrl: 'http://mcp.test/mcp',
    rows: [],
    settings: { grant: 'authorization_code' },
    known: new KnownSecrets(),
    ...over,
  };
}

describe('auth: pure parts', () => {
  it('masks codes, verifiers, tokens and secrets in URLs, headers and bodies', () => {
    const known = new KnownSecrets();
    known.add('tok-abcdef-123456');
    assert.equal(
      maskUrl('http://127.0.0.1:1/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz', known),
      'http://127.0.0.1:1/callback?code=***&state=xyz',
    );
    const h = maskHeaders(
      new Headers({ authorization: 'Bearer tok-abcdef-123456', 'set-cookie': 'sid=1', 'x-other': 'hidden' }),
      known,
    );
    assert.deepEqual(h, { authorization: 'Bearer ***', 'set-cookie': '***' });
    const form = maskBody(
      'grant_type=authorization_code&code=abc123&code_verifier=vvvvvvvv&client_id=app',
      'application/x-www-form-urlencoded',
      known,
    );
    assert.equal(form, 'grant_type=authorization_code&code=***&code_verifier=***&client_id=app');
    const json = maskBody(
      '{"access_token":"tok-abcdef-123456","token_type":"Bearer","note":"tok-abcdef-123456 again"}',
      'application/json',
      known,
    );
    assert.doesNotMatch(json, /tok-abcdef/);
    assert.match(json, /"token_type": "Bearer"/);
  });

  it('reads sign-in settings as Claude Code (oauth) and Cursor (auth) write them', () => {
    assert.deepEqual(authSettingsOf({ url: 'x', oauth: { clientId: 'abc', callbackPort: 8765 } }), {
      grant: 'authorization_code',
      clientId: 'abc',
      clientSecret: undefined,
      clientMetadataUrl: undefined,
      scopes: undefined,
      callbackPort: 8765,
      privateKey: undefined,
      signingAlgorithm: undefined,
    });
    const cursor = authSettingsOf({
      url: 'x',
      auth: { CLIENT_ID: 'c1', CLIENT_SECRET: 's1', scopes: ['read', 'write'] },
    });
    assert.equal(cursor.clientId, 'c1');
    assert.equal(cursor.clientSecret, 's1');
    assert.deepEqual(cursor.scopes, ['read', 'write']);
    assert.equal(authSettingsOf({ oauth: { grantType: 'client_credentials' } }).grant, 'client_credentials');
  });

  it('reads the redirect back: a code with its state, or the error', () => {
    const r = 'http://127.0.0.1:33418/callback';
    assert.deepEqual(callbackParams(`${r}?code=c&state=s&iss=http%3A%2F%2Fas`, r), {
      code: 'c',
      state: 's',
      iss: 'http://as',
    });
    assert.deepEqual(callbackParams(`${r}?error=access_denied&error_description=no`, r), {
      error: 'access_denied',
      errorDescription: 'no',
    });
    assert.equal(callbackParams('http://127.0.0.1:33418/other?code=c', r), undefined);
  });

  it('the loopback redirect hands the answer with the right state to its waiter, and refuses others', async () => {
    const loop = new LoopbackRedirect(0);
    const url = await loop.prepare();
    try {
      const waiting = loop.wait('s1', new AbortController().signal);
      const wrong = await fetch(`${url}?code=x&state=other`);
      assert.equal(wrong.status, 400);
      const ok = await fetch(`${url}?code=the-code&state=s1`);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /Signed in/);
      assert.deepEqual(await waiting, { code: 'the-code', state: 's1', iss: undefined });
    } finally {
      await loop.close();
    }
  });

  it('reads the audience of a JWT access token (for MCP808), not of an opaque one', () => {
    const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    assert.deepEqual(tokenAudience(jwt({ aud: 'https://api.test' })), ['https://api.test']);
    assert.deepEqual(tokenAudience(jwt({ aud: ['a', 'b'] })), ['a', 'b']);
    assert.equal(tokenAudience('opaque-token'), undefined);
  });

  const table: { what: string; e: Partial<SignInEvidence>; codes: string[]; severity?: string }[] = [
    { what: 'nothing asked for, nothing said', e: {}, codes: [] },
    {
      what: 'signed in by the 2025-03-26 fallback: MCP802 warning',
      e: { rows: [row('resource-metadata', 'info', '404'), row('token', 'ok', 'token issued')] },
      codes: ['MCP802'],
      severity: 'warning',
    },
    {
      what: 'metadata without code_challenge_methods_supported: MCP804 warning',
      e: { rows: [row('server-metadata', 'warn', 'issuer x; code_challenge_methods_supported is missing')] },
      codes: ['MCP804'],
      severity: 'warning',
    },
    {
      what: 'an accepted issuer mismatch: MCP814 warning',
      e: { issuerWaived: 'expected a, got b' },
      codes: ['MCP814'],
      severity: 'warning',
    },
    {
      what: 'a login page and no browser: MCP801',
      e: { failure: { kind: 'authorization', answer: { error: 'interaction_required' }, redirect: 'http://r' } },
      codes: ['MCP801'],
    },
    {
      what: 'an error page about the redirect URI: MCP807',
      e: {
        failure: {
          kind: 'authorization',
          answer: {
            error: 'invalid_request',
            status: 400,
            body: "redirect_uri did not match any of the client's registered redirect_uris",
          },
          redirect: 'http://127.0.0.1:1/callback',
        },
      },
      codes: ['MCP807'],
    },
    {
      what: 'invalid_scope in the redirect: MCP813',
      e: { failure: { kind: 'authorization', answer: { error: 'invalid_scope' }, redirect: 'http://r' } },
      codes: ['MCP813'],
    },
    {
      what: 'the SDK refused a mismatched resource: MCP803',
      e: {
        failure: {
          kind: 'error',
          error: new Error(
            'Protected resource https://evil.test/mcp does not match expected http://mcp.test/mcp (or origin)',
          ),
        },
      },
      codes: ['MCP803'],
    },
  ];
  for (const t of table)
    it(`diagnoses: ${t.what}`, () => {
      const found = diagnoseSignIn(subject, evidence(t.e));
      assert.deepEqual(
        found.map(([code]) => code),
        t.codes,
      );
      if (t.severity) assert.equal(found[0][1].severity, t.severity);
      for (const [, f] of found) assert.equal(f.server, 'notes');
    });

  it('HTTP in the trace: method, URL, status, masked headers, timing, and the close of an event stream', async () => {
    const lines: string[] = [];
    const trace = {
      message() {},
      stderr() {},
      stdoutNoise() {},
      lifecycle() {},
      http: (text: string) => lines.push(text),
    };
    const base = async (_u: string | URL, init?: RequestInit) => {
      const sse = (init?.method ?? 'GET') === 'GET';
      return new Response(sse ? 'data: {}\n\n' : '{}', {
        status: sse ? 200 : 401,
        headers: sse
          ? { 'content-type': 'text/event-stream' }
          : {
              'content-type': 'application/json',
              'www-authenticate': 'Bearer resource_metadata="http://x/.well-known/oauth-protected-resource"',
            },
      });
    };
    const seen: HttpExchange[] = [];
    const f = observeFetch(base, [new HttpTraceListener(trace), { exchange: (e) => seen.push(e) }]);
    await f('http://x/mcp', { method: 'POST', headers: { authorization: 'Bearer secret-token-value' }, body: '{}' });
    const stream = await f('http://x/mcp', { method: 'GET', headers: { 'last-event-id': '42' } });
    await stream.text();
    assert.match(
      lines[0],
      /^POST http:\/\/x\/mcp \[Bearer \*\*\*\] → 401 application\/json \(\d+ ms\) · www-authenticate: Bearer resource_metadata=/,
    );
    assert.match(lines[1], /^GET http:\/\/x\/mcp \(reconnect, Last-Event-ID 42\) → 200 event stream opened/);
    assert.match(lines[2], /^event stream closed by the server: GET http:\/\/x\/mcp \(open \d+ ms\)/);
    assert.doesNotMatch(lines.join('\n'), /secret-token-value/);
    assert.equal(seen.length, 2);
  });
});
