import * as path from 'node:path';
import * as vscode from 'vscode';
import { resultView, shows, webview, workbench } from './browser';
import { clickThroughForm, DapRecorder, debugLens, treeDescription } from './debugHelpers';
import { activateDoctor, traceSessions, waitFor, workspaceRoot } from './helpers';

/**
 * Pictures for the READMEs, made from a real session: `node scripts/screenshots.mjs`.
 * Defined only when the shim is asked for pictures, so a normal run has nothing to skip.
 * Each picture is taken once what it shows is on screen (read from the DOM), after the
 * workbench painted it.
 */
const dir = process.env.VSCODE_SHIM_SCREENSHOT_DIR;
if (dir) {
  const shot = (name: string) => workbench.screenshot(path.join(dir, `${name}.png`));

  describe('Screenshots', function () {
    this.timeout(180000);

    it('the workbench: servers, a failed and a noisy one, source diagnostics, the status bar', async () => {
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
      const crashing = await find('crashing');
      for (const s of [everything, polluting, crashing])
        await vscode.commands.executeCommand('mcpDoctor.startServer', s.id);
      await waitFor(() => manager.get(polluting.id)?.state.kind === 'running', 'polluting running');
      await waitFor(() => manager.get(everything.id)?.state.kind === 'running', 'everything running');
      for (const message of ['hello', 'from MCP Doctor'])
        await vscode.commands.executeCommand('mcpDoctor.callTool', {
          serverId: everything.id,
          toolName: 'echo',
          args: { message },
        });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');

      const doc = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'rules', 'stdio_server.py'));
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      await waitFor(() => vscode.languages.getDiagnostics(doc.uri).length > 0, 'diagnostics on the Python server');
      await waitFor(
        async () => (await workbench.eval((_: null, d) => d.querySelectorAll('.codelens-decoration').length)) > 0,
        'the Call tool lenses drawn',
      );
      await vscode.commands.executeCommand('workbench.view.extension.mcpDoctor');
      // No panel: the server's terminal and some config problems print the command and the
      // absolute paths of the machine the picture is made on. The status bar counts them.
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await waitFor(() => api.treeView.visible, 'the Servers view to be visible');
      const onScreen = () =>
        workbench.eval((_: null, doc) => ({
          status: Array.from(doc.querySelectorAll('.statusbar-item'), (e) => e.textContent ?? '').find((t) =>
            t.includes('MCP '),
          ),
          lenses: Array.from(doc.querySelectorAll('[class*="codelens"]'), (e) => e.textContent ?? '').filter(Boolean),
          rows: Array.from(doc.querySelectorAll('.pane-body .monaco-list-row .label-name'), (e) => e.textContent ?? ''),
        }));
      await waitFor(async () => {
        const s = await onScreen();
        return (
          s.status?.includes('MCP 2 running') &&
          s.lenses.some((l) => l.includes('Call tool')) &&
          ['everything', 'polluting', 'crashing'].every((n) => s.rows.includes(n))
        );
      }, 'the status bar item and the code lenses on screen').catch(async (err) => {
        throw new Error(`${String(err)}: ${JSON.stringify(await onScreen())}`);
      });
      await vscode.commands.executeCommand('notifications.clearAll'); // e.g. Git's "a repository was found in the parent folders"
      await shot('workbench');
    });

    it('a tool result drawn by type, with the recent calls', async () => {
      const api = await activateDoctor();
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const everything = api.config.servers.find((s) => s.name === 'everything' && s.client === 'vscode')!;
      for (const [toolName, args] of [
        ['get-annotated-message', { messageType: 'success', includeImage: true }],
        ['get-structured-content', { location: 'Chicago' }],
      ] as const)
        await vscode.commands.executeCommand('mcpDoctor.callTool', { serverId: everything.id, toolName, args });
      const view = await resultView('everything');
      await shows(view, 'get-structured-content', 'Light rain');
      await shot('result');
    });

    it('the trace view with real traffic', async () => {
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('mcpDoctor.openTrace', { tool: 'echo' });
      const trace = await webview('.trace .toolbar');
      await waitFor(
        async () =>
          (await trace.text('.detail-title')).includes('tools/call') &&
          (await trace.visibleRows('.rows .row', '.list')).length > 2,
        'the list and the selected call',
      );
      await shot('trace');
    });

    it('the timeline: overlapping calls and notifications', async () => {
      const api = await activateDoctor();
      const everything = api.config.servers.find((s) => s.name === 'everything' && s.client === 'vscode')!;
      // A fresh session, so the picture is this burst and not the minutes before it.
      await vscode.commands.executeCommand('mcpDoctor.restartServer', everything.id);
      await waitFor(() => api.sessions.get(everything.id)?.state.kind === 'running', 'everything running again');
      const sx = await waitFor(
        () =>
          traceSessions(api)
            .filter((s) => s.serverId === everything.id && s.live)
            .pop()?.sx,
        'the new live session',
      );
      // Calls that overlap: two long operations with progress notifications, echoes and sums meanwhile.
      const call = (toolName: string, args: Record<string, unknown>) =>
        vscode.commands.executeCommand('mcpDoctor.callTool', { serverId: everything.id, toolName, args });
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await Promise.all([
        call('trigger-long-running-operation', { duration: 3, steps: 6 }),
        pause(700).then(() => call('trigger-long-running-operation', { duration: 1.5, steps: 3 })),
        (async () => {
          for (const message of ['one', 'two', 'three', 'four']) {
            await pause(450);
            await Promise.all([call('echo', { message }), call('get-sum', { a: 1, b: 2 })]);
          }
        })(),
      ]);
      await vscode.commands.executeCommand('mcpDoctor.openTrace', { serverId: everything.id });
      await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
      const trace = await webview('.trace .toolbar');
      await trace.select('select[aria-label="Server / session"]', `sx:${sx}`);
      await trace.select('select[aria-label="Tool"]', '');
      await trace.click('button[aria-label^="Timeline"]');
      await trace.click('button[aria-label="Fit the whole trace"]');
      await waitFor(
        async () => (await trace.eval((_: null, doc) => doc.querySelectorAll('.tl-call').length)) >= 10,
        'the timeline drawn',
      );
      // The long operation selected: its request and response beside the waterfall.
      await trace.click('.tl-call:has-text("trigger-long-running-operation") >> nth=0');
      await waitFor(
        async () => (await trace.text('.detail-title')).includes('trigger-long-running-operation'),
        'the long operation in the detail pane',
      );
      await vscode.commands.executeCommand('workbench.action.closePanel'); // the restarted server's terminal
      await vscode.commands.executeCommand('notifications.clearAll');
      await shot('timeline');
      await trace.click('button[aria-label^="Timeline"]');
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
      await shot('debug');
      await stop.session.customRequest('continue', { threadId: stop.threadId });
      await outcome;
      dap.dispose();
      await api.sessions.stopAll();
    });
  });
}
