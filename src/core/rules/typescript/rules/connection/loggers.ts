/**
 * MCP102 for libraries that write to stdout on their own, each checked against the real npm
 * package (run in a scratch project, see docs/rules/MCP102.md):
 * - pino (10.x): `pino()` and `pino(opts)` write to fd 1; `pino(opts, pino.destination(2))`,
 *   `destination({ dest: 2 })`, `process.stderr`, and a `pino/file` or `pino-pretty` transport with
 *   `options.destination: 2` write to stderr; those transports without a destination use stdout.
 * - winston (3.19): a `transports.Console` sends every level that is not in `stderrLevels` (or
 *   `consoleWarnLevels`) to `console._stdout`, `error` included; `forceConsole` only swaps the
 *   stream writes for `console.log`/`console.error`, the same streams.
 * - dotenv: `config()` prints `injecting env (N) from .env` with `console.log` (stdout) on every
 *   17.x release (17.0.0 to 17.4.2), with or without a `.env` file, unless `quiet: true` or
 *   `DOTENV_CONFIG_QUIET=true`; `import "dotenv/config"` is quiet by default on 17.x; 16.x prints
 *   nothing and 18.x prints to stderr. Only a proven version (lockfile, pin, installed package)
 *   or a declared range that allows 17.x only counts as evidence.
 */
import type * as ts from 'typescript';
import { edit, getProp, getPropValue, insertPropertyEdit, stringValue, unwrap } from '../../astUtil';
import type { RuleContext } from '../../context';
import { importsModule } from '../../facts';
import { initializerOf, resolveRef } from '../../resolve';
import { lowerBound, majorOf, provenVersion } from '../../../project/versions';

/** Where a write may land, as the caller decides it: skip it, or report it (lower, with a note). */
export type Placement = (node: ts.Node) => { skip: boolean; downgrade: boolean; note: string };

type Stream = 'stdout' | 'stderr' | 'other' | undefined;

/** A file descriptor or path: `1`, `2`, `'/dev/stderr'`, `process.stderr.fd`. */
function fdStream(ctx: RuleContext, e: ts.Expression | undefined): Stream {
  if (!e) return 'stdout';
  const u = unwrap(e);
  const { ts } = ctx;
  if (ts.isNumericLiteral(u)) return u.text === '1' ? 'stdout' : u.text === '2' ? 'stderr' : 'other';
  const s = stringValue(u);
  if (s !== undefined) return s === '/dev/stdout' ? 'stdout' : s === '/dev/stderr' ? 'stderr' : 'other';
  const t = u.getText(ctx.sf);
  if (t === 'process.stdout.fd') return 'stdout';
  if (t === 'process.stderr.fd') return 'stderr';
  return undefined;
}

/** An object literal, directly or through a `const`. */
function objectOf(ctx: RuleContext, e: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  let u = e && unwrap(e);
  if (u && ctx.ts.isIdentifier(u)) u = initializerOf(ctx.facts, u);
  u = u && unwrap(u);
  return u && ctx.ts.isObjectLiteralExpression(u) ? u : undefined;
}

/** A `{ target, options }` pino transport: `pino/file` and `pino-pretty` default to stdout. */
function transportStream(ctx: RuleContext, t: ts.Expression | undefined): Stream {
  const obj = objectOf(ctx, t);
  if (!obj || getProp(obj, 'targets') || getProp(obj, 'pipeline')) return undefined;
  const target = stringValue(getPropValue(obj, 'target'));
  if (target !== 'pino/file' && target !== 'pino-pretty') return undefined;
  const options = getProp(obj, 'options') ? objectOf(ctx, getPropValue(obj, 'options')) : undefined;
  if (getProp(obj, 'options') && !options) return undefined;
  return fdStream(ctx, options && getPropValue(options, 'destination'));
}

/** The stream a pino destination expression writes to. */
function pinoStream(ctx: RuleContext, e: ts.Expression, depth = 0): Stream {
  const { ts } = ctx;
  const u = unwrap(e);
  const t = u.getText(ctx.sf);
  if (t === 'process.stdout') return 'stdout';
  if (t === 'process.stderr') return 'stderr';
  if (ts.isIdentifier(u) && depth < 3) {
    const init = initializerOf(ctx.facts, u);
    return init ? pinoStream(ctx, init, depth + 1) : undefined;
  }
  if (!ts.isCallExpression(u)) return undefined;
  const ref = resolveRef(ctx.facts, u.expression);
  if (ref?.module !== 'pino') return undefined;
  if (ref.name === 'destination') {
    const a = u.arguments[0];
    const obj = a && objectOf(ctx, a);
    if (obj) return fdStream(ctx, getPropValue(obj, 'dest') ?? getPropValue(obj, 'fd'));
    return fdStream(ctx, a);
  }
  if (ref.name === 'transport') return transportStream(ctx, u.arguments[0]);
  return undefined;
}

function pinoHits(ctx: RuleContext, place: Placement): void {
  const { ts, sf, file } = ctx;
  if (!importsModule(ctx.facts, 'pino')) return;
  for (const call of ctx.facts.calls) {
    const ref = resolveRef(ctx.facts, call.expression);
    if (!ref || ref.module !== 'pino' || !['default', '*', 'pino'].includes(ref.name)) continue;
    if (ts.isPropertyAccessExpression(call.expression) && ref.name !== 'pino') continue; // pino.destination(...)
    const [first, second] = call.arguments;
    let stream: Stream = 'stdout';
    const opts = first && objectOf(ctx, first);
    if (second) stream = pinoStream(ctx, second);
    else if (first && !opts) stream = pinoStream(ctx, first);
    else if (opts && getProp(opts, 'transport')) stream = transportStream(ctx, getPropValue(opts, 'transport'));
    if (stream !== 'stdout') continue;
    const { skip, downgrade, note } = place(call);
    if (skip) continue;
    const callee = call.expression.getText(sf);
    const simple = call.arguments.length === 0 || (call.arguments.length === 1 && opts && !getProp(opts, 'transport'));
    const insertion = call.arguments.length === 0 ? `{}, ${callee}.destination(2)` : `, ${callee}.destination(2)`;
    const at = call.arguments.length === 0 ? call.arguments.pos : call.arguments[call.arguments.length - 1]!.getEnd();
    ctx.report(
      'MCP102',
      call,
      `\`${callee}()\` logs to stdout here (pino's default destination, fd 1), which is the JSON-RPC channel of a stdio MCP server. Pass \`${callee}.destination(2)\` so logs go to stderr.${note}`,
      {
        fixes: simple ? [ctx.fix('Send pino logs to stderr', [edit(file, sf, at, at, insertion)], true)] : [],
        downgrade,
        data: { call: 'pino' },
      },
    );
  }
}

const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];
const ALL_LEVELS = `stderrLevels: [${LEVELS.map((l) => `'${l}'`).join(', ')}]`;

/** String literals of an array literal, or undefined when anything else is in it. */
function stringArray(ctx: RuleContext, e: ts.Expression | undefined): string[] | undefined {
  const u = e && unwrap(e);
  if (!u || !ctx.ts.isArrayLiteralExpression(u)) return undefined;
  const out: string[] = [];
  for (const el of u.elements) {
    const s = stringValue(unwrap(el as ts.Expression));
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** The `createLogger({...})` call whose options hold `node`, if any. */
function loggerCall(ctx: RuleContext, node: ts.Node): ts.CallExpression | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if (ctx.ts.isCallExpression(n) && /(^|\.)createLogger$/.test(n.expression.getText(ctx.sf))) return n;
  }
  return undefined;
}

/** Levels a logger emits: at or above its `level` (default `info`), narrowed to the calls made on it in this file. */
function emittedLevels(
  ctx: RuleContext,
  transport: ts.ObjectLiteralExpression | undefined,
  logger?: ts.CallExpression,
): string[] | undefined {
  const { ts } = ctx;
  const loggerOpts = logger && objectOf(ctx, logger.arguments[0]);
  if (loggerOpts && getProp(loggerOpts, 'levels')) return undefined; // custom levels
  const levelExpr =
    (transport && getPropValue(transport, 'level')) ?? (loggerOpts && getPropValue(loggerOpts, 'level'));
  const threshold = levelExpr ? stringValue(unwrap(levelExpr)) : 'info';
  const max = threshold === undefined ? LEVELS.length - 1 : LEVELS.indexOf(threshold);
  if (max < 0) return undefined;
  let levels = LEVELS.slice(0, max + 1);
  // The calls made on the logger in this file, when it is bound to a name here.
  const decl = logger?.parent;
  if (decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
    const name = decl.name.text;
    const used = new Set<string>();
    let exported = ctx.facts.exported.has(name);
    for (const call of ctx.facts.calls) {
      const e = call.expression;
      if (!ts.isPropertyAccessExpression(e) || e.expression.getText(ctx.sf) !== name) continue;
      if (LEVELS.includes(e.name.text)) used.add(e.name.text);
      else if (e.name.text === 'log') {
        const l = stringValue(call.arguments[0]);
        if (l && LEVELS.includes(l)) used.add(l);
        else exported = true; // a computed level: any
      }
    }
    if (used.size && !exported) levels = levels.filter((l) => used.has(l));
  }
  return levels;
}

function winstonHits(ctx: RuleContext, place: Placement): void {
  const { sf, file } = ctx;
  if (!ctx.facts.moduleSpecifiers.some((s) => s.module === 'winston')) return;
  for (const n of ctx.facts.news) {
    const t = n.expression.getText(sf);
    if (!/(^|\.)transports\.Console$/.test(t) && t !== 'Console') continue;
    if (t === 'Console' && resolveRef(ctx.facts, n.expression)?.module !== 'winston') continue;
    const arg = n.arguments?.[0];
    const opts = arg && objectOf(ctx, arg);
    if (arg && !opts) continue; // options built elsewhere: not read
    const stderrExpr = opts && getPropValue(opts, 'stderrLevels');
    const warnExpr = opts && getPropValue(opts, 'consoleWarnLevels');
    const stderr = stderrExpr ? stringArray(ctx, stderrExpr) : [];
    const warn = warnExpr ? stringArray(ctx, warnExpr) : [];
    if (!stderr || !warn) continue; // computed level lists
    const emitted = emittedLevels(ctx, opts, loggerCall(ctx, n));
    if (!emitted) continue;
    const onStdout = emitted.filter((l) => !stderr.includes(l) && !warn.includes(l));
    if (!onStdout.length) continue;
    const { skip, downgrade, note } = place(n);
    if (skip) continue;
    const inline = arg && unwrap(arg) === opts;
    const fixEdit =
      stderrExpr && inline
        ? edit(file, sf, stderrExpr.getStart(sf), stderrExpr.getEnd(), ALL_LEVELS.slice('stderrLevels: '.length))
        : opts && inline
          ? insertPropertyEdit(file, sf, opts, ALL_LEVELS)
          : !n.arguments || n.arguments.length === 0
            ? edit(file, sf, n.getEnd() - 1, n.getEnd() - 1, `{ ${ALL_LEVELS} }`)
            : undefined;
    const which = onStdout.map((l) => `\`${l}\``).join(', ');
    ctx.report(
      'MCP102',
      n,
      `winston's Console transport writes every level that is not listed in \`stderrLevels\` to stdout, \`error\` included: here ${which} ${onStdout.length === 1 ? 'goes' : 'go'} to stdout, the JSON-RPC channel of a stdio MCP server. List every level in \`stderrLevels\`.${note}`,
      {
        fixes: fixEdit ? [ctx.fix('Send all winston levels to stderr', [fixEdit], true)] : [],
        downgrade,
        data: { call: 'winston.transports.Console', levels: onStdout },
      },
    );
  }
}

/** What the project proves about the installed dotenv: a 17.x version, and from where. */
function dotenv17(ctx: RuleContext): { evidence: string; proven: boolean } | undefined {
  const project = ctx.project;
  const proven = provenVersion(project, 'dotenv');
  const source = project.packageSources.get('dotenv') ?? 'the project';
  if (proven) return majorOf(proven) === 17 ? { evidence: `dotenv ${proven} from ${source}`, proven: true } : undefined;
  const range = project.declared?.get('dotenv') ?? project.packages.get('dotenv');
  // A range is not a version; one that allows 17.x only (`^17.2.0`, `~17.1`, `17.x`) still decides.
  const r = range?.trim().slice(0, 100) ?? '';
  const body = r.startsWith('^') || r.startsWith('~') ? r.slice(1).trim() : r;
  if (/^17(?:\.[\dxX*]+)*$/.test(body) && majorOf(lowerBound(r)) === 17)
    return { evidence: `package.json allows dotenv ${r}, only 17.x releases`, proven: false };
  return undefined;
}

function dotenvHits(ctx: RuleContext, place: Placement): void {
  const { ts, sf, file } = ctx;
  if (!importsModule(ctx.facts, 'dotenv')) return;
  const version = dotenv17(ctx);
  if (!version) return;
  for (const call of ctx.facts.calls) {
    const ref = resolveRef(ctx.facts, call.expression);
    if (ref?.module !== 'dotenv' || ref.name !== 'config') continue;
    const first = call.arguments[0];
    const opts = first && objectOf(ctx, first);
    if (first && !opts) continue; // options built elsewhere
    const quiet = opts && getPropValue(opts, 'quiet');
    const quietFalse = quiet && (quiet.kind === ts.SyntaxKind.FalseKeyword || stringValue(quiet) === 'false');
    const quietLiteral =
      quiet && (quietFalse || quiet.kind === ts.SyntaxKind.TrueKeyword || stringValue(quiet) !== undefined);
    if (quiet && quietLiteral && !quietFalse) continue;
    // A computed `quiet` (`process.env.NODE_ENV === "test"`) prints whenever it is false: lower.
    const computed = !!quiet && !quietLiteral;
    const { skip, downgrade, note } = place(call);
    if (skip) continue;
    const fixEdit = computed
      ? undefined
      : opts && first && unwrap(first) === opts
        ? insertPropertyEdit(file, sf, opts, 'quiet: true')
        : !first
          ? edit(file, sf, call.arguments.pos, call.arguments.pos, '{ quiet: true }')
          : undefined;
    ctx.report(
      'MCP102',
      call,
      `\`${call.expression.getText(sf)}()\` prints \`[dotenv@17…] injecting env (N) from .env\` to stdout on every dotenv 17 release (with or without a .env file), the JSON-RPC channel of a stdio MCP server.${computed ? ` Here \`quiet\` is computed (\`${quiet!.getText(sf)}\`): it prints whenever that is false.` : ''} Pass \`{ quiet: true }\` (version: ${version.evidence}).${note}`,
      {
        fixes: fixEdit ? [ctx.fix('Silence dotenv', [fixEdit], true)] : [],
        downgrade: downgrade || !version.proven || computed,
        data: { call: 'dotenv.config' },
      },
    );
  }
}

/** MCP102 for pino, winston and dotenv writing to stdout. */
export function loggerHits(ctx: RuleContext, place: Placement): void {
  pinoHits(ctx, place);
  winstonHits(ctx, place);
  dotenvHits(ctx, place);
}
