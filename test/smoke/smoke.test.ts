import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resultView, shows, webview, workbench } from '../integration/browser';
import { waitFor, workspaceRoot } from '../integration/helpers';

/**
 * The packaged extension, installed from dist/mcp-doctor.vsix into a fresh extensions folder,
 * as a user gets it: no test API (it runs in Production mode), so everything goes through its
 * commands and what the workbench draws. VS Code refuses modal dialogs under test, so the server
 * called here is a remote one (server-everything over Streamable HTTP, started by the test):
 * connecting to a URL runs nothing locally and needs no launch consent.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('Smoke test of the installed .vsix', function () {
  this.timeout(120000);
  const id = 'mcp-doctor.mcp-doctor';
  let ext: vscode.Extension<unknown>;
  let serverId: string;
  let remote: ChildProcess | undefined;

  before(async () => {
    ext = vscode.extensions.getExtension(id)!;
    assert.ok(ext, `${id} is installed`);
    const repo = process.env.MCP_DOCTOR_REPO_ROOT ?? '';
    assert.ok(
      !ext.extensionPath.startsWith(repo + path.sep),
      `loaded from the install, not the repo: ${ext.extensionPath}`,
    );
    assert.equal(await ext.activate(), undefined, 'no test API outside Test mode');
    const port = await freePort();
    remote = spawn(
      process.execPath,
      [path.join(repo, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'streamableHttp'],
      { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    remote.stderr!.on('data', (d) => (log += d));
    await waitFor(() => log.includes('listening'), `server-everything listening on ${port}`);
    const dir = path.join(workspaceRoot(), 'remote', '.vscode');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'mcp.json'),
      JSON.stringify({ servers: { 'everything-http': { type: 'http', url: `http://127.0.0.1:${port}/mcp` } } }),
    );
  });

  after(async () => {
    if (serverId) await vscode.commands.executeCommand('mcpDoctor.stopServer', { serverId });
    remote?.kill();
  });

  it('lists the workspace servers in its tree', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.mcpDoctor');
    const rows = await waitFor(async () => {
      const labels = await workbench.eval((_: null, doc) =>
        Array.from(doc.querySelectorAll('.pane-body .monaco-list-row .label-name'), (e) => e.textContent ?? ''),
      );
      return labels.includes('everything') && labels.includes('good-python') ? labels : undefined;
    }, 'the demo servers in the Servers view');
    assert.ok(
      rows.some((l) => l.startsWith('VS Code')),
      `the config file row: ${rows.join(', ')}`,
    );
  });

  it('connects to a server, calls a tool and draws the result', async () => {
    serverId = 'everything-http'; // a unique server name is accepted wherever an id is
    await vscode.commands.executeCommand('mcpDoctor.refresh'); // the config was written just now
    const view = await waitFor(
      async () =>
        vscode.commands.executeCommand<{ state: { kind: string } } | undefined>('mcpDoctor.startServer', { serverId }),
      'the remote server in the config, started',
    );
    assert.equal(view?.state.kind, 'running', JSON.stringify(view?.state));
    const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
      serverId,
      toolName: 'echo',
      args: { message: 'from the installed copy' },
    });
    assert.equal(outcome?.ok, true);
    await shows(await resultView('everything-http'), 'echo', 'Echo: from the installed copy');
  });

  it('records the traffic in the trace view', async () => {
    await vscode.commands.executeCommand('mcpDoctor.openTrace', { tool: 'echo' });
    const trace = await webview('.trace .toolbar');
    const rows = await waitFor(async () => {
      const r = await trace.visibleRows('.rows .row', '.list');
      return r.some((x) => x.cells[2] === 'tools/call' && x.cells[3] === 'echo') ? r : undefined;
    }, 'the echo call in the trace list');
    assert.ok(rows.some((r) => r.cells[7] === 'Echo: from the installed copy'));
  });

  it('lints Python server source', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'rules', 'stdio_server.py'));
    await vscode.window.showTextDocument(doc);
    const codes = await waitFor(() => {
      const c = vscode.languages
        .getDiagnostics(doc.uri)
        .filter((d) => d.source?.startsWith('MCP Doctor'))
        .map((d) => String(typeof d.code === 'object' ? d.code.value : d.code));
      return c.includes('MCP101') ? c : undefined;
    }, 'MCP101 on the Python server');
    assert.ok(codes.length >= 1);
  });
});
