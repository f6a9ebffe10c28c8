import * as vscode from 'vscode';
import { stepTitle, type AuthRow } from '../../core/auth/authLog';
import type { SignIns } from './signIns';

type Node =
  | { kind: 'server'; serverId: string; name: string; url: string; status: string }
  | { kind: 'row'; serverId: string; row: AuthRow };

const ICONS: Record<AuthRow['verdict']['level'], vscode.ThemeIcon> = {
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  info: new vscode.ThemeIcon('info'),
  warn: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
};

const STATUS: Record<string, string> = {
  idle: 'no sign-in needed yet',
  'waiting-for-user': 'waiting for the browser',
  exchanging: 'exchanging the code',
  'signed-in': 'signed in',
  failed: 'sign-in failed',
};

/** One step as Markdown: the request, what came back, and the verdict. Secrets are masked already. */
export function rowMarkdown(r: AuthRow): string {
  const block = (headers: Record<string, string>, body?: string) =>
    [...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...(body ? ['', body] : [])].join('\n');
  const out = [
    `### ${stepTitle(r.step)}`,
    '',
    `**${r.verdict.level.toUpperCase()}** — ${r.verdict.text}`,
    '',
    '```http',
    `${r.request.method} ${r.request.url}`,
    block(r.request.headers, r.request.body),
    '```',
  ];
  if (r.response)
    out.push(
      '',
      '```http',
      `HTTP ${r.response.status}${r.durationMs !== undefined ? `  (${Math.round(r.durationMs)} ms)` : ''}`,
      block(r.response.headers, r.response.body),
      '```',
    );
  else if (r.error) out.push('', `No answer: ${r.error}`);
  return out.join('\n');
}

/**
 * The auth debugger: a view with each server's sign-in, one row per step (request, status,
 * masked headers and body, verdict). The same rows are in the trace.
 */
export class SignInView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly signIns: SignIns) {
    this.sub = signIns.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    if (!node)
      return this.signIns
        .list()
        .filter((s) => s.rows.length > 0 || s.status !== 'idle')
        .map((s) => ({ kind: 'server', serverId: s.id, name: s.name, url: s.url, status: s.status }));
    if (node.kind === 'server')
      return (this.signIns.list().find((s) => s.id === node.serverId)?.rows ?? []).map((row) => ({
        kind: 'row',
        serverId: node.serverId,
        row,
      }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'server') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = STATUS[node.status] ?? node.status;
      item.tooltip = node.url;
      item.iconPath = new vscode.ThemeIcon('key');
      item.contextValue = 'signInServer';
      item.id = `signin:${node.serverId}`;
      return item;
    }
    const r = node.row;
    const item = new vscode.TreeItem(stepTitle(r.step), vscode.TreeItemCollapsibleState.None);
    const status = r.response ? String(r.response.status) : (r.error ?? '');
    item.description = `${r.request.method} ${status} · ${r.verdict.text}`;
    item.iconPath = ICONS[r.verdict.level];
    item.tooltip = new vscode.MarkdownString(rowMarkdown(r));
    item.contextValue = 'signInStep';
    item.id = `signin:${node.serverId}:${r.seq}`;
    item.command = { command: 'mcpDoctor.showSignInStep', title: 'Show Step', arguments: [r] };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
