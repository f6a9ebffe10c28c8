import * as vscode from 'vscode';
import type { ConfigFileResult, ServerConfig } from '../../core/config/types';
import type { Finding } from '../../core/model';
import type { SessionState, SessionView } from '../../core/session/types';
import { redactText } from '../../core/session/report';
import { firstSentence } from '../../core/util/summary';
import { clientLabel, displayPath, stateText } from '../display';
import { redactSecretFlags } from '../redact';
import type { Services } from '../services';
import type { GroupKind, TreeNode } from '../treeNodes';

const GROUP_LABEL: Record<GroupKind, string> = {
  tools: 'Tools',
  resources: 'Resources',
  resourceTemplates: 'Resource templates',
  prompts: 'Prompts',
};

const GROUP_ICON: Record<GroupKind, string> = {
  tools: 'tools',
  resources: 'files',
  resourceTemplates: 'symbol-parameter',
  prompts: 'comment-discussion',
};

/** Notice for the tree view's message when workspace trust blocks launches. */
export const UNTRUSTED_MESSAGE = 'Workspace is not trusted: servers from workspace configs are not started';

/**
 * The Servers tree: config files → servers → (when a session exists) problems, tools,
 * resources, resource templates and prompts. Rebuilt from `services.config` and
 * `services.sessions` on every (debounced) change; stable ids keep the expansion state.
 */
export class ServersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly services: Pick<Services, 'config' | 'sessions'>) {
    this.subscriptions.push(
      services.config.onDidChange(() => this.schedule()),
      services.sessions.onDidChange(() => this.schedule()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.schedule()),
    );
  }

  /** Refresh now (also used after commands that change state). */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.fire(undefined);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) return this.services.config.files.map((file) => ({ kind: 'file', file }));
    switch (node.kind) {
      case 'file': {
        const listed: TreeNode[] = node.file.servers.map((server) => ({
          kind: 'server',
          server: this.current(server),
        }));
        // A session whose entry was removed or renamed stays visible until it is stopped.
        const ids = new Set(node.file.servers.map((s) => s.id));
        const orphans = this.services.sessions
          .sessionServers()
          .filter((s) => s.file === node.file.file && !ids.has(s.id) && this.isActive(s.id));
        return [...listed, ...orphans.map((server): TreeNode => ({ kind: 'server', server }))];
      }
      case 'server':
        return this.serverChildren(node.server);
      case 'problems':
        return node.findings.map((finding, index) => ({ kind: 'problem', server: node.server, finding, index }));
      case 'group':
        return this.groupChildren(node.server, node.group);
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'file':
        return this.fileItem(node.file);
      case 'server':
        return this.serverItem(node.server);
      case 'problems': {
        const item = new vscode.TreeItem(
          `Problems (${node.findings.length})`,
          vscode.TreeItemCollapsibleState.Expanded,
        );
        item.id = `${node.server.id}/problems`;
        // The group shows its worst finding: an error makes it an error.
        item.iconPath = severityThemeIcon(worst(node.findings));
        item.contextValue = 'problems';
        return item;
      }
      case 'problem':
        return problemItem(node.server, node.finding, node.index);
      case 'group': {
        const count = this.list(node.server.id, node.group).length;
        const item = new vscode.TreeItem(
          `${GROUP_LABEL[node.group]} (${count})`,
          vscode.TreeItemCollapsibleState.Collapsed,
        );
        if (node.group === 'tools') item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        item.id = `${node.server.id}/${node.group}`;
        item.iconPath = new vscode.ThemeIcon(GROUP_ICON[node.group]);
        item.contextValue = `group.${node.group}`;
        return item;
      }
      case 'tool': {
        const item = new vscode.TreeItem(node.tool.name, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.serverId}/tool/${node.tool.name}`;
        const stats = this.services.sessions.toolStats(node.tool.name, node.serverId);
        item.description =
          [
            node.tool.title,
            stats?.calls
              ? `${stats.calls} call${stats.calls === 1 ? '' : 's'} · p50 ${Math.round(stats.p50)} ms`
              : undefined,
          ]
            .filter(Boolean)
            .join(' · ') || undefined;
        item.tooltip = toolTooltip(node.tool.description, node.tool.inputSchema);
        item.iconPath = new vscode.ThemeIcon('symbol-method');
        item.contextValue = 'tool';
        item.command = { command: 'mcpDoctor.callTool', title: 'Call Tool', arguments: [node] };
        return item;
      }
      case 'resource': {
        const item = new vscode.TreeItem(node.resource.name || node.resource.uri, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.serverId}/resource/${node.resource.uri}`;
        const sub = this.services.sessions.subscription(node.serverId, node.resource.uri);
        item.description = sub ? `${node.resource.uri} · ${subscriptionText(sub)}` : node.resource.uri;
        item.tooltip = node.resource.description ?? node.resource.uri;
        item.iconPath = new vscode.ThemeIcon(sub ? (sub.count ? 'bell-dot' : 'bell') : 'file');
        item.contextValue = sub ? 'resource.subscribed' : 'resource';
        item.command = { command: 'mcpDoctor.readResource', title: 'Read Resource', arguments: [node] };
        return item;
      }
      case 'resourceTemplate': {
        const item = new vscode.TreeItem(node.template.name, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.serverId}/template/${node.template.uriTemplate}`;
        item.description = node.template.uriTemplate;
        item.tooltip = node.template.description ?? node.template.uriTemplate;
        item.iconPath = new vscode.ThemeIcon('symbol-parameter');
        item.contextValue = 'resourceTemplate';
        item.command = { command: 'mcpDoctor.readResource', title: 'Read Resource', arguments: [node] };
        return item;
      }
      case 'prompt': {
        const item = new vscode.TreeItem(node.prompt.name, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.serverId}/prompt/${node.prompt.name}`;
        const args = node.prompt.arguments ?? [];
        item.description = args.length
          ? `(${args.map((a) => a.name + (a.required ? '' : '?')).join(', ')})`
          : undefined;
        item.tooltip = node.prompt.description;
        item.iconPath = new vscode.ThemeIcon('comment');
        item.contextValue = 'prompt';
        item.command = { command: 'mcpDoctor.getPrompt', title: 'Get Prompt', arguments: [node] };
        return item;
      }
    }
  }

  /**
   * On hover over a running server: the tooltip gets the round trip of a `ping` sent now (2025
   * era; the 2026-07-28 revision removed `ping`, which the tooltip says instead).
   */
  async resolveTreeItem(item: vscode.TreeItem, node: TreeNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'server' || !(item.tooltip instanceof vscode.MarkdownString)) return item;
    const ping = await this.services.sessions.ping(node.server.id);
    if (!ping) return item;
    const md = new vscode.MarkdownString(item.tooltip.value, true);
    md.appendMarkdown(
      'ms' in ping ? `\n\n$(pulse) ping ${formatMs(ping.ms)}` : `\n\n$(pulse) ping: ${escapeMd(ping.reason)}`,
    );
    item.tooltip = md;
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'file':
        return undefined;
      case 'server': {
        const file = this.services.config.files.find((f) => f.file === node.server.file);
        return file && { kind: 'file', file };
      }
      case 'problems':
      case 'group':
        return { kind: 'server', server: node.server };
      case 'problem':
        return { kind: 'problems', server: node.server, findings: this.findingsOf(node.server) };
      default: {
        const server = this.services.config.servers.find((s) => s.id === node.serverId);
        const group: GroupKind =
          node.kind === 'tool'
            ? 'tools'
            : node.kind === 'resource'
              ? 'resources'
              : node.kind === 'resourceTemplate'
                ? 'resourceTemplates'
                : 'prompts';
        return server && { kind: 'group', server, group };
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.refresh(), 50);
  }

  /** The latest config of a server (file results may lag behind the flat list). */
  private current(server: ServerConfig): ServerConfig {
    return this.services.config.servers.find((s) => s.id === server.id) ?? server;
  }

  private isActive(serverId: string): boolean {
    const kind = this.view(serverId)?.state.kind;
    return kind === 'running' || kind === 'starting';
  }

  private view(serverId: string): SessionView | undefined {
    return this.services.sessions.get(serverId);
  }

  /** Config findings about this server, then the session's runtime findings. */
  private findingsOf(server: ServerConfig): Finding[] {
    const file = this.services.config.files.find((f) => f.file === server.file);
    const fromConfig = (file?.findings ?? []).filter((f) => f.server === server.name);
    return [...fromConfig, ...(this.view(server.id)?.findings ?? [])];
  }

  private serverChildren(server: ServerConfig): TreeNode[] {
    const nodes: TreeNode[] = [];
    const findings = this.findingsOf(server);
    const view = this.view(server.id);
    if (findings.length) nodes.push({ kind: 'problems', server, findings });
    if (view) {
      // A server that failed or stopped before listing has no lists to show: no empty "Tools (0)".
      const listed = view.state.kind === 'running' || view.state.kind === 'starting';
      for (const group of ['tools', 'resources', 'resourceTemplates', 'prompts'] as GroupKind[]) {
        // Empty groups other than tools are noise: show them only when the server offers some.
        if ((group === 'tools' && listed) || this.list(server.id, group).length)
          nodes.push({ kind: 'group', server, group });
      }
    }
    return nodes;
  }

  private list(serverId: string, group: GroupKind): unknown[] {
    const view = this.view(serverId);
    return view ? view[group] : [];
  }

  private groupChildren(server: ServerConfig, group: GroupKind): TreeNode[] {
    const view = this.view(server.id);
    if (!view) return [];
    const base = { serverId: server.id, serverName: server.name };
    switch (group) {
      case 'tools':
        return view.tools.map((tool) => ({ kind: 'tool', ...base, tool }));
      case 'resources':
        return view.resources.map((resource) => ({ kind: 'resource', ...base, resource }));
      case 'resourceTemplates':
        return view.resourceTemplates.map((template) => ({ kind: 'resourceTemplate', ...base, template }));
      case 'prompts':
        return view.prompts.map((prompt) => ({ kind: 'prompt', ...base, prompt }));
    }
  }

  private fileItem(file: ConfigFileResult): vscode.TreeItem {
    const item = new vscode.TreeItem(
      `${clientLabel(file)} · ${displayPath(file.file)}`,
      vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `file:${file.file}`;
    const problems = file.findings.length;
    const errors = file.findings.filter((f) => f.severity === 'error').length;
    item.description = `${plural(file.servers.length, 'server')}${problems ? `, ${plural(problems, 'problem')}` : ''}`;
    item.iconPath =
      errors || !file.accepted
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : problems
          ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
          : new vscode.ThemeIcon('file-code');
    const tooltip = new vscode.MarkdownString(`**${clientLabel(file)}** (${file.scope}) config\n\n\`${file.file}\``);
    if (!file.accepted) tooltip.appendMarkdown(`\n\n$(error) ${clientLabel(file)} would reject this whole file.`);
    for (const f of file.findings.slice(0, 10))
      tooltip.appendMarkdown(`\n\n${severityIcon(f.severity)} ${escapeMd(f.message)}`);
    tooltip.supportThemeIcons = true;
    item.tooltip = tooltip;
    item.resourceUri = vscode.Uri.file(file.file);
    item.contextValue = 'configFile';
    item.command = {
      command: 'mcpDoctor.openConfig',
      title: 'Open Configuration',
      arguments: [{ kind: 'file', file }],
    };
    return item;
  }

  private serverItem(server: ServerConfig): vscode.TreeItem {
    const view = this.view(server.id);
    const state: SessionState = view?.state ?? { kind: 'stopped' };
    const findings = this.findingsOf(server);
    const hasChildren = !!view || findings.length > 0;
    const item = new vscode.TreeItem(
      server.name,
      hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    if (view && state.kind === 'running') item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    item.id = `server:${server.id}`;
    const blocked = !vscode.workspace.isTrusted && server.scope !== 'user';
    const removed = !this.services.config.servers.some((s) => s.id === server.id);
    const status = removed
      ? `${stateText(state, view?.tools.length ?? 0)} · removed from config`
      : server.disabled && !view
        ? 'disabled'
        : blocked && !view
          ? 'not started (untrusted workspace)'
          : stateText(state, view?.tools.length ?? 0);
    // A start under the debugger says so: `debugging`, `paused in tool add`.
    const note = view ? this.services.sessions.launchNote(server.id) : undefined;
    const runtimeErrors = (view?.findings ?? []).filter((f) => f.severity === 'error').length;
    item.description = `${server.transport} · ${status}${state.kind === 'running' && runtimeErrors ? ` · ${plural(runtimeErrors, 'error')}` : ''}${note ? ` · ${note}` : ''}`;
    item.iconPath =
      note && state.kind !== 'error' && state.kind !== 'stopped'
        ? new vscode.ThemeIcon(note.startsWith('paused') ? 'debug-pause' : 'debug-alt')
        : stateIcon(state, server.disabled && !view, runtimeErrors);
    // `.remote`: a URL server, which may need a sign-in (and offers "Sign Out").
    item.contextValue = `server.${state.kind}${server.url ? '.remote' : ''}`;
    item.tooltip = serverTooltip(server, state, findings, view, this.services.sessions.eraPreference(server.id));
    if (note) item.tooltip.appendMarkdown(`\n\n$(debug-alt) ${escapeMd(note)}`);
    item.command = {
      command: 'mcpDoctor.openConfig',
      title: 'Open Configuration',
      arguments: [{ kind: 'server', server }],
    };
    return item;
  }
}

function problemItem(server: ServerConfig, finding: Finding, index: number): vscode.TreeItem {
  // The first sentence fits a narrow sidebar; the whole message is in the tooltip.
  const item = new vscode.TreeItem(firstSentence(finding.message, 90), vscode.TreeItemCollapsibleState.None);
  item.id = `${server.id}/problem/${index}/${finding.code}`;
  item.description = finding.code;
  item.tooltip = new vscode.MarkdownString(
    `**${escapeMd(finding.code)}** (${finding.severity}, ${finding.origin})\n\n${escapeMd(finding.message)}`,
  );
  item.iconPath = severityThemeIcon(finding.severity);
  item.contextValue = 'problem';
  const range = new vscode.Range(
    finding.range.start.line,
    finding.range.start.character,
    finding.range.end.line,
    finding.range.end.character,
  );
  item.command = {
    command: 'vscode.open',
    title: 'Open',
    arguments: [vscode.Uri.file(finding.file), { selection: range } satisfies vscode.TextDocumentShowOptions],
  };
  return item;
}

const SEVERITY_RANK: Record<Finding['severity'], number> = { error: 0, warning: 1, info: 2, hint: 3 };

function worst(findings: readonly Finding[]): Finding['severity'] {
  return findings.reduce<Finding['severity']>(
    (w, f) => (SEVERITY_RANK[f.severity] < SEVERITY_RANK[w] ? f.severity : w),
    'hint',
  );
}

function severityThemeIcon(severity: Finding['severity']): vscode.ThemeIcon {
  return severity === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
    : severity === 'warning'
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground'));
}

/**
 * The server's icon: a green check only for a running server without run-time errors (a
 * server that writes to stdout runs, but strict clients drop it: it gets a warning).
 */
function stateIcon(state: SessionState, disabled: boolean, runtimeErrors = 0): vscode.ThemeIcon {
  if (disabled) return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  if (state.kind === 'running' && runtimeErrors > 0)
    return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  switch (state.kind) {
    case 'stopped':
      return state.exitCode !== undefined && state.exitCode !== null && state.exitCode !== 0
        ? new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : new vscode.ThemeIcon('circle-outline');
    case 'starting':
    case 'stopping':
      return new vscode.ThemeIcon('loading~spin');
    case 'running':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  }
}

function serverTooltip(
  server: ServerConfig,
  state: SessionState,
  findings: Finding[],
  view: SessionView | undefined,
  era: 'auto' | '2025' | '2026',
): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(server.name)}** — ${server.transport}${server.disabled ? ' (disabled)' : ''}\n\n`);
  // Hovers end up in screenshots: tokens, secret flag values and URL credentials are redacted.
  if (server.command)
    md.appendCodeblock(redactSecretFlags(redactText([server.command, ...(server.args ?? [])].join(' '))), 'shell');
  if (server.url) md.appendMarkdown(`URL: ${inlineCode(redactText(server.url))}\n\n`);
  if (server.cwd) md.appendMarkdown(`cwd: ${inlineCode(server.cwd)}\n\n`);
  const envKeys = Object.keys(server.env ?? {});
  if (envKeys.length) md.appendMarkdown(`env: ${envKeys.map(inlineCode).join(', ')}\n\n`);
  if (state.kind === 'running') {
    md.appendMarkdown(
      `$(pass-filled) running — ${state.era === '2026' ? 'discovered' : 'initialized'} in ${Math.round(state.initializeMs)} ms, protocol \`${state.protocolVersion}\` (${state.era} era, ${state.transport})`,
    );
    if (state.serverName) md.appendMarkdown(`, ${escapeMd(state.serverName)} ${escapeMd(state.serverVersion ?? '')}`);
    if (view?.pid) md.appendMarkdown(`, pid ${view.pid}`);
    md.appendMarkdown('\n\n');
  }
  if (era !== 'auto' && state.kind !== 'stopped') {
    md.appendMarkdown(
      `$(history) started in the ${era === '2026' ? '2026-07-28' : '2025'} era on request (Restart in Protocol Era… → Automatic to undo)\n\n`,
    );
  }
  if (state.kind === 'error') {
    md.appendMarkdown(`$(error) ${escapeMd(state.reason)}\n\n`);
  } else if (state.kind === 'stopped' && (state.exitCode != null || state.signal)) {
    md.appendMarkdown(`exited with ${state.signal ? `signal ${state.signal}` : `code ${state.exitCode}`}\n\n`);
  }
  if (!vscode.workspace.isTrusted && server.scope !== 'user') md.appendMarkdown(`$(shield) ${UNTRUSTED_MESSAGE}.\n\n`);
  for (const f of findings.slice(0, 8))
    md.appendMarkdown(`${severityIcon(f.severity)} **${escapeMd(f.code)}** ${escapeMd(f.message.split('\n')[0])}\n\n`);
  if (findings.length > 8) md.appendMarkdown(`…and ${findings.length - 8} more\n\n`);
  md.appendMarkdown(`_${escapeMd(server.file)}_`);
  return md;
}

function subscriptionText(sub: { count: number; last?: number }): string {
  if (!sub.count || sub.last === undefined) return 'subscribed';
  return `subscribed · ${sub.count} update${sub.count === 1 ? '' : 's'}, last ${new Date(sub.last).toLocaleTimeString()}`;
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}

function severityIcon(severity: string): string {
  return severity === 'error' ? '$(error)' : severity === 'warning' ? '$(warning)' : '$(info)';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A Markdown code span that text with backticks cannot close early. */
function inlineCode(text: string): string {
  const oneLine = text.replace(/\s+/g, (m) => (m.includes('\n') ? ' ' : m));
  const ticks = '`'.repeat(Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((m) => m.length)) + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${oneLine}${pad}${ticks}`;
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|]/g, '\\$&');
}

function toolTooltip(description: string | undefined, schema: Record<string, unknown>): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(description ?? '(no description)');
  const props = typeof schema.properties === 'object' && schema.properties ? Object.keys(schema.properties) : [];
  if (props.length) md.appendMarkdown(`\n\nArguments: ${props.map(inlineCode).join(', ')}`);
  return md;
}
