import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateDoctor, waitFor, workspaceRoot } from './helpers';

/** Rule diagnostics of a document, by rule id. */
function ruleDiagnostics(uri: vscode.Uri, code: string): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'MCP Doctor' && typeof d.code === 'object' && d.code.value === code);
}

/** 0-based line of the first line containing `needle`. */
function lineOf(file: string, needle: string): number {
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `"${needle}" not found in ${file}`);
  return line;
}

describe('Rules', () => {
  let pyFile: string;
  let tsFile: string;

  before(async () => {
    await activateDoctor();
    pyFile = path.join(workspaceRoot(), 'rules', 'stdio_server.py');
    tsFile = path.join(workspaceRoot(), 'rules', 'ts_server.ts');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports MCP101 (print on stdio) and MCP701 (no description) at the right lines', async () => {
    const uri = vscode.Uri.file(pyFile);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const printLine = lineOf(pyFile, 'print(');
    const shoutLine = lineOf(pyFile, 'def shout');
    const [print] = await waitFor(() => {
      const d = ruleDiagnostics(uri, 'MCP101');
      return d.length ? d : undefined;
    }, 'MCP101 on stdio_server.py');
    assert.equal(print.range.start.line, printLine);
    assert.equal(print.severity, vscode.DiagnosticSeverity.Error);
    const code = print.code as { value: string; target: vscode.Uri };
    assert.match(code.target.toString(), /docs\/rules\/MCP101\.md$/);
    const [nodoc] = await waitFor(() => {
      const d = ruleDiagnostics(uri, 'MCP701');
      return d.length ? d : undefined;
    }, 'MCP701 on stdio_server.py');
    assert.equal(nodoc.range.start.line, shoutLine);
    assert.equal(nodoc.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('puts a "Call tool" code lens on each tool', async () => {
    const uri = vscode.Uri.file(pyFile);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const lenses = await waitFor(async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      const calls = (all ?? []).filter((l) => l.command?.command === 'mcpDoctor.callTool');
      return calls.length >= 2 ? calls : undefined;
    }, 'two Call tool lenses');
    const names = lenses.map((l) => (l.command!.arguments![0] as { toolName: string }).toolName).sort();
    assert.deepEqual(names, ['add', 'shout']);
    for (const l of lenses) {
      assert.equal(l.command!.title, '▶ Call tool');
      assert.equal((l.command!.arguments![0] as { file: string }).file, pyFile);
    }
    const addLens = lenses.find((l) => (l.command!.arguments![0] as { toolName: string }).toolName === 'add')!;
    assert.ok(
      Math.abs(addLens.range.start.line - lineOf(pyFile, 'def add')) <= 1,
      'lens sits on the decorator or the def',
    );
  });

  it('applies the preferred quick fix for MCP101 so the line writes to stderr', async () => {
    // Work on a copy outside the workspace so the fixture stays unchanged.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-rules-'));
    const copy = path.join(dir, 'stdio_server.py');
    fs.copyFileSync(pyFile, copy);
    try {
      const uri = vscode.Uri.file(copy);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const [diag] = await waitFor(() => {
        const d = ruleDiagnostics(uri, 'MCP101');
        return d.length ? d : undefined;
      }, 'MCP101 on the copy');
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        diag.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = (actions ?? []).find((a) => a.isPreferred && a.title.includes('MCP101'));
      assert.ok(fix?.edit, `a preferred MCP101 quick fix among: ${(actions ?? []).map((a) => a.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      const line = doc.lineAt(diag.range.start.line).text;
      assert.match(line, /print\(.*file=sys\.stderr\)/);
      await waitFor(
        () => (ruleDiagnostics(uri, 'MCP101').length === 0 ? true : undefined),
        'MCP101 to clear after the fix',
      );
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    } finally {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === copy);
      if (open?.isDirty) {
        await vscode.window.showTextDocument(open);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports MCP102 in a TypeScript stdio server and honours mcpDoctor.rules.severity', async () => {
    const uri = vscode.Uri.file(tsFile);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const [log] = await waitFor(() => {
      const d = ruleDiagnostics(uri, 'MCP102');
      return d.length ? d : undefined;
    }, 'MCP102 on ts_server.ts');
    assert.equal(log.range.start.line, lineOf(tsFile, 'console.log'));
    const config = vscode.workspace.getConfiguration('mcpDoctor.rules');
    await config.update('severity', { MCP102: 'off' }, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor(() => (ruleDiagnostics(uri, 'MCP102').length === 0 ? true : undefined), 'MCP102 to be turned off');
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor(() => (ruleDiagnostics(uri, 'MCP102').length ? true : undefined), 'MCP102 to come back');
  });

  it('analyzes the whole workspace on command', async () => {
    const result = await vscode.commands.executeCommand<{
      findings: { file: string; code: string }[];
      stats: { files: number };
    }>('mcpDoctor.analyzeWorkspace');
    assert.ok(result, 'the command returns its result');
    assert.ok(result.stats.files >= 2);
    assert.ok(result.findings.some((f) => f.file === pyFile && f.code === 'MCP101'));
    // Closed files keep their workspace findings.
    assert.ok(ruleDiagnostics(vscode.Uri.file(pyFile), 'MCP101').length > 0);
    // Project files are checked too, with quick fixes: engines.node below the SDK floor.
    const pkg = vscode.Uri.file(path.join(workspaceRoot(), 'rules', 'package.json'));
    const [engines] = ruleDiagnostics(pkg, 'MCP601');
    assert.ok(engines, 'MCP601 on rules/package.json');
    assert.equal(engines.range.start.line, lineOf(pkg.fsPath, '"engines"'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(pkg));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      pkg,
      engines.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    assert.ok(
      (actions ?? []).some((a) => a.isPreferred && a.title.includes('Node >=18')),
      (actions ?? []).map((a) => a.title).join(' | '),
    );
  });
});
