// Regex literals of a checkout that are slow on adversarial text (the check of
// test/unit/security/linearRegex.test.ts, without its allow-list, runnable on any checkout):
//
//   node bench/regex.mjs                  # this checkout
//   node bench/regex.mjs --repo ../main   # another one
//
// Prints each literal that takes more than 100 ms (best of three) on one of the inputs, and a
// count. Inputs are ~20k characters; a linear pattern takes well under 10 ms on each. Each
// literal runs in a worker thread stopped after REGEX_TIMEOUT_MS (default 5000).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ADVERSARIAL_INPUTS as INPUTS, N, regexLiterals } from './lib/regexCheck.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--repo');
const ROOT = path.resolve(i >= 0 ? process.argv[i + 1] : path.join(HERE, '..'));

const literals = regexLiterals(ROOT);

/**
 * Times one literal on every input in a worker thread, so a literal that runs for minutes on
 * `main` (cubic or worse) is stopped at LITERAL_TIMEOUT_MS and reported as such.
 */
const LITERAL_TIMEOUT_MS = Number(process.env.REGEX_TIMEOUT_MS ?? 5000);
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const re = new RegExp(workerData.source, workerData.flags);
for (const [i, input] of workerData.inputs.entries()) {
  const time = () => { const t = performance.now(); input.replace(re, ''); return performance.now() - t; };
  let ms = time();
  if (ms > 100) ms = Math.min(ms, time(), time());
  if (ms > 100) { parentPort.postMessage({ ms, input: i }); process.exit(0); }
}
parentPort.postMessage({ ms: 0 });
`;

function timeLiteral(lit) {
  return new Promise((resolve) => {
    const w = new Worker(WORKER, {
      eval: true,
      workerData: { source: lit.re.source, flags: lit.re.flags, inputs: INPUTS },
    });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve({ ms: Infinity });
    }, LITERAL_TIMEOUT_MS);
    w.once('message', (m) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once('error', () => {
      clearTimeout(timer);
      resolve({ ms: 0 });
    });
  });
}

let slow = 0;
for (const lit of literals) {
  const r = await timeLiteral(lit);
  if (r.ms > 100) {
    slow++;
    const shown = r.input === undefined ? 'stopped' : `on ${JSON.stringify(INPUTS[r.input].slice(0, 10))}…`;
    console.log(
      `${lit.file}:${lit.line}\t${r.ms === Infinity ? `> ${LITERAL_TIMEOUT_MS} ms` : `${Math.round(r.ms)} ms`}\t${lit.re}\t${shown}`,
    );
  }
}
console.log(
  `${slow} of ${literals.length} regex literals take more than 100 ms on one of ${INPUTS.length} inputs of ~${N / 1000}k characters`,
);
