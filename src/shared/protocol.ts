/**
 * The typed message protocol between the extension host and the "MCP Trace" webview
 * (GitLens style). No `vscode`, Node or DOM imports: both sides compile this file.
 *
 * - `*Command`: webview → host, fire and forget.
 * - `*Request`: a question with one answer, sent through an `IpcEndpoint`: the request carries
 *   an `id`, the answer's `method` is `${method}/completion` and its `completionId` is that id.
 *   The asking side rejects when no answer came within the request's timeout; an answer whose
 *   handler failed carries `error`. Either side may ask (the endpoint is the same code).
 * - `Did*Notification`: host → webview push.
 *
 * Adding a message: declare its params interface (JSDoc on every field), add a constant
 * below with a unique method name, handle it in `src/vscode/trace/tracePanel.ts` and
 * `media/trace/main.ts`. A unit test checks names are unique.
 */

export const IPC_SCOPE = 'trace';

/** The envelope of every message in both directions. */
export interface IpcMessage<P = unknown> {
  /** Unique per sender (`h1`, `w1`...). */
  id: string;
  /** `trace/<name>`; for a request's answer `trace/<name>/completion`. */
  method: string;
  params: P;
  /** On an answer: the `id` of the request it answers. */
  completionId?: string;
  /** On an answer: why the request failed (`params` is then undefined). */
  error?: string;
}

abstract class IpcCall<P> {
  /** Phantom field carrying the params type (never set). */
  declare readonly _params?: P;
  readonly method: string;
  constructor(readonly name: string) {
    this.method = `${IPC_SCOPE}/${name}`;
  }
  /** True when `msg` is this call (narrows its params type). */
  is(msg: IpcMessage): msg is IpcMessage<P> {
    return msg.method === this.method;
  }
}

/** Webview → host, fire and forget. */
export class IpcCommand<P = Record<string, never>> extends IpcCall<P> {
  readonly kind = 'command';
}

/** Host → webview push. */
export class IpcNotification<P> extends IpcCall<P> {
  readonly kind = 'notification';
}

/** A request with one answer (see `IpcEndpoint`). */
export class IpcRequest<P, R> extends IpcCall<P> {
  readonly kind = 'request';
  /** The answer's method name. */
  readonly response: IpcNotification<R>;
  /**
   * @param timeoutMs how long the asking side waits for the answer before it rejects with
   *   `IpcTimeoutError`.
   */
  constructor(
    name: string,
    readonly timeoutMs: number,
  ) {
    super(name);
    this.response = new IpcNotification<R>(`${name}/completion`);
  }
}

/** A request that got no answer within its timeout. */
export class IpcTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} got no answer within ${timeoutMs} ms`);
    this.name = 'IpcTimeoutError';
  }
}

/** What one side of the channel does with a request it received. */
type RequestHandler = (params: unknown) => unknown;

interface PendingRequest {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One side of the channel (the host's panel, the webview): sends commands and notifications,
 * asks requests and pairs each answer with its request by id, answers the requests it has a
 * handler for. Every request's timer is cleared when its answer arrives or the endpoint is
 * disposed, so nothing stays scheduled.
 */
export class IpcEndpoint {
  private lastId = 0;
  private readonly pending = new Map<string, PendingRequest>();
  private readonly handlers = new Map<string, { call: IpcRequest<unknown, unknown>; handle: RequestHandler }>();
  private disposed = false;

  /**
   * @param idPrefix prefix of the ids this side sends (`h` host, `w` webview)
   * @param send posts one message to the other side
   */
  constructor(
    private readonly idPrefix: string,
    private readonly send: (msg: IpcMessage) => void,
  ) {}

  /** Sends a command (webview → host) or a notification (host → webview). */
  notify<P>(call: IpcCommand<P> | IpcNotification<P>, params: P): void {
    this.send({ id: this.nextId(), method: call.method, params });
  }

  /** Asks the other side; resolves with its answer, rejects on an error answer or the timeout. */
  request<P, R>(call: IpcRequest<P, R>, params: P, timeoutMs = call.timeoutMs): Promise<R> {
    if (this.disposed) return Promise.reject(new Error(`${call.method}: the channel is closed`));
    const id = this.nextId();
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new IpcTimeoutError(call.method, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { method: call.method, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.send({ id, method: call.method, params });
      } catch (err) {
        this.settle(id, undefined, err instanceof Error ? err.message : String(err));
      }
    });
  }

  /** Answers `call` with what `handle` returns (or throws: the asker then rejects). */
  onRequest<P, R>(call: IpcRequest<P, R>, handle: (params: P) => R | Promise<R>): void {
    this.handlers.set(call.method, {
      call: call as IpcRequest<unknown, unknown>,
      handle: handle as RequestHandler,
    });
  }

  /**
   * Takes a received message: an answer settles its request, a request with a handler is
   * answered. False for everything else (commands, notifications), which the caller handles.
   */
  receive(msg: IpcMessage): boolean {
    if (msg.completionId !== undefined) {
      this.settle(msg.completionId, msg.params, msg.error);
      return true;
    }
    const handler = this.handlers.get(msg.method);
    if (!handler) return false;
    void this.answer(handler.call, handler.handle, msg);
    return true;
  }

  /** Requests still waiting for an answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects every open request and stops answering. */
  dispose(): void {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, 'the channel was closed');
    this.handlers.clear();
  }

  private async answer(call: IpcRequest<unknown, unknown>, handle: RequestHandler, msg: IpcMessage): Promise<void> {
    let reply: IpcMessage;
    try {
      const params = await handle(msg.params);
      reply = { id: this.nextId(), method: call.response.method, params, completionId: msg.id };
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)) || 'failed';
      reply = { id: this.nextId(), method: call.response.method, params: undefined, completionId: msg.id, error };
    }
    if (!this.disposed) this.send(reply);
  }

  private settle(id: string, value: unknown, error: string | undefined): void {
    const p = this.pending.get(id);
    if (!p) return; // late answer after a timeout, or not ours
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (error !== undefined) p.reject(new Error(`${p.method}: ${error}`));
    else p.resolve(value);
  }

  private nextId(): string {
    return `${this.idPrefix}${++this.lastId}`;
  }
}

// ---- shared data shapes -----------------------------------------------------------------

/** Where a session shown in the view comes from. */
export type SessionOrigin = 'live' | 'stored' | 'imported' | 'proxy';

/** One recorded session known to the view. */
export interface SessionInfo {
  /** Small number naming the session in `DisplayEntry.sx` (stable while the panel lives). */
  sx: number;
  serverId: string;
  serverName: string;
  origin: SessionOrigin;
  /** ISO start time. */
  startedAt: string;
  /** The JSONL file, when the session is (or was) persisted. */
  file?: string;
  /** True while requests can be replayed (a running session of this server exists). */
  canReplay: boolean;
}

/** Kind of an entry (same values as the core `TraceEntryKind`). */
export type DisplayKind = 'message' | 'stderr' | 'stdout-noise' | 'lifecycle' | 'http' | 'auth';

/** Outcome of a request (same values as the core `TraceStatus`). */
export type DisplayStatus = 'none' | 'pending' | 'ok' | 'error' | 'tool-error' | 'cancelled';

/**
 * One row of the trace list, prepared by the host (strings are built only for rows that are
 * sent, and are already redacted). Identified by `(sx, seq)`.
 */
export interface DisplayEntry {
  /** Session number (see `SessionInfo.sx`). */
  sx: number;
  /** Seq within the session. */
  seq: number;
  /** Epoch ms. */
  ts: number;
  /** `out` client→server (→), `in` server→client (←). */
  dir: 'out' | 'in';
  kind: DisplayKind;
  /** Method of a request/notification; `result`/`error` (with the method) for responses; the text for output lines. */
  label: string;
  /** The method this entry is about (the request's method on a response). */
  method?: string;
  /** Tool name for `tools/call` requests and their responses. */
  tool?: string;
  /** Response time in ms (on the request and its response). */
  latencyMs?: number;
  /** Size on the wire in bytes. */
  size: number;
  status: DisplayStatus;
  /** JSON-RPC error code, when `status === 'error'`. */
  errorCode?: number;
  /** Seq of the paired request/response. */
  pair?: number;
  /** Seq of the request a notification or stderr line (or a server→client request) belongs to. */
  parent?: number;
  /**
   * 2026-07-28 input requests: on an `input_required` result, the seq of the retried request that
   * answers them; on that retry, the seq of the result it answers.
   */
  input?: number;
  /** Time the client took to answer the input requests (between the two), in ms. */
  inputLatencyMs?: number;
  /** Short redacted summary of params/result (first ~160 characters), for the list and search. */
  preview?: string;
  /** The in-memory copy of the payload was truncated (the file has it whole). */
  truncated?: boolean;
}

/** Per-tool statistics of one session. */
export interface ToolStatsView {
  sx: number;
  tool: string;
  calls: number;
  errors: number;
  p50: number;
  p95: number;
  max: number;
  /** Counts per latency bucket (`LATENCY_BUCKETS_MS`; the last bucket counts everything slower). */
  histogram: number[];
}

/** Upper bounds (ms) of the latency histogram buckets (the recorder's buckets: core re-exports this). */
export const HISTOGRAM_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] as const;

/** What the list shows; kept by the webview (`setState`) and by the host for restore. */
export interface TraceFilterState {
  /** Only this server id (empty: all). */
  serverId?: string;
  /** Only this session (`sx`; undefined: all sessions of the server filter). */
  sx?: number;
  /** Only entries whose method equals this. */
  method?: string;
  /** Only entries of this tool. */
  tool?: string;
  /** Only errors (JSON-RPC errors, isError results, cancelled requests, stderr). */
  errorsOnly?: boolean;
  /** Hide stderr, stdout noise and lifecycle lines. */
  hideOutput?: boolean;
  /** Case-insensitive substring over method, tool, status and preview. */
  text?: string;
}

/** A line of a result diff. */
export interface DiffLine {
  /** `=` unchanged, `-` only in the old result, `+` only in the new one. */
  op: '=' | '-' | '+';
  text: string;
}

/** Full detail of one entry, for the detail pane. */
export interface EntryDetail {
  entry: DisplayEntry;
  /** Pretty-printed, redacted JSON of the message (or the output line). */
  json: string;
  /** True when `json` was cut for display (copy still yields the whole message). */
  cut: boolean;
  /** The paired request/response. */
  pair?: { entry: DisplayEntry; json: string; cut: boolean };
  /** The request a notification belongs to. */
  parent?: DisplayEntry;
  /**
   * 2026-07-28: the input requests of an `input_required` result and the answers the retried
   * request carried, paired (on either entry), with the time the client took.
   */
  input?: {
    asked: DisplayEntry;
    answered?: DisplayEntry;
    /** Pretty redacted JSON of `inputRequests` (and `requestState` when there is one). */
    requests: string;
    /** Pretty redacted JSON of `inputResponses`, once the retry was sent. */
    responses?: string;
  };
}

// ---- webview → host ----------------------------------------------------------------------

/** The webview has loaded and listens: the host answers with `didReset`. */
export const ReadyCommand = new IpcCommand<ReadyParams>('ready');
export interface ReadyParams {
  /** The filter the webview restored from `getState` (undefined on first load). */
  filter?: TraceFilterState;
}

/** The user changed the filter (the host remembers it for the next restore). */
export const SetFilterCommand = new IpcCommand<SetFilterParams>('setFilter');
export interface SetFilterParams {
  filter: TraceFilterState;
}

/**
 * Re-send a recorded request to the live session; answered with old vs new result. The host
 * bounds the call itself by the session's request timeout, so this one only catches a host that
 * never answers.
 */
export const ReplayRequest = new IpcRequest<ReplayParams, ReplayResult>('replay', 10 * 60_000);
/** The request to send again, as recorded or with params edited in the view. */
export interface ReplayParams extends EntryRef {
  /**
   * The params as edited (JSON text of what the view showed, redacted): values left as shown
   * are sent as recorded. Absent: the recorded params.
   */
  params?: string;
}
/** Names one entry. */
export interface EntryRef {
  /** Session number. */
  sx: number;
  /** Seq of the entry (a request, or a response whose request is replayed). */
  seq: number;
}

/** Open the tool's definition in the workspace source. */
export const OpenDefinitionCommand = new IpcCommand<OpenDefinitionParams>('openDefinition');
export interface OpenDefinitionParams {
  tool: string;
  /** Session the tool was seen in (to prefer files near its server's config). */
  sx?: number;
}

/** Export sessions as redacted JSONL (the host asks where). */
export const ExportCommand = new IpcCommand<ExportParams>('export');
export interface ExportParams {
  /** The session to export (undefined: the one the filter shows, else the newest). */
  sx?: number;
}

/** Import a JSONL trace (the host asks which file). */
export const ImportCommand = new IpcCommand<Record<string, never>>('import');

/** Copy an entry's JSON (redacted, whole) to the clipboard. */
export const CopyCommand = new IpcCommand<CopyParams>('copy');
export interface CopyParams extends EntryRef {
  /** `entry`: this message; `pair`: its request/response; `both`: request and response. */
  what: 'entry' | 'pair' | 'both';
}

/** Drop the entries of a session (or all) from the view and memory. */
export const ClearCommand = new IpcCommand<ClearParams>('clear');
export interface ClearParams {
  /** Session to clear (undefined: all sessions that are not live). */
  sx?: number;
}

/** Full detail of one entry (undefined when it is no longer in memory). */
export const GetDetailRequest = new IpcRequest<EntryRef, EntryDetail | undefined>('getDetail', 10_000);

// ---- host → webview ----------------------------------------------------------------------

/** Replace everything the view shows (after `ready`, on restore, after clear/import). */
export const DidResetNotification = new IpcNotification<DidResetParams>('didReset');
export interface DidResetParams {
  snapshot: TraceSnapshot;
}
export interface TraceSnapshot {
  sessions: SessionInfo[];
  /** The first entries (the rest follow as `didAppend` chunks while `more` was true). */
  entries: DisplayEntry[];
  /** More entries follow in `didAppend` notifications. */
  more: boolean;
  stats: ToolStatsView[];
  /** Filter to apply (from `reveal` or the host's remembered state); undefined keeps the webview's. */
  filter?: TraceFilterState;
}

/** New entries and entries whose status/latency changed. */
export const DidAppendNotification = new IpcNotification<DidAppendParams>('didAppend');
export interface DidAppendParams {
  /** New rows, in arrival order. */
  entries: DisplayEntry[];
  /** Rows sent before whose status, latency or pair changed (replace by `(sx, seq)`). */
  updated: DisplayEntry[];
  /** Per session: rows with a smaller seq were dropped from memory (`sx` → oldest seq). */
  oldest?: Record<number, number>;
}

/** The session list changed (started, stopped, opened, imported, cleared). */
export const DidChangeSessionsNotification = new IpcNotification<DidChangeSessionsParams>('didChangeSessions');
export interface DidChangeSessionsParams {
  sessions: SessionInfo[];
}

/** Tool statistics changed (throttled). */
export const DidChangeStatsNotification = new IpcNotification<DidChangeStatsParams>('didChangeStats');
export interface DidChangeStatsParams {
  stats: ToolStatsView[];
}

/** The host wants a filter applied (`reveal({ serverId, tool })`). */
export const DidSetFilterNotification = new IpcNotification<DidSetFilterParams>('didSetFilter');
export interface DidSetFilterParams {
  filter: TraceFilterState;
}

/** The host wants an entry selected and scrolled into view (e.g. the last call of a tool). */
export const DidSelectNotification = new IpcNotification<EntryRef>('didSelect');

/** The answer to `ReplayRequest`: old vs new result. */
export interface ReplayResult {
  /** The replayed request. */
  sx: number;
  seq: number;
  method: string;
  /** False when the new call failed (JSON-RPC error, timeout, isError result). */
  ok: boolean;
  durationMs: number;
  /** Pretty redacted JSON of the recorded result (or error). */
  old: string;
  /** Pretty redacted JSON of the new result (or error). */
  new: string;
  /** Line diff of `old` → `new`. */
  diff: DiffLine[];
  /** Set when the replay could not run (no live session...). */
  error?: string;
}

/** A short message for the status line of the view (errors of host actions). */
export const DidNotifyNotification = new IpcNotification<DidNotifyParams>('didNotify');
export interface DidNotifyParams {
  level: 'info' | 'error';
  message: string;
}

/** Every call object, for dispatch tables and the uniqueness test. */
export const ALL_CALLS = [
  ReadyCommand,
  SetFilterCommand,
  ReplayRequest,
  ReplayRequest.response,
  OpenDefinitionCommand,
  ExportCommand,
  ImportCommand,
  CopyCommand,
  ClearCommand,
  GetDetailRequest,
  GetDetailRequest.response,
  DidResetNotification,
  DidAppendNotification,
  DidChangeSessionsNotification,
  DidChangeStatsNotification,
  DidSetFilterNotification,
  DidSelectNotification,
  DidNotifyNotification,
] as const;
