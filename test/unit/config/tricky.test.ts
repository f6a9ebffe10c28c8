import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClientId, ConfigFormat } from '../../../src/core/config/types';
import { at, FIXTURES, parseFixture } from './helpers';

interface Expected {
  severity: string;
  code: string;
  at?: string;
  server?: string;
  keys?: string[];
  field?: string;
  value?: string;
  suggest?: string;
  id?: string;
  var?: string;
}

/** The client whose reader each tricky file imitates (encoded in its name). */
const CLIENT_OF: Record<string, [ClientId, ConfigFormat]> = {
  'claude_desktop_config.json': ['claude-desktop', 'mcp-servers'],
  'mcp.json': ['claude-code', 'mcp-servers'],
  'cursor-mcp.json': ['cursor', 'mcp-servers'],
  'windsurf-mcp_config.json': ['windsurf', 'mcp-servers'],
  'roo-mcp.json': ['roo', 'mcp-servers'],
  'vscode-mcp.json': ['vscode', 'vscode-mcp'],
  'cline_mcp_settings.json': ['cline', 'mcp-servers'],
};

function clientOf(name: string): [ClientId, ConfigFormat] {
  const suffix = name.replace(/^\d+-[a-z-]+\./, '');
  const hit = CLIENT_OF[suffix];
  assert.ok(hit, `no client mapping for ${name}`);
  return hit;
}

const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tricky/expected.json'), 'utf8')) as Record<
  string,
  Expected[]
>;

describe('config tricky cases (expected.json oracle)', () => {
  for (const [name, wants] of Object.entries(expected)) {
    it(`${name}: ${wants.map((w) => w.code).join(', ')}`, () => {
      const [client, format] = clientOf(name);
      // No variables set, no PATH lookups: the result depends only on the file.
      const r = parseFixture(`tricky/${name}`, client, format, { env: { LOG_LEVEL: undefined } });
      for (const w of wants) {
        const hits = r.findings.filter(
          (f) =>
            f.code === w.code &&
            f.severity === w.severity &&
            (w.server === undefined || f.server === w.server) &&
            (w.at === undefined || at(f) === w.at),
        );
        assert.ok(
          hits.length > 0,
          `${w.code} ${w.server ?? ''} ${w.at ?? ''} not found; got:\n${r.findings.map((f) => `${at(f)} ${f.severity} ${f.code} ${f.server ?? ''}`).join('\n')}`,
        );
        if (w.keys) assert.deepEqual(hits.map((h) => h.data?.key).sort(), [...w.keys].sort());
        if (w.field) assert.ok(hits.some((h) => h.data?.field === w.field));
        if (w.value) assert.ok(hits.some((h) => h.data?.value === w.value));
        if (w.suggest)
          assert.ok(
            hits.some((h) => h.data?.suggest === w.suggest),
            `suggest ${w.suggest}`,
          );
        if (w.id) assert.ok(hits.some((h) => h.data?.id === w.id));
        if (w.var)
          assert.ok(
            hits.some((h) => h.data?.var === w.var),
            `var ${w.var}`,
          );
        for (const h of hits) {
          assert.equal(h.origin, 'config');
          assert.ok(h.message.length > 40, 'message explains what, where and how');
        }
      }
    });
  }

  it('every tricky file is covered by expected.json', () => {
    const files = fs.readdirSync(path.join(FIXTURES, 'tricky')).filter((f) => f !== 'expected.json');
    assert.deepEqual(files.sort(), Object.keys(expected).sort());
  });

  it('08: ${LOG_LEVEL:-info} with a default is not reported; the unset ones are', () => {
    const r = parseFixture('tricky/08-env-var-unset.mcp.json', 'claude-code', 'mcp-servers');
    assert.ok(!r.findings.some((f) => f.data?.var === 'LOG_LEVEL'));
    assert.deepEqual(r.servers[0].unresolved, ['${WAREHOUSE_DSN}']);
  });

  it('05: url + command reports which transport MCP Doctor will use', () => {
    const r = parseFixture('tricky/05-url-and-command.roo-mcp.json', 'roo', 'mcp-servers');
    const s = r.servers[0];
    assert.equal(s.transport, 'http');
    assert.equal(s.url, 'http://127.0.0.1:8765/mcp');
    assert.equal(s.valid, false);
    assert.match(r.findings[0].message, /will use the URL/);
  });

  it('06/07: quick fixes replace the wrong spelling', () => {
    const t = parseFixture('tricky/06-unknown-type.vscode-mcp.json', 'vscode', 'vscode-mcp');
    assert.deepEqual(
      t.findings.filter((f) => f.fixes).map((f) => f.fixes![0].edits[0].newText),
      ['"http"', '"stdio"'],
    );
    const i = parseFixture('tricky/07-unresolved-input.vscode-mcp.json', 'vscode', 'vscode-mcp');
    const fix = i.findings.find((f) => f.data?.id === 'perplexity_key')!.fixes![0].edits[0];
    assert.equal(fix.newText, '${input:perplexity-key}');
    assert.deepEqual(fix.range, { start: { line: 14, character: 44 }, end: { line: 14, character: 67 } });
  });
});
