import assert from 'node:assert/strict';
import { PYTHON_RULE_IDS } from '../../../../src/core/rules/python/rules';
import type { ProjectContext } from '../../../../src/core/rules/types';
import { analyze, byLine, fixturePath, hitKeys, MARKER_FIXTURES, markers, project, readFixture } from './helpers';

const DOCKERFILE = fixturePath('Dockerfile');

describe('python analyzer: marker fixtures', () => {
  for (const { name, ctx } of MARKER_FIXTURES) {
    it(`${name}: reports exactly the marked lines`, async () => {
      const text = readFixture(name);
      const a = await analyze(name, text, ctx);
      const expected = [...new Set(markers(text).expect.map((m) => `${m.line}:${m.rule}`))].sort(byLine);
      assert.deepEqual(hitKeys(a), expected);
      for (const o of markers(text).ok) {
        assert.ok(
          !a.hits.some((h) => h.ruleId === o.rule && h.range.start.line + 1 === o.line),
          `${name}:${o.line} must not report ${o.rule}`,
        );
      }
      for (const h of a.hits) {
        assert.ok(h.message.length > 40, `${h.ruleId} message is explanatory`);
        assert.ok(h.range.end.line > h.range.start.line || h.range.end.character >= h.range.start.character);
      }
    });
  }

  it('every implemented rule has a positive and a negative marker', () => {
    const expect = new Set<string>();
    const ok = new Set<string>();
    for (const { name } of MARKER_FIXTURES) {
      const m = markers(readFixture(name));
      m.expect.forEach((e) => expect.add(e.rule));
      m.ok.forEach((o) => ok.add(o.rule));
    }
    assert.deepEqual(
      PYTHON_RULE_IDS.filter((id) => !expect.has(id)),
      [],
      'rules without a positive case',
    );
    assert.deepEqual(
      PYTHON_RULE_IDS.filter((id) => !ok.has(id)),
      [],
      'rules without a negative case',
    );
  });

  it('python_bad_1.py matches the catalogue expectations (official SDK 1.x, stdio)', async () => {
    const a = await analyze('python_bad_1.py', readFixture('python_bad_1.py'), project({ mcp: '1.9.4' }));
    const got = hitKeys(a);
    for (const k of [
      '18:MCP101',
      '24:MCP605',
      '25:MCP201',
      '25:MCP701',
      '60:MCP501',
      '95:MCP702',
      '101:MCP704',
      '108:MCP105',
    ])
      assert.ok(got.includes(k), k);
    assert.equal(got.length, 28);
    assert.equal(a.framework, 'mcp-python-sdk');
  });

  it('MCP106 needs container evidence: silent without a Dockerfile, a fixable loopback hit with one', async () => {
    const a = await analyze('http_fastmcp.py', readFixture('http_fastmcp.py'), project({ fastmcp: '3.1.0' }));
    assert.deepEqual(
      a.hits.filter((x) => x.ruleId === 'MCP106'),
      [],
    );
    const withDocker = await analyze(
      'http_fastmcp.py',
      readFixture('http_fastmcp.py'),
      project({ fastmcp: '3.1.0' }, { dockerfile: DOCKERFILE }),
    );
    const d = withDocker.hits.find((x) => x.ruleId === 'MCP106')!;
    assert.equal(d.downgrade, false);
    assert.equal(d.data?.loopbackBind, true);
    assert.equal(d.data?.host, '127.0.0.1');
    assert.equal(d.fixes?.[0].edits[0].newText, '"0.0.0.0"');
  });

  it('severity overrides: MCP202 error for a type with no schema, warning for a plain returned class, MCP207 info, MCP703 warning for dots', async () => {
    const a = await analyze('tools_official.py', readFixture('tools_official.py'), project({ mcp: '1.9.4' }));
    const m202 = a.hits.filter((h) => h.ruleId === 'MCP202');
    // Callable has no JSON form (error); a plain class as the return type arrives as its repr (warning).
    assert.deepEqual(
      m202.map((h) => h.severity ?? 'warning'),
      ['error', 'warning'],
    );
    assert.ok(a.hits.filter((h) => h.ruleId === 'MCP207').every((h) => h.severity === 'info'));
    assert.equal(a.hits.find((h) => h.ruleId === 'MCP703')?.severity, 'warning');
  });

  it('unknown transports downgrade stdout rules', async () => {
    const a = await analyze('helper_module.py', readFixture('helper_module.py'), project({ fastmcp: '3.1.0' }));
    assert.equal(a.hits[0].ruleId, 'MCP101');
    assert.equal(a.hits[0].downgrade, true);
    assert.equal(a.servers[0].transport, 'unknown');
  });
});

describe('python analyzer: clean and unrelated files', () => {
  const clean: [string, ProjectContext][] = [
    ['python_clean.py', project({ fastmcp: '3.1.0' })],
    ['python_clean.py', project()],
    ['python_clean.py', project({ fastmcp: '2.5.0' }, { dockerfile: DOCKERFILE })],
    ['clean_official.py', project({ mcp: '1.12.0' })],
    ['clean_official.py', project({ mcp: '1.26.0' }, { dockerfile: DOCKERFILE })],
  ];
  for (const [name, ctx] of clean) {
    it(`${name} (${[...ctx.packages].map((p) => p.join('@')).join(', ') || 'no versions'}${ctx.deployment.dockerfile ? ', Dockerfile' : ''}) has no hits`, async () => {
      const a = await analyze(name, readFixture(name), ctx);
      assert.deepEqual(
        a.hits.map((h) => `${h.range.start.line + 1}:${h.ruleId} ${h.message}`),
        [],
      );
      assert.ok(a.definitions.length >= 4);
      assert.equal(a.servers[0].transport, 'stdio');
    });
  }

  it('a file that imports no MCP framework yields nothing', async () => {
    const a = await analyze('no_mcp.py', readFixture('no_mcp.py'));
    // It may still carry project-model facts (imports, starts); no rule runs on it.
    assert.deepEqual(
      { ...a, module: undefined },
      { file: fixturePath('no_mcp.py'), language: 'python', servers: [], definitions: [], hits: [], module: undefined },
    );
  });

  it('syntax errors do not throw and still report what can be seen', async () => {
    const a = await analyze('syntax_error.py', readFixture('syntax_error.py'), project({ fastmcp: '3.1.0' }));
    assert.equal(a.language, 'python');
    assert.ok(Array.isArray(a.hits));
  });

  it('truncated and mangled fixtures never make a rule throw (deterministic fuzz)', async () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (const { name, ctx } of MARKER_FIXTURES) {
      const text = readFixture(name);
      for (let i = 0; i < 6; i++) {
        const a = rnd(text.length);
        const b = Math.min(text.length, a + rnd(200));
        const variants = [
          text.slice(0, a),
          text.slice(0, a) + text.slice(b),
          text.slice(0, a) + ')]}:"\'' + text.slice(a),
        ];
        for (const v of variants) await analyze(name, v, ctx); // throws if any rule throws
      }
    }
  });

  it('binary garbage, empty text and odd input never throw', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    const inputs = [
      bytes.toString('latin1'),
      bytes.toString('utf8'),
      '',
      'mcp',
      '\u0000mcp\u0000',
      'from fastmcp import FastMCP\n'.repeat(3) + '\uFFFD'.repeat(100),
      'from mcp.server.fastmcp import FastMCP\nmcp = FastMCP(\n@mcp.tool\n' + ')'.repeat(500),
    ];
    for (const t of inputs) {
      const a = await analyze('garbage.py', t);
      assert.equal(a.language, 'python');
    }
  });
});
