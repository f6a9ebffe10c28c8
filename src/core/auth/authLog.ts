import type { HttpExchange, HttpObserverListener } from '../session/httpObserver';
import { Emitter, type Event } from '../util/event';
import { type KnownSecrets, maskBody, maskHeaders, maskUrl } from './mask';

/** The steps of a sign-in, in the order the MCP authorization spec walks them. */
export type AuthStep =
  | 'challenge'
  | 'resource-metadata'
  | 'server-metadata'
  | 'registration'
  | 'authorization'
  | 'token'
  | 'refresh'
  | 'authorized-request'
  | 'step-up';

type AuthVerdictLevel = 'ok' | 'info' | 'warn' | 'fail';

/** One row of the auth debugger: a request, what came back, and what it means. Secrets masked. */
export interface AuthRow {
  seq: number;
  ts: number;
  step: AuthStep;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string };
  error?: string;
  durationMs?: number;
  verdict: { level: AuthVerdictLevel; text: string };
}

const STEP_TITLES: Record<AuthStep, string> = {
  challenge: 'Challenge (401 from the MCP server)',
  'resource-metadata': 'Protected resource metadata (RFC 9728)',
  'server-metadata': 'Authorization server metadata (RFC 8414 / OpenID)',
  registration: 'Client registration (RFC 7591)',
  authorization: 'Authorization request (PKCE)',
  token: 'Token request',
  refresh: 'Token refresh',
  'authorized-request': 'MCP request with the token',
  'step-up': 'Insufficient scope (403)',
};

export function stepTitle(step: AuthStep): string {
  return STEP_TITLES[step];
}

/** One line for the trace and the terminal: `step · METHOD url → status: verdict`. */
export function rowLine(r: AuthRow): string {
  const status = r.response ? ` → ${r.response.status}` : r.error ? ` → ${r.error}` : '';
  return `sign-in · ${STEP_TITLES[r.step]} · ${r.request.method} ${r.request.url}${status}: ${r.verdict.text}`;
}

/**
 * The auth debugger's record of one server: every sign-in step as a row, built from the HTTP
 * exchanges the connection's fetch saw plus the authorization step the sign-in adds itself.
 * It is an `HttpObserverListener`: plug it into the connection's observed fetch.
 */
export class AuthLog implements HttpObserverListener {
  private readonly _rows: AuthRow[] = [];
  private seq = 0;
  private readonly _onDidAdd = new Emitter<AuthRow>();
  readonly onDidAdd: Event<AuthRow> = this._onDidAdd.event;
  /** The MCP endpoint (origin + path) whose requests count as challenges and authorized requests. */
  private mcpEndpoint = '';
  /** True while a token has been issued and no MCP request used it yet. */
  private tokenFresh = false;
  private signingIn = false;

  constructor(readonly known: KnownSecrets) {}

  get rows(): readonly AuthRow[] {
    return this._rows;
  }

  /** The MCP server this log watches (called for each connection). */
  watch(serverUrl: string): void {
    this.mcpEndpoint = endpointOf(serverUrl);
  }

  clear(): void {
    this._rows.length = 0;
    this.tokenFresh = false;
    this.signingIn = false;
  }

  add(row: Omit<AuthRow, 'seq'>): AuthRow {
    const r = { ...row, seq: ++this.seq };
    this._rows.push(r);
    this._rows.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    this._onDidAdd.fire(r);
    return r;
  }

  wantsBody(e: HttpExchange): boolean {
    return endpointOf(e.url) !== this.mcpEndpoint || (e.status !== undefined && e.status >= 400);
  }

  exchange(e: HttpExchange): void {
    const step = this.classify(e);
    if (!step) return;
    const known = this.known;
    const base = {
      ts: e.startTs,
      step,
      request: {
        method: e.method,
        url: maskUrl(e.url, known),
        headers: maskHeaders(e.requestHeaders, known),
        ...(e.requestBody !== undefined && endpointOf(e.url) !== this.mcpEndpoint
          ? { body: maskBody(e.requestBody, e.requestHeaders.get('content-type'), known) }
          : {}),
      },
      durationMs: e.durationMs,
    };
    if (e.error || e.status === undefined) {
      this.add({ ...base, error: e.error ?? 'no response', verdict: { level: 'fail', text: `no answer: ${e.error}` } });
      return;
    }
    const status = e.status;
    const headers = maskHeaders(e.responseHeaders ?? new Headers(), known);
    const finish = (text: string | undefined) => {
      // Token and registration answers carry secrets: learn them before anything is shown.
      if (text && (step === 'token' || step === 'refresh' || step === 'registration')) learnSecrets(text, known);
      const body = text ? maskBody(text, e.responseHeaders?.get('content-type'), known) : undefined;
      this.add({
        ...base,
        response: { status, headers, ...(body ? { body } : {}) },
        verdict: verdictOf(step, status, text, e),
      });
    };
    if (e.responseBody) void e.responseBody.then(finish);
    else finish(undefined);
  }

  /** Which step an exchange is, or undefined for MCP traffic that says nothing about sign-in. */
  private classify(e: HttpExchange): AuthStep | undefined {
    const u = safeUrl(e.url);
    if (!u) return undefined;
    const endpoint = `${u.origin}${u.pathname}`;
    if (endpoint === this.mcpEndpoint) {
      if (e.status === 401) {
        this.signingIn = true;
        this.tokenFresh = false;
        return 'challenge';
      }
      if (e.status === 403 && /insufficient_scope/.test(e.responseHeaders?.get('www-authenticate') ?? ''))
        return 'step-up';
      if (this.tokenFresh && e.status !== undefined && e.requestHeaders.has('authorization')) {
        this.tokenFresh = false;
        this.signingIn = false;
        return 'authorized-request';
      }
      return undefined;
    }
    const path = u.pathname;
    if (path.includes('/.well-known/oauth-protected-resource')) return 'resource-metadata';
    if (path.includes('/.well-known/oauth-authorization-server') || path.includes('/.well-known/openid-configuration'))
      return 'server-metadata';
    const body = e.requestBody ?? '';
    if (e.method === 'POST' && /(^|&)grant_type=/.test(body)) {
      const grant = new URLSearchParams(body).get('grant_type');
      this.tokenFresh = true;
      return grant === 'refresh_token' ? 'refresh' : 'token';
    }
    if (
      e.method === 'POST' &&
      body.trimStart().startsWith('{') &&
      /"(redirect_uris|client_name|grant_types)"/.test(body)
    )
      return 'registration';
    if (e.method === 'GET' && (u.searchParams.get('response_type') === 'code' || this.signingIn))
      return 'authorization';
    return undefined;
  }
}

function endpointOf(url: string): string {
  const u = safeUrl(url);
  return u ? `${u.origin}${u.pathname}` : url;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function learnSecrets(text: string, known: KnownSecrets): void {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    for (const k of ['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token'])
      if (typeof o[k] === 'string') known.add(o[k] as string);
  } catch {
    // not JSON: nothing to learn
  }
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What a step's answer means, in a few words. */
function verdictOf(step: AuthStep, status: number, text: string | undefined, e: HttpExchange): AuthRow['verdict'] {
  const json = parseJson(text);
  const oauthError =
    json && typeof json.error === 'string'
      ? `${json.error}${typeof json.error_description === 'string' ? `: ${json.error_description}` : ''}`
      : undefined;
  switch (step) {
    case 'challenge': {
      const www = e.responseHeaders?.get('www-authenticate');
      if (e.requestHeaders.has('authorization'))
        return {
          level: 'fail',
          text: `the server rejected the token${www ? ` (WWW-Authenticate: ${www.slice(0, 200)})` : ''}`,
        };
      return www
        ? {
            level: 'info',
            text: `sign-in required (WWW-Authenticate: ${www.length > 200 ? `${www.slice(0, 200)}…` : www})`,
          }
        : { level: 'warn', text: 'sign-in required, but the 401 has no WWW-Authenticate header' };
    }
    case 'step-up':
      return { level: 'warn', text: `the token lacks a scope: ${e.responseHeaders?.get('www-authenticate') ?? ''}` };
    case 'resource-metadata':
      if (status === 200 && json && typeof json.resource === 'string')
        return {
          level: 'ok',
          text: `resource ${json.resource}; authorization servers: ${Array.isArray(json.authorization_servers) ? json.authorization_servers.join(', ') : 'none listed'}`,
        };
      return status === 404
        ? { level: 'info', text: 'no document at this path; the next well-known path is tried' }
        : { level: 'warn', text: `HTTP ${status}: not protected resource metadata` };
    case 'server-metadata':
      if (status === 200 && json && typeof json.issuer === 'string') {
        const methods = json.code_challenge_methods_supported;
        const s256 = Array.isArray(methods) ? methods.includes('S256') : undefined;
        return {
          level: s256 === false ? 'fail' : s256 === undefined ? 'warn' : 'ok',
          text: `issuer ${json.issuer}${s256 === false ? '; no S256 in code_challenge_methods_supported' : s256 === undefined ? '; code_challenge_methods_supported is missing' : '; PKCE S256 supported'}${json.registration_endpoint ? '; dynamic registration offered' : ''}${json.client_id_metadata_document_supported === true ? '; client ID metadata documents accepted' : ''}`,
        };
      }
      return status === 404
        ? { level: 'info', text: 'no document at this path; the next discovery URL is tried' }
        : { level: 'warn', text: `HTTP ${status}: not authorization server metadata` };
    case 'registration':
      return status >= 200 && status < 300
        ? {
            level: 'ok',
            text: `registered as client ${typeof json?.client_id === 'string' ? json.client_id : '(no client_id in the answer)'}`,
          }
        : { level: 'fail', text: `registration rejected (HTTP ${status})${oauthError ? `: ${oauthError}` : ''}` };
    case 'authorization':
      if (status >= 300 && status < 400) return { level: 'ok', text: 'redirected' };
      return status >= 400
        ? {
            level: 'fail',
            text: `the authorization endpoint refused (HTTP ${status})${oauthError ? `: ${oauthError}` : ''}`,
          }
        : { level: 'info', text: 'a page for the user (sign-in or consent)' };
    case 'token':
    case 'refresh':
      return status === 200
        ? {
            level: 'ok',
            text: `token issued${typeof json?.scope === 'string' ? ` (scope ${json.scope})` : ''}${typeof json?.expires_in === 'number' ? `, expires in ${json.expires_in} s` : ''}${json?.refresh_token ? ', with a refresh token' : ''}`,
          }
        : { level: 'fail', text: `token request rejected (HTTP ${status})${oauthError ? `: ${oauthError}` : ''}` };
    case 'authorized-request':
      return status === 401 || status === 403
        ? { level: 'fail', text: `the server rejected the new token (HTTP ${status})` }
        : status < 400
          ? { level: 'ok', text: 'the server accepted the token' }
          : { level: 'ok', text: `the token passed (HTTP ${status} is about the request, not the sign-in)` };
  }
}
