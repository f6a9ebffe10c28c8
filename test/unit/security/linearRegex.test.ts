import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/**
 * Every regular-expression literal of the project, tried on adversarial text. A pattern that
 * backtracks on long runs of one shape (`\s*\n\s*` on blanks, `[^}]*` on `${${${`, a class
 * followed by something that can fail) takes quadratic or worse time; on 20,000 characters
 * that is hundreds of milliseconds instead of well under one. Patterns that only ever see
 * bounded or trusted text are listed in ALLOWED with the reason.
 */

const ROOT = path.resolve(__dirname, '../../..');
const N = 20_000;

/** Shapes that make backtracking patterns slow: long runs, repeated prefixes, unclosed pairs. */
const INPUTS: string[] = [
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

/** Patterns that are slow on some shape but never see long text of it, and why. */
const ALLOWED: Record<string, string> = {
  // Version ranges and requirement lines are cut to 1,000 characters before these run.
  'src/core/rules/project/versions.ts': 'input capped at MAX_SPEC_CHARS (1,000)',
  // Stack-frame patterns run on stderr lines cut to 1,000 characters (parseLastTrace).
  'src/core/runtime/stackTraces.ts': 'lines capped at MAX_FRAME_LINE (1,000)',
  // A `{1,100}`-bounded key over truncation previews (at most 2,000 characters).
  'src/core/trace/redact.ts:JSON_STRING_MEMBER': 'previews only (PREVIEW_CHARS = 2,000)',
  // The text is cut after its last `}` first, so every `${` finds one (upToLastBrace).
  'src/core/config/variables.ts': 'inputs cut after their last brace (upToLastBrace)',
  // A V8 JSON.parse error message, short by construction (the session files are split elsewhere).
};

interface Literal {
  file: string;
  line: number;
  name?: string;
  re: RegExp;
}

function literals(): Literal[] {
  const out: Literal[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const sf = ts.createSourceFile(p, fs.readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true);
        const visit = (n: ts.Node) => {
          if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
            const text = n.getText(sf);
            const slash = text.lastIndexOf('/');
            const decl = ts.findAncestor(n, ts.isVariableDeclaration);
            out.push({
              file: path.relative(ROOT, p).split(path.sep).join('/'),
              line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1,
              name: decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined,
              re: new RegExp(
                text.slice(1, slash),
                text.slice(slash + 1).replace('y', '') + (text.slice(slash + 1).includes('g') ? '' : 'g'),
              ),
            });
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  walk(path.join(ROOT, 'media'));
  return out;
}

describe('every regex of the project is linear on adversarial text', function () {
  this.timeout(120_000);

  it(`no literal takes more than 100 ms on ${INPUTS.length} adversarial inputs of ~${N / 1000}k characters (~10 s)`, () => {
    const all = literals();
    assert.ok(all.length > 300, `found ${all.length} regex literals`);
    const slow: string[] = [];
    for (const lit of all) {
      const allowed = ALLOWED[lit.file] ?? (lit.name ? ALLOWED[`${lit.file}:${lit.name}`] : undefined);
      if (allowed) continue;
      for (const input of INPUTS) {
        const time = () => {
          const t = performance.now();
          input.replace(lit.re, '');
          return performance.now() - t;
        };
        // A slow try is repeated (best of three): on a shared machine one try can stall.
        let ms = time();
        if (ms > 100) ms = Math.min(ms, time(), time());
        if (ms > 100) {
          slow.push(
            `${lit.file}:${lit.line} ${lit.re} took ${ms.toFixed(0)} ms on ${JSON.stringify(input.slice(0, 12))}…`,
          );
          break;
        }
      }
    }
    assert.deepEqual(slow, []);
  });
});
