/**
 * A plain-JavaScript copy of the tree-sitter tree. Every property access on a web-tree-sitter
 * `Node` crosses into wasm, so the tree is copied once with a cursor (a handful of calls per node)
 * and all rules then walk ordinary objects. Offsets are UTF-16 code units, like JS strings.
 */
import type { Language, Tree } from 'web-tree-sitter';
import type { Position, Range } from '../../model';

/** One syntax node. Anonymous tokens (`async`, `+=`, `(`) are kept, with `named: false`. */
export interface PyNode {
  type: string;
  named: boolean;
  /** Field name in the parent (`name`, `body`, `function`...), or null. */
  field: string | null;
  start: number;
  end: number;
  parent: PyNode | null;
  children: PyNode[];
}

interface TypeInfo {
  type: string;
  named: boolean;
}

/**
 * Node types that have named fields in tree-sitter-python 0.25 (`src/node-types.json`). Children
 * of other nodes never carry a field name, so the copy skips that wasm call for them.
 */
const FIELD_PARENTS = new Set([
  'aliased_import',
  'as_pattern',
  'assignment',
  'attribute',
  'augmented_assignment',
  'binary_operator',
  'block',
  'boolean_operator',
  'call',
  'case_clause',
  'class_definition',
  'comparison_operator',
  'decorated_definition',
  'default_parameter',
  'dict_pattern',
  'dictionary_comprehension',
  'elif_clause',
  'else_clause',
  'except_clause',
  'exec_statement',
  'for_in_clause',
  'for_statement',
  'format_expression',
  'function_definition',
  'future_import_statement',
  'generator_expression',
  'if_statement',
  'import_from_statement',
  'import_statement',
  'interpolation',
  'keyword_argument',
  'lambda',
  'list_comprehension',
  'match_statement',
  'named_expression',
  'not_operator',
  'pair',
  'print_statement',
  'raise_statement',
  'set_comprehension',
  'subscript',
  'try_statement',
  'type_alias_statement',
  'typed_default_parameter',
  'typed_parameter',
  'unary_operator',
  'while_statement',
  'with_item',
  'with_statement',
]);

/** Named node types that are always leaves: the copy does not ask the cursor for their children. */
const LEAVES = new Set([
  'identifier',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'comment',
  'string_start',
  'string_end',
  'escape_sequence',
  'ellipsis',
  'type_conversion',
  'line_continuation',
]);

/**
 * Direct access to web-tree-sitter's wasm exports (set by the loader when the runtime exposes
 * them). The public `TreeCursor` re-writes its state into the transfer buffer before every
 * property read and reads it back after every move; the wasm side already keeps the current
 * cursor in that buffer between calls, so the copy below calls the exports directly: about
 * five wasm calls per node and no marshalling. Checked node-for-node against the Node API in
 * the tests; `copyTreeViaCursor` is the fallback.
 */
interface RawTreeSitter {
  /** The emscripten module (its `_ts_*` exports and `HEAP32`). */
  module: {
    HEAP32: Int32Array;
    _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
    _ts_tree_cursor_current_field_id_wasm(tree: number): number;
    _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
    _ts_tree_cursor_start_index_wasm(tree: number): number;
    _ts_tree_cursor_end_index_wasm(tree: number): number;
    _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
    _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
    _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  };
  /** Address of the transfer buffer (`_ts_init()`). */
  transferBuffer: number;
}

const RAW_EXPORTS = [
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_current_node_is_named_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
] as const;

let raw: RawTreeSitter | undefined;

/** Enables the direct copy when `module` has every export it needs (else keeps the cursor copy). */
export function setRawTreeSitter(module: unknown, transferBuffer: unknown): boolean {
  const m = module as Record<string, unknown> | undefined;
  const ok =
    !!m &&
    typeof transferBuffer === 'number' &&
    transferBuffer > 0 &&
    m.HEAP32 instanceof Int32Array &&
    RAW_EXPORTS.every((k) => typeof m[k] === 'function');
  raw = ok ? { module: m as unknown as RawTreeSitter['module'], transferBuffer: transferBuffer as number } : undefined;
  return ok;
}

/** Whether `copyTree` uses the direct wasm calls. */
export function rawCopyEnabled(): boolean {
  return raw !== undefined;
}

/** Copies the tree-sitter tree into `PyNode`s with one cursor walk. */
export function copyTree(tree: Tree, language: Language): PyNode {
  return raw ? copyTreeRaw(tree, language, raw) : copyTreeViaCursor(tree, language);
}

/** Per-language caches of type names, named-ness and field names by id. */
interface IdTables {
  types: (TypeInfo | undefined)[];
  fields: (string | null | undefined)[];
}
const tables = new WeakMap<Language, IdTables>();
function tablesFor(language: Language): IdTables {
  let t = tables.get(language);
  if (!t) tables.set(language, (t = { types: [], fields: [] }));
  return t;
}

/** The field name of a field id (0: none), cached in `fields`. */
function fieldName(language: Language, fields: IdTables['fields'], fid: number): string | null {
  if (!fid) return null;
  let name = fields[fid];
  if (name === undefined) fields[fid] = name = language.fieldNameForId(fid);
  return name;
}

/**
 * Shared `children` of tokens and named leaves, which never get children: about half the nodes,
 * so the copy allocates half the arrays. Never mutated (only the copy pushes, into its own arrays).
 */
const NO_CHILDREN: PyNode[] = [];

function copyTreeRaw(tree: Tree, language: Language, rt: RawTreeSitter): PyNode {
  const { types, fields } = tablesFor(language);
  const m = rt.module;
  const cursor = tree.walk(); // leaves the new cursor in the transfer buffer
  const t = (tree as unknown as Record<number, number>)[0];
  const make = (parent: PyNode | null): PyNode => {
    const id = m._ts_tree_cursor_current_node_type_id_wasm(t);
    let info = types[id];
    if (!info) {
      // Same values as TreeCursor.nodeType / nodeIsNamed.
      info = { type: language.types[id] || 'ERROR', named: m._ts_tree_cursor_current_node_is_named_wasm(t) === 1 };
      types[id] = info;
    }
    if (!info.named)
      return { type: info.type, named: false, field: null, start: -1, end: -1, parent, children: NO_CHILDREN };
    const field = fieldName(
      language,
      fields,
      parent && FIELD_PARENTS.has(parent.type) ? m._ts_tree_cursor_current_field_id_wasm(t) : 0,
    );
    const children = parent && LEAVES.has(info.type) ? NO_CHILDREN : [];
    return {
      type: info.type,
      named: true,
      field,
      start: m._ts_tree_cursor_start_index_wasm(t),
      end: m._ts_tree_cursor_end_index_wasm(t),
      parent,
      children,
    };
  };
  try {
    const root = make(null);
    if (!m._ts_tree_cursor_goto_first_child_wasm(t)) return root;
    let parent: PyNode = root;
    for (;;) {
      const node = make(parent);
      parent.children.push(node);
      if (node.named && !LEAVES.has(node.type) && m._ts_tree_cursor_goto_first_child_wasm(t)) {
        parent = node;
        continue;
      }
      while (!m._ts_tree_cursor_goto_next_sibling_wasm(t)) {
        if (!m._ts_tree_cursor_goto_parent_wasm(t) || !parent.parent) return root;
        parent = parent.parent;
      }
    }
  } finally {
    // The moves may have reallocated the cursor's stack: take its state back from the transfer
    // buffer so that delete() frees the right memory (HEAP32 is re-read: memory may have grown).
    const heap = m.HEAP32;
    const at = rt.transferBuffer >> 2;
    const c = cursor as unknown as Record<number, number>;
    for (let i = 0; i < 4; i++) c[i] = heap[at + i];
    cursor.delete();
  }
}

/** The same copy through the public `TreeCursor` API (slower: it marshals on every call). */
export function copyTreeViaCursor(tree: Tree, language: Language): PyNode {
  const { types, fields } = tablesFor(language);
  const cursor = tree.walk();
  try {
    const make = (parent: PyNode | null): PyNode => {
      const id = cursor.nodeTypeId;
      let info = types[id];
      if (!info) {
        info = { type: cursor.nodeType, named: cursor.nodeIsNamed };
        types[id] = info;
      }
      // Anonymous tokens (keywords, operators, punctuation): their text is their type, so skip
      // the position and field calls, which dominate the copy time.
      if (!info.named) return { type: info.type, named: false, field: null, start: -1, end: -1, parent, children: [] };
      const field = fieldName(language, fields, parent && FIELD_PARENTS.has(parent.type) ? cursor.currentFieldId : 0);
      return {
        type: info.type,
        named: info.named,
        field,
        start: cursor.startIndex,
        end: cursor.endIndex,
        parent,
        children: [],
      };
    };
    const root = make(null);
    if (!cursor.gotoFirstChild()) return root;
    let parent: PyNode | null = root;
    for (;;) {
      const node = make(parent);
      parent!.children.push(node);
      // Tokens (anonymous nodes) and named leaves have no children: skip that wasm round trip.
      if (node.named && !LEAVES.has(node.type) && cursor.gotoFirstChild()) {
        parent = node;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        parent = parent!.parent;
        if (!parent) return root;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** First child with the given field name. */
export function field(node: PyNode | null | undefined, name: string): PyNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.field === name) return c;
  return undefined;
}

/** Named children only (skips punctuation and keywords). */
export function named(node: PyNode | null | undefined): PyNode[] {
  return node ? node.children.filter((c) => c.named && c.type !== 'comment') : [];
}

/** Depth-first pre-order visit; return `false` from `fn` to skip a node's children. */
export function walk(node: PyNode, fn: (n: PyNode) => boolean | void): void {
  const stack: PyNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (fn(n) === false) continue;
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
}

/** Source text plus line table: turns offsets into 0-based line/character positions. */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.lineStarts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.lineStarts.push(i + 1);
    }
  }

  of(node: PyNode): string {
    return this.text.slice(node.start, node.end);
  }

  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo] };
  }

  range(node: PyNode): Range {
    return { start: this.positionAt(node.start), end: this.positionAt(node.end) };
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Range of the node's first line only (long calls/definitions underline just their head). */
  headRange(node: PyNode): Range {
    const start = this.positionAt(node.start);
    const end = this.positionAt(node.end);
    if (end.line === start.line) return { start, end };
    return { start, end: { line: start.line, character: this.lineEnd(start.line) - this.lineStarts[start.line] } };
  }

  /** Offset just past the last non-newline character of a line. */
  lineEnd(line: number): number {
    let end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    while (end > this.lineStarts[line] && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return end;
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.min(line, this.lineStarts.length - 1)];
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Leading whitespace of the line containing `offset`. */
  indentAt(offset: number): string {
    const ls = this.lineStarts[this.positionAt(offset).line];
    let i = ls;
    while (i < this.text.length && (this.text[i] === ' ' || this.text[i] === '\t')) i++;
    return this.text.slice(ls, i);
  }

  /** The newline sequence the file uses. */
  get eol(): string {
    return this.text.includes('\r\n') ? '\r\n' : '\n';
  }
}
