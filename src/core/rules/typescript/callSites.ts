/**
 * Who calls what inside one TypeScript/JavaScript file, for the serving-path analysis
 * (`servePath.ts`): the local functions a call may run, and the places a function is called from.
 * Methods are matched by name (`obj.name()`), since the receiver's class is not resolved.
 */
import type * as ts from 'typescript';
import { isFunctionLike, unwrap, walk } from './astUtil';
import type { Facts } from './facts';
import { resolveRef } from './resolve';

export class CallSites {
  private readonly methods = new Map<string, ts.FunctionLikeDeclaration[]>();
  /** Every identifier by its text (names of calls, references, property names), for call sites. */
  private readonly idents = new Map<string, ts.Identifier[]>();
  private readonly memo = new Map<ts.Node, ts.Node[] | undefined>();

  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
  ) {
    const push = <T>(map: Map<string, T[]>, k: string, v: T): void => {
      const list = map.get(k);
      if (list) list.push(v);
      else map.set(k, [v]);
    };
    walk(facts.sf, (n) => {
      if (ts.isMethodDeclaration(n) && ts.isIdentifier(n.name) && n.body) push(this.methods, n.name.text, n);
      else if (ts.isIdentifier(n)) push(this.idents, n.text, n);
      return true;
    });
  }

  /** Local functions a call (or a reference passed as a value) may run. */
  targets(n: ts.CallExpression | ts.Identifier): ts.FunctionLikeDeclaration[] {
    const { ts } = this;
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      if (p && ts.isCallExpression(p) && p.expression === n) return []; // seen as the call
      if (p && (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p)) && p.name === n) return [];
      if (p && (ts.isFunctionDeclaration(p) || ts.isVariableDeclaration(p) || ts.isParameter(p)) && p.name === n)
        return [];
      // `export { main }` and `export default main` run nothing.
      if (p && (ts.isExportSpecifier(p) || ts.isExportAssignment(p))) return [];
      return this.facts.functions.get(n.text) ?? [];
    }
    let callee = unwrap(n.expression);
    if (ts.isBinaryExpression(callee) && callee.operatorToken.kind === ts.SyntaxKind.CommaToken) callee = callee.right;
    if (isFunctionLike(callee)) return [callee]; // IIFE
    if (ts.isIdentifier(callee)) return this.facts.functions.get(callee.text) ?? [];
    if (ts.isPropertyAccessExpression(callee)) {
      // `this.server.connect(t)` on an SDK server is the SDK's method, not a local `connect()`.
      const recv = callee.expression.getText(this.facts.sf);
      if (this.facts.servers.some((s) => s.name === recv)) return [];
      return this.methods.get(callee.name.text) ?? [];
    }
    return [];
  }

  /**
   * Where `fn` is called (or passed as a value) in this file; `[]` when it is named but nobody here
   * calls it; undefined for an anonymous callback (its caller is the function it is passed to).
   */
  of(fn: ts.Node): ts.Node[] | undefined {
    if (this.memo.has(fn)) return this.memo.get(fn);
    const { ts } = this;
    let name: string | undefined;
    let method = false;
    const p = fn.parent;
    if (ts.isFunctionDeclaration(fn) && fn.name) name = fn.name.text;
    else if (ts.isMethodDeclaration(fn) && ts.isIdentifier(fn.name)) {
      name = fn.name.text;
      method = true;
    } else if (p && ts.isVariableDeclaration(p) && p.initializer === fn && ts.isIdentifier(p.name)) name = p.name.text;
    else if (
      p &&
      ts.isParenthesizedExpression(p) &&
      p.parent &&
      ts.isCallExpression(p.parent) &&
      p.parent.expression === p
    )
      name = undefined; // IIFE: handled below
    let out: ts.Node[] | undefined;
    if (name) {
      out = [];
      const n = name;
      for (const x of this.idents.get(n) ?? []) {
        const q = x.parent;
        if (!q) continue;
        if (method) {
          // `obj.name()` on anything but the console or an imported module (`console.info()` is
          // not a call of a method named `info`).
          const call = q.parent;
          if (
            ts.isPropertyAccessExpression(q) &&
            q.name === x &&
            call &&
            ts.isCallExpression(call) &&
            call.expression === q &&
            q.expression.getText(this.facts.sf) !== 'console' &&
            !resolveRef(this.facts, q.expression)
          )
            out.push(call);
        } else if (x !== (fn as ts.FunctionDeclaration).name) {
          if (ts.isCallExpression(q) && q.expression === x) out.push(q);
          else if (
            !ts.isExportSpecifier(q) &&
            !ts.isExportAssignment(q) &&
            !(ts.isVariableDeclaration(q) && q.name === x) &&
            !(ts.isPropertyAccessExpression(q) && q.name === x) &&
            !(ts.isPropertyAssignment(q) && q.name === x) &&
            !(ts.isMethodDeclaration(q) && q.name === x)
          )
            out.push(x);
        }
      }
    } else {
      let e: ts.Node = fn;
      while (e.parent && ts.isParenthesizedExpression(e.parent)) e = e.parent;
      if (e.parent && ts.isCallExpression(e.parent) && e.parent.expression === e) out = [e.parent];
    }
    // Calls from inside the function itself (recursion) lead nowhere new.
    if (out) out = out.filter((c) => !(fn.pos <= c.pos && c.end <= fn.end));
    this.memo.set(fn, out);
    return out;
  }
}
