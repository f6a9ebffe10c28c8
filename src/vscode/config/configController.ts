import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFileResult, ServerConfig } from '../../core/config/types';
import type { Finding } from '../../core/model';
import type { ConfigModel, Services } from '../services';
import { problemsOf } from '../problems';
import { ConfigCodeActionProvider } from './codeActions';

/** What the config area needs: nothing from other areas. */
type ConfigDeps = Pick<Services, 'context' | 'log'>;

type ConfigCore = typeof import('../../core/config/index');

const REFRESH_DEBOUNCE_MS = 150;
const EDIT_DEBOUNCE_MS = 250;

/**
 * Keeps the discovered MCP configs current: reads them after activation, re-reads on file
 * changes (workspace and user files), re-parses unsaved editor text, and publishes every
 * config problem to the Problems panel at its exact line.
 */
export class ConfigController implements ConfigModel, vscode.Disposable {
  private _files: ConfigFileResult[] = [];
  private _servers: ServerConfig[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly watchers: vscode.Disposable[] = [];
  /** Unsaved editor text overrides what is on disk, per file path. */
  private readonly liveText = new Map<string, string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private editTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private core: Promise<ConfigCore> | undefined;
  private coreLoaded: ConfigCore | undefined;
  /** Resolves after the first discovery; tests and the tree wait on it. */
  readonly ready: Promise<void>;

  constructor(private readonly services: ConfigDeps) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rewatchAndRefresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mcpDoctor.discovery')) this.rewatchAndRefresh();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)),
      // File operations made through VS Code (explorer, refactorings) arrive here even where a
      // watcher misses them, e.g. a whole folder deleted at once.
      vscode.workspace.onDidCreateFiles(() => this.scheduleRefresh()),
      vscode.workspace.onDidDeleteFiles(() => this.scheduleRefresh()),
      vscode.workspace.onDidRenameFiles(() => this.scheduleRefresh()),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.liveText.delete(doc.uri.fsPath)) this.scheduleRefresh();
      }),
    );
    this.ready = this.refresh().then(() => this.watch());
  }

  get files(): readonly ConfigFileResult[] {
    return this._files;
  }

  get servers(): readonly ServerConfig[] {
    return this._servers;
  }

  /** Re-reads every config file. Concurrent calls coalesce into one extra run. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.discoverOnce();
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  async resolveForLaunch(server: ServerConfig): Promise<ServerConfig | undefined> {
    const core = await this.loadCore();
    const ctx = {
      workspaceFolder:
        server.workspaceFolder ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(server.file))?.uri.fsPath,
      home: os.homedir(),
      env: process.env,
      inputs: new Map<string, string>(),
    };
    let resolved = core.resolveVariables(server, ctx);
    const inputIds = resolved.unresolved
      .map((v) => /^\$\{input:([^}]+)\}$/.exec(v)?.[1])
      .filter((v): v is string => !!v);
    if (inputIds.length > 0) {
      const file = this._files.find((f) => f.file === server.file);
      for (const id of [...new Set(inputIds)]) {
        const value = await this.askInput(
          server,
          id,
          file?.inputs?.find((i) => i.id === id),
        );
        if (value === undefined) return undefined;
        ctx.inputs.set(id, value);
      }
      resolved = core.resolveVariables(server, ctx);
    }
    if (resolved.unresolved.length > 0) {
      this.services.log.warn(
        `${server.name}: unresolved variables ${resolved.unresolved.join(', ')}; launching anyway`,
      );
    }
    return resolved;
  }

  /** Findings of all config files, for reports. */
  findings(): Finding[] {
    return this._files.flatMap((f) => f.findings);
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.editTimer);
    for (const d of [...this.watchers, ...this.disposables]) d.dispose();
  }

  private loadCore(): Promise<ConfigCore> {
    this.core ??= import('../../core/config/index').then((core) => (this.coreLoaded = core));
    return this.core;
  }

  private options() {
    const cfg = vscode.workspace.getConfiguration('mcpDoctor.discovery');
    const clients = cfg.get<string[]>('clients', []);
    return {
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      home: os.homedir(),
      platform: process.platform,
      env: process.env,
      includeUser: cfg.get<boolean>('userConfigs', true),
      clients: clients.length > 0 ? (clients as ServerConfig['client'][]) : undefined,
      checkCommands: cfg.get<boolean>('checkCommands', true),
    };
  }

  private async discoverOnce(): Promise<void> {
    const started = performance.now();
    try {
      const core = await this.loadCore();
      const opts = this.options();
      let files = await core.discover(opts);
      if (this.liveText.size > 0) {
        // Editors with unsaved changes win over the disk copy, so Problems follow typing.
        files = files.map((result) => {
          const text = this.liveText.get(result.file);
          const location = result.location ?? core.locateConfigFile(result.file, opts);
          return text === undefined || !location ? result : core.parseConfigText(result.file, text, location, opts);
        });
      }
      this._files = files;
      this._servers = files.flatMap((f) => f.servers);
      this.publish(files);
      const problems = files.reduce((n, f) => n + f.findings.length, 0);
      this.services.log.info(
        `discovered ${this._servers.length} servers in ${files.length} config files (${problems} problems) in ${(performance.now() - started).toFixed(0)} ms`,
      );
    } catch (err) {
      // Discovery must never take the extension down; keep the previous result.
      this.services.log.error('config discovery failed', err instanceof Error ? err : String(err));
    }
    this.changed.fire();
  }

  private publish(files: ConfigFileResult[]): void {
    const byFile = new Map<string, Finding[]>();
    for (const finding of files.flatMap((f) => f.findings)) {
      const list = byFile.get(finding.file) ?? [];
      list.push(finding);
      byFile.set(finding.file, list);
    }
    problemsOf(this.services).replaceAll('config', byFile);
  }

  private scheduleRefresh(delay = REFRESH_DEBOUNCE_MS): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  private onEdit(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || !this.isConfigFile(doc.uri.fsPath)) return;
    this.liveText.set(doc.uri.fsPath, doc.getText());
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => void this.refresh(), EDIT_DEBOUNCE_MS);
  }

  private isConfigFile(file: string): boolean {
    if (this._files.some((f) => f.file === file)) return true;
    // A config file that is new or was unreadable: known locations only, no guessing by name.
    return this.coreLoaded?.locateConfigFile(file, this.options()) !== undefined;
  }

  private rewatchAndRefresh(): void {
    void this.refresh().then(() => this.watch());
  }

  /** Watches every place a config can appear: workspace globs and the user-level files. */
  private async watch(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.dispose();
    const core = await this.loadCore();
    const onChange = (uri: vscode.Uri) => {
      this.services.log.trace(`config changed on disk: ${uri.fsPath}`);
      this.scheduleRefresh();
    };
    const add = (pattern: vscode.GlobPattern) => {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      watcher.onDidCreate(onChange);
      watcher.onDidChange(onChange);
      watcher.onDidDelete(onChange);
      this.watchers.push(watcher);
    };
    // One recursive watcher per folder: VS Code serves it from its workspace watcher, which
    // keeps working when folders come and go (non-recursive watchers on folders that are
    // created and deleted again were seen to stop delivering events).
    const globs = core.watchPatterns().workspace.map((g) => (g.startsWith('**/') ? g : `**/${g}`));
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      add(new vscode.RelativePattern(folder, `{${[...new Set(globs)].join(',')}}`));
      // Deleting a folder reports only the folder, not the config files inside it.
      const deletions = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(folder, '**/*'),
        true,
        true,
        false,
      );
      deletions.onDidDelete((uri) => {
        const prefix = uri.fsPath + path.sep;
        if (this._files.some((f) => f.file.startsWith(prefix))) onChange(uri);
      });
      this.watchers.push(deletions);
    }
    const opts = this.options();
    if (opts.includeUser) {
      const workspaceRoots = opts.workspaceFolders;
      const userFiles = core
        .configLocations(opts)
        .map((l) => l.file)
        .filter((f) => !workspaceRoots.some((root) => f.startsWith(root + path.sep)));
      for (const file of new Set(userFiles)) {
        // Only folders that exist: a watcher on a missing folder never fires and costs a handle.
        if (fs.existsSync(path.dirname(file)))
          add(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      }
    }
  }

  /** Asks for an `${input:id}` value; remembered in SecretStorage, never in settings. */
  private async askInput(
    server: ServerConfig,
    id: string,
    def: NonNullable<ConfigFileResult['inputs']>[number] | undefined,
  ): Promise<string | undefined> {
    const key = `mcpDoctor.input:${server.file}#${id}`;
    const stored = await this.services.context.secrets.get(key);
    if (stored !== undefined) return stored;
    let value: string | undefined;
    if (def?.type === 'pickString' && def.options?.length) {
      value = await vscode.window.showQuickPick(def.options, {
        title: `${server.name}: ${def.description ?? id}`,
        ignoreFocusOut: true,
      });
    } else {
      value = await vscode.window.showInputBox({
        title: `${server.name}: ${def?.description ?? `value for \${input:${id}}`}`,
        prompt: def ? undefined : `"${id}" is not declared in "inputs" of ${path.basename(server.file)}`,
        password: def?.password ?? false,
        value: def?.default,
        ignoreFocusOut: true,
      });
    }
    if (value !== undefined) await this.services.context.secrets.store(key, value);
    return value;
  }
}

/** The config area: discovery, watching, config Problems and quick fixes. Returns the config model. */
export function registerConfig(deps: ConfigDeps): ConfigController {
  const controller = new ConfigController(deps);
  const configFiles: vscode.DocumentFilter[] = [
    ...['json', 'jsonc', 'yaml'].map((language) => ({ language, scheme: 'file' })),
    { scheme: 'file', pattern: '**/*.toml' },
  ];
  deps.context.subscriptions.push(
    controller,
    vscode.languages.registerCodeActionsProvider(
      configFiles,
      new ConfigCodeActionProvider(controller),
      ConfigCodeActionProvider.metadata,
    ),
  );
  return controller;
}
