// Activation cost of the extension.
//   1. activate() inside the real VS Code host (code-server), from DoctorApi.activationMs, 3 runs.
//   2. Loading dist/extension.js (parse + top-level code) in plain Node, 15 runs; `vscode` is
//      resolved to an empty object only so the bundle can be required outside the host.
// Usage: node esbuild.mjs && node bench/activate.mjs     Target: activate() < 50 ms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const loads = [];
for (let i = 0; i < 15; i++) {
  const code = `
    const Module = require('module');
    const orig = Module._resolveFilename;
    Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? require.resolve('./bench/emptyModule.cjs') : orig.call(this, req, ...rest); };
    const t0 = performance.now(); require('./dist/extension.js'); console.log(performance.now() - t0);`;
  loads.push(Number(execFileSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' }).trim()));
}
console.log(`load dist/extension.js: median ${median(loads).toFixed(1)} ms over ${loads.length} runs`);

const runs = [];
for (let i = 0; i < 3; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdoc-bench-'));
  const out = join(dir, 'activation.json');
  try {
    execFileSync(process.execPath, ['dist/test/integration/runTest.js'], {
      cwd: root,
      env: { ...process.env, MCP_DOCTOR_TEST_GREP: 'Activation', MCP_DOCTOR_BENCH_OUT: out },
      stdio: 'ignore',
    });
    runs.push(JSON.parse(readFileSync(out, 'utf8')).activationMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(
  `activate() in VS Code: median ${median(runs).toFixed(1)} ms (runs: ${runs.map((r) => r.toFixed(1)).join(', ')}); target < 50 ms`,
);
