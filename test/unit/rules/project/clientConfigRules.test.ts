import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits } from 'jsonc-parser';
import { clientConfigKind, clientConfigRules } from '../../../../src/core/rules/project/clientConfigRules';
import { LineIndex } from '../../../../src/core/rules/project/text';
import type { RuleHit } from '../../../../src/core/rules/types';
import { contextWith, line, PROJECT_FIXTURES } from '../helpers';

const BAD = path.join(PROJECT_FIXTURES, 'py-bad', '.vscode', 'mcp.json');

function applyFix(text: string, hit: RuleHit): string {
  const lines = new LineIndex(text);
  const edits = hit.fixes![0].edits.map((e) => ({
    offset: lines.offsetAt(e.range.start),
    length: lines.offsetAt(e.range.end) - lines.offsetAt(e.range.start),
    content: e.newText,
  }));
  return applyEdits(text, edits);
}

describe('client config rules', () => {
  it('knows which client reads a file', () => {
    assert.equal(clientConfigKind('/w/.vscode/mcp.json'), 'vscode');
    assert.equal(clientConfigKind('/w/.cursor/mcp.json'), 'cursor');
    assert.equal(clientConfigKind('/w/.mcp.json'), 'claude-code');
    assert.equal(clientConfigKind('/h/claude_desktop_config.json'), 'claude-desktop');
    assert.equal(clientConfigKind('/w/mcp.json'), undefined);
  });

  it('reports the catalogue fixture findings at the marked lines', () => {
    const text = fs.readFileSync(BAD, 'utf8');
    const hits = clientConfigRules(
      BAD,
      text,
      contextWith({ mcp: '1.9.4' }, { files: [path.join(PROJECT_FIXTURES, 'py-bad', 'uv.lock')] }),
    );
    const got = hits.map((h) => `${line(h)}:${h.ruleId}`).sort();
    const expected = text
      .split('\n')
      .flatMap((l, i) => (/expect: (.*)$/.exec(l)?.[1].split(/,\s*/) ?? []).map((id) => `${i + 1}:${id.trim()}`))
      .sort();
    assert.deepEqual(got, expected);
  });

  it('MCP012: mcpServers in .vscode/mcp.json, with a rename fix', () => {
    const text =
      '{\n  "mcpServers": {\n    "a": { "type": "stdio", "command": "node", "args": ["--version"] }\n  }\n}\n';
    const hits = clientConfigRules('/w/.vscode/mcp.json', text, contextWith({}));
    assert.equal(hits.length, 1);
    assert.equal(line(hits[0]), 2);
    assert.match(applyFix(text, hits[0]), /"servers": \{/);
    // Other clients read mcpServers: no finding there.
    assert.deepEqual(clientConfigRules('/w/.mcp.json', text, contextWith({})), []);
  });

  it('MCP062: a referenced script that does not exist is an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-cfg-'));
    try {
      fs.mkdirSync(path.join(dir, '.vscode'));
      const file = path.join(dir, '.vscode', 'mcp.json');
      const text =
        '{ "servers": { "s": { "command": "node", "args": ["build/missing.js"], "cwd": "${workspaceFolder}" } } }';
      const hits = clientConfigRules(file, text, contextWith({}));
      assert.equal(hits.length, 1);
      assert.equal(hits[0].downgrade, undefined);
      assert.match(hits[0].message, /does not exist/);
      fs.mkdirSync(path.join(dir, 'build'));
      fs.writeFileSync(path.join(dir, 'build', 'missing.js'), '');
      assert.deepEqual(clientConfigRules(file, text, contextWith({})), [], 'exists and cwd is set');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MCP054: shell-style variables in env; ${env:X} and ${input:x} are fine', () => {
    const text =
      '{ "inputs": [{ "type": "promptString", "id": "key", "password": true }], "servers": { "s": { "command": "node", "env": { "DATA": "${APPDATA}/x", "OK": "${env:HOME}", "KEY": "${input:key}" } } } }';
    const hits = clientConfigRules('/w/.vscode/mcp.json', text, contextWith({}));
    assert.deepEqual(
      hits.map((h) => h.ruleId),
      ['MCP054'],
    );
    assert.match(applyFix(text, hits[0]), /"DATA": "\$\{env:APPDATA\}\/x"/);
  });

  it('MCP603: SSE by type or URL (one finding per server)', () => {
    const text =
      '{ "servers": { "a": { "type": "sse", "url": "http://x/sse" }, "b": { "type": "http", "url": "http://x/sse" }, "c": { "type": "http", "url": "http://x/mcp" } } }';
    const hits = clientConfigRules('/w/.vscode/mcp.json', text, contextWith({}));
    assert.deepEqual(
      hits.map((h) => h.ruleId),
      ['MCP603', 'MCP603'],
    );
    assert.match(applyFix(text, hits[0]), /"type": "http"/);
  });

  it('MCP505: literal secrets in env become an input prompt', () => {
    const text =
      '{\n  "servers": {\n    "gh": { "command": "node", "env": { "GITHUB_TOKEN": "abc123def456ghi789" } }\n  }\n}\n';
    const hits = clientConfigRules('/w/.vscode/mcp.json', text, contextWith({}));
    assert.deepEqual(
      hits.map((h) => h.ruleId),
      ['MCP505'],
    );
    const fixed = JSON.parse(applyFix(text, hits[0]));
    assert.equal(fixed.servers.gh.env.GITHUB_TOKEN, '${input:github-token}');
    assert.deepEqual(fixed.inputs, [
      { type: 'promptString', id: 'github-token', description: 'GITHUB_TOKEN', password: true },
    ]);
  });

  it('no findings for a healthy config', () => {
    const text =
      '{ "inputs": [{ "type": "promptString", "id": "api-key", "password": true }], "servers": { "s": { "type": "stdio", "command": "node", "args": ["--version"], "env": { "API_KEY": "${input:api-key}" } } } }';
    assert.deepEqual(clientConfigRules('/w/.vscode/mcp.json', text, contextWith({})), []);
  });
});
