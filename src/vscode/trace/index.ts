import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import {
  backupConfigFile,
  entryScope,
  proxiedTraceFile,
  restoreFromProxy,
  routeThroughProxy,
  type OriginalEntryText,
} from '../../core/proxy/configRewrite';
import type { ConfigModel, Services } from '../services';
import { TRACE_VIEW_TYPE, type IpcTap } from './tracePanel';
import { TraceServiceImpl } from './traceService';

/** globalState key: proxy trace files to follow (`routeThroughProxy`). */
const TAILS_KEY = 'mcpDoctor.trace.proxyTails';
/** globalState key: original `command`/`args` source text per routed entry (`file#name`), for an exact restore. */
const ORIGINALS_KEY = 'mcpDoctor.trace.proxyOriginals';

/**
 * The trace area: the trace service (recorders, persistence, the "MCP Trace" panel) and its
 * commands. Nothing heavy happens at activation; the panel and files open on demand.
 * `tap` sees the panel's messages (the extension's Test mode only).
 */
export function registerTrace(deps: Pick<Services, 'context' | 'log' | 'config'>, tap?: IpcTap): TraceServiceImpl {
  const service = new TraceServiceImpl(deps, tap);
  const ctx = deps.context;
  const command = (id: string, run: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, run);
  /** Opens a trace file as a session of the view and shows it. */
  const openAndReveal = async (file: string, origin: 'stored' | 'imported') => {
    const s = await service.openFile(file, origin);
    if (!s) return undefined;
    await service.reveal({ sx: s.sx });
    return { sx: s.sx, entries: s.recorder.length };
  };

  ctx.subscriptions.push(
    service,
    vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => service.attachRevived(panel, state),
    }),

    command('mcpDoctor.openTrace', async (arg) => {
      // `{ serverId?, tool? }`, a server id, or a tree node (`{ server }`, `{ serverId, tool: ToolInfo }`).
      const a = (arg ?? {}) as { serverId?: string; tool?: string | { name?: string }; server?: { id?: string } };
      const serverId = typeof arg === 'string' ? arg : (a.serverId ?? a.server?.id);
      const tool = typeof a.tool === 'string' ? a.tool : a.tool?.name;
      await service.reveal({ serverId, tool });
    }),

    command('mcpDoctor.openSession', async (arg) => {
      let file = typeof arg === 'string' ? arg : (arg as { file?: string } | undefined)?.file;
      if (!file) {
        const stored = await service.listStored();
        if (!stored.length) {
          void vscode.window.showInformationMessage(
            'No recorded trace sessions yet. Start a server (with mcpDoctor.trace.persist on) or import a JSONL trace.',
          );
          return undefined;
        }
        const pick = await vscode.window.showQuickPick(
          stored.map((s) => ({
            label: s.serverName,
            description: new Date(s.startedAt).toLocaleString(),
            detail: `${(s.bytes / 1024).toFixed(1)} KB · ${s.writer} · ${path.basename(s.file)}`,
            file: s.file,
          })),
          { placeHolder: 'Recorded trace session to open', matchOnDescription: true, matchOnDetail: true },
        );
        file = pick?.file;
      }
      return file ? openAndReveal(file, 'stored') : undefined;
    }),

    command('mcpDoctor.importTrace', async (arg) => {
      let file = typeof arg === 'string' ? arg : (arg as { file?: string } | undefined)?.file;
      if (!file) {
        const uris = await vscode.window.showOpenDialog({
          canSelectMany: false,
          filters: { 'Trace (JSONL)': ['jsonl', 'ndjson', 'json', 'log'] },
          title: 'Import an MCP trace',
        });
        file = uris?.[0]?.fsPath;
      }
      return file ? openAndReveal(file, 'imported') : undefined;
    }),

    command('mcpDoctor.exportTrace', async (arg) => {
      const a = (arg ?? {}) as { sx?: number; target?: string };
      const sessions = service.hub.all();
      let sx = a.sx;
      if (sx === undefined) {
        if (sessions.length === 0) {
          void vscode.window.showInformationMessage('Nothing to export: no trace sessions.');
          return undefined;
        }
        if (sessions.length === 1) sx = sessions[0].sx;
        else {
          const pick = await vscode.window.showQuickPick(
            [...sessions].reverse().map((s) => ({
              label: s.serverName,
              description: `${s.origin} · ${new Date(s.startedAt).toLocaleString()}`,
              detail: `${s.recorder.length} messages`,
              sx: s.sx,
            })),
            { placeHolder: 'Session to export (secrets are redacted)' },
          );
          sx = pick?.sx;
        }
      }
      const s = sx === undefined ? undefined : service.hub.get(sx);
      if (!s) return undefined;
      let target = a.target;
      if (!target) {
        const stamp = s.startedAt.replace(/[:.]/g, '-');
        const defaultUri = vscode.Uri.file(
          path.join(
            vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? ctx.globalStorageUri.fsPath,
            `${s.serverName}-${stamp}.jsonl`,
          ),
        );
        target = (
          await vscode.window.showSaveDialog({
            defaultUri,
            filters: { 'Trace (JSONL)': ['jsonl'] },
            title: 'Export trace (secrets redacted)',
          })
        )?.fsPath;
      }
      if (!target) return undefined;
      const n = await service.exportSession(s.sx, target);
      if (!a.target)
        void vscode.window.showInformationMessage(
          `Exported ${n} entries of ${s.serverName} to ${target} (secrets redacted).`,
        );
      return { target, entries: n };
    }),

    command('mcpDoctor.routeThroughProxy', async (arg) => {
      const server = await pickStdioServer(deps.config, arg, 'Server to route through the MCP Doctor proxy', false);
      if (!server) return undefined;
      const traceFile = path.join(
        service.folder,
        'proxy',
        `${server.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${hash(server.file + server.name)}.jsonl`,
      );
      const cliPath = vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'cli.js').fsPath;
      let original: OriginalEntryText | undefined;
      const ok = await rewrite(server.file, (text) => {
        const r = routeThroughProxy(text, server.name, { node: 'node', cliPath, traceFile }, entryScope(server));
        if (r.ok) original = r.original;
        return r;
      });
      if (!ok) return undefined;
      await ctx.globalState.update(ORIGINALS_KEY, {
        ...ctx.globalState.get<Record<string, OriginalEntryText>>(ORIGINALS_KEY, {}),
        [`${server.file}#${server.name}`]: original,
      });
      fs.mkdirSync(path.dirname(traceFile), { recursive: true });
      const tails = new Set(ctx.globalState.get<string[]>(TAILS_KEY, []));
      tails.add(traceFile);
      await ctx.globalState.update(TAILS_KEY, [...tails]);
      service.tailProxy(traceFile);
      void vscode.window.showInformationMessage(
        `${server.name} now starts through the MCP Doctor proxy. Restart it in its client (e.g. Claude Desktop, Cursor); its traffic appears in MCP Trace. Needs \`node\` on the client's PATH.`,
      );
      await service.reveal({ serverId: `proxy:${server.name}` });
      return { traceFile };
    }),

    command('mcpDoctor.restoreFromProxy', async (arg) => {
      const server = await pickStdioServer(deps.config, arg, 'Server entry to restore', true);
      if (!server) return undefined;
      let traceFile: string | undefined;
      try {
        traceFile = proxiedTraceFile(fs.readFileSync(server.file, 'utf8'), server.name, entryScope(server));
      } catch {
        // reported by rewrite below
      }
      const originals = ctx.globalState.get<Record<string, OriginalEntryText | undefined>>(ORIGINALS_KEY, {});
      const key = `${server.file}#${server.name}`;
      const ok = await rewrite(server.file, (text) =>
        restoreFromProxy(text, server.name, originals[key], entryScope(server)),
      );
      if (!ok) return undefined;
      delete originals[key];
      await ctx.globalState.update(ORIGINALS_KEY, originals);
      if (traceFile) {
        service.untailProxy(traceFile);
        await ctx.globalState.update(
          TAILS_KEY,
          ctx.globalState.get<string[]>(TAILS_KEY, []).filter((f) => f !== traceFile),
        );
      }
      void vscode.window.showInformationMessage(`${server.name} is restored to its original command.`);
      return { restored: true };
    }),
  );

  // Keep following proxy traces routed in earlier windows.
  for (const f of ctx.globalState.get<string[]>(TAILS_KEY, [])) if (fs.existsSync(f)) service.tailProxy(f);
  return service;
}

function hash(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

/** The stdio server a command argument names (id string, `{ serverId }`, `{ id }`, tree node), or a QuickPick. */
async function pickStdioServer(
  config: ConfigModel,
  arg: unknown,
  placeHolder: string,
  proxied: boolean,
): Promise<ServerConfig | undefined> {
  const servers = config.servers;
  const a = arg as { serverId?: string; id?: string; server?: { id?: string } } | string | undefined;
  const id = typeof a === 'string' ? a : (a?.serverId ?? a?.server?.id ?? a?.id);
  if (id) {
    const s = servers.find((x) => x.id === id);
    if (!s) void vscode.window.showErrorMessage(`No server with id ${id}.`);
    return s;
  }
  const isProxied = (s: ServerConfig) =>
    (s.args ?? []).some((x) => /cli\.js$/.test(x)) && (s.args ?? []).includes('proxy');
  const candidates = servers.filter(
    (s) => s.transport === 'stdio' && s.command && /\.jsonc?$/i.test(s.file) && isProxied(s) === proxied,
  );
  if (!candidates.length) {
    void vscode.window.showInformationMessage(
      proxied
        ? 'No server entry runs through the MCP Doctor proxy.'
        : 'No stdio server in a JSON config file to route through the proxy.',
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    candidates.map((s) => ({ label: s.name, description: s.client, detail: s.file, server: s })),
    { placeHolder },
  );
  return pick?.server;
}

/**
 * Applies a text rewrite to a config file through the editor (undoable) and saves it, after a
 * backup copy of the file. A file with unsaved edits is left alone: saving it would save the
 * user's unrelated changes too.
 */
async function rewrite(
  file: string,
  change: (text: string) => { ok: true; text: string } | { ok: false; message: string },
): Promise<boolean> {
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    if (doc.isDirty) {
      void vscode.window.showErrorMessage(
        `${path.basename(file)} has unsaved changes. Save or revert them first, then run the command again.`,
      );
      return false;
    }
    const r = change(doc.getText());
    if (!r.ok) {
      void vscode.window.showErrorMessage(r.message);
      return false;
    }
    backupConfigFile(file);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), r.text);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the edit was rejected');
    await doc.save();
    return true;
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot rewrite ${file}: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}
