import * as vscode from 'vscode';
import type { ConfigModel } from '../services';
import { toRange } from '../diagnostics';

/**
 * Quick fixes of config findings (rename `mcpServers` to `servers`, `streamable-http` to
 * `http`, remove a trailing comma or a comment in strict JSON, spell out `~`, add `http://`…),
 * computed by the core checks. They are offered at the finding's range even when MCP Doctor
 * leaves its own Problems entry out because VS Code reports the same problem: the fix is then
 * attached to VS Code's diagnostic.
 */
export class ConfigCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly config: ConfigModel) {}

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const file = this.config.files.find((f) => f.file === document.uri.fsPath);
    const actions: vscode.CodeAction[] = [];
    for (const finding of file?.findings ?? []) {
      if (!finding.fixes?.length) continue;
      const at = toRange(finding.range);
      if (!at.intersection(range)) continue;
      const diagnostics = context.diagnostics.filter(
        (d) => d.range.intersection(at) && d.range.start.line === at.start.line,
      );
      for (const fix of finding.fixes) {
        const action = new vscode.CodeAction(`${fix.title} (${finding.code})`, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(vscode.Uri.file(e.file), toRange(e.range), e.newText);
        action.edit = edit;
        action.isPreferred = !!fix.preferred;
        if (diagnostics.length) action.diagnostics = diagnostics;
        actions.push(action);
      }
    }
    return actions;
  }
}
