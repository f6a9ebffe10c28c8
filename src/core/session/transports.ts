import { LineSplitter } from '../process/lineSplitter';
import type { ManagedProcess } from '../process/managedProcess';
import { now } from '../trace/types';
import { detachedPrefix } from '../util/text';
import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from './sdk';

/** What the session wants to see of the wire, both directions. Must be cheap. */
export interface WireTap {
  outgoing(msg: JSONRPCMessage, ts: number, size?: number): void;
  incoming(msg: JSONRPCMessage, ts: number, size?: number): void;
  /** A stdout line that is not a JSON-RPC message. */
  noise(line: string, ts: number): void;
  /** A stdout line longer than the cap; dropped. `id` is the JSON-RPC id of the dropped response when found. */
  overflow(bytes: number, head: string, id?: string | number): void;
  /** A stdout line whose bytes are not valid UTF-8 (it was decoded with U+FFFD replacements). */
  invalidUtf8?(line: string, ts: number): void;
  /**
   * A stdout line that looks like JSON but is not a valid JSON-RPC 2.0 message (`reason` says why:
   * "not valid JSON (…)", "has no \"jsonrpc\": \"2.0\" member"…). Optional: without it such lines go to `noise`.
   */
  invalid?(line: string, reason: string, ts: number): void;
}

/** Why a parsed value is not a JSON-RPC 2.0 message (undefined when it is one). */
export function whyNotJsonRpc(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    return `a JSON ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}, not a JSON-RPC message object`;
  const m = v as Record<string, unknown>;
  if (!('jsonrpc' in m)) return 'a JSON object without the `"jsonrpc": "2.0"` member';
  if (m.jsonrpc !== '2.0')
    return `a JSON object with \`"jsonrpc": ${truncateJson(m.jsonrpc)}\` instead of \`"jsonrpc": "2.0"\``;
  if ('method' in m && typeof m.method !== 'string') return 'a JSON-RPC message whose `method` is not a string';
  if (typeof m.method !== 'string' && !('id' in m)) return 'a JSON-RPC message with neither `method` nor `id`';
  if (typeof m.method !== 'string' && !('result' in m) && !('error' in m))
    return 'a JSON-RPC response with neither `result` nor `error`';
  return undefined;
}

function truncateJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? detachedPrefix(s, 39, '…') : s;
}

/** The `id` of a JSON-RPC response from the first/last bytes of its text (it is usually at one end). */
export function responseIdFromEnds(head: string, tail: string): string | number | undefined {
  // A request from the server ("method" near the start) is not a response we wait for.
  if (/^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"method"/.test(head)) return undefined;
  // Only a top-level id: first member(s) of the object, or its last member.
  const ID = '("(?:[^"\\\\]|\\\\.){0,100}"|-?\\d{1,16})';
  const atStart = new RegExp(`^\\s*\\{\\s*(?:"jsonrpc"\\s*:\\s*"2\\.0"\\s*,\\s*)?"id"\\s*:\\s*${ID}\\s*,`);
  const atEnd = new RegExp(`[,{]\\s*"id"\\s*:\\s*${ID}\\s*(?:,\\s*"jsonrpc"\\s*:\\s*"2\\.0"\\s*)?\\}\\s*$`);
  const m = atStart.exec(head) ?? atEnd.exec(tail);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]) as string | number;
  } catch {
    return undefined;
  }
}

/** Longest stretch of stdout parsing before yielding to the event loop. */
const SLICE_MS = 8;
/** Unparsed stdout above which reading is paused. */
const QUEUE_HIGH_WATER = 4 * 1024 * 1024;

function isJsonRpc(v: unknown): v is JSONRPCMessage {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return m.jsonrpc === '2.0' && (typeof m.method === 'string' || 'id' in m);
}

/**
 * SDK `Transport` over a spawned process: newline-delimited JSON on stdin/stdout, split without
 * the SDK's quadratic re-concatenation, non-JSON-RPC lines reported as stdout pollution.
 */
export class ProcessStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  /**
   * Optional fast path for notifications (no `id`): returns true when it handled the message, which
   * then skips `onmessage`. The SDK classifies every incoming message with up to four zod parses,
   * three of them failing (and building error objects) for a notification: ~0.3 ms each under load,
   * too slow for a server that floods `notifications/message`.
   */
  onNotification?: (message: JSONRPCMessage & { method: string }) => boolean;
  private readonly splitter: LineSplitter;
  private closed = false;
  /** Stdout chunks not parsed yet: parsing is sliced so a flood cannot block the event loop. */
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private draining = false;
  private closeAfterDrain = false;

  constructor(
    private readonly proc: ManagedProcess,
    private readonly tap: WireTap,
    private readonly stopGraceMs: number,
    maxLineBytes = 64 * 1024 * 1024,
  ) {
    this.splitter = new LineSplitter(
      (line, bytes, invalidUtf8) => {
        if (invalidUtf8) this.tap.invalidUtf8?.(line, now());
        this.onLine(line, bytes);
      },
      maxLineBytes,
      (bytes, head, tail) => this.onOverflow(bytes, head, tail, maxLineBytes),
    );
    void proc.exited.then(() => this.markClosed());
  }

  /** The server's pid; with `stderr`, this is how the SDK tells a stdio transport from an HTTP one. */
  get pid(): number {
    return this.proc.pid;
  }

  /** Stderr is read by the process owner, not through the transport. */
  readonly stderr = null;

  /**
   * The connection is unusable although the process may live on (it closed its stdout): pending
   * requests fail now instead of waiting for their timeout.
   */
  disconnect(): void {
    this.markClosed();
  }

  /** A dropped oversized line: if it was the response to a pending request, fail that request now. */
  private onOverflow(bytes: number, head: string, tail: string, maxLineBytes: number): void {
    const id = responseIdFromEnds(head, tail);
    this.tap.overflow(bytes, head, id);
    if (id === undefined || this.closed) return;
    const mb = (b: number) => (b / 1048576).toFixed(1);
    const error = {
      jsonrpc: '2.0' as const,
      id,
      error: {
        code: -32603,
        message: `Response too large: the server sent a ${mb(bytes)} MB message, above the ${mb(maxLineBytes)} MB limit; it was dropped (MCP714)`,
      },
    };
    try {
      this.onmessage?.(error);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Raw stdout bytes from the process. Parsed at once when nothing is queued; under a flood,
   * parsing yields to the event loop every few milliseconds and stdout is paused above
   * `QUEUE_HIGH_WATER` bytes, so memory stays bounded and the server waits on its writes.
   */
  feed(chunk: Buffer): void {
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > QUEUE_HIGH_WATER) this.proc.pauseStdout();
    if (!this.draining) this.drain();
  }

  private drain(): void {
    this.draining = true;
    const t0 = performance.now();
    while (this.queue.length) {
      const c = this.queue.shift()!;
      this.queuedBytes -= c.length;
      this.splitter.push(c);
      if (this.queue.length && performance.now() - t0 > SLICE_MS) {
        setImmediate(() => this.drain());
        return;
      }
    }
    this.draining = false;
    this.proc.resumeStdout();
    if (this.closeAfterDrain) this.markClosed();
  }

  private onLine(line: string, bytes: number): void {
    if (!line.trim()) return;
    const ts = now();
    let msg: unknown;
    const c = line.charCodeAt(0);
    if (c === 123 /* { */ || c === 91 /* [ */ || c === 32 || c === 9) {
      try {
        msg = JSON.parse(line);
      } catch {
        msg = undefined;
      }
    }
    if (msg === undefined && this.tap.invalid && (c === 123 || c === 91 || /^\s*[[{]/.test(line))) {
      // Looks like JSON but does not parse: a broken serializer, a cut-off line, a Python repr...
      let why = 'not valid JSON';
      try {
        JSON.parse(line);
      } catch (err) {
        why = `not valid JSON (${err instanceof Error ? err.message : String(err)})`;
      }
      this.tap.invalid(line, why, ts);
      return;
    }
    if (Array.isArray(msg)) {
      // JSON-RPC batch (old protocol revisions): deliver each valid element, report the rest once.
      let bad = 0;
      for (const m of msg) {
        if (isJsonRpc(m)) {
          this.tap.incoming(m, ts, bytes);
          this.onmessage?.(m);
        } else if (!this.tap.invalid) this.tap.noise(JSON.stringify(m), ts);
        else bad++;
      }
      if (bad || msg.length === 0)
        this.tap.invalid?.(
          line,
          msg.length === 0
            ? 'an empty JSON array (an empty batch)'
            : 'a JSON array whose elements are not JSON-RPC messages',
          ts,
        );
      return;
    }
    if (!isJsonRpc(msg)) {
      if (msg !== undefined && this.tap.invalid)
        this.tap.invalid(line, whyNotJsonRpc(msg) ?? 'not a JSON-RPC message', ts);
      else this.tap.noise(line, ts);
      return;
    }
    this.tap.incoming(msg, ts, bytes);
    try {
      const m = msg as { method?: unknown; id?: unknown };
      if (
        this.onNotification &&
        typeof m.method === 'string' &&
        m.id === undefined &&
        this.onNotification(msg as JSONRPCMessage & { method: string })
      )
        return;
      this.onmessage?.(msg);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async start(): Promise<void> {
    // The process is already running; stdout is fed by the owner.
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if (this.closed || !this.proc.running) throw new Error('Not connected: the server process has exited');
    const text = JSON.stringify(message) + '\n';
    this.tap.outgoing(message, now(), Buffer.byteLength(text));
    await this.proc.write(text);
  }

  async close(): Promise<void> {
    await this.proc.stop(this.stopGraceMs);
    this.markClosed();
  }

  private markClosed(): void {
    if (this.draining) {
      // Deliver what the server wrote before it went away first.
      this.closed = true;
      this.closeAfterDrain = true;
      return;
    }
    if (this.closeAfterDrain) this.closeAfterDrain = false;
    else if (this.closed) return;
    this.closed = true;
    this.splitter.flush();
    this.onclose?.();
  }
}

/** Wraps an SDK transport (Streamable HTTP / SSE) and taps every message both ways. */
export class TappedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  constructor(
    readonly inner: Transport,
    private readonly tap: WireTap,
  ) {}

  async start(): Promise<void> {
    // Client.connect() sets our handlers before calling start().
    this.inner.onmessage = (msg, extra) => {
      this.tap.incoming(msg, now());
      this.onmessage?.(msg, extra);
    };
    this.inner.onerror = (e) => this.onerror?.(e);
    this.inner.onclose = () => this.onclose?.();
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.tap.outgoing(message, now());
    await this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }
}
