import * as vscode from 'vscode';
import { docsUrl, getCode } from '../core/catalogue';
import type { Finding, Range, Severity } from '../core/model';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** Core ranges are zero-based like VS Code's, so this is a plain copy. */
export function toRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** The extension's folder: documentation pages ship in it (docs/rules/<id>.md). */
let docsRoot: vscode.Uri | undefined;

/** Links codes to the documentation pages in the installed extension, not to a web page. */
export function useLocalDocs(extensionUri: vscode.Uri): void {
  docsRoot = extensionUri;
}

/** Where the documentation page of a code is: in the package when known, else online. */
function docsUri(code: string): vscode.Uri {
  const id = getCode(code)?.id ?? code;
  return docsRoot ? vscode.Uri.joinPath(docsRoot, 'docs', 'rules', `${id}.md`) : vscode.Uri.parse(docsUrl(id));
}

/**
 * A core finding as a Problems entry; the code links to its documentation page. With a
 * `runtimeTwin` the entry stands for both: the static finding and what the running server did.
 */
export function toDiagnostic(finding: Finding, runtimeTwin?: Finding): vscode.Diagnostic {
  const message = runtimeTwin ? `${finding.message}\nSeen at runtime too: ${runtimeTwin.message}` : finding.message;
  const severity = Math.min(SEVERITY[finding.severity], runtimeTwin ? SEVERITY[runtimeTwin.severity] : Infinity);
  const diagnostic = new vscode.Diagnostic(toRange(finding.range), message, severity);
  diagnostic.source = runtimeTwin ? `MCP Doctor (${finding.origin} + runtime)` : 'MCP Doctor';
  diagnostic.code = getCode(finding.code) ? { value: finding.code, target: docsUri(finding.code) } : finding.code;
  const related = [...(finding.related ?? []), ...(runtimeTwin?.related ?? [])];
  if (runtimeTwin && (runtimeTwin.file !== finding.file || runtimeTwin.range.start.line !== finding.range.start.line))
    related.push({ file: runtimeTwin.file, range: runtimeTwin.range, message: `at runtime: ${runtimeTwin.message}` });
  if (related.length) {
    diagnostic.relatedInformation = related.map(
      (r) =>
        new vscode.DiagnosticRelatedInformation(
          new vscode.Location(vscode.Uri.file(r.file), toRange(r.range)),
          r.message,
        ),
    );
  }
  return diagnostic;
}
