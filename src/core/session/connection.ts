import { cpuSeconds } from '../process/health';
import { LineSplitter } from '../process/lineSplitter';
import { ManagedProcess, type ExitInfo } from '../process/managedProcess';
import { secretEnvReadsOf, serverCode, type EnvRead } from '../runtime/envReads';
import { deepestWorkspaceFrame, lineRange, parseLastTrace } from '../runtime/stackTraces';
import { now } from '../trace/types';
import { withTimeout } from '../util/async';
import {
  commandNotFound,
  crashFinding,
  cwdMissing,
  describeExit,
  diagnoseHandshake,
  envFileUnreadable,
  httpMidSession,
  sessionLost,
  type CrashEvidence,
  type Subject,
  type Verdict,
} from './diagnosis';
import { missingEnv, missingEnvMention, stdoutClosed } from './runDiagnosis';
import { eraUnavailable, noCommonVersion } from './eraDiagnosis';
import { attachHttp, type HttpAttachContext } from './httpAttach';
import { lostSessionId, ReinitializeBudget, sessionReinitialized } from './httpReconnect';
import { NotificationRouter } from './notifications';
import { launchSpec, serverCwd } from './launch';
import {
  createClient,
  errorText,
  httpStatusOf,
  isClosedDuringEraProbe,
  isEraUnavailable,
  isConnectionClosed,
  isTimeout,
  LATEST_PROTOCOL_VERSION,
  callToolWithHeaders,
  LOOSE_RESULT,
  needsParamHeaders,
  negotiatedEra,
  notificationDispatch,
  protocolErrorOf,
  SUPPORTED_PROTOCOL_VERSIONS,
  terminateHttpSession,
  type Client,
  type EraPreference,
  type JSONRPCMessage,
  type Transport,
} from './sdk';
import type {
  ConnectedInfo,
  ConnectionEvents,
  ConnectionOptions,
  OpenResult,
  RequestOptions,
  RequestOutcome,
} from './connectionTypes';
import { probeTimeoutMs, startDeadline } from './pausableTimeout';
import { ProcessStdioTransport } from './transports';
import { WireEvidence } from './wireEvidence';

/** The error code SDKs give a request that timed out on the client side. */
const REQUEST_TIMEOUT = -32001;

/**
 * One start of one server: the process (for command servers), the transport and the SDK client,
 * created by `open()` and released together by `dispose()`. A restart makes a new connection, so
 * nothing from an old start can reach the session after it is disposed.
 */
export class McpConnection {
  private proc?: ManagedProcess;
  private client?: Client;
  private httpTransport?: Transport;
  private httpLog?: LineSplitter;
  private state: 'new' | 'opening' | 'open' | 'lost' | 'disposed' = 'new';
  private spawnedAt = 0;
  private readonly wire: WireEvidence;
  /** The environment the process was started with (command servers). */
  private launchEnv?: Record<string, string>;
  /** Why the connection is gone (exit, stdout closed…): the error of requests that were pending. */
  private lostReason?: string;
  private disposing?: Promise<void>;
  private readonly subject: Subject;
  private readonly notifications: NotificationRouter;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly events: ConnectionEvents,
  ) {
    const s = opts.server;
    this.subject = { name: s.name, file: s.file, range: s.range, url: s.url };
    this.notifications = new NotificationRouter(events);
    this.wire = new WireEvidence(this.subject, opts, events, () => this.closing);
  }

  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }

  get stderrTail(): readonly string[] {
    return this.proc?.stderrTail ?? [];
  }

  /** Health samples (RSS bytes, open fds), newest last; empty for HTTP-only connections. */
  get samples(): readonly { ts: number; rssBytes: number; fds: number }[] {
    return this.proc?.samples ?? [];
  }

  get isOpen(): boolean {
    return this.state === 'open' && !this.disposing;
  }

  /** Disposed, or being disposed: nothing it reports matters any more. */
  private get closing(): boolean {
    return this.state === 'disposed' || this.disposing !== undefined;
  }

  /** The server's declared capabilities (after `open`). */
  capabilities(): Record<string, unknown> {
    return (this.client?.getServerCapabilities() ?? {}) as Record<string, unknown>;
  }

  /** Spawns or attaches, and performs the handshake in the era asked for. Never rejects. */
  async open(): Promise<OpenResult> {
    this.state = 'opening';
    try {
      const s = this.opts.server;
      if (s.command) {
        const spawned = this.spawn();
        if ('verdict' in spawned) return { ok: false, verdict: spawned.verdict };
        return s.url ? await this.openHttp(s.url, spawned.proc) : await this.openStdio(spawned.proc, this.opts.era, []);
      }
      if (s.url) return await this.openHttp(s.url);
      return { ok: false, verdict: { findings: [], reason: 'The config entry has neither a `command` nor a `url`.' } };
    } catch (err) {
      return { ok: false, verdict: { findings: [], reason: `Unexpected error: ${errorText(err)}` } };
    }
  }

  // ---------------------------------------------------------------- spawn

  private spawn(): { proc: ManagedProcess } | { verdict: Verdict } {
    const s = this.opts.server;
    const spec = launchSpec(s, this.opts.baseEnv, this.opts.workspaceFolder);
    this.launchEnv = spec.env;
    if (spec.envFileProblem)
      this.events.finding(envFileUnreadable(this.subject, spec.envFileProblem.file, spec.envFileProblem.error));
    this.lifecycle(`$ ${spec.commandLine}   (cwd ${spec.cwd})`);
    this.spawnedAt = performance.now();
    const isHttp = !!s.url;
    // An HTTP server started by command: its stdout is a log, kept with stderr.
    if (isHttp)
      this.httpLog = new LineSplitter((line) => {
        this.proc?.appendTail(line);
        this.onStderrLine(line, now());
      }, 1024 * 1024);
    let transport: ProcessStdioTransport | undefined;
    const started = ManagedProcess.start(
      { command: spec.command, args: spec.args, cwd: spec.cwd, env: spec.env },
      {
        stdout: (chunk) => {
          if (this.closing) {
            // A request from a stdio server while it is being stopped can never be answered, and
            // such a server waits for the answer instead of exiting: no point in the grace period.
            if (!isHttp && chunk.includes('"method"') && chunk.includes('"id"')) this.proc?.hurryStop();
            return;
          }
          this.wire.stdoutBytesSeen = true;
          if (this.httpLog) this.httpLog.push(chunk);
          else transport?.feed(chunk);
        },
        stderrLine: (line, ts) => this.onStderrLine(line, ts),
        stdoutEnd: () => {
          if (!isHttp) void this.onStdoutEnd(started.ok ? started.process : undefined);
        },
        exit: (info) => this.onExit(info, started.ok ? started.process : undefined),
      },
    );
    if (!started.ok) {
      return {
        verdict:
          started.reason === 'not-found'
            ? commandNotFound(this.subject, started.command, started.searchedPath)
            : cwdMissing(this.subject, started.cwd),
      };
    }
    const proc = started.process;
    this.proc = proc;
    this.lifecycle(`started (pid ${proc.pid})`);
    if (!isHttp)
      transport = new ProcessStdioTransport(proc, this.wire.tap(), this.opts.stopGraceMs, this.opts.maxLineBytes);
    this.stdioTransport = transport;
    if (this.opts.healthIntervalMs > 0)
      proc.startSampling(this.opts.healthIntervalMs, 720, () => this.events.sampled(proc));
    return { proc };
  }

  private stdioTransport?: ProcessStdioTransport;

  // ---------------------------------------------------------------- stdio

  private async openStdio(proc: ManagedProcess, era: EraPreference, notes: string[]): Promise<OpenResult> {
    const transport = this.stdioTransport!;
    const client = this.newClient(era);
    const dispatch = notificationDispatch(client);
    transport.onNotification = (n) => this.notifications.fast(n, dispatch);
    const deadline = startDeadline(this.opts.startupTimeoutMs, this.opts.pause);
    try {
      await Promise.race([
        client.connect(transport, { timeout: deadline.sdkTimeout, signal: deadline.signal }),
        deadline.expiry,
      ]);
    } catch (err) {
      if (this.closing) return { ok: false, verdict: { findings: [], reason: 'stopped' } };
      if (era === 'auto' && isClosedDuringEraProbe(err)) {
        // Either it crashed at start, or it is a 2025-era server that exits on a request it does
        // not know (what a 2026 client probing in place sees). A 2025-era handshake tells which.
        this.lifecycle(
          `the server exited during the era probe (\`server/discover\`, ${describeExit(proc.exitInfo ?? { code: null, signal: null, ts: 0 })}); starting it again with a 2025-era handshake`,
        );
        await proc.stop(this.opts.stopGraceMs);
        this.resetHandshakeEvidence();
        const again = this.spawn();
        if ('verdict' in again) return { ok: false, verdict: again.verdict };
        return this.openStdio(again.proc, '2025', [...notes, 'exits-on-discover']);
      }
      if (isEraUnavailable(err)) {
        await proc.stop(this.opts.stopGraceMs);
        const reason = errorText(err);
        const finding =
          era === 'auto' ? noCommonVersion(this.subject, reason) : eraUnavailable(this.subject, era, reason);
        return { ok: false, verdict: { findings: [finding], reason } };
      }
      return { ok: false, verdict: await this.handshakeFailed(err, proc) };
    } finally {
      deadline.dispose();
    }
    if (this.closing) return { ok: false, verdict: { findings: [], reason: 'stopped' } };
    return { ok: true, info: this.connected(client, 'stdio', notes) };
  }

  private resetHandshakeEvidence(): void {
    this.wire.resetHandshake();
    this.lostReason = undefined;
    this.client = undefined;
  }

  private async handshakeFailed(err: unknown, proc: ManagedProcess): Promise<Verdict> {
    // Busy or idle while it did not answer? (Read before the process is stopped.)
    const cpu = proc.running ? cpuSeconds(proc.pid) : undefined;
    const elapsed = (performance.now() - this.spawnedAt) / 1000;
    // The process may be exiting right now: give the exit (and the last stderr bytes) a moment.
    if (proc.running) await withTimeout(proc.exited, 300);
    const exit = proc.exitInfo;
    const timedOut = isTimeout(err);
    const verdict = diagnoseHandshake(this.subject, {
      message: errorText(err),
      timedOut,
      startupTimeoutMs: this.opts.startupTimeoutMs,
      init: this.wire.initResponse,
      offer: { requested: LATEST_PROTOCOL_VERSION, supported: SUPPORTED_PROTOCOL_VERSIONS },
      crash: exit ? this.crashEvidence(exit, proc, 'before answering `initialize`') : undefined,
      noiseCount: this.wire.noiseCount,
      stdoutBytesSeen: this.wire.stdoutBytesSeen,
      cpuSeconds: cpu,
      elapsedSeconds: elapsed,
      stderrTail: proc.stderrTail,
      stdoutClosed: this.wire.stdoutClosedSeen,
    });
    await proc.stop(this.opts.stopGraceMs);
    return verdict;
  }

  private crashEvidence(exit: ExitInfo, proc: ManagedProcess, when: string): CrashEvidence {
    const tail = [...proc.stderrTail];
    const trace = parseLastTrace(tail);
    let loc: CrashEvidence['loc'];
    if (trace && this.opts.workspaceFolder) {
      const frame = deepestWorkspaceFrame(
        trace,
        this.opts.workspaceFolder,
        serverCwd(this.opts.server, this.opts.workspaceFolder),
      );
      if (frame) loc = { file: frame.file, range: lineRange(frame.file, frame.line) };
    }
    return { exit, when, stderrTail: tail, trace, loc, stdoutBytesSeen: this.wire.stdoutBytesSeen };
  }

  // ---------------------------------------------------------------- HTTP

  private async openHttp(url: string, proc?: ManagedProcess): Promise<OpenResult> {
    if (!proc) this.spawnedAt = performance.now();
    const r = await attachHttp(this.attachContext(), url, proc);
    if ('verdict' in r) return { ok: false, verdict: r.verdict };
    this.httpTransport = r.transport;
    this.lifecycle(`connected over ${r.kind === 'http' ? 'Streamable HTTP' : 'SSE'} to ${url}`);
    return { ok: true, info: { ...this.connected(r.client, r.kind, []), httpSession: !!r.transport.sessionId } };
  }

  /** What `attachHttp` needs from this connection (first attach and re-initialize alike). */
  private attachContext(): HttpAttachContext {
    return {
      subject: this.subject,
      opts: this.opts,
      closing: () => this.closing,
      newClient: (era) => this.newClient(era),
      wireTap: () => this.wire.tap(),
      lifecycle: (text) => this.lifecycle(text),
      initResponse: () => this.wire.initResponse,
      processFailed: (p) => this.handshakeFailed(new Error('process exited'), p),
      finding: (k) => this.events.finding(k),
    };
  }

  // ---------------------------------------------------------------- connected

  private newClient(era: EraPreference): Client {
    const client = createClient({
      clientInfo: this.opts.clientInfo,
      capabilities: this.opts.capabilities,
      era,
      // A slow-starting 2026 server must not be taken for a 2025 one: it gets the whole startup
      // time; under the debugger the start's pausable deadline bounds it (see probeTimeoutMs).
      probeTimeoutMs: probeTimeoutMs(this.opts.startupTimeoutMs, this.opts.pause),
    });
    client.fallbackNotificationHandler = async (n) => {
      if (!this.closing) this.notifications.route(n.method, n.params);
    };
    this.events.clientCreated?.(client);
    this.client = client;
    return client;
  }

  private connected(client: Client, transport: ConnectedInfo['transport'], notes: string[]): ConnectedInfo {
    this.state = 'open';
    const initializeMs = performance.now() - this.spawnedAt;
    const info = client.getServerVersion();
    const { era, protocolVersion } = negotiatedEra(client);
    this.lifecycle(
      `${era === '2026' ? 'discovered' : 'initialized'} in ${Math.round(initializeMs)} ms (protocol ${protocolVersion}, ${era} era${info ? `, ${info.name} ${info.version}` : ''})`,
    );
    return {
      initializeMs,
      protocolVersion,
      era,
      transport,
      serverName: info?.name,
      serverVersion: info?.version,
      capabilities: this.capabilities(),
      notes,
    };
  }

  // ---------------------------------------------------------------- requests

  /** Any request by method name, with a result of any shape. Never rejects. */
  async request(method: string, params: unknown, opts: RequestOptions = {}, authRound = 0): Promise<RequestOutcome> {
    const t0 = performance.now();
    const client = this.client;
    if (!client || this.state !== 'open')
      return { ok: false, error: { message: 'The server is not running.' }, durationMs: 0 };
    const timeout = opts.timeoutMs ?? this.opts.requestTimeoutMs;
    const maxTotal = opts.onProgress ? Math.max(timeout * 10, 600000) : undefined;
    const deadline = startDeadline(timeout, this.opts.pause, opts.signal, maxTotal);
    try {
      const sendOptions = {
        timeout: deadline.sdkTimeout,
        signal: deadline.signal,
        resetTimeoutOnProgress: !!opts.onProgress,
        maxTotalTimeout: maxTotal,
        onprogress: opts.onProgress
          ? (p: { progress: number; total?: number; message?: string }) => {
              deadline.reset();
              try {
                opts.onProgress!({ progress: p.progress, total: p.total, message: p.message });
              } catch {
                // a failing progress listener must not break the call
              }
            }
          : undefined,
      };
      const result =
        method === 'tools/call' && opts.inputSchema && needsParamHeaders(client, opts.inputSchema)
          ? await callToolWithHeaders(
              client,
              params as { name: string; arguments: Record<string, unknown> },
              opts.inputSchema,
              sendOptions,
            )
          : await client.request(
              { method, params: (params ?? {}) as Record<string, unknown> } as never,
              LOOSE_RESULT,
              sendOptions,
            );
      return { ok: true, result, durationMs: performance.now() - t0 };
    } catch (err) {
      const durationMs = performance.now() - t0;
      if (opts.signal?.aborted)
        return {
          ok: false,
          cancelled: true,
          error: { message: `cancelled: ${errorText(opts.signal.reason ?? err)}` },
          durationMs,
        };
      // A sign-in (or a step-up to more scopes) the SDK started mid-session: finish it, then retry.
      const auth = this.opts.auth;
      if (auth && this.httpTransport && !opts.signal?.aborted) {
        if (await auth.recover(err, this.httpTransport, authRound))
          return this.request(method, params, opts, authRound + 1);
        for (const k of auth.findings(this.subject, err)) this.events.finding(k);
      }
      if (await this.reinitialize(method, err)) return this.request(method, params, opts, authRound);
      if (this.lostReason && isConnectionClosed(err))
        return { ok: false, error: { message: `${this.lostReason} (\`${method}\`).` }, durationMs };
      const rpc = protocolErrorOf(err);
      if (rpc) return { ok: false, error: rpc, durationMs };
      if (isTimeout(err))
        return { ok: false, timedOut: true, error: { code: REQUEST_TIMEOUT, message: errorText(err) }, durationMs };
      if (this.httpTransport) this.httpRequestFailed(method, err);
      return { ok: false, error: { message: errorText(err) }, durationMs };
    } finally {
      deadline.dispose();
    }
  }

  /** Sends a notification straight to the transport (replay must not be blocked by capability checks). */
  async notify(method: string, params: unknown): Promise<RequestOutcome> {
    const t0 = performance.now();
    const transport = this.client?.transport;
    if (!transport || this.state !== 'open')
      return { ok: false, error: { message: 'The server is not running.' }, durationMs: 0 };
    try {
      const message =
        params === undefined || params === null ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
      await transport.send(message as JSONRPCMessage);
      return { ok: true, durationMs: performance.now() - t0 };
    } catch (err) {
      return { ok: false, error: { message: errorText(err) }, durationMs: performance.now() - t0 };
    }
  }

  private readonly reinitBudget = new ReinitializeBudget();

  /** The server lost the Streamable HTTP session (404 with our session id): a new `initialize`, then true to retry. */
  private async reinitialize(method: string, err: unknown): Promise<boolean> {
    const lost = lostSessionId(err, this.httpTransport);
    const url = this.opts.server.url;
    if (!lost || !url || this.closing || !this.reinitBudget.allow()) return false;
    this.lifecycle(`the server lost session ${lost} (HTTP 404 to \`${method}\`): initializing a new one`);
    const old = this.client;
    this.wire.resetInitialize();
    const r = await attachHttp(this.attachContext(), url);
    if ('verdict' in r) {
      this.client = old;
      return false;
    }
    void old?.close().catch(() => undefined);
    this.httpTransport = r.transport;
    this.events.finding(sessionReinitialized(this.subject, lost, r.transport.sessionId, method, err));
    return true;
  }

  /** A request over HTTP failed at the HTTP level mid-session: status, lost session, or dropped connection. */
  private httpRequestFailed(method: string, err: unknown): void {
    const status = httpStatusOf(err);
    const message = errorText(err);
    const sessionId = this.httpTransport?.sessionId;
    if (status === 404 && sessionId) {
      this.lose({
        findings: [sessionLost(this.subject, sessionId, method, message)],
        reason: 'the server lost the session (HTTP 404)',
      });
      return;
    }
    const k = httpMidSession(this.subject, method, status, message);
    if (k) this.events.finding(k);
  }

  // ---------------------------------------------------------------- process events

  private onStderrLine(line: string, ts: number): void {
    if (this.closing) return;
    this.opts.trace.stderr(line, ts);
    this.events.output({ kind: 'stderr', text: line, ts });
    const missing = this.launchEnv && missingEnvMention(line, this.launchEnv);
    if (missing) this.events.finding(missingEnv(this.subject, missing, line, 'stderr'));
  }

  /** Secret-looking variables the server's code reads that its launch did not set (stdio servers). */
  async unsetSecretReads(): Promise<EnvRead[]> {
    const s = this.opts.server;
    if (!s.command || s.url || !this.launchEnv) return [];
    const code = await serverCode(s.command, s.args ?? [], serverCwd(s, this.opts.workspaceFolder));
    if (!code) return [];
    const env = this.launchEnv;
    return (await secretEnvReadsOf(code)).filter((r) => !env[r.name]);
  }

  /** The variable a tool's error text says is missing, if it is not set for the server. */
  missingEnvIn(text: string): string | undefined {
    return this.launchEnv ? missingEnvMention(text, this.launchEnv) : undefined;
  }

  /** Stdout ended: normal when the process exits; a fault when it lives on (nothing it says can arrive). */
  private async onStdoutEnd(proc: ManagedProcess | undefined): Promise<void> {
    if (!proc || proc !== this.proc || this.closing) return;
    // An exiting process closes stdout first: give the exit a moment to be reported.
    await withTimeout(proc.exited, 300);
    if (proc !== this.proc || !proc.running || this.closing) return;
    const duringHandshake = this.state === 'opening';
    this.wire.stdoutClosedSeen = true;
    this.lostReason = `The server closed its stdout (pid ${proc.pid} is still running), so its answer can never arrive`;
    this.lifecycle(`stdout closed by the server (pid ${proc.pid} still running)`);
    const finding = stdoutClosed(this.subject, proc.pid, duringHandshake, proc.stderrTail);
    if (duringHandshake) this.events.finding(finding);
    else this.lose({ findings: [finding], reason: 'the server closed its stdout' });
    // Pending requests (and the handshake) fail now instead of at their timeout.
    this.stdioTransport?.disconnect();
  }

  private onExit(info: ExitInfo, proc: ManagedProcess | undefined): void {
    if (!proc || proc !== this.proc || this.closing) return;
    this.lostReason ??= `The server process exited (${describeExit(info)}) before answering`;
    this.lifecycle(`process exited (${describeExit(info)})`);
    if (this.state !== 'open') return; // the handshake reports it
    this.lose({
      findings: [['MCP708', crashFinding(this.subject, this.crashEvidence(info, proc, 'while running'))]],
      reason: `Process exited (${describeExit(info)})`,
    });
    void proc.stop(this.opts.stopGraceMs); // clear out children left behind
  }

  private lose(verdict: Verdict): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    this.lostReason ??= verdict.reason;
    this.events.lost(verdict);
  }

  // ---------------------------------------------------------------- wire

  private lifecycle(text: string): void {
    const ts = now();
    this.opts.trace.lifecycle(text, ts);
    this.events.output({ kind: 'lifecycle', text, ts });
  }

  // ---------------------------------------------------------------- dispose

  /** Ends the session (HTTP DELETE), closes the client and stops the process tree. Never rejects. */
  dispose(): Promise<void> {
    this.disposing ??= this.doDispose();
    return this.disposing;
  }

  private async doDispose(): Promise<void> {
    const proc = this.proc;
    const client = this.client;
    const http = this.httpTransport;
    try {
      // Streamable HTTP: end the server-side session before closing.
      await withTimeout(
        terminateHttpSession(http).catch(() => undefined),
        1000,
      );
      if (proc) await proc.stop(this.opts.stopGraceMs);
      if (client)
        await withTimeout(
          client.close().catch(() => undefined),
          this.opts.stopGraceMs + 1000,
        );
    } catch {
      // best effort: the process stop is what matters
    }
    if (proc) await proc.stop(this.opts.stopGraceMs);
    this.state = 'disposed';
  }

  /** How the process ended, once it has. */
  get exitInfo(): ExitInfo | undefined {
    return this.proc?.exitInfo;
  }
}
