/**
 * Builders for quick-fix text edits on Python source: add a keyword argument, replace a node,
 * add a missing import. Every edit is computed from offsets in the original text.
 */
import type { Fix, TextEdit } from '../../model';
import { named, type PyNode } from './ast';
import type { PyFile } from './context';

export function edit(py: PyFile, start: number, end: number, newText: string): TextEdit {
  return { file: py.file, range: py.src.rangeOf(start, end), newText };
}

export function replaceNode(py: PyFile, node: PyNode, newText: string): TextEdit {
  return edit(py, node.start, node.end, newText);
}

/** Inserts `key=value` as the last argument of a call; undefined when the call is not well formed. */
export function addKeyword(py: PyFile, call: PyNode, keyword: string): TextEdit | undefined {
  const args = py.args(call);
  if (!args) return undefined;
  const text = py.src.text;
  const close = args.end - 1;
  if (text[close] !== ')') return undefined;
  const items = named(args).filter((c) => c.type !== 'comment');
  if (!items.length) return edit(py, close, close, keyword);
  const last = items[items.length - 1];
  const between = text.slice(last.end, close);
  if (between.includes(',')) {
    // Trailing comma: `f(\n    a,\n)` → put the keyword after the comma, on the same layout.
    const comma = last.end + between.indexOf(',') + 1;
    const multiline = /\n/.test(between);
    if (multiline) {
      const indent = py.src.indentAt(last.start);
      return edit(py, comma, comma, `${py.src.eol}${indent}${keyword},`);
    }
    return edit(py, comma, comma, ` ${keyword}`);
  }
  return edit(py, last.end, last.end, `, ${keyword}`);
}

/**
 * Adds `import <module>` after the last top-level import (or after the module docstring, or at
 * the top) unless the module is already imported under its own name. Returns undefined when
 * nothing is needed.
 */
export function ensureImport(py: PyFile, module: string): TextEdit | undefined {
  if (py.imports.get(module) === module) return undefined;
  return insertTopLevel(py, `import ${module}`);
}

/** Adds `from <module> import <name>` unless `name` is already bound by an import. */
export function ensureFromImport(py: PyFile, module: string, name: string): TextEdit | undefined {
  if (py.imports.has(name)) return undefined;
  return insertTopLevel(py, `from ${module} import ${name}`);
}

function insertTopLevel(py: PyFile, line: string): TextEdit {
  const eol = py.src.eol;
  const top = py.importNodes.filter((n) => n.parent?.type === 'module');
  const anchor = top.length ? top[top.length - 1] : docstringStatement(py);
  if (anchor) {
    const endLine = py.src.positionAt(anchor.end).line;
    const at = py.src.lineEnd(endLine);
    return edit(py, at, at, `${eol}${line}`);
  }
  // After a shebang / encoding comment block at the very top.
  let offset = 0;
  const text = py.src.text;
  while (offset < text.length && text[offset] === '#') {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return edit(py, text.length, text.length, `${eol}${line}${eol}`);
    offset = nl + 1;
  }
  return edit(py, offset, offset, `${line}${eol}`);
}

function docstringStatement(py: PyFile): PyNode | undefined {
  const first = named(py.root)[0];
  if (first?.type === 'expression_statement' && named(first)[0]?.type === 'string') return first;
  return undefined;
}

/** Builds a fix, dropping missing (undefined) edits; undefined when the main edit is missing. */
export function fix(
  title: string,
  main: TextEdit | undefined,
  extra: (TextEdit | undefined)[] = [],
  preferred = false,
): Fix | undefined {
  if (!main) return undefined;
  const edits = [main, ...extra.filter((e): e is TextEdit => !!e)];
  return preferred ? { title, edits, preferred } : { title, edits };
}

/** Collects defined fixes (for `RuleHit.fixes`), or undefined when there are none. */
export function fixes(...list: (Fix | undefined)[]): Fix[] | undefined {
  const out = list.filter((f): f is Fix => !!f);
  return out.length ? out : undefined;
}
