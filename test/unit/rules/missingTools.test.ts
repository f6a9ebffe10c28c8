import * as assert from 'node:assert/strict';
import type { ServerConfig } from '../../../src/core/config/types';
import { rangeAt } from '../../../src/core/model';
import type { Definition } from '../../../src/core/rules/types';
import type { SessionView } from '../../../src/core/session/types';
import { findMissingTools } from '../../../src/vscode/rules/missingTools';

const WS = '/w';
const FILE = '/w/src/server.py';
const def = (name: string, line: number): Definition => ({
  kind: 'tool',
  name,
  file: FILE,
  range: rangeAt(line, 0, 10),
  nameRange: rangeAt(line, 4, 8),
  framework: 'fastmcp',
  params: [],
});
const config = (over: Partial<ServerConfig> = {}): ServerConfig => ({
  id: 'vscode:/w/.vscode/mcp.json#inv',
  name: 'inv',
  client: 'vscode',
  file: '/w/.vscode/mcp.json',
  scope: 'workspace',
  range: rangeAt(0, 0),
  transport: 'stdio',
  command: 'uv',
  args: ['run', '/w/src/server.py'],
  disabled: false,
  unresolved: [],
  workspaceFolder: WS,
  raw: {},
  ...over,
});
const session = (tools: string[], over: Partial<SessionView> = {}): SessionView => ({
  serverId: 'vscode:/w/.vscode/mcp.json#inv',
  serverName: 'inv',
  state: { kind: 'running', initializeMs: 120, protocolVersion: '2025-06-18', era: '2025', transport: 'stdio' },
  tools: tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
  resources: [],
  resourceTemplates: [],
  prompts: [],
  findings: [],
  stderrTail: [],
  toolStats: new Map(),
  ...over,
});

describe('missing tools (defined in source, absent from tools/list)', () => {
  const defs = [def('add', 3), def('shout', 9)];

  it('reports tools the running server of this file does not list', () => {
    const missing = findMissingTools(FILE, WS, defs, [session(['add'])], [config()]);
    assert.deepEqual(
      missing.map((m) => [m.definition.name, m.serverName]),
      [['shout', 'inv']],
    );
  });

  it('matches the server by a shared tool, by file stem, or by cwd', () => {
    const other = config({ args: ['run', 'python', '-m', 'inventory'] });
    assert.equal(
      findMissingTools(FILE, WS, defs, [session(['add'])], [other]).length,
      1,
      'lists another tool of the file',
    );
    assert.equal(
      findMissingTools(FILE, WS, defs, [session([])], [config({ args: ['dist/server.js'] })]).length,
      2,
      'same stem',
    );
    assert.equal(
      findMissingTools(FILE, WS, defs, [session([])], [config({ args: ['main.py'], cwd: '/w/src' })]).length,
      2,
      'cwd is the file folder',
    );
  });

  it('ignores unrelated servers, other folders, and sessions that are not running', () => {
    const unrelated = config({ args: ['/w/other/main.py'] });
    assert.deepEqual(findMissingTools(FILE, WS, defs, [session(['echo'])], [unrelated]), []);
    assert.deepEqual(
      findMissingTools(FILE, WS, defs, [session(['add'])], [config({ workspaceFolder: '/elsewhere' })]),
      [],
    );
    assert.deepEqual(
      findMissingTools(
        FILE,
        WS,
        defs,
        [session(['add'], { state: { kind: 'starting', since: 0, step: 'connecting' } })],
        [config()],
      ),
      [],
    );
    assert.deepEqual(findMissingTools(FILE, undefined, defs, [session(['add'])], [config()]), []);
    assert.deepEqual(findMissingTools(FILE, WS, defs, [session(['add', 'shout'])], [config()]), [], 'all listed');
  });
});
