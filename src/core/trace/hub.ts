import type { SessionOrigin } from '../../shared/protocol';
import { Emitter, type Disposable, type Event } from '../util/event';
import type { TraceAppendEvent, TraceRecorder } from './recorder';
import type { TraceFileHeader } from './types';

/** One recorded session the trace view can show. */
export interface HubSession {
  /** Small number naming the session in the webview protocol. */
  readonly sx: number;
  readonly recorder: TraceRecorder;
  readonly serverId: string;
  readonly serverName: string;
  origin: SessionOrigin;
  readonly startedAt: string;
  /** JSONL file of the session (persisted, opened, imported or tailed). */
  file?: string;
  header?: TraceFileHeader;
  /** True while this is the recorder of a running session (its server can replay). */
  live: boolean;
}

/** The recorder's append event, tagged with its session. */
export interface HubAppendEvent {
  session: HubSession;
  event: TraceAppendEvent;
}

/**
 * Every session the trace view knows: live recorders, reopened and imported files, proxy
 * tails. Pure bookkeeping; the VS Code layer owns persistence and the panel.
 */
export class TraceHub implements Disposable {
  private nextSx = 1;
  private readonly sessions = new Map<number, { session: HubSession; sub: Disposable; onDispose?: () => void }>();
  private readonly _onDidChangeSessions = new Emitter<void>();
  readonly onDidChangeSessions: Event<void> = this._onDidChangeSessions.event;
  private readonly _onDidAppend = new Emitter<HubAppendEvent>();
  readonly onDidAppend: Event<HubAppendEvent> = this._onDidAppend.event;

  /** Registers a recorder; `onDispose` runs when the session is removed (close its file...). */
  add(
    recorder: TraceRecorder,
    info: { origin: SessionOrigin; live?: boolean; file?: string; header?: TraceFileHeader; startedAt?: string },
    onDispose?: () => void,
  ): HubSession {
    const session: HubSession = {
      sx: this.nextSx++,
      recorder,
      serverId: recorder.serverId,
      serverName: recorder.serverName,
      origin: info.origin,
      startedAt: info.startedAt ?? info.header?.startedAt ?? new Date(recorder.startTs).toISOString(),
      file: info.file,
      header: info.header,
      live: info.live ?? false,
    };
    const sub = recorder.onDidAppend((event) => this._onDidAppend.fire({ session, event }));
    this.sessions.set(session.sx, { session, sub, onDispose });
    this._onDidChangeSessions.fire();
    return session;
  }

  get(sx: number): HubSession | undefined {
    return this.sessions.get(sx)?.session;
  }

  /** All sessions, oldest first. */
  all(): HubSession[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  /** The newest session of a server (live ones first). */
  latestFor(serverId: string): HubSession | undefined {
    const mine = this.all().filter((s) => s.serverId === serverId);
    return mine.filter((s) => s.live).pop() ?? mine.pop();
  }

  /** Marks a session as no longer live (its server was restarted or stopped). */
  setLive(sx: number, live: boolean): void {
    const s = this.get(sx);
    if (s && s.live !== live) {
      s.live = live;
      this._onDidChangeSessions.fire();
    }
  }

  /** Tells listeners the session list changed (live/replayable state). */
  touch(): void {
    this._onDidChangeSessions.fire();
  }

  remove(sx: number): void {
    const s = this.sessions.get(sx);
    if (!s) return;
    this.sessions.delete(sx);
    s.sub.dispose();
    try {
      s.onDispose?.();
    } finally {
      s.session.recorder.dispose();
      this._onDidChangeSessions.fire();
    }
  }

  dispose(): void {
    for (const sx of [...this.sessions.keys()]) this.remove(sx);
    this._onDidChangeSessions.dispose();
    this._onDidAppend.dispose();
  }
}
