/**
 * Server and transport detection in a TypeScript/JavaScript file: `new McpServer()` / `new Server()`
 * / `new FastMCP()` objects and the name the code uses for each, transport classes, the transports
 * `connect(...)` and punkpeye `start(...)` calls start, and the servers a use site refers to.
 */
import type * as ts from 'typescript';
import type { FileAnalysis } from '../types';
import {
  calleeName,
  contains,
  getPropValue,
  propName,
  rangeOf,
  receiverText,
  scopeOf,
  stringValue,
  unwrap,
  unwrapAwait,
} from './astUtil';
import { callsNamed, type Facts, type ServerFact, type ServerKind, type TransportKind } from './facts';
import { initializerOf, isSdkServerModule, resolveRef } from './resolve';
import { loadTypeScript } from './tsLoader';

const TRANSPORT_CLASSES: Record<string, TransportKind> = {
  StdioServerTransport: 'stdio',
  StreamableHTTPServerTransport: 'http',
  WebStandardStreamableHTTPServerTransport: 'http',
  SSEServerTransport: 'sse',
};

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

export function collectServers(facts: Facts): void {
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

/** Transport of a server for FileAnalysis.servers. */
function serverTransport(s: ServerFact): 'stdio' | 'http' | 'sse' | 'unknown' | 'none' {
  if (s.starts.length === 0) return 'none';
  // A connect whose transport we know nothing about (a map lookup) defers to the ones we know.
  const known = s.starts.filter((x) => !x.opaque);
  const kinds = new Set((known.length ? known : s.starts).map((x) => x.kind));
  return kinds.size === 1 ? [...kinds][0]! : 'unknown';
}

/** FileAnalysis.servers entries. */
export function serverSummaries(facts: Facts): FileAnalysis['servers'] {
  return facts.servers.map((s) => ({ name: s.name, range: rangeOf(s.node, facts.sf), transport: serverTransport(s) }));
}
