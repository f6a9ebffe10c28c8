/**
 * JSON-family config files (JSON, JSONC): parsed leniently with positions, each problem a
 * finding worded for what the owning client's reader rejects.
 */
import { createScanner, parseTree, printParseErrorCode, type Node as JNode, type ParseError } from 'jsonc-parser';
import type { Finding, Range } from '../model';
import { finding, replaceFix } from './findings';
import { kindOf, LineIndex, type PNode } from './pnode';
import { type ParsedText, baseName, PARSE_LIMITS, overBudget, defineValue } from './syntax';

/** What a client's JSON reader tolerates. */
export type JsonStrictness = 'jsonc' | 'comments' | 'strict';

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
