import * as vscode from 'vscode';
import type { SessionRegistry } from '../services';
import { toRange } from '../diagnostics';
import { LensRefresh } from '../lensRefresh';
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
  private readonly refresh: LensRefresh;
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly rules: RulesController,
    private readonly sessions: SessionRegistry,
  ) {
    this.refresh = new LensRefresh({
      sessions,
      shown: () => statsSignature(sessions),
      settings: ['mcpDoctor.codeLens.enabled'],
      also: [rules.onDidUpdate],
    });
    this.onDidChangeCodeLenses = this.refresh.event;
  }

  dispose(): void {
    this.refresh.dispose();
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
