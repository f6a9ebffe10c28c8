import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfigText } from '../../../src/core/config/parse';
import type { ClientId, ConfigFormat } from '../../../src/core/config/types';
import { FIXTURES } from './helpers';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORMAT_OF: [RegExp, ClientId, ConfigFormat][] = [
  [/\.toml$/, 'codex', 'codex'],
  [/goose/, 'goose', 'goose'],
  [/\.ya?ml$/, 'continue', 'continue'],
  [/fastmcp\.json$/, 'fastmcp', 'fastmcp'],
  [/opencode/, 'opencode', 'opencode'],
  [/zed/, 'zed', 'zed'],
  [/dot-claude/, 'claude-code', 'claude-json'],
  [/vscode/, 'vscode', 'vscode-mcp'],
  [/./, 'claude-desktop', 'mcp-servers'],
];

const CHARS = '{}[]",:\\/*#\n -=\'${}';

describe('config fuzz', () => {
  it('random mutations of every fixture never throw and keep ranges inside the text (~1 s)', () => {
    const files = (fs.readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }) as string[])
      .map((f) => path.join(FIXTURES, f))
      .filter((f) => fs.statSync(f).isFile() && !f.endsWith('.md') && !f.endsWith('expected.json'));
    assert.ok(files.length >= 30);
    const rand = rng(1234);
    const deadline = Date.now() + 1000;
    let runs = 0;
    while (Date.now() < deadline) {
      for (const file of files) {
        const [, client, format] = FORMAT_OF.find(([re]) => re.test(file))!;
        let text = fs.readFileSync(file, 'utf8');
        const edits = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < edits; i++) {
          const at = Math.floor(rand() * (text.length + 1));
          const op = rand();
          if (op < 0.4) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 5));
          else if (op < 0.8) text = text.slice(0, at) + CHARS[Math.floor(rand() * CHARS.length)] + text.slice(at);
          else text = text.slice(0, at);
        }
        let r;
        try {
          r = parseConfigText(
            file,
            text,
            { file, client, format, scope: 'workspace', workspaceFolder: '/ws' },
            { home: '/h', env: {}, checkCommands: true, findOnPath: () => undefined, fileExists: () => false },
          );
        } catch (err) {
          assert.fail(`parse threw on a mutation of ${path.basename(file)}: ${String(err)}\n---\n${text}`);
        }
        assert.ok(
          !r.findings.some((f) => f.code === 'MCP000'),
          `internal error on ${path.basename(file)}:\n${r.findings.find((f) => f.code === 'MCP000')?.message}\n---\n${text}`,
        );
        const lines = text.split(/\r\n|\r|\n/).length;
        for (const f of r.findings)
          assert.ok(f.range.start.line < lines + 1 && f.range.start.line >= 0, `${f.code} range outside the text`);
        runs++;
      }
    }
    assert.ok(runs > files.length, `ran ${runs} mutations`);
  });
});
