/**
 * The one secret-redaction module of MCP Doctor: the terminal, the trace (view, files, exports),
 * the troubleshooting report, the CLI (text and JSON) and SARIF all go through it. Known token
 * formats and `key=value` pairs with secret-looking keys are replaced wherever they occur in a
 * string; values under secret-looking keys (Authorization, token, api key, password...) and
 * every env value are replaced as a whole.
 *
 * Every pattern here sees text from servers and workspace files, so every one is linear: token
 * patterns start only where a run of token characters starts (a lookbehind, not `\b`, so a
 * run of `-eyJ-eyJ…` offers one start, not one per prefix), nothing that can fail follows an
 * unbounded run, and the URL checks are scanners that start from each `://`.
 */

export const REDACTED = '***';

/**
 * Token formats replaced anywhere in a string. Each starts where no character of its own body
 * precedes it, so one run of token characters is tried once.
 */
const TOKEN_PATTERNS: RegExp[] = [
  /(?<![A-Za-z0-9_-])sk-(?:ant-|proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic / Stripe
  /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub
  /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{20,}/g,
  /(?<![A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack (bot, user, app, refresh...)
  /(?<![A-Za-z0-9_])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9_])/g, // AWS access key ids
  /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, // Google API keys
  /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  // JWTs: a `.` follows each unbounded run, but the runs cannot contain `.`, so a failed try
  // costs its own run once.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

/** `Bearer <token>` / `Basic <credentials>` (any case), the token replaced. */
const AUTH_SCHEME = /(?<![A-Za-z0-9_])(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{3,}/gi;

/** Cheap pre-check so most strings skip the token patterns entirely. */
const MAYBE_TOKEN = /[Bb]earer|BEARER|[Bb]asic|BASIC|sk-|gh[pousr]_|github_pat_|xox|AKIA|ASIA|AIza|glpat-|eyJ/;

/** Words that make a `key=value` / `--flag value` a secret (the key lowercased, as a substring). */
const SECRET_WORDS = ['apikey', 'api_key', 'api-key', 'token', 'secret', 'password', 'passwd', 'pwd', 'auth'];

/** True when a word (a key, a flag name, a URL parameter) names a secret. */
function secretWord(word: string): boolean {
  if (word.length > 200) return false;
  const w = word.toLowerCase();
  // Counts of LLM tokens (`max_tokens=1000`, `completion_tokens: 12`) are not credentials.
  if (w.endsWith('tokens') || /^(max|min|num|total|prompt|completion|input|output)[_-]?tokens?$/.test(w)) return false;
  return SECRET_WORDS.some((s) => w.includes(s) && !(s === 'auth' && w.includes('author')));
}

/**
 * `key=value` and `key: value` with a secret-looking key (`api_key=…`, `password: …`,
 * `--token=…`). Starts only at the start of a word; the key is checked in code, not by the
 * pattern (a pattern with the words inside `[\w]*…[\w]*` is quadratic on one long word).
 */
const KEY_VALUE = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)(\s*[=:]\s*)("?)([^\s"&,;]{4,})\3/g;
const MAYBE_KEY_VALUE = /[=:]/;

/** `--token value`, `-password 'value'`: a secret flag and the separate word after it. */
const FLAG_VALUE = /(?<=^|\s)(--?)([A-Za-z][A-Za-z-]*)(\s+)('[^']*'|"[^"]*"|[^\s'"-]\S*)/g;

/** No known secret values (the default of every `secrets` parameter). */
export const NO_SECRETS: readonly string[] = Object.freeze([]);

/**
 * Replaces known token formats, secret `key=value` pairs and flag values, URL credentials and
 * secret URL parameters inside `text`, and every occurrence of the literal `secrets` (a launch's
 * env and header secrets, prompted inputs). Linear in the length of `text`.
 */
export function redactString(text: string, secrets: readonly string[] = NO_SECRETS): string {
  if (!text) return text;
  let out = secrets.length ? maskSecrets(text, secrets) : text;
  if (MAYBE_TOKEN.test(out)) {
    out = out.replace(AUTH_SCHEME, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`);
    for (const re of TOKEN_PATTERNS) out = out.replace(re, REDACTED);
  }
  if (MAYBE_KEY_VALUE.test(out))
    out = out.replace(KEY_VALUE, (m, key: string, sep: string, q: string, value: string) =>
      secretWord(key) && value !== REDACTED && !value.startsWith('${') ? `${key}${sep}${q}${REDACTED}${q}` : m,
    );
  if (out.includes('-'))
    out = out.replace(FLAG_VALUE, (m, dash: string, name: string, space: string) =>
      secretWord(name) ? `${dash}${name}${space}${REDACTED}` : m,
    );
  if (out.includes('://')) out = redactUrls(out);
  return out;
}

/** Characters of a URL scheme (`git+https`, `postgres`). */
const isSchemeChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
/** Characters that end the user-info part of a URL. */
const isUserInfoEnd = (c: number) => c <= 32 || c === 47 || c === 64 || c === 34 || c === 39;

/**
 * `scheme://user:password@host` → `scheme://user:***@host`, and secret query parameters
 * (`?api_key=…`, `&access_token=…`) → `***`. A scanner from each `://`: the stretches it reads
 * never overlap, so a string of many `a.a.a://` costs its length once.
 */
function redactUrls(text: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    if (at === 0 || !isSchemeChar(text.charCodeAt(at - 1))) continue;
    // user:password@ right after `://`
    const start = at + 3;
    let i = start;
    let colon = -1;
    while (i < text.length && !isUserInfoEnd(text.charCodeAt(i))) {
      if (colon < 0 && text.charCodeAt(i) === 58) colon = i;
      i++;
    }
    if (text.charCodeAt(i) === 64 && colon > start && colon < i - 1) {
      out += `${text.slice(from, colon + 1)}${REDACTED}`;
      from = i;
    }
  }
  out += text.slice(from);
  return out.includes('=') ? out.replace(URL_PARAM, redactParam) : out;
}

/** One URL query parameter; its name is checked in code (see `KEY_VALUE`). */
const URL_PARAM = /([?&])([A-Za-z0-9_.-]+)=([^&\s#"'<>]+)/g;
const URL_SECRET_PARAM_WORDS = [...SECRET_WORDS, 'signature', 'sig', 'key'];

function redactParam(m: string, sep: string, name: string): string {
  const n = name.toLowerCase();
  return URL_SECRET_PARAM_WORDS.some((w) => n.includes(w)) ? `${sep}${name}=${REDACTED}` : m;
}

/** Secret keys (compared lowercased, without `-`/`_`): whole names, or names ending in one of the words. */
const SECRET_KEY_NAMES = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'apikey',
  'apitoken',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'secret',
  'clientsecret',
  'password',
  'passwd',
  'pwd',
  'privatekey',
  'auth',
  'credential',
  'credentials',
]);
const SECRET_KEY_ENDINGS = ['token', 'secret', 'password', 'apikey'];

/** True when a property name usually holds a secret (`Authorization`, `x-api-key`, `GITHUB_TOKEN`...). */
export function isSecretKey(key: string): boolean {
  if (key.length > 200) return false;
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEY_NAMES.has(k) || SECRET_KEY_ENDINGS.some((e) => k.endsWith(e));
}

/**
 * The arguments of a tool call that may be kept for the next form: not the members under
 * secret-looking names, not those the tool's schema marks as secret (`format: "password"`,
 * `writeOnly`), and not any value that carries a secret (a token format, a secret member inside).
 */
export function rememberableArgs(args: Record<string, unknown>, inputSchema?: unknown): Record<string, unknown> {
  const props = (inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const secretBySchema = (k: string): boolean => {
    const p = Object.hasOwn(props, k) ? (props[k] as { format?: unknown; writeOnly?: unknown } | null) : undefined;
    return !!p && typeof p === 'object' && (p.format === 'password' || p.writeOnly === true);
  };
  const carriesSecret = (v: unknown): boolean => JSON.stringify(redactValue(v)) !== JSON.stringify(v);
  return Object.fromEntries(
    Object.entries(args).filter(([k, v]) => !isSecretKey(k) && !secretBySchema(k) && !carriesSecret(v)),
  );
}

/** True when an environment variable's value is probably a secret (`GITHUB_TOKEN`, `OPENAI_API_KEY`, `DB_PASSWORD`...). */
export function isSecretEnvName(name: string): boolean {
  return isSecretKey(name) || /token|secret|password|api_?key|auth/i.test(name.slice(0, 200));
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
    const r =
      marker && k === 'preview'
        ? redactJsonText(v as string, secrets)
        : typeof v === 'string' && v !== '' && isSecretKey(k)
          ? REDACTED
          : redactValue(v, secrets, depth + 1);
    // `out.__proto__ = r` would set the prototype and drop the member from the copy.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
    else out[k] = r;
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
  /Bearer|Basic|sk-|gh[pousr]_|github_pat_|xox|AKIA|ASIA|AIza|glpat-|eyJ|:\/\/|[Aa]uth|AUTH|[Cc]ookie|COOKIE|[Tt]oken|TOKEN|[Ss]ecret|SECRET|[Pp]assw|PASSW|[Pp]wd|PWD|[Aa]pi[_-]?[Kk]ey|API[_-]?KEY|[Cc]redential|CREDENTIAL|[Pp]rivate[_-]?[Kk]ey|PRIVATE[_-]?KEY/;

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

/** Flags whose next argument is a secret (`--token xyz`, `--api-key=xyz`); the words are checked in code. */
const SECRET_FLAG = { test: (flag: string): boolean => /^--?[a-z-]+$/i.test(flag) && secretWord(flag) };

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

/**
 * The command line of a launch as the trace and terminal show it (`$ cmd arg …`): secret flag
 * values (`--password=…`, `--token …`) and token shapes in any argument become `***`, words
 * are quoted the way a POSIX shell would need them. For the session's lifecycle line, which is
 * recorded, persisted and exported.
 */
export function redactedCommandLine(command: string, args: readonly string[]): string {
  return [redactString(command), ...redactArgs(args)].map(shellWord).join(' ');
}

function shellWord(word: string): string {
  if (word === '') return "''";
  if (/^[\w@%+=:,./${}*-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
