import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RuleEngine } from '../../../../src/core/rules/engine';
import { clearProjectCache } from '../../../../src/core/rules/project';
import { REPO, runNode, runPython } from './venv';

/**
 * Ground truth: each rule's claim is checked against the real frameworks installed in `.venv`
 * (fastmcp 4, mcp 2.3) and node_modules (@modelcontextprotocol/sdk 1.32): the positive fixture
 * shows the failure the rule predicts, the negative one shows it does not happen.
 */
const FIX = path.join(REPO, 'test/fixtures/rules/realFrameworks');
const SHAPES = path.join(REPO, 'test/fixtures/rules/realShapes');

async function codes(file: string): Promise<string[]> {
  clearProjectCache();
  const engine = new RuleEngine({ workers: 0, log: () => {} });
  const r = await engine.analyzeFile(file, readFileSync(file, 'utf8'));
  return r.findings.map((f) => f.code);
}

describe('rules against the real frameworks (.venv: fastmcp 4, mcp 2.3; npm SDK 1.32)', function () {
  this.timeout(120_000);

  it('MCP605: bare @mcp.tool on mcp 2 MCPServer raises TypeError at import; on fastmcp 4 it works', async () => {
    const bad = runPython([path.join(FIX, 'bare_tool_mcpserver.py'), '--help-not-run'], FIX);
    // The module fails while importing, before __main__ runs.
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /TypeError: The @tool decorator was used incorrectly/);
    assert.ok((await codes(path.join(FIX, 'bare_tool_mcpserver.py'))).includes('MCP605'));
    const good = runPython([
      '-c',
      `import runpy; runpy.run_path(${JSON.stringify(path.join(FIX, 'bare_tool_fastmcp.py'))}, run_name="not_main")`,
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.ok(!(await codes(path.join(FIX, 'bare_tool_fastmcp.py'))).includes('MCP605'));
  });

  it('mcp 2 has no mcp.server.fastmcp (FastMCP became MCPServer in mcp.server.mcpserver)', () => {
    const old = runPython(['-c', 'import mcp.server.fastmcp']);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /ModuleNotFoundError: No module named 'mcp\.server\.fastmcp'/);
    const now = runPython(['-c', 'from mcp.server.mcpserver import MCPServer; print(MCPServer("x").name)']);
    assert.equal(now.code, 0, now.stderr);
    assert.equal(now.stdout.trim(), 'x');
  });

  it('MCP101/MCP104 stay silent on an in-process demo: under mcp 2.3 it prints to the terminal and exits 0', async () => {
    const file = path.join(SHAPES, 'inprocess_demo/demo.py');
    const r = runPython([file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /calling the tool in-process/);
    assert.match(r.stdout, /Rain in Oslo/);
    const found = await codes(file);
    assert.ok(!found.includes('MCP101') && !found.includes('MCP104'), found.join(','));
  });

  it('MCP702: fastmcp 4 tool versions list one tool, so versions are not duplicates', async () => {
    const file = path.join(SHAPES, 'tool_versions/server.py');
    const code = `import asyncio, runpy\nns = runpy.run_path(${JSON.stringify(file)}, run_name="x")\nfrom fastmcp import Client\nasync def main():\n    async with Client(ns["mcp"]) as c:\n        print(sorted(t.name for t in await c.list_tools()))\nasyncio.run(main())\n`;
    const r = runPython(['-c', code]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "['convert']");
    assert.ok(!(await codes(file)).includes('MCP702'));
  });

  it('MCP702 (TS): the SDK throws on a repeated name, and constant names are the real names', async () => {
    const r = runNode(
      `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nconst s = new McpServer({ name: "t", version: "1" });\nconst TOOL = "report";\ns.registerTool(TOOL, { description: "a" }, async () => ({ content: [] }));\ntry { s.registerTool(TOOL, { description: "b" }, async () => ({ content: [] })); console.log("no error"); } catch (e) { console.log(String(e.message)); }\nconst name = "echo"; const other = "sum";\ns.registerTool(name, { description: "c" }, async () => ({ content: [] }));\ns.registerTool(other, { description: "d" }, async () => ({ content: [] }));\nconsole.log("distinct ok");\n`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Tool report is already registered/);
    assert.match(r.stdout, /distinct ok/);
    const found = await codes(path.join(SHAPES, 'const_names/twice.ts'));
    assert.ok(found.includes('MCP702'));
  });
});
