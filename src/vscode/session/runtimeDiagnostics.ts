import * as vscode from 'vscode';
import { toDiagnostic } from '../diagnostics';
import type { SessionRegistry } from '../services';

/**
 * Feeds the Problems panel from every session's runtime findings (collection
 * 'mcp-doctor-runtime'), grouped by file. Recomputed from the sessions' views on each change,
 * so a restarted server's old findings disappear with its old session.
 */
export class RuntimeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mcp-doctor-runtime');
  private readonly listener: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sessions: SessionRegistry) {
    this.listener = sessions.onDidChange(() => this.schedule());
  }

  /** Recomputes now (tests call this through the normal change events; it is cheap). */
  update(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const view of this.sessions.all()) {
      for (const finding of view.findings) {
        if (finding.origin !== 'runtime' || !finding.file) continue;
        const list = byFile.get(finding.file) ?? [];
        list.push(toDiagnostic(finding));
        byFile.set(finding.file, list);
      }
    }
    this.collection.clear();
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listener.dispose();
    this.collection.dispose();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, 50);
  }
}
