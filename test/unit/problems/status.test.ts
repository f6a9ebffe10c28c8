import * as assert from 'node:assert/strict';
import { statusSummary } from '../../../src/core/problems/status';

describe('status bar summary', () => {
  it('counts running and failed servers and the MCP problems', () => {
    const s = statusSummary(
      [
        {
          serverName: 'everything',
          state: { kind: 'running', initializeMs: 5, protocolVersion: '2025-11-25', era: '2025', transport: 'stdio' },
        },
        { serverName: 'crashing', state: { kind: 'error', reason: 'Process exited (code 1)' } },
        { serverName: 'memory', state: { kind: 'stopped' } },
      ] as never,
      [{ severity: 'error' }, { severity: 'warning' }, { severity: 'warning' }, { severity: 'info' }],
    );
    assert.equal(s.text, '$(pulse) MCP 1 running  $(debug-stop) 1 failed  $(error) 1  $(warning) 2');
    assert.deepEqual(s.tooltip, [
      '$(pass-filled) everything: running',
      '$(error) crashing: Process exited (code 1)',
      '1 error and 2 warnings in MCP configs and running servers',
    ]);
  });

  it('says so when nothing runs and nothing is wrong', () => {
    const s = statusSummary([], []);
    assert.equal(s.text, '$(pulse) MCP 0 running');
    assert.deepEqual(s.tooltip, ['No server started by MCP Doctor.', 'No problems in MCP configs or running servers.']);
  });
});
