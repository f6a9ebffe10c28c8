import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DoctorTestApi } from '../../src/testApi';
import type { TreeNode } from '../../src/vscode/treeNodes';
import { workbench } from './browser';
import { activateDoctor, demoServer, serverNode, treeProvider, waitFor } from './helpers';

/** The labels of the context menu the workbench shows now. */
async function contextMenu(): Promise<string[]> {
  return waitFor(async () => {
    const labels = await workbench.eval((_: null, doc) =>
      Array.from(doc.querySelectorAll('.context-view .monaco-menu .action-label'), (e) => e.textContent ?? '').filter(
        (t) => t !== '',
      ),
    );
    return labels.length ? labels : undefined;
  }, 'a context menu on screen');
}

/** Focuses a tree item in the Servers view and opens its context menu from the keyboard. */
async function shiftF10(api: DoctorTestApi, node: TreeNode): Promise<string[]> {
  await vscode.commands.executeCommand('workbench.view.extension.mcpDoctor');
  await api.treeView.reveal(node, { select: true, focus: true });
  // The focus must be on this node's row, not still on the row focused before (its menu differs),
  // and the row must show the item as the provider has it now (the menu follows the rendered state).
  const item = await treeProvider().getTreeItem(node);
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const shown = [label, typeof item.description === 'string' ? item.description : ''];
  await waitFor(
    () =>
      workbench.eval((texts: string[], doc) => {
        const row = doc.activeElement?.closest('.monaco-list')?.querySelector('.monaco-list-row.focused');
        return texts.every((t) => (row?.textContent ?? '').includes(t));
      }, shown),
    `the tree row of "${shown.join(' ')}" to have the keyboard focus`,
  );
  await workbench.press('Shift+F10');
  const labels = await contextMenu();
  await workbench.press('Escape');
  return labels;
}

describe('What a user sees (tree menus, status bar, walkthrough)', function () {
  this.timeout(120000);
  let api: DoctorTestApi;

  before(async () => {
    api = await activateDoctor();
    api.setAutoApprove(true);
  });

  after(async () => {
    await api.sessions.stopAll();
    api.setAutoApprove(false);
  });

  it('reaches Start, Stop and Restart from the keyboard (Shift+F10), and a tool’s actions', async () => {
    const server = await demoServer(api, 'everything');
    // An earlier suite may have left it running: stop it first, and wait until the tree says so.
    await vscode.commands.executeCommand('mcpDoctor.stopServer', server.id);
    const tree = treeProvider();
    const idle = await waitFor(() => {
      const n = serverNode(server.id);
      return n && tree.getTreeItem(n).contextValue === 'server.stopped' ? n : undefined;
    }, 'the stopped server node');
    const stopped = await shiftF10(api, idle);
    assert.ok(stopped.includes('Start Server'), `stopped server menu: ${stopped.join(', ')}`);
    assert.ok(!stopped.includes('Stop Server'));

    await vscode.commands.executeCommand('mcpDoctor.startServer', server.id);
    const running = await waitFor(() => {
      const n = serverNode(server.id);
      return n && tree.getTreeItem(n).contextValue === 'server.running' ? n : undefined;
    }, 'the running server node');
    const menu = await shiftF10(api, running);
    for (const label of ['Stop Server', 'Restart Server', 'Show Server Terminal', 'Open Trace'])
      assert.ok(menu.includes(label), `running server menu has ${label}: ${menu.join(', ')}`);

    const tools = tree.getChildren(running).find((n) => n.kind === 'group' && n.group === 'tools')!;
    const echo = tree.getChildren(tools).find((n) => n.kind === 'tool' && n.tool.name === 'echo')!;
    const toolMenu = await shiftF10(api, echo);
    assert.deepEqual(
      toolMenu.filter((l) => ['Call Tool...', 'Open Trace'].includes(l)),
      ['Call Tool...', 'Open Trace'],
    );
  });

  it('asks tool arguments without calling an untouched required field an error', async () => {
    const server = await demoServer(api, 'everything');
    const tree = treeProvider();
    const sum = await waitFor(() => {
      const n = serverNode(server.id);
      const tools = n && tree.getChildren(n).find((c) => c.kind === 'group' && c.group === 'tools');
      return tools && tree.getChildren(tools).find((c) => c.kind === 'tool' && c.tool.name === 'get-sum');
    }, 'get-sum in the tree');
    const call = Promise.resolve(vscode.commands.executeCommand('mcpDoctor.callTool', sum));
    const box = await waitFor(
      () =>
        workbench.eval((_: null, doc) => {
          const w = doc.querySelector('.quick-input-widget');
          return w?.checkVisibility()
            ? {
                title: w.querySelector('.quick-input-title')?.textContent ?? '',
                message: w.querySelector('.quick-input-message')?.textContent ?? '',
              }
            : undefined;
        }),
      'the argument form',
    );
    assert.match(box.title, /get-sum/);
    assert.doesNotMatch(box.message, /required/, 'nothing typed yet is not an error');
    await workbench.press('Enter');
    await waitFor(
      async () => /required/.test(await workbench.text('.quick-input-widget .quick-input-message')),
      'accepting it empty says the field is required',
    );
    await workbench.press('Escape');
    await call;
  });

  it('tells a failed server and a polluting one apart from a healthy one, in a narrow sidebar', async () => {
    const tree = treeProvider();
    const crashing = await demoServer(api, 'crashing');
    await vscode.commands.executeCommand('mcpDoctor.startServer', crashing.id);
    const failed = await waitFor(() => {
      const n = serverNode(crashing.id);
      return n && /^server\.(error|stopped)$/.test(tree.getTreeItem(n).contextValue ?? '') ? n : undefined;
    }, 'the crashing server to fail');
    const item = tree.getTreeItem(failed);
    const children = tree.getChildren(failed);
    assert.ok(!children.some((n) => n.kind === 'group'), 'no empty "Tools (0)" under a failed server');
    const problems = children.find((n) => n.kind === 'problems')!;
    const icon = tree.getTreeItem(problems).iconPath as vscode.ThemeIcon;
    assert.equal(icon.id, 'error', 'a Problems group holding an error has the error icon');
    // A 300 px sidebar shows ~45 characters of description: the reason's first sentence, the rest in the tooltip.
    assert.ok(String(item.description).length <= 80, String(item.description));
    for (const n of tree.getChildren(problems)) {
      const p = tree.getTreeItem(n);
      assert.ok(String(p.label).length <= 90, String(p.label));
      assert.ok(n.kind === 'problem' && (p.tooltip as vscode.MarkdownString).value.includes(n.finding.code));
    }

    const polluting = await demoServer(api, 'polluting');
    await vscode.commands.executeCommand('mcpDoctor.startServer', polluting.id);
    await waitFor(
      () => api.sessions.get(polluting.id)?.findings.some((f) => f.code === 'MCP101' && f.severity === 'error'),
      'the runtime stdout pollution finding',
    );
    const noisy = await waitFor(() => {
      const n = serverNode(polluting.id);
      const i = n && tree.getTreeItem(n);
      return i && (i.iconPath as vscode.ThemeIcon).id === 'warning' ? i : undefined;
    }, 'the polluting server not to show a green check');
    assert.match(String(noisy.description), /running.* · 1 error$/);
  });

  it('shows running servers and problems in the status bar', async () => {
    // Earlier suites may have left sessions behind: the expected counts come from the sessions.
    const count = (kind: string) => api.sessions.all().filter((v) => v.state.kind === kind).length;
    const text = await waitFor(async () => {
      const t = await workbench.eval((_: null, doc) =>
        Array.from(doc.querySelectorAll('.statusbar-item'), (e) => e.textContent ?? '').find((s) => s.includes('MCP ')),
      );
      return t?.includes(`MCP ${count('running')} running`) ? t : undefined;
    }, 'the MCP Doctor status bar item');
    assert.ok(count('running') >= 2, `two servers run (${count('running')})`);
    assert.match(text, new RegExp(`${count('error')} failed`));
  });

  it('opens the walkthrough: config, start, call, trace, fix', async () => {
    // VS Code registers an extension's walkthrough a few seconds after start (it waits up to 5 s
    // for an experiment service): until then the command shows its own. Ask again until ours is there.
    const steps = await waitFor(async () => {
      await vscode.commands.executeCommand('mcpDoctor.openWalkthrough');
      const s = await workbench.eval((_: null, doc) =>
        Array.from(doc.querySelectorAll('.gettingStartedContainer .getting-started-step .step-title'))
          .filter((e) => e.checkVisibility())
          .map((e) => (e.textContent ?? '').trim()),
      );
      return s[0] === 'Open or create an MCP config' ? s : undefined;
    }, 'the MCP Doctor walkthrough steps on screen');
    assert.deepEqual(steps, [
      'Open or create an MCP config',
      'Start a server',
      'Call a tool',
      'Open the trace',
      'Fix a finding',
    ]);
    const titles = await workbench.eval((_: null, doc) =>
      Array.from(doc.querySelectorAll('.gettingStartedContainer .category-title'))
        .filter((e) => e.checkVisibility())
        .map((e) => e.textContent ?? ''),
    );
    assert.ok(
      titles.some((t) => /Get started with MCP Doctor/.test(t)),
      titles.join(' | '),
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
