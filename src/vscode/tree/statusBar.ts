import * as vscode from 'vscode';
import { statusSummary } from '../../core/problems/status';
import type { ConfigModel, SessionRegistry } from '../services';

/**
 * The status bar item: servers running in MCP Doctor and the MCP problems of configs and
 * running servers (src/core/problems/status.ts). Shown while the workspace has MCP configs;
 * a click opens the Servers view.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mcpDoctor.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subs: vscode.Disposable[];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly config: ConfigModel,
    private readonly sessions: SessionRegistry,
  ) {
    this.item.name = 'MCP Doctor';
    this.item.command = 'workbench.view.extension.mcpDoctor';
    this.subs = [config.onDidChange(() => this.schedule()), sessions.onDidChange(() => this.schedule())];
    this.update();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.update();
    }, 100);
  }

  update(): void {
    const views = this.sessions.all();
    const findings = [...this.config.files.flatMap((f) => f.findings), ...views.flatMap((v) => v.findings)];
    const s = statusSummary(views, findings);
    this.item.text = s.text;
    const tooltip = new vscode.MarkdownString(s.tooltip.join('\n\n'), true);
    tooltip.appendMarkdown('\n\n_Click to open the MCP Doctor view._');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = {
      label: `MCP Doctor: ${s.running} running, ${s.failed} failed, ${s.errors} errors, ${s.warnings} warnings`,
    };
    // Only a server that failed to start colours the item; config problems are counted, not shouted.
    this.item.backgroundColor = s.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    if (this.config.servers.length || views.length) this.item.show();
    else this.item.hide();
  }

  /** What the item shows now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
