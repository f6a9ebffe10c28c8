import { isSecretKey, maskSecrets, REDACTED, redactString } from '../trace/redact';

/**
 * Masking for everything the sign-in shows (debugger rows, trace entries, lifecycle lines,
 * findings). OAuth adds secrets that the trace redaction does not know by name: the
 * authorization `code`, the PKCE `code_verifier`, assertions, and the `state`. Values the
 * sign-in itself handled (tokens, codes, client secrets) are also masked wherever they appear.
 */
const OAUTH_SECRET_PARAMS = new Set([
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
  'access_token',
  'refresh_token',
  'id_token',
  'password',
]);

function isOAuthSecret(key: string): boolean {
  return OAUTH_SECRET_PARAMS.has(key.toLowerCase()) || isSecretKey(key);
}

/** Headers worth showing, and how: secrets keep their scheme (`Bearer ***`). */
const SHOWN_HEADERS = [
  'authorization',
  'www-authenticate',
  'content-type',
  'accept',
  'location',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  'set-cookie',
  'cookie',
  'dpop',
];

/** The values one sign-in handled, masked wherever they appear. Longest first. */
export class KnownSecrets {
  private values: string[] = [];

  add(...values: (string | undefined)[]): void {
    let changed = false;
    for (const v of values)
      if (v && v.length >= 4 && !this.values.includes(v)) {
        this.values.push(v);
        changed = true;
      }
    if (changed) this.values.sort((a, b) => b.length - a.length);
  }

  /** Every token, code and secret seen so far (for the trace recorder and the tests). */
  list(): readonly string[] {
    return this.values;
  }

  text(s: string): string {
    return redactString(maskSecrets(s, this.values));
  }

  /** Only the values seen (a `WWW-Authenticate` challenge reads `Bearer resource_metadata=…`, which is no token). */
  literal(s: string): string {
    return maskSecrets(s, this.values);
  }
}

/** A URL with secret query parameters (`code`, `code_verifier`, tokens) replaced. */
export function maskUrl(url: string, known: KnownSecrets): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) if (isOAuthSecret(key)) u.searchParams.set(key, REDACTED);
    if (u.password) u.password = REDACTED;
    return known.text(u.toString().replace(/%2A%2A%2A/g, REDACTED));
  } catch {
    return known.text(url);
  }
}

/** The headers worth showing, secrets masked (`Bearer ***`, `Basic ***`, cookies). */
export function maskHeaders(headers: Headers, known: KnownSecrets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) {
    const v = headers.get(name);
    if (v === null) continue;
    if (name === 'authorization' || name === 'dpop') {
      const scheme = /^\S+/.exec(v)?.[0] ?? '';
      out[name] = scheme && scheme !== v ? `${scheme} ${REDACTED}` : REDACTED;
    } else if (name === 'cookie' || name === 'set-cookie') out[name] = REDACTED;
    else if (name === 'www-authenticate') out[name] = known.literal(v);
    else out[name] = known.text(v);
  }
  return out;
}

const MAX_BODY = 4000;

/**
 * A request or response body as shown: JSON and form bodies with secret members masked, other
 * text redacted and cut to a readable length.
 */
export function maskBody(body: string, contentType: string | null | undefined, known: KnownSecrets): string {
  const type = (contentType ?? '').toLowerCase();
  let out: string;
  const trimmed = body.trimStart();
  const looksLikeForm = !type && trimmed.includes('=') && !trimmed.startsWith('{') && !trimmed.startsWith('<');
  if (type.includes('application/x-www-form-urlencoded') || looksLikeForm) {
    const params = new URLSearchParams(body);
    for (const key of [...params.keys()]) if (isOAuthSecret(key)) params.set(key, REDACTED);
    out = decodeURIComponent(params.toString().replace(/\+/g, ' ')).replace(/%2A%2A%2A/g, REDACTED);
  } else {
    try {
      out = JSON.stringify(maskJson(JSON.parse(body)), null, 1);
    } catch {
      out = body;
    }
  }
  out = known.text(out);
  return out.length > MAX_BODY ? `${out.slice(0, MAX_BODY)}… (${out.length} characters)` : out;
}

function maskJson(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => maskJson(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = typeof v === 'string' && v !== '' && isOAuthSecret(k) ? REDACTED : maskJson(v, depth + 1);
    return out;
  }
  return value;
}
