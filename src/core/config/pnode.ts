import { LineStarts } from '../util/lineIndex';
import type { Range } from '../model';

/**
 * A parsed value with its source range, independent of the file syntax (JSON, YAML, TOML),
 * so validation can point at the exact key or value whatever the format.
 */
export interface PNode {
  kind: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  /** Plain JavaScript value of the node (objects and arrays rebuilt recursively). */
  value: unknown;
  /** Range of the value. */
  range: Range;
  /** Range of the property key that holds this value, when it is a property value. */
  keyRange?: Range;
  /** Properties in source order (objects only); later duplicates replace earlier ones. */
  props?: Map<string, PNode>;
  /** Items (arrays only). */
  items?: PNode[];
}

/** Maps UTF-16 offsets of a text to zero-based line/character positions. */
export class LineIndex extends LineStarts {
  position(offset: number): { line: number; character: number } {
    return this.positionAt(offset);
  }

  range(offset: number, length: number): Range {
    return { start: this.position(offset), end: this.position(offset + Math.max(0, length)) };
  }

  /** Offset of the start of a zero-based line (clamped). */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
}

/** Property of an object node, or undefined. */
export function prop(node: PNode | undefined, key: string): PNode | undefined {
  return node?.props?.get(key);
}

/** Builds a PNode from a plain value, giving every descendant the same range (TOML fallback). */
export function plainNode(value: unknown, range: Range, keyRange?: Range): PNode {
  if (Array.isArray(value)) {
    return { kind: 'array', value, range, keyRange, items: value.map((v) => plainNode(v, range)) };
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const props = new Map<string, PNode>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) props.set(k, plainNode(v, range, range));
    return { kind: 'object', value, range, keyRange, props };
  }
  return { kind: kindOf(value), value: value instanceof Date ? value.toISOString() : value, range, keyRange };
}

export function kindOf(value: unknown): PNode['kind'] {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'object';
  }
}

/** Short human description of a node's type for messages ("a string", "a number"...). */
export function describeKind(node: PNode): string {
  switch (node.kind) {
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'null':
      return 'null';
    case 'string':
      return `the string ${JSON.stringify(truncate(String(node.value), 60))}`;
    default:
      return `the ${node.kind} ${String(node.value)}`;
  }
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
