import * as assert from 'node:assert/strict';
import type { InterpolationStyle, ServerConfig } from '../../../src/core/config/types';
import { findVariables, resolveString, resolveVariables } from '../../../src/core/config/variables';

function server(p: Partial<ServerConfig>): ServerConfig {
  return {
    id: 'x',
    name: 'x',
    client: 'vscode',
    file: '/ws/.vscode/mcp.json',
    scope: 'workspace',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    transport: 'stdio',
    disabled: false,
    unresolved: [],
    raw: {},
    ...p,
  };
}

const ctx = {
  home: '/home/dana',
  env: { TOKEN: 'secret', EMPTY: '', Path: 'C:\\bin' } as Record<string, string | undefined>,
  workspaceFolder: '/ws',
};
const r = (s: string, style: InterpolationStyle, c = ctx) => resolveString(s, style, c);

describe('config variables', () => {
  it('vscode: workspaceFolder, userHome, env, path separator; inputs stay unresolved without a value', () => {
    assert.deepEqual(r('${workspaceFolder}/a ${userHome} ${env:TOKEN}${/}x', 'vscode'), {
      value: '/ws/a /home/dana secret/x',
      unresolved: [],
    });
    assert.deepEqual(r('Bearer ${input:gh}', 'vscode'), { value: 'Bearer ${input:gh}', unresolved: ['${input:gh}'] });
    assert.deepEqual(r('${env:NOPE}', 'vscode'), { value: '${env:NOPE}', unresolved: ['${env:NOPE}'] });
    assert.deepEqual(r('${workspaceFolderBasename}', 'vscode'), { value: 'ws', unresolved: [] });
  });

  it('vscode: bare $VAR and ${VAR} are not VS Code syntax', () => {
    const refs = findVariables('$TOKEN ${TOKEN}', 'vscode');
    assert.deepEqual(
      refs.map((x) => [x.kind, x.expanded]),
      [
        ['bare', false],
        ['unknown', false],
      ],
    );
    assert.equal(r('$TOKEN', 'vscode').value, '$TOKEN');
  });

  it('posix (Claude Code / Copilot / .mcp.json): ${VAR}, ${VAR:-default}; empty value uses the default; bare $VAR untouched', () => {
    assert.deepEqual(r('${TOKEN}|${NOPE:-dflt}|${EMPTY:-d2}|$TOKEN', 'posix'), {
      value: 'secret|dflt|d2|$TOKEN',
      unresolved: [],
    });
    assert.deepEqual(r('${NOPE}/mcp', 'posix'), { value: '${NOPE}/mcp', unresolved: ['${NOPE}'] });
  });

  it('gemini: $VAR and ${VAR} expand, unset becomes empty', () => {
    assert.deepEqual(r('$TOKEN-${NOPE}-$NOPE2', 'gemini'), { value: 'secret--', unresolved: [] });
  });

  it('opencode {env:X}, continue ${{ secrets.X }}, roo ${env:X}, windsurf ${file:} stays', () => {
    assert.equal(r('{env:TOKEN}', 'opencode').value, 'secret');
    assert.deepEqual(r('{file:~/.secret}', 'opencode').unresolved, ['{file:~/.secret}']);
    assert.equal(r('${{ secrets.TOKEN }}', 'continue').value, 'secret');
    assert.equal(r('${env:TOKEN} ${workspaceFolder}', 'roo').value, 'secret /ws');
    assert.deepEqual(r('${file:/x}', 'windsurf').unresolved, ['${file:/x}']);
  });

  it('clients without interpolation leave everything literal and report nothing to resolve', () => {
    assert.deepEqual(r('${HOME}/x $TOKEN', 'none'), { value: '${HOME}/x $TOKEN', unresolved: [] });
    assert.deepEqual(
      findVariables('${HOME}/x', 'none').map((x) => x.kind),
      ['literal'],
    );
  });

  it('Windows: env lookups are case-insensitive and ${/} is a backslash', () => {
    const w = { home: 'C:\\Users\\dana', env: { PATH: 'C:\\bin' }, workspaceFolder: 'C:\\ws' };
    assert.equal(r('${env:path}${/}x', 'vscode', w).value, 'C:\\bin\\x');
  });

  it('resolveVariables substitutes every launch field, uses inputs, lists the rest, does not mutate', () => {
    const s = server({
      command: '${workspaceFolder}/.venv/bin/python',
      args: ['${userHome}/a', '${input:level}'],
      env: { A: '${env:TOKEN}', B: '${input:missing}' },
      cwd: '${workspaceFolder}/svc',
      envFile: '${workspaceFolder}/.env',
      url: undefined,
      headers: { Authorization: 'Bearer ${input:gh}' },
      interpolation: 'vscode',
    });
    const out = resolveVariables(s, {
      ...ctx,
      inputs: new Map([
        ['level', 'debug'],
        ['gh', 'tok'],
      ]),
    });
    assert.equal(out.command, '/ws/.venv/bin/python');
    assert.deepEqual(out.args, ['/home/dana/a', 'debug']);
    assert.deepEqual(out.env, { A: 'secret', B: '${input:missing}' });
    assert.equal(out.cwd, '/ws/svc');
    assert.equal(out.envFile, '/ws/.env');
    assert.deepEqual(out.headers, { Authorization: 'Bearer tok' });
    assert.deepEqual(out.unresolved, ['${input:missing}']);
    assert.ok(!('url' in out));
    assert.equal(s.command, '${workspaceFolder}/.venv/bin/python', 'input not mutated');
  });

  it('resolveVariables falls back to the server workspaceFolder when ctx has none', () => {
    const out = resolveVariables(
      server({ command: '${workspaceFolder}/x', workspaceFolder: '/proj', interpolation: 'vscode' }),
      { home: '/h', env: {} },
    );
    assert.equal(out.command, '/proj/x');
  });
});
