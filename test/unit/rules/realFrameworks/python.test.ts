import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RuleEngine } from '../../../../src/core/rules/engine';
import { clearProjectCache } from '../../../../src/core/rules/project';
import { freePort, REPO, runNode, runPython, startPython } from './venv';

/**
 * Ground truth: each rule's claim is checked against the real frameworks installed in `.venv`
 * (fastmcp 4, mcp 2.3) and node_modules (@modelcontextprotocol/sdk 1.32, @modelcontextprotocol/server 2.4): the positive fixture
 * shows the failure the rule predicts, the negative one shows it does not happen.
 */
const FIX = path.join(REPO, 'test/fixtures/rules/realFrameworks');
const SHAPES = path.join(REPO, 'test/fixtures/rules/realShapes');

async function codes(file: string): Promise<string[]> {
  return (await lint(file)).map((f) => f.code);
}

async function lint(file: string): Promise<{ code: string; line: number; severity: string; message: string }[]> {
  clearProjectCache();
  const engine = new RuleEngine({ workers: 0, log: () => {} });
  const r = await engine.analyzeFile(file, readFileSync(file, 'utf8'));
  return r.findings.map((f) => ({
    code: f.code,
    line: f.range.start.line + 1,
    severity: f.severity,
    message: f.message,
  }));
}

/** Runs `drive_client.py` (the real mcp 2.3 client) against a server; results by tool. */
function drive(
  target: string,
  mode: 'auto' | 'legacy',
  tools: string[],
  env: Record<string, string> = {},
): { protocol?: string; calls: Record<string, { error?: boolean; raised?: string; text: string }>; stderr: string } {
  const r = runPython([path.join(FIX, 'drive_client.py'), target, mode, tools.join(',')], REPO, env);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { protocol?: string; tool?: string; error?: boolean; raised?: string; text: string });
  const calls: Record<string, { error?: boolean; raised?: string; text: string }> = {};
  for (const l of lines) if (l.tool) calls[l.tool] = l;
  return { protocol: lines[0]?.protocol, calls, stderr: r.stderr };
}

/**
 * Runs an SDK 1.x `McpServer` `s` (set up by `register`) against the SDK's own client `c` over an
 * in-memory pair, and returns what `query` assigns to `out`.
 */
function sdkOverMemory(register: string[], query: string[]): unknown {
  const r = runNode(
    [
      'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
      'import { Client } from "@modelcontextprotocol/sdk/client/index.js";',
      'import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";',
      'import { z } from "zod";',
      'const s = new McpServer({ name: "t", version: "1" });',
      ...register,
      'const [a, b] = InMemoryTransport.createLinkedPair(); await s.connect(a);',
      'const c = new Client({ name: "c", version: "1" }); await c.connect(b);',
      'let out;',
      ...query,
      'console.log(JSON.stringify(out)); process.exit(0);',
    ].join('\n'),
  );
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('rules against the real frameworks (.venv: fastmcp 4, mcp 2.3; npm SDK 1.32, server 2.4)', function () {
  this.timeout(120_000);

  it('MCP602 on mcp 2 MCPServer: version/title/description are constructor arguments, the 1.x transport settings raise TypeError, run() forwards host/port', async () => {
    const dir = path.join(SHAPES, 'mcpserver_ctor');
    const ok = runPython([
      '-c',
      'import runpy, sys\nns = runpy.run_path(sys.argv[1], run_name="x")\ns = ns["build_server"]()\nprint(s.name, s.version)',
      path.join(dir, 'server.py'),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'ledger 0.3.1');
    const bad = runPython([
      '-c',
      'import runpy, sys\nrunpy.run_path(sys.argv[1], run_name="x")',
      path.join(dir, 'http_server.py'),
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /TypeError: MCPServer.__init__\(\) got an unexpected keyword argument 'host'/);
    const run = runPython([
      '-c',
      'import inspect\nfrom mcp.server.mcpserver import MCPServer\np = inspect.signature(MCPServer.run_streamable_http_async).parameters\nprint("host" in p, "port" in p, "kwargs" in inspect.signature(MCPServer.run).parameters)',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'True True True');
    assert.ok(!(await codes(path.join(dir, 'server.py'))).includes('MCP602'));
    assert.ok(!(await codes(path.join(dir, 'run_http.py'))).includes('MCP602'));
    assert.deepEqual(
      (await lint(path.join(dir, 'http_server.py')))
        .filter((f) => f.code === 'MCP602')
        .map((f) => [f.line, f.severity]),
      [
        [5, 'error'],
        [5, 'error'],
        [5, 'error'],
      ],
    );
  });

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

  it('mcp 2 has no mcp.server.fastmcp (FastMCP became MCPServer in mcp.server.mcpserver): MCP602 when mcp 2 is pinned', async () => {
    const old = runPython(['-c', 'import mcp.server.fastmcp']);
    assert.notEqual(old.code, 0);
    assert.match(old.stderr, /ModuleNotFoundError: No module named 'mcp\.server\.fastmcp'/);
    const found = await lint(path.join(SHAPES, 'old_import/server.py'));
    assert.deepEqual(
      found.filter((f) => f.code === 'MCP602').map((f) => [f.line, f.severity]),
      [[2, 'error']],
    );
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

  it('MCP205/MCP206 (TS): @modelcontextprotocol/server 2.4 takes a raw shape of zod 4 fields, and fails on zod 3 in either form', async () => {
    // The project's zod is 3.25.76; the server package brings its own zod 4 (its dependency ^4.2).
    const r = runNode(
      [
        'import { McpServer, InMemoryTransport } from "@modelcontextprotocol/server";',
        'import { Client } from "@modelcontextprotocol/client";',
        'import { z as z3 } from "zod";',
        'import * as z4 from "./node_modules/@modelcontextprotocol/server/node_modules/zod/index.js";',
        'const out = {};',
        'for (const [zod, z] of [["zod4", z4], ["zod3", z3]]) for (const form of ["raw", "object"]) {',
        '  const key = `${zod} ${form}`;',
        '  const s = new McpServer({ name: "t", version: "1" });',
        '  const shape = { q: z.string() };',
        '  try { s.registerTool("find", { inputSchema: form === "raw" ? shape : z.object(shape) }, async ({ q }) => ({ content: [{ type: "text", text: `got ${q}` }] })); }',
        '  catch (e) { out[key] = `register: ${e.message}`; continue; }',
        '  const [a, b] = InMemoryTransport.createLinkedPair(); await s.connect(a);',
        '  const c = new Client({ name: "c", version: "1" }); await c.connect(b);',
        '  try { const t = (await c.listTools()).tools[0]; const res = await c.callTool({ name: "find", arguments: { q: "x" } });',
        '    out[key] = `${JSON.stringify(t.inputSchema.properties)} ${res.content[0].text}`; }',
        '  catch (e) { out[key] = `list: ${e.message}`; }',
        '  await c.close();',
        '}',
        'console.log(JSON.stringify(out)); process.exit(0);',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string>;
    assert.match(out['zod4 raw']!, /^\{"q":\{"type":"string"\}\} got x$/);
    assert.match(out['zod4 object']!, /^\{"q":\{"type":"string"\}\} got x$/);
    assert.match(out['zod3 raw']!, /^register: Raw-shape .* must be Zod v4 schemas/);
    assert.match(out['zod3 object']!, /^list: Schema appears to be from zod 3/);
    // So: no MCP205 on either form; MCP206 on a zod 3 dependency, nothing on zod 4.4.
    const project = async (dir: string) => {
      clearProjectCache();
      const r = await new RuleEngine({ workers: 0, log: () => {} }).analyzeWorkspace([path.join(SHAPES, dir)]);
      return r.findings.map((f) => [path.basename(f.file), f.code, f.range.start.line + 1, f.severity]);
    };
    assert.deepEqual(await project('ts_v2_raw_shape'), []);
    assert.deepEqual(await project('ts_v2_zod3'), [['package.json', 'MCP206', 7, 'error']]);
    // zod 3 schemas converted to JSON Schema by the server itself never meet the SDK's zod.
    assert.deepEqual(await project('ts_v2_zod3_json'), []);
  });

  it('MCP207 (TS): SDK 1.32 publishes the inner schema of z.preprocess and the handler gets that type, so it is no finding', async () => {
    const out = sdkOverMemory(
      [
        's.registerTool("count", { inputSchema: { n: z.preprocess((v) => Number(v), z.number().int()) } }, async ({ n }) => ({ content: [{ type: "text", text: `${typeof n} ${n}` }] }));',
      ],
      [
        'const t = (await c.listTools()).tools[0];',
        'const res = await c.callTool({ name: "count", arguments: { n: 5 } });',
        'out = { n: t.inputSchema.properties.n, text: res.content[0].text };',
      ],
    ) as { n: { type: string }; text: string };
    assert.deepEqual(out, { n: { type: 'integer' }, text: 'number 5' });
    const file = path.join(SHAPES, 'ts_preprocess/server.ts');
    assert.deepEqual(await codes(file), []);
  });

  it('MCP701 (TS): SDK 1.32 tool() takes the callback last and ignores a { description } object after it: the tool is listed without a description', async () => {
    const out = sdkOverMemory(
      [
        's.tool("get_ticket", { id: z.number() }, async ({ id }) => ({ content: [{ type: "text", text: `t${id}` }] }), { description: "Get one ticket" });',
        's.tool("close_ticket", "Close a ticket", { id: z.number() }, async ({ id }) => ({ content: [{ type: "text", text: `c${id}` }] }));',
      ],
      [
        'const tools = (await c.listTools()).tools.map((t) => [t.name, t.description ?? null]);',
        'const res = await c.callTool({ name: "get_ticket", arguments: { id: 7 } });',
        'out = { tools, text: res.content[0].text };',
      ],
    ) as { tools: [string, string | null][]; text: string };
    assert.deepEqual(out, {
      tools: [
        ['get_ticket', null],
        ['close_ticket', 'Close a ticket'],
      ],
      text: 't7',
    });
    const file = path.join(SHAPES, 'ts_desc_after_cb/server.ts');
    assert.deepEqual((await codes(file)).sort(), ['MCP606', 'MCP606', 'MCP701']);
  });

  it('MCP111 (TS): SDK 1.32 answers the second request to a reused stateless transport with HTTP 500, so one made outside the route handler is an error; per-request transports are not', async () => {
    const r = runNode(
      [
        'import http from "node:http";',
        'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
        'import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";',
        'const server = new McpServer({ name: "t", version: "1" });',
        'const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });',
        'await server.connect(transport);',
        'const web = http.createServer(async (req, res) => {',
        '  let body = ""; for await (const c of req) body += c;',
        '  try { await transport.handleRequest(req, res, JSON.parse(body)); }',
        '  catch (e) { res.writeHead(500).end(String(e.message)); }',
        '});',
        'await new Promise((ok) => web.listen(0, "127.0.0.1", ok));',
        'const url = `http://127.0.0.1:${web.address().port}/mcp`;',
        'for (const id of [1, 2]) {',
        '  const init = { jsonrpc: "2.0", id, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "c", version: "1" } } };',
        '  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(init) });',
        '  console.log(id, res.status, (await res.text()).slice(0, 200).replace(/\\s+/g, " "));',
        '}',
        'web.close(); process.exit(0);',
      ].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^1 200 /);
    // The Node wrapper turns the web-standard transport's throw into a bare 500.
    assert.match(lines[1]!, /^2 500\b/);
    const shared = (await lint(path.join(SHAPES, 'ts_stateless_shared/shared.ts'))).filter((f) => f.code === 'MCP111');
    assert.deepEqual(
      shared.map((f) => [f.line, f.severity]),
      [[14, 'error']],
    );
    assert.match(
      shared[0]!.message,
      /throws "Stateless transport cannot be reused across requests" and the client gets HTTP 500/,
    );
    assert.ok(!(await codes(path.join(SHAPES, 'ts_stateless_shared/per_request.ts'))).includes('MCP111'));
  });

  // ---- mcp 2.x stdio isolation: stdout is not the wire while the server serves ---------------

  it('mcp 2.3 / fastmcp 4 stdio: handler output (print, sys.stdout, os.write(1), a child) lands on stderr and the call works', async () => {
    const file = path.join(FIX, 'stdout_v2.py');
    const r = drive(file, 'auto', ['noisy', 'ask_terminal']);
    assert.equal(r.calls.noisy.error, false);
    assert.equal(r.calls.noisy.text, 'noisy done');
    for (const line of [
      'print from the tool',
      'sys.stdout.write from the tool',
      'os.write(1) from the tool',
      'child process output',
    ])
      assert.ok(r.stderr.includes(line), `${line} should reach stderr`);
    assert.doesNotMatch(r.stderr, /Failed to parse JSONRPC message/);
    // stdin is the null device while serving: input() gets end-of-file at once.
    assert.equal(r.calls.ask_terminal.error, true);
    assert.match(r.calls.ask_terminal.text, /EOF when reading a line/);
    // The rules follow: no MCP101 for handler output, MCP103 says EOFError for input().
    const found = await lint(file);
    assert.deepEqual(
      found.filter((f) => f.code === 'MCP101').map((f) => f.line),
      [9],
    );
    const m103 = found.filter((f) => f.code === 'MCP103');
    assert.deepEqual(
      m103.map((f) => f.line),
      [28],
    );
    assert.match(m103[0].message, /EOFError/);
  });

  it('mcp 2.3 stdio: output before the transport starts reaches the client only when flushed', () => {
    const file = path.join(FIX, 'stdout_v2.py');
    // Block-buffered (no flush, no PYTHONUNBUFFERED): the line waits in the buffer and is flushed to stderr.
    const quiet = drive(file, 'auto', ['noisy'], { PRINT_AT_IMPORT: '1' });
    assert.equal(quiet.calls.noisy.error, false);
    assert.doesNotMatch(quiet.stderr, /Failed to parse JSONRPC message/);
    assert.match(quiet.stderr, /notes server starting/);
    // flush=True: the line is on the wire before the handshake; the client logs a parse error and goes on.
    const loud = drive(file, 'auto', ['noisy'], { PRINT_AT_IMPORT: 'flush' });
    assert.equal(loud.calls.noisy.error, false);
    assert.match(loud.stderr, /Failed to parse JSONRPC message from server/);
    assert.match(loud.stderr, /input_value='notes server starting'/);
  });

  it('MCP101 on a pinned fastmcp 4 server: import-time print is a warning, handler print is no finding', async () => {
    const found = await lint(path.join(SHAPES, 'v2_print/server.py'));
    assert.deepEqual(
      found.filter((f) => f.code === 'MCP101').map((f) => [f.line, f.severity]),
      [[4, 'warning']],
    );
  });

  // ---- back-channel requests and the 2026-07-28 era -------------------------------------------

  it('fastmcp 4: ctx.elicit fails on 2026-07-28 connections and works on 2025 ones; InputRequiredResult the other way round; ctx.sample does not exist', async () => {
    const file = path.join(SHAPES, 'v2_backchannel/server.py');
    const modern = drive(file, 'auto', ['deploy', 'summarize', 'deploy_modern']);
    assert.equal(modern.protocol, '2026-07-28');
    assert.equal(modern.calls.deploy.error, true);
    assert.match(
      modern.calls.deploy.text,
      /elicitation via server-initiated requests is unavailable on 2026-07-28 connections/,
    );
    assert.equal(modern.calls.deploy_modern.error, false);
    assert.match(modern.calls.deploy_modern.text, /production|confirm|True|ok/i);
    assert.match(modern.calls.summarize.text, /'Context' object has no attribute 'sample'/);
    const legacy = drive(file, 'legacy', ['deploy', 'deploy_modern']);
    assert.match(legacy.protocol ?? '', /^2025-/);
    assert.equal(legacy.calls.deploy.error, false);
    assert.ok(legacy.calls.deploy_modern.raised || legacy.calls.deploy_modern.error);
    assert.match(legacy.calls.deploy_modern.text, /InputRequiredResult/);
    const found = (await lint(file)).filter((f) => f.code === 'MCP706');
    assert.deepEqual(
      found.map((f) => [f.line, f.severity]),
      [
        [11, 'warning'],
        [18, 'error'],
        [27, 'info'],
      ],
    );
  });

  it('fastmcp 4 stateless HTTP: ctx.elicit fails even on a 2025 connection (no back-channel): MCP706 error', async () => {
    const file = path.join(FIX, 'stateless_elicit.py');
    const port = await freePort();
    const server = await startPython([file, String(port)], `http://127.0.0.1:${port}/mcp`);
    try {
      const legacy = drive(`http://127.0.0.1:${port}/mcp`, 'legacy', ['deploy']);
      assert.equal(legacy.calls.deploy.error, true);
      assert.match(legacy.calls.deploy.text, /no back-channel for server-initiated requests/);
      const modern = drive(`http://127.0.0.1:${port}/mcp`, 'auto', ['deploy']);
      assert.match(modern.calls.deploy.text, /unavailable on 2026-07-28 connections/);
    } finally {
      await server.stop();
    }
    const found = (await lint(file)).filter((f) => f.code === 'MCP706');
    assert.deepEqual(
      found.map((f) => f.severity),
      ['error'],
    );
  });

  // ---- annotated classes -------------------------------------------------------------------------

  it('fastmcp 4 dependency injection: a `= Depends(...)` / `CurrentContext()` parameter is no argument and not in the schema (no MCP201/MCP202); a plain service parameter fails registration (MCP202)', async () => {
    const dir = path.join(SHAPES, 'py_depends');
    const r = runPython(
      [
        '-c',
        [
          'import asyncio, json, sys',
          `sys.path.insert(0, ${JSON.stringify(dir)})`,
          'from fastmcp import Client',
          'import server',
          'async def main():',
          '    async with Client(server.mcp) as c:',
          '        schemas = {t.name: sorted(t.input_schema.get("properties", {})) for t in await c.list_tools()}',
          '        text = (await c.call_tool("render", {"kind": "mermaid", "source": "a-->b"})).content[0].text',
          '    try:',
          '        import plain',
          '        failed = None',
          '    except Exception as e:',
          '        failed = type(e).__name__',
          '    print(json.dumps({"schemas": schemas, "text": text, "plain": failed}))',
          'asyncio.run(main())',
        ].join('\n'),
      ],
      REPO,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      schemas: Record<string, string[]>;
      text: string;
      plain: string | null;
    };
    assert.deepEqual(out.schemas, { list_kinds: [], render: ['kind', 'source'] });
    assert.equal(out.text, "<svg data-kind='mermaid'>5</svg>");
    assert.equal(out.plain, 'PydanticSchemaGenerationError');
    assert.deepEqual(await codes(path.join(dir, 'server.py')), []);
    assert.deepEqual(await codes(path.join(dir, 'plain.py')), ['MCP202']);
  });

  it('MCP201 on **kwargs: fastmcp 4 refuses the tool at registration (error); mcp 2.3 publishes it as one required string argument (warning)', async () => {
    const dir = path.join(SHAPES, 'py_var_args');
    const r = runPython(
      [
        '-c',
        [
          'import asyncio, json, sys',
          `sys.path.insert(0, ${JSON.stringify(dir)})`,
          'out = {}',
          'try:',
          '    import fastmcp_kwargs',
          '    out["fastmcp"] = "imported"',
          'except Exception as e:',
          '    out["fastmcp"] = f"{type(e).__name__}: {e}"',
          'import sdk_kwargs',
          'tools = asyncio.run(sdk_kwargs.mcp.list_tools())',
          'out["mcp"] = tools[0].input_schema',
          'print(json.dumps(out))',
        ].join('\n'),
      ],
      REPO,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      fastmcp: string;
      mcp: { properties: Record<string, { type?: string }>; required: string[] };
    };
    assert.equal(out.fastmcp, 'ValueError: Functions with **kwargs are not supported as tools');
    assert.equal(out.mcp.properties.options?.type, 'string');
    assert.deepEqual(out.mcp.required.sort(), ['options', 'workflow']);
    const fm = await lint(path.join(dir, 'fastmcp_kwargs.py'));
    assert.deepEqual(
      fm.map((f) => [f.code, f.line, f.severity]),
      [['MCP201', 9, 'error']],
    );
    assert.match(fm[0]!.message, /not supported as tools/);
    const sdk = await lint(path.join(dir, 'sdk_kwargs.py'));
    assert.deepEqual(
      sdk.map((f) => [f.code, f.line, f.severity]),
      [['MCP201', 9, 'warning']],
    );
    assert.match(sdk[0]!.message, /one required string argument named 'options'/);
  });

  it('MCP202: mcp 2.3 turns an annotated class into structured output; fastmcp 4 sends its repr', async () => {
    const r = runPython([path.join(FIX, 'annotated_models.py')]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      official: { schema: boolean; structured: unknown };
      fastmcp: { schema: boolean; structured: unknown; text: string };
    };
    assert.deepEqual(out.official, { schema: true, structured: { name: 'ada', age: 30 } });
    assert.equal(out.fastmcp.schema, false);
    assert.match(out.fastmcp.text, /<__main__\.Profile object at 0x/);
    const official = await lint(path.join(SHAPES, 'annotated_class/server.py'));
    assert.ok(!official.some((f) => f.code === 'MCP202' && f.line === 22));
    const fm = await lint(path.join(SHAPES, 'annotated_class/fastmcp_server.py'));
    assert.deepEqual(
      fm.filter((f) => f.code === 'MCP202').map((f) => f.severity),
      ['warning'],
    );
  });

  it('MCP201, MCP203, MCP704 on fastmcp 4 and mcp 2.3: what the rules claim is what the frameworks do', async () => {
    const file = path.join(FIX, 'schema_claims.py');
    const r = runPython([file]);
    assert.equal(r.code, 0, r.stderr);
    type Side = { required: string[]; template: string; as_text: { ok: boolean }; as_dict: { ok: boolean } };
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { fastmcp: Side; mcp: Side };
    for (const side of [out.fastmcp, out.mcp]) {
      // MCP201: an unannotated ctx becomes a required user argument.
      assert.deepEqual(side.required, ['query', 'ctx']);
      // MCP704: a template placeholder without a matching parameter fails at registration.
      assert.match(side.template, /^ValueError: /);
      // MCP203: a dict returned from a tool annotated -> str fails the call.
      assert.equal(side.as_text.ok, false);
    }
    // -> dict returning a str: fastmcp 4 fails the call, mcp 2.3 sends it as text.
    assert.equal(out.fastmcp.as_dict.ok, false);
    assert.equal(out.mcp.as_dict.ok, true);
    const found = (await lint(file)).filter((f) => f.severity === 'error').map((f) => `${f.line}:${f.code}`);
    assert.deepEqual(found, ['13:MCP203', '19:MCP203', '23:MCP201', '31:MCP704']);
  });
  /** What fastmcp 4 and mcp 2.3 publish for an unannotated and a decorator-supplied parameter (one run for both checks). */
  let schemas: Record<string, unknown> | undefined;
  const paramSchemas = (): Record<string, unknown> => {
    if (!schemas) {
      const r = runPython([path.join(FIX, 'param_schemas.py')]);
      assert.equal(r.code, 0, r.stderr);
      schemas = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    }
    return schemas;
  };
  it('MCP201 on an unannotated parameter: fastmcp 4 publishes it without a type (error), mcp 2.3 as a required string (info that says so)', async () => {
    const out = paramSchemas().untyped as {
      fastmcp: Record<string, unknown>;
      mcp: Record<string, unknown>;
      required: string[];
    };
    assert.deepEqual(out.fastmcp, {});
    assert.equal(out.mcp.type, 'string');
    assert.deepEqual(out.required, ['client']);
    const fast = (await lint(path.join(FIX, 'untyped_fastmcp.py'))).filter((f) => f.code === 'MCP201');
    assert.deepEqual(
      fast.map((f) => [f.line, f.severity]),
      [[7, 'error']],
    );
    assert.match(fast[0]!.message, /has no type/);
    const sdk = (await lint(path.join(FIX, 'untyped_sdk.py'))).filter((f) => f.code === 'MCP201');
    assert.deepEqual(
      sdk.map((f) => [f.line, f.severity]),
      [[7, 'info']],
    );
    assert.match(sdk[0]!.message, /required string argument \("type": "string"\)/);
  });
  it('MCP201 on a parameter a functools.wraps decorator supplies: fastmcp 4 and mcp 2.3 both publish it as required, and a call without it fails', () => {
    const out = paramSchemas().supplied as Record<string, unknown>;
    assert.deepEqual(out.fastmcp, ['client']);
    assert.deepEqual(out.mcp, ['client']);
    assert.notEqual(out.fastmcp_call, 'ok');
    assert.notEqual(out.mcp_call, 'ok');
  });
  it('MCP113: mcp 2.3 low-level stdio server with raise_exceptions=True stops serving after a failing call (no later call answered) and exits 1; without it the failure is an error answer', async () => {
    const run = (server: string) => {
      const r = runPython([path.join(FIX, 'drive_raw.py'), path.join(FIX, server), 'ok,fail,ok'], REPO);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as { tool?: string; answered?: boolean; error?: { message: string }; exit?: number | null },
        );
      return { calls: lines.filter((l) => l.tool), exit: lines.at(-1)!.exit };
    };
    const raised = run('lowlevel_raise.py');
    // Whether the failing call gets its error answer before the loop re-raises is a race (both
    // seen); the call after it is never answered.
    assert.deepEqual(
      raised.calls.map((c) => [c.tool, c.tool === 'fail' ? 'either' : c.answered]),
      [
        ['ok', true],
        ['fail', 'either'],
        ['ok', false],
      ],
    );
    // The connection loop re-raised: the process ends (status 1) once it reads the next message.
    assert.equal(raised.exit, 1);
    const plain = run('lowlevel_default.py');
    assert.deepEqual(
      plain.calls.map((c) => [c.tool, c.answered]),
      [
        ['ok', true],
        ['fail', true],
        ['ok', true],
      ],
    );
    assert.match(plain.calls[1]!.error!.message, /no repository at that path/);
    assert.equal(plain.exit, null);
    const found = (await lint(path.join(FIX, 'lowlevel_raise.py'))).filter((f) => f.code === 'MCP113');
    assert.deepEqual(
      found.map((f) => [f.line, f.severity]),
      [[27, 'warning']],
    );
    assert.match(found[0]!.message, /stops serving.*no later request is answered/);
    assert.deepEqual(
      (await codes(path.join(FIX, 'lowlevel_default.py'))).filter((c) => c === 'MCP113'),
      [],
    );
  });
  it('MCP608: fastmcp 4 `fastmcp run` on an entrypoint that is a low-level Server (1.x decorators, 2.x handlers) or that the file lacks fails as the message says', async () => {
    /** `fastmcp run <json> --skip-env` with the .venv's fastmcp 4, from the folder of the json file. */
    const fastmcpRun = (json: string) => {
      const r = runPython(
        [
          '-c',
          'import sys; from fastmcp.cli import app; sys.argv = ["fastmcp", "run", sys.argv[1], "--skip-env"]; sys.exit(app())',
          path.basename(json),
        ],
        path.dirname(json),
        { COLUMNS: '400', NO_COLOR: '1' },
      );
      return { code: r.code, out: (r.stdout + r.stderr).replace(/\s+/g, ' ') };
    };
    // [fastmcp.json, what fastmcp 4 prints, which the MCP608 message quotes]
    const cases: [string, string][] = [
      ['fastmcp_lowlevel/fastmcp.json', "AttributeError: 'Server' object has no attribute 'call_tool'"],
      ['fastmcp_lowlevel/v2.fastmcp.json', "Failed to run server: 'Server' object has no attribute 'run_async'"],
      ['fastmcp_missing/fastmcp.json', "Server object 'mcp' not found"],
      // No entrypoint: fastmcp tries mcp, server and app, which must be FastMCP/MCPServer instances.
      ['fastmcp_missing/noentry.fastmcp.json', 'No server object found in '],
      ['fastmcp_lowlevel/default.fastmcp.json', 'No server object found in '],
    ];
    const engine = new RuleEngine({ workers: 0, log: () => {} });
    clearProjectCache();
    const all = (
      await engine.analyzeWorkspace(
        ['fastmcp_lowlevel', 'fastmcp_missing', 'fastmcp_ok'].map((d) => path.join(SHAPES, d)),
      )
    ).findings;
    for (const [json, printed] of cases) {
      const run = fastmcpRun(path.join(SHAPES, json));
      assert.equal(run.code, 1, run.out);
      assert.ok(run.out.includes(printed), run.out);
      const f = all.filter((x) => x.code === 'MCP608' && x.file === path.join(SHAPES, json));
      assert.equal(f.length, 1, json);
      assert.ok(f[0]!.message.includes(printed), f[0]!.message);
    }
    // The entrypoint of fastmcp_ok (a factory, and a name bound in both branches of an if) starts.
    assert.deepEqual(
      all.filter((x) => x.code === 'MCP608' && x.file.includes('fastmcp_ok')),
      [],
    );
    const ok = fastmcpRun(path.join(SHAPES, 'fastmcp_ok/other.fastmcp.json'));
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /Starting MCP server 'factory'/);
  });
  it('fastmcp 4: asyncio.run(mcp.run()) serves first and fails only after (MCP105 warning says so); host=/port= on a stdio run raise TypeError (MCP602), on HTTP they do not', async () => {
    const dir = path.join(SHAPES, 'py_asyncio_run');
    const wrapped = runPython([path.join(dir, 'wrapped.py')]);
    assert.equal(wrapped.code, 1);
    assert.match(wrapped.stderr, /Starting MCP server 'places'/);
    assert.match(wrapped.stderr, /ValueError: a coroutine was expected, got None/);
    assert.doesNotMatch(wrapped.stderr, /Already running/);
    const w = (await lint(path.join(dir, 'wrapped.py'))).filter((f) => f.code === 'MCP105');
    assert.deepEqual(
      w.map((f) => [f.line, f.severity]),
      [[16, 'warning']],
    );
    assert.match(
      w[0]!.message,
      /asyncio\.run\(\) receives None and raises "ValueError: a coroutine was expected, got None"/,
    );
    assert.doesNotMatch(w[0]!.message, /Already running/);
    const caught = runPython([path.join(dir, 'wrapped_caught.py')]);
    assert.equal(caught.code, 0, caught.stderr);
    assert.match(caught.stderr, /server error: a coroutine was expected, got None/);
    const c = (await lint(path.join(dir, 'wrapped_caught.py'))).filter((f) => f.code === 'MCP105');
    assert.deepEqual(
      c.map((f) => [f.line, f.severity]),
      [[18, 'info']],
    );
    assert.match(c[0]!.message, /The except clause on line 19 catches it/);
    for (const [file, line, severity] of [
      ['stdio_host.py', 14, 'error'],
      ['env_host.py', 20, 'warning'],
    ] as const) {
      const r = runPython([path.join(dir, file)]);
      assert.equal(r.code, 1, file);
      assert.match(
        r.stderr,
        /TypeError: TransportMixin\.run_stdio_async\(\) got an unexpected keyword argument 'host'/,
      );
      const hits = (await lint(path.join(dir, file))).filter((f) => f.code === 'MCP602');
      assert.deepEqual(
        hits.map((f) => [f.line, f.severity]),
        [[line, severity]],
        file,
      );
      assert.match(hits[0]!.message, /unexpected keyword argument 'host'/);
    }
    // host/port only on the branch that is not stdio: fastmcp 4 serves stdio, and no finding.
    const branch = runPython([path.join(dir, 'branch_host.py')]);
    assert.equal(branch.code, 0, branch.stderr);
    assert.doesNotMatch(branch.stderr, /TypeError/);
    assert.ok(!(await codes(path.join(dir, 'branch_host.py'))).includes('MCP602'));
    const direct = runPython([path.join(dir, 'direct.py')]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.deepEqual(await codes(path.join(dir, 'direct.py')), []);
    assert.ok(!(await codes(path.join(dir, 'http_host.py'))).includes('MCP602'));
  });

  it('mcp 1.x code on a range that admits mcp 2: on mcp 2.3 mcp.server.fastmcp raises ModuleNotFoundError and @server.list_tools() AttributeError, so MCP602 warns; a range capped below 2 gets nothing', async () => {
    const dir = path.join(SHAPES, 'py_v1_range');
    const fm = runPython([path.join(dir, 'forecast.py')]);
    assert.equal(fm.code, 1);
    assert.match(fm.stderr, /ModuleNotFoundError: No module named 'mcp\.server\.fastmcp'/);
    const low = runPython([path.join(dir, 'alerts.py')]);
    assert.equal(low.code, 1);
    assert.match(low.stderr, /AttributeError: 'Server' object has no attribute 'list_tools'/);
    for (const [file, line, text] of [
      ['forecast.py', 3, /imports mcp\.server\.fastmcp.*ModuleNotFoundError/],
      ['alerts.py', 12, /'Server' object has no attribute 'list_tools'/],
    ] as const) {
      const hits = (await lint(path.join(dir, file))).filter((f) => f.code === 'MCP602');
      assert.deepEqual(
        hits.map((f) => [f.line, f.severity]),
        [[line, 'warning']],
        file,
      );
      assert.match(hits[0]!.message, text);
      assert.match(hits[0]!.message, /mcp>=1\.9\.0 \(pyproject\.toml\) admits mcp 2/);
      assert.match(hits[0]!.message, /Cap the range \(mcp>=1\.9\.0,<2\)/);
      assert.deepEqual(await codes(path.join(SHAPES, 'py_v1_capped', file)), []);
    }
    // An import of mcp.server.fastmcp as the ImportError fallback of mcp.server.mcpserver runs on mcp 2.
    const fallback = runPython([path.join(dir, 'fallback.py')]);
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.ok(!(await codes(path.join(dir, 'fallback.py'))).includes('MCP602'));
  });

  it('fastmcp 4: constructor settings it no longer takes (dependencies=, include_tags=) raise TypeError at startup, and MCP602 quotes the real message', async () => {
    const dir = path.join(SHAPES, 'py_ctor_settings');
    for (const [file, key, text] of [
      ['deps.py', 'dependencies', "FastMCP() got unexpected keyword argument(s): 'dependencies'"],
      ['tags.py', 'include_tags', 'FastMCP() no longer accepts `include_tags`'],
    ] as const) {
      const r = runPython([path.join(dir, file)]);
      assert.equal(r.code, 1, file);
      assert.ok(r.stderr.includes(`TypeError: ${text}`), r.stderr);
      const hits = (await lint(path.join(dir, file))).filter((f) => f.code === 'MCP602');
      assert.deepEqual(
        hits.map((f) => [f.line, f.severity]),
        [[5, 'error']],
        file,
      );
      assert.ok(hits[0]!.message.includes(`FastMCP(${key}=...)`) && hits[0]!.message.includes(text), hits[0]!.message);
    }
    assert.match((await lint(path.join(dir, 'deps.py')))[0]!.message, /fastmcp\.json \(environment\.dependencies\)/);
  });
});
