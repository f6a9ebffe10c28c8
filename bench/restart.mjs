// Restart benchmark: "Restart Server" on a running server-everything (stdio; it exits as soon as
// its stdin closes) inside the real VS Code host, against the floor of the same restart done by a
// bare SDK client outside VS Code, in one bench run.
//
//   node esbuild.mjs && node bench/restart.mjs [--rounds N]        (ROUNDS=N also works; default 10)
//
//   extension  the integration test "restarts a running server that exits on stdin close" run
//              alone (MCP_DOCTOR_TEST_GREP), N restarts through the mcpDoctor.restartServer command,
//              each timed from the command to its result (state running, tools listed, old process
//              gone); the stop part is the time until the session reported "stopped".
//   sdk        a bare SDK client (`Client` + `StdioClientTransport`, `node` from PATH like the
//              extension's config): close() the running client, then connect + tools/list again.
// Target: restart < 1 s.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { median, REPO, scratch, SE } from './lib/core.mjs';

const argv = process.argv.slice(2);
const ROUNDS = Number(argv[argv.indexOf('--rounds') + 1] || 0) || Number(process.env.ROUNDS) || 10;
const fmt = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

// ---------------------------------------------------------------- extension (real VS Code host)
const dir = scratch('mcpd-bench-restart-');
let figures;
try {
  const out = path.join(dir, 'restart.json');
  execFileSync(process.execPath, ['dist/test/integration/runTest.js'], {
    cwd: REPO,
    env: {
      ...process.env,
      MCP_DOCTOR_TEST_GREP: 'restarts a running server that exits on stdin close',
      MCP_DOCTOR_RESTART_ROUNDS: String(ROUNDS),
      MCP_DOCTOR_BENCH_OUT: out,
    },
    stdio: 'ignore',
  });
  figures = JSON.parse(fs.readFileSync(out, 'utf8'));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const { restartMs, restartStopMs } = figures;
const startMs = restartMs.map((t, i) => t - restartStopMs[i]);

// ---------------------------------------------------------------- bare SDK client
const connect = async () => {
  const client = new Client({ name: 'bench-restart', version: '0.0.0' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: 'node', args: [SE, 'stdio'], stderr: 'pipe' }));
  await client.listTools();
  return client;
};
const sdk = [];
let client = await connect();
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  await client.close();
  client = await connect();
  sdk.push(performance.now() - t0);
}
await client.close();

console.log(`extension restart (${ROUNDS} rounds): ${fmt(restartMs)}`);
console.log(`  of which stop: ${fmt(restartStopMs)}; start to tools listed: ${fmt(startMs)}`);
console.log(`bare SDK client close + connect + tools/list: ${fmt(sdk)}`);
console.log(`ratio of medians extension / sdk: ×${(median(restartMs) / median(sdk)).toFixed(2)}; target < 1 s`);
