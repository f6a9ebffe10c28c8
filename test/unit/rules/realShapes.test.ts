import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Finding } from '../../../src/core/model';
import { RuleEngine } from '../../../src/core/rules/engine';
import { clearProjectCache } from '../../../src/core/rules/project';

/**
 * Regression fixtures shaped like real public servers (written for this project, no code copied):
 * each wrong-finding class of the precision study gets a fixture that must stay silent, and each
 * true case next to it must still be found. They run through the real engine and analyzers, so the
 * project model (imports, runners, declared entry points) is exercised as in `mcp-doctor lint`.
 */
const ROOT = path.join(__dirname, '../../fixtures/rules/realShapes');

let findings: Finding[] = [];

const at = (dir: string, code: string): { line: number; severity: string; message: string }[] =>
  findings
    .filter((f) => f.code === code && path.relative(ROOT, f.file).split(path.sep)[0] === dir)
    .map((f) => ({ line: f.range.start.line + 1, severity: f.severity, message: f.message }));

describe('lint on real-world shapes (precision regressions)', function () {
  this.timeout(60_000);

  before(async () => {
    clearProjectCache();
    const engine = new RuleEngine({ workers: 0, log: () => {} });
    findings = (await engine.analyzeWorkspace([ROOT])).findings;
  });

  it('a demo that drives its server in-process gets neither MCP101 nor MCP104', () => {
    assert.deepEqual(at('inprocess_demo', 'MCP101'), []);
    assert.deepEqual(at('inprocess_demo', 'MCP104'), []);
  });

  it('output in HTTP/SSE-only branches is not MCP101; output in the stdio branch is', () => {
    assert.deepEqual(
      at('branches', 'MCP101').map((h) => h.line),
      [24],
    );
  });

  it('a server run by the package __main__ over HTTP: no MCP104 and no MCP101 in its tools', () => {
    assert.deepEqual(at('runner', 'MCP104'), []);
    assert.deepEqual(at('runner', 'MCP101'), []);
  });

  it('a server mounted into another one is not "never started"', () => {
    assert.deepEqual(at('mounted', 'MCP104'), []);
  });

  it('`fastmcp run server.py` in the README is an entry point', () => {
    assert.deepEqual(at('declared', 'MCP104'), []);
  });

  it('a script whose __main__ block does not start the server is MCP104 at error', () => {
    const h = at('script_no_run', 'MCP104');
    assert.equal(h.length, 1);
    assert.equal(h[0].severity, 'error');
    assert.match(h[0].message, /__main__/);
  });

  it('constant tool names are resolved: no cross-file MCP702, a real duplicate names the real tool', () => {
    const dup = at('const_names', 'MCP702');
    assert.equal(dup.length, 1);
    assert.equal(dup[0].line, 7);
    assert.match(dup[0].message, /`report`/);
    assert.doesNotMatch(dup[0].message, /`TOOL`|"name"/);
  });

  it('a version range in requirements.txt is not a version (no MCP605 on a bare @mcp.tool)', () => {
    assert.deepEqual(at('range_not_version', 'MCP605'), []);
  });

  it('loopback without container evidence is the secure default (no MCP106)', () => {
    assert.deepEqual(at('loopback_no_container', 'MCP106'), []);
  });

  it('computed descriptions are not empty; an explicitly empty one is', () => {
    assert.deepEqual(
      at('computed_description', 'MCP701').map((h) => h.line),
      [21],
    );
  });

  it('TypeScript: console.log in the httpStream branch is fine, in the stdio branch it is MCP102', () => {
    assert.deepEqual(
      at('ts_branches', 'MCP102').map((h) => h.line),
      [18],
    );
  });

  it('fastmcp tool versions are not duplicate names', () => {
    assert.deepEqual(at('tool_versions', 'MCP702'), []);
  });
});
