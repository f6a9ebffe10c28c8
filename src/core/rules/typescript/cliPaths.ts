/**
 * Syntax of CLI programs for the serving-path analysis (`servePath.ts`): which callbacks are
 * sub-command actions (one runs per invocation), and the statement a node belongs to.
 */
import type * as ts from 'typescript';
import { isFunctionLike, stringValue, unwrap } from './astUtil';

/**
 * True when `arg` (a function or a function's name) is passed to `call` as a CLI sub-command's
 * action: commander/cac `.command(…).action(fn)`, `program.action(fn)`, `new Command(…).action(fn)`;
 * yargs `.command("name" | ["name", …], desc, builder, handler)` (builder and handler run only for
 * that command).
 */
export function isActionArg(
  ts: typeof import('typescript'),
  sf: ts.SourceFile,
  call: ts.CallExpression,
  arg: ts.Node,
): boolean {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !call.arguments.some((a) => unwrap(a) === arg)) return false;
  if (callee.name.text === 'action') {
    const recv = callee.expression.getText(sf);
    return /\.command\(|^(?:program|cli|cmd|command|commander)\b/i.test(recv) || /\bnew Command\(/.test(recv);
  }
  if (callee.name.text === 'command') {
    const first = call.arguments[0] && unwrap(call.arguments[0]);
    return (
      !!first && (stringValue(first) !== undefined || ts.isArrayLiteralExpression(first)) && call.arguments.length >= 3
    );
  }
  return false;
}

/** The statement `node` is part of (climbing out of expressions, not out of functions). */
export function statementOf(ts: typeof import('typescript'), node: ts.Node): ts.Node | undefined {
  let n: ts.Node = node;
  while (n.parent) {
    const p = n.parent;
    if (
      ts.isBlock(p) ||
      ts.isSourceFile(p) ||
      ts.isCaseClause(p) ||
      ts.isDefaultClause(p) ||
      ts.isModuleBlock(p) ||
      (ts.isIfStatement(p) && p.expression !== n) ||
      (ts.isIterationStatement(p, false) && p.statement === n) ||
      ts.isLabeledStatement(p)
    )
      return n;
    if (isFunctionLike(p)) return n === p.body ? n : undefined; // an expression-bodied arrow
    n = p;
  }
  return undefined;
}
