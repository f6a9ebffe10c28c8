import * as vscode from 'vscode';
import type { SessionRegistry } from '../services';
import { toRange } from '../diagnostics';
import type { RulesController } from './rulesController';

/** Argument of `mcpDoctor.callTool` from a code lens. */
interface CallToolLensArg {
  toolName: string;
  file: string;
}

/**
 * Code lenses on tool definitions: "▶ Call tool" and "Debug" always, and live statistics from
 * running sessions ("N calls · p50 X ms · p95 Y ms · N errors", opening the trace) when there
 * are any.
 */
export class ToolCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly _onDidChangeCodeLenses = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;
  private readonly subscriptions: vscode.Disposable[];
  /** The call counts the lenses show, to refresh only when one changes. */
  private shownStats = '';

  constructor(
    private readonly rules: RulesController,
    private readonly sessions: SessionRegistry,
  ) {
    this.subscriptions = [
      this._onDidChangeCodeLenses,
      rules.onDidUpdate(() => this._onDidChangeCodeLenses.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mcpDoctor.codeLens.enabled')) this._onDidChangeCodeLenses.fire();
      }),
      // Sessions change many times a second while a server talks (output, health samples), and
      // any lens change event makes VS Code ask every provider of every editor again: fired on
      // each, the requests never settle and the lenses vanish. Fire when a count they show changes.
      sessions.onDidChange(() => {
        const now = statsSignature(sessions);
        if (now !== this.shownStats) {
          this.shownStats = now;
          this._onDidChangeCodeLenses.fire();
        }
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration('mcpDoctor.codeLens', document.uri).get('enabled', true)) return [];
    const result = await this.rules.resultFor(document);
    if (!result || token.isCancellationRequested) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const def of result.definitions) {
      if (def.kind !== 'tool') continue;
      const range = toRange(def.nameRange);
      const arg: CallToolLensArg = { toolName: def.name, file: document.uri.fsPath };
      lenses.push(
        new vscode.CodeLens(range, {
          title: '▶ Call tool',
          tooltip: `Call the tool "${def.name}" on a running server`,
          command: 'mcpDoctor.callTool',
          arguments: [arg],
        }),
        new vscode.CodeLens(range, {
          title: '$(debug-alt) Debug',
          tooltip: `Start the server under the debugger, stop at the first line of "${def.name}" and call it`,
          command: 'mcpDoctor.debugTool',
          arguments: [arg],
        }),
      );
      const stats = this.sessions.toolStats(def.name);
      if (stats && stats.calls > 0) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: `${stats.calls} call${stats.calls === 1 ? '' : 's'} · p50 ${formatMs(stats.p50)} · p95 ${formatMs(stats.p95)} · ${stats.errors} error${stats.errors === 1 ? '' : 's'}`,
            tooltip: `Open the trace filtered to "${def.name}"`,
            command: 'mcpDoctor.openTrace',
            arguments: [{ tool: def.name }],
          }),
        );
      }
    }
    return lenses;
  }
}

/** Calls and errors per tool of every session: what the statistics lenses show. */
function statsSignature(sessions: SessionRegistry): string {
  return sessions
    .all()
    .map((v) => [...v.toolStats].map(([tool, st]) => `${v.serverId}/${tool}:${st.calls}:${st.errors}`).join(','))
    .join('|');
}

function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${Number(ms.toFixed(1))} ms`;
}
