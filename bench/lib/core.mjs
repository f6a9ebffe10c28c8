// Shared by the benchmarks: load parts of src/core from plain Node, bundled on the fly by esbuild
// into one CJS file (the way the extension ships them), plus the server-everything fixture.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SE = path.join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/**
 * Bundles `exports` (lines like "export { McpSession } from './src/core/session/mcpSession';",
 * resolved from the repository root) into `<dir>/core.cjs` and requires it.
 */
export async function loadCore(dir, exports) {
  const outfile = path.join(dir, 'core.cjs');
  await esbuild.build({
    stdin: { contents: exports.join('\n'), resolveDir: REPO, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(outfile);
}

/** A fresh temp folder for one bench run. */
export const scratch = (prefix) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** The normalized config of server-everything over stdio, as discovery would produce it. */
export function everythingConfig(dir, overrides = {}) {
  return {
    id: 'bench:everything',
    name: 'everything',
    client: 'vscode',
    file: path.join(dir, 'mcp.json'),
    scope: 'workspace',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    transport: 'stdio',
    command: process.execPath,
    args: [SE, 'stdio'],
    disabled: false,
    unresolved: [],
    raw: {},
    ...overrides,
  };
}

export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
