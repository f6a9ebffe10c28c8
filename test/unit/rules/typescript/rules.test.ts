import * as assert from 'node:assert/strict';
import type { FileAnalysis, RuleHit } from '../../../../src/core/rules/types';
import { analyzeFixture, analyzeText, markers } from './helpers';

const cache = new Map<string, Promise<FileAnalysis & { text: string }>>();
function fixture(name: string): Promise<FileAnalysis & { text: string }> {
  let p = cache.get(name);
  if (!p) cache.set(name, (p = analyzeFixture(name)));
  return p;
}

function hitsOf(result: FileAnalysis, rule: string): RuleHit[] {
  return result.hits.filter((h) => h.ruleId === rule);
}

/**
 * One positive (a fixture whose `// expect:` marker names the rule: the hit must be on that line)
 * and one negative (a fixture holding the near miss, where the rule must stay silent) per rule.
 */
const CASES: { rule: string; pos: string; neg: string; nearMiss: string }[] = [
  {
    rule: 'MCP102',
    pos: 'sdkStdioBad.ts',
    neg: 'sdkStdioClean.ts',
    nearMiss: 'console.error / console.warn / process.stderr.write / pino(pino.destination(2))',
  },
  {
    rule: 'MCP103',
    pos: 'sdkStdioBad.ts',
    neg: 'sdkStdioClean.ts',
    nearMiss: "spawn with stdio ['ignore','pipe','pipe'], execFile with argv",
  },
  { rule: 'MCP104', pos: 'noEntrypoint.ts', neg: 'exportedServer.ts', nearMiss: 'server exported to the entry module' },
  { rule: 'MCP106', pos: 'httpBad.ts', neg: 'httpClean.ts', nearMiss: "listen(3000, '0.0.0.0')" },
  {
    rule: 'MCP108',
    pos: 'httpBad.ts',
    neg: 'httpClean.ts',
    nearMiss: 'protection on with a public host in allowedHosts',
  },
  { rule: 'MCP109', pos: 'httpBad.ts', neg: 'httpClean.ts', nearMiss: 'cors({ exposedHeaders: ["Mcp-Session-Id"] })' },
  { rule: 'MCP110', pos: 'httpBad.ts', neg: 'httpClean.ts', nearMiss: 'single process' },
  { rule: 'MCP111', pos: 'httpBad.ts', neg: 'httpClean.ts', nearMiss: 'getServer() per session' },
  { rule: 'MCP112', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'main().catch(... process.exit(1))' },
  {
    rule: 'MCP203',
    pos: 'sdkStdioBad.ts',
    neg: 'sdkStdioClean.ts',
    nearMiss: 'outputSchema with structuredContent returned',
  },
  { rule: 'MCP204', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'data: png.toString("base64")' },
  { rule: 'MCP205', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'raw shapes in registerTool' },
  {
    rule: 'MCP207',
    pos: 'sdkStdioBad.ts',
    neg: 'sdkStdioClean.ts',
    nearMiss: 'z.string().max(), z.number().int().default()',
  },
  { rule: 'MCP208', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'every return has content' },
  { rule: 'MCP301', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'promisified execFile, fs/promises' },
  {
    rule: 'MCP302',
    pos: 'sdkStdioBad.ts',
    neg: 'sdkStdioClean.ts',
    nearMiss: 'Map read and written with no await in between',
  },
  { rule: 'MCP401', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'fetch after connect()' },
  { rule: 'MCP402', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'polling loop that sends progress' },
  { rule: 'MCP403', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'body.slice(0, MAX)' },
  { rule: 'MCP404', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'setInterval with clearInterval' },
  { rule: 'MCP501', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'execFile("grep", [..., pattern])' },
  { rule: 'MCP502', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'readFile(inside(ROOT, file))' },
  {
    rule: 'MCP503',
    pos: 'httpStateless.ts',
    neg: 'httpClean.ts',
    nearMiss: 'listen on 0.0.0.0 behind requireBearerAuth, CORS origin list',
  },
  { rule: 'MCP504', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'catch returns a fixed message' },
  { rule: 'MCP603', pos: 'httpBad.ts', neg: 'httpClean.ts', nearMiss: 'StreamableHTTPServerTransport' },
  { rule: 'MCP604', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'subpaths ending in .js' },
  {
    rule: 'MCP606',
    pos: 'sdkStdioBad.ts',
    neg: 'sdkStdioClean.ts',
    nearMiss: 'registerTool / registerPrompt / registerResource',
  },
  { rule: 'MCP701', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'every tool has a description' },
  { rule: 'MCP702', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'unique names' },
  { rule: 'MCP703', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'snake_case names' },
  { rule: 'MCP705', pos: 'sdkStdioBad.ts', neg: 'sdkStdioClean.ts', nearMiss: 'catch returns isError: true' },
  { rule: 'MCP706', pos: 'httpStateless.ts', neg: 'httpBad.ts', nearMiss: 'stateful server (no back-channel use)' },
  { rule: 'MCP709', pos: 'lowLevel.ts', neg: 'sdkStdioClean.ts', nearMiss: 'McpServer negotiates itself' },
];

describe('typescript analyzer: one positive and one negative case per rule', () => {
  for (const c of CASES) {
    it(`${c.rule}: fires in ${c.pos} on its marked line, silent on ${c.neg} (${c.nearMiss})`, async () => {
      const pos = await fixture(c.pos);
      const marked = markers(pos.text)
        .filter((m) => m.endsWith(`:${c.rule}`))
        .map((m) => Number(m.split(':')[0]));
      assert.ok(marked.length > 0, `${c.pos} has a marker for ${c.rule}`);
      const lines = hitsOf(pos, c.rule).map((h) => h.range.start.line + 1);
      for (const line of marked)
        assert.ok(lines.includes(line), `${c.rule} expected on line ${line}, got ${lines.join(',') || 'none'}`);
      const hit = hitsOf(pos, c.rule).find((h) => h.range.start.line + 1 === marked[0])!;
      assert.ok(hit.message.length > 40 && hit.message.length < 600, 'message explains what, why and how');
      const neg = await fixture(c.neg);
      assert.deepEqual(hitsOf(neg, c.rule), [], `${c.rule} must not fire on ${c.neg}`);
    });
  }
});

describe('typescript analyzer: rule conditions', () => {
  it('MCP102 is an error on a stdio server and downgraded when the transport is not fixed in the file', async () => {
    const stdio = hitsOf(await fixture('sdkStdioBad.ts'), 'MCP102');
    assert.ok(stdio.length >= 3 && stdio.every((h) => !h.downgrade));
    const helper = hitsOf(await fixture('helperTools.ts'), 'MCP102');
    assert.equal(helper.length, 1);
    assert.equal(helper[0]!.downgrade, true);
  });

  it('MCP102 stays silent on an HTTP-only server', async () => {
    const r = await fixture('httpBad.ts');
    assert.ok(r.text.split('\n')[18]!.includes('console.log'));
    assert.deepEqual(hitsOf(r, 'MCP102'), []);
  });

  it('MCP106 is a fixable loopback hit with a Dockerfile, and silent without container evidence', async () => {
    const withDocker = hitsOf(await analyzeFixture('httpBad.ts'), 'MCP106')[0]!;
    assert.deepEqual(withDocker.data, { loopbackBind: true, host: '127.0.0.1' });
    assert.equal(withDocker.downgrade, undefined);
    assert.equal(withDocker.fixes?.[0]?.edits[0]?.newText, '"0.0.0.0"');
    assert.deepEqual(hitsOf(await analyzeFixture('httpBad.ts', { dockerfile: false }), 'MCP106'), []);
  });

  it('MCP106 knows punkpeye httpStream defaults to localhost', async () => {
    const text = `import { FastMCP } from "fastmcp";\nconst s = new FastMCP({ name: "x", version: "1.0.0" });\nawait s.start({ transportType: "httpStream", httpStream: { port: 8080 } });\n`;
    const r = await analyzeText('/w/a.ts', text, { dockerfile: true });
    const h = hitsOf(r, 'MCP106');
    assert.equal(h.length, 1);
    assert.equal(h[0]!.range.start.line, 2);
    assert.equal(h[0]!.data?.host, 'localhost');
  });

  it('MCP205 on registerTool + z.object depends on the SDK version', async () => {
    const text = `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nimport { z } from "zod";\nconst s = new McpServer({ name: "x", version: "1" });\ns.registerTool("a", { description: "d", inputSchema: z.object({ q: z.string() }) }, async () => ({ content: [] }));\n`;
    assert.equal(hitsOf(await analyzeText('/w/a.ts', text, { sdk: '1.17.5' }), 'MCP205').length, 1);
    assert.equal(hitsOf(await analyzeText('/w/a.ts', text, { sdk: '1.22.0' }), 'MCP205').length, 0);
    assert.equal(hitsOf(await analyzeText('/w/a.ts', text, {}), 'MCP205').length, 0);
  });

  it('MCP102 carries the stdio settings that silence a write (through a local function, !==, && and a ternary); other guards carry none', async () => {
    const head = `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nimport { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";\nconst s = new McpServer({ name: "x", version: "1" });\nfunction quiet() { return process.env.NODE_ENV === "test" || process.env.MCP_TRANSPORT === "stdio"; }\n`;
    const tail = `await s.connect(new StdioServerTransport());\n`;
    const quietOf = async (line: string) =>
      hitsOf(await analyzeText('/w/a.ts', `${head}${line}\n${tail}`), 'MCP102').map((h) => h.data?.quietUnder ?? null);
    const stdio = [{ env: 'MCP_TRANSPORT', value: 'stdio' }];
    assert.deepEqual(await quietOf('if (!quiet()) console.log("a");'), [stdio]);
    assert.deepEqual(await quietOf('if (process.env.MCP_TRANSPORT !== "stdio") console.log("a");'), [stdio]);
    assert.deepEqual(await quietOf('process.env["MCP_TRANSPORT"] !== "stdio" && console.log("a");'), [stdio]);
    assert.deepEqual(await quietOf('const w = quiet() ? null : console.log("a");'), [stdio]);
    assert.deepEqual(await quietOf('if (quiet()) console.log("a");'), [null]);
    assert.deepEqual(await quietOf('if (process.env.NODE_ENV !== "test") console.log("a");'), [null]);
    assert.deepEqual(await quietOf('if (!quiet() || process.env.DEBUG) console.log("a");'), [null]);
  });

  it('a const is resolved in its own block: the second `text` (a caller-chosen file) is MCP403, the first (a fixed guide) is not', async () => {
    const text = [
      'import { readFileSync } from "node:fs";',
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { z } from "zod";',
      'const s = new McpServer({ name: "x", version: "1" });',
      's.registerTool("doc", { inputSchema: { name: z.string() } }, async ({ name }) => {',
      '  if (name === "guide") {',
      '    const text = readFileSync("GUIDE.md", "utf-8");',
      '    return { content: [{ type: "text", text }] };',
      '  }',
      '  if (name.endsWith(".md")) {',
      '    const text = readFileSync(`docs/${name}`, "utf-8");',
      '    return { content: [{ type: "text", text }] };',
      '  }',
      '  return { content: [] };',
      '});',
    ].join('\n');
    assert.deepEqual(
      hitsOf(await analyzeText('/w/a.ts', text), 'MCP403').map((h) => h.range.start.line + 1),
      [12],
    );
  });

  it('MCP606 is skipped on SDKs that predate registerTool', async () => {
    const text = `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nconst s = new McpServer({ name: "x", version: "1" });\ns.tool("a", "d", async () => ({ content: [] }));\n`;
    assert.equal(hitsOf(await analyzeText('/w/a.ts', text, { sdk: '1.10.0' }), 'MCP606').length, 0);
    assert.equal(hitsOf(await analyzeText('/w/a.ts', text, { sdk: '1.25.0' }), 'MCP606').length, 1);
  });

  it('MCP703 grades names: error, warning and info (explicit hit severity)', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'const s = new McpServer({ name: "x", version: "1" });',
      's.registerTool("has space", { description: "d" }, async () => ({ content: [] }));',
      's.registerTool("dotted.name", { description: "d" }, async () => ({ content: [] }));',
      's.registerTool("-dash", { description: "d" }, async () => ({ content: [] }));',
      's.registerTool("fine_name-2", { description: "d" }, async () => ({ content: [] }));',
    ].join('\n');
    const hits = hitsOf(await analyzeText('/w/a.ts', text), 'MCP703');
    assert.deepEqual(
      hits.map((h) => [h.range.start.line, h.data?.severity, h.severity]),
      [
        [2, 'error', undefined],
        [3, 'warning', 'warning'],
        [4, 'info', 'info'],
      ],
    );
    assert.equal(hits[0]!.fixes?.[0]?.edits[0]?.newText, '"has_space"');
  });

  it('MCP604 is downgraded in a CommonJS project and exact SDK exports need no extension', async () => {
    const text = `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp";\nimport { Server } from "@modelcontextprotocol/sdk/server";\nconst s = new McpServer({ name: "x", version: "1" });\n`;
    const esm = hitsOf(await analyzeText('/w/a.ts', text, { moduleType: 'module' }), 'MCP604');
    assert.deepEqual(
      esm.map((h) => [h.range.start.line, h.downgrade ?? false]),
      [[0, false]],
    );
    const cjs = hitsOf(await analyzeText('/w/a.ts', text, { moduleType: 'commonjs' }), 'MCP604');
    assert.equal(cjs[0]!.downgrade, true);
  });

  it('MCP112 accepts awaited, returned and properly caught start calls', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'const s = new McpServer({ name: "x", version: "1" });',
      'async function start() { await s.connect(new StdioServerTransport()); }',
      'function again() { return s.connect(new StdioServerTransport()); }',
      'start().catch((e) => { console.error(e); process.exit(1); });',
      'void again;',
    ].join('\n');
    assert.deepEqual(hitsOf(await analyzeText('/w/a.ts', text), 'MCP112'), []);
  });

  it('MCP302 ignores writes with no await between read and write', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'const s = new McpServer({ name: "x", version: "1" });',
      'let total = 0;',
      's.registerTool("add", { description: "d" }, async () => {',
      '  total = total + 1;',
      '  await Promise.resolve();',
      '  return { content: [{ type: "text", text: String(total) }] };',
      '});',
      's.registerTool("add_late", { description: "d" }, async () => {',
      '  const before = total;',
      '  await Promise.resolve();',
      '  total = before + 1;',
      '  return { content: [{ type: "text", text: String(total) }] };',
      '});',
    ].join('\n');
    const hits = hitsOf(await analyzeText('/w/a.ts', text), 'MCP302');
    assert.deepEqual(
      hits.map((h) => h.range.start.line),
      [11],
    );
  });

  it('MCP701 reads configs held in variables and stays silent when the description may come from a spread or a call', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'const s = new McpServer({ name: "x", version: "1" });',
      'const cfg = { description: "From a variable" };',
      'const bare = { inputSchema: {} };',
      'const base = { description: "shared" };',
      's.registerTool("a", cfg, async () => ({ content: [] }));',
      's.registerTool("b", { ...base }, async () => ({ content: [] }));',
      's.registerTool("c", makeConfig(), async () => ({ content: [] }));',
      's.registerTool("d", bare, async () => ({ content: [] }));',
      'await s.connect(new StdioServerTransport());',
      'function makeConfig() { return { description: "made" }; }',
    ].join('\n');
    const r = await analyzeText('/w/a.ts', text);
    assert.deepEqual(
      r.definitions.map((d) => [d.name, d.description]),
      [
        ['a', 'From a variable'],
        ['b', undefined],
        ['c', undefined],
        ['d', undefined],
      ],
    );
    assert.deepEqual(
      hitsOf(r, 'MCP701').map((h) => h.range.start.line + 1),
      [10],
    );
  });

  it('MCP106 on an env-driven host with a loopback fallback is downgraded; MCP207 follows shared sub-schemas', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import express from "express";',
      'import { z } from "zod";',
      'const Filter = z.object({ since: z.date() });',
      'const s = new McpServer({ name: "x", version: "1" });',
      's.registerTool("q", { description: "d", inputSchema: { filter: Filter } }, async () => ({ content: [] }));',
      'const app = express();',
      'app.listen(3000, process.env.HOST ?? "127.0.0.1");',
    ].join('\n');
    const r = await analyzeText('/w/a.ts', text, { dockerfile: true });
    const h106 = hitsOf(r, 'MCP106');
    assert.deepEqual(
      h106.map((h) => [h.range.start.line + 1, h.downgrade, h.data?.defaulted]),
      [[8, true, true]],
    );
    assert.deepEqual(
      hitsOf(r, 'MCP207').map((h) => [h.range.start.line + 1, h.data?.construct]),
      [[4, 'date']],
    );
  });

  it('MCP103: fork inherits stdio unless silent; execSync without stdio is hygiene (downgraded), since Node pipes it', async () => {
    const text = [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
      'import { execSync, fork } from "node:child_process";',
      'const s = new McpServer({ name: "x", version: "1" });',
      'fork("./worker.js");',
      'fork("./worker.js", [], { silent: true });',
      'execSync("ls");',
      'execSync("ls", { stdio: "pipe" });',
      'await s.connect(new StdioServerTransport());',
    ].join('\n');
    const hits = hitsOf(await analyzeText('/w/a.ts', text), 'MCP103');
    assert.deepEqual(
      hits.map((h) => [h.range.start.line + 1, h.downgrade ?? false]),
      [
        [5, false],
        [7, true],
      ],
    );
    assert.equal(hits[0]!.fixes?.[0]?.edits[0]?.newText, ', [], { silent: true }');
  });
});
