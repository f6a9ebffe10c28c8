import { CallChecks } from './callChecks';
import { McpConnection } from './connection';
import type { ConnectedInfo, ConnectionEvents, ConnectionOptions, OutputEvent } from './connectionTypes';
import type { BackChannelExchange } from './clientFeatures';
import { type Keyed, type Subject, type Verdict } from './diagnosis';
import { backChannelFailure, missingEnv, unsetSecretRead } from './runDiagnosis';
import { deprecatedFeature, eraRequestError, exitsOnDiscover, toolEraDifference } from './eraDiagnosis';
import type { Finding } from '../model';
import { FindingSet } from './findingSet';
import { ServerLists, type ListKind } from './lists';
import type { Client } from './sdk';
import { RunWatch } from './watch';

const LIST_CHANGED: Record<string, ListKind> = {
  'notifications/tools/list_changed': 'tools',
  'notifications/resources/list_changed': 'resources',
  'notifications/prompts/list_changed': 'prompts',
};

/** What a run tells its session. Called only while the run is current (until it is disposed). */
export interface RunHooks {
  output(e: OutputEvent): void;
  /** The connection was lost after the session was running. */
  lost(verdict: Verdict): void;
  listsChanged(): void;
  /** Other notifications (resource updates, progress of no request…). */
  notification(method: string, params: unknown): void;
  clientCreated?(client: Client): void;
  /** Asynchronous finding work the session may wait for (`flushFindings`). */
  track(work: Promise<unknown>): void;
}

export interface RunOptions extends ConnectionOptions {
  growthWindowMs: number;
}

/**
 * Everything that belongs to one start of a server: its connection, lists, findings and call
 * checks. A restart makes a new run; the old one is disposed as a whole, so nothing stale can
 * reach the session (this replaces a generation counter and a twenty-field reset).
 */
export class SessionRun {
  readonly findings = new FindingSet();
  readonly connection: McpConnection;
  readonly lists: ServerLists;
  readonly checks: CallChecks;
  readonly subject: Subject;
  private readonly watch: RunWatch;
  private disposed = false;
  private running = false;
  /** The era spoken, once connected. */
  era?: '2025' | '2026';

  constructor(
    opts: RunOptions,
    private readonly hooks: RunHooks,
  ) {
    const s = opts.server;
    const subject: Subject = { name: s.name, file: s.file, range: s.range, url: s.url };
    this.subject = subject;
    const events: ConnectionEvents = {
      output: (e) =>
        this.live(() => {
          if (e.kind === 'log' && !this.findings.has('MCP744:logging'))
            this.findings.set(...deprecatedFeature(subject, 'logging', 'it sent `notifications/message`'));
          hooks.output(e);
        }),
      finding: ([key, f]) => this.live(() => this.findings.set(key, f)),
      noise: (line) => this.live(() => this.watch.noise(line)),
      invalid: (line, reason) => this.live(() => this.watch.invalid(line, reason)),
      lost: (verdict) =>
        this.live(() => {
          this.running = false;
          for (const [key, f] of verdict.findings) this.findings.set(key, f);
          hooks.lost(verdict);
        }),
      notification: (method, params) => this.live(() => this.onNotification(method, params)),
      sampled: (proc) =>
        this.live(() => {
          const growth = this.watch.sampled(proc.samples);
          if (growth) this.findings.set(...growth);
        }),
      clientCreated: hooks.clientCreated,
    };
    this.connection = new McpConnection(opts, events);
    this.checks = new CallChecks(subject);
    this.watch = new RunWatch(
      {
        server: s,
        subject,
        workspaceFolder: opts.workspaceFolder,
        healthIntervalMs: opts.healthIntervalMs,
        growthWindowMs: opts.growthWindowMs,
      },
      this.findings,
      hooks.track,
    );
    this.lists = new ServerLists(subject, this.connection, {
      finding: ([key, f]) => this.live(() => this.findings.set(key, f)),
      toolProblems: (entries) => this.live(() => this.findings.replace('MCP710:', entries)),
      defer: (work) =>
        hooks.track(
          new Promise<void>((resolve) =>
            setImmediate(() => {
              if (!this.disposed) work();
              resolve();
            }),
          ),
        ),
      stillConnected: () => this.connection.isOpen,
    });
  }

  /** Connects and lists. Resolves with what the tree shows: connected info, or why it failed. */
  async start(
    onListing: () => void,
  ): Promise<{ ok: true; info: ConnectedInfo } | { ok: false; verdict: Verdict } | { ok: false; gone: true }> {
    const r = await this.connection.open();
    if (this.disposed) return { ok: false, gone: true };
    if (!r.ok) {
      for (const [key, f] of r.verdict.findings) this.findings.set(key, f);
      return r;
    }
    this.era = r.info.era;
    if (r.info.notes.includes('exits-on-discover')) this.findings.set(...exitsOnDiscover(this.subject));
    onListing();
    await this.lists.refresh('all');
    if (this.disposed) return { ok: false, gone: true };
    this.hooks.listsChanged();
    if (!this.connection.isOpen) return { ok: false, gone: true }; // lost while listing: `lost` reported it
    this.running = true;
    this.watch.running();
    this.hooks.track(
      this.connection.unsetSecretReads().then((reads) =>
        this.live(() => {
          for (const read of reads.slice(0, 5))
            if (!this.findings.has(`MCP725:${read.name}`))
              this.findings.set(...unsetSecretRead(this.subject, read.name, read.file, read.line));
        }),
      ),
    );
    return r;
  }

  /**
   * The findings of one finished tool call (shown with its result), after setting them and the
   * session-wide ones: call checks, failed requests to the client, era differences.
   */
  afterCall(
    tool: string,
    outcome: { ok: boolean; result?: unknown; error?: { code?: number; message: string }; timedOut?: boolean },
    exchanges: readonly BackChannelExchange[],
    timeoutMs: number,
  ): Finding[] {
    const info = this.lists.tools.find((t) => t.name === tool);
    const { forCall, forSession } = this.checks.check(tool, outcome, info, timeoutMs);
    const extra: (Keyed | undefined)[] = [backChannelFailure(this.subject, tool, exchanges, !outcome.ok, this.era)];
    if (!outcome.ok && this.era) {
      extra.push(toolEraDifference(this.subject, tool, [{ era: this.era, ok: false, text: outcomeText(outcome) }]));
      if (outcome.error) extra.push(eraRequestError(this.subject, 'tools/call', outcome.error, this.era));
    }
    const missing = outcome.ok ? undefined : this.connection.missingEnvIn(outcomeText(outcome));
    if (missing) extra.push(missingEnv(this.subject, missing, outcomeText(outcome), 'a tool result'));
    for (const e of exchanges) {
      if (e.method === 'sampling/createMessage' && !e.unsupported)
        extra.push(deprecatedFeature(this.subject, 'sampling', `tool \`${tool}\` asked for it`));
      if (e.method === 'roots/list' && !e.unsupported)
        extra.push(deprecatedFeature(this.subject, 'roots', `tool \`${tool}\` asked for it`));
    }
    const explained = extra.some((k) => k && /^MCP(743|74[6-8]|770)$/.test(k[1].code));
    for (const k of extra)
      if (k) {
        forSession.push(k);
        if (k[1].code !== 'MCP744') forCall.push(k[1]);
      }
    // A JSON-RPC error that an era difference or a failed request to the client explains is not
    // a problem with the tool's arguments: MCP716's advice would point the wrong way.
    if (explained)
      for (let i = forSession.length - 1; i >= 0; i--) if (forSession[i][1].code === 'MCP716') forSession.splice(i, 1);
    for (const [key, f] of forSession) this.findings.set(key, f);
    return forCall;
  }

  /** A request failed: explain era-specific JSON-RPC errors (envelope, headers, version). */
  afterRequestError(method: string, outcome: { error?: { code?: number; message: string } }): void {
    // A tools/call's errors are explained with its result (afterCall).
    if (!outcome.error || !this.era || method === 'tools/call') return;
    const k = eraRequestError(this.subject, method, outcome.error, this.era);
    if (k) this.findings.set(...k);
  }

  get isRunning(): boolean {
    return this.running && !this.disposed;
  }

  private onNotification(method: string, params: unknown): void {
    const which = LIST_CHANGED[method];
    if (which) {
      this.hooks.track(this.lists.refresh(which).then(() => this.live(() => this.hooks.listsChanged())));
      return;
    }
    this.hooks.notification(method, params);
  }

  /** Runs `fn` only while this run is current. */
  private live(fn: () => void): void {
    if (!this.disposed) fn();
  }

  /** Stops the connection; the run's findings and lists stay readable for the view. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.running = false;
    await this.connection.dispose();
  }
}

/** The text a failed call shows: the tool's error content, or the JSON-RPC error. */
function outcomeText(outcome: { result?: unknown; error?: { message: string } }): string {
  const content = (outcome.result as { content?: unknown } | undefined)?.content;
  if (Array.isArray(content))
    for (const c of content)
      if (c && typeof c === 'object' && typeof (c as { text?: unknown }).text === 'string')
        return (c as { text: string }).text;
  return outcome.error?.message ?? '';
}
