import type { ToolStatsView } from '../../shared/protocol';
/**
 * The boundary between an MCP session and the trace recorder. The session calls a sink
 * for every JSON-RPC message in either direction and for every stderr line; the
 * recorder decides what to keep. Calls must be cheap: keep references, stringify later.
 */

/** `out`: client to server. `in`: server to client. */
export type TraceDirection = 'out' | 'in';

export interface TraceSink {
  /**
   * One JSON-RPC message. `ts` is `performance.timeOrigin + performance.now()` (epoch ms
   * with sub-ms precision). `size` is the byte length on the wire when known.
   */
  message(dir: TraceDirection, msg: unknown, ts: number, size?: number): void;
  /** A line the server wrote to stderr (without the newline). */
  stderr(line: string, ts: number): void;
  /** A line on stdout that is not JSON-RPC (stdout pollution), as received. */
  stdoutNoise(line: string, ts: number): void;
  /** Lifecycle event: started, initialized, exited, stopped... */
  lifecycle(text: string, ts: number): void;
  /** One HTTP exchange of a remote server (method, URL, status, masked headers, timing), or an event stream closing. */
  http?(text: string, ts: number): void;
  /** One sign-in step of the auth debugger (secrets masked). */
  auth?(text: string, ts: number): void;
}

export const NULL_TRACE_SINK: TraceSink = {
  message() {},
  stderr() {},
  stdoutNoise() {},
  lifecycle() {},
};

export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** What a trace entry holds: a JSON-RPC message or a line of process output / lifecycle text. */
export type TraceEntryKind = 'message' | 'stderr' | 'stdout-noise' | 'lifecycle' | 'http' | 'auth';

/**
 * Outcome of a request (on both the request and its response):
 * `pending` (no response yet), `ok`, `error` (JSON-RPC error), `tool-error` (result with
 * `isError: true`), `cancelled` (a `notifications/cancelled` named it before any response),
 * `none` (notifications, output lines).
 */
export type TraceStatus = 'none' | 'pending' | 'ok' | 'error' | 'tool-error' | 'cancelled';

/** The JSON-RPC shape of a message, derived once when it is recorded. */
export type MessageShape = 'request' | 'notification' | 'response' | 'error' | 'invalid';

/**
 * One recorded entry, materialized on demand from the recorder's ring (the ring itself keeps
 * these fields in typed arrays). `msg` is the message object by reference (or a truncation
 * marker for huge payloads); for output kinds it is the text line.
 */
export interface TraceEntry {
  /** 1-based, increasing within a session; stable for the session's lifetime. */
  seq: number;
  /** Epoch ms with sub-ms precision (see `now()`). */
  ts: number;
  /** `out` client→server, `in` server→client; output lines and lifecycle are `in`. */
  dir: TraceDirection;
  kind: TraceEntryKind;
  msg: unknown;
  /** Bytes on the wire (or a cheap estimate of the JSON length when not known). */
  size: number;
  shape?: MessageShape;
  /** Method of a request/notification; for a response, the method of its request. */
  method?: string;
  /** JSON-RPC id of a request or response. */
  id?: string | number;
  /** `params.name` of a `tools/call` (also set on its response). */
  tool?: string;
  status: TraceStatus;
  /** JSON-RPC error code when `status === 'error'`. */
  errorCode?: number;
  /** Seq of the paired request (on a response) or response (on a request). */
  pair?: number;
  /** Response time in ms, on both the request and its response. */
  latencyMs?: number;
  /**
   * Seq of the request a notification / stderr line belongs to (progress, cancelled, log...), or
   * of the client request a server→client request (2025 era: elicitation, sampling, roots) serves.
   */
  parent?: number;
  /**
   * 2026-07-28 input requests: on an `input_required` result, the seq of the retried request that
   * carries the answers (`inputResponses`); on that retry, the seq of the result it answers.
   */
  input?: number;
  /** Time between the `input_required` result and its retry (the client answering), on both. */
  inputLatencyMs?: number;
  /** True when `msg` is a `{ $truncated: true, ... }` marker for an oversized payload. */
  truncated?: boolean;
}

/** Marker that replaces an oversized payload in memory (the trace file keeps it whole). */
export interface TruncatedPayload {
  $truncated: true;
  /** Size of the original payload in bytes. */
  bytes: number;
  /** The first characters of the payload's JSON. */
  preview: string;
}

/**
 * Statistics of one tool over a session (latency in ms), as the webview shows them less the
 * session index. Compatible with session `ToolStats`.
 */
export type TraceToolStats = Omit<ToolStatsView, 'sx'>;

/** Upper bounds (ms) of the latency histogram buckets; one extra bucket counts everything slower. */
export { HISTOGRAM_BUCKETS_MS as LATENCY_BUCKETS_MS } from '../../shared/protocol';

/** First line of every trace JSONL file. */
export interface TraceFileHeader {
  type: 'header';
  /** Always `mcp-doctor-trace`. */
  format: 'mcp-doctor-trace';
  /** Format version (1). */
  version: number;
  serverId: string;
  serverName: string;
  /** The server config with secrets replaced by `***`. */
  config?: unknown;
  /** ISO time the session started. */
  startedAt: string;
  /** Who wrote the file: `extension`, `proxy`, `export`. */
  writer: string;
  /** Versions of the writer, Node, VS Code, SDK..., when known. */
  versions?: Record<string, string>;
  /** True when messages in this file had secrets replaced (exports). */
  redacted?: boolean;
}

/** One entry line of a trace JSONL file. */
export interface TraceFileLine {
  seq: number;
  ts: number;
  dir: TraceDirection;
  kind: TraceEntryKind;
  size: number;
  msg: unknown;
}
