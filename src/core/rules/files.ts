import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { projectFileKind } from './project/index';
import { MCP_MARKER, RUNNER_MARKER } from './python/markers';
import type { Language } from './types';

/**
 * Finding the files the rules engine analyzes: server sources (Python, TypeScript, JavaScript)
 * and project files, skipping dependency, build and VCS folders.
 */

/** Folders never walked into. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  'dist',
  'build',
  'out',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'site-packages',
  '.next',
  'coverage',
  '.vscode-test',
  '.turbo',
  '.cache',
]);

/** Source extensions per language, as analyzed by the default analyzers. */
export const SOURCE_EXTENSIONS: Record<'python' | 'typescript', readonly string[]> = {
  python: ['.py'],
  typescript: ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'],
};

/** Files larger than this are skipped (generated bundles, vendored code). */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** True when the engine analyzes this path (by name only; no I/O). */
function isLintable(
  file: string,
  extensions: readonly string[] = [...SOURCE_EXTENSIONS.python, ...SOURCE_EXTENSIONS.typescript],
): boolean {
  const ext = extname(file).toLowerCase();
  if (extensions.includes(ext)) return !file.endsWith('.d.ts');
  return projectFileKind(file) !== undefined;
}

/**
 * Every lintable file under the given paths (files are taken as given, folders walked),
 * sorted, without duplicates. Unreadable paths are reported through `onError` and skipped.
 */
export async function collectFiles(
  paths: string[],
  opts: { extensions?: readonly string[]; signal?: AbortSignal; onError?: (path: string, err: unknown) => void } = {},
): Promise<string[]> {
  const out = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    if (opts.signal?.aborted) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      opts.onError?.(dir, err);
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && !(e.name.startsWith('.') && e.name !== '.vscode' && e.name !== '.cursor'))
          await walk(full);
      } else if (e.isFile() && isLintable(full, opts.extensions)) {
        out.add(full);
      }
    }
  };
  for (const p of paths) {
    const full = resolve(p);
    try {
      const st = await stat(full);
      if (st.isDirectory()) await walk(full);
      else if (st.isFile()) out.add(full);
    } catch (err) {
      opts.onError?.(full, err);
    }
  }
  return [...out].sort();
}

/** TypeScript/JavaScript sources that import an MCP SDK or register on a server. */
const MCP_TS =
  /@modelcontextprotocol\/|["']fastmcp["']|\.(?:registerTool|addTool|registerResource|registerPrompt|addResource|addPrompt)\s*\(/;

/** Cheap pre-check: does this source import or use an MCP framework at all? */
export function looksLikeMcp(language: Language, text: string): boolean {
  if (language === 'python') return MCP_MARKER.test(text) || RUNNER_MARKER.test(text);
  if (language === 'typescript') return MCP_TS.test(text);
  return true;
}
