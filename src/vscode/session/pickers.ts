import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLIENTS } from '../../core/config/clients';
import type { ServerConfig } from '../../core/config/types';
import type { SessionState } from '../../core/session/types';
import type { Services } from '../services';
import { isTreeNode } from '../tree/nodes';
import type { SessionManager } from './sessionManager';

/** Short state text, shared by pickers and the tree. */
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
      return `error: ${state.reason}`;
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

/**
 * The server a command argument designates: a tree node, a server id string, `{ serverId }`,
 * or a ServerConfig. Without one, asks with a QuickPick limited by `filter`.
 */
export async function resolveServerArg(
  services: Services,
  manager: SessionManager,
  arg: unknown,
  placeholder: string,
  filter: (server: ServerConfig) => boolean = () => true,
  emptyMessage = 'No server to choose from.',
): Promise<ServerConfig | undefined> {
  const id = serverIdOf(arg);
  if (id) {
    const found = findServer(services, manager, id);
    if (!found) void vscode.window.showErrorMessage(`No configured MCP server has the id or name "${id}".`);
    return found;
  }
  const candidates = services.config.servers.filter(filter);
  if (!candidates.length) {
    void vscode.window.showInformationMessage(
      services.config.servers.length
        ? emptyMessage
        : 'No MCP servers are configured. Add one to .vscode/mcp.json (MCP Doctor: Create .vscode/mcp.json).',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((server) => {
      const view = manager.get(server.id);
      return {
        label: server.name,
        description: `${server.transport} · ${stateText(view?.state, view?.tools.length)}`,
        detail: `${clientLabel(server)} · ${displayPath(server.file)}`,
        server,
      };
    }),
    { placeHolder: placeholder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.server;
}

/** The server id carried by a command argument, if any. */
export function serverIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (isTreeNode(arg)) {
    if ('server' in arg) return arg.server.id;
    if ('serverId' in arg) return arg.serverId;
    return undefined;
  }
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as { serverId?: unknown; id?: unknown; name?: unknown; file?: unknown };
    if (typeof o.serverId === 'string') return o.serverId;
    if (typeof o.id === 'string' && typeof o.name === 'string' && typeof o.file === 'string') return o.id;
  }
  return undefined;
}

/** A configured server by id (or unique name), falling back to the config a session was started with. */
export function findServer(services: Services, manager: SessionManager, id: string): ServerConfig | undefined {
  const byId = services.config.servers.find((s) => s.id === id) ?? manager.listedConfig(id);
  if (byId) return byId;
  // Code lenses and tests may pass a server name; accept it when it is unambiguous.
  const byName = services.config.servers.filter((s) => s.name === id);
  return byName.length === 1 ? byName[0] : undefined;
}
