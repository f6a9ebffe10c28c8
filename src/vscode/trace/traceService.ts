import { SDK_VERSION, VERSION } from '../../core/version';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { diffLines, prettyJson, replayConfirmation, restoreRedacted } from '../../core/trace/display';
import { TraceHub, type HubSession } from '../../core/trace/hub';
import { TraceRecorder } from '../../core/trace/recorder';
import {
  exportTrace,
  listSessions,
  makeHeader,
  readTraceFile,
  rotateSessions,
  sessionFileName,
  storageLimitBytes,
  TraceFileTail,
  TraceFileWriter,
  type StoredSession,
} from '../../core/trace/store';
import { findToolDefinition } from '../../core/trace/toolDefinition';
import type { TraceFileHeader, TraceSink } from '../../core/trace/types';
import type { CopyParams, ReplayResult, SessionInfo, ToolStatsView, TraceFilterState } from '../../shared/protocol';
import type { LiveSession, Services, TraceLaunch, TraceService } from '../services';
import { TracePanel, type IpcTap, type TracePanelHost } from './tracePanel';

/** What the trace area needs: the config model (for trace file headers), nothing from sessions. */
type TraceDeps = Pick<Services, 'context' | 'log' | 'config'>;

/** The live session of a server, as the newest launch gave it, with its change listener. */
interface LiveEntry {
  live: LiveSession;
  listener: vscode.Disposable;
}

/** Live sessions of one server are kept in memory after they end, up to this many per server. */
const ENDED_SESSIONS_KEPT = 3;

/**
 * The trace area's service (`services.trace`): one recorder per session in a hub, JSONL
 * persistence, stored/imported sessions, proxy tails, and the webview panel.
 */
export class TraceServiceImpl implements TraceService, TracePanelHost, vscode.Disposable {
  readonly hub = new TraceHub();
  readonly extensionUri: vscode.Uri;
  /** Folder of the stored sessions. */
  readonly folder: string;
  private panel: TracePanel | undefined;
  private readonly writers = new Map<number, TraceFileWriter>();
  private readonly tails = new Map<string, TraceFileTail>();
  /** The live session of each server id, from its newest launch (for replay). */
  private readonly live = new Map<string, LiveEntry>();
  private readonly disposables: vscode.Disposable[] = [];

  /**
   * @param tap sees the panel's messages; only the extension's Test mode passes one, so
   *   nothing is recorded for users.
   */
  constructor(
    private readonly deps: TraceDeps,
    private readonly tap?: IpcTap,
  ) {
    const ctx = deps.context;
    this.extensionUri = ctx.extensionUri;
    this.folder = path.join(ctx.globalStorageUri.fsPath, 'traces');
    this.disposables.push(this.hub);
  }

  /** The trace view, while it is open. */
  get openPanel(): TracePanel | undefined {
    return this.panel;
  }

  private setting<T>(key: string, fallback: T): T {
    return vscode.workspace.getConfiguration('mcpDoctor.trace').get<T>(key, fallback);
  }

  /** Memory per session: `maxMemoryMB`, or the deprecated `maxBytes` where a user still sets it. */
  private memoryBytes(): number {
    const legacy = vscode.workspace.getConfiguration('mcpDoctor.trace').inspect<number>('maxBytes');
    const set = legacy?.workspaceFolderValue ?? legacy?.workspaceValue ?? legacy?.globalValue;
    return typeof set === 'number' ? set : this.setting('maxMemoryMB', 64) * 1024 * 1024;
  }

  // ---- TraceService ----------------------------------------------------------------------

  createSink(launch: TraceLaunch): TraceSink {
    const { serverId, serverName, secrets } = launch;
    this.setLive(serverId, launch.live);
    const config = this.deps.config.servers.find((s) => s.id === serverId);
    let writer: TraceFileWriter | undefined;
    let file: string | undefined;
    if (this.setting('persist', true)) {
      file = path.join(this.folder, sessionFileName(serverName));
      writer = new TraceFileWriter(
        file,
        makeHeader({
          serverId,
          serverName,
          config: config ? configForHeader(config) : undefined,
          writer: 'extension',
          versions: {
            mcpDoctor: VERSION,
            vscode: vscode.version,
            sdk: SDK_VERSION,
          },
        }),
        {
          onError: (err) =>
            this.deps.log.warn(`trace file ${file}: ${err.message}; recording continues in memory only`),
          secrets,
        },
      );
    }
    const recorder = new TraceRecorder({
      serverId,
      serverName,
      maxMessages: this.setting('maxMessages', 100_000),
      maxBytes: this.memoryBytes(),
      tap: writer?.write,
      secrets,
    });
    // Earlier live sessions of this server have ended: keep a few, drop the rest.
    for (const s of this.hub.all()) if (s.serverId === serverId && s.live) this.endLive(s);
    const mine = this.hub.all().filter((s) => s.serverId === serverId && s.origin === 'live');
    for (const s of mine.slice(0, Math.max(0, mine.length - ENDED_SESSIONS_KEPT))) this.hub.remove(s.sx);
    const session = this.hub.add(recorder, { origin: 'live', live: true, file }, () => {
      writer?.close();
      this.writers.delete(session.sx);
    });
    if (writer) this.writers.set(session.sx, writer);
    if (file) void this.rotate();
    return recorder;
  }

  async reveal(filter?: { serverId?: string; tool?: string; sx?: number }): Promise<void> {
    const f: TraceFilterState | undefined =
      filter && (filter.serverId || filter.tool || filter.sx !== undefined) ? { ...filter } : undefined;
    const select = filter?.tool ? this.lastCallOf(filter.tool, filter.serverId) : undefined;
    this.panel ??= this.adopt(TracePanel.create(this, this.tap));
    this.panel.reveal(f, select);
  }

  /** The newest `tools/call` request of `tool` (in the newest session of `serverId` when given). */
  private lastCallOf(tool: string, serverId?: string): { sx: number; seq: number } | undefined {
    const sessions = this.hub
      .all()
      .filter((s) => !serverId || s.serverId === serverId)
      .reverse();
    for (const s of sessions) {
      const rec = s.recorder;
      for (let seq = rec.lastSeq; seq >= rec.oldestSeq && seq > rec.lastSeq - 20000; seq--) {
        const e = rec.get(seq);
        if (e && e.tool === tool && e.shape === 'request') return { sx: s.sx, seq };
      }
    }
    return undefined;
  }

  // ---- panel support -----------------------------------------------------------------------

  attachRevived(panel: vscode.WebviewPanel, state: unknown): void {
    this.panel?.dispose();
    this.panel = this.adopt(TracePanel.revive(panel, this, state, this.tap));
  }

  private adopt(p: TracePanel): TracePanel {
    p.onDidDispose(() => {
      if (this.panel === p) this.panel = undefined;
    });
    return p;
  }

  sessionInfos(): SessionInfo[] {
    return this.hub.all().map((s) => ({
      sx: s.sx,
      serverId: s.serverId,
      serverName: s.serverName,
      origin: s.origin,
      startedAt: s.startedAt,
      file: s.file,
      canReplay: this.canReplay(s),
    }));
  }

  statsViews(): ToolStatsView[] {
    const out: ToolStatsView[] = [];
    for (const s of this.hub.all()) for (const t of s.recorder.toolStats()) out.push({ sx: s.sx, ...t });
    return out;
  }

  private notify(level: 'info' | 'error', message: string): void {
    if (this.panel) this.panel.notify(level, message);
    else if (level === 'error') void vscode.window.showErrorMessage(message);
    else void vscode.window.showInformationMessage(message);
  }

  /** The running session of a server, or undefined. */
  private liveSession(serverId: string): LiveSession | undefined {
    const live = this.live.get(serverId)?.live;
    return live?.isRunning() ? live : undefined;
  }

  private canReplay(s: HubSession): boolean {
    return s.origin !== 'proxy' && !!this.liveSession(s.serverId);
  }

  /**
   * Keeps the newest launch's live session of a server. A recorded session is "live" until the
   * next start of its server creates a new recorder; whether it can replay right now follows
   * the server's state, re-sent to the view on every change.
   */
  private setLive(serverId: string, live: LiveSession): void {
    this.live.get(serverId)?.listener.dispose();
    this.live.set(serverId, { live, listener: live.onDidChange(() => this.hub.touch()) });
  }

  /**
   * The session ended (its server started again). Its file stays open for the last lifecycle
   * lines; the writer flushes them on its own timer and closes when the hub drops the session.
   */
  private endLive(s: HubSession): void {
    this.hub.setLive(s.sx, false);
  }

  // ---- actions -----------------------------------------------------------------------------

  /**
   * Re-sends a recorded request to the running server, as recorded or with the params the user
   * edited in the view (`editedParams`, JSON text); old vs new result with a diff.
   */
  async replay(sx: number, seq: number, editedParams?: string): Promise<ReplayResult> {
    const s = this.hub.get(sx);
    const e = s?.recorder.get(seq);
    const fail = (error: string, method = e?.method ?? '?'): ReplayResult => ({
      sx,
      seq,
      method,
      ok: false,
      durationMs: 0,
      old: '',
      new: '',
      diff: [],
      error,
    });
    if (!s || !e) return fail('the message is no longer in memory');
    const req = e.shape === 'request' ? e : e.pair ? s.recorder.get(e.pair) : undefined;
    if (!req || req.shape !== 'request' || req.dir !== 'out' || !req.method)
      return fail('only client→server requests can be replayed');
    if (req.truncated) return fail('the request payload was too large to keep in memory');
    if (req.method === 'initialize') return fail('initialize cannot be replayed on a running session');
    const live = s.origin === 'proxy' ? undefined : this.liveSession(s.serverId);
    if (!live) return fail(`${s.serverName} is not running in MCP Doctor: start it to replay`, req.method);
    let params = stripMeta((req.msg as { params?: unknown }).params);
    if (editedParams !== undefined) {
      let edited: unknown;
      try {
        edited = editedParams.trim() === '' ? undefined : JSON.parse(editedParams);
      } catch (err) {
        return fail(`the edited params are not JSON: ${err instanceof Error ? err.message : String(err)}`, req.method);
      }
      if (edited !== undefined && (typeof edited !== 'object' || edited === null || Array.isArray(edited)))
        return fail('the edited params must be a JSON object', req.method);
      params = stripMeta(restoreRedacted(edited, params, s.recorder.secrets));
    }
    // Only a live session's own requests replay at once; anything read from a file asks first.
    if (!(s.origin === 'live' && s.live)) {
      const ask = replayConfirmation({ method: req.method, params }, s, s.recorder.secrets);
      const choice = await vscode.window.showWarningMessage(ask.message, { modal: true, detail: ask.detail }, 'Send');
      if (choice !== 'Send') return fail('replay cancelled: the request was not sent', req.method);
    }
    const outcome = await live.request(req.method, params);
    const resp = req.pair ? s.recorder.get(req.pair) : undefined;
    const oldValue = resp ? responseValue(resp.msg) : { note: 'no response was recorded' };
    const newValue = outcome.error ? { error: outcome.error } : outcome.result;
    const oldJson = prettyJson(oldValue, undefined, s.recorder.secrets).json;
    const newJson = prettyJson(newValue, undefined, s.recorder.secrets).json;
    return {
      sx,
      seq: req.seq,
      method: req.method,
      ok: outcome.ok,
      durationMs: outcome.durationMs,
      old: oldJson,
      new: newJson,
      diff: diffLines(oldJson, newJson),
    };
  }

  /** Opens the source that defines `tool` (workspace `.py/.ts/.js` files, by text). */
  async openDefinition(tool: string, _sx?: number): Promise<boolean> {
    const files = await vscode.workspace.findFiles(
      '**/*.{py,ts,js,mjs,cjs,mts}',
      '**/{node_modules,.git,dist,out,build,.venv,venv,__pycache__,.vscode-test}/**',
      3000,
    );
    let best: { uri: vscode.Uri; line: number; character: number; score: number } | undefined;
    for (const uri of files) {
      let text: string;
      try {
        text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
      } catch {
        continue;
      }
      if (!text.includes(tool)) continue;
      const lang = uri.fsPath.endsWith('.py') ? 'python' : 'typescript';
      const m = findToolDefinition(text, tool, lang);
      if (m && (!best || m.score > best.score)) best = { uri, ...m };
      if (best?.score === 10) break;
    }
    if (!best) {
      this.notify('info', `No definition of tool "${tool}" found in the workspace (.py, .ts, .js).`);
      return false;
    }
    const pos = new vscode.Position(best.line, best.character);
    await vscode.window.showTextDocument(best.uri, {
      selection: new vscode.Range(pos, pos.translate(0, tool.length)),
      viewColumn: vscode.ViewColumn.One,
    });
    return true;
  }

  async copy(p: CopyParams): Promise<void> {
    const s = this.hub.get(p.sx);
    const e = s?.recorder.get(p.seq);
    if (!s || !e) return;
    const pair = e.pair ? s.recorder.get(e.pair) : undefined;
    let value: unknown = e.msg;
    if (p.what === 'pair') value = pair?.msg;
    else if (p.what === 'both') value = pair ? (e.dir === 'out' ? [e.msg, pair.msg] : [pair.msg, e.msg]) : [e.msg];
    await vscode.env.clipboard.writeText(prettyJson(value, Infinity, s.recorder.secrets).json);
    this.notify('info', 'Copied (secrets redacted).');
  }

  /** Removes a stored/imported session (or all that are not live) from the view and memory. */
  clear(sx?: number): void {
    for (const s of this.hub.all()) {
      if (sx !== undefined ? s.sx === sx && !s.live : !s.live) this.hub.remove(s.sx);
    }
  }

  /** Stored sessions, newest first. */
  listStored(): Promise<StoredSession[]> {
    return listSessions(this.folder);
  }

  /** Opens a JSONL trace file as a session of the view. */
  async openFile(file: string, origin: 'stored' | 'imported'): Promise<HubSession | undefined> {
    const r = await readTraceFile(file, {
      maxMessages: this.setting('maxMessages', 100_000),
      maxBytes: this.memoryBytes(),
    });
    if (r.entries === 0 && r.problems.length > 0) {
      void vscode.window.showErrorMessage(`Cannot open trace ${path.basename(file)}: ${r.problems[0].message}`);
      r.recorder.dispose();
      return undefined;
    }
    if (r.problems.length > 0) {
      const p = r.problems[0];
      void vscode.window.showWarningMessage(
        `${path.basename(file)}: ${r.problems.length} line(s) skipped (line ${p.line}: ${p.message}).`,
      );
    }
    return this.hub.add(r.recorder, { origin, file, header: r.header });
  }

  /** Exports a session as redacted JSONL; returns the number of entries written. */
  async exportSession(sx: number, target: string): Promise<number> {
    const s = this.hub.get(sx);
    if (!s) throw new Error('no such session');
    this.writers.get(sx)?.flushSync();
    // A complete file (persisted or opened) has the payloads that were truncated in memory.
    const source = s.file && fs.existsSync(s.file) && s.origin !== 'proxy' ? s.file : undefined;
    return exportTrace(target, { recorder: s.recorder, header: s.header, source });
  }

  /** Follows a proxy trace file; each header line in it starts a new session. */
  tailProxy(file: string): void {
    if (this.tails.has(file)) return;
    let current: HubSession | undefined;
    const tail = new TraceFileTail(
      file,
      (r) => {
        if (r.header) {
          if (current) this.hub.setLive(current.sx, false);
          const rec = new TraceRecorder({
            serverId: r.header.serverId,
            serverName: r.header.serverName,
            maxMessages: this.setting('maxMessages', 100_000),
            maxBytes: this.memoryBytes(),
          });
          current = this.hub.add(rec, { origin: 'proxy', file, header: r.header as TraceFileHeader, live: true });
        } else if (r.line) {
          if (!current) {
            const rec = new TraceRecorder({ serverId: `proxy:${file}`, serverName: path.basename(file, '.jsonl') });
            current = this.hub.add(rec, { origin: 'proxy', file, live: true });
          }
          current.recorder.record(r.line.kind, r.line.dir, r.line.msg, r.line.ts, r.line.size);
        }
      },
      300,
    );
    this.tails.set(file, tail);
    tail.start();
  }

  untailProxy(file: string): void {
    this.tails.get(file)?.dispose();
    this.tails.delete(file);
  }

  private async rotate(): Promise<void> {
    // The user's value only: a workspace setting must not delete other workspaces' traces.
    const max = storageLimitBytes(vscode.workspace.getConfiguration('mcpDoctor.trace').inspect('maxStorageMB'));
    const keep = this.hub
      .all()
      .map((s) => s.file)
      .filter((f): f is string => !!f);
    try {
      const deleted = await rotateSessions(this.folder, max, keep);
      if (deleted.length)
        this.deps.log.info(`trace: deleted ${deleted.length} old session file(s) beyond mcpDoctor.trace.maxStorageMB`);
    } catch (err) {
      this.deps.log.warn(`trace rotation failed: ${String(err)}`);
    }
  }

  /** Writes every queued trace line now (the writers also flush on their own timer). */
  flush(): void {
    for (const w of this.writers.values()) w.flushSync();
  }

  dispose(): void {
    for (const t of this.tails.values()) t.dispose();
    this.tails.clear();
    for (const l of this.live.values()) l.listener.dispose();
    this.live.clear();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The config fields worth keeping in a header (redacted by `makeHeader`). */
function configForHeader(c: ServerConfig): unknown {
  return {
    name: c.name,
    client: c.client,
    file: c.file,
    transport: c.transport,
    command: c.command,
    args: c.args,
    cwd: c.cwd,
    env: c.env,
    url: c.url,
    headers: c.headers,
  };
}

/** The result (or error) of a recorded response. */
function responseValue(msg: unknown): unknown {
  const m = (msg ?? {}) as { result?: unknown; error?: unknown };
  return m.error !== undefined ? { error: m.error } : m.result;
}

/** Request params without the old call's `_meta` (progress token...). */
function stripMeta(params: unknown): unknown {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return params;
  const { _meta: _unused, ...rest } = params as Record<string, unknown>;
  return rest;
}
