import type * as ts from 'typescript';
import type { Range, TextEdit } from '../../model';
import { provenVersion } from '../project/versions';
import { loadTypeScript } from './tsLoader';

/** Small helpers over the syntax tree shared by the fact collector and the rules. */

let unwrapKinds: Set<number> | undefined;
let functionKinds: Set<number> | undefined;

/** Strips parentheses, `as`/`satisfies`/`!` and type assertions: `(x as Error)` → `x`. */
export function unwrap(node: ts.Expression): ts.Expression {
  if (!unwrapKinds) {
    const k = loadTypeScript().SyntaxKind;
    unwrapKinds = new Set([
      k.ParenthesizedExpression,
      k.AsExpression,
      k.NonNullExpression,
      k.TypeAssertionExpression,
      k.SatisfiesExpression,
    ]);
  }
  let n = node;
  while (unwrapKinds.has(n.kind)) n = (n as ts.ParenthesizedExpression).expression;
  return n;
}

/** Strips `await` too. */
export function unwrapAwait(node: ts.Expression): ts.Expression {
  const ts = loadTypeScript();
  let n = unwrap(node);
  while (ts.isAwaitExpression(n)) n = unwrap(n.expression);
  return n;
}

/** The value of a string literal or a template without substitutions, else undefined. */
export function stringValue(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  const ts = loadTypeScript();
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

/** Literal text fragments of a string or template literal (template heads and spans). */
export function literalParts(node: ts.Node): string[] | undefined {
  const ts = loadTypeScript();
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
  return undefined;
}

/** Name text of a property name (identifier, string or numeric literal). */
export function propName(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  const ts = loadTypeScript();
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name))
    return name.text;
  return undefined;
}

/** The property assignment (or shorthand/method) named `name` in an object literal. */
export function getProp(
  obj: ts.ObjectLiteralExpression | undefined,
  name: string,
): ts.ObjectLiteralElementLike | undefined {
  if (!obj) return undefined;
  return obj.properties.find((p) => propName(p.name) === name);
}

/** The value expression of property `name` (`{ name: value }` or shorthand `{ name }`). */
export function getPropValue(obj: ts.ObjectLiteralExpression | undefined, name: string): ts.Expression | undefined {
  const ts = loadTypeScript();
  const p = getProp(obj, name);
  if (!p) return undefined;
  if (ts.isPropertyAssignment(p)) return p.initializer;
  if (ts.isShorthandPropertyAssignment(p)) return p.name;
  return undefined;
}

/** Console methods that write to stdout in Node. */
export const STDOUT_CONSOLE_METHODS: ReadonlySet<string> = new Set(['log', 'info', 'debug', 'dir', 'table']);

/**
 * Which stdout write a call's callee is: `console.log`-like (`'console'`) or
 * `process.stdout.write` (`'stdout'`); undefined for anything else.
 */
export function stdoutWriteKind(callee: ts.Expression): 'console' | 'stdout' | undefined {
  const ts = loadTypeScript();
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const obj = callee.expression;
  const method = callee.name.text;
  if (ts.isIdentifier(obj) && obj.text === 'console' && STDOUT_CONSOLE_METHODS.has(method)) return 'console';
  const stdout =
    method === 'write' &&
    ts.isPropertyAccessExpression(obj) &&
    obj.name.text === 'stdout' &&
    ts.isIdentifier(obj.expression) &&
    obj.expression.text === 'process';
  return stdout ? 'stdout' : undefined;
}

/** True for arrow functions, function expressions/declarations, methods, accessors and constructors. */
export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  if (!functionKinds) {
    const k = loadTypeScript().SyntaxKind;
    functionKinds = new Set([
      k.ArrowFunction,
      k.FunctionExpression,
      k.FunctionDeclaration,
      k.MethodDeclaration,
      k.Constructor,
      k.GetAccessor,
      k.SetAccessor,
    ]);
  }
  return functionKinds.has(node.kind);
}

/** Nearest enclosing function (or the source file). */
export function scopeOf(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && !isFunctionLike(n) && n.kind !== loadTypeScript().SyntaxKind.SourceFile) n = n.parent;
  return n ?? node.getSourceFile();
}

/** True when `inner` lies inside `outer` (or is it). */
export function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.pos >= outer.pos && inner.end <= outer.end;
}

/** Depth-first walk of `root`; `visit` returns false to skip a subtree. */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const ts = loadTypeScript();
  const rec = (n: ts.Node): void => {
    if (visit(n) === false) return;
    ts.forEachChild(n, rec);
  };
  ts.forEachChild(root, rec);
}

/** Walks the body of a function but not nested functions (for its own `return`s and `await`s). */
function walkOwn(fn: ts.Node, visit: (node: ts.Node) => void): void {
  walk(fn, (n) => {
    if (isFunctionLike(n)) return false;
    visit(n);
    return true;
  });
}

const returnsCache = new WeakMap<ts.Node, { expr: ts.Expression; stmt?: ts.ReturnStatement }[]>();

/** Expressions a function returns: `return x` statements, or the body of an expression-bodied arrow. */
export function returnedExpressions(
  fn: ts.FunctionLikeDeclaration,
): { expr: ts.Expression; stmt?: ts.ReturnStatement }[] {
  const cached = returnsCache.get(fn);
  if (cached) return cached;
  const ts = loadTypeScript();
  const out: { expr: ts.Expression; stmt?: ts.ReturnStatement }[] = [];
  returnsCache.set(fn, out);
  if (!fn.body) return out;
  if (!ts.isBlock(fn.body)) {
    out.push({ expr: fn.body });
    return out;
  }
  walkOwn(fn.body, (n) => {
    if (n.kind === ts.SyntaxKind.ReturnStatement && (n as ts.ReturnStatement).expression)
      out.push({ expr: (n as ts.ReturnStatement).expression!, stmt: n as ts.ReturnStatement });
  });
  return out;
}

/** Method name of a call `a.b.name(...)`, else the identifier name of `name(...)`. */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const ts = loadTypeScript();
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isIdentifier(e)) return e.text;
  return undefined;
}

/** Source text of a call's receiver: `server` for `server.tool(...)`. */
export function receiverText(call: ts.CallExpression, sf: ts.SourceFile): string | undefined {
  const ts = loadTypeScript();
  const e = call.expression;
  if (ts.isPropertyAccessExpression(e)) return e.expression.getText(sf);
  return undefined;
}

/** Zero-based range of a node (without leading trivia). */
export function rangeOf(node: ts.Node, sf: ts.SourceFile): Range {
  return rangeOfSpan(node.getStart(sf), node.getEnd(), sf);
}

function rangeOfSpan(start: number, end: number, sf: ts.SourceFile): Range {
  const s = position(sf, start);
  const e = position(sf, end);
  return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
}

/** Per file: line starts as editors count lines, or null when TypeScript's count agrees. */
const editorLineStarts = new WeakMap<ts.SourceFile, number[] | null>();

/**
 * Line and character of a position as VS Code counts them. TypeScript also ends lines at
 * U+2028/U+2029, editors do not: in a file containing one, every later range would be a line off.
 */
function position(sf: ts.SourceFile, pos: number): { line: number; character: number } {
  let starts = editorLineStarts.get(sf);
  if (starts === undefined) {
    starts = null;
    const t = sf.text;
    if (/[\u2028\u2029]/.test(t)) {
      starts = [0];
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (c === 13 && t.charCodeAt(i + 1) === 10) i++;
        if (c === 13 || c === 10) starts.push(i + 1);
      }
    }
    editorLineStarts.set(sf, starts);
  }
  if (!starts) return sf.getLineAndCharacterOfPosition(pos);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: pos - starts[lo] };
}

/** A text edit replacing `[start, end)`. */
export function edit(file: string, sf: ts.SourceFile, start: number, end: number, newText: string): TextEdit {
  return { file, range: rangeOfSpan(start, end, sf), newText };
}

/** Indentation (leading whitespace) of the line holding `pos`. */
function indentAt(sf: ts.SourceFile, pos: number): string {
  const text = sf.text;
  let lineStart = pos;
  while (lineStart > 0 && text[lineStart - 1] !== '\n') lineStart--;
  let i = lineStart;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(lineStart, i);
}

/** True when two positions are on the same line. */
function sameLine(sf: ts.SourceFile, a: number, b: number): boolean {
  return position(sf, a).line === position(sf, b).line;
}

/**
 * Inserts a property into an object literal, keeping the object's layout: on its own line when
 * the object spans lines, inline after `{` otherwise. Returns the edit.
 */
export function insertPropertyEdit(
  file: string,
  sf: ts.SourceFile,
  obj: ts.ObjectLiteralExpression,
  propText: string,
): TextEdit {
  const open = obj.getStart(sf); // position of `{`
  const first = obj.properties[0];
  if (!first) {
    // `{}`: replace what is between the braces; an unclosed `{` (mid-typing): insert after it.
    const close = sf.text[obj.getEnd() - 1] === '}' && obj.getEnd() - 1 > open ? obj.getEnd() - 1 : open + 1;
    return edit(file, sf, open + 1, close, ` ${propText} `);
  }
  const firstStart = first.getStart(sf);
  if (sameLine(sf, open, firstStart)) return edit(file, sf, firstStart, firstStart, `${propText}, `);
  const indent = indentAt(sf, firstStart);
  // Insert before the first property's line start so comments stay attached.
  let lineStart = firstStart;
  while (lineStart > 0 && sf.text[lineStart - 1] !== '\n') lineStart--;
  return edit(file, sf, lineStart, lineStart, `${indent}${propText},\n`);
}

/** Compares dotted numeric versions (`1.21.1` vs `1.22`); prerelease tags are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .replace(/^[^\d]*/, '')
    .split(/[.+-]/)
    .map((x) => parseInt(x, 10) || 0);
  const pb = b
    .replace(/^[^\d]*/, '')
    .split(/[.+-]/)
    .map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The version of a package the project provably gets (lockfile, installed metadata or an exact
 * pin), as a bare `x.y.z`; undefined for a declared range, which is not a version.
 */
export function packageVersion(packages: Map<string, string>, name: string): string | undefined {
  const v = provenVersion({ packages }, name);
  if (!v) return undefined;
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  if (!m) return undefined;
  return `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`;
}

/** Array methods that call their callback synchronously, before they return. */
const SYNC_ARRAY_METHODS = new Set([
  'forEach',
  'map',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'reduce',
  'reduceRight',
  'flatMap',
  'sort',
]);

/** A callback an array method calls before it returns (`list.forEach(cb)`, `.map(cb)`). */
export function calledNow(ts: typeof import('typescript'), fn: ts.Node): boolean {
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(fn as ts.Expression)) return false;
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && SYNC_ARRAY_METHODS.has(callee.name.text);
}

/**
 * Whether `n` (inside `within`) sits in a branch of an `if (v)` / `if (!v)` in `assume.scope`
 * that the assumed truth value of `v` rules out.
 */
export function inRuledOutBranch(
  ts: typeof import('typescript'),
  n: ts.Node,
  within: ts.Node,
  assume: { name: string; truthy: boolean; scope: ts.Node },
): boolean {
  for (let c: ts.Node = n, p = n.parent; p && c !== within; c = p, p = p.parent) {
    if (!ts.isIfStatement(p) || c === p.expression) continue;
    if (!(assume.scope.pos <= p.pos && p.end <= assume.scope.end)) continue;
    const { expr, negated } = stripNot(ts, p.expression);
    if (!ts.isIdentifier(expr) || expr.text !== assume.name) continue;
    const condValue = negated ? !assume.truthy : assume.truthy;
    if (c === (condValue ? p.elseStatement : p.thenStatement)) return true;
  }
  return false;
}

/** `e` without one leading `!` (and parentheses): the operand, and whether the `!` was there. */
export function stripNot(ts: typeof import('typescript'), e: ts.Expression): { expr: ts.Expression; negated: boolean } {
  const x = unwrap(e);
  return ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken
    ? { expr: unwrap(x.operand), negated: true }
    : { expr: x, negated: false };
}

/** A condition that decides whether a node runs, and the value it has where the node runs. */
export interface Guard {
  cond: ts.Expression;
  holds: boolean;
  /** The test of a `? :` (the other guards are `if` tests and the left side of `&&`/`||`). */
  ternary: boolean;
}

/**
 * The conditions around `node` inside its function, innermost first (an `if` test holds in the
 * then-branch, a ternary's in the true branch, `a && x` needs `a`, `a || x` needs `!a`), and that
 * function.
 */
export function guardsOf(
  ts: typeof import('typescript'),
  node: ts.Node,
): { guards: Guard[]; fn?: ts.FunctionLikeDeclaration } {
  const guards: Guard[] = [];
  for (let c: ts.Node = node, p = node.parent; p; c = p, p = p.parent) {
    if (isFunctionLike(p)) return { guards, fn: p };
    if (ts.isIfStatement(p) && c !== p.expression)
      guards.push({ cond: p.expression, holds: c === p.thenStatement, ternary: false });
    else if (ts.isConditionalExpression(p) && c !== p.condition)
      guards.push({ cond: p.condition, holds: c === p.whenTrue, ternary: true });
    else if (
      ts.isBinaryExpression(p) &&
      c === p.right &&
      (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
        p.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    )
      guards.push({
        cond: p.left,
        holds: p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken,
        ternary: false,
      });
  }
  return { guards };
}
