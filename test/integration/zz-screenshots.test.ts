import * as path from 'node:path';
import * as vscode from 'vscode';
import { GetDetailRequest } from '../../src/shared/protocol';
import { clickThroughForm, DapRecorder, debugLens, treeDescription } from './debugHelpers';
import { activateDoctor, screenshot, tracePanelReady, waitFor, workspaceRoot } from './helpers';

/**
 * Pictures for the README, made from a real session: `node scripts/screenshots.mjs`.
 * Defined only when the shim is asked for pictures, so a normal run has nothing to skip.
 */
if (process.env.VSCODE_SHIM_SCREENSHOT_DIR) {
  describe('Screenshots', function () {
    this.timeout(120000);

    it('the workbench with servers, problems, a terminal and source diagnostics', async () => {
      const api = await activateDoctor();
      const manager = api.sessions;
      api.setAutoApprove(true);
      const find = (name: string) =>
        waitFor(
          () => api.config.servers.find((s) => s.name === name && s.file.endsWith(path.join('.vscode', 'mcp.json'))),
          name,
        );
      const everything = await find('everything');
      const polluting = await find('polluting');
      await vscode.commands.executeCommand('mcpDoctor.startServer', everything.id);
      await vscode.commands.executeCommand('mcpDoctor.startServer', polluting.id);
      await waitFor(() => manager.get(polluting.id)?.state.kind === 'running', 'polluting running');
      await waitFor(() => manager.get(everything.id)?.state.kind === 'running', 'everything running');
      for (const message of ['hello', 'from MCP Doctor']) {
        await vscode.commands.executeCommand('mcpDoctor.callTool', {
          serverId: everything.id,
          toolName: 'echo',
          args: { message },
        });
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');

      const doc = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'rules', 'stdio_server.py'));
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      await waitFor(() => vscode.languages.getDiagnostics(doc.uri).length > 0, 'diagnostics on the Python server');

      await vscode.commands.executeCommand('workbench.view.extension.mcpDoctor');
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await vscode.commands.executeCommand('mcpDoctor.showTerminal', polluting.id);
      // What the picture shows is in place (the shim then waits for the workbench to paint it).
      await waitFor(() => api.treeView.visible, 'the Servers view to be visible');
      await waitFor(() => vscode.window.activeTerminal?.name === 'MCP: polluting', 'the polluting terminal in front');
      await waitFor(
        () => vscode.window.activeTextEditor?.document.uri.toString() === doc.uri.toString(),
        'the Python server in the editor',
      );
      await screenshot('workbench');
    });

    it('the trace view with real traffic', async () => {
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      const api = await activateDoctor();
      const asked = api.webview.received.length;
      await vscode.commands.executeCommand('mcpDoctor.openTrace', { tool: 'echo' });
      // The view selected the last echo call and got its detail: list and detail pane are filled.
      await waitFor(() => tracePanelReady(api), 'the trace view to be ready');
      const detailAsked = await waitFor(
        () => api.webview.received.slice(asked).find((m) => m.method === GetDetailRequest.method),
        'the trace view to ask for the selected call',
      );
      await waitFor(
        () => api.webview.posted.some((m) => m.completionId === detailAsked.id),
        'the detail of the selected call to be sent',
      );
      await screenshot('trace');
      await api.sessions.stopAll();
    });

    it('a tool paused in the debugger', async () => {
      const api = await activateDoctor();
      api.setAutoApprove(true);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const calc = await waitFor(
        () => api.config.servers.find((s) => s.name === 'calc' && s.file.endsWith(path.join('.vscode', 'mcp.json'))),
        'calc',
      );
      // The form prefills the last arguments: call once with these.
      await vscode.commands.executeCommand('mcpDoctor.callTool', {
        serverId: calc.id,
        toolName: 'add',
        args: { a: 19, b: 23 },
      });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
      const dap = new DapRecorder();
      const lens = await debugLens('debug/calc_server.py', 'add');
      const { value: stop, outcome } = await clickThroughForm(lens, () => dap.stopped(0), 'a stop in add');
      await waitFor(() => dap.topFrame(stop.session, stop.at), 'the stack');
      await waitFor(() => /paused in tool add/.test(treeDescription(calc.id)), 'the tree to say so');
      const shown = dap.messages.length;
      await vscode.commands.executeCommand('workbench.view.debug');
      // The Variables view asks for the paused frame's variables once it is visible.
      await waitFor(
        () =>
          dap.messages
            .slice(shown)
            .some((m) => m.dir === 'in' && m.msg.command === 'variables' && m.session.id === stop.session.id),
        'the Variables view to be filled',
      );
      await vscode.commands.executeCommand('mcpDoctor.showTerminal', calc.id);
      await waitFor(() => vscode.window.activeTerminal?.name === 'MCP: calc', 'the calc terminal in front');
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      await screenshot('debug');
      await stop.session.customRequest('continue', { threadId: stop.threadId });
      await outcome;
      dap.dispose();
      await api.sessions.stopAll();
    });
  });
}
