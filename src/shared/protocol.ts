/**
 * The typed message protocol between the extension host and the "MCP Trace" webview
 * (GitLens style). No `vscode`, Node or DOM imports: both sides compile this file.
 *
 * - `*Command`: webview → host, fire and forget.
 * - `*Request`: webview → host, answered by a message whose `method` is `${method}/completion`
 *   and whose `completionId` is the request's `id`.
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

/** Webview → host with an answer. */
export class IpcRequest<P, R> extends IpcCall<P> {
  readonly kind = 'request';
  /** The answer's method name. */
  readonly response: IpcNotification<R>;
  constructor(name: string) {
    super(name);
    this.response = new IpcNotification<R>(`${name}/completion`);
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
export type DisplayKind = 'message' | 'stderr' | 'stdout-noise' | 'lifecycle';

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
  /** Seq of the request a notification or stderr line belongs to. */
  parent?: number;
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

/** Re-send a recorded request to the live session; answered by `didReplay`. */
export const ReplayCommand = new IpcCommand<EntryRef>('replay');
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

/** Full detail of one entry. */
export const GetDetailRequest = new IpcRequest<EntryRef, EntryDetail | undefined>('getDetail');

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

/** The result of a replay, old vs new. */
export const DidReplayNotification = new IpcNotification<DidReplayParams>('didReplay');
export interface DidReplayParams {
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
  ReplayCommand,
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
  DidReplayNotification,
  DidNotifyNotification,
] as const;
