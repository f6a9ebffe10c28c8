import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import type { CommandLine } from '../../core/debug/launchPlan';
import { launchSpec } from '../../core/session/launch';

/**
 * debugpy is missing from the server's interpreter: says so and offers to install it into that
 * environment (`python -m pip install debugpy`, `uv add --dev debugpy`…) as a task the user
 * watches. Resolves true once the install succeeded.
 */
export async function installDebugpy(
  server: ServerConfig,
  install: CommandLine,
  workspaceFolder: string | undefined,
): Promise<boolean> {
  const commandLine = [install.command, ...install.args].join(' ');
  const choice = await vscode.window.showWarningMessage(
    `debugpy is not installed in the Python environment of "${server.name}", so it cannot run under the debugger. Install it there with \`${commandLine}\`?`,
    'Install debugpy',
  );
  if (choice !== 'Install debugpy') return false;
  const spec = launchSpec(server, undefined, workspaceFolder);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(server.file));
  const task = new vscode.Task(
    { type: 'process', mcpDoctor: 'install-debugpy' },
    folder ?? vscode.TaskScope.Workspace,
    `Install debugpy for ${server.name}`,
    'MCP Doctor',
    new vscode.ProcessExecution(install.command, install.args, { cwd: spec.cwd, env: spec.env }),
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
  const execution = await vscode.tasks.executeTask(task);
  const code = await new Promise<number | undefined>((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution !== execution) return;
      sub.dispose();
      resolve(e.exitCode);
    });
  });
  if (code !== 0) {
    void vscode.window.showErrorMessage(
      `Installing debugpy for "${server.name}" failed (exit code ${code ?? 'unknown'}); the task's terminal shows why.`,
    );
    return false;
  }
  return true;
}
