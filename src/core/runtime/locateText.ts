import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** Where a printed text was found in the workspace (0-based line/character). */
export interface TextLocation {
  file: string;
  line: number;
  character: number;
  length: number;
  /** The fragment that matched (the whole text or a literal part of it). */
  matched: string;
}

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  '.venv',
  'venv',
  'env',
  '__pycache__',
  'site-packages',
  'dist',
  'build',
  'out',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.next',
  'coverage',
  '.vscode-test',
]);

/**
 * Fragments worth searching for: the whole trimmed text, then the longest literal runs between
 * interpolated-looking parts (numbers, braces, quotes), so `print(f"v{V} ready on {port}")`
 * is still found from `v1.2 ready on 8080`.
 */
export function searchFragments(text: string): string[] {
  const t = text.trim().slice(0, 200);
  if (t.length < 3) return [];
  const parts = t
    .split(/\d+(?:[.:]\d+)*|[{}"'`\\]|[^\x20-\x7e]/)
    .map((p) => p.trim())
    .filter((p) => p.length >= 6 && /[A-Za-z]{3}/.test(p))
    .sort((a, b) => b.length - a.length);
  return [...new Set([t, ...parts.slice(0, 3)])];
}

/**
 * Bounded search for a printed text in the workspace's source files (`exts`), skipping
 * dependency and build folders. Returns the first file/line containing the longest fragment
 * that matches. Never throws.
 */
export async function locateTextInWorkspace(
  folder: string,
  text: string,
  exts: readonly string[] = ['.py', '.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'],
  limits: { maxFiles?: number; maxBytes?: number; maxDepth?: number } = {},
): Promise<TextLocation | undefined> {
  const fragments = searchFragments(text);
  if (!fragments.length) return undefined;
  const files = await listFiles(folder, exts, limits.maxFiles ?? 2000, limits.maxDepth ?? 8);
  const maxBytes = limits.maxBytes ?? 1024 * 1024;
  let best: TextLocation | undefined;
  let bestRank = fragments.length;
  for (const file of files) {
    let content: string;
    try {
      const st = await fs.stat(file);
      if (st.size > maxBytes) continue;
      content = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    for (let rank = 0; rank < bestRank; rank++) {
      const idx = content.indexOf(fragments[rank]);
      if (idx < 0) continue;
      const before = content.slice(0, idx);
      const line = before.split('\n').length - 1;
      const character = idx - (before.lastIndexOf('\n') + 1);
      best = { file, line, character, length: fragments[rank].length, matched: fragments[rank] };
      bestRank = rank;
      break;
    }
    if (bestRank === 0) break;
  }
  return best;
}

async function listFiles(root: string, exts: readonly string[], maxFiles: number, maxDepth: number): Promise<string[]> {
  const out: string[] = [];
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  while (queue.length && out.length < maxFiles) {
    const { dir, depth } = queue.shift()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.isDirectory()) {
        if (depth < maxDepth && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'))
          queue.push({ dir: path.join(dir, e.name), depth: depth + 1 });
      } else if (e.isFile() && exts.includes(path.extname(e.name))) {
        out.push(path.join(dir, e.name));
        if (out.length >= maxFiles) break;
      }
    }
  }
  return out;
}
