/**
 * Which code of one Python file runs when: calls grouped by the function they sit in, the
 * functions reachable while the server serves (handlers and what they name), and the functions
 * module-level code calls at startup. Built lazily, once per file.
 */
import { field, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import { cliCommands, lifespanNames, serveReach, spawnTarget } from './flow';
import type { DefinitionFact } from './definitions';
import type { FunctionFact } from './functions';
import { externalStarts } from './servers';

export class CallGraph {
  private callsByFn?: Map<FunctionFact | undefined, PyNode[]>;
  private reach?: Set<FunctionFact>;
  private startupReach?: Set<FunctionFact>;
  private byHandler?: Map<FunctionFact, DefinitionFact>;

  constructor(private readonly py: PyFile) {}

  private byName?: Map<string, FunctionFact>;

  /** The file's functions by name (the first of each name). */
  private functionsByName(): Map<string, FunctionFact> {
    if (!this.byName) {
      this.byName = new Map();
      for (const f of this.py.functions) if (!this.byName.has(f.name)) this.byName.set(f.name, f);
    }
    return this.byName;
  }

  /** The function of this file a call names directly (`helper(...)`), if any. */
  private localCallee(call: PyNode): FunctionFact | undefined {
    const fnNode = field(call, 'function');
    return fnNode?.type === 'identifier' ? this.functionsByName().get(this.py.text(fnNode)) : undefined;
  }

  /** The function of this file a `Thread(target=fn)` / `Timer(t, function=fn)` call runs, if any. */
  private spawned(call: PyNode): FunctionFact | undefined {
    const t = spawnTarget(this.py, call);
    return t?.type === 'identifier' ? this.functionsByName().get(this.py.text(t)) : undefined;
  }

  /** Calls whose nearest enclosing function is `fn` (undefined: module-level code). */
  callsIn(fn: FunctionFact | undefined): PyNode[] {
    if (!this.callsByFn) {
      this.callsByFn = new Map();
      for (const c of this.py.calls) {
        const f = this.py.enclosingFunction(c);
        let list = this.callsByFn.get(f);
        if (!list) this.callsByFn.set(f, (list = []));
        list.push(c);
      }
    }
    return this.callsByFn.get(fn) ?? [];
  }

  /**
   * Functions that run while the server serves: registered tools/resources/prompts, the lifespan, functions
   * module-level code calls, and (transitively) every function those name in their bodies.
   */
  reachable(): Set<FunctionFact> {
    if (this.reach) return this.reach;
    const byName = this.functionsByName();
    const out = new Set<FunctionFact>(this.py.definitions.map((d) => d.fn));
    // The server runs its lifespan itself, around serving.
    for (const name of lifespanNames(this.py)) {
      const f = byName.get(name);
      if (f) out.add(f);
    }
    for (const c of this.callsIn(undefined)) {
      const f = this.localCallee(c) ?? this.spawned(c);
      if (f) out.add(f);
    }
    // click/typer sub-commands run when the CLI dispatches to them.
    for (const f of cliCommands(this.py)) out.add(f);
    // A function that starts a server is an entry point even when nothing here calls it
    // (`[project.scripts]`, `__main__.py` and runners call it from elsewhere).
    for (const f of this.startingFunctions()) out.add(f);
    const queue = [...out];
    while (queue.length) {
      const f = queue.pop()!;
      walk(f.body, (n) => {
        if (n.type === 'identifier') {
          const g = byName.get(this.py.text(n));
          if (g && !out.has(g)) {
            out.add(g);
            queue.push(g);
          }
        }
        return true;
      });
    }
    this.reach = out;
    return out;
  }

  /** Functions that start a server of this file, or one imported from another module (`from . import mcp` … `mcp.run()`). */
  private startingFunctions(): FunctionFact[] {
    const calls = [
      ...this.py.servers.flatMap((s) => s.starts.map((st) => st.node)),
      ...externalStarts(this.py).map((st) => st.call),
    ];
    return calls.flatMap((c) => this.py.enclosingFunction(c) ?? []);
  }

  /** True when the node runs at import time or inside a reachable function. */
  isReachable(node: PyNode): boolean {
    const f = this.py.enclosingFunction(node);
    if (!f) return this.py.atModuleLevel(node);
    return this.py.helper || this.reachable().has(f);
  }

  /**
   * Functions that module-level code calls (transitively): the code that runs at import time and
   * in `if __name__ == "__main__":` before (or after) the server starts, as opposed to tool
   * handlers, which run only while the server serves. A call on a path that cannot go on to
   * serve (a `__main__` branch that exits) is no server startup.
   */
  startupFunctions(): Set<FunctionFact> {
    if (this.startupReach) return this.startupReach;
    const handlers = new Set(this.py.definitions.map((d) => d.fn));
    const out = new Set<FunctionFact>();
    for (const c of this.callsIn(undefined)) {
      const f = this.localCallee(c);
      // Not a `__main__` branch that does its job and exits without serving (`--write-schemas`).
      if (f && !handlers.has(f) && serveReach(this.py, c).may) out.add(f);
    }
    for (const f of cliCommands(this.py)) if (!handlers.has(f)) out.add(f);
    // A function that starts a server runs at startup, whoever calls it (an entry point declared
    // in `[project.scripts]`, a runner module).
    for (const f of this.startingFunctions()) if (!handlers.has(f)) out.add(f);
    const queue = [...out];
    while (queue.length) {
      const f = queue.pop()!;
      for (const c of this.callsIn(f)) {
        const g = this.localCallee(c);
        if (g && !out.has(g) && !handlers.has(g)) {
          out.add(g);
          queue.push(g);
        }
      }
    }
    this.startupReach = out;
    return out;
  }

  /**
   * The tool (or resource, prompt) whose handler calls `fn`, directly or through other functions
   * of this file: the first one found, or undefined.
   */
  handlerReaching(fn: FunctionFact): DefinitionFact | undefined {
    if (!this.byHandler) {
      this.byHandler = new Map();
      for (const d of this.py.definitions) {
        const queue = [d.fn];
        while (queue.length) {
          const f = queue.pop()!;
          for (const c of this.callsIn(f)) {
            const g = this.localCallee(c);
            if (g && g !== d.fn && !this.byHandler.has(g)) {
              this.byHandler.set(g, d);
              queue.push(g);
            }
          }
        }
      }
    }
    return this.byHandler.get(fn);
  }

  /** True when the node runs only while the server serves (in a handler, not at import or startup). */
  runsOnlyWhileServing(node: PyNode): boolean {
    const f = this.py.enclosingFunction(node);
    if (!f) return false;
    return !this.startupFunctions().has(f);
  }
}
