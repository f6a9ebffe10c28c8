import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLIENTS } from '../core/config/clients';
import type { ServerConfig } from '../core/config/types';
import type { SessionState } from '../core/session/types';
import { firstSentence } from '../core/util/summary';

/** Display texts shared by the session area's pickers and the Servers tree. */

/** Short state text. */
export function stateText(state: SessionState | undefined, toolCount = 0): string {
  switch (state?.kind) {
    case undefined:
    case 'stopped':
      return 'stopped';
    case 'starting':
      return state.step === 'listing' ? 'listing…' : 'starting…';
    case 'stopping':
      return 'stopping…';
    case 'running':
      return `running, ${state.era} era (${toolCount} tool${toolCount === 1 ? '' : 's'})`;
    case 'error':
      // The row is narrow: the first sentence here, the whole reason in the tooltip.
      return `failed: ${firstSentence(state.reason, 60)}`;
  }
}

/** Display name of a config file's client. */
export function clientLabel(server: Pick<ServerConfig, 'client'>): string {
  return CLIENTS[server.client]?.label ?? server.client;
}

/** A path relative to its workspace folder, or `~/...` under the home folder. */
export function displayPath(file: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  if (folder) return path.relative(folder.uri.fsPath, file) || path.basename(file);
  const home = process.env.HOME ?? process.env.USERPROFILE;
  if (home && file.startsWith(home + path.sep)) return `~${path.sep}${path.relative(home, file)}`;
  return file;
}
