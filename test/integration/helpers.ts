import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../src/core/config/types';
import type { HubSession } from '../../src/core/trace/hub';
import type { DoctorTestApi } from '../../src/testApi';
import type { ServersTreeProvider } from '../../src/vscode/tree/serversTree';
import type { TreeNode } from '../../src/vscode/treeNodes';
import { waitFor } from '../waitFor';

export { waitFor };
export const EXTENSION_ID = 'mcp-doctor.mcp-doctor';

let activated: DoctorTestApi | undefined;

/** Activates the extension and returns its test API (it runs in `ExtensionMode.Test` here). */
export async function activateDoctor(): Promise<DoctorTestApi> {
  const ext = vscode.extensions.getExtension<DoctorTestApi | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in the test host`);
  const api = await ext.activate();
  if (!api) throw new Error('activate() returned no test API: the extension host is not in ExtensionMode.Test');
  activated = api;
  return api;
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

/** The Servers tree's data provider, as registered by the extension. */
export function treeProvider(): ServersTreeProvider {
  if (!activated) throw new Error('activateDoctor() was not called');
  return activated.tree;
}

/** Waits until the config model lists the demo workspace's server of that name. */
export async function demoServer(api: DoctorTestApi, name: string): Promise<ServerConfig> {
  return waitFor(async () => {
    const hit = api.config.servers.find((s) => s.name === name && s.file.endsWith(path.join('.vscode', 'mcp.json')));
    if (!hit) await api.config.refresh();
    return hit;
  }, `server "${name}" in the demo .vscode/mcp.json`);
}

/** The recorded sessions of the trace view, as tests look at them. */
export function traceSessions(api: DoctorTestApi): {
  sx: number;
  serverId: string;
  serverName: string;
  origin: HubSession['origin'];
  file?: string;
  live: boolean;
  entries: number;
}[] {
  return api.trace.hub.all().map((s) => ({
    sx: s.sx,
    serverId: s.serverId,
    serverName: s.serverName,
    origin: s.origin,
    file: s.file,
    live: s.live,
    entries: s.recorder.length,
  }));
}

/** True once the trace webview said it is ready (it has the snapshot and listens). */
export function tracePanelReady(api: DoctorTestApi): boolean {
  return api.trace.openPanel?.isReady ?? false;
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
