import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { DebuggeeState, framesOf, pausedTool, type DapMessage } from '../../core/debug/dap';
import { handlerSpans } from '../../core/debug/handlers';
import { DEBUG_HOST, planDebugLaunch, type DebugPlan } from '../../core/debug/launchPlan';
import { freePort, planHostFor, probeDebugpy } from '../../core/debug/machine';
import { DebugRelay } from '../../core/debug/relay';
import { debugStatusText, type DebugPhase } from '../../core/debug/status';
import { waitForPort } from '../../core/runtime/waitForPort';
import { TimeoutPause } from '../../core/session/timeoutPause';
import type { LaunchVariant, Services } from '../services';
import { debugConfiguration, LAUNCH_KEY } from './configs';
import { installDebugpy } from './install';

/** What a debug launch needs from the other areas. */
export type DebugDeps = Pick<Services, 'log' | 'sessions' | 'tools'>;

/** How long the debug port may take to open after the process started (debugpy starts its adapter first). */
const PORT_WAIT_MS = 60_000;
const POLL_MS = 50;

/**
 * One start of one server under the debugger: plans the launch (debugpy or the Node inspector
 * on a free loopback port), holds the session's clocks while VS Code attaches and while the
 * debuggee is stopped, attaches a VS Code debug session to each process of the start (a server
 * started again for a 2025 handshake is attached again), tells the tree where it is paused, and
 * ties the two lifetimes together: the end of one ends the other.
 */
export class DebugLaunch implements LaunchVariant, vscode.Disposable {
  readonly id = `mcpdoc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  readonly pause = new TimeoutPause();
  private readonly statusChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeStatus = this.statusChanged.event;
  private phase: DebugPhase = { kind: 'attaching' };
  private plan?: DebugPlan;
  /** Python: where VS Code connects; it reaches debugpy's port once debugpy listens. */
  private relay?: DebugRelay;
  /** The root debug session of the current attach, once it started. */
  private root?: vscode.DebugSession;
  /** Pause state per debug session of this launch (js-debug puts the process in a child session). */
  private readonly states = new Map<string, DebuggeeState>();
  /** The process attached to last, so a new one (started again) is told apart. */
  private attachedPid?: number;
  private attaching?: Promise<boolean>;
  /** The start became the server's current one (the old start, if any, was replaced). */
  private seenLive = false;
  /** This start's session was seen starting or running (so a stop afterwards ends it). */
  private seenActive = false;
  private disposed = false;
  /** Breakpoints this launch added for "Debug tool", removed when it ends. */
  private readonly added: vscode.SourceBreakpoint[] = [];
  private readonly waiters = new Set<{ file: string; done: () => void }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly server: ServerConfig,
    private readonly deps: DebugDeps,
  ) {
    this.subscriptions.push(
      this.statusChanged,
      deps.sessions.onDidChange((id) => id === server.id && this.check()),
    );
  }

  /** True while this launch is the server's current start and its debugger may still attach. */
  get isLive(): boolean {
    return !this.disposed && this.deps.sessions.variantOf(this.server.id) === this;
  }

  /** The debug session of this launch, while one is attached. */
  get debugSession(): vscode.DebugSession | undefined {
    return this.root;
  }

  status(): string | undefined {
    return debugStatusText(this.phase);
  }

  // ---------------------------------------------------------------- LaunchVariant

  async prepare(resolved: ServerConfig, terminal: (line: string) => void): Promise<ServerConfig | undefined> {
    const folder = resolved.workspaceFolder ?? workspaceFolderOf(resolved.file);
    const r = planDebugLaunch(resolved, await freePort(), planHostFor(resolved, folder));
    if (!r.ok) {
      void vscode.window.showErrorMessage(`Cannot debug "${resolved.name}": ${r.reason}`);
      return undefined;
    }
    const plan = r.plan;
    if (plan.probe) {
      const probe = await probeDebugpy(plan.probe, resolved, folder);
      if (!probe.ok) {
        if (!probe.missing) {
          void vscode.window.showErrorMessage(
            `Cannot debug "${resolved.name}": asking its Python for debugpy failed (\`${probe.commandLine}\`): ${probe.output.slice(-400)}`,
          );
          return undefined;
        }
        if (!plan.install || !(await installDebugpy(resolved, plan.install, folder))) return undefined;
        const again = await probeDebugpy(plan.probe, resolved, folder);
        if (!again.ok) {
          void vscode.window.showErrorMessage(
            `debugpy is still not importable from "${resolved.name}"'s Python after the install: ${again.output.slice(-400)}`,
          );
          return undefined;
        }
        terminal(`debugger: debugpy ${again.version} installed into the server's environment`);
      } else terminal(`debugger: debugpy ${probe.version} from the server's interpreter`);
    }
    this.plan = plan;
    if (plan.runtime === 'python')
      this.relay = await DebugRelay.start(plan.port, {
        connectTimeoutMs: PORT_WAIT_MS,
        giveUp: () => this.disposed || (this.seenLive && !this.isLive),
      });
    terminal(`debugger: ${plan.summary}`);
    this.pause.hold('attaching');
    void this.attach();
    return plan.server;
  }

  // ---------------------------------------------------------------- attach

  /** Attaches VS Code to the current process of this start once its debug port listens. */
  private attach(): Promise<boolean> {
    this.attaching ??= this.doAttach().finally(() => (this.attaching = undefined));
    return this.attaching;
  }

  private async doAttach(): Promise<boolean> {
    const plan = this.plan!;
    this.setPhase({ kind: 'attaching' });
    this.pause.hold('attaching');
    const started = Date.now();
    // The process of this start: the entry becomes ours once the old start is replaced.
    let pid: number | undefined;
    while (!pid) {
      if (this.disposed || Date.now() - started > PORT_WAIT_MS) return this.gaveUp();
      if (this.isLive) {
        this.seenLive = true;
        if (!this.startingOrRunning()) return this.gaveUp();
        const current = this.deps.sessions.get(this.server.id)?.pid;
        if (current && current !== this.attachedPid) pid = current;
      } else if (this.seenLive) return this.gaveUp();
      if (!pid) await delay(POLL_MS);
    }
    // The Node inspector may be probed; debugpy may not (it takes one client): the relay waits for it.
    if (!this.relay) {
      const listening = await waitForPort(
        DEBUG_HOST,
        plan.port,
        PORT_WAIT_MS,
        () => !this.isLive || this.deps.sessions.get(this.server.id)?.pid !== pid,
      );
      if (!listening) return this.gaveUp();
    }
    this.attachedPid = pid;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.server.file));
    const config = debugConfiguration(
      plan,
      this.relay?.port ?? plan.port,
      this.server.name,
      this.id,
      plan.server.cwd ?? folder?.uri.fsPath,
    );
    this.deps.log.info(`debug: attaching ${config.type} to ${this.server.name} (pid ${pid}, port ${plan.port})`);
    const ok = await vscode.debug.startDebugging(folder, config, { suppressSaveBeforeStart: true });
    if (!ok) {
      void vscode.window.showErrorMessage(
        `The debugger could not attach to "${this.server.name}" on ${DEBUG_HOST}:${plan.port}. The server is stopped.`,
      );
      void this.deps.sessions.stop(this.server.id);
      return this.gaveUp();
    }
    return true;
  }

  private gaveUp(): false {
    this.pause.release('attaching');
    return false;
  }

  private startingOrRunning(): boolean {
    const kind = this.deps.sessions.get(this.server.id)?.state.kind;
    return kind === 'starting' || kind === 'running';
  }

  // ---------------------------------------------------------------- debug sessions

  /** True for a debug session of this launch, or a child of one (js-debug's process session). */
  owns(session: vscode.DebugSession): boolean {
    for (let s: vscode.DebugSession | undefined = session; s; s = s.parentSession)
      if (s.configuration[LAUNCH_KEY] === this.id) return true;
    return false;
  }

  debugSessionStarted(session: vscode.DebugSession): void {
    if (session.configuration[LAUNCH_KEY] !== this.id) return;
    this.deps.log.info(`debug: ${session.type} session "${session.name}" attached to ${this.server.name}`);
    this.root = session;
    this.pause.release('attaching');
    if (!this.anyPaused()) this.setPhase({ kind: 'running' });
  }

  /** A session of this launch ended: the server stops with it, unless it is starting again. */
  debugSessionEnded(session: vscode.DebugSession): void {
    const state = this.states.get(session.id);
    this.states.delete(session.id);
    if (state?.paused) this.onPauseChanged();
    if (session !== this.root) return;
    this.deps.log.info(`debug: the ${session.type} session "${session.name}" of ${this.server.name} ended`);
    this.root = undefined;
    this.pause.release('stopped');
    if (!this.isLive) return this.dispose();
    const kind = this.deps.sessions.get(this.server.id)?.state.kind;
    if (kind === 'starting') {
      // Started again (a 2025 handshake after an exit during the era probe): attach again.
      void this.attach();
      return;
    }
    if (kind === 'running') {
      this.deps.log.info(`debug: the debug session of ${this.server.name} ended; stopping the server`);
      void this.deps.sessions.stop(this.server.id);
    }
    this.dispose();
  }

  /** The tracker of one debug session of this launch. */
  tracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const state = new DebuggeeState();
    this.states.set(session.id, state);
    const seen = new Map<number, string>();
    return {
      onWillReceiveMessage: (m: DapMessage) => {
        state.fromClient(m);
        if (m.type === 'request' && m.command === 'setBreakpoints' && m.seq !== undefined) {
          const p = (m.arguments as { source?: { path?: unknown } } | undefined)?.source?.path;
          if (typeof p === 'string') seen.set(m.seq, p);
        }
      },
      onDidSendMessage: (m: DapMessage) => {
        if (m.type === 'response' && m.request_seq !== undefined && seen.has(m.request_seq)) {
          this.breakpointsSent(seen.get(m.request_seq)!);
          seen.delete(m.request_seq);
        }
        if (state.fromAdapter(m)) this.onPauseChanged(session, state);
      },
      onWillStopSession: () => {
        if (state.end()) this.onPauseChanged();
      },
      onExit: () => {
        if (state.end()) this.onPauseChanged();
      },
    };
  }

  private anyPaused(): boolean {
    return [...this.states.values()].some((s) => s.paused);
  }

  private onPauseChanged(session?: vscode.DebugSession, state?: DebuggeeState): void {
    if (this.disposed) return;
    if (!this.anyPaused()) {
      this.pause.release('stopped');
      this.setPhase(this.root || this.phase.kind !== 'attaching' ? { kind: 'running' } : this.phase);
      return;
    }
    this.pause.hold('stopped');
    const stop = state?.lastStop;
    this.setPhase({ kind: 'paused', reason: stop?.reason });
    if (session && stop?.threadId !== undefined) void this.locate(session, stop.threadId, stop.reason);
  }

  /** Which tool (or file and line) the debuggee stopped in, from its stack and the tool index. */
  private async locate(session: vscode.DebugSession, threadId: number, reason: string): Promise<void> {
    try {
      const body: unknown = await session.customRequest('stackTrace', { threadId, startFrame: 0, levels: 20 });
      // Through the workbench, a remote window (code-server) gets sources as URIs.
      const frames = framesOf(body).map((f) => (f.path ? { ...f, path: fsPathOf(f.path) } : f));
      const files = [...new Set(frames.flatMap((f) => (f.path && isSourceFile(f.path) ? [f.path] : [])))].slice(0, 5);
      const spans = (await Promise.all(files.map((f) => this.deps.tools.definitions(f).catch(() => [])))).flatMap(
        (defs) => handlerSpans(defs),
      );
      const hit = pausedTool(frames, spans, samePath);
      if (this.phase.kind !== 'paused') return; // it ran on meanwhile
      const top = hit?.frame ?? frames.find((f) => f.path);
      this.setPhase({ kind: 'paused', tool: hit?.tool, file: top?.path, line: top?.line, reason });
    } catch (err) {
      this.deps.log.warn(`debug: could not read the stack of ${this.server.name}: ${String(err)}`);
    }
  }

  // ---------------------------------------------------------------- breakpoints

  /** Adds a breakpoint this launch removes again when it ends. */
  addBreakpoint(file: string, line: number): void {
    const bp = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line, 0)));
    vscode.debug.addBreakpoints([bp]);
    this.added.push(bp);
  }

  /** Resolves once the adapter acknowledged breakpoints of `file` (or after `timeoutMs`). */
  breakpointsReached(file: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve) => {
      const waiter = {
        file,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private breakpointsSent(file: string): void {
    for (const w of [...this.waiters]) if (samePath(w.file, file)) w.done();
  }

  // ---------------------------------------------------------------- lifetime

  /** The server's session changed: when this start is over, so is its debug session. */
  private check(): void {
    if (this.disposed) return;
    if (this.isLive) {
      this.seenLive = true;
      const kind = this.deps.sessions.get(this.server.id)?.state.kind;
      if (kind === 'starting' || kind === 'running') {
        this.seenActive = true;
        return;
      }
      // Created, not started yet. Once stopping, the debugger lets go first: a Node process
      // that exits with a debugger attached waits for it to disconnect.
      if (!this.seenActive) return;
    }
    if (!this.seenLive) return; // the start is being prepared; the old one may still run
    const root = this.root;
    this.deps.log.info(`debug: ${this.server.name} is no longer running under this debugger; ending its debug session`);
    if (root) void vscode.debug.stopDebugging(root);
    this.dispose();
  }

  private setPhase(phase: DebugPhase): void {
    if (JSON.stringify(phase) === JSON.stringify(this.phase)) return;
    this.phase = phase;
    this.statusChanged.fire();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.phase = { kind: 'ended' };
    this.pause.releaseAll();
    this.statusChanged.fire();
    for (const w of [...this.waiters]) w.done();
    if (this.added.length) vscode.debug.removeBreakpoints(this.added.splice(0));
    this.relay?.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}

function workspaceFolderOf(file: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
}

/** A path, or the file path of a URI (`vscode-remote://host/…`, `file:///…`). */
function fsPathOf(pathOrUri: string): string {
  return /^[a-z][\w+.-]+:\/\//i.test(pathOrUri) ? vscode.Uri.parse(pathOrUri).path : pathOrUri;
}

function isSourceFile(file: string): boolean {
  return /\.(py|[cm]?[jt]sx?)$/.test(file) && !/[\\/](node_modules|site-packages)[\\/]/.test(file);
}

function samePath(a: string, b: string): boolean {
  if (process.platform === 'win32') return path.resolve(a).toLowerCase() === path.resolve(b).toLowerCase();
  return path.resolve(a) === path.resolve(b);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
