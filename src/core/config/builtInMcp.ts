/**
 * Where MCP Doctor and VS Code's built-in MCP support meet. VS Code reads its own `mcp.json`
 * files (`.vscode/mcp.json`, the user's `mcp.json`), starts their servers for chat and puts
 * "Start | More…" code lenses above each entry. MCP Doctor reads every client's configs.
 */
import * as path from 'node:path';
import type { ClientId } from './types';

/** `mcpDoctor.vscodeMcpJson.startServersWith`. */
export type StartServersWith = 'vscode' | 'mcpDoctor';

/** True for the files whose servers VS Code's built-in MCP support starts (and puts lenses on). */
export function isBuiltInMcpFile(file: string, client: ClientId): boolean {
  return client === 'vscode' && path.basename(file).toLowerCase() === 'mcp.json';
}

/**
 * Whether MCP Doctor puts its own Start/Stop/Trace lenses above a config's server entries: in
 * every other client's file, and in VS Code's own `mcp.json` only when the user chose MCP Doctor
 * to start those servers (by default VS Code's lenses are the only ones there).
 */
export function showsOwnLenses(file: string, client: ClientId, mode: StartServersWith): boolean {
  return mode === 'mcpDoctor' || !isBuiltInMcpFile(file, client);
}
