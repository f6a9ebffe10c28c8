import * as path from 'node:path';
import type { ServerConfig } from '../config/types';

/**
 * The configured servers that may serve a tool defined in `file`, best first: those whose
 * command line names the file (`server.py`, `dist/index.js` for `src/index.ts` is not guessed),
 * or its module (`-m pkg.server` for `pkg/server.py`); failing that, those of the file's
 * workspace folder. Disabled servers and remote ones (no command) are left out.
 */
export function serversForSource(
  servers: readonly ServerConfig[],
  file: string,
  folderOf: (file: string) => string | undefined,
): ServerConfig[] {
  const launchable = servers.filter((s) => !s.disabled && !!s.command);
  const base = path.basename(file);
  const modules = moduleNames(file);
  const mentions = launchable.filter((s) =>
    (s.args ?? []).some((a, i, all) => {
      if (path.basename(a) === base || a.endsWith(`/${base}`) || a.endsWith(`\\${base}`)) return true;
      return i > 0 && all[i - 1] === '-m' && modules.has(a);
    }),
  );
  if (mentions.length) return mentions;
  const folder = folderOf(file);
  if (!folder) return launchable;
  return launchable.filter(
    (s) => (s.workspaceFolder ?? '') === folder || s.file.startsWith(folder + path.sep) || s.file === folder,
  );
}

/** `a/b/server.py` → b.server, a.b.server (any suffix could be the package root); `__main__`/`__init__` name the package. */
function moduleNames(file: string): Set<string> {
  if (!file.endsWith('.py')) return new Set();
  const parts = file.replace(/\\/g, '/').replace(/\.py$/, '').split('/').filter(Boolean);
  if (parts.length && (parts[parts.length - 1] === '__main__' || parts[parts.length - 1] === '__init__')) parts.pop();
  const names = new Set<string>();
  for (let i = parts.length - 1; i >= 0 && parts.length - i <= 6; i--) names.add(parts.slice(i).join('.'));
  return names;
}
