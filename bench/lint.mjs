#!/usr/bin/env node
// Lint benchmark: the rules engine over a large generated workspace.
//
// Usage: node bench/lint.mjs [files=1000] [edits=25] [--src DIR]
//   --src DIR  bundle the engine from another checkout's sources (e.g. main's, to compare side by
//              side); the bundle still goes under this checkout's bench/results.
//
// How it loads the code: it bundles src/core/rules/engine.ts with esbuild into
// bench/results/.lint-bundle/engine.cjs (next to a copy of the tree-sitter wasm files, the same
// layout as dist/), with `typescript` external as in the product bundles, so it measures the code
// the CLI and the extension run.
//
// Workspace: `files` server files (half Python FastMCP / official SDK, half TypeScript official
// SDK / punkpeye FastMCP) in 20 projects with manifests, about 200 lines each (~200,000 lines),
// each with a few violations (stdout writes, blocking calls, missing descriptions, encodings...).
//
// Prints:
//   cold       first analyzeWorkspace in this process (loads the parsers, empty caches)
//   warm       a new engine in the same process (parsers loaded, result cache empty)
//   cached     the same engine again, nothing changed (content-hash cache)
//   in-process a new engine with `workers: 0` (no worker threads), and whether its findings equal
//              the pooled ones exactly
//   re-lint    analyzeFile on one 500-line file after a one-line edit (median of `edits`), Python and TS
// Targets: all files < 5 s, one re-lint < 30 ms.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const srcAt = args.indexOf('--src');
const srcDir = srcAt >= 0 ? resolve(args.splice(srcAt, 2)[1]) : undefined;
const total = Number(args[0] ?? 1000);
const edits = Number(args[1] ?? 25);
const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = srcDir ?? here;
const out = join(here, srcDir ? 'bench/results/.lint-bundle-src' : 'bench/results/.lint-bundle');
mkdirSync(join(out, 'wasm'), { recursive: true });
const bundleOpts = {
  entryPoints: [join(root, 'src/core/rules/engine.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(out, 'engine.cjs'),
  external: ['typescript'],
  // jsonc-parser's UMD build loads its parts with a dynamic require; use its ESM build.
  mainFields: ['module', 'main'],
  logLevel: 'error',
};
await build(bundleOpts);
// The analyzer worker, next to the engine bundle where the engine looks for it.
await build({
  ...bundleOpts,
  entryPoints: [join(root, 'src/core/rules/worker/lintWorker.ts')],
  outfile: join(out, 'lintWorker.js'),
});
copyFileSync(join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm'), join(out, 'wasm/tree-sitter.wasm'));
copyFileSync(
  join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'),
  join(out, 'wasm/tree-sitter-python.wasm'),
);
const { RuleEngine } = createRequire(import.meta.url)(join(out, 'engine.cjs'));

// --- generate the workspace -----------------------------------------------------------------
const ws = mkdtempSync(join(tmpdir(), 'mcpd-lint-bench-'));
let lines = 0;
const put = (rel, text) => {
  const f = join(ws, rel);
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, text);
  lines += text.split('\n').length;
  return f;
};

/** One Python tool (~18 lines); `v` picks which violation (if any) it carries. */
function pyTool(srv, i, v) {
  const name = `tool_${i}`;
  const doc = v === 1 ? '' : `    """Look up record ${i} and summarise it for the model."""\n`;
  const body = [
    v === 0 ? `    print(f"looking up {key}")` : `    log.info("looking up %s", key)`,
    v === 2 ? '    time.sleep(0.1)' : '    await asyncio.sleep(0)',
    v === 3 ? '    with open(DATA_FILE) as fh:' : '    with open(DATA_FILE, encoding="utf-8") as fh:',
    '        raw = fh.read(4096)',
    '    parts = [p.strip() for p in raw.split(",") if p.strip()]',
    '    if not parts:',
    '        return {"key": key, "count": 0, "items": []}',
    '    items = sorted(set(parts))[:limit]',
    '    return {"key": key, "count": len(items), "items": items}',
  ];
  return (
    [`@${srv}.tool()`, `async def ${name}(key: str, limit: int = 20) -> dict:`, doc.trimEnd(), ...body, '', '']
      .filter((l, k) => l !== '' || k > 2)
      .join('\n') + '\n'
  );
}

function pyFile(n, tools, official) {
  const head = official ? 'from mcp.server.fastmcp import FastMCP\n' : 'from fastmcp import FastMCP\n';
  let text = `"""Generated MCP server ${n} for the lint benchmark."""\nimport asyncio\nimport logging\nimport sys\nimport time\n${head}\nlog = logging.getLogger(__name__)\nDATA_FILE = "/srv/data/records.csv"\nlogging.basicConfig(stream=sys.stderr, level=logging.INFO)\n\nmcp = FastMCP("bench-${n}")\n\n\n`;
  for (let i = 0; i < tools; i++) text += pyTool('mcp', i, (n + i) % 7);
  text += `def _helper_${n}(values: list[str]) -> str:\n    return ", ".join(v.upper() for v in values)\n\n\nif __name__ == "__main__":\n    mcp.run()\n`;
  return text;
}

/** One TypeScript tool (~20 lines). */
function tsTool(i, v, fastmcp) {
  if (fastmcp) {
    return (
      [
        'server.addTool({',
        `  name: "tool_${i}",`,
        v === 1 ? '' : `  description: "Look up record ${i} and summarise it for the model.",`,
        '  parameters: z.object({ key: z.string(), limit: z.number().int().default(20) }),',
        '  execute: async ({ key, limit }) => {',
        v === 0 ? '    console.log(`looking up ${key}`);' : '    console.error(`looking up ${key}`);',
        '    const res = await fetch(`https://api.example.com/items/${encodeURIComponent(key)}`);',
        '    const body = (await res.json()) as { items: string[] };',
        '    const items = body.items.slice(0, limit);',
        '    return JSON.stringify({ key, count: items.length, items });',
        '  },',
        '});',
        '',
      ]
        .filter((l, k) => l !== '' || k > 3)
        .join('\n') + '\n'
    );
  }
  return (
    [
      'server.registerTool(',
      `  "tool_${i}",`,
      '  {',
      v === 1 ? '' : `    description: "Look up record ${i} and summarise it for the model.",`,
      '    inputSchema: { key: z.string(), limit: z.number().int().default(20) },',
      '  },',
      '  async ({ key, limit }) => {',
      v === 0 ? '    console.log(`looking up ${key}`);' : '    console.error(`looking up ${key}`);',
      v === 2
        ? '    const raw = readFileSync(DATA_FILE, "utf8");'
        : '    const raw = await readFile(DATA_FILE, "utf8");',
      '    const parts = raw.split(",").map((p) => p.trim()).filter(Boolean);',
      '    const items = [...new Set(parts)].sort().slice(0, limit);',
      '    return {',
      '      content: [{ type: "text", text: JSON.stringify({ key, count: items.length, items }) }],',
      '    };',
      '  },',
      ');',
      '',
    ]
      .filter((l, k) => l !== '' || k > 3)
      .join('\n') + '\n'
  );
}

function tsFile(n, tools, fastmcp) {
  let text = fastmcp
    ? `// Generated MCP server ${n} for the lint benchmark.\nimport { FastMCP } from "fastmcp";\nimport { z } from "zod";\n\nconst server = new FastMCP({ name: "bench-${n}", version: "1.0.0" });\n\n`
    : `// Generated MCP server ${n} for the lint benchmark.\nimport { readFileSync } from "node:fs";\nimport { readFile } from "node:fs/promises";\nimport { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nimport { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";\nimport { z } from "zod";\n\nconst DATA_FILE = "/srv/data/records.csv";\nconst server = new McpServer({ name: "bench-${n}", version: "1.0.0" });\n\n`;
  for (let i = 0; i < tools; i++) text += tsTool(i, (n + i) % 7, fastmcp);
  text += fastmcp
    ? 'server.start({ transportType: "stdio" }).catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n'
    : 'async function main(): Promise<void> {\n  await server.connect(new StdioServerTransport());\n}\n\nmain().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n';
  return text;
}

const PROJECTS = 20;
let pyEdit;
let tsEdit;
for (let p = 0; p < PROJECTS; p++) {
  const dir = `project${p}`;
  if (p % 2 === 0) {
    put(
      `${dir}/pyproject.toml`,
      `[project]\nname = "bench-${p}"\nversion = "0.1.0"\nrequires-python = ">=3.10"\ndependencies = ["${p % 4 === 0 ? 'mcp[cli]>=1.9' : 'fastmcp>=2.12'}"]\n`,
    );
  } else {
    put(
      `${dir}/package.json`,
      JSON.stringify(
        {
          name: `bench-${p}`,
          type: 'module',
          engines: { node: '>=20' },
          dependencies: { '@modelcontextprotocol/sdk': '^1.32.0', fastmcp: '^3.23.0', zod: '^3.25.76' },
        },
        null,
        2,
      ),
    );
  }
}
for (let n = 0; n < total; n++) {
  const p = n % PROJECTS;
  const python = p % 2 === 0;
  const sub = `project${p}/src/group${n % 5}`;
  if (python) {
    // 500-line file for the Python re-lint measurement, ~200 lines otherwise.
    const tools = n === 0 ? 34 : 11;
    const f = put(`${sub}/server_${n}.py`, pyFile(n, tools, p % 4 === 0));
    if (n === 0) pyEdit = f;
  } else {
    const fastmcp = n % 3 === 0;
    const tools = n === 1 ? 29 : fastmcp ? 15 : 12;
    const f = put(`${sub}/server_${n}.ts`, tsFile(n, tools, fastmcp && n !== 1));
    if (n === 1) tsEdit = f;
  }
}
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
console.log(`engine: ${root}\nworkspace: ${total} server files, ${lines.toLocaleString('en')} lines (${ws})`);

// --- measure ----------------------------------------------------------------------------------
const logs = [];
const engineOpts = { log: (m) => logs.push(m) };
// CPU time is printed next to wall time: on a shared machine it is the steadier figure.
const cpuMs = (start) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};
let t = performance.now();
let c = process.cpuUsage();
const cold = await new RuleEngine(engineOpts).analyzeWorkspace([ws]);
const coldMs = performance.now() - t;
const coldCpu = cpuMs(c);

const engine = new RuleEngine(engineOpts);
t = performance.now();
c = process.cpuUsage();
const warm = await engine.analyzeWorkspace([ws]);
const warmMs = performance.now() - t;
const warmCpu = cpuMs(c);

t = performance.now();
c = process.cpuUsage();
const cached = await engine.analyzeWorkspace([ws]);
const cachedMs = performance.now() - t;
const cachedCpu = cpuMs(c);

// The same pass without worker threads, parsers already loaded in this thread.
const solo = new RuleEngine({ ...engineOpts, workers: 0 });
await solo.analyzeFile(pyEdit, readFileSync(pyEdit, 'utf8')); // load both parsers in this thread
await solo.analyzeFile(tsEdit, readFileSync(tsEdit, 'utf8'));
solo.forget();
t = performance.now();
c = process.cpuUsage();
const inproc = await solo.analyzeWorkspace([ws]);
const inprocMs = performance.now() - t;
const inprocCpu = cpuMs(c);
const same = JSON.stringify(inproc.findings) === JSON.stringify(warm.findings);

function relint(file) {
  const base = readFileSync(file, 'utf8');
  const baseLines = base.split('\n');
  return (async () => {
    const times = [];
    const cpu = [];
    for (let i = 0; i < edits; i++) {
      // A one-line edit in the middle of the file, different each time (no cache hit).
      const copy = [...baseLines];
      const at = Math.floor(copy.length / 2);
      copy[at] = `${copy[at]}  ${file.endsWith('.py') ? '#' : '//'} edit ${i}`;
      const s = performance.now();
      const c0 = process.cpuUsage();
      const r = await engine.analyzeFile(file, copy.join('\n'));
      times.push(performance.now() - s);
      cpu.push(cpuMs(c0));
      if (r.cached) throw new Error('re-lint hit the cache');
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return {
      lines: baseLines.length,
      median: times[Math.floor(times.length / 2)],
      max: times[times.length - 1],
      cpu: cpu[Math.floor(cpu.length / 2)],
    };
  })();
}
const py = await relint(pyEdit);
const tsr = await relint(tsEdit);

const count = (r) => r.findings.length;
const byCode = new Map();
for (const f of warm.findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
console.log(
  `findings: ${count(warm)} (${[...byCode]
    .sort()
    .map(([c, n]) => `${c} ${n}`)
    .join(', ')})`,
);
console.log(
  `analyzed ${warm.stats.analyzed} of ${warm.stats.files} files; cold and warm agree: ${count(cold) === count(warm) && count(warm) === count(cached)}`,
);
console.log('');
const load = (await import('node:os')).loadavg()[0].toFixed(1);
console.log(
  `(wall time, CPU time of this process incl. worker threads; 1-min load average ${load} on ${(await import('node:os')).cpus().length} CPUs)`,
);
console.log(
  `lint all, cold (first run, loads parsers):   ${fmt(coldMs)} wall, ${fmt(coldCpu)} CPU   target < 5 s ${coldMs < 5000 ? 'OK' : 'MISSED'}`,
);
console.log(
  `lint all, warm (new engine, parsers loaded): ${fmt(warmMs)} wall, ${fmt(warmCpu)} CPU   target < 5 s ${warmMs < 5000 ? 'OK' : 'MISSED'}`,
);
console.log(`lint all, cached (nothing changed):          ${fmt(cachedMs)} wall, ${fmt(cachedCpu)} CPU`);
console.log(
  `lint all, in-process (workers: 0, warm):     ${fmt(inprocMs)} wall, ${fmt(inprocCpu)} CPU   findings identical to the pooled pass: ${same}`,
);
console.log(
  `re-lint one edited Python file (${py.lines} lines): median ${fmt(py.median)} wall, ${fmt(py.cpu)} CPU, max ${fmt(py.max)}   target < 30 ms ${py.median < 30 ? 'OK' : 'MISSED'}`,
);
console.log(
  `re-lint one edited TS file (${tsr.lines} lines):     median ${fmt(tsr.median)} wall, ${fmt(tsr.cpu)} CPU, max ${fmt(tsr.max)}   target < 30 ms ${tsr.median < 30 ? 'OK' : 'MISSED'}`,
);
// Where the warm pass spends its time, per language (wall ms per file as the engine measured it).
const per = new Map();
for (const f of warm.files) {
  const k = f.language ?? 'other';
  const e = per.get(k) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += f.ms;
  per.set(k, e);
}
console.log(
  `warm pass per file: ${[...per].map(([k, e]) => `${k} ${(e.ms / e.n).toFixed(1)} ms x ${e.n}`).join(', ')}`,
);
if (logs.length) console.log(`engine log (${logs.length}): ${logs.slice(0, 3).join(' | ')}`);
rmSync(ws, { recursive: true, force: true });
