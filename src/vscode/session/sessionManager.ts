import * as path from 'node:path';
import * as vscode from 'vscode';
import { missingScheme } from '../../core/config/urlScheme';
import type { ServerConfig } from '../../core/config/types';
import {
  compareToolPins,
  findShadowedTools,
  pinTools,
  scanToolDescriptions,
  type ToolPins,
} from '../../core/security/toolPoisoning';
import type { McpSession, OutputEvent, SessionOptions } from '../../core/session/mcpSession';
import type { EraPreference } from '../../core/session/sdk';
import { redactText } from '../../core/session/report';
import type { SessionView, ToolStats } from '../../core/session/types';
import type { TraceSink } from '../../core/trace/types';
import { maskSecrets, redactString } from '../../core/trace/redact';
import { redactSecretFlags, secretValues, terminalHeader } from '../redact';
import type { LaunchVariant, LiveSession, Services, SessionRegistry } from '../services';
import type { LiveFeatures, ResourceUpdates } from './liveFeatures';
import type { LaunchPrompts } from './prompts';
import type { ReplyEditors } from './replyEditor';
import { ServerTerminal } from './serverTerminal';
import type { Entry } from './sessionEntry';
import type { SignIns } from './signIns';

/** What the session area needs from the others. */
type SessionDeps = Pick<Services, 'context' | 'log' | 'config' | 'trace'>;

/** workspaceState key of a server's tool pins (the last definitions seen). */
export function toolPinsKey(serverId: string): string {
  return `mcpDoctor.toolPins:${serverId}`;
}

/** Notice shown when workspace trust blocks a launch (tree message and error toast). */
const UNTRUSTED_NOTICE = 'Workspace is not trusted: servers from workspace configs are not started';

const WATCH_DEBOUNCE_MS = 400;
const WATCH_IGNORED = /[\\/](node_modules|\.venv|venv|\.git|__pycache__)[\\/]/;

/**
 * Owns the live MCP sessions: one `McpSession` per server id, created on first start and kept
 * after a stop or crash so the tree, terminal and Problems keep the last state and findings.
 * Launching respects workspace trust and asks for consent per exact command line.
 */
export class SessionManager implements SessionRegistry, vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly terminals = new Map<string, ServerTerminal>();
  /** Starts in flight, so a double click does not launch twice. */
  private readonly starting = new Map<string, Promise<SessionView | undefined>>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the server id whose state (not lists or stats) changed. */
  private readonly stateChanged = new vscode.EventEmitter<string>();
  private sessionModule: Promise<typeof import('../../core/session/mcpSession')> | undefined;
  private featuresModule: Promise<typeof import('./liveFeatures')> | undefined;
  /** The protocol era each server was last (re)started in by the user; `auto` when absent. */
  private readonly eras = new Map<string, EraPreference>();
  private readonly resourceUpdated = new vscode.EventEmitter<{ serverId: string; uri: string }>();
  private disposed = false;

  readonly onDidChange = this.changed.event;
  /** A subscribed resource changed on its server. */
  readonly onDidUpdateResource = this.resourceUpdated.event;

  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly services: SessionDeps,
    private readonly prompts: LaunchPrompts,
    private readonly replies: ReplyEditors,
    private readonly signIns?: SignIns,
  ) {
    this.listeners = [
      // Turning watch mode on or off applies to running servers at once.
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('mcpDoctor.launch.watch')) return;
        for (const entry of this.entries.values()) {
          this.clearWatcher(entry);
          if (entry.session.view().state.kind === 'running') this.updateWatcher(entry);
        }
      }),
      // The roots are the workspace folders: 2025-era servers are told when they change.
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        for (const entry of this.entries.values()) void entry.session.rootsChanged();
      }),
    ];
  }

  // ---- SessionRegistry ----

  get(serverId: string): SessionView | undefined {
    const entry = this.entries.get(serverId);
    return entry && this.viewOf(entry);
  }

  all(): SessionView[] {
    return [...this.entries.values()].map((e) => this.viewOf(e));
  }

  /**
   * The session's view with the security findings (poisoning, rug pulls, shadowing) added, and
   * secrets masked in everything the UI shows from it (finding messages, the error reason,
   * stderr): a failed connect names the resolved URL, credentials and input values included.
   */
  private viewOf(entry: Entry): SessionView {
    const view = entry.session.view();
    const clean = (text: string) => maskSecrets(redactString(text), entry.secrets);
    const findings = view.findings.map((f) => {
      const message = clean(f.message);
      return message === f.message ? f : { ...f, message };
    });
    view.findings = [...findings, ...entry.scan, ...entry.changed.values(), ...entry.shadow];
    if (view.state.kind === 'error') view.state = { ...view.state, reason: clean(view.state.reason) };
    view.stderrTail = view.stderrTail.map(clean);
    return view;
  }

  toolStats(toolName: string, serverId?: string): ToolStats | undefined {
    const views = serverId ? [this.get(serverId)].filter((v): v is SessionView => !!v) : this.all();
    // Percentiles cannot be merged: report the session that served the tool most.
    let best: ToolStats | undefined;
    for (const view of views) {
      const stats = view.toolStats.get(toolName);
      if (stats && (!best || stats.calls > best.calls)) best = stats;
    }
    return best;
  }

  // ---- lifecycle ----

  /** The live session object of a server (for calls), if one was ever started. */
  session(serverId: string): McpSession | undefined {
    return this.entries.get(serverId)?.session;
  }

  sessionServers(): ServerConfig[] {
    return [...this.entries.values()].map((e) => e.server);
  }

  findServer(idOrName: string): ServerConfig | undefined {
    const servers = this.services.config.servers;
    const byId = servers.find((s) => s.id === idOrName) ?? this.entries.get(idOrName)?.server;
    if (byId) return byId;
    // Code lenses and tests may pass a server name; accept it when it is unambiguous.
    const byName = servers.filter((s) => s.name === idOrName);
    return byName.length === 1 ? byName[0] : undefined;
  }

  /** The config a session was launched with, or undefined. */
  launchedConfig(serverId: string): ServerConfig | undefined {
    return this.entries.get(serverId)?.resolved;
  }

  /** True when workspace trust allows launching this server (user-level configs always may). */
  isLaunchAllowed(server: ServerConfig): boolean {
    return vscode.workspace.isTrusted || server.scope === 'user';
  }

  /**
   * Starts a server (or returns the running one). Resolves with the session's view once it is
   * running or failed; undefined when trust, consent or input resolution stopped the launch.
   */
  start(server: ServerConfig): Promise<SessionView | undefined> {
    const pending = this.starting.get(server.id);
    if (pending) return pending;
    const run = this.doStart(server).finally(() => this.starting.delete(server.id));
    this.starting.set(server.id, run);
    return run;
  }

  async startWith(server: ServerConfig, variant: LaunchVariant): Promise<SessionView | undefined> {
    const pending = this.starting.get(server.id);
    if (pending) await pending;
    // A running start keeps running until the variant is ready (it may cancel), then is replaced.
    const run = this.doStart(server, variant).finally(() => this.starting.delete(server.id));
    this.starting.set(server.id, run);
    return run;
  }

  variantOf(serverId: string): LaunchVariant | undefined {
    return this.entries.get(serverId)?.variant;
  }

  launchNote(serverId: string): string | undefined {
    return this.entries.get(serverId)?.variant?.status();
  }

  private async doStart(server: ServerConfig, variant?: LaunchVariant): Promise<SessionView | undefined> {
    if (this.disposed) return undefined;
    const existing = this.entries.get(server.id);
    const kind = existing?.session.view().state.kind;
    if (existing && (kind === 'running' || kind === 'starting') && !variant) return existing.session.view();

    if (!this.isLaunchAllowed(server)) {
      void vscode.window
        .showErrorMessage(
          `${UNTRUSTED_NOTICE}. Trust the workspace to start "${server.name}".`,
          'Manage Workspace Trust',
        )
        .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'));
      return undefined;
    }
    if (server.disabled && !(await this.prompts.startDisabled(server))) return undefined;
    let resolved: ServerConfig | undefined;
    try {
      resolved = await this.services.config.resolveForLaunch(server);
    } catch (err) {
      void vscode.window.showErrorMessage(
        `Could not resolve the variables of "${server.name}": ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    }
    if (!resolved) return undefined; // the user cancelled an input prompt
    if (resolved.url && !resolved.command && missingScheme(resolved.url)) {
      // `localhost:8000/mcp` would fail as "fetch failed (unknown scheme)": say what to add.
      void this.offerSchemeFix(server, resolved.url);
      return undefined;
    }
    if (!(await this.prompts.allowLaunch(resolved, server))) return undefined;
    const secrets = secretValues(server, resolved);
    // The variant changes what runs (after consent to the server's own command line).
    let launched = resolved;
    const notes: string[] = [];
    if (variant) {
      const changed = await variant.prepare(resolved, (line) => notes.push(line));
      if (!changed || this.disposed) return undefined;
      launched = changed;
    }

    const [module, features] = await Promise.all([
      (this.sessionModule ??= import('../../core/session/mcpSession')),
      (this.featuresModule ??= import('./liveFeatures')),
    ]);
    if (this.disposed) return undefined;
    if (existing) await this.discard(server.id);

    const settings = vscode.workspace.getConfiguration('mcpDoctor', vscode.Uri.file(server.file));
    const requestTimeoutMs = settings.get<number>('launch.toolCallTimeoutMs', 60000);
    const live = new features.LiveFeatures(server, this.replies, this.services.log, requestTimeoutMs);
    const options: SessionOptions = {
      server: launched,
      trace: this.traceSink(server, secrets),
      startupTimeoutMs: settings.get<number>('launch.startupTimeoutMs', 30000),
      requestTimeoutMs,
      stopGraceMs: settings.get<number>('launch.stopGraceMs', 2000),
      healthIntervalMs: settings.get<number>('health.sampleIntervalMs', 5000),
      workspaceFolder: resolved.workspaceFolder ?? workspaceFolderOf(server.file),
      pause: variant?.pause,
      auth: this.signIns?.forServer(server, resolved),
      era: this.eras.get(server.id) ?? 'auto',
      ...live.options(),
    };
    const session = new module.McpSession(options);
    live.bind(session);
    const entry: Entry = {
      server,
      resolved: launched,
      session,
      listeners: [],
      secrets,
      scan: [],
      changed: new Map(),
      shadow: [],
      variant,
      live,
    };
    this.entries.set(server.id, entry);

    const terminal = this.terminal(server);
    for (const line of terminalHeader(launched, secrets)) terminal.writeLine(line.text, line.style);
    for (const note of notes) terminal.writeLine(maskSecrets(redactString(note), secrets), 'hint');
    terminal.show(true);
    const fire = () => this.changed.fire(server.id);
    entry.listeners.push(
      session.onDidChangeState((state) => {
        this.updateShadowing(server.id);
        fire();
        this.stateChanged.fire(server.id);
        if (state.kind === 'running') this.updateWatcher(entry);
        if (state.kind === 'stopped' || state.kind === 'error') this.clearWatcher(entry);
      }),
      session.onDidChangeLists(() => {
        this.checkTools(entry);
        this.updateShadowing(server.id);
        fire();
      }),
      session.onDidChangeFindings(fire),
      session.onDidChangeStats(fire),
      session.onOutput((e) => this.writeOutput(terminal, e, entry.secrets)),
      live,
      live.onDidChange(fire),
      live.onDidUpdateResource((uri) => {
        terminal.writeLine(`● resource updated: ${maskSecrets(redactString(uri), entry.secrets)}`, 'lifecycle');
        this.resourceUpdated.fire({ serverId: server.id, uri });
      }),
    );
    if (variant) entry.listeners.push(variant.onDidChangeStatus(fire));
    fire();
    this.services.log.info(`starting ${server.name} (${server.id})`);
    await session.start();
    const view = this.viewOf(entry);
    this.services.log.info(
      `${server.name}: ${view.state.kind}${view.state.kind === 'error' ? `: ${view.state.reason}` : ''}`,
    );
    return view;
  }

  /** Explains a URL without `http://`, and adds it to the config on request (MCP080's quick fix). */
  private async offerSchemeFix(server: ServerConfig, url: string): Promise<void> {
    const suggested = missingScheme(url)!.suggested;
    const scheme = suggested.slice(0, suggested.indexOf('//') + 2);
    const fix = this.services.config.files
      .find((f) => f.file === server.file)
      ?.findings.find((f) => f.code === 'MCP080' && f.server === server.name)?.fixes?.[0];
    const add = `Add ${scheme}`;
    const choice = await vscode.window.showErrorMessage(
      `Server "${server.name}": url "${url}" has no scheme, so nothing can connect to it ("unknown scheme"). Add ${scheme}: ${suggested}`,
      ...(fix ? [add] : []),
      'Open Config',
    );
    if (choice === add && fix) {
      const edit = new vscode.WorkspaceEdit();
      for (const e of fix.edits)
        edit.replace(
          vscode.Uri.file(e.file),
          new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character),
          e.newText,
        );
      await vscode.workspace.applyEdit(edit);
      await vscode.workspace.save(vscode.Uri.file(server.file));
    } else if (choice === 'Open Config') await vscode.commands.executeCommand('mcpDoctor.openConfig', server.id);
  }

  /**
   * A trace sink from the trace area; a failing trace area must not block launching. Lifecycle
   * lines (the command line, the URL) and output lines have this launch's secret values masked.
   */
  private traceSink(server: ServerConfig, secrets: readonly string[]): TraceSink | undefined {
    try {
      const sink = this.services.trace.createSink({
        serverId: server.id,
        serverName: server.name,
        secrets,
        live: this.liveSession(server.id),
      });
      return {
        message: (dir, msg, ts, size) => sink.message(dir, msg, ts, size),
        stderr: (line, ts) => sink.stderr(maskSecrets(line, secrets), ts),
        stdoutNoise: (line, ts) => sink.stdoutNoise(maskSecrets(line, secrets), ts),
        lifecycle: (text, ts) => sink.lifecycle(maskSecrets(redactSecretFlags(text), secrets), ts),
        http: (text, ts) => sink.http?.(maskSecrets(text, secrets), ts),
        auth: (text, ts) => sink.auth?.(maskSecrets(text, secrets), ts),
      };
    } catch (err) {
      this.services.log.warn(`trace sink for ${server.name} failed: ${String(err)}`);
      return undefined;
    }
  }

  /** The running session of a server id, as the trace area's replay uses it. */
  private liveSession(serverId: string): LiveSession {
    return {
      isRunning: () => this.entries.get(serverId)?.session.view().state.kind === 'running',
      onDidChange: (listener, thisArgs, disposables) =>
        this.stateChanged.event(
          (id) => {
            if (id === serverId) listener.call(thisArgs);
          },
          undefined,
          disposables,
        ),
      request: async (method, params) => {
        const session = this.entries.get(serverId)?.session;
        if (!session) return { ok: false, error: { message: 'the server is not running' }, durationMs: 0 };
        return session.request(method, params);
      },
    };
  }

  /** Stops a server gracefully; the session (state, findings, lists) stays for the UI. */
  async stop(serverId: string): Promise<SessionView | undefined> {
    const entry = this.entries.get(serverId);
    if (!entry) return undefined;
    this.clearWatcher(entry);
    await entry.session.stop();
    return entry.session.view();
  }

  /** Stops and starts again with the current config (re-resolved, so edits apply). */
  async restart(server: ServerConfig): Promise<SessionView | undefined> {
    const pending = this.starting.get(server.id);
    if (pending) await pending;
    await this.stop(server.id);
    return this.start(server);
  }

  /**
   * Restarts a server speaking the given protocol era (`auto`: the newest both sides support),
   * to reproduce what an older or newer client sees. The choice holds for later starts until
   * `auto` is chosen again.
   */
  async restartInEra(server: ServerConfig, era: EraPreference): Promise<SessionView | undefined> {
    if (era === 'auto') this.eras.delete(server.id);
    else this.eras.set(server.id, era);
    return this.restart(server);
  }

  /** The era a server is started in: `auto`, or the one the user forced. */
  eraPreference(serverId: string): EraPreference {
    return this.eras.get(serverId) ?? 'auto';
  }

  /** The client-side features of a server's session (completions, log level, subscriptions…). */
  liveFeatures(serverId: string): LiveFeatures | undefined {
    return this.entries.get(serverId)?.live;
  }

  /** Round trip of a `ping` to a running server (2025 era), or why there is none. */
  ping(serverId: string): Promise<{ ms: number } | { reason: string } | undefined> {
    const entry = this.entries.get(serverId);
    return entry?.session.view().state.kind === 'running' ? entry.live.ping() : Promise.resolve(undefined);
  }

  /** Whether a resource is subscribed, and the updates seen since. */
  subscription(serverId: string, uri: string): ResourceUpdates | undefined {
    return this.entries.get(serverId)?.live.subscription(uri);
  }

  /** The managed terminal of a server; created on demand, kept until the extension stops. */
  terminal(server: Pick<ServerConfig, 'id' | 'name'>): ServerTerminal {
    let terminal = this.terminals.get(server.id);
    if (!terminal) {
      terminal = new ServerTerminal(server.name, () => void this.stop(server.id));
      this.terminals.set(server.id, terminal);
      terminal.writeLine(`MCP: ${server.name}`, 'header');
    }
    return terminal;
  }

  /** Forgets every remembered launch consent. */
  resetConsent(): Promise<number> {
    return this.prompts.resetApprovals();
  }

  dispose(): void {
    this.disposed = true;
    for (const l of this.listeners) l.dispose();
    this.resourceUpdated.dispose();
    for (const id of [...this.entries.keys()]) void this.discard(id);
    for (const terminal of this.terminals.values()) terminal.dispose();
    this.terminals.clear();
    this.changed.dispose();
    this.stateChanged.dispose();
  }

  /** Stops all servers and waits for their process trees to be gone (used by tests). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id)));
  }

  private async discard(serverId: string): Promise<void> {
    const entry = this.entries.get(serverId);
    if (!entry) return;
    this.entries.delete(serverId);
    this.clearWatcher(entry);
    for (const l of entry.listeners) l.dispose();
    this.updateShadowing();
    await entry.session.dispose();
  }

  /** Literal secret values of a server's current launch (resolved inputs, secret env and headers). */
  secretValues(serverId: string): string[] {
    return [...(this.entries.get(serverId)?.secrets ?? [])];
  }

  // ---- tool poisoning, rug pulls, shadowing ----

  /**
   * Runs on every (re)listing: scans descriptions for hidden instructions and invisible
   * characters, and compares each tool with the pins stored for this server in the workspace.
   * The pins are stored right after comparing, so a change is reported once (with its diff)
   * and stays on this session until the next start.
   */
  private checkTools(entry: Entry): void {
    if (this.entries.get(entry.server.id) !== entry) return;
    const tools = entry.session.view().tools;
    if (!tools.length) {
      // Reset for a start, or a server without tools: nothing to scan, and keep the old pins.
      entry.scan = [];
      return;
    }
    try {
      entry.scan = scanToolDescriptions({ server: entry.server, tools });
      const key = toolPinsKey(entry.server.id);
      const previous = this.services.context.workspaceState.get<ToolPins>(key);
      const current = pinTools(tools);
      for (const f of compareToolPins(entry.server, previous, current)) entry.changed.set(String(f.data?.tool), f);
      const same =
        previous &&
        Object.keys(previous).length === Object.keys(current).length &&
        Object.entries(current).every(([n, p]) => previous[n]?.hash === p.hash);
      if (!same) void this.services.context.workspaceState.update(key, current);
    } catch (err) {
      this.services.log.warn(`tool checks of ${entry.server.name} failed: ${String(err)}`);
    }
  }

  /** Recomputes shadowed tool names across running sessions; fires for servers whose findings changed. */
  private updateShadowing(except?: string): void {
    const running = [...this.entries.values()].filter((e) => e.session.view().state.kind === 'running');
    const all = findShadowedTools(running.map((e) => ({ server: e.server, tools: e.session.view().tools })));
    for (const entry of this.entries.values()) {
      const mine = running.includes(entry)
        ? all.filter((f) => f.server === entry.server.name && f.file === entry.server.file)
        : [];
      if (JSON.stringify(mine) === JSON.stringify(entry.shadow)) continue;
      entry.shadow = mine;
      if (entry.server.id !== except) this.changed.fire(entry.server.id);
    }
  }

  /**
   * Output lines in the terminal. Known token shapes and this launch's secret values are masked
   * everywhere; lifecycle lines (command line, URL) also get `key=value` and URL credentials redacted.
   * The session itself prints the exact command line with its cwd as its first lifecycle line.
   */
  private writeOutput(terminal: ServerTerminal, e: OutputEvent, secrets: readonly string[]): void {
    switch (e.kind) {
      case 'stderr':
        terminal.writeLine(maskSecrets(redactString(e.text), secrets), 'stderr');
        break;
      case 'log': {
        // MCP logging (`notifications/message`); `Set Server Log Level…` chooses what comes (2025 era).
        const level = e.level ?? 'info';
        const style = ['error', 'critical', 'alert', 'emergency'].includes(level)
          ? 'error'
          : level === 'warning'
            ? 'hint'
            : 'stderr';
        terminal.writeLine(`[${level}] ${maskSecrets(redactString(e.text), secrets)}`, style);
        break;
      }
      case 'stdout-noise':
        terminal.writeLine(`stdout: ${maskSecrets(redactString(e.text), secrets)}`, 'noise');
        terminal.writeLine(
          '  ↳ not JSON-RPC: on stdio, stdout carries only protocol messages; log to stderr instead',
          'hint',
        );
        break;
      case 'lifecycle': {
        const text = maskSecrets(redactSecretFlags(redactText(e.text)), secrets);
        if (text.startsWith('$ ')) terminal.writeLine(text, 'header');
        else
          terminal.writeLine(
            `● ${text}`,
            /exit|crash|fail|error|timed out|not answer/i.test(text) ? 'error' : 'lifecycle',
          );
        break;
      }
    }
  }

  // ---- watch mode ----

  private updateWatcher(entry: Entry): void {
    const settings = vscode.workspace.getConfiguration('mcpDoctor', vscode.Uri.file(entry.server.file));
    // Servers MCP Doctor launched (stdio, or HTTP started by a command): a restart spawns them again and reconnects.
    if (!settings.get<boolean>('launch.watch', false) || entry.watcher || !entry.resolved.command) return;
    const base = entry.resolved.cwd ?? entry.resolved.workspaceFolder ?? workspaceFolderOf(entry.server.file);
    if (!base) return;
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(base), '**/*.{py,ts,js,mjs}'),
    );
    const onChange = (uri: vscode.Uri) => {
      if (WATCH_IGNORED.test(uri.fsPath)) return;
      if (entry.watchTimer) clearTimeout(entry.watchTimer);
      entry.watchTimer = setTimeout(() => {
        entry.watchTimer = undefined;
        if (this.entries.get(entry.server.id) !== entry) return;
        this.terminal(entry.server).writeLine(`↻ ${path.relative(base, uri.fsPath)} changed: restarting`, 'hint');
        // Restart with the current config entry, in case it was edited too.
        void this.restart(this.services.config.servers.find((s) => s.id === entry.server.id) ?? entry.server);
      }, WATCH_DEBOUNCE_MS);
    };
    const subs = [watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange)];
    entry.watcher = { dispose: () => subs.forEach((s) => s.dispose()) };
  }

  private clearWatcher(entry: Entry): void {
    if (entry.watchTimer) clearTimeout(entry.watchTimer);
    entry.watchTimer = undefined;
    entry.watcher?.dispose();
    entry.watcher = undefined;
  }
}

/** The workspace folder containing a file, if any. */
function workspaceFolderOf(file: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
}
