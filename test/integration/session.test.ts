import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CallOutcome } from '../../src/core/session/mcpSession';
import type { SessionView } from '../../src/core/session/types';
import type { DoctorTestApi } from '../../src/testApi';
import { consentKey } from '../../src/vscode/session/consent';
import type { SessionManager } from '../../src/vscode/session/sessionManager';
import { resultView, shows } from './browser';
import { activateDoctor, demoServer, serverNode, treeProvider, waitFor, workspaceRoot } from './helpers';

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function textOf(outcome: CallOutcome): string {
  const content = (outcome.result as { content?: { type: string; text?: string }[] } | undefined)?.content ?? [];
  return content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

function diagnosticsWithCode(file: string, code: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => {
    const value = typeof d.code === 'object' ? d.code.value : d.code;
    return String(value) === code;
  });
}

/** Diagnostics with this code on any of the files (the finding may be located in source or on the config entry). */
function findDiagnostic(files: string[], code: string): { file: string; diagnostic: vscode.Diagnostic } | undefined {
  for (const file of files) {
    const [diagnostic] = diagnosticsWithCode(file, code);
    if (diagnostic) return { file, diagnostic };
  }
  return undefined;
}

describe('Sessions (live servers)', function () {
  this.timeout(90000);
  let api: DoctorTestApi;
  let manager: SessionManager;
  let configFile: string;

  before(async () => {
    api = await activateDoctor();
    manager = api.sessions;
    api.setAutoApprove(true);
    configFile = path.join(workspaceRoot(), '.vscode', 'mcp.json');
  });

  after(async () => {
    await manager?.stopAll();
    api.setAutoApprove(false);
  });

  it('starts server-everything, shows its tools in the tree, calls echo, and stops it leaving no process', async () => {
    const server = await demoServer(api, 'everything');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', { serverId: server.id }))!;
    assert.equal(view.state.kind, 'running', `state: ${JSON.stringify(view.state)}`);
    assert.ok(view.pid && view.pid > 0, 'running stdio session has a pid');

    const tree = treeProvider();
    const node = await waitFor(() => {
      const n = serverNode(server.id);
      return n && tree.getTreeItem(n).contextValue === 'server.running' ? n : undefined;
    }, 'the everything server node in state running');
    assert.match(String(tree.getTreeItem(node).description), /^stdio · running, 2025 era \(\d+ tools?\)$/);
    const toolsGroup = await waitFor(
      () => tree.getChildren(node).find((n) => n.kind === 'group' && n.group === 'tools'),
      'the Tools group',
    );
    assert.match(String(tree.getTreeItem(toolsGroup).label), /^Tools \(\d+\)$/);
    const tools = tree.getChildren(toolsGroup);
    const echo = tools.find((n) => n.kind === 'tool' && n.tool.name === 'echo');
    assert.ok(echo, `echo in ${tools.map((t) => tree.getTreeItem(t).label).join(', ')}`);
    assert.equal(tree.getTreeItem(echo).contextValue, 'tool');
    assert.equal(tree.getTreeItem(echo).command?.command, 'mcpDoctor.callTool');

    const outcome = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'echo',
      args: { message: 'hello from the doctor' },
    }))!;
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.match(textOf(outcome), /hello from the doctor/);
    const result = await resultView('everything');
    await shows(result, 'echo', 'hello from the doctor');
    assert.match(await result.text('.record-head .meta'), /Succeeded$/);
    assert.equal(api.sessions!.toolStats('echo', server.id)?.calls, 1);

    const terminal = (await vscode.commands.executeCommand<{ name: string; text: string }>('mcpDoctor.showTerminal', {
      serverId: server.id,
    }))!;
    assert.equal(terminal.name, 'MCP: everything');
    assert.match(terminal.text, /\$ node .*server-everything\/dist\/index\.js stdio/);
    assert.match(terminal.text, /initialized in \d+ ms \(protocol /);

    const pid = view.pid!;
    const stopped = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.stopServer', {
      serverId: server.id,
    }))!;
    assert.equal(stopped.state.kind, 'stopped');
    await waitFor(() => isGone(pid), `process ${pid} to be gone`, 10000);
    // The session is kept after stop: the tree still lists the last tools.
    assert.equal(manager.get(server.id)?.state.kind, 'stopped');
    await waitFor(() => {
      const n = serverNode(server.id);
      return n && tree.getTreeItem(n).contextValue === 'server.stopped';
    }, 'the server node to show stopped');
  });

  it('runs server-memory with redacted env values in its terminal', async () => {
    const server = await demoServer(api, 'memory');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    await waitFor(() => manager.get(server.id)?.tools.some((t) => t.name === 'read_graph'), 'memory tools');
    const outcome = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'read_graph',
      args: {},
    }))!;
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const terminal = manager.terminal(server).text();
    assert.match(terminal, /MEMORY_API_TOKEN=\*\*\*/);
    assert.doesNotMatch(terminal, /not-a-real-secret/);
    await vscode.commands.executeCommand('mcpDoctor.stopServer', server.id);
    assert.equal(manager.get(server.id)?.state.kind, 'stopped');

    const report = (await vscode.commands.executeCommand<string>('mcpDoctor.copyReport', server.id))!;
    assert.match(report, /MEMORY_API_TOKEN/);
    assert.doesNotMatch(report, /not-a-real-secret/);
    assert.equal(await vscode.env.clipboard.readText(), report);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
  });

  it('runs the stdlib Python server and calls its echo tool by server name', async () => {
    const server = await demoServer(api, 'good-python');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', { serverId: server.id }))!;
    assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
    await waitFor(() => manager.get(server.id)?.tools.some((t) => t.name === 'echo'), 'good-stdio tools');
    const outcome = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', {
      serverId: 'good-python',
      toolName: 'echo',
      args: { message: 'py' },
    }))!;
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    assert.equal(textOf(outcome), 'py');
    // An isError result is shown as such.
    const failed = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'fail',
      args: {},
    }))!;
    assert.equal(failed.isError, true);
    const result = await resultView('good-python');
    await shows(result, 'fail', 'the tool reported a failure (isError: true)');
    assert.equal(await result.eval((_: null, doc) => doc.querySelectorAll('.record-head.s-tool-error').length), 1);
    const pid = manager.get(server.id)!.pid!;
    await vscode.commands.executeCommand('mcpDoctor.stopServer', { serverId: server.id });
    await waitFor(() => isGone(pid), `python process ${pid} to be gone`, 10000);
  });

  it('reads resources, gets prompts, reports progress and explains JSON-RPC errors', async () => {
    const server = await demoServer(api, 'good-python');
    // Not running: callTool starts the server itself (consent pre-approved) and then calls.
    assert.notEqual(manager.get(server.id)?.state.kind, 'running');
    const slow = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.callTool', {
      serverId: server.id,
      toolName: 'slow',
      args: { steps: 2, delay: 0.05 },
    }))!;
    assert.equal(slow.ok, true, JSON.stringify(slow.error));
    assert.equal(textOf(slow), 'done after 2 steps');
    assert.equal(manager.get(server.id)?.state.kind, 'running');

    const resource = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.readResource', {
      serverId: server.id,
      uri: 'mem://readme',
    }))!;
    assert.equal(resource.ok, true, JSON.stringify(resource.error));
    const result = await resultView('good-python');
    await shows(result, 'mem://readme', 'hello from good-stdio');
    assert.match(await result.text('.record-head h1'), /^Resource mem:\/\/readme$/);

    const prompt = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.getPrompt', {
      serverId: server.id,
      promptName: 'greet',
      args: { who: 'Ada' },
    }))!;
    assert.equal(prompt.ok, true, JSON.stringify(prompt.error));
    await shows(result, 'greet', 'Say hello to Ada');
    assert.match(await result.text('.b-message .block-type'), /^user$/);

    const missing = (await vscode.commands.executeCommand<CallOutcome>('mcpDoctor.readResource', {
      serverId: server.id,
      uri: 'mem://missing',
    }))!;
    assert.equal(missing.ok, false);
    assert.equal(missing.error?.code, -32602);
    await shows(result, 'mem://missing', 'JSON-RPC error -32602');
    assert.match(await result.text('.banner.error'), /Invalid params/);
    await vscode.commands.executeCommand('mcpDoctor.stopServer', server.id);
  });

  it('stops the server on Ctrl+C in its terminal, but not when the terminal is closed', async () => {
    const server = await demoServer(api, 'good-python');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.equal(view.state.kind, 'running');
    const first = manager.terminal(server).show(true);
    first.dispose();
    await waitFor(() => !vscode.window.terminals.includes(first), 'the terminal to close');
    assert.equal(manager.get(server.id)?.state.kind, 'running', 'closing the terminal keeps the server running');

    await vscode.commands.executeCommand('mcpDoctor.showTerminal', server.id);
    const terminal = await waitFor(
      () => vscode.window.terminals.find((t) => t.name === 'MCP: good-python'),
      'the reopened terminal',
    );
    assert.match(manager.terminal(server).text(), /initialized in \d+ ms/, 'history is kept across reopen');
    terminal.sendText('\x03', false);
    await waitFor(() => manager.get(server.id)?.state.kind === 'stopped', 'Ctrl+C to stop the server');
    await waitFor(() => isGone(view.pid!), `process ${view.pid} to be gone`, 10000);
  });

  it('restarts a running server when its source changes in watch mode', async () => {
    const settings = vscode.workspace.getConfiguration('mcpDoctor');
    await settings.update('launch.watch', true, vscode.ConfigurationTarget.Workspace);
    try {
      const server = await demoServer(api, 'polluting');
      const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
      assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
      const source = vscode.Uri.file(path.join(workspaceRoot(), 'servers', 'polluting_server.py'));
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
      await vscode.workspace.fs.writeFile(source, new TextEncoder().encode(`${text}\n# touched by the watch test\n`));
      await waitFor(
        () => {
          const now = manager.get(server.id);
          return now?.state.kind === 'running' && now.pid !== view.pid;
        },
        'a restart with a new process',
        20000,
      );
      assert.match(manager.terminal(server).text(), /polluting_server\.py changed: restarting/);
      await waitFor(() => isGone(view.pid!), `old process ${view.pid} to be gone`, 10000);
    } finally {
      await settings.update('launch.watch', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await manager.stopAll();
  });

  it('reports stdout pollution as MCP101 with a docs link', async () => {
    const server = await demoServer(api, 'polluting');
    const source = path.join(workspaceRoot(), 'servers', 'polluting_server.py');
    await vscode.commands.executeCommand('mcpDoctor.startServer', server.id);
    await waitFor(
      () => manager.get(server.id)?.findings.some((f) => f.code === 'MCP101' && f.origin === 'runtime'),
      'a runtime MCP101 finding',
    );
    const hit = await waitFor(() => findDiagnostic([source, configFile], 'MCP101'), 'an MCP101 diagnostic');
    const code = hit.diagnostic.code as { value: string; target: vscode.Uri };
    // The page ships in the extension: the link works offline.
    assert.equal(code.target.scheme, 'file');
    assert.ok(code.target.fsPath.endsWith(path.join('docs', 'rules', 'MCP101.md')), code.target.fsPath);
    assert.ok(fs.existsSync(code.target.fsPath), `${code.target.fsPath} exists`);
    assert.equal(hit.diagnostic.source, 'MCP Doctor');
    if (hit.file === source) assert.equal(hit.diagnostic.range.start.line, 7, 'located on the print() line');
    assert.match(manager.terminal(server).text(), /stdout: Weather server starting up/);
    await vscode.commands.executeCommand('mcpDoctor.stopServer', server.id);
  });

  it('reports a crash at start as MCP708 and marks the server in the tree', async () => {
    const server = await demoServer(api, 'crashing');
    const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
    assert.notEqual(view.state.kind, 'running');
    const source = path.join(workspaceRoot(), 'servers', 'crash_server.py');
    const hit = await waitFor(() => findDiagnostic([source, configFile], 'MCP708'), 'an MCP708 diagnostic');
    assert.equal(hit.diagnostic.severity, vscode.DiagnosticSeverity.Error);
    const tree = treeProvider();
    const node = await waitFor(() => {
      const n = serverNode(server.id);
      return n && /^server\.(error|stopped)$/.test(tree.getTreeItem(n).contextValue ?? '') ? n : undefined;
    }, 'the crashing server node');
    const problems = tree.getChildren(node).find((n) => n.kind === 'problems');
    assert.ok(problems, 'a Problems node under the server');
    assert.ok(tree.getChildren(problems).some((n) => n.kind === 'problem' && n.finding.code === 'MCP708'));
    assert.match(manager.terminal(server).text(), /FileNotFoundError/);
  });

  it('reports a server that never answers initialize as MCP707 within the startup timeout', async () => {
    const settings = vscode.workspace.getConfiguration('mcpDoctor');
    await settings.update('launch.startupTimeoutMs', 1500, vscode.ConfigurationTarget.Workspace);
    try {
      const server = await demoServer(api, 'hanging');
      const started = Date.now();
      const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
      assert.ok(Date.now() - started < 15000, 'start gave up near the short timeout');
      assert.equal(view.state.kind, 'error', JSON.stringify(view.state));
      const hit = await waitFor(
        () => findDiagnostic([configFile], 'MCP707'),
        'an MCP707 diagnostic on the config entry',
      );
      assert.equal(hit.diagnostic.range.start.line, server.range.start.line);
      const pid = manager.get(server.id)?.pid;
      if (pid) await waitFor(() => isGone(pid), `hung process ${pid} to be killed`, 10000);
    } finally {
      await settings.update('launch.startupTimeoutMs', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('launches without asking when this exact command line was approved, and forgets approvals on request', async () => {
    const server = await demoServer(api, 'good-python');
    const resolved = (await api.config.resolveForLaunch(server))!;
    const state = api.context.workspaceState;
    await state.update('mcpDoctor.launchConsents', [consentKey(resolved, server)]);
    api.setAutoApprove(false);
    try {
      // No modal: the approval stored for this command line is found.
      const view = (await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServer', server.id))!;
      assert.equal(view.state.kind, 'running', JSON.stringify(view.state));
      await vscode.commands.executeCommand('mcpDoctor.stopServer', server.id);
    } finally {
      api.setAutoApprove(true);
    }
    // A changed argument or cwd is a different command line and would ask again.
    assert.notEqual(consentKey({ ...resolved, args: [...(resolved.args ?? []), '--debug'] }), consentKey(resolved));
    assert.notEqual(consentKey({ ...resolved, cwd: '/tmp' }), consentKey(resolved));
    // So are an added env variable (NODE_OPTIONS), another envFile and another header.
    assert.notEqual(
      consentKey(resolved, { ...server, env: { ...server.env, NODE_OPTIONS: '--require ./x.js' } }),
      consentKey(resolved, server),
    );
    assert.notEqual(consentKey({ ...resolved, envFile: '/tmp/.env' }, server), consentKey(resolved, server));
    assert.notEqual(
      consentKey(resolved, { ...server, headers: { Authorization: 'Bearer ${env:T}' } }),
      consentKey(resolved, server),
    );
    assert.equal(await vscode.commands.executeCommand<number>('mcpDoctor.resetConsent'), 1);
    assert.equal(state.get('mcpDoctor.launchConsents'), undefined);
  });
});

/**
 * Runs only when the folder opens untrusted (VSCODE_SHIM_TRUST=0; the manifest must declare
 * `capabilities.untrustedWorkspaces.supported: "limited"` for the extension to load at all).
 */
describe('Sessions in an untrusted workspace', function () {
  this.timeout(30000);

  before(function () {
    if (vscode.workspace.isTrusted) this.skip();
  });

  it('does not start servers from workspace configs, and the tree says why', async () => {
    const api = await activateDoctor();
    const manager = api.sessions;
    api.setAutoApprove(true);
    try {
      const server = await demoServer(api, 'good-python');
      assert.equal(server.scope, 'workspace');
      const view = await vscode.commands.executeCommand<SessionView | undefined>('mcpDoctor.startServer', server.id);
      assert.equal(view, undefined, 'nothing was launched');
      assert.equal(manager.get(server.id), undefined);
      const tree = treeProvider();
      const item = tree.getTreeItem(await waitFor(() => serverNode(server.id), 'the server node'));
      assert.equal(item.description, 'stdio · not started (untrusted workspace)');
      assert.equal(item.contextValue, 'server.stopped');
      const outcome = await vscode.commands.executeCommand('mcpDoctor.callTool', {
        serverId: server.id,
        toolName: 'echo',
        args: { message: 'x' },
      });
      assert.equal(outcome, undefined, 'calling a tool does not launch the server either');
    } finally {
      api.setAutoApprove(false);
    }
  });
});
