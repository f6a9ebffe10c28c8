import * as vscode from 'vscode';

import { toRange } from '../diagnostics';
import type { RulesController } from './rulesController';

/** Quick fixes from the `fixes` of rule findings at the requested range. */
export class RuleCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  };

  constructor(private readonly rules: RulesController) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): Promise<vscode.CodeAction[]> {
    if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
    const result = await this.rules.resultFor(document);
    if (!result) return [];
    const actions: vscode.CodeAction[] = [];
    for (const finding of result.findings) {
      if (!finding.fixes?.length) continue;
      const findingRange = toRange(finding.range);
      if (!findingRange.intersection(range) && !findingRange.contains(range)) continue;
      const diagnostic = context.diagnostics.find((d) => codeOf(d) === finding.code && d.range.isEqual(findingRange));
      for (const fix of finding.fixes) {
        const action = new vscode.CodeAction(`${fix.title} (${finding.code})`, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(vscode.Uri.file(e.file), toRange(e.range), e.newText);
        action.edit = edit;
        action.isPreferred = !!fix.preferred;
        if (diagnostic) action.diagnostics = [diagnostic];
        actions.push(action);
      }
    }
    return actions;
  }
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}
