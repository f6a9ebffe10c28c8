import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resultView, shows, webview, workbench } from '../integration/browser';
import { waitFor, workspaceRoot } from '../integration/helpers';

/**
 * The packaged extension, installed from dist/mcp-doctor.vsix into a fresh extensions folder
 * (test/smoke/runSmoke.ts runs this file twice, see there). Everything goes through its commands
 * and what the workbench draws.
 */
const ID = 'mcp-doctor.mcp-doctor';
const installedAt = () => process.env.MCP_DOCTOR_INSTALLED ?? '';

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

/** server-everything over Streamable HTTP, and a workspace config entry `everything-http` for it. */
async function remoteEverything(): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      path.join(
        process.env.MCP_DOCTOR_REPO_ROOT!,
        'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
      ),
      'streamableHttp',
    ],
    { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  await waitFor(() => log.includes('listening'), `server-everything listening on ${port}`);
  const dir = path.join(workspaceRoot(), 'remote', '.vscode');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'mcp.json'),
    JSON.stringify({ servers: { 'everything-http': { type: 'http', url: `http://127.0.0.1:${port}/mcp` } } }),
  );
  await vscode.commands.executeCommand('mcpDoctor.refresh'); // the config was written just now
  return child;
}

describe('Smoke: the .vsix as installed', function () {
  this.timeout(120000);

  it('is the installed copy, in Production mode (no test API)', async () => {
    const ext = vscode.extensions.getExtension(ID);
    assert.ok(ext, `${ID} is installed`);
    assert.equal(ext.extensionPath, installedAt());
    assert.equal(await ext.activate(), undefined);
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

  it('asks before it runs a server (VS Code refuses the dialog under test: its text is the proof)', async () => {
    const err = await Promise.resolve(vscode.commands.executeCommand('mcpDoctor.startServer', 'everything')).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.match(String(err), /refused to show dialog in tests\. Contents: Start MCP server "everything"\?/);
  });

  it('lints Python server source', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceRoot(), 'rules', 'stdio_server.py'));
    await vscode.window.showTextDocument(doc);
    await waitFor(
      () =>
        vscode.languages
          .getDiagnostics(doc.uri)
          .some((d) => d.source?.startsWith('MCP Doctor') && (d.code as { value?: string })?.value === 'MCP101'),
      'MCP101 on the Python server',
    );
  });
});

describe('Smoke: the installed files, launches approved', function () {
  this.timeout(120000);
  let remote: ChildProcess | undefined;

  before(async () => {
    const ext = vscode.extensions.getExtension(ID)!;
    assert.equal(ext.extensionPath, installedAt(), 'the installed files, loaded as the extension under test');
    const api = (await ext.activate()) as { setAutoApprove(on: boolean): void } | undefined;
    assert.ok(api, 'Test mode gives the test API');
    api.setAutoApprove(true);
    remote = await remoteEverything();
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpDoctor.stopServer', 'everything-http').then(undefined, () => undefined);
    remote?.kill();
  });

  it('connects to a server, calls a tool and draws the result', async () => {
    const view = await waitFor(
      async () =>
        vscode.commands.executeCommand<{ state: { kind: string } } | undefined>(
          'mcpDoctor.startServer',
          'everything-http',
        ),
      'the remote server in the config, started',
    );
    assert.equal(view?.state.kind, 'running', JSON.stringify(view?.state));
    const outcome = await vscode.commands.executeCommand<{ ok: boolean }>('mcpDoctor.callTool', {
      serverId: 'everything-http', // a unique server name is accepted wherever an id is
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
});
