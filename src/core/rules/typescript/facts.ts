import { posix as posixPath } from 'node:path';
import type * as ts from 'typescript';
import type { Definition, DefinitionKind, FileAnalysis, Framework } from '../types';
import {
  calleeName,
  contains,
  getPropValue,
  isFunctionLike,
  propName,
  rangeOf,
  receiverText,
  scopeOf,
  stringValue,
  unwrap,
  unwrapAwait,
} from './astUtil';
import { loadTypeScript } from './tsLoader';

/** What an identifier refers to after following imports, `require` and `promisify`. */
export interface ModuleRef {
  /** Module specifier without the `node:` prefix: `child_process`, `fs/promises`, `fastmcp`. */
  module: string;
  /** Exported name; `*` for a namespace, `default` for a default import. */
  name: string;
}

export type TransportKind = 'stdio' | 'http' | 'sse' | 'unknown';
type ServerKind = 'mcp' | 'lowlevel' | 'fastmcp';

/** A server object constructed in this file. */
export interface ServerFact {
  /** How the code refers to it: `server`, `this.server`, or `<anonymous>`. */
  name: string;
  kind: ServerKind;
  node: ts.NewExpression;
  /** Function (or source file) the server is created in. */
  scope: ts.Node;
  moduleLevel: boolean;
  /** Transports seen in `connect(...)` / `start(...)` calls on it, with the call. */
  starts: { kind: TransportKind; call: ts.CallExpression; options?: ts.ObjectLiteralExpression; opaque?: boolean }[];
}

type DefStyle = 'register' | 'positional' | 'fastmcp' | 'lowlevel';

/** A tool/resource/prompt registration and the syntax the rules need. */
export interface DefFact {
  def: Definition;
  style: DefStyle;
  call: ts.CallExpression;
  /** Key of the server it is registered on (receiver text + scope), for duplicate detection. */
  serverKey: string;
  /** The node holding the name (string literal, or the `name:` value). */
  nameNode?: ts.Expression;
  /** registerTool config / addTool object / low-level tool object. */
  config?: ts.ObjectLiteralExpression;
  /** The input schema expression (raw shape, `z.object(...)`, JSON schema). */
  schema?: ts.Expression;
  /** The config is not an inline object (a variable, a call, or has a spread): its description is unknown. */
  opaqueConfig?: boolean;
  /** Annotations object (positional `tool` overloads). */
  annotations?: ts.Expression;
  /** Description expression when present (string argument or `description:` value). */
  descriptionNode?: ts.Expression;
  handler?: ts.FunctionLikeDeclaration;
  outputSchema?: ts.Expression;
}

/** Everything a single walk of the file collects; the rules read only this. */
export interface Facts {
  sf: ts.SourceFile;
  file: string;
  framework?: Framework;
  /** Every import / require / dynamic import / export-from specifier literal, with its module text. */
  moduleSpecifiers: { module: string; node: ts.StringLiteralLike }[];
  bindings: Map<string, ModuleRef>;
  calls: ts.CallExpression[];
  /** Calls by method or function name (`listen` for `app.listen(...)` and `listen(...)`). */
  callsByName: Map<string, ts.CallExpression[]>;
  /** Every `await` in the file. */
  awaits: ts.AwaitExpression[];
  news: ts.NewExpression[];
  objects: ts.ObjectLiteralExpression[];
  /** Variable declarations and parameters by name (identifier bindings only). */
  decls: Map<string, (ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement)[]>;
  /** Named function declarations and `const f = () => ...` by name. */
  functions: Map<string, ts.FunctionLikeDeclaration[]>;
  /** `x = <expr>` assignments by identifier name. */
  assignments: Map<string, ts.BinaryExpression[]>;
  /** Names exported from the module (`export const`, `export {}`, `module.exports`, `export default x`). */
  exported: Set<string>;
  servers: ServerFact[];
  defs: DefFact[];
  /** Every `new XServerTransport(...)` and punkpeye `start(...)` in the file, whatever object it is used with. */
  transportsSeen: { kind: TransportKind; node: ts.Node }[];
  /** Tool handler functions, for "inside a tool" checks. */
  handlers: Set<ts.Node>;
}

const SDK_PREFIX = '@modelcontextprotocol/sdk';
const SDK_V2_SERVER = '@modelcontextprotocol/server';

/** True for the official SDK's server entry points (v1 subpaths and the v2 package). */
function isSdkServerModule(module: string): boolean {
  return module.startsWith(`${SDK_PREFIX}/server`) || module === SDK_PREFIX || module.startsWith(SDK_V2_SERVER);
}

/**
 * Set while collecting the facts of a file inside an SDK's own repository: relative imports that
 * resolve into the package's `src/` are read as imports of the package (`@modelcontextprotocol/sdk/server/mcp.js`).
 */
let selfPackage: { name: string; src: string; dir: string } | undefined;

function normalizeModule(spec: string): string {
  if (selfPackage && spec.startsWith('.')) {
    const resolved = posixPath.resolve(selfPackage.dir, spec);
    if (resolved.startsWith(`${selfPackage.src}/`)) {
      const sub = resolved.slice(selfPackage.src.length + 1).replace(/\.(m?ts|tsx)$/, '.js');
      return selfPackage.name === 'fastmcp' ? 'fastmcp' : `${selfPackage.name}/${sub}`;
    }
  }
  return spec.startsWith('node:') ? spec.slice(5) : spec;
}

const TRANSPORT_CLASSES: Record<string, TransportKind> = {
  StdioServerTransport: 'stdio',
  StreamableHTTPServerTransport: 'http',
  WebStandardStreamableHTTPServerTransport: 'http',
  SSEServerTransport: 'sse',
};

/** Builds the facts with one walk over the tree. */
export function collectFacts(
  sf: ts.SourceFile,
  file: string,
  /** The package the file belongs to, when it is an SDK's own repository (see `isSdkPackage`). */
  self?: { name: string; root: string },
): Facts {
  selfPackage = self
    ? {
        name: self.name,
        src: posixPath.resolve(self.root.replace(/\\/g, '/'), 'src'),
        dir: posixPath.resolve(posixPath.dirname(file.replace(/\\/g, '/'))),
      }
    : undefined;
  try {
    return collectFactsIn(sf, file);
  } finally {
    selfPackage = undefined;
  }
}

function collectFactsIn(sf: ts.SourceFile, file: string): Facts {
  const ts = loadTypeScript();
  // `ts.X` are getters on the compiler's exports: read the enum and walker once, not per node.
  const SK = ts.SyntaxKind;
  const forEachChild = ts.forEachChild;
  const facts: Facts = {
    sf,
    file,
    moduleSpecifiers: [],
    bindings: new Map(),
    calls: [],
    callsByName: new Map(),
    awaits: [],
    news: [],
    objects: [],
    decls: new Map(),
    functions: new Map(),
    assignments: new Map(),
    exported: new Set(),
    servers: [],
    defs: [],
    transportsSeen: [],
    handlers: new Set(),
  };
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  const hasExport = (n: ts.Node): boolean =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === SK.ExportKeyword);

  const addBindingName = (
    name: ts.BindingName,
    decl: ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement,
  ): void => {
    if (ts.isIdentifier(name)) push(facts.decls, name.text, decl);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBindingName(el.name, el);
  };

  const visit = (node: ts.Node): void => {
    switch (node.kind) {
      case SK.ImportDeclaration: {
        const d = node as ts.ImportDeclaration;
        if (ts.isStringLiteral(d.moduleSpecifier)) {
          const module = normalizeModule(d.moduleSpecifier.text);
          facts.moduleSpecifiers.push({
            module: module.startsWith('@') || module === 'fastmcp' ? module : d.moduleSpecifier.text,
            node: d.moduleSpecifier,
          });
          const clause = d.importClause;
          if (clause?.name) facts.bindings.set(clause.name.text, { module, name: 'default' });
          const nb = clause?.namedBindings;
          if (nb && ts.isNamespaceImport(nb)) facts.bindings.set(nb.name.text, { module, name: '*' });
          if (nb && ts.isNamedImports(nb)) {
            for (const el of nb.elements)
              facts.bindings.set(el.name.text, { module, name: (el.propertyName ?? el.name).text });
          }
        }
        return; // nothing interesting below
      }
      case SK.ImportEqualsDeclaration: {
        const d = node as ts.ImportEqualsDeclaration;
        if (ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteral(d.moduleReference.expression)) {
          const spec = d.moduleReference.expression;
          facts.moduleSpecifiers.push({ module: spec.text, node: spec });
          facts.bindings.set(d.name.text, { module: normalizeModule(spec.text), name: '*' });
        }
        return;
      }
      case SK.ExportDeclaration: {
        const d = node as ts.ExportDeclaration;
        if (d.moduleSpecifier && ts.isStringLiteral(d.moduleSpecifier)) {
          facts.moduleSpecifiers.push({ module: d.moduleSpecifier.text, node: d.moduleSpecifier });
        }
        if (d.exportClause && ts.isNamedExports(d.exportClause)) {
          for (const el of d.exportClause.elements) facts.exported.add((el.propertyName ?? el.name).text);
        }
        break;
      }
      case SK.ExportAssignment: {
        const e = unwrap((node as ts.ExportAssignment).expression);
        if (ts.isIdentifier(e)) facts.exported.add(e.text);
        break;
      }
      case SK.VariableDeclaration: {
        const d = node as ts.VariableDeclaration;
        addBindingName(d.name, d);
        const stmt = d.parent?.parent;
        if (stmt && ts.isVariableStatement(stmt) && hasExport(stmt) && ts.isIdentifier(d.name))
          facts.exported.add(d.name.text);
        if (d.initializer) {
          const init = unwrapAwait(d.initializer);
          if (ts.isIdentifier(d.name) && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)))
            push(facts.functions, d.name.text, init);
          bindRequire(d.name, init);
        }
        break;
      }
      case SK.Parameter: {
        const p = node as ts.ParameterDeclaration;
        addBindingName(p.name, p);
        break;
      }
      case SK.FunctionDeclaration: {
        const f = node as ts.FunctionDeclaration;
        if (f.name) {
          push(facts.functions, f.name.text, f);
          if (hasExport(f)) facts.exported.add(f.name.text);
        }
        break;
      }
      case SK.BinaryExpression: {
        const b = node as ts.BinaryExpression;
        if (b.operatorToken.kind === SK.EqualsToken) {
          const left = unwrap(b.left);
          if (ts.isIdentifier(left)) push(facts.assignments, left.text, b);
          // module.exports = x / module.exports.x = / exports.x =
          const lt = left.getText(sf);
          if (/^(module\.)?exports\b/.test(lt)) {
            const r = unwrap(b.right);
            if (ts.isIdentifier(r)) facts.exported.add(r.text);
            if (ts.isObjectLiteralExpression(r))
              for (const p of r.properties) if (p.name) facts.exported.add(propName(p.name) ?? '');
          }
        }
        break;
      }
      case SK.CallExpression: {
        const c = node as ts.CallExpression;
        facts.calls.push(c);
        const callee = c.expression;
        const cname =
          callee.kind === SK.PropertyAccessExpression
            ? (callee as ts.PropertyAccessExpression).name.text
            : callee.kind === SK.Identifier
              ? (callee as ts.Identifier).text
              : undefined;
        if (cname !== undefined) push(facts.callsByName, cname, c);
        // require('x') / import('x') specifiers
        if (
          (c.expression.kind === SK.ImportKeyword ||
            (ts.isIdentifier(c.expression) && c.expression.text === 'require')) &&
          c.arguments[0] &&
          ts.isStringLiteralLike(c.arguments[0])
        ) {
          facts.moduleSpecifiers.push({ module: c.arguments[0].text, node: c.arguments[0] });
        }
        break;
      }
      case SK.NewExpression:
        facts.news.push(node as ts.NewExpression);
        break;
      case SK.AwaitExpression:
        facts.awaits.push(node as ts.AwaitExpression);
        break;
      case SK.ObjectLiteralExpression:
        facts.objects.push(node as ts.ObjectLiteralExpression);
        break;
    }
    forEachChild(node, visit);
  };

  /** `const x = require('m')`, `const { a } = require('m')`, `const f = promisify(exec)`. */
  const bindRequire = (name: ts.BindingName, init: ts.Expression): void => {
    let module: string | undefined;
    let member: string | undefined;
    let e = init;
    if (ts.isPropertyAccessExpression(e) && ts.isCallExpression(e.expression)) {
      member = e.name.text;
      e = e.expression;
    }
    if (
      ts.isCallExpression(e) &&
      ((ts.isIdentifier(e.expression) && e.expression.text === 'require') || e.expression.kind === SK.ImportKeyword)
    ) {
      const arg = e.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) module = normalizeModule(arg.text);
    }
    if (module) {
      if (ts.isIdentifier(name)) facts.bindings.set(name.text, { module, name: member ?? '*' });
      else if (ts.isObjectBindingPattern(name) && !member) {
        for (const el of name.elements) {
          if (ts.isIdentifier(el.name))
            facts.bindings.set(el.name.text, { module, name: propName(el.propertyName) ?? el.name.text });
        }
      }
      return;
    }
    // promisify(exec) / util.promisify(exec): the result behaves like the original for our rules.
    if (ts.isIdentifier(name) && ts.isCallExpression(init) && calleeName(init) === 'promisify' && init.arguments[0]) {
      const target = unwrap(init.arguments[0]);
      if (ts.isIdentifier(target) || ts.isPropertyAccessExpression(target)) pendingPromisify.push([name.text, target]);
    }
  };
  const pendingPromisify: [string, ts.Expression][] = [];

  visit(sf);
  for (const [alias, target] of pendingPromisify) {
    const ref = resolveRef(facts, target);
    if (ref) facts.bindings.set(alias, ref);
  }

  facts.framework = detectFramework(facts);
  if (facts.framework) {
    collectServers(facts);
    collectDefinitions(facts);
  }
  return facts;
}

function detectFramework(facts: Facts): Framework | undefined {
  let server = false;
  let shared = false;
  let client = false;
  let fast = false;
  for (const s of facts.moduleSpecifiers) {
    const m = s.module;
    if (m === 'fastmcp' || m.startsWith('fastmcp/')) fast = true;
    else if (isSdkServerModule(m)) server = true;
    else if (m.startsWith('@modelcontextprotocol/sdk/client') || m.startsWith('@modelcontextprotocol/client'))
      client = true;
    else if (m.startsWith('@modelcontextprotocol/')) shared = true;
  }
  // punkpeye fastmcp re-exports SDK types; a file importing both is a fastmcp server.
  if (fast) return 'ts-fastmcp';
  // MCP *client* code (types.js + client/*) is not a server: no server rule applies to it.
  if (server || (shared && !client)) return 'ts-sdk';
  return undefined;
}

/** Calls whose method/function name is one of `names`, in source order. */
export function callsNamed(facts: Facts, ...names: string[]): ts.CallExpression[] {
  if (names.length === 1) return facts.callsByName.get(names[0]!) ?? [];
  const out: ts.CallExpression[] = [];
  for (const n of names) out.push(...(facts.callsByName.get(n) ?? []));
  return out.sort((a, b) => a.pos - b.pos);
}

/** True when the file imports or requires `module` (after `node:` normalization). */
export function importsModule(facts: Facts, ...modules: string[]): boolean {
  return facts.moduleSpecifiers.some((s) => modules.includes(normalizeModule(s.module)));
}

/** Resolves an expression to the module export it names, following imports and require. */
export function resolveRef(facts: Facts, expr: ts.Expression): ModuleRef | undefined {
  const ts = loadTypeScript();
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return facts.bindings.get(e.text);
  if (ts.isPropertyAccessExpression(e)) {
    const base = resolveRef(facts, e.expression);
    if (!base) return undefined;
    if (base.name === '*' || base.name === 'default') {
      if (base.module === 'fs' && e.name.text === 'promises') return { module: 'fs/promises', name: '*' };
      return { module: base.module, name: e.name.text };
    }
    if (base.module === 'fs' && base.name === 'promises') return { module: 'fs/promises', name: e.name.text };
    return undefined;
  }
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require') {
    const a = e.arguments[0];
    if (a && ts.isStringLiteralLike(a)) return { module: normalizeModule(a.text), name: '*' };
  }
  return undefined;
}

/** The declaration an identifier use refers to (nearest enclosing scope wins). */
export function resolveDecl(
  facts: Facts,
  id: ts.Identifier,
): ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement | undefined {
  const cands = facts.decls.get(id.text);
  if (!cands) return undefined;
  let best: ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement | undefined;
  let bestDepth = Infinity;
  for (const c of cands) {
    const scope = c.kind === loadTypeScript().SyntaxKind.Parameter ? c.parent : scopeOf(c);
    if (!contains(scope, id)) continue;
    // deeper scope = smaller span
    const depth = scope.end - scope.pos;
    if (depth < bestDepth) {
      best = c;
      bestDepth = depth;
    }
  }
  return best;
}

/** Initializer of the variable an identifier names, when it is a simple `const x = <expr>`. */
export function initializerOf(facts: Facts, id: ts.Identifier): ts.Expression | undefined {
  const d = resolveDecl(facts, id);
  const ts = loadTypeScript();
  if (d && ts.isVariableDeclaration(d) && d.initializer) return d.initializer;
  return undefined;
}

/**
 * The string a name expression stands for: a literal, or a `const` bound to a literal (followed
 * through up to three aliases, `const name = TOOL_NAME`). Undefined when it is computed.
 */
function constString(facts: Facts, expr: ts.Expression | undefined): string | undefined {
  const ts = loadTypeScript();
  let e = expr && unwrap(expr);
  for (let i = 0; e && i < 4; i++) {
    const v = stringValue(e);
    if (v !== undefined) return v;
    if (!ts.isIdentifier(e)) return undefined;
    const d = resolveDecl(facts, e);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
    const list = d.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
    e = unwrap(d.initializer);
  }
  return undefined;
}

/** Resolves a callback argument: an inline function, or a local function referenced by name. */
export function resolveFunction(facts: Facts, expr: ts.Expression | undefined): ts.FunctionLikeDeclaration | undefined {
  if (!expr) return undefined;
  const ts = loadTypeScript();
  const e = unwrap(expr);
  if (isFunctionLike(e)) return e;
  if (ts.isIdentifier(e)) {
    const fns = facts.functions.get(e.text);
    if (fns && fns.length === 1) return fns[0];
  }
  return undefined;
}

function classifyServerClass(facts: Facts, ctor: ts.Expression): ServerKind | undefined {
  const ref = resolveRef(facts, ctor);
  if (!ref) return undefined;
  if (ref.module === 'fastmcp' && ref.name === 'FastMCP') return 'fastmcp';
  if (isSdkServerModule(ref.module)) {
    if (ref.name === 'McpServer') return 'mcp';
    if (ref.name === 'Server') return 'lowlevel';
  }
  return undefined;
}

/** Transport kind of a transport class constructor expression (by its imported or written name). */
export function classifyTransportClass(facts: Facts, ctor: ts.Expression): TransportKind | undefined {
  const ts = loadTypeScript();
  const ref = resolveRef(facts, ctor);
  const e = unwrap(ctor);
  const name = ref?.name ?? (ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined);
  return name ? TRANSPORT_CLASSES[name] : undefined;
}

/** Name by which a `new X()` is referred to: variable, assigned target, class property. */
function boundName(node: ts.Node, sf: ts.SourceFile): string {
  const ts = loadTypeScript();
  let n: ts.Node = node;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isAwaitExpression(n.parent))
  )
    n = n.parent;
  const p = n.parent;
  if (!p) return '<anonymous>';
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n)
    return p.left.getText(sf);
  if (ts.isPropertyDeclaration(p) && p.name && ts.isIdentifier(p.name)) return `this.${p.name.text}`;
  if (ts.isPropertyAssignment(p)) return propName(p.name) ?? '<anonymous>';
  return '<anonymous>';
}

/** Transport started by a punkpeye `start(options)` call. */
function fastmcpStartKind(call: ts.CallExpression): {
  kind: TransportKind;
  options?: ts.ObjectLiteralExpression;
} {
  const ts = loadTypeScript();
  const arg = call.arguments[0];
  if (!arg) return { kind: 'stdio' };
  const o = unwrap(arg);
  if (!ts.isObjectLiteralExpression(o)) return { kind: 'unknown' };
  const tt = getPropValue(o, 'transportType');
  if (!tt) return { kind: 'stdio', options: o };
  const v = stringValue(unwrap(tt));
  if (v === 'stdio') return { kind: 'stdio', options: o };
  if (v === 'httpStream' || v === 'http') return { kind: 'http', options: o };
  if (v === 'sse') return { kind: 'sse', options: o };
  return { kind: 'unknown', options: o };
}

/**
 * Transport of an expression passed to `connect(...)`. Through a variable, every `new XTransport()`
 * assigned to it counts (map lookups like `transports[id]` add nothing); several kinds → unknown;
 * nothing known at all → undefined.
 */
function transportOfArg(facts: Facts, arg: ts.Expression | undefined): TransportKind | undefined {
  const ts = loadTypeScript();
  if (!arg) return undefined;
  const e = unwrapAwait(arg);
  const kinds = new Set<TransportKind>();
  if (ts.isIdentifier(e)) {
    const init = initializerOf(facts, e);
    if (init) transportKinds(facts, init, kinds);
    for (const a of facts.assignments.get(e.text) ?? []) transportKinds(facts, a.right, kinds);
  } else {
    transportKinds(facts, e, kinds);
  }
  if (kinds.size === 0) return undefined;
  return kinds.size === 1 ? [...kinds][0]! : 'unknown';
}

/** Adds the transport kinds a value may construct (`new X()`, either branch of `a ? new X() : new Y()`). */
function transportKinds(facts: Facts, value: ts.Expression, into: Set<TransportKind>): void {
  const ts = loadTypeScript();
  const e = unwrapAwait(value);
  if (ts.isNewExpression(e)) into.add(classifyTransportClass(facts, e.expression) ?? 'unknown');
  else if (ts.isConditionalExpression(e)) {
    transportKinds(facts, e.whenTrue, into);
    transportKinds(facts, e.whenFalse, into);
  }
}

function collectServers(facts: Facts): void {
  const ts = loadTypeScript();
  const { sf } = facts;
  for (const n of facts.news) {
    const kind = classifyServerClass(facts, n.expression);
    if (kind) {
      const scope = scopeOf(n);
      facts.servers.push({
        name: boundName(n, sf),
        kind,
        node: n,
        scope,
        moduleLevel: scope.kind === ts.SyntaxKind.SourceFile,
        starts: [],
      });
      continue;
    }
    const t = classifyTransportClass(facts, n.expression);
    if (t) facts.transportsSeen.push({ kind: t, node: n });
  }
  for (const c of callsNamed(facts, 'connect', 'start')) {
    const m = calleeName(c);
    const recv = receiverText(c, sf);
    if (!recv) continue;
    const server = findServer(facts, recv, c) ?? factoryServer(facts, c);
    if (m === 'connect' && server && server.kind !== 'fastmcp') {
      const kind = transportOfArg(facts, c.arguments[0]);
      server.starts.push({ kind: kind ?? 'unknown', call: c, opaque: kind === undefined });
    } else if (m === 'start' && server?.kind === 'fastmcp') {
      const s = fastmcpStartKind(c);
      server.starts.push({ kind: s.kind, call: c, options: s.options });
      facts.transportsSeen.push({ kind: s.kind, node: c });
    }
  }
}

/** `getServer().connect(t)`: the server a local factory function creates and returns. */
function factoryServer(facts: Facts, call: ts.CallExpression): ServerFact | undefined {
  const ts = loadTypeScript();
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  let recv = unwrapAwait(callee.expression);
  // `const s = getServer(); await s.connect(t)`
  if (ts.isIdentifier(recv)) {
    const init = initializerOf(facts, recv);
    if (init) recv = unwrapAwait(init);
  }
  if (!ts.isCallExpression(recv) || !ts.isIdentifier(recv.expression)) return undefined;
  const fn = facts.functions.get(recv.expression.text)?.[0];
  if (!fn) return undefined;
  return facts.servers.find((s) => contains(fn, s.node));
}

/** The server a receiver text refers to at a given use site (nearest scope wins). */
export function findServer(facts: Facts, recv: string, at: ts.Node): ServerFact | undefined {
  let best: ServerFact | undefined;
  let bestSpan = Infinity;
  for (const s of facts.servers) {
    if (s.name !== recv) continue;
    // A server declared in a function is visible in that function; module-level ones everywhere.
    if (!contains(s.scope, at) && !recv.startsWith('this.')) continue;
    const span = s.scope.end - s.scope.pos;
    if (span < bestSpan) {
      best = s;
      bestSpan = span;
    }
  }
  return best;
}

/**
 * Whether the first middle argument of a positional `tool(name, ..., cb)` call is a computed
 * description: three middle arguments (description, schema, annotations); or one, or two where the
 * second is a schema object, and the first is a template, a concatenation, a call, or a name that
 * says so (`description`, `tool.desc`).
 */
function computedDescription(middle: ts.Expression[]): boolean {
  const ts = loadTypeScript();
  const first = unwrap(middle[0]);
  if (
    ts.isObjectLiteralExpression(first) ||
    (ts.isCallExpression(first) && /z\.|object/.test(first.expression.getText()))
  )
    return false;
  if (middle.length === 3) return true;
  if (middle.length === 2) {
    const second = unwrap(middle[1]);
    const schemaLike =
      ts.isObjectLiteralExpression(second) ||
      (ts.isCallExpression(second) && /\bz\./.test(second.expression.getText()));
    if (!schemaLike) return false;
  } else if (middle.length !== 1) return false;
  return (
    ts.isTemplateExpression(first) ||
    ts.isBinaryExpression(first) ||
    ts.isCallExpression(first) ||
    ((ts.isIdentifier(first) || ts.isPropertyAccessExpression(first)) && /desc/i.test(first.getText()))
  );
}

/** Transport of a server for FileAnalysis.servers. */
function serverTransport(s: ServerFact): 'stdio' | 'http' | 'sse' | 'unknown' | 'none' {
  if (s.starts.length === 0) return 'none';
  // A connect whose transport we know nothing about (a map lookup) defers to the ones we know.
  const known = s.starts.filter((x) => !x.opaque);
  const kinds = new Set((known.length ? known : s.starts).map((x) => x.kind));
  return kinds.size === 1 ? [...kinds][0]! : 'unknown';
}

const SDK_REGISTER: Record<string, DefinitionKind> = {
  registerTool: 'tool',
  registerResource: 'resource',
  registerPrompt: 'prompt',
};
const SDK_POSITIONAL: Record<string, DefinitionKind> = { tool: 'tool', resource: 'resource', prompt: 'prompt' };
const FASTMCP_ADD: Record<string, DefinitionKind> = {
  addTool: 'tool',
  addResource: 'resource',
  addResourceTemplate: 'resourceTemplate',
  addPrompt: 'prompt',
};

function collectDefinitions(facts: Facts): void {
  const ts = loadTypeScript();
  const { sf } = facts;
  const hasSdk = facts.moduleSpecifiers.some((s) => s.module.startsWith('@modelcontextprotocol/'));
  const hasFast = facts.framework === 'ts-fastmcp';
  for (const call of facts.calls) {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const method = callee.name.text;
    const recv = callee.expression.getText(sf);
    const server = findServer(facts, recv, call);
    const serverKey = server ? `${server.name}@${server.node.pos}` : recv;
    const base = { call, serverKey };
    if (Object.hasOwn(SDK_REGISTER, method) && hasSdk && (!server || server.kind === 'mcp')) {
      const d = sdkRegister(facts, call, SDK_REGISTER[method]!, serverKey);
      if (d) facts.defs.push(d);
    } else if (Object.hasOwn(SDK_POSITIONAL, method) && hasSdk && (server ? server.kind === 'mcp' : !hasFast)) {
      const d = sdkPositional(facts, call, SDK_POSITIONAL[method]!, serverKey);
      if (d) facts.defs.push(d);
    } else if (Object.hasOwn(FASTMCP_ADD, method) && (server ? server.kind === 'fastmcp' : hasFast)) {
      const d = fastmcpAdd(facts, call, FASTMCP_ADD[method]!, serverKey);
      if (d) facts.defs.push(d);
    } else if (method === 'setRequestHandler' && call.arguments.length >= 2) {
      const schemaRef = resolveRef(facts, call.arguments[0]!);
      const schemaName = schemaRef?.name ?? (ts.isIdentifier(call.arguments[0]!) ? call.arguments[0].text : '');
      if (schemaName === 'ListToolsRequestSchema') facts.defs.push(...lowLevelTools(facts, call, base.serverKey));
    }
  }
  for (const d of facts.defs) {
    if (!d.handler) continue;
    facts.handlers.add(d.handler);
    const first = firstStatement(d.handler);
    if (first && d.handler.getSourceFile() === sf)
      d.def.handler = { range: rangeOf(d.handler, sf), firstStatement: rangeOf(first, sf) };
  }
}

/** The first statement a call of the handler runs (the expression of an arrow function without a block). */
function firstStatement(fn: ts.FunctionLikeDeclaration): ts.Node | undefined {
  const ts = loadTypeScript();
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  return body.statements[0];
}

function makeDef(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  name: string,
  dynamicName = false,
): Definition {
  const ts = loadTypeScript();
  const callee = call.expression;
  const nameRange = ts.isPropertyAccessExpression(callee) ? rangeOf(callee.name, facts.sf) : rangeOf(call, facts.sf);
  return {
    kind,
    name,
    file: facts.file,
    range: rangeOf(call, facts.sf),
    nameRange,
    framework: facts.framework ?? 'ts-sdk',
    params: [],
    ...(dynamicName ? { dynamicName: true } : {}),
  };
}

function sdkRegister(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  serverKey: string,
): DefFact | undefined {
  const ts = loadTypeScript();
  const [nameArg, second, third, fourth] = call.arguments;
  const name = constString(facts, nameArg);
  if (!nameArg) return undefined;
  const fact: DefFact = {
    def: makeDef(facts, call, kind, name ?? nameArg.getText(facts.sf), name === undefined),
    style: 'register',
    call,
    serverKey,
    nameNode: nameArg,
  };
  if (kind === 'resource') {
    // registerResource(name, uriOrTemplate, metadata, cb)
    applyResourceTarget(facts, fact, second);
    const meta = third && unwrap(third);
    if (meta && ts.isObjectLiteralExpression(meta)) {
      fact.config = meta;
      fact.descriptionNode = getPropValue(meta, 'description');
    }
    fact.handler = resolveFunction(facts, fourth);
  } else {
    const cfg = second && objectArg(facts, second);
    if (second && (!cfg || cfg.properties.some((p) => ts.isSpreadAssignment(p)))) fact.opaqueConfig = true;
    if (cfg && ts.isObjectLiteralExpression(cfg)) {
      fact.config = cfg;
      fact.descriptionNode = getPropValue(cfg, 'description');
      fact.schema = getPropValue(cfg, kind === 'prompt' ? 'argsSchema' : 'inputSchema');
      fact.outputSchema = getPropValue(cfg, 'outputSchema');
    }
    fact.handler = resolveFunction(facts, third);
  }
  finishDef(facts, fact);
  return fact;
}

function applyResourceTarget(facts: Facts, fact: DefFact, target: ts.Expression | undefined): void {
  const ts = loadTypeScript();
  if (!target) return;
  const t = unwrap(target);
  const uri = stringValue(t);
  if (uri !== undefined) {
    fact.def.uri = uri;
    if (/\{[^{}]+\}/.test(uri)) fact.def.kind = 'resourceTemplate';
    return;
  }
  if (ts.isNewExpression(t)) {
    const cls = resolveRef(facts, t.expression)?.name ?? t.expression.getText(facts.sf);
    if (cls === 'ResourceTemplate') {
      fact.def.kind = 'resourceTemplate';
      fact.def.uri = stringValue(t.arguments?.[0] && unwrap(t.arguments[0]));
      if (fact.def.uri)
        fact.def.params = [...fact.def.uri.matchAll(/\{[?&/#+.;]?([^{}]+)\}/g)].flatMap((m) =>
          m[1]!.split(',').map((n) => ({ name: n.trim() })),
        );
    }
  }
}

function sdkPositional(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  serverKey: string,
): DefFact | undefined {
  const ts = loadTypeScript();
  const args = call.arguments;
  if (args.length < 2) return undefined;
  const nameArg = args[0]!;
  const name = constString(facts, nameArg);
  const last = args[args.length - 1]!;
  const handler = resolveFunction(facts, last);
  // `x.tool(...)` on an unknown object must look like the SDK: string-ish name and a callback last.
  if (name === undefined && !ts.isIdentifier(unwrap(nameArg)) && !ts.isTemplateExpression(unwrap(nameArg)))
    return undefined;
  if (!handler && !ts.isIdentifier(unwrap(last))) return undefined;
  const fact: DefFact = {
    def: makeDef(facts, call, kind, name ?? nameArg.getText(facts.sf), name === undefined),
    style: 'positional',
    call,
    serverKey,
    nameNode: nameArg,
    handler,
  };
  let middle = args.slice(1, -1).map((a) => a);
  if (kind === 'resource') {
    applyResourceTarget(facts, fact, middle[0]);
    middle = middle.slice(1);
    const meta = middle[0] && unwrap(middle[0]);
    if (meta && ts.isObjectLiteralExpression(meta)) {
      fact.config = meta;
      fact.descriptionNode = getPropValue(meta, 'description');
    }
  } else {
    if (middle[0] && literalLike(middle[0])) {
      fact.descriptionNode = middle[0];
      middle = middle.slice(1);
    } else if (middle[0] && computedDescription(middle)) {
      // tool(name, description, schema[, annotations], cb) with a computed description.
      fact.descriptionNode = middle[0];
      middle = middle.slice(1);
    }
    if (middle.length === 2) {
      fact.schema = middle[0];
      fact.annotations = middle[1];
    } else if (middle.length === 1) {
      if (isAnnotationsObject(middle[0]!)) fact.annotations = middle[0];
      else fact.schema = middle[0];
    }
  }
  finishDef(facts, fact);
  return fact;
}

function literalLike(e: ts.Expression): boolean {
  const ts = loadTypeScript();
  const u = unwrap(e);
  return (
    ts.isStringLiteral(u) ||
    ts.isNoSubstitutionTemplateLiteral(u) ||
    ts.isTemplateExpression(u) ||
    (ts.isBinaryExpression(u) &&
      u.operatorToken.kind === ts.SyntaxKind.PlusToken &&
      (ts.isStringLiteralLike(unwrap(u.left)) || ts.isStringLiteralLike(unwrap(u.right))))
  );
}

const ANNOTATION_KEYS = new Set(['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

/** `{ readOnlyHint: true }` (tool annotations) as opposed to a zod raw shape. */
export function isAnnotationsObject(e: ts.Expression): boolean {
  const ts = loadTypeScript();
  const u = unwrap(e);
  if (!ts.isObjectLiteralExpression(u) || u.properties.length === 0) return false;
  return u.properties.every((p) => ANNOTATION_KEYS.has(propName(p.name) ?? ''));
}

/** An object literal argument, or the object literal a local `const` holds. */
function objectArg(facts: Facts, e: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const ts = loadTypeScript();
  let u = unwrap(e);
  if (ts.isIdentifier(u)) {
    const init = initializerOf(facts, u);
    if (init) u = unwrap(init);
  }
  return ts.isObjectLiteralExpression(u) ? u : undefined;
}

function fastmcpAdd(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  serverKey: string,
): DefFact | undefined {
  const arg = call.arguments[0] && objectArg(facts, call.arguments[0]);
  if (!arg) return undefined;
  const nameNode = getPropValue(arg, 'name');
  const name = constString(facts, nameNode);
  const fact: DefFact = {
    def: makeDef(facts, call, kind, name ?? nameNode?.getText(facts.sf) ?? '<unnamed>', name === undefined),
    style: 'fastmcp',
    call,
    serverKey,
    nameNode,
    config: arg,
    descriptionNode: getPropValue(arg, 'description'),
    opaqueConfig: arg.properties.some((p) => loadTypeScript().isSpreadAssignment(p)),
  };
  const ts = loadTypeScript();
  if (kind === 'tool') {
    fact.schema = getPropValue(arg, 'parameters');
    fact.outputSchema = getPropValue(arg, 'outputSchema');
    const exec = arg.properties.find((p) => propName(p.name) === 'execute');
    if (exec && ts.isMethodDeclaration(exec)) fact.handler = exec;
    else fact.handler = resolveFunction(facts, getPropValue(arg, 'execute'));
  } else {
    const exec = arg.properties.find((p) => propName(p.name) === 'load');
    fact.handler = exec && ts.isMethodDeclaration(exec) ? exec : resolveFunction(facts, getPropValue(arg, 'load'));
    const uri = getPropValue(arg, kind === 'resourceTemplate' ? 'uriTemplate' : 'uri');
    fact.def.uri = stringValue(uri && unwrap(uri));
    // `arguments: [{ name, required }]` for templates and prompts
    const argsList = getPropValue(arg, 'arguments');
    if (argsList && ts.isArrayLiteralExpression(unwrap(argsList))) {
      for (const el of (unwrap(argsList) as ts.ArrayLiteralExpression).elements) {
        const o = unwrap(el);
        if (!ts.isObjectLiteralExpression(o)) continue;
        const n = stringValue(getPropValue(o, 'name'));
        if (!n) continue;
        const req = getPropValue(o, 'required');
        fact.def.params.push({ name: n, optional: !(req && req.kind === ts.SyntaxKind.TrueKeyword) });
      }
    }
  }
  finishDef(facts, fact);
  return fact;
}

/** `setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [ {...} ] }))`, best effort. */
function lowLevelTools(facts: Facts, call: ts.CallExpression, serverKey: string): DefFact[] {
  const ts = loadTypeScript();
  const handler = resolveFunction(facts, call.arguments[1]);
  if (!handler?.body) return [];
  const arrays: ts.ArrayLiteralExpression[] = [];
  const fromExpr = (e: ts.Expression | undefined): void => {
    if (!e) return;
    const u = unwrapAwait(e);
    if (ts.isArrayLiteralExpression(u)) arrays.push(u);
    else if (ts.isIdentifier(u)) {
      const init = initializerOf(facts, u);
      if (init && ts.isArrayLiteralExpression(unwrap(init))) arrays.push(unwrap(init) as ts.ArrayLiteralExpression);
    }
  };
  const collect = (e: ts.Expression): void => {
    const u = unwrapAwait(e);
    if (ts.isObjectLiteralExpression(u)) fromExpr(getPropValue(u, 'tools'));
  };
  if (!ts.isBlock(handler.body)) collect(handler.body);
  else
    handler.body.statements.forEach(function rec(st: ts.Node): void {
      if (ts.isReturnStatement(st) && st.expression) collect(st.expression);
      else if (!isFunctionLike(st)) ts.forEachChild(st, rec);
    });
  const out: DefFact[] = [];
  for (const arr of arrays) {
    for (const el of arr.elements) {
      // `tools: [MY_TOOL]` with `const MY_TOOL: Tool = { ... }`
      const o = objectArg(facts, el);
      if (!o) continue;
      const nameNode = getPropValue(o, 'name');
      const name = constString(facts, nameNode);
      if (!nameNode) continue;
      const def: Definition = {
        kind: 'tool',
        name: name ?? nameNode.getText(facts.sf),
        ...(name === undefined ? { dynamicName: true } : {}),
        file: facts.file,
        range: rangeOf(o, facts.sf),
        nameRange: rangeOf(nameNode, facts.sf),
        framework: 'ts-sdk',
        params: [],
      };
      const fact: DefFact = {
        def,
        style: 'lowlevel',
        call,
        serverKey,
        nameNode,
        config: o,
        descriptionNode: getPropValue(o, 'description'),
        schema: getPropValue(o, 'inputSchema'),
        outputSchema: getPropValue(o, 'outputSchema'),
      };
      finishDef(facts, fact);
      out.push(fact);
    }
  }
  return out;
}

/** Fills description and params from the collected syntax. */
function finishDef(facts: Facts, fact: DefFact): void {
  const ts = loadTypeScript();
  if (fact.descriptionNode) {
    const d = unwrap(fact.descriptionNode);
    const v = stringValue(d);
    if (v !== undefined) fact.def.description = v;
    else if (ts.isTemplateExpression(d) || ts.isIdentifier(d) || ts.isBinaryExpression(d))
      fact.def.description = d.getText(facts.sf);
  }
  if (fact.schema && fact.def.params.length === 0) fact.def.params = schemaParams(facts, fact.schema);
}

/** Parameter names from a zod raw shape, `z.object({...})`, or a JSON schema literal. */
function schemaParams(facts: Facts, schema: ts.Expression): Definition['params'] {
  const ts = loadTypeScript();
  let s = unwrap(schema);
  if (ts.isIdentifier(s)) {
    const init = initializerOf(facts, s);
    if (init) s = unwrap(init);
  }
  const obj = zodObjectShape(s) ?? (ts.isObjectLiteralExpression(s) ? s : undefined);
  if (!obj) return [];
  // JSON schema: { type: 'object', properties: {...}, required: [...] }
  const props = getPropValue(obj, 'properties');
  if (getPropValue(obj, 'type') && props && ts.isObjectLiteralExpression(unwrap(props))) {
    const req = getPropValue(obj, 'required');
    const required = new Set<string>();
    if (req && ts.isArrayLiteralExpression(unwrap(req)))
      for (const r of (unwrap(req) as ts.ArrayLiteralExpression).elements) {
        const v = stringValue(r);
        if (v) required.add(v);
      }
    return (unwrap(props) as ts.ObjectLiteralExpression).properties.flatMap((p) => {
      const n = propName(p.name);
      if (!n) return [];
      const val = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
      const type = val && ts.isObjectLiteralExpression(val) ? stringValue(getPropValue(val, 'type')) : undefined;
      return [{ name: n, type, optional: !required.has(n) }];
    });
  }
  return obj.properties.flatMap((p) => {
    const n = propName(p.name);
    if (!n) return [];
    const val = ts.isPropertyAssignment(p) ? p.initializer : undefined;
    const chain = val ? zodChain(val) : undefined;
    return [
      {
        name: n,
        type: chain?.root,
        optional: chain
          ? chain.methods.some((m) => m === 'optional' || m === 'default' || m === 'nullish') ||
            chain.root === 'optional'
          : undefined,
      },
    ];
  });
}

/** A zod call chain: `z.string().min(1).optional()` → root `string`, methods `[min, optional]`. */
export interface ZodChain {
  root: string;
  rootCall: ts.CallExpression;
  methods: string[];
}

export function zodChain(expr: ts.Expression): ZodChain | undefined {
  const ts = loadTypeScript();
  const methods: string[] = [];
  let e = unwrap(expr);
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const inner = unwrap(e.expression.expression);
    if (ts.isIdentifier(inner) && (inner.text === 'z' || inner.text === 'zod')) {
      return { root: e.expression.name.text, rootCall: e, methods: methods.reverse() };
    }
    methods.push(e.expression.name.text);
    e = inner;
  }
  return undefined;
}

/** The shape object of `z.object({...})` (possibly with chained methods), else undefined. */
export function zodObjectShape(expr: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const ts = loadTypeScript();
  const c = zodChain(expr);
  if (!c || (c.root !== 'object' && c.root !== 'strictObject' && c.root !== 'looseObject')) return undefined;
  const a = c.rootCall.arguments[0] && unwrap(c.rootCall.arguments[0]);
  return a && ts.isObjectLiteralExpression(a) ? a : undefined;
}

/** FileAnalysis.servers entries. */
export function serverSummaries(facts: Facts): FileAnalysis['servers'] {
  return facts.servers.map((s) => ({ name: s.name, range: rangeOf(s.node, facts.sf), transport: serverTransport(s) }));
}
