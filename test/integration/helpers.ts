import * as vscode from 'vscode';
import type { DoctorApi } from '../../src/extension';

export const EXTENSION_ID = 'mcp-doctor.mcp-doctor';

export async function activateDoctor(): Promise<DoctorApi> {
  const ext = vscode.extensions.getExtension<DoctorApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in the test host`);
  return ext.activate();
}

/** Polls `probe` until it returns a truthy value; no fixed sleeps in tests. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30000): Promise<T> {
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
