import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerConfig } from '../../core/config/types';
import { toolEntry, type ToolEntry } from '../../core/debug/handlers';
import { serversForSource } from '../../core/debug/target';
import type { SessionView } from '../../core/session/types';
import type { Services } from '../services';
import { isTreeNode } from '../treeNodes';
import { DebugpyAdapterFactory, PYTHON_DEBUG_TYPE } from './configs';
import { DebugLaunch, type DebugDeps } from './debugLaunch';

/** What the debug area needs from the others. */
type DebugAreaDeps = Pick<Services, 'context' | 'log' | 'config' | 'sessions' | 'tools'>;

/** Argument of `mcpDoctor.debugTool` (the code lens gives the tool and its file). */
interface DebugToolArg {
  toolName: string;
  file?: string;
  serverId?: string;
}

/**
 * The debug area: "Start with Debugger" on servers and "Debug" on tool definitions. It starts
 * servers under debugpy or the Node inspector through the session area (a launch variant), attaches
 * VS Code's debugger, watches the Debug Adapter Protocol traffic of its debug sessions through a
 * tracker (pauses hold the session's timeouts; the tree says where it is paused), and for "Debug
 * tool" sets a breakpoint at the handler's first line and calls the tool through the usual form.
 */
export function registerDebug(services: DebugAreaDeps): void {
  const controller = new DebugController(services);
  services.context.subscriptions.push(
    controller,
    vscode.debug.registerDebugAdapterDescriptorFactory(PYTHON_DEBUG_TYPE, new DebugpyAdapterFactory()),
    vscode.debug.registerDebugAdapterTrackerFactory('*', controller),
    vscode.debug.onDidStartDebugSession((s) => controller.launchOf(s)?.debugSessionStarted(s)),
    vscode.debug.onDidTerminateDebugSession((s) => controller.ended(s)),
    vscode.commands.registerCommand('mcpDoctor.startServerDebug', (arg: unknown) => controller.startServer(arg)),
    vscode.commands.registerCommand('mcpDoctor.debugTool', (arg: unknown) => controller.debugTool(arg)),
  );
}

class DebugController implements vscode.DebugAdapterTrackerFactory, vscode.Disposable {
  private readonly launches = new Set<DebugLaunch>();
  private readonly deps: DebugDeps;

  constructor(private readonly services: DebugAreaDeps) {
    this.deps = services;
  }

  /** The launch a debug session (or its parent) belongs to. */
  launchOf(session: vscode.DebugSession): DebugLaunch | undefined {
    for (const launch of this.launches) if (launch.owns(session)) return launch;
    return undefined;
  }

  /** The live debug launch of a server, if it runs under the debugger now. */
  liveLaunch(serverId: string): DebugLaunch | undefined {
    const variant = this.services.sessions.variantOf(serverId);
    return variant instanceof DebugLaunch && variant.isLive ? variant : undefined;
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterTracker> {
    return this.launchOf(session)?.tracker(session);
  }

  ended(session: vscode.DebugSession): void {
    const launch = this.launchOf(session);
    if (!launch) return;
    launch.debugSessionEnded(session);
    if (!launch.isLive) this.forget(launch);
  }

  /** "Start with Debugger" on a server (tree node, id or name); asks which when none is given. */
  async startServer(arg: unknown): Promise<SessionView | undefined> {
    const server = await this.serverOf(arg);
    if (!server) return undefined;
    return (await this.start(server))?.view;
  }

  /**
   * "Debug tool": the server under the debugger (started, or restarted from a plain start), a
   * breakpoint at the first line of the tool's handler unless one of the user's is in it, then
   * the tool called through the usual form with the last arguments prefilled. Resolves with the
   * call's outcome once the debuggee ran on and the result arrived.
   */
  async debugTool(arg: unknown): Promise<unknown> {
    const a = toolArg(arg);
    if (!a) {
      void vscode.window.showErrorMessage('Debug tool: run it from the "Debug" code lens above a tool definition.');
      return undefined;
    }
    const entry = a.file ? toolEntry(await this.services.tools.definitions(a.file), a.toolName) : undefined;
    const breakpoint = entry && !userBreakpointIn(entry) ? entry : undefined;

    let launch = this.launchWithTool(a.toolName, a.serverId);
    if (launch) {
      if (breakpoint) {
        // Sent to the running adapter asynchronously: wait until it has it before calling.
        const sent = launch.breakpointsReached(breakpoint.file);
        launch.addBreakpoint(breakpoint.file, breakpoint.line);
        await sent;
      }
    } else {
      const server = await this.serverForTool(a);
      if (!server) return undefined;
      const started = await this.start(server, breakpoint);
      if (started?.view.state.kind !== 'running') return undefined;
      launch = started.launch;
    }
    return vscode.commands.executeCommand('mcpDoctor.callTool', {
      serverId: launch.server.id,
      toolName: a.toolName,
      file: a.file,
    });
  }

  /** Starts a server under the debugger (replacing a running start); a breakpoint first, if given. */
  private async start(
    server: ServerConfig,
    breakpoint?: ToolEntry,
  ): Promise<{ view: SessionView; launch: DebugLaunch } | undefined> {
    const launch = new DebugLaunch(server, this.deps);
    this.launches.add(launch);
    // Set before the debugger attaches, so it is part of the debugger's first configuration.
    if (breakpoint) launch.addBreakpoint(breakpoint.file, breakpoint.line);
    const view = await this.services.sessions.startWith(server, launch);
    if (!view || !launch.isLive) {
      this.forget(launch);
      return undefined;
    }
    if (view.state.kind !== 'running')
      void vscode.window.showErrorMessage(
        `"${server.name}" did not start under the debugger: ${view.state.kind === 'error' ? view.state.reason : view.state.kind}. Its terminal shows why.`,
      );
    return { view, launch };
  }

  private forget(launch: DebugLaunch): void {
    launch.dispose();
    this.launches.delete(launch);
  }

  /** A live debug launch whose server lists the tool (the given server's, when one is named). */
  private launchWithTool(toolName: string, serverId: string | undefined): DebugLaunch | undefined {
    for (const view of this.services.sessions.all()) {
      if (serverId && view.serverId !== serverId) continue;
      const launch = this.liveLaunch(view.serverId);
      if (launch?.debugSession && view.state.kind === 'running' && view.tools.some((t) => t.name === toolName))
        return launch;
    }
    return undefined;
  }

  /**
   * The server to debug a tool on: the one named, else a running server that has the tool, else
   * a configured server that runs the tool's file (asked when several could).
   */
  private async serverForTool(a: DebugToolArg): Promise<ServerConfig | undefined> {
    const sessions = this.services.sessions;
    if (a.serverId) return sessions.findServer(a.serverId);
    const running = sessions
      .all()
      .filter((v) => v.state.kind === 'running' && v.tools.some((t) => t.name === a.toolName))
      .flatMap((v) => sessions.findServer(v.serverId) ?? []);
    const launchable = running.filter((s) => !!s.command);
    const candidates = launchable.length
      ? launchable
      : a.file
        ? serversForSource(this.services.config.servers, a.file, folderOf)
        : [];
    if (!candidates.length) {
      void vscode.window.showErrorMessage(
        running.length
          ? `The servers that have the tool "${a.toolName}" are remote (a url without a command): MCP Doctor does not start them, so it cannot start them under a debugger.`
          : `No configured server runs "${a.file ? path.basename(a.file) : a.toolName}" that MCP Doctor can start under a debugger. Add it to .vscode/mcp.json.`,
      );
      return undefined;
    }
    if (candidates.length === 1) return candidates[0];
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: s.name, description: s.transport, detail: s.file, server: s })),
      { placeHolder: `Which server should run "${a.toolName}" under the debugger?` },
    );
    return picked?.server;
  }

  private async serverOf(arg: unknown): Promise<ServerConfig | undefined> {
    const sessions = this.services.sessions;
    let id: string | undefined;
    if (typeof arg === 'string') id = arg;
    else if (isTreeNode(arg) && 'server' in arg) id = arg.server.id;
    else if (isTreeNode(arg) && 'serverId' in arg) id = arg.serverId;
    else if (arg && typeof arg === 'object' && typeof (arg as { serverId?: unknown }).serverId === 'string')
      id = (arg as { serverId: string }).serverId;
    if (id) {
      const found = sessions.findServer(id);
      if (!found) void vscode.window.showErrorMessage(`No configured MCP server has the id or name "${id}".`);
      return found;
    }
    const candidates = this.services.config.servers.filter((s) => !!s.command && !s.disabled);
    if (!candidates.length) {
      void vscode.window.showInformationMessage(
        'No configured server is started by MCP Doctor, so none can be debugged.',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((s) => ({ label: s.name, description: s.transport, detail: s.file, server: s })),
      { placeHolder: 'Server to start with the debugger' },
    );
    return picked?.server;
  }

  dispose(): void {
    for (const launch of this.launches) launch.dispose();
    this.launches.clear();
  }
}

function toolArg(arg: unknown): DebugToolArg | undefined {
  if (isTreeNode(arg) && arg.kind === 'tool') return { toolName: arg.tool.name, serverId: arg.serverId };
  if (!arg || typeof arg !== 'object') return undefined;
  const o = arg as { toolName?: unknown; file?: unknown; serverId?: unknown };
  if (typeof o.toolName !== 'string') return undefined;
  return {
    toolName: o.toolName,
    file: typeof o.file === 'string' ? o.file : undefined,
    serverId: typeof o.serverId === 'string' ? o.serverId : undefined,
  };
}

/** An enabled breakpoint of the user's inside the handler: "Debug tool" respects it. */
function userBreakpointIn(entry: ToolEntry): boolean {
  return vscode.debug.breakpoints.some(
    (b) =>
      b instanceof vscode.SourceBreakpoint &&
      b.enabled &&
      path.resolve(b.location.uri.fsPath) === path.resolve(entry.file) &&
      b.location.range.start.line >= entry.startLine &&
      b.location.range.start.line <= entry.endLine,
  );
}

function folderOf(file: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
}
