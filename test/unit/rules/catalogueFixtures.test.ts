import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/lint';
import type { Finding } from '../../../src/core/model';
import { clearProjectCache } from '../../../src/core/rules/project';
import { PROJECT_FIXTURES } from './helpers';

const DIR = path.join(PROJECT_FIXTURES, 'catalogue');

/** `file:line:rule` for every `expect:` marker (1-based lines). */
function expectations(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name !== 'README.md' && e.name !== 'package.json') {
        fs.readFileSync(full, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const m = /(?:#|\/\/) expect: (MCP\d{3}(?:\s*,\s*MCP\d{3})*)/.exec(line);
            // The Dockerfile explains its marker in a comment line below the instruction.
            const target = e.name === 'Dockerfile' && /^# expect: \w+ \(line (\d+)/.exec(line);
            if (target) out.push(`${path.relative(DIR, full)}:${target[1]}:${m![1]}`);
            else if (m) for (const id of m[1].split(/\s*,\s*/)) out.push(`${path.relative(DIR, full)}:${i + 1}:${id}`);
          });
      }
    }
  };
  walk(DIR);
  // package.json is strict JSON: its expectations are named in "//expect".
  const pkg = fs.readFileSync(path.join(DIR, 'package.json'), 'utf8').split('\n');
  out.push(`package.json:${pkg.findIndex((l) => l.includes('"engines"')) + 1}:MCP601`);
  out.push(`package.json:${pkg.findIndex((l) => /^\s*"zod"/.test(l)) + 1}:MCP206`);
  return out.sort();
}

describe('catalogue fixtures end to end (lint CLI with the real analyzers)', () => {
  before(() => clearProjectCache());

  it('reports exactly the marked findings, and nothing on the clean servers', async function () {
    this.timeout(120000);
    let stdout = '';
    const code = await run(['--json', DIR], {
      out: (t) => void (stdout += t),
      err: () => undefined,
      cwd: DIR,
      env: {},
    });
    assert.equal(code, 1);
    const findings: Finding[] = JSON.parse(stdout).findings;
    const got = findings.map((f) => `${path.relative(DIR, f.file)}:${f.range.start.line + 1}:${f.code}`).sort();
    assert.deepEqual(got, expectations());
  });
});
