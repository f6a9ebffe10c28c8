import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { buildDetail, toDisplayEntry } from '../../core/trace/display';
import type { HubAppendEvent, HubSession, TraceHub } from '../../core/trace/hub';
import {
  ClearCommand,
  CopyCommand,
  DidAppendNotification,
  DidChangeSessionsNotification,
  DidChangeStatsNotification,
  DidNotifyNotification,
  DidResetNotification,
  DidSelectNotification,
  DidSetFilterNotification,
  ExportCommand,
  GetDetailRequest,
  ImportCommand,
  IpcEndpoint,
  OpenDefinitionCommand,
  ReadyCommand,
  ReplayRequest,
  SetFilterCommand,
  type CopyParams,
  type DisplayEntry,
  type EntryRef,
  type IpcMessage,
  type IpcNotification,
  type ReplayResult,
  type SessionInfo,
  type ToolStatsView,
  type TraceFilterState,
} from '../../shared/protocol';

/**
 * What the panel needs from the trace area: the recorded sessions and the actions the view
 * offers. The panel owns this interface; the trace service implements it.
 */
export interface TracePanelHost {
  readonly extensionUri: vscode.Uri;
  /** The sessions the view shows. */
  readonly hub: TraceHub;
  sessionInfos(): SessionInfo[];
  statsViews(): ToolStatsView[];
  /** Re-sends a recorded request to the running server; old vs new result. */
  replay(sx: number, seq: number, editedParams?: string): Promise<ReplayResult>;
  /** Opens the source that defines `tool`. */
  openDefinition(tool: string, sx?: number): Promise<boolean>;
  copy(p: CopyParams): Promise<void>;
  /** Drops a stored/imported session (or all that are not live). */
  clear(sx?: number): void;
}

/** Sees every message the panel posts and receives (given only in the extension's Test mode). */
export interface IpcTap {
  onPosted(msg: IpcMessage): void;
  onReceived(msg: IpcMessage): void;
}

export const TRACE_VIEW_TYPE = 'mcpDoctor.trace';
/** Appends are posted at most this often. */
const APPEND_INTERVAL_MS = 50;
const STATS_INTERVAL_MS = 300;
/** Rows per snapshot message (the rest follow in `didAppend` chunks). */
const SNAPSHOT_CHUNK = 5000;

/**
 * The "MCP Trace" webview panel. Handshake: nothing is posted until the webview says
 * `ready`; it then gets a snapshot. With `retainContextWhenHidden: false` the webview is
 * torn down when hidden, so it sends `ready` again when shown and gets a fresh snapshot.
 */
export class TracePanel implements vscode.Disposable {
  private ready = false;
  private readonly ipc: IpcEndpoint;
  private queue: HubAppendEvent[] = [];
  private appendTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private readonly sentOldest = new Map<number, number>();
  /** Sessions whose rows the webview has (snapshot or first sight). */
  private readonly sentSessions = new Set<number>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Filter the host wants applied on the next snapshot (from `reveal`). */
  private pendingFilter: TraceFilterState | undefined;
  /** Entry the host wants selected after the next snapshot. */
  private pendingSelect: EntryRef | undefined;
  /** The webview's last filter (restored into the next snapshot). */
  private filter: TraceFilterState | undefined;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once, when the panel is closed or disposed. */
  readonly onDidDispose = this.disposeEmitter.event;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: TracePanelHost,
    private readonly tap: IpcTap | undefined,
  ) {
    panel.webview.options = TracePanel.webviewOptions(host.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icons', 'mcp-doctor.svg');
    panel.webview.html = this.html();
    this.ipc = new IpcEndpoint('h', (msg) => this.postRaw(msg));
    this.ipc.onRequest(GetDetailRequest, (p) => this.detail(p));
    this.ipc.onRequest(ReplayRequest, (p) => this.host.replay(p.sx, p.seq, p.params));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: IpcMessage) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => {
        // Hidden webviews drop posts; the webview re-sends `ready` when it comes back.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      host.hub.onDidAppend((e) => this.onAppend(e)),
      host.hub.onDidChangeSessions(() => this.postSessions()),
    );
  }

  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: false,
      enableFindWidget: true,
    };
  }

  static create(host: TracePanelHost, tap?: IpcTap): TracePanel {
    const panel = vscode.window.createWebviewPanel(
      TRACE_VIEW_TYPE,
      'MCP Trace',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      TracePanel.webviewOptions(host.extensionUri),
    );
    return new TracePanel(panel, host, tap);
  }

  /** Adopts a panel VS Code restored after a reload (`WebviewPanelSerializer`). */
  static revive(panel: vscode.WebviewPanel, host: TracePanelHost, state: unknown, tap?: IpcTap): TracePanel {
    const p = new TracePanel(panel, host, tap);
    const filter = (state as { filter?: TraceFilterState } | undefined)?.filter;
    if (filter) p.filter = filter;
    return p;
  }

  /** Shows the panel, applies `filter` and selects `select` (when given). */
  reveal(filter?: TraceFilterState, select?: EntryRef): void {
    if (filter) {
      this.pendingFilter = filter;
      if (this.ready) {
        this.post(DidSetFilterNotification, { filter });
        this.pendingFilter = undefined;
      }
    }
    if (select) {
      if (this.ready) {
        this.flushAppends(); // the row must be there before it is selected
        this.post(DidSelectNotification, select);
      } else this.pendingSelect = select;
    }
    this.panel.reveal(undefined, false);
  }

  get isReady(): boolean {
    return this.ready;
  }

  // ---- messages from the webview ---------------------------------------------------------

  private async onMessage(m: IpcMessage): Promise<void> {
    if (!m || typeof m.method !== 'string') return;
    this.tap?.onReceived(m);
    try {
      if (this.ipc.receive(m)) return; // requests (detail, replay) are answered by their handlers
      if (ReadyCommand.is(m)) {
        if (m.params?.filter && !this.filter) this.filter = m.params.filter;
        this.ready = true;
        this.sendSnapshot();
      } else if (SetFilterCommand.is(m)) {
        this.filter = m.params.filter;
      } else if (OpenDefinitionCommand.is(m)) {
        await this.host.openDefinition(m.params.tool, m.params.sx);
      } else if (CopyCommand.is(m)) {
        await this.host.copy(m.params);
      } else if (ExportCommand.is(m)) {
        await vscode.commands.executeCommand('mcpDoctor.exportTrace', { sx: m.params.sx });
      } else if (ImportCommand.is(m)) {
        await vscode.commands.executeCommand('mcpDoctor.importTrace');
      } else if (ClearCommand.is(m)) {
        this.host.clear(m.params.sx);
        this.sendSnapshot();
      }
    } catch (err) {
      this.notify('error', `MCP Trace: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The detail pane's content for one entry (`GetDetailRequest`). */
  private detail(ref: EntryRef) {
    const s = this.host.hub.get(ref.sx);
    const e = s?.recorder.get(ref.seq);
    if (!s || !e) return undefined;
    return buildDetail(
      e,
      s.sx,
      e.pair ? s.recorder.get(e.pair) : undefined,
      e.parent ? s.recorder.get(e.parent) : undefined,
      s.recorder.secrets,
      e.input ? s.recorder.get(e.input) : undefined,
    );
  }

  /** A short message in the view's status line, or a notification when the view is not showing. */
  notify(level: 'info' | 'error', message: string): void {
    if (this.ready) this.post(DidNotifyNotification, { level, message });
    else if (level === 'error') void vscode.window.showErrorMessage(message);
    else void vscode.window.showInformationMessage(message);
  }

  // ---- messages to the webview -----------------------------------------------------------

  private post<P>(call: IpcNotification<P>, params: P): void {
    this.ipc.notify(call, params);
  }

  private postRaw(msg: IpcMessage): void {
    if (this.disposed || !this.ready) return;
    this.tap?.onPosted(msg);
    void this.panel.webview.postMessage(msg);
  }

  /** Everything the view shows, from scratch. */
  sendSnapshot(): void {
    if (!this.ready) return;
    this.queue = [];
    const rows: DisplayEntry[] = [];
    this.sentSessions.clear();
    for (const s of this.host.hub.all()) {
      for (const e of s.recorder.entries()) rows.push(toDisplayEntry(e, s.sx, s.recorder.secrets));
      this.sentOldest.set(s.sx, s.recorder.oldestSeq);
      this.sentSessions.add(s.sx);
    }
    // Interleave sessions by time (stable for equal stamps).
    if (this.host.hub.all().length > 1) rows.sort((a, b) => a.ts - b.ts);
    const filter = this.pendingFilter ?? this.filter;
    this.pendingFilter = undefined;
    if (filter) this.filter = filter;
    this.post(DidResetNotification, {
      snapshot: {
        sessions: this.host.sessionInfos(),
        entries: rows.slice(0, SNAPSHOT_CHUNK),
        more: rows.length > SNAPSHOT_CHUNK,
        stats: this.host.statsViews(),
        filter,
      },
    });
    for (let i = SNAPSHOT_CHUNK; i < rows.length; i += SNAPSHOT_CHUNK * 2) {
      this.post(DidAppendNotification, { entries: rows.slice(i, i + SNAPSHOT_CHUNK * 2), updated: [] });
    }
    if (this.pendingSelect) {
      this.post(DidSelectNotification, this.pendingSelect);
      this.pendingSelect = undefined;
    }
  }

  private postSessions(): void {
    if (!this.ready) return;
    this.post(DidChangeSessionsNotification, { sessions: this.host.sessionInfos() });
    // Sessions opened from a file arrive complete: send their rows once.
    for (const s of this.host.hub.all()) {
      if (this.sentSessions.has(s.sx)) continue;
      this.sentSessions.add(s.sx);
      this.sentOldest.set(s.sx, s.recorder.oldestSeq);
      const rows = sessionRows(s);
      for (let i = 0; i < rows.length; i += SNAPSHOT_CHUNK * 2)
        this.post(DidAppendNotification, { entries: rows.slice(i, i + SNAPSHOT_CHUNK * 2), updated: [] });
    }
  }

  private onAppend(e: HubAppendEvent): void {
    if (!this.ready) return;
    this.queue.push(e);
    this.appendTimer ??= setTimeout(() => this.flushAppends(), APPEND_INTERVAL_MS);
    if (e.event.tools.length) this.statsTimer ??= setTimeout(() => this.flushStats(), STATS_INTERVAL_MS);
  }

  /** Posts everything queued as one `didAppend` (rows are built only now, only for what is sent). */
  flushAppends(): void {
    if (this.appendTimer) clearTimeout(this.appendTimer);
    this.appendTimer = undefined;
    const queue = this.queue;
    this.queue = [];
    if (!this.ready || queue.length === 0) return;
    const entries: DisplayEntry[] = [];
    const updated: DisplayEntry[] = [];
    const oldest: Record<number, number> = {};
    const done = new Set<number>();
    for (const { session, event } of queue) {
      if (!this.host.hub.get(session.sx)) continue;
      const rec = session.recorder;
      for (let seq = Math.max(event.first, rec.oldestSeq); seq <= event.last; seq++) {
        const e = rec.get(seq);
        if (e) entries.push(toDisplayEntry(e, session.sx, rec.secrets));
      }
      for (const seq of event.updated) {
        const key = session.sx * 4294967296 + seq;
        if (done.has(key) || seq >= event.first) continue;
        done.add(key);
        const e = rec.get(seq);
        if (e) updated.push(toDisplayEntry(e, session.sx, rec.secrets));
      }
      if (rec.oldestSeq !== this.sentOldest.get(session.sx)) {
        oldest[session.sx] = rec.oldestSeq;
        this.sentOldest.set(session.sx, rec.oldestSeq);
      }
    }
    this.post(DidAppendNotification, { entries, updated, oldest: Object.keys(oldest).length ? oldest : undefined });
  }

  private flushStats(): void {
    this.statsTimer = undefined;
    this.post(DidChangeStatsNotification, { stats: this.host.statsViews() });
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = crypto.randomBytes(16).toString('base64');
    const base = vscode.Uri.joinPath(this.host.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'trace.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(base, 'trace.css'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(base, 'codicon.css'));
    const csp = `default-src 'none'; style-src ${webview.cspSource}; font-src ${webview.cspSource}; img-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons}">
<link rel="stylesheet" href="${css}">
<title>MCP Trace</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    if (this.appendTimer) clearTimeout(this.appendTimer);
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.ipc.dispose();
    for (const d of this.disposables) d.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
  }
}

/** Rows of one session (used by tests and export). */
function sessionRows(s: HubSession): DisplayEntry[] {
  return [...s.recorder.entries()].map((e) => toDisplayEntry(e, s.sx, s.recorder.secrets));
}
