import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DOCS_BASE_URL, docsUrl, getRule, RULES } from '../../../src/core/rules/catalog';

const DOCS = path.resolve(__dirname, '../../../docs/rules');

describe('rules catalog', () => {
  it('has the 49 catalogue rules with unique ids', () => {
    assert.equal(RULES.length, 49);
    assert.equal(new Set(RULES.map((r) => r.id)).size, 49);
    for (const r of RULES) assert.match(r.id, /^MCP[1-7]\d\d$/);
  });

  it('puts each rule in the category of its id block', () => {
    const blocks: Record<string, string> = {
      1: 'connection',
      2: 'serialization',
      3: 'concurrency',
      4: 'performance',
      5: 'security',
      6: 'config',
      7: 'protocol',
    };
    for (const r of RULES) assert.equal(r.category, blocks[r.id[3]], r.id);
  });

  it('uses the catalogue default severities', () => {
    const expected: Record<string, string> = {
      MCP101: 'error',
      MCP103: 'warning',
      MCP402: 'info',
      MCP504: 'info',
      MCP505: 'warning',
      MCP601: 'error',
      MCP606: 'info',
      MCP607: 'error',
      MCP705: 'info',
      MCP710: 'warning',
    };
    for (const [id, sev] of Object.entries(expected)) assert.equal(getRule(id)?.defaultSeverity, sev, id);
    assert.equal(RULES.filter((r) => r.defaultSeverity === 'error').length, 24);
    assert.equal(RULES.filter((r) => r.defaultSeverity === 'info').length, 4);
  });

  it('looks rules up by id and links their docs', () => {
    assert.equal(getRule('MCP101')?.title, 'Python writes to stdout on a stdio server');
    assert.equal(getRule('MCP999'), undefined);
    assert.equal(docsUrl('MCP101'), `${DOCS_BASE_URL}MCP101.md`);
    assert.ok(DOCS_BASE_URL.startsWith('https://') && DOCS_BASE_URL.endsWith('/docs/rules/'));
  });

  it('has a documentation page for every rule, indexed in the README', () => {
    const index = fs.readFileSync(path.join(DOCS, 'README.md'), 'utf8');
    for (const r of RULES) {
      const page = path.join(DOCS, `${r.id}.md`);
      assert.ok(fs.existsSync(page), `missing ${page}`);
      const text = fs.readFileSync(page, 'utf8');
      assert.ok(text.startsWith(`# ${r.id}`), `${r.id}.md starts with its id`);
      for (const section of ['## Why', '## Fix', '## Severity'])
        assert.ok(text.includes(section), `${r.id}.md lacks "${section}"`);
      assert.ok(text.includes('mcpDoctor.rules.severity'), `${r.id}.md explains the severity setting`);
      assert.ok(index.includes(`(${r.id}.md)`), `README does not link ${r.id}`);
    }
  });
});
