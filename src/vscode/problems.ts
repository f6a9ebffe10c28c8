import * as vscode from 'vscode';
import type { Finding, Severity } from '../core/model';
import { reconcile, type ForeignDiagnostic } from '../core/problems/reconcile';
import { toDiagnostic, useLocalDocs } from './diagnostics';
import type { Services } from './services';

type Origin = 'config' | 'rules' | 'runtime';

interface FileProblems {
  uri: vscode.Uri;
  config: Finding[];
  rules: Finding[];
  runtime: Finding[];
  /** Rule diagnostics that are not findings (tools missing from the running server). */
  extra: vscode.Diagnostic[];
}

const SEVERITY: Record<vscode.DiagnosticSeverity, Severity> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'info',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

const isOurs = (d: vscode.Diagnostic) => d.source?.startsWith('MCP Doctor') ?? false;

/**
 * Every MCP Doctor Problems entry goes through here. The areas hand over their findings per
 * file; this publishes one collection per origin (`mcp-doctor-config`, `-rules`, `-runtime`)
 * after `reconcile` (src/core/problems) left out what VS Code itself reports and folded each
 * runtime finding into its static twin. VS Code's diagnostics of those files are watched, so
 * a duplicate disappears as soon as VS Code reports the same problem (and comes back when it
 * stops).
 */
class ProblemsHub implements vscode.Disposable {
  private readonly collections: Record<Origin, vscode.DiagnosticCollection> = {
    config: vscode.languages.createDiagnosticCollection('mcp-doctor-config'),
    rules: vscode.languages.createDiagnosticCollection('mcp-doctor-rules'),
    runtime: vscode.languages.createDiagnosticCollection('mcp-doctor-runtime'),
  };
  private readonly files = new Map<string, FileProblems>();
  /** What VS Code reported for a file when it was last published (to republish on change only). */
  private readonly foreignSeen = new Map<string, string>();
  private readonly pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listener: vscode.Disposable;

  constructor() {
    this.listener = vscode.languages.onDidChangeDiagnostics((e) => {
      for (const uri of e.uris) {
        const key = uri.toString();
        if (this.files.has(key) && this.foreignSeen.get(key) !== signature(foreignOf(uri))) this.schedule(key);
      }
    });
  }

  /** Replaces one origin's findings of one file (`extra`: rule diagnostics that are not findings). */
  set(origin: Origin, uri: vscode.Uri, findings: readonly Finding[], extra?: readonly vscode.Diagnostic[]): void {
    const entry = this.entry(uri);
    entry[origin] = [...findings];
    if (origin === 'rules') entry.extra = [...(extra ?? [])];
    this.publish(uri.toString());
  }

  /** Replaces all of one origin's findings (files absent from `byFile` have none). */
  replaceAll(origin: Origin, byFile: ReadonlyMap<string, readonly Finding[]>): void {
    const touched = new Set<string>();
    for (const [key, entry] of this.files) {
      if (entry[origin].length || (origin === 'rules' && entry.extra.length)) {
        entry[origin] = [];
        if (origin === 'rules') entry.extra = [];
        touched.add(key);
      }
    }
    for (const [file, findings] of byFile) {
      const uri = vscode.Uri.file(file);
      this.entry(uri)[origin] = [...findings];
      touched.add(uri.toString());
    }
    for (const key of touched) this.publish(key);
  }

  private entry(uri: vscode.Uri): FileProblems {
    const key = uri.toString();
    let e = this.files.get(key);
    if (!e) this.files.set(key, (e = { uri, config: [], rules: [], runtime: [], extra: [] }));
    return e;
  }

  private schedule(key: string): void {
    this.pending.add(key);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const keys = [...this.pending];
      this.pending.clear();
      for (const k of keys) this.publish(k);
    }, 30);
  }

  private publish(key: string): void {
    const e = this.files.get(key);
    if (!e) return;
    const foreign = foreignOf(e.uri);
    this.foreignSeen.set(key, signature(foreign));
    const out = reconcile(e, foreign);
    const put = (origin: Origin, diagnostics: vscode.Diagnostic[]) => {
      if (diagnostics.length) this.collections[origin].set(e.uri, diagnostics);
      else this.collections[origin].delete(e.uri);
    };
    put(
      'config',
      out.config.map((s) => toDiagnostic(s.finding, s.runtimeTwin)),
    );
    put('rules', [...out.rules.map((s) => toDiagnostic(s.finding, s.runtimeTwin)), ...e.extra]);
    put(
      'runtime',
      out.runtime.map((s) => toDiagnostic(s.finding)),
    );
    if (!e.config.length && !e.rules.length && !e.runtime.length && !e.extra.length) {
      this.files.delete(key);
      this.foreignSeen.delete(key);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listener.dispose();
    for (const c of Object.values(this.collections)) c.dispose();
  }
}

/** What the rest of VS Code (its JSON support, its MCP support, other extensions) shows for a file. */
function foreignOf(uri: vscode.Uri): ForeignDiagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => !isOurs(d))
    .map((d) => ({
      range: {
        start: { line: d.range.start.line, character: d.range.start.character },
        end: { line: d.range.end.line, character: d.range.end.character },
      },
      message: d.message,
      severity: SEVERITY[d.severity],
      source: d.source,
    }));
}

function signature(foreign: readonly ForeignDiagnostic[]): string {
  return foreign
    .map(
      (d) =>
        `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}/${d.severity}/${d.source ?? ''}`,
    )
    .sort()
    .join('|');
}

const hubs = new WeakMap<vscode.ExtensionContext, ProblemsHub>();

/** The extension's one Problems hub (made on first use by any area, disposed with the extension). */
export function problemsOf(deps: Pick<Services, 'context'>): ProblemsHub {
  let hub = hubs.get(deps.context);
  if (!hub) {
    useLocalDocs(deps.context.extensionUri);
    hub = new ProblemsHub();
    hubs.set(deps.context, hub);
    deps.context.subscriptions.push(hub);
  }
  return hub;
}
