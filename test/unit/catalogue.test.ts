import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODES, DOCS_BASE_URL, docsUrl, getCode } from '../../src/core/catalogue';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = path.join(ROOT, 'docs/rules');

/** Every `.ts` file under src/. */
function sources(): string[] {
  return fs
    .readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(ROOT, 'src', f));
}

describe('the catalogue of finding codes', () => {
  it('has unique ids of one scheme, each in the category of its block', () => {
    const ids = CODES.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    const blocks: Record<string, string> = {
      1: 'connection',
      2: 'serialization',
      3: 'concurrency',
      4: 'performance',
      5: 'security',
      6: 'config',
      7: 'protocol',
      8: 'auth',
    };
    for (const c of CODES) {
      assert.match(c.id, /^MCP\d{3}$/);
      const expected = c.id === 'MCP000' ? 'internal' : c.id[3] === '0' ? 'client-config' : blocks[c.id[3]];
      assert.equal(c.category, expected, c.id);
      assert.ok(c.title.length > 5 && c.sources.length > 0, c.id);
    }
  });

  it('keeps the codes of the old schemes as aliases of exactly one code', () => {
    const seen = new Map<string, string>();
    for (const c of CODES)
      for (const a of c.aliases ?? []) {
        assert.ok(!seen.has(a), `${a} is an alias of ${seen.get(a)} and ${c.id}`);
        seen.set(a, c.id);
        assert.equal(getCode(a)?.id, c.id);
      }
    // The same problem has the same code at every stage: config check and launch.
    assert.equal(getCode('path/command-not-found')?.id, getCode('RT-command-not-found')?.id);
    assert.equal(getCode('path/cwd-missing')?.id, getCode('RT-cwd-missing')?.id);
    assert.equal(getCode('MCP999'), undefined);
  });

  it('links every code, and every alias, to the page of its code', () => {
    assert.equal(docsUrl('MCP101'), `${DOCS_BASE_URL}MCP101.md`);
    assert.equal(docsUrl('schema/no-transport'), `${DOCS_BASE_URL}${getCode('schema/no-transport')!.id}.md`);
  });

  it('has a documentation page for every code, indexed in the README, naming its old codes', () => {
    const index = fs.readFileSync(path.join(DOCS, 'README.md'), 'utf8');
    for (const c of CODES) {
      const page = path.join(DOCS, `${c.id}.md`);
      assert.ok(fs.existsSync(page), `missing ${page}`);
      const text = fs.readFileSync(page, 'utf8');
      assert.ok(text.startsWith(`# ${c.id}`), `${c.id}.md starts with its id`);
      for (const section of ['## Why', '## Fix', '## Severity'])
        assert.ok(text.includes(section), `${c.id}.md lacks "${section}"`);
      for (const a of c.aliases ?? []) assert.ok(text.includes(a), `${c.id}.md does not name its old code ${a}`);
      assert.ok(index.includes(`(${c.id}.md)`), `README does not link ${c.id}`);
    }
  });

  it('knows every code that the source can emit, and no other scheme is left', () => {
    const known = new Set(CODES.map((c) => c.id));
    for (const file of sources()) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      if (rel === path.join('src', 'core', 'catalogue.ts')) continue;
      for (const m of text.matchAll(/['"`](MCP\d{3})['"`:]/g))
        assert.ok(known.has(m[1]), `${rel}: ${m[1]} is not in the catalogue`);
      const old = /['"`](?:(?:schema|parse|vars|path|internal)\/[a-z-]+|RT-[a-z-]+)['"`:]/.exec(text);
      assert.equal(old, null, `${rel} still uses an old code: ${old?.[0]}`);
    }
  });
});
