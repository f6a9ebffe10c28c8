import * as assert from 'node:assert/strict';
import { missingScheme } from '../../../src/core/config/urlScheme';
import { codes, only, parseText } from './helpers';

/** Applies a finding's first fix to the text (single-line edits, as the fixes here are). */
function applyFirst(text: string, edit: { range: { start: { line: number; character: number } }; newText: string }) {
  const lines = text.split('\n');
  const { line, character } = edit.range.start;
  lines[line] = lines[line].slice(0, character) + edit.newText + lines[line].slice(character);
  return lines.join('\n');
}

describe('config: url without a scheme (MCP080)', () => {
  it('knows what a missing scheme looks like', () => {
    assert.deepEqual(missingScheme('localhost:8000/mcp'), { suggested: 'http://localhost:8000/mcp', secure: false });
    assert.deepEqual(missingScheme('127.0.0.1:3000/mcp'), { suggested: 'http://127.0.0.1:3000/mcp', secure: false });
    assert.deepEqual(missingScheme('[::1]:8000/mcp'), { suggested: 'http://[::1]:8000/mcp', secure: false });
    assert.deepEqual(missingScheme('api.example.com/mcp'), { suggested: 'https://api.example.com/mcp', secure: true });
    for (const fine of ['http://localhost:8000/mcp', 'HTTPS://x.dev/mcp', 'ws://x/y', '${input:url}', '$URL', ''])
      assert.equal(missingScheme(fine), undefined, fine);
  });

  it('is reported in each client’s file, with a fix that adds http://', () => {
    const text = '{\n  "servers": {\n    "notes": { "type": "http", "url": "localhost:8000/mcp" }\n  }\n}\n';
    const r = parseText(text, 'vscode', 'vscode-mcp');
    assert.deepEqual(codes(r), ['MCP080']);
    const [f] = only(r, 'MCP080');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /has no scheme[\s\S]*unknown scheme[\s\S]*Add http:\/\//);
    assert.deepEqual(
      f.fixes!.map((x) => x.title),
      ['Add "http://"', 'Add "https://"'],
    );
    const fixed = applyFirst(text, f.fixes![0].edits[0]);
    assert.match(fixed, /"url": "http:\/\/localhost:8000\/mcp"/);
    assert.deepEqual(codes(parseText(fixed, 'vscode', 'vscode-mcp')), []);

    const cursor = parseText(
      JSON.stringify({ mcpServers: { r: { url: 'mcp.example.com/sse' } } }),
      'cursor',
      'mcp-servers',
    );
    assert.ok(codes(cursor).includes('MCP080'), codes(cursor).join());
    assert.match(only(cursor, 'MCP080')[0].message, /https:\/\/mcp\.example\.com\/sse/);
  });
});
