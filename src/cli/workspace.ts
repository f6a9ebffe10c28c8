import { statSync } from 'node:fs';
import { homedir, platform as osPlatform } from 'node:os';
import * as path from 'node:path';
import { discover } from '../core/config/discover';
import type { ConfigFileResult } from '../core/config/types';
import type { CliIo } from './io';

/**
 * The folder a command works on (`given`, default the current directory), or undefined after
 * telling the user it is not a folder.
 */
export function folderArg(io: CliIo, command: string, given: string | undefined): string | undefined {
  const folder = path.resolve(io.cwd, given ?? '.');
  let isDir: boolean;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    io.err(`mcp-doctor ${command}: "${given ?? folder}" is not a folder\n`);
    return undefined;
  }
  return folder;
}

/** The user's home folder as the CLI sees it (the environment first, for tests). */
export function homeOf(io: CliIo): string {
  return io.env.HOME || io.env.USERPROFILE || homedir();
}

/** Discovers the configs of `folder` (and the user's, with `includeUser`) with the CLI's environment. */
export function discoverFolder(
  io: CliIo,
  folder: string,
  opts: { includeUser: boolean; checkCommands?: boolean },
): Promise<ConfigFileResult[]> {
  return discover({ workspaceFolders: [folder], home: homeOf(io), platform: osPlatform(), env: io.env, ...opts });
}
