import { CallChecks } from './callChecks';
import { McpConnection } from './connection';
import type { ConnectedInfo, ConnectionEvents, ConnectionOptions, OutputEvent } from './connectionTypes';
import type { Subject, Verdict } from './diagnosis';
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
  private readonly watch: RunWatch;
  private disposed = false;
  private running = false;

  constructor(
    opts: RunOptions,
    private readonly hooks: RunHooks,
  ) {
    const s = opts.server;
    const subject: Subject = { name: s.name, file: s.file, range: s.range, url: s.url };
    const events: ConnectionEvents = {
      output: (e) => this.live(() => hooks.output(e)),
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
    onListing();
    await this.lists.refresh('all');
    if (this.disposed) return { ok: false, gone: true };
    this.hooks.listsChanged();
    if (!this.connection.isOpen) return { ok: false, gone: true }; // lost while listing: `lost` reported it
    this.running = true;
    this.watch.running();
    return r;
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
