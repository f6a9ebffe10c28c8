/** YAML config files (Continue, Goose): parsed with positions, values bounded by `PARSE_LIMITS`. */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YNode } from 'yaml';
import type { Finding, Range } from '../model';
import { finding } from './findings';
import { kindOf, LineIndex, type PNode } from './pnode';
import { type ParsedText, baseName, firstLine, overBudget, PARSE_LIMITS, defineValue } from './syntax';

/** Parses YAML (Continue, Goose); every YAML error/warning becomes a positioned finding. */
export function parseYamlText(file: string, text: string, clientLabel: string): ParsedText {
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  let accepted = true;
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    findings.push(finding('MCP006', 'error', `YAML could not be read: ${String(err)}`, file, lines.range(0, 0)));
    return { findings, accepted: false, lines };
  }
  for (const e of doc.errors) {
    accepted = false;
    findings.push(
      finding(
        'MCP006',
        'error',
        `YAML error in ${baseName(file)}: ${firstLine(e.message)}. ${clientLabel} cannot load this file until it is fixed (check indentation and unclosed brackets/quotes).`,
        file,
        lines.range(e.pos[0], e.pos[1] - e.pos[0]),
        { data: { yamlCode: e.code } },
      ),
    );
  }
  for (const w of doc.warnings) {
    findings.push(
      finding(
        'MCP007',
        'warning',
        `YAML warning in ${baseName(file)}: ${firstLine(w.message)}.`,
        file,
        lines.range(w.pos[0], w.pos[1] - w.pos[0]),
      ),
    );
  }
  const budget: YamlBudget = { doc, lines, aliases: new Map(), nodes: 0, over: undefined };
  const root = doc.contents ? yamlNode(doc.contents as YNode, budget, undefined, 0) : undefined;
  if (budget.over) findings.push(overBudget(file, lines, budget.over.what, budget.over.offset, 'warning'));
  return { root, findings, accepted, lines };
}

/** Shared state of one YAML conversion: values built so far, and the first limit hit. */
interface YamlBudget {
  doc: Document.Parsed;
  aliases: Map<object, unknown>;
  lines: LineIndex;
  nodes: number;
  over?: { what: string; offset: number };
}

function yamlNode(node: YNode, b: YamlBudget, keyRange: Range | undefined, depth: number): PNode {
  const r = node.range ?? [0, 0, 0];
  const range = b.lines.range(r[0], r[1] - r[0]);
  const cut = (what: string): PNode => {
    b.over ??= { what, offset: r[0] };
    return { kind: 'null', value: null, range, keyRange };
  };
  // Aliases count expanded: `&a [*b, *b, …]` chains ("billion laughs") stop at the budget.
  if (++b.nodes > PARSE_LIMITS.maxYamlTomlNodes)
    return cut(
      `expands to more than ${PARSE_LIMITS.maxYamlTomlNodes.toLocaleString('en-US')} values (YAML aliases count once per use); the rest is read as null`,
    );
  if (depth > PARSE_LIMITS.maxDepth)
    return cut(`nests more than ${PARSE_LIMITS.maxDepth} levels deep; what is below that depth is read as null`);
  if (isAlias(node)) {
    // `resolve` searches the document for the anchor: once per alias node, not once per use.
    let target = b.aliases.get(node);
    if (target === undefined) b.aliases.set(node, (target = node.resolve(b.doc) ?? null));
    return target
      ? { ...yamlNode(target as YNode, b, keyRange, depth + 1), range, keyRange }
      : { kind: 'null', value: null, range, keyRange };
  }
  if (isMap(node)) {
    const props = new Map<string, PNode>();
    const value: Record<string, unknown> = {};
    for (const pair of node.items) {
      const k = pair.key as YNode | null;
      const kr = k?.range ? b.lines.range(k.range[0], k.range[1] - k.range[0]) : range;
      const key = yamlKey(k, b.lines.text);
      const child = pair.value
        ? yamlNode(pair.value as YNode, b, kr, depth + 1)
        : { kind: 'null' as const, value: null, range: kr, keyRange: kr };
      props.set(key, child);
      defineValue(value, key, child.value);
    }
    return { kind: 'object', value, range, keyRange, props };
  }
  if (isSeq(node)) {
    const items = node.items.map((i) =>
      i ? yamlNode(i as YNode, b, undefined, depth + 1) : { kind: 'null' as const, value: null, range },
    );
    return { kind: 'array', value: items.map((i) => i.value), range, keyRange, items };
  }
  if (isScalar(node)) {
    const v = node.value instanceof Date ? node.value.toISOString() : node.value;
    return { kind: kindOf(v), value: v ?? null, range, keyRange };
  }
  return { kind: 'null', value: null, range, keyRange };
}

/**
 * The name of a YAML key. A key that is not a scalar (`? {a: b}`, `[x]: y`) is named by its
 * source text, cut: the library's `String(node)` doubles its length per nesting level.
 */
function yamlKey(k: YNode | null, text: string): string {
  if (!k) return '';
  if (isScalar(k)) return String(k.value);
  const [start, end] = k.range ?? [0, 0];
  return text.slice(start, Math.min(end, start + PARSE_LIMITS.maxKeyChars));
}
