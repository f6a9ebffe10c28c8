import * as vscode from 'vscode';
import type { McpSession, SessionOptions } from '../../core/session/mcpSession';
import { ServerFeatures } from '../../core/session/serverFeatures';
import { UiClientFeatures } from './clientFeaturesUi';
import type { ReplyEditors } from './replyEditor';

/** Updates seen for one subscribed resource. */
export interface ResourceUpdates {
  count: number;
  /** Epoch ms of the last `notifications/resources/updated`. */
  last?: number;
}

/**
 * The client side of one server's session beyond calls: what MCP Doctor answers when the
 * server asks (elicitation, sampling, roots), and what it asks of the server (completions,
 * log level, ping, resource subscriptions with their updates). Loaded with the session code.
 */
export class LiveFeatures implements vscode.Disposable {
  readonly ui: UiClientFeatures;
  private server?: ServerFeatures;
  private session?: McpSession;
  private readonly updates = new Map<string, ResourceUpdates>();
  private readonly subs: { dispose(): void }[] = [];
  private readonly _onDidUpdateResource = new vscode.EventEmitter<string>();
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  /** A subscribed resource changed on the server (its URI). */
  readonly onDidUpdateResource = this._onDidUpdateResource.event;
  /** Subscriptions or their update counts changed (for the tree). */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    server: { id: string; name: string },
    replies: ReplyEditors,
    log: vscode.LogOutputChannel,
    private readonly requestTimeoutMs: number,
  ) {
    this.ui = new UiClientFeatures(
      {
        serverId: server.id,
        serverName: server.name,
        log,
        onNotification: (listener) => this.session?.onNotification(listener) ?? { dispose() {} },
      },
      replies,
    );
  }

  /** What the session is created with: the answers, and the hook that sees each SDK client. */
  options(): Pick<SessionOptions, 'features' | 'onClient'> {
    return { features: this.ui, onClient: (client) => this.server?.onClient(client) };
  }

  /** Called once with the session made from `options()`. */
  bind(session: McpSession): void {
    this.session = session;
    const server = new ServerFeatures(session, { requestTimeoutMs: this.requestTimeoutMs });
    this.server = server;
    this.subs.push(
      server,
      server.onDidUpdateResource(({ uri, ts }) => {
        const u = this.updates.get(uri) ?? { count: 0 };
        this.updates.set(uri, { count: u.count + 1, last: ts });
        this._onDidUpdateResource.fire(uri);
        this._onDidChange.fire();
      }),
      server.onDidChangeSubscriptions(() => this._onDidChange.fire()),
    );
  }

  /** Completions, log level, ping and subscriptions of the running server. */
  get features(): ServerFeatures | undefined {
    return this.server;
  }

  /** Round trip of a `ping` (2025 era), or why there is none. */
  async ping(): Promise<{ ms: number } | { reason: string } | undefined> {
    if (!this.server) return undefined;
    const r = await this.server.ping();
    return r.ok ? { ms: r.ms } : { reason: r.reason };
  }

  /** Whether a resource is subscribed, and the updates seen since. */
  subscription(uri: string): ResourceUpdates | undefined {
    if (!this.server?.subscribed().includes(uri)) return undefined;
    return this.updates.get(uri) ?? { count: 0 };
  }

  async subscribe(uri: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const r = (await this.server?.subscribe(uri)) ?? { ok: false as const, reason: 'the server has not started' };
    if (r.ok) this.updates.set(uri, { count: 0 });
    this._onDidChange.fire();
    return r;
  }

  async unsubscribe(uri: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const r = (await this.server?.unsubscribe(uri)) ?? { ok: true as const };
    this.updates.delete(uri);
    this._onDidChange.fire();
    return r;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this._onDidUpdateResource.dispose();
    this._onDidChange.dispose();
  }
}
