import * as assert from 'node:assert/strict';
import type { FileAnalysis, RuleHit } from '../../../../src/core/rules/types';
import { analyzeFixture, analyzeText, applyEdits, syntaxErrors } from './helpers';

const BAD = [
  'sdkStdioBad.ts',
  'fastmcpBad.ts',
  'httpBad.ts',
  'httpStateless.ts',
  'lowLevel.ts',
  'requireStyle.cjs',
  'helperTools.ts',
];

/** Applies the first fix of the first hit of `rule` and returns the new text. */
function applyFirst(result: FileAnalysis & { text: string }, rule: string, line?: number): string {
  const hit = result.hits.find((h) => h.ruleId === rule && (line === undefined || h.range.start.line + 1 === line));
  assert.ok(hit, `${rule} hit`);
  assert.ok(hit.fixes && hit.fixes.length > 0, `${rule} has a fix`);
  return applyEdits(result.text, hit.fixes[0]!.edits);
}

function lineOf(text: string, n: number): string {
  return text.split('\n')[n - 1]!;
}

describe('typescript analyzer: quick fixes', () => {
  it('every fix on every bad fixture applies cleanly and re-parses without syntax errors', async () => {
    let count = 0;
    for (const name of BAD) {
      const r = await analyzeFixture(name);
      assert.deepEqual(syntaxErrors(r.file, r.text), [], `${name} parses before edits`);
      for (const hit of r.hits as RuleHit[]) {
        for (const fix of hit.fixes ?? []) {
          assert.ok(fix.title.length > 0);
          assert.ok(
            fix.edits.every((e) => e.file === r.file),
            'edits target the analyzed file',
          );
          const out = applyEdits(r.text, fix.edits);
          assert.notEqual(out, r.text, `${hit.ruleId} "${fix.title}" changes the text`);
          assert.deepEqual(
            syntaxErrors(r.file, out),
            [],
            `${name}:${hit.range.start.line + 1} ${hit.ruleId} "${fix.title}"`,
          );
          count++;
        }
      }
    }
    assert.ok(count >= 20, `exercised ${count} fixes`);
  });

  it('MCP102: console.info → console.error, process.stdout.write → process.stderr.write, pino → destination(2)', async () => {
    const r = await analyzeFixture('sdkStdioBad.ts');
    assert.equal(lineOf(applyFirst(r, 'MCP102', 17), 17), 'console.error("files server booting"); // expect: MCP102');
    assert.equal(lineOf(applyFirst(r, 'MCP102', 18), 18), 'process.stderr.write("ready\\n"); // expect: MCP102');
    assert.equal(
      lineOf(applyFirst(r, 'MCP102', 12), 12),
      'const log = pino({}, pino.destination(2)); // expect: MCP102',
    );
    // the fixed file no longer reports those lines
    let text = r.text;
    for (const line of [12, 17, 18])
      text = applyFirst(
        { ...(await analyzeText(r.file, text, { sdk: '1.21.1', moduleType: 'module' })), text },
        'MCP102',
        line,
      );
    const after = await analyzeText(r.file, text, { sdk: '1.21.1', moduleType: 'module' });
    assert.deepEqual(
      after.hits.filter((h) => h.ruleId === 'MCP102').map((h) => h.range.start.line + 1),
      [],
    );
  });

  it('MCP604: appends .js to the SDK subpath', async () => {
    const r = await analyzeFixture('sdkStdioBad.ts');
    assert.match(lineOf(applyFirst(r, 'MCP604'), 3), /from "@modelcontextprotocol\/sdk\/server\/mcp\.js";/);
  });

  it('MCP701: inserts a description stub into registerTool config, addTool and server.tool', async () => {
    const tool = await analyzeFixture('sdkStdioBad.ts');
    assert.equal(
      lineOf(applyFirst(tool, 'MCP701'), 31),
      'server.tool("count", "TODO: describe what this tool does", async () => ({ count: hits })); // expect: MCP606, MCP701, MCP208',
    );
    const fm = await analyzeFixture('fastmcpBad.ts');
    const out = applyFirst(fm, 'MCP701');
    assert.equal(lineOf(out, 21), '  description: "TODO: describe what this tool does",');
    assert.equal(lineOf(out, 22), '  name: "read_note",');
    const text =
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nconst s = new McpServer({ name: "x", version: "1" });\ns.registerTool("t", { inputSchema: {} }, async () => ({ content: [] }));\ns.registerTool("u", {}, async () => ({ content: [] }));\n';
    const reg = await analyzeText('/w/a.ts', text);
    const hits = reg.hits.filter((h) => h.ruleId === 'MCP701');
    assert.equal(hits.length, 2);
    assert.equal(
      lineOf(applyEdits(text, hits[0]!.fixes![0]!.edits), 3),
      's.registerTool("t", { description: "TODO: describe what this tool does", inputSchema: {} }, async () => ({ content: [] }));',
    );
    assert.equal(
      lineOf(applyEdits(text, hits[1]!.fixes![0]!.edits), 4),
      's.registerTool("u", { description: "TODO: describe what this tool does" }, async () => ({ content: [] }));',
    );
  });

  it('MCP701: a lone { description } object after the callback of server.tool moves after the name', async () => {
    const text =
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nconst s = new McpServer({ name: "x", version: "1" });\ns.tool("t", {}, async () => ({ content: [] }), { description: "Lists things" });\n';
    const r = await analyzeText('/w/a.ts', text);
    const hit = r.hits.find((h) => h.ruleId === 'MCP701')!;
    assert.equal(hit.fixes![0]!.title, 'Move the description after the name');
    const out = applyEdits(text, hit.fixes![0]!.edits);
    assert.equal(lineOf(out, 3), 's.tool("t", "Lists things", {}, async () => ({ content: [] }));');
    assert.deepEqual(syntaxErrors('/w/a.ts', out), []);
    // MCP606's rewrite to registerTool keeps the description the positional call dropped.
    const rw = r.hits.find((h) => h.ruleId === 'MCP606')!;
    assert.equal(
      lineOf(applyEdits(text, rw.fixes![0]!.edits), 3),
      's.registerTool("t", { description: "Lists things", inputSchema: {} }, async () => ({ content: [] }));',
    );
  });

  it("MCP106: '127.0.0.1' → '0.0.0.0' when a Dockerfile exists", async () => {
    const r = await analyzeFixture('httpBad.ts');
    assert.equal(lineOf(applyFirst(r, 'MCP106'), 46), '  app.listen(3000, "0.0.0.0"); // expect: MCP106');
  });

  it('MCP112: adds .catch that logs and exits', async () => {
    const r = await analyzeFixture('sdkStdioBad.ts');
    const out = applyFirst(r, 'MCP112');
    assert.match(
      out,
      /main\(\)\.catch\(\(err\) => \{\n {2}console\.error\(err\);\n {2}process\.exit\(1\);\n\}\); \/\/ expect: MCP112/,
    );
    const after = await analyzeText(r.file, out, { sdk: '1.21.1', moduleType: 'module' });
    assert.equal(after.hits.filter((h) => h.ruleId === 'MCP112').length, 0);
  });

  it('MCP103: safe stdio for execSync and spawn', async () => {
    const r = await analyzeFixture('sdkStdioBad.ts');
    assert.match(
      lineOf(applyFirst(r, 'MCP103', 26), 26),
      /cp\.execSync\("grep -r " \+ pattern \+ " \.", \{ stdio: \['ignore', 'pipe', 'pipe'\] \}\)/,
    );
    const text =
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nimport { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";\nimport { spawn } from "node:child_process";\nconst s = new McpServer({ name: "x", version: "1" });\nspawn("df", [], { stdio: "inherit" });\nawait s.connect(new StdioServerTransport());\n';
    const sp = await analyzeText('/w/a.ts', text);
    assert.equal(
      lineOf(applyFirst({ ...sp, text }, 'MCP103'), 5),
      "spawn(\"df\", [], { stdio: ['ignore', 'pipe', 'pipe'] });",
    );
  });

  it('MCP205 / MCP208 / MCP204 / MCP705 / MCP603 / MCP702 / MCP703 rewrites', async () => {
    const sdk = await analyzeFixture('sdkStdioBad.ts');
    assert.equal(lineOf(applyFirst(sdk, 'MCP205'), 24), '  { pattern: z.string() }, // expect: MCP205');
    assert.equal(
      lineOf(applyFirst(sdk, 'MCP208', 27), 27),
      '    return { content: [{ type: "text", text: out.toString() }] }; // expect: MCP208',
    );
    assert.equal(
      lineOf(applyFirst(sdk, 'MCP204'), 94),
      '    return { content: [{ type: "image", data: png.toString("base64"), mimeType: "image/png" }] }; // expect: MCP204',
    );
    assert.match(lineOf(applyFirst(sdk, 'MCP705'), 69), /return \{ isError: true, content: \[/);
    assert.match(lineOf(applyFirst(sdk, 'MCP702'), 112), /"stats_2"/);
    assert.match(lineOf(applyFirst(sdk, 'MCP703'), 22), /"grep_files"/);
    const fm = await analyzeFixture('fastmcpBad.ts');
    assert.equal(
      lineOf(applyFirst(fm, 'MCP205'), 13),
      '  parameters: z.object({ report: z.string() }), // expect: MCP205',
    );
    const bad1 =
      'import { FastMCP } from "fastmcp";\nconst s = new FastMCP({ name: "x", version: "1" });\ns.start({ transportType: "sse", sse: { endpoint: "/sse", port: 8081 } }).catch(() => process.exit(1));\n';
    const sse = await analyzeText('/w/a.ts', bad1);
    assert.equal(
      lineOf(applyFirst({ ...sse, text: bad1 }, 'MCP603'), 3),
      's.start({ transportType: "httpStream", httpStream: { endpoint: "/sse", port: 8081 } }).catch(() => process.exit(1));',
    );
  });

  it('MCP606: rewrites server.tool to registerTool', async () => {
    const sdk = await analyzeFixture('sdkStdioBad.ts');
    const hit = sdk.hits.find((h) => h.ruleId === 'MCP606' && h.range.start.line + 1 === 31)!;
    const out = applyEdits(sdk.text, hit.fixes![0]!.edits);
    assert.equal(
      lineOf(out, 31),
      'server.registerTool("count", {}, async () => ({ count: hits })); // expect: MCP606, MCP701, MCP208',
    );
    const first = sdk.hits.find((h) => h.ruleId === 'MCP606' && h.range.start.line + 1 === 21)!;
    const rewritten = applyEdits(sdk.text, first.fixes![0]!.edits);
    assert.match(
      rewritten,
      /server\.registerTool\(\n? *"grep files", \{ description: "Search files", inputSchema: \{ pattern: z\.string\(\) \} \}, async/,
    );
  });
});
