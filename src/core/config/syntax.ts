/**
 * What the JSON, YAML and TOML readers of config files share: the limits that keep a hostile file
 * cheap to read, the finding for a file beyond them, and the shape of a parsed file.
 */
import type { Finding } from '../model';
import { finding } from './findings';
import type { LineIndex, PNode } from './pnode';

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

/** The one finding of a file beyond `PARSE_LIMITS`. */
export function overBudget(
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

/** `target[key] = value`, also for `__proto__` (an assignment would set the prototype instead). */
export function defineValue(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function firstLine(s: string): string {
  return s.split('\n')[0].replace(/[:.]\s*$/, '');
}

export function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}
