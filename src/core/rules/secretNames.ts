/** Names that hold credentials, for the rules of both languages (MCP504's credential sources). */

const TOKEN_NOT_SECRET = new Set([
  'max',
  'min',
  'num',
  'count',
  'limit',
  'total',
  'page',
  'next',
  'prev',
  'continuation',
  'cursor',
  'sync',
  'input',
  'output',
  'prompt',
  'completion',
  'csrf',
]);

/** Whether a name holds a credential: `api_key`, `GENIUS_TOKEN`, `dbPassword`, `DATABASE_URL`... */
export function isSecretName(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const has = (...p: string[]) => p.some((x) => parts.includes(x));
  const pair = (a: string, b: string) => parts.some((x, i) => x === a && parts[i + 1] === b);
  if (has('token') && !has(...TOKEN_NOT_SECRET)) return true;
  return (
    has('secret', 'password', 'passwd', 'pwd', 'apikey', 'credential', 'credentials', 'dsn', 'bearer') ||
    pair('api', 'key') ||
    pair('access', 'key') ||
    pair('private', 'key') ||
    pair('secret', 'key') ||
    pair('connection', 'string') ||
    pair('conn', 'str') ||
    pair('database', 'url') ||
    pair('db', 'url') ||
    pair('auth', 'token')
  );
}

/** Secret names that hold a connection string (its host, user and password end up in driver errors). */
export function isConnectionName(name: string): boolean {
  return /dsn|(database|db|redis|mongo|postgres|mysql)_?ur[il]|conn(ection)?_?str/i.test(name);
}

/** Query parameters that carry a key: `api_key`, `token`, `key`, `appid`, `sig`. */
export function isQueryKeyName(name: string): boolean {
  return (
    isSecretName(name) || ['key', 'appid', 'app_id', 'app_key', 'sig', 'signature', 'auth'].includes(name.toLowerCase())
  );
}

/** How {@link credentialInUrl} describes a URL with `user:pass@`. */
export const CONNECTION_STRING = 'a connection string';

/**
 * A URL literal that carries a credential in itself: `user:pass@` (a connection string) or a key
 * in its query (`?api_key=`, `&key=`). HTTP clients that name the URL in their errors (requests,
 * httpx status errors, node-fetch 2 and 3) and database drivers that echo their DSN put it in the text.
 */
export function credentialInUrl(text: string): string | undefined {
  if (/^[a-z]*["'`]{1,3}[a-z][a-z0-9+.-]*:\/\/[^\s/@"'`:]+:[^\s/@"'`]+@/i.test(text)) return CONNECTION_STRING;
  for (const m of text.matchAll(/[?&]([A-Za-z_][\w-]{0,40})=/g))
    if (isQueryKeyName(m[1]!)) return `a URL with \`${m[1]}\` in its query`;
  return undefined;
}
