// The adversarial check of every regex literal of a checkout, shared by the unit test
// (test/unit/security/linearRegex.test.ts, with its allow-list) and the benchmark
// (bench/regex.mjs, without it, runnable on any checkout). Plain ESM so that both plain Node
// and tsx load it; its types are in regexCheck.d.mts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** Length of the adversarial inputs, in characters. */
export const N = 20_000;

/** Shapes that make backtracking patterns slow: long runs, repeated prefixes, unclosed pairs. */
export const ADVERSARIAL_INPUTS = [
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

/**
 * Every regular-expression literal of the `.ts` files under `<root>/src` and `<root>/media`
 * (a folder that does not exist is skipped), each with the `g` flag and without `y`, so that
 * `input.replace(re, '')` tries it at every position.
 */
export function regexLiterals(root) {
  const out = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
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
            const decl = ts.findAncestor(n, ts.isVariableDeclaration);
            out.push({
              file: path.relative(root, p).split(path.sep).join('/'),
              line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
              name: decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined,
              re: new RegExp(text.slice(1, slash), flags.includes('g') ? flags : `${flags}g`),
            });
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    }
  };
  walk(path.join(root, 'src'));
  walk(path.join(root, 'media'));
  return out;
}
