import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ADVERSARIAL_INPUTS as INPUTS, N, regexLiterals } from '../../../bench/lib/regexCheck.mjs';

/**
 * Every regular-expression literal of the project, tried on adversarial text. A pattern that
 * backtracks on long runs of one shape (`\s*\n\s*` on blanks, `[^}]*` on `${${${`, a class
 * followed by something that can fail) takes quadratic or worse time; on 20,000 characters
 * that is hundreds of milliseconds instead of well under one. Patterns that only ever see
 * bounded or trusted text are listed in ALLOWED with the reason.
 */

const ROOT = path.resolve(__dirname, '../../..');
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

describe('every regex of the project is linear on adversarial text', function () {
  this.timeout(120_000);

  it(`no literal takes more than 100 ms on ${INPUTS.length} adversarial inputs of ~${N / 1000}k characters (~10 s)`, () => {
    const all = regexLiterals(ROOT);
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
