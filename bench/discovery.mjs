#!/usr/bin/env node
// Discovery benchmark: how long `discover()` takes on a large workspace.
//
// Usage: node bench/discovery.mjs [runs=9]
//
// How it loads the code: it bundles src/core/config/discover.ts with esbuild (already a dev
// dependency) into a temporary CommonJS file and imports that, so it measures the same code
// the CLI and the extension run, without a prior `node esbuild.mjs` and without tsx overhead.
//
// Workspace: a temp dir with 5,000 files in nested folders (depth up to 7, plus node_modules,
// .git and .venv trees that must be skipped), 50 of them MCP config files spread across
// subfolders (.vscode/mcp.json, .mcp.json, .cursor/mcp.json, fastmcp.json, codex, continue...).
// Only workspace scope is read (includeUser: false) so the numbers do not depend on your home.
// Prints the median (and min/max) of `runs` timed runs after one warm-up; target < 300 ms.
import { build } from 'esbuild';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const runs = Number(process.argv[2] ?? 9);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'mcpd-bench-'));
const bundle = join(tmp, 'discover.cjs');
await build({
  entryPoints: [join(root, 'src/core/config/discover.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: bundle,
  logLevel: 'error',
  mainFields: ['module', 'main'],
});
const { discover } = await import(pathToFileURL(bundle).href);

// --- generate the workspace -----------------------------------------------------------------
const ws = join(tmp, 'ws');
let files = 0;
const put = (rel, text) => {
  const f = join(ws, rel);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, text);
  files++;
};
const server = (i) => ({ command: 'node', args: [`server${i}.js`], env: { LOG_LEVEL: 'info', TOKEN: '${env:TOKEN}' } });
const CONFIGS = [
  (i) => [
    '.vscode/mcp.json',
    JSON.stringify(
      { servers: { [`s${i}`]: server(i), [`r${i}`]: { type: 'http', url: 'https://example.com/mcp' } } },
      null,
      2,
    ),
  ],
  (i) => ['.mcp.json', JSON.stringify({ mcpServers: { [`s${i}`]: server(i) } }, null, 2)],
  (i) => ['.cursor/mcp.json', JSON.stringify({ mcpServers: { [`s${i}`]: server(i) } }, null, 2)],
  () => [
    'fastmcp.json',
    JSON.stringify({ source: { path: 'server.py', entrypoint: 'mcp' }, deployment: { transport: 'stdio' } }, null, 2),
  ],
];
// Root-level configs of other clients (read through the fixed locations).
put('.codex/config.toml', '[mcp_servers.fetch]\ncommand = "uvx"\nargs = ["mcp-server-fetch"]\n');
put('.continue/mcpServers/a.yaml', 'mcpServers:\n  - name: a\n    command: npx\n    args: ["-y", "pkg"]\n');
put('.zed/settings.json', '{ "context_servers": { "z": { "command": "node", "args": [] } } }');
put('opencode.jsonc', '{ "mcp": { "o": { "type": "local", "command": ["node", "x.js"] } } }');
let configs = 4;
for (let i = 0; configs < 50; i++) {
  const depth = 1 + (i % 5);
  const dir = Array.from({ length: depth }, (_, d) => `pkg${(i + d) % 9}`).join('/') + `/svc${i}`;
  const [rel, text] = CONFIGS[i % CONFIGS.length](i);
  put(`${dir}/${rel}`, text);
  configs++;
}
// Filler: source files in a wide, moderately deep tree, plus trees that must be skipped.
for (let i = 0; files < 5000; i++) {
  const bucket = i % 10;
  let rel;
  if (bucket === 0) rel = `node_modules/dep${i % 50}/lib/f${i}.js`;
  else if (bucket === 1) rel = `.git/objects/${(i % 256).toString(16)}/o${i}`;
  else if (bucket === 2) rel = `.venv/lib/python3.12/site-packages/m${i % 40}/f${i}.py`;
  else rel = `src/area${i % 20}/mod${i % 7}/sub${i % 3}/deep${i % 2}/file${i}.ts`;
  put(rel, `// ${i}\nexport const x${i} = ${i};\n`);
}

const opts = {
  workspaceFolders: [ws],
  home: tmp,
  platform: process.platform,
  env: { PATH: process.env.PATH ?? '', TOKEN: 't' },
  includeUser: false,
};
async function time(extra) {
  const t = [];
  let result;
  await discover({ ...opts, ...extra }); // warm-up (JIT, fs cache)
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    result = await discover({ ...opts, ...extra });
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], min: t[0], max: t[t.length - 1], result };
}

const plain = await time({ checkCommands: false });
const checked = await time({ checkCommands: true });
const servers = plain.result.reduce((n, f) => n + f.servers.length, 0);
console.log(
  `workspace: ${files} files, ${configs} config files; found ${plain.result.length} files / ${servers} servers`,
);
for (const [label, r] of [
  ['discover()', plain],
  ['discover({ checkCommands: true })', checked],
]) {
  console.log(
    `${label.padEnd(36)} median ${r.median.toFixed(1)} ms  (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)}, ${runs} runs)  ${r.median < 300 ? 'OK' : 'OVER'} target 300 ms`,
  );
}
rmSync(tmp, { recursive: true, force: true });
