import { Emitter, type Event } from '../util/event';
import { detachedPrefix } from '../util/text';
import {
  byteLength,
  estimateJsonSize,
  heldBytes,
  PREVIEW_CHARS,
  safeStringify,
  textOf,
  toolOf,
  truncateMessage,
} from './payload';
import { ToolStatsAccumulator } from './stats';
import type {
  MessageShape,
  TraceDirection,
  TraceEntry,
  TraceEntryKind,
  TraceFileLine,
  TraceSink,
  TraceStatus,
  TraceToolStats,
} from './types';

/** Options of one session's recorder. */
export interface RecorderOptions {
  serverId: string;
  serverName: string;
  /** Entries kept in memory (oldest dropped first). Default 100,000. */
  maxMessages?: number;
  /** Bytes of payload kept in memory (oldest dropped first). Default 64 MiB. */
  maxBytes?: number;
  /** Payloads above this are replaced in memory by a `$truncated` marker. Default 1 MB. */
  maxPayloadBytes?: number;
  /**
   * Called synchronously for every recorded entry with the whole message (before truncation),
   * e.g. to persist it. `json` is the message's JSON when the recorder already had to build it.
   */
  tap?: (line: RecordedLine) => void;
  /**
   * Literal secret values of this session (env and header secrets, prompted inputs). Entries are
   * kept as received; whatever shows or exports them masks these (`display.ts`, `exportTrace`).
   */
  secrets?: readonly string[];
}

/** What `tap` receives: the entry as written to a trace file. */
export interface RecordedLine extends TraceFileLine {
  json?: string;
}

/** Fired at most once per event-loop turn with everything that changed since the last one. */
export interface TraceAppendEvent {
  /** First and last seq appended in this batch (`last < first` when none). */
  first: number;
  last: number;
  /** Older entries whose status/latency/pair changed (requests that got their response). */
  updated: number[];
  /** Tools whose statistics changed. */
  tools: string[];
  /** Seq of the oldest entry still in memory. */
  oldest: number;
}

const KINDS: TraceEntryKind[] = ['message', 'stderr', 'stdout-noise', 'lifecycle', 'http', 'auth'];
const SHAPES: (MessageShape | undefined)[] = [undefined, 'request', 'notification', 'response', 'error', 'invalid'];
const STATUSES: TraceStatus[] = ['none', 'pending', 'ok', 'error', 'tool-error', 'cancelled'];
const ST = { none: 0, pending: 1, ok: 2, error: 3, toolError: 4, cancelled: 5 } as const;

/** Bits of the `flags` byte. */
const F_IN = 1;
const F_TRUNC = 2;
/** Interned-string index meaning "too many distinct strings: derive from the message". */
const INTERN_FULL = 0xffff;

/**
 * Records one session's traffic (a `TraceSink`). The ring keeps per-entry fields in typed
 * arrays and messages by reference, so recording costs a few hundred nanoseconds and no
 * serialization; `TraceEntry` objects are only built when someone reads them.
 */
export class TraceRecorder implements TraceSink {
  readonly serverId: string;
  readonly serverName: string;
  /** Secret values to mask in everything shown or exported from this recorder, longest first. */
  readonly secrets: readonly string[];
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly maxPayloadBytes: number;
  /** Epoch ms of the first entry (or of construction). */
  startTs = Date.now();

  private cap: number;
  private head = 0; // ring position of the oldest entry
  private count = 0;
  private firstSeq = 1;
  private nextSeq = 1;
  private memBytes = 0;

  private tsA: Float64Array;
  private flagsA: Uint8Array; // F_IN | F_TRUNC
  private kindA: Uint8Array; // kind index << 4 | shape index
  private statusA: Uint8Array;
  private sizeA: Float64Array;
  private pairA: Int32Array;
  private parentA: Int32Array;
  private latencyA: Float32Array;
  private methodA: Uint16Array;
  private toolA: Uint16Array;
  private codeA: Int32Array;
  /** 2026-07-28 input requests: the `input_required` result ↔ the retried request that answers it. */
  private inputA: Int32Array;
  private inputLatA: Float32Array;
  private msgs: unknown[];

  private readonly strings: string[] = [''];
  private readonly stringIds = new Map<string, number>();

  /** `${requestDir}${id type}${id}` → seq of the request waiting for its response. */
  private readonly pending = new PendingRequests();
  /** Client→server requests still in flight, oldest first (for linking logs and stderr). */
  private readonly inflight = new Set<number>();
  private readonly progressTokens = new Map<string | number, number>();
  /** `method \0 tool` of a request answered `input_required` → seq of that result, until the retry. */
  private readonly awaitingInput = new Map<string, number>();
  private readonly stats = new Map<string, ToolStatsAccumulator>();

  private batchFirst = 0;
  private readonly batchUpdated = new Set<number>();
  private readonly batchTools = new Set<string>();
  private batchScheduled = false;
  private disposed = false;

  private readonly _onDidAppend = new Emitter<TraceAppendEvent>();
  /** Batched per event-loop turn; the UI subscribes here. */
  readonly onDidAppend: Event<TraceAppendEvent> = this._onDidAppend.event;

  private readonly tap?: (line: RecordedLine) => void;

  constructor(opts: RecorderOptions) {
    this.serverId = opts.serverId;
    this.serverName = opts.serverName;
    this.secrets = [...(opts.secrets ?? [])].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length);
    this.maxMessages = Math.max(1, Math.floor(opts.maxMessages ?? 100_000));
    this.maxBytes = Math.max(1024, opts.maxBytes ?? 64 * 1024 * 1024);
    this.maxPayloadBytes = Math.max(256, opts.maxPayloadBytes ?? 1_000_000);
    this.tap = opts.tap;
    this.cap = Math.min(1024, this.maxMessages);
    this.tsA = new Float64Array(this.cap);
    this.flagsA = new Uint8Array(this.cap);
    this.kindA = new Uint8Array(this.cap);
    this.statusA = new Uint8Array(this.cap);
    this.sizeA = new Float64Array(this.cap);
    this.pairA = new Int32Array(this.cap);
    this.parentA = new Int32Array(this.cap);
    this.latencyA = new Float32Array(this.cap);
    this.methodA = new Uint16Array(this.cap);
    this.toolA = new Uint16Array(this.cap);
    this.codeA = new Int32Array(this.cap);
    this.inputA = new Int32Array(this.cap);
    this.inputLatA = new Float32Array(this.cap);
    this.msgs = new Array(this.cap).fill(undefined);
  }

  // ---- TraceSink ------------------------------------------------------------------------

  message(dir: TraceDirection, msg: unknown, ts: number, size?: number): void {
    this.record('message', dir, msg, ts, size);
  }
  stderr(line: string, ts: number): void {
    this.record('stderr', 'in', line, ts);
  }
  stdoutNoise(line: string, ts: number): void {
    this.record('stdout-noise', 'in', line, ts);
  }
  lifecycle(text: string, ts: number): void {
    this.record('lifecycle', 'in', text, ts);
  }
  http(text: string, ts: number): void {
    this.record('http', 'out', text, ts);
  }
  auth(text: string, ts: number): void {
    this.record('auth', 'out', text, ts);
  }

  /**
   * Records one entry and returns its seq. Never throws: a message that is not JSON-RPC is
   * kept with shape `invalid`.
   */
  record(kind: TraceEntryKind, dir: TraceDirection, msg: unknown, ts: number, size?: number): number {
    if (this.disposed) return 0;
    const seq = this.nextSeq++;
    let json: string | undefined;
    let stored = msg;
    let truncated = false;
    if (kind === 'message') {
      if (size === undefined) size = estimateJsonSize(msg, this.maxPayloadBytes + 1);
      if (size > this.maxPayloadBytes) {
        json = safeStringify(msg);
        size = byteLength(json);
        if (size > this.maxPayloadBytes) {
          stored = truncateMessage(msg, json, size);
          truncated = true;
        }
      }
    } else {
      // Output lines are kept as text; a value from an imported file may be any JSON.
      const text = typeof msg === 'string' ? msg : textOf(msg);
      stored = text;
      if (size === undefined) size = text.length;
      if (text.length > this.maxPayloadBytes) {
        stored = detachedPrefix(text, PREVIEW_CHARS, `… [truncated, ${text.length} characters]`);
        truncated = true;
      }
    }
    if (seq === 1) this.startTs = ts;
    try {
      this.tap?.({ seq, ts, dir, kind, size, msg, json });
    } catch {
      // Persistence problems must never disturb the session.
    }

    if (this.count === this.cap && this.cap < this.maxMessages) this.grow();
    // A truncated entry holds its marker only: it is charged what the marker holds.
    const mem = truncated ? heldBytes(stored) : size;
    while (this.count > 0 && (this.count >= this.maxMessages || this.memBytes + mem > this.maxBytes))
      this.evictOldest();

    const p = (this.head + this.count) % this.cap;
    this.count++;
    this.memBytes += mem;
    this.tsA[p] = ts;
    this.flagsA[p] = (dir === 'in' ? F_IN : 0) | (truncated ? F_TRUNC : 0);
    this.sizeA[p] = size;
    this.pairA[p] = 0;
    this.parentA[p] = 0;
    this.latencyA[p] = NaN;
    this.methodA[p] = 0;
    this.toolA[p] = 0;
    this.codeA[p] = 0;
    this.inputA[p] = 0;
    this.inputLatA[p] = NaN;
    this.statusA[p] = ST.none;
    this.msgs[p] = stored;
    let shape = 0;
    if (kind === 'message') shape = this.classify(seq, p, dir, msg);
    else if (kind === 'stderr' || kind === 'http') this.parentA[p] = this.lastInflight();
    this.kindA[p] = (KINDS.indexOf(kind) << 4) | shape;

    if (this.batchFirst === 0) this.batchFirst = seq;
    this.scheduleBatch();
    return seq;
  }

  // ---- reading --------------------------------------------------------------------------

  /** Number of entries in memory. */
  get length(): number {
    return this.count;
  }
  /** Seq of the oldest entry in memory (greater than `lastSeq` when empty). */
  get oldestSeq(): number {
    return this.firstSeq;
  }
  /** Seq of the newest entry (0 before the first). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }
  /** Bytes currently charged against `maxBytes`. */
  get memoryBytes(): number {
    return this.memBytes;
  }

  /** The entry with this seq, or undefined when it was dropped (or never existed). */
  get(seq: number): TraceEntry | undefined {
    const p = this.pos(seq);
    if (p < 0) return undefined;
    const k = this.kindA[p];
    const kind = KINDS[k >> 4];
    const msg = this.msgs[p];
    const e: TraceEntry = {
      seq,
      ts: this.tsA[p],
      dir: this.flagsA[p] & F_IN ? 'in' : 'out',
      kind,
      msg,
      size: this.sizeA[p],
      status: STATUSES[this.statusA[p]],
    };
    if (kind !== 'message') {
      if (this.parentA[p]) e.parent = this.parentA[p];
      if (this.flagsA[p] & F_TRUNC) e.truncated = true;
      return e;
    }
    e.shape = SHAPES[k & 15];
    const m = msg as Record<string, unknown> | null;
    if (m && typeof m === 'object' && (typeof m.id === 'string' || typeof m.id === 'number')) e.id = m.id;
    const method = this.str(this.methodA[p], () => (typeof m?.method === 'string' ? m.method : undefined));
    if (method) e.method = method;
    const tool = this.str(this.toolA[p], () => toolOf(m));
    if (tool) e.tool = tool;
    if (e.status === 'error') e.errorCode = this.codeA[p];
    if (this.pairA[p]) e.pair = this.pairA[p];
    if (!Number.isNaN(this.latencyA[p])) e.latencyMs = this.latencyA[p];
    if (this.parentA[p]) e.parent = this.parentA[p];
    if (this.inputA[p]) {
      e.input = this.inputA[p];
      e.inputLatencyMs = this.inputLatA[p];
    }
    if (this.flagsA[p] & F_TRUNC) e.truncated = true;
    return e;
  }

  /** Entries in seq order, from `from` (default: the oldest) to `to` (default: the newest). */
  *entries(from = this.firstSeq, to = this.lastSeq): IterableIterator<TraceEntry> {
    for (let s = Math.max(from, this.firstSeq); s <= to; s++) {
      const e = this.get(s);
      if (e) yield e;
    }
  }

  /** Statistics per tool over the whole session (not only what is still in memory). */
  toolStats(): TraceToolStats[] {
    return [...this.stats.values()].map((s) => s.snapshot()).sort((a, b) => a.tool.localeCompare(b.tool));
  }

  /** Statistics of one tool, or undefined when it was never called. */
  statsFor(tool: string): TraceToolStats | undefined {
    return this.stats.get(tool)?.snapshot();
  }

  /** Delivers any pending `onDidAppend` batch now (tests, export). */
  flushEvents(): void {
    this.batchScheduled = false;
    if (this.batchFirst === 0 && this.batchUpdated.size === 0) return;
    const ev: TraceAppendEvent = {
      first: this.batchFirst || this.nextSeq,
      last: this.batchFirst ? this.lastSeq : this.nextSeq - 1,
      updated: [...this.batchUpdated].filter((s) => s >= this.firstSeq),
      tools: [...this.batchTools],
      oldest: this.firstSeq,
    };
    this.batchFirst = 0;
    this.batchUpdated.clear();
    this.batchTools.clear();
    this._onDidAppend.fire(ev);
  }

  dispose(): void {
    this.disposed = true;
    this._onDidAppend.dispose();
  }

  // ---- internals ------------------------------------------------------------------------

  /** Derives shape, method, tool, pairing and links for one message. Returns the shape index. */
  private classify(seq: number, p: number, dir: TraceDirection, msg: unknown): number {
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return 5;
    const m = msg as Record<string, unknown>;
    const method = m.method;
    const id = m.id;
    const hasId = typeof id === 'string' || typeof id === 'number';
    if (typeof method === 'string') {
      this.methodA[p] = this.intern(method);
      const params = m.params as Record<string, unknown> | undefined;
      if (hasId) {
        this.statusA[p] = ST.pending;
        this.pending.set(dir, id as string | number, seq);
        if (method === 'tools/call') {
          const tool = toolOf(m);
          if (tool) this.toolA[p] = this.intern(tool);
        }
        if (dir === 'in') {
          // A server→client request (2025 era: elicitation, sampling, roots) serves the call in flight.
          this.parentA[p] = this.lastInflight();
        } else {
          // A `subscriptions/listen` stream stays open: it is no call that logs and requests belong to.
          if (method !== 'subscriptions/listen') this.inflight.add(seq);
          if (this.awaitingInput.size && params) this.linkInputRetry(seq, p, method, m, params);
        }
        const token = (params?._meta as Record<string, unknown> | undefined)?.progressToken;
        if (typeof token === 'string' || typeof token === 'number') this.progressTokens.set(token, seq);
        return 1;
      }
      this.parentA[p] = this.linkNotification(dir, method, params);
      return 2;
    }
    if (!hasId || !('result' in m || 'error' in m)) return 5;
    const isError = 'error' in m && m.error !== undefined;
    const reqDir: TraceDirection = dir === 'in' ? 'out' : 'in';
    const reqSeq = this.pending.get(reqDir, id as string | number);
    let status: number = ST.ok;
    let code = 0;
    if (isError) {
      status = ST.error;
      const c = (m.error as Record<string, unknown> | null)?.code;
      code = typeof c === 'number' ? c : 0;
    } else if ((m.result as Record<string, unknown> | null)?.isError === true) {
      status = ST.toolError;
    }
    this.statusA[p] = status;
    this.codeA[p] = code;
    if (reqSeq !== undefined) {
      this.pending.delete(reqDir, id as string | number);
      this.inflight.delete(reqSeq);
      const q = this.pos(reqSeq);
      if (q >= 0) {
        const latency = this.tsA[p] - this.tsA[q];
        this.pairA[p] = reqSeq;
        this.pairA[q] = seq;
        this.latencyA[p] = latency;
        this.latencyA[q] = latency;
        this.statusA[q] = status;
        this.codeA[q] = code;
        this.methodA[p] = this.methodA[q];
        this.toolA[p] = this.toolA[q];
        this.batchUpdated.add(reqSeq);
        const reqMsg = this.msgs[q] as Record<string, unknown>;
        const token = (
          (reqMsg?.params as Record<string, unknown> | undefined)?._meta as Record<string, unknown> | undefined
        )?.progressToken;
        if (token !== undefined) this.progressTokens.delete(token as string | number);
        const tool = this.str(this.toolA[q], () => toolOf(reqMsg));
        if (dir === 'in' && !isError && (m.result as Record<string, unknown> | null)?.resultType === 'input_required')
          this.awaitingInput.set(`${this.str(this.methodA[q], () => undefined) ?? ''}\0${tool ?? ''}`, seq);
        if (tool) {
          let acc = this.stats.get(tool);
          if (!acc) this.stats.set(tool, (acc = new ToolStatsAccumulator(tool)));
          acc.add(latency, status !== ST.ok);
          this.batchTools.add(tool);
        }
      }
    }
    return isError ? 4 : 3;
  }

  /**
   * A client request that retries one answered `input_required` (2026-07-28) carries the input
   * responses (and/or the echoed `requestState`): it is linked to that result, with the time the
   * client took to answer (the user filling a form, a model replying).
   */
  private linkInputRetry(
    seq: number,
    p: number,
    method: string,
    m: Record<string, unknown>,
    params: Record<string, unknown>,
  ): void {
    if (params.inputResponses === undefined && params.requestState === undefined) return;
    const key = `${method}\0${toolOf(m) ?? ''}`;
    const asked = this.awaitingInput.get(key);
    if (asked === undefined) return;
    this.awaitingInput.delete(key);
    const q = this.pos(asked);
    if (q < 0) return;
    const latency = this.tsA[p] - this.tsA[q];
    this.inputA[p] = asked;
    this.inputA[q] = seq;
    this.inputLatA[p] = latency;
    this.inputLatA[q] = latency;
    this.batchUpdated.add(asked);
  }

  /** The request a notification belongs to (0 when none). */
  private linkNotification(dir: TraceDirection, method: string, params: Record<string, unknown> | undefined): number {
    if (method === 'notifications/progress') {
      const token = params?.progressToken;
      return (typeof token === 'string' || typeof token === 'number' ? this.progressTokens.get(token) : undefined) ?? 0;
    }
    if (method === 'notifications/cancelled') {
      const rid = params?.requestId;
      if (typeof rid !== 'string' && typeof rid !== 'number') return 0;
      // The side that sent the request cancels it.
      const reqSeq = this.pending.get(dir, rid);
      if (reqSeq === undefined) return 0;
      const q = this.pos(reqSeq);
      if (q >= 0 && this.statusA[q] === ST.pending) {
        this.statusA[q] = ST.cancelled;
        this.batchUpdated.add(reqSeq);
      }
      return reqSeq;
    }
    // Logging and list_changed carry no request id: attribute them to the request in flight.
    if (method === 'notifications/message' || method.endsWith('/list_changed')) return this.lastInflight();
    return 0;
  }

  private lastInflight(): number {
    let last = 0;
    for (const s of this.inflight) last = s;
    return last;
  }

  private evictOldest(): void {
    const p = this.head;
    const seq = this.firstSeq;
    this.memBytes -= this.flagsA[p] & F_TRUNC ? heldBytes(this.msgs[p]) : this.sizeA[p];
    if (this.statusA[p] === ST.pending || this.statusA[p] === ST.cancelled) {
      const m = this.msgs[p] as Record<string, unknown> | null;
      if (m && (typeof m.id === 'string' || typeof m.id === 'number')) {
        const d: TraceDirection = this.flagsA[p] & F_IN ? 'in' : 'out';
        if (this.pending.get(d, m.id) === seq) this.pending.delete(d, m.id);
      }
      this.inflight.delete(seq);
    }
    this.msgs[p] = undefined;
    this.head = (this.head + 1) % this.cap;
    this.count--;
    this.firstSeq++;
  }

  private grow(): void {
    const cap = Math.min(this.maxMessages, this.cap * 2);
    // Native block copies (in ring order); element-by-element copies over five typed-array
    // types go megamorphic and cost microseconds per element.
    const head = this.head;
    const tail = Math.min(this.count, this.cap - head);
    const lin = <T extends Float64Array | Float32Array | Int32Array | Uint8Array | Uint16Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(cap);
      b.set(a.subarray(head, head + tail) as never);
      if (this.count > tail) b.set(a.subarray(0, this.count - tail) as never, tail);
      return b;
    };
    this.tsA = lin(this.tsA, (n) => new Float64Array(n));
    this.flagsA = lin(this.flagsA, (n) => new Uint8Array(n));
    this.kindA = lin(this.kindA, (n) => new Uint8Array(n));
    this.statusA = lin(this.statusA, (n) => new Uint8Array(n));
    this.sizeA = lin(this.sizeA, (n) => new Float64Array(n));
    this.pairA = lin(this.pairA, (n) => new Int32Array(n));
    this.parentA = lin(this.parentA, (n) => new Int32Array(n));
    this.latencyA = lin(this.latencyA, (n) => new Float32Array(n));
    this.methodA = lin(this.methodA, (n) => new Uint16Array(n));
    this.toolA = lin(this.toolA, (n) => new Uint16Array(n));
    this.codeA = lin(this.codeA, (n) => new Int32Array(n));
    this.inputA = lin(this.inputA, (n) => new Int32Array(n));
    this.inputLatA = lin(this.inputLatA, (n) => new Float32Array(n));
    const msgs = new Array(cap).fill(undefined);
    for (let i = 0; i < this.count; i++) msgs[i] = this.msgs[(this.head + i) % this.cap];
    this.msgs = msgs;
    this.head = 0;
    this.cap = cap;
  }

  private pos(seq: number): number {
    if (seq < this.firstSeq || seq >= this.nextSeq) return -1;
    return (this.head + (seq - this.firstSeq)) % this.cap;
  }

  private intern(s: string): number {
    let i = this.stringIds.get(s);
    if (i === undefined) {
      if (this.strings.length >= INTERN_FULL) return INTERN_FULL;
      i = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, i);
    }
    return i;
  }

  private str(i: number, fallback: () => string | undefined): string | undefined {
    if (i === 0) return undefined;
    return i === INTERN_FULL ? fallback() : this.strings[i];
  }

  private scheduleBatch(): void {
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    setImmediate(() => {
      if (this.batchScheduled) this.flushEvents();
    });
  }
}

/**
 * Requests waiting for their response, by direction and id. Numeric ids (the usual case) use
 * number-keyed maps, so pairing allocates no key strings.
 */
class PendingRequests {
  private readonly num = [new Map<number, number>(), new Map<number, number>()];
  private readonly str = [new Map<string, number>(), new Map<string, number>()];
  get(dir: TraceDirection, id: string | number): number | undefined {
    const d = dir === 'out' ? 0 : 1;
    return typeof id === 'number' ? this.num[d].get(id) : this.str[d].get(id);
  }
  set(dir: TraceDirection, id: string | number, seq: number): void {
    const d = dir === 'out' ? 0 : 1;
    if (typeof id === 'number') this.num[d].set(id, seq);
    else this.str[d].set(id, seq);
  }
  delete(dir: TraceDirection, id: string | number): void {
    const d = dir === 'out' ? 0 : 1;
    if (typeof id === 'number') this.num[d].delete(id);
    else this.str[d].delete(id);
  }
}
