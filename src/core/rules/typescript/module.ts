/**
 * Project-model facts of one TypeScript/JavaScript file (the Python side is `python/servers.ts`
 * `moduleFactsOf`): its relative imports with the names it takes from them, the transports it
 * starts, and the imported functions it calls only in HTTP-only code, and the stdout analysis of
 * a helper module (a file without MCP imports that a stdio server imports): `console.log` and
 * `process.stdout.write` in the functions such a server calls.
 */
import type * as ts from 'typescript';
import type { ModuleFacts, RuleHit } from '../types';
import { edit, isFunctionLike, rangeOf, stdoutWriteKind, unwrap, walk } from './astUtil';
import type { RuleContext } from './context';
import type { Facts } from './facts';
import { EnvGuards, processAssignments } from './envGuard';
import { stdioQuietData, stdioSelectors } from './paramGuard';
import { branchTransport, inHttpOnlyCode } from './rules/connection/transportPaths';
import { resultAfterWrite, testedBranches, type Truth } from './resultGuard';
import { ServePaths } from './servePath';
import { loadTypeScript } from './tsLoader';

/** `__importDefault(require("./x"))` and kin: what TypeScript emits for imports in CommonJS. */
const INTEROP = /^(?:__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard)$/;

/**
 * Local names bound to a whole relative module (`import * as ns`, a default import, `const ns =
 * require("./x")`, the CommonJS interop wrappers), with the module specifier.
 */
function namespaceBindings(facts: Facts): Map<string, string> {
  const ts = loadTypeScript();
  const out = new Map<string, string>();
  for (const [local, b] of facts.bindings)
    if (b.module.startsWith('.') && (b.name === '*' || b.name === 'default')) out.set(local, b.module);
  for (const [local, decls] of facts.decls) {
    for (const d of decls) {
      if (!ts.isVariableDeclaration(d) || !d.initializer) continue;
      const init = d.initializer;
      if (!ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || !INTEROP.test(init.expression.text))
        continue;
      const req = init.arguments[0];
      if (req && ts.isCallExpression(req) && ts.isIdentifier(req.expression) && req.expression.text === 'require') {
        const spec = req.arguments[0];
        if (spec && ts.isStringLiteralLike(spec) && spec.text.startsWith('.')) out.set(local, spec.text);
      }
    }
  }
  return out;
}

/**
 * The exported name a call reaches in another local module: `fn()` for `import { fn }`, `ns.fn()`
 * and `ns.default.fn()` for a whole-module binding (also as `(0, ns.fn)()`, the CommonJS emit).
 */
function importedCallee(
  ts: typeof import('typescript'),
  facts: Facts,
  spaces: Map<string, string>,
  callee: ts.Expression,
): { module: string; name: string } | undefined {
  let e = callee;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.CommaToken) e = e.right;
  if (ts.isIdentifier(e)) {
    const b = facts.bindings.get(e.text);
    if (b && b.module.startsWith('.') && b.name !== '*' && b.name !== 'default')
      return { module: b.module, name: b.name };
    return undefined;
  }
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  let obj = e.expression;
  if (ts.isPropertyAccessExpression(obj) && obj.name.text === 'default') obj = obj.expression;
  if (ts.isIdentifier(obj) && spaces.has(obj.text)) return { module: spaces.get(obj.text)!, name: e.name.text };
  return undefined;
}

/**
 * Imports (relative ones) with the names taken from them. A whole-module binding counts as the
 * names read from it (`ns.fn`, `ns.default.fn`); used in any other way, it is the whole module.
 */
function importsOf(facts: Facts): ModuleFacts['imports'] {
  const ts = loadTypeScript();
  const byModule = new Map<string, Set<string> | undefined>();
  for (const s of facts.moduleSpecifiers)
    if (s.module.startsWith('.') && !byModule.has(s.module)) byModule.set(s.module, new Set());
  for (const b of facts.bindings.values())
    if (b.module.startsWith('.') && b.name !== '*' && b.name !== 'default') byModule.get(b.module)?.add(b.name);
  const spaces = namespaceBindings(facts);
  if (spaces.size) {
    walk(facts.sf, (n) => {
      if (!ts.isIdentifier(n) || !spaces.has(n.text)) return true;
      const module = spaces.get(n.text)!;
      const p = n.parent;
      if (p && (ts.isVariableDeclaration(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) && p.name === n)
        return true;
      if (p && ts.isPropertyAccessExpression(p) && p.expression === n) {
        const name =
          p.name.text === 'default' && ts.isPropertyAccessExpression(p.parent) ? p.parent.name.text : p.name.text;
        byModule.get(module)?.add(name);
      } else byModule.set(module, undefined);
      return true;
    });
  }
  return [...byModule].map(([from, names]) => ({ from, names: names?.size ? [...names] : [] }));
}

const NESTED_OK = (ts: typeof import('typescript'), n: ts.Node): boolean => isFunctionLike(n) || ts.isClassLike(n);
const SERVE_NAME = /^(?:main|serve|start|run)|(?:Server|Serve|Main)$/;

/**
 * Where the path after a call goes, for `offStdio`: the statements after it in its block and the
 * blocks around it, up to its function. `exit` (process.exit), `return`, `serve` (a server start, a
 * transport, a local function that starts one, an imported entry function), `open` (a nested
 * jump or anything not followed), `end` (falls off the function or the file).
 */
class TsFlow {
  private readonly serving = new Map<ts.Node, boolean>();
  private readonly marks: ts.Node[] = [];

  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
    private readonly spaces: Map<string, string>,
  ) {
    for (const s of facts.servers) for (const st of s.starts) this.marks.push(st.call);
    for (const t of facts.transportsSeen) this.marks.push(t.node);
  }

  /** Whether running `node` may start a server (in this file or through an imported entry function). */
  serves(node: ts.Node, depth = 0): boolean {
    const { ts } = this;
    if (this.marks.some((m) => m.pos >= node.pos && m.end <= node.end)) return true;
    let found = false;
    walk(node, (n) => {
      if (found) return false;
      if (!ts.isCallExpression(n)) return true;
      const callee = n.expression;
      if (ts.isIdentifier(callee)) {
        for (const fn of this.facts.functions.get(callee.text) ?? []) if (this.fnServes(fn, depth)) found = true;
      }
      const imp = importedCallee(ts, this.facts, this.spaces, callee);
      if (imp && SERVE_NAME.test(imp.name)) found = true;
      return !found;
    });
    return found;
  }

  fnServes(fn: ts.Node, depth = 0): boolean {
    const hit = this.serving.get(fn);
    if (hit !== undefined) return hit;
    this.serving.set(fn, false);
    const v = depth < 6 && this.serves(fn, depth + 1);
    this.serving.set(fn, v);
    return v;
  }

  private isExit(s: ts.Statement): boolean {
    const { ts } = this;
    if (!ts.isExpressionStatement(s)) return false;
    let e = s.expression;
    if (ts.isAwaitExpression(e)) e = e.expression;
    return ts.isCallExpression(e) && e.expression.getText(this.facts.sf) === 'process.exit';
  }

  private hasJump(n: ts.Node, inLoop = false): boolean {
    const { ts } = this;
    if (NESTED_OK(ts, n)) return false;
    if (ts.isReturnStatement(n) || ts.isThrowStatement(n)) return true;
    if (ts.isBreakStatement(n) || ts.isContinueStatement(n)) return !inLoop;
    const loop = ts.isIterationStatement(n, false) || ts.isSwitchStatement(n);
    let found = false;
    ts.forEachChild(n, (c) => {
      if (!found && this.hasJump(c, inLoop || loop)) found = true;
    });
    return found;
  }

  forward(node: ts.Node): 'exit' | 'return' | 'serve' | 'open' | 'end' {
    const { ts } = this;
    let stmt: ts.Node | undefined = node;
    while (stmt && !(stmt.parent && (ts.isBlock(stmt.parent) || ts.isSourceFile(stmt.parent)))) {
      if (stmt.parent && NESTED_OK(ts, stmt.parent)) return 'open';
      stmt = stmt.parent;
    }
    for (let guard = 0; stmt && guard < 64; guard++) {
      const block = stmt.parent as ts.Block | ts.SourceFile;
      const stmts = block.statements;
      for (let i = stmts.indexOf(stmt as ts.Statement) + 1; i < stmts.length; i++) {
        const s = stmts[i]!;
        if (this.serves(s)) return 'serve';
        if (this.isExit(s)) return 'exit';
        if (ts.isReturnStatement(s)) return 'return';
        if (this.hasJump(s)) return 'open';
      }
      if (ts.isSourceFile(block)) return 'end';
      const owner = block.parent;
      if (!owner || isFunctionLike(owner)) return 'end';
      if (ts.isIterationStatement(owner, false) && this.serves(owner)) return 'serve';
      // if/else, try/catch/finally, loops, labelled blocks: continue after the whole statement.
      let up: ts.Node | undefined = owner;
      while (up && !(up.parent && (ts.isBlock(up.parent) || ts.isSourceFile(up.parent)))) {
        if (up.parent && (NESTED_OK(ts, up.parent) || ts.isCaseClause(up.parent) || ts.isDefaultClause(up.parent)))
          return 'open';
        up = up.parent;
      }
      if (up && ts.isTryStatement(up) && up.finallyBlock && this.serves(up.finallyBlock)) return 'serve';
      stmt = up;
    }
    return 'open';
  }

  /** The function a node sits in (nearest function-like), if any. */
  enclosing(node: ts.Node): ts.Node | undefined {
    for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n)) return n;
    return undefined;
  }

  /** True when the call cannot be followed by the server serving: an exit, or a return from the function that serves. */
  offPath(call: ts.Node): boolean {
    const out = this.forward(call);
    if (out === 'exit') return true;
    if (out !== 'return' && out !== 'end') return false;
    const fn = this.enclosing(call);
    // `connect()` returns while the server goes on serving: code after a start still serves.
    return !!fn && this.fnServes(fn) && !this.servesBefore(fn, call);
  }

  /** Whether something in `fn` that starts a server comes before `node`. */
  private servesBefore(fn: ts.Node, node: ts.Node): boolean {
    const { ts } = this;
    let found = false;
    walk(fn, (n) => {
      if (found || n.pos >= node.pos) return false;
      if (n.end <= node.pos && (ts.isExpressionStatement(n) || ts.isVariableStatement(n)) && this.serves(n))
        found = true;
      return !found;
    });
    return found;
  }
}

/**
 * Module facts of a file: imports, starts, and the imported functions it calls only off the stdio
 * path (in HTTP-only code, or on a CLI path that exits or returns before its server starts).
 */
export function tsModuleFacts(ctx: RuleContext): ModuleFacts {
  const { facts, ts } = ctx;
  const starts = new Set<ModuleFacts['starts'][number]>();
  for (const s of facts.servers) for (const st of s.starts) starts.add(st.opaque ? 'unknown' : st.kind);
  for (const t of facts.transportsSeen) starts.add(t.kind);
  const spaces = namespaceBindings(facts);
  const flow = new TsFlow(ts, facts, spaces);
  const paths = new ServePaths(ts, facts);
  const verdict = new Map<string, boolean>();
  const stdioArgs: Record<string, (string | null)[][]> = {};
  const stdioResults: Record<string, (Truth | null)[]> = {};
  for (const call of facts.calls) {
    const imp = importedCallee(ts, facts, spaces, call.expression);
    if (!imp) continue;
    const off =
      inHttpOnlyCode(ctx, call) ||
      branchTransport(ctx, call) === 'other' ||
      flow.offPath(call) ||
      (paths.applies && paths.verdict(call).on === 'no');
    verdict.set(imp.name, off && verdict.get(imp.name) !== false);
    if (off) continue;
    // The literal arguments of calls on the stdio path (a log level, a mode), for guarded writes.
    const list = (stdioArgs[imp.name] ??= []);
    if (list.length < 200) list.push(call.arguments.slice(0, 4).map((a) => literalText(ts, a)));
    // The value of the call that makes this caller leave the serving path (`if (!f()) return;`).
    const leaves = (stdioResults[imp.name] ??= []);
    if (leaves.length < 200) leaves.push(paths.applies ? leavingResult(ts, paths, call) : null);
  }
  const offStdio = [...verdict].filter(([, off]) => off).map(([n]) => n);
  // Modules loaded lazily (`await import("./x.js")`, `require("./x")` in a function): off the
  // stdio path when every load of them is. A static import runs whenever the file does.
  const loads = new Map<string, boolean>();
  const lazyPaths = new Map<string, ServePaths>();
  for (const s of facts.moduleSpecifiers) {
    if (!s.module.startsWith('.')) continue;
    const call = s.node.parent;
    const lazy =
      !!call &&
      ts.isCallExpression(call) &&
      call.arguments[0] === s.node &&
      (call.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(call.expression) && call.expression.text === 'require'));
    if (!lazy || loads.get(s.module) === false) {
      loads.set(s.module, false);
      continue;
    }
    // Asked with the module's own functions taken not to serve (`const { run } = await
    // import("./cli/x.js"); await run()`): the project model checks the module starts nothing.
    let own = lazyPaths.get(s.module);
    if (!own) lazyPaths.set(s.module, (own = new ServePaths(ts, facts, s.module)));
    const off =
      inHttpOnlyCode(ctx, call) ||
      branchTransport(ctx, call) === 'other' ||
      (own.applies && own.verdict(call).on === 'no');
    loads.set(s.module, off);
  }
  const offStdioImports = [...loads].filter(([, off]) => off).map(([m]) => m);
  const packages = runtimePackages(ts, facts);
  const { envSets, consoleRedirects: redirects } = processAssignments(ts, facts.sf);
  const selectors = paths.applies ? stdioSelectors(ts, paths.starts) : [];
  const sdkSchemas = facts.defs.some(
    (d) =>
      (d.style === 'register' || d.style === 'positional') &&
      !!d.schema &&
      !(
        ts.isCallExpression(unwrap(d.schema)) &&
        /fromJsonSchema$/.test((unwrap(d.schema) as ts.CallExpression).expression.getText(facts.sf))
      ),
  );
  return {
    imports: importsOf(facts),
    ...(packages.length ? { packages } : {}),
    starts: [...starts],
    mainGuard: false,
    ...(offStdio.length ? { offStdio } : {}),
    ...(offStdioImports.length ? { offStdioImports } : {}),
    ...(Object.keys(stdioArgs).length ? { stdioArgs } : {}),
    ...(Object.values(stdioResults).some((l) => l.some((r) => r !== null)) ? { stdioResults } : {}),
    ...(Object.keys(envSets).length ? { envSets } : {}),
    ...(redirects.length ? { consoleRedirects: redirects } : {}),
    ...(selectors.length ? { stdioSelectors: selectors } : {}),
    ...(sdkSchemas ? { sdkSchemas: true as const } : {}),
  };
}

/** The value of an imported call that makes the caller leave the serving path: the branch it selects starts nothing. */
function leavingResult(ts: typeof import('typescript'), paths: ServePaths, call: ts.CallExpression): Truth | null {
  const branches = testedBranches(ts, call);
  if (!branches) return null;
  for (const truth of ['falsy', 'truthy'] as const) {
    const branch = branches[truth];
    if (branch && paths.leadsToServe(branch).on === 'no') return truth;
  }
  return null;
}

/** Package names of the bare module specifiers a file loads at run time (not `import type`). */
function runtimePackages(ts: typeof import('typescript'), facts: Facts): string[] {
  const out = new Set<string>();
  for (const s of facts.moduleSpecifiers) {
    if (s.module.startsWith('.') || s.module.startsWith('/') || s.module.startsWith('node:')) continue;
    const d = s.node.parent;
    if (d && ts.isImportDeclaration(d) && d.importClause) {
      const c = d.importClause;
      const named = c.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      if (c.isTypeOnly || (!c.name && named && named.length > 0 && named.every((e) => e.isTypeOnly))) continue;
    }
    if (d && ts.isExportDeclaration(d) && d.isTypeOnly) continue;
    const parts = s.module.split('/');
    out.add(s.module.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return [...out];
}

function literalText(ts: typeof import('typescript'), e: ts.Expression): string | null {
  return ts.isStringLiteralLike(e) ? e.text : null;
}

/**
 * The string values of a parameter that select the clause a write sits in: `case "debug":` of a
 * `switch (level)` (with the empty cases that fall into it), `default:` (anything but the other
 * labels), `if (level === "debug")` and its `else`. Undefined when the write is not guarded so.
 */
function paramGuard(
  ts: typeof import('typescript'),
  fn: ts.FunctionLikeDeclaration,
  write: ts.Node,
): { param: number; def?: string; in?: string[]; notIn?: string[] } | undefined {
  const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : undefined));
  const paramOf = (e: ts.Expression): number => (ts.isIdentifier(e) ? params.indexOf(e.text) : -1);
  const labels = (c: ts.CaseOrDefaultClause): string[] | undefined =>
    ts.isCaseClause(c) && ts.isStringLiteralLike(c.expression) ? [c.expression.text] : undefined;
  for (let n: ts.Node = write; n.parent && n !== fn; n = n.parent) {
    const p = n.parent;
    let guard: { param: number; in?: string[]; notIn?: string[] } | undefined;
    if ((ts.isCaseClause(n) || ts.isDefaultClause(n)) && ts.isCaseBlock(p) && ts.isSwitchStatement(p.parent)) {
      const i = paramOf(p.parent.expression);
      if (i < 0) return undefined;
      const clauses = p.clauses;
      // Every label must be a string literal for the clause to be decided by values.
      if (clauses.some((c) => !ts.isDefaultClause(c) && !labels(c))) return undefined;
      const k = clauses.indexOf(n);
      // Empty clauses just above fall through into this one.
      let j = k;
      while (j > 0 && clauses[j - 1]!.statements.length === 0) j--;
      const selected = clauses.slice(j, k + 1);
      if (selected.some((c) => ts.isDefaultClause(c))) {
        const others = clauses.slice(0, j).concat(clauses.slice(k + 1));
        guard = { param: i, notIn: others.flatMap((c) => labels(c) ?? []) };
      } else guard = { param: i, in: selected.flatMap((c) => labels(c)!) };
    } else if (ts.isIfStatement(p) && n !== p.expression) {
      const c = p.expression;
      if (
        ts.isBinaryExpression(c) &&
        [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken].includes(c.operatorToken.kind)
      ) {
        const [id, lit] = ts.isStringLiteralLike(c.right) ? [c.left, c.right] : [c.right, c.left];
        const i = paramOf(id);
        if (i >= 0 && ts.isStringLiteralLike(lit))
          guard = n === p.thenStatement ? { param: i, in: [lit.text] } : { param: i, notIn: [lit.text] };
      }
    }
    if (guard) {
      const init = fn.parameters[guard.param]?.initializer;
      return { ...guard, ...(init && ts.isStringLiteralLike(init) ? { def: init.text } : {}) };
    }
  }
  return undefined;
}

/** The module-level function a node sits in (declaration or `const f = () => ...`), if any. */
function topFunction(ts: typeof import('typescript'), node: ts.Node): { name?: string; fn: ts.Node } | undefined {
  let top: ts.Node | undefined;
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) if (isFunctionLike(n)) top = n;
  if (!top) return undefined;
  if (ts.isFunctionDeclaration(top)) return { name: top.name?.text, fn: top };
  const p = top.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return { name: p.name.text, fn: top };
  return { fn: top };
}

/** The module-level function declaration (or `const f = () => …`) exported as `name`. */
function exportedFunction(facts: Facts, name: string): ts.Node | undefined {
  const ts = loadTypeScript();
  return (facts.functions.get(name) ?? []).find((f) => topFunction(ts, f.body ?? f)?.fn === f);
}

/** Module-level functions of a file and who mentions them (module-level code or another function). */
class Reach {
  private readonly mentions = new Map<string, Set<string | undefined>>();

  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
  ) {
    const topLevel = new Set<string>();
    for (const [name, fns] of facts.functions)
      for (const f of fns) if (topFunction(ts, f.body ?? f)?.fn === f) topLevel.add(name);
    walk(facts.sf, (n) => {
      if (!ts.isIdentifier(n) || !topLevel.has(n.text)) return true;
      const decl = n.parent;
      if (decl && (ts.isFunctionDeclaration(decl) || ts.isVariableDeclaration(decl)) && decl.name === n) return true;
      const owner = topFunction(ts, n)?.name;
      // At module level only a call runs the function (an export assignment does not).
      if (owner === undefined && !(ts.isCallExpression(n.parent) && n.parent.expression === n)) return true;
      let set = this.mentions.get(n.text);
      if (!set) this.mentions.set(n.text, (set = new Set()));
      set.add(owner);
      return true;
    });
  }

  /**
   * How other modules reach a node: at import time, or through these exported functions (empty:
   * nothing exported reaches it).
   */
  of(node: ts.Node): { importTime: boolean; entry: Set<string>; top?: string } {
    const top = topFunction(this.ts, node);
    const entry = new Set<string>();
    if (!top) return { importTime: true, entry };
    let importTime = false;
    if (top.name) {
      const seen = new Set([top.name]);
      const queue = [top.name];
      while (queue.length) {
        const name = queue.pop()!;
        if (this.facts.exported.has(name)) entry.add(name);
        for (const owner of this.mentions.get(name) ?? []) {
          if (owner === undefined) importTime = true;
          else if (!seen.has(owner)) {
            seen.add(owner);
            queue.push(owner);
          }
        }
      }
    }
    return { importTime, entry, top: top.name };
  }
}

/**
 * For a helper module: through which of its exported functions it calls each function imported
 * from another local module (null: at import time), so the project model can follow a chain of
 * helpers up to the MCP file that calls the first one.
 */
export function helperVia(facts: Facts): Record<string, string[] | null> {
  const ts = loadTypeScript();
  const spaces = namespaceBindings(facts);
  const reach = new Reach(ts, facts);
  const out: Record<string, string[] | null> = {};
  for (const call of facts.calls) {
    const imp = importedCallee(ts, facts, spaces, call.expression);
    if (!imp || out[imp.name] === null) continue;
    const r = reach.of(call);
    if (r.importTime) out[imp.name] = null;
    else out[imp.name] = [...new Set([...(out[imp.name] ?? []), ...r.entry])];
  }
  return out;
}

/**
 * MCP102 in a helper module: each stdout write, with the exported functions through which other
 * modules reach it (`data.entryFns`, checked against the importers by the project model), or none
 * when it runs at import time. Writes in functions nothing exported reaches are not reported.
 */
function exitsCleanlyAfter(ts: typeof import('typescript'), facts: Facts, write: ts.Node, entryName: string): boolean {
  const fn = exportedFunction(facts, entryName);
  return !!fn && resultAfterWrite(ts, facts, write, fn, 0, true) === 'exit';
}

export function helperStdoutHits(facts: Facts): RuleHit[] {
  const ts = loadTypeScript();
  const { sf } = facts;
  const reach = new Reach(ts, facts);
  const envGuards = new EnvGuards(ts, facts);
  const hits: RuleHit[] = [];
  for (const call of facts.calls) {
    const e = call.expression;
    const kind = stdoutWriteKind(e);
    if (!kind || !ts.isPropertyAccessExpression(e)) continue;
    const obj = e.expression;
    const method = e.name.text;
    const consoleWrite = kind === 'console';
    const stdoutWrite = kind === 'stdout';
    const { importTime, entry, top } = reach.of(call);
    if (!importTime && !entry.size) continue;
    // `printHelp(); process.exit(0);` in every exported function that reaches it: a CLI's help,
    // printed instead of serving.
    if (!importTime && [...entry].every((n) => exitsCleanlyAfter(ts, facts, call, n))) continue;
    const what = consoleWrite ? `console.${method}` : 'process.stdout.write';
    const where = importTime ? 'at import time' : `in \`${top ?? [...entry][0]}()\``;
    // A write guarded by a parameter value (`case "debug":`), in the one exported function that
    // reaches it: the importers' literal arguments decide.
    let guard;
    if (!importTime && top && entry.size === 1 && entry.has(top)) {
      const fn = topFunction(ts, call)!.fn;
      if (isFunctionLike(fn)) guard = paramGuard(ts, fn, call);
    }
    // The value the one exported function returns after the write (`showHelp(); return false;`):
    // the importers' tests of that value decide.
    let result: Truth | undefined;
    if (!importTime && entry.size === 1) {
      const entryFn = exportedFunction(facts, [...entry][0]!);
      const r = entryFn && resultAfterWrite(ts, facts, call, entryFn);
      if (r === 'falsy' || r === 'truthy') result = r;
    }
    const target = consoleWrite ? e.name : (obj as ts.PropertyAccessExpression).name;
    const fix =
      stdoutWrite || ['log', 'info', 'debug'].includes(method)
        ? {
            title: consoleWrite ? 'Write to stderr with console.error' : 'Write to process.stderr',
            edits: [edit(facts.file, sf, target.getStart(sf), target.getEnd(), consoleWrite ? 'error' : 'stderr')],
            preferred: true,
          }
        : undefined;
    hits.push({
      ruleId: 'MCP102',
      ...(fix ? { fixes: [fix] } : {}),
      range: rangeOf(call, sf),
      message: `\`${what}\` ${where} writes to stdout, which is the JSON-RPC channel of a stdio MCP server that ${importTime ? 'imports this module' : `calls ${[...entry].map((n) => `\`${n}()\``).join(', ')}`}: clients fail to parse the line and may drop the server. Write to stderr (\`console.error\`, \`process.stderr.write\`) instead.`,
      downgrade: true,
      data: {
        call: what,
        ...(importTime ? {} : { entryFns: [...entry], helper: 'typescript' }),
        // A statement of the module itself, run whenever the module is loaded (not in a branch).
        ...(importTime && ts.isExpressionStatement(call.parent) && ts.isSourceFile(call.parent.parent)
          ? { unconditional: true }
          : {}),
        ...(guard ? { guard } : {}),
        ...(result ? { result } : {}),
        ...stdioQuietData(ts, envGuards, call),
      },
    });
  }
  return hits;
}
