/**
 * Plain data shared by every part of the core. Positions are zero-based (line and UTF-16
 * character), the same convention as VS Code, so adapters convert without arithmetic.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A text replacement in one file; the unit of every quick fix. */
export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  /** Shown in the light bulb menu, e.g. "Write to stderr instead". */
  title: string;
  edits: TextEdit[];
  /** The fix most users want; VS Code marks it preferred (Ctrl+. applies it). */
  preferred?: boolean;
}

/** Where a finding came from; adapters keep one diagnostic collection per origin. */
type FindingOrigin = 'config' | 'rules' | 'runtime';

/**
 * One problem, anywhere: a config file, server source, or a running server.
 * `code` is stable and documented (e.g. `MCP015`, `MCP101`).
 */
export interface Finding {
  code: string;
  severity: Severity;
  /** What is wrong, why it breaks, and how to fix it, in a sentence or three. */
  message: string;
  /** Absolute path of the file the finding is about. */
  file: string;
  range: Range;
  origin: FindingOrigin;
  /** Name of the server the finding is about, when there is one. */
  server?: string;
  /** Other places that matter (the duplicate definition, the config entry...). */
  related?: { file: string; range: Range; message: string }[];
  fixes?: Fix[];
  /** Structured details for tests and JSON output (keys, values, suggestions). */
  data?: Record<string, unknown>;
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function rangeAt(line: number, character: number, endCharacter = character): Range {
  return { start: { line, character }, end: { line, character: endCharacter } };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.code.localeCompare(b.code)
  );
}
