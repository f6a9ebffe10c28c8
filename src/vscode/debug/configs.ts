import * as vscode from 'vscode';
import { DEBUG_HOST, type DebugPlan } from '../../core/debug/launchPlan';

/** The debug configuration key that names the launch a debug session belongs to. */
export const LAUNCH_KEY = '__mcpDoctorLaunch';

/**
 * MCP Doctor's own Python debug type, for a VS Code without the Python debugger extension
 * (bare VS Code, code-server): its adapter is debugpy's own, which the server's `debugpy
 * --listen` runs on a loopback port; VS Code talks the Debug Adapter Protocol to it through
 * MCP Doctor's relay (`DebugRelay`), which waits for it to listen.
 */
export const PYTHON_DEBUG_TYPE = 'mcp-doctor-python';

/** The Python debugger extension, whose `debugpy` type is used when it is installed. */
const PYTHON_DEBUGGER_EXTENSION = 'ms-python.debugpy';

/** How VS Code attaches to a server started by a debug plan. */
export function debugConfiguration(
  plan: DebugPlan,
  /** Where VS Code connects: the inspector's port, or the relay in front of debugpy's. */
  port: number,
  serverName: string,
  launchId: string,
  cwd: string | undefined,
): vscode.DebugConfiguration {
  const name = `MCP: ${serverName}`;
  if (plan.runtime === 'python')
    return {
      type: vscode.extensions.getExtension(PYTHON_DEBUGGER_EXTENSION) ? 'debugpy' : PYTHON_DEBUG_TYPE,
      request: 'attach',
      name,
      connect: { host: DEBUG_HOST, port },
      justMyCode: true,
      ...(cwd ? { cwd } : {}),
      [LAUNCH_KEY]: launchId,
    };
  // VS Code's built-in JavaScript debugger: continue once breakpoints are set (the process
  // waits at its first line, `--inspect-brk`), source maps for tsx, ts-node and built output.
  return {
    type: 'node',
    request: 'attach',
    name,
    address: DEBUG_HOST,
    port,
    continueOnAttach: true,
    sourceMaps: true,
    skipFiles: ['<node_internals>/**'],
    ...(cwd ? { cwd } : {}),
    [LAUNCH_KEY]: launchId,
  };
}

/** Connects MCP Doctor's Python debug type to the debugpy adapter listening for the server. */
export class DebugpyAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const connect = session.configuration.connect as { host?: unknown; port?: unknown } | undefined;
    if (typeof connect?.port !== 'number')
      throw new Error('An MCP Doctor Python debug session needs `connect.port` (the debugpy --listen port).');
    return new vscode.DebugAdapterServer(connect.port, typeof connect.host === 'string' ? connect.host : DEBUG_HOST);
  }
}
