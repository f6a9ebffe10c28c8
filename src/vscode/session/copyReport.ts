import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { buildTroubleshootingReport } from '../../core/session/report';
import { VERSION } from '../../core/version';
import type { Services } from '../services';
import type { SessionManager } from './sessionManager';

/**
 * `mcpDoctor.copyReport`: builds the Markdown troubleshooting report of one server (config
 * redacted, findings, stderr tail), copies it to the clipboard and opens it in an untitled
 * Markdown document for review. Returns the Markdown.
 */
export async function copyReport(
  services: Pick<Services, 'context' | 'config'>,
  manager: SessionManager,
  server: ServerConfig,
): Promise<string> {
  const view = manager.get(server.id);
  const configFindings =
    services.config.files.find((f) => f.file === server.file)?.findings.filter((f) => f.server === server.name) ?? [];
  const folder =
    manager.launchedConfig(server.id)?.cwd ??
    server.cwd ??
    server.workspaceFolder ??
    vscode.workspace.getWorkspaceFolder(vscode.Uri.file(server.file))?.uri.fsPath;
  const markdown = buildTroubleshootingReport({
    extensionVersion: VERSION,
    vscodeVersion: vscode.version,
    server: manager.launchedConfig(server.id) ?? server,
    view,
    findings: [...configFindings, ...(view?.findings ?? [])],
    lockfileVersions: folder ? sdkVersions(folder) : undefined,
    secrets: manager.secretValues(server.id),
  });
  await vscode.env.clipboard.writeText(markdown);
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { preview: false });
  void vscode.window.showInformationMessage(
    `Troubleshooting report for "${server.name}" copied to the clipboard (secrets redacted; review before sharing).`,
  );
  return markdown;
}

/** Installed MCP SDK/framework versions near the server: node_modules and uv.lock. Best effort. */
function sdkVersions(folder: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pkg of ['@modelcontextprotocol/sdk', 'fastmcp', 'zod']) {
    try {
      const json = JSON.parse(fs.readFileSync(path.join(folder, 'node_modules', pkg, 'package.json'), 'utf8')) as {
        version?: string;
      };
      if (json.version) out[pkg] = json.version;
    } catch {
      // not installed there
    }
  }
  try {
    const lock = fs.readFileSync(path.join(folder, 'uv.lock'), 'utf8');
    for (const m of lock.matchAll(/\[\[package\]\]\s*\nname = "(mcp|fastmcp|pydantic)"\s*\nversion = "([^"]+)"/g))
      out[m[1]] = m[2];
  } catch {
    // no uv.lock
  }
  return Object.keys(out).length ? out : undefined;
}
