import { statSync } from 'node:fs';
import * as path from 'node:path';

/** Whether `p` is an existing regular file (the default existence check for PATH lookups). */
export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Looks `command` up on `pathValue` the way a spawn without a shell does. On Windows every
 * `PATHEXT` extension is tried (`npx` → `npx.cmd`). Commands containing a path separator are
 * checked as given. `exists` is injectable so tests are deterministic.
 * Returns the full path, or undefined when not found.
 */
export function findOnPath(
  command: string,
  pathValue: string | undefined,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean = isFile,
  pathExt: string | undefined = undefined,
): string | undefined {
  if (!command) return undefined;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const exts =
    platform === 'win32'
      ? [
          '',
          ...(pathExt ?? '.COM;.EXE;.BAT;.CMD')
            .split(';')
            .filter(Boolean)
            .map((e) => e.toLowerCase()),
        ]
      : [''];
  const hasExt = platform === 'win32' && /\.[A-Za-z0-9]+$/.test(command);
  const candidates = (base: string) => (hasExt ? [base] : exts.map((e) => base + e));
  if (command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    return candidates(command).find(exists);
  }
  const dirs = (pathValue ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  for (const dir of dirs) {
    const hit = candidates(p.join(dir.replace(/^"(.*)"$/, '$1'), command)).find(exists);
    if (hit) return hit;
  }
  return undefined;
}
