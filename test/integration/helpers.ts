import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../src/core/config/types';
import type { DoctorApi } from '../../src/extension';
import type { ServersTreeProvider, TreeNode } from '../../src/vscode/tree/index';

export const EXTENSION_ID = 'mcp-doctor.mcp-doctor';

export async function activateDoctor(): Promise<DoctorApi> {
  const ext = vscode.extensions.getExtension<DoctorApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in the test host`);
  return ext.activate();
}

/** Polls `probe` until it returns a truthy value; no fixed sleeps in tests. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30000,
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need a workspace folder');
  return folder.uri.fsPath;
}

/**
 * Saves a picture of the workbench as it is now, when the run was started with
 * VSCODE_SHIM_SCREENSHOT_DIR (the shim takes it); otherwise does nothing.
 */
export async function screenshot(name: string): Promise<string | undefined> {
  const dir = process.env.VSCODE_SHIM_SCREENSHOT_DIR;
  if (!dir) return undefined;
  const fs = await import('node:fs');
  const path = await import('node:path');
  const done = path.join(dir, `${name}.done`);
  fs.rmSync(done, { force: true });
  fs.writeFileSync(path.join(dir, `${name}.request`), '');
  await waitFor(() => fs.existsSync(done), `screenshot ${name}`, 20000);
  return path.join(dir, `${name}.png`);
}

/** Same symbol as `TREE_TEST_HOOK` in src/vscode/tree/index.ts (Symbol.for is process-wide). */
const TREE_TEST_HOOK = Symbol.for('mcpDoctor.serversTree');

/** The Servers tree's data provider, as registered by the extension. */
export function treeProvider(): ServersTreeProvider {
  const provider = (globalThis as Record<symbol, unknown>)[TREE_TEST_HOOK] as ServersTreeProvider | undefined;
  if (!provider) throw new Error('the Servers tree provider is not registered');
  return provider;
}

/** Waits until the config model lists the demo workspace's server of that name. */
export async function demoServer(api: DoctorApi, name: string): Promise<ServerConfig> {
  return waitFor(async () => {
    const hit = api.services.config.servers.find(
      (s) => s.name === name && s.file.endsWith(path.join('.vscode', 'mcp.json')),
    );
    if (!hit) await api.services.config.refresh();
    return hit;
  }, `server "${name}" in the demo .vscode/mcp.json`);
}

/** The server node of a server id, found by walking the tree from its roots. */
export function serverNode(serverId: string): TreeNode | undefined {
  const tree = treeProvider();
  for (const file of tree.getChildren()) {
    const hit = tree.getChildren(file).find((n) => n.kind === 'server' && n.server.id === serverId);
    if (hit) return hit;
  }
  return undefined;
}
