/**
 * What a call in a function names across modules: an imported function (`lookup(x)`), a member of
 * an imported name or module (`api.search()`, `helpers.fetch()`), a method of an instance built from
 * an imported class (`Client().search()`, `client = Client()` … `client.search()`), or a method of
 * this module's own class or module-level instance. The project model resolves imported names to
 * the module that defines them; facts of that module (ModuleFacts) are keyed the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { field, named, type PyNode } from './ast';
import type { PyFile } from './context';
import type { FunctionFact } from './functions';

/** A callee in another module: `name` as that module exports it (or the module's name), then `member`. */
interface CalleeRef {
  name: string;
  member?: string;
}

/** A callee: in another module (`imported`), or this module's own fact key (`own`: `Client.search`, `client.search`). */
export type Callee = { imported: CalleeRef } | { own: string };

interface ProjectImports {
  /** Local name → exported name, for `from x import name [as local]` of project modules. */
  fromNames: Map<string, string>;
  /** Local name → module name, for `import helpers` / `import pkg.client as client`. */
  modules: Map<string, string>;
}

const importsCache = new WeakMap<PyFile, ProjectImports>();
const localsCache = new WeakMap<FunctionFact, Map<string, PyNode>>();

/**
 * Module names per folder (`x` for `x.py` and for a folder `x/`), re-read when the folder's mtime
 * changes; within a second of the last look the folder is not stat-ed again (a workspace pass
 * asks for the same few folders for every file).
 */
const folderCache = new Map<string, { mtime: number; seen: number; names: Set<string> }>();

function moduleNamesIn(dir: string): Set<string> {
  const now = Date.now();
  const hit = folderCache.get(dir);
  if (hit && now - hit.seen < 1000) return hit.names;
  let mtime: number;
  try {
    mtime = fs.statSync(dir).mtimeMs;
  } catch {
    return new Set();
  }
  if (hit && hit.mtime === mtime) {
    hit.seen = now;
    return hit.names;
  }
  const names = new Set<string>();
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.py')) names.add(e.name.slice(0, -3));
      else if (e.isDirectory() && !e.name.startsWith('.')) names.add(e.name);
    }
  } catch {
    // unreadable: no local modules there
  }
  if (folderCache.size > 2000) folderCache.clear();
  folderCache.set(dir, { mtime, seen: now, names });
  return names;
}

/**
 * Whether an import can name the project's own code: relative, or a top-level name that a module
 * or package of the project has, where the project model looks for one (the project root, its
 * `src/`, the file's own folder, and the folder above the file's outermost package).
 */
function mayBeProjectModule(py: PyFile, spec: string): boolean {
  if (spec.startsWith('.')) return true;
  const top = spec.split('.')[0];
  return localModules(py).some((names) => names.has(top));
}

const localCache = new WeakMap<PyFile, Set<string>[]>();

/** The module names of the folders a bare import of this file can name project code in. */
function localModules(py: PyFile): Set<string>[] {
  let out = localCache.get(py);
  if (out) return out;
  const root = py.project.root;
  let dir = path.dirname(py.file);
  const folders = new Set([root, path.join(root, 'src'), dir]);
  while (fs.existsSync(path.join(dir, '__init__.py')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  folders.add(dir);
  out = [...folders].map(moduleNamesIn);
  localCache.set(py, out);
  return out;
}

function projectImports(py: PyFile): ProjectImports {
  let out = importsCache.get(py);
  if (out) return out;
  out = { fromNames: new Map(), modules: new Map() };
  for (const [local, { name, from }] of py.fromImports)
    if (mayBeProjectModule(py, from)) out.fromNames.set(local, name);
  for (const n of py.importNodes) {
    if (n.type === 'import_statement') {
      for (const c of named(n)) {
        const nm = c.type === 'aliased_import' ? field(c, 'name') : c;
        const alias = c.type === 'aliased_import' ? field(c, 'alias') : undefined;
        if (nm?.type !== 'dotted_name' || !mayBeProjectModule(py, py.text(nm))) continue;
        const parts = py.text(nm).split('.');
        if (alias) out.modules.set(py.text(alias), parts[parts.length - 1]);
        else if (parts.length === 1) out.modules.set(parts[0], parts[0]);
      }
    }
  }
  importsCache.set(py, out);
  return out;
}

/** Names a function binds to a call in its own body (`client = Client(...)`). */
function localConstructions(py: PyFile, fn: FunctionFact): Map<string, PyNode> {
  let out = localsCache.get(fn);
  if (out) return out;
  out = new Map<string, PyNode>();
  for (const call of py.callsIn(fn)) {
    const asg = call.parent;
    if (asg?.type !== 'assignment' || field(asg, 'right') !== call) continue;
    const left = field(asg, 'left');
    if (left?.type === 'identifier') out.set(py.text(left), call);
  }
  localsCache.set(fn, out);
  return out;
}

/** The name a project module exports for a local name this file from-imports (`from .server import with_x as wx` → `with_x`). */
export function importedProjectName(py: PyFile, local: string): string | undefined {
  return projectImports(py).fromNames.get(local);
}

/** Whether the file imports anything from the project's own modules (else no call can reach another module). */
export function importsProjectModules(py: PyFile): boolean {
  const { fromNames, modules } = projectImports(py);
  return fromNames.size > 0 || modules.size > 0;
}

/** What a direct call in `fn` calls, when that is code of another project module or a method of this one's classes. */
export function calleeOf(py: PyFile, call: PyNode, fn: FunctionFact): Callee | undefined {
  const { fromNames, modules } = projectImports(py);
  const target = field(call, 'function');
  if (target?.type === 'identifier') {
    const t = py.text(target);
    const exp = py.moduleFunctions.has(t) ? undefined : fromNames.get(t);
    return exp && !/^[A-Z]/.test(exp) ? { imported: { name: exp } } : undefined;
  }
  if (target?.type !== 'attribute') return undefined;
  /** `Client` → {name: Client}; `mod.Client` → {name: mod, member: Client}. */
  const classRef = (ctor: PyNode | undefined): CalleeRef | undefined => {
    if (ctor?.type === 'identifier') {
      const exp = fromNames.get(py.text(ctor));
      return exp && /^[A-Z]/.test(exp) ? { name: exp } : undefined;
    }
    if (ctor?.type === 'attribute') {
      const obj = field(ctor, 'object');
      const cls = py.text(field(ctor, 'attribute')!);
      const mod = obj?.type === 'identifier' ? (modules.get(py.text(obj)) ?? fromNames.get(py.text(obj))) : undefined;
      return mod && /^[A-Z]/.test(cls) ? { name: mod, member: cls } : undefined;
    }
    return undefined;
  };
  const ownClass = (ctor: PyNode | undefined) =>
    ctor?.type === 'identifier' && py.classes.has(py.text(ctor)) ? py.text(ctor) : undefined;
  const obj = field(target, 'object');
  const m = py.text(field(target, 'attribute')!);
  let base: CalleeRef | undefined;
  if (obj?.type === 'identifier') {
    const o = py.text(obj);
    const local = localConstructions(py, fn).get(o);
    const bound = local ?? py.moduleAssignments.get(o);
    const ctor = bound?.type === 'call' ? field(bound, 'function') : undefined;
    const own = ownClass(ctor);
    // `client = Client()` here: a module-level instance is keyed by its name, a local one by its class.
    if (own) return { own: !local ? `${o}.${m}` : `${own}.${m}` };
    if (py.classes.has(o)) return { own: `${o}.${m}` };
    if (bound) base = bound.type === 'call' ? classRef(ctor) : undefined;
    else if (fromNames.has(o)) base = { name: fromNames.get(o)! };
    else if (modules.has(o)) base = { name: modules.get(o)! };
  } else if (obj?.type === 'call') {
    const ctor = field(obj, 'function');
    const own = ownClass(ctor);
    if (own) return { own: `${own}.${m}` };
    base = classRef(ctor);
  }
  return base ? { imported: { name: base.name, member: base.member ? `${base.member}.${m}` : m } } : undefined;
}

/** This module's classes: their own methods and base classes of the module, for method lookups. */
export interface ModuleClasses {
  methods: Map<string, Map<string, FunctionFact>>;
  bases: Map<string, string[]>;
  /** A method of `cls` or of a base class of the module (a few levels). */
  methodOf(cls: string, name: string): { fn: FunctionFact; cls: string } | undefined;
}

const classesCache = new WeakMap<PyFile, ModuleClasses>();

export function moduleClasses(py: PyFile): ModuleClasses {
  let out = classesCache.get(py);
  if (out) return out;
  const byNode = new Map(py.functions.map((f) => [f.node, f]));
  const methods = new Map<string, Map<string, FunctionFact>>();
  const bases = new Map<string, string[]>();
  for (const [name, cls] of py.classes) {
    const own = new Map<string, FunctionFact>();
    for (const c of named(field(cls, 'body'))) {
      const def = c.type === 'decorated_definition' ? field(c, 'definition') : c;
      const fn = def && byNode.get(def);
      if (fn) own.set(fn.name, fn);
    }
    methods.set(name, own);
    bases.set(
      name,
      named(field(cls, 'superclasses'))
        .filter((b) => b.type === 'identifier')
        .map((b) => py.text(b)),
    );
  }
  const methodOf = (cls: string, name: string, depth = 0): { fn: FunctionFact; cls: string } | undefined => {
    const fn = methods.get(cls)?.get(name);
    if (fn) return { fn, cls };
    if (depth > 3) return undefined;
    for (const b of bases.get(cls) ?? []) {
      const found = methodOf(b, name, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  out = { methods, bases, methodOf: (cls, name) => methodOf(cls, name) };
  classesCache.set(py, out);
  return out;
}

/**
 * The module's callables by the keys other modules call them with: functions (`fetch`), class
 * methods with inherited ones (`Client.search`), and methods of module-level instances
 * (`client.search` for `client = Client()`).
 */
export function moduleCallables(py: PyFile): Map<string, { fn: FunctionFact; cls?: string }> {
  const out = new Map<string, { fn: FunctionFact; cls?: string }>();
  for (const [name, fn] of py.moduleFunctions) out.set(name, { fn });
  const { methods, bases, methodOf } = moduleClasses(py);
  const names = (cls: string, depth = 0): string[] =>
    depth > 3
      ? []
      : [...(methods.get(cls)?.keys() ?? []), ...(bases.get(cls) ?? []).flatMap((b) => names(b, depth + 1))];
  const add = (prefix: string, cls: string) => {
    for (const m of new Set(names(cls))) {
      const found = methodOf(cls, m);
      if (found) out.set(`${prefix}.${m}`, found);
    }
  };
  for (const cls of methods.keys()) add(cls, cls);
  for (const [name, right] of py.moduleAssignments) {
    const ctor = right.type === 'call' ? field(right, 'function') : undefined;
    if (ctor?.type === 'identifier' && methods.has(py.text(ctor))) add(name, py.text(ctor));
  }
  return out;
}
