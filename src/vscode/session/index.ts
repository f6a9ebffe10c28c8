import * as vscode from 'vscode';
import { problemsOf } from '../problems';
import type { Services } from '../services';
import { Calls } from './calls';
import { copyReport } from './copyReport';
import { ResultDocuments } from './resultDocuments';
import { renderOutcome } from './resultMarkdown';
import { ResultViews } from './resultViews';
import { RuntimeDiagnostics } from './runtimeDiagnostics';
import { resolveServerArg, serverIdOf, type ServerQuestion } from './pickers';
import { UiLaunchPrompts, type LaunchPrompts } from './prompts';
import { ReplyEditors } from './replyEditor';
import { SessionManager } from './sessionManager';
import { openExternal, SignIns, type BrowserOpener } from './signIns';
import { rowMarkdown, SignInView } from './signInView';
import type { AuthRow } from '../../core/auth/authLog';
import type { ServerConfig } from '../../core/config/types';
import type { EraPreference } from '../../core/session/sdk';
import type { LogLevel } from '../../core/session/serverFeatures';
import { isTreeNode } from '../treeNodes';

const ERAS: { era: EraPreference; label: string; detail: string }[] = [
  { era: 'auto', label: 'Automatic', detail: 'The newest era both sides support (what current clients do)' },
  {
    era: '2025',
    label: '2025 era',
    detail: '`initialize` handshake and sessions (protocol 2025-11-25 and earlier): what older clients see',
  },
  {
    era: '2026',
    label: '2026-07-28 era',
    detail: 'Stateless: `server/discover`, `_meta` on every request, input_required rounds: what newer clients see',
  },
];

/** Same order and names as the core's `LOG_LEVELS` (kept here so activation loads no session code). */
const LEVELS: LogLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/**
 * Live sessions: the session manager (the session registry), the managed terminals, runtime
 * Problems, and the server/tool commands. Cheap at activation: the SDK-backed session code
 * is imported on the first start. `wrapPrompts` lets the composition root decide how launch
 * questions are answered (the extension's Test mode only).
 */
export function registerSessions(
  services: Pick<Services, 'context' | 'log' | 'config' | 'trace'>,
  wrapPrompts: (ui: LaunchPrompts) => LaunchPrompts = (ui) => ui,
  opener: BrowserOpener = openExternal,
): { manager: SessionManager; signIns: SignIns } {
  const prompts = wrapPrompts(new UiLaunchPrompts(services.context.workspaceState));
  const signIns = new SignIns(services.context.secrets, opener, services.log);
  const replies = new ReplyEditors();
  const manager = new SessionManager(services, prompts, replies, signIns);
  const signInView = new SignInView(signIns);
  const documents = new ResultDocuments();
  const results = new ResultViews(services.context.extensionUri, {
    again: (r) => {
      if (r.kind === 'tool')
        void vscode.commands.executeCommand('mcpDoctor.callTool', {
          serverId: r.serverId,
          toolName: r.name,
          args: r.args ?? {},
        });
      else if (r.kind === 'resource')
        void vscode.commands.executeCommand('mcpDoctor.readResource', { serverId: r.serverId, uri: r.name });
      else
        void vscode.commands.executeCommand('mcpDoctor.getPrompt', {
          serverId: r.serverId,
          promptName: r.name,
          args: r.args ?? {},
        });
    },
    openTrace: (r) =>
      void services.trace.reveal({ serverId: r.serverId, tool: r.kind === 'tool' ? r.name : undefined }),
    markdown: (r, outcome) =>
      void documents.show(
        r.name,
        renderOutcome({ kind: r.kind, name: r.name, server: r.serverName, args: r.args }, outcome),
      ),
    readResource: (serverId, uri) => void vscode.commands.executeCommand('mcpDoctor.readResource', { serverId, uri }),
  });
  const calls = new Calls(services, manager, results, prompts);
  // Which servers a command offers when it names none.
  const active = (s: ServerConfig) => ['running', 'starting'].includes(manager.get(s.id)?.state.kind ?? '');
  const started = (s: ServerConfig) => !!manager.get(s.id);
  const running = (s: ServerConfig) => manager.get(s.id)?.state.kind === 'running';

  const command = (id: string, run: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, run);
  /**
   * A command on one server: its first argument names the server (a tree node, a server id or
   * name, `{ serverId }`, a ServerConfig); without one the user picks among the servers `ask`
   * allows. `run` gets the server and the command's other arguments; no server: undefined.
   */
  const serverCommand = (
    id: string,
    ask: ServerQuestion,
    run: (server: ServerConfig, ...rest: unknown[]) => unknown,
  ): vscode.Disposable =>
    command(id, async (arg, ...rest) => {
      const server = await resolveServerArg(services.config, manager, arg, ask);
      return server ? run(server, ...rest) : undefined;
    });
  services.context.subscriptions.push(
    manager,
    documents,
    signIns,
    signInView,
    vscode.window.createTreeView('mcpDoctor.signIn', { treeDataProvider: signInView }),
    replies,
    results,
    new RuntimeDiagnostics(manager, problemsOf(services)),
    serverCommand(
      'mcpDoctor.startServer',
      { placeholder: 'Server to start', filter: (s) => !active(s), none: 'Every server is already running.' },
      (server) => manager.start(server),
    ),
    serverCommand(
      'mcpDoctor.stopServer',
      { placeholder: 'Server to stop', filter: active, none: 'No server is running.' },
      (server) => manager.stop(server.id),
    ),
    serverCommand(
      'mcpDoctor.restartServer',
      { placeholder: 'Server to restart', filter: started, none: 'No server has been started yet.' },
      (server) => manager.restart(server),
    ),
    serverCommand(
      'mcpDoctor.restartServerInEra',
      { placeholder: 'Server to restart in another protocol era', none: 'No server to restart.' },
      async (server, eraArg) => {
        let era = ERAS.find((e) => e.era === eraArg)?.era;
        if (!era) {
          const current = manager.eraPreference(server.id);
          const picked = await vscode.window.showQuickPick(
            ERAS.map((e) => ({ ...e, description: e.era === current ? 'current' : undefined })),
            { placeHolder: `Restart ${server.name} speaking…`, matchOnDetail: true },
          );
          era = picked?.era;
        }
        return era && manager.restartInEra(server, era);
      },
    ),
    serverCommand(
      'mcpDoctor.setLogLevel',
      { placeholder: 'Server whose log level to set', filter: running, none: 'No server is running.' },
      async (server, levelArg) => {
        const features = manager.liveFeatures(server.id)?.features;
        if (!features) return undefined;
        let level = LEVELS.find((l) => l === levelArg);
        if (!level) {
          const picked = await vscode.window.showQuickPick(
            LEVELS.map((l) => ({ label: l, description: l === 'debug' ? 'everything' : `${l} and more severe` })),
            { placeHolder: `Log messages ${server.name} sends to the terminal (logging/setLevel)` },
          );
          level = picked?.label as LogLevel | undefined;
        }
        if (!level) return undefined;
        const r = await features.setLogLevel(level);
        if (r.ok)
          void vscode.window.showInformationMessage(`${server.name} now sends log messages at ${level} and above.`);
        else void vscode.window.showWarningMessage(`${server.name}: ${r.reason}`);
        return r;
      },
    ),
    command('mcpDoctor.subscribeResource', (arg) => subscription(arg, true)),
    command('mcpDoctor.unsubscribeResource', (arg) => subscription(arg, false)),
    serverCommand(
      'mcpDoctor.showTerminal',
      {
        placeholder: 'Server whose terminal to show',
        filter: started,
        none: 'No server has been started yet, so there is no terminal to show.',
      },
      (server) => {
        const terminal = manager.terminal(server);
        terminal.show(false);
        return { name: terminal.vscodeTerminal?.name, text: terminal.text() };
      },
    ),
    command('mcpDoctor.callTool', (arg) => calls.callTool(arg)),
    command('mcpDoctor.readResource', (arg) => calls.readResource(arg)),
    command('mcpDoctor.getPrompt', (arg) => calls.getPrompt(arg)),
    serverCommand('mcpDoctor.copyReport', { placeholder: 'Server to report on' }, (server) =>
      copyReport(services, manager, server),
    ),
    serverCommand(
      'mcpDoctor.signOut',
      {
        placeholder: 'Server to sign out of',
        filter: (s) => !!s.url,
        none: 'No server uses a URL, so there is no sign-in to forget.',
      },
      async (server) => {
        const had = await signIns.signOut(server);
        void vscode.window.showInformationMessage(
          had
            ? `MCP Doctor signed out of ${server.name}: its tokens and client registration are gone from this machine.`
            : `MCP Doctor had no sign-in stored for ${server.name}.`,
        );
        return had;
      },
    ),
    command('mcpDoctor.showSignInStep', async (row) => {
      const doc = await vscode.workspace.openTextDocument({
        content: rowMarkdown(row as AuthRow),
        language: 'markdown',
      });
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    command('mcpDoctor.resetConsent', async () => {
      const count = await manager.resetConsent();
      void vscode.window.showInformationMessage(
        `MCP Doctor forgot ${count} launch consent${count === 1 ? '' : 's'}: the next start of each server asks again.`,
      );
      return count;
    }),
  );
  return { manager, signIns };
  /** Subscribes to (or unsubscribes from) a resource of a tree node or `{ serverId, uri }`. */
  async function subscription(arg: unknown, on: boolean): Promise<{ ok: boolean; reason?: string } | undefined> {
    const serverId = serverIdOf(arg);
    const uri = isTreeNode(arg) && arg.kind === 'resource' ? arg.resource.uri : (arg as { uri?: unknown })?.uri;
    const live = serverId && manager.liveFeatures(manager.findServer(serverId)?.id ?? serverId);
    if (!live || typeof uri !== 'string') return undefined;
    const r = on ? await live.subscribe(uri) : await live.unsubscribe(uri);
    if (!r.ok)
      void vscode.window.showWarningMessage(`Cannot ${on ? 'subscribe to' : 'unsubscribe from'} ${uri}: ${r.reason}`);
    return r;
  }
}
