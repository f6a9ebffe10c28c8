/** File helpers of the project model: client configs that launch a script, small cached reads. */
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/** Client configs a project may hold, relative to its root. */
export const CLIENT_CONFIGS = ['.vscode/mcp.json', '.mcp.json', '.cursor/mcp.json', 'claude_desktop_config.json'];

/** Interpreters and runners that execute a script path given as an argument. */
const PYTHON_LAUNCHER = /^(?:python[\d.]*|py|uv|pipenv|poetry|pdm|hatch)(?:\.exe)?$/i;

/** Whether a parsed client config has a server entry that runs `file` as a Python script. */
export function launches(json: unknown, file: string, root: string, depth = 0): boolean {
  if (!json || typeof json !== 'object' || depth > 6) return false;
  const o = json as Record<string, unknown>;
  if (typeof o.command === 'string' && Array.isArray(o.args)) {
    const cmd = basename(o.command.replace(/\\/g, '/'));
    const args = o.args.filter((a): a is string => typeof a === 'string');
    // `fastmcp run x.py` / `mcp run x.py` / `python -m pkg` load the module through a runner.
    if (PYTHON_LAUNCHER.test(cmd) && !args.some((a) => a === '-m' || a === 'fastmcp' || a === 'mcp')) {
      const cwd = typeof o.cwd === 'string' ? resolve(root, o.cwd) : root;
      for (const a of args) {
        if (!a.endsWith('.py')) continue;
        if (resolve(cwd, a.replace(/\$\{workspaceFolder\}\/?/, `${root}/`)) === file) return true;
      }
    }
  }
  return Object.values(o).some((v) => launches(v, file, root, depth + 1));
}

export function toMap(entries: Set<string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries) {
    const [f, w] = e.split('\u0000');
    m.set(f, w);
  }
  return m;
}

export function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

export function readText(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.size > 512 * 1024) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
