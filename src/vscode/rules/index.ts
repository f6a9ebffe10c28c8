import * as vscode from 'vscode';
import type { Services } from '../services';
import { RuleCodeActionProvider } from './codeActionProvider';
import { ToolCodeLensProvider } from './codeLensProvider';
import { RULE_LANGUAGES, RulesController } from './rulesController';

/**
 * The rules area in the editor: diagnostics for MCP server source, quick fixes, tool code lenses
 * and the "Analyze Workspace" command. Registration is cheap; the engine and parsers load on the
 * first analysis.
 */
export function registerRules(services: Services): void {
  const controller = new RulesController(services);
  const selector: vscode.DocumentSelector = RULE_LANGUAGES.map((language) => ({ language, scheme: 'file' }));
  const lenses = new ToolCodeLensProvider(controller, services);
  services.context.subscriptions.push(
    controller,
    lenses,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerCodeActionsProvider(selector, new RuleCodeActionProvider(controller), RuleCodeActionProvider.metadata),
    vscode.commands.registerCommand('mcpDoctor.analyzeWorkspace', () => controller.analyzeWorkspace()),
  );
}
