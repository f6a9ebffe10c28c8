/**
 * Shared facts about one Python file (catalogue §0.4): imports and aliases, FastMCP server objects,
 * framework flavour, transports, functions and tool/resource/prompt definitions. Computed once
 * per file; every rule reads them instead of re-walking the tree.
 */
import type { Range } from '../../model';
import type { Definition, DefinitionKind, ModuleFacts, ProjectContext, RuleHit } from '../types';
import { field, named, type PyNode, SourceText, walk } from './ast';

export type PyFramework = 'fastmcp' | 'mcp-python-sdk';
type PyTransport = 'stdio' | 'http' | 'sse' | 'unknown' | 'none';

/** Fully qualified constructor names of a server class, by framework. */
const SERVER_CLASSES: Record<string, PyFramework> = {
  'fastmcp.FastMCP': 'fastmcp',
  'fastmcp.server.FastMCP': 'fastmcp',
  'fastmcp.server.server.FastMCP': 'fastmcp',
  'mcp.server.fastmcp.FastMCP': 'mcp-python-sdk',
  'mcp.server.fastmcp.server.FastMCP': 'mcp-python-sdk',
  'mcp.server.fastmcp.MCPServer': 'mcp-python-sdk',
  'mcp.server.MCPServer': 'mcp-python-sdk',
  'mcp.server.mcpserver.MCPServer': 'mcp-python-sdk',
  'mcp.server.mcpserver.server.MCPServer': 'mcp-python-sdk',
};

/** Methods that start (or build) a transport, with the transport they imply by default. */
const START_METHODS: Record<string, PyTransport> = {
  run: 'stdio',
  run_async: 'stdio',
  run_stdio_async: 'stdio',
  run_http_async: 'http',
  run_streamable_http_async: 'http',
  run_sse_async: 'sse',
  http_app: 'http',
  streamable_http_app: 'http',
  sse_app: 'sse',
};

/** A call that starts or builds a transport for a server. */
export interface StartCall {
  /** The `call` node, or the bare attribute when the method is passed by reference. */
  node: PyNode;
  method: string;
  transport: Exclude<PyTransport, 'none'>;
  /** The `transport=` (or first positional) argument of run()/run_async()/http_app(). */
  transportArg?: PyNode;
}

/** A server object: `name = FastMCP(...)`, or a server imported from a local module. */
export interface ServerFact {
  name: string;
  /** The assignment (or the import) that binds the name. */
  node: PyNode;
  /** The constructor call; absent for imported servers. */
  ctor?: PyNode;
  framework: PyFramework;
  transport: PyTransport;
  starts: StartCall[];
  /** `stateless_http=True` in the constructor, run() or http_app(). */
  stateless: boolean;
  imported: boolean;
  /**
   * Driven in-process in this file (`Client(mcp)`, `FastMCPTransport(mcp)`,
   * `create_connected_server_and_client_session(mcp)`): a demo or test, not a stdio process.
   */
  inProcess?: boolean;
  /** Mounted or imported into another server (`app.mount(server=sub)`, `app.import_server(sub)`). */
  mounted?: boolean;
  /** Returned from a function (a factory): whoever calls it starts the server. */
  returned?: boolean;
}

export interface ParamFact {
  name: string;
  node: PyNode;
  annotation?: PyNode;
  default?: PyNode;
  kind: 'plain' | 'args' | 'kwargs';
}

export interface FunctionFact {
  node: PyNode;
  name: string;
  nameNode: PyNode;
  isAsync: boolean;
  params: ParamFact[];
  paramsNode: PyNode;
  body: PyNode;
  returnType?: PyNode;
  docstring?: string;
  /** The `decorated_definition` wrapping the function, when decorated. */
  decorated?: PyNode;
}

/** A tool, resource or prompt registered on a server, with the syntax it came from. */
export interface DefinitionFact {
  def: Definition;
  fn: FunctionFact;
  server: ServerFact;
  /** The decorator's expression (`mcp.tool` or `mcp.tool(...)`) or the registering call. */
  registration: PyNode;
  /** Keyword arguments of the registration (`name=`, `description=`...). */
  kwargs: Map<string, PyNode>;
  /** `@mcp.tool` without a call. */
  bare: boolean;
  /** The string node holding an explicit name, when there is one. */
  nameNode?: PyNode;
}

/** Names that make a parameter the injected context rather than a user argument. */
const CONTEXT_CLASSES =
  /^(fastmcp(\.server)?(\.context)?|mcp\.server\.fastmcp(\.server)?|mcp\.server\.mcpserver(\.context)?|mcp\.server\.fastmcp\.context)\.Context$/;

/** Everything the rules need about one file. */
export class PyFile {
  readonly src: SourceText;
  /** Local name → qualified name (`t` → `time`, `sleep` → `time.sleep`, `F` → `fastmcp.FastMCP`). */
  readonly imports = new Map<string, string>();
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
          this.addImport(n);
          return false;
        case 'future_import_statement':
          this.importNodes.push(n);
          if (/\bannotations\b/.test(this.text(n))) future = true;
          return false;
        case 'function_definition': {
          const fn = this.makeFunction(n);
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
    this.findServers();
    this.findDefinitions();
    this.framework = this.servers[0]?.framework ?? this.frameworkFromImports();
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

  private addImport(n: PyNode): void {
    if (n.type === 'import_statement') {
      for (const c of named(n)) {
        if (c.type === 'dotted_name') {
          const full = this.text(c);
          const head = full.split('.')[0];
          this.imports.set(head, head);
        } else if (c.type === 'aliased_import') {
          const nm = field(c, 'name');
          const alias = field(c, 'alias');
          if (nm && alias) this.imports.set(this.text(alias), this.text(nm));
        }
      }
      return;
    }
    const mod = field(n, 'module_name');
    if (!mod) return;
    const modText = this.text(mod).replace(/\s+/g, '');
    for (const c of n.children) {
      if (c.field !== 'name') continue;
      if (c.type === 'dotted_name') {
        const nm = this.text(c);
        this.imports.set(nm, `${modText}.${nm}`);
      } else if (c.type === 'aliased_import') {
        const nm = field(c, 'name');
        const alias = field(c, 'alias');
        if (nm && alias) this.imports.set(this.text(alias), `${modText}.${this.text(nm)}`);
      }
    }
  }

  /** Qualified dotted name of an identifier/attribute chain, resolving import aliases. */
  qualify(node: PyNode | undefined): string | undefined {
    if (!node) return undefined;
    if (node.type === 'identifier') {
      const t = this.text(node);
      return this.imports.get(t) ?? t;
    }
    if (node.type === 'attribute') {
      const obj = this.qualify(field(node, 'object'));
      const attr = field(node, 'attribute');
      return obj && attr ? `${obj}.${this.text(attr)}` : undefined;
    }
    return undefined;
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

  private frameworkFromImports(): PyFramework | undefined {
    if (this.importsFrom('fastmcp')) return 'fastmcp';
    if (
      this.importsFrom('mcp.server.fastmcp') ||
      this.importsFrom('mcp.server.mcpserver') ||
      this.importsFrom('mcp.server.lowlevel') ||
      ['mcp.server.MCPServer', 'mcp.server.Server'].includes(
        this.imports.get('MCPServer') ?? this.imports.get('Server') ?? '',
      )
    ) {
      return 'mcp-python-sdk';
    }
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

  private callsByFn?: Map<FunctionFact | undefined, PyNode[]>;
  private reach?: Set<FunctionFact>;
  private startupReach?: Set<FunctionFact>;

  /** Calls whose nearest enclosing function is `fn` (undefined: module-level code). */
  callsIn(fn: FunctionFact | undefined): PyNode[] {
    if (!this.callsByFn) {
      this.callsByFn = new Map();
      for (const c of this.calls) {
        const f = this.enclosingFunction(c);
        let list = this.callsByFn.get(f);
        if (!list) this.callsByFn.set(f, (list = []));
        list.push(c);
      }
    }
    return this.callsByFn.get(fn) ?? [];
  }

  /**
   * Functions that run while the server serves: registered tools/resources/prompts, functions
   * module-level code calls, and (transitively) every function those name in their bodies.
   */
  reachable(): Set<FunctionFact> {
    if (this.reach) return this.reach;
    const byName = new Map<string, FunctionFact>();
    for (const f of this.functions) if (!byName.has(f.name)) byName.set(f.name, f);
    const out = new Set<FunctionFact>(this.definitions.map((d) => d.fn));
    for (const c of this.callsIn(undefined)) {
      const fnNode = field(c, 'function');
      const f = fnNode?.type === 'identifier' ? byName.get(this.text(fnNode)) : undefined;
      if (f) out.add(f);
    }
    const queue = [...out];
    while (queue.length) {
      const f = queue.pop()!;
      walk(f.body, (n) => {
        if (n.type === 'identifier') {
          const g = byName.get(this.text(n));
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

  /** True when the node runs at import time or inside a reachable function. */
  isReachable(node: PyNode): boolean {
    const f = this.enclosingFunction(node);
    if (!f) return this.atModuleLevel(node);
    return this.helper || this.reachable().has(f);
  }

  /**
   * Functions that module-level code calls (transitively): the code that runs at import time and
   * in `if __name__ == "__main__":` before (or after) the server starts, as opposed to tool
   * handlers, which run only while the server serves.
   */
  startupFunctions(): Set<FunctionFact> {
    if (this.startupReach) return this.startupReach;
    const byName = new Map<string, FunctionFact>();
    for (const f of this.functions) if (!byName.has(f.name)) byName.set(f.name, f);
    const handlers = new Set(this.definitions.map((d) => d.fn));
    const out = new Set<FunctionFact>();
    for (const c of this.callsIn(undefined)) {
      const fnNode = field(c, 'function');
      const f = fnNode?.type === 'identifier' ? byName.get(this.text(fnNode)) : undefined;
      if (f && !handlers.has(f)) out.add(f);
    }
    const queue = [...out];
    while (queue.length) {
      const f = queue.pop()!;
      for (const c of this.callsIn(f)) {
        const fnNode = field(c, 'function');
        const g = fnNode?.type === 'identifier' ? byName.get(this.text(fnNode)) : undefined;
        if (g && !out.has(g) && !handlers.has(g)) {
          out.add(g);
          queue.push(g);
        }
      }
    }
    this.startupReach = out;
    return out;
  }

  /** True when the node runs only while the server serves (in a handler, not at import or startup). */
  runsOnlyWhileServing(node: PyNode): boolean {
    const f = this.enclosingFunction(node);
    if (!f) return false;
    return !this.startupFunctions().has(f);
  }

  functionFact(node: PyNode): FunctionFact | undefined {
    return this.fnByNode.get(node);
  }

  private makeFunction(n: PyNode): FunctionFact {
    const nameNode = field(n, 'name')!;
    const paramsNode = field(n, 'parameters')!;
    const body = field(n, 'body')!;
    const params: ParamFact[] = [];
    for (const p of named(paramsNode)) {
      const pf = this.makeParam(p);
      if (pf) params.push(pf);
    }
    let docstring: string | undefined;
    const first = named(body)[0];
    if (first?.type === 'expression_statement') {
      const s = named(first)[0];
      if (s && (s.type === 'string' || s.type === 'concatenated_string')) docstring = this.str(s);
    }
    return {
      node: n,
      name: nameNode ? this.text(nameNode) : '',
      nameNode,
      isAsync: n.children[0]?.type === 'async',
      params,
      paramsNode,
      body,
      returnType: field(n, 'return_type'),
      docstring,
      decorated: n.parent?.type === 'decorated_definition' ? n.parent : undefined,
    };
  }

  private makeParam(p: PyNode): ParamFact | undefined {
    switch (p.type) {
      case 'identifier':
        return { name: this.text(p), node: p, kind: 'plain' };
      case 'default_parameter':
        return { name: this.text(field(p, 'name')!), node: p, default: field(p, 'value'), kind: 'plain' };
      case 'typed_default_parameter':
        return {
          name: this.text(field(p, 'name')!),
          node: p,
          annotation: field(p, 'type'),
          default: field(p, 'value'),
          kind: 'plain',
        };
      case 'typed_parameter': {
        const inner = named(p)[0];
        const annotation = field(p, 'type');
        if (inner?.type === 'list_splat_pattern')
          return { name: this.text(named(inner)[0] ?? inner), node: p, annotation, kind: 'args' };
        if (inner?.type === 'dictionary_splat_pattern')
          return { name: this.text(named(inner)[0] ?? inner), node: p, annotation, kind: 'kwargs' };
        return { name: inner ? this.text(inner) : '', node: p, annotation, kind: 'plain' };
      }
      case 'list_splat_pattern':
        return { name: this.text(named(p)[0] ?? p), node: p, kind: 'args' };
      case 'dictionary_splat_pattern':
        return { name: this.text(named(p)[0] ?? p), node: p, kind: 'kwargs' };
      default:
        return undefined; // `*`, `/` separators
    }
  }

  /** Whether an annotation names the framework's Context (also `Context[...]`, `Context | None`). */
  private readonly contextAnnCache = new Map<PyNode, boolean>();

  isContextAnnotation(ann: PyNode | undefined): boolean {
    if (!ann) return false;
    const cached = this.contextAnnCache.get(ann);
    if (cached !== undefined) return cached;
    let found = false;
    walk(ann, (n) => {
      if (found) return false;
      if (n.type === 'identifier' || n.type === 'attribute') {
        const q = this.qualify(n);
        if (q && CONTEXT_CLASSES.test(q)) found = true;
        return n.type !== 'attribute';
      }
      return true;
    });
    this.contextAnnCache.set(ann, found);
    return found;
  }

  /** The injected Context parameter of a tool, when it has one. */
  contextParam(fn: FunctionFact): ParamFact | undefined {
    return fn.params.find((p) => this.isContextAnnotation(p.annotation));
  }

  // ---- servers ---------------------------------------------------------------------------

  private findServers(): void {
    for (const call of this.calls) {
      const q = this.callee(call);
      const fw = q ? SERVER_CLASSES[q] : undefined;
      if (!fw) continue;
      const assign = call.parent;
      if (assign?.type !== 'assignment' || field(assign, 'right') !== call) continue;
      const left = field(assign, 'left');
      if (left?.type !== 'identifier') continue;
      const name = this.text(left);
      if (this.servers.some((s) => s.name === name)) continue;
      this.servers.push({
        name,
        node: assign,
        ctor: call,
        framework: fw,
        transport: 'none',
        starts: [],
        stateless: false,
        imported: false,
      });
    }
    // Servers imported from a local module (`from .server import mcp`) that this file registers on.
    for (const [local, q] of this.imports) {
      if (this.servers.some((s) => s.name === local)) continue;
      if (q.startsWith('fastmcp') || q === 'mcp' || q.startsWith('mcp.') || !/^[.\w]+$/.test(q)) continue;
      const fw = this.frameworkFromImports() ?? this.frameworkFromProject();
      if (!fw || !this.usesAsServer(local)) continue;
      const imp = this.importNodes.find((n) => this.text(n).includes(local))!;
      this.servers.push({
        name: local,
        node: imp,
        framework: fw,
        transport: 'unknown',
        starts: [],
        stateless: false,
        imported: true,
      });
    }
    // Servers passed into a registration helper: `def register(mcp: FastMCP): @mcp.tool() ...`.
    for (const fn of this.functions) {
      for (const p of fn.params) {
        if (p.kind !== 'plain' || this.servers.some((s) => s.name === p.name)) continue;
        const annotated = p.annotation ? SERVER_CLASSES[this.qualify(named(p.annotation)[0]) ?? ''] : undefined;
        const fw =
          annotated ?? (p.annotation ? undefined : (this.frameworkFromImports() ?? this.frameworkFromProject()));
        if (!fw || !this.usesAsServer(p.name)) continue;
        this.servers.push({
          name: p.name,
          node: p.node,
          framework: fw,
          transport: 'unknown',
          starts: [],
          stateless: false,
          imported: true,
        });
      }
    }
    if (!this.servers.length) return;
    const byName = new Map(this.servers.map((s) => [s.name, s]));
    for (const n of this.attributes) {
      const obj = field(n, 'object');
      const attr = field(n, 'attribute');
      if (obj?.type !== 'identifier' || !attr) continue;
      const srv = byName.get(this.text(obj));
      const method = this.text(attr);
      if (!srv || !Object.prototype.hasOwnProperty.call(START_METHODS, method)) continue;
      const call = n.parent?.type === 'call' && field(n.parent, 'function') === n ? n.parent : undefined;
      let transport = START_METHODS[method] as Exclude<PyTransport, 'none'>;
      let transportArg: PyNode | undefined;
      if (call) {
        const kw = this.kwargs(call);
        if (method === 'run' || method === 'run_async' || method === 'http_app' || method === 'run_http_async') {
          transportArg =
            kw.get('transport') ??
            (method.startsWith('run') && method !== 'run_http_async' ? this.positional(call)[0] : undefined);
          if (transportArg) transport = transportOf(this.str(transportArg));
          else if (this.hasSplat(call)) transport = 'unknown';
        }
        if (this.isTrue(kw.get('stateless_http'))) srv.stateless = true;
      }
      srv.starts.push({ node: call ?? n, method, transport, transportArg });
    }
    this.findServerUses();
    this.findFactoryStarts();
    for (const s of this.servers) {
      if (s.ctor && this.isTrue(this.kwargs(s.ctor).get('stateless_http'))) s.stateless = true;
      if (s.imported) continue;
      const set = new Set(s.starts.map((st) => st.transport));
      s.transport = set.size === 0 ? 'none' : set.size === 1 ? [...set][0] : 'unknown';
    }
  }

  /**
   * Starts on a server that a factory in this file builds and returns: `create_server().run(...)`,
   * or `server = create_server()` then `server.run(...)`. The start counts for the returned server.
   */
  private findFactoryStarts(): void {
    const factoryServer = (call: PyNode | undefined): ServerFact | undefined => {
      const f = call?.type === 'call' ? field(call, 'function') : undefined;
      const fn = f?.type === 'identifier' ? this.moduleFunctions.get(this.text(f)) : undefined;
      if (!fn) return undefined;
      return this.servers.find(
        (s) => s.returned && !s.imported && s.node.start >= fn.node.start && s.node.end <= fn.node.end,
      );
    };
    const bound = new Map<string, ServerFact>();
    for (const c of this.calls) {
      const a = c.parent;
      const left = a?.type === 'assignment' && field(a, 'right') === c ? field(a, 'left') : undefined;
      const srv = left?.type === 'identifier' ? factoryServer(c) : undefined;
      if (srv && !this.servers.some((s) => s.name === this.text(left!) && !s.returned))
        bound.set(this.text(left!), srv);
    }
    for (const c of this.calls) {
      const fnNode = field(c, 'function');
      if (fnNode?.type !== 'attribute') continue;
      const method = this.text(field(fnNode, 'attribute')!);
      if (!Object.prototype.hasOwnProperty.call(START_METHODS, method)) continue;
      const obj = field(fnNode, 'object');
      const srv =
        obj?.type === 'call' ? factoryServer(obj) : obj?.type === 'identifier' ? bound.get(this.text(obj)) : undefined;
      if (!srv || srv.starts.some((st) => st.node === c)) continue;
      let transport = START_METHODS[method] as Exclude<PyTransport, 'none'>;
      let transportArg: PyNode | undefined;
      const kw = this.kwargs(c);
      if (method === 'run' || method === 'run_async' || method === 'http_app' || method === 'run_http_async') {
        transportArg =
          kw.get('transport') ??
          (method.startsWith('run') && method !== 'run_http_async' ? this.positional(c)[0] : undefined);
        if (transportArg) transport = transportOf(this.str(transportArg));
        else if (this.hasSplat(c)) transport = 'unknown';
      }
      if (this.isTrue(kw.get('stateless_http'))) srv.stateless = true;
      srv.starts.push({ node: c, method, transport, transportArg });
    }
  }

  /** Marks servers used in-process, mounted into another server, or returned by a factory. */
  private findServerUses(): void {
    const byName = new Map(this.servers.map((s) => [s.name, s]));
    for (const call of this.calls) {
      const q = this.callee(call) ?? '';
      const last = q.slice(q.lastIndexOf('.') + 1);
      const inProcess = IN_PROCESS.has(last);
      const mounts = MOUNTS.has(last) && field(call, 'function')?.type === 'attribute';
      if (!inProcess && !mounts) continue;
      const args = named(this.args(call));
      for (const a of args) {
        const v = a.type === 'keyword_argument' ? field(a, 'value') : a;
        const srv = v?.type === 'identifier' ? byName.get(this.text(v)) : undefined;
        if (!srv) continue;
        if (inProcess) srv.inProcess = true;
        else if (
          field(field(call, 'function')!, 'object') &&
          this.text(field(field(call, 'function')!, 'object')!) !== srv.name
        )
          srv.mounted = true;
      }
    }
    for (const fn of this.functions) {
      for (const r of named(fn.body)) {
        if (r.type !== 'return_statement') continue;
        const v = named(r)[0];
        const srv = v?.type === 'identifier' ? byName.get(this.text(v)) : undefined;
        if (srv) srv.returned = true;
      }
    }
  }

  /**
   * Imports and transport starts for the project model. Besides this file's own servers, a start
   * counts when `.run()` (or another start method) is called on a name imported with
   * `from x import name`, or on the result of calling one (`create_server().run()`,
   * `mcp = create_server(); mcp.run()`): that is how runner modules start a server defined elsewhere.
   */
  moduleFacts(): ModuleFacts {
    const imports: ModuleFacts['imports'] = [];
    const fromImported = new Set<string>();
    for (const n of this.importNodes) {
      if (n.type === 'import_statement') {
        for (const c of named(n)) {
          const nm = c.type === 'aliased_import' ? field(c, 'name') : c;
          if (nm?.type === 'dotted_name') imports.push({ from: this.text(nm), names: [] });
        }
      } else if (n.type === 'import_from_statement') {
        const mod = field(n, 'module_name');
        if (!mod) continue;
        const names: string[] = [];
        for (const c of n.children) {
          if (c.field !== 'name') continue;
          const nm = c.type === 'aliased_import' ? field(c, 'name') : c;
          const local = c.type === 'aliased_import' ? field(c, 'alias') : c;
          if (nm) names.push(this.text(nm));
          if (local) fromImported.add(this.text(local));
        }
        imports.push({ from: this.text(mod).replace(/\s+/g, ''), names });
      }
    }
    const starts: ModuleFacts['starts'] = [];
    for (const s of this.servers) for (const st of s.starts) starts.push(st.transport);
    const own = new Set(this.servers.map((s) => s.name));
    // Names bound to the result of calling an imported factory: `mcp = create_server()`.
    const made = new Set<string>();
    for (const c of this.calls) {
      const fnNode = field(c, 'function');
      if (fnNode?.type !== 'identifier' || !fromImported.has(this.text(fnNode))) continue;
      const a = c.parent;
      const left = a?.type === 'assignment' && field(a, 'right') === c ? field(a, 'left') : undefined;
      if (left?.type === 'identifier') made.add(this.text(left));
    }
    for (const c of this.calls) {
      const fnNode = field(c, 'function');
      if (fnNode?.type !== 'attribute') continue;
      const method = this.text(field(fnNode, 'attribute')!);
      if (!Object.prototype.hasOwnProperty.call(START_METHODS, method)) continue;
      const obj = field(fnNode, 'object');
      let external = false;
      if (obj?.type === 'identifier') {
        const name = this.text(obj);
        external = !own.has(name) && (fromImported.has(name) || made.has(name));
      } else if (obj?.type === 'call') {
        const f = field(obj, 'function');
        external = f?.type === 'identifier' && fromImported.has(this.text(f));
      } else if (obj?.type === 'attribute') {
        // `server_module.mcp.run()` on an imported module
        let root: PyNode | undefined = obj;
        while (root?.type === 'attribute') root = field(root, 'object');
        external = root?.type === 'identifier' && this.imports.has(this.text(root)) && !own.has(this.text(root));
      }
      if (!external) continue;
      let transport = START_METHODS[method] as Exclude<PyTransport, 'none'>;
      if (method === 'run' || method === 'run_async' || method === 'http_app') {
        const arg = this.kwargs(c).get('transport') ?? (method.startsWith('run') ? this.positional(c)[0] : undefined);
        if (arg) transport = transportOf(this.str(arg));
        else if (this.hasSplat(c)) transport = 'unknown';
      }
      starts.push(transport);
    }
    return { imports, starts, mainGuard: this.hasMainGuard };
  }

  /** Whether the module has an `if __name__ == "__main__":` block. */
  get hasMainGuard(): boolean {
    return named(this.root).some((n) => n.type === 'if_statement' && isMainGuard(this, n));
  }

  private frameworkFromProject(): PyFramework | undefined {
    if (this.project.packages.has('fastmcp')) return 'fastmcp';
    if (this.project.packages.has('mcp')) return 'mcp-python-sdk';
    return undefined;
  }

  /** Whether `name` is used as `@name.tool`/`.resource`/`.prompt` or `name.add_tool(...)`. */
  private usesAsServer(name: string): boolean {
    const re = new RegExp(`(@${name}\\.(tool|resource|prompt)\\b|\\b${name}\\.add_(tool|resource|prompt)\\()`);
    return re.test(this.src.text);
  }

  serverNamed(name: string): ServerFact | undefined {
    return this.servers.find((s) => s.name === name);
  }

  /** The server whose method `node` (an attribute like `mcp.tool`) refers to, with the method. */
  serverMethod(node: PyNode | undefined): { server: ServerFact; method: string } | undefined {
    if (node?.type !== 'attribute') return undefined;
    const obj = field(node, 'object');
    const attr = field(node, 'attribute');
    if (obj?.type !== 'identifier' || !attr) return undefined;
    const server = this.serverNamed(this.text(obj));
    return server ? { server, method: this.text(attr) } : undefined;
  }

  // ---- definitions -----------------------------------------------------------------------

  private findDefinitions(): void {
    if (!this.servers.length) return;
    for (const fn of this.functions) {
      if (!fn.decorated) continue;
      for (const dec of named(fn.decorated)) {
        if (dec.type !== 'decorator') continue;
        const expr = named(dec)[0];
        if (!expr) continue;
        const isCall = expr.type === 'call';
        const sm = this.serverMethod(isCall ? field(expr, 'function') : expr);
        if (!sm || !['tool', 'resource', 'prompt'].includes(sm.method)) continue;
        this.addDefinition(sm.server, sm.method, fn, expr, isCall ? expr : undefined, dec, fn.decorated);
      }
    }
    // mcp.add_tool(fn), mcp.tool(fn), mcp.tool(name=...)(fn), mcp.add_tool(Tool.from_function(fn, ...))
    for (const call of this.calls) {
      const fnExpr = field(call, 'function');
      let sm = this.serverMethod(fnExpr);
      let regCall = call;
      let target = this.positional(call)[0];
      if (!sm && fnExpr?.type === 'call') {
        sm = this.serverMethod(field(fnExpr, 'function'));
        regCall = fnExpr;
        if (sm && !['tool', 'resource', 'prompt'].includes(sm.method)) sm = undefined;
      }
      if (!sm) continue;
      const kind = { add_tool: 'tool', add_prompt: 'prompt', tool: 'tool', prompt: 'prompt', resource: 'resource' }[
        sm.method
      ];
      if (!kind) continue;
      if (regCall === call && sm.method === kind && call.parent?.type === 'decorator') continue;
      if (target?.type === 'call' && /from_function$/.test(this.text(field(target, 'function')!))) {
        regCall = target;
        target = this.positional(target)[0];
      }
      if (target?.type !== 'identifier') continue;
      const fn = this.moduleFunctions.get(this.text(target));
      if (!fn || this.definitions.some((d) => d.fn === fn && d.server === sm!.server && d.def.kind.startsWith(kind)))
        continue;
      this.addDefinition(sm.server, kind, fn, regCall, regCall, call, fn.decorated ?? fn.node);
    }
  }

  private addDefinition(
    server: ServerFact,
    method: string,
    fn: FunctionFact,
    registration: PyNode,
    regCall: PyNode | undefined,
    nameAt: PyNode,
    whole: PyNode,
  ): void {
    const kwargs = regCall ? this.kwargs(regCall) : new Map<string, PyNode>();
    const pos = regCall ? this.positional(regCall) : [];
    let kind: DefinitionKind = method as DefinitionKind;
    let uri: string | undefined;
    let nameNode = kwargs.get('name');
    if (method === 'resource') {
      uri = this.str(kwargs.get('uri') ?? pos[0]);
      if (uri && /\{[^{}]*\}/.test(uri)) kind = 'resourceTemplate';
    } else if (!nameNode && pos[0]?.type === 'string') {
      nameNode = pos[0];
    }
    const explicitName = this.constStr(nameNode);
    const dynamicName = !!nameNode && explicitName === undefined;
    const description =
      this.constStr(kwargs.get('description')) ?? (fn.docstring !== undefined ? cleanDoc(fn.docstring) : undefined);
    const params = fn.params
      .filter((p) => !this.isContextAnnotation(p.annotation))
      .map((p) => ({
        name: p.name,
        type: p.annotation ? this.text(p.annotation) : undefined,
        optional: !!p.default || p.kind !== 'plain',
      }));
    const def: Definition = {
      kind,
      name: explicitName ?? (dynamicName ? this.text(nameNode!) : fn.name),
      ...(dynamicName ? { dynamicName: true } : {}),
      file: this.file,
      range: this.range(whole),
      nameRange: this.src.headRange(nameAt),
      framework: server.framework,
      description,
      uri,
      params,
    };
    if (description === undefined) delete def.description;
    if (uri === undefined) delete def.uri;
    const first = this.firstStatement(fn);
    if (first) def.handler = { range: this.range(fn.node), firstStatement: this.range(first) };
    this.definitions.push({
      def,
      fn,
      server,
      registration,
      kwargs,
      bare: !regCall,
      nameNode: explicitName !== undefined ? nameNode : undefined,
    });
  }

  /** The first statement a call runs: after the docstring, unless the docstring is all there is. */
  private firstStatement(fn: FunctionFact): PyNode | undefined {
    const statements = named(fn.body);
    return fn.docstring !== undefined && statements.length > 1 ? statements[1] : statements[0];
  }

  get tools(): DefinitionFact[] {
    return this.definitions.filter((d) => d.def.kind === 'tool');
  }

  /** Definitions whose function body is `fn` (a function may be registered on several kinds). */
  definitionOf(fn: FunctionFact): DefinitionFact | undefined {
    return this.definitions.find((d) => d.fn === fn);
  }
}

/** Calls that drive a server in the same process (clients and in-memory transports). */
const IN_PROCESS = new Set([
  'Client',
  'FastMCPTransport',
  'create_connected_server_and_client_session',
  'connect_in_memory',
  'InMemoryTransport',
]);

/** Methods that make a server part of another one. */
const MOUNTS = new Set(['mount', 'import_server', 'as_proxy', 'add_server']);

/** `if __name__ == "__main__":` (either operand order, either quote). */
function isMainGuard(py: PyFile, n: PyNode): boolean {
  const cond = field(n, 'condition');
  if (!cond || cond.type !== 'comparison_operator') return false;
  const t = py.text(cond).replace(/\s+/g, '');
  return /^__name__==(['"])__main__\1$|^(['"])__main__\2==__name__$/.test(t);
}

/** Maps a transport literal to a transport; computed values are unknown. */
function transportOf(value: string | undefined): Exclude<PyTransport, 'none'> {
  switch (value) {
    case 'stdio':
      return 'stdio';
    case 'http':
    case 'streamable-http':
    case 'streamable_http':
      return 'http';
    case 'sse':
      return 'sse';
    default:
      return 'unknown';
  }
}

/** Like `inspect.cleandoc`: trims, and removes the common indentation of lines after the first. */
function cleanDoc(doc: string): string {
  const lines = doc.replace(/\r\n?/g, '\n').split('\n');
  let indent = Infinity;
  for (const l of lines.slice(1)) {
    if (!l.trim()) continue;
    indent = Math.min(indent, l.length - l.trimStart().length);
  }
  const out = [
    lines[0].trim(),
    ...lines.slice(1).map((l) => (indent === Infinity ? l.trim() : l.slice(indent).trimEnd())),
  ];
  return out.join('\n').trim();
}
