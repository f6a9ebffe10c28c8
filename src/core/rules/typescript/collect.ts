/**
 * The one walk over a TypeScript/JavaScript file that builds its `Facts`: import and `require`
 * bindings, calls by name, declarations, functions, assignments and exports; then, for a file that
 * uses an MCP framework, its servers (`servers.ts`) and definitions (`definitions.ts`).
 */
import type * as ts from 'typescript';
import type { Framework } from '../types';
import { calleeName, propName, unwrap, unwrapAwait } from './astUtil';
import { collectDefinitions } from './definitions';
import type { Facts } from './facts';
import { isSdkServerModule, normalizeModule, resolveRef, withSelfPackage } from './resolve';
import { collectServers } from './servers';
import { loadTypeScript } from './tsLoader';

/** Builds the facts with one walk over the tree. */
export function collectFacts(
  sf: ts.SourceFile,
  file: string,
  /** The package the file belongs to, when it is an SDK's own repository (see `isSdkPackage`). */
  self?: { name: string; root: string },
): Facts {
  return withSelfPackage(self, file, () => collectFactsIn(sf, file));
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
    dispatchers: [],
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
    // `__importDefault(require('m'))` / `__importStar(...)`: what tsc and Babel emit for imports in CommonJS.
    if (
      !member &&
      ts.isCallExpression(e) &&
      ts.isIdentifier(e.expression) &&
      /^(?:__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard)$/.test(e.expression.text) &&
      e.arguments[0]
    )
      e = unwrap(e.arguments[0]);
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
