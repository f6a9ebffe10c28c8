/**
 * Paths in a server's launch line: whether a command or argument is a relative file path, and
 * which argument a launcher (python, node, uv run, fastmcp run) opens as its script.
 */

const SCRIPT_EXT = /\.(py|pyw|js|mjs|cjs|ts|mts|cts|jar|sh|rb|php|json|sqlite|db)$/i;

/** Whether a command/arg is a relative file path (`./x`, `dir/file.py`, `server.py`). */
export function looksLikeRelativePath(s: string, isCommand: boolean): boolean {
  if (!s || s.startsWith('-') || s.startsWith('@') || s.startsWith('~') || s.includes('${') || s.startsWith('$'))
    return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('/') || s.startsWith('\\\\'))
    return false;
  if (/^\.\.?[\\/]/.test(s)) return true;
  const bare = s.replace(/:[A-Za-z_][\w.]*$/, ''); // fastmcp "file.py:obj"
  if (isCommand) return /[\\/]/.test(s);
  return SCRIPT_EXT.test(bare) && !/^[\w.-]+@[\w.-]+$/.test(bare);
}

/** Flags that take a value, per launcher (so the value is not mistaken for the script). */
const VALUE_FLAGS: Record<string, string[]> = {
  python: ['-X', '-W', '-c', '-m', '-Q'],
  uv: [
    '--with',
    '--python',
    '-p',
    '--directory',
    '--project',
    '--env-file',
    '--from',
    '--extra',
    '--group',
    '--index',
    '--with-requirements',
  ],
  node: ['-r', '--require', '--import', '--loader', '--experimental-loader', '--inspect-port', '-e', '--eval'],
};

/**
 * The argument a launcher will open as a script (`python server.py`, `node dist/index.js`,
 * `uv run --directory d server.py`, `fastmcp run app.py:mcp`), or undefined.
 */
export function scriptArgument(
  command: string,
  args: string[],
): { index: number; path: string; directory?: string } | undefined {
  const exe = command
    .split(/[\\/]/)
    .pop()!
    .toLowerCase()
    .replace(/\.(exe|cmd|bat)$/, '');
  let kind: 'python' | 'node' | 'uv' | 'fastmcp' | undefined;
  if (/^python(\d+(\.\d+)?)?$|^py$|^pythonw$/.test(exe)) kind = 'python';
  else if (['node', 'nodejs', 'bun', 'tsx', 'ts-node', 'deno'].includes(exe)) kind = 'node';
  else if (exe === 'uv') kind = 'uv';
  else if (exe === 'fastmcp' || exe === 'mcp') kind = 'fastmcp';
  if (!kind) return undefined;
  let i = 0;
  let directory: string | undefined;
  if (kind === 'uv' || kind === 'fastmcp' || exe === 'deno' || exe === 'bun') {
    // Skip to the `run` / `dev` subcommand (uv options may come before it).
    for (; i < args.length; i++) {
      const a = args[i];
      if (a === '--directory' || a === '--project') directory = args[i + 1];
      if (a === 'run' || (kind === 'fastmcp' && (a === 'dev' || a === 'inspect'))) break;
      if (VALUE_FLAGS.uv.includes(a)) i++;
    }
    if (i >= args.length) return exe === 'bun' || exe === 'deno' ? scan(0) : undefined;
    i++;
  }
  return scan(i);

  function scan(from: number) {
    const flags = VALUE_FLAGS[kind === 'fastmcp' ? 'uv' : kind!] ?? [];
    for (let j = from; j < args.length; j++) {
      const a = args[j];
      if (kind === 'python' && (a === '-m' || a === '-c')) return undefined;
      if (kind === 'uv' && (a === '--directory' || a === '--project')) directory = args[j + 1];
      if (a.startsWith('-')) {
        if (flags.includes(a)) j++;
        continue;
      }
      if (a.includes('${') || a.startsWith('$')) return undefined;
      const file = a.replace(/:[A-Za-z_][\w.]*$/, '');
      const wanted = kind === 'python' ? /\.pyw?$/i : kind === 'node' ? /\.(m|c)?(j|t)s$/i : /\.(py|json)$/i;
      return wanted.test(file) ? { index: j, path: file, directory } : undefined;
    }
    return undefined;
  }
}
