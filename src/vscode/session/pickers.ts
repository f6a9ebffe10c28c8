import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { clientLabel, displayPath, stateText } from '../display';
import type { ConfigModel } from '../services';
import { isTreeNode } from '../treeNodes';
import type { SessionManager } from './sessionManager';

/** What to ask when a command names no server: the placeholder, which servers fit, what to say when none does. */
export interface ServerQuestion {
  placeholder: string;
  /** Default: every configured server. */
  filter?: (server: ServerConfig) => boolean;
  /** Shown when servers are configured but none fits. */
  none?: string;
}

/**
 * The server a command argument designates: a tree node, a server id string, `{ serverId }`,
 * or a ServerConfig. Without one, asks with a QuickPick limited by `ask.filter`.
 */
export async function resolveServerArg(
  config: ConfigModel,
  manager: SessionManager,
  arg: unknown,
  { placeholder, filter = () => true, none = 'No server to choose from.' }: ServerQuestion,
): Promise<ServerConfig | undefined> {
  const id = serverIdOf(arg);
  if (id) {
    const found = manager.findServer(id);
    if (!found) void vscode.window.showErrorMessage(`No configured MCP server has the id or name "${id}".`);
    return found;
  }
  const candidates = config.servers.filter(filter);
  if (!candidates.length) {
    void vscode.window.showInformationMessage(
      config.servers.length
        ? none
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
