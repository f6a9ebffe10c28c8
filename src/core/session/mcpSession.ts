import type { ServerConfig } from '../config/types';
import type { Finding } from '../model';
import { NULL_TRACE_SINK, now, type TraceSink } from '../trace/types';
import { Emitter, type Event } from '../util/event';
import { VERSION } from '../version';
import type { ConnectionAuth, OutputEvent, RequestOptions, RequestOutcome } from './connectionTypes';
import { SessionRun } from './run';
import {
  CallAttribution,
  capabilitiesOf,
  featureHandlers,
  type BackChannelExchange,
  type ClientFeatures,
} from './clientFeatures';
import { describeExit } from './diagnosis';
import { handleServerRequests, type Client, type EraPreference, type FetchLike } from './sdk';
import type { TimeoutPause } from './timeoutPause';
import { ToolStatsTracker } from './toolStats';
import type { SessionState, SessionView } from './types';

export type { OutputEvent } from './connectionTypes';
export { describeExit } from './diagnosis';

export interface SessionOptions {
  /** A resolved config (variables substituted by the adapter). */
  server: ServerConfig;
  trace?: TraceSink;
  /** Default 30000: `initialize` (or `server/discover`) must be answered by then. */
  startupTimeoutMs?: number;
  /** Default 60000: per tools/call, resources/read, prompts/get. */
  requestTimeoutMs?: number;
  /** Default 2000: close stdin → SIGTERM → SIGKILL the process tree. */
  stopGraceMs?: number;
  /** Base environment for stdio servers (default: process.env filtered like the SDK's getDefaultEnvironment + server.env). */
  baseEnv?: Record<string, string | undefined>;
  /** Folder for resolving a relative cwd and for mapping tracebacks to workspace files. */
  workspaceFolder?: string;
  clientInfo?: { name: string; version: string };
  /** Which protocol era to speak (default `auto`: the newest both sides support). */
  era?: EraPreference;
  /** What the client does when the server asks: elicitation, sampling, roots (declared accordingly). */
  features?: ClientFeatures;
  /** Called with each new SDK client before it connects (extra handlers, instrumentation). */
  onClient?(client: Client): void;
  /** A fetch for every HTTP exchange (tracing, authorization). */
  fetch?: FetchLike;
  /** Signs in to OAuth-protected servers (`SignIn` from `src/core/auth`). */
  auth?: ConnectionAuth;
  /** Health sampling interval (default 5000 ms; 0 disables). */
  healthIntervalMs?: number;
  /**
   * Memory growth is judged over at least this much time (default 60000 ms, and never fewer than
   * 12 samples): a Node server's heap grows for tens of seconds before its first major GC.
   */
  growthWindowMs?: number;
  /** Longest stdout line accepted (default 64 MiB); longer lines are dropped with a finding. */
  maxLineBytes?: number;
  /** While held (a debugger attaching, or the debuggee stopped), startup and call timeouts do not count down. */
  pause?: TimeoutPause;
}

export type CallOptions = RequestOptions;

export interface CallOutcome extends RequestOutcome {
  /** Tool result had isError: true. */
  isError?: boolean;
  /** Requests the server made to the client during this call (elicitation, sampling, roots). */
  backChannel?: BackChannelExchange[];
  /** E.g. output schema mismatch for this call. */
  findings: Finding[];
}

/**
 * One MCP server session: the facade the tree, the CLI and the trace use. Each start is a
 * `SessionRun` (connection, lists, findings, call checks); this object keeps the one state,
 * the events and the per-tool statistics. Public methods never reject.
 */
export class McpSession {
  readonly serverId: string;
  private readonly _onDidChangeState = new Emitter<SessionState>();
  private readonly _onDidChangeLists = new Emitter<void>();
  private readonly _onDidChangeFindings = new Emitter<void>();
  private readonly _onDidChangeStats = new Emitter<string>();
  private readonly _onOutput = new Emitter<OutputEvent>();
  private readonly _onNotification = new Emitter<{ method: string; params: unknown }>();
  readonly onDidChangeState: Event<SessionState> = this._onDidChangeState.event;
  /** tools/resources/templates/prompts (re)listed, incl. list_changed. */
  readonly onDidChangeLists: Event<void> = this._onDidChangeLists.event;
  readonly onDidChangeFindings: Event<void> = this._onDidChangeFindings.event;
  /** Tool name whose stats changed. */
  readonly onDidChangeStats: Event<string> = this._onDidChangeStats.event;
  /** For the terminal: stderr lines, stdout pollution, lifecycle lines, MCP log messages. */
  readonly onOutput: Event<OutputEvent> = this._onOutput.event;
  /** Server notifications other than logging and list changes (resource updates…). */
  readonly onNotification: Event<{ method: string; params: unknown }> = this._onNotification.event;

  private state: SessionState = { kind: 'stopped' };
  /** The current start, or the last one (its findings and lists stay visible after it ends). */
  private run?: SessionRun;
  private runFindings?: { dispose(): void };
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly stats = new ToolStatsTracker();
  private readonly calls = new CallAttribution();
  private readonly trace: TraceSink;

  constructor(private readonly opts: SessionOptions) {
    this.serverId = opts.server.id;
    this.trace = opts.trace ?? NULL_TRACE_SINK;
  }

  /** Snapshot for the UI. */
  view(): SessionView {
    const run = this.run;
    return {
      serverId: this.serverId,
      serverName: this.opts.server.name,
      state: this.state,
      tools: [...(run?.lists.tools ?? [])],
      resources: [...(run?.lists.resources ?? [])],
      resourceTemplates: [...(run?.lists.templates ?? [])],
      prompts: [...(run?.lists.prompts ?? [])],
      findings: run?.findings.values() ?? [],
      stderrTail: [...(run?.connection.stderrTail ?? [])],
      toolStats: this.stats.snapshot(),
      pid: run?.connection.pid,
    };
  }

  /** Starts (or attaches over HTTP); resolves when running or failed. Never rejects. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.state.kind === 'running') return Promise.resolve();
    this.starting = this.doStart()
      .catch((err) => this.fail(`Unexpected error: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.stopping) await this.stopping;
    const run = this.newRun();
    this.setState({ kind: 'starting', since: Date.now(), step: 'connecting' });
    const r = await run.start(() => this.setState({ kind: 'starting', since: Date.now(), step: 'listing' }));
    if (run !== this.run) return;
    if (r.ok) {
      const { info } = r;
      this.setState({
        kind: 'running',
        initializeMs: info.initializeMs,
        protocolVersion: info.protocolVersion,
        era: info.era,
        transport: info.transport,
        httpSession: info.httpSession,
        serverName: info.serverName,
        serverVersion: info.serverVersion,
      });
    } else if ('verdict' in r) {
      this.fail(r.verdict.reason);
      await run.dispose();
    }
  }

  private newRun(): SessionRun {
    this.runFindings?.dispose();
    this.stats.clear();
    const o = this.opts;
    const run = new SessionRun(
      {
        server: o.server,
        trace: this.trace,
        startupTimeoutMs: o.startupTimeoutMs ?? 30000,
        requestTimeoutMs: o.requestTimeoutMs ?? 60000,
        stopGraceMs: o.stopGraceMs ?? 2000,
        baseEnv: o.baseEnv,
        workspaceFolder: o.workspaceFolder ?? o.server.workspaceFolder,
        clientInfo: o.clientInfo ?? { name: 'mcp-doctor', version: VERSION },
        capabilities: capabilitiesOf(o.features),
        era: o.era ?? 'auto',
        fetch: o.fetch,
        auth: o.auth,
        healthIntervalMs: o.healthIntervalMs ?? 5000,
        growthWindowMs: o.growthWindowMs ?? 60000,
        maxLineBytes: o.maxLineBytes ?? 64 * 1024 * 1024,
        pause: o.pause,
      },
      {
        output: (e) => this._onOutput.fire(e),
        lost: (verdict) => this.fail(verdict.reason),
        listsChanged: () => this._onDidChangeLists.fire(),
        notification: (method, params) => this._onNotification.fire({ method, params }),
        clientCreated: (client) => this.clientCreated(client),
        track: (work) => this.track(work),
      },
    );
    this.run = run;
    this.runFindings = run.findings.onDidChange(() => this._onDidChangeFindings.fire());
    this._onDidChangeFindings.fire();
    this._onDidChangeLists.fire();
    return run;
  }

  private clientCreated(client: Client): void {
    const serverName = this.opts.server.name;
    const record = (e: BackChannelExchange) => this.calls.record(e);
    const handlers = featureHandlers(
      this.opts.features ?? {},
      (signal) => ({ serverName, tool: this.calls.currentTool(), signal }),
      record,
    );
    handleServerRequests(client, handlers, (method) =>
      record({
        method: method as BackChannelExchange['method'],
        tool: this.calls.currentTool(),
        ok: false,
        unsupported: true,
        ms: 0,
      }),
    );
    this.opts.onClient?.(client);
  }

  /** Graceful stop; resolves when the process tree is gone. Never rejects. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const run = this.run;
    if (!run || (this.state.kind === 'stopped' && !this.starting)) return Promise.resolve();
    this.stopping = this.doStop(run)
      .catch(() => undefined)
      .finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async doStop(run: SessionRun): Promise<void> {
    const failed = this.state.kind === 'error';
    if (!failed) this.setState({ kind: 'stopping' });
    await run.dispose();
    const exit = run.connection.exitInfo;
    // A failed session keeps its error (the reason stays visible); the others are stopped now.
    if (!failed) {
      this.setState({ kind: 'stopped', exitCode: exit?.code ?? null, signal: exit?.signal ?? null });
      this.lifecycle(exit ? `stopped (${describeExit(exit)})` : 'stopped');
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.runFindings?.dispose();
    for (const e of [this._onDidChangeState, this._onDidChangeLists, this._onDidChangeFindings, this._onOutput])
      e.dispose();
    this._onDidChangeStats.dispose();
    this._onNotification.dispose();
  }

  /** Process health samples (RSS bytes, open fds), newest last; empty for HTTP-only sessions. */
  health(): { ts: number; rssBytes: number; fds: number }[] {
    return [...(this.run?.connection.samples ?? [])];
  }

  /** Resolves when asynchronous finding work (locating stdout pollution, linting tools) is done. */
  async flushFindings(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  // ---------------------------------------------------------------- requests

  async callTool(name: string, args: Record<string, unknown>, opts: CallOptions = {}): Promise<CallOutcome> {
    const run = this.run;
    const call = this.calls.begin(name);
    const inputSchema = run?.lists.tools.find((t) => t.name === name)?.inputSchema;
    const outcome: CallOutcome = {
      ...(await this.send('tools/call', { name, arguments: args ?? {} }, { inputSchema, ...opts })),
      findings: [],
    };
    const exchanges = this.calls.end(call);
    if (exchanges.length) outcome.backChannel = exchanges;
    if (outcome.result && typeof outcome.result === 'object') {
      const result = outcome.result as Record<string, unknown>;
      outcome.isError = result.isError === true;
      if (outcome.isError) {
        outcome.ok = false;
        outcome.error = { message: firstText(result) ?? 'the tool returned isError: true' };
      }
    }
    if (run && run === this.run)
      outcome.findings = run.afterCall(name, outcome, exchanges, opts.timeoutMs ?? this.opts.requestTimeoutMs ?? 60000);
    this.stats.record(name, outcome.durationMs, !outcome.ok);
    this._onDidChangeStats.fire(name);
    return outcome;
  }

  readResource(uri: string, opts: CallOptions = {}): Promise<CallOutcome> {
    return this.plain('resources/read', { uri }, opts);
  }

  getPrompt(name: string, args: Record<string, string>, opts: CallOptions = {}): Promise<CallOutcome> {
    return this.plain('prompts/get', { name, arguments: args ?? {} }, opts);
  }

  /** Any request by method name (used by the trace view's "replay"). */
  request(method: string, params: unknown, opts: CallOptions = {}): Promise<CallOutcome> {
    if (method.startsWith('notifications/')) return this.notify(method, params);
    if (method === 'tools/call' && params && typeof params === 'object') {
      const p = params as { name?: unknown; arguments?: unknown };
      if (typeof p.name === 'string')
        return this.callTool(p.name, (p.arguments as Record<string, unknown>) ?? {}, opts);
    }
    return this.plain(method, params, opts);
  }

  /**
   * The client's roots changed (workspace folders added or removed): 2025-era servers are told
   * with `notifications/roots/list_changed`; the 2026-07-28 revision removed it (servers ask again).
   */
  async rootsChanged(): Promise<void> {
    if (this.state.kind === 'running' && this.state.era === '2025' && this.opts.features?.roots)
      await this.notify('notifications/roots/list_changed', undefined);
  }

  private async notify(method: string, params: unknown): Promise<CallOutcome> {
    if (!this.run || this.state.kind !== 'running') return this.notRunning();
    return { ...(await this.run.connection.notify(method, params)), findings: [] };
  }

  private async plain(method: string, params: unknown, opts: CallOptions): Promise<CallOutcome> {
    return { ...(await this.send(method, params, opts)), findings: [] };
  }

  private async send(method: string, params: unknown, opts: CallOptions): Promise<RequestOutcome> {
    const run = this.run;
    if (!run || this.state.kind !== 'running') return this.notRunning();
    const outcome = await run.connection.request(method, params, opts);
    if (!outcome.ok && run === this.run) run.afterRequestError(method, outcome);
    return outcome;
  }

  private notRunning(): CallOutcome {
    return {
      ok: false,
      error: { message: `The server is not running (${this.state.kind}).` },
      durationMs: 0,
      findings: [],
    };
  }

  // ---------------------------------------------------------------- helpers

  private fail(reason: string): void {
    this.setState({ kind: 'error', reason });
    this.lifecycle(`error: ${reason}`);
  }

  private setState(s: SessionState): void {
    this.state = s;
    this._onDidChangeState.fire(s);
  }

  private lifecycle(text: string): void {
    const ts = now();
    this.trace.lifecycle(text, ts);
    this._onOutput.fire({ kind: 'lifecycle', text, ts });
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

function firstText(result: Record<string, unknown>): string | undefined {
  const c = result.content;
  if (Array.isArray(c))
    for (const x of c)
      if (x && typeof x === 'object' && (x as { type?: string }).type === 'text')
        return String((x as { text?: unknown }).text ?? '');
  return undefined;
}
