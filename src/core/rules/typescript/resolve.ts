/**
 * What names in a TypeScript/JavaScript file refer to: module specifiers (without `node:`, and an
 * SDK's own relative imports read as the package), module exports an expression names (imports,
 * `require`, `promisify`), declarations, initializers, constant strings and local functions.
 */
import { posix as posixPath } from 'node:path';
import type * as ts from 'typescript';
import { contains, isFunctionLike, scopeOf, stringValue, unwrap } from './astUtil';
import type { Facts, ModuleRef } from './facts';
import { loadTypeScript } from './tsLoader';

const SDK_PREFIX = '@modelcontextprotocol/sdk';

const SDK_V2_SERVER = '@modelcontextprotocol/server';

/** True for the official SDK's server entry points (v1 subpaths and the v2 package). */
export function isSdkServerModule(module: string): boolean {
  return module.startsWith(`${SDK_PREFIX}/server`) || module === SDK_PREFIX || module.startsWith(SDK_V2_SERVER);
}

/**
 * Set while collecting the facts of a file inside an SDK's own repository: relative imports that
 * resolve into the package's `src/` are read as imports of the package (`@modelcontextprotocol/sdk/server/mcp.js`).
 */
let selfPackage: { name: string; src: string; dir: string } | undefined;

/** Runs `fn` with the package the file belongs to set for `normalizeModule`, then clears it. */
export function withSelfPackage<T>(
  /** The package the file belongs to, when it is an SDK's own repository (see `isSdkPackage`). */
  self: { name: string; root: string } | undefined,
  file: string,
  fn: () => T,
): T {
  selfPackage = self
    ? {
        name: self.name,
        src: posixPath.resolve(self.root.replace(/\\/g, '/'), 'src'),
        dir: posixPath.resolve(posixPath.dirname(file.replace(/\\/g, '/'))),
      }
    : undefined;
  try {
    return fn();
  } finally {
    selfPackage = undefined;
  }
}

export function normalizeModule(spec: string): string {
  if (selfPackage && spec.startsWith('.')) {
    const resolved = posixPath.resolve(selfPackage.dir, spec);
    if (resolved.startsWith(`${selfPackage.src}/`)) {
      const sub = resolved.slice(selfPackage.src.length + 1).replace(/\.(m?ts|tsx)$/, '.js');
      return selfPackage.name === 'fastmcp' ? 'fastmcp' : `${selfPackage.name}/${sub}`;
    }
  }
  return spec.startsWith('node:') ? spec.slice(5) : spec;
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
/**
 * Where a declaration is visible: `let`/`const` (and their destructured names) in the nearest
 * block, loop or case clause; `var` in the enclosing function.
 */
function declScope(d: ts.VariableDeclaration | ts.BindingElement): ts.Node {
  const ts = loadTypeScript();
  let decl: ts.Node = d;
  while (ts.isBindingElement(decl) || ts.isObjectBindingPattern(decl) || ts.isArrayBindingPattern(decl))
    decl = decl.parent;
  const list = decl.parent;
  if (!list || !ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.BlockScoped)) return scopeOf(d);
  for (let n: ts.Node | undefined = list.parent; n; n = n.parent) {
    if (
      ts.isBlock(n) ||
      ts.isForStatement(n) ||
      ts.isForOfStatement(n) ||
      ts.isForInStatement(n) ||
      ts.isCaseClause(n) ||
      ts.isDefaultClause(n) ||
      ts.isSourceFile(n) ||
      isFunctionLike(n)
    )
      return n;
  }
  return scopeOf(d);
}

export function resolveDecl(
  facts: Facts,
  id: ts.Identifier,
): ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement | undefined {
  const cands = facts.decls.get(id.text);
  if (!cands) return undefined;
  let best: ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement | undefined;
  let bestDepth = Infinity;
  for (const c of cands) {
    const scope = c.kind === loadTypeScript().SyntaxKind.Parameter ? c.parent : declScope(c);
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
export function constString(facts: Facts, expr: ts.Expression | undefined): string | undefined {
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
