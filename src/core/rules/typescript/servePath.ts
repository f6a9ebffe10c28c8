/**
 * Whether a statement of a TypeScript/JavaScript file runs on the path that serves stdio: the
 * TypeScript counterpart of the Python control-flow analysis (`python/flow.ts`). A node is on the
 * serving path when some path from it reaches a stdio start (`new StdioServerTransport()`,
 * `server.connect(...)`, punkpeye `server.start(...)`, a local function or method that does, an
 * imported `main`/`serve`/`start…`), or when some path from a start reaches it (output after
 * `connect`, in tool handlers, in callbacks registered after the start). It is off the path when
 * every path from it ends (`process.exit`, a `throw` nothing catches, a `return` out of the
 * function that serves, the end of the module, the end of a CLI sub-command's action) before a
 * start, and no start reaches it. Anything the analysis does not follow is `unknown`.
 *
 * Paths are followed through `if`/`else`, `switch` (fall-through and `break`), loops, `try` (a
 * `throw` goes to the `catch` that takes it, in this function, a caller, or a promise's `.catch`),
 * the callers of a function in this file (declarations, `const f = () => …`, class methods), IIFEs,
 * and commander/cac `.command(…).action(fn)` and yargs `.command(name, desc, builder, handler)`
 * callbacks, of which one runs per invocation.
 */
import type * as ts from 'typescript';
import { calledNow, inRuledOutBranch, isFunctionLike, unwrap, unwrapAwait, walk } from './astUtil';
import { Completions } from './completion';
import { isActionArg, statementOf } from './cliPaths';
import type { Facts } from './facts';
import { CallSites } from './callSites';
import { routeHandlersOf } from './rules/connection/transportPaths';

/** `yes` with the start that proves it, `no` (proven off the path), or `unknown`. */
export type PathVerdict = { on: 'yes'; via: ts.Node; after?: boolean } | { on: 'no' } | { on: 'unknown' };

type Out = PathVerdict;
const NO: Out = { on: 'no' };
const UNKNOWN: Out = { on: 'unknown' };

function max(a: Out, b: Out): Out {
  if (a.on === 'yes') return a;
  if (b.on === 'yes') return b;
  return a.on === 'unknown' || b.on === 'unknown' ? UNKNOWN : NO;
}

/** Functions an imported name probably serves with (`main`, `serve`, `startServer`, `runStdio`). */
const SERVE_NAME = /^(?:main|serve|start|run)|(?:Server|Serve|Main|Stdio)$/;

/** A goal of one exploration: reaching a stdio start, or reaching one node. */
interface Goal {
  /** The node a statement reaches first that fulfils the goal, if any. */
  hit(s: ts.Node, skip: boolean): ts.Node | undefined;
  /** What reaching the end of the module means. */
  atModuleEnd(skip: boolean): Out;
}

const BUDGET = 4000;

/** What runs after one stdio start, recorded once for every write's question. */
interface AfterMark {
  stmts: { s: ts.Node; skip: boolean }[];
  fns: Set<ts.Node>;
  endSkips: boolean[];
  out: Out;
}

export class ServePaths {
  private readonly marks: ts.Node[] = [];
  private readonly servesMemo = new Map<ts.Node, boolean>();
  private readonly completions: Completions;
  private readonly calls: CallSites;
  private readonly actionMemo = new Map<ts.Node, boolean>();
  private readonly serveInMemo = new Map<ts.Node, ts.Node | null>();
  private readonly serveInSkip = new Map<ts.Node, ts.Node | null>();
  private steps = 0;
  private visited = new Set<ts.Node>();
  private visitedSkip = new Set<ts.Node>();

  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
    /**
     * A relative module whose imported functions are taken not to serve, however they are named:
     * the question "is this module loaded on the stdio path" is asked of its load alone, and the
     * project model checks that the module starts nothing itself.
     */
    private readonly notServing?: string,
    /** A local variable's truth value taken as known in `scope` (see `inRuledOutBranch`). */
    private readonly assume?: { name: string; truthy: boolean; scope: ts.Node },
  ) {
    this.completions = new Completions(ts, facts);
    // A start inside an HTTP route handler (`app.get("/sse", ...)`) serves that request: a stdio
    // transport is never started per request, even when a bundle hides the transport's class.
    const routes = routeHandlersOf(facts);
    const inRoute = (n: ts.Node) => routes.some((r) => r.pos <= n.pos && n.end <= r.end);
    for (const s of facts.servers)
      for (const st of s.starts) if (st.kind === 'stdio' || (st.opaque && !inRoute(st.call))) this.marks.push(st.call);
    for (const t of facts.transportsSeen)
      if (t.kind === 'stdio' || (t.kind === 'unknown' && !inRoute(t.node))) this.marks.push(t.node);
    this.calls = new CallSites(ts, facts);
  }

  /** The stdio (and opaque) starts of this file. */
  get starts(): readonly ts.Node[] {
    return this.marks;
  }

  /** True when the file starts a stdio (or opaque) transport itself: the analysis applies. */
  get applies(): boolean {
    return this.marks.length > 0;
  }

  /** Whether `node` runs on the stdio serving path of this file. */
  verdict(node: ts.Node): PathVerdict {
    if (!this.applies) return UNKNOWN;
    const handler = this.handlerOf(node);
    if (handler) return { on: 'yes', via: handler };
    const fromNode = this.explore(node, this.serve);
    if (fromNode.on === 'yes') return fromNode;
    let out: Out = fromNode;
    for (const m of this.marks) {
      const r = this.reached(m, node);
      if (r.on === 'yes') return { on: 'yes', via: m, after: true };
      out = max(out, r);
    }
    return out;
  }

  /** Whether running statement `s` (a branch an `if` selects) may go on to a stdio start of this file. */
  leadsToServe(s: ts.Statement): PathVerdict {
    if (!this.applies) return UNKNOWN;
    this.steps = 0;
    this.visited = new Set();
    this.visitedSkip = new Set();
    const skip = this.inAction(s);
    const { out, normal } = this.step(s, this.serve, skip);
    return normal && out.on !== 'yes' ? max(out, this.after(s, this.serve, skip)) : out;
  }

  private readonly afterMarks = new Map<ts.Node, AfterMark>();

  /** Whether some path from start `m` runs `node`: from what runs after `m`, computed once per start. */
  private reached(m: ts.Node, node: ts.Node): Out {
    let rec = this.afterMarks.get(m);
    if (!rec) this.afterMarks.set(m, (rec = this.recordAfter(m)));
    for (const { s, skip } of rec.stmts)
      if (s.pos <= node.pos && node.end <= s.end && !(skip && this.inAction(node, s))) return { on: 'yes', via: s };
    for (let n = node.parent; n; n = n.parent) if (isFunctionLike(n) && rec.fns.has(n)) return { on: 'yes', via: n };
    if (rec.endSkips.some((skip) => !(skip && this.inAction(node))) && this.deferred(node)) return UNKNOWN;
    return rec.out.on === 'unknown' ? UNKNOWN : NO;
  }

  /** Everything that may run after start `m`: statements, local functions they call, the module end. */
  private recordAfter(m: ts.Node): AfterMark {
    const { ts } = this;
    const rec: AfterMark = { stmts: [], fns: new Set(), endSkips: [], out: NO };
    const add = (fn: ts.Node, depth: number): boolean => {
      if (rec.fns.has(fn)) return false;
      rec.fns.add(fn);
      if (depth < 6) this.callsInto(fn, depth, add);
      return false;
    };
    rec.out = this.explore(m, {
      hit: (s, skip) => {
        if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) return undefined;
        rec.stmts.push({ s, skip });
        this.callsInto(s, 0, add, skip);
        return undefined;
      },
      atModuleEnd: (skip) => {
        rec.endSkips.push(skip);
        return NO;
      },
    });
    return rec;
  }

  private explore(from: ts.Node, goal: Goal): Out {
    this.steps = 0;
    this.visited = new Set();
    this.visitedSkip = new Set();
    const stmt = this.statementOf(from);
    if (!stmt) return UNKNOWN;
    const skip = this.inAction(from);
    return this.after(stmt, goal, skip);
  }

  // ---- goals -------------------------------------------------------------------------------

  private readonly fnEndMemo = new Map<ts.Node, Out>();
  private readonly fnEndSkip = new Map<ts.Node, Out>();
  private cuts = 0;
  private readonly serve: Goal = this.serveGoal();

  private serveGoal(): Goal {
    return {
      hit: (s, skip) => this.serveIn(s, skip),
      atModuleEnd: (skip) => {
        // Starts in callbacks (a sub-command's action, an event) run later; a start in a function
        // nobody here calls may run if another module calls it.
        let out: Out = NO;
        for (const m of this.marks) {
          if (skip && this.inAction(m)) continue;
          const kind = this.deferred(m);
          if (kind === 'callback') return { on: 'yes', via: m };
          if (kind) out = UNKNOWN;
        }
        return out;
      },
    };
  }

  /** True when `root` calls (or passes on) a local function for which `pred` holds. */
  private callsInto(
    root: ts.Node,
    depth: number,
    pred: (fn: ts.Node, depth: number) => boolean,
    skip = false,
  ): boolean {
    const { ts } = this;
    let found = false;
    walk(root, (n) => {
      if (found) return false;
      if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) return false;
      if (skip && isFunctionLike(n) && this.isActionCallback(n)) return false;
      if (ts.isCallExpression(n) || ts.isIdentifier(n)) {
        for (const fn of this.calls.targets(n)) if (pred(fn, depth + 1)) found = true;
      }
      return !found;
    });
    return found;
  }

  /** The first stdio start `s` may run, directly or through a local function or an imported serve function. */
  private serveIn(s: ts.Node, skip: boolean): ts.Node | undefined {
    const memo = skip ? this.serveInSkip : this.serveInMemo;
    const known = memo.get(s);
    if (known !== undefined) return known ?? undefined;
    const v = this.findServe(s, skip);
    memo.set(s, v ?? null);
    return v;
  }

  private findServe(s: ts.Node, skip: boolean): ts.Node | undefined {
    const { ts } = this;
    if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) return undefined;
    const mark = this.marks.find(
      (m) =>
        s.pos <= m.pos &&
        m.end <= s.end &&
        !this.inDeclaration(m, s) &&
        !(skip && this.inAction(m, s)) &&
        !(this.assume && inRuledOutBranch(this.ts, m, s, this.assume)),
    );
    if (mark) return mark;
    let via: ts.Node | undefined;
    walk(s, (n) => {
      if (via) return false;
      if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) return false;
      if (this.assume && inRuledOutBranch(ts, n, s, this.assume)) return false;
      if (skip && isFunctionLike(n) && this.isActionCallback(n)) return false;
      if (ts.isCallExpression(n) || ts.isIdentifier(n)) {
        if (this.calls.targets(n).some((fn) => this.fnServes(fn, 0))) via = n;
        else if (ts.isCallExpression(n) && this.importedServe(n)) via = n;
      }
      return !via;
    });
    return via;
  }

  private fnServes(fn: ts.Node, depth: number): boolean {
    const known = this.servesMemo.get(fn);
    if (known !== undefined) return known;
    this.servesMemo.set(fn, false);
    const own = this.marks.some((m) => fn.pos <= m.pos && m.end <= fn.end);
    const v = own || (depth < 6 && this.callsInto(fn, depth, (g, d) => this.fnServes(g, d)));
    this.servesMemo.set(fn, v);
    return v;
  }

  /** A call of an imported function named like an entry point (`main()`, `startServer()`). */
  private importedServe(call: ts.CallExpression): boolean {
    const { ts } = this;
    const callee = unwrap(call.expression);
    const name = ts.isIdentifier(callee)
      ? callee.text
      : ts.isPropertyAccessExpression(callee) &&
          ts.isIdentifier(callee.expression) &&
          this.facts.bindings.has(callee.expression.text)
        ? callee.name.text
        : undefined;
    if (!name || !SERVE_NAME.test(name)) return false;
    const root = ts.isIdentifier(callee)
      ? callee.text
      : (callee as ts.PropertyAccessExpression).expression.getText(this.facts.sf);
    const b = this.facts.bindings.get(root);
    return !!b && (this.notServing === undefined || b.module !== this.notServing);
  }

  private inDeclaration(m: ts.Node, within: ts.Node): boolean {
    for (let n = m.parent; n && n !== within; n = n.parent)
      if (this.ts.isFunctionDeclaration(n) || this.ts.isClassDeclaration(n)) return true;
    return false;
  }

  /** A start that runs only when something calls it later: in a callback or a function nobody here calls. */
  private deferred(m: ts.Node): 'callback' | 'uncalled' | undefined {
    let kind: 'callback' | 'uncalled' | undefined;
    for (let n = m.parent; n; n = n.parent) {
      if (!isFunctionLike(n)) continue;
      const sites = this.calls.of(n);
      // `list.forEach(cb)`, `.map(cb)`: called now, where the call is.
      if (!sites && calledNow(this.ts, n)) continue;
      if (!sites) return 'callback';
      if (!sites.length) kind = 'uncalled';
    }
    return kind;
  }

  // ---- CLI actions -------------------------------------------------------------------------

  /** True when `node` sits in a CLI sub-command's callback (inside `within`, when given). */
  private inAction(node: ts.Node, within?: ts.Node): boolean {
    for (let n = node.parent; n && n !== within; n = n.parent)
      if (isFunctionLike(n) && this.isActionCallback(n)) return true;
    return false;
  }

  /** A CLI sub-command's action callback (see `isActionArg`). */
  private isActionCallback(fn: ts.Node): boolean {
    const known = this.actionMemo.get(fn);
    if (known !== undefined) return known;
    const p = fn.parent;
    const v = !!p && this.ts.isCallExpression(p) && isActionArg(this.ts, this.facts.sf, p, fn);
    this.actionMemo.set(fn, v);
    return v;
  }

  // ---- paths -------------------------------------------------------------------------------

  private statementOf(node: ts.Node): ts.Node | undefined {
    return statementOf(this.ts, node);
  }

  private guard(key: ts.Node, skip: boolean): boolean {
    if (++this.steps > BUDGET) {
      this.cuts++;
      return false;
    }
    const visited = skip ? this.visitedSkip : this.visited;
    if (visited.has(key)) {
      this.cuts++;
      return false;
    }
    visited.add(key);
    return true;
  }

  /** What can happen once statement `s` has completed normally. */
  private after(s: ts.Node, goal: Goal, skip: boolean): Out {
    if (this.steps > BUDGET) return UNKNOWN;
    if (!this.guard(s, skip)) return this.steps > BUDGET ? UNKNOWN : NO;
    // Anything in a `try` block may throw into its `catch`.
    const caught = this.intoCatch(s, goal, skip);
    return caught.on === 'yes' ? caught : max(caught, this.next(s, goal, skip));
  }

  private intoCatch(s: ts.Node, goal: Goal, skip: boolean): Out {
    const { ts } = this;
    for (let n: ts.Node = s; n.parent && !isFunctionLike(n.parent); n = n.parent) {
      const t = n.parent;
      if (!ts.isTryStatement(t) || n !== t.tryBlock || !t.catchClause) continue;
      const block = t.catchClause.block;
      return this.guard(block, skip) ? this.run(block.statements, 0, block, goal, skip) : NO;
    }
    return NO;
  }

  private next(s: ts.Node, goal: Goal, skip: boolean): Out {
    const { ts } = this;
    const p = s.parent;
    if (!p) return UNKNOWN;
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isModuleBlock(p)) {
      const list = p.statements as ts.NodeArray<ts.Statement>;
      return this.run(list, list.indexOf(s as ts.Statement) + 1, p, goal, skip);
    }
    if (isFunctionLike(p)) return this.fnEnd(p, goal, skip);
    if (ts.isIfStatement(p) || ts.isLabeledStatement(p)) return this.after(p, goal, skip);
    if (ts.isIterationStatement(p, false)) return this.loopAgain(p, goal, skip);
    if (ts.isTryStatement(p)) return this.afterTry(p, s, goal, skip);
    if (ts.isCatchClause(p)) return this.afterTry(p.parent as ts.TryStatement, s, goal, skip);
    return UNKNOWN;
  }

  private afterTry(t: ts.TryStatement, from: ts.Node, goal: Goal, skip: boolean): Out {
    if (t.finallyBlock && from !== t.finallyBlock) {
      const hit = goal.hit(t.finallyBlock, skip);
      if (hit) return { on: 'yes', via: hit };
    }
    return this.after(t, goal, skip);
  }

  private loopAgain(loop: ts.IterationStatement, goal: Goal, skip: boolean): Out {
    const hit = goal.hit(loop, skip);
    return hit ? { on: 'yes', via: hit } : this.after(loop, goal, skip);
  }

  /** Runs statement `s`: the goal, or where its jumps lead, and whether it may complete normally. */
  private step(s: ts.Node, goal: Goal, skip: boolean): { out: Out; normal: boolean } {
    const hit = goal.hit(s, skip);
    if (hit) return { out: { on: 'yes', via: hit }, normal: false };
    const c = this.completions.of(s);
    let out: Out = c.unknown ? UNKNOWN : NO;
    if (c.ret) out = max(out, this.fnEnd(this.functionOf(s), goal, skip));
    if (c.thrw) out = max(out, this.throwOut(s, goal, skip));
    if (c.brk) out = max(out, this.breakOut(s, goal, skip));
    if (c.cont) out = max(out, this.continueOut(s, goal, skip));
    return { out, normal: c.normal };
  }

  /** Runs `list` from `i`: the goal, or where the statements' jumps lead. */
  private run(list: ts.NodeArray<ts.Statement>, i: number, container: ts.Node, goal: Goal, skip: boolean): Out {
    const { ts } = this;
    let out: Out = NO;
    for (let j = i; j < list.length; j++) {
      const r = this.step(list[j]!, goal, skip);
      out = max(out, r.out);
      if (out.on === 'yes' || !r.normal) return out;
    }
    if (ts.isSourceFile(container)) return max(out, goal.atModuleEnd(skip));
    if (ts.isCaseClause(container) || ts.isDefaultClause(container)) {
      const clauses = (container.parent as ts.CaseBlock).clauses;
      const k = clauses.indexOf(container);
      const next = clauses[k + 1];
      return max(
        out,
        next ? this.run(next.statements, 0, next, goal, skip) : this.after(container.parent.parent, goal, skip),
      );
    }
    if (ts.isModuleBlock(container)) return max(out, UNKNOWN);
    return max(out, this.after(container, goal, skip));
  }

  /** The tool handler `n` sits in, if any. */
  private handlerOf(n: ts.Node): ts.Node | undefined {
    for (let p: ts.Node | undefined = n; p; p = p.parent) if (this.facts.handlers.has(p)) return p;
    return undefined;
  }

  private functionOf(n: ts.Node): ts.Node | undefined {
    for (let p = n.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
    return undefined;
  }

  private breakOut(s: ts.Node, goal: Goal, skip: boolean): Out {
    const { ts } = this;
    for (let p = s.parent; p && !isFunctionLike(p); p = p.parent)
      if (ts.isIterationStatement(p, false) || ts.isSwitchStatement(p)) return this.after(p, goal, skip);
    return UNKNOWN;
  }

  private continueOut(s: ts.Node, goal: Goal, skip: boolean): Out {
    const { ts } = this;
    for (let p = s.parent; p && !isFunctionLike(p); p = p.parent)
      if (ts.isIterationStatement(p, false)) return this.loopAgain(p, goal, skip);
    return UNKNOWN;
  }

  /**
   * A `throw` (or a call that always throws) leaving `s`: into the `catch` that takes it, or out of
   * the function to its callers (their `try`, or a `.catch(cb)` on the call). Uncaught at module
   * level, it ends the process.
   */
  private throwOut(s: ts.Node, goal: Goal, skip: boolean, depth = 0): Out {
    const { ts } = this;
    for (let n: ts.Node = s; n.parent; n = n.parent) {
      const p = n.parent;
      if (ts.isTryStatement(p) && n === p.tryBlock && p.catchClause) {
        const block = p.catchClause.block;
        return this.guard(block, skip) ? this.run(block.statements, 0, block, goal, skip) : NO;
      }
      if (!isFunctionLike(p)) continue;
      if (this.facts.handlers.has(p)) return NO; // the SDK turns it into an error result
      const sites = this.calls.of(p);
      if (depth > 4) return UNKNOWN;
      // Out of a callback: into the registration when it was called now, else to the event loop.
      if (!sites) return p.parent ? this.throwOut(p.parent, goal, skip, depth + 1) : UNKNOWN;
      let out: Out = NO;
      for (const c of sites) {
        if (ts.isIdentifier(c)) {
          // Passed to a call, which may catch it; stored for a caller elsewhere, it leaves this file.
          const p = c.parent;
          if (p && ts.isCallExpression(p) && p.arguments.includes(c)) out = max(out, UNKNOWN);
        } else {
          const handler = this.promiseCatch(c);
          out = max(out, handler ? this.runBody(handler, goal, skip) : this.throwOut(c, goal, skip, depth + 1));
        }
        if (out.on === 'yes') return out;
      }
      return out;
    }
    return NO;
  }

  /** The handler of `call.catch(handler)` (or of `.then(ok, handler)`), when it is a function written here. */
  private promiseCatch(call: ts.Node): ts.FunctionLikeDeclaration | undefined {
    const { ts } = this;
    let e: ts.Node = call;
    while (e.parent && (ts.isParenthesizedExpression(e.parent) || ts.isAwaitExpression(e.parent))) e = e.parent;
    const access = e.parent;
    if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== e) return undefined;
    const outer = access.parent;
    if (!outer || !ts.isCallExpression(outer) || outer.expression !== access) return undefined;
    const arg =
      access.name.text === 'catch' ? outer.arguments[0] : access.name.text === 'then' ? outer.arguments[1] : undefined;
    const fn = arg && unwrap(arg);
    return fn && isFunctionLike(fn) ? fn : undefined;
  }

  /** Runs a function's body from its start (a block, or an arrow's expression). */
  private runBody(fn: ts.FunctionLikeDeclaration, goal: Goal, skip: boolean): Out {
    const body = fn.body;
    if (!body) return UNKNOWN;
    if (!this.ts.isBlock(body)) {
      const hit = goal.hit(body, skip);
      return hit ? { on: 'yes', via: hit } : this.fnEnd(fn, goal, skip);
    }
    return this.guard(body, skip) ? this.run(body.statements, 0, body, goal, skip) : NO;
  }

  /** The end of function `fn` (a return or falling off it): where its callers go on. */
  private fnEnd(fn: ts.Node | undefined, goal: Goal, skip: boolean): Out {
    if (!fn) return max(goal.atModuleEnd(skip), NO);
    // For the serve goal, what follows the end of a function is the same for every write: kept
    // when no path was cut short (a cycle or the budget), so the next write reuses it.
    const memo = goal === this.serve ? (skip ? this.fnEndSkip : this.fnEndMemo) : undefined;
    const known = memo?.get(fn);
    if (known) return known;
    const cuts = this.cuts;
    const out = this.fnEndOnce(fn, goal, skip);
    if (memo && this.cuts === cuts) memo.set(fn, out);
    return out;
  }

  private fnEndOnce(fn: ts.Node, goal: Goal, skip: boolean): Out {
    const { ts } = this;
    if (!this.guard(fn, skip)) return this.steps > BUDGET ? UNKNOWN : NO;
    // The end of a tool handler goes back to the SDK, which goes on serving.
    if (this.facts.handlers.has(fn)) return NO;
    if (this.isActionCallback(fn)) {
      // One sub-command runs per invocation: go on after the registration, other actions excluded.
      const stmt = this.statementOf(fn.parent!);
      return stmt ? this.after(stmt, goal, true) : UNKNOWN;
    }
    const sites = this.calls.of(fn);
    if (sites === undefined) {
      // A callback: called now (`forEach`), the registration goes on; called later, control goes
      // back to the event loop, and any other callback is judged on its own (see `deferred`).
      const stmt = fn.parent && this.statementOf(fn.parent);
      return stmt ? this.after(stmt, goal, skip) : UNKNOWN;
    }
    if (!sites.length) {
      // Called from elsewhere: a return from the function that would serve ends that invocation.
      return this.fnServes(fn, 0) ? NO : UNKNOWN;
    }
    let out: Out = NO;
    for (const c of sites) {
      if (ts.isIdentifier(c)) {
        // Passed as a value (`.action(listCmd)`, `.then(done)`).
        const p = c.parent;
        if (p && ts.isCallExpression(p) && isActionArg(ts, this.facts.sf, p, c)) {
          const stmt = this.statementOf(p);
          out = max(out, stmt ? this.after(stmt, goal, true) : UNKNOWN);
        } else if (p && ts.isCallExpression(p) && p.arguments.includes(c as ts.Expression)) {
          const stmt = this.statementOf(c);
          out = max(out, max(UNKNOWN, stmt ? this.after(stmt, goal, skip) : UNKNOWN));
        } else {
          // Stored, not passed to a call (`{ run: () => run }`, an export map, `handlers[k] = run`):
          // whoever calls it later is elsewhere, like the callers of an exported function.
          out = max(out, this.fnServes(fn, 0) ? NO : UNKNOWN);
        }
      } else {
        // Called from a tool handler: it runs while the server serves (for the serve goal); what
        // follows the call is the handler's own code.
        const handler = this.handlerOf(c);
        if (handler) {
          if (goal === this.serve) return { on: 'yes', via: handler };
          continue;
        }
        const stmt = this.statementOf(c);
        // `return f()`: the caller returns too.
        const returned =
          !!stmt && ts.isReturnStatement(stmt) && !!stmt.expression && unwrapAwait(stmt.expression) === c;
        out = max(
          out,
          returned
            ? this.fnEnd(this.functionOf(stmt), goal, skip || this.inAction(c))
            : stmt
              ? this.after(stmt, goal, skip || this.inAction(c))
              : UNKNOWN,
        );
      }
      if (out.on === 'yes') return out;
    }
    return out;
  }
}
