/**
 * Secret redaction for everything the trace displays or exports. Known token formats are
 * replaced wherever they occur in a string; values under secret-looking keys (Authorization,
 * token, api key, password...) and every env value are replaced as a whole.
 */

export const REDACTED = '***';

/** Token formats replaced anywhere in a string (keep in sync with the docs). */
const TOKEN_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]{4,}/g,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/g,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[bpoas]-[A-Za-z0-9-]{10,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g,
];

/** Cheap pre-check so most strings skip the regexes entirely. */
const MAYBE_TOKEN = /Bearer|Basic|sk-|gh[pousr]_|github_pat_|xox|AKIA|ASIA|AIza|glpat-/;

/** Keys whose values are secrets whatever they look like (compared lowercased, without `-`/`_`). */
const SECRET_KEY =
  /^(authorization|proxyauthorization|cookie|setcookie|xapikey|apikey|apitoken|token|accesstoken|refreshtoken|idtoken|secret|clientsecret|password|passwd|pwd|privatekey|auth|credentials?)$|(token|secret|password|apikey)$/;

/** `scheme://user:password@` in URLs. */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:/@"']+):([^\s/@"']+)@/gi;
/** Secret query parameters: `?api_key=…`, `&access_token=…`, `?token=…`. */
const URL_SECRET_PARAM =
  /([?&](?:[a-z0-9_-]*(?:api[_-]?key|token|secret|password|passwd|signature|sig|auth)[a-z0-9_-]*)=)[^&\s#"'<>]+/gi;

/** No known secret values (the default of every `secrets` parameter). */
export const NO_SECRETS: readonly string[] = Object.freeze([]);

/**
 * Replaces known token formats, URL credentials and secret URL parameters inside `text`, and
 * every occurrence of the literal `secrets` (a launch's env and header secrets, prompted inputs).
 */
export function redactString(text: string, secrets: readonly string[] = NO_SECRETS): string {
  let out = secrets.length ? maskSecrets(text, secrets) : text;
  if (MAYBE_TOKEN.test(out)) {
    for (const re of TOKEN_PATTERNS) {
      out = out.replace(re, (m) =>
        m.startsWith('Bearer') ? 'Bearer ***' : m.startsWith('Basic') ? 'Basic ***' : REDACTED,
      );
    }
  }
  if (out.includes('://')) {
    out = out.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
    out = out.replace(URL_SECRET_PARAM, (_m, key: string) => `${key}${REDACTED}`);
  }
  return out;
}

/** True when a property name usually holds a secret (`Authorization`, `x-api-key`, `GITHUB_TOKEN`...). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

/** True when an environment variable's value is probably a secret (`GITHUB_TOKEN`, `OPENAI_API_KEY`, `DB_PASSWORD`...). */
export function isSecretEnvName(name: string): boolean {
  return isSecretKey(name) || /token|secret|password|api_?key|auth/i.test(name);
}

/** `"key": "value"` pairs in JSON text; the value may be cut off at the end of the text. */
const JSON_STRING_MEMBER = /"((?:[^"\\]|\\.){1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)("?)/g;

/**
 * Redacts JSON *text* (such as the preview of a truncated payload): string values of
 * secret-looking keys become `***`, token formats anywhere are replaced.
 */
export function redactJsonText(text: string, secrets: readonly string[] = NO_SECRETS): string {
  const out = text.replace(JSON_STRING_MEMBER, (m, key: string, sep: string, _v: string, close: string) =>
    isSecretKey(key) ? `"${key}"${sep}"${REDACTED}${close}` : m,
  );
  return redactString(secrets.length ? maskJsonSecrets(out, secrets) : out);
}

/** `text` with every occurrence of each secret value replaced by `***` (pass longest first). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * `text` (JSON) with each secret replaced by `***` where it appears in its JSON-escaped form.
 * A match that starts right after an odd run of backslashes is part of an escape sequence
 * (`\n` + "ab…") and is left alone, so the result is always valid JSON.
 */
export function maskJsonSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    const s = JSON.stringify(secret).slice(1, -1);
    if (!s || !out.includes(s)) continue;
    let res = '';
    let from = 0;
    for (let i = out.indexOf(s); i >= 0; i = out.indexOf(s, from)) {
      let backslashes = 0;
      for (let j = i - 1; j >= 0 && out.charCodeAt(j) === 92; j--) backslashes++;
      if (backslashes % 2 === 1) {
        res += out.slice(from, i + 1);
        from = i + 1;
        continue;
      }
      res += out.slice(from, i) + REDACTED;
      from = i + s.length;
    }
    out = res + out.slice(from);
  }
  return out;
}

/** True for the `{ $truncated: true, preview }` marker that stands in for an oversized payload. */
function isTruncatedMarker(o: Record<string, unknown>): boolean {
  return o.$truncated === true && typeof o.preview === 'string';
}

/**
 * A deep copy of `value` with secrets replaced. Strings are scanned for token formats; values
 * of secret-looking keys become `***`. Depth and size are bounded so a hostile payload
 * cannot blow the stack.
 */
export function redactValue(value: unknown, secrets: readonly string[] = NO_SECRETS, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 64) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  const marker = isTruncatedMarker(value as Record<string, unknown>);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (marker && k === 'preview') out[k] = redactJsonText(v as string, secrets);
    else out[k] = typeof v === 'string' && v !== '' && isSecretKey(k) ? REDACTED : redactValue(v, secrets, depth + 1);
  }
  return out;
}

/**
 * One scan for anything that may be a secret in JSON text: token prefixes, URLs (credentials,
 * secret parameters) and words of secret-looking member names. False positives only cost a
 * full redaction of that line. Case variants are spelled out: a case-insensitive regex is
 * twice as slow here.
 */
const MAYBE_SECRET_IN_JSON =
  /Bearer|Basic|sk-|gh[pousr]_|github_pat_|xox|AKIA|ASIA|AIza|glpat-|:\/\/|[Aa]uth|AUTH|[Cc]ookie|COOKIE|[Tt]oken|TOKEN|[Ss]ecret|SECRET|[Pp]assw|PASSW|[Pp]wd|PWD|[Aa]pi[_-]?[Kk]ey|API[_-]?KEY|[Cc]redential|CREDENTIAL|[Pp]rivate[_-]?[Kk]ey|PRIVATE[_-]?KEY/;

/** How each secret appears inside JSON text (escaped), for `redactJsonLine`. */
export function jsonEscapedForms(secrets: readonly string[]): string[] {
  return secrets.map((s) => JSON.stringify(s).slice(1, -1));
}

/**
 * One line of JSON text as it may be written to disk: when it could hold a secret (a token
 * format, a URL, a secret-looking member name, one of `secrets`), it is parsed, redacted like
 * everything the view shows (`redactValue`) and serialized again; otherwise it is returned as is.
 * Typical traffic passes the pre-checks untouched, so persisting stays cheap.
 */
export function redactJsonLine(
  text: string,
  secrets: readonly string[] = NO_SECRETS,
  escaped: readonly string[] = jsonEscapedForms(secrets),
): string {
  if (!MAYBE_SECRET_IN_JSON.test(text) && !escaped.some((s) => text.includes(s))) return text;
  try {
    return JSON.stringify(redactValue(JSON.parse(text), secrets));
  } catch {
    return maskJsonSecrets(text, secrets);
  }
}

/** Flags whose next argument is a secret (`--token xyz`, `--api-key=xyz`). */
const SECRET_FLAG = /^--?(?:[a-z-]*(?:token|secret|password|api-?key|auth)[a-z-]*)$/i;

/** Command-line arguments with secret flag values and known tokens replaced. */
export function redactArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0 && SECRET_FLAG.test(a.slice(0, eq))) {
      out.push(`${a.slice(0, eq)}=${REDACTED}`);
    } else if (SECRET_FLAG.test(a) && i + 1 < args.length) {
      out.push(a, REDACTED);
      i++;
    } else {
      out.push(redactString(a));
    }
  }
  return out;
}

/**
 * A server config (any object with the `ServerConfig` field names) safe to store: every env
 * value, secret headers, secret args and tokens anywhere are replaced. `raw` is redacted the
 * same way.
 */
export function redactConfig<T>(config: T): T {
  if (!config || typeof config !== 'object') return config;
  const c = redactValue(config) as Record<string, unknown>;
  const src = config as Record<string, unknown>;
  if (src.env && typeof src.env === 'object') {
    c.env = Object.fromEntries(Object.keys(src.env as object).map((k) => [k, REDACTED]));
  }
  if (Array.isArray(src.args)) c.args = redactArgs(src.args.map(String));
  if (src.headers && typeof src.headers === 'object') {
    c.headers = Object.fromEntries(
      Object.entries(src.headers as Record<string, unknown>).map(([k, v]) => [
        k,
        isSecretKey(k) || /auth|token|key|secret|cookie/i.test(k) ? REDACTED : redactValue(v),
      ]),
    );
  }
  const raw = src.raw as Record<string, unknown> | undefined;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) c.raw = redactConfig(raw);
  return c as T;
}
