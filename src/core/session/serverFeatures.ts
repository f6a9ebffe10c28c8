/**
 * What a client asks of a running server besides tools, resources and prompts: argument
 * completions, the log level, ping, and resource subscriptions, each in the era the session
 * speaks. The 2025 era has `resources/subscribe` and unsolicited notifications; the 2026-07-28
 * revision has one `subscriptions/listen` stream with a filter (and no `ping` or
 * `logging/setLevel`). Built beside a session: `onClient` goes into `SessionOptions.onClient`.
 */
import { Emitter, type Disposable, type Event } from '../util/event';
import type { RequestOutcome } from './connectionTypes';
import { listen, serverCapabilities, type Client, type ListenFilter, type ListenStream } from './sdk';
import type { SessionState } from './types';

/** The part of `McpSession` these features use. */
export interface FeatureSession {
  readonly onDidChangeState: Event<SessionState>;
  readonly onNotification: Event<{ method: string; params: unknown }>;
  view(): { state: SessionState };
  request(method: string, params: unknown, opts?: { timeoutMs?: number }): Promise<RequestOutcome>;
}

/** What `completion/complete` completes: a prompt's argument or a resource template's variable. */
export type CompletionRef = { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };

export type FeatureResult = { ok: true } | { ok: false; reason: string };

/** The log levels of `logging/setLevel` (RFC 5424 severities). */
export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

const REMOVED_IN_2026 = 'not in the 2026-07-28 era';
const QUICK_MS = 5000;

export class ServerFeatures implements Disposable {
  private client?: Client;
  private stream?: ListenStream;
  /** Resource URIs the user subscribed to; kept across restarts and subscribed again. */
  private readonly uris = new Set<string>();
  private readonly _onDidUpdateResource = new Emitter<{ uri: string; ts: number }>();
  private readonly _onDidChangeSubscriptions = new Emitter<void>();
  /** A subscribed resource changed on the server (`notifications/resources/updated`). */
  readonly onDidUpdateResource: Event<{ uri: string; ts: number }> = this._onDidUpdateResource.event;
  /** The set of subscriptions, or the stream carrying them, changed. */
  readonly onDidChangeSubscriptions: Event<void> = this._onDidChangeSubscriptions.event;
  private readonly subs: Disposable[] = [];
  /** Serializes (re)subscribing, so a restart and a click cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  /** For `SessionOptions.onClient`: each start creates a new SDK client. */
  readonly onClient = (client: Client): void => {
    this.client = client;
    this.stream = undefined;
  };

  constructor(
    private readonly session: FeatureSession,
    private readonly opts: { requestTimeoutMs: number } = { requestTimeoutMs: 30000 },
  ) {
    this.subs.push(
      session.onNotification(({ method, params }) => {
        if (method !== 'notifications/resources/updated') return;
        const uri = (params as { uri?: unknown } | undefined)?.uri;
        if (typeof uri === 'string' && this.uris.has(uri)) this._onDidUpdateResource.fire({ uri, ts: Date.now() });
      }),
      session.onDidChangeState((state) => {
        if (state.kind === 'running') void this.serialized(() => this.resubscribe());
        else if (state.kind !== 'starting') this.stream = undefined;
      }),
    );
  }

  /** The server's declared capabilities (empty until it runs). */
  capabilities(): Record<string, unknown> {
    return this.client && this.running() ? serverCapabilities(this.client) : {};
  }

  private running(): { era: '2025' | '2026' } | undefined {
    const state = this.session.view().state;
    return state.kind === 'running' ? { era: state.era } : undefined;
  }

  private declares(path: string): boolean {
    let node: unknown = this.capabilities();
    for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    return node !== undefined && node !== false && node !== null;
  }

  // ---------------------------------------------------------------- completions

  /** True when the running server declares `completions`. */
  get completes(): boolean {
    return this.declares('completions');
  }

  /**
   * Suggestions for one argument given what is typed and the other arguments (`context`).
   * Empty when the server does not complete or fails (a form must keep working).
   */
  async complete(
    ref: CompletionRef,
    name: string,
    value: string,
    context: Record<string, string> = {},
  ): Promise<{ values: string[]; total?: number; hasMore?: boolean }> {
    if (!this.running() || !this.completes) return { values: [] };
    const params: Record<string, unknown> = { ref, argument: { name, value } };
    if (Object.keys(context).length) params.context = { arguments: context };
    const r = await this.session.request('completion/complete', params, { timeoutMs: QUICK_MS });
    const completion = (r.result as { completion?: Record<string, unknown> } | undefined)?.completion;
    if (!r.ok || !completion || !Array.isArray(completion.values)) return { values: [] };
    return {
      values: completion.values.filter((v): v is string => typeof v === 'string').slice(0, 100),
      total: typeof completion.total === 'number' ? completion.total : undefined,
      hasMore: completion.hasMore === true ? true : undefined,
    };
  }

  // ---------------------------------------------------------------- logging, ping

  /** `logging/setLevel` (2025 era). The 2026-07-28 revision removed it. */
  async setLogLevel(level: LogLevel): Promise<FeatureResult> {
    const running = this.running();
    if (!running) return { ok: false, reason: 'the server is not running' };
    if (running.era === '2026')
      return {
        ok: false,
        reason:
          'The 2026-07-28 revision removed `logging/setLevel`: a client asks for log messages per request (`_meta` key `io.modelcontextprotocol/logLevel`), and MCP logging is deprecated. Restart the server in the 2025 era to set a level.',
      };
    if (!this.declares('logging')) return { ok: false, reason: 'the server does not declare the `logging` capability' };
    const r = await this.session.request('logging/setLevel', { level }, { timeoutMs: QUICK_MS });
    return r.ok ? { ok: true } : { ok: false, reason: r.error?.message ?? 'the request failed' };
  }

  /** Round-trip time of a `ping` (2025 era; the 2026-07-28 revision removed it). */
  async ping(): Promise<{ ok: true; ms: number } | { ok: false; reason: string }> {
    const running = this.running();
    if (!running) return { ok: false, reason: 'not running' };
    if (running.era === '2026') return { ok: false, reason: REMOVED_IN_2026 };
    const r = await this.session.request('ping', {}, { timeoutMs: QUICK_MS });
    return r.ok ? { ok: true, ms: r.durationMs } : { ok: false, reason: r.error?.message ?? 'no answer' };
  }

  // ---------------------------------------------------------------- subscriptions

  /** True when the running server can tell about changes of one resource. */
  get subscribes(): boolean {
    return this.declares('resources.subscribe');
  }

  /** The subscribed resource URIs. */
  subscribed(): string[] {
    return [...this.uris];
  }

  /** How updates arrive now: `resources/subscribe`, a listen stream, or nothing yet. */
  channel(): 'resources/subscribe' | 'subscriptions/listen' | undefined {
    const running = this.running();
    if (!running || !this.uris.size) return undefined;
    if (running.era === '2025') return 'resources/subscribe';
    return this.stream ? 'subscriptions/listen' : undefined;
  }

  subscribe(uri: string): Promise<FeatureResult> {
    return this.serialized(async () => {
      const running = this.running();
      if (!running) return { ok: false, reason: 'the server is not running' };
      if (!this.subscribes)
        return { ok: false, reason: 'the server does not declare `resources.subscribe`: it cannot tell about changes' };
      if (running.era === '2025') {
        const r = await this.session.request('resources/subscribe', { uri }, { timeoutMs: this.opts.requestTimeoutMs });
        if (!r.ok) return { ok: false, reason: r.error?.message ?? 'the request failed' };
        this.uris.add(uri);
        this._onDidChangeSubscriptions.fire();
        return { ok: true };
      }
      this.uris.add(uri);
      const r = await this.relisten();
      if (!r.ok || !this.stream?.honored.resourceSubscriptions?.includes(uri)) {
        this.uris.delete(uri);
        await this.relisten();
        return r.ok ? { ok: false, reason: `the server did not accept a subscription to ${uri}` } : r;
      }
      return r;
    });
  }

  unsubscribe(uri: string): Promise<FeatureResult> {
    return this.serialized(async () => {
      if (!this.uris.delete(uri)) return { ok: true };
      this._onDidChangeSubscriptions.fire();
      const running = this.running();
      if (!running) return { ok: true };
      if (running.era === '2025') {
        const r = await this.session.request('resources/unsubscribe', { uri }, { timeoutMs: QUICK_MS });
        return r.ok ? { ok: true } : { ok: false, reason: r.error?.message ?? 'the request failed' };
      }
      return this.relisten();
    });
  }

  /** After a (re)start: the kept subscriptions again, and in 2026 the list changes on one stream. */
  private async resubscribe(): Promise<void> {
    const running = this.running();
    if (!running) return;
    if (running.era === '2026') {
      await this.relisten();
      return;
    }
    for (const uri of this.uris) {
      const r = await this.session.request('resources/subscribe', { uri }, { timeoutMs: this.opts.requestTimeoutMs });
      if (!r.ok) this.uris.delete(uri);
    }
    this._onDidChangeSubscriptions.fire();
  }

  /**
   * 2026-07-28: one `subscriptions/listen` stream carries everything the client wants to hear
   * (list changes the server declares, and the subscribed resources); a new filter means a new
   * stream. Without it a 2026-era client hears nothing the server publishes.
   */
  private async relisten(): Promise<FeatureResult> {
    const client = this.client;
    const old = this.stream;
    this.stream = undefined;
    if (old) await old.close().catch(() => undefined);
    const filter: ListenFilter = {};
    if (this.declares('tools.listChanged')) filter.toolsListChanged = true;
    if (this.declares('prompts.listChanged')) filter.promptsListChanged = true;
    if (this.declares('resources.listChanged')) filter.resourcesListChanged = true;
    if (this.uris.size && this.subscribes) filter.resourceSubscriptions = [...this.uris];
    let result: FeatureResult = { ok: true };
    if (client && Object.keys(filter).length && this.running()?.era === '2026' && !this.disposed) {
      try {
        const stream = await listen(client, filter, this.opts.requestTimeoutMs);
        if (this.client !== client || this.disposed) void stream.close();
        else {
          this.stream = stream;
          void stream.closed.then(() => {
            if (this.stream !== stream) return;
            this.stream = undefined;
            this._onDidChangeSubscriptions.fire();
          });
        }
      } catch (err) {
        result = {
          ok: false,
          reason: `subscriptions/listen failed: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    }
    this._onDidChangeSubscriptions.fire();
    return result;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subs) s.dispose();
    void this.stream?.close().catch(() => undefined);
    this.stream = undefined;
    this._onDidUpdateResource.dispose();
    this._onDidChangeSubscriptions.dispose();
  }
}
