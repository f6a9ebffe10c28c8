import type { Finding, Severity } from '../model';
import { displayPath, position } from '../util/paths';

/**
 * Plain-text report of rule findings, grouped by file (the `mcp-doctor lint` default output):
 *
 *     src/server.py
 *       18:5   error    print() writes to stdout on a stdio server ...  MCP101
 *
 *     ✖ 3 problems (1 error, 2 warnings)
 */

export interface TextReportOptions {
  /** Paths are printed relative to this folder when inside it. */
  baseDir?: string;
  /** ANSI colours (for terminals). */
  color?: boolean;
}

const COLORS: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', hint: '\x1b[90m' };
const DIM = '\x1b[90m';
const RESET = '\x1b[0m';

/** A finding as `lint --json` prints it: the 0-based LSP range plus 1-based positions. */
export type JsonFinding = Finding & { line: number; column: number; endLine: number; endColumn: number };

/**
 * Findings for JSON output: the LSP-style 0-based `range` is kept for tools, and 1-based `line`,
 * `column`, `endLine` and `endColumn` are added so JSON agrees with the text report
 * (`line:column`) and SARIF (`startLine`/`startColumn`).
 */
export function toJsonFindings(findings: Finding[]): JsonFinding[] {
  return findings.map((f) => ({
    ...f,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
  }));
}

/** Counts per severity. */
export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One-line summary: `3 problems (1 error, 2 warnings)` or `No problems found.` */
export function summaryLine(findings: Finding[], filesChecked?: number): string {
  const checked = filesChecked === undefined ? '' : ` in ${plural(filesChecked, 'file')}`;
  if (!findings.length) return `No problems found${checked}.`;
  const c = countBySeverity(findings);
  const parts = [
    c.error && plural(c.error, 'error'),
    c.warning && plural(c.warning, 'warning'),
    c.info && `${c.info} info`,
    c.hint && plural(c.hint, 'hint'),
  ].filter(Boolean);
  return `${plural(findings.length, 'problem')}${checked} (${parts.join(', ')})`;
}

/** The text report; findings should be sorted (the engine sorts them). */
export function formatText(findings: Finding[], opts: TextReportOptions = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${RESET}` : s);
  const display = (file: string) => displayPath(opts.baseDir, file);
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const out: string[] = [];
  for (const [file, list] of byFile) {
    out.push(opts.color ? `\x1b[4m${display(file)}${RESET}` : display(file));
    const width = Math.max(...list.map((f) => position(f.range).length));
    for (const f of list) {
      const pos = position(f.range).padEnd(width);
      const sev = paint(COLORS[f.severity], f.severity.padEnd(7));
      out.push(
        `  ${paint(DIM, pos)}  ${sev}  ${f.message.replace(/\s+/g, (m) => (m.includes('\n') ? ' ' : m))}  ${paint(DIM, f.code)}`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}
