import { createScanner, parseTree, printParseErrorCode, type Node as JNode, type ParseError } from 'jsonc-parser';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YNode } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import type { Finding, Range } from '../model';
import { finding, replaceFix } from './findings';
import { kindOf, LineIndex, plainNode, type PNode } from './pnode';

/** What a client's JSON reader tolerates. */
export type JsonStrictness = 'jsonc' | 'comments' | 'strict';

/**
 * Budgets that keep parsing a hostile file linear in time and bounded in memory. No MCP config
 * comes close: the deepest real ones nest about 8 levels and hold a few thousand values.
 */
export const PARSE_LIMITS = {
  /** Containers nested deeper than this are read as null (the parsers recurse per level). */
  maxDepth: 128,
  /** Keys and values of one JSON file (a large ~/.claude.json holds tens of thousands). */
  maxNodes: 200_000,
  /** Values built from one YAML or TOML file (aliases counted once per use); real ones hold a few hundred. */
  maxYamlTomlNodes: 50_000,
  /** Characters of a YAML key that is not a scalar (`? {a: b}`), taken from its source. */
  maxKeyChars: 200,
} as const;

/** Code of the finding for a file beyond `PARSE_LIMITS` (or the size cap of discovery). */
export const OVER_BUDGET = 'MCP090';

/** Result of parsing the bytes of one file, before any MCP-specific interpretation. */
export interface ParsedText {
  root?: PNode;
  findings: Finding[];
  /** False when the owning client's parser rejects the file. */
  accepted: boolean;
  lines: LineIndex;
}

// jsonc-parser's enums are `const enum`s (not usable with isolatedModules): numeric values.
const T_OPEN_BRACE = 1;
const T_CLOSE_BRACE = 2;
const T_OPEN_BRACKET = 3;
const T_CLOSE_BRACKET = 4;
const T_COMMA = 5;
const T_COLON = 6;
const T_LINE_COMMENT = 12;
const T_BLOCK_COMMENT = 13;
const T_LINE_BREAK = 14;
const T_TRIVIA = 15;
const T_EOF = 17;
const E_INVALID_ESCAPE = 15;

const PARSE_ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a property name (in double quotes) is expected here',
  ValueExpected: 'a value is expected here',
  ColonExpected: 'a colon is expected after the property name',
  CommaExpected: 'a comma is expected between entries',
  CloseBraceExpected: 'a closing } is missing',
  CloseBracketExpected: 'a closing ] is missing',
  EndOfFileExpected: 'unexpected text after the end of the JSON document',
  UnexpectedEndOfComment: 'a /* comment is not closed',
  UnexpectedEndOfString: 'a string is not closed (missing ")',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'invalid \\u escape',
  InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
};

/**
 * Parses a JSON-family file leniently (so servers are still listed) and reports what the
 * owning client would reject: comments and trailing commas depending on `strictness`.
 */
export function parseJsonText(file: string, text: string, strictness: JsonStrictness, clientLabel: string): ParsedText {
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  let accepted = true;
  const base = baseName(file);

  if (text.trim() === '') {
    findings.push(
      finding(
        'MCP005',
        'warning',
        `${base} is empty; ${clientLabel} expects a JSON object. Add {} or delete the file.`,
        file,
        lines.range(0, 0),
      ),
    );
    return { findings, accepted: strictness === 'jsonc', lines };
  }

  // 1. Token pass: comments and trailing commas, with exact positions.
  const scanner = createScanner(text, false);
  let pendingComma: { offset: number } | undefined;
  const comments: { offset: number; length: number }[] = [];
  const trailing: { offset: number; closer: number }[] = [];
  // Nesting beyond maxDepth is cut out (the tree parser recurses per level and a 10,000-deep
  // file would overflow the stack): each too-deep container becomes `0`, offsets unchanged.
  const tooDeep: { start: number; end: number }[] = [];
  let depth = 0;
  let values = 0;
  for (let kind = scanner.scan(); kind !== T_EOF; kind = scanner.scan()) {
    if (kind === T_LINE_COMMENT || kind === T_BLOCK_COMMENT) {
      comments.push({ offset: scanner.getTokenOffset(), length: scanner.getTokenLength() });
      continue;
    }
    if (kind === T_LINE_BREAK || kind === T_TRIVIA) continue;
    if (kind === T_OPEN_BRACE || kind === T_OPEN_BRACKET) {
      if (++depth === PARSE_LIMITS.maxDepth + 1) tooDeep.push({ start: scanner.getTokenOffset(), end: text.length });
    } else if (kind === T_CLOSE_BRACE || kind === T_CLOSE_BRACKET) {
      if (depth === PARSE_LIMITS.maxDepth + 1) tooDeep[tooDeep.length - 1].end = scanner.getTokenOffset() + 1;
      if (depth > 0) depth--;
      if (pendingComma) trailing.push({ offset: pendingComma.offset, closer: scanner.getTokenOffset() });
    } else if (kind !== T_COMMA && kind !== T_COLON && depth <= PARSE_LIMITS.maxDepth) values++;
    pendingComma = kind === T_COMMA ? { offset: scanner.getTokenOffset() } : undefined;
  }
  if (values > PARSE_LIMITS.maxNodes) {
    findings.push(
      overBudget(file, lines, `holds more than ${PARSE_LIMITS.maxNodes.toLocaleString('en-US')} keys and values`),
    );
    return { findings, accepted, lines };
  }

  if (strictness === 'strict' && comments.length) {
    accepted = false;
    for (const c of comments) {
      const range = lines.range(c.offset, c.length);
      findings.push(
        finding(
          'MCP003',
          'error',
          `Comment in ${base}: ${clientLabel} reads this file as strict JSON, so the whole file is rejected and none of its servers start. Remove the comment (JSON has no comments), or keep commented configs in .vscode/mcp.json, which is JSONC.`,
          file,
          range,
          { fixes: [replaceFix('Remove this comment', file, range, '')] },
        ),
      );
    }
  }
  if (strictness !== 'jsonc' && trailing.length) {
    accepted = false;
    for (const t of trailing) {
      const range = lines.range(t.offset, 1);
      findings.push(
        finding(
          'MCP002',
          'error',
          `Trailing comma before '${text[t.closer]}' in ${base}: ${clientLabel} reads this file as strict JSON and ignores the whole file when it does not parse. Remove the comma.`,
          file,
          range,
          { fixes: [replaceFix('Remove trailing comma', file, range, '')] },
        ),
      );
    }
  }

  // 2. Lenient parse for the tree; remaining errors are real syntax errors for every client.
  const errors: ParseError[] = [];
  const cutAt = new Set<number>();
  let readable = text;
  if (tooDeep.length) {
    readable = maskRegions(text, tooDeep);
    for (const r of tooDeep) cutAt.add(r.start);
    findings.push(
      overBudget(
        file,
        lines,
        `nests containers more than ${PARSE_LIMITS.maxDepth} levels deep; what is below that depth is read as null`,
        tooDeep[0].start,
        'warning',
      ),
    );
  }
  const tree = parseTree(readable, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    allowEmptyContent: false,
  });
  for (const e of errors) {
    accepted = false;
    const range = lines.range(e.offset, e.length);
    if (e.error === E_INVALID_ESCAPE) {
      const raw = text.slice(e.offset, e.offset + e.length);
      const bad = [...new Set([...raw.matchAll(/\\(?!["\\/bfnrtu])./g)].map((m) => m[0]))];
      const fixed = raw.replace(/\\\\|\\(?!["])/g, (m) => (m === '\\\\' ? m : '/'));
      findings.push(
        finding(
          'MCP004',
          'error',
          `Invalid escape ${bad.map((b) => `'${b}'`).join(', ') || 'sequence'} in a JSON string: a Windows path written with single backslashes. JSON needs '\\\\' for each backslash; forward slashes (C:/Users/...) also work on Windows. No JSON parser accepts this file.`,
          file,
          range,
          {
            data: { escapes: bad },
            fixes: [
              replaceFix('Use forward slashes in this path', file, range, fixed),
              replaceFix(
                'Double the backslashes',
                file,
                range,
                raw.replace(/\\\\|\\(?!["])/g, (m) => (m === '\\\\' ? m : '\\\\')),
                false,
              ),
            ],
          },
        ),
      );
      continue;
    }
    const name = printParseErrorCode(e.error);
    findings.push(
      finding(
        'MCP001',
        'error',
        `JSON syntax error in ${base}: ${PARSE_ERROR_TEXT[name] ?? name}. ${clientLabel} cannot read the file until this is fixed; the servers shown are a best-effort recovery.`,
        file,
        range,
        { data: { error: name } },
      ),
    );
  }

  const dups: { key: string; range: Range }[] = [];
  const root = tree ? jsonNode(tree, lines, undefined, dups, cutAt) : undefined;
  for (const d of dups) {
    findings.push(
      finding(
        'MCP009',
        'warning',
        `"${d.key}" appears twice in the same object; ${clientLabel} keeps only the last one, so the earlier entry is silently ignored. Rename or remove one of them.`,
        file,
        d.range,
        { data: { key: d.key } },
      ),
    );
  }
  return { root, findings, accepted, lines };
}

/** `text` with each region blanked (newlines kept, so offsets and lines stay) and `0` at its start. */
function maskRegions(text: string, regions: readonly { start: number; end: number }[]): string {
  const parts: string[] = [];
  let from = 0;
  for (const r of regions) {
    parts.push(text.slice(from, r.start), '0', text.slice(r.start + 1, r.end).replace(/[^\r\n]/g, ' '));
    from = r.end;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/** The one finding of a file beyond `PARSE_LIMITS`. */
function overBudget(
  file: string,
  lines: LineIndex,
  what: string,
  offset = 0,
  severity: Finding['severity'] = 'error',
): Finding {
  return finding(
    OVER_BUDGET,
    severity,
    `${baseName(file)} ${what}. MCP Doctor reads config files within fixed limits so that a hostile file cannot freeze the editor; no real MCP config comes near them. ${severity === 'error' ? 'Its servers are not listed.' : 'Its servers are still listed.'}`,
    file,
    lines.range(offset, 0),
    { data: { limits: PARSE_LIMITS } },
  );
}

function jsonNode(
  node: JNode,
  lines: LineIndex,
  keyRange: Range | undefined,
  dups: { key: string; range: Range }[],
  cutAt: ReadonlySet<number>,
): PNode {
  const range = lines.range(node.offset, node.length);
  if (cutAt.has(node.offset)) return { kind: 'null', value: null, range, keyRange };
  if (node.type === 'object') {
    const props = new Map<string, PNode>();
    const value: Record<string, unknown> = {};
    for (const p of node.children ?? []) {
      const [k, v] = p.children ?? [];
      if (!k || typeof k.value !== 'string') continue;
      const kr = lines.range(k.offset, k.length);
      const child = v
        ? jsonNode(v, lines, kr, dups, cutAt)
        : { kind: 'null' as const, value: null, range: kr, keyRange: kr };
      const earlier = props.get(k.value);
      if (earlier) dups.push({ key: k.value, range: earlier.keyRange ?? earlier.range });
      props.delete(k.value); // keep source order of the surviving (last) definition
      props.set(k.value, child);
      defineValue(value, k.value, child.value);
    }
    return { kind: 'object', value, range, keyRange, props };
  }
  if (node.type === 'array') {
    const items = (node.children ?? []).map((c) => jsonNode(c, lines, undefined, dups, cutAt));
    return { kind: 'array', value: items.map((i) => i.value), range, keyRange, items };
  }
  if (node.type === 'string') {
    // jsonc-parser drops invalid escapes ("C:\Users" → "C:sers"); keep the backslashes for display.
    const raw = lines.text.slice(node.offset, node.offset + node.length);
    if (/\\(?!["\\/bfnrtu])/.test(raw)) {
      try {
        return {
          kind: 'string',
          value: JSON.parse(raw.replace(/\\\\|\\(?!["\\/bfnrtu])/g, (m) => (m.length === 2 ? m : '\\\\'))),
          range,
          keyRange,
        };
      } catch {
        /* fall through to the parser's value */
      }
    }
  }
  return { kind: kindOf(node.value), value: node.value ?? null, range, keyRange };
}

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

/** `target[key] = value`, also for `__proto__` (an assignment would set the prototype instead). */
function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

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

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/[:.]\s*$/, '');
}

export function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}
