/**
 * MCP504's verdict for Python: whether the text of an exception caught around some code is a
 * leak. It depends on two things only — what the `try` can reach, and whether that source's error
 * text can carry the secret or the connection details — and who receives the error (a local stdio
 * client the user spawned, or a remotely reachable transport). A database driver, a connection
 * string, a key in a URL's query (requests and httpx print the URL) and a secrets file leak to
 * every receiver; an API client built with a key or token, or a secret from the environment that
 * travels in a header, only to a receiver not proven local. Whether the error is flagged `isError`
 * is MCP705's question, not this one.
 *
 * `exceptionLeakVerdict(py, clause, leaked)` is the one entry point: tool handlers and low-level
 * `call_tool` dispatchers both call it with the `except` clause and the returned/raised value.
 */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import { lifespanNames } from '../flow';
import type { FunctionFact } from '../functions';
import { exceptNames } from './util';
import { credentialInUrl, isConnectionName, isQueryKeyName, isSecretName } from '../../secretNames';

/** Who receives a tool's error text. */
type ErrorReceiver = 'local' | 'remote' | 'unknown';

export interface LeakVerdict {
  /** What the `try` reaches that holds a credential, for the message (`psycopg2.connect(...)`). */
  source?: string;
  /**
   * Whether the source's error text can carry the secret or the connection details (a database or
   * cache driver, a connection string, a key in a URL's query, a secrets file); false for a key
   * sent in a header or held by an API SDK client, which leaks only to a receiver that is not local.
   */
  carries?: boolean;
  receiver: ErrorReceiver;
  /** The leaked value is a traceback (file paths and code of the server). */
  traceback: boolean;
}

/**
 * Modules whose clients talk to a database server or cache: their errors name hosts, users, tables
 * and statements. Not the embedded file databases (sqlite3, aiosqlite, duckdb): their errors
 * ("database is locked", "no such column") name no host, user or credential.
 */
const DATA_STORE_MODULES = [
  'psycopg',
  'psycopg2',
  'asyncpg',
  'pymysql',
  'aiomysql',
  'MySQLdb',
  'mysql.connector',
  'pymongo',
  'motor',
  'redis',
  'sqlalchemy',
  'clickhouse_connect',
  'clickhouse_driver',
  'snowflake.connector',
  'pyodbc',
  'oracledb',
  'cx_Oracle',
  'elasticsearch',
  'neo4j',
  'cassandra',
  'supabase',
];

/** SDKs whose clients authenticate by construction (keys from arguments or the environment). */
const AUTHENTICATED_SDKS = [
  'boto3',
  'botocore',
  'aioboto3',
  'google.cloud',
  'googleapiclient',
  'azure',
  'firebase_admin',
  'openai',
  'anthropic',
  'stripe',
  'slack_sdk',
  'github',
  'msal',
  'tweepy',
];

const SECRET_FILE =
  /(^|[\\/])\.env(\.\w+)?$|(^|[\\/_-])(credentials?|secrets?|tokens?|auth)\.(json|ya?ml|toml|ini|txt)$|\.(pem|key|p12|pfx)$|service[-_]?account[^\\/]*\.json$/i;

const under = (q: string | undefined, mods: string[]): string | undefined =>
  q ? mods.find((m) => q === m || q.startsWith(`${m}.`)) : undefined;

/**
 * Whether a binding in the same function can hold the value a read sees: it comes first in the
 * text, or both sit in one loop (the next round reads what this one bound).
 */
function boundBeforeUse(value: PyNode, use: PyNode): boolean {
  if (value.start < use.start) return true;
  for (let p = use.parent; p && p.type !== 'function_definition'; p = p.parent)
    if ((p.type === 'for_statement' || p.type === 'while_statement') && p.start <= value.start && value.end <= p.end)
      return true;
  return false;
}

/** Builds and caches, per file, the evidence of credential-bearing sources. */
class SourceFinder {
  private readonly byName = new Map<string, FunctionFact[]>();
  /** Assignments by target text (`conn`, `self.client`), with the function they sit in. */
  private readonly assigned = new Map<string, { value: PyNode; fn: FunctionFact | undefined }[]>();
  private readonly fnCache = new Map<FunctionFact, string | null>();
  private readonly carryingCache = new Map<FunctionFact, string | null>();
  private readonly lifespanSource = new Map<boolean, string | null>();

  constructor(private readonly py: PyFile) {
    for (const f of py.functions) {
      const list = this.byName.get(f.name) ?? [];
      list.push(f);
      this.byName.set(f.name, list);
    }
    walk(py.root, (n) => {
      if (n.type === 'assignment' || n.type === 'augmented_assignment') {
        const left = field(n, 'left');
        const right = field(n, 'right');
        if (left && right) this.bind(left, right);
      } else if (n.type === 'as_pattern' && n.parent?.type === 'with_item') {
        const value = named(n)[0];
        const alias = field(n, 'alias');
        const target = alias ? (named(alias)[0] ?? alias) : undefined;
        if (value && target) this.bind(target, value);
      }
      return true;
    });
  }

  private bind(target: PyNode, value: PyNode): void {
    const targets = target.type === 'pattern_list' || target.type === 'tuple_pattern' ? named(target) : [target];
    for (const t of targets) {
      if (t.type !== 'identifier' && t.type !== 'attribute') continue;
      const key = this.key(t);
      const list = this.assigned.get(key) ?? [];
      list.push({ value, fn: this.py.enclosingFunction(t) });
      this.assigned.set(key, list);
    }
  }

  /** `self.client` and `cls.client` share a key; other names are their text. */
  private key(n: PyNode): string {
    if (n.type === 'attribute') {
      const obj = field(n, 'object');
      const attr = field(n, 'attribute');
      if (obj && attr && ['self', 'cls'].includes(this.py.text(obj))) return `self.${this.py.text(attr)}`;
    }
    return this.py.text(n);
  }

  /**
   * A node that is itself a credential source, described for the message. With `carrying`, only
   * sources whose error text can carry the secret or the connection details count.
   */
  private direct(n: PyNode, carrying: boolean, fn: FunctionFact | undefined): string | undefined {
    const py = this.py;
    const env = (k: string | undefined) =>
      k && (isConnectionName(k) || (!carrying && isSecretName(k))) ? `the secret ${k} from the environment` : undefined;
    if (n.type === 'call') {
      const q = py.callee(n);
      const store = under(q, DATA_STORE_MODULES);
      if (store) return `the ${store} client`;
      if (q === 'open' || q?.endsWith('.read_text') || q?.endsWith('.read_bytes') || q?.endsWith('.open')) {
        const p = py.str(py.positional(n)[0]);
        if (p && p.length < 300 && SECRET_FILE.test(p)) return `the secrets file ${p}`;
      }
      if (q?.startsWith('dotenv.')) return 'the .env file';
      // `requests.get(url, params={"api_key": key})`: the key is in the URL, which the error names.
      for (const [name, value] of py.kwargs(n))
        if (name === 'params' && value.type === 'dictionary')
          for (const pair of named(value)) {
            const k = py.str(field(pair, 'key'));
            const v = field(pair, 'value');
            // A parameter named otherwise (`ak`) is a key when its value is a secret.
            if (k && (isQueryKeyName(k) || (v && this.direct(v, false, fn)))) return `a URL with \`${k}\` in its query`;
          }
      if (q === 'os.getenv' || q === 'os.environ.get' || q === 'os.getenvb') return env(py.str(py.positional(n)[0]));
      if (carrying) return undefined;
      const sdk = under(q, AUTHENTICATED_SDKS);
      if (sdk) return `the authenticated ${sdk} client`;
      for (const [name, value] of py.kwargs(n))
        if (isSecretName(name) && !['None', 'False', 'True'].includes(py.text(value)) && !this.fromParams(value, fn))
          return `a client built with \`${name}=\``;
      return undefined;
    }
    if (n.type === 'subscript') {
      const v = field(n, 'value');
      if (py.qualify(v) === 'os.environ') return env(py.str(field(n, 'subscript') ?? named(n)[1]));
      return undefined;
    }
    if (n.type === 'string') {
      const s = py.text(n);
      if (s.length < 2000) {
        const url = credentialInUrl(s);
        if (url) return url;
      }
    }
    if (carrying) return undefined;
    if (n.type === 'identifier' && isSecretName(py.text(n))) return `\`${py.text(n)}\``;
    if (n.type === 'attribute') {
      const attr = field(n, 'attribute');
      if (attr && isSecretName(py.text(attr))) return `\`${py.text(n)}\``;
    }
    return undefined;
  }

  /**
   * Whether a name holds only what `fn`'s caller passed: a parameter, an attribute of one
   * (`params.password`), or a local name every binding of which in `fn` is computed from those
   * (`credentials = f"{username}:{password}"`).
   */
  private fromParams(n: PyNode, fn: FunctionFact | undefined, depth = 0): boolean {
    if (!fn || depth > 3) return false;
    let root = n;
    while (root.type === 'attribute') root = field(root, 'object')!;
    if (root.type !== 'identifier') return false;
    const name = this.py.text(root);
    if (name === 'self' || name === 'cls') return false;
    // Not the framework's injected Context (`ctx.request_context.lifespan_context`): that is the server's.
    if (fn.params.some((p) => p.name === name && !this.py.isInjected(p))) return true;
    if (n !== root) return false;
    const bindings = this.assigned.get(name) ?? [];
    return (
      bindings.length > 0 &&
      bindings.every((b) => b.fn === fn) &&
      bindings.every((b) => this.valueFromParams(b.value, fn, depth + 1))
    );
  }

  /** Whether every name an expression reads (not module or builtin names) holds only `fn`'s inputs. */
  private valueFromParams(v: PyNode, fn: FunctionFact, depth: number): boolean {
    let ok = true;
    walk(v, (x) => {
      if (!ok) return false;
      if (x.type === 'call') {
        // The callee is code, not data: `base64.b64encode(...)`, `str(...)`; its arguments count.
        const f = field(x, 'function');
        if (f?.type === 'attribute') {
          const obj = field(f, 'object')!;
          if (obj.type !== 'identifier' || !this.py.imports.has(this.py.text(obj)))
            ok = this.valueFromParams(obj, fn, depth);
        }
        for (const a of named(field(x, 'arguments') ?? x)) {
          const arg = a.type === 'keyword_argument' ? field(a, 'value') : a;
          if (ok && arg && arg !== f) ok = this.valueFromParams(arg, fn, depth);
        }
        return false;
      }
      if (x.type === 'identifier' || x.type === 'attribute') {
        ok = this.fromParams(x, fn, depth);
        return false;
      }
      return true;
    });
    return ok;
  }

  /**
   * The first credential source that code under `root` reaches: directly, through names bound (in
   * its function or at module level) to a source, through the file's functions it names (calls,
   * callbacks), or through the lifespan context when the lifespan opens one.
   */
  reach(root: PyNode, fn: FunctionFact | undefined, carrying: boolean, depth = 0): string | undefined {
    let found: string | undefined;
    walk(root, (n) => {
      if (found) return false;
      if (n !== root && (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition'))
        return false;
      // The function's own parameters (a tool's arguments, a helper's inputs) are what its caller
      // passed: a password the caller supplied is no secret of this server's.
      if ((n.type === 'identifier' || n.type === 'attribute') && this.fromParams(n, fn)) return false;
      found = this.direct(n, carrying, fn);
      if (found) return false;
      if (n.type === 'identifier' || n.type === 'attribute') {
        found = this.viaName(n, fn, carrying, depth);
        if (found) return false;
      }
      return true;
    });
    return found;
  }

  private viaName(n: PyNode, fn: FunctionFact | undefined, carrying: boolean, depth: number): string | undefined {
    const py = this.py;
    const text = this.key(n);
    if (n.type === 'attribute' && !text.startsWith('self.')) {
      const attr = field(n, 'attribute');
      if (attr && py.text(attr) === 'lifespan_context') return this.lifespan(carrying);
    }
    if (depth < 4) {
      for (const b of this.assigned.get(text) ?? []) {
        // Bindings in this function, at module level, or on `self` anywhere in the file.
        if (b.fn && b.fn !== fn && !text.startsWith('self.')) continue;
        // A local name read before it is bound again further down holds the earlier value.
        if (b.fn && b.fn === fn && !text.startsWith('self.') && !boundBeforeUse(b.value, n)) continue;
        const s = this.reach(b.value, b.fn, carrying, depth + 1);
        if (s) return s;
      }
    }
    const name = n.type === 'identifier' ? py.text(n) : py.text(field(n, 'attribute') ?? n);
    if (n.type === 'attribute' && !text.startsWith('self.')) return undefined;
    for (const f of this.byName.get(name) ?? []) {
      const s = this.ofFunction(f, carrying, depth);
      if (s) return s;
    }
    return undefined;
  }

  private ofFunction(f: FunctionFact, carrying: boolean, depth: number): string | undefined {
    const cache = carrying ? this.carryingCache : this.fnCache;
    if (cache.has(f)) return cache.get(f) ?? undefined;
    if (depth >= 4) return undefined;
    cache.set(f, null); // recursion guard
    const s = this.reach(f.body, f, carrying, depth + 1);
    cache.set(f, s ?? null);
    return s;
  }

  private lifespan(carrying: boolean): string | undefined {
    if (!this.lifespanSource.has(carrying)) {
      this.lifespanSource.set(carrying, null);
      for (const name of lifespanNames(this.py))
        for (const f of this.byName.get(name) ?? []) {
          const s = this.ofFunction(f, carrying, 0);
          if (s) {
            this.lifespanSource.set(carrying, s);
            break;
          }
        }
    }
    return this.lifespanSource.get(carrying) ?? undefined;
  }
}

const finders = new WeakMap<PyFile, SourceFinder>();

/** Who receives the errors of this file's tools: stdio only is the local user's own client. */
function errorReceiver(py: PyFile): ErrorReceiver {
  const kinds = new Set<string>(py.servers.flatMap((s) => s.starts.map((st) => st.transport)));
  // A low-level server's transport is the streams it runs on: `async with stdio_server() as
  // (read, write): await server.run(read, write, ...)`, or an SSE / Streamable HTTP transport
  // served by an ASGI server.
  for (const c of py.calls) {
    const q = py.callee(c) ?? '';
    if (/^mcp\.server\.stdio\.stdio_server$/.test(q)) kinds.add('stdio');
    else if (/(?:^|\.)(?:SseServerTransport|StreamableHTTPSessionManager)$|^uvicorn\.(?:run|Server|Config)$/.test(q))
      kinds.add('http');
  }
  if (kinds.has('http') || kinds.has('sse')) return 'remote';
  if (kinds.size === 1 && kinds.has('stdio')) return 'local';
  return 'unknown';
}

/**
 * MCP504's verdict for the value `leaked` returned or raised from the `except` clause `clause`:
 * undefined when it is no leak; otherwise the evidence. It is a leak when the `try` reaches a
 * source whose error text can carry the secret (whatever the transport), any other
 * credential-bearing source when the receiver is not proven local, or when a traceback goes to a
 * client that is not proven to be the local user's own (stdio).
 */
export function exceptionLeakVerdict(py: PyFile, clause: PyNode, leaked: PyNode): LeakVerdict | undefined {
  const tryStmt = clause.parent;
  if (tryStmt?.type !== 'try_statement') return undefined;
  const body = field(tryStmt, 'body');
  if (!body) return undefined;
  let finder = finders.get(py);
  if (!finder) finders.set(py, (finder = new SourceFinder(py)));
  const fn = py.enclosingFunction(clause);
  const receiver = errorReceiver(py);
  // A source whose error text can carry the secret leaks to every receiver; a key in a header or
  // an API SDK client's credentials only to one that is not the local user's own client.
  const carried = finder.reach(body, fn, true);
  const source = carried ?? (receiver === 'local' ? undefined : finder.reach(body, fn, false));
  const traceback = /traceback\.format_exc|format_exception|format_tb/.test(py.text(leaked));
  // A key sent in a header: the errors of requests and httpx (transport errors, and status errors
  // such as "Client error '401 Unauthorized' for url '...'") name only the method, status and URL,
  // never headers or the reply's body: nothing to hide when every URL's host is written in the
  // source. An SDK client's errors carry the service's own messages; an earlier `except` for status
  // errors leaves this clause the transport errors only.
  const sdkClient = !!source && /^(the authenticated|a client built with)/.test(source);
  if (
    source &&
    !carried &&
    !traceback &&
    (!sdkClient || statusErrorsHandledBefore(py, clause)) &&
    literalUrlsOnly(py, body)
  )
    return undefined;
  if (source) return { source, carries: !!carried, receiver, traceback };
  if (traceback && receiver !== 'local') return { receiver, traceback };
  return undefined;
}

/** HTTP client errors that carry the service's reply (status, body). */
const STATUS_ERRORS = /\b(HTTPStatusError|HTTPError|ClientResponseError)\b/;

/** Whether an `except` clause before `clause` in the same `try` catches HTTP status errors. */
function statusErrorsHandledBefore(py: PyFile, clause: PyNode): boolean {
  const tryStmt = clause.parent;
  if (!tryStmt) return false;
  for (const c of tryStmt.children) {
    if (c === clause) return false;
    if (c.type !== 'except_clause') continue;
    if (exceptNames(py, c).some((n) => STATUS_ERRORS.test(n))) return true;
  }
  return false;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'stream']);

/** Whether the HTTP calls in `body` all go to URLs written as literals (directly or as a constant). */
function literalUrlsOnly(py: PyFile, body: PyNode): boolean {
  let calls = 0;
  let literal = true;
  walk(body, (n) => {
    if (!literal) return false;
    if (n.type !== 'call') return true;
    const fn = field(n, 'function');
    if (fn?.type !== 'attribute' || !HTTP_METHODS.has(py.text(field(fn, 'attribute')!))) return true;
    // `requests.get(...)`, `httpx.post(...)`, `client.get(...)` / `self.session.get(...)`; not `data.get("key")`.
    const obj = field(fn, 'object')!;
    const q = py.callee(n) ?? '';
    if (!/^(requests|httpx|aiohttp)\./.test(q) && !/(client|session|http)$/i.test(py.text(obj))) return true;
    const method = py.text(field(fn, 'attribute')!);
    const pos = py.positional(n);
    const url = py.kwargs(n).get('url') ?? pos[method === 'request' || method === 'stream' ? 1 : 0];
    if (!url) return true;
    calls++;
    if (!literalHost(py, url)) literal = false;
    return true;
  });
  return calls > 0 && literal;
}

const HOST_PREFIX = /^https?:\/\/[^/{}\s]+\//;

/**
 * Whether a URL's scheme and host are written in the source: a literal (or a constant holding
 * one), or an f-string / `+` concatenation that starts with such a base and a `/`
 * (`f"{API_BASE}/users/{name}"`, `BASE + "/items"`).
 */
function literalHost(py: PyFile, url: PyNode): boolean {
  const value = py.constStr(url);
  if (value !== undefined) return /^https?:\/\//.test(value);
  const base = (n: PyNode | undefined): string | undefined => {
    if (!n) return undefined;
    const v = py.constStr(n);
    if (v !== undefined) return v;
    if (n.type === 'identifier') {
      const bound = py.moduleAssignments.get(py.text(n));
      return bound ? py.constStr(bound) : undefined;
    }
    return undefined;
  };
  if (url.type === 'binary_operator' && url.children.some((c) => !c.named && c.type === '+')) {
    const left = field(url, 'left');
    const right = field(url, 'right');
    const b = base(left);
    return (
      b !== undefined && (HOST_PREFIX.test(b) || (/^https?:\/\/[^/{}\s]+$/.test(b) && /^["']\//.test(py.text(right!))))
    );
  }
  if (url.type !== 'string') return false;
  let text = '';
  for (const c of url.children) {
    if (c.type === 'string_start' || c.type === 'string_end') continue;
    if (c.type === 'string_content') text += py.text(c);
    else if (c.type === 'interpolation') {
      const b = base(field(c, 'expression'));
      if (b === undefined) break;
      text += b;
    } else break;
    if (HOST_PREFIX.test(text)) return true;
  }
  return HOST_PREFIX.test(text);
}
