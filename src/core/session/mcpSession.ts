import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  LATEST_PROTOCOL_VERSION,
  LoggingMessageNotificationSchema,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ServerConfig } from '../config/types';
import type { Finding, Range, Severity } from '../model';
import { cpuSeconds, detectMemoryGrowth } from '../process/health';
import { LineSplitter } from '../process/lineSplitter';
import { ManagedProcess, type ExitInfo } from '../process/managedProcess';
import { locateTextInWorkspace } from '../runtime/locateText';
import { probeMcpPaths } from '../runtime/probeHttp';
import { crashHint, deepestWorkspaceFrame, lineRange, parseLastTrace } from '../runtime/stackTraces';
import { hostPortOf, waitForPort } from '../runtime/waitForPort';
import { NULL_TRACE_SINK, now, type TraceSink } from '../trace/types';
import { Emitter, type Event } from '../util/event';
import { defaultEnvironment, readEnvFile } from './env';
import { validateAgainst } from './jsonSchema';
import { CHARS_PER_TOKEN, largeResultMessage, resultTextChars } from './resultSize';
import { lintToolList } from './toolLint';
import { ToolStatsTracker } from './toolStats';
import { ProcessStdioTransport, TappedTransport, type WireTap } from './transports';
import type { PromptInfo, ResourceInfo, ResourceTemplateInfo, SessionState, SessionView, ToolInfo } from './types';

export interface SessionOptions {
  /** A resolved config (variables substituted by the adapter). */
  server: ServerConfig;
  trace?: TraceSink;
  /** Default 30000: `initialize` must be answered by then. */
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
  /** Health sampling interval (default 5000 ms; 0 disables). */
  healthIntervalMs?: number;
  /**
   * Memory growth is judged over at least this much time (default 60000 ms, and never fewer than
   * 12 samples): a Node server's heap grows for tens of seconds before its first major GC.
   */
  growthWindowMs?: number;
  /** Longest stdout line accepted (default 64 MiB); longer lines are dropped with a finding. */
  maxLineBytes?: number;
}

/**
 * For the terminal. `log` is a `notifications/message` from the server (MCP logging), with its
 * `level` (debug, info, notice, warning, error, critical, alert, emergency).
 */
export type OutputEvent = {
  kind: 'stderr' | 'stdout-noise' | 'lifecycle' | 'log';
  text: string;
  ts: number;
  level?: string;
};

export interface CallOptions {
  timeoutMs?: number;
  /** Cancellation: `notifications/cancelled` is sent. */
  signal?: AbortSignal;
  onProgress?(p: { progress: number; total?: number; message?: string }): void;
}

export interface CallOutcome {
  /** False for JSON-RPC errors, timeouts, cancellations and isError results. */
  ok: boolean;
  /** The raw result (CallToolResult, ReadResourceResult, GetPromptResult). */
  result?: unknown;
  /** Tool result had isError: true. */
  isError?: boolean;
  error?: { code?: number; message: string; data?: unknown };
  durationMs: number;
  /** E.g. output schema mismatch for this call. */
  findings: Finding[];
  /** True when the call ended because of `CallOptions.signal`. */
  cancelled?: boolean;
  /** True when the call ended because of its timeout. */
  timedOut?: boolean;
}

/** Accepts any result object: the session validates what it cares about and keeps the raw data. */
const LooseResult = z.object({}).passthrough();

type Phase = 'idle' | 'spawning' | 'handshake' | 'listing' | 'running' | 'stopping' | 'failed';

const PY_COMMANDS = /^(python[\d.]*|py|uv|uvx|pipx|poetry|pdm|hatch|conda|pipenv|rye|fastmcp|mcp)$/i;
const NODE_COMMANDS = /^(node|npx|tsx|ts-node|bun|bunx|deno|npm|pnpm|pnpx|yarn)$/i;

/** Memory growth is judged on samples taken this long (at most; 20 sampling intervals when shorter) after the session is running. */
const GROWTH_WARMUP_MS = 10000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * One MCP server session: spawns (stdio) or attaches (Streamable HTTP / SSE), performs the
 * handshake, lists tools/resources/prompts, runs calls with stats, and turns everything that
 * goes wrong into runtime findings. Public methods never reject.
 */
export class McpSession {
  readonly serverId: string;
  private readonly _onDidChangeState = new Emitter<SessionState>();
  private readonly _onDidChangeLists = new Emitter<void>();
  private readonly _onDidChangeFindings = new Emitter<void>();
  private readonly _onDidChangeStats = new Emitter<string>();
  private readonly _onOutput = new Emitter<OutputEvent>();
  readonly onDidChangeState: Event<SessionState> = this._onDidChangeState.event;
  /** tools/resources/templates/prompts (re)listed, incl. list_changed. */
  readonly onDidChangeLists: Event<void> = this._onDidChangeLists.event;
  readonly onDidChangeFindings: Event<void> = this._onDidChangeFindings.event;
  /** Tool name whose stats changed. */
  readonly onDidChangeStats: Event<string> = this._onDidChangeStats.event;
  /** For the terminal: stderr lines, stdout pollution, lifecycle lines. */
  readonly onOutput: Event<OutputEvent> = this._onOutput.event;

  private readonly server: ServerConfig;
  private readonly trace: TraceSink;
  private readonly startupTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly workspaceFolder?: string;

  private state: SessionState = { kind: 'stopped' };
  private phase: Phase = 'idle';
  private tools: ToolInfo[] = [];
  private resources: ResourceInfo[] = [];
  private templates: ResourceTemplateInfo[] = [];
  private prompts: PromptInfo[] = [];
  private readonly findings = new Map<string, Finding>();
  private readonly stats = new ToolStatsTracker();
  private readonly jsonRpcErrors = new Map<string, { count: number; last: string }>();
  private stderrTail: string[] = [];
  private client?: Client;
  private proc?: ManagedProcess;
  private httpLogSplitter?: LineSplitter;
  private httpTransport?: Transport;
  private generation = 0;
  private startPromise?: Promise<void>;
  private stopPromise?: Promise<void>;
  private pending = new Set<Promise<unknown>>();
  private noiseSeen = new Set<string>();
  private noiseCount = 0;
  private initRequestId?: string | number;
  private initResponse?: Record<string, unknown>;
  private stdoutBytesSeen = false;
  private spawnedAt = 0;
  /** Why the connection to the server is gone (exit, stdout closed…): the error of calls that were pending. */
  private connectionLost?: string;
  private invalidCount = 0;

  constructor(private readonly opts: SessionOptions) {
    this.server = opts.server;
    this.serverId = opts.server.id;
    this.trace = opts.trace ?? NULL_TRACE_SINK;
    this.startupTimeoutMs = opts.startupTimeoutMs ?? 30000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60000;
    this.stopGraceMs = opts.stopGraceMs ?? 2000;
    this.workspaceFolder = opts.workspaceFolder ?? opts.server.workspaceFolder;
  }

  // ---------------------------------------------------------------- public API

  /** Snapshot for the UI. */
  view(): SessionView {
    return {
      serverId: this.serverId,
      serverName: this.server.name,
      state: this.state,
      tools: [...this.tools],
      resources: [...this.resources],
      resourceTemplates: [...this.templates],
      prompts: [...this.prompts],
      findings: [...this.findings.values()],
      stderrTail: [...(this.proc?.stderrTail ?? this.stderrTail)],
      toolStats: this.stats.snapshot(),
      pid: this.proc?.running ? this.proc.pid : undefined,
    };
  }

  /** Starts (or attaches over HTTP); resolves when running or failed. Never rejects. */
  start(): Promise<void> {
    if (this.startPromise) return this.startPromise;
    if (this.phase === 'running') return Promise.resolve();
    const run = async () => {
      if (this.stopPromise) await this.stopPromise;
      const gen = ++this.generation;
      this.resetForStart();
      try {
        await this.doStart(gen);
      } catch (err) {
        if (gen === this.generation && this.phase !== 'stopping') this.fail(`Unexpected error: ${errorText(err)}`);
      }
    };
    this.startPromise = run().finally(() => (this.startPromise = undefined));
    return this.startPromise;
  }

  /** Graceful stop; resolves when the process tree is gone. Never rejects. */
  stop(): Promise<void> {
    if (this.stopPromise) return this.stopPromise;
    if (this.phase === 'idle' && !this.startPromise && !this.proc?.running) return Promise.resolve();
    const run = async () => {
      const wasActive = this.phase !== 'idle' && this.phase !== 'failed';
      this.phase = 'stopping';
      this.generation++;
      const proc = this.proc;
      const client = this.client;
      const http = this.httpTransport;
      this.client = undefined;
      this.httpTransport = undefined;
      try {
        // Streamable HTTP: end the server-side session (DELETE with Mcp-Session-Id) before closing.
        if (http instanceof StreamableHTTPClientTransport && http.sessionId)
          await withTimeout(http.terminateSession(), 1000).catch(() => undefined);
        if (proc) await proc.stop(this.stopGraceMs);
        if (client) await withTimeout(client.close(), this.stopGraceMs + 1000);
      } catch {
        // best effort: the process stop above is what matters
      }
      if (proc) await proc.stop(this.stopGraceMs);
      const exit = proc?.exitInfo;
      if (proc) this.stderrTail = [...proc.stderrTail];
      this.phase = 'idle';
      if (wasActive || this.state.kind !== 'error') {
        this.setState({ kind: 'stopped', exitCode: exit?.code ?? null, signal: exit?.signal ?? null });
        this.lifecycle(exit ? `stopped (${describeExit(exit)})` : 'stopped');
      }
    };
    this.stopPromise = run()
      .catch(() => undefined)
      .finally(() => (this.stopPromise = undefined));
    return this.stopPromise;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    this._onDidChangeState.dispose();
    this._onDidChangeLists.dispose();
    this._onDidChangeFindings.dispose();
    this._onDidChangeStats.dispose();
    this._onOutput.dispose();
  }

  /** Process health samples (RSS bytes, open fds), newest last; empty for HTTP-only sessions. */
  health(): { ts: number; rssBytes: number; fds: number }[] {
    return this.proc ? [...this.proc.samples] : [];
  }

  /** Resolves when asynchronous finding work (locating stdout pollution in sources) is done. */
  async flushFindings(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async callTool(name: string, args: Record<string, unknown>, opts: CallOptions = {}): Promise<CallOutcome> {
    const outcome = await this.rawRequest('tools/call', { name, arguments: args ?? {} }, opts);
    const findings: Finding[] = [];
    if (outcome.result && typeof outcome.result === 'object') {
      const result = outcome.result as Record<string, unknown>;
      outcome.isError = result.isError === true;
      if (outcome.isError) {
        outcome.ok = false;
        outcome.error = { message: firstText(result) ?? 'the tool returned isError: true' };
      }
      this.checkResultSize(name, result, findings);
      const tool = this.tools.find((t) => t.name === name);
      if (tool?.outputSchema && !outcome.isError) {
        const sc = result.structuredContent;
        let problem: string | undefined;
        if (sc === undefined || sc === null)
          problem = `Tool \`${name}\` declares an \`outputSchema\` but its result has no \`structuredContent\``;
        else {
          const v = validateAgainst(tool.outputSchema, sc);
          if (!v.ok && !v.schemaError)
            problem = `The \`structuredContent\` of tool \`${name}\` does not match its \`outputSchema\`: ${v.errors.slice(0, 5).join('; ')}`;
        }
        if (problem) {
          const f = this.makeFinding(
            'MCP203',
            'error',
            `${problem}. Spec-following clients reject such results ("has an output schema but did not return structured content", MCP error -32600). Return a value matching the declared schema (in FastMCP the schema comes from the return annotation).`,
            undefined,
            { tool: name, structuredContent: sc === undefined ? undefined : truncateJson(sc) },
          );
          findings.push(f);
          this.setFinding(`MCP203:${name}`, f);
        }
      }
    } else if (
      outcome.error?.code !== undefined &&
      [ErrorCode.MethodNotFound, ErrorCode.InvalidParams, ErrorCode.InternalError].includes(outcome.error.code)
    ) {
      this.countJsonRpcError(name, outcome.error.code, outcome.error.message);
    } else if (outcome.timedOut) {
      const key = `MCP717:${name}`;
      const count = ((this.findings.get(key)?.data?.count as number | undefined) ?? 0) + 1;
      const secs = ((opts.timeoutMs ?? this.requestTimeoutMs) / 1000).toFixed(1).replace(/\.0$/, '');
      this.setFinding(
        key,
        this.makeFinding(
          'MCP717',
          'warning',
          `Tool \`${name}\` did not answer within ${secs} s${count > 1 ? ` (${count} times)` : ''}; MCP Doctor gave up and sent \`notifications/cancelled\`. Clients give up the same way (often after 60 s) and the user sees only a timeout. Find what the handler waits on (a network call without a timeout, a lock, a blocking call in an async handler); long-running tools should send progress notifications (clients may extend their timeout) and stop when cancelled.`,
          undefined,
          { tool: name, timeoutMs: opts.timeoutMs ?? this.requestTimeoutMs, count },
        ),
      );
    }
    outcome.findings = findings;
    this.stats.record(name, outcome.durationMs, !outcome.ok);
    this._onDidChangeStats.fire(name);
    return outcome;
  }

  readResource(uri: string, opts: CallOptions = {}): Promise<CallOutcome> {
    return this.rawRequest('resources/read', { uri }, opts);
  }

  getPrompt(name: string, args: Record<string, string>, opts: CallOptions = {}): Promise<CallOutcome> {
    return this.rawRequest('prompts/get', { name, arguments: args ?? {} }, opts);
  }

  /** Any request by method name (used by the trace view's "replay"). */
  request(method: string, params: unknown, opts: CallOptions = {}): Promise<CallOutcome> {
    if (method.startsWith('notifications/')) return this.notify(method, params);
    if (method === 'tools/call' && params && typeof params === 'object') {
      const p = params as { name?: unknown; arguments?: unknown };
      if (typeof p.name === 'string')
        return this.callTool(p.name, (p.arguments as Record<string, unknown>) ?? {}, opts);
    }
    return this.rawRequest(method, params, opts);
  }

  /** Sends a notification (no response expected); `ok` once it is written. */
  private async notify(method: string, params: unknown): Promise<CallOutcome> {
    const t0 = performance.now();
    const client = this.client;
    if (!client || this.phase !== 'running')
      return {
        ok: false,
        error: { message: `The server is not running (${this.state.kind}).` },
        durationMs: 0,
        findings: [],
      };
    try {
      // Straight to the transport: replaying must not be blocked by the SDK's capability checks.
      const transport = client.transport;
      if (!transport) throw new Error('not connected');
      await transport.send(
        params === undefined || params === null
          ? { jsonrpc: '2.0', method }
          : ({ jsonrpc: '2.0', method, params } as never),
      );
      return { ok: true, durationMs: performance.now() - t0, findings: [] };
    } catch (err) {
      return { ok: false, error: { message: errorText(err) }, durationMs: performance.now() - t0, findings: [] };
    }
  }

  // ---------------------------------------------------------------- start

  private resetForStart(): void {
    this.tools = [];
    this.resources = [];
    this.templates = [];
    this.prompts = [];
    this.findings.clear();
    this.jsonRpcErrors.clear();
    this.stats.clear();
    this.largestResult.clear();
    this.noiseSeen.clear();
    this.noiseCount = 0;
    this.stderrTail = [];
    this.initRequestId = undefined;
    this.initResponse = undefined;
    this.stdoutBytesSeen = false;
    this.connectionLost = undefined;
    this.invalidCount = 0;
    this.growthReported = false;
    this.runningSince = undefined;
    this.httpLogSplitter = undefined;
    this.proc = undefined;
    this.client = undefined;
    this._onDidChangeFindings.fire();
    this._onDidChangeLists.fire();
  }

  private async doStart(gen: number): Promise<void> {
    const s = this.server;
    this.phase = 'spawning';
    this.setState({ kind: 'starting', since: Date.now() });
    if (s.command) {
      const spawned = this.spawn(gen);
      if (!spawned) return;
      if (s.url || !spawned.transport) await this.connectHttp(gen, s.url!, spawned.proc);
      else await this.connectStdio(gen, spawned.proc, spawned.transport);
    } else if (s.url) {
      await this.connectHttp(gen, s.url);
    } else {
      this.fail('The config entry has neither a `command` nor a `url`.');
    }
  }

  private cwd(): string {
    const base = this.workspaceFolder ?? os.homedir();
    if (!this.server.cwd) return base;
    const c = this.server.cwd.replace(/^~(?=$|[\\/])/, os.homedir());
    return path.resolve(base, c);
  }

  private spawn(gen: number): { proc: ManagedProcess; transport?: ProcessStdioTransport } | undefined {
    const s = this.server;
    const env: Record<string, string> = {};
    const base = this.opts.baseEnv ?? defaultEnvironment();
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
    if (s.envFile) {
      const file = path.resolve(this.workspaceFolder ?? os.homedir(), s.envFile);
      const r = readEnvFile(file);
      if (r.error)
        this.setFinding(
          'MCP064',
          this.makeFinding(
            'MCP064',
            'warning',
            `\`envFile\` ${file} could not be read (${r.error}); the server starts without its variables.`,
          ),
        );
      Object.assign(env, r.env);
    }
    for (const [k, v] of Object.entries(s.env ?? {})) if (v !== undefined) env[k] = v;
    const cwd = this.cwd();
    const cmdLine = [s.command!, ...(s.args ?? [])].map(shellQuote).join(' ');
    this.lifecycle(`$ ${cmdLine}   (cwd ${cwd})`);
    this.spawnedAt = performance.now();
    let transport: ProcessStdioTransport | undefined;
    const isHttp = !!s.url;
    if (isHttp) {
      // An HTTP server started by command: its stdout is a log, kept with stderr.
      this.httpLogSplitter = new LineSplitter((line) => {
        this.proc?.appendTail(line);
        this.onStderrLine(gen, line, now());
      }, 1024 * 1024);
    }
    const started = ManagedProcess.start(
      { command: s.command!, args: s.args ?? [], cwd, env },
      {
        stdout: (chunk) => {
          if (gen !== this.generation) return;
          this.stdoutBytesSeen = true;
          if (isHttp) this.httpLogSplitter!.push(chunk);
          else transport?.feed(chunk);
        },
        stderrLine: (line, ts) => this.onStderrLine(gen, line, ts),
        stdoutEnd: () => {
          if (!isHttp) void this.onStdoutEnd(gen);
        },
        exit: (info) => this.onExit(gen, info),
      },
    );
    if (!started.ok) {
      if (started.reason === 'not-found') {
        const msg = `Command \`${started.command}\` not found on PATH (PATH=${started.searchedPath || '(empty)'}). Install it, or use an absolute path in \`command\`${
          /^(uvx?|npx|node|python3?|docker|deno|bun)$/.test(started.command)
            ? ` (GUI-launched editors often have a shorter PATH than your shell: use the full path, e.g. from \`which ${started.command}\`)`
            : ''
        }.`;
        this.setFinding(
          'MCP061',
          this.makeFinding('MCP061', 'error', msg, undefined, {
            command: started.command,
            path: started.searchedPath,
          }),
        );
        this.fail(`command \`${started.command}\` not found on PATH`);
      } else {
        const msg = `The working directory \`${started.cwd}\` does not exist, so the server cannot start. Fix \`cwd\` in the config.`;
        this.setFinding('MCP063', this.makeFinding('MCP063', 'error', msg, undefined, { cwd: started.cwd }));
        this.fail(`cwd ${started.cwd} does not exist`);
      }
      return undefined;
    }
    const proc = started.process;
    this.proc = proc;
    this.lifecycle(`started (pid ${proc.pid})`);
    if (!isHttp)
      transport = new ProcessStdioTransport(proc, this.wireTap(gen), this.stopGraceMs, this.opts.maxLineBytes);
    const interval = this.opts.healthIntervalMs ?? 5000;
    if (interval > 0) proc.startSampling(interval, 720, () => this.checkGrowth(proc));
    return { proc, transport };
  }

  private async connectStdio(gen: number, proc: ManagedProcess, transport: ProcessStdioTransport): Promise<void> {
    const client = this.newClient();
    this.client = client;
    this.phase = 'handshake';
    transport.onNotification = (n) => this.fastNotification(client, n);
    try {
      await client.connect(transport, { timeout: this.startupTimeoutMs });
    } catch (err) {
      if (gen !== this.generation) return;
      await this.handshakeFailed(gen, err, proc);
      return;
    }
    if (gen !== this.generation) return;
    await this.afterHandshake(gen, client);
  }

  private async connectHttp(gen: number, url: string, proc?: ManagedProcess): Promise<void> {
    const s = this.server;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      this.fail(`invalid url ${url}`);
      return;
    }
    if (proc) {
      // A server started by command that serves HTTP: wait until it listens.
      const hp = hostPortOf(url)!;
      this.phase = 'handshake';
      const listening = await waitForPort(
        hp.host,
        hp.port,
        this.startupTimeoutMs,
        () => !proc.running || gen !== this.generation,
      );
      if (gen !== this.generation) return;
      if (!listening) {
        if (!proc.running) await this.handshakeFailed(gen, new Error('process exited'), proc);
        else {
          this.setFinding(
            'MCP707',
            this.makeFinding(
              'MCP707',
              'error',
              `The server process is running but nothing listens on ${hp.host}:${hp.port} after ${Math.round(this.startupTimeoutMs / 1000)} s. Check that the port/host in \`url\` match what the server binds (and that it starts an HTTP transport).${this.stderrSuffix(proc)}`,
              undefined,
              { url, stderrTail: proc.stderrTail.slice(-20) },
            ),
          );
          this.fail(`nothing listens on ${hp.host}:${hp.port}`);
          void proc.stop(this.stopGraceMs);
        }
        return;
      }
    }
    const headers = { ...(s.headers ?? {}) };
    const requestInit: RequestInit = { headers };
    const tap = this.wireTap(gen);
    this.phase = 'handshake';
    this.spawnedAt = proc ? this.spawnedAt : performance.now();
    const attempt = async (kind: 'http' | 'sse'): Promise<{ client?: Client; error?: unknown; sessionId?: string }> => {
      const inner: Transport =
        kind === 'http'
          ? new StreamableHTTPClientTransport(parsed, { requestInit })
          : new SSEClientTransport(parsed, { requestInit }); // the SDK sends requestInit headers on the GET too
      const client = this.newClient();
      this.client = client;
      try {
        await client.connect(new TappedTransport(inner, tap), { timeout: this.startupTimeoutMs });
        this.httpTransport = inner;
        return { client };
      } catch (error) {
        return { error, sessionId: inner.sessionId };
      }
    };
    let used: 'http' | 'sse' = s.transport === 'sse' ? 'sse' : 'http';
    let r = await attempt(used);
    if (gen !== this.generation) return;
    const status = httpStatusOf(r.error);
    if (r.error && used === 'http' && status === 404 && r.sessionId && this.initResponse) {
      // It answered `initialize` over Streamable HTTP with a session id, then lost that session.
      this.reportSessionLost(r.sessionId, 'notifications/initialized', errorText(r.error));
      this.fail('the server lost the session (HTTP 404)');
      if (proc) await proc.stop(this.stopGraceMs);
      return;
    }
    if (r.error && used === 'http' && status !== undefined && status >= 400 && status < 500) {
      // Like VS Code: a 4xx to the initial POST means "maybe a legacy SSE server".
      this.lifecycle(`Streamable HTTP answered ${status}; falling back to SSE`);
      used = 'sse';
      const r2 = await attempt('sse');
      if (gen !== this.generation) return;
      if (!r2.error) r = r2;
      else r = { error: httpStatusOf(r2.error) !== undefined || status === undefined ? r2.error : r.error };
    }
    if (r.error) {
      await this.httpFailed(gen, r.error, url, used, proc);
      return;
    }
    this.lifecycle(`connected over ${used === 'http' ? 'Streamable HTTP' : 'SSE'} to ${url}`);
    await this.afterHandshake(gen, r.client!);
  }

  private newClient(): Client {
    const client = new Client(this.opts.clientInfo ?? { name: 'mcp-doctor', version: '0.1.0' }, { capabilities: {} });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.track(this.refresh('tools')));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.track(this.refresh('resources')));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.track(this.refresh('prompts')));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => this.emitLog(n.params));
    client.onerror = () => {
      // Transport-level errors surface through the pending request or the exit handler.
    };
    return client;
  }

  private emitLog(params: { level: string; logger?: string; data?: unknown }): void {
    const { level, logger, data } = params;
    let text: string;
    if (typeof data === 'string') text = data;
    else {
      try {
        text = JSON.stringify(data);
      } catch {
        text = String(data);
      }
    }
    this._onOutput.fire({ kind: 'log', level, text: logger ? `${logger}: ${text}` : text, ts: now() });
  }

  /**
   * Stdio fast path for notifications (see `ProcessStdioTransport.onNotification`): log messages are
   * handled here; the others go straight to the SDK's notification dispatch when this SDK version
   * has it (`Protocol._onnotification`), skipping its message classification.
   */
  private fastNotification(client: Client, n: { method: string; params?: unknown }): boolean {
    if (n.method === 'notifications/message') {
      const p = n.params as { level?: unknown; logger?: unknown; data?: unknown } | undefined;
      if (
        !p ||
        typeof p !== 'object' ||
        typeof p.level !== 'string' ||
        (p.logger !== undefined && typeof p.logger !== 'string')
      )
        return false;
      this.emitLog(p as { level: string; logger?: string; data?: unknown });
      return true;
    }
    const dispatch = (client as unknown as { _onnotification?: (n: unknown) => void })._onnotification;
    if (typeof dispatch !== 'function' || client.transport === undefined) return false;
    dispatch.call(client, n);
    return true;
  }

  private async afterHandshake(gen: number, client: Client): Promise<void> {
    const initializeMs = performance.now() - this.spawnedAt;
    const info = client.getServerVersion();
    const protocolVersion = (this.initResponse?.protocolVersion as string | undefined) ?? LATEST_PROTOCOL_VERSION;
    this.lifecycle(
      `initialized in ${Math.round(initializeMs)} ms (protocol ${protocolVersion}${info ? `, ${info.name} ${info.version}` : ''})`,
    );
    this.phase = 'listing';
    await this.refresh('all', gen);
    if (gen !== this.generation || this.phase !== 'listing') return;
    this.phase = 'running';
    this.runningSince = Date.now();
    this.setState({
      kind: 'running',
      initializeMs,
      protocolVersion,
      serverName: info?.name,
      serverVersion: info?.version,
    });
  }

  // ---------------------------------------------------------------- failures

  private async handshakeFailed(gen: number, err: unknown, proc: ManagedProcess): Promise<void> {
    // Busy or idle while it did not answer? (Read before the SDK's close stops the process.)
    const cpu = proc.running ? cpuSeconds(proc.pid) : undefined;
    const elapsed = (performance.now() - this.spawnedAt) / 1000;
    // The process may be exiting right now: give the exit (and the last stderr bytes) a moment.
    if (proc.running) await Promise.race([proc.exited, sleep(300)]);
    if (gen !== this.generation) return;
    const exit = proc.exitInfo;
    const message = errorText(err);
    // The SDK closes the transport (our stdin) on a handshake timeout; the exit that follows is ours.
    const timedOut = err instanceof McpError && err.code === ErrorCode.RequestTimeout;
    const init = this.initResponse;
    if (init && !('error' in init) && (typeof init.protocolVersion !== 'string' || /protocol version/i.test(message))) {
      this.reportProtocolVersion(init, message);
    } else if (init && 'error' in init && /version/i.test(JSON.stringify(init.error) ?? '')) {
      this.reportProtocolVersion(init, message);
    } else if (exit && !timedOut) {
      this.reportCrash(exit, proc, 'before answering `initialize`');
    } else if (timedOut) {
      const noise = this.noiseCount
        ? ` It wrote ${this.noiseCount} non-JSON line(s) to stdout (see MCP101/MCP102).`
        : this.stdoutBytesSeen
          ? ''
          : ' It wrote nothing to stdout.';
      const busy = cpu === undefined ? undefined : cpu / Math.max(elapsed, 0.001);
      const cpuNote =
        busy === undefined
          ? ''
          : busy > 0.5
            ? ` It was busy (${cpu!.toFixed(1)} s of CPU in ${elapsed.toFixed(1)} s): slow imports or work before \`run()\` delay the handshake (MCP401); move heavy setup into the tools or after startup.`
            : ` It was idle (${cpu!.toFixed(1)} s of CPU in ${elapsed.toFixed(1)} s): it is waiting for something (a network call, a lock, or a read of stdin that competes with the MCP transport, MCP103).`;
      this.setFinding(
        'MCP707',
        this.makeFinding(
          'MCP707',
          'error',
          `The server did not answer \`initialize\` within ${Math.round(this.startupTimeoutMs / 1000)} s; clients show "Server did not connect" / "timed out".${noise}${cpuNote || ' Check for slow imports at startup, a blocking read of stdin, or logging to stdout.'}${this.stderrSuffix(proc)}`,
          undefined,
          {
            timeoutMs: this.startupTimeoutMs,
            stderrTail: proc.stderrTail.slice(-20),
            stdoutNoise: this.noiseCount,
            cpuSeconds: cpu,
            elapsedSeconds: elapsed,
          },
        ),
      );
    } else if (this.findings.has('MCP712')) {
      // reported by onStdoutEnd
    } else {
      this.setFinding(
        'MCP711',
        this.makeFinding(
          'MCP711',
          'error',
          `The \`initialize\` handshake failed: ${message}.${this.stderrSuffix(proc)}`,
          undefined,
          { error: message },
        ),
      );
    }
    this.fail(
      exit && !timedOut
        ? `process exited (${describeExit(exit)}) during startup`
        : timedOut
          ? '`initialize` not answered in time'
          : this.findings.has('MCP712')
            ? 'the server closed its stdout during the handshake'
            : message,
    );
    this.phase = 'failed';
    await proc.stop(this.stopGraceMs);
  }

  private reportProtocolVersion(init: Record<string, unknown>, sdkMessage: string): void {
    const v = init.protocolVersion;
    const msg =
      'error' in init
        ? `The server rejected \`initialize\` with protocol version "${LATEST_PROTOCOL_VERSION}": ${truncate(JSON.stringify(init.error) ?? '', 300)}. Servers must answer with a version they support instead of an error; upgrade the server's MCP SDK.`
        : typeof v === 'string'
          ? `The server answered \`initialize\` with protocol version "${v}", which this client (MCP SDK) does not support (it asked for "${LATEST_PROTOCOL_VERSION}" and supports ${SUPPORTED_PROTOCOL_VERSIONS.map((x) => `"${x}"`).join(', ')}). Clients disconnect with "Server's protocol version is not supported". Echo the requested version when you support it, or upgrade the server's MCP SDK.`
          : `The server's \`initialize\` result has no \`protocolVersion\` (SDK: ${sdkMessage}). Clients cannot negotiate a version and disconnect. Return the requested version ("${LATEST_PROTOCOL_VERSION}") or upgrade the server's MCP SDK.`;
    this.setFinding(
      'MCP709',
      this.makeFinding('MCP709', 'error', msg, undefined, {
        answered: v,
        requested: LATEST_PROTOCOL_VERSION,
        supported: [...SUPPORTED_PROTOCOL_VERSIONS],
      }),
    );
  }

  private reportCrash(exit: ExitInfo, proc: ManagedProcess, when: string): void {
    const tail = proc.stderrTail;
    const trace = parseLastTrace(tail);
    let loc: { file: string; range: Range } | undefined;
    if (trace && this.workspaceFolder) {
      const frame = deepestWorkspaceFrame(trace, this.workspaceFolder, this.cwd());
      if (frame) loc = { file: frame.file, range: lineRange(frame.file, frame.line) };
    }
    const hint = crashHint(trace?.exception ?? '', tail);
    const noOutput = exit.code === 0 && !this.stdoutBytesSeen && !tail.length;
    let msg = `The server process exited (${describeExit(exit)}) ${when}`;
    if (exit.error) msg = `The server process could not be started: ${exit.error.message}`;
    if (trace) msg += `: ${trace.exception}`;
    msg += '.';
    if (noOutput)
      msg +=
        ' It exited with code 0 and wrote nothing: it probably never starts a transport (missing `mcp.run()` / `server.connect(transport)` or `if __name__ == "__main__"` guard; MCP104).';
    if (hint) msg += ` ${hint}`;
    if (!loc) msg += this.stderrSuffix(proc);
    const related = loc
      ? [
          {
            file: this.server.file,
            range: this.server.range,
            message: `server \`${this.server.name}\` is configured here`,
          },
        ]
      : undefined;
    const f = this.makeFinding('MCP708', 'error', msg, loc, {
      exitCode: exit.code,
      signal: exit.signal,
      exception: trace?.exception,
      frames: trace?.frames.slice(-10),
      stderrTail: tail.slice(-20),
    });
    if (related) f.related = related;
    this.setFinding('MCP708', f);
  }

  private async httpFailed(
    gen: number,
    err: unknown,
    url: string,
    used: 'http' | 'sse',
    proc?: ManagedProcess,
  ): Promise<void> {
    if (gen !== this.generation) return;
    const status = httpStatusOf(err);
    const message = errorText(err);
    if (proc && !proc.running) {
      this.reportCrash(proc.exitInfo!, proc, 'before answering `initialize`');
    } else if (
      this.initResponse &&
      !('error' in this.initResponse) &&
      (typeof this.initResponse.protocolVersion !== 'string' || /protocol version/i.test(message))
    ) {
      this.reportProtocolVersion(this.initResponse, message);
    } else if (status !== undefined && status > 0) {
      let moved = '';
      if (status === 404 || status === 405) {
        const hits = await probeMcpPaths(url, this.server.headers ?? {});
        if (gen !== this.generation) return;
        if (hits.length)
          moved = ` An MCP endpoint answers at ${hits.map((h) => `${h.url} (${h.transport === 'sse' ? 'SSE' : 'Streamable HTTP'})`).join(', ')}: change \`url\` to it.`;
      }
      const advice =
        status === 401 || status === 403
          ? 'The server requires authentication: add the token to `headers` (e.g. `"Authorization": "Bearer ${input:token}"`).'
          : status === 404
            ? 'Nothing serves MCP at this path: check the path in `url` (common: `/mcp`, `/mcp/`, `/sse`).'
            : status === 421 || status === 403
              ? 'The server rejected the Host/Origin (DNS-rebinding protection): allow this host in the server settings.'
              : status >= 500
                ? 'The server failed while handling `initialize`: see its log.'
                : 'The server rejected the `initialize` request.';
      this.setFinding(
        'MCP720',
        this.makeFinding(
          'MCP720',
          'error',
          `HTTP ${status} from ${url} on connect (${used === 'http' ? 'Streamable HTTP, then SSE' : 'SSE'}): ${truncate(message, 300)}. ${advice}${moved}`,
          undefined,
          {
            status,
            url,
          },
        ),
      );
    } else if (isDroppedConnection(err)) {
      this.setFinding(
        'MCP722',
        this.makeFinding(
          'MCP722',
          'error',
          `${url} accepted the connection but closed it without an HTTP response to \`initialize\` (${truncate(message, 200)}). The server (or a proxy in front of it) crashed or rejected the request; see its log.`,
          undefined,
          { url, error: message },
        ),
      );
    } else if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
      this.setFinding(
        'MCP707',
        this.makeFinding(
          'MCP707',
          'error',
          `${url} accepted the connection but did not answer \`initialize\` within ${Math.round(this.startupTimeoutMs / 1000)} s.`,
          undefined,
          { url },
        ),
      );
    } else {
      this.setFinding(
        'MCP721',
        this.makeFinding(
          'MCP721',
          'error',
          `Cannot connect to ${url}: ${truncate(message, 300)}. Is the server running and listening on this host and port?`,
          undefined,
          { url, error: message },
        ),
      );
    }
    this.fail(status ? `HTTP ${status}` : message);
    this.phase = 'failed';
    if (proc) await proc.stop(this.stopGraceMs);
  }

  /** Stdout ended: normal when the process exits; a fault when it lives on (nothing it says can arrive). */
  private async onStdoutEnd(gen: number): Promise<void> {
    const proc = this.proc;
    if (!proc || gen !== this.generation) return;
    // An exiting process closes stdout first: give the exit a moment to be reported.
    await Promise.race([proc.exited, sleep(300)]);
    if (gen !== this.generation || !proc.running || this.phase === 'stopping' || this.phase === 'idle') return;
    const phase = this.phase;
    this.connectionLost = `The server closed its stdout (pid ${proc.pid} is still running), so its answer can never arrive`;
    this.lifecycle(`stdout closed by the server (pid ${proc.pid} still running)`);
    this.setFinding(
      'MCP712',
      this.makeFinding(
        'MCP712',
        'error',
        `The server closed its stdout but keeps running (pid ${proc.pid}${phase === 'handshake' ? ', during the handshake' : ''}): on stdio, stdout is the only way it can answer, so every request now hangs in clients. Something in the server closes or redirects file descriptor 1 (\`sys.stdout.close()\`, \`os.close(1)\`, \`process.stdout.end()\`, a daemonizing library, a subprocess that took over stdout). Stop or restart the server.${this.stderrSuffix(proc)}`,
        undefined,
        { pid: proc.pid, stderrTail: proc.stderrTail.slice(-20) },
      ),
    );
    if (phase !== 'handshake') this.fail('the server closed its stdout');
    // Pending requests (and the handshake) fail now instead of at their timeout.
    (this.client?.transport as ProcessStdioTransport | undefined)?.disconnect?.();
  }

  private onExit(gen: number, info: ExitInfo): void {
    if (gen !== this.generation) return;
    this.connectionLost ??= `The server process exited (${describeExit(info)}) before answering`;
    this.lifecycle(`process exited (${describeExit(info)})`);
    this.stderrTail = [...(this.proc?.stderrTail ?? [])];
    if (this.phase === 'listing' || this.phase === 'running') {
      this.reportCrash(info, this.proc!, this.phase === 'listing' ? 'right after `initialize`' : 'while running');
      this.phase = 'failed';
      this.fail(`Process exited (${describeExit(info)})`);
      void this.proc?.stop(this.stopGraceMs); // clear out children left behind
    }
  }

  private fail(reason: string): void {
    this.phase = 'failed';
    this.setState({ kind: 'error', reason });
    this.lifecycle(`error: ${reason}`);
  }

  // ---------------------------------------------------------------- wire

  private wireTap(gen: number): WireTap {
    return {
      outgoing: (msg, ts, size) => {
        if (this.initRequestId === undefined && (msg as { method?: string }).method === 'initialize')
          this.initRequestId = (msg as { id: string | number }).id;
        this.trace.message('out', msg, ts, size);
      },
      incoming: (msg, ts, size) => {
        if (
          this.initResponse === undefined &&
          this.initRequestId !== undefined &&
          (msg as { id?: unknown }).id === this.initRequestId
        ) {
          const m = msg as { result?: Record<string, unknown>; error?: unknown };
          this.initResponse = m.result ?? { error: m.error };
        }
        this.trace.message('in', msg, ts, size);
      },
      noise: (line, ts) => {
        if (gen !== this.generation) return;
        this.trace.stdoutNoise(line, ts);
        this._onOutput.fire({ kind: 'stdout-noise', text: line, ts });
        this.onNoise(line);
      },
      invalid: (line, reason, ts) => {
        if (gen !== this.generation) return;
        this.trace.stdoutNoise(line, ts);
        this._onOutput.fire({ kind: 'stdout-noise', text: line, ts });
        this.onInvalidMessage(line, reason);
      },
      overflow: (bytes, head, id) => {
        this.setFinding(
          'MCP714',
          this.makeFinding(
            'MCP714',
            'error',
            `The server wrote a ${(bytes / 1048576).toFixed(1)} MB line to stdout, above the ${((this.opts.maxLineBytes ?? 64 * 1048576) / 1048576).toFixed(0)} MB cap; it was dropped${id !== undefined ? ` and the request it answered (id ${JSON.stringify(id)}) failed` : ''} (the SDK's own stdio client closes the connection above 10 MB). Return large data as resources or in pages.`,
            undefined,
            { bytes, head: head.slice(0, 120), id },
          ),
        );
      },
    };
  }

  private onStderrLine(gen: number, line: string, ts: number): void {
    if (gen !== this.generation) return;
    this.trace.stderr(line, ts);
    this._onOutput.fire({ kind: 'stderr', text: line, ts });
  }

  private onNoise(line: string): void {
    this.noiseCount++;
    const key = line.trim().slice(0, 200);
    if (this.noiseSeen.has(key) || this.noiseSeen.size >= 5) return;
    this.noiseSeen.add(key);
    const lang = this.guessLanguage();
    const work = (async () => {
      let loc: { file: string; range: Range } | undefined;
      let code = lang === 'node' ? 'MCP102' : 'MCP101';
      if (this.workspaceFolder) {
        const exts =
          lang === 'python' ? ['.py'] : lang === 'node' ? ['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'] : undefined;
        const found = await locateTextInWorkspace(this.workspaceFolder, line, exts);
        if (found) {
          loc = {
            file: found.file,
            range: {
              start: { line: found.line, character: found.character },
              end: { line: found.line, character: found.character + found.length },
            },
          };
          code = found.file.endsWith('.py') ? 'MCP101' : 'MCP102';
        }
      }
      const fix =
        code === 'MCP101'
          ? '`print(..., file=sys.stderr)`, or `logging` (stderr by default)'
          : '`console.error(...)` instead of `console.log(...)`';
      const f = this.makeFinding(
        code,
        'error',
        `The server wrote a line to stdout that is not JSON-RPC: \`${truncate(line.trim(), 120)}\`. On stdio, stdout is the protocol channel: strict clients (Claude Desktop, Cursor) fail with "Unexpected token … is not valid JSON" and may drop the server. Write logs to stderr: ${fix}.`,
        loc,
        { text: truncate(line, 500), matched: loc ? true : false },
      );
      this.setFinding(`${code}:${key}`, f);
    })().catch(() => undefined);
    this.track(work);
  }

  /** A JSON-looking stdout line that is not JSON-RPC 2.0: one finding per kind of problem (at most 5). */
  private onInvalidMessage(line: string, reason: string): void {
    this.invalidCount++;
    const kind = reason.replace(/\s*\(.*$/s, '').slice(0, 80);
    const key = `MCP713:${kind}`;
    const existing = this.findings.get(key);
    if (!existing && [...this.findings.keys()].filter((k) => k.startsWith('MCP713:')).length >= 5) return;
    const count = ((existing?.data?.count as number | undefined) ?? 0) + 1;
    this.setFinding(
      key,
      this.makeFinding(
        'MCP713',
        'error',
        `The server wrote a line to stdout that is ${reason}: \`${truncate(line.trim(), 120)}\`${count > 1 ? ` (${count} such lines)` : ''}. Every line on stdout must be exactly one JSON-RPC 2.0 message (\`{"jsonrpc": "2.0", ...}\`, serialized with a JSON library, one per line); clients drop such lines or disconnect. MCP Doctor ignored it and kept the session going.`,
        undefined,
        { text: truncate(line, 500), reason, count },
      ),
    );
  }

  private guessLanguage(): 'python' | 'node' | undefined {
    const s = this.server;
    const base = path.basename(s.command ?? '').replace(/\.(exe|cmd|bat)$/i, '');
    for (const a of s.args ?? []) {
      if (/\.py$/i.test(a)) return 'python';
      if (/\.(m|c)?[jt]s$/i.test(a)) return 'node';
    }
    if (PY_COMMANDS.test(base)) return 'python';
    if (NODE_COMMANDS.test(base)) return 'node';
    return undefined;
  }

  // ---------------------------------------------------------------- lists

  private async refresh(which: 'all' | 'tools' | 'resources' | 'prompts', gen = this.generation): Promise<void> {
    const client = this.client;
    if (!client) return;
    const caps = client.getServerCapabilities() ?? {};
    const jobs: Promise<void>[] = [];
    if ((which === 'all' || which === 'tools') && caps.tools) {
      jobs.push(
        this.listAll(client, 'tools/list', 'tools').then((items) => {
          if (gen !== this.generation || !items) return;
          this.tools = items.map(toToolInfo);
          // Lint off the start path (schema meta-validation costs ~1 ms per tool); flushFindings() waits for it.
          this.track(
            new Promise<void>((resolve) =>
              setImmediate(() => {
                if (gen === this.generation) this.lintTools(items);
                resolve();
              }),
            ),
          );
        }),
      );
    }
    if ((which === 'all' || which === 'resources') && caps.resources) {
      jobs.push(
        this.listAll(client, 'resources/list', 'resources').then((items) => {
          if (gen === this.generation && items) this.resources = items as unknown as ResourceInfo[];
        }),
      );
      jobs.push(
        this.listAll(client, 'resources/templates/list', 'resourceTemplates').then((items) => {
          if (gen === this.generation && items) this.templates = items as unknown as ResourceTemplateInfo[];
        }),
      );
    }
    if ((which === 'all' || which === 'prompts') && caps.prompts) {
      jobs.push(
        this.listAll(client, 'prompts/list', 'prompts').then((items) => {
          if (gen === this.generation && items) this.prompts = items as unknown as PromptInfo[];
        }),
      );
    }
    await Promise.all(jobs);
    if (gen === this.generation) this._onDidChangeLists.fire();
  }

  /** Follows `nextCursor` (at most 100 pages); undefined when the list request failed. */
  private async listAll(client: Client, method: string, key: string): Promise<Record<string, unknown>[] | undefined> {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      let result: Record<string, unknown>;
      try {
        result = await client.request({ method, params: cursor ? { cursor } : {} } as never, LooseResult, {
          timeout: this.requestTimeoutMs,
        });
      } catch (err) {
        if (this.phase === 'listing' || this.phase === 'running') {
          if (this.proc && !this.proc.running) return undefined; // the exit handler reports it
          this.setFinding(
            `MCP715:${method}`,
            this.makeFinding(
              'MCP715',
              'warning',
              `\`${method}\` failed: ${errorText(err)}. The server declares this capability, so clients call it and show nothing.`,
              undefined,
              { method },
            ),
          );
        }
        return page ? items : undefined;
      }
      const list = result[key];
      if (Array.isArray(list))
        for (const x of list) if (x && typeof x === 'object') items.push(x as Record<string, unknown>);
      cursor = typeof result.nextCursor === 'string' && result.nextCursor ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    return items;
  }

  private lintTools(items: readonly Record<string, unknown>[]): void {
    for (const k of [...this.findings.keys()]) if (k.startsWith('MCP710:')) this.findings.delete(k);
    for (const p of lintToolList(items)) {
      const f = this.makeFinding(
        'MCP710',
        'warning',
        `Tool \`${p.tool}\` from \`tools/list\`: ${p.problems.join('; ')}.`,
        undefined,
        { tool: p.tool, index: p.index, problems: p.problems },
      );
      this.findings.set(`MCP710:${p.index}:${p.tool}`, f);
    }
    this._onDidChangeFindings.fire();
  }

  // ---------------------------------------------------------------- requests

  private async rawRequest(method: string, params: unknown, opts: CallOptions): Promise<CallOutcome> {
    const t0 = performance.now();
    const client = this.client;
    if (!client || (this.phase !== 'running' && this.phase !== 'listing')) {
      return {
        ok: false,
        error: { message: `The server is not running (${this.state.kind}).` },
        durationMs: 0,
        findings: [],
      };
    }
    const timeout = opts.timeoutMs ?? this.requestTimeoutMs;
    try {
      const result = await client.request(
        { method, params: (params ?? {}) as Record<string, unknown> } as never,
        LooseResult,
        {
          timeout,
          signal: opts.signal,
          resetTimeoutOnProgress: !!opts.onProgress,
          maxTotalTimeout: opts.onProgress ? Math.max(timeout * 10, 600000) : undefined,
          onprogress: opts.onProgress
            ? (p) => {
                try {
                  opts.onProgress!({
                    progress: p.progress,
                    total: p.total,
                    message: (p as { message?: string }).message,
                  });
                } catch {
                  // a failing progress listener must not break the call
                }
              }
            : undefined,
        },
      );
      return { ok: true, result, durationMs: performance.now() - t0, findings: [] };
    } catch (err) {
      const durationMs = performance.now() - t0;
      if (opts.signal?.aborted)
        return {
          ok: false,
          cancelled: true,
          error: { message: `cancelled: ${errorText(opts.signal.reason ?? err)}` },
          durationMs,
          findings: [],
        };
      if (this.connectionLost && err instanceof McpError && err.code === ErrorCode.ConnectionClosed) {
        return {
          ok: false,
          error: { code: err.code, message: `${this.connectionLost} (\`${method}\`).` },
          durationMs,
          findings: [],
        };
      }
      if (this.httpTransport && !(err instanceof McpError)) this.httpCallFailed(method, err);
      if (err instanceof McpError) {
        const timedOut = err.code === ErrorCode.RequestTimeout;
        return {
          ok: false,
          timedOut,
          error: { code: err.code, message: stripMcpPrefix(err.message), data: err.data },
          durationMs,
          findings: [],
        };
      }
      return { ok: false, error: { message: errorText(err) }, durationMs, findings: [] };
    }
  }

  /** A request over HTTP failed at the HTTP level mid-session: status, lost session, or dropped connection. */
  private httpCallFailed(method: string, err: unknown): void {
    const url = this.server.url ?? '';
    const status = httpStatusOf(err);
    const message = errorText(err);
    const sessionId = (this.httpTransport as { sessionId?: string } | undefined)?.sessionId;
    if (status === 404 && sessionId) {
      this.reportSessionLost(sessionId, method, message);
      this.fail('the server lost the session (HTTP 404)');
      return;
    }
    if (status !== undefined) {
      const advice =
        status === 401 || status === 403
          ? 'The credentials were rejected mid-session (expired token?): update `headers`.'
          : status === 421
            ? 'The server rejected the Host/Origin (DNS-rebinding protection): allow this host in the server settings.'
            : status >= 500
              ? 'The server failed while handling the request: see its log.'
              : 'The server rejected the request.';
      this.setFinding(
        'MCP720',
        this.makeFinding(
          'MCP720',
          'error',
          `HTTP ${status} from ${url} on \`${method}\` (mid-session): ${truncate(message, 300)}. ${advice}`,
          undefined,
          { status, url, method },
        ),
      );
      return;
    }
    if (isDroppedConnection(err)) {
      this.setFinding(
        'MCP722',
        this.makeFinding(
          'MCP722',
          'error',
          `${url} closed the connection without an HTTP response on \`${method}\` (${truncate(message, 200)}). The server (or a proxy in front of it) crashed or killed the request handler; see its log.`,
          undefined,
          { url, method, error: message },
        ),
      );
    }
  }

  private reportSessionLost(sessionId: string, method: string, message: string): void {
    this.setFinding(
      'MCP723',
      this.makeFinding(
        'MCP723',
        'error',
        `The server answered \`initialize\` with \`Mcp-Session-Id: ${sessionId}\`, then answered HTTP 404 to \`${method}\` carrying that id (${truncate(message, 200)}): it does not find its own session. Typical causes: sessions kept in memory per process/worker behind a load balancer without sticky routing, a restart, a session store that drops entries, or a proxy that strips the \`Mcp-Session-Id\` header. Keep sessions in shared storage or route by session, or run the server stateless (no session ids).`,
        undefined,
        { sessionId, method, status: 404, url: this.server.url },
      ),
    );
  }

  private countJsonRpcError(tool: string, code: number, message: string): void {
    const key = `${tool}:${code}`;
    const e = this.jsonRpcErrors.get(key) ?? { count: 0, last: '' };
    e.count++;
    e.last = message;
    this.jsonRpcErrors.set(key, e);
    const what =
      code === ErrorCode.MethodNotFound
        ? 'Method not found'
        : code === ErrorCode.InvalidParams
          ? 'Invalid params'
          : 'Internal error';
    const advice =
      code === ErrorCode.InvalidParams
        ? "The arguments do not match the tool's input schema, or the schema does not describe what the handler expects."
        : code === ErrorCode.MethodNotFound
          ? 'The server does not implement `tools/call` (or the tool) it advertises.'
          : 'The handler raised an exception that the framework turned into a protocol error; tool failures should be results with `isError: true`.';
    this.setFinding(
      `MCP716:${key}`,
      this.makeFinding(
        'MCP716',
        'warning',
        `\`tools/call\` \`${tool}\` failed ${e.count}× with JSON-RPC ${code} (${what}): ${truncate(message, 200)}. ${advice}`,
        undefined,
        {
          tool,
          code,
          count: e.count,
          lastMessage: message,
        },
      ),
    );
  }

  // ---------------------------------------------------------------- result size

  /** Largest text size seen per tool, so `MCP718` shows the worst call once. */
  private readonly largestResult = new Map<string, number>();
  private checkResultSize(tool: string, result: Record<string, unknown>, findings: Finding[]): void {
    const chars = resultTextChars(result);
    if (chars <= (this.largestResult.get(tool) ?? 0)) return;
    this.largestResult.set(tool, chars);
    const large = largeResultMessage(tool, chars);
    if (!large) return;
    const f = this.makeFinding('MCP718', large.severity, large.message, undefined, {
      tool,
      chars,
      tokens: Math.round(chars / CHARS_PER_TOKEN),
    });
    findings.push(f);
    this.setFinding(`MCP718:${tool}`, f);
  }

  // ---------------------------------------------------------------- health

  private growthReported = false;
  /** Date.now() when the session reached `running` (growth detection starts after a warm-up). */
  private runningSince?: number;
  private checkGrowth(proc: ManagedProcess): void {
    if (this.growthReported) return;
    // Startup (module loading, JIT, caches) is steady growth too: judge only after a warm-up.
    if (!this.runningSince) return;
    const warmup = Math.min(GROWTH_WARMUP_MS, 20 * (this.opts.healthIntervalMs ?? 5000));
    const warm = proc.samples.filter((x) => x.ts >= this.runningSince! + warmup);
    const interval = this.opts.healthIntervalMs ?? 5000;
    const window = Math.min(720, Math.max(12, Math.ceil((this.opts.growthWindowMs ?? 60000) / interval)));
    const v = detectMemoryGrowth(warm, { window });
    if (!v.growing) return;
    this.growthReported = true;
    const mb = (b: number) => (b / 1048576).toFixed(1);
    this.setFinding(
      'MCP719',
      this.makeFinding(
        'MCP719',
        'warning',
        `The server's memory grows steadily: +${mb(v.totalBytes)} MB over ${Math.round(v.windowSeconds)} s (${mb(v.bytesPerSecond * 60)} MB/min, RSS now ${mb(proc.samples[proc.samples.length - 1].rssBytes)} MB). Look for per-call caches, unclosed clients or growing lists.`,
        undefined,
        { ...v },
      ),
    );
  }

  // ---------------------------------------------------------------- helpers

  private makeFinding(
    code: string,
    severity: Severity,
    message: string,
    loc?: { file: string; range: Range },
    data?: Record<string, unknown>,
  ): Finding {
    return {
      code,
      severity,
      message,
      file: loc?.file ?? this.server.file,
      range: loc?.range ?? this.server.range,
      origin: 'runtime',
      server: this.server.name,
      data,
    };
  }

  private setFinding(key: string, f: Finding): void {
    this.findings.set(key, f);
    this._onDidChangeFindings.fire();
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

  private stderrSuffix(proc?: ManagedProcess): string {
    const tail = (proc?.stderrTail ?? this.stderrTail).slice(-8);
    return tail.length ? ` Last stderr lines:\n${tail.join('\n')}` : ' The server wrote nothing to stderr.';
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

// ---------------------------------------------------------------- module helpers

function toToolInfo(t: Record<string, unknown>): ToolInfo {
  return {
    name: String(t.name ?? ''),
    title: typeof t.title === 'string' ? t.title : undefined,
    description: typeof t.description === 'string' ? t.description : undefined,
    inputSchema: (t.inputSchema && typeof t.inputSchema === 'object' ? t.inputSchema : {}) as Record<string, unknown>,
    outputSchema:
      t.outputSchema && typeof t.outputSchema === 'object' ? (t.outputSchema as Record<string, unknown>) : undefined,
    annotations:
      t.annotations && typeof t.annotations === 'object' ? (t.annotations as Record<string, unknown>) : undefined,
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND...) is in `cause`.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message;
    return why && !err.message.includes(why) ? `${err.message} (${why})` : err.message;
  }
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/** fetch() failed because the peer closed or reset the connection (not refused, not a timeout). */
function isDroppedConnection(err: unknown): boolean {
  return /UND_ERR_SOCKET|ECONNRESET|EPIPE|other side closed|socket hang up/i.test(errorText(err));
}

function stripMcpPrefix(m: string): string {
  return m.replace(/^MCP error -?\d+: /, '');
}

function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof StreamableHTTPError) return err.code;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number') {
    const c = (err as { code: number }).code;
    if (c >= 100 && c < 600 && err.constructor?.name !== 'McpError') return c;
  }
  const m = /\b(?:HTTP|status(?: code)?|Non-200 status code \()\s*(\d{3})\b/i.exec(errorText(err));
  return m ? Number(m[1]) : undefined;
}

export function describeExit(e: ExitInfo): string {
  if (e.error) return `spawn error: ${e.error.message}`;
  if (e.signal) return `signal ${e.signal}`;
  return `code ${e.code}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function truncateJson(v: unknown): unknown {
  try {
    const s = JSON.stringify(v);
    return s.length > 2000 ? s.slice(0, 2000) + '…' : v;
  } catch {
    return undefined;
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

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, sleep(ms).then(() => undefined)]);
}
