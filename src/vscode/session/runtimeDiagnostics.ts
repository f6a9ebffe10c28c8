import type * as vscode from 'vscode';
import type { Finding } from '../../core/model';
import type { problemsOf } from '../problems';
import type { SessionRegistry } from '../services';

/**
 * Feeds the Problems panel from every session's runtime findings (collection
 * 'mcp-doctor-runtime', through the Problems hub, which folds a finding into its static twin),
 * grouped by file. Recomputed from the sessions' views on each change, so a restarted
 * server's old findings disappear with its old session.
 */
export class RuntimeDiagnostics implements vscode.Disposable {
  private readonly listener: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly problems: ReturnType<typeof problemsOf>,
  ) {
    this.listener = sessions.onDidChange(() => this.schedule());
  }

  /** Recomputes now (tests call this through the normal change events; it is cheap). */
  update(): void {
    const byFile = new Map<string, Finding[]>();
    for (const view of this.sessions.all()) {
      for (const finding of view.findings) {
        if (finding.origin !== 'runtime' || !finding.file) continue;
        const list = byFile.get(finding.file) ?? [];
        list.push(finding);
        byFile.set(finding.file, list);
      }
    }
    this.problems.replaceAll('runtime', byFile);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listener.dispose();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, 50);
  }
}
