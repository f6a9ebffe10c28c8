#!/usr/bin/env node
// Launch benchmark: time from "start" to "tools listed" for server-everything over stdio.
//
//   node bench/launch.mjs [--rounds N] [--no-inspector]        (ROUNDS=N also works; default 10)
//
// In-process, same Node process, modes interleaved in rotated order each round, 1 warm-up round:
//   sdk      bare SDK client (the v2 `@modelcontextprotocol/client` McpSession uses, in its default
//            2025-era mode): `Client` + `StdioClientTransport`, connect + tools/list
//   session  McpSession: `start()` resolves after initialize and tools/list (resources/templates/prompts
//            are listed in parallel and included in the time). src/core/session/mcpSession.ts is bundled
//            with esbuild into a temp CJS file inside this bench (the way the extension ships it) and
//            loaded with require(); no tsx involved.
//            McpSession negotiates the era (`server/discover` first, then `initialize`): one more round trip.
// Whole process (spawn → exit, measured from outside, order rotated each round):
//   sdk-proc       a temp ESM script: SDK client, tools/list, print JSON, graceful close
//   doctor-check   `node dist/cli.js check <dir> --server everything`: discovery, era probe, handshake,
//                  all lists, tool schema checks, report, exit (target ≤ 1.2 × inspector-cli)
//   inspector-cli  `node node_modules/@modelcontextprotocol/inspector-cli/build/index.js node SE stdio --method tools/list`
//                  inspector-cli 1.0.3 checks `fs.existsSync("../package.json")` relative to the *cwd* and
//                  then imports it relative to its own module (perf-baselines.md): it is run from
//                  <tmp>/run where <tmp>/package.json exists, otherwise it dies with "Cannot find module".
// Prints medians and the median of paired (same-round) ratios. Target: session ≤ 1.1 × sdk.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { everythingConfig, loadCore, median, REPO, scratch, SE } from './lib/core.mjs';

const INSPECTOR = path.join(REPO, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');
const argv = process.argv.slice(2);
const ROUNDS = Number(argv[argv.indexOf('--rounds') + 1] || 0) || Number(process.env.ROUNDS) || 10;
const WITH_INSPECTOR = !argv.includes('--no-inspector') && fs.existsSync(INSPECTOR);

const fmt = (ms) => `${ms.toFixed(1)} ms`;

// ---------------------------------------------------------------- McpSession bundle
const tmp = scratch('mcpd-bench-');
const { McpSession } = await loadCore(tmp, ["export { McpSession } from './src/core/session/mcpSession';"]);
const serverConfig = everythingConfig(tmp);

// ---------------------------------------------------------------- in-process modes
const modes = {
  async sdk() {
    const t0 = performance.now();
    const client = new Client({ name: 'bench-sdk', version: '0.0.0' }, { capabilities: {} });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [SE, 'stdio'], stderr: 'pipe' }));
    const { tools } = await client.listTools();
    const ms = performance.now() - t0;
    await client.close();
    return { ms, tools: tools.length };
  },
  async session() {
    const t0 = performance.now();
    const s = new McpSession({ server: serverConfig, healthIntervalMs: 0, stopGraceMs: 2000 });
    await s.start();
    const ms = performance.now() - t0;
    const v = s.view();
    if (v.state.kind !== 'running')
      throw new Error(`session failed: ${JSON.stringify(v.state)} ${JSON.stringify(v.findings)}`);
    await s.dispose();
    return { ms, tools: v.tools.length };
  },
};

const names = Object.keys(modes);
const res = Object.fromEntries(names.map((n) => [n, []]));
const ratios = [];
console.error(`in-process: ${ROUNDS} rounds + 1 warm-up, modes ${names.join(', ')} (rotated)`);
for (let r = 0; r <= ROUNDS; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  const round = {};
  for (const n of order) {
    const { ms, tools } = await modes[n]();
    if (tools < 10) throw new Error(`${n}: only ${tools} tools`);
    round[n] = ms;
  }
  if (r === 0) continue; // warm-up
  for (const n of names) res[n].push(round[n]);
  ratios.push(round.session / round.sdk);
  console.error(`  round ${r}: ${names.map((n) => `${n} ${fmt(round[n])}`).join(', ')}`);
}

// ---------------------------------------------------------------- whole-process modes
/** Runs a command to its exit; resolves with the wall time when it succeeded and printed `expect`. */
function timeProcess(cmd, args, cwd, expect) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0 || !out.includes(expect))
        reject(new Error(`${path.basename(args[0])} exited ${code}: ${(err || out).slice(-500)}`));
      else resolve(ms);
    });
  });
}

let whole;
if (WITH_INSPECTOR) {
  fs.writeFileSync(path.join(tmp, 'package.json'), '{"name":"bench-scratch","private":true}\n');
  const runDir = path.join(tmp, 'run');
  fs.mkdirSync(runDir);
  const sdkScript = path.join(REPO, 'bench', '.launch-sdk-proc.mjs');
  fs.writeFileSync(
    sdkScript,
    `// written by bench/launch.mjs (whole-process SDK client); safe to delete
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
const client = new Client({ name: 'list-tools-sdk', version: '0.0.0' }, { capabilities: {} });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [${JSON.stringify(SE)}, 'stdio'], stderr: 'ignore' }));
const result = await client.listTools();
process.stdout.write(JSON.stringify(result, null, 2) + '\\n');
await client.close();
`,
  );
  // `mcp-doctor check` on a workspace whose only config is this server: discovery, the era probe,
  // the handshake, every list, tool schema checks and the report, then exit.
  const checkDir = path.join(tmp, 'check');
  fs.mkdirSync(path.join(checkDir, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(checkDir, '.vscode', 'mcp.json'),
    JSON.stringify({ servers: { everything: { type: 'stdio', command: process.execPath, args: [SE, 'stdio'] } } }),
  );
  const CLI = path.join(REPO, 'dist', 'cli.js');
  if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const procModes = {
    'sdk-proc': () => timeProcess(process.execPath, [sdkScript], runDir, '"echo"'),
    'inspector-cli': () =>
      timeProcess(
        process.execPath,
        [INSPECTOR, process.execPath, SE, 'stdio', '--method', 'tools/list'],
        runDir,
        '"echo"',
      ),
    'doctor-check': () =>
      timeProcess(process.execPath, [CLI, 'check', checkDir, '--no-user', '--server', 'everything'], runDir, '1 ok'),
  };
  const pn = Object.keys(procModes);
  whole = { res: Object.fromEntries(pn.map((n) => [n, []])), ratios: [] };
  console.error(`whole process: ${ROUNDS} A/B pairs + 1 warm-up (alternating order)`);
  try {
    whole.checkRatios = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const order = pn.map((_, i) => pn[(i + r) % pn.length]);
      const round = {};
      for (const n of order) round[n] = await procModes[n]();
      if (r === 0) continue;
      for (const n of pn) whole.res[n].push(round[n]);
      whole.ratios.push(round['inspector-cli'] / round['sdk-proc']);
      whole.checkRatios.push(round['doctor-check'] / round['inspector-cli']);
      console.error(`  pair ${r}: ${pn.map((n) => `${n} ${fmt(round[n])}`).join(', ')}`);
    }
  } finally {
    fs.rmSync(sdkScript, { force: true });
  }
}

// ---------------------------------------------------------------- report
const lines = [];
lines.push(`# launch benchmark: start → tools listed, server-everything over stdio`);
lines.push(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${ROUNDS} rounds, ${new Date().toISOString()}`,
);
lines.push('');
lines.push('| mode | median | min | max |', '|---|---|---|---|');
for (const n of names)
  lines.push(`| ${n} | ${fmt(median(res[n]))} | ${fmt(Math.min(...res[n]))} | ${fmt(Math.max(...res[n]))} |`);
const ratio = median(ratios);
lines.push(
  '',
  `session / sdk, median of paired ratios: **×${ratio.toFixed(3)}** (target ≤ ×1.10: ${ratio <= 1.1 ? 'met' : 'NOT met'})`,
);
if (whole) {
  lines.push('', '| whole process | median | min | max |', '|---|---|---|---|');
  for (const [n, v] of Object.entries(whole.res))
    lines.push(`| ${n} | ${fmt(median(v))} | ${fmt(Math.min(...v))} | ${fmt(Math.max(...v))} |`);
  lines.push('', `inspector-cli / sdk-proc, median of paired ratios: ×${median(whole.ratios).toFixed(3)}`);
  const check = median(whole.checkRatios);
  lines.push(
    `doctor-check / inspector-cli, median of paired ratios: **×${check.toFixed(3)}** (target ≤ ×1.20: ${check <= 1.2 ? 'met' : 'NOT met'})`,
  );
  lines.push(
    `session (in-process) / inspector-cli (whole process), ratio of medians: ×${(median(res.session) / median(whole.res['inspector-cli'])).toFixed(3)}`,
  );
}
console.log(lines.join('\n'));
fs.rmSync(tmp, { recursive: true, force: true });
