import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { ResultHistory, toResultRecord, type OutcomeLike, type RecordInput } from '../../core/results/record';
import type { ResultHostMessage, ResultRecord, ResultViewMessage } from '../../shared/results';

const RESULT_VIEW_TYPE = 'mcpDoctor.result';

/** What the view's buttons do (the session area runs calls through its commands). */
export interface ResultActions {
  again(record: ResultRecord): void;
  openTrace(record: ResultRecord): void;
  markdown(record: ResultRecord, outcome: OutcomeLike): void;
  readResource(serverId: string, uri: string): void;
}

/** One server's view: its recent records and, while open, its panel. */
class ServerResults {
  readonly history = new ResultHistory();
  /** The outcomes behind the records still in the history (for the Markdown export). */
  readonly outcomes = new Map<number, OutcomeLike>();
  panel: vscode.WebviewPanel | undefined;
  ready = false;

  constructor(public serverName: string) {}
}

/**
 * The "MCP Result" webviews: one per server, reused by every call to that server (a new call
 * replaces what is shown; the recent calls stay listed in the view).
 */
export class ResultViews implements vscode.Disposable {
  private nextId = 1;
  private readonly servers = new Map<string, ServerResults>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: ResultActions,
  ) {}

  /** Records the call in its server's history and shows it in the server's view (created once). */
  show(input: RecordInput): ResultRecord {
    let s = this.servers.get(input.serverId);
    if (!s) this.servers.set(input.serverId, (s = new ServerResults(input.serverName)));
    s.serverName = input.serverName;
    const record = toResultRecord(input, this.nextId++);
    s.history.add(record);
    s.outcomes.set(record.id, input.outcome);
    const kept = s.history.list();
    const oldest = kept[0].id;
    for (const id of s.outcomes.keys()) if (id < oldest) s.outcomes.delete(id);
    if (!s.panel) this.open(input.serverId, s);
    else {
      s.panel.title = `Result: ${s.serverName}`;
      s.panel.reveal(s.panel.viewColumn, true);
      this.post(s, { type: 'result/add', record, oldest });
    }
    return record;
  }

  private open(serverId: string, s: ServerResults): void {
    const panel = vscode.window.createWebviewPanel(
      RESULT_VIEW_TYPE,
      `Result: ${s.serverName}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')],
        retainContextWhenHidden: false,
        enableFindWidget: true,
      },
    );
    s.panel = panel;
    s.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'mcp-doctor.svg');
    panel.webview.html = this.html(panel.webview, s.serverName);
    const subs = [
      panel.webview.onDidReceiveMessage((m: ResultViewMessage) => this.onMessage(serverId, s, m)),
      // A hidden webview is torn down; it says `ready` again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) s.ready = false;
      }),
    ];
    panel.onDidDispose(() => {
      for (const d of subs) d.dispose();
      if (s.panel === panel) s.panel = undefined;
      s.ready = false;
    });
  }

  private onMessage(serverId: string, s: ServerResults, m: ResultViewMessage): void {
    if (!m || typeof m.type !== 'string') return;
    if (m.type === 'result/ready') {
      s.ready = true;
      const records = s.history.list();
      this.post(s, { type: 'result/reset', serverName: s.serverName, records, selected: records.at(-1)?.id });
      return;
    }
    if (m.type === 'result/readResource') {
      if (typeof m.uri === 'string') this.actions.readResource(serverId, m.uri);
      return;
    }
    const record = s.history.get(Number(m.id));
    if (!record) return;
    if (m.type === 'result/again') this.actions.again(record);
    else if (m.type === 'result/openTrace') this.actions.openTrace(record);
    else if (m.type === 'result/markdown') {
      const outcome = s.outcomes.get(record.id);
      if (outcome) this.actions.markdown(record, outcome);
    }
  }

  private post(s: ServerResults, msg: ResultHostMessage): void {
    if (s.panel && s.ready) void s.panel.webview.postMessage(msg);
  }

  private html(webview: vscode.Webview, serverName: string): string {
    const nonce = crypto.randomBytes(16).toString('base64');
    const base = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'result.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(base, 'result.css'));
    const codicons = webview.asWebviewUri(vscode.Uri.joinPath(base, 'codicon.css'));
    // Images and audio come only as data: URLs the core built from base64 of an allowed type.
    const csp = `default-src 'none'; style-src ${webview.cspSource}; font-src ${webview.cspSource}; img-src data:; media-src data:; script-src 'nonce-${nonce}';`;
    const title = serverName.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons}">
<link rel="stylesheet" href="${css}">
<title>Result: ${title}</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const s of this.servers.values()) s.panel?.dispose();
    this.servers.clear();
  }
}
