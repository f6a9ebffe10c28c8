import type * as vscode from 'vscode';
import type { ConfigFileResult, ServerConfig } from '../core/config/types';
import type { Definition } from '../core/rules/types';
import type { TimeoutPause } from '../core/session/timeoutPause';
import type { SessionView, ToolStats } from '../core/session/types';
import type { TraceSink } from '../core/trace/types';

/**
 * The seams between the extension's feature areas (the folders of `src/vscode`). Each area
 * implements one of these interfaces and is given the others it needs as constructor
 * arguments, built in dependency order by the composition root (`src/extension.ts`):
 *
 *     config  ←  trace  ←  sessions  ←  tree, rules  ←  debug
 *
 * An area reaches another only through these interfaces; `test/unit/architecture.test.ts`
 * checks that no area imports another area's files.
 */

/** Discovered configs (config area). */
export interface ConfigModel {
  readonly files: readonly ConfigFileResult[];
  readonly servers: readonly ServerConfig[];
  readonly onDidChange: vscode.Event<void>;
  /** Re-read every config file. */
  refresh(): Promise<void>;
  /**
   * Resolve `${input:...}` (prompting, secrets in SecretStorage), `${env:...}` and
   * `${workspaceFolder}` for launching. Undefined when the user cancelled.
   */
  resolveForLaunch(server: ServerConfig): Promise<ServerConfig | undefined>;
}

/** The outcome of a raw request sent to a running server (a subset of the core `CallOutcome`). */
interface RawRequestOutcome {
  ok: boolean;
  result?: unknown;
  isError?: boolean;
  error?: { code?: number; message: string; data?: unknown };
  durationMs: number;
}

/**
 * What the trace area may do with the running session of one server: send a recorded request
 * again (the trace view's replay). Given by the session area with each launch's trace sink.
 */
export interface LiveSession {
  /** True while the server runs, so a request can be sent. */
  isRunning(): boolean;
  /** Fires when the server's state changes (started, stopped, crashed). */
  readonly onDidChange: vscode.Event<void>;
  request(method: string, params: unknown): Promise<RawRequestOutcome>;
}

/** One launch of a server, as the trace area records it. */
export interface TraceLaunch {
  serverId: string;
  serverName: string;
  /** This launch's literal secret values, masked in the trace file, the view and exports. */
  secrets: readonly string[];
  /** The server's live session, for replay. */
  live: LiveSession;
}

/** Trace recording and the trace webview (trace area). */
export interface TraceService {
  /** A sink that records one launch of one server. */
  createSink(launch: TraceLaunch): TraceSink;
  /** Open (or focus) the trace view, optionally filtered. */
  reveal(filter?: { serverId?: string; tool?: string }): Promise<void>;
}

/**
 * A start of a server that differs from the plain one (the debug area's "start under the
 * debugger"). The session area asks it to change the launch once the config is resolved and
 * the launch consented to, gives its pause to the session, and shows its status in the tree.
 */
export interface LaunchVariant {
  /**
   * The config to launch instead of `resolved` (e.g. its command line under debugpy), or
   * undefined to cancel the start (the variant told the user why). `terminal` writes a line
   * into the server's managed terminal.
   */
  prepare(resolved: ServerConfig, terminal: (line: string) => void): Promise<ServerConfig | undefined>;
  /** Startup and call timeouts of the session do not count down while it is held. */
  readonly pause: TimeoutPause;
  /** What the tree adds to the server's state (`paused in tool add`), if anything. */
  status(): string | undefined;
  /** Fires when `status()` changed. */
  readonly onDidChangeStatus: vscode.Event<void>;
}

/** Live sessions (session area). */
export interface SessionRegistry {
  /** Fires with the server id whose state, lists, findings or stats changed. */
  readonly onDidChange: vscode.Event<string>;
  get(serverId: string): SessionView | undefined;
  all(): SessionView[];
  /** Stats for a tool by name across running sessions (or one session). */
  toolStats(toolName: string, serverId?: string): ToolStats | undefined;
  /** Configs (as listed when started) of every server that has a session, running or not. */
  sessionServers(): ServerConfig[];
  /**
   * A configured server by id (or unique name), falling back to the config a session was
   * started from (its entry may have been removed or renamed since).
   */
  findServer(idOrName: string): ServerConfig | undefined;
  /**
   * Starts a server with a launch variant, stopping a running start first. Resolves like a
   * plain start: the view once running or failed, undefined when the start did not happen.
   */
  startWith(server: ServerConfig, variant: LaunchVariant): Promise<SessionView | undefined>;
  /** The variant the server's current (or last) start was made with, if any. */
  variantOf(serverId: string): LaunchVariant | undefined;
  /** Stops a server gracefully. */
  stop(serverId: string): Promise<SessionView | undefined>;
  /** The status the current start's variant adds (`debugging`, `paused in tool add`), if any. */
  launchNote(serverId: string): string | undefined;
  /**
   * Round trip of a `ping` (2025 era), or why there is none (`not in the 2026-07-28 era`);
   * undefined when the server does not run.
   */
  ping(serverId: string): Promise<{ ms: number } | { reason: string } | undefined>;
  /** A subscribed resource and the updates its server announced since; undefined when not subscribed. */
  subscription(serverId: string, uri: string): { count: number; last?: number } | undefined;
  /** The protocol era a server is started in: `auto`, or the one the user forced. */
  eraPreference(serverId: string): 'auto' | '2025' | '2026';
}

/** Tool definitions found in source files by the analyzers (rules area). */
export interface ToolIndex {
  /** The definitions of a file, analyzing it (as the editor holds it) when needed. */
  definitions(file: string): Promise<readonly Definition[]>;
}

/** Everything the composition root builds, in dependency order. Areas take the part they need. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly config: ConfigModel;
  readonly trace: TraceService;
  readonly sessions: SessionRegistry;
  readonly tools: ToolIndex;
}
