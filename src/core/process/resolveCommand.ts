import * as fs from 'node:fs';
import * as path from 'node:path';

/** Result of looking a command up the way `spawn` will (PATH, PATHEXT on Windows). */
export interface ResolvedCommand {
  /** Absolute path of the executable, when found. */
  path?: string;
  /** The PATH that was searched (for the "not found" message). */
  searchedPath: string;
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds `command` like the OS would when spawning it: a command containing a path separator
 * is resolved against `cwd`; a bare name is searched on `env.PATH` (with `PATHEXT` on Windows).
 * Never throws.
 */
export function resolveCommand(
  command: string,
  env: Record<string, string | undefined>,
  cwd: string,
  platform: NodeJS.Platform = process.platform,
): ResolvedCommand {
  const pathKey = platform === 'win32' ? (Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH';
  const searchedPath = env[pathKey] ?? '';
  const exts =
    platform === 'win32'
      ? [
          '',
          ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD')
            .split(';')
            .filter(Boolean)
            .map((e) => e.toLowerCase()),
        ]
      : [''];
  const hasSep = command.includes('/') || (platform === 'win32' && command.includes('\\'));
  if (hasSep || path.isAbsolute(command)) {
    const abs = path.resolve(cwd, command);
    for (const ext of exts) if (isExecutable(abs + ext, platform)) return { path: abs + ext, searchedPath };
    return { searchedPath };
  }
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of searchedPath.split(sep)) {
    if (!dir) continue;
    const base = path.resolve(cwd, dir, command);
    for (const ext of exts) if (isExecutable(base + ext, platform)) return { path: base + ext, searchedPath };
  }
  return { searchedPath };
}
