import * as vscode from 'vscode';
import type {
  ClientFeatures,
  ElicitationAnswer,
  ElicitationRequest,
  FeatureContext,
  Root,
  SamplingAnswer,
  SamplingRequest,
} from '../../core/session/clientFeatures';
import {
  modelTurns,
  pickModel,
  readSamplingRequest,
  replyDocument,
  replyFromDocument,
  type SamplingAsk,
} from '../../core/session/sampling';
import type { ReplyEditors } from './replyEditor';
import { askForm } from './toolForm';

/** How long a URL-mode elicitation waits for the server's `notifications/elicitation/complete`. */
const URL_WAIT_MS = 10 * 60_000;

/** What the features need of the session they answer for. */
export interface FeatureHost {
  serverId: string;
  serverName: string;
  /** Server notifications (for `notifications/elicitation/complete`). */
  onNotification(listener: (n: { method: string; params: unknown }) => void): vscode.Disposable;
  log: vscode.LogOutputChannel;
}

/**
 * MCP Doctor's answers when a server asks (both eras go through here): elicitation forms and
 * URL pages, sampling through a VS Code chat model after the user's consent or through a
 * response editor, and the workspace folders as roots. One per server.
 */
export class UiClientFeatures implements ClientFeatures {
  /** Set when the user allowed this server's sampling requests to go to a model without asking. */
  private allowedModel?: string;

  constructor(
    private readonly host: FeatureHost,
    private readonly replies: ReplyEditors,
  ) {}

  roots(): Root[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => ({ uri: f.uri.toString(), name: f.name }));
  }

  // ---------------------------------------------------------------- elicitation

  async elicit(req: ElicitationRequest, ctx: FeatureContext): Promise<ElicitationAnswer> {
    if (req.mode === 'url') return this.elicitUrl(req, ctx);
    const title = `${this.host.serverName}${ctx.tool ? ` (${ctx.tool})` : ''} asks: ${req.message || 'information'}`;
    const r = await askForm(req.requestedSchema ?? { type: 'object', properties: {} }, title, {
      declinable: true,
      signal: ctx.signal,
    });
    return r.action === 'accept' ? { action: 'accept', content: r.values } : { action: r.action };
  }

  /**
   * URL mode: the page opens only after the user agrees (the URL is shown whole); accept means
   * "opened". The server says when the interaction is done (`notifications/elicitation/complete`),
   * which a progress notification waits for.
   */
  private async elicitUrl(req: ElicitationRequest, ctx: FeatureContext): Promise<ElicitationAnswer> {
    let url: vscode.Uri;
    try {
      url = vscode.Uri.parse(req.url ?? '', true);
    } catch {
      url = vscode.Uri.parse('invalid:');
    }
    if (url.scheme !== 'https' && url.scheme !== 'http') {
      void vscode.window.showWarningMessage(
        `${this.host.serverName} asked to open ${JSON.stringify(req.url)}, which is not a web address: declined.`,
      );
      return { action: 'decline' };
    }
    // A quick pick, not a modal: it shows the whole URL and its host, and Escape means cancel.
    type Item = vscode.QuickPickItem & { action: 'open' | 'decline' };
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = `${this.host.serverName}${ctx.tool ? ` (${ctx.tool})` : ''} asks you to open a page: ${req.message}`;
    pick.placeholder = `${url.authority} — check the host before you open it`;
    pick.items = [
      { label: `$(link-external) Open ${url.authority}`, detail: url.toString(true), action: 'open' },
      { label: '$(close) Decline', action: 'decline' },
    ];
    pick.ignoreFocusOut = true;
    const choice = await new Promise<Item['action'] | undefined>((resolve) => {
      const done = (v: Item['action'] | undefined) => {
        resolve(v);
        pick.dispose();
      };
      const onAbort = () => done(undefined);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      pick.onDidAccept(() => done((pick.selectedItems[0] ?? pick.activeItems[0])?.action));
      pick.onDidHide(() => {
        ctx.signal.removeEventListener('abort', onAbort);
        done(undefined);
      });
      pick.show();
    });
    if (choice === 'decline') return { action: 'decline' };
    if (choice !== 'open' || ctx.signal.aborted) return { action: 'cancel' };
    if (!(await vscode.env.openExternal(url))) return { action: 'cancel' };
    if (req.elicitationId) this.waitForCompletion(req.elicitationId, url.authority);
    return { action: 'accept' };
  }

  private waitForCompletion(elicitationId: string, host: string): void {
    void vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `${this.host.serverName}: finish on ${host}, then come back`,
        cancellable: true,
      },
      (_progress, token) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(done, URL_WAIT_MS);
          const sub = this.host.onNotification(({ method, params }) => {
            if (
              method === 'notifications/elicitation/complete' &&
              (params as { elicitationId?: unknown } | undefined)?.elicitationId === elicitationId
            )
              done();
          });
          const cancel = token.onCancellationRequested(done);
          function done() {
            clearTimeout(timer);
            sub.dispose();
            cancel.dispose();
            resolve();
          }
        }),
    );
  }

  // ---------------------------------------------------------------- sampling

  /**
   * Sampling: the request is shown whole in a response editor. With a chat model the user sends
   * it there (once, or always for this server until VS Code reloads: the per-server consent),
   * drafts a reply with it to edit, or writes the reply; without one the user writes it. Decline
   * (or closing the editor) answers "rejected".
   */
  async sample(req: SamplingRequest, ctx: FeatureContext): Promise<SamplingAnswer> {
    const ask = readSamplingRequest(req);
    const models = await this.chatModels();
    const model = models[pickModel(models, ask.hints)];
    if (model && this.allowedModel === model.id) return this.askModel(model, ask, ctx);
    const server = this.host.serverName;
    let drafted = false;
    const doc = replyDocument(ask, { server, tool: ctx.tool }, model && `${model.name} (${model.vendor})`);
    const r = await this.replies.ask(doc, {
      read: replyFromDocument,
      draft: model
        ? async () => {
            drafted = true;
            return (await this.modelReply(model, ask, ctx.signal)).text;
          }
        : undefined,
      signal: ctx.signal,
    });
    if ('model' in r && model) {
      if (r.model === 'always') this.allowedModel = model.id;
      return this.askModel(model, ask, ctx);
    }
    if ('reply' in r)
      return { text: r.reply, model: drafted && model ? model.id : 'mcp-doctor-user', stopReason: 'endTurn' };
    return {
      decline:
        'declined' in r && r.declined === 'withdrawn'
          ? 'The request was withdrawn.'
          : 'The user declined the sampling request.',
    };
  }

  /** The chat models VS Code offers (none when the API or a provider is missing). */
  private async chatModels(): Promise<vscode.LanguageModelChat[]> {
    try {
      return await vscode.lm.selectChatModels();
    } catch (err) {
      this.host.log.warn(`language models unavailable: ${String(err)}`);
      return [];
    }
  }

  private async askModel(
    model: vscode.LanguageModelChat,
    ask: SamplingAsk,
    ctx: FeatureContext,
  ): Promise<SamplingAnswer> {
    try {
      return await this.modelReply(model, ask, ctx.signal);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      void vscode.window.showWarningMessage(`${model.name} did not answer ${this.host.serverName}'s request: ${why}`);
      throw err;
    }
  }

  /** The model's reply to the request's turns (the system prompt first, as a user turn). */
  private async modelReply(
    model: vscode.LanguageModelChat,
    ask: SamplingAsk,
    signal: AbortSignal,
  ): Promise<{ text: string; model: string; stopReason: string }> {
    const messages = modelTurns(ask).map((t) =>
      t.role === 'user'
        ? vscode.LanguageModelChatMessage.User(t.text)
        : vscode.LanguageModelChatMessage.Assistant(t.text),
    );
    const cancel = new vscode.CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await model.sendRequest(
        messages,
        {
          justification: `${this.host.serverName} asked for a reply (MCP sampling).`,
          modelOptions: ask.maxTokens !== undefined ? { maxTokens: ask.maxTokens } : undefined,
        },
        cancel.token,
      );
      let text = '';
      for await (const part of response.text) text += part;
      return { text, model: model.id, stopReason: 'endTurn' };
    } finally {
      signal.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }
}
