import * as vscode from 'vscode';
import { showsOwnLenses, type StartServersWith } from '../../core/config/builtInMcp';
import { LensRefresh } from '../lensRefresh';
import type { ConfigModel, SessionRegistry } from '../services';

/**
 * Code lenses above the server entries of config files: the server's state and Start / Stop /
 * Restart / Trace in MCP Doctor. In VS Code's own `mcp.json` they appear only when the
 * `mcpDoctor.vscodeMcpJson.startServersWith` setting says MCP Doctor starts those servers;
 * by default VS Code's built-in "Start | More…" lenses are the only ones there.
 */
export class ConfigLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly refresh: LensRefresh;
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly config: ConfigModel,
    private readonly sessions: SessionRegistry,
  ) {
    this.refresh = new LensRefresh({
      sessions,
      // The server states the lenses show.
      shown: () =>
        sessions
          .all()
          .map((v) => `${v.serverId}=${v.state.kind}`)
          .join('|'),
      settings: ['mcpDoctor.vscodeMcpJson', 'mcpDoctor.codeLens'],
      also: [config.onDidChange],
    });
    this.onDidChangeCodeLenses = this.refresh.event;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const settings = vscode.workspace.getConfiguration('mcpDoctor', document.uri);
    if (!settings.get<boolean>('codeLens.enabled', true)) return [];
    const mode = settings.get<StartServersWith>('vscodeMcpJson.startServersWith', 'vscode');
    const file = this.config.files.find((f) => f.file === document.uri.fsPath);
    if (!file || !showsOwnLenses(file.file, file.client, mode)) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const server of file.servers) {
      const r = server.range;
      const at = new vscode.Range(r.start.line, r.start.character, r.start.line, r.start.character);
      const lens = (title: string, command: string, tooltip: string) =>
        lenses.push(new vscode.CodeLens(at, { title, command, tooltip, arguments: [{ serverId: server.id }] }));
      const state = this.sessions.get(server.id)?.state;
      switch (state?.kind) {
        case 'running':
          lens('$(pass) MCP Doctor: running', 'mcpDoctor.showTerminal', 'Show the server’s terminal');
          lens('$(debug-stop) Stop', 'mcpDoctor.stopServer', 'Stop the server MCP Doctor started');
          lens('$(debug-restart) Restart', 'mcpDoctor.restartServer', 'Restart the server');
          lens('$(pulse) Trace', 'mcpDoctor.openTrace', 'Open the trace of this server');
          break;
        case 'starting':
          lens('$(loading~spin) MCP Doctor: starting…', 'mcpDoctor.showTerminal', 'Show the server’s terminal');
          lens('$(debug-stop) Stop', 'mcpDoctor.stopServer', 'Stop the server');
          break;
        case 'error':
          lens(`$(error) MCP Doctor: ${state.reason.slice(0, 60)}`, 'mcpDoctor.showTerminal', state.reason);
          lens('$(debug-restart) Restart', 'mcpDoctor.restartServer', 'Start the server again');
          break;
        default:
          lens(
            '$(debug-start) Start in MCP Doctor',
            'mcpDoctor.startServer',
            'Start the server in MCP Doctor: terminal, trace, runtime checks',
          );
      }
    }
    return lenses;
  }

  dispose(): void {
    this.refresh.dispose();
  }
}
