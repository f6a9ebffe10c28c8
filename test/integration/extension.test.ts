import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateDoctor } from './helpers';

describe('Extension', () => {
  it('activates in Test mode, the only mode in which activate() returns the test API', async () => {
    const api = await activateDoctor();
    assert.equal(api.context.extensionMode, vscode.ExtensionMode.Test);
  });

  it('activates and registers every command it contributes', async () => {
    await activateDoctor();
    const pkg = JSON.parse(fs.readFileSync(path.join(process.env.MCP_DOCTOR_REPO_ROOT!, 'package.json'), 'utf8'));
    const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(', ')}`);
  });

  it('shows the MCP Doctor view container with the Servers view', async () => {
    await activateDoctor();
    await vscode.commands.executeCommand('workbench.view.extension.mcpDoctor');
    // The view's focus command exists only when the view is contributed and registered.
    await vscode.commands.executeCommand('mcpDoctor.servers.focus');
  });
});

describe('Activation', () => {
  it('reports how long activate() took', async () => {
    const api = await activateDoctor();
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0, `activationMs = ${api.activationMs}`);
    console.log(`activate() took ${api.activationMs.toFixed(1)} ms`);
    const out = process.env.MCP_DOCTOR_BENCH_OUT;
    if (out) fs.writeFileSync(out, JSON.stringify({ activationMs: api.activationMs }));
  });
});
