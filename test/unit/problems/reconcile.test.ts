import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/core/model';
import { reconcile, type ForeignDiagnostic } from '../../../src/core/problems/reconcile';

const FILE = '/ws/.vscode/mcp.json';
const r = (line: number, from: number, to: number) => ({
  start: { line, character: from },
  end: { line, character: to },
});
const finding = (
  code: string,
  origin: Finding['origin'],
  range = r(1, 2, 14),
  over: Partial<Finding> = {},
): Finding => ({
  code,
  severity: 'error',
  message: `${code} message`,
  file: FILE,
  range,
  origin,
  ...over,
});

describe('problems: one entry per problem', () => {
  // What VS Code 1.117 reported for a broken .vscode/mcp.json (seen in the integration host).
  const vscodeSays: ForeignDiagnostic[] = [
    { range: r(1, 2, 14), message: 'Property mcpServers is not allowed.', severity: 'warning' },
    { range: r(2, 29, 35), message: 'Expected comma', severity: 'error', source: 'jsonc' },
    {
      range: r(5, 40, 57),
      message: 'Variable `workspaceFoldr` not found, did you mean ${workspaceFolder}?',
      severity: 'warning',
    },
    { range: r(6, 34, 54), message: "The URL must start with 'http://' or 'https://'.", severity: 'warning' },
  ];

  it('leaves out config findings VS Code reports at the same place', () => {
    const config = [
      finding('MCP012', 'config', r(1, 2, 14), { severity: 'warning' }),
      finding('MCP001', 'config', r(2, 29, 35)),
      finding('MCP054', 'config', r(5, 40, 57), { severity: 'warning' }),
      finding('MCP080', 'config', r(6, 34, 54)),
      finding('MCP018', 'config', r(3, 19, 36)),
    ];
    const out = reconcile({ config, rules: [], runtime: [] }, vscodeSays);
    assert.deepEqual(
      out.config.map((s) => s.finding.code),
      ['MCP018'],
    );
    assert.deepEqual(
      out.dropped.map((d) => [d.finding.code, d.by.message]),
      [
        ['MCP012', 'Property mcpServers is not allowed.'],
        ['MCP001', 'Expected comma'],
        ['MCP054', 'Variable `workspaceFoldr` not found, did you mean ${workspaceFolder}?'],
        ['MCP080', "The URL must start with 'http://' or 'https://'."],
      ],
    );
  });

  it('keeps findings next to unrelated or milder diagnostics', () => {
    const foreign: ForeignDiagnostic[] = [
      { range: r(3, 0, 4), message: 'Unknown word', severity: 'info', source: 'cSpell' },
      { range: r(4, 10, 12), message: 'lint', severity: 'warning', source: 'some-linter' },
    ];
    const config = [
      finding('MCP018', 'config', r(3, 0, 10)),
      finding('MCP031', 'config', r(4, 8, 20), { severity: 'warning' }),
      finding('MCP057', 'config', r(1, 2, 14), { severity: 'info' }),
    ];
    const out = reconcile({ config, rules: [], runtime: [] }, [...foreign, vscodeSays[0]]);
    assert.deepEqual(
      out.config.map((s) => s.finding.code),
      ['MCP018', 'MCP031', 'MCP057'],
      'another source on an overlapping range, an info, an info finding: all kept',
    );
  });

  it('shows a runtime finding with a static twin once, on the static entry', () => {
    const py = '/ws/server.py';
    const staticPrint = finding('MCP101', 'rules', r(7, 4, 30), { file: py, severity: 'warning' });
    const runtimePrint = finding('MCP101', 'runtime', r(7, 4, 30), { file: py, message: 'stdout: "hello"' });
    const otherLine = finding('MCP101', 'runtime', r(9, 0, 5), { file: py });
    const out = reconcile({ config: [], rules: [staticPrint], runtime: [runtimePrint, otherLine] }, []);
    assert.equal(out.rules.length, 1);
    assert.equal(out.rules[0].runtimeTwin, runtimePrint);
    assert.deepEqual(out.runtime, [{ finding: otherLine }]);
  });

  it('pairs a config finding with its launch failure by server entry, across old and new codes', () => {
    const cfg = finding('MCP061', 'config', r(4, 17, 30), { server: 'api' });
    const rt = finding('path/command-not-found', 'runtime', r(3, 4, 9), { server: 'api' });
    const other = finding('MCP061', 'runtime', r(8, 4, 9), { server: 'web' });
    const out = reconcile({ config: [cfg], rules: [], runtime: [rt, other] }, []);
    assert.equal(out.config[0].runtimeTwin, rt);
    assert.deepEqual(
      out.runtime.map((s) => s.finding.server),
      ['web'],
    );
  });
});
