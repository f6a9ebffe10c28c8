import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/model';
import { countBySeverity, formatText, summaryLine } from '../../../src/core/rules/report';

const f = (file: string, line: number, severity: Finding['severity'], code: string): Finding => ({
  code,
  severity,
  message: `problem ${code}`,
  file,
  origin: 'rules',
  range: { start: { line, character: 2 }, end: { line, character: 5 } },
});

describe('text report', () => {
  const findings = [
    f('/w/a.py', 0, 'error', 'MCP101'),
    f('/w/a.py', 11, 'warning', 'MCP701'),
    f('/w/b/c.ts', 3, 'info', 'MCP402'),
  ];

  it('groups by file with 1-based positions relative to the base folder', () => {
    const text = formatText(findings, { baseDir: '/w' });
    const lines = text.split('\n');
    assert.equal(lines[0], 'a.py');
    assert.equal(lines[1], '  1:3   error    problem MCP101  MCP101');
    assert.equal(lines[2], '  12:3  warning  problem MCP701  MCP701');
    assert.equal(lines[4], 'b/c.ts');
    assert.ok(!text.includes('\x1b['), 'no colour unless asked');
    assert.ok(formatText(findings, { color: true }).includes('\x1b[31m'));
  });

  it('summarises counts', () => {
    assert.deepEqual(countBySeverity(findings), { error: 1, warning: 1, info: 1, hint: 0 });
    assert.equal(summaryLine(findings, 4), '3 problems in 4 files (1 error, 1 warning, 1 info)');
    assert.equal(summaryLine([], 1), 'No problems found in 1 file.');
  });
});
