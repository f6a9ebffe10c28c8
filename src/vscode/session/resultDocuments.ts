import * as vscode from 'vscode';

const RESULT_SCHEME = 'mcp-doctor-result';
const MAX_DOCUMENTS = 50;

/**
 * Read-only virtual Markdown documents (`mcp-doctor-result:`): a call result as Markdown, opened
 * from the result view to copy into an issue or a chat. Each gets its own URI; the oldest
 * contents are dropped beyond 50.
 */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private counter = 0;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return (
      this.contents.get(uri.toString()) ??
      '# Result no longer available\n\nCall the tool again to see a fresh result.\n'
    );
  }

  /** Stores the Markdown under a new URI and opens it in the active editor group. */
  async show(name: string, markdown: string): Promise<vscode.Uri> {
    this.counter += 1;
    const safe = name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'result';
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${safe}-${this.counter}.md` });
    this.contents.set(uri.toString(), markdown);
    while (this.contents.size > MAX_DOCUMENTS) this.contents.delete(this.contents.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, {
      preview: true,
      viewColumn: vscode.ViewColumn.Active,
      preserveFocus: false,
    });
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.contents.clear();
  }
}
