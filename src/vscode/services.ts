import type * as vscode from 'vscode';
import type { ConfigFileResult, ServerConfig } from '../core/config/types';
import type { SessionView, ToolStats } from '../core/session/types';
import type { TraceSink } from '../core/trace/types';

/**
 * The seams between the extension's feature areas. Each area implements one interface and
 * reads the others through `Services`, so areas never import each other's internals.
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

/** Live sessions (session area). */
export interface SessionRegistry {
  /** Fires with the server id whose state, lists, findings or stats changed. */
  readonly onDidChange: vscode.Event<string>;
  get(serverId: string): SessionView | undefined;
  all(): SessionView[];
  /** Stats for a tool by name across running sessions (or one session). */
  toolStats(toolName: string, serverId?: string): ToolStats | undefined;
  /** The live session of a server, for raw requests such as the trace view's replay. */
  session?(serverId: string): { request(method: string, params: unknown): Promise<unknown> } | undefined;
}

/** Trace recording and the trace webview (trace area). */
export interface TraceService {
  /** A sink that records one session of one server. */
  /** `secrets`: this launch's literal secret values, masked in the trace file, the view and exports. */
  createSink(serverId: string, serverName: string, secrets?: readonly string[]): TraceSink;
  /** Open (or focus) the trace view, optionally filtered. */
  reveal(filter?: { serverId?: string; tool?: string }): Promise<void>;
}

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  config: ConfigModel;
  sessions?: SessionRegistry;
  trace?: TraceService;
}
