import * as path from 'node:path';
import type { ServerConfig } from '../../core/config/types';
import type { Definition } from '../../core/rules/types';
import type { SessionView } from '../../core/session/types';

/** A tool defined in source that a running server does not list. */
export interface MissingTool {
  definition: Definition;
  serverId: string;
  serverName: string;
}

/**
 * Tool definitions of one file that running servers do not list in `tools/list` (the silent
 * failure where a registration fails or the server runs older code). Only sessions that are
 * running, whose server config belongs to the file's workspace folder, and that run this code —
 * the launch config names the file (or its compiled twin, same stem), runs in the file's folder,
 * or the server lists another tool of this file — are compared. Pure; no `vscode` import.
 */
export function findMissingTools(
  file: string,
  workspaceFolder: string | undefined,
  definitions: readonly Definition[],
  sessions: readonly SessionView[],
  configs: readonly ServerConfig[],
): MissingTool[] {
  const tools = definitions.filter((d) => d.kind === 'tool');
  if (!tools.length || !workspaceFolder) return [];
  const out: MissingTool[] = [];
  for (const session of sessions) {
    if (session.state.kind !== 'running') continue;
    const config = configs.find((c) => c.id === session.serverId);
    if (!config?.workspaceFolder || path.resolve(config.workspaceFolder) !== path.resolve(workspaceFolder)) continue;
    const listed = new Set(session.tools.map((t) => t.name));
    if (!runsFile(config, file) && !tools.some((t) => listed.has(t.name))) continue;
    for (const definition of tools) {
      if (!listed.has(definition.name))
        out.push({ definition, serverId: session.serverId, serverName: session.serverName });
    }
  }
  return out;
}

/** Does the server's launch config point at this file (or run in its folder)? */
function runsFile(config: ServerConfig, file: string): boolean {
  const stem = path.basename(file).replace(/\.[^.]+$/, '');
  const parts = [config.command ?? '', ...(config.args ?? [])];
  if (parts.some((p) => p === file || (/[\\/.]/.test(p) && path.basename(p).replace(/\.[^.]+$/, '') === stem)))
    return true;
  return !!config.cwd && path.resolve(config.cwd) === path.dirname(file);
}
