/**
 * MCP504's verdict for TypeScript/JavaScript: whether error text returned from a `catch` is a
 * leak. It depends on what the `try` can reach and whether that source's error text can carry the
 * secret or the connection details, and on who receives the error (the local user's own client
 * over stdio, or a remotely reachable transport). Sources whose errors carry them (a database or
 * cache client, a connection string, a key in a URL's query sent through a client that prints the
 * URL) leak to every receiver; a key sent in a header, a secret from `process.env`, a secret-named
 * value or an authenticated SDK client leak only to a receiver not proven local. Whether the
 * result carries `isError` is MCP705's question, not this one.
 *
 * `exceptionLeakVerdict(ctx, scope, leaked, errName)` is the one entry point: tool handlers and
 * low-level `CallToolRequestSchema` dispatchers both call it with the `try` block (or the handler
 * body, for errors built outside a `catch`) and the returned/thrown value.
 */
import type * as ts from 'typescript';
import { isFunctionLike, unwrap } from '../astUtil';
import type { RuleContext } from '../context';
import { resolveDecl, resolveRef } from '../resolve';
import { CONNECTION_STRING, credentialInUrl, isConnectionName, isQueryKeyName, isSecretName } from '../../secretNames';

/** Who receives a tool's error text. */
type ErrorReceiver = 'local' | 'remote' | 'unknown';

export interface LeakVerdict {
  /** What the `try` reaches that holds a credential, for the message. */
  source?: string;
  /**
   * Whether the source's error text can carry the secret or the connection details (a database or
   * cache driver, a connection string, a key in a URL's query, a secrets file); false for a key
   * sent in a header or held by an API SDK client, which leaks only to a receiver that is not local.
   */
  carries?: boolean;
  receiver: ErrorReceiver;
  /** The leaked value carries the stack (file paths and code of the server). */
  stack: boolean;
}

/** Clients whose errors name hosts, users, databases and statements. */
const DATA_STORE_CLIENTS = [
  'pg',
  'postgres',
  'mysql',
  'mysql2',
  'mssql',
  'oracledb',
  'mongodb',
  'mongoose',
  'redis',
  'ioredis',
  'knex',
  'sequelize',
  'typeorm',
  'drizzle-orm',
  '@prisma/client',
  '@elastic/elasticsearch',
  'sqlite3',
  'better-sqlite3',
  '@libsql/client',
  '@neondatabase/serverless',
  '@planetscale/database',
  '@clickhouse/client',
  'snowflake-sdk',
  '@google-cloud/bigquery',
  'neo4j-driver',
];

/** SDKs whose clients authenticate by construction (keys from arguments or the environment). */
const AUTHENTICATED_SDKS = [
  'firebase-admin',
  'googleapis',
  'openai',
  '@anthropic-ai/sdk',
  'stripe',
  '@octokit/rest',
  '@octokit/core',
  'octokit',
  '@slack/web-api',
  '@supabase/supabase-js',
  '@notionhq/client',
  '@linear/sdk',
];

const sdkOf = (module: string): string | undefined =>
  DATA_STORE_CLIENTS.includes(module) ||
  AUTHENTICATED_SDKS.includes(module) ||
  module.startsWith('@aws-sdk/') ||
  module.startsWith('@google-cloud/') ||
  module.startsWith('@azure/')
    ? module
    : undefined;

/**
 * HTTP clients whose errors print the request URL (`request to <url> failed, reason: ...`): a key
 * in the URL's query reaches the error text. The global fetch (`fetch failed`) and axios (`Request
 * failed with status code 401`) do not print it.
 */
const URL_NAMING_CLIENTS = ['node-fetch', 'cross-fetch', 'isomorphic-fetch'];

/** In-process databases: their clients open a local file, not a connection. */
const LOCAL_STORES = new Set(['sqlite3', 'better-sqlite3']);

/**
 * Whether a module's clients talk to a remote service (databases, caches, cloud and API SDKs):
 * work awaited on them before the transport starts is network work (MCP401).
 */
export function isRemoteClientModule(module: string): boolean {
  return !!sdkOf(module) && !LOCAL_STORES.has(module);
}

/** Who receives the errors of this file's tools: stdio only is the local user's own client. */
function errorReceiver(ctx: RuleContext): ErrorReceiver {
  const s = ctx.stdio;
  return s === 'stdio' ? 'local' : s === 'not-stdio' ? 'remote' : 'unknown';
}

class SourceFinder {
  /** `this.x = <value>` assignments and class property initializers, by property name. */
  private readonly members = new Map<string, ts.Expression[]>();
  private readonly fnCache = new Map<ts.Node, string | null>();
  private readonly carryingCache = new Map<ts.Node, string | null>();
  private urlClient?: boolean;

  constructor(private readonly ctx: RuleContext) {
    const { ts } = ctx;
    const add = (name: string, value: ts.Expression) => {
      const list = this.members.get(name) ?? [];
      list.push(value);
      this.members.set(name, list);
    };
    const visit = (n: ts.Node): void => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(n.left) &&
        n.left.expression.kind === ts.SyntaxKind.ThisKeyword
      )
        add(n.left.name.text, n.right);
      else if (ts.isPropertyDeclaration(n) && n.initializer && ts.isIdentifier(n.name)) add(n.name.text, n.initializer);
      ts.forEachChild(n, visit);
    };
    visit(ctx.sf);
  }

  /**
   * A node that is itself a credential source, described for the message. With `carrying`, only
   * sources whose error text can carry the secret or the connection details count.
   */
  private direct(n: ts.Node, carrying: boolean): string | undefined {
    const { ts } = this.ctx;
    const env = (name: string) =>
      isConnectionName(name) || (!carrying && isSecretName(name))
        ? `the secret ${name} from the environment`
        : undefined;
    if (ts.isPropertyAccessExpression(n) && n.expression.getText(this.ctx.sf) === 'process.env')
      return env(n.name.text);
    if (ts.isElementAccessExpression(n) && n.expression.getText(this.ctx.sf) === 'process.env') {
      const k = n.argumentExpression;
      return ts.isStringLiteralLike(k) ? env(k.text) : undefined;
    }
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const ref = resolveRef(this.ctx.facts, n.expression);
      // In-process file databases name no host, user or credential in their errors.
      const sdk = ref && !LOCAL_STORES.has(ref.module) ? sdkOf(ref.module) : undefined;
      if (sdk && (!carrying || DATA_STORE_CLIENTS.includes(sdk))) return `the ${sdk} client`;
      // `url.searchParams.set('api_key', key)`, or any parameter given a secret (`'ak', API_KEY`):
      // the key is in the URL.
      if (
        ts.isCallExpression(n) &&
        ts.isPropertyAccessExpression(n.expression) &&
        ['set', 'append'].includes(n.expression.name.text) &&
        /searchParams$/i.test(n.expression.expression.getText(this.ctx.sf)) &&
        n.arguments[0] &&
        ts.isStringLiteralLike(n.arguments[0]) &&
        (isQueryKeyName(n.arguments[0].text) || (n.arguments[1] !== undefined && this.isSecretValue(n.arguments[1]))) &&
        (!carrying || this.urlInErrors())
      )
        return `a URL with \`${n.arguments[0].text}\` in its query`;
      return undefined;
    }
    if (ts.isStringLiteralLike(n) || ts.isTemplateExpression(n)) {
      const text = n.getText(this.ctx.sf);
      const url = text.length < 2000 ? credentialInUrl(text) : undefined;
      // A connection string's driver names it; a key in a query string only reaches the error
      // text through a client that prints the URL (node-fetch 2 and 3), not the global fetch or axios.
      if (url && (!carrying || url === CONNECTION_STRING || this.urlInErrors())) return url;
    }
    if (carrying) return undefined;
    if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && isSecretName(n.text)) return `\`${n.text}\``;
    if (ts.isStringLiteral(n) && ts.isPropertyAssignment(n.parent) && n.parent.name === n && isSecretName(n.text))
      return `the \`${n.text}\` header`;
    return undefined;
  }

  /** A secret-named identifier or member (`API_KEY`, `config.apiKey`) or a secret from `process.env`. */
  private isSecretValue(e: ts.Expression): boolean {
    const { ts } = this.ctx;
    if (ts.isIdentifier(e)) return isSecretName(e.text);
    if (ts.isPropertyAccessExpression(e)) return isSecretName(e.name.text);
    if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression))
      return isSecretName(e.argumentExpression.text);
    return false;
  }

  /** Whether the file sends requests with a client whose error messages print the request URL. */
  private urlInErrors(): boolean {
    if (this.urlClient === undefined)
      this.urlClient = [...this.ctx.facts.bindings.values()].some((r) => URL_NAMING_CLIENTS.includes(r.module));
    return this.urlClient;
  }

  /**
   * The first credential source that code under `root` reaches: directly, through the variables
   * and `this` members it reads (their initializers), or through the file's functions it names.
   */
  reach(root: ts.Node, carrying: boolean, depth = 0): string | undefined {
    const { ts } = this.ctx;
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (n !== root && isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) return;
      found = this.direct(n, carrying);
      if (found) return;
      if (depth < 4) {
        if (ts.isIdentifier(n)) found = this.viaIdentifier(n, carrying, depth);
        else if (
          ts.isPropertyAccessExpression(n) &&
          (n.expression.kind === ts.SyntaxKind.ThisKeyword || isSelfMethodCall(ts, n))
        )
          found = this.viaMember(n.name.text, carrying, depth);
        if (found) return;
      }
      ts.forEachChild(n, visit);
    };
    visit(root);
    return found;
  }

  private viaIdentifier(id: ts.Identifier, carrying: boolean, depth: number): string | undefined {
    const { ts } = this.ctx;
    const p = id.parent;
    // Only reads: not the name of a declaration or a property.
    if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isPropertyAssignment(p) && p.name === id))
      return undefined;
    const ref = this.ctx.facts.bindings.get(id.text);
    if (ref) {
      const sdk = LOCAL_STORES.has(ref.module) ? undefined : sdkOf(ref.module);
      return sdk && (!carrying || DATA_STORE_CLIENTS.includes(sdk)) ? `the ${sdk} client` : undefined;
    }
    const d = resolveDecl(this.ctx.facts, id);
    const value = d && ts.isVariableDeclaration(d) && d.initializer && !contains(d, id) ? d.initializer : undefined;
    // `track(event).then()` of an async function, not awaited: its failure is a rejection that
    // never enters this `try` (fire-and-forget telemetry).
    if (unawaitedAsyncCall(ts, id, value ? [unwrap(value)] : (this.ctx.facts.functions.get(id.text) ?? [])))
      return undefined;
    if (value) return this.cached(value, carrying, depth);
    for (const f of this.ctx.facts.functions.get(id.text) ?? []) {
      const s = this.cached(f, carrying, depth);
      if (s) return s;
    }
    return undefined;
  }

  private viaMember(name: string, carrying: boolean, depth: number): string | undefined {
    for (const v of this.members.get(name) ?? []) {
      const s = this.cached(v, carrying, depth);
      if (s) return s;
    }
    // Methods of the file's classes called on `this`.
    for (const f of this.ctx.facts.functions.get(name) ?? []) {
      const s = this.cached(f, carrying, depth);
      if (s) return s;
    }
    return undefined;
  }

  private cached(n: ts.Node, carrying: boolean, depth: number): string | undefined {
    const cache = carrying ? this.carryingCache : this.fnCache;
    if (cache.has(n)) return cache.get(n) ?? undefined;
    cache.set(n, null); // recursion guard
    const body = isFunctionLike(n) ? (n.body ?? n) : n;
    const s = this.reach(body, carrying, depth + 1);
    cache.set(n, s ?? null);
    return s;
  }
}

function isSelfMethodCall(ts: typeof import('typescript'), n: ts.PropertyAccessExpression): boolean {
  return ts.isCallExpression(n.parent) && n.parent.expression === n && n.expression.kind === ts.SyntaxKind.ThisKeyword;
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end;
}

const finders = new WeakMap<RuleContext, SourceFinder>();

/**
 * MCP504's verdict for `leaked`, the value returned or thrown with the caught error `errName`
 * (or, without a `catch`, upstream data) after running the code in `scope` (the `try` block, or
 * the handler body): undefined when it is no leak; otherwise the evidence. It is a leak when the
 * scope reaches a source whose error text can carry the secret (whatever the transport), when it
 * reaches any other credential-bearing source and the receiver is not proven local, or when the
 * stack goes to a client that is not proven to be the local user's own (stdio).
 */
export function exceptionLeakVerdict(
  ctx: RuleContext,
  scope: ts.Node,
  leaked: ts.Expression,
  errName: string | undefined,
): LeakVerdict | undefined {
  const { ts } = ctx;
  let finder = finders.get(ctx);
  if (!finder) finders.set(ctx, (finder = new SourceFinder(ctx)));
  const receiver = errorReceiver(ctx);
  // A source whose error text can carry the secret leaks to every receiver; a key in a header or
  // an API SDK client's credentials only to one that is not the local user's own client.
  const carried = finder.reach(scope, true);
  const source = carried ?? (receiver === 'local' ? undefined : finder.reach(scope, false));
  let stack = false;
  const visit = (n: ts.Node): void => {
    if (stack) return;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'stack') {
      const e = unwrap(n.expression);
      if (!errName || (ts.isIdentifier(e) && e.text === errName)) stack = true;
    } else if (ts.isCallExpression(n) && /(^|\.)inspect$/.test(n.expression.getText(ctx.sf))) stack = true;
    ts.forEachChild(n, visit);
  };
  visit(leaked);
  if (source) return { source, carries: !!carried, receiver, stack };
  if (stack && receiver !== 'local') return { receiver, stack };
  return undefined;
}

/**
 * Whether `id` is called here without `await`, and every function it may name is async: the call
 * cannot throw into the surrounding `try`.
 */
function unawaitedAsyncCall(ts: typeof import('typescript'), id: ts.Identifier, targets: ts.Node[]): boolean {
  const call = id.parent;
  if (!call || !ts.isCallExpression(call) || call.expression !== id || !targets.length) return false;
  const isAsync = (f: ts.Node) =>
    isFunctionLike(f) &&
    (ts.getModifiers(f as ts.FunctionDeclaration) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  if (!targets.every(isAsync)) return false;
  for (let p: ts.Node | undefined = call.parent; p && !ts.isStatement(p) && !isFunctionLike(p); p = p.parent)
    if (ts.isAwaitExpression(p)) return false;
  return true;
}
