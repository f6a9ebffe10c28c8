import type { Position, Range } from '../../model';
import { LineStarts } from '../../util/lineIndex';

/** Converts offsets in one text to 0-based line/character positions (UTF-16, like VS Code). */
export class LineIndex extends LineStarts {
  range(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  offsetAt(pos: Position): number {
    const start = this.starts[Math.min(pos.line, this.starts.length - 1)] ?? 0;
    return start + pos.character;
  }

  /** Text of a line without its line break. */
  line(n: number): string {
    const start = this.starts[n];
    if (start === undefined) return '';
    const end = n + 1 < this.starts.length ? this.starts[n + 1] : this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, '');
  }

  lineStart(n: number): number {
    return this.starts[n] ?? this.text.length;
  }
}
