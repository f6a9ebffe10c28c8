import { createScanner, parseTree, printParseErrorCode, type Node as JNode, type ParseError } from 'jsonc-parser';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YNode } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import type { Finding, Range } from '../model';
import { finding, replaceFix } from './findings';
import { kindOf, LineIndex, plainNode, type PNode } from './pnode';

/** What a client's JSON reader tolerates. */
export type JsonStrictness = 'jsonc' | 'comments' | 'strict';

/** Result of parsing the bytes of one file, before any MCP-specific interpretation. */
export interface ParsedText {
  root?: PNode;
  findings: Finding[];
  /** False when the owning client's parser rejects the file. */
  accepted: boolean;
  lines: LineIndex;
}

// jsonc-parser's enums are `const enum`s (not usable with isolatedModules): numeric values.
const T_CLOSE_BRACE = 2;
const T_CLOSE_BRACKET = 4;
const T_COMMA = 5;
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
  for (let kind = scanner.scan(); kind !== T_EOF; kind = scanner.scan()) {
    if (kind === T_LINE_COMMENT || kind === T_BLOCK_COMMENT) {
      comments.push({ offset: scanner.getTokenOffset(), length: scanner.getTokenLength() });
      continue;
    }
    if (kind === T_LINE_BREAK || kind === T_TRIVIA) continue;
    if ((kind === T_CLOSE_BRACE || kind === T_CLOSE_BRACKET) && pendingComma) {
      trailing.push({ offset: pendingComma.offset, closer: scanner.getTokenOffset() });
    }
    pendingComma = kind === T_COMMA ? { offset: scanner.getTokenOffset() } : undefined;
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
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
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
  const root = tree ? jsonNode(tree, lines, undefined, dups) : undefined;
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

function jsonNode(
  node: JNode,
  lines: LineIndex,
  keyRange: Range | undefined,
  dups: { key: string; range: Range }[],
): PNode {
  const range = lines.range(node.offset, node.length);
  if (node.type === 'object') {
    const props = new Map<string, PNode>();
    const value: Record<string, unknown> = {};
    for (const p of node.children ?? []) {
      const [k, v] = p.children ?? [];
      if (!k || typeof k.value !== 'string') continue;
      const kr = lines.range(k.offset, k.length);
      const child = v ? jsonNode(v, lines, kr, dups) : { kind: 'null' as const, value: null, range: kr, keyRange: kr };
      const earlier = props.get(k.value);
      if (earlier) dups.push({ key: k.value, range: earlier.keyRange ?? earlier.range });
      props.delete(k.value); // keep source order of the surviving (last) definition
      props.set(k.value, child);
      value[k.value] = child.value;
    }
    return { kind: 'object', value, range, keyRange, props };
  }
  if (node.type === 'array') {
    const items = (node.children ?? []).map((c) => jsonNode(c, lines, undefined, dups));
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
  const root = doc.contents ? yamlNode(doc.contents as YNode, doc, lines, undefined, 0) : undefined;
  return { root, findings, accepted, lines };
}

function yamlNode(
  node: YNode,
  doc: Document.Parsed,
  lines: LineIndex,
  keyRange: Range | undefined,
  depth: number,
): PNode {
  const r = node.range ?? [0, 0, 0];
  const range = lines.range(r[0], r[1] - r[0]);
  if (isAlias(node)) {
    const target = depth < 20 ? node.resolve(doc) : undefined;
    return target
      ? { ...yamlNode(target as YNode, doc, lines, keyRange, depth + 1), range, keyRange }
      : { kind: 'null', value: null, range, keyRange };
  }
  if (isMap(node)) {
    const props = new Map<string, PNode>();
    const value: Record<string, unknown> = {};
    for (const pair of node.items) {
      const k = pair.key as YNode | null;
      const key = isScalar(k) ? String(k.value) : k ? String(k) : '';
      const kr = k?.range ? lines.range(k.range[0], k.range[1] - k.range[0]) : range;
      const child = pair.value
        ? yamlNode(pair.value as YNode, doc, lines, kr, depth + 1)
        : { kind: 'null' as const, value: null, range: kr, keyRange: kr };
      props.set(key, child);
      value[key] = child.value;
    }
    return { kind: 'object', value, range, keyRange, props };
  }
  if (isSeq(node)) {
    const items = node.items.map((i) =>
      i ? yamlNode(i as YNode, doc, lines, undefined, depth + 1) : { kind: 'null' as const, value: null, range },
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
  const locator = tomlLocator(text, lines);
  const root = tomlNode(data, [], locator, lines);
  return { root, findings, accepted: true, lines };
}

type TomlLocator = Map<string, { key: Range; value: Range }>;

/** Records the range of every `[header]` and `key = value` line by dotted path. */
function tomlLocator(text: string, lines: LineIndex): TomlLocator {
  const map: TomlLocator = new Map();
  const src = text.split(/\r?\n|\r/);
  let table: string[] = [];
  const keyRe = /^(\s*)((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=\s*/;
  for (let i = 0; i < src.length; i++) {
    const line = src[i];
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header) {
      table = splitDotted(header[1]);
      const start = line.indexOf('[');
      const r: Range = { start: { line: i, character: start }, end: { line: i, character: header[0].length } };
      map.set(table.join('\u0000'), { key: r, value: r });
      continue;
    }
    const m = keyRe.exec(line);
    if (!m) continue;
    const path = [...table, ...splitDotted(m[2])];
    const keyStart = m[1].length;
    const key: Range = { start: { line: i, character: keyStart }, end: { line: i, character: keyStart + m[2].length } };
    const valueStart = m[0].length;
    const rest = line
      .slice(valueStart)
      .replace(/\s+#[^"']*$/, '')
      .trimEnd();
    const value: Range = {
      start: { line: i, character: valueStart },
      end: { line: i, character: valueStart + rest.length },
    };
    map.set(path.join('\u0000'), { key, value });
    // Inline table on the same line: `env = { A = "x", B = "y" }`.
    if (rest.startsWith('{')) {
      for (const im of rest.matchAll(/([A-Za-z0-9_-]+|"[^"]*")\s*=/g)) {
        const c = valueStart + (im.index ?? 0);
        const k = unquote(im[1]);
        const kr: Range = { start: { line: i, character: c }, end: { line: i, character: c + im[1].length } };
        map.set([...path, k].join('\u0000'), { key: kr, value: kr });
      }
    }
  }
  void lines;
  return map;
}

function tomlNode(value: unknown, path: string[], loc: TomlLocator, lines: LineIndex): PNode {
  const here = loc.get(path.join('\u0000'));
  const fallback = nearest(path, loc) ?? lines.range(0, 0);
  const range = here?.value ?? fallback;
  const keyRange = here?.key ?? (path.length ? fallback : undefined);
  if (Array.isArray(value)) {
    return { kind: 'array', value, range, keyRange, items: value.map((v) => plainNode(v, range)) };
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const props = new Map<string, PNode>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      props.set(k, tomlNode(v, [...path, k], loc, lines));
    return { kind: 'object', value, range, keyRange, props };
  }
  return { kind: kindOf(value), value: value instanceof Date ? value.toISOString() : value, range, keyRange };
}

function nearest(path: string[], loc: TomlLocator): Range | undefined {
  for (let n = path.length - 1; n > 0; n--) {
    const hit = loc.get(path.slice(0, n).join('\u0000'));
    if (hit) return hit.key;
  }
  return undefined;
}

function splitDotted(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|'([^']*)'|([^.\s]+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function unquote(s: string): string {
  return s.startsWith('"') ? s.slice(1, -1) : s;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/[:.]\s*$/, '');
}

export function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}
