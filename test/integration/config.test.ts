import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigController } from '../../src/vscode/config/configController';
import { activateDoctor, waitFor, workspaceRoot } from './helpers';

function codes(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code)))
    .sort();
}

describe('Config discovery', () => {
  let controller: ConfigController;
  before(async () => {
    const api = await activateDoctor();
    controller = api.config;
    await controller.ready;
  });

  it('finds the workspace configs of several clients', async () => {
    const root = workspaceRoot();
    const files = await waitFor(() => {
      const rel = controller.files.map((f) => path.relative(root, f.file)).sort();
      return rel.includes('.mcp.json') && rel.includes('.cursor/mcp.json') && rel.includes('.vscode/mcp.json')
        ? rel
        : undefined;
    }, 'the three demo config files');
    assert.ok(files.length >= 3);
    const clients = new Set(controller.files.map((f) => f.client));
    for (const c of ['vscode', 'claude-code', 'cursor']) assert.ok(clients.has(c as never), `client ${c}`);
    assert.ok(controller.servers.some((s) => s.name === 'fetch' && s.client === 'cursor'));
  });

  it('puts config problems in the Problems panel at the exact position', async () => {
    const root = workspaceRoot();
    const mcp = vscode.Uri.file(path.join(root, '.mcp.json'));
    const diagnostics = await waitFor(() => {
      const list = vscode.languages.getDiagnostics(mcp);
      return list.length > 0 ? list : undefined;
    }, 'diagnostics on .mcp.json');
    const comma = diagnostics.find((d) =>
      typeof d.code === 'object' ? d.code.value === 'MCP002' : d.code === 'MCP002',
    );
    assert.ok(comma, `trailing comma reported; got ${codes(mcp).join(', ')}`);
    assert.equal(comma.range.start.line, 5);
    assert.equal(comma.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(comma.source, 'MCP Doctor');

    const cursor = vscode.Uri.file(path.join(root, '.cursor/mcp.json'));
    assert.deepEqual(codes(cursor), ['MCP016', 'MCP061', 'MCP062']);
  });

  it('follows unsaved edits in an open config file', async () => {
    const uri = vscode.Uri.file(path.join(workspaceRoot(), '.mcp.json'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(5);
    const comma = line.text.lastIndexOf(',');
    const edit = new vscode.WorkspaceEdit();
    edit.delete(uri, new vscode.Range(5, comma, 5, comma + 1));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(() => !codes(uri).includes('MCP002'), 'the trailing-comma diagnostic to go away');
    // Put the comma back and the problem returns, still without saving. Now that the file is
    // open, VS Code's JSON support reports the comma too: it shows once (VS Code's words), and
    // MCP Doctor's quick fix is offered on it.
    const undo = new vscode.WorkspaceEdit();
    undo.insert(uri, new vscode.Position(5, comma), ',');
    assert.ok(await vscode.workspace.applyEdit(undo));
    const at = new vscode.Range(5, comma, 5, comma + 1);
    const onComma = await waitFor(() => {
      const here = vscode.languages.getDiagnostics(uri).filter((d) => d.range.isEqual(at));
      return here.length ? here : undefined;
    }, 'the trailing comma reported again');
    assert.equal(onComma.length, 1, onComma.map((d) => `${d.source}: ${d.message}`).join('\n'));
    // VS Code's JSON diagnostic can come before MCP Doctor has re-read the edited text: the fix is
    // offered once it has, as the light bulb shows up for a user.
    let titles: string[] = [];
    await waitFor(
      async () => {
        const fixes = await vscode.commands.executeCommand<vscode.CodeAction[]>(
          'vscode.executeCodeActionProvider',
          uri,
          at,
          vscode.CodeActionKind.QuickFix.value,
        );
        titles = fixes.map((a) => a.title);
        return titles.includes('Remove trailing comma (MCP002)');
      },
      () => `the quick fix on the comma; offered: ${titles.join(', ') || 'none'}`,
    );
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('notices a config file created on disk and one deleted', async () => {
    const file = path.join(workspaceRoot(), '.roo', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        { mcpServers: { inventory: { command: 'node', args: ['inv.js'], url: 'http://localhost:1/mcp' } } },
        null,
        2,
      ),
    );
    try {
      await waitFor(
        () => controller.servers.find((s) => s.name === 'inventory' && s.client === 'roo'),
        'the new Roo server',
      );
      const uri = vscode.Uri.file(file);
      await waitFor(() => codes(uri).includes('MCP016'), 'a problem on the new file');
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
    await waitFor(() => !controller.servers.some((s) => s.name === 'inventory'), 'the Roo server to disappear');
  });

  it('resolves ${input:...} from SecretStorage when launching', async () => {
    const api = await activateDoctor();
    const file = path.join(workspaceRoot(), 'nested-inputs', '.vscode', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          inputs: [{ type: 'promptString', id: 'api-key', description: 'API key', password: true }],
          servers: {
            keyed: { type: 'stdio', command: 'node', args: ['server.js'], env: { API_KEY: '${input:api-key}' } },
          },
        },
        null,
        2,
      ),
    );
    try {
      // This test is about inputs, not watchers (the test above covers those): refresh directly.
      const server = await waitFor(async () => {
        await controller.refresh();
        return controller.servers.find((s) => s.name === 'keyed');
      }, 'the nested server with an input');
      assert.ok(
        server.unresolved.includes('${input:api-key}') || JSON.stringify(server.env).includes('${input:api-key}'),
      );
      await api.context.secrets.store(`mcpDoctor.input:${server.file}#api-key`, 'sk-test-value');
      const resolved = await controller.resolveForLaunch(server);
      assert.ok(resolved);
      assert.equal(resolved.env?.API_KEY, 'sk-test-value');
      assert.ok(!resolved.unresolved.some((u) => u.startsWith('${input:')));
    } finally {
      fs.rmSync(path.join(workspaceRoot(), 'nested-inputs'), { recursive: true, force: true });
    }
  });
});
