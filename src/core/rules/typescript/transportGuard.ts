/**
 * Output that cannot run in the same process as a stdio start, because both are selected by the
 * value of one module-level constant (`const TRANSPORT = opts.transport || "stdio"`): a
 * `console.log` in `else` of `if (TRANSPORT === "stdio")`, while every stdio start sits where
 * `TRANSPORT === "stdio"` must hold (or in `else` of `if (TRANSPORT === "http" || TRANSPORT ===
 * "sse")` when the values are known to be stdio, http or sse). A constant never changes within a
 * process, so no run reaches both.
 *
 * Narrow on purpose: only `if` conditions made of `===`/`==`/`!==`/`!=` comparisons of the same
 * key with string literals (joined by `||` or `&&`, or negated with `!`); a key is a module-level
 * `const` or a member of one that nothing assigns. The set of values a key can take is known only
 * from its initializer: a literal, a ternary of literals, or `v || "lit"` / `v ?? "lit"` / `v`
 * where a module-level `if (!LIST.includes(v))` before it exits or throws.
 */
import type * as ts from 'typescript';
import { isFunctionLike, stringValue, unwrap, walk } from './astUtil';
import type { Facts } from './facts';

/** Values a key may take on a path: `in` (only these) and `out` (none of these). */
interface Range {
  in?: Set<string>;
  out: Set<string>;
}

type Constraints = Map<string, Range>;

export class TransportGuards {
  private readonly keyMemo = new Map<string, boolean>();
  private readonly domainMemo = new Map<string, Set<string> | null>();

  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
  ) {}

  /** True when every one of `starts` needs a value of a key that `node` excludes. */
  exclusive(node: ts.Node, starts: ts.Node[]): boolean {
    if (!starts.length) return false;
    const mine = this.constraints(node);
    if (!mine.size) return false;
    return starts.every((m) => {
      const theirs = this.constraints(m);
      for (const [key, r] of mine) {
        const o = theirs.get(key);
        if (o && this.empty(key, meet(r, o))) return true;
      }
      return false;
    });
  }

  /** Conditions on keys that hold wherever `node` runs (from the `if` statements around it). */
  private constraints(node: ts.Node): Constraints {
    const { ts } = this;
    const out: Constraints = new Map();
    for (let n: ts.Node = node; n.parent; n = n.parent) {
      const p = n.parent;
      if (!ts.isIfStatement(p) || n === p.expression) continue;
      const c = this.condition(p.expression, n === p.thenStatement);
      if (!c) continue;
      const prev = out.get(c.key);
      out.set(c.key, prev ? meet(prev, c.range) : c.range);
    }
    return out;
  }

  /** A condition on one key as a range of values, when `truth` is what it evaluates to. */
  private condition(e: ts.Expression, truth: boolean): { key: string; range: Range } | undefined {
    const { ts } = this;
    const x = unwrap(e);
    if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
      return this.condition(x.operand, !truth);
    if (!ts.isBinaryExpression(x)) return undefined;
    const op = x.operatorToken.kind;
    const K = ts.SyntaxKind;
    if (op === K.BarBarToken || op === K.AmpersandAmpersandToken) {
      // `a || b` true, or `a && b` false: one of them holds (a union). Otherwise both hold.
      const union = (op === K.BarBarToken) === truth;
      const l = this.condition(x.left, truth);
      const r = this.condition(x.right, truth);
      if (!l || !r || l.key !== r.key) return undefined;
      if (!union) return { key: l.key, range: meet(l.range, r.range) };
      // A union is exact only for two `in` sets (`k === "a" || k === "b"`).
      if (!l.range.in || !r.range.in) return undefined;
      return { key: l.key, range: { in: new Set([...l.range.in, ...r.range.in]), out: new Set() } };
    }
    let eq: boolean;
    if (op === K.EqualsEqualsEqualsToken || op === K.EqualsEqualsToken) eq = true;
    else if (op === K.ExclamationEqualsEqualsToken || op === K.ExclamationEqualsToken) eq = false;
    else return undefined;
    const lit = stringValue(unwrap(x.right)) ?? stringValue(unwrap(x.left));
    const side = stringValue(unwrap(x.right)) !== undefined ? x.left : x.right;
    if (lit === undefined) return undefined;
    const key = this.key(side);
    if (!key) return undefined;
    return eq === truth
      ? { key, range: { in: new Set([lit]), out: new Set() } }
      : { key, range: { out: new Set([lit]) } };
  }

  /** The text of a constant key: a module-level `const`, or a member of one nothing assigns. */
  private key(e: ts.Expression): string | undefined {
    const { ts } = this;
    const x = unwrap(e);
    const text = x.getText(this.facts.sf);
    const known = this.keyMemo.get(text);
    if (known !== undefined) return known ? text : undefined;
    let ok = false;
    if (ts.isIdentifier(x)) ok = !!this.moduleConst(x.text);
    else if (ts.isPropertyAccessExpression(x) && ts.isIdentifier(x.expression) && this.moduleConst(x.expression.text))
      ok = !this.assigned(text);
    this.keyMemo.set(text, ok);
    return ok ? text : undefined;
  }

  /** The declaration of `name` when it is a module-level `const` and the only binding of the name. */
  private moduleConst(name: string): ts.VariableDeclaration | undefined {
    const { ts } = this;
    const decls = this.facts.decls.get(name) ?? [];
    if (decls.length !== 1) return undefined;
    const d = decls[0]!;
    if (!ts.isVariableDeclaration(d) || !ts.isVariableDeclarationList(d.parent)) return undefined;
    if (!(d.parent.flags & ts.NodeFlags.Const)) return undefined;
    const stmt = d.parent.parent;
    if (!stmt || !ts.isVariableStatement(stmt) || !ts.isSourceFile(stmt.parent)) return undefined;
    // Functions and classes with the same name would shadow it.
    if (this.facts.functions.get(name)?.length) return undefined;
    return d;
  }

  /** Whether anything assigns to the member written as `text` (`config.transport = ...`). */
  private assigned(text: string): boolean {
    const { ts } = this;
    let found = false;
    walk(this.facts.sf, (n) => {
      if (found) return false;
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
        unwrap(n.left).getText(this.facts.sf) === text
      )
        found = true;
      return !found;
    });
    return found;
  }

  /** Whether no value the key can take fits `r`. */
  private empty(key: string, r: Range): boolean {
    let values = r.in;
    const domain = this.domain(key);
    if (domain) values = values ? new Set([...values].filter((v) => domain.has(v))) : domain;
    if (!values) return false; // only exclusions, over values not known: something fits
    return [...values].every((v) => r.out.has(v));
  }

  /** The values a constant key can take, from its initializer (undefined: not known). */
  private domain(key: string): Set<string> | undefined {
    const known = this.domainMemo.get(key);
    if (known !== undefined) return known ?? undefined;
    const d = this.moduleConst(key);
    const v = d?.initializer ? this.valuesOf(d.initializer, d) : undefined;
    this.domainMemo.set(key, v ?? null);
    return v;
  }

  private valuesOf(e: ts.Expression, decl: ts.VariableDeclaration): Set<string> | undefined {
    const { ts } = this;
    let x = unwrap(e);
    while (ts.isAsExpression(x) || ts.isParenthesizedExpression(x)) x = unwrap(x.expression);
    const lit = stringValue(x);
    if (lit !== undefined) return new Set([lit]);
    if (ts.isConditionalExpression(x)) {
      const a = stringValue(unwrap(x.whenTrue));
      const b = stringValue(unwrap(x.whenFalse));
      return a !== undefined && b !== undefined ? new Set([a, b]) : undefined;
    }
    let fallback: string | undefined;
    let source = x;
    if (
      ts.isBinaryExpression(x) &&
      (x.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    ) {
      fallback = stringValue(unwrap(x.right));
      if (fallback === undefined) return undefined;
      source = unwrap(x.left);
    }
    const allowed = this.validated(source, decl);
    if (!allowed) return undefined;
    return fallback === undefined ? allowed : new Set([...allowed, fallback]);
  }

  /**
   * The values `v` is known to hold at `decl`: a module-level `if (!LIST.includes(v))` before it
   * whose branch always exits or throws, with LIST an array literal of strings (or a module-level
   * `const` bound to one).
   */
  private validated(v: ts.Expression, decl: ts.VariableDeclaration): Set<string> | undefined {
    const { ts } = this;
    const sf = this.facts.sf;
    const text = v.getText(sf);
    const stmt = decl.parent.parent as ts.VariableStatement;
    for (const s of sf.statements) {
      if (s.pos >= stmt.pos) break;
      if (!ts.isIfStatement(s) || s.elseStatement) continue;
      const c = unwrap(s.expression);
      if (!ts.isPrefixUnaryExpression(c) || c.operator !== ts.SyntaxKind.ExclamationToken) continue;
      const call = unwrap(c.operand);
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue;
      if (call.expression.name.text !== 'includes' || call.arguments.length !== 1) continue;
      if (unwrap(call.arguments[0]!).getText(sf) !== text || !this.alwaysLeaves(s.thenStatement)) continue;
      let list: ts.Expression = unwrap(call.expression.expression);
      if (ts.isIdentifier(list)) {
        const d = this.moduleConst(list.text);
        if (!d?.initializer) continue;
        list = unwrap(d.initializer);
        while (ts.isAsExpression(list)) list = unwrap(list.expression);
      }
      if (!ts.isArrayLiteralExpression(list)) continue;
      const values = list.elements.map((el) => stringValue(unwrap(el)));
      if (values.some((x) => x === undefined)) continue;
      return new Set(values as string[]);
    }
    return undefined;
  }

  /** A block whose last statement is `process.exit(...)` or a `throw`, with no jump before it. */
  private alwaysLeaves(s: ts.Statement): boolean {
    const { ts } = this;
    const list = ts.isBlock(s) ? s.statements : [s];
    const last = list[list.length - 1];
    if (!last) return false;
    if (ts.isThrowStatement(last)) return true;
    if (!ts.isExpressionStatement(last)) return false;
    const e = unwrap(last.expression);
    if (!ts.isCallExpression(e) || e.expression.getText(this.facts.sf) !== 'process.exit') return false;
    let jumps = false;
    for (const st of list)
      walk(st, (n) => {
        if (isFunctionLike(n)) return false;
        if (ts.isReturnStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n)) jumps = true;
        return !jumps;
      });
    return !jumps;
  }
}

function meet(a: Range, b: Range): Range {
  const inSet = a.in && b.in ? new Set([...a.in].filter((v) => b.in!.has(v))) : (a.in ?? b.in);
  return { ...(inSet ? { in: inSet } : {}), out: new Set([...a.out, ...b.out]) };
}
