import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionView } from '../../src/core/session/types';
import type { DoctorTestApi } from '../../src/testApi';
import { clickThroughForm, DapRecorder, debugLens, localVariables, tracedCall, treeDescription } from './debugHelpers';
import { activateDoctor, demoServer, serverNode, waitFor, workspaceRoot } from './helpers';

/**
 * "Debug tool" in the real VS Code host: the code lens starts the server under the debugger
 * (debugpy for FastMCP, the Node inspector and VS Code's built-in JavaScript debugger for a
 * TypeScript server under tsx), stops at the first line of the tool with the call's arguments,
 * and delivers the result on continue. Every stop is observed through a DebugAdapterTracker.
 */
describe('Debug a tool', function () {
  this.timeout(300000);
  let api: DoctorTestApi;
  let dap: DapRecorder;

  before(async () => {
    api = await activateDoctor();
    api.setAutoApprove(true);
    dap = new DapRecorder();
  });

  after(async () => {
    dap.dispose();
    await vscode.debug.stopDebugging();
    await api.sessions.stopAll();
    await vscode.workspace
      .getConfiguration('mcpDoctor')
      .update('launch.toolCallTimeoutMs', undefined, vscode.ConfigurationTarget.Workspace);
    api.setAutoApprove(false);
  });

  /** Calls a tool once the plain way, so the form remembers these arguments. */
  async function callPlainly(serverId: string, toolName: string, args: Record<string, unknown>): Promise<void> {
    const outcome = await vscode.commands.executeCommand<{ ok: boolean; error?: unknown }>('mcpDoctor.callTool', {
      serverId,
      toolName,
      args,
    });
    assert.equal(outcome?.ok, true, JSON.stringify(outcome?.error));
  }

  it('FastMCP 4: "Debug" on the code lens stops at the first line of the tool with its arguments; continue gives the result; the trace has the call', async () => {
    const server = await demoServer(api, 'calc');
    const file = path.join(workspaceRoot(), 'debug', 'calc_server.py');
    await callPlainly(server.id, 'add', { a: 19, b: 23 });
    assert.doesNotMatch(treeDescription(server.id), /debugging/);

    const lens = await debugLens('debug/calc_server.py', 'add');
    assert.equal(lens.command!.title, '$(debug-alt) Debug');
    const from = dap.messages.length;
    const { value: stop, outcome } = await clickThroughForm(
      lens,
      () => dap.stopped(from),
      'the debuggee to stop in add (the form accepted with the remembered arguments)',
    );
    assert.equal(stop.session.type, 'mcp-doctor-python', 'no Python extension here: MCP Doctor’s own debug type');
    const frame = await waitFor(() => dap.topFrame(stop.session, stop.at), 'the stack VS Code asked for');
    assert.equal(frame.path, file);
    assert.equal(frame.line, 10, 'the first statement of add (after its docstring)');
    const vars = await localVariables(stop.session, frame.id);
    assert.equal(vars.get('a'), '19');
    assert.equal(vars.get('b'), '23');
    await waitFor(
      () => /paused in tool add/.test(treeDescription(server.id)),
      () => treeDescription(server.id),
    );
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, file, 'the editor shows the tool');

    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const result = (await outcome) as { ok: boolean; result?: { structuredContent?: unknown } };
    assert.equal(result.ok, true);
    assert.deepEqual(result.result?.structuredContent, { result: 42 });
    await waitFor(
      () => / · debugging$/.test(treeDescription(server.id)),
      () => treeDescription(server.id),
    );
    const traced = await waitFor(() => tracedCall(api, server.id, 'add'), 'the paired tools/call in the trace');
    assert.match(JSON.stringify(traced.response), /"result":42/);
  });

  it("a call that stays paused longer than the call timeout still succeeds after continue (true latency in the trace); the user's own breakpoint is kept", async () => {
    const server = await demoServer(api, 'calc');
    const file = path.join(workspaceRoot(), 'debug', 'calc_server.py');
    await vscode.workspace
      .getConfiguration('mcpDoctor')
      .update('launch.toolCallTimeoutMs', 1000, vscode.ConfigurationTarget.Workspace);
    const debugSession = vscode.debug.activeDebugSession;
    assert.ok(debugSession, 'the debug session of the previous test is still attached');
    // The user's own breakpoint in the tool (on `return total`) instead of MCP Doctor's.
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    const own = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(10, 0)));
    vscode.debug.addBreakpoints([own]);
    const lens = await debugLens('debug/calc_server.py', 'add');
    const from = dap.messages.length;
    const { value: stop, outcome } = await clickThroughForm(lens, () => dap.stopped(from), 'a stop in add');
    assert.equal(stop.session.id, debugSession.id, 'the running debug session is reused');
    const frame = await waitFor(() => dap.topFrame(stop.session, stop.at), 'the stack VS Code asked for');
    assert.equal(frame.line, 11, "stopped at the user's breakpoint");
    assert.deepEqual(
      vscode.debug.breakpoints.map((b) => (b as vscode.SourceBreakpoint).location?.range.start.line),
      [10],
      'no breakpoint added next to it',
    );
    const pausedAt = Date.now();
    // The condition under test is time passing: three times the call timeout.
    await waitFor(() => Date.now() - pausedAt > 3000, 'three call timeouts to pass while paused', 10000);
    assert.match(treeDescription(server.id), /paused in tool add/);
    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const result = (await outcome) as { ok: boolean; timedOut?: boolean; durationMs: number };
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.ok(result.durationMs > 3000, `the call took ${result.durationMs} ms`);
    const traced = await waitFor(() => {
      const t = tracedCall(api, server.id, 'add');
      return t && t.latencyMs > 3000 ? t : undefined;
    }, 'the paused call in the trace with its latency');
    assert.ok(traced.latencyMs > 3000);

    // Stopping the debug session stops the server.
    await vscode.debug.stopDebugging(stop.session);
    await waitFor(() => api.sessions.get(server.id)?.state.kind === 'stopped', 'the server to stop with the debugger');
    assert.doesNotMatch(treeDescription(server.id), /debugging|paused/);
  });

  it('TypeScript SDK under tsx: "Start with Debugger" from the tree, then the JavaScript debugger stops at the first line of the tool with its arguments', async () => {
    const server = await demoServer(api, 'notes-ts');
    const file = path.join(workspaceRoot(), 'debug', 'notes_server.ts');
    const node = serverNode(server.id)!;
    const started = await vscode.commands.executeCommand<SessionView>('mcpDoctor.startServerDebug', node);
    assert.equal(started?.state.kind, 'running', JSON.stringify(started?.state));
    await waitFor(
      () => / · debugging$/.test(treeDescription(server.id)),
      () => treeDescription(server.id),
    );
    const jsSession = vscode.debug.activeDebugSession;
    assert.ok(
      jsSession && ['node', 'pwa-node'].includes(jsSession.type),
      `a JavaScript debug session: ${jsSession?.type}`,
    );
    // No breakpoint in it yet: a plain call runs through (and the form remembers its arguments).
    await callPlainly(server.id, 'save_note', { title: ' Groceries ', body: 'milk, eggs' });

    const lens = await debugLens('debug/notes_server.ts', 'save_note');
    const from = dap.messages.length;
    const { value: stop, outcome } = await clickThroughForm(lens, () => dap.stopped(from), 'a stop in save_note');
    const frame = await waitFor(() => dap.topFrame(stop.session, stop.at), 'the stack VS Code asked for');
    assert.equal(frame.path, file, 'the TypeScript source, through the source map');
    assert.equal(frame.line, 16, 'the first statement of the save_note callback');
    const vars = await localVariables(stop.session, frame.id);
    assert.equal(vars.get('title'), "' Groceries '", JSON.stringify([...vars]));
    assert.equal(vars.get('body'), "'milk, eggs'");
    await waitFor(
      () => /paused in tool save_note/.test(treeDescription(server.id)),
      () => treeDescription(server.id),
    );

    await stop.session.customRequest('continue', { threadId: stop.threadId });
    const result = (await outcome) as { ok: boolean; result?: unknown };
    assert.equal(result.ok, true);
    assert.match(JSON.stringify(result.result), /saved groceries/);
    await waitFor(() => tracedCall(api, server.id, 'save_note'), 'the paired tools/call in the trace');

    // Stopping the server ends its debug session; the terminal kept the server's output.
    const view = await vscode.commands.executeCommand<SessionView>('mcpDoctor.stopServer', server.id);
    assert.equal(view?.state.kind, 'stopped');
    // VS Code keeps an ended session focused when no other is left, so its end is observed as an event.
    const ofServer = () => [...new Set(dap.messages.map((m) => m.session))].filter((s) => /notes-ts/.test(s.name));
    await waitFor(
      () => ofServer().every((s) => dap.ended.has(s.id)),
      () => `the debug sessions to end with the server: ${ofServer().map((s) => `${s.name} ${dap.ended.has(s.id)}`)}`,
    );
    const terminal = await vscode.commands.executeCommand<{ text: string }>('mcpDoctor.showTerminal', server.id);
    assert.match(terminal!.text, /--inspect-brk=127\.0\.0\.1:\d+/, 'the command line under the inspector');
    assert.match(terminal!.text, /Debugger listening on ws:/, "the server's stderr while debugging");
  });

  it("a Python without debugpy: MCP Doctor says so and offers to install it into the server's own environment; a failed install starts nothing", async () => {
    // A venv without debugpy and without pip, so that accepting the offer changes nothing on the machine.
    const venv = path.join(workspaceRoot(), 'debug', '.venv-bare');
    fs.rmSync(venv, { recursive: true, force: true });
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    const server = await demoServer(api, 'bare-python');
    let ended: { execution: vscode.TaskExecution; exitCode: number | undefined } | undefined;
    const sub = vscode.tasks.onDidEndTaskProcess((e) => (ended ??= e));
    try {
      await vscode.commands.executeCommand('notifications.clearAll');
      let returned: { value: unknown } | undefined;
      const start = Promise.resolve(
        vscode.commands.executeCommand<SessionView | undefined>('mcpDoctor.startServerDebug', serverNode(server.id)),
      ).then((value) => (returned = { value }));
      // The offer is the newest notification; its one button ("Install debugpy") is its primary action.
      await waitFor(async () => {
        if (ended || returned) return true;
        await vscode.commands.executeCommand('notification.acceptPrimaryAction');
        return undefined;
      }, 'the install offer to be accepted and its task to end');
      await start;
      assert.ok(ended, `the offer ran an install task (the start returned ${JSON.stringify(returned?.value)})`);
      const task = ended.execution.task;
      assert.equal(task.name, 'Install debugpy for bare-python');
      const exec = task.execution as vscode.ProcessExecution;
      assert.equal(exec.process, path.join(venv, 'bin', 'python'), "the server's own interpreter");
      assert.deepEqual(exec.args, ['-m', 'pip', 'install', 'debugpy']);
      assert.notEqual(ended.exitCode, 0, 'no pip in this venv: the install fails');
      assert.equal(returned?.value, undefined, 'nothing started');
      assert.notEqual(api.sessions.get(server.id)?.state.kind, 'running');
      assert.doesNotMatch(treeDescription(server.id), /debugging/);
    } finally {
      sub.dispose();
      await vscode.commands.executeCommand('notifications.clearAll');
      fs.rmSync(venv, { recursive: true, force: true });
    }
  });
});
