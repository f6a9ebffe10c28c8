import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding } from '../../../src/core/model';
import { CODES, docsUrl } from '../../../src/core/catalogue';
import { sarifLevel, toSarif } from '../../../src/core/rules/sarif';

const base = path.resolve('/work/project');
const finding = (over: Partial<Finding> = {}): Finding => ({
  code: 'MCP101',
  severity: 'error',
  message: 'print() writes to stdout',
  file: path.join(base, 'src', 'server.py'),
  range: { start: { line: 17, character: 4 }, end: { line: 17, character: 9 } },
  origin: 'rules',
  ...over,
});

describe('SARIF output', () => {
  it('is a SARIF 2.1.0 log with one run and the rules as driver metadata', () => {
    const log = toSarif([], { baseDir: base, toolVersion: '0.1.0' }) as any;
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'MCP Doctor');
    assert.equal(driver.version, '0.1.0');
    assert.equal(driver.rules.length, CODES.length);
    const r101 = driver.rules.find((r: any) => r.id === 'MCP101');
    assert.equal(r101.helpUri, docsUrl('MCP101'));
    assert.equal(r101.shortDescription.text, CODES.find((c) => c.id === 'MCP101')!.title);
    assert.equal(r101.defaultConfiguration.level, 'error');
    assert.deepEqual(log.runs[0].results, []);
    assert.equal(log.runs[0].originalUriBaseIds.SRCROOT.uri, 'file:///work/project/');
  });

  it('maps findings to results with 1-based regions, levels and relative URIs', () => {
    const log = toSarif([finding(), finding({ code: 'MCP402', severity: 'info', file: '/elsewhere/x.ts' })], {
      baseDir: base,
    }) as any;
    const [a, b] = log.runs[0].results;
    assert.equal(a.ruleId, 'MCP101');
    assert.equal(log.runs[0].tool.driver.rules[a.ruleIndex].id, 'MCP101');
    assert.equal(a.level, 'error');
    assert.equal(a.message.text, 'print() writes to stdout');
    const loc = a.locations[0].physicalLocation;
    assert.deepEqual(loc.artifactLocation, { uri: 'src/server.py', uriBaseId: 'SRCROOT' });
    assert.deepEqual(loc.region, { startLine: 18, startColumn: 5, endLine: 18, endColumn: 10 });
    assert.equal(b.level, 'note');
    assert.equal(b.locations[0].physicalLocation.artifactLocation.uri, 'file:///elsewhere/x.ts');
    assert.equal(log.runs[0].tool.driver.rules[b.ruleIndex].id, 'MCP402');
  });

  it('includes fixes and related locations, and registers codes outside the catalogue', () => {
    const f = finding({
      fixes: [
        {
          title: 'Write to stderr',
          edits: [
            {
              file: path.join(base, 'src', 'server.py'),
              range: { start: { line: 17, character: 17 }, end: { line: 17, character: 17 } },
              newText: ', file=sys.stderr',
            },
          ],
        },
      ],
      related: [
        {
          file: path.join(base, 'src', 'other.py'),
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
          message: 'also here',
        },
      ],
    });
    const log = toSarif([f, finding({ code: 'MCP000', severity: 'info' })], { baseDir: base }) as any;
    const [r, internal] = log.runs[0].results;
    const change = r.fixes[0].artifactChanges[0];
    assert.equal(r.fixes[0].description.text, 'Write to stderr');
    assert.equal(change.artifactLocation.uri, 'src/server.py');
    assert.deepEqual(change.replacements[0].deletedRegion, {
      startLine: 18,
      startColumn: 18,
      endLine: 18,
      endColumn: 18,
    });
    assert.equal(change.replacements[0].insertedContent.text, ', file=sys.stderr');
    assert.equal(r.relatedLocations[0].message.text, 'also here');
    const rules = log.runs[0].tool.driver.rules;
    assert.equal(rules[internal.ruleIndex].id, 'MCP000');
  });

  it('maps severities to SARIF levels', () => {
    assert.equal(sarifLevel('error'), 'error');
    assert.equal(sarifLevel('warning'), 'warning');
    assert.equal(sarifLevel('info'), 'note');
    assert.equal(sarifLevel('hint'), 'note');
  });
});
