/**
 * MCP504's verdict for TypeScript/JavaScript: whether error text returned from a `catch` is a
 * leak. It depends on what the `try` can reach (a credential-bearing source: a database or cache
 * client, an authenticated SDK client, a secret read from `process.env`, a secret-named value such
 * as `apiKey` or an `Authorization` header) and who receives the error (the local user's own
 * client over stdio, or a remotely reachable transport). Whether the result carries `isError` is
 * MCP705's question, not this one.
 *
 * `exceptionLeakVerdict(ctx, scope, leaked, errName)` is the one entry point: tool handlers and
 * low-level `CallToolRequestSchema` dispatchers both call it with the `try` block (or the handler
 * body, for errors built outside a `catch`) and the returned/thrown value.
 */
import type * as ts from 'typescript';
import { isFunctionLike, unwrap } from '../astUtil';
import type { RuleContext } from '../context';
import { resolveDecl, resolveRef } from '../resolve';
import { isSecretName } from '../../secretNames';

/** Who receives a tool's error text. */
type ErrorReceiver = 'local' | 'remote' | 'unknown';

export interface LeakVerdict {
  /** What the `try` reaches that holds a credential, for the message. */
  source?: string;
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

  /** A node that is itself a credential source, described for the message. */
  private direct(n: ts.Node): string | undefined {
    const { ts } = this.ctx;
    if (ts.isPropertyAccessExpression(n) && n.expression.getText(this.ctx.sf) === 'process.env')
      return isSecretName(n.name.text) ? `the secret ${n.name.text} from the environment` : undefined;
    if (ts.isElementAccessExpression(n) && n.expression.getText(this.ctx.sf) === 'process.env') {
      const k = n.argumentExpression;
      return ts.isStringLiteralLike(k) && isSecretName(k.text)
        ? `the secret ${k.text} from the environment`
        : undefined;
    }
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const ref = resolveRef(this.ctx.facts, n.expression);
      const sdk = ref && sdkOf(ref.module);
      if (sdk) return `the ${sdk} client`;
      return undefined;
    }
    if ((ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && isSecretName(n.text)) return `\`${n.text}\``;
    if (ts.isStringLiteral(n) && ts.isPropertyAssignment(n.parent) && n.parent.name === n && isSecretName(n.text))
      return `the \`${n.text}\` header`;
    return undefined;
  }

  /**
   * The first credential source that code under `root` reaches: directly, through the variables
   * and `this` members it reads (their initializers), or through the file's functions it names.
   */
  reach(root: ts.Node, depth = 0): string | undefined {
    const { ts } = this.ctx;
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (n !== root && isFunctionLike(n) && !ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) return;
      found = this.direct(n);
      if (found) return;
      if (depth < 4) {
        if (ts.isIdentifier(n)) found = this.viaIdentifier(n, depth);
        else if (
          ts.isPropertyAccessExpression(n) &&
          (n.expression.kind === ts.SyntaxKind.ThisKeyword || isSelfMethodCall(ts, n))
        )
          found = this.viaMember(n.name.text, depth);
        if (found) return;
      }
      ts.forEachChild(n, visit);
    };
    visit(root);
    return found;
  }

  private viaIdentifier(id: ts.Identifier, depth: number): string | undefined {
    const { ts } = this.ctx;
    const p = id.parent;
    // Only reads: not the name of a declaration or a property.
    if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isPropertyAssignment(p) && p.name === id))
      return undefined;
    const ref = this.ctx.facts.bindings.get(id.text);
    if (ref) {
      const sdk = sdkOf(ref.module);
      return sdk ? `the ${sdk} client` : undefined;
    }
    const d = resolveDecl(this.ctx.facts, id);
    if (d && ts.isVariableDeclaration(d) && d.initializer && !contains(d, id)) return this.cached(d.initializer, depth);
    for (const f of this.ctx.facts.functions.get(id.text) ?? []) {
      const s = this.cached(f, depth);
      if (s) return s;
    }
    return undefined;
  }

  private viaMember(name: string, depth: number): string | undefined {
    for (const v of this.members.get(name) ?? []) {
      const s = this.cached(v, depth);
      if (s) return s;
    }
    // Methods of the file's classes called on `this`.
    for (const f of this.ctx.facts.functions.get(name) ?? []) {
      const s = this.cached(f, depth);
      if (s) return s;
    }
    return undefined;
  }

  private cached(n: ts.Node, depth: number): string | undefined {
    if (this.fnCache.has(n)) return this.fnCache.get(n) ?? undefined;
    this.fnCache.set(n, null); // recursion guard
    const body = isFunctionLike(n) ? (n.body ?? n) : n;
    const s = this.reach(body, depth + 1);
    this.fnCache.set(n, s ?? null);
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
 * scope reaches a credential-bearing source (whatever the transport), or when the stack goes to a
 * client that is not proven to be the local user's own (stdio).
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
  const source = finder.reach(scope);
  const receiver = errorReceiver(ctx);
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
  if (source) return { source, receiver, stack };
  if (stack && receiver !== 'local') return { receiver, stack };
  return undefined;
}
