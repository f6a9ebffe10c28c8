import type * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import type { Finding } from '../../core/model';
import type { McpSession } from '../../core/session/mcpSession';
import type { LaunchVariant } from '../services';
import type { LiveFeatures } from './liveFeatures';

/** Everything the session manager keeps for one server id. Kept after stop/crash for the last state. */
export interface Entry {
  /** The config as listed (not resolved); used for restarts and the tree. */
  server: ServerConfig;
  /** The config the session was launched with (variables substituted). */
  resolved: ServerConfig;
  session: McpSession;
  listeners: vscode.Disposable[];
  watcher?: vscode.Disposable;
  /** Set while a watch-triggered restart is pending. */
  watchTimer?: ReturnType<typeof setTimeout>;
  /** Literal secret values of this launch (resolved inputs, secret env/headers), masked in output. */
  secrets: string[];
  /** Tool-poisoning findings of the last tools/list: hidden instructions, invisible characters. */
  scan: Finding[];
  /** Tools whose definition changed against the workspace's pins, by tool name (kept for the session). */
  changed: Map<string, Finding>;
  /** Tool names this server shares with another running server. */
  shadow: Finding[];
  /** The variant this start was made with (the debugger), if any. */
  variant?: LaunchVariant;
  /** What the client answers and asks beyond calls (elicitation, sampling, roots, subscriptions…). */
  live: LiveFeatures;
}
