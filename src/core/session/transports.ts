import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { LineSplitter } from '../process/lineSplitter';
import type { ManagedProcess } from '../process/managedProcess';
import { now } from '../trace/types';

/** What the session wants to see of the wire, both directions. Must be cheap. */
export interface WireTap {
  outgoing(msg: JSONRPCMessage, ts: number, size?: number): void;
  incoming(msg: JSONRPCMessage, ts: number, size?: number): void;
  /** A stdout line that is not a JSON-RPC message. */
  noise(line: string, ts: number): void;
  /** A stdout line longer than the cap; dropped. */
  overflow(bytes: number, head: string): void;
}

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
  private readonly splitter: LineSplitter;
  private closed = false;

  constructor(
    private readonly proc: ManagedProcess,
    private readonly tap: WireTap,
    private readonly stopGraceMs: number,
    maxLineBytes = 64 * 1024 * 1024,
  ) {
    this.splitter = new LineSplitter((line, bytes) => this.onLine(line, bytes), maxLineBytes, (bytes, head) => this.tap.overflow(bytes, head));
    void proc.exited.then(() => this.markClosed());
  }

  /** Raw stdout bytes from the process. */
  feed(chunk: Buffer): void {
    this.splitter.push(chunk);
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
    if (Array.isArray(msg)) {
      // JSON-RPC batch (old protocol revisions): deliver each element.
      for (const m of msg) {
        if (isJsonRpc(m)) {
          this.tap.incoming(m, ts, bytes);
          this.onmessage?.(m);
        } else this.tap.noise(JSON.stringify(m), ts);
      }
      return;
    }
    if (!isJsonRpc(msg)) {
      this.tap.noise(line, ts);
      return;
    }
    this.tap.incoming(msg, ts, bytes);
    try {
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
    if (this.closed) return;
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

  constructor(readonly inner: Transport, private readonly tap: WireTap) {}

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
