import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorTestApi } from '../../src/testApi';
import { serverNode, treeProvider, waitFor, workspaceRoot } from './helpers';

/** A DAP message as a tracker sees it. */
interface Dap {
  type?: string;
  seq?: number;
  event?: string;
  command?: string;
  request_seq?: number;
  body?: Record<string, unknown>;
}

/**
 * Records the Debug Adapter Protocol traffic of every debug session, as a DebugAdapterTracker
 * registered by the test (independent of the extension's own tracker).
 */
export class DapRecorder implements vscode.Disposable {
  readonly messages: { session: vscode.DebugSession; dir: 'in' | 'out'; msg: Dap }[] = [];
  /** The ids of the debug sessions VS Code ended (`onDidTerminateDebugSession`). */
  readonly ended = new Set<string>();
  private readonly registrations: vscode.Disposable[];

  constructor() {
    this.registrations = [
      vscode.debug.registerDebugAdapterTrackerFactory('*', {
        createDebugAdapterTracker: (session) => ({
          onDidSendMessage: (msg: Dap) => this.messages.push({ session, dir: 'in', msg }),
          onWillReceiveMessage: (msg: Dap) => this.messages.push({ session, dir: 'out', msg }),
        }),
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.ended.add(s.id)),
    ];
  }

  /** The first `stopped` event after `from`, with its session. */
  stopped(from: number): { session: vscode.DebugSession; threadId: number; at: number } | undefined {
    for (let i = from; i < this.messages.length; i++) {
      const { session, dir, msg } = this.messages[i];
      if (dir === 'in' && msg.type === 'event' && msg.event === 'stopped')
        return { session, threadId: msg.body?.threadId as number, at: i };
    }
    return undefined;
  }

  /** The top frame of the first `stackTrace` response VS Code got from that session after `from`. */
  topFrame(session: vscode.DebugSession, from: number): { id: number; path?: string; line: number } | undefined {
    for (let i = from; i < this.messages.length; i++) {
      const { session: s, dir, msg } = this.messages[i];
      if (s.id !== session.id || dir !== 'in' || msg.type !== 'response' || msg.command !== 'stackTrace') continue;
      const frames = msg.body?.stackFrames as { id: number; line: number; source?: { path?: string } }[] | undefined;
      // A remote window (code-server) may see sources as URIs (`vscode-remote://host/path`).
      const p = frames?.[0]?.source?.path;
      const file = p && /^[a-z][\w+.-]+:\/\//i.test(p) ? vscode.Uri.parse(p).path : p;
      if (frames?.length) return { id: frames[0].id, path: file, line: frames[0].line };
    }
    return undefined;
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
  }
}

/**
 * The variables of a frame's own scopes (not the globals), read with DAP `scopes` and
 * `variables`: `Locals` for debugpy; `Local` (and a `Block` scope for its `const`s) for js-debug.
 */
export async function localVariables(session: vscode.DebugSession, frameId: number): Promise<Map<string, string>> {
  const { scopes } = (await session.customRequest('scopes', { frameId })) as {
    scopes: { name: string; variablesReference: number; expensive?: boolean }[];
  };
  const own = scopes.filter((s) => !s.expensive && /^(locals?|block)\b/i.test(s.name));
  assert.ok(own.length, `the frame has its own scope: ${scopes.map((s) => s.name).join(', ')}`);
  const found = new Map<string, string>();
  for (const scope of own) {
    const { variables } = (await session.customRequest('variables', {
      variablesReference: scope.variablesReference,
    })) as { variables: { name: string; value: string }[] };
    for (const v of variables) if (!found.has(v.name)) found.set(v.name, v.value);
  }
  return found;
}

/** The "Debug" code lens of a tool in a workspace file, as the editor gets it. */
export async function debugLens(relativeFile: string, toolName: string): Promise<vscode.CodeLens> {
  const file = path.join(workspaceRoot(), relativeFile);
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  return waitFor(async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    return lenses.find(
      (l) =>
        l.command?.command === 'mcpDoctor.debugTool' &&
        (l.command.arguments?.[0] as { toolName?: string } | undefined)?.toolName === toolName,
    );
  }, `the Debug code lens of ${toolName}`);
}

/**
 * Clicks a code lens whose command opens the tool form: runs it, accepting each prefilled field
 * of the form, until `until` holds (the debuggee stopped). Resolves with the command's promise.
 */
export async function clickThroughForm<T>(
  lens: vscode.CodeLens,
  until: () => T | undefined,
  what: string,
): Promise<{ value: T; outcome: Promise<unknown> }> {
  let ended: { value: unknown } | undefined;
  const outcome = Promise.resolve(
    vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? [])),
  ).then((value) => {
    ended = { value };
    return value;
  });
  const hit = await waitFor(
    async () => {
      const v = until();
      if (v) return { v };
      if (ended) return { ended };
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return undefined;
    },
    what,
    180000,
  );
  if (!('v' in hit)) throw new Error(`the command ended before ${what}, with ${JSON.stringify(hit.ended?.value)}`);
  return { value: hit.v as T, outcome };
}

/** The server's description in the Servers tree, as the user reads it. */
export function treeDescription(serverId: string): string {
  const node = serverNode(serverId);
  return node ? String(treeProvider().getTreeItem(node).description ?? '') : '';
}

/** The last tools/call of a tool in the server's live trace, with its paired response. */
export function tracedCall(
  api: DoctorTestApi,
  serverId: string,
  tool: string,
): { latencyMs: number; response: unknown } | undefined {
  const session = api.trace.hub
    .all()
    .filter((s) => s.serverId === serverId)
    .pop();
  if (!session) return undefined;
  const entries = [...session.recorder.entries()];
  const call = entries.filter((e) => e.dir === 'out' && e.method === 'tools/call' && e.tool === tool).pop();
  if (!call?.pair || call.latencyMs === undefined) return undefined;
  return { latencyMs: call.latencyMs, response: session.recorder.get(call.pair)?.msg };
}
