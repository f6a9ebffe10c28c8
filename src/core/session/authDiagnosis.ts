/**
 * Findings about signing in to an OAuth-protected server (MCP801–MCP849): pure functions from
 * what the sign-in saw (the debugger's rows, the error, the authorization answer) to coded
 * findings with their fix. Table-tested in `test/unit/session/authDiagnosis.test.ts`.
 */
import type { AuthRow } from '../auth/authLog';
import type { KnownSecrets } from '../auth/mask';
import type { AuthSettings } from '../auth/settings';
import type { AuthorizationResponse } from '../auth/userAgent';
import { runtimeFinding, truncate, type Keyed, type Subject } from './diagnosis';
import { authErrorKind, errorText, httpStatusOf } from './sdk';

/** Why a sign-in stopped. */
export type SignInFailure =
  | { kind: 'error'; error: unknown }
  | { kind: 'authorization'; answer: Exclude<AuthorizationResponse, { code: string }>; redirect: string }
  | { kind: 'round-limit'; rounds: number; error: unknown };

export interface SignInEvidence {
  serverUrl: string;
  rows: readonly AuthRow[];
  failure?: SignInFailure;
  settings: AuthSettings;
  /** The access token the server was last given (only its `aud` claim is read). */
  accessToken?: string;
  known: KnownSecrets;
  /** The issuer mismatch that was accepted because the server uses 2025-03-26 discovery. */
  issuerWaived?: string;
}

function finding(
  subject: Subject,
  code: string,
  severity: 'error' | 'warning',
  message: string,
  data?: Record<string, unknown>,
): Keyed {
  return [code, runtimeFinding(subject, code, severity, message, undefined, data)];
}

const has = (rows: readonly AuthRow[], step: AuthRow['step'], level?: AuthRow['verdict']['level']) =>
  rows.some((r) => r.step === step && (level === undefined || r.verdict.level === level));

/** The `resource` the protected resource metadata named, when a document was found. */
function metadataResource(rows: readonly AuthRow[]): string | undefined {
  for (const r of rows)
    if (r.step === 'resource-metadata' && r.verdict.level === 'ok' && r.response?.body)
      try {
        const o = JSON.parse(r.response.body) as { resource?: unknown };
        if (typeof o.resource === 'string') return o.resource;
      } catch {
        // masked or cut: no resource
      }
  return undefined;
}

/** The `aud` claim of a JWT access token (not verified: only to explain a rejection). */
export function tokenAudience(token: string | undefined): string[] | undefined {
  if (!token) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { aud?: unknown };
    if (typeof payload.aud === 'string') return [payload.aud];
    if (Array.isArray(payload.aud)) return payload.aud.filter((a): a is string => typeof a === 'string');
  } catch {
    // opaque token
  }
  return undefined;
}

/** Same resource, ignoring a trailing slash. */
function sameResource(a: string, b: string): boolean {
  const n = (s: string) => {
    let end = s.length;
    while (end > 0 && s.charCodeAt(end - 1) === 47) end--;
    return s.slice(0, end);
  };
  return n(a) === n(b);
}

/** Findings for a sign-in: why it failed, or warnings about a sign-in that worked only by a fallback. */
export function diagnoseSignIn(subject: Subject, e: SignInEvidence): Keyed[] {
  const out: Keyed[] = [];
  const { rows, serverUrl } = e;
  const noPrm = has(rows, 'resource-metadata') && !has(rows, 'resource-metadata', 'ok');
  const noAsMetadata = has(rows, 'server-metadata') && !has(rows, 'server-metadata', 'ok');
  const prmAdvice =
    'Serve protected resource metadata (RFC 9728) at `/.well-known/oauth-protected-resource` (plus the MCP path, e.g. `/.well-known/oauth-protected-resource/mcp`) and name it in the 401: `WWW-Authenticate: Bearer resource_metadata="<url>"`. In the Python SDK pass `auth=AuthSettings(issuer_url=…, resource_server_url=…)`; in the TypeScript SDK mount `mcpAuthMetadataRouter`.';
  const missingS256 = rows.find(
    (r) =>
      r.step === 'server-metadata' &&
      r.verdict.level === 'warn' &&
      /code_challenge_methods_supported is missing/.test(r.verdict.text),
  );

  if (!e.failure) {
    if (noPrm && has(rows, 'token', 'ok'))
      out.push(
        finding(
          subject,
          'MCP802',
          'warning',
          `${serverUrl} has no protected resource metadata: the 401 names no \`resource_metadata\` and no well-known document answers. MCP Doctor signed in through the 2025-03-26 fallback (authorization server metadata at the server's origin); clients that follow the current spec (2025-06-18 and later) cannot. ${prmAdvice}`,
          { url: serverUrl },
        ),
      );
    if (e.issuerWaived)
      out.push(
        finding(
          subject,
          'MCP814',
          'warning',
          `The authorization server's metadata names another issuer than where it was found (${truncate(e.known.text(e.issuerWaived), 200)}). MCP Doctor accepted it because this server uses 2025-03-26 discovery (no protected resource metadata); under the current spec a client rejects it (RFC 8414 §3.3). Make \`issuer\` the authorization server's URL.`,
        ),
      );
    if (missingS256)
      out.push(
        finding(
          subject,
          'MCP804',
          'warning',
          `The authorization server's metadata (${missingS256.request.url}) has no \`code_challenge_methods_supported\`. The MCP spec requires clients to refuse a server that does not advertise PKCE S256; MCP Doctor went on, stricter clients stop here. Add \`"code_challenge_methods_supported": ["S256"]\`.`,
          { metadata: missingS256.request.url },
        ),
      );
    return out;
  }

  const f = e.failure;
  if (f.kind === 'authorization') {
    const a = f.answer;
    const text = `${a.error}${a.errorDescription ? `: ${a.errorDescription}` : ''}`;
    const body = a.body ? e.known.text(a.body) : '';
    if (/redirect[_ ]?ur[il]/i.test(`${a.error} ${a.errorDescription ?? ''} ${body}`))
      return [
        finding(
          subject,
          'MCP807',
          'error',
          `The authorization server refused the redirect URI ${f.redirect}${a.status ? ` (HTTP ${a.status})` : ''}: ${truncate(e.known.text(a.errorDescription ?? body ?? a.error), 300)}. ${e.settings.clientId ? `The client \`${e.settings.clientId}\` from the config is registered with other redirect URIs: add ${f.redirect} to it at the authorization server${e.settings.callbackPort ? '' : ', or set `oauth.callbackPort` to the port it allows'}.` : 'Allow loopback redirect URIs (`http://127.0.0.1:<any port>/callback`, RFC 8252) for registered clients.'}`,
          { redirectUri: f.redirect, error: a.error },
        ),
      ];
    if (a.error === 'interaction_required' || a.error === 'timeout')
      return [
        finding(
          subject,
          'MCP801',
          'error',
          `${serverUrl} requires sign-in, and ${a.error === 'timeout' ? `it was not finished (${a.errorDescription})` : 'its authorization server wants a person to sign in (it showed a page instead of redirecting back)'}. Start the server from the MCP Doctor view in VS Code and sign in in the browser, or run \`mcp-doctor check\` in a terminal and open the URL it prints. For machine-to-machine access set \`oauth.grantType: "client_credentials"\` with a client id and secret.`,
          { url: serverUrl, error: a.error },
        ),
      ];
    return [
      finding(
        subject,
        'MCP813',
        'error',
        `The authorization server answered the sign-in with an error: ${truncate(e.known.text(text), 300)}${body && !a.errorDescription ? ` (${truncate(body, 200)})` : ''}. ${a.error === 'access_denied' ? 'The sign-in was declined: sign in again and approve the access.' : a.error === 'invalid_scope' ? 'A requested scope is unknown to the authorization server: check `scopes_supported` in its metadata and the `scope` in the 401 challenge.' : 'See the sign-in steps in the MCP Doctor Auth view.'}`,
        { error: a.error },
      ),
    ];
  }

  const err = f.error;
  const msg = e.known.text(errorText(err));
  const kind = authErrorKind(err);
  const status = httpStatusOf(err);
  const stepUps = rows.filter((r) => r.step === 'step-up');
  const rejected = rows.filter((r) => r.step === 'challenge' && r.request.headers.authorization !== undefined);

  const challenge = rows.find((r) => r.step === 'challenge');
  const www = challenge?.response?.headers['www-authenticate'];
  if (challenge && !/^\s*(Bearer|DPoP)\b/i.test(www ?? '') && noPrm && noAsMetadata && !has(rows, 'token'))
    // A 401 without an OAuth challenge, and no OAuth metadata anywhere: an API key or a static token.
    return [
      finding(
        subject,
        'MCP801',
        'error',
        `${serverUrl} answers 401 without an OAuth challenge (${www ? `WWW-Authenticate: ${truncate(www, 120)}` : 'no WWW-Authenticate header'}) and publishes no OAuth metadata: it expects a credential MCP Doctor cannot sign in for, usually an API key or a token. Put it in \`headers\` (e.g. \`"Authorization": "Bearer \${input:token}"\` or the header its documentation names).`,
        { url: serverUrl, status: 401 },
      ),
    ];
  if (kind.kind === 'registration-rejected') {
    if (kind.status === 404 && noAsMetadata)
      return [
        asMetadataMissing(subject, serverUrl, rows),
        ...(noPrm ? [prmMissing(subject, serverUrl, prmAdvice, true)] : []),
      ];
    return [
      finding(
        subject,
        'MCP805',
        'error',
        `The authorization server rejected dynamic client registration (HTTP ${kind.status}): ${truncate(e.known.text(kind.body) || '(empty body)', 400)}. ${/redirect/i.test(kind.body) ? 'It does not accept the loopback redirect URI MCP Doctor registers: allow `http://127.0.0.1` redirect URIs (RFC 8252). ' : ''}Fix the registration policy, or register a client by hand and put its id in the config (\`oauth.clientId\`).`,
        { status: kind.status },
      ),
    ];
  }
  if (/Protected resource .* does not match/.test(msg)) {
    const resource = /Protected resource (\S+)/.exec(msg)?.[1];
    return [
      finding(
        subject,
        'MCP803',
        'error',
        `The protected resource metadata names the resource ${resource ?? '(another URL)'}, not ${serverUrl}. A client must not send a token meant for ${serverUrl} elsewhere, so it stops here. Set \`resource\` in the metadata to the server's URL (${serverUrl}), or connect to the URL the metadata names.`,
        { resource, url: serverUrl },
      ),
    ];
  }
  if (/does not support code challenge method/.test(msg))
    return [
      finding(
        subject,
        'MCP804',
        'error',
        `The authorization server does not list S256 in \`code_challenge_methods_supported\`. MCP clients must use PKCE with S256, so no client can sign in. Enable PKCE S256 on the authorization server and advertise it: \`"code_challenge_methods_supported": ["S256"]\`.`,
      ),
    ];
  if (/does not support dynamic client registration/.test(msg))
    return [
      finding(
        subject,
        'MCP806',
        'error',
        `MCP Doctor has no way to identify itself to the authorization server: it offers no \`registration_endpoint\` (RFC 7591), does not accept Client ID Metadata Documents, and the config names no client id. Register a client at the authorization server and put it in the config (\`"oauth": { "clientId": "…" }\`), or enable dynamic registration.`,
      ),
    ];
  if (kind.kind === 'issuer-mismatch' || /AuthorizationServerMismatch|issuer/i.test(`${(err as Error)?.name} ${msg}`))
    if (/issuer/i.test(msg))
      return [
        finding(
          subject,
          'MCP814',
          'error',
          `The authorization server's metadata names another issuer than the URL it was fetched for: ${truncate(msg, 300)}. RFC 8414 requires \`issuer\` to be exactly the authorization server URL listed in the protected resource metadata: make them the same.`,
        ),
      ];
  if (f.kind === 'round-limit' || /insufficient_scope/.test(msg) || kind.kind === 'insufficient-scope') {
    if (stepUps.length) {
      const last = stepUps[stepUps.length - 1];
      const scope = /scope="([^"]*)"/.exec(last.response?.headers['www-authenticate'] ?? '')?.[1];
      return [
        finding(
          subject,
          'MCP809',
          'error',
          `The server keeps answering 403 insufficient_scope${scope ? ` (it wants \`${scope}\`)` : ''} after ${f.kind === 'round-limit' ? f.rounds : 'repeated'} sign-ins: the authorization server never grants that scope. MCP Doctor stopped there (clients must limit step-up retries). Let the authorization server grant ${scope ? `\`${scope}\`` : 'the scope'} to this client (check \`scopes_supported\` and the client's allowed scopes), or stop requiring it.`,
          { scope, rounds: f.kind === 'round-limit' ? f.rounds : undefined },
        ),
      ];
    }
  }
  if (
    rejected.length ||
    /401 after re-authentication/.test(msg) ||
    (f.kind === 'round-limit' && status === undefined)
  ) {
    const aud = tokenAudience(e.accessToken);
    const expected = metadataResource(rows) ?? serverUrl;
    if (aud && !aud.some((a) => sameResource(a, expected) || sameResource(a, serverUrl)))
      return [
        finding(
          subject,
          'MCP808',
          'error',
          `The server rejects the token MCP Doctor just got: it was issued for the audience ${aud.join(', ')}, not for this server (${expected}). MCP Doctor sent \`resource=${expected}\` (RFC 8707); the authorization server ignored it. Make it issue tokens for the requested resource, or make the server accept its own URL as audience.`,
          { audience: aud, resource: expected },
        ),
      ];
    const again = rejected[rejected.length - 1]?.response?.headers['www-authenticate'];
    return [
      finding(
        subject,
        'MCP810',
        'error',
        `The server answered 401 to a token it had just been given${again ? ` (WWW-Authenticate: ${truncate(again, 200)})` : ''}. The server does not accept what its authorization server issues: check that it validates tokens against the same issuer, audience (its own URL) and signing keys.`,
        { www: again },
      ),
    ];
  }
  if (kind.kind === 'oauth' || has(rows, 'token', 'fail')) {
    const row = [...rows]
      .reverse()
      .find((r) => (r.step === 'token' || r.step === 'refresh') && r.verdict.level === 'fail');
    return [
      finding(
        subject,
        'MCP812',
        'error',
        `The token endpoint rejected the request${row?.response ? ` (HTTP ${row.response.status})` : ''}: ${truncate(row?.verdict.text ?? msg, 300)}. ${/invalid_client|unauthorized_client/.test(msg + (row?.verdict.text ?? '')) ? 'The client credentials are wrong or use another authentication method: check the client id and secret in the config and `token_endpoint_auth_methods_supported`.' : 'See the request and answer in the MCP Doctor Auth view.'}`,
      ),
    ];
  }
  if (noAsMetadata && !has(rows, 'token'))
    return [
      asMetadataMissing(subject, serverUrl, rows),
      ...(noPrm ? [prmMissing(subject, serverUrl, prmAdvice, true)] : []),
    ];
  if (noPrm) return [prmMissing(subject, serverUrl, prmAdvice, true)];
  return [
    finding(
      subject,
      'MCP801',
      'error',
      `${serverUrl} requires sign-in (HTTP 401), and it did not succeed: ${truncate(msg, 300)}. See the sign-in steps in the MCP Doctor Auth view.`,
      { url: serverUrl },
    ),
  ];
}

function prmMissing(subject: Subject, url: string, advice: string, failed: boolean): Keyed {
  return finding(
    subject,
    'MCP802',
    failed ? 'error' : 'warning',
    `${url} answers 401 but has no protected resource metadata: the challenge names no \`resource_metadata\` and no well-known document answers, so a client cannot find its authorization server. ${advice}`,
    { url },
  );
}

function asMetadataMissing(subject: Subject, url: string, rows: readonly AuthRow[]): Keyed {
  const tried = rows
    .filter((r) => r.step === 'server-metadata')
    .map((r) => `${r.request.url} (${r.response?.status ?? r.error})`);
  return finding(
    subject,
    'MCP811',
    'error',
    `No authorization server metadata was found for ${url}: ${tried.length ? `tried ${tried.join(', ')}` : 'no discovery URL answered'}. Serve RFC 8414 metadata at \`/.well-known/oauth-authorization-server\` (or OpenID \`/.well-known/openid-configuration\`) of the authorization server, with the path inserted for an issuer that has one.`,
    { tried },
  );
}

/** A server that answered 401 while MCP Doctor had no way to sign in (no sign-in set up). */
export function signInRequired(
  subject: Subject,
  url: string,
  www: string | undefined,
  message: string,
  staticToken: boolean,
): Keyed {
  const what = staticToken
    ? 'It rejects the `Authorization` header from the config: renew the token, or remove the header to let MCP Doctor sign in with OAuth (start the server from the MCP Doctor view in VS Code, or run `mcp-doctor check` in a terminal).'
    : 'Start it from the MCP Doctor view in VS Code to sign in in the browser, or run `mcp-doctor check` in a terminal; for a static token, add `"Authorization": "Bearer ${input:token}"` to `headers`.';
  return finding(
    subject,
    'MCP801',
    'error',
    `${url} requires sign-in (HTTP 401${www ? `, WWW-Authenticate: ${truncate(www, 200)}` : ''}): ${truncate(message, 200)}. ${what}`,
    { url, status: 401 },
  );
}
