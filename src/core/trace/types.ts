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
