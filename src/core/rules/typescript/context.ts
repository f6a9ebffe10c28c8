import type * as ts from 'typescript';
import type { Fix, Range } from '../../model';
import type { ProjectContext, RuleHit } from '../types';
import { isFunctionLike, rangeOf, returnedExpressions, unwrap, walk } from './astUtil';
import type { DefFact, Facts, TransportKind } from './facts';
import { resolveDecl } from './resolve';
import { loadTypeScript } from './tsLoader';

/** Syntax inside one tool handler (nested callbacks included), in source order. */
export interface HandlerInfo {
  text: string;
  calls: ts.CallExpression[];
  decls: ts.VariableDeclaration[];
  awaits: ts.AwaitExpression[];
  assigns: ts.BinaryExpression[];
  deletes: ts.DeleteExpression[];
  loops: ts.IterationStatement[];
  catches: ts.CatchClause[];
  returns: ts.ReturnStatement[];
  throws: ts.ThrowStatement[];
}

/** Whether stdout is the protocol channel for code in this file. */
export type StdioState = 'stdio' | 'unknown' | 'not-stdio';

/** What every rule receives: the facts, the project, and a sink for hits. */
export class RuleContext {
  readonly ts = loadTypeScript();
  readonly hits: RuleHit[] = [];
  private stdioCache?: StdioState;
  private toolCache = new Map<ts.Node, DefFact | null>();
  private sanitizerCache?: Set<string>;
  /** Tainted names per handler (with the default sanitizers). */
  readonly taintCache = new Map<ts.Node, Set<string>>();

  constructor(
    readonly facts: Facts,
    readonly project: ProjectContext,
  ) {}

  get sf(): ts.SourceFile {
    return this.facts.sf;
  }
  get file(): string {
    return this.facts.file;
  }

  range(node: ts.Node): Range {
    return rangeOf(node, this.sf);
  }

  report(
    ruleId: string,
    node: ts.Node | Range,
    message: string,
    extra: Partial<Omit<RuleHit, 'ruleId' | 'range' | 'message'>> = {},
  ): void {
    const range = 'kind' in node ? this.range(node) : node;
    const hit: RuleHit = { ruleId, range, message };
    if (extra.fixes && extra.fixes.length) hit.fixes = extra.fixes;
    if (extra.related && extra.related.length) hit.related = extra.related;
    if (extra.downgrade) hit.downgrade = true;
    if (extra.severity) hit.severity = extra.severity;
    if (extra.data) hit.data = extra.data;
    this.hits.push(hit);
  }

  fix(title: string, edits: Fix['edits'], preferred = false): Fix {
    return preferred ? { title, edits, preferred } : { title, edits };
  }

  /**
   * stdio when the file builds only stdio transports; not-stdio when it builds HTTP/SSE transports
   * and no stdio one; unknown when mixed (chosen at run time), computed (fastmcp
   * `transportType` from env), or when the file starts nothing (a helper module whose server is
   * connected elsewhere).
   */
  get stdio(): StdioState {
    if (this.stdioCache) return this.stdioCache;
    const kinds = new Set<TransportKind>();
    for (const s of this.facts.servers) for (const st of s.starts) if (!st.opaque) kinds.add(st.kind);
    for (const t of this.facts.transportsSeen) kinds.add(t.kind);
    let state: StdioState;
    if (kinds.has('stdio')) state = kinds.size === 1 ? 'stdio' : 'unknown';
    else if (kinds.has('http') || kinds.has('sse'))
      state = 'not-stdio'; // no stdio transport is even built here
    else state = 'unknown';
    this.stdioCache = state;
    return state;
  }

  /** The tool definition whose handler lexically contains `node`. */
  toolOf(node: ts.Node): DefFact | undefined {
    let n: ts.Node | undefined = node;
    while (n) {
      if (isFunctionLike(n) && this.facts.handlers.has(n)) {
        if (!this.toolCache.has(n)) this.toolCache.set(n, this.facts.defs.find((d) => d.handler === n) ?? null);
        const d = this.toolCache.get(n);
        if (d) return d;
      }
      n = n.parent;
    }
    return undefined;
  }

  private handlerInfoCache = new Map<ts.Node, HandlerInfo>();

  /** Everything the rules need from inside one tool handler, collected by a single walk. */
  handlerInfo(handler: ts.Node): HandlerInfo {
    let info = this.handlerInfoCache.get(handler);
    if (info) return info;
    const ts = this.ts;
    const k = ts.SyntaxKind;
    const i: HandlerInfo = {
      text: handler.getText(this.sf),
      calls: [],
      decls: [],
      awaits: [],
      assigns: [],
      deletes: [],
      loops: [],
      catches: [],
      returns: [],
      throws: [],
    };
    // The list each kind of node goes to; assignments are the binary expressions sorted out below.
    const lists = new Map<ts.SyntaxKind, ts.Node[]>([
      [k.CallExpression, i.calls],
      [k.VariableDeclaration, i.decls],
      [k.AwaitExpression, i.awaits],
      [k.DeleteExpression, i.deletes],
      ...[k.WhileStatement, k.DoStatement, k.ForStatement, k.ForOfStatement, k.ForInStatement].map(
        (loop) => [loop, i.loops] as const,
      ),
      [k.CatchClause, i.catches],
      [k.ReturnStatement, i.returns],
      [k.ThrowStatement, i.throws],
    ]);
    walk(handler, (n) => {
      lists.get(n.kind)?.push(n);
      if (n.kind === k.BinaryExpression) {
        const op = (n as ts.BinaryExpression).operatorToken.kind;
        if (op >= k.FirstAssignment && op <= k.LastAssignment) i.assigns.push(n as ts.BinaryExpression);
      }
    });
    info = i;
    this.handlerInfoCache.set(handler, info);
    return info;
  }

  private returnsCache = new Map<ts.Node, { expr: ts.Expression; stmt?: ts.ReturnStatement }[]>();

  /**
   * What a tool handler returns (its own `return`s, not nested callbacks'), from the handler
   * walk instead of a second pass; other functions fall back to a dedicated walk.
   */
  returnsOf(fn: ts.FunctionLikeDeclaration): { expr: ts.Expression; stmt?: ts.ReturnStatement }[] {
    let out = this.returnsCache.get(fn);
    if (out) return out;
    if (!this.facts.handlers.has(fn) || !fn.body || !this.ts.isBlock(fn.body)) out = returnedExpressions(fn);
    else {
      out = [];
      for (const r of this.handlerInfo(fn).returns) {
        if (!r.expression) continue;
        let p: ts.Node | undefined = r.parent;
        while (p && p !== fn && !isFunctionLike(p)) p = p.parent;
        if (p === fn) out.push({ expr: r.expression, stmt: r });
      }
    }
    this.returnsCache.set(fn, out);
    return out;
  }

  /** Tool definitions with a handler. */
  get tools(): DefFact[] {
    return this.facts.defs.filter((d) => d.def.kind === 'tool' && d.handler);
  }

  /**
   * Functions whose result is treated as clean path input: local helpers that check containment
   * (`path.relative` + `startsWith`/`isAbsolute`), and `path.basename`.
   */
  get sanitizers(): Set<string> {
    if (this.sanitizerCache) return this.sanitizerCache;
    const out = new Set<string>(['path.basename', 'basename']);
    for (const [name, fns] of this.facts.functions) {
      if (
        fns.some(
          (f) =>
            f.body &&
            /\.relative\(/.test(f.body.getText(this.sf)) &&
            /startsWith|isAbsolute/.test(f.body.getText(this.sf)),
        )
      )
        out.add(name);
    }
    this.sanitizerCache = out;
    return out;
  }
}

/**
 * Names holding tool input inside a handler: destructured parameters, the args object itself, and
 * locals computed from them (in source order). `sanitizers` are function names whose result is
 * considered clean (containment helpers).
 */
export function taintedNames(
  ctx: RuleContext,
  handler: ts.FunctionLikeDeclaration,
  sanitizers: Set<string> = ctx.sanitizers,
): Set<string> {
  const cached = sanitizers === ctx.sanitizers ? ctx.taintCache.get(handler) : undefined;
  if (cached) return cached;
  const ts = ctx.ts;
  const names = new Set<string>();
  if (sanitizers === ctx.sanitizers) ctx.taintCache.set(handler, names);
  const first = handler.parameters[0];
  if (!first) return names;
  const addBinding = (b: ts.BindingName): void => {
    if (ts.isIdentifier(b)) names.add(b.text);
    else for (const el of b.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  addBinding(first.name);
  // Propagate through local declarations in source order.
  for (const d of ctx.handlerInfo(handler).decls) {
    if (d.initializer && refersTo(ctx, d.initializer, names, sanitizers)) addBinding(d.name);
  }
  return names;
}

/** Helper names that by convention validate or contain a path (`validatePath`, `safeJoin`, `resolveInside`). */
const SANITIZER_NAME =
  /^(validate|sanitize|safe|secure|ensure|assert|check|guard|restrict|resolveSafe|resolveInside|resolveWithin)|(Inside|Within|Allowed|Contained|Safe)$/i;

/** True when `expr` mentions one of `names` (outside calls to a sanitizer). */
export function refersTo(
  ctx: RuleContext,
  expr: ts.Node,
  names: Set<string>,
  sanitizers: Set<string> = new Set(),
): boolean {
  const ts = ctx.ts;
  let found = false;
  const check = (n: ts.Node): boolean => {
    if (found) return false;
    if (ts.isCallExpression(n)) {
      const callee = unwrap(n.expression);
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.getText(ctx.sf)
          : '';
      if (sanitizers.has(name) || SANITIZER_NAME.test(name.slice(name.lastIndexOf('.') + 1))) return false;
    }
    if (ts.isIdentifier(n) && names.has(n.text)) {
      // Skip property names (`x.file`), but count the object of a property access.
      const p = n.parent;
      if (p && ts.isPropertyAccessExpression(p) && p.name === n) return true;
      if (p && ts.isPropertyAssignment(p) && p.name === n) return true;
      found = true;
      return false;
    }
    return true;
  };
  if (check(expr)) walk(expr, check);
  return found;
}

/** True when the identifier resolves to a declaration made at module scope. */
export function isModuleLevel(ctx: RuleContext, id: ts.Identifier): boolean {
  const d = resolveDecl(ctx.facts, id);
  if (!d) return false;
  let n: ts.Node | undefined = d.parent;
  while (n && !isFunctionLike(n) && n.kind !== ctx.ts.SyntaxKind.SourceFile) n = n.parent;
  return !!n && n.kind === ctx.ts.SyntaxKind.SourceFile && !ctx.ts.isParameter(d);
}

/** Nodes of kind `pred` inside `root`. */
export function findAll<T extends ts.Node>(root: ts.Node, pred: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  walk(root, (n) => {
    if (pred(n)) out.push(n);
    return true;
  });
  return out;
}
