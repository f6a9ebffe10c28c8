/**
 * Startup connection rules: MCP104 (a server with tools that never starts a transport) and MCP112
 * (a start whose promise is neither awaited nor caught, or caught without exiting).
 */
import type * as ts from 'typescript';
import { calleeName, edit, unwrap, walk } from '../../astUtil';
import { type RuleContext, findAll } from '../../context';
import { callsNamed } from '../../facts';
import { initializerOf, resolveRef } from '../../resolve';
import { findServer } from '../../servers';

export function mcp104(ctx: RuleContext): void {
  const { ts, sf } = ctx;
  const f = ctx.facts;
  if (f.servers.length === 0 || !f.defs.some((d) => d.def.kind === 'tool')) return;
  // Any connect/start/listen anywhere means the file wires a transport (possibly to an imported server).
  const anyStart = callsNamed(f, 'connect', 'start', 'handleRequest').length > 0;
  if (anyStart) return;
  for (const s of f.servers) {
    if (!s.moduleLevel || s.name === '<anonymous>' || s.name.startsWith('this.')) continue;
    if (f.exported.has(s.name)) continue;
    // Passed to another function (`runServer(server)`) or returned: started elsewhere.
    const escapes =
      f.calls.some((c) =>
        c.arguments.some((a) => {
          const u = unwrap(a);
          return ts.isIdentifier(u) && u.text === s.name;
        }),
      ) ||
      findAll(sf, ts.isReturnStatement).some(
        (r) =>
          r.expression &&
          ts.isIdentifier(unwrap(r.expression)) &&
          (unwrap(r.expression) as ts.Identifier).text === s.name,
      );
    if (escapes) continue;
    const how =
      s.kind === 'fastmcp'
        ? `\`${s.name}.start({ transportType: "stdio" })\``
        : `\`await ${s.name}.connect(new StdioServerTransport())\``;
    ctx.report(
      'MCP104',
      s.node,
      `\`${s.name}\` registers tools but no transport is ever started: no \`connect()\`/\`start()\` call exists, so \`node\` exits immediately with status 0 and clients report "Connection closed". Add ${how} at the end of the entry module.`,
      { data: { server: s.name } },
    );
  }
}

/**
 * Local async functions that start the server (connect/start/listen), plus `main`; not one that
 * serves a single HTTP request.
 */
function entryFunctions(ctx: RuleContext): Set<string> {
  const { ts } = ctx;
  const out = new Set<string>();
  for (const [name, fns] of ctx.facts.functions) {
    for (const fn of fns) {
      const isAsync = (ts.getModifiers(fn as ts.FunctionDeclaration) ?? []).some(
        (m) => m.kind === ts.SyntaxKind.AsyncKeyword,
      );
      if (!isAsync) continue;
      let starts = name === 'main';
      // A function that hands a request to a transport (`transport.handleRequest(req, res)`)
      // serves one HTTP request: its promise settles per request, not at startup.
      // (A route callback inside `main` does not make `main` one.)
      let perRequest = false;
      walk(fn, (n) => {
        if (ts.isCallExpression(n)) {
          const callee = calleeName(n) ?? '';
          if (['connect', 'start', 'listen'].includes(callee)) starts = true;
          if (callee === 'handleRequest' && ts.findAncestor(n.parent, ts.isFunctionLike) === fn) perRequest = true;
        }
        return !perRequest;
      });
      if (starts && !perRequest) out.add(name);
    }
  }
  return out;
}

function handlerExits(ctx: RuleContext, h: ts.Expression | undefined): boolean {
  if (!h) return false;
  const { ts } = ctx;
  let found = false;
  walk(h, (n) => {
    if (found) return false;
    if (ts.isThrowStatement(n)) found = true;
    else if (
      ts.isPropertyAccessExpression(n) &&
      (n.name.text === 'exit' || n.name.text === 'exitCode') &&
      isProcess(ctx, n.expression)
    )
      found = true;
    return !found;
  });
  return found;
}

/**
 * `process`, or a parameter that every caller in this file passes `process` to
 * (`function bootstrap(proc) { main().catch(() => proc.exit(1)) }` … `bootstrap(process)`).
 */
function isProcess(ctx: RuleContext, e: ts.Expression): boolean {
  const { ts } = ctx;
  const x = unwrap(e);
  if (!ts.isIdentifier(x)) return false;
  if (x.text === 'process') return true;
  for (let p: ts.Node | undefined = x.parent; p; p = p.parent) {
    if (!ts.isFunctionDeclaration(p) || !p.name) continue;
    const i = p.parameters.findIndex((q) => ts.isIdentifier(q.name) && q.name.text === x.text);
    if (i < 0) continue;
    const calls = callsNamed(ctx.facts, p.name.text).filter((c) => ts.isIdentifier(c.expression));
    return calls.length > 0 && calls.every((c) => c.arguments[i]?.getText(ctx.sf) === 'process');
  }
  return false;
}

export function mcp112(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  const entries = entryFunctions(ctx);
  const isStartCall = (c: ts.CallExpression): string | undefined => {
    const e = c.expression;
    if (ts.isPropertyAccessExpression(e)) {
      const recv = e.expression.getText(sf);
      const server = findServer(ctx.facts, recv, c);
      if (!server) return undefined;
      if (e.name.text === 'connect' && server.kind !== 'fastmcp') return `${recv}.connect()`;
      if (e.name.text === 'start' && server.kind === 'fastmcp') return `${recv}.start()`;
      return undefined;
    }
    if (ts.isIdentifier(e) && entries.has(e.text)) return `${e.text}()`;
    return undefined;
  };
  const catchFix = (c: ts.Node) =>
    ctx.fix(
      'Exit with an error when startup fails',
      [edit(file, sf, c.getEnd(), c.getEnd(), '.catch((err) => {\n  console.error(err);\n  process.exit(1);\n})')],
      true,
    );
  /**
   * `main()` whose start calls all sit in a `try` whose `catch` exits the process: its promise
   * cannot reject with a startup failure, so leaving it unawaited is fine.
   */
  const handlesItself = (name: string): boolean => {
    const fns = ctx.facts.functions.get(name) ?? [];
    // An async function that awaits nothing itself fails only by throwing synchronously, which
    // ends the process just as a plain function would: the promise adds no unhandled case.
    if (fns.length && fns.every((fn) => !awaitsItself(ctx, fn))) return true;
    // Nothing it awaits can fail at startup (a stdio connect, starts whose failure it catches).
    if (fns.length && fns.every((fn) => cannotReject(ctx, fn))) return true;
    return fns.some((fn) => {
      const starts: ts.CallExpression[] = [];
      walk(fn, (n) => {
        if (ts.isCallExpression(n) && ['connect', 'start', 'listen'].includes(calleeName(n) ?? '')) starts.push(n);
        return true;
      });
      return (
        starts.length > 0 &&
        starts.every((c) => {
          for (let p: ts.Node | undefined = c.parent; p && p !== fn; p = p.parent)
            if (ts.isTryStatement(p) && p.catchClause && /process\.exit\s*\(/.test(p.catchClause.getText(sf)))
              return true;
          return false;
        })
      );
    });
  };
  for (const call of callsNamed(ctx.facts, 'connect', 'start', ...entries)) {
    const what = isStartCall(call);
    if (!what) continue;
    if (ts.isIdentifier(call.expression) && handlesItself(call.expression.text)) continue;
    let p: ts.Node = call;
    while (p.parent && (ts.isParenthesizedExpression(p.parent) || ts.isVoidExpression(p.parent))) p = p.parent;
    const parent = p.parent;
    if (parent && ts.isExpressionStatement(parent)) {
      ctx.report(
        'MCP112',
        call,
        `\`${what}\` returns a promise that is neither awaited nor caught: if startup fails, Node reports an unhandled rejection and exits (clients only see "Connection closed"). Add \`.catch((err) => { console.error(err); process.exit(1); })\` or \`await\` it inside a try/catch.`,
        {
          fixes: [catchFix(call)],
          data: { call: what },
        },
      );
      continue;
    }
    // x().catch(h) where h does not exit; x().then(ok) without a rejection handler
    if (
      parent &&
      ts.isPropertyAccessExpression(parent) &&
      parent.expression === p &&
      parent.parent &&
      ts.isCallExpression(parent.parent)
    ) {
      const chained = parent.parent;
      const stmt = chained.parent;
      if (!stmt || !ts.isExpressionStatement(stmt)) continue;
      if (parent.name.text === 'catch' && !handlerExits(ctx, chained.arguments[0])) {
        ctx.report(
          'MCP112',
          chained,
          `The \`.catch\` on \`${what}\` logs the error but leaves a half-started process running: the client waits for a handshake that never comes. Call \`process.exit(1)\` in the handler.`,
          { downgrade: true, data: { call: what, handler: 'no-exit' } },
        );
      } else if (parent.name.text === 'then' && chained.arguments.length < 2) {
        ctx.report(
          'MCP112',
          chained,
          `\`${what}.then(...)\` has no rejection handler: a startup failure becomes an unhandled rejection. Add \`.catch((err) => { console.error(err); process.exit(1); })\`.`,
          { fixes: [catchFix(chained)], data: { call: what } },
        );
      }
      continue;
    }
  }
  for (const stmt of sf.statements) {
    if (!ts.isExpressionStatement(stmt) || !ts.isCallExpression(stmt.expression)) continue;
    const outer = stmt.expression;
    // `server.run().catch(h)` / `server.run().then(ok)`: the chained handler decides.
    const chain =
      ts.isPropertyAccessExpression(outer.expression) &&
      ['catch', 'then'].includes(outer.expression.name.text) &&
      ts.isCallExpression(outer.expression.expression)
        ? outer.expression
        : undefined;
    const call = chain ? (chain.expression as ts.CallExpression) : outer;
    const what = entryMethodCall(ctx, call);
    if (!what || cannotReject(ctx, what.node)) continue;
    if (chain?.name.text === 'catch') {
      if (handlerExits(ctx, outer.arguments[0])) continue;
      ctx.report(
        'MCP112',
        outer,
        `The \`.catch\` on \`${what.call}\` (\`${what.method}\` starts the server: ${what.start}) logs the error but leaves a half-started process running: the client waits for a handshake that never comes. Call \`process.exit(1)\` in the handler.`,
        { downgrade: true, data: { call: what.call, handler: 'no-exit' } },
      );
      continue;
    }
    if (chain && outer.arguments.length >= 2) continue;
    ctx.report(
      'MCP112',
      outer,
      chain
        ? `\`${what.call}.then(...)\` has no rejection handler, and \`${what.method}\` starts the server (${what.start}) without catching its failure: a startup failure becomes an unhandled rejection. Add \`.catch((err) => { console.error(err); process.exit(1); })\`.`
        : `\`${what.call}\` returns a promise that is neither awaited nor caught, and \`${what.method}\` is an async method that starts the server (${what.start}) without catching its failure: if startup fails, Node reports an unhandled rejection and exits (clients only see "Connection closed"). Add \`.catch((err) => { console.error(err); process.exit(1); })\`.`,
      { fixes: [catchFix(outer)], data: { call: what.call } },
    );
  }
}

/** Whether a function's own body (not the functions nested in it) awaits. */
function awaitsItself(ctx: RuleContext, fn: ts.Node): boolean {
  const { ts } = ctx;
  let found = false;
  walk(fn, (n) => {
    if (found) return false;
    if (n !== fn && ts.isFunctionLike(n)) return false;
    if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && !!n.awaitModifier)) found = true;
    return !found;
  });
  return found;
}

/**
 * A top-level `x.run()` call (alone, or with `.catch`/`.then` chained) where `x = new C(...)`, `C` is a class of this file and `run` an
 * async method that starts the server: it calls `connect`/`start`/`listen`, or hands the class's
 * SDK server (`this.server`) to a function (`initializeTransport(this.server, config)`), and no
 * `try` whose `catch` exits surrounds that call.
 */
function entryMethodCall(
  ctx: RuleContext,
  call: ts.CallExpression,
): { call: string; method: string; start: string; node: ts.MethodDeclaration } | undefined {
  const { ts, sf } = ctx;
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
  const init = initializerOf(ctx.facts, callee.expression);
  const ctor = init && unwrap(init);
  if (!ctor || !ts.isNewExpression(ctor) || !ts.isIdentifier(ctor.expression)) return undefined;
  const className = ctor.expression.text;
  const cls = sf.statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className,
  );
  const method = cls?.members.find(
    (m): m is ts.MethodDeclaration =>
      ts.isMethodDeclaration(m) &&
      !!m.body &&
      ts.isIdentifier(m.name) &&
      m.name.text === callee.name.text &&
      (ts.getModifiers(m) ?? []).some((x) => x.kind === ts.SyntaxKind.AsyncKeyword),
  );
  if (!method?.body) return undefined;
  const serverFields = new Set(ctx.facts.servers.map((s) => s.name).filter((n) => n.startsWith('this.')));
  let start: ts.CallExpression | undefined;
  walk(method.body, (n) => {
    if (start) return false;
    if (!ts.isCallExpression(n)) return true;
    const name = calleeName(n) ?? '';
    const handsServer = n.arguments.some((a) => serverFields.has(unwrap(a).getText(sf)));
    if (!['connect', 'start', 'listen'].includes(name) && !handsServer) return true;
    for (let p: ts.Node | undefined = n.parent; p && p !== method; p = p.parent)
      if (ts.isTryStatement(p) && p.catchClause && /process\.exit\s*\(/.test(p.catchClause.getText(sf))) return true;
    start = n;
    return false;
  });
  if (!start) return undefined;
  return {
    call: `${callee.getText(sf)}()`,
    method: `${className}.${callee.name.text}`,
    start: `\`${start.expression.getText(sf)}(...)\` on line ${sf.getLineAndCharacterOfPosition(start.getStart(sf)).line + 1}`,
    node: method,
  };
}

/**
 * Whether an async function's promise cannot reject with a startup failure: every `await` of its
 * own body sits in a `try` whose `catch` does not throw, awaits a stdio `connect()` (the
 * transport's `start()` rejects only when started twice), or awaits a function or method of this
 * file that cannot reject either (`await application.run()` whose start is caught).
 */
function cannotReject(ctx: RuleContext, fn: ts.Node, depth = 0): boolean {
  const { ts } = ctx;
  if (depth > 3) return false;
  const caught = (n: ts.Node): boolean => {
    for (let p: ts.Node | undefined = n.parent; p && p !== fn; p = p.parent)
      if (ts.isTryStatement(p) && p.catchClause && p.tryBlock.pos <= n.pos && n.end <= p.tryBlock.end)
        if (!findAll(p.catchClause, (x): x is ts.ThrowStatement => ts.isThrowStatement(x)).length) return true;
    return false;
  };
  let ok = true;
  walk(fn, (n) => {
    if (!ok || (n !== fn && ts.isFunctionLike(n))) return false;
    if (ts.isForOfStatement(n) && n.awaitModifier && !caught(n)) ok = false;
    if (!ts.isAwaitExpression(n)) return ok;
    const e = unwrap(n.expression);
    if (!caught(n) && !(ts.isCallExpression(e) && (stdioConnect(ctx, e) || calleeCannotReject(ctx, e, depth))))
      ok = false;
    return false;
  });
  return ok;
}

/** `server.connect(new StdioServerTransport())`, also through a local `const transport = new ...`. */
function stdioConnect(ctx: RuleContext, call: ts.CallExpression): boolean {
  const { ts } = ctx;
  if (calleeName(call) !== 'connect' || !call.arguments[0]) return false;
  let arg = unwrap(call.arguments[0]);
  if (ts.isIdentifier(arg)) arg = unwrap(initializerOf(ctx.facts, arg) ?? arg);
  return ts.isNewExpression(arg) && resolveRef(ctx.facts, arg.expression)?.name === 'StdioServerTransport';
}

/** A call of a function of this file, or of a method of a class of this file (`this.m()`, `app.m()` with `app = new App()`), that cannot reject. */
function calleeCannotReject(ctx: RuleContext, call: ts.CallExpression, depth: number): boolean {
  const { ts, sf } = ctx;
  const e = call.expression;
  if (ts.isIdentifier(e)) {
    const fns = ctx.facts.functions.get(e.text) ?? [];
    return fns.length > 0 && fns.every((fn) => cannotReject(ctx, fn, depth + 1));
  }
  if (!ts.isPropertyAccessExpression(e)) return false;
  let cls: ts.ClassLikeDeclaration | undefined;
  if (e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    for (let p: ts.Node | undefined = call.parent; p && !cls; p = p.parent) if (ts.isClassLike(p)) cls = p;
  } else if (ts.isIdentifier(e.expression)) {
    const init = initializerOf(ctx.facts, e.expression);
    const ctor = init && unwrap(init);
    const name =
      ctor && ts.isNewExpression(ctor) && ts.isIdentifier(ctor.expression) ? ctor.expression.text : undefined;
    cls = sf.statements.find((st): st is ts.ClassDeclaration => ts.isClassDeclaration(st) && st.name?.text === name);
  }
  const m = cls?.members.find(
    (x): x is ts.MethodDeclaration => ts.isMethodDeclaration(x) && !!x.body && x.name.getText(sf) === e.name.text,
  );
  return !!m && cannotReject(ctx, m, depth + 1);
}
