import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import type { CallOptions, CallOutcome, McpSession } from '../../core/session/mcpSession';
import type { CompletionRef } from '../../core/session/serverFeatures';
import type { PromptInfo, SessionView, ToolInfo } from '../../core/session/types';
import { rememberableArgs } from '../../core/trace/redact';
import type { Services } from '../services';
import { isTreeNode } from '../treeNodes';
import { serverIdOf } from './pickers';
import type { LaunchPrompts } from './prompts';
import type { RenderHeading } from './resultMarkdown';
import type { ResultViews } from './resultViews';
import type { SessionManager } from './sessionManager';
import { askArguments, type FormOptions } from './toolForm';
import { expandUriTemplate, templateVariables } from './uriTemplate';

/** workspaceState key of a server's remembered tool arguments (`tool → recent argument sets`, newest first). */
function lastArgsKey(serverId: string): string {
  return `mcpDoctor.lastArgs:${serverId}`;
}

/** Argument sets remembered per tool (the newest prefills the form; all of them feed suggestions). */
const REMEMBERED_PER_TOOL = 5;

/**
 * tools/call, resources/read and prompts/get from the UI: finds the session, asks for the
 * arguments, shows progress (cancellable) and shows the result in the server's result view.
 */
export class Calls {
  /** Resources read in this window (`serverId uri`): read again into the result view when they change. */
  private readonly readResources = new Set<string>();

  constructor(
    private readonly services: Pick<Services, 'context' | 'log' | 'config' | 'trace'>,
    private readonly manager: SessionManager,
    private readonly results: ResultViews,
    private readonly prompts: LaunchPrompts,
  ) {
    services.context.subscriptions.push(
      manager.onDidUpdateResource((u) => void this.refreshResource(u.serverId, u.uri)),
    );
  }

  async callTool(arg: unknown): Promise<CallOutcome | undefined> {
    let serverId = this.canonicalId(serverIdOf(arg));
    let toolName: string | undefined;
    let args: Record<string, unknown> | undefined;
    let file: string | undefined;
    if (isTreeNode(arg) && arg.kind === 'tool') toolName = arg.tool.name;
    else if (isObject(arg) && typeof arg.toolName === 'string') {
      toolName = arg.toolName;
      if (isObject(arg.args)) args = arg.args;
      if (typeof arg.file === 'string') file = arg.file;
    }
    if (!toolName) {
      const picked = await this.pickTool();
      if (!picked) return undefined;
      serverId = picked.serverId;
      toolName = picked.tool.name;
    }
    const found = await this.sessionWithTool(toolName, serverId, file);
    if (!found) return undefined;
    const { session, view, tool } = found;
    args ??= await askArguments(
      tool.inputSchema,
      `${tool.name} (${view.serverName})`,
      this.toolForm(view.serverId, tool),
    );
    if (!args) return undefined;
    const callArgs = args;
    void this.rememberArgs(view.serverId, tool.name, rememberableArgs(callArgs, tool.inputSchema));
    const outcome = await this.withProgress(`Calling ${tool.name} on ${view.serverName}`, view.serverId, (opts) =>
      session.callTool(tool.name, callArgs, opts),
    );
    this.show(
      { kind: 'tool', name: tool.name, server: view.serverName, args: callArgs },
      outcome,
      view.serverId,
      tool.outputSchema,
    );
    if (!outcome.ok && !outcome.cancelled) this.offerDiagnosis(view.serverId, tool.name, outcome);
    return outcome;
  }

  async readResource(arg: unknown): Promise<CallOutcome | undefined> {
    let serverId = this.canonicalId(serverIdOf(arg));
    let uri: string | undefined;
    if (isTreeNode(arg) && arg.kind === 'resource') uri = arg.resource.uri;
    else if (isTreeNode(arg) && arg.kind === 'resourceTemplate')
      uri = await this.expandTemplate(arg.template.uriTemplate, serverId);
    else if (isObject(arg) && typeof arg.uri === 'string') uri = arg.uri;
    else {
      const picked = await this.pickResource();
      if (!picked) return undefined;
      serverId = picked.serverId;
      uri = picked.uri;
    }
    if (!uri || !serverId) return undefined;
    const session = this.runningSession(serverId);
    if (!session) return undefined;
    const target = uri;
    const outcome = await this.withProgress(`Reading ${uri}`, serverId, (opts) => session.readResource(target, opts));
    this.show({ kind: 'resource', name: uri, server: session.view().serverName }, outcome, serverId);
    this.readResources.add(`${serverId} ${uri}`);
    return outcome;
  }

  /** A subscribed resource changed: its open result document shows the new content. */
  private async refreshResource(serverId: string, uri: string): Promise<void> {
    const session = this.manager.session(serverId);
    if (!this.readResources.has(`${serverId} ${uri}`) || !session) return;
    const outcome = await session.readResource(uri);
    this.show({ kind: 'resource', name: uri, server: session.view().serverName }, outcome, serverId);
  }

  async getPrompt(arg: unknown): Promise<CallOutcome | undefined> {
    let serverId = this.canonicalId(serverIdOf(arg));
    let prompt: PromptInfo | undefined;
    let args: Record<string, string> | undefined;
    let promptName: string | undefined;
    if (isTreeNode(arg) && arg.kind === 'prompt') prompt = arg.prompt;
    else if (isObject(arg) && (typeof arg.promptName === 'string' || typeof arg.name === 'string')) {
      promptName = String(arg.promptName ?? arg.name);
      if (isObject(arg.args)) args = Object.fromEntries(Object.entries(arg.args).map(([k, v]) => [k, String(v)]));
    } else {
      const picked = await this.pickPrompt();
      if (!picked) return undefined;
      serverId = picked.serverId;
      prompt = picked.prompt;
    }
    if (!serverId) return undefined;
    const session = this.runningSession(serverId);
    if (!session) return undefined;
    prompt ??= session.view().prompts.find((p) => p.name === promptName);
    if (!prompt) {
      void vscode.window.showErrorMessage(`Server "${session.view().serverName}" has no prompt named "${promptName}".`);
      return undefined;
    }
    if (!args) {
      const schema = {
        type: 'object',
        properties: Object.fromEntries(
          (prompt.arguments ?? []).map((a) => [a.name, { type: 'string', description: a.description }]),
        ),
        required: (prompt.arguments ?? []).filter((a) => a.required).map((a) => a.name),
      };
      const ref: CompletionRef = { type: 'ref/prompt', name: prompt.name };
      const asked = await askArguments(
        schema,
        `${prompt.name} (${session.view().serverName})`,
        this.completing(serverId, ref),
      );
      if (!asked) return undefined;
      args = Object.fromEntries(Object.entries(asked).map(([k, v]) => [k, String(v)]));
    }
    const name = prompt.name;
    const promptArgs = args;
    const outcome = await this.withProgress(`Getting prompt ${name}`, serverId, (opts) =>
      session.getPrompt(name, promptArgs, opts),
    );
    this.show({ kind: 'prompt', name, server: session.view().serverName, args: promptArgs }, outcome, serverId);
    return outcome;
  }

  // ---- forms ----

  /**
   * The tool form: prefilled with the tool's last arguments; string fields suggest the values
   * used before and the schema's `examples`. (`completion/complete` has no reference type for
   * tools in either protocol era: it completes prompt arguments and resource template variables.)
   */
  private toolForm(serverId: string, tool: ToolInfo): FormOptions {
    const recent = this.recentArgs(serverId, tool.name);
    const props = (tool.inputSchema.properties ?? {}) as Record<string, { examples?: unknown }>;
    const candidates = (key: string): string[] => {
      const examples = Array.isArray(props[key]?.examples) ? props[key].examples : [];
      const seen = recent.map((a) => a[key]);
      return [...new Set([...seen, ...examples].filter((v): v is string => typeof v === 'string' && v !== ''))];
    };
    return {
      initial: recent[0],
      suggestionsAre: 'used before, or an example',
      suggests: (key) => candidates(key).length > 0,
      suggest: async (key, value) => candidates(key).filter((c) => c.toLowerCase().includes(value.toLowerCase())),
    };
  }

  /** Suggestions from the server's `completion/complete`, when it declares `completions`. */
  private completing(serverId: string, ref: CompletionRef): FormOptions {
    const features = this.manager.liveFeatures(serverId)?.features;
    if (!features?.completes) return {};
    return {
      suggest: async (key, value, args) => {
        const context = Object.fromEntries(
          Object.entries(args)
            .filter(([k, v]) => k !== key && v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        );
        return (await features.complete(ref, key, value, context)).values;
      },
    };
  }

  /** Asks for each variable of an RFC 6570 URI template (`{x}`, `{+x}`, `{?a,b}`) and expands it. */
  private async expandTemplate(template: string, serverId: string | undefined): Promise<string | undefined> {
    const names = templateVariables(template);
    const schema = {
      type: 'object',
      properties: Object.fromEntries(names.map((n) => [n, { type: 'string', description: `{${n}} in ${template}` }])),
      required: names,
    };
    const opts = serverId ? this.completing(serverId, { type: 'ref/resource', uri: template }) : {};
    const values = await askArguments(schema, template, opts);
    return values && expandUriTemplate(template, Object.fromEntries(names.map((n) => [n, String(values[n] ?? '')])));
  }

  /** The tool's remembered argument sets, newest first. */
  private recentArgs(serverId: string, tool: string): Record<string, unknown>[] {
    const all = this.services.context.workspaceState.get<Record<string, Record<string, unknown>[]>>(
      lastArgsKey(serverId),
    );
    return Array.isArray(all?.[tool]) ? all[tool] : [];
  }

  /** Keeps the (already secret-free) arguments of a call for the next form. */
  private async rememberArgs(serverId: string, tool: string, kept: Record<string, unknown>): Promise<void> {
    const state = this.services.context.workspaceState;
    const all = { ...state.get<Record<string, Record<string, unknown>[]>>(lastArgsKey(serverId)) };
    const same = (a: Record<string, unknown>) => JSON.stringify(a) === JSON.stringify(kept);
    all[tool] = [kept, ...(all[tool] ?? []).filter((a) => !same(a))].slice(0, REMEMBERED_PER_TOOL);
    await state.update(lastArgsKey(serverId), all);
  }

  // ---- helpers ----

  /** After a failed call: a non-blocking hint with the two places that explain it. */
  private offerDiagnosis(serverId: string, toolName: string, outcome: CallOutcome): void {
    const what = outcome.isError
      ? 'returned an error'
      : outcome.timedOut
        ? 'timed out'
        : `failed${outcome.error?.code !== undefined ? ` (JSON-RPC ${outcome.error.code})` : ''}`;
    const actions = ['Open Trace', 'Show Terminal'];
    void vscode.window
      .showWarningMessage(
        `Tool "${toolName}" ${what}. The result view shows its answer; the trace and the server's stderr show why.`,
        ...actions,
      )
      .then((choice) => {
        if (choice === 'Open Trace') void this.services.trace.reveal({ serverId, tool: toolName });
        else if (choice === 'Show Terminal') void vscode.commands.executeCommand('mcpDoctor.showTerminal', serverId);
      });
  }

  /** A server id as given (or a unique server name) → the configured server's id. */
  private canonicalId(idOrName: string | undefined): string | undefined {
    return idOrName && (this.manager.findServer(idOrName)?.id ?? idOrName);
  }

  private show(heading: RenderHeading, outcome: CallOutcome, serverId: string, outputSchema?: unknown): void {
    try {
      this.results.show({
        kind: heading.kind,
        name: heading.name,
        serverId,
        serverName: heading.server,
        args: heading.args,
        outputSchema,
        outcome,
      });
    } catch (err) {
      this.services.log.warn(`could not show the result: ${String(err)}`);
    }
  }

  private withProgress(
    title: string,
    serverId: string,
    run: (opts: CallOptions) => Promise<CallOutcome>,
  ): Promise<CallOutcome> {
    const server = this.manager.findServer(serverId);
    const settings = vscode.workspace.getConfiguration('mcpDoctor', server ? vscode.Uri.file(server.file) : undefined);
    const timeoutMs = settings.get<number>('launch.toolCallTimeoutMs', 60000);
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let last = 0;
          return run({
            timeoutMs,
            signal: abort.signal,
            onProgress: (p) => {
              // VS Code's progress takes increments; MCP reports absolute progress.
              const pct = p.total ? (p.progress / p.total) * 100 : undefined;
              progress.report({
                message: p.message ?? (p.total ? `${p.progress}/${p.total}` : String(p.progress)),
                increment: pct !== undefined ? pct - last : undefined,
              });
              if (pct !== undefined) last = pct;
            },
          }).finally(() => sub.dispose());
        },
      ),
    );
  }

  /** A running session of this server, or undefined after telling the user why not. */
  private runningSession(serverId: string): McpSession | undefined {
    const session = this.manager.session(serverId);
    if (session?.view().state.kind === 'running') return session;
    const name = this.manager.findServer(serverId)?.name ?? serverId;
    void vscode.window.showErrorMessage(`Server "${name}" is not running. Start it first.`);
    return undefined;
  }

  /**
   * The running session that has the tool. When none has it, offers to start the server
   * (the given one, or the one whose workspace folder contains the file) and waits for its tools.
   */
  private async sessionWithTool(
    toolName: string,
    serverId: string | undefined,
    file: string | undefined,
  ): Promise<{ session: McpSession; view: SessionView; tool: ToolInfo } | undefined> {
    const lookup = () => {
      const ids = serverId ? [serverId] : this.manager.all().map((v) => v.serverId);
      for (const id of ids) {
        const session = this.manager.session(id);
        const view = session?.view();
        const tool = view?.tools.find((t) => t.name === toolName);
        if (session && view && tool && view.state.kind === 'running') return { session, view, tool };
      }
      return undefined;
    };
    const hit = lookup();
    if (hit) return hit;
    const running = serverId ? this.manager.get(serverId) : undefined;
    if (running?.state.kind === 'running') {
      void vscode.window.showErrorMessage(
        `Server "${running.serverName}" has no tool named "${toolName}". Its tools: ${running.tools.map((t) => t.name).join(', ') || 'none'}.`,
      );
      return undefined;
    }
    const server = await this.serverToStart(toolName, serverId, file);
    if (!server) return undefined;
    const view = await this.manager.start(server);
    if (view?.state.kind !== 'running') {
      if (view)
        void vscode.window.showErrorMessage(
          `Server "${server.name}" did not start: ${view.state.kind === 'error' ? view.state.reason : view.state.kind}. See its terminal.`,
        );
      return undefined;
    }
    await waitFor(() => !!lookup(), this.manager, 5000);
    const found = lookup();
    if (!found)
      void vscode.window.showErrorMessage(`Server "${server.name}" is running but has no tool named "${toolName}".`);
    return found;
  }

  private async serverToStart(
    toolName: string,
    serverId: string | undefined,
    file: string | undefined,
  ): Promise<ServerConfig | undefined> {
    let candidates: ServerConfig[];
    if (serverId) {
      const s = this.manager.findServer(serverId);
      candidates = s ? [s] : [];
    } else {
      const source = file ?? vscode.window.activeTextEditor?.document.uri.fsPath;
      const folder = source ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri.fsPath : undefined;
      const all = this.services.config.servers.filter((s) => !s.disabled && this.manager.isLaunchAllowed(s));
      // Prefer servers whose command line mentions the file, then those of the file's workspace folder.
      const mentions = source ? all.filter((s) => (s.args ?? []).some((a) => a.includes(path.basename(source)))) : [];
      candidates = mentions.length
        ? mentions
        : folder
          ? all.filter((s) => (s.workspaceFolder ?? '') === folder || s.file.startsWith(folder + path.sep))
          : all;
    }
    if (!candidates.length) {
      void vscode.window.showErrorMessage(
        `No running server has the tool "${toolName}", and no configured server could be started for it.`,
      );
      return undefined;
    }
    if (candidates.length === 1)
      return (await this.prompts.startForTool(candidates[0], toolName)) ? candidates[0] : undefined;
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: s.name, description: s.transport, detail: s.file, server: s })),
      { placeHolder: `No running server has the tool "${toolName}". Start one:` },
    );
    return picked?.server;
  }

  private async pickTool(): Promise<{ serverId: string; tool: ToolInfo } | undefined> {
    const items = this.runningViews().flatMap((view) =>
      view.tools.map((tool) => ({
        label: tool.name,
        description: view.serverName,
        detail: tool.description?.split('\n')[0],
        serverId: view.serverId,
        tool,
      })),
    );
    if (!items.length) return this.nothingRunning('tools');
    return vscode.window.showQuickPick(items, {
      placeHolder: 'Tool to call',
      matchOnDescription: true,
      matchOnDetail: true,
    });
  }

  private async pickResource(): Promise<{ serverId: string; uri: string } | undefined> {
    type Item = vscode.QuickPickItem & { serverId: string; uri?: string; template?: string };
    const items: Item[] = this.runningViews().flatMap((view) => [
      ...view.resources.map((r): Item => ({
        label: r.name,
        description: `${view.serverName} · ${r.uri}`,
        detail: r.description,
        serverId: view.serverId,
        uri: r.uri,
      })),
      ...view.resourceTemplates.map((t): Item => ({
        label: `$(symbol-parameter) ${t.name}`,
        description: `${view.serverName} · ${t.uriTemplate}`,
        detail: t.description,
        serverId: view.serverId,
        template: t.uriTemplate,
      })),
    ]);
    if (!items.length) return this.nothingRunning('resources');
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder: 'Resource to read',
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    const uri =
      picked.uri ?? (picked.template ? await this.expandTemplate(picked.template, picked.serverId) : undefined);
    return uri ? { serverId: picked.serverId, uri } : undefined;
  }

  private async pickPrompt(): Promise<{ serverId: string; prompt: PromptInfo } | undefined> {
    const items = this.runningViews().flatMap((view) =>
      view.prompts.map((prompt) => ({
        label: prompt.name,
        description: view.serverName,
        detail: prompt.description,
        serverId: view.serverId,
        prompt,
      })),
    );
    if (!items.length) return this.nothingRunning('prompts');
    return vscode.window.showQuickPick(items, { placeHolder: 'Prompt to get', matchOnDescription: true });
  }

  private runningViews(): SessionView[] {
    return this.manager.all().filter((v) => v.state.kind === 'running');
  }

  private async nothingRunning(what: string): Promise<undefined> {
    const choice = await vscode.window.showInformationMessage(
      `No running server offers ${what}. Start a server first.`,
      'Start Server…',
    );
    if (choice) await vscode.commands.executeCommand('mcpDoctor.startServer');
    return undefined;
  }
}

/** Resolves when `done()` holds (checked on every session change) or after `timeoutMs`. */
function waitFor(done: () => boolean, manager: SessionManager, timeoutMs: number): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, timeoutMs);
    const sub = manager.onDidChange(() => done() && finish());
    function finish() {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
