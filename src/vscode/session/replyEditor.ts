import * as vscode from 'vscode';

/** Context keys listing open reply editors: `resource in …` shows their title-bar buttons. */
const OPEN_KEY = 'mcpDoctor.replyEditors';
const MODEL_KEY = 'mcpDoctor.replyEditorsWithModel';

type ModelChoice = 'once' | 'always';
type Ending = { send: string } | { decline: true } | { closed: true } | { model: ModelChoice } | { withdrawn: true };

interface Open {
  doc: vscode.TextDocument;
  read(text: string): string | undefined;
  draft?(): Promise<string>;
  finish(e: Ending): void;
}

/** How a reply editor is asked. */
export interface ReplyRequest {
  /** The reply in the document's text (everything below the marker); empty or undefined: none yet. */
  read(text: string): string | undefined;
  /**
   * A chat model can answer: the title bar offers to send the request to it (once, or always for
   * this server) and to draft a reply with it, which this returns, for the user to edit.
   */
  draft?(): Promise<string>;
  /** The server withdrew its request: the editor closes. */
  signal?: AbortSignal;
}

export type ReplyResult =
  { reply: string } | { model: ModelChoice } | { declined: 'declined' | 'closed' | 'withdrawn' };

/**
 * Editors in which the user answers a server (a sampling reply): an untitled Markdown document
 * that shows the whole request and holds the reply. The title bar has Send Reply and Decline,
 * and, when a chat model can answer, Send to Chat Model, Always Send… and Draft Reply with Chat
 * Model; closing the editor declines. (No notification: one cannot be closed once answered.)
 */
export class ReplyEditors implements vscode.Disposable {
  private readonly open = new Map<string, Open>();
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.subs = [
      vscode.workspace.onDidCloseTextDocument((doc) => this.open.get(doc.uri.toString())?.finish({ closed: true })),
      vscode.commands.registerCommand('mcpDoctor.sendReply', (uri?: vscode.Uri) => this.end(uri, 'send')),
      vscode.commands.registerCommand('mcpDoctor.declineReply', (uri?: vscode.Uri) => this.end(uri, 'decline')),
      vscode.commands.registerCommand('mcpDoctor.draftReply', (uri?: vscode.Uri) => this.draft(uri)),
      vscode.commands.registerCommand('mcpDoctor.sendToModel', (uri?: vscode.Uri) => this.toModel(uri, 'once')),
      vscode.commands.registerCommand('mcpDoctor.alwaysSendToModel', (uri?: vscode.Uri) => this.toModel(uri, 'always')),
    ];
  }

  /** Opens the editor with `text`; resolves with the reply, an action, or why there is none. */
  async ask(text: string, req: ReplyRequest): Promise<ReplyResult> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
    const key = doc.uri.toString();
    const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Active });
    // The caret goes to the end, where the reply is written.
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    editor.revealRange(new vscode.Range(end, end));
    const onAbort = () => this.open.get(key)?.finish({ withdrawn: true });
    const ending = await new Promise<Ending>((resolve) => {
      this.open.set(key, { doc, read: req.read, draft: req.draft, finish: resolve });
      void this.updateContext();
      if (req.signal?.aborted) onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
    });
    req.signal?.removeEventListener('abort', onAbort);
    this.open.delete(key);
    await this.updateContext();
    if ('closed' in ending) return { declined: 'closed' };
    await this.close(doc);
    if ('withdrawn' in ending) return { declined: 'withdrawn' };
    if ('decline' in ending) return { declined: 'declined' };
    return 'send' in ending ? { reply: ending.send } : { model: ending.model };
  }

  /** The open reply editor of `uri`, or of the active editor. */
  private target(uri: vscode.Uri | undefined): Open | undefined {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const open = target && this.open.get(target.toString());
    if (!open) void vscode.window.showInformationMessage('This editor is not waiting for a reply.');
    return open;
  }

  /** Send (or decline) the reply of the given editor, or of the active one. */
  private async end(uri: vscode.Uri | undefined, how: 'send' | 'decline'): Promise<boolean> {
    const open = this.target(uri);
    if (!open) return false;
    if (how === 'decline') {
      open.finish({ decline: true });
      return true;
    }
    const reply = open.read(open.doc.getText());
    if (!reply) {
      void vscode.window.showWarningMessage(
        reply === undefined
          ? 'The line that marks where the reply starts was removed: undo that edit, or Decline.'
          : 'Write the reply below the marked line first (or Decline).',
      );
      return false;
    }
    open.finish({ send: reply });
    return true;
  }

  /** Send the request to the chat model instead of a written reply (once, or always for this server). */
  private toModel(uri: vscode.Uri | undefined, choice: ModelChoice): boolean {
    const open = this.target(uri);
    if (!open?.draft) return false;
    open.finish({ model: choice });
    return true;
  }

  /** Appends a draft (a chat model's reply) to the reply area, for the user to edit and send. */
  private async draft(uri: vscode.Uri | undefined): Promise<boolean> {
    const open = this.target(uri);
    if (!open?.draft) return false;
    const text = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Drafting the reply…' },
      () => open.draft!(),
    );
    if (open.doc.isClosed) return false;
    const edit = new vscode.WorkspaceEdit();
    const end = open.doc.lineAt(open.doc.lineCount - 1).range.end;
    edit.insert(open.doc.uri, end, `${open.read(open.doc.getText()) ? '\n\n' : ''}${text}`);
    return vscode.workspace.applyEdit(edit);
  }

  /** Closes the untitled editor without asking to save it (its text was sent or declined). */
  private async close(doc: vscode.TextDocument): Promise<void> {
    if (doc.isClosed) return;
    try {
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } catch {
      // The user closed it meanwhile.
    }
  }

  private async updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', OPEN_KEY, [...this.open.keys()]);
    await vscode.commands.executeCommand(
      'setContext',
      MODEL_KEY,
      [...this.open].filter(([, o]) => o.draft).map(([k]) => k),
    );
  }

  dispose(): void {
    for (const o of this.open.values()) o.finish({ decline: true });
    for (const s of this.subs) s.dispose();
  }
}
