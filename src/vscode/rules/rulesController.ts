import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../core/model';
import type { FileResult, RuleEngine, SeverityOverrides, WorkspaceResult } from '../../core/rules/engine';
import type { Definition } from '../../core/rules/types';
import { toRange } from '../diagnostics';
import type { problemsOf } from '../problems';
import type { Services } from '../services';
import { findMissingTools } from './missingTools';

/** Languages whose documents are analyzed in the editor. */
export const RULE_LANGUAGES = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];

/** Diagnostic code of "defined in source but not listed by the running server". */
const MISSING_TOOL_CODE = 'MCP-missing-tool';

const DEBOUNCE_MS = 400;
const LEVELS = new Set(['error', 'warning', 'info', 'hint', 'off']);

/** The latest analysis of one document or file, with the version it was computed for. */
interface Entry {
  result: FileResult;
  /** Document version, or -1 for text read from disk. */
  version: number;
}

/**
 * Owns the rules `DiagnosticCollection` and keeps it in step with the editor: analyzes Python,
 * TypeScript and JavaScript documents on open, save and (debounced) edit, re-checks open documents
 * when project files change, merges "missing tool" diagnostics from running sessions, and runs the
 * workspace analysis command. The engine (and with it the parsers) loads on first analysis.
 */
export class RulesController implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly missing = new Map<string, vscode.Diagnostic[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Map<string, Promise<Entry | undefined>>();
  /** Files checked by the last workspace analysis (kept when their editors close). */
  private readonly workspaceFiles = new Set<string>();
  private readonly _onDidUpdate = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires when the results of a file (or of everything, with undefined) changed. */
  readonly onDidUpdate = this._onDidUpdate.event;
  private engine?: RuleEngine;
  private disposables: vscode.Disposable[] = [];

  constructor(
    private readonly services: Pick<Services, 'log' | 'config' | 'sessions'>,
    /** Rule findings go to the Problems hub (collection 'mcp-doctor-rules'). */
    private readonly problems: ReturnType<typeof problemsOf>,
  ) {
    this.disposables.push(
      this._onDidUpdate,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSaved(d)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && this.setting('onType', true)) this.schedule(e.document, DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClosed(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mcpDoctor.rules')) void this.onSettingsChanged();
      }),
    );
    this.disposables.push(services.sessions.onDidChange(() => this.refreshMissingTools()));
    // Documents already open when the extension activates; after activation returns.
    setTimeout(() => {
      for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    }, 0);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
    this.disposables = [];
  }

  /** The latest result for a document, analyzing it first when it is missing or stale. */
  async resultFor(document: vscode.TextDocument): Promise<FileResult | undefined> {
    const key = document.uri.toString();
    if (!this.isRuleDocument(document)) {
      // Project files (package.json, Dockerfile...): the result of the last save or workspace
      // analysis, as long as the editor holds the same text.
      const stored = this.entries.get(key);
      return stored && !document.isDirty && (stored.version === -1 || stored.version === document.version)
        ? stored.result
        : undefined;
    }
    const entry = this.entries.get(key);
    if (entry && entry.version === document.version) return entry.result;
    return (await this.analyzeDocument(document))?.result;
  }

  /** Tool definitions of a document from its latest analysis (no re-analysis). */
  cachedDefinitions(uri: vscode.Uri): Definition[] {
    return this.entries.get(uri.toString())?.result.definitions ?? [];
  }

  /** Analyze every lintable file of the workspace folders, with a cancellable progress notification. */
  async analyzeWorkspace(): Promise<WorkspaceResult | undefined> {
    const folders = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => f.uri.fsPath);
    if (!folders.length) {
      void vscode.window.showInformationMessage('MCP Doctor: open a folder to analyze its MCP servers.');
      return undefined;
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'MCP Doctor: analyzing workspace', cancellable: true },
      async (progress, token) => {
        const engine = this.getEngine();
        const ctl = new AbortController();
        const sub = token.onCancellationRequested(() => ctl.abort());
        let reported = 0;
        try {
          const result = await engine.analyzeWorkspace(folders, {
            signal: ctl.signal,
            onProgress: ({ done, total, file }) => {
              const pct = total ? (done / total) * 100 : 100;
              progress.report({
                increment: pct - reported,
                message: file ? `${done}/${total} ${path.basename(file)}` : `${done}/${total}`,
              });
              reported = pct;
            },
          });
          const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d]));
          for (const r of result.files) {
            if (isClientConfig(r.file)) continue;
            this.workspaceFiles.add(r.file);
            const doc = open.get(r.file);
            // Open editors may hold unsaved text: analyze that instead of the file on disk.
            if (doc && this.isRuleDocument(doc) && doc.isDirty) void this.analyzeDocument(doc);
            else this.store(vscode.Uri.file(r.file), { result: r, version: doc ? doc.version : -1 });
          }
          this.refreshMissingTools();
          this._onDidUpdate.fire(undefined);
          const errors = result.findings.filter((f) => f.severity === 'error').length;
          const summary = `${result.findings.length} problem${result.findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}) in ${result.stats.analyzed} of ${result.stats.files} files`;
          this.services.log.info(
            `workspace analysis: ${summary} in ${result.stats.ms.toFixed(0)} ms${result.cancelled ? ' (cancelled)' : ''}`,
          );
          if (!result.cancelled) {
            void vscode.window.showInformationMessage(`MCP Doctor: ${summary}.`, 'Show Problems').then((pick) => {
              if (pick) void vscode.commands.executeCommand('workbench.actions.view.problems');
            });
          }
          return result;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  private getEngine(): RuleEngine {
    if (!this.engine) {
      // Loaded on first use: the engine pulls in the TOML/YAML/JSONC parsers and, lazily, the analyzers.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load (see above)
      const { RuleEngine: Engine } = require('../../core/rules/engine') as typeof import('../../core/rules/engine');
      this.engine = new Engine({ severity: this.severityOverrides(), log: (m) => this.services.log.warn(m) });
    }
    return this.engine;
  }

  private setting<T>(key: string, fallback: T, scope?: vscode.Uri): T {
    return vscode.workspace.getConfiguration('mcpDoctor.rules', scope).get<T>(key, fallback);
  }

  private severityOverrides(): SeverityOverrides {
    const raw = this.setting<Record<string, unknown>>('severity', {});
    const out: SeverityOverrides = {};
    for (const [id, level] of Object.entries(raw ?? {})) {
      if (typeof level === 'string' && LEVELS.has(level)) out[id] = level as Severity | 'off';
      else
        this.services.log.warn(
          `mcpDoctor.rules.severity: ignoring "${id}": "${String(level)}" (use error, warning, info, hint or off)`,
        );
    }
    return out;
  }

  private isRuleDocument(document: vscode.TextDocument): boolean {
    return (
      document.uri.scheme === 'file' &&
      RULE_LANGUAGES.includes(document.languageId) &&
      this.setting('enabled', true, document.uri)
    );
  }

  private schedule(document: vscode.TextDocument, delay: number): void {
    if (document.uri.scheme !== 'file') return;
    if (!this.isRuleDocument(document)) {
      // Project files opened in the editor (package.json, Dockerfile...) get their rules on save only.
      return;
    }
    const key = document.uri.toString();
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.analyzeDocument(document);
      }, delay),
    );
  }

  private async analyzeDocument(document: vscode.TextDocument): Promise<Entry | undefined> {
    const key = document.uri.toString();
    const running = this.inflight.get(key);
    if (running) {
      const done = await running;
      if (done && done.version === document.version) return done;
    }
    const version = document.version;
    const task = (async () => {
      try {
        const result = await this.getEngine().analyzeFile(document.uri.fsPath, document.getText());
        // A newer edit arrived meanwhile: its own analysis will publish.
        if (document.isClosed || document.version !== version) return { result, version };
        const entry = { result, version };
        this.store(document.uri, entry);
        this.refreshMissingTools(document.uri);
        this._onDidUpdate.fire(document.uri);
        return entry;
      } catch (err) {
        this.services.log.error(
          `rules: analyzing ${document.uri.fsPath} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        return undefined;
      }
    })();
    this.inflight.set(key, task);
    try {
      return await task;
    } finally {
      if (this.inflight.get(key) === task) this.inflight.delete(key);
    }
  }

  private store(uri: vscode.Uri, entry: Entry): void {
    this.entries.set(uri.toString(), entry);
    this.publish(uri);
  }

  private publish(uri: vscode.Uri): void {
    const key = uri.toString();
    const findings: Finding[] = this.entries.get(key)?.result.findings ?? [];
    this.problems.set('rules', uri, findings, this.missing.get(key));
  }

  private async onSaved(document: vscode.TextDocument): Promise<void> {
    if (this.isRuleDocument(document)) {
      this.schedule(document, 0);
      return;
    }
    if (document.uri.scheme !== 'file' || isClientConfig(document.uri.fsPath)) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load (see above)
    const { isProjectFileName } = require('../../core/rules/project') as typeof import('../../core/rules/project');
    if (!isProjectFileName(path.basename(document.uri.fsPath))) return;
    // A manifest, lockfile or Dockerfile changed: check it, and re-check open sources of that project.
    this.getEngine().projectFileChanged(document.uri.fsPath);
    const result = await this.getEngine().analyzeFile(document.uri.fsPath, document.getText());
    this.store(document.uri, { result, version: document.version });
    const dir = path.dirname(document.uri.fsPath);
    for (const d of vscode.workspace.textDocuments) {
      if (this.isRuleDocument(d) && d.uri.fsPath.startsWith(dir + path.sep)) void this.analyzeDocument(d);
    }
  }

  private async onClosed(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    if (!this.isRuleDocument(document)) return;
    const file = document.uri.fsPath;
    if (!this.workspaceFiles.has(file)) {
      this.entries.delete(key);
      this.missing.delete(key);
      this.problems.set('rules', document.uri, []);
      this._onDidUpdate.fire(document.uri);
      return;
    }
    // Part of the workspace analysis: fall back to the saved file's findings.
    const result = await this.getEngine().analyzeWorkspace([], { files: [file] });
    const r = result.files[0];
    if (r) this.store(document.uri, { result: r, version: -1 });
  }

  private async onSettingsChanged(): Promise<void> {
    if (!this.setting('enabled', true)) {
      this.entries.clear();
      this.missing.clear();
      this.workspaceFiles.clear();
      this.problems.replaceAll('rules', new Map());
      this._onDidUpdate.fire(undefined);
      return;
    }
    if (this.engine) this.engine.setSeverityOverrides(this.severityOverrides());
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    for (const [key, entry] of [...this.entries]) {
      const doc = open.get(key);
      if (doc && !this.isRuleDocument(doc)) {
        this.entries.delete(key);
        this.problems.set('rules', doc.uri, []);
        continue;
      }
      // Cached analyses are reused; only severities and filtering change.
      const text = doc?.getText();
      const result =
        text !== undefined
          ? await this.getEngine().analyzeFile(entry.result.file, text)
          : (await this.getEngine().analyzeWorkspace([], { files: [entry.result.file] })).files[0];
      if (result) this.store(vscode.Uri.parse(key), { result, version: doc?.version ?? -1 });
    }
    for (const d of vscode.workspace.textDocuments)
      if (this.isRuleDocument(d) && !this.entries.has(d.uri.toString())) this.schedule(d, 0);
    this._onDidUpdate.fire(undefined);
  }

  /**
   * "Defined here but not listed by the running server": compares each tool definition with the
   * `tools/list` of running sessions whose server belongs to the same workspace folder and runs
   * this code (its launch config names the file, runs in the file's folder, or lists another tool
   * of the file).
   */
  refreshMissingTools(only?: vscode.Uri): void {
    const sessions = this.services.sessions.all();
    const configs = this.services.config.servers;
    const keys = only ? [only.toString()] : [...new Set([...this.entries.keys(), ...this.missing.keys()])];
    for (const key of keys) {
      const uri = vscode.Uri.parse(key);
      const before = this.missing.get(key)?.length ?? 0;
      const definitions = this.entries.get(key)?.result.definitions ?? [];
      const folder = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
      const diagnostics = findMissingTools(uri.fsPath, folder, definitions, sessions, configs).map(
        ({ definition, serverName }) => {
          const d = new vscode.Diagnostic(
            toRange(definition.nameRange),
            `Tool '${definition.name}' is defined here but the running server '${serverName}' does not list it in tools/list. The server may run older code (restart it), the registration may have failed at startup (see the server's stderr), or another tool with the same name replaced it.`,
            vscode.DiagnosticSeverity.Warning,
          );
          d.source = 'MCP Doctor';
          d.code = MISSING_TOOL_CODE;
          return d;
        },
      );
      if (diagnostics.length) this.missing.set(key, diagnostics);
      else this.missing.delete(key);
      if (before || diagnostics.length) this.publish(uri);
    }
  }
}

function isClientConfig(file: string): boolean {
  const norm = file.replace(/\\/g, '/');
  return (
    /\/\.(vscode|cursor)\/mcp\.json$/.test(norm) ||
    /\/\.mcp\.json$/.test(norm) ||
    norm.endsWith('/claude_desktop_config.json')
  );
}
