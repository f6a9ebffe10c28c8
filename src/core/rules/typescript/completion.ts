/**
 * How a statement of a TypeScript/JavaScript function may complete (normally, by `return`,
 * `process.exit`, `throw`, `break`, `continue`), for the serving-path analysis (`servePath.ts`).
 */
import type * as ts from 'typescript';
import { unwrap } from './astUtil';
import type { Facts } from './facts';

/** How a statement may complete. */
interface Completion {
  normal: boolean;
  ret: boolean;
  exit: boolean;
  thrw: boolean;
  brk: boolean;
  cont: boolean;
  unknown: boolean;
}

const NORMAL: Completion = {
  normal: true,
  ret: false,
  exit: false,
  thrw: false,
  brk: false,
  cont: false,
  unknown: false,
};

function union(a: Completion, b: Completion): Completion {
  return {
    normal: a.normal || b.normal,
    ret: a.ret || b.ret,
    exit: a.exit || b.exit,
    thrw: a.thrw || b.thrw,
    brk: a.brk || b.brk,
    cont: a.cont || b.cont,
    unknown: a.unknown || b.unknown,
  };
}

/** Completions of statements, memoized per node. */
export class Completions {
  private readonly memo = new Map<ts.Node, Completion>();

  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
  ) {}

  of(s: ts.Node): Completion {
    const known = this.memo.get(s);
    if (known) return known;
    const c = this.computeCompletion(s);
    this.memo.set(s, c);
    return c;
  }

  private seq(list: readonly ts.Statement[]): Completion {
    let acc: Completion = { ...NORMAL, normal: false };
    for (const s of list) {
      const c = this.of(s);
      acc = union(acc, { ...c, normal: false });
      if (!c.normal) return acc;
    }
    return { ...acc, normal: true };
  }

  private computeCompletion(s: ts.Node): Completion {
    const { ts } = this;
    const none = { ...NORMAL, normal: false };
    if (ts.isReturnStatement(s)) return { ...none, ret: true };
    if (ts.isThrowStatement(s)) return { ...none, thrw: true };
    if (ts.isBreakStatement(s)) return s.label ? { ...none, unknown: true } : { ...none, brk: true };
    if (ts.isContinueStatement(s)) return s.label ? { ...none, unknown: true } : { ...none, cont: true };
    if (ts.isExpressionStatement(s)) return this.exits(s.expression) ? { ...none, exit: true } : NORMAL;
    if (ts.isBlock(s)) return this.seq(s.statements);
    if (ts.isIfStatement(s))
      return union(this.of(s.thenStatement), s.elseStatement ? this.of(s.elseStatement) : NORMAL);
    if (ts.isSwitchStatement(s)) {
      let acc = NORMAL;
      for (const cl of s.caseBlock.clauses) acc = union(acc, { ...this.seq(cl.statements), brk: false });
      return acc;
    }
    if (ts.isIterationStatement(s, false)) return { ...this.of(s.statement), normal: true, brk: false, cont: false };
    if (ts.isTryStatement(s)) {
      let acc = union(NORMAL, this.of(s.tryBlock));
      if (s.catchClause) acc = union(acc, this.of(s.catchClause.block));
      if (s.finallyBlock) acc = union(acc, this.of(s.finallyBlock));
      return acc;
    }
    if (ts.isLabeledStatement(s)) return { ...this.of(s.statement), normal: true, unknown: true };
    return NORMAL;
  }

  /** `process.exit(…)`, or a local function whose every path exits (`usage()` that ends in `process.exit(1)`). */
  private exits(e: ts.Expression, depth = 0): boolean {
    const { ts } = this;
    let x = unwrap(e);
    if (ts.isAwaitExpression(x)) x = unwrap(x.expression);
    if (!ts.isCallExpression(x)) return false;
    const text = x.expression.getText(this.facts.sf);
    if (text === 'process.exit') return true;
    if (depth > 3 || !ts.isIdentifier(x.expression)) return false;
    const fns = this.facts.functions.get(x.expression.text) ?? [];
    return (
      fns.length > 0 &&
      fns.every((fn) => {
        if (!fn.body || !ts.isBlock(fn.body)) return false;
        const c = this.seq(fn.body.statements);
        return c.exit && !c.normal && !c.ret && !c.unknown && !c.brk && !c.cont;
      })
    );
  }
}
