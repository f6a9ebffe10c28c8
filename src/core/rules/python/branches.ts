/**
 * Which transport a code path serves, read from the branches around it: the starts inside the
 * enclosing blocks, and conditions on a computed transport (`if protocol == "stdio": ... else:`).
 */
import { field, named, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import type { StartCall } from './servers';

/**
 * The transport of the code path a node is on, decided by the innermost enclosing block (an
 * if/elif/else branch, a try body, a function body...) that starts a transport: `other` when
 * every start in that block is HTTP or SSE (output there never reaches a stdio client), `stdio`
 * when one of them is stdio or computed, undefined when no enclosing block starts anything. Also
 * `other` when every start that may be stdio takes a computed transport that the node's branch
 * rules out (`else` of `if protocol == "stdio"`, with `mcp.run(transport=protocol)`).
 */
export function branchTransport(py: PyFile, node: PyNode): 'stdio' | 'other' | undefined {
  const { starts, blocks } = startsOf(py);
  if (!starts.length) return undefined;
  if (computedOffStdio(py, node, starts)) return 'other';
  for (let p = node.parent; p; p = p.parent) {
    if (p.type !== 'block') continue;
    let t = blocks.get(p);
    if (t === undefined) {
      const inside = starts.filter((st) => st.node.start >= p!.start && st.node.end <= p!.end);
      t = !inside.length
        ? null
        : inside.some((st) => st.transport === 'stdio' || st.transport === 'unknown')
          ? 'stdio'
          : 'other';
      blocks.set(p, t);
    }
    if (t) return t;
  }
  return undefined;
}

/** The file's start calls, and the answer per block (null: no start inside), computed once per file. */
const startsCache = new WeakMap<
  PyFile,
  { starts: PyFile['servers'][number]['starts']; blocks: Map<PyNode, 'stdio' | 'other' | null> }
>();
function startsOf(py: PyFile) {
  let v = startsCache.get(py);
  if (!v) {
    v = { starts: py.servers.flatMap((s) => s.starts).filter((st) => st.node.type === 'call'), blocks: new Map() };
    startsCache.set(py, v);
  }
  return v;
}

/**
 * Whether every start that may serve stdio has a computed transport whose stdio value the node's
 * branch rules out. The keys of a transport argument are the names it is computed from
 * (`protocol`, `args.transport`); an argument that may be the literal "stdio" has none.
 */
function computedOffStdio(py: PyFile, node: PyNode, starts: StartCall[]): boolean {
  const maybe = starts.filter((st) => st.transport === 'stdio' || st.transport === 'unknown');
  return (
    maybe.length > 0 &&
    maybe.every((st) => {
      const keys = st.transportArg && st.transport === 'unknown' ? transportKeys(py, st.transportArg) : [];
      return keys.length > 0 && branchExcludesStdio(py, node, keys);
    })
  );
}

/** Names a computed transport argument is read from; none when it may be a literal "stdio". */
function transportKeys(py: PyFile, arg: PyNode): string[] {
  const keys = [py.text(arg)];
  let literal = false;
  walk(arg, (n) => {
    if (n.type === 'string') {
      if (py.str(n) === 'stdio' && n.parent?.type !== 'comparison_operator') literal = true;
      return false;
    }
    if (n.type === 'identifier' || n.type === 'attribute') {
      if (n.parent?.type !== 'call' || field(n.parent, 'function') !== n) keys.push(py.text(n));
      return false;
    }
    return true;
  });
  return literal ? [] : keys;
}

/**
 * Whether the branch a node sits in rules out the stdio value of a computed transport, written as
 * one of `keys` (expression texts): the `else` (or a later `elif`) of `if t == "stdio"`, or the
 * body of `if t != "stdio"`, `if t == "sse"`, `if t in ("sse", "http")`.
 */
export function branchExcludesStdio(py: PyFile, node: PyNode, keys: string[]): boolean {
  const wanted = new Set(keys.map((k) => k.replace(/\s+/g, '')));
  /** The condition's verdict on stdio when it holds (`holds`) or fails: true when it rules stdio out. */
  const rulesOut = (cond: PyNode | undefined, holds: boolean): boolean => {
    if (cond?.type === 'parenthesized_expression') return rulesOut(named(cond)[0], holds);
    if (cond?.type === 'not_operator') return rulesOut(field(cond, 'argument'), !holds);
    if (cond?.type === 'boolean_operator') {
      // `a and b` holding holds both; `a or b` failing fails both.
      const op = py.text(field(cond, 'operator')!);
      if ((op === 'and') !== holds) return false;
      return rulesOut(field(cond, 'left'), holds) || rulesOut(field(cond, 'right'), holds);
    }
    if (cond?.type !== 'comparison_operator') return false;
    const [left, right] = named(cond);
    const op = cond.children
      .filter((c) => !c.named)
      .map((c) => c.type)
      .join(' ');
    if (!left || !right || !wanted.has(py.text(left).replace(/\s+/g, ''))) return false;
    const literals =
      right.type === 'string'
        ? [py.str(right)]
        : right.type === 'tuple' || right.type === 'list' || right.type === 'set'
          ? named(right).map((x) => py.str(x))
          : [undefined];
    if (literals.some((v) => v === undefined)) return false;
    const hasStdio = literals.includes('stdio');
    const only = hasStdio && literals.length === 1;
    // Holding: `== "sse"`, `in ("sse", "http")`, `!= "stdio"`, `not in ("stdio", …)` rule stdio out.
    if (holds)
      return ((op === '==' || op === 'in') && !hasStdio) || (op === '!=' && only) || (op === 'not in' && hasStdio);
    // Failing: `== "stdio"`, `in ("stdio", …)`, `not in ("sse", "http")` rule stdio out.
    return (op === '==' && only) || (op === 'in' && hasStdio) || (op === 'not in' && !hasStdio);
  };
  for (let n: PyNode = node; n.parent; n = n.parent) {
    const p = n.parent;
    if ((p.type === 'if_statement' || p.type === 'elif_clause') && field(p, 'consequence') === n) {
      if (rulesOut(field(p, 'condition'), true)) return true;
    }
    if (p.type === 'else_clause' || p.type === 'elif_clause') {
      const ifs = p.parent;
      if (ifs?.type !== 'if_statement') continue;
      const earlier = [
        field(ifs, 'condition'),
        ...named(ifs)
          .filter((c) => c.type === 'elif_clause' && c.end <= p.start)
          .map((c) => field(c, 'condition')),
      ];
      if (earlier.some((c) => rulesOut(c, false))) return true;
    }
  }
  return false;
}
