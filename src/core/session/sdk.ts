/**
 * The MCP client SDK, seen through the little MCP Doctor needs of it. This file (and the type
 * imports of `transports.ts`) is the only place that imports `@modelcontextprotocol/client`:
 * a new SDK version is absorbed here, and `test/unit/session/sdk.test.ts` fails when the SDK
 * changes what this adapter relies on (the private notification dispatch in particular).
 */
import {
  Client,
  createPrivateKeyJwtAuth,
  CrossAppAccessProvider,
  InsufficientScopeError,
  IssuerMismatchError,
  LATEST_PROTOCOL_VERSION,
  OAuthError,
  RegistrationRejectedError,
  requestJwtAuthorizationGrant,
  UnauthorizedError,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  SUPPORTED_PROTOCOL_VERSIONS,
  UnsupportedProtocolVersionError,
  type ClientCapabilities,
  type FetchLike,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/client';

export { Client, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS };
export type { ClientCapabilities, FetchLike, JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions };
export type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
};

/** The first revision of the stateless era (no `initialize`, `server/discover`, per-request `_meta`). */
const MODERN_ERA_VERSION = '2026-07-28';

/** Which era to speak: the newest both sides support, or one forced by the user. */
export type EraPreference = 'auto' | '2025' | '2026';

/** What a result schema has to be for `Client.request`: anything object-shaped is accepted as is. */
export const LOOSE_RESULT = {
  '~standard': {
    version: 1 as const,
    vendor: 'mcp-doctor',
    validate: (value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: 'the result is not a JSON object' }] },
  },
};

export interface ClientSetup {
  clientInfo: { name: string; version: string };
  capabilities: ClientCapabilities;
  era: EraPreference;
  /** How long the `server/discover` probe may take before the server counts as 2025-era (stdio). */
  probeTimeoutMs: number;
}

/** A client configured for the era preference. Handlers are attached by the caller. */
export function createClient(setup: ClientSetup): Client {
  const mode = setup.era === 'auto' ? 'auto' : setup.era === '2025' ? 'legacy' : { pin: MODERN_ERA_VERSION };
  const client = new Client(setup.clientInfo, {
    capabilities: setup.capabilities,
    versionNegotiation: { mode, probe: { timeoutMs: setup.probeTimeoutMs } },
  });
  client.onerror = () => {
    // Transport-level errors surface through the pending request or the exit handler.
  };
  return client;
}

/** Server→client request handlers by method; a thrown error with a numeric `code` is answered with it. */
export type ServerRequestHandlers = Partial<
  Record<string, (params: Record<string, unknown>, signal: AbortSignal) => Promise<Record<string, unknown>>>
>;

/**
 * Registers handlers for requests the server sends (2025) or embeds as input requests (2026).
 * Requests without a handler are answered "Method not found", as the SDK would, and reported
 * to `unhandled` first so that a tool that depends on them can be diagnosed.
 */
export function handleServerRequests(
  client: Client,
  handlers: ServerRequestHandlers,
  unhandled: (method: string) => void,
): void {
  client.fallbackRequestHandler = async (request) => {
    unhandled(request.method);
    throw new ProtocolError(-32601, 'Method not found');
  };
  for (const [method, handler] of Object.entries(handlers)) {
    if (!handler) continue;
    client.setRequestHandler(
      method as 'roots/list',
      (async (request: { params?: unknown }, ctx: { mcpReq: { signal: AbortSignal } }) => {
        // The user may take minutes to answer: the requests waiting on the answer must not time out meanwhile.
        const resume = holdRequestTimeouts(client);
        try {
          return await handler((request.params ?? {}) as Record<string, unknown>, ctx.mcpReq.signal);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (typeof code === 'number') throw new ProtocolError(code, err instanceof Error ? err.message : String(err));
          throw err;
        } finally {
          resume();
        }
      }) as never,
    );
  }
}

/**
 * Whether a `tools/call` must go through the SDK's `callTool`: on a 2026-07-28 connection a tool
 * whose input schema marks parameters with `x-mcp-header` expects them mirrored in `Mcp-Param-*`
 * HTTP headers (SEP-2243), which the SDK builds from the tool definition.
 */
export function needsParamHeaders(client: Client, inputSchema: unknown): boolean {
  return client.getProtocolEra() === 'modern' && JSON.stringify(inputSchema ?? {}).includes('"x-mcp-header"');
}

/**
 * `tools/call` through the SDK, with the tool definition it mirrors headers from. The output
 * schema is left out: the session checks results itself and must see them as sent.
 */
export function callToolWithHeaders(
  client: Client,
  params: { name: string; arguments: Record<string, unknown> },
  inputSchema: Record<string, unknown>,
  options: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return client.callTool(params, {
    ...options,
    toolDefinition: { name: params.name, inputSchema: inputSchema as { type: 'object' } },
  }) as Promise<Record<string, unknown>>;
}

/** What the connected server declared (`tools`, `resources.subscribe`, `completions`, `logging`…). */
export function serverCapabilities(client: Client): Record<string, unknown> {
  return (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
}

/** What a 2026-era `subscriptions/listen` stream asks for (the spec's `SubscriptionFilter`). */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** An open `subscriptions/listen` stream: what the server agreed to, and how to end it. */
export interface ListenStream {
  readonly honored: ListenFilter;
  /** Resolves once when the stream ends: closed by us, by the server, or dropped. */
  readonly closed: Promise<'local' | 'graceful' | 'remote'>;
  close(): Promise<void>;
}

/**
 * Opens a `subscriptions/listen` stream (2026-07-28), resolving once the server acknowledged it.
 * Its notifications (`notifications/resources/updated`, list changes) reach the client's usual
 * notification path, as 2025-era unsolicited notifications do.
 */
export async function listen(client: Client, filter: ListenFilter, timeoutMs: number): Promise<ListenStream> {
  const sub = await client.listen(filter, { timeout: timeoutMs });
  return { honored: sub.honoredFilter as ListenFilter, closed: sub.closed, close: () => sub.close() };
}

/** A pending request's timer as the SDK's `Protocol` keeps it (`_timeoutInfo`, by message id). */
interface TimeoutInfo {
  timeoutId: ReturnType<typeof setTimeout>;
  timeout: number;
  onTimeout: () => void;
}

const holds = new WeakMap<Client, number>();

/**
 * Stops the timeout of every pending request while a server→client request waits for the user
 * (a 2025-era `tools/call` is pending while its elicitation form is open); the returned function
 * gives each of them a fresh timeout once the last hold ends. It reaches the SDK's private timer
 * map; when a new SDK version renames it, nothing is held (`test/unit/session/sdk.test.ts` fails).
 */
export function holdRequestTimeouts(client: Client): () => void {
  const timers = (client as unknown as { _timeoutInfo?: Map<unknown, TimeoutInfo> })._timeoutInfo;
  if (!(timers instanceof Map)) return () => undefined;
  const count = (holds.get(client) ?? 0) + 1;
  holds.set(client, count);
  if (count === 1) for (const info of timers.values()) clearTimeout(info.timeoutId);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (holds.get(client) ?? 1) - 1;
    holds.set(client, left);
    if (left > 0) return;
    for (const info of timers.values()) {
      clearTimeout(info.timeoutId);
      info.timeoutId = setTimeout(info.onTimeout, info.timeout);
    }
  };
}

/** The era a connected client negotiated. */
export function negotiatedEra(client: Client): { era: '2025' | '2026'; protocolVersion: string } {
  const version = client.getNegotiatedProtocolVersion() ?? LATEST_PROTOCOL_VERSION;
  return { era: client.getProtocolEra() === 'modern' ? '2026' : '2025', protocolVersion: version };
}

/**
 * Direct notification dispatch, skipping the SDK's message classification (a stdio fast path
 * for servers that flood notifications). It reaches a protected method of the SDK's `Protocol`;
 * when a new SDK version renames it, this returns undefined and messages take the normal path.
 */
export function notificationDispatch(client: Client): ((n: JSONRPCMessage) => void) | undefined {
  const dispatch = (client as unknown as { _onnotification?: (n: unknown) => void })._onnotification;
  if (typeof dispatch !== 'function') return undefined;
  return (n) => {
    if (client.transport !== undefined) dispatch.call(client, n);
  };
}

export interface HttpTransportOptions {
  headers: Record<string, string>;
  fetch?: FetchLike;
  /** OAuth: the SDK adds the bearer token, answers a 401 with `auth()` and a 403 `insufficient_scope` with a step-up. */
  authProvider?: OAuthClientProvider;
  /** Accept authorization server metadata whose `issuer` differs from its URL (2025-03-26 discovery). */
  skipIssuerMetadataValidation?: boolean;
}

/** How many 403 `insufficient_scope` step-ups the transport makes inside one send before it gives up. */
const STEP_UP_RETRIES = 1;

export function streamableHttpTransport(url: URL, opts: HttpTransportOptions): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(url, {
    requestInit: { headers: opts.headers },
    fetch: opts.fetch,
    authProvider: opts.authProvider,
    maxStepUpRetries: STEP_UP_RETRIES,
    skipIssuerMetadataValidation: opts.skipIssuerMetadataValidation,
  });
}

// ---------------------------------------------------------------- OAuth

/**
 * Finishes an authorization-code sign-in on the transport that asked for it: the SDK exchanges
 * the code (with the PKCE verifier, the `resource` and the scope the transport collected).
 */
export async function finishAuthorization(transport: Transport, code: string, iss?: string): Promise<void> {
  if (!(transport instanceof StreamableHTTPClientTransport))
    throw new Error('sign-in needs the Streamable HTTP transport');
  await transport.finishAuth(code, iss);
}

/** `private_key_jwt` client authentication (RFC 7523) for the token endpoint. */
export const privateKeyJwtAuth = createPrivateKeyJwtAuth;

/**
 * Cross-App Access (enterprise-managed authorization): an ID token from the enterprise IdP is
 * exchanged there for an ID-JAG (RFC 8693), which the MCP server's authorization server trades
 * for an access token (RFC 7523 JWT bearer grant).
 */
export function crossAppAccessProvider(opts: {
  clientId: string;
  clientSecret: string;
  /** The enterprise IdP's token endpoint (RFC 8693 token exchange). */
  idpTokenEndpoint: string;
  idpClientId: string;
  idToken: string;
  fetchFn: FetchLike;
}): OAuthClientProvider {
  return new CrossAppAccessProvider({
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    fetchFn: opts.fetchFn,
    assertion: async (ctx) =>
      (
        await requestJwtAuthorizationGrant({
          tokenEndpoint: opts.idpTokenEndpoint,
          audience: ctx.authorizationServerUrl,
          resource: ctx.resourceUrl,
          idToken: opts.idToken,
          clientId: opts.idpClientId,
          scope: ctx.scope,
          fetchFn: ctx.fetchFn,
        })
      ).jwtAuthGrant,
  });
}

/** What an error thrown by the SDK's OAuth code says, in the terms the auth findings need. */
export type AuthErrorKind =
  | { kind: 'unauthorized' }
  | { kind: 'registration-rejected'; status: number; body: string }
  | { kind: 'oauth'; code: string; message: string }
  | { kind: 'insufficient-scope'; scope?: string }
  | { kind: 'issuer-mismatch'; message: string }
  | { kind: 'other' };

/**
 * The SDK marks errors that escaped its auth seam (discovery, registration, token exchange inside
 * a transport's 401/403 handling) with this registry symbol; read it here so a renamed marker only
 * costs precision (the error classes below still match).
 */
const AUTH_SEAM = Symbol.for('mcp.authSeamEscape');

/** The error, or one of its causes, came from the SDK's OAuth code (not a JSON-RPC or network failure). */
export function fromAuthFlow(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    if ((e as Record<symbol, unknown>)[AUTH_SEAM] === true || ownAuthErrorKind(e).kind !== 'other') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** What the error (or the OAuth error it wraps: the era negotiation wraps the first request's) says. */
export function authErrorKind(err: unknown): AuthErrorKind {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const kind = ownAuthErrorKind(e);
    if (kind.kind !== 'other') return kind;
    e = (e as { cause?: unknown }).cause;
  }
  return { kind: 'other' };
}

function ownAuthErrorKind(err: unknown): AuthErrorKind {
  if (err instanceof RegistrationRejectedError)
    return { kind: 'registration-rejected', status: err.status, body: err.body };
  if (err instanceof InsufficientScopeError)
    return { kind: 'insufficient-scope', scope: (err as { requiredScope?: string }).requiredScope };
  if (err instanceof IssuerMismatchError) return { kind: 'issuer-mismatch', message: err.message };
  if (err instanceof OAuthError) return { kind: 'oauth', code: String(err.code), message: err.message };
  if (err instanceof UnauthorizedError) return { kind: 'unauthorized' };
  return { kind: 'other' };
}

/** The SDK sends `requestInit` headers on the event-stream GET too. */
export function sseTransport(url: URL, opts: HttpTransportOptions): Transport {
  return new SSEClientTransport(url, { requestInit: { headers: opts.headers }, fetch: opts.fetch });
}

/** Ends a Streamable HTTP session (DELETE with `Mcp-Session-Id`), if the transport holds one. */
export async function terminateHttpSession(transport: Transport | undefined): Promise<void> {
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) await transport.terminateSession();
}

// ---------------------------------------------------------------- errors

/** A JSON-RPC error answered by the server. */
export function protocolErrorOf(err: unknown): { code: number; message: string; data?: unknown } | undefined {
  if (!(err instanceof ProtocolError)) return undefined;
  return { code: err.code, message: err.message.replace(/^MCP error -?\d+: /, ''), data: err.data };
}

/** The error the SDK rejects a request with when its timeout fires (MCP Doctor's own clocks use it too). */
export function timeoutError(timeoutMs: number): Error {
  return new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout: timeoutMs });
}

export function isTimeout(err: unknown): boolean {
  return err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout;
}

export function isConnectionClosed(err: unknown): boolean {
  return (
    (err instanceof SdkError &&
      (err.code === SdkErrorCode.ConnectionClosed || err.code === SdkErrorCode.NotConnected)) ||
    (err instanceof Error && /^Not connected\b/.test(err.message))
  );
}

/** The server closed the connection while answering the era probe (a server that exits on unknown requests). */
export function isClosedDuringEraProbe(err: unknown): boolean {
  return (
    err instanceof SdkError &&
    err.code === SdkErrorCode.EraNegotiationFailed &&
    /closed during the server\/discover probe/.test(err.message)
  );
}

/** The server does not offer the era that was asked for (a pinned 2026-07-28, or no version in common). */
export function isEraUnavailable(err: unknown): boolean {
  if (err instanceof UnsupportedProtocolVersionError) return true;
  return (
    err instanceof SdkError &&
    err.code === SdkErrorCode.EraNegotiationFailed &&
    /did not offer pinned protocol version|no fallback in pin mode|gave no modern evidence/.test(err.message)
  );
}

/** The HTTP status of a failed HTTP exchange, when there was one. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof SdkHttpError) return err.status;
  if (err instanceof SdkError) {
    const status = (err.data as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number') return status;
  }
  if (err instanceof ProtocolError) return undefined;
  const m = /\b(?:HTTP|status(?: code)?|Non-200 status code \()\s*(\d{3})\b/i.exec(errorText(err));
  return m ? Number(m[1]) : undefined;
}

/** The error's message with the reasons fetch() hides in `cause` (ECONNREFUSED, UND_ERR_SOCKET…). */
/** The SDK's prefix for a `server/discover` probe that got no usable answer. */
const PROBE_FAILED = 'Version negotiation probe failed: ';

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    // The era probe is the first request: when the network fails under it, the network is the news.
    const probeCause = (err as { cause?: unknown }).cause;
    if (err.message.startsWith(PROBE_FAILED) && probeCause instanceof TypeError) return errorText(probeCause);
    let text = err.message;
    let cause = (err as { cause?: unknown }).cause;
    for (let depth = 0; depth < 4 && cause && typeof cause === 'object'; depth++) {
      const c = cause as { code?: unknown; message?: unknown; cause?: unknown };
      const why = typeof c.code === 'string' ? c.code : typeof c.message === 'string' ? c.message : undefined;
      if (why && !text.includes(why)) text += ` (${why})`;
      cause = c.cause;
    }
    return text;
  }
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
