/**
 * Output silenced for stdio by an environment variable: `if (!shouldSuppressConsole())
 * console.log(...)` where `shouldSuppressConsole()` returns `... || process.env.MCP_TRANSPORT ===
 * "stdio"`, or `if (process.env.MCP_TRANSPORT !== "stdio") console.log(...)`. The write cannot run
 * while the variable holds that value; whether the stdio process sets it (`process.env.MCP_TRANSPORT
 * = "stdio"` before serving) is for the project model to decide (`ModuleFacts.envSets`).
 *
 * Narrow on purpose: conditions made of `!`, `&&`, `||`, parentheses, comparisons of
 * `process.env.NAME` with a string literal, and calls of a local function with no parameters whose
 * body is one `return` of such a condition.
 */
import type * as ts from 'typescript';
import { guardsOf, stringValue, unwrap } from './astUtil';
import type { Facts } from './facts';

/** The environment value under which the write cannot run. */
export interface EnvQuiet {
  env: string;
  value: string;
}

/** `process.env.NAME` / `process.env["NAME"]`: the name. */
function envName(ts: typeof import('typescript'), e: ts.Expression): string | undefined {
  const x = unwrap(e);
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
    const obj = unwrap(x.expression);
    if (!ts.isPropertyAccessExpression(obj) || obj.name.text !== 'env') return undefined;
    if (!ts.isIdentifier(obj.expression) || obj.expression.text !== 'process') return undefined;
    if (ts.isPropertyAccessExpression(x)) return x.name.text;
    return stringValue(x.argumentExpression);
  }
  return undefined;
}

export class EnvGuards {
  constructor(
    private readonly ts: typeof import('typescript'),
    private readonly facts: Facts,
  ) {}

  /**
   * The stdio settings (`MCP_TRANSPORT=stdio`, `MCP_STDIO=1`: a name or value that says stdio)
   * under which `node` cannot run, from its enclosing conditions.
   */
  quietUnder(node: ts.Node): EnvQuiet[] {
    const out: EnvQuiet[] = [];
    for (const { cond, holds } of guardsOf(this.ts, node).guards)
      for (const c of this.candidates(cond, 0))
        if ((/stdio/i.test(c.env) || /stdio/i.test(c.value)) && this.value(cond, c, 0) === !holds) out.push(c);
    return out;
  }

  /** `process.env.NAME === "lit"` comparisons in the condition (through local functions). */
  private candidates(e: ts.Expression, depth: number): EnvQuiet[] {
    const { ts } = this;
    const x = unwrap(e);
    if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
      return this.candidates(x.operand, depth);
    if (ts.isBinaryExpression(x)) {
      const op = x.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken)
        return [...this.candidates(x.left, depth), ...this.candidates(x.right, depth)];
      const cmp = this.comparison(x);
      return cmp ? [{ env: cmp.env, value: cmp.value }] : [];
    }
    const body = this.returned(x, depth);
    return body ? this.candidates(body, depth + 1) : [];
  }

  /**
   * The condition's value when `process.env[c.env] === c.value`, or undefined when it depends on
   * anything else.
   */
  private value(e: ts.Expression, c: EnvQuiet, depth: number): boolean | undefined {
    const { ts } = this;
    const x = unwrap(e);
    if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
      const v = this.value(x.operand, c, depth);
      return v === undefined ? undefined : !v;
    }
    if (ts.isBinaryExpression(x)) {
      const op = x.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        const l = this.value(x.left, c, depth);
        const r = this.value(x.right, c, depth);
        if (op === ts.SyntaxKind.AmpersandAmpersandToken) return l === false || r === false ? false : l && r;
        return l === true || r === true ? true : l === false && r === false ? false : undefined;
      }
      const cmp = this.comparison(x);
      if (!cmp || cmp.env !== c.env) return undefined;
      return (cmp.value === c.value) === cmp.equal;
    }
    const body = this.returned(x, depth);
    return body ? this.value(body, c, depth + 1) : undefined;
  }

  private comparison(x: ts.BinaryExpression): { env: string; value: string; equal: boolean } | undefined {
    const { ts } = this;
    const op = x.operatorToken.kind;
    const equal = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    if (!equal && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken)
      return undefined;
    for (const [a, b] of [
      [x.left, x.right],
      [x.right, x.left],
    ] as const) {
      const env = envName(ts, a);
      const value = stringValue(b);
      if (env && value !== undefined) return { env, value, equal };
    }
    return undefined;
  }

  /** For `f()` of a local function without parameters whose body is one `return e`: e. */
  private returned(x: ts.Expression, depth: number): ts.Expression | undefined {
    const { ts } = this;
    if (depth > 3 || !ts.isCallExpression(x) || x.arguments.length || !ts.isIdentifier(x.expression)) return undefined;
    const fns = this.facts.functions.get(x.expression.text) ?? [];
    if (fns.length !== 1) return undefined;
    const fn = fns[0]!;
    if (fn.parameters.length || !fn.body) return undefined;
    if (!ts.isBlock(fn.body)) return fn.body;
    const stmts = fn.body.statements;
    const only = stmts.length === 1 ? stmts[0] : undefined;
    return only && ts.isReturnStatement(only) ? only.expression : undefined;
  }
}

/**
 * Assignments to process-wide state, in one walk of the file: string literals assigned to
 * environment variables (`process.env.MCP_TRANSPORT = "stdio"`, by name), and the console methods
 * pointed at stderr (`console.log = console.error`, `console.info = (...args) =>
 * console.error(...args)`), which a stdio entry does before it serves so that every `console.log`
 * of the process, in any module, lands on stderr.
 */
export function processAssignments(
  ts: typeof import('typescript'),
  sf: ts.SourceFile,
): { envSets: Record<string, string[]>; consoleRedirects: string[] } {
  const envSets: Record<string, string[]> = {};
  const redirects = new Set<string>();
  const toStderr = (e: ts.Expression): boolean => {
    const x = unwrap(e);
    const text = x.getText(sf);
    if (/^console\.(error|warn)$/.test(text)) return true;
    if (!ts.isArrowFunction(x) && !ts.isFunctionExpression(x)) return false;
    return (
      /console\.(error|warn)\(|process\.stderr\.write\(/.test(text) && !/console\.(log|info|debug)\(|stdout/.test(text)
    );
  };
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const env = envName(ts, n.left);
      const left = unwrap(n.left);
      if (env !== undefined) {
        const value = stringValue(n.right);
        if (value !== undefined && !(envSets[env] ?? []).includes(value)) (envSets[env] ??= []).push(value);
      } else if (
        ts.isPropertyAccessExpression(left) &&
        ts.isIdentifier(left.expression) &&
        left.expression.text === 'console' &&
        ['log', 'info', 'debug'].includes(left.name.text) &&
        toStderr(n.right)
      )
        redirects.add(left.name.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { envSets, consoleRedirects: [...redirects] };
}
