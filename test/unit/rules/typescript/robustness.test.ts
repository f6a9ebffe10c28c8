import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { FIXTURES, analyzeFixture, analyzeText, readFixture } from './helpers';
import { createTypeScriptAnalyzer } from '../../../../src/core/rules/typescript/index';

describe('typescript analyzer: robustness', () => {
  it('declares its language and extensions', () => {
    const a = createTypeScriptAnalyzer();
    assert.equal(a.language, 'typescript');
    assert.deepEqual([...a.extensions], ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx']);
  });

  it('a file with syntax errors never throws and still yields a well-formed analysis', async () => {
    const r = await analyzeFixture('syntaxError.ts');
    assert.equal(r.language, 'typescript');
    assert.ok(Array.isArray(r.hits) && Array.isArray(r.definitions) && Array.isArray(r.servers));
    for (const h of r.hits) assert.match(h.ruleId, /^MCP\d{3}$/);
  });

  it('every prefix of every fixture (a file being typed) analyzes without throwing', async () => {
    const files = readdirSync(FIXTURES).filter((f) => /\.(ts|cjs)$/.test(f));
    let runs = 0;
    for (const f of files) {
      const { file, text } = readFixture(f);
      for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 40))) {
        const r = await analyzeText(file, text.slice(0, cut));
        assert.ok(Array.isArray(r.hits));
        runs++;
      }
    }
    assert.ok(runs > 200);
  });

  it('a file that imports no MCP framework yields no hits (even with console.log and exec)', async () => {
    const r = await analyzeFixture('noMcp.ts');
    assert.deepEqual(r.hits, []);
    assert.deepEqual(r.definitions, []);
    assert.equal(r.framework, undefined);
  });

  it('MCP client code is not treated as a server', async () => {
    const r = await analyzeFixture('clientOnly.ts');
    assert.deepEqual(r.hits, []);
    assert.equal(r.framework, undefined);
  });

  it('odd inputs: empty text, binary-looking text, JSX, huge single line', async () => {
    assert.deepEqual((await analyzeText('/w/e.ts', '')).hits, []);
    assert.deepEqual((await analyzeText('/w/b.js', '\u0000\u0001@modelcontextprotocol/\uFFFD')).hits, []);
    const jsx =
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nconst s = new McpServer({ name: "x", version: "1" });\nconst v = <div>{s.registerTool("t", { description: "d" }, async () => ({ content: [] }))}</div>;\n';
    const r = await analyzeText('/w/c.tsx', jsx);
    assert.deepEqual(
      r.definitions.map((d) => d.name),
      ['t'],
    );
    const long = 'import "@modelcontextprotocol/sdk/server/mcp.js";' + 'let x = 1;'.repeat(20000);
    assert.ok(Array.isArray((await analyzeText('/w/d.ts', long)).hits));
  });

  it('ranges are zero-based and inside the file', async () => {
    for (const name of ['sdkStdioBad.ts', 'fastmcpBad.ts', 'httpBad.ts']) {
      const r = await analyzeFixture(name);
      const lines = r.text.split('\n');
      for (const h of r.hits) {
        assert.ok(h.range.start.line >= 0 && h.range.start.line < lines.length, `${name} ${h.ruleId}`);
        assert.ok(h.range.start.character <= lines[h.range.start.line]!.length);
        assert.ok(h.range.end.line > h.range.start.line || h.range.end.character >= h.range.start.character);
      }
    }
  });
});
