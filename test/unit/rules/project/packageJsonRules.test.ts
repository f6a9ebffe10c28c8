import * as assert from 'node:assert/strict';
import { packageJsonRules } from '../../../../src/core/rules/project/packageJsonRules';
import { contextWith, line } from '../helpers';

const pkg = (obj: unknown) => JSON.stringify(obj, null, 2);

describe('package.json rules', () => {
  it('MCP601: engines.node below the SDK floor, at the exact value', () => {
    const text = pkg({ engines: { node: '>=16' }, dependencies: { '@modelcontextprotocol/sdk': '^1.20.0' } });
    const hits = packageJsonRules('/p/package.json', text, contextWith({}));
    assert.deepEqual(
      hits.map((h) => h.ruleId),
      ['MCP601'],
    );
    const h = hits[0];
    assert.equal(line(h), 3);
    const l = text.split('\n')[2];
    assert.equal(l.slice(h.range.start.character, h.range.end.character), '">=16"');
    assert.equal(h.fixes?.[0].edits[0].newText, '">=18"');
  });

  it("MCP601: the floor comes from the resolved SDK version's own engines (0.x and 1.0.x declare none)", () => {
    const run = (sdk: string, engines: string, lock?: string) =>
      packageJsonRules(
        '/p/package.json',
        pkg({ engines: { node: engines }, dependencies: { '@modelcontextprotocol/sdk': sdk } }),
        contextWith(lock ? { '@modelcontextprotocol/sdk': lock } : {}),
      ).filter((h) => h.ruleId === 'MCP601');
    // An exact pin, or a range that only admits releases without engines: nothing to say.
    assert.deepEqual(run('0.6.0', '>=14.0.0'), []);
    assert.deepEqual(run('^0.6.0', '>=14'), []);
    assert.deepEqual(run('~1.0.3', '>=16'), []);
    // The lockfile resolves the range: 1.0.4 declares no floor; 1.11.0 declares >=18.
    assert.deepEqual(run('^1.0.0', '>=16', '1.0.4'), []);
    const locked = run('^1.0.0', '>=16', '1.11.0');
    assert.equal(locked.length, 1);
    assert.equal(locked[0]!.severity, undefined); // the rule's default: error
    assert.match(locked[0]!.message, /1\.11\.0 \(package-lock\.json\) declares engines\.node ">=18"/);
    // Every release ^1.11.0 admits declares >=18: proven without a lockfile.
    assert.equal(run('^1.11.0', '>=16')[0]?.severity, undefined);
    // ^1.0.0 admits 1.0.x (no floor) and 1.1.0+ (>=18): a warning that says what the range admits.
    const admitted = run('^1.0.0', '>=16');
    assert.equal(admitted[0]?.severity, 'warning');
    assert.match(admitted[0]!.message, /"\^1\.0\.0" \(package\.json\) admits 1\.1\.0 and later/);
  });

  it('MCP601: v2 packages need Node 20', () => {
    const text = pkg({ engines: { node: '^18.0.0' }, dependencies: { '@modelcontextprotocol/server': '^2.0.0' } });
    const hits = packageJsonRules('/p/package.json', text, contextWith({}));
    assert.equal(hits[0]?.ruleId, 'MCP601');
    assert.match(hits[0].message, /Node 20/);
  });

  it('MCP601: no finding for a sufficient range, or without an MCP dependency', () => {
    assert.deepEqual(
      packageJsonRules(
        '/p/package.json',
        pkg({ engines: { node: '>=20' }, dependencies: { '@modelcontextprotocol/sdk': '1.32.2' } }),
        contextWith({}),
      ),
      [],
    );
    assert.deepEqual(
      packageJsonRules(
        '/p/package.json',
        pkg({ engines: { node: '>=14' }, dependencies: { express: '^5' } }),
        contextWith({}),
      ),
      [],
    );
  });

  it('MCP206: zod 4 with an SDK before 1.23, reported on the zod dependency', () => {
    const text = pkg({ dependencies: { '@modelcontextprotocol/sdk': '1.17.5', zod: '^4.1.5' } });
    const hits = packageJsonRules('/p/package.json', text, contextWith({}));
    assert.deepEqual(
      hits.map((h) => h.ruleId),
      ['MCP206'],
    );
    assert.equal(line(hits[0]), 4);
    assert.match(hits[0].message, /keyValidator\._parse is not a function/);
    assert.equal(hits[0].fixes?.[0].edits[0].newText, '"^1.23.0"');
  });

  it('MCP206: a caret range is not a version (it installs the newest 1.x, which supports zod 4)', () => {
    const text = pkg({ dependencies: { '@modelcontextprotocol/sdk': '^1.12.0', zod: '^4.0.5' } });
    assert.deepEqual(
      packageJsonRules('/p/package.json', text, contextWith({ '@modelcontextprotocol/sdk': '^1.12.0' })),
      [],
    );
    const hits = packageJsonRules('/p/package.json', text, contextWith({ '@modelcontextprotocol/sdk': '1.12.4' }));
    assert.equal(hits[0]?.data?.needsImport, '@modelcontextprotocol/sdk');
  });

  it('MCP206: installed versions from the lockfile win over declared ranges', () => {
    const text = pkg({ dependencies: { '@modelcontextprotocol/sdk': '^1.17.0', zod: '^3.25.0 || ^4.0.0' } });
    assert.equal(
      packageJsonRules('/p/package.json', text, contextWith({ '@modelcontextprotocol/sdk': '1.17.5', zod: '4.1.5' }))[0]
        ?.ruleId,
      'MCP206',
    );
    assert.deepEqual(
      packageJsonRules('/p/package.json', text, contextWith({ '@modelcontextprotocol/sdk': '1.24.0', zod: '4.1.5' })),
      [],
    );
    assert.deepEqual(
      packageJsonRules('/p/package.json', text, contextWith({ '@modelcontextprotocol/sdk': '1.17.5', zod: '3.25.76' })),
      [],
    );
  });

  it('MCP206: two zod majors in the lockfile (downgraded), and zod < 3.24 with punkpeye fastmcp', () => {
    const text = pkg({ dependencies: { '@modelcontextprotocol/sdk': '1.30.0', zod: '^3.25.0' } });
    const ctx = contextWith({ zod: '3.25.76' }, { allVersions: new Map([['zod', ['3.25.76', '4.1.5']]]) });
    const hits = packageJsonRules('/p/package.json', text, ctx);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].downgrade, true);
    const old = packageJsonRules(
      '/p/package.json',
      pkg({ dependencies: { fastmcp: '^3.0.0', zod: '3.22.4' } }),
      contextWith({}),
    );
    assert.equal(old[0]?.ruleId, 'MCP206');
    assert.match(old[0].message, /Standard Schema/);
  });

  it('MCP206: @modelcontextprotocol/server 2.x with zod older than 4.2; zod 4.2+ or an unresolved ^4 range is fine', () => {
    const run = (zod: string, lock: Record<string, string> = {}) =>
      packageJsonRules(
        '/p/package.json',
        pkg({ dependencies: { '@modelcontextprotocol/server': '2.0.0', zod } }),
        contextWith(lock),
      ).filter((h) => h.ruleId === 'MCP206');
    const three = run('^3.25.0');
    assert.equal(three.length, 1);
    assert.match(three[0]!.message, /Schema appears to be from zod 3/);
    assert.equal(three[0]!.fixes?.[0]?.edits[0]?.newText, '"^4.2.0"');
    assert.equal(three[0]!.data?.needsImport, '@modelcontextprotocol/server');
    assert.equal(run('4.1.5').length, 1);
    assert.equal(run('^4.0.0', { zod: '4.1.12' }).length, 1);
    assert.deepEqual(run('^4.0.0'), []);
    assert.deepEqual(run('4.4.3'), []);
    assert.deepEqual(run('^4.0.0', { zod: '4.4.3' }), []);
  });

  it('ignores malformed package.json', () => {
    assert.deepEqual(packageJsonRules('/p/package.json', '{ "dependencies": ', contextWith({})), []);
  });
});
