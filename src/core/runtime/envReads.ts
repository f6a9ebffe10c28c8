import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where the server's code reads a secret-looking environment variable. */
export interface EnvRead {
  name: string;
  file: string;
  /** 0-based. */
  line: number;
}

const SECRET_NAME = /(TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/;
/** `process.env.X`, `process.env["X"]`, `os.environ["X"]`, `os.environ.get("X")`, `os.getenv("X")`. Linear. */
const READ =
  /\b(?:process\.env\.([A-Z][A-Z0-9_]{1,80})\b|process\.env\[\s*["']([A-Z][A-Z0-9_]{1,80})["']\s*\]|os\.environ(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]{1,80})["']|os\.getenv\(\s*["']([A-Z][A-Z0-9_]{1,80})["'])/g;
const SOURCE = /\.(?:m?[jt]s|c[jt]s|py)$/;
const MAX_FILES = 400;
const MAX_BYTES = 4 * 1024 * 1024;
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '__pycache__',
  '.venv',
  'venv',
  'test',
  'tests',
  '__tests__',
  'docs',
]);

/** The code to scan: a whole installed package, or a project script and the local modules it imports. */
export type ServerCode = { package: string } | { script: string };

/**
 * The code a stdio server runs, as far as it can be found on disk: the script argument
 * (`node dist/index.js`, `python server.py`) or the package `npx` runs from its cache.
 */
export async function serverCode(
  command: string,
  args: readonly string[],
  cwd: string,
  home = os.homedir(),
): Promise<ServerCode | undefined> {
  const script = args.find((a) => SOURCE.test(a));
  if (script) {
    const abs = path.resolve(cwd, script);
    if (!(await exists(abs))) return undefined;
    // A script of an installed npm package (`node node_modules/x/dist/index.js`): the package;
    // the project's own script: its folder (never the whole project above it).
    const inModules = abs.lastIndexOf(`${path.sep}node_modules${path.sep}`);
    if (inModules >= 0)
      for (let dir = path.dirname(abs); dir.length > inModules + 14; dir = path.dirname(dir))
        if (await exists(path.join(dir, 'package.json'))) return { package: dir };
    return { script: abs };
  }
  if (path.basename(command).replace(/\.cmd$/, '') === 'npx') {
    const pkg = args.find((a) => !a.startsWith('-'));
    if (!pkg) return undefined;
    const name = pkg.replace(/(?<=.)@[^/]*$/, '');
    const cache = path.join(home, '.npm', '_npx');
    for (const entry of await fs.readdir(cache).catch(() => [] as string[])) {
      const dir = path.join(cache, entry, 'node_modules', name);
      if (await exists(path.join(dir, 'package.json'))) return { package: dir };
    }
  }
  return undefined;
}

/** Secret-looking environment variables the server's code reads (bounded, no dependencies). */
export function secretEnvReadsOf(code: ServerCode): Promise<EnvRead[]> {
  return 'package' in code ? secretEnvReads(code.package) : scriptEnvReads(code.script);
}

/** Local imports: `./x`, `../y` (JS/TS) and sibling modules (Python `import x`, `from .x import`). */
const LOCAL_IMPORT =
  /(?:from[ \t]+["'](\.{1,2}\/[^"'\n]{1,200})["']|require\([ \t]*["'](\.{1,2}\/[^"'\n]{1,200})["'][ \t]*\)|^[ \t]*from[ \t]+\.?([A-Za-z_]\w{0,80})[ \t]+import\b|^[ \t]*import[ \t]+([A-Za-z_]\w{0,80})[ \t]*$)/gm;

/** The script and the local modules it imports, transitively (at most 50 files). */
async function scriptEnvReads(entry: string): Promise<EnvRead[]> {
  const out: EnvRead[] = [];
  const seenNames = new Set<string>();
  const queue = [entry];
  const visited = new Set<string>();
  while (queue.length && visited.size < 50) {
    const file = queue.shift()!;
    if (visited.has(file)) continue;
    visited.add(file);
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    collect(text, file, out, seenNames);
    for (const m of text.matchAll(LOCAL_IMPORT)) {
      const spec = m[1] ?? m[2];
      const candidates = spec
        ? ['', '.js', '.ts', '.mjs', '.mts', '/index.js', '/index.ts'].map((ext) =>
            path.resolve(path.dirname(file), spec.replace(/\.js$/, '') + ext),
          )
        : [path.join(path.dirname(file), `${m[3] ?? m[4]}.py`)];
      for (const c of candidates) if (SOURCE.test(c) && (await exists(c))) queue.push(c);
    }
  }
  return out;
}

function collect(text: string, file: string, out: EnvRead[], seen: Set<string>): void {
  for (const m of text.matchAll(READ)) {
    const name = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!SECRET_NAME.test(name) || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, file, line: lineOf(text, m.index ?? 0) });
  }
}

/** Secret-looking environment variables the code under `root` reads (bounded walk, no dependencies). */
async function secretEnvReads(root: string): Promise<EnvRead[]> {
  const out: EnvRead[] = [];
  const seen = new Set<string>();
  let files = 0;
  let bytes = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 6 || files >= MAX_FILES || bytes >= MAX_BYTES) return;
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (files >= MAX_FILES || bytes >= MAX_BYTES) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(p, depth + 1);
      } else if (e.isFile() && SOURCE.test(e.name)) {
        files++;
        const text = await fs.readFile(p, 'utf8').catch(() => '');
        bytes += text.length;
        collect(text, p, out, seen);
      }
    }
  };
  await walk(root, 0);
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
