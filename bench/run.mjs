// Runs every benchmark in this folder one after another (never in parallel: the machine is
// shared and has 2 cores) and prints their output. `node bench/run.mjs discovery lint` runs some.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.mjs$/, '')))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, file)], { stdio: 'inherit', cwd: join(dir, '..') });
  console.log(`(${file}: exit ${r.status ?? r.signal}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
