import * as vscode from 'vscode';
import { problemsOf } from '../problems';
import type { Services, ToolIndex } from '../services';
import { RuleCodeActionProvider } from './codeActionProvider';
import { ToolCodeLensProvider } from './codeLensProvider';
import { RULE_LANGUAGES, RulesController } from './rulesController';

/**
 * The rules area in the editor: diagnostics for MCP server source, quick fixes, tool code lenses
 * and the "Analyze Workspace" command. Registration is cheap; the engine and parsers load on the
 * first analysis. Returns the tool index other areas read definitions from.
 */
export function registerRules(services: Pick<Services, 'context' | 'log' | 'config' | 'sessions'>): ToolIndex {
  const controller = new RulesController(services, problemsOf(services));
  const selector: vscode.DocumentSelector = RULE_LANGUAGES.map((language) => ({ language, scheme: 'file' }));
  const lenses = new ToolCodeLensProvider(controller, services.sessions);
  // Project files get quick fixes too (engines.node, requires-python, Dockerfile --host...).
  const projectFiles: vscode.DocumentSelector = [
    '**/package.json',
    '**/pyproject.toml',
    '**/{Dockerfile,Containerfile,*.dockerfile}',
    '**/docker-compose*.{yml,yaml}',
    '**/compose*.{yml,yaml}',
    '**/Procfile',
    '**/{.python-version,runtime.txt,.nvmrc}',
  ].map((pattern) => ({ scheme: 'file', pattern }));
  services.context.subscriptions.push(
    controller,
    lenses,
    vscode.languages.registerCodeLensProvider(selector, lenses),
    vscode.languages.registerCodeActionsProvider(
      [...(selector as vscode.DocumentFilter[]), ...(projectFiles as vscode.DocumentFilter[])],
      new RuleCodeActionProvider(controller),
      RuleCodeActionProvider.metadata,
    ),
    vscode.commands.registerCommand('mcpDoctor.analyzeWorkspace', () => controller.analyzeWorkspace()),
  );
  return {
    definitions: async (file) => {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      return (await controller.resultFor(document))?.definitions ?? [];
    },
  };
}
