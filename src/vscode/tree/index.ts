import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFileResult, ServerConfig } from '../../core/config/types';
import type { Services } from '../services';
import { isTreeNode, type TreeNode } from '../treeNodes';
import { ConfigLensProvider } from './configLenses';
import { StatusBar } from './statusBar';
import { ServersTreeProvider, UNTRUSTED_MESSAGE } from './serversTree';

/** What the tree area needs from the others. */
type TreeDeps = Pick<Services, 'context' | 'config' | 'sessions'>;

const EXAMPLE_CONFIG = `{
  // MCP servers of this workspace, in VS Code's format. MCP Doctor lists them in its Servers
  // view, checks them, and can start them. Remove the comment markers below to enable one.
  "servers": {
    // "my-python-server": {
    //   "type": "stdio",
    //   "command": "python3",
    //   "args": ["\${workspaceFolder}/server.py"],
    //   "env": { "API_KEY": "\${input:api-key}" }
    // },
    // "my-remote-server": {
    //   "type": "http",
    //   "url": "http://localhost:8000/mcp"
    // }
  },
  "inputs": [
    // { "type": "promptString", "id": "api-key", "description": "API key", "password": true }
  ]
}
`;

/** The Servers view and the config-level commands (refresh, open, create). */
export function registerTree(services: TreeDeps): {
  provider: ServersTreeProvider;
  view: vscode.TreeView<TreeNode>;
} {
  const provider = new ServersTreeProvider(services);
  const view = vscode.window.createTreeView('mcpDoctor.servers', { treeDataProvider: provider, showCollapseAll: true });

  const update = () => {
    view.message = vscode.workspace.isTrusted ? undefined : `${UNTRUSTED_MESSAGE}.`;
    void vscode.commands.executeCommand('setContext', 'mcpDoctor.hasServers', services.config.servers.length > 0);
  };
  update();

  // Start/Stop/Trace lenses above the server entries of config files.
  const lenses = new ConfigLensProvider(services.config, services.sessions);
  const configFiles: vscode.DocumentFilter[] = [
    ...['json', 'jsonc', 'yaml'].map((language) => ({ language, scheme: 'file' })),
    { scheme: 'file', pattern: '**/*.toml' },
  ];
  const status = new StatusBar(services.config, services.sessions);
  services.context.subscriptions.push(
    status,
    vscode.commands.registerCommand('mcpDoctor.openWalkthrough', () =>
      vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        `${services.context.extension.id}#gettingStarted`,
        false,
      ),
    ),
    lenses,
    vscode.languages.registerCodeLensProvider(configFiles, lenses),
    provider,
    view,
    services.config.onDidChange(update),
    vscode.workspace.onDidGrantWorkspaceTrust(update),
    vscode.commands.registerCommand('mcpDoctor.refresh', async () => {
      await services.config.refresh();
      provider.refresh();
      return services.config.files.length;
    }),
    vscode.commands.registerCommand('mcpDoctor.openConfig', (arg: unknown) => openConfig(services, arg)),
    vscode.commands.registerCommand('mcpDoctor.createConfig', () => createConfig(services)),
  );
  return { provider, view };
}

/** Opens a config file, at the server's entry when the argument is a server. */
async function openConfig(services: TreeDeps, arg: unknown): Promise<vscode.Uri | undefined> {
  let file: string | undefined;
  let range: vscode.Range | undefined;
  const server = serverOf(services, arg);
  if (server) {
    file = server.file;
    range = new vscode.Range(
      server.range.start.line,
      server.range.start.character,
      server.range.end.line,
      server.range.end.character,
    );
  } else if (isTreeNode(arg) && arg.kind === 'file') {
    file = arg.file.file;
  } else if (typeof arg === 'object' && arg !== null && typeof (arg as ConfigFileResult).file === 'string') {
    file = (arg as ConfigFileResult).file;
  } else {
    const picked = await vscode.window.showQuickPick(
      services.config.files.map((f) => ({
        label: path.basename(f.file),
        description: f.client,
        detail: f.file,
        file: f.file,
      })),
      { placeHolder: 'Config file to open' },
    );
    file = picked?.file;
  }
  if (!file) return undefined;
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri, { selection: range, preview: true });
  return uri;
}

function serverOf(services: TreeDeps, arg: unknown): ServerConfig | undefined {
  if (isTreeNode(arg) && arg.kind === 'server') return arg.server;
  if (
    typeof arg === 'string' ||
    (typeof arg === 'object' && arg !== null && typeof (arg as { serverId?: unknown }).serverId === 'string')
  ) {
    const id = typeof arg === 'string' ? arg : (arg as { serverId: string }).serverId;
    return services.sessions.findServer(id);
  }
  const maybe = arg as Partial<ServerConfig> | undefined;
  if (maybe && typeof maybe.id === 'string' && typeof maybe.file === 'string' && maybe.range)
    return maybe as ServerConfig;
  return undefined;
}

/** Creates `.vscode/mcp.json` (with a commented example) in a workspace folder and opens it. */
async function createConfig(services: TreeDeps): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.length) {
    void vscode.window.showErrorMessage('Open a folder first: .vscode/mcp.json belongs to a workspace folder.');
    return undefined;
  }
  const folder =
    folders.length === 1
      ? folders[0]
      : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Workspace folder for .vscode/mcp.json' });
  if (!folder) return undefined;
  const file = path.join(folder.uri.fsPath, '.vscode', 'mcp.json');
  if (!fs.existsSync(file)) {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, EXAMPLE_CONFIG, 'utf8');
    await services.config.refresh();
  }
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return uri;
}
