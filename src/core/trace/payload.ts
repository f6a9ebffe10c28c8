import { detachedPrefix } from '../util/text';
import type { TruncatedPayload } from './types';

// What the recorder does with one message's payload: name its tool, print it, size it, and cut
// it down to an envelope and a preview when it is too large to keep.

/** Characters of a payload kept as its preview when the payload is too large to keep. */
export const PREVIEW_CHARS = 2000;

export function toolOf(m: Record<string, unknown> | null | undefined): string | undefined {
  if (!m || m.method !== 'tools/call') return undefined;
  const name = (m.params as Record<string, unknown> | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** A value as text, whatever it is (`{"toString": 1}` makes `String()` throw). */
export function textOf(v: unknown): string {
  try {
    return String(v);
  } catch {
    return safeStringify(v);
  }
}

export function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch (err) {
    return JSON.stringify({ $unserializable: String(err) });
  }
}

export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * The in-memory stand-in for an oversized message: the JSON-RPC envelope (jsonrpc, id,
 * method) is kept so pairing and display work; the payload becomes a `$truncated` marker.
 */
export function truncateMessage(msg: unknown, json: string, bytes: number): unknown {
  // Previews are copies: a slice would keep the whole payload's JSON alive (see detachedPrefix).
  const marker = (part: unknown): TruncatedPayload => ({
    $truncated: true,
    bytes,
    preview: detachedPrefix(safeStringify(part) ?? '', PREVIEW_CHARS),
  });
  if (!msg || typeof msg !== 'object' || Array.isArray(msg))
    return { $truncated: true, bytes, preview: detachedPrefix(json, PREVIEW_CHARS) };
  const m = msg as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // The envelope is kept (the id as is: pairing looks it up), a hostile peer's megabyte method cut.
  for (const k of ['jsonrpc', 'id', 'method'])
    if (k in m) out[k] = k === 'method' && typeof m[k] === 'string' ? detachedPrefix(m[k], 400) : m[k];
  for (const part of ['params', 'result', 'error']) {
    if (!(part in m)) continue;
    const v = m[part] as Record<string, unknown> | undefined;
    // Keep what pairing and status need from a tool call: the tool name and isError.
    if (part === 'params' && m.method === 'tools/call' && v && typeof v === 'object') {
      out.params = {
        name: typeof v.name === 'string' ? detachedPrefix(v.name, 400) : v.name,
        $truncated: true,
        bytes,
        preview: detachedPrefix(safeStringify(v.arguments), PREVIEW_CHARS),
      };
    } else if (part === 'result' && v && typeof v === 'object' && v.isError === true) {
      out.result = { isError: true, ...marker(v) };
    } else out[part] = marker(v);
  }
  return out;
}

/** Bytes a truncated entry holds in memory (its marker: envelope and preview), UTF-16. */
export function heldBytes(stored: unknown): number {
  return 2 * estimateJsonSize(stored);
}

/**
 * A cheap estimate of `JSON.stringify(value).length` (no string is built). Stops walking
 * once the estimate exceeds `limit` and returns what it has counted.
 */
export function estimateJsonSize(value: unknown, limit = Infinity): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= limit) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        total += v.length + 2;
        break;
      case 'number':
        total += 8;
        break;
      case 'boolean':
        total += 5;
        break;
      case 'object':
        if (v === null) total += 4;
        else if (Array.isArray(v)) {
          total += 2 + v.length;
          for (let i = 0; i < v.length; i++) stack.push(v[i]);
        } else {
          total += 2;
          for (const k in v) {
            total += k.length + 4;
            stack.push((v as Record<string, unknown>)[k]);
          }
        }
        break;
      default:
        break;
    }
  }
  return total;
}
