/**
 * TOML config files (Codex's config.toml): parsed by smol-toml, with key and value positions
 * found by a line scanner, since the parser gives none.
 */
import { parse as parseToml } from 'smol-toml';
import type { Finding, Range } from '../model';
import { finding } from './findings';
import { kindOf, LineIndex, plainNode, type PNode } from './pnode';
import { type ParsedText, baseName, firstLine, overBudget, PARSE_LIMITS } from './syntax';

/**
 * Parses TOML (Codex). smol-toml has no source positions for values, so ranges come from a
 * line scan of `[table]` headers and `key =` lines (falling back to the enclosing table).
 */
export function parseTomlText(file: string, text: string, clientLabel: string): ParsedText {
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (err) {
    const e = err as { line?: number; column?: number; message?: string };
    const line = Math.max(0, (e.line ?? 1) - 1);
    const character = Math.max(0, (e.column ?? 1) - 1);
    findings.push(
      finding(
        'MCP008',
        'error',
        `TOML error in ${baseName(file)}: ${firstLine(e.message ?? String(err)).replace(/^Invalid TOML document: /, '')}. ${clientLabel} refuses to start with an invalid config.toml.`,
        file,
        { start: { line, character }, end: { line, character: character + 1 } },
      ),
    );
    return { findings, accepted: false, lines };
  }
  const locator = tomlLocator(text);
  const budget = { nodes: 0, over: undefined as string | undefined };
  const root = tomlNode(data, '', undefined, 0, locator, lines.range(0, 0), budget);
  if (budget.over) findings.push(overBudget(file, lines, budget.over, 0, 'warning'));
  return { root, findings, accepted: true, lines };
}

type TomlLocator = Map<string, { key: Range; value: Range }>;
/** Joins the segments of a dotted TOML path into a locator key. */
const SEP = '\u0000';

/**
 * Records the range of every `[header]` and `key = value` line by dotted path. A scanner, not
 * regexes: every line is read once, whatever it holds.
 */
function tomlLocator(text: string): TomlLocator {
  const map: TomlLocator = new Map();
  const src = text.split(/\r\n|\n|\r/);
  let table: string[] = [];
  for (let i = 0; i < src.length; i++) {
    const line = src[i];
    const lead = skipSpace(line, 0);
    if (line[lead] === '[') {
      const header = readHeader(line, lead);
      if (!header) continue;
      table = header.path;
      const r: Range = { start: { line: i, character: lead }, end: { line: i, character: header.end } };
      map.set(table.join(SEP), { key: r, value: r });
      continue;
    }
    const key = readDottedKey(line, lead);
    if (!key) continue;
    let eq = skipSpace(line, key.end);
    if (line[eq] !== '=') continue;
    const valueStart = skipSpace(line, eq + 1);
    const path = [...table, ...key.path];
    const kr: Range = { start: { line: i, character: lead }, end: { line: i, character: key.end } };
    const valueEnd = valueEndOf(line, valueStart);
    const value: Range = { start: { line: i, character: valueStart }, end: { line: i, character: valueEnd } };
    map.set(path.join(SEP), { key: kr, value });
    // Inline table on the same line: `env = { A = "x", B = "y" }` (keys at any depth, by name).
    if (line[valueStart] === '{') {
      for (let p = valueStart + 1; p < valueEnd;) {
        const c = line[p];
        if (c === '"' || c === "'" || isBareKeyChar(c)) {
          const k = readDottedKey(line, p);
          if (!k) {
            p++;
            continue;
          }
          eq = skipSpace(line, k.end);
          if (line[eq] === '=') {
            const r: Range = { start: { line: i, character: p }, end: { line: i, character: k.end } };
            map.set([...path, ...k.path].join(SEP), { key: r, value: r });
          }
          p = Math.max(k.end, p + 1);
        } else p++;
      }
    }
  }
  return map;
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

function isBareKeyChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_-]/.test(c);
}

/** One key segment (`bare`, `"basic"`, `'literal'`) at `i`: its text and where it ends. */
function readKeyPart(line: string, i: number): { text: string; end: number } | undefined {
  const c = line[i];
  if (c === '"' || c === "'") {
    const close = line.indexOf(c, i + 1);
    return close < 0 ? undefined : { text: line.slice(i + 1, close), end: close + 1 };
  }
  let j = i;
  while (isBareKeyChar(line[j])) j++;
  return j > i ? { text: line.slice(i, j), end: j } : undefined;
}

/** A dotted key (`a.b."c d"`) at `i`. */
function readDottedKey(line: string, i: number): { path: string[]; end: number } | undefined {
  const path: string[] = [];
  let part = readKeyPart(line, i);
  if (!part) return undefined;
  for (;;) {
    path.push(part.text);
    const dot = skipSpace(line, part.end);
    if (line[dot] !== '.') return { path, end: part.end };
    const next = readKeyPart(line, skipSpace(line, dot + 1));
    if (!next) return { path, end: part.end };
    part = next;
  }
}

/** `[a.b]` or `[[a.b]]` at `i`: the path and the end of the header. */
function readHeader(line: string, i: number): { path: string[]; end: number } | undefined {
  const double = line[i + 1] === '[';
  const key = readDottedKey(line, skipSpace(line, i + (double ? 2 : 1)));
  if (!key) return undefined;
  let end = skipSpace(line, key.end);
  if (line[end] !== ']') return undefined;
  end++;
  if (double && line[end] === ']') end++;
  return { path: key.path, end };
}

/** End of a value on its line: before a `#` comment that is outside quotes, trailing space trimmed. */
function valueEndOf(line: string, start: number): number {
  let quote: string | undefined;
  let end = line.length;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') {
      end = i;
      break;
    }
  }
  while (end > start && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return end;
}

/**
 * Builds the PNode of a TOML value. The locator key and the nearest located ancestor's range
 * are passed down (each level costs what its own key costs, not its whole path).
 */
function tomlNode(
  value: unknown,
  key: string,
  name: string | undefined,
  depth: number,
  loc: TomlLocator,
  fallback: Range,
  budget: { nodes: number; over?: string },
): PNode {
  const here = loc.get(key);
  const range = here?.value ?? fallback;
  const keyRange = here?.key ?? (name !== undefined ? fallback : undefined);
  const near = here?.key ?? fallback;
  if (++budget.nodes > PARSE_LIMITS.maxYamlTomlNodes || depth > PARSE_LIMITS.maxDepth) {
    budget.over ??=
      depth > PARSE_LIMITS.maxDepth
        ? `nests more than ${PARSE_LIMITS.maxDepth} levels deep; what is below that depth is read as null`
        : `holds more than ${PARSE_LIMITS.maxYamlTomlNodes.toLocaleString('en-US')} values; the rest is read as null`;
    return { kind: 'null', value: null, range, keyRange };
  }
  if (Array.isArray(value)) {
    return { kind: 'array', value, range, keyRange, items: value.map((v) => plainNode(v, range)) };
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const props = new Map<string, PNode>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      props.set(
        k,
        tomlNode(v, key === '' && name === undefined ? k : `${key}${SEP}${k}`, k, depth + 1, loc, near, budget),
      );
    return { kind: 'object', value, range, keyRange, props };
  }
  return { kind: kindOf(value), value: value instanceof Date ? value.toISOString() : value, range, keyRange };
}
