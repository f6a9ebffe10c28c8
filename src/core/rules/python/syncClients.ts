/**
 * Synchronous clients (MCP301): objects built by an SDK whose method calls wait on the network or
 * a database — `s3 = boto3.client("s3")`, `client = OpenAI()`, `docker.from_env()`,
 * `build("drive", "v3")`, `conn = psycopg2.connect(...)` — and the calls on them that block:
 * `s3.list_objects_v2()`, `client.chat.completions.create()`, `service.files().list().execute()`,
 * `cur = conn.cursor(); cur.execute()`. Names are followed through module variables, locals,
 * handles taken from a client (`cur`, `bucket`, `pipe`), and factory functions of the module.
 */
import { field, named, type PyNode } from './ast';
import type { PyFile } from './context';
import type { FunctionFact } from './functions';
import { returnsOf, walkBody } from './rules/util';
import { calleeOf } from './crossCalls';
import type { ModuleFacts } from '../types';

/** Which calls on a client (or on a handle taken from it) wait for I/O. */
type Io =
  /** HTTP sessions: the request verbs. */
  | 'http'
  /** DB-API connections and their cursors. */
  | 'db'
  /** googleapiclient: calls build a request, `.execute()` sends it. */
  | 'execute'
  /** Every call except the few that only build a local object (`cursor()`, `pipeline()`, `Table()`). */
  | 'any';

interface ClientKind {
  /** How the message names it: `boto3 client`, `OpenAI client`. */
  label: string;
  io: Io;
  /** The SDK's async counterpart, for the advice. */
  async?: string;
}

const KINDS: [{ test(q: string): boolean }, ClientKind][] = [
  [/^(requests\.(Session|session)|httpx\.Client)$/, { label: 'HTTP session', io: 'http', async: 'httpx.AsyncClient' }],
  [
    /^(sqlite3|psycopg2?|pymysql|pyodbc|oracledb|cx_Oracle|pymssql|mysql\.connector|snowflake\.connector|MySQLdb)\.connect$/,
    { label: 'database connection', io: 'db' },
  ],
  [
    /^redis\.(Redis|StrictRedis|from_url|Redis\.from_url|client\.Redis)$/,
    { label: 'Redis client', io: 'any', async: 'redis.asyncio.Redis' },
  ],
  [
    /^pymongo\.(MongoClient|mongo_client\.MongoClient)$/,
    { label: 'MongoDB client', io: 'any', async: 'pymongo.AsyncMongoClient' },
  ],
  [
    /^elasticsearch\.Elasticsearch$/,
    { label: 'Elasticsearch client', io: 'any', async: 'elasticsearch.AsyncElasticsearch' },
  ],
  [/^neo4j\.GraphDatabase\.driver$/, { label: 'Neo4j driver', io: 'any', async: 'neo4j.AsyncGraphDatabase.driver' }],
  [/^boto3\.(client|resource|Session|session\.Session)$/, { label: 'boto3 client', io: 'any', async: 'aioboto3' }],
  [/^docker\.(from_env|DockerClient|APIClient|client\.from_env)$/, { label: 'Docker SDK client', io: 'any' }],
  [/^kubernetes\.client\.\w+Api$/, { label: 'Kubernetes API client', io: 'any' }],
  [/^googleapiclient\.discovery\.build$/, { label: 'Google API client', io: 'execute' }],
  // Every Google Cloud library's sync client (`bigquery.Client`, `secretmanager.SecretManagerServiceClient`), not its Async one.
  [
    { test: (q) => q.startsWith('google.cloud.') && /^(?!Async)\w*Client$/.test(q.slice(q.lastIndexOf('.') + 1)) },
    { label: 'Google Cloud client', io: 'any' },
  ],
  // Every Azure SDK's sync client (`azure.keyvault.secrets.SecretClient`); not the `.aio` ones.
  [
    {
      test: (q) =>
        q.startsWith('azure.') && !q.includes('.aio.') && /^(?!Async)\w*Client$/.test(q.slice(q.lastIndexOf('.') + 1)),
    },
    { label: 'Azure SDK client', io: 'any', async: "the SDK's .aio client" },
  ],
  [
    /^(kafka\.(KafkaConsumer|KafkaAdminClient|admin\.KafkaAdminClient)|confluent_kafka\.(Consumer|admin\.AdminClient|AdminClient))$/,
    { label: 'Kafka client', io: 'any' },
  ],
  [/^google\.genai\.Client$/, { label: 'Google Gen AI client', io: 'any', async: 'client.aio' }],
  [/^openai\.(OpenAI|AzureOpenAI)$/, { label: 'OpenAI client', io: 'any', async: 'openai.AsyncOpenAI' }],
  [/^anthropic\.Anthropic$/, { label: 'Anthropic client', io: 'any', async: 'anthropic.AsyncAnthropic' }],
  [/^groq\.Groq$/, { label: 'Groq client', io: 'any', async: 'groq.AsyncGroq' }],
  [/^cohere\.(Client|ClientV2)$/, { label: 'Cohere client', io: 'any', async: 'cohere.AsyncClientV2' }],
  [/^mistralai\.Mistral$/, { label: 'Mistral client', io: 'any' }],
  [/^qdrant_client\.QdrantClient$/, { label: 'Qdrant client', io: 'any', async: 'qdrant_client.AsyncQdrantClient' }],
  [/^pinecone\.Pinecone$/, { label: 'Pinecone client', io: 'any' }],
  [/^chromadb\.HttpClient$/, { label: 'Chroma client', io: 'any', async: 'chromadb.AsyncHttpClient' }],
  // Query builders: `.table("t").select("*").eq(...)` builds, `.execute()` sends.
  [/^supabase\.create_client$/, { label: 'Supabase client', io: 'execute', async: 'supabase.acreate_client' }],
  [/^twilio\.rest\.Client$/, { label: 'Twilio client', io: 'any' }],
  [/^stripe\.StripeClient$/, { label: 'Stripe client', io: 'any' }],
  [
    /^todoist_api_python\.api\.TodoistAPI$/,
    { label: 'Todoist client', io: 'any', async: 'todoist_api_python.api_async.TodoistAPIAsync' },
  ],
  [/^arxiv\.Client$/, { label: 'arxiv client', io: 'any' }],
  [/^praw\.Reddit$/, { label: 'PRAW Reddit client', io: 'any', async: 'asyncpraw.Reddit' }],
  [/^tweepy\.Client$/, { label: 'Tweepy client', io: 'any', async: 'tweepy.asynchronous.AsyncClient' }],
  [/^gitlab\.Gitlab$/, { label: 'python-gitlab client', io: 'any' }],
  [/^dropbox\.Dropbox$/, { label: 'Dropbox client', io: 'any' }],
  [
    /^slack_sdk\.(WebClient|web\.WebClient)$/,
    { label: 'Slack WebClient', io: 'any', async: 'slack_sdk.web.async_client.AsyncWebClient' },
  ],
  [/^github\.Github$/, { label: 'PyGithub client', io: 'any' }],
  [/^notion_client\.Client$/, { label: 'Notion client', io: 'any', async: 'notion_client.AsyncClient' }],
  [/^(jira\.JIRA|atlassian\.(Jira|Confluence))$/, { label: 'Atlassian client', io: 'any' }],
  [/^paramiko\.SSHClient$/, { label: 'paramiko SSH client', io: 'any' }],
  [/^(imaplib\.IMAP4(_SSL)?|imapclient\.IMAPClient)$/, { label: 'IMAP client', io: 'any' }],
  [/^smtplib\.SMTP(_SSL)?$/, { label: 'SMTP client', io: 'any' }],
  [/^ftplib\.FTP(_TLS)?$/, { label: 'FTP client', io: 'any' }],
  [/^poplib\.POP3(_SSL)?$/, { label: 'POP3 client', io: 'any' }],
  [
    /^sqlalchemy\.create_engine$/,
    { label: 'SQLAlchemy engine', io: 'any', async: 'sqlalchemy.ext.asyncio.create_async_engine' },
  ],
];

/** Top-level packages whose clients `KINDS` knows: a module that imports none builds no client. */
const SDK_ROOTS = new Set([
  'requests',
  'httpx',
  'sqlite3',
  'psycopg',
  'psycopg2',
  'pymysql',
  'pyodbc',
  'oracledb',
  'cx_Oracle',
  'pymssql',
  'mysql',
  'snowflake',
  'MySQLdb',
  'redis',
  'pymongo',
  'elasticsearch',
  'neo4j',
  'boto3',
  'docker',
  'kubernetes',
  'googleapiclient',
  'google',
  'openai',
  'anthropic',
  'groq',
  'cohere',
  'mistralai',
  'qdrant_client',
  'pinecone',
  'chromadb',
  'supabase',
  'twilio',
  'stripe',
  'todoist_api_python',
  'arxiv',
  'praw',
  'tweepy',
  'gitlab',
  'dropbox',
  'slack_sdk',
  'github',
  'notion_client',
  'jira',
  'atlassian',
  'paramiko',
  'imaplib',
  'imapclient',
  'smtplib',
  'ftplib',
  'poplib',
  'sqlalchemy',
  'azure',
  'kafka',
  'confluent_kafka',
]);
const importsCache = new WeakMap<PyFile, boolean>();

/** Whether the module imports a package whose clients `KINDS` knows (the filter before any client analysis). */
export function importsClientSdk(py: PyFile): boolean {
  let out = importsCache.get(py);
  if (out === undefined) {
    out = false;
    for (const q of py.imports.values()) if (SDK_ROOTS.has(q.split('.', 1)[0]!)) out = true;
    importsCache.set(py, out);
  }
  return out;
}

const HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'send', 'stream']);
/** `fetch*()` after `execute()` mostly reads rows the driver has buffered: `execute()` is the call to report. */
const DB_CALLS = new Set(['execute', 'executemany', 'executescript', 'commit', 'rollback', 'callproc']);
/** Calls that only build a local object: a cursor, a pipeline, a resource handle, a paginator. */
const LOCAL_CALLS = new Set([
  'cursor',
  'pipeline',
  'client',
  'resource',
  'Table',
  'Bucket',
  'Object',
  'Queue',
  'Topic',
  'get_paginator',
  'get_waiter',
  'can_paginate',
  'generate_presigned_url',
  'generate_presigned_post',
  'with_options',
  'with_raw_response',
  'get_database',
  'get_collection',
  'get_default_database',
  'session',
  'close',
  'set_missing_host_key_policy',
  'load_system_host_keys',
  'bucket',
  'blob',
  'dataset',
  'table',
  'collection',
  'document',
]);

/** `get_container_client(...)`, `get_blob_client(...)`: a client for a part of the service, built locally. */
const SUB_CLIENT = /^get_\w{1,40}_client$/;

/** A name bound to a client: what built it and where (1-based line). */
export interface ClientBinding {
  kind: ClientKind;
  /** The constructor as written (`boto3.client`, `get_service`). */
  ctor: string;
  line: number;
}

/** A call that waits on a synchronous client. */
export interface ClientCall {
  /** The callee as written (`s3.list_objects_v2`). */
  display: string;
  binding: ClientBinding;
}

/** Names bound to clients: `s3`, and `self.session` for a client a class keeps in an attribute. */
export type ClientNames = Map<string, ClientBinding>;

const moduleCache = new WeakMap<PyFile, ClientNames>();
const fnCache = new WeakMap<FunctionFact, ClientNames>();
const factoryCache = new WeakMap<PyFile, ClientNames>();

/** The client a call builds: an SDK constructor, or a factory function of this module that returns one. */
function clientBuiltBy(py: PyFile, call: PyNode): ClientBinding | undefined {
  const built = sdkClient(py, call);
  if (built) return built;
  const target = field(call, 'function');
  const made = target?.type === 'identifier' ? factories(py).get(py.text(target)) : undefined;
  return made && { ...made, ctor: py.text(target!), line: py.line(call) };
}

function sdkClient(py: PyFile, call: PyNode): ClientBinding | undefined {
  const q = py.callee(call);
  const kind = q ? kindOf(q) : undefined;
  return kind && { kind, ctor: q!, line: py.line(call) };
}

/** The kind a qualified constructor name builds (memoized: the same few names recur in every file). */
const kinds = new Map<string, ClientKind | null>();
function kindOf(q: string): ClientKind | undefined {
  let k = kinds.get(q);
  if (k === undefined) {
    k = KINDS.find(([re]) => re.test(q))?.[1] ?? null;
    if (kinds.size > 10_000) kinds.clear();
    kinds.set(q, k);
  }
  return k ?? undefined;
}

/** Module functions that return a client they build (`def get_service(): ... return build(...)`). */
function factories(py: PyFile): ClientNames {
  let out = factoryCache.get(py);
  if (out) return out;
  out = new Map();
  factoryCache.set(py, out);
  if (!importsClientSdk(py)) return out;
  for (const fn of py.moduleFunctions.values()) {
    if (fn.isAsync) continue;
    let locals: ClientNames | undefined;
    for (const { value } of returnsOf(fn)) {
      const built =
        value?.type === 'call'
          ? sdkClient(py, value)
          : value?.type === 'identifier'
            ? (locals ??= localBindings(py, fn, new Map())).get(py.text(value))
            : undefined;
      if (built) {
        out.set(fn.name, built);
        break;
      }
    }
  }
  return out;
}

/** Module variables bound to clients (`s3 = boto3.client("s3")`, `client = get_client()`). */
function moduleClients(py: PyFile): ClientNames {
  let out = moduleCache.get(py);
  if (out) return out;
  out = new Map();
  moduleCache.set(py, out);
  if (!importsClientSdk(py)) return out;
  for (const [name, right] of py.moduleAssignments) {
    const b = boundBy(py, right, out);
    if (b) out.set(name, b);
  }
  return out;
}

/**
 * Names bound to clients inside a function: the module's (unless a parameter or a local
 * assignment shadows them), the function's own clients and the handles taken from them.
 */
export function functionClients(py: PyFile, fn: FunctionFact): ClientNames {
  let out = fnCache.get(fn);
  if (!out) fnCache.set(fn, (out = localBindings(py, fn, moduleClients(py))));
  return out;
}

/** `self.<attr> = <client>` in the methods of a class: `self.session` → the client. */
export function attributeClients(py: PyFile, methods: Iterable<FunctionFact>): ClientNames {
  const out: ClientNames = new Map();
  for (const fn of methods)
    walkBody(fn, (n) => {
      const left = n.type === 'assignment' ? field(n, 'left') : undefined;
      const right = left && field(n, 'right');
      if (left?.type !== 'attribute' || !right || py.text(field(left, 'object')!) !== 'self') return true;
      const b = boundBy(py, right, functionClients(py, fn));
      if (b) out.set(py.text(left), b);
      return true;
    });
  return out;
}

function localBindings(py: PyFile, fn: FunctionFact, outer: ClientNames): ClientNames {
  const out = new Map(outer);
  for (const p of fn.params) out.delete(p.name);
  const own = new Set<string>();
  if (!out.size && !importsClientSdk(py)) return out;
  walkBody(fn, (n) => {
    let name: PyNode | undefined;
    let value: PyNode | undefined;
    if (n.type === 'assignment') [name, value] = [field(n, 'left'), field(n, 'right')];
    else if (n.type === 'as_pattern') [name, value] = [named(field(n, 'alias'))[0] ?? field(n, 'alias'), named(n)[0]];
    if (name?.type !== 'identifier' || !value) return true;
    const b = boundBy(py, value, out);
    // The first client bound here names it in messages (a retry further down binds it again).
    if (b && !own.has(py.text(name))) out.set(py.text(name), b);
    else if (!b) out.delete(py.text(name));
    if (b) own.add(py.text(name));
    return true;
  });
  return out;
}

/** The client an expression yields: one it builds, or a handle taken from a bound client without I/O. */
function boundBy(py: PyFile, value: PyNode, names: ClientNames): ClientBinding | undefined {
  if (value.type === 'call') {
    const built = clientBuiltBy(py, value);
    if (built) return built;
  }
  if (!['call', 'attribute', 'subscript'].includes(value.type)) return undefined;
  const b = rootBinding(py, value, names);
  // Commands on a Redis pipeline are buffered: only `execute()` sends them.
  const verb = value.type === 'call' ? calledName(py, value) : undefined;
  return b && verb === 'pipeline' ? { ...b, kind: { ...b.kind, io: 'execute' } } : b;
}

/**
 * The client at the root of a receiver (`s3`, `client.chat.completions`, `db["c"]`,
 * `conn.cursor()`, `build(...).files().list(...)`, `self.session`), when every step between is a
 * handle the client's kind hands out without I/O (a result of a call that waits is no client).
 */
function rootBinding(py: PyFile, node: PyNode, names: ClientNames): ClientBinding | undefined {
  const steps: PyNode[] = [];
  let n: PyNode | undefined = node;
  for (let depth = 0; n && depth < 12; depth++) {
    let b: ClientBinding | undefined;
    if (n.type === 'identifier' || (n.type === 'attribute' && field(n, 'object')?.type === 'identifier'))
      b = names.get(py.text(n));
    if (!b && n.type === 'call') b = clientBuiltBy(py, n);
    if (b) return stepsOk(py, steps, b.kind.io) ? b : undefined;
    steps.push(n);
    n = receiverOf(n);
  }
  return undefined;
}

/** One step down a receiver chain: a call's function, an attribute's object, a subscript's value. */
function receiverOf(n: PyNode): PyNode | undefined {
  return n.type === 'call'
    ? field(n, 'function')
    : n.type === 'attribute'
      ? field(n, 'object')
      : n.type === 'subscript'
        ? field(n, 'value')
        : undefined;
}

function stepsOk(py: PyFile, steps: PyNode[], io: Io): boolean {
  const verbs = steps.filter((s) => s.type === 'call').map((c) => calledName(py, c));
  return stepsAllow(io, verbs, steps.length);
}

/** Whether the steps between a client and a receiver (`count` in all, `verbs` of the calls among them) hand out the client without I/O. */
function stepsAllow(io: Io, verbs: (string | undefined)[], count: number): boolean {
  switch (io) {
    case 'http':
      return count === 0;
    case 'db':
      return count === 0 || (count === 2 && verbs[0] === 'cursor');
    case 'execute':
      return !verbs.includes('execute');
    case 'any':
      return verbs.every((v) => v !== undefined && (LOCAL_CALLS.has(v) || SUB_CLIENT.test(v)));
  }
}

/** Whether calling `verb` on a client of this kind (or a handle of it) waits for I/O. */
function verbWaits(io: Io, verb: string): boolean {
  return io === 'http'
    ? HTTP_VERBS.has(verb)
    : io === 'db'
      ? DB_CALLS.has(verb)
      : io === 'execute'
        ? verb === 'execute'
        : !LOCAL_CALLS.has(verb) && !verb.startsWith('_') && !SUB_CLIENT.test(verb);
}

/**
 * For a call recorded in another module (ModuleFacts.clientCalls): whether it waits, given the
 * kind of client the factory it was built by returns.
 */
export function clientCallWaits(io: string, verbs: (string | null)[], count: number, verb: string): boolean {
  const kind = io as Io;
  return (
    stepsAllow(
      kind,
      verbs.map((v) => v ?? undefined),
      count,
    ) && verbWaits(kind, verb)
  );
}

function calledName(py: PyFile, call: PyNode): string | undefined {
  const target = field(call, 'function');
  return target?.type === 'attribute' ? py.text(field(target, 'attribute')!) : undefined;
}

/**
 * The call waits on a synchronous client bound in `names` (or built in the same expression): a
 * request verb of an HTTP session, a query of a DB connection or cursor, `.execute()` of a Google
 * API request, any other SDK call that is not a local builder. Awaited calls are async clients.
 */
export function clientCall(py: PyFile, call: PyNode, names: ClientNames): ClientCall | undefined {
  if (call.parent?.type === 'await') return undefined;
  const target = field(call, 'function');
  if (target?.type !== 'attribute') return undefined;
  const binding = rootBinding(py, field(target, 'object')!, names);
  if (!binding) return undefined;
  const verb = py.text(field(target, 'attribute')!);
  return verbWaits(binding.kind.io, verb) ? { display: chainText(py, target), binding } : undefined;
}

/** A receiver chain as one short line: `service.instances().get(...).execute`. */
function chainText(py: PyFile, n: PyNode, depth = 0): string {
  if (depth > 12) return '…';
  if (n.type === 'attribute')
    return `${chainText(py, field(n, 'object')!, depth + 1)}.${py.text(field(n, 'attribute')!)}`;
  if (n.type === 'call') {
    const args = py.args(n);
    return `${chainText(py, field(n, 'function')!, depth + 1)}(${args && named(args).length ? '...' : ''})`;
  }
  if (n.type === 'subscript') return `${chainText(py, field(n, 'value')!, depth + 1)}[...]`;
  return py.text(n).replace(/\s+/g, ' ');
}

/** Module facts: the module's functions that return a client they build, with its kind (ModuleFacts.clientFactories). */
export function clientFactoryFacts(py: PyFile): NonNullable<ModuleFacts['clientFactories']> {
  const out: NonNullable<ModuleFacts['clientFactories']> = {};
  for (const [name, b] of factories(py))
    out[name] = { label: b.kind.label, io: b.kind.io, ...(b.kind.async ? { async: b.kind.async } : {}), line: b.line };
  return out;
}

/** A call on what a function imported from another module of the project returned (`service = get_service()` … `service.events().list().execute()`). */
export interface ImportedClientUse {
  call: PyNode;
  /** The function as its module exports it, and the line of the call that bound the name. */
  factory: string;
  bindLine: number;
  verb: string;
  /** The calls between the name and the receiver (their method names) and all steps counted. */
  verbs: (string | null)[];
  count: number;
  display: string;
}

/**
 * Calls in `fn` on names bound to the value of a function imported by name from a project module:
 * whether they wait is decided with that module's facts (`clientFactories`).
 */
export function importedClientUses(py: PyFile, fn: FunctionFact): ImportedClientUse[] {
  type Bound = { factory: string; line: number; verbs: (string | null)[]; count: number };
  const bound = new Map<string, Bound>();
  const params = new Set(fn.params.map((p) => p.name));
  /** The bound name at the root of a chain, with the steps from `node` down to it added. */
  const through = (node: PyNode): Bound | undefined => {
    const steps: PyNode[] = [];
    let n: PyNode | undefined = node;
    for (let depth = 0; n && n.type !== 'identifier' && depth < 12; depth++) {
      steps.push(n);
      n = receiverOf(n);
    }
    const b = n?.type === 'identifier' ? bound.get(py.text(n)) : undefined;
    if (!b) return undefined;
    const verbs = steps.filter((x) => x.type === 'call').map((c) => calledName(py, c) ?? null);
    return { ...b, verbs: [...verbs, ...b.verbs], count: b.count + steps.length };
  };
  walkBody(fn, (n) => {
    const left = n.type === 'assignment' ? field(n, 'left') : undefined;
    const right = left && field(n, 'right');
    if (left?.type !== 'identifier' || !right || params.has(py.text(left))) return true;
    const callee =
      right.type === 'call' && field(right, 'function')?.type === 'identifier' ? calleeOf(py, right, fn) : undefined;
    const imported = callee && 'imported' in callee && !callee.imported.member ? callee.imported.name : undefined;
    // `service = get_service()`, or a handle taken from it (`request = service.events().list(...)`).
    const b = imported
      ? { factory: imported, line: py.line(right), verbs: [], count: 0 }
      : ['call', 'attribute', 'subscript'].includes(right.type)
        ? through(right)
        : undefined;
    if (b) bound.set(py.text(left), b);
    else bound.delete(py.text(left));
    return true;
  });
  if (!bound.size) return [];
  const out: ImportedClientUse[] = [];
  for (const call of py.callsIn(fn)) {
    const target = field(call, 'function');
    if (target?.type !== 'attribute' || call.parent?.type === 'await') continue;
    const b = through(field(target, 'object')!);
    if (!b || b.line > py.line(call)) continue;
    out.push({
      call,
      factory: b.factory,
      bindLine: b.line,
      verb: py.text(field(target, 'attribute')!),
      verbs: b.verbs,
      count: b.count,
      display: chainText(py, target),
    });
  }
  return out;
}
