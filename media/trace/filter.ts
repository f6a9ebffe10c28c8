/**
 * The trace view's data model and filters, free of DOM code so they are unit-tested (and
 * benchmarked on 100k entries) in Node. Search keys are lowercased once when an entry
 * arrives, so a text search is a plain `includes` per entry.
 */
import type { DisplayEntry, TraceFilterState } from '../../src/shared/protocol';

/** The lowercase text a search matches against: label, method, tool, status, error code, preview. */
export function searchKeyOf(e: DisplayEntry): string {
  let k = e.label;
  if (e.method && e.method !== e.label) k += ` ${e.method}`;
  if (e.tool) k += ` ${e.tool}`;
  if (e.status !== 'none' && e.status !== 'ok') k += ` ${e.status}`;
  if (e.errorCode !== undefined) k += ` ${e.errorCode}`;
  if (e.preview) k += ` ${e.preview}`;
  return k.toLowerCase();
}

/** Errors for "errors only": JSON-RPC errors, isError results, cancelled requests, stderr, stdout noise. */
function isErrorEntry(e: DisplayEntry): boolean {
  return (
    e.status === 'error' ||
    e.status === 'tool-error' ||
    e.status === 'cancelled' ||
    e.kind === 'stderr' ||
    e.kind === 'stdout-noise'
  );
}

/** All entries the view knows, in arrival order, with their search keys. */
export class EntryModel {
  entries: DisplayEntry[] = [];
  keys: string[] = [];
  /** sx → seq → index (small integer keys: much faster than one map of composite keys). */
  private index = new Map<number, Map<number, number>>();

  private slot(sx: number): Map<number, number> {
    let m = this.index.get(sx);
    if (!m) this.index.set(sx, (m = new Map()));
    return m;
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
    this.keys = [];
    this.index.clear();
  }

  /** Appends new rows; returns the index of the first one. */
  add(rows: readonly DisplayEntry[]): number {
    const first = this.entries.length;
    for (const e of rows) {
      const slot = this.slot(e.sx);
      const at = slot.get(e.seq);
      if (at !== undefined) {
        // Re-sent (snapshot overlap): replace in place.
        this.entries[at] = e;
        this.keys[at] = searchKeyOf(e);
        continue;
      }
      slot.set(e.seq, this.entries.length);
      this.entries.push(e);
      this.keys.push(searchKeyOf(e));
    }
    return first;
  }

  /** Replaces rows that changed (status, latency, pair); returns the indexes touched. */
  update(rows: readonly DisplayEntry[]): number[] {
    const touched: number[] = [];
    for (const e of rows) {
      const at = this.index.get(e.sx)?.get(e.seq);
      if (at === undefined) continue;
      this.entries[at] = e;
      this.keys[at] = searchKeyOf(e);
      touched.push(at);
    }
    return touched;
  }

  /** Index of an entry, or -1. */
  indexOf(sx: number, seq: number): number {
    return this.index.get(sx)?.get(seq) ?? -1;
  }

  get(sx: number, seq: number): DisplayEntry | undefined {
    const i = this.indexOf(sx, seq);
    return i < 0 ? undefined : this.entries[i];
  }

  /**
   * Drops rows the host no longer has (per session, seq below `oldest`, or whole sessions
   * when `oldest` is Infinity). Returns true when anything was dropped.
   */
  dropBefore(oldest: Record<number, number>): boolean {
    let dropped = false;
    const keepE: DisplayEntry[] = [];
    const keepK: string[] = [];
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      const min = oldest[e.sx];
      if (min !== undefined && e.seq < min) {
        dropped = true;
        continue;
      }
      keepE.push(e);
      keepK.push(this.keys[i]);
    }
    if (!dropped) return false;
    this.entries = keepE;
    this.keys = keepK;
    this.index.clear();
    for (let i = 0; i < keepE.length; i++) this.slot(keepE[i].sx).set(keepE[i].seq, i);
    return true;
  }
}

/** A filter compiled to a predicate over model indexes. */
export type EntryPredicate = (e: DisplayEntry, key: string) => boolean;

/**
 * Compiles a filter. `serverOf(sx)` gives a session's server id (for the server filter).
 * Returns undefined when the filter lets everything through.
 */
export function compileFilter(
  f: TraceFilterState,
  serverOf: (sx: number) => string | undefined,
): EntryPredicate | undefined {
  const text = (f.text ?? '').trim().toLowerCase();
  const { serverId, sx, method, tool, errorsOnly, hideOutput } = f;
  if (!serverId && sx === undefined && !method && !tool && !errorsOnly && !hideOutput && !text) return undefined;
  // Server ids per session are looked up once per session, not per entry.
  const serverMatch = new Map<number, boolean>();
  return (e, key) => {
    if (sx !== undefined && e.sx !== sx) return false;
    if (serverId) {
      let ok = serverMatch.get(e.sx);
      if (ok === undefined) serverMatch.set(e.sx, (ok = serverOf(e.sx) === serverId));
      if (!ok) return false;
    }
    if (hideOutput && e.kind !== 'message') return false;
    if (method && e.method !== method) return false;
    if (tool && e.tool !== tool) return false;
    if (errorsOnly && !isErrorEntry(e)) return false;
    if (text && !key.includes(text)) return false;
    return true;
  };
}

/** Indexes (into `model.entries`) of the entries that pass the filter, in order. */
export function filterEntries(
  model: Pick<EntryModel, 'entries' | 'keys'>,
  f: TraceFilterState,
  serverOf: (sx: number) => string | undefined,
): Uint32Array {
  const n = model.entries.length;
  const pred = compileFilter(f, serverOf);
  if (!pred) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const out = new Uint32Array(n);
  let m = 0;
  const { entries, keys } = model;
  for (let i = 0; i < n; i++) if (pred(entries[i], keys[i])) out[m++] = i;
  return out.slice(0, m);
}

/** Distinct methods and tools (for the filter drop-downs), sorted. */
export function facets(entries: readonly DisplayEntry[]): { methods: string[]; tools: string[] } {
  const methods = new Set<string>();
  const tools = new Set<string>();
  for (const e of entries) {
    if (e.method) methods.add(e.method);
    if (e.tool) tools.add(e.tool);
  }
  return { methods: [...methods].sort(), tools: [...tools].sort() };
}

/** `12.3 ms`, `1.20 s`, `850 µs`. */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** `512 B`, `3.4 KB`, `1.2 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** `HH:MM:SS.mmm` local time. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** JSON token classes for syntax colouring. */
export type JsonTokenClass = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'ws';

/**
 * Splits pretty-printed JSON into coloured tokens (the view turns each into a span with
 * `textContent`, never HTML). Works on cut JSON too: an unterminated string is one token.
 */
export function tokenizeJson(text: string): [JsonTokenClass, string][] {
  const out: [JsonTokenClass, string][] = [];
  const re =
    /("(?:[^"\\]|\\.)*"?)(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:])|(\s+)|([^\s"{}[\],:]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[1] !== undefined) {
      out.push([m[2] ? 'key' : 'string', m[1]]);
      if (m[2]) out.push(['punct', m[2]]);
    } else if (m[3] !== undefined) out.push(['number', m[3]]);
    else if (m[4] !== undefined) out.push(['literal', m[4]]);
    else if (m[5] !== undefined) out.push(['punct', m[5]]);
    else if (m[6] !== undefined) out.push(['ws', m[6]]);
    else out.push(['literal', m[7]]);
  }
  return out;
}
