import * as assert from 'node:assert/strict';
import {
  InsufficientScopeError,
  OAuthError,
  OAuthErrorCode,
  ProtocolError,
  RegistrationRejectedError,
  UnauthorizedError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  type JSONRPCMessage,
  type Transport,
} from '@modelcontextprotocol/client';
import {
  authErrorKind,
  createClient,
  finishAuthorization,
  errorText,
  holdRequestTimeouts,
  httpStatusOf,
  isConnectionClosed,
  isTimeout,
  LOOSE_RESULT,
  negotiatedEra,
  notificationDispatch,
  protocolErrorOf,
} from '../../../src/core/session/sdk';
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/client/stdio';
import { INHERITED_ENV_VARS } from '../../../src/core/session/env';

/** A 2025-era server in memory: answers `initialize` and echoes `ping`; rejects everything else. */
class TinyServer implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (e: Error) => void;
  readonly sent: JSONRPCMessage[] = [];
  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.sent.push(message);
    const m = message as { id?: number; method?: string; params?: { protocolVersion?: string } };
    if (m.id === undefined) return;
    const reply =
      m.method === 'initialize'
        ? {
            result: {
              protocolVersion: m.params?.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: 'tiny', version: '1' },
            },
          }
        : m.method === 'tools/list'
          ? { result: { tools: [{ name: 'x', inputSchema: 'not even an object' }], extra: 1 } }
          : { error: { code: -32601, message: 'Method not found' } };
    queueMicrotask(() => this.onmessage?.({ jsonrpc: '2.0', id: m.id!, ...reply } as JSONRPCMessage));
  }
}

describe('SDK adapter (the only code that imports the MCP client SDK)', () => {
  const setup = { clientInfo: { name: 't', version: '1' }, capabilities: {}, probeTimeoutMs: 1000 };

  it('reaches the SDK notification dispatch it uses as a fast path (fails when the SDK renames it)', async () => {
    const client = createClient({ ...setup, era: '2025' });
    const seen: string[] = [];
    client.fallbackNotificationHandler = async (n) => {
      seen.push(n.method);
    };
    const dispatch = notificationDispatch(client);
    assert.equal(typeof dispatch, 'function', 'Protocol._onnotification is gone: update notificationDispatch()');
    await client.connect(new TinyServer());
    dispatch!({ jsonrpc: '2.0', method: 'notifications/custom/thing', params: {} } as JSONRPCMessage);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['notifications/custom/thing']);
    assert.deepEqual(negotiatedEra(client), { era: '2025', protocolVersion: client.getNegotiatedProtocolVersion() });
    await client.close();
  });

  it('takes any object as a result, unvalidated, so malformed lists reach the checks', async () => {
    const client = createClient({ ...setup, era: '2025' });
    await client.connect(new TinyServer());
    const r = (await client.request({ method: 'tools/list', params: {} }, LOOSE_RESULT)) as Record<string, unknown>;
    assert.equal((r.tools as { inputSchema: unknown }[])[0].inputSchema, 'not even an object');
    const err = await client.request({ method: 'nope', params: {} }, LOOSE_RESULT).catch((e: unknown) => e);
    assert.deepEqual(protocolErrorOf(err), { code: -32601, message: 'Method not found', data: undefined });
    await client.close();
  });

  it('holds the timeouts of pending requests while the user answers a server request (fails when the SDK renames its timer map)', async () => {
    const client = createClient({ ...setup, era: '2025' });
    const server = new TinyServer();
    await client.connect(server);
    const silent = server.send.bind(server);
    // A server that never answers `slow`.
    server.send = async (m) => ((m as { method?: string }).method === 'slow' ? undefined : silent(m));
    const timers = (client as unknown as { _timeoutInfo?: unknown })._timeoutInfo;
    assert.ok(timers instanceof Map, 'Protocol._timeoutInfo is gone: update holdRequestTimeouts()');
    const pending = client.request({ method: 'slow', params: {} }, LOOSE_RESULT, { timeout: 80 }).catch((e) => e);
    const resume = holdRequestTimeouts(client);
    const inner = holdRequestTimeouts(client);
    await new Promise((r) => setTimeout(r, 200));
    inner();
    await new Promise((r) => setTimeout(r, 120));
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'still pending while any hold lasts');
    resume();
    assert.equal(isTimeout(await pending), true, 'a fresh timeout runs once the holds end');
    await client.close();
  });

  it('classifies SDK errors', () => {
    assert.equal(isTimeout(new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out')), true);
    assert.equal(isTimeout(new ProtocolError(-32001, 'x')), false);
    assert.equal(isConnectionClosed(new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed')), true);
    assert.equal(httpStatusOf(new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, 'x', { status: 405 })), 405);
    assert.equal(httpStatusOf(new ProtocolError(-32000, 'HTTP 500 inside a message')), undefined);
    assert.equal(httpStatusOf(new Error('Error POSTing to endpoint (HTTP 404): not found')), 404);
    assert.equal(protocolErrorOf(new Error('plain')), undefined);
  });

  it('passes stdio servers the same base environment as the SDK (its allow-list for this platform)', () => {
    const platform = process.platform === 'win32' ? 'win32' : 'posix';
    assert.deepEqual([...INHERITED_ENV_VARS[platform]].sort(), [...DEFAULT_INHERITED_ENV_VARS].sort());
  });

  it('names the network reason fetch() hides in nested causes', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const fetchFailed = new TypeError('fetch failed', { cause: socket });
    const wrapped = new Error('Version negotiation probe failed: fetch failed', { cause: fetchFailed });
    assert.equal(errorText(wrapped), 'fetch failed (UND_ERR_SOCKET)', 'the era probe is not the news');
    const unusable = new Error('Version negotiation probe failed: the server answered with an unusable reply (x)', {
      cause: new SyntaxError('x'),
    });
    assert.match(errorText(unusable), /^Version negotiation probe failed: the server answered/);
  });

  it('classifies the OAuth errors the sign-in findings are built from', async () => {
    assert.deepEqual(authErrorKind(new UnauthorizedError()), { kind: 'unauthorized' });
    assert.deepEqual(
      authErrorKind(
        new RegistrationRejectedError({ status: 400, body: '{"error":"x"}', submittedMetadata: { redirect_uris: [] } }),
      ),
      { kind: 'registration-rejected', status: 400, body: '{"error":"x"}' },
    );
    assert.equal(authErrorKind(new OAuthError(OAuthErrorCode.InvalidClient, 'bad client')).kind, 'oauth');
    assert.equal(authErrorKind(new InsufficientScopeError({ requiredScope: 'a b' })).kind, 'insufficient-scope');
    assert.equal(authErrorKind(new Error('x')).kind, 'other');
    await assert.rejects(finishAuthorization(new TinyServer(), 'code'), /Streamable HTTP/);
  });
});
