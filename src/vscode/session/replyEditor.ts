import * as vscode from 'vscode';

/** The context key listing open reply editors (`resource in mcpDoctor.replyEditors` shows their buttons). */
const CONTEXT_KEY = 'mcpDoctor.replyEditors';

type Ending = { send: string } | { decline: true } | { closed: true };

interface Open {
  doc: vscode.TextDocument;
  read(text: string): string | undefined;
  finish(e: Ending): void;
}

/**
 * Editors in which the user writes an answer for a server (a sampling reply): an untitled
 * Markdown document holding the request and the place for the reply. "Send Reply" and
 * "Decline" sit in the editor's title bar and in a notification; closing the editor declines.
 */
export class ReplyEditors implements vscode.Disposable {
  private readonly open = new Map<string, Open>();
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.subs = [
      vscode.workspace.onDidCloseTextDocument((doc) => this.open.get(doc.uri.toString())?.finish({ closed: true })),
      vscode.commands.registerCommand('mcpDoctor.sendReply', (uri?: vscode.Uri) => this.end(uri, 'send')),
      vscode.commands.registerCommand('mcpDoctor.declineReply', (uri?: vscode.Uri) => this.end(uri, 'decline')),
    ];
  }

  /**
   * Opens the editor with `text` and resolves when the user sends (with `read(text)`: the reply
   * in the document, empty or undefined when there is none to send yet), declines or closes it,
   * or when `signal` aborts (the server withdrew its request).
   */
  async ask(
    text: string,
    notice: string,
    read: (text: string) => string | undefined,
    signal?: AbortSignal,
  ): Promise<{ reply: string } | { declined: 'declined' | 'closed' | 'withdrawn' }> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
    const key = doc.uri.toString();
    const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Active });
    // The caret goes to the end, where the reply is written.
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    editor.revealRange(new vscode.Range(end, end));
    let onAbort: (() => void) | undefined;
    const ending = await new Promise<Ending | 'withdrawn'>((resolve) => {
      this.open.set(key, { doc, read, finish: resolve });
      void this.updateContext();
      onAbort = () => resolve('withdrawn');
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void vscode.window.showInformationMessage(notice, 'Send Reply', 'Decline').then((choice) => {
        if (choice === 'Send Reply') void this.end(doc.uri, 'send');
        else if (choice === 'Decline') void this.end(doc.uri, 'decline');
      });
    });
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    this.open.delete(key);
    await this.updateContext();
    if (ending !== 'withdrawn' && 'closed' in ending) return { declined: 'closed' };
    await this.close(doc);
    if (ending === 'withdrawn') return { declined: 'withdrawn' };
    return 'send' in ending ? { reply: ending.send } : { declined: 'declined' };
  }

  /** Send (or decline) the reply of the given editor, or of the active one. */
  private async end(uri: vscode.Uri | undefined, how: 'send' | 'decline'): Promise<boolean> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const open = target && this.open.get(target.toString());
    if (!open) {
      void vscode.window.showInformationMessage('This editor is not waiting for a reply.');
      return false;
    }
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

  private updateContext(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', CONTEXT_KEY, [...this.open.keys()]);
  }

  dispose(): void {
    for (const o of this.open.values()) o.finish({ decline: true });
    for (const s of this.subs) s.dispose();
  }
}
