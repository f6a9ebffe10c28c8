import { isAbsolute, relative } from 'node:path';
import type { Range } from '../model';

/** `file` relative to `baseDir` when it lies inside it, otherwise as given (for reports and CLI output). */
export function displayPath(baseDir: string | undefined, file: string): string {
  if (!baseDir) return file;
  const rel = relative(baseDir, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `line:col` of a range's start, 1-based, as editors and compilers print positions. */
export function position(range: Range): string {
  return `${range.start.line + 1}:${range.start.character + 1}`;
}
