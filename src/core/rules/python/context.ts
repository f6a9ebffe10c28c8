/**
 * Shared facts about one Python file (catalogue §0.4): imports and aliases, FastMCP server objects,
 * framework flavour, transports, functions and tool/resource/prompt definitions. Computed once
 * per file; every rule reads them instead of re-walking the tree.
 *
 * `PyFile` makes one walk over the tree and owns the per-file caches; the passes live next to it:
 * name resolution (`imports.ts`), function facts (`functions.ts`), servers and their starts
 * (`servers.ts`), definitions (`definitions.ts`) and the in-file call graph (`callGraph.ts`).
 */
import type { Range } from '../../model';
import type { ModuleFacts, ProjectContext, RuleHit } from '../types';
import { field, named, type PyNode, SourceText, walk } from './ast';
import { CallGraph } from './callGraph';
import { type DefinitionFact, findDefinitions } from './definitions';
import { type FunctionFact, makeFunction, type ParamFact } from './functions';
import { addImport, frameworkFromImports, isInjectedDefault, namesContext, qualifiedName } from './imports';
import { moduleFactsOf } from './moduleFacts';
import { findServers, hasMainBlock, type PyFramework, type ServerFact } from './servers';

/** Everything the rules need about one file. */
export class PyFile {
  readonly src: SourceText;
  /** Local name → qualified name (`t` → `time`, `sleep` → `time.sleep`, `F` → `fastmcp.FastMCP`). */
  readonly imports = new Map<string, string>();
  /** Names bound by `from x import name [as local]`: local → the name as `x` exports it, and `x` as written. */
  readonly fromImports = new Map<string, { name: string; from: string }>();
  /** Every import statement, for inserting new imports after them. */
  readonly importNodes: PyNode[] = [];
  readonly hasFutureAnnotations: boolean;
  readonly functions: FunctionFact[] = [];
  /** Module-level functions by name (for the in-file call graph). */
  readonly moduleFunctions = new Map<string, FunctionFact>();
  readonly classes = new Map<string, PyNode>();
  readonly calls: PyNode[] = [];
  /** Every `a.b` expression, in source order. */
  readonly attributes: PyNode[] = [];
  readonly servers: ServerFact[] = [];
  readonly definitions: DefinitionFact[] = [];
  framework?: PyFramework;
  readonly hits: RuleHit[] = [];
  /** Module-level names bound by plain assignments, with the value node. */
  readonly moduleAssignments = new Map<string, PyNode>();
  /** `type X = ...` aliases (PEP 695). */
  readonly typeAliases = new Set<string>();
  /**
   * Set when the file is analyzed as a helper module of a stdio server (it does not import an MCP
   * framework itself, but a module that starts the stdio transport imports it): only the stdout
   * rules run, every function counts as reachable, and the engine names the importer as evidence.
   */
  helper = false;
  private readonly fnByNode = new Map<PyNode, FunctionFact>();
  private readonly graph = new CallGraph(this);

  constructor(
    readonly file: string,
    text: string,
    readonly root: PyNode,
    readonly project: ProjectContext,
  ) {
    this.src = new SourceText(text);
    let future = false;
    walk(root, (n) => {
      switch (n.type) {
        case 'import_statement':
        case 'import_from_statement':
          this.importNodes.push(n);
          addImport(this, n);
          return false;
        case 'future_import_statement':
          this.importNodes.push(n);
          if (/\bannotations\b/.test(this.text(n))) future = true;
          return false;
        case 'function_definition': {
          const fn = makeFunction(this, n);
          this.functions.push(fn);
          this.fnByNode.set(n, fn);
          if (this.isModuleLevel(n)) this.moduleFunctions.set(fn.name, fn);
          break;
        }
        case 'class_definition': {
          const name = field(n, 'name');
          if (name && this.isModuleLevel(n)) this.classes.set(this.text(name), n);
          break;
        }
        case 'type_alias_statement': {
          const left = named(n)[0];
          const id = left?.type === 'type' ? named(left)[0] : left;
          if (id) this.typeAliases.add(this.text(id).replace(/\[.*$/s, ''));
          break;
        }
        case 'call':
          this.calls.push(n);
          break;
        case 'attribute':
          this.attributes.push(n);
          break;
        case 'assignment':
          if (n.parent?.type === 'expression_statement' && n.parent.parent?.type === 'module') {
            const left = field(n, 'left');
            const right = field(n, 'right');
            if (left?.type === 'identifier' && right) this.moduleAssignments.set(this.text(left), right);
          }
          break;
      }
      return true;
    });
    this.hasFutureAnnotations = future;
    findServers(this);
    findDefinitions(this);
    this.framework = this.servers[0]?.framework ?? frameworkFromImports(this);
  }

  // ---- text and positions ----------------------------------------------------------------

  text(node: PyNode): string {
    return this.src.of(node);
  }

  range(node: PyNode): Range {
    return this.src.range(node);
  }

  /** Records a hit on a node (first line of it for multi-line nodes). */
  hit(ruleId: string, node: PyNode | Range, message: string, extra: Partial<RuleHit> = {}): RuleHit {
    const range =
      'start' in node && typeof node.start === 'object' ? (node as Range) : this.src.headRange(node as PyNode);
    const h: RuleHit = { ruleId, range, message, ...extra };
    this.hits.push(h);
    return h;
  }

  /** 1-based line number of a node, for messages. */
  line(node: PyNode): number {
    return this.src.positionAt(node.start).line + 1;
  }

  // ---- imports and names -----------------------------------------------------------------

  /** Qualified dotted name of an identifier/attribute chain, resolving import aliases. */
  qualify(node: PyNode | undefined): string | undefined {
    return qualifiedName(this, node);
  }

  private readonly calleeCache = new Map<PyNode, string | undefined>();
  private readonly kwargsCache = new Map<PyNode, Map<string, PyNode>>();

  /** Qualified name of the function a call invokes (`requests.get`, `print`...); memoized. */
  callee(call: PyNode): string | undefined {
    if (this.calleeCache.has(call)) return this.calleeCache.get(call);
    const q = this.qualify(field(call, 'function'));
    this.calleeCache.set(call, q);
    return q;
  }

  /** Whether any import binds a module or name under `prefix` (`subprocess`, `fastmcp`). */
  importsFrom(prefix: string): boolean {
    for (const q of this.imports.values()) if (q === prefix || q.startsWith(`${prefix}.`)) return true;
    return false;
  }

  /** Local name bound to a qualified module (e.g. `sys`), or undefined when not imported. */
  localNameFor(qualified: string): string | undefined {
    for (const [local, q] of this.imports) if (q === qualified) return local;
    return undefined;
  }

  // ---- calls ----------------------------------------------------------------------------

  args(call: PyNode): PyNode | undefined {
    const a = field(call, 'arguments');
    return a?.type === 'argument_list' ? a : undefined;
  }

  private readonly positionalCache = new Map<PyNode, PyNode[]>();

  /** Positional arguments (memoized; do not mutate the array). */
  positional(call: PyNode): PyNode[] {
    let out = this.positionalCache.get(call);
    if (!out) {
      out = [];
      const args = this.args(call);
      if (args) {
        for (const c of args.children) {
          if (
            c.named &&
            c.type !== 'comment' &&
            c.type !== 'keyword_argument' &&
            c.type !== 'dictionary_splat' &&
            c.type !== 'list_splat'
          )
            out.push(c);
        }
      }
      this.positionalCache.set(call, out);
    }
    return out;
  }

  /** Keyword arguments by name (memoized; do not mutate the map). */
  kwargs(call: PyNode): Map<string, PyNode> {
    const cached = this.kwargsCache.get(call);
    if (cached) return cached;
    const out = new Map<string, PyNode>();
    this.kwargsCache.set(call, out);
    for (const c of this.args(call)?.children ?? []) {
      if (c.type !== 'keyword_argument') continue;
      const k = field(c, 'name');
      const v = field(c, 'value');
      if (k && v) out.set(this.text(k), v);
    }
    return out;
  }

  /** The keyword_argument node itself (to replace or delete it). */
  kwargNode(call: PyNode, key: string): PyNode | undefined {
    for (const c of named(this.args(call))) {
      if (c.type === 'keyword_argument' && this.text(field(c, 'name')!) === key) return c;
    }
    return undefined;
  }

  /** Whether the call passes `**kwargs` (keywords we look for may hide inside). */
  hasSplat(call: PyNode): boolean {
    const args = this.args(call);
    if (!args) return false;
    for (const c of args.children) if (c.type === 'dictionary_splat') return true;
    return false;
  }

  /** Value of a plain string literal (no interpolation), else undefined. */
  str(node: PyNode | undefined): string | undefined {
    if (!node) return undefined;
    if (node.type === 'concatenated_string') {
      let out = '';
      for (const c of named(node)) {
        const s = this.str(c);
        if (s === undefined) return undefined;
        out += s;
      }
      return out;
    }
    if (node.type !== 'string') return undefined;
    let out = '';
    for (const c of node.children) {
      if (c.type === 'interpolation') return undefined;
      if (c.type === 'string_content') out += this.text(c);
    }
    return out;
  }

  /**
   * The string a name expression stands for: a literal, or a module-level name bound to a
   * literal (`TOOL = "echo"`, followed through simple aliases). Undefined when computed.
   */
  constStr(node: PyNode | undefined): string | undefined {
    for (let i = 0; node && i < 4; i++) {
      const v = this.str(node);
      if (v !== undefined) return v;
      if (node.type !== 'identifier') return undefined;
      node = this.moduleAssignments.get(this.text(node));
    }
    return undefined;
  }

  isTrue(node: PyNode | undefined): boolean {
    return !!node && node.type === 'true';
  }

  /** The function definition a node sits in (nearest), or undefined at module level. */
  enclosingFunction(node: PyNode): FunctionFact | undefined {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === 'function_definition') return this.fnByNode.get(p);
      if (p.type === 'lambda') return undefined;
    }
    return undefined;
  }

  /** True when the node is not inside any function or lambda (runs at import time). */
  atModuleLevel(node: PyNode): boolean {
    for (let p = node.parent; p; p = p.parent)
      if (p.type === 'function_definition' || p.type === 'lambda') return false;
    return true;
  }

  private isModuleLevel(def: PyNode): boolean {
    let p = def.parent;
    if (p?.type === 'decorated_definition') p = p.parent;
    return p?.type === 'module';
  }

  // ---- call graph -------------------------------------------------------------------------

  /** Calls whose nearest enclosing function is `fn` (undefined: module-level code). */
  callsIn(fn: FunctionFact | undefined): PyNode[] {
    return this.graph.callsIn(fn);
  }

  /** True when the node runs at import time or inside a function reachable while serving. */
  isReachable(node: PyNode): boolean {
    return this.graph.isReachable(node);
  }

  /** Functions that module-level code calls (transitively): the startup code, not the handlers. */
  startupFunctions(): Set<FunctionFact> {
    return this.graph.startupFunctions();
  }

  /** The definition whose handler reaches `fn` through calls in this file, if any. */
  handlerReaching(fn: FunctionFact): DefinitionFact | undefined {
    return this.graph.handlerReaching(fn);
  }

  /** True when the node runs only while the server serves (in a handler, not at import or startup). */
  runsOnlyWhileServing(node: PyNode): boolean {
    return this.graph.runsOnlyWhileServing(node);
  }

  // ---- functions --------------------------------------------------------------------------

  /** Whether an annotation names the framework's Context (also `Context[...]`, `Context | None`). */
  private readonly contextAnnCache = new Map<PyNode, boolean>();

  isContextAnnotation(ann: PyNode | undefined): boolean {
    if (!ann) return false;
    const cached = this.contextAnnCache.get(ann);
    if (cached !== undefined) return cached;
    const found = namesContext(this, ann);
    this.contextAnnCache.set(ann, found);
    return found;
  }

  /**
   * Whether the framework fills the parameter, so it is no user argument and not in the schema:
   * the Context, or a fastmcp dependency default (`client = Depends(get_client)`).
   */
  isInjected(p: ParamFact): boolean {
    return this.isContextAnnotation(p.annotation) || isInjectedDefault(this, p.default);
  }

  /** The injected Context parameter of a tool, when it has one. */
  contextParam(fn: FunctionFact): ParamFact | undefined {
    return fn.params.find((p) => this.isContextAnnotation(p.annotation));
  }

  // ---- servers and definitions ------------------------------------------------------------

  /** Imports and transport starts for the project model (see `moduleFactsOf`). */
  moduleFacts(): ModuleFacts {
    return moduleFactsOf(this);
  }

  /** Whether the module has an `if __name__ == "__main__":` block. */
  get hasMainGuard(): boolean {
    return hasMainBlock(this);
  }

  get tools(): DefinitionFact[] {
    return this.definitions.filter((d) => d.def.kind === 'tool');
  }

  /** Definitions whose function body is `fn` (a function may be registered on several kinds). */
  definitionOf(fn: FunctionFact): DefinitionFact | undefined {
    return this.definitions.find((d) => d.fn === fn);
  }
}
