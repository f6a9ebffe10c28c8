/**
 * Whether code outside the handlers can still lead to the server serving: a statement followed on
 * every path by a process exit (`sys.exit`, `raise SystemExit`, `parser.error`...), or one that
 * returns from the function that serves before it serves (`if args.setup: setup(); return`), runs
 * only in a CLI path that never serves. Output there goes to a terminal, not to a protocol stream.
 *
 * The analysis follows the structured control flow of one function (statement blocks, if/elif/else,
 * loops, try, with) and, when a function ends, its call sites in the file. Anything it cannot see
 * (a function passed by reference, a generic `raise`, a `break`) counts as "may serve", so it only
 * removes findings on paths it proves. A module-level function with no caller in the file is an
 * open root: the modules that import it decide (see `cliOnlyImports` and the project model).
 */
import { field, named, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import type { FunctionFact } from './functions';
import { branchTransport } from './branches';

/** Whether a node's path may reach a server start; `roots`: helper functions whose callers decide. */
export interface ServeReach {
  may: boolean;
  roots: Set<string>;
}

type Outcome = 'serve' | 'exit' | 'return' | 'open' | 'end';

const EXIT_CALLS = new Set(['sys.exit', 'exit', 'quit', 'os._exit', 'os.abort', 'builtins.exit', 'builtins.quit']);
/** Methods that end the process on argparse parsers and click/typer contexts. */
const EXIT_METHODS = new Set(['error', 'exit', 'abort', 'fail']);
const EXIT_RAISES = /^(?:SystemExit|KeyboardInterrupt|(?:typer|click)(?:\.exceptions)?\.(?:Exit|Abort))$/;
/** Names of imported functions whose call may start a server in another module. */
const SERVE_NAME = /^(?:main|serve|run|start)|_(?:serve|server|main)$|^run_server$/i;
const START_NAMES = new Set(['run', 'run_async', 'run_stdio_async', 'stdio_server']);
// A return nested in a compound statement may leave the function on some path: not an exit.
const JUMPS = new Set(['break_statement', 'continue_statement']);
const NESTED = new Set(['function_definition', 'class_definition', 'lambda']);

interface FlowFacts {
  /** containsServe results by statement, once the serving functions are known. */
  serveMemo: Map<PyNode, boolean>;
  byName: Map<string, FunctionFact>;
  /** Identifiers naming one of the file's functions, by name (built on first use). */
  mentions?: Map<string, PyNode[]>;
  serving: Set<FunctionFact>;
  handlers: Set<FunctionFact>;
  starts: Set<PyNode>;
  memo: Map<PyNode, ServeReach>;
}

const cache = new WeakMap<PyFile, FlowFacts>();

function facts(py: PyFile): FlowFacts {
  let f = cache.get(py);
  if (f) return f;
  const starts = new Set<PyNode>();
  for (const s of py.servers) for (const st of s.starts) starts.add(st.node);
  for (const c of py.calls) {
    const q = py.callee(c) ?? '';
    if (/(?:^|\.)stdio_server$/.test(q)) starts.add(c);
  }
  const byName = new Map<string, FunctionFact>();
  for (const fn of py.functions) if (!byName.has(fn.name)) byName.set(fn.name, fn);
  f = { serveMemo: new Map(), byName, serving: new Set(), handlers: handlerFunctions(py), starts, memo: new Map() };
  cache.set(py, f);
  // Functions that serve: they contain a start, or call one that does (by name, to a fixpoint).
  let changed = true;
  for (let round = 0; changed && round < 8; round++) {
    changed = false;
    for (const fn of py.functions) {
      if (f.serving.has(fn)) continue;
      if (containsServe(py, f, fn.body, byName)) {
        f.serving.add(fn);
        changed = true;
      }
    }
  }
  return f;
}

/** Handler functions (tools, resources, prompts, lifespans) and what they name, transitively. */
function handlerFunctions(py: PyFile): Set<FunctionFact> {
  const byName = new Map<string, FunctionFact>();
  for (const f of py.functions) if (!byName.has(f.name)) byName.set(f.name, f);
  const out = new Set<FunctionFact>(py.definitions.map((d) => d.fn));
  for (const name of lifespanNames(py)) {
    const fn = byName.get(name);
    if (fn) out.add(fn);
  }
  const queue = [...out];
  while (queue.length) {
    const f = queue.pop()!;
    walk(f.body, (n) => {
      if (n.type === 'identifier') {
        const g = byName.get(py.text(n));
        if (g && !out.has(g)) {
          out.add(g);
          queue.push(g);
        }
      }
      return true;
    });
  }
  return out;
}

/** Functions passed as `lifespan=` to a server constructor (or to any call of the file's framework). */
export function lifespanNames(py: PyFile): Set<string> {
  const out = new Set<string>();
  for (const s of py.servers) {
    const ls = s.ctor ? py.kwargs(s.ctor).get('lifespan') : undefined;
    if (ls?.type === 'identifier') out.add(py.text(ls));
  }
  return out;
}

function containsServe(
  py: PyFile,
  f: Pick<FlowFacts, 'starts' | 'serving'>,
  node: PyNode,
  byName: Map<string, FunctionFact>,
): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n !== node && NESTED.has(n.type)) return false;
    if (n.type !== 'call') return true;
    if (f.starts.has(n)) return !(found = true);
    const fnNode = field(n, 'function');
    if (fnNode?.type === 'identifier') {
      const name = py.text(fnNode);
      const local = byName.get(name);
      if (local && f.serving.has(local)) return !(found = true);
      // An imported entry function (`from .server import main; main()`) may serve elsewhere.
      if (!local && py.imports.has(name) && SERVE_NAME.test(name)) return !(found = true);
    } else if (fnNode?.type === 'attribute') {
      const method = py.text(field(fnNode, 'attribute')!);
      if (START_NAMES.has(method)) {
        // `server_module.mcp.run()` / `imported_server.run()`; not `asyncio.run` / `subprocess.run`.
        const q = py.callee(n) ?? '';
        if (!/^(?:asyncio|anyio|trio|subprocess|uvicorn)\./.test(q)) return !(found = true);
      }
    }
    return true;
  });
  return found;
}

/** The statement that holds a node: its ancestor directly inside a block or the module. */
function statementOf(node: PyNode): PyNode | undefined {
  let n: PyNode | undefined = node;
  while (n?.parent && n.parent.type !== 'block' && n.parent.type !== 'module') {
    if (NESTED.has(n.parent.type)) return undefined;
    n = n.parent;
  }
  return n?.parent ? n : undefined;
}

function isExitStatement(py: PyFile, s: PyNode): boolean {
  if (s.type === 'raise_statement') {
    const v = named(s)[0];
    if (!v) return false;
    const target = v.type === 'call' ? field(v, 'function') : v;
    const q = py.qualify(target) ?? (target ? py.text(target) : '');
    return EXIT_RAISES.test(q);
  }
  if (s.type !== 'expression_statement') return false;
  const c = named(s)[0];
  if (c?.type !== 'call') return false;
  const q = py.callee(c) ?? '';
  if (EXIT_CALLS.has(q)) return true;
  const fnNode = field(c, 'function');
  if (fnNode?.type !== 'attribute') return false;
  const method = py.text(field(fnNode, 'attribute')!);
  const obj = field(fnNode, 'object');
  // `parser.error("...")`, `ctx.exit(1)`: a local parser/context object, not a module.
  return (
    EXIT_METHODS.has(method) &&
    obj?.type === 'identifier' &&
    !py.imports.has(py.text(obj)) &&
    /(?:parser|ctx|context)$/i.test(py.text(obj))
  );
}

function hasJump(s: PyNode, inLoop = false): boolean {
  if (NESTED.has(s.type)) return false;
  if (s.type === 'return_statement') return true;
  // A loop inside the statement owns its own break/continue (not its returns).
  if (JUMPS.has(s.type)) return !inLoop;
  const loop = s.type === 'for_statement' || s.type === 'while_statement';
  return s.children.some((c) => hasJump(c, inLoop || loop));
}

/** How a statement ends when it is known to end the path: an exit, or a return. */
function terminal(py: PyFile, f: FlowFacts, s: PyNode, byName: Map<string, FunctionFact>): Outcome | undefined {
  if (isExitStatement(py, s)) return 'exit';
  if (s.type === 'return_statement') return 'return';
  if (s.type === 'if_statement') {
    const blocks: PyNode[] = [];
    const cons = field(s, 'consequence');
    if (cons) blocks.push(cons);
    let hasElse = false;
    for (const c of named(s)) {
      if (c.type === 'elif_clause') {
        const b = field(c, 'consequence');
        if (b) blocks.push(b);
      } else if (c.type === 'else_clause') {
        const b = field(c, 'body');
        if (b) blocks.push(b);
        hasElse = true;
      }
    }
    if (!hasElse) return undefined;
    const outs = blocks.map((b) => blockOutcome(py, f, b, byName));
    if (outs.every((o) => o === 'exit')) return 'exit';
    if (outs.every((o) => o === 'exit' || o === 'return')) return 'return';
  }
  return undefined;
}

/** The outcome of running a block from its start. */
function blockOutcome(py: PyFile, f: FlowFacts, block: PyNode, byName: Map<string, FunctionFact>): Outcome {
  return runFrom(py, f, named(block), 0, byName) ?? 'end';
}

/** Runs statements `stmts[i..]`; undefined when they fall through the end. */
/** A definition statement binds a name; its body does not run there. */
const DEFINITIONS = new Set(['comment', 'function_definition', 'class_definition', 'decorated_definition']);

function servesMemo(py: PyFile, f: FlowFacts, s: PyNode, byName: Map<string, FunctionFact>): boolean {
  let v = f.serveMemo.get(s);
  if (v === undefined) {
    v = containsServe(py, f, s, byName);
    f.serveMemo.set(s, v);
  }
  return v;
}

function runFrom(
  py: PyFile,
  f: FlowFacts,
  stmts: PyNode[],
  i: number,
  byName: Map<string, FunctionFact>,
): Outcome | undefined {
  for (; i < stmts.length; i++) {
    const s = stmts[i];
    if (DEFINITIONS.has(s.type)) continue;
    if (servesMemo(py, f, s, byName)) return 'serve';
    const t = terminal(py, f, s, byName);
    if (t) return t;
    if (hasJump(s)) return 'open';
  }
  return undefined;
}

/** Follows the path after a node's statement to the end of its function (or module). */
function forward(py: PyFile, f: FlowFacts, node: PyNode, byName: Map<string, FunctionFact>): Outcome {
  let stmt = statementOf(node);
  for (let guard = 0; stmt && guard < 64; guard++) {
    const block = stmt.parent!;
    const stmts = named(block);
    const out = runFrom(py, f, stmts, stmts.indexOf(stmt) + 1, byName);
    if (out) return out;
    if (block.type === 'module') return 'end';
    const owner = block.parent;
    if (!owner || owner.type === 'function_definition') return 'end';
    if (owner.type === 'for_statement' || owner.type === 'while_statement') {
      // The loop may run its body again: anything serving in it counts.
      if (servesMemo(py, f, owner, byName)) return 'serve';
      stmt = owner;
      continue;
    }
    if (owner.type === 'elif_clause' || owner.type === 'else_clause') {
      // `for ... else` / `while ... else` / `try ... else` / `if ... else`: after the whole statement.
      stmt = owner.parent ?? undefined;
      if (stmt?.type === 'try_statement') {
        const fin = named(stmt).find((c) => c.type === 'finally_clause');
        if (fin && containsServe(py, f, fin, byName)) return 'serve';
      }
      continue;
    }
    if (owner.type === 'except_clause' || owner.type === 'finally_clause') {
      stmt = owner.parent ?? undefined;
      continue;
    }
    if (owner.type === 'try_statement') {
      // The try body may also raise into a handler that continues; conservatively: may serve
      // when a handler or the finally clause serves, else continue after the try statement.
      if (containsServe(py, f, owner, byName)) return 'serve';
      stmt = owner;
      continue;
    }
    stmt =
      statementOf(owner) ?? (owner.parent?.type === 'block' || owner.parent?.type === 'module' ? owner : undefined);
  }
  return 'open';
}

/** Whether a node is inside `if __name__ == "__main__":` at module level. */
export function inMainGuard(py: PyFile, node: PyNode): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'if_statement' && p.parent?.type === 'module') {
      const t = py.text(field(p, 'condition') ?? p).replace(/\s+/g, '');
      return /^__name__==(['"])__main__\1$|^(['"])__main__\2==__name__$/.test(t);
    }
  }
  return false;
}

/** Functions decorated as click/typer sub-commands (`@cli.command()`, `@app.command()`). */
export function cliCommands(py: PyFile): FunctionFact[] {
  return py.functions.filter((fn) => isCliCommand(py, fn));
}

/** click/typer sub-commands: the process runs one of them and exits. */
function isCliCommand(py: PyFile, fn: FunctionFact): boolean {
  const def = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : undefined;
  if (!def) return false;
  return named(def).some((d) => {
    if (d.type !== 'decorator') return false;
    const expr = named(d)[0];
    const target = expr?.type === 'call' ? field(expr, 'function') : expr;
    if (target?.type !== 'attribute') return false;
    return py.text(field(target, 'attribute')!) === 'command';
  });
}

/**
 * Whether the code at `node` may be followed by the server serving (so output there can reach a
 * stdio client). Handler code always may; so does anything the analysis cannot follow.
 */
export function serveReach(py: PyFile, node: PyNode, depth = 0): ServeReach {
  const f = facts(py);
  const stmt = statementOf(node);
  if (!stmt) return { may: true, roots: new Set() };
  const hit = f.memo.get(stmt);
  if (hit) return hit;
  const res = computeReach(py, f, node, depth);
  f.memo.set(stmt, res);
  return res;
}

function computeReach(py: PyFile, f: FlowFacts, node: PyNode, depth: number): ServeReach {
  const yes: ServeReach = { may: true, roots: new Set() };
  const fn = py.enclosingFunction(node);
  if (fn && f.handlers.has(fn)) return yes;
  const out = forward(py, f, node, f.byName);
  if (out === 'serve' || out === 'open') return yes;
  if (out === 'exit') return { may: false, roots: new Set() };
  if (!fn) return inMainGuard(py, node) ? { may: false, roots: new Set() } : yes;
  // The function that serves returns without serving on this path.
  if (f.serving.has(fn)) return { may: false, roots: new Set() };
  if (isCliCommand(py, fn)) return { may: false, roots: new Set() };
  if (depth > 4) return yes;
  // Every mention of the function must be a call whose own path cannot serve.
  if (!f.mentions) {
    const m = new Map<string, PyNode[]>();
    walk(py.root, (n) => {
      if (n.type !== 'identifier') return true;
      const name = py.text(n);
      if (f.byName.has(name)) {
        const list = m.get(name);
        if (list) list.push(n);
        else m.set(name, [n]);
      }
      return true;
    });
    f.mentions = m;
  }
  const refs = (f.mentions.get(fn.name) ?? []).filter((n) => n !== fn.nameNode);
  if (!refs.length) {
    if (py.helper && py.moduleFunctions.get(fn.name) === fn) return { may: false, roots: new Set([fn.name]) };
    return yes;
  }
  const roots = new Set<string>();
  for (const r of refs) {
    const call = r.parent;
    if (call?.type !== 'call' || field(call, 'function') !== r) {
      // `Thread(target=fn)` spawned on a branch that cannot serve stdio: fn runs off stdio too.
      const spawn = spawnOf(py, r);
      if (spawn && branchTransport(py, spawn) === 'other') continue;
      return yes;
    }
    const sub = serveReach(py, call, depth + 1);
    if (sub.may) return yes;
    for (const x of sub.roots) roots.add(x);
  }
  return { may: false, roots };
}

/** The `target=` (`function=` of a `Timer`) of a `Thread(...)` / `Process(...)` / `Timer(...)` call. */
export function spawnTarget(py: PyFile, call: PyNode): PyNode | undefined {
  if (!/(?:^|\.)(?:Thread|Process|Timer)$/.test(py.callee(call) ?? '')) return undefined;
  const kw = py.kwargs(call);
  return kw.get('target') ?? kw.get('function');
}

/** The `Thread(target=fn)` / `Process(...)` / `Timer(...)` call that names `ref` as its target. */
function spawnOf(py: PyFile, ref: PyNode): PyNode | undefined {
  const call = ref.parent?.type === 'keyword_argument' ? ref.parent.parent?.parent : undefined;
  return call?.type === 'call' && spawnTarget(py, call) === ref ? call : undefined;
}

/**
 * Names imported with `from x import name` whose every use in this file is a call on a path that
 * cannot serve (a CLI branch that exits or returns first): the project model uses them to clear
 * output in helper modules that only such a branch reaches.
 */
export function cliOnlyImports(py: PyFile): string[] {
  const local = new Map<string, string>();
  for (const n of py.importNodes) {
    if (n.type !== 'import_from_statement') continue;
    for (const c of n.children) {
      if (c.field !== 'name') continue;
      const nm = c.type === 'aliased_import' ? field(c, 'name') : c;
      const alias = c.type === 'aliased_import' ? field(c, 'alias') : c;
      if (nm && alias) local.set(py.text(alias), py.text(nm));
    }
  }
  if (!local.size) return [];
  const verdict = new Map<string, boolean>();
  walk(py.root, (n) => {
    if (n.type === 'import_from_statement') return false;
    if (n.type !== 'identifier') return true;
    const original = local.get(py.text(n));
    if (!original || verdict.get(original) === false) return true;
    if (n.field === 'attribute' && n.parent?.type === 'attribute') return true;
    const call = n.parent;
    const ok = call?.type === 'call' && field(call, 'function') === n && !serveReach(py, call).may;
    verdict.set(original, ok && (verdict.get(original) ?? true));
    return true;
  });
  return [...verdict].filter(([, ok]) => ok).map(([name]) => name);
}
