import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/model';
import { countBySeverity, formatText, summaryLine, toJsonFindings } from '../../../src/core/rules/report';
import { toSarif } from '../../../src/core/rules/sarif';

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

describe('JSON report positions', () => {
  it('keeps the 0-based range and adds 1-based line/column that match the text report and SARIF', () => {
    const f: Finding = {
      code: 'MCP101',
      severity: 'error',
      message: 'print() writes to stdout',
      file: '/w/server.py',
      range: { start: { line: 17, character: 4 }, end: { line: 17, character: 20 } },
      origin: 'rules',
    };
    const [j] = toJsonFindings([f]);
    assert.deepEqual(j.range, f.range);
    assert.equal(j.line, 18);
    assert.equal(j.column, 5);
    assert.equal(j.endLine, 18);
    assert.equal(j.endColumn, 21);
    assert.ok(formatText([f], { baseDir: '/w' }).includes('18:5'));
    const sarif = toSarif([f], { baseDir: '/w', toolVersion: '0' }) as unknown as {
      runs: {
        results: { locations: { physicalLocation: { region: { startLine: number; startColumn: number } } }[] }[];
      }[];
    };
    const region = sarif.runs[0].results[0].locations[0].physicalLocation.region;
    assert.equal(region.startLine, j.line);
    assert.equal(region.startColumn, j.column);
  });
});
