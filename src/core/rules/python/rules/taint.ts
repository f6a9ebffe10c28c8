/** Taint from tool parameters: which names hold (something derived from) a tool argument, and containment checks. */
import { field, walk, type PyNode } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { identifiersIn, walkBody } from './util';

/** Identifiers whose value flows into an expression: a subscript index only selects a value. */
export function flowIdentifiers(py: PyFile, node: PyNode): string[] {
  return identifiersIn(py, node, true);
}

// ---- taint from tool parameters ------------------------------------------------------------

export interface Taint {
  /** Names holding (something derived from) a tool argument. */
  tainted: Set<string>;
  /** Tainted names that came out of a path sink already reported (not reported again). */
  viaSink: Set<string>;
}

const NON_STRING = /^(int|float|bool|Literal\[.*\])$/s;
const CONTAINMENT_CALL = /\.is_relative_to\(|\.relative_to\(|commonpath\(|commonprefix\(/;

/** Whether code performs a containment check (resolve + is_relative_to / commonpath / startswith). */
export function hasContainment(text: string): boolean {
  if (CONTAINMENT_CALL.test(text)) return true;
  return /(realpath|resolve|abspath)\(/.test(text) && text.includes('.startswith(');
}

const sanitizerCache = new WeakMap<PyFile, Set<string>>();

/** Functions in the file that perform a containment check (their results count as safe paths). */
function sanitizers(py: PyFile): Set<string> {
  let out = sanitizerCache.get(py);
  if (!out) {
    out = new Set();
    for (const f of py.functions) if (hasContainment(py.text(f.body))) out.add(f.name);
    sanitizerCache.set(py, out);
  }
  return out;
}

export function computeTaint(
  py: PyFile,
  fn: FunctionFact,
  isPathSink: (n: PyNode, t: Set<string>) => boolean,
  carried: (right: PyNode, t: Set<string>) => string[] = (right) => flowIdentifiers(py, right),
): Taint {
  const tainted = new Set<string>();
  for (const p of fn.params) {
    if (py.isInjected(p)) continue;
    if (p.annotation && NON_STRING.test(py.text(p.annotation))) continue;
    tainted.add(p.name);
  }
  const viaSink = new Set<string>();
  const safe = sanitizers(py);
  const assigns: { left: PyNode; right: PyNode }[] = [];
  walkBody(fn, (n) => {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = field(n, 'left');
      const right = field(n, 'right');
      if (left?.type === 'identifier' && right) assigns.push({ left, right });
    } else if (n.type === 'for_statement') {
      const left = field(n, 'left');
      const right = field(n, 'right');
      if (left?.type === 'identifier' && right) assigns.push({ left, right });
    }
    return true;
  });
  for (let pass = 0; pass < 2; pass++) {
    for (const { left, right } of assigns) {
      const name = py.text(left);
      if (
        right.type === 'call' &&
        field(right, 'function')?.type === 'identifier' &&
        safe.has(py.text(field(right, 'function')!))
      )
        continue;
      const ids = carried(right, tainted);
      if (!ids.some((i) => tainted.has(i))) continue;
      tainted.add(name);
      let sink = false;
      walk(right, (m) => {
        if (!sink && isPathSink(m, tainted)) sink = true;
        return !sink;
      });
      if (sink || ids.filter((i) => tainted.has(i)).every((i) => viaSink.has(i))) viaSink.add(name);
    }
  }
  return { tainted, viaSink };
}

/** Identifiers whose value flows into a path, except through a containment helper (`safe(p)`). */
export function pathIdentifiers(py: PyFile, node: PyNode): string[] {
  const safe = sanitizers(py);
  if (!safe.size) return flowIdentifiers(py, node);
  const out: string[] = [];
  walk(node, (n) => {
    if (n.type === 'call') {
      const f = field(n, 'function');
      if (f?.type === 'identifier' && safe.has(py.text(f))) return false;
      return true;
    }
    if (n.type !== 'identifier' && n.type !== 'subscript' && n.type !== 'attribute') return true;
    out.push(...flowIdentifiers(py, n));
    return false;
  });
  return out;
}

const plainCache = new WeakMap<FunctionFact, Taint>();

/** `computeTaint` with no path sinks, computed once per function (shell, blocking and path checks share it). */
export function argumentTaint(py: PyFile, fn: FunctionFact): Taint {
  let t = plainCache.get(fn);
  if (!t) plainCache.set(fn, (t = computeTaint(py, fn, () => false)));
  return t;
}
