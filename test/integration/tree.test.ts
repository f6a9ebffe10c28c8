import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionView } from '../../src/core/session/types';
import type { DoctorTestApi } from '../../src/testApi';
import type { SessionManager } from '../../src/vscode/session/sessionManager';
import type { TreeNode } from '../../src/vscode/treeNodes';
import { resultView, shows } from './browser';
import { activateDoctor, demoServer, serverNode, treeProvider, waitFor, workspaceRoot } from './helpers';

const DEMO_SERVERS = [
  'everything',
  'memory',
  'good-python',
  'polluting',
  'crashing',
  'hanging',
  'features',
  'counter',
  'remote-docs',
  'calc',
  'notes-ts',
  'bare-python',
];

describe('Servers tree', function () {
  this.timeout(60000);
  let api: DoctorTestApi;
  let manager: SessionManager;
  let configFile: string;

  before(async () => {
    api = await activateDoctor();
    manager = api.sessions;
    api.setAutoApprove(true);
    configFile = path.join(workspaceRoot(), '.vscode', 'mcp.json');
    await demoServer(api, 'everything');
  });

  after(async () => {
    await manager.stopAll();
    api.setAutoApprove(false);
  });

  function fileNode(): TreeNode {
    const node = treeProvider()
      .getChildren()
      .find((n) => n.kind === 'file' && n.file.file === configFile);
    assert.ok(node, 'the demo .vscode/mcp.json is a root of the tree');
    return node;
  }

  it('lists the demo config file with its client, relative path and server count', () => {
    const tree = treeProvider();
    const item = tree.getTreeItem(fileNode());
    assert.equal(item.label, `VS Code · ${path.join('.vscode', 'mcp.json')}`);
    assert.match(String(item.description), /^12 servers(, \d+ problems?)?$/);
    assert.equal(item.command?.command, 'mcpDoctor.openConfig');
  });

  it('lists every server with transport, state and a server.<state> contextValue (.remote for URL servers: Sign Out)', () => {
    const tree = treeProvider();
    const servers = tree.getChildren(fileNode());
    assert.deepEqual(
      servers.map((n) => (n.kind === 'server' ? n.server.name : n.kind)),
      DEMO_SERVERS,
    );
    for (const node of servers) {
      if (node.kind !== 'server') continue;
      const item = tree.getTreeItem(node);
      const state = manager.get(node.server.id)?.state.kind ?? 'stopped';
      assert.equal(item.contextValue, `server.${state}${node.server.url ? '.remote' : ''}`, node.server.name);
      assert.match(String(item.description), new RegExp(`^${node.server.transport} · `), node.server.name);
      assert.equal(item.command?.command, 'mcpDoctor.openConfig');
    }
    const remote = servers.find((n) => n.kind === 'server' && n.server.name === 'remote-docs')!;
    assert.equal(tree.getTreeItem(remote).description, 'http · stopped');
  });

  it('opens the config at the server entry when a server is clicked', async () => {
    const server = await demoServer(api, 'memory');
    const item = treeProvider().getTreeItem(serverNode(server.id)!);
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, configFile);
    assert.equal(editor?.selection.start.line, server.range.start.line);
  });

  it('refreshes, and opens (never overwrites) an existing .vscode/mcp.json on createConfig', async () => {
    const files = await vscode.commands.executeCommand<number>('mcpDoctor.refresh');
    assert.ok(files && files >= 1, `refresh saw ${files} config files`);
    const before = fs.readFileSync(configFile, 'utf8');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('mcpDoctor.createConfig');
    assert.equal(uri?.fsPath, configFile);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, configFile);
    assert.equal(fs.readFileSync(configFile, 'utf8'), before);
  });

  it('shows tools, resources, templates and prompts of a running server with their contextValues', async () => {
    const server = await demoServer(api, 'everything');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    const tree = treeProvider();
    const expected = {
      tools: 'tool',
      resources: 'resource',
      resourceTemplates: 'resourceTemplate',
      prompts: 'prompt',
    } as const;
    const groups = await waitFor(() => {
      const node = serverNode(server.id);
      const children = node ? tree.getChildren(node).filter((n) => n.kind === 'group') : [];
      return children.length === 4 ? children : undefined;
    }, 'four groups under the everything server');
    for (const group of groups) {
      if (group.kind !== 'group') continue;
      const items = tree.getChildren(group);
      assert.ok(items.length > 0, `${group.group} is not empty`);
      assert.match(String(tree.getTreeItem(group).label), new RegExp(`\\(${items.length}\\)$`));
      for (const item of items) assert.equal(tree.getTreeItem(item).contextValue, expected[group.group]);
    }
    const resources = tree.getChildren(groups.find((g) => g.kind === 'group' && g.group === 'resources')!);
    const first = resources[0];
    assert.equal(tree.getTreeItem(first).command?.command, 'mcpDoctor.readResource');
    const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.readResource', first);
    assert.equal(outcome?.ok, true);
    await shows(await resultView('everything'), (first as { resource: { uri: string } }).resource.uri, 'Contents (1)');
  });

  it("calls a tool from its tree item through the argument form, prefilled with the tool's last arguments", async () => {
    const server = await demoServer(api, 'good-python');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    const first = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'slow',
      args: { steps: 3, delay: 0.01 },
    });
    assert.equal(first?.ok, true);
    const tree = treeProvider();
    const slow = await waitFor(() => {
      const node = serverNode(server.id);
      const tools = node && tree.getChildren(node).find((n) => n.kind === 'group' && n.group === 'tools');
      return tools && tree.getChildren(tools).find((n) => n.kind === 'tool' && n.tool.name === 'slow');
    }, 'the slow tool in the tree');
    const item = tree.getTreeItem(slow);
    let outcome: { ok: boolean; result?: unknown } | undefined;
    const call = Promise.resolve(
      vscode.commands.executeCommand<{ ok: boolean }>(item.command!.command, ...(item.command!.arguments ?? [])),
    ).then((o) => (outcome = o ?? { ok: false }));
    // Two optional fields (steps, delay), each prefilled with the last call's value: accept both.
    await waitFor(
      async () => {
        if (outcome) return true;
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return false;
      },
      'the form to be submitted and the call to finish',
      30000,
    );
    await call;
    assert.equal(outcome!.ok, true);
    assert.match(JSON.stringify(outcome!.result), /done after 3 steps/);
  });

  it('asks enum and boolean fields with quick picks (defaults preselected) and renders image results', async () => {
    const server = await demoServer(api, 'everything');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    const tree = treeProvider();
    const tool = await waitFor(() => {
      const node = serverNode(server.id);
      const tools = node && tree.getChildren(node).find((n) => n.kind === 'group' && n.group === 'tools');
      return tools && tree.getChildren(tools).find((n) => n.kind === 'tool' && n.tool.name === 'get-annotated-message');
    }, 'get-annotated-message in the tree');
    let outcome: { ok: boolean } | undefined;
    const call = Promise.resolve(vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', tool)).then(
      (o) => (outcome = o ?? { ok: false }),
    );
    await waitFor(
      async () => {
        if (outcome) return true;
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return false;
      },
      'the form to be submitted',
      30000,
    );
    await call;
    assert.equal(outcome!.ok, true);
    const result = await resultView('everything');
    await shows(result, 'get-annotated-message', 'messageType');
    const args = await result.text('.args');
    assert.match(args, /messageType: "error"/, 'first enum value preselected for the required field');
    assert.match(args, /includeImage: false/, 'the default preselected for the optional boolean');

    const image = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'get-tiny-image',
      args: {},
    });
    assert.equal(image?.ok, true);
    await shows(result, 'get-tiny-image', 'image/png');
    const drawn = await result.eval((_: null, doc) => {
      const img = doc.querySelector('.b-image img') as unknown as { naturalWidth: number; src: string } | null;
      return { width: img?.naturalWidth ?? 0, src: img?.src.slice(0, 22) ?? '' };
    });
    assert.equal(drawn.src, 'data:image/png;base64,');
    assert.ok(drawn.width > 0, 'the image is decoded and drawn');
  });
});
