import { isBuiltin } from 'node:module';
import type * as ts from 'typescript';
import { pathToStart } from './startPath';
import { calleeName, contains, isFunctionLike, scopeOf, walk, stringValue, unwrap, unwrapAwait } from '../astUtil';
import { type RuleContext, isModuleLevel, refersTo, taintedNames } from '../context';
import { type DefFact, callsNamed } from '../facts';
import { initializerOf, resolveRef } from '../resolve';
import { isRemoteClientModule } from './errorExposure';
import { outsideAllowlist } from '../allowlist';
import { mcp403 } from './output';
import { routeHandlers } from './connection/transportPaths';

/** Concurrency and performance rules: MCP301 302 401 402 404, and MCP403 from `output.ts`. */
export function behaviorRules(ctx: RuleContext): void {
  for (const d of ctx.tools) {
    mcp301(ctx, d);
    mcp302(ctx, d);
    mcp402(ctx, d);
    mcp403(ctx, d);
    mcp404(ctx, d);
  }
  mcp401(ctx);
}

/** Calls lexically inside a handler (including nested callbacks). */
function callsIn(ctx: RuleContext, fn: ts.Node): ts.CallExpression[] {
  return ctx.handlerInfo(fn).calls;
}

const BLOCKING_MODULES = new Set(['child_process', 'crypto', 'zlib']);
const FS_METADATA_SYNC = new Set(['existsSync', 'statSync', 'lstatSync', 'accessSync', 'realpathSync']);

function mcp301(ctx: RuleContext, d: DefFact): void {
  const { ts, sf } = ctx;
  const h = d.handler!;
  const tainted = taintedNames(ctx, h);
  const tool = d.def.name;
  for (const call of callsIn(ctx, h)) {
    const ref = resolveRef(ctx.facts, call.expression);
    const t = call.expression.getText(sf);
    if (ref && ref.name.endsWith('Sync') && BLOCKING_MODULES.has(ref.module)) {
      const alt =
        ref.module === 'child_process'
          ? `\`await promisify(${ref.name.replace(/Sync$/, '')})(...)\` (with \`execFile\` for argv arrays)`
          : `the async \`${ref.name.replace(/Sync$/, '')}\``;
      ctx.report(
        'MCP301',
        call,
        `\`${ref.name}\` blocks the Node event loop inside tool \`${tool}\`: while it runs, every other request, ping and progress notification of this server waits. Use ${alt}.`,
        { data: { tool, call: ref.name } },
      );
    } else if (
      ref &&
      ref.name.endsWith('Sync') &&
      ref.module === 'fs' &&
      // A stat is one metadata lookup; reads and writes take as long as the data is big.
      !FS_METADATA_SYNC.has(ref.name) &&
      call.arguments.some((a) => refersTo(ctx, a, outsideAllowlist(ctx, call, tainted, h)))
    ) {
      ctx.report(
        'MCP301',
        call,
        `\`${ref.name}\` on a path chosen by the caller blocks the event loop inside tool \`${tool}\` for as long as the file system takes. Use \`fs/promises\`.`,
        { data: { tool, call: ref.name } },
      );
    } else if (t === 'Atomics.wait') {
      ctx.report(
        'MCP301',
        call,
        `\`Atomics.wait\` blocks the event loop inside tool \`${tool}\`; every other request waits. Use \`await\` on a timer or an async primitive.`,
        { data: { tool, call: t } },
      );
    }
  }
  for (const n of ctx.handlerInfo(h).loops) {
    if (!ts.isWhileStatement(n) && !ts.isDoStatement(n)) continue;
    if (!/Date\.now\(\)|performance\.now\(\)|new Date\(\)/.test(n.expression.getText(sf))) continue;
    const awaits = ctx.handlerInfo(h).awaits.some((a) => contains(n.statement, a));
    if (!awaits)
      ctx.report(
        'MCP301',
        n,
        `Busy-wait loop in tool \`${tool}\`: it spins the event loop until the time passes, freezing the server. Use \`await new Promise((r) => setTimeout(r, ms))\`.`,
        { data: { tool, call: 'busy-wait' } },
      );
  }
}

const MUTATORS = new Set([
  'set',
  'push',
  'delete',
  'clear',
  'add',
  'splice',
  'pop',
  'shift',
  'unshift',
  'sort',
  'reverse',
  'fill',
]);

/** Module-level names holding mutable state: any `let`/`var`, and `const` containers. */
function moduleMutables(ctx: RuleContext): Set<string> {
  const { ts } = ctx;
  const out = new Set<string>();
  for (const st of ctx.sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) continue;
      if (!isConst) {
        out.add(d.name.text);
        continue;
      }
      const init = d.initializer && unwrap(d.initializer);
      if (!init) continue;
      if (ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init)) out.add(d.name.text);
      else if (ts.isNewExpression(init) && /^(Map|Set|WeakMap|Array|Object)$/.test(init.expression.getText(ctx.sf)))
        out.add(d.name.text);
    }
  }
  return out;
}

const mutablesCache = new WeakMap<ts.SourceFile, Set<string>>();

function mcp302(ctx: RuleContext, d: DefFact): void {
  const { ts, sf } = ctx;
  const h = d.handler!;
  let names = mutablesCache.get(sf);
  if (!names) {
    names = moduleMutables(ctx);
    mutablesCache.set(sf, names);
  }
  if (names.size === 0) return;
  const body = ctx.handlerInfo(h).text;
  if (!body.includes('await') || ![...names].some((n) => body.includes(n))) return;
  if (/runExclusive\(|\.acquire\(|\block\(|withLock\(/.test(body)) return;
  const info = ctx.handlerInfo(h);
  const awaits = info.awaits.map((a) => a.getStart(sf));
  const reads = new Map<string, number[]>();
  const writes: { name: string; node: ts.Node; at: number }[] = [];
  const writeTargets = new Set<ts.Node>();
  const rootIdent = (e: ts.Expression): ts.Identifier | undefined => {
    let x = unwrap(e);
    while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = unwrap(x.expression);
    return ts.isIdentifier(x) ? x : undefined;
  };
  const addWrite = (target: ts.Expression, node: ts.Node): void => {
    const id = rootIdent(target);
    if (id && names!.has(id.text) && isModuleLevel(ctx, id)) {
      writes.push({ name: id.text, node, at: node.getEnd() });
      writeTargets.add(id);
    }
  };
  for (const a of info.assigns) addWrite(a.left, a);
  for (const c of info.calls)
    if (ts.isPropertyAccessExpression(c.expression) && MUTATORS.has(c.expression.name.text))
      addWrite(c.expression.expression, c);
  for (const d of info.deletes) addWrite(d.expression, d);
  if (writes.length === 0 || awaits.length === 0) return;
  writes.sort((a, b) => a.node.getStart(sf) - b.node.getStart(sf));
  const written = new Set(writes.map((w) => w.name));
  walk(h, (n) => {
    if (!ts.isIdentifier(n) || !written.has(n.text) || writeTargets.has(n)) return true;
    const p = n.parent;
    if (p && ts.isPropertyAccessExpression(p) && p.name === n) return true;
    if (!isModuleLevel(ctx, n)) return true;
    const list = reads.get(n.text) ?? [];
    list.push(n.getStart(sf));
    reads.set(n.text, list);
    return true;
  });
  const reported = new Set<string>();
  for (const w of writes) {
    if (reported.has(w.name)) continue;
    const rs = reads.get(w.name) ?? [];
    const racy = rs.some((r) => r < w.at && awaits.some((a) => a > r && a < w.at));
    if (!racy) continue;
    reported.add(w.name);
    ctx.report(
      'MCP302',
      w.node,
      `Tool \`${d.def.name}\` reads module-level \`${w.name}\`, awaits, then writes it: concurrent calls interleave at the \`await\` and overwrite each other's update. Re-read after the await, make the update atomic, or guard it with a mutex (e.g. \`async-mutex\`'s \`runExclusive\`).`,
      { data: { tool: d.def.name, name: w.name } },
    );
  }
}

const SLEEP_NAMES = /^(sleep|delay|wait|setTimeout|timeout|pause)$/;

function sleepMs(ctx: RuleContext, call: ts.CallExpression): number | undefined {
  const name = calleeName(call) ?? '';
  if (!SLEEP_NAMES.test(name)) return undefined;
  const arg = name === 'setTimeout' ? (call.arguments[1] ?? call.arguments[0]) : call.arguments[0];
  const a = arg && unwrap(arg);
  if (a && ctx.ts.isNumericLiteral(a)) return Number(a.text.replace(/_/g, ''));
  return NaN;
}

function mcp402(ctx: RuleContext, d: DefFact): void {
  const { ts, sf } = ctx;
  const h = d.handler!;
  const text = ctx.handlerInfo(h).text;
  if (!/\b(while|for|do)\b|sleep|setTimeout|delay|\bwait\(/.test(text)) return;
  if (
    /reportProgress|sendNotification|notifications\/progress|AbortSignal\.timeout|signal\s*:|Promise\.race|withTimeout/.test(
      text,
    )
  )
    return;
  const tool = d.def.name;
  const info = ctx.handlerInfo(h);
  const sleepAwaits = info.awaits.filter((x) => {
    const inner = unwrapAwait(x);
    return (
      (ts.isCallExpression(inner) && sleepMs(ctx, inner) !== undefined) ||
      (ts.isNewExpression(inner) && /setTimeout/.test(inner.getText(sf)))
    );
  });
  const loop = info.loops.find((l) => sleepAwaits.some((a) => contains(l, a)));
  // A loop bounded by a count (`for (let i = 0; i < MAX_POLL_ATTEMPTS; i++)`, `while (attempts <
  // MAX_RETRIES)`) has a deadline: report it only when the bound times the sleep is known and
  // exceeds the clients' 60 s request timeout.
  const bound = loop && loopBound(ctx, loop);
  if (loop && bound) {
    const wait = sleepAwaits
      .filter((a) => contains(loop, a))
      .map((a) => sleepMs(ctx, unwrapAwait(a) as ts.CallExpression));
    const ms = wait.length === 1 && typeof wait[0] === 'number' && !Number.isNaN(wait[0]) ? wait[0] : undefined;
    if (bound.count === undefined || ms === undefined || bound.count * ms < 60_000) return;
    ctx.report(
      'MCP402',
      loop,
      `Tool \`${tool}\` polls up to ${bound.count} times ${Math.round(ms / 100) / 10} s apart (up to ${Math.round((bound.count * ms) / 1000)} s) without reporting progress: clients cancel requests after a fixed time (60 s by default in the TS SDK, \`MCP error -32001: Request timed out\`). Send progress notifications from the loop, or lower the bound.`,
      { data: { tool, bounded: true } },
    );
    return;
  }
  if (loop) {
    ctx.report(
      'MCP402',
      loop,
      `Tool \`${tool}\` polls in a loop without reporting progress or enforcing a timeout: clients cancel requests after a fixed time (60 s by default in the TS SDK, \`MCP error -32001: Request timed out\`). Send progress notifications from the loop and bound it with a deadline.`,
      { data: { tool } },
    );
    return;
  }
  for (const c of info.calls) {
    const ms = sleepMs(ctx, c);
    if (ms !== undefined && ms >= 30_000) {
      ctx.report(
        'MCP402',
        c,
        `Tool \`${tool}\` waits ${Math.round(ms / 1000)} s in one call with no progress notifications; clients time out long requests (60 s by default). Report progress while waiting or return early with a handle the caller can poll.`,
        { data: { tool } },
      );
      return;
    }
  }
}

/** Whether `node` sits in an `if` on `process.argv` whose branch exits the process (a CLI sub-command). */
function inExitingArgvBranch(ctx: RuleContext, node: ts.Node): boolean {
  const { ts, sf } = ctx;
  for (let p: ts.Node = node; p.parent; p = p.parent) {
    const parent = p.parent;
    if (
      ts.isIfStatement(parent) &&
      parent.thenStatement === p &&
      /process\.argv/.test(parent.expression.getText(sf)) &&
      /process\.exit\s*\(/.test(p.getText(sf))
    )
      return true;
  }
  return false;
}

/**
 * The iteration bound of a counted loop: `for (...; i < N; ...)`, `while (attempts < N)`, with N a
 * number literal or a constant bound to one (`count` undefined when N is computed but the loop is
 * still counted). Undefined for unbounded loops (`while (true)`, `for (;;)`).
 */
function loopBound(ctx: RuleContext, loop: ts.Node): { count?: number } | undefined {
  const { ts } = ctx;
  let cond: ts.Expression | undefined;
  if (ts.isForStatement(loop)) cond = loop.condition;
  else if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) cond = loop.expression;
  else if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return {};
  if (!cond) return undefined;
  const c = unwrap(cond);
  if (!ts.isBinaryExpression(c)) return undefined;
  const op = c.operatorToken.kind;
  const S = ts.SyntaxKind;
  let limit: ts.Expression | undefined;
  if (op === S.LessThanToken || op === S.LessThanEqualsToken) limit = c.right;
  else if (op === S.GreaterThanToken || op === S.GreaterThanEqualsToken) limit = c.left;
  if (!limit) return undefined;
  let v = unwrap(limit);
  if (ts.isIdentifier(v)) {
    const init = initializerOf(ctx.facts, v);
    if (init) v = unwrap(init);
  }
  if (ts.isNumericLiteral(v)) {
    const n = Number(v.text.replace(/_/g, ''));
    return { count: op === S.LessThanEqualsToken || op === S.GreaterThanEqualsToken ? n + 1 : n };
  }
  return {};
}

function mcp404(ctx: RuleContext, d: DefFact): void {
  const { ts } = ctx;
  const h = d.handler!;
  const text = ctx.handlerInfo(h).text;
  const tool = d.def.name;
  for (const call of callsIn(ctx, h)) {
    const ref = resolveRef(ctx.facts, call.expression);
    const m = calleeName(call) ?? '';
    if (
      ref?.module === 'fs' &&
      (ref.name === 'watch' || ref.name === 'watchFile') &&
      !/\.close\(|unwatchFile|\.return\(|signal\s*:/.test(text)
    ) {
      ctx.report(
        'MCP404',
        call,
        `Tool \`${tool}\` starts \`${ref.name}\` on every call and never closes it: watchers pile up (file descriptors, memory) for the life of the server. Close the watcher before returning, or create one watcher at startup.`,
        { data: { tool } },
      );
    } else if (m === 'setInterval' && ts.isIdentifier(call.expression) && !/clearInterval/.test(text)) {
      ctx.report(
        'MCP404',
        call,
        `Tool \`${tool}\` starts a \`setInterval\` on every call and never clears it: timers accumulate and keep running for the life of the server. Call \`clearInterval\` when the work is done, or start one timer at startup.`,
        { data: { tool } },
      );
    } else if ((m === 'on' || m === 'addListener') && ts.isPropertyAccessExpression(call.expression)) {
      const recv = unwrap(call.expression.expression);
      const shared = ts.isIdentifier(recv) && (recv.text === 'process' || isModuleLevel(ctx, recv));
      if (shared && !/\.off\(|removeListener|removeAllListeners/.test(text)) {
        const nm = (recv as ts.Identifier).text;
        ctx.report(
          'MCP404',
          call,
          `Tool \`${tool}\` adds a \`${stringValue(call.arguments[0]) ?? 'event'}\` listener to long-lived \`${nm}\` on every call and never removes it: listeners accumulate (\`MaxListenersExceededWarning\`) and keep closures alive. Use \`once\`, or remove the listener with \`off\` when done.`,
          { data: { tool } },
        );
      }
    }
  }
}

const SLOW_INIT_METHODS = new Set([
  '$connect',
  'createConnection',
  'createPool',
  'loadModel',
  'fromPretrained',
  'from_pretrained',
  'pipeline',
]);

/** The package a bare specifier belongs to (`@scope/pkg`, `pkg`); undefined for relative paths and URLs. */
function packageRoot(spec: string): string | undefined {
  const s = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (!s || s.startsWith('.') || s.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(s)) return undefined;
  const parts = s.split('/');
  return s.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Packages the file imports statically (import declarations, `import x = require`, `require()`). */
function staticPackages(ctx: RuleContext): Set<string> {
  const { ts } = ctx;
  const out = new Set<string>();
  for (const { module, node } of ctx.facts.moduleSpecifiers) {
    const p = node.parent;
    if (p && ts.isCallExpression(p) && p.expression.kind === ts.SyntaxKind.ImportKeyword) continue;
    const root = packageRoot(module);
    if (root) out.add(root);
  }
  return out;
}

/** Awaited work that delays the handshake: before `connect()`/`start()`, in the same function or at module top level. */
function mcp401(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const startCalls = ctx.facts.servers.flatMap((s) => s.starts.map((st) => st.call));
  if (startCalls.length === 0) return;
  const serverNames = new Set(ctx.facts.servers.map((s) => s.name));
  const starts = new Set<ts.Node>(startCalls);
  const loaded = staticPackages(ctx);
  const slow = (aw: ts.AwaitExpression, depth = 0): string | undefined => {
    const e = unwrap(aw.expression);
    if (!ts.isCallExpression(e) || starts.has(e)) return undefined;
    // A local async function that awaits such work itself: `await fetchRobotsTxt()`.
    if (ts.isIdentifier(e.expression) && depth < 2) {
      for (const fn of ctx.facts.functions.get(e.expression.text) ?? []) {
        // A function that starts the server itself is the start, not work before it.
        if (startCalls.some((c) => fn.pos <= c.pos && c.end <= fn.end)) continue;
        for (const a of ctx.facts.awaits) {
          if (scopeOf(a) !== fn) continue;
          const what = slow(a, depth + 1);
          if (what)
            return `\`${e.expression.text}()\`, which awaits ${what} (line ${sf.getLineAndCharacterOfPosition(a.getStart(sf)).line + 1}),`;
        }
      }
    }
    if (e.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = e.arguments[0] && ts.isStringLiteralLike(e.arguments[0]) ? e.arguments[0].text : undefined;
      const root = spec === undefined ? undefined : packageRoot(spec);
      // A Node built-in, or a part of a package this file already imports statically: the
      // package is loaded by then, and resolving one more of its files takes milliseconds.
      if (root && (isBuiltin(root) || loaded.has(root))) return undefined;
      // The package's own module (`./transport/http.js`): read from disk like its static imports.
      if (spec !== undefined && /^\.\.?\//.test(spec)) return undefined;
      return `dynamic \`import(${e.arguments[0]?.getText(sf) ?? ''})\``;
    }
    const m = calleeName(e) ?? '';
    if (m === 'fetch' && ts.isIdentifier(e.expression)) return 'a network request (`fetch`)';
    if (SLOW_INIT_METHODS.has(m)) return `\`${e.expression.getText(sf)}()\``;
    if (
      m === 'connect' &&
      ts.isPropertyAccessExpression(e.expression) &&
      !serverNames.has(e.expression.expression.getText(sf))
    )
      return `\`${e.expression.getText(sf)}()\``;
    const ref = resolveRef(ctx.facts, e.expression);
    if (ref && /^(axios|got|node-fetch|undici)$/.test(ref.module))
      return `a network request (\`${e.expression.getText(sf)}\`)`;
    // Work on (or handed) a client of a remote service: `await bq.query(...)`,
    // `await scanDatasets(bigquery, ...)` with `bigquery = new BigQuery(...)`.
    const receiver = ts.isPropertyAccessExpression(e.expression) ? [e.expression.expression] : [];
    for (const x of [...receiver, ...e.arguments]) {
      const module = remoteClientOf(ctx, x);
      if (module)
        return x === receiver[0]
          ? `\`${e.expression.getText(sf)}(...)\` on the ${module} client`
          : `\`${e.expression.getText(sf)}(...)\`, handed the ${module} client \`${x.getText(sf)}\`,`;
    }
    return undefined;
  };
  const seen = new Set<ts.Node>();
  const check = (scope: ts.Node, before: number, startText: string, start: ts.Node): void => {
    for (const n of ctx.facts.awaits) {
      if (seen.has(n) || n.getStart(sf) >= before || scopeOf(n) !== scope) continue;
      // A CLI sub-command (`if (process.argv[2] === "auth") { ...; process.exit(0) }`) never reaches the server start.
      if (inExitingArgvBranch(ctx, n)) continue;
      const path = pathToStart(ctx, n, start, scope);
      if (path.kind === 'off') continue;
      const what = slow(n);
      if (!what) continue;
      seen.add(n);
      const optional = path.kind === 'optional' ? ` (only when \`${path.condition}\` holds)` : '';
      ctx.report(
        'MCP401',
        n,
        `${what[0]!.toUpperCase()}${what.slice(1)} is awaited before \`${startText}\`${optional}: the client's \`initialize\` gets no answer until it finishes, and slow first runs exceed client start timeouts (Claude Code allows 30 s). Connect the transport first and load this lazily (or in the background).`,
        { data: { work: what }, ...(optional ? { downgrade: true } : {}) },
      );
    }
  };
  // A connect per HTTP request (in a route handler, or beside `transport.handleRequest`) is no
  // startup: the process already listens, and awaits before it delay one request, not initialize.
  const routes = routeHandlers(ctx);
  const perRequest = (call: ts.Node): boolean => {
    if (routes.some((r) => r.pos <= call.pos && call.end <= r.end)) return true;
    const fn = scopeOf(call);
    if (!isFunctionLike(fn)) return false;
    // `handleRequest` in the same function (also in a callback of it, `store.run(ctx, async () =>
    // ...)`), but not in a route it registers: `main()` that connects once and routes requests
    // to the transport starts the server.
    return ctx.facts.calls.some(
      (c) =>
        calleeName(c) === 'handleRequest' &&
        fn.pos <= c.pos &&
        c.end <= fn.end &&
        !routes.some((r) => fn.pos <= r.pos && r.end <= fn.end && r.pos <= c.pos && c.end <= r.end),
    );
  };
  for (const call of startCalls) {
    if (perRequest(call)) continue;
    const startText = `${call.expression.getText(sf)}()`;
    const scope = scopeOf(call);
    check(scope, call.getStart(sf), startText, call);
    // Module-level awaits before the top-level call of the enclosing function.
    if (isFunctionLike(scope)) {
      const fname =
        scope.name && ts.isIdentifier(scope.name)
          ? scope.name.text
          : scope.parent && ts.isVariableDeclaration(scope.parent) && ts.isIdentifier(scope.parent.name)
            ? scope.parent.name.text
            : undefined;
      if (!fname) continue;
      const topCall = callsNamed(ctx.facts, fname).find(
        (c) => ts.isIdentifier(c.expression) && scopeOf(c).kind === ts.SyntaxKind.SourceFile,
      );
      if (topCall) check(sf, topCall.getStart(sf), startText, topCall);
    }
  }
}

/** The module of the remote-service client an expression holds (`new BigQuery(...)`, `new pg.Pool(...)`), if any. */
function remoteClientOf(ctx: RuleContext, x: ts.Expression): string | undefined {
  const { ts } = ctx;
  const u = unwrap(x);
  if (!ts.isIdentifier(u)) return undefined;
  const values = [initializerOf(ctx.facts, u), ...(ctx.facts.assignments.get(u.text) ?? []).map((a) => a.right)];
  for (const v of values) {
    const init = v && unwrapAwait(unwrap(v));
    if (!init || !(ts.isNewExpression(init) || ts.isCallExpression(init))) continue;
    const ref = resolveRef(ctx.facts, init.expression);
    if (ref && isRemoteClientModule(ref.module)) return ref.module;
  }
  return undefined;
}
