/**
 * What MCP Doctor reads from the Debug Adapter Protocol traffic between VS Code and a debug
 * adapter (seen through a tracker): whether the debuggee is paused, and where.
 */

/** A DAP message as a tracker sees it (only the fields read here). */
export interface DapMessage {
  type?: string;
  seq?: number;
  event?: string;
  command?: string;
  request_seq?: number;
  success?: boolean;
  body?: unknown;
  arguments?: unknown;
}

/** Requests that let a stopped thread run again (their success response means it runs). */
const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto']);

export interface StopInfo {
  threadId?: number;
  reason: string;
  /** The adapter's description (`Paused on breakpoint`, an exception message…). */
  description?: string;
}

/**
 * Whether the debuggee is paused, from the messages of one debug session. A `stopped` event
 * pauses its thread (or all threads); a `continued` event, a successful resuming request,
 * the thread's exit, or the session's end lets it run. Feed every message in both directions.
 */
export class DebuggeeState {
  private readonly stopped = new Set<number>();
  /** A stop that named no thread, or stopped them all. */
  private allStopped = false;
  private ended = false;
  private readonly pendingResumes = new Map<number, { threadId?: number; all: boolean }>();
  private stop?: StopInfo;

  get paused(): boolean {
    return !this.ended && (this.allStopped || this.stopped.size > 0);
  }

  /** The latest stop while paused. */
  get lastStop(): StopInfo | undefined {
    return this.paused ? this.stop : undefined;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /** A message VS Code sent to the adapter. */
  fromClient(msg: DapMessage): void {
    if (msg.type !== 'request' || msg.seq === undefined || !RESUMING.has(msg.command ?? '')) return;
    const args = (msg.arguments ?? {}) as { threadId?: unknown; singleThread?: unknown };
    const threadId = typeof args.threadId === 'number' ? args.threadId : undefined;
    // `continue` resumes every thread unless its response says otherwise; stepping, one thread.
    this.pendingResumes.set(msg.seq, { threadId, all: msg.command === 'continue' && args.singleThread !== true });
  }

  /** A message the adapter sent to VS Code. Returns true when `paused` changed. */
  fromAdapter(msg: DapMessage): boolean {
    const before = this.paused;
    if (msg.type === 'event') this.onEvent(msg.event ?? '', (msg.body ?? {}) as Record<string, unknown>);
    else if (msg.type === 'response' && msg.request_seq !== undefined) {
      const resume = this.pendingResumes.get(msg.request_seq);
      if (resume) {
        this.pendingResumes.delete(msg.request_seq);
        if (msg.success) {
          const body = (msg.body ?? {}) as { allThreadsContinued?: unknown };
          const all = msg.command === 'continue' ? body.allThreadsContinued !== false && resume.all : false;
          this.resume(resume.threadId, all);
        }
      }
    }
    return before !== this.paused;
  }

  /** The session ended (or the adapter went away): nothing is paused any more. */
  end(): boolean {
    const before = this.paused;
    this.ended = true;
    return before !== this.paused;
  }

  private onEvent(event: string, body: Record<string, unknown>): void {
    const threadId = typeof body.threadId === 'number' ? body.threadId : undefined;
    switch (event) {
      case 'stopped':
        if (threadId === undefined || body.allThreadsStopped === true) this.allStopped = true;
        if (threadId !== undefined) this.stopped.add(threadId);
        this.stop = {
          threadId,
          reason: typeof body.reason === 'string' ? body.reason : 'pause',
          description: typeof body.description === 'string' ? body.description : undefined,
        };
        break;
      case 'continued':
        this.resume(threadId, body.allThreadsContinued !== false);
        break;
      case 'thread':
        if (body.reason === 'exited' && threadId !== undefined) {
          this.stopped.delete(threadId);
          if (this.stopped.size === 0) this.allStopped = false;
        }
        break;
      case 'terminated':
      case 'exited':
        this.ended = true;
        break;
    }
  }

  private resume(threadId: number | undefined, all: boolean): void {
    if (all || threadId === undefined) {
      this.stopped.clear();
      this.allStopped = false;
      return;
    }
    this.stopped.delete(threadId);
    // A stop of all threads is over once the thread that stopped runs again.
    if (this.stop?.threadId === threadId) this.allStopped = false;
  }
}

/** A stack frame as a `stackTrace` response gives it (1-based lines, as VS Code asks for). */
export interface FrameInfo {
  name?: string;
  path?: string;
  line: number;
}

/** A tool's handler, as the source analysis found it (0-based lines). */
export interface HandlerSpan {
  tool: string;
  file: string;
  startLine: number;
  endLine: number;
}

/** The tool whose handler the innermost frame inside any handler belongs to, with that frame. */
export function pausedTool(
  frames: readonly FrameInfo[],
  handlers: readonly HandlerSpan[],
  samePath: (a: string, b: string) => boolean = (a, b) => a === b,
): { tool: string; frame: FrameInfo } | undefined {
  for (const frame of frames) {
    if (!frame.path) continue;
    const line = frame.line - 1;
    // The innermost enclosing handler (a nested definition wins over the one around it).
    let best: HandlerSpan | undefined;
    for (const h of handlers)
      if (samePath(h.file, frame.path) && line >= h.startLine && line <= h.endLine)
        if (!best || h.endLine - h.startLine < best.endLine - best.startLine) best = h;
    if (best) return { tool: best.tool, frame };
  }
  return undefined;
}

/** Stack frames from a `stackTrace` response body (anything else gives none). */
export function framesOf(body: unknown): FrameInfo[] {
  const frames = (body as { stackFrames?: unknown } | undefined)?.stackFrames;
  if (!Array.isArray(frames)) return [];
  return frames.flatMap((f): FrameInfo[] => {
    if (!f || typeof f !== 'object') return [];
    const { name, line, source } = f as { name?: unknown; line?: unknown; source?: { path?: unknown } };
    if (typeof line !== 'number') return [];
    return [
      {
        name: typeof name === 'string' ? name : undefined,
        path: typeof source?.path === 'string' ? source.path : undefined,
        line,
      },
    ];
  });
}
