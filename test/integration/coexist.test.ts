import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorTestApi } from '../../src/testApi';
import { activateDoctor, waitFor, workspaceRoot } from './helpers';

const ours = (d: vscode.Diagnostic) => d.source?.startsWith('MCP Doctor') ?? false;
const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);
const show = (ds: readonly vscode.Diagnostic[]) =>
  ds.map((d) => `${d.source ?? '-'} ${d.range.start.line}:${d.range.start.character} ${d.message}`).join('\n');

/** Waits until VS Code's own diagnostics and MCP Doctor's for the file have both settled. */
async function settled(uri: vscode.Uri, what: (ds: readonly vscode.Diagnostic[]) => boolean, label: string) {
  let last: readonly vscode.Diagnostic[] = [];
  let stableSince = Date.now();
  let previous = '';
  await waitFor(
    () => {
      last = vscode.languages.getDiagnostics(uri);
      const now = show(last);
      if (now !== previous) {
        previous = now;
        stableSince = Date.now();
      }
      return what(last) && Date.now() - stableSince > 600;
    },
    label,
    30000,
  ).catch((err) => assert.fail(`${String(err)}\n${show(last)}`));
  return last;
}

/** No MCP Doctor diagnostic sits at the same range as one of VS Code's. */
function assertNoDuplicates(ds: readonly vscode.Diagnostic[]): void {
  const theirs = ds.filter((d) => !ours(d));
  for (const d of ds.filter(ours)) {
    const twin = theirs.find((t) => t.range.isEqual(d.range));
    assert.equal(
      twin,
      undefined,
      `MCP Doctor repeats VS Code at ${d.range.start.line}:${d.range.start.character}:\n${show(ds)}`,
    );
  }
}

async function quickFix(uri: vscode.Uri, range: vscode.Range, title: RegExp): Promise<vscode.CodeAction> {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const hit = actions.find((a) => title.test(a.title));
  assert.ok(hit, `a quick fix ${title} in ${actions.map((a) => a.title).join(', ')}`);
  return hit;
}

describe("Coexisting with VS Code's built-in MCP support", function () {
  this.timeout(120000);
  let api: DoctorTestApi;
  let dir: string;
  let file: string;

  before(async () => {
    api = await activateDoctor();
    dir = path.join(workspaceRoot(), 'coexist');
    file = path.join(dir, '.vscode', 'mcp.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
    await api.config.refresh();
  });

  it('never repeats a problem VS Code reports in mcp.json, and still offers the quick fix', async () => {
    // The key other clients use, and a missing comma: VS Code's schema and parser flag both.
    fs.writeFileSync(file, '{\n  "mcpServers": {\n    "a": { "command": "node" "args": [] }\n  }\n}\n');
    await api.config.refresh();
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const first = await settled(
      doc.uri,
      (ds) =>
        ds.some((d) => !ours(d) && /mcpServers/.test(d.message)) && ds.some((d) => /Expected comma/.test(d.message)),
      "VS Code's diagnostics for mcpServers and the missing comma",
    );
    assertNoDuplicates(first);
    assert.ok(!first.some((d) => ours(d) && ['MCP012', 'MCP001'].includes(codeOf(d))), show(first));
    // The rename is offered on VS Code's own diagnostic.
    const keyRange = new vscode.Range(1, 2, 1, 14);
    const rename = await quickFix(doc.uri, keyRange, /^Rename to "servers" \(MCP012\)$/);
    assert.ok(await vscode.workspace.applyEdit(rename.edit!));
    assert.match(doc.getText(), /^\{\n {2}"servers": \{/);
    await doc.save();

    // Next: an unknown variable, a URL without a scheme, another client's transport name.
    const text = [
      '{',
      '  "servers": {',
      '    "local": { "command": "node", "args": ["${workspaceFoldr}/server.js"] },',
      '    "remote": { "type": "http", "url": "localhost:8000/mcp" },',
      '    "other": { "type": "streamable-http", "url": "http://127.0.0.1:9/mcp" }',
      '  }',
      '}',
      '',
    ].join('\n');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
    await vscode.workspace.applyEdit(edit);
    await doc.save();
    const second = await settled(
      doc.uri,
      (ds) =>
        ds.some((d) => !ours(d) && /http:\/\/' or 'https:\/\//.test(d.message)) &&
        ds.some((d) => d.range.start.line === 2) &&
        ds.some((d) => d.range.start.line === 4),
      'VS Code and MCP Doctor diagnostics for the second version',
    );
    assertNoDuplicates(second);
    // One entry per problem: whoever reports it (VS Code's schema knows the URL scheme and the
    // type values; VS Code's MCP support checks variables only in the folder's own mcp.json).
    for (const line of [2, 3, 4]) {
      const here = second.filter((d) => d.range.start.line === line && d.severity <= vscode.DiagnosticSeverity.Warning);
      assert.equal(here.length, 1, `line ${line}:\n${show(second)}`);
    }
    assert.ok(!second.some((d) => ours(d) && codeOf(d) === 'MCP080'), 'VS Code reports the URL: MCP080 stays out');
    const addScheme = await quickFix(doc.uri, new vscode.Range(3, 40, 3, 60), /^Add "http:\/\/" \(MCP080\)$/);
    assert.ok(await vscode.workspace.applyEdit(addScheme.edit!));
    assert.match(doc.getText(), /"url": "http:\/\/localhost:8000\/mcp"/);
    const transport = await quickFix(doc.uri, new vscode.Range(4, 22, 4, 39), /^Change to "http" \(MCP018\)$/);
    assert.ok(await vscode.workspace.applyEdit(transport.edit!));
    assert.match(doc.getText(), /"other": \{ "type": "http"/);
    await doc.save();
  });

  it("leaves the start lenses of VS Code's mcp.json to VS Code unless told otherwise", async () => {
    const lensesOf = async (target: string) => {
      const uri = vscode.Uri.file(target);
      await vscode.workspace.openTextDocument(uri);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return lenses.map((l) => l.command?.command ?? '');
    };
    const vscodeFile = path.join(workspaceRoot(), '.vscode', 'mcp.json');
    const before = await lensesOf(vscodeFile);
    assert.ok(!before.some((c) => c.startsWith('mcpDoctor.')), `no MCP Doctor lens: ${before.join(', ')}`);
    assert.ok(before.includes('workbench.mcp.startServer'), "VS Code's own Start lenses are there");
    // Another client's file (Claude Code's .mcp.json) gets MCP Doctor's lenses.
    const claude = await lensesOf(path.join(workspaceRoot(), '.mcp.json'));
    assert.ok(claude.includes('mcpDoctor.startServer'), `Start in MCP Doctor in .mcp.json: ${claude.join(', ')}`);

    const settings = vscode.workspace.getConfiguration('mcpDoctor');
    await settings.update('vscodeMcpJson.startServersWith', 'mcpDoctor', vscode.ConfigurationTarget.Workspace);
    try {
      const after = await waitFor(async () => {
        const l = await lensesOf(vscodeFile);
        return l.includes('mcpDoctor.startServer') ? l : undefined;
      }, 'MCP Doctor lenses in .vscode/mcp.json');
      assert.ok(after.filter((c) => c === 'mcpDoctor.startServer').length >= 5, after.join(', '));
    } finally {
      await settings.update('vscodeMcpJson.startServersWith', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('shows a runtime finding that has a static twin once, with both sources', async function () {
    const repo = process.env.MCP_DOCTOR_REPO_ROOT ?? path.resolve(__dirname, '../../..');
    const python = path.join(repo, '.venv', 'bin', 'python');
    const source = path.join(dir, 'noisy_server.py');
    fs.copyFileSync(path.join(repo, 'test', 'fixtures', 'servers', 'fastmcp-print.py'), source);
    // Through the editor (the file is still open from the first test, and its text wins over the disk).
    const config = await vscode.workspace.openTextDocument(file);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      config.uri,
      new vscode.Range(0, 0, config.lineCount, 0),
      JSON.stringify({ servers: { noisy: { type: 'stdio', command: python, args: [source] } } }, null, 2),
    );
    await vscode.workspace.applyEdit(edit);
    await config.save();
    const doc = await vscode.workspace.openTextDocument(source);
    await vscode.window.showTextDocument(doc);
    const printLine = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('print('));
    await settled(
      doc.uri,
      (ds) => ds.some((d) => codeOf(d) === 'MCP101' && d.range.start.line === printLine),
      'the static MCP101 on the print line',
    );
    const manager = api.sessions;
    api.setAutoApprove(true);
    const server = await waitFor(
      () => api.config.servers.find((s) => s.name === 'noisy' && s.file === file),
      'the noisy server',
    );
    try {
      await vscode.commands.executeCommand('mcpDoctor.startServer', server.id);
      await waitFor(
        () => manager.get(server.id)?.findings.some((f) => f.code === 'MCP101' && f.origin === 'runtime'),
        'the runtime MCP101',
      ).catch((err) =>
        assert.fail(
          `${String(err)}: ${JSON.stringify(manager.get(server.id)?.state)} ${JSON.stringify(manager.get(server.id)?.findings)}\n${manager.terminal(server).text()}`,
        ),
      );
      const ds = await settled(
        doc.uri,
        (all) => all.some((d) => codeOf(d) === 'MCP101' && /\+ runtime/.test(d.source ?? '')),
        'one MCP101 standing for both',
      );
      const mcp101 = ds.filter((d) => codeOf(d) === 'MCP101' && d.range.start.line === printLine);
      assert.equal(mcp101.length, 1, show(ds));
      assert.equal(mcp101[0].source, 'MCP Doctor (rules + runtime)');
      assert.match(mcp101[0].message, /Seen at runtime too: /);
    } finally {
      await manager.stop(server.id);
      api.setAutoApprove(false);
    }
  });
});
