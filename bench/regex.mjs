// Regex literals of a checkout that are slow on adversarial text (the check of
// test/unit/security/linearRegex.test.ts, without its allow-list, runnable on any checkout):
//
//   node bench/regex.mjs                  # this checkout
//   node bench/regex.mjs --repo ../main   # another one
//
// Prints each literal that takes more than 100 ms (best of three) on one of the inputs, and a
// count. Inputs are ~20k characters; a linear pattern takes well under 10 ms on each. Each
// literal runs in a worker thread stopped after REGEX_TIMEOUT_MS (default 5000).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const i = process.argv.indexOf('--repo');
const ROOT = path.resolve(i >= 0 ? process.argv[i + 1] : path.join(HERE, '..'));
const N = 20_000;

// The same shapes as the unit test.
const INPUTS = [
  ' '.repeat(N) + 'x',
  '\t'.repeat(N) + '\u0000',
  '\n'.repeat(N) + 'x',
  ' \n'.repeat(N / 2) + 'x',
  'a'.repeat(N) + '\u0000',
  'A'.repeat(N) + '!',
  '0'.repeat(N) + 'x',
  '-'.repeat(N) + '\u0000',
  '_'.repeat(N) + '\u0000',
  '/'.repeat(N) + '\u0000',
  '.'.repeat(N) + '\u0000',
  '#'.repeat(N) + '\n#',
  '"'.repeat(N),
  "'".repeat(N),
  '{'.repeat(N),
  '['.repeat(N),
  '<'.repeat(N),
  '('.repeat(N),
  '${'.repeat(N / 2),
  '{env:v'.repeat(N / 6),
  '"\\'.repeat(N / 2),
  'a.'.repeat(N / 2) + '://',
  'A+'.repeat(N / 2),
  '-eyJ'.repeat(N / 4),
  'eyJa.'.repeat(N / 5),
  'token'.repeat(N / 5) + ' ',
  '?token'.repeat(N / 6),
  '--auth'.repeat(N / 6),
  ' --a \t'.repeat(N / 6),
  'sk-'.repeat(N / 3),
  'xoxb-'.repeat(N / 5),
  'pip install '.repeat(N / 12),
  'fastmcp' + ' '.repeat(N),
  'File "' + '", line 0, in ,'.repeat(N / 15),
  '[ ' + ' '.repeat(N) + 'a' + ' '.repeat(N),
  'key = ' + ' '.repeat(N) + 'x',
  'x: ' + 'a b '.repeat(N / 4),
  '@a'.repeat(N / 2),
  '  a@1' + ' '.repeat(N),
];

const literals = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts')) {
      const sf = ts.createSourceFile(p, fs.readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (n) => {
        if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
          const text = n.getText(sf);
          const slash = text.lastIndexOf('/');
          const flags = text.slice(slash + 1).replace('y', '');
          literals.push({
            where: `${path.relative(ROOT, p)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`,
            re: new RegExp(text.slice(1, slash), flags.includes('g') ? flags : `${flags}g`),
          });
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
  }
};
walk(path.join(ROOT, 'src'));
if (fs.existsSync(path.join(ROOT, 'media'))) walk(path.join(ROOT, 'media'));

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
      `${lit.where}\t${r.ms === Infinity ? `> ${LITERAL_TIMEOUT_MS} ms` : `${Math.round(r.ms)} ms`}\t${lit.re}\t${shown}`,
    );
  }
}
console.log(
  `${slow} of ${literals.length} regex literals take more than 100 ms on one of ${INPUTS.length} inputs of ~20k characters`,
);
