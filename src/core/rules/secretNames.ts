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
