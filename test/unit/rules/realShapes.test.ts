import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Finding } from '../../../src/core/model';
import { RuleEngine } from '../../../src/core/rules/engine';
import { clearProjectCache } from '../../../src/core/rules/project';

/**
 * Regression fixtures shaped like real public servers (written for this project, no code copied):
 * each wrong-finding class of the precision study gets a fixture that must stay silent, and each
 * true case next to it must still be found. They run through the real engine and analyzers, so the
 * project model (imports, runners, declared entry points) is exercised as in `mcp-doctor lint`.
 */
const ROOT = path.join(__dirname, '../../fixtures/rules/realShapes');

let findings: Finding[] = [];

const at = (dir: string, code: string, file?: string): { line: number; severity: string; message: string }[] =>
  findings
    .filter(
      (f) =>
        f.code === code &&
        path.relative(ROOT, f.file).split(path.sep)[0] === dir &&
        (!file || path.basename(f.file) === file),
    )
    .map((f) => ({ line: f.range.start.line + 1, severity: f.severity, message: f.message }));

describe('lint on real-world shapes (precision regressions)', function () {
  this.timeout(60_000);

  before(async () => {
    clearProjectCache();
    const engine = new RuleEngine({ workers: 0, log: () => {} });
    findings = (await engine.analyzeWorkspace([ROOT])).findings;
  });

  it('a demo that drives its server in-process gets neither MCP101 nor MCP104', () => {
    assert.deepEqual(at('inprocess_demo', 'MCP101'), []);
    assert.deepEqual(at('inprocess_demo', 'MCP104'), []);
  });

  it('output in HTTP/SSE-only branches is not MCP101; output in the stdio branch is', () => {
    assert.deepEqual(
      at('branches', 'MCP101').map((h) => h.line),
      [24],
    );
  });

  it('a server run by the package __main__ over HTTP: no MCP104 and no MCP101 in its tools', () => {
    assert.deepEqual(at('runner', 'MCP104'), []);
    assert.deepEqual(at('runner', 'MCP101'), []);
  });

  it('a server mounted into another one is not "never started"', () => {
    assert.deepEqual(at('mounted', 'MCP104'), []);
  });

  it('`fastmcp run server.py` in the README is an entry point', () => {
    assert.deepEqual(at('declared', 'MCP104'), []);
  });

  it('a script whose __main__ block does not start the server is MCP104 at error', () => {
    const h = at('script_no_run', 'MCP104');
    assert.equal(h.length, 1);
    assert.equal(h[0].severity, 'error');
    assert.match(h[0].message, /__main__/);
  });

  it('constant tool names are resolved: no cross-file MCP702, a real duplicate names the real tool', () => {
    const dup = at('const_names', 'MCP702');
    assert.equal(dup.length, 1);
    assert.equal(dup[0].line, 7);
    assert.match(dup[0].message, /`report`/);
    assert.doesNotMatch(dup[0].message, /`TOOL`|"name"/);
  });

  it('a version range in requirements.txt is not a version (no MCP605 on a bare @mcp.tool)', () => {
    assert.deepEqual(at('range_not_version', 'MCP605'), []);
  });

  it('loopback without container evidence is the secure default (no MCP106)', () => {
    assert.deepEqual(at('loopback_no_container', 'MCP106'), []);
  });

  it('computed descriptions are not empty; an explicitly empty one is', () => {
    assert.deepEqual(
      at('computed_description', 'MCP701', 'server.py').map((h) => h.line),
      [21],
    );
    // TS: a helper's `description` parameter before a schema variable is a description; a tool
    // registered without one is reported under its own name.
    const ts = at('computed_description', 'MCP701', 'wrapper.ts');
    assert.deepEqual(
      ts.map((h) => h.line),
      [19],
    );
    assert.match(ts[0]!.message, /Tool `ping` has no description/);
  });

  it('TypeScript: console.log in the httpStream branch is fine, in the stdio branch it is MCP102', () => {
    assert.deepEqual(
      at('ts_branches', 'MCP102').map((h) => h.line),
      [18],
    );
  });

  it('fastmcp tool versions are not duplicate names', () => {
    assert.deepEqual(at('tool_versions', 'MCP702'), []);
  });

  // ---- second round: wrong-finding classes stay silent ------------------------------------

  it('mcp 2.x / fastmcp 4 (pinned): print() in a tool is no finding; at import time a warning, not an error', () => {
    const h = at('v2_print', 'MCP101');
    assert.deepEqual(
      h.map((x) => [x.line, x.severity]),
      [[4, 'warning']],
    );
    assert.match(h[0].message, /mcp 2\.x/);
  });

  it('MCP202: the official SDK turns an annotated class into a model; fastmcp sends it as a repr (warning)', () => {
    assert.deepEqual(
      at('annotated_class', 'MCP202', 'server.py').map((x) => [x.line, x.severity]),
      [[28, 'warning']],
    );
    assert.deepEqual(
      at('annotated_class', 'MCP202', 'fastmcp_server.py').map((x) => x.severity),
      ['warning'],
    );
  });

  it('MCP209: json.dump into a file opened without encoding= is fine; a read in a tool names the tool, not startup', () => {
    const h = at('json_dump', 'MCP209');
    assert.deepEqual(
      h.map((x) => x.line),
      [20],
    );
    assert.match(h[0].message, /tool 'load_notes' fails/);
    assert.doesNotMatch(h[0].message, /at startup/);
  });

  it('MCP209: a __main__ branch that writes and exits is no startup, a helper names the tool that calls it, an except ValueError catches it; json.dump plus an ASCII f.write is fine; nothing on Python 3.15+', () => {
    const h = at('py_encoding_paths', 'MCP209');
    assert.deepEqual(
      h.map((x) => x.line),
      [17, 26, 44],
    );
    assert.match(h[0]!.message, /except on line 20 catches: the file's content is silently lost/);
    assert.match(h[1]!.message, /the call to tool 'usage' \(which calls history\(\)\) fails/);
    assert.doesNotMatch(h[2]!.message, /startup|fails/);
    assert.deepEqual(at('py_encoding_315', 'MCP209'), []);
  });

  it('MCP112 (TS): a per-request handler whose .catch answers 500 is no startup promise; main().catch that only logs still is', () => {
    assert.deepEqual(
      at('ts_per_request_catch', 'MCP112').map((x) => [x.line, x.severity]),
      [[40, 'info']],
    );
  });

  it('TS: output silenced under MCP_TRANSPORT=stdio (through a local quiet() or directly) is not MCP102 when the entry sets it before serving; when nothing sets it, it is', () => {
    assert.deepEqual(at('ts_env_quiet', 'MCP102'), []);
    const h = at('ts_env_quiet_unset', 'MCP102', 'log.ts');
    assert.deepEqual(
      h.map((x) => x.line),
      [8, 13],
    );
    assert.match(h[0]!.message, /index\.ts imports this module and starts the stdio transport|calls `debugLog\(\)`/);
  });

  it("TS: a name checked against a fixed list (includes, has, an early return) picks one of the server's own files: no MCP502, MCP301 or MCP403; a fixed guide is not unbounded; a free name keeps all three", () => {
    const got = findings
      .filter((f) => path.relative(ROOT, f.file).split(path.sep)[0] === 'ts_allowlist')
      .map((f) => `${f.range.start.line + 1}:${f.code}`)
      .sort();
    assert.deepEqual(got, ['57:MCP301', '57:MCP502', '58:MCP403']);
  });

  it('MCP502 (TS): a path checked by a validator before use (a statement that throws, or a result tested with an exit) is contained; an unchecked result is not', () => {
    assert.deepEqual(
      at('ts_validated_path', 'MCP502').map((x) => x.line),
      [43],
    );
  });

  it("MCP705 (TS): a return in the try of a recovery inside a catch is the recovery's success; its own catch is still a failure", () => {
    assert.deepEqual(
      at('ts_catch_recovery', 'MCP705').map((x) => x.line),
      [34],
    );
  });

  it('MCP504: a token in the header of requests/httpx calls to hosts written in the source cannot leak through their errors (after an except for status errors, or not); a URL from the environment can still leak the host, an SDK client its messages', () => {
    assert.deepEqual(at('py_status_errors', 'MCP504', 'public_api.py'), []);
    assert.deepEqual(
      at('py_status_errors', 'MCP504', 'internal_api.py').map((x) => x.line),
      [26],
    );
    // httpx/requests errors name method, status and URL, never headers: a token in the header to a
    // host written in the source (f"{API_BASE}/...") cannot leak; an SDK client's errors can.
    assert.deepEqual(
      at('py_status_errors', 'MCP504', 'base_constant.py').map((x) => x.line),
      [39],
    );
  });

  it('TS: a forEach callback runs where forEach is called: output in one on a --list-tools path that exits is not MCP102; in a tool handler it is', () => {
    assert.deepEqual(
      at('ts_list_flag', 'MCP102').map((x) => x.line),
      [34],
    );
  });

  it('TS: a connect inside an HTTP route, and `this.server.connect()` on the SDK server, are no stdio starts: output in the HTTP branch is not MCP102; in the stdio branch it is', () => {
    assert.deepEqual(
      at('ts_route_connect', 'MCP102').map((x) => x.line),
      [54],
    );
  });

  it('MCP401 (TS): awaits before a per-request connect (a stateless handler that passes the request to handleRequest) delay one request, not initialize; an await before the stdio start does', () => {
    assert.deepEqual(
      at('ts_per_request_await', 'MCP401').map((x) => x.line),
      [49],
    );
  });

  it('MCP503 (TS): wildcard CORS in front of MCP routes that all require a token first gives a page nothing to call with; without the check it is reported', () => {
    assert.deepEqual(at('ts_cors_auth', 'MCP503', 'protected.ts'), []);
    assert.deepEqual(
      at('ts_cors_auth', 'MCP503', 'open.ts').map((x) => x.line),
      [16],
    );
  });

  it('TS: output guarded by a parameter that the caller fills with its transport choice (loadConfig(isStdio) … if (isStdio) connect stdio) is not MCP102; a guard on another variable is', () => {
    assert.deepEqual(
      at('ts_param_guard', 'MCP102').map((x) => x.line),
      [23],
    );
  });

  it('MCP606 (TS): a positional tool() whose name is read from a table (this.tool(tool.method, ...) in an McpServer subclass) is the deprecated overload too', () => {
    assert.deepEqual(
      at('ts_table_tools', 'MCP606', 'toolkit.ts').map((x) => [x.line, x.severity]),
      [[15, 'info']],
    );
    // A handler held by another object (`getRunsTool.handler`) on a known SDK server.
    assert.deepEqual(
      at('ts_table_tools', 'MCP606', 'index.ts').map((x) => x.line),
      [14],
    );
  });

  it('TS: console.log pointed at stderr by the stdio entry (console.log = console.error) is no MCP102 in the entry or the helpers it imports; without the redirect both are', () => {
    assert.deepEqual(at('ts_console_redirect', 'MCP102'), []);
    assert.deepEqual(
      findings
        .filter(
          (f) => f.code === 'MCP102' && path.relative(ROOT, f.file).split(path.sep)[0] === 'ts_console_no_redirect',
        )
        .map((f) => `${path.relative(path.join(ROOT, 'ts_console_no_redirect'), f.file)}:${f.range.start.line + 1}`)
        .sort(),
      ['lib/deploy.js:3', 'server.js:12'],
    );
  });

  it('TS: output guarded by a flag that the config function returns (isStdioMode) is not MCP102 when the stdio start runs only under that property; when the start ignores it, it is', () => {
    assert.deepEqual(at('ts_returned_flag', 'MCP102'), []);
    assert.deepEqual(
      at('ts_returned_flag_unused', 'MCP102').map((x) => x.line),
      [9, 10],
    );
  });

  it('MCP504 (TS): a credential reached only through an async call nobody awaits (fire-and-forget telemetry) cannot fail into the catch; awaited, it can', () => {
    assert.deepEqual(
      at('ts_fire_and_forget', 'MCP504').map((x) => x.line),
      [35],
    );
  });

  it('MCP502: Path(p).suffix and .stem are not file access', () => {
    assert.deepEqual(at('path_names', 'MCP502'), []);
  });

  it('MCP505: protocol fields (progressToken, nextPageToken) and truncated examples are not secrets', () => {
    assert.deepEqual(
      at('secret_shapes', 'MCP505', 'server.py').map((x) => x.line),
      [8],
    );
  });

  it('MCP505: placeholders in printed setup help (your_private_key, paste_token_here) and public-by-design keys (PostHog phc_) are not secrets; a real-looking fallback key is', () => {
    assert.deepEqual(
      at('secret_shapes', 'MCP505', 'setup_help.py').map((x) => x.line),
      [10],
    );
  });

  it('MCP603: a transport ternary gives one finding (Python and TypeScript)', () => {
    assert.equal(at('sse_ternary', 'MCP603').length, 1);
    assert.equal(at('ts_http', 'MCP603', 'fastmcp_sse.ts').length, 1);
  });

  it('MCP112: main() whose catch exits is not an unhandled startup promise', () => {
    assert.deepEqual(at('ts_startup', 'MCP112'), []);
  });

  it('MCP402: a poll bounded by MAX_POLL_ATTEMPTS has a deadline; only a bound past 60 s is reported', () => {
    const h = at('ts_startup', 'MCP402');
    assert.deepEqual(
      h.map((x) => x.line),
      [30],
    );
    assert.match(h[0].message, /up to 120 s/);
  });

  // ---- second round: misses are found -------------------------------------------------------

  it('stdout writes in a helper module that a stdio server imports (the helper imports no MCP)', () => {
    const h = at('helper_module', 'MCP101', 'tables.py');
    assert.deepEqual(
      h.map((x) => x.line),
      [4, 8],
    );
    assert.ok(h.every((x) => /server\.py imports this module and starts the stdio transport/.test(x.message)));
  });

  it('an example inside the SDK repository that imports the SDK by relative path is analyzed', () => {
    assert.deepEqual(
      at('ts_sdk_relative', 'MCP102').map((x) => x.line),
      [9],
    );
  });

  it('MCP502: a tool path through a helper that joins it unchecked, and File(path=...)', () => {
    assert.deepEqual(
      at('path_helper', 'MCP502').map((x) => x.line),
      [22, 29],
    );
  });

  it('MCP503: a host read from the environment with 0.0.0.0 as its default', () => {
    const h = at('py_host_env', 'MCP503');
    assert.equal(h.length, 1);
    assert.match(h[0].message, /0\.0\.0\.0 by default \(unless HOST is set\)/);
  });

  it('MCP503 (TS): Express app.listen(PORT) without a host and without auth', () => {
    assert.deepEqual(
      at('ts_http', 'MCP503', 'server.ts').map((x) => x.line),
      [17],
    );
  });

  it('a factory: create_server().run(transport="sse", host="0.0.0.0") is SSE on all interfaces', () => {
    assert.equal(at('py_factory', 'MCP603').length, 1);
    assert.equal(at('py_factory', 'MCP503').length, 1);
  });

  it('sync database driver in an async tool, and fetchall() without a limit, are still found', () => {
    assert.deepEqual(
      at('db_async', 'MCP301').map((x) => x.line),
      [12],
    );
    assert.deepEqual(
      at('db_async', 'MCP403').map((x) => x.line),
      [15],
    );
  });

  it('MCP301 on calls of synchronous SDK clients in async tools (boto3, OpenAI, Docker, Google API, Kubernetes, DB cursors, Redis), once per client; not on local builders, awaited async clients or to_thread', () => {
    const hits = at('py_sdk_clients', 'MCP301');
    assert.deepEqual(
      hits.map((h) => h.line),
      [35, 47, 62, 70, 78, 84, 96, 109, 122],
    );
    assert.match(hits[0].message, /s3\.list_buckets\(\).*synchronous boto3 client \(boto3\.client\(\) on line 20\)/);
    assert.match(hits[1].message, /Use openai\.AsyncOpenAI \(awaited\) or await asyncio\.to_thread/);
    // A factory function of the module builds the Google client; building the request is local.
    assert.match(hits[3].message, /request\.execute\(\).*Google API client \(drive_service\(\) on line 68\)/);
    // Redis pipeline commands are buffered: only execute() is reported.
    assert.match(hits[6].message, /pipe\.execute\(\)/);
    // A client kept in an attribute of a helper class in another module.
    assert.match(hits[7].message, /self\.s3\.list_objects_v2\(\) \(storage\.py line 12\)/);
    // Every Google Cloud library's sync client; its Async twin is awaited (no finding).
    assert.match(hits[8].message, /synchronous Google Cloud client/);
    // The query has a LIMIT: fetchall() is bounded.
    assert.deepEqual(at('py_sdk_clients', 'MCP403'), []);
  });

  it("MCP301 reads a low-level tools/call dispatcher like an async tool: its sync helpers, a client a helper builds, an imported class's method; not what it hands to to_thread", () => {
    const hits = at('py_dispatcher_blocking', 'MCP301');
    assert.deepEqual(
      hits.map((h) => h.line),
      [19, 23, 34, 37],
    );
    assert.match(
      hits[0].message,
      /subprocess\.run\(\).*in exec_task\(\), which the tools\/call dispatcher 'handle_call_tool' calls directly/,
    );
    assert.match(hits[2].message, /box\.select\(\).*synchronous IMAP client \(mailbox\(\) on line 33\)/);
    assert.match(
      hits[3].message,
      /runner\.start\(\).*inside the tools\/call dispatcher 'handle_call_tool'.*self\.client\.containers\.run\(\) \(runner\.py line 11\)/,
    );
  });

  it('MCP301 follows async tools into helper modules and methods: imported clients, functions, module members', () => {
    const server = at('py_blocking_helpers', 'MCP301', 'server.py');
    assert.deepEqual(
      server.map((h) => h.line),
      [15, 23, 29, 35, 53],
    );
    // A sync tool on mcp 1.x runs on the event loop: the same call blocks there too.
    assert.match(
      server[4].message,
      /inside tool 'forecast_sync'.*mcp\.server\.fastmcp 1\.x runs sync tools on the event loop/,
    );
    // A method reached through a base class's session attribute, named with its file and line.
    assert.match(
      server[0].message,
      /client\.forecast\(\).*async tool 'forecast'.*self\.session\.get\(\) \(client\.py line 11\)/,
    );
    assert.match(server[2].message, /httpx\.get\(\) \(geo\.py line 11\)/);
    // An awaited async helper that blocks inside: to_thread around the call would not help.
    assert.match(server[3].message, /Make geo\.elevation\(\) use an async API/);
    // A method of this module's class on a module-level instance, through a module-level connection.
    assert.deepEqual(
      at('py_blocking_helpers', 'MCP301', 'notes_server.py').map((h) => h.line),
      [24],
    );
  });

  it('a file whose main serves a hand-written endpoint with uvicorn is no MCP104; a hand-written initialize may answer a published revision (MCP709 only for one never published)', () => {
    assert.deepEqual(at('py_handwritten_endpoint', 'MCP104'), []);
    assert.deepEqual(at('py_handwritten_endpoint', 'MCP709', 'server.py'), []);
    const v = at('py_handwritten_endpoint', 'MCP709', 'draft_version.py');
    assert.deepEqual(
      v.map((h) => h.line),
      [13],
    );
    assert.match(v[0].message, /no published revision/);
  });

  it("MCP705: a tool that checks the server's own connection or login answers with what it found; a status of the caller's object is still a failure", () => {
    const h = at('py_diagnostic_tool', 'MCP705', 'server.py');
    assert.deepEqual(
      h.map((x) => x.line),
      [37],
    );
    assert.match(h[0].message, /'message_status'/);
  });

  it("MCP502: a tool that runs its caller's shell command has no folder to keep a path in (its cwd gets nothing); a file tool beside it still does", () => {
    assert.deepEqual(
      at('py_shell_tool', 'MCP502').map((h) => h.line),
      [32, 41],
    );
  });

  it("MCP501: a tool that runs its caller's whole command is a command runner to confine (warning); a command built around an argument is injection (error)", () => {
    const h = at('py_shell_tool', 'MCP501');
    assert.deepEqual(
      h.map((x) => [x.line, x.severity]),
      [
        [63, 'warning'],
        [71, 'error'],
      ],
    );
    assert.match(h[0].message, /whole command/);
  });

  it('MCP209: subprocess.run(text=True) decodes with the platform default; a call with a keyword Popen does not take raises TypeError first', () => {
    assert.deepEqual(
      at('py_shell_tool', 'MCP209').map((h) => h.line),
      [56],
    );
  });

  it('MCP103: mkdir -p and other quiet file commands read no stdin and print nothing; cp -v prints to the protocol pipe', () => {
    assert.deepEqual(
      at('py_shell_tool', 'MCP103').map((h) => h.line),
      [40],
    );
  });

  it('MCP702 across modules that register on one imported server (from instance import mcp), not on another server of the project', () => {
    assert.deepEqual(
      at('py_shared_instance', 'MCP702', 'items.py').map((h) => h.line),
      [4],
    );
    assert.match(at('py_shared_instance', 'MCP702', 'items.py')[0].message, /items_v2\.py:4/);
    assert.deepEqual(at('py_shared_instance', 'MCP702', 'demo.py'), []);
  });

  it('MCP209: a project that ships only as a Linux image (Dockerfile in its root, no Python manifest) has UTF-8 as its default encoding; with a requirements.txt it can run elsewhere', async () => {
    const lintCopy = async (extra: Record<string, string>) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mcpd-image-'));
      for (const f of ['Dockerfile', 'server.py']) copyFileSync(path.join(ROOT, 'py_image_only', f), path.join(dir, f));
      for (const [f, text] of Object.entries(extra)) writeFileSync(path.join(dir, f), text);
      try {
        clearProjectCache();
        const engine = new RuleEngine({ workers: 0, log: () => {} });
        return (await engine.analyzeWorkspace([dir])).findings.filter((f) => f.code === 'MCP209').length;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    assert.equal(await lintCopy({}), 0);
    assert.equal(await lintCopy({ 'requirements.txt': 'fastmcp\n' }), 1);
  });

  it('MCP705 (TS): a helper named for building error results that never sets isError, here or in a helper module the stdio server imports; one that sets it, and an ordinary text builder, are fine', () => {
    assert.deepEqual(
      at('ts_error_builder', 'MCP705', 'index.ts').map((h) => h.line),
      [9],
    );
    assert.deepEqual(
      at('ts_error_builder', 'MCP705', 'results.ts').map((h) => h.line),
      [4],
    );
    assert.match(at('ts_error_builder', 'MCP705', 'results.ts')[0].message, /`errorResult\(\)`/);
  });

  it('MCP502 follows a tool argument into another module: an imported function, a module member called by keyword, a method of an imported instance; a helper that checks containment and one that takes no path are fine', () => {
    const h = at('py_path_modules', 'MCP502', 'server.py');
    assert.deepEqual(
      h.map((x) => x.line),
      [12, 24, 30],
    );
    assert.match(h[0].message, /read_doc\(\).*'name' of 'open_doc'.*storage\.py line 9/);
    assert.deepEqual(at('py_path_modules', 'MCP502', 'storage.py'), []);
  });

  it('MCP112 (TS): `server.run().catch(console.error)` on a class whose async run() connects logs but does not exit (info); a handler that exits is fine', () => {
    assert.deepEqual(
      at('ts_class_run_catch', 'MCP112', 'index.ts').map((h) => [h.line, h.severity]),
      [[18, 'info']],
    );
    assert.deepEqual(at('ts_class_run_catch', 'MCP112', 'exits.ts'), []);
  });

  it('MCP502: a tool documented to take an absolute (or any) path reads where its caller says by contract; a note name still needs containment (Python and TS)', () => {
    assert.deepEqual(
      at('py_any_path', 'MCP502').map((h) => h.line),
      [25],
    );
    assert.deepEqual(
      at('ts_any_path', 'MCP502').map((h) => h.line),
      [24],
    );
    // A low-level server documents its arguments in list_tools: "Full path to the PDF file" for
    // pdf_path; the report name joined into a folder keeps its finding.
    assert.deepEqual(
      at('py_dispatcher_any_path', 'MCP502').map((h) => h.line),
      [47],
    );
  });

  it('TS: help printed before a clean exit (printHelp(); process.exit(0)) is no stdout finding; a note printed on the way to serving is. A described free-form record is no MCP207; an undescribed one is info', () => {
    assert.deepEqual(
      at('ts_help_exit', 'MCP102').map((h) => h.line),
      [25],
    );
    assert.deepEqual(
      at('ts_help_exit', 'MCP207').map((h) => [h.line, h.severity]),
      [[17, 'info']],
    );
  });

  it('TS: positional tool(...) on a server parameter typed McpServer, with a handler built by a wrapper call, is a tool (MCP606)', () => {
    assert.deepEqual(
      at('ts_typed_server_param', 'MCP606').map((h) => h.line),
      [20],
    );
  });

  it("MCP705 through a helper: a tool returning what a helper returned, whose except answers with {'error': ...}; not when the tool checks the error first, nor for a helper that lets failures propagate", () => {
    const hits = at('py_passed_errors', 'MCP705');
    assert.deepEqual(
      hits.map((h) => [h.line, h.severity]),
      [[18, 'info']],
    );
    assert.match(
      hits[0].message,
      /lookup\(\) reports a failure as a normal value on line 18, and tool 'parcel' returns what it gives as its result \(line 31\)/,
    );
  });

  it('TS MCP705: a catch returning through a local builder of text content (asTextJson({ ok: false, error })) is a failure as success; the builder used for data is not', () => {
    const hits = at('ts_content_builder', 'MCP705');
    assert.deepEqual(
      hits.map((h) => h.line),
      [24],
    );
    assert.match(hits[0].message, /built by `asTextJson\(\)`, which sets no `isError`/);
  });

  it("MCP705 in a decorator's wrapper that returns {'error': ...} for every tool it wraps; not in one that logs and re-raises", () => {
    const hits = at('py_decorator_errors', 'MCP705');
    assert.deepEqual(
      hits.map((h) => h.line),
      [22],
    );
    assert.match(hits[0].message, /@handled turns every failure of the tools it wraps \('unread'\)/);
  });

  it('TS MCP102: a probe script whose server never leaves the file and never starts is no stdio server; the entry that connects stdio keeps its finding', () => {
    assert.deepEqual(at('ts_probe_script', 'MCP102', 'check_api.ts'), []);
    assert.deepEqual(
      at('ts_probe_script', 'MCP102', 'index.ts').map((h) => h.line),
      [5],
    );
  });

  it('mcp 1.x FastMCP told to serve on every interface through settings.host before run(): MCP503, and no MCP106 "binds 127.0.0.1 (the default)" in its container', () => {
    assert.deepEqual(
      at('py_settings_host', 'MCP503').map((h) => h.line),
      [15],
    );
    assert.deepEqual(at('py_settings_host', 'MCP106'), []);
  });

  it("MCP101 on OpenTelemetry's ConsoleSpanExporter() on a stdio server (stdout by default); not with out=sys.stderr", () => {
    assert.deepEqual(
      at('py_otel_console', 'MCP101').map((h) => h.line),
      [11],
    );
  });

  it('MCP301 on sync Azure SDK clients (also through get_container_client/get_blob_client builders); not on .aio clients', () => {
    const hits = at('py_azure_clients', 'MCP301');
    assert.deepEqual(
      hits.map((h) => h.line),
      [21, 28],
    );
    assert.match(
      hits[1].message,
      /blob\.download_blob\(\).*synchronous Azure SDK client \(azure\.storage\.blob\.BlobServiceClient\(\) on line 14\)/,
    );
  });

  it('MCP301 on a client returned by a factory in another module (a cached googleapiclient service): the request built from it waits on execute(); not when execute goes to a thread', () => {
    const hits = at('py_client_factory_module', 'MCP301');
    assert.deepEqual(
      hits.map((h) => h.line),
      [17],
    );
    assert.match(
      hits[0].message,
      /request\.execute\(\).*Google API client \(get_calendar_service\(\) on line 15 returns one, built at calendar_service\.py line 12\)/,
    );
  });

  it('MCP301 on a sync tool when the declared fastmcp range is capped below 3 (fastmcp 2 runs sync tools on the event loop); not when it requires 3 or later', () => {
    const hits = at('py_fastmcp2_range', 'MCP301');
    assert.deepEqual(
      hits.map((h) => h.line),
      [12],
    );
    assert.match(hits[0].message, /this fastmcp version runs sync tools on the event loop/);
    assert.deepEqual(at('py_fastmcp3_range', 'MCP301'), []);
  });

  it('MCP209: an except that logs and re-raises loses nothing (the load fails at startup); one that falls back loses the content', () => {
    const hits = at('py_encoding_reraise', 'MCP209');
    assert.deepEqual(
      hits.map((h) => h.line),
      [14, 23],
    );
    assert.match(hits[0].message, /at startup that kills the server/);
    assert.match(hits[1].message, /except on line 25 catches: the file's content is silently lost/);
  });

  it('stdout in a module that registers tools on a server imported from another module follows where the project starts that server: HTTP only, no MCP101; stdio, MCP101', () => {
    assert.deepEqual(at('py_imported_server_http', 'MCP101'), []);
    assert.deepEqual(
      at('py_imported_server_stdio', 'MCP101').map((h) => h.line),
      [7],
    );
  });

  it('a low-level Server run on stdio_server() streams serves stdio: its helper modules get MCP101', () => {
    assert.deepEqual(
      at('py_lowlevel_streams', 'MCP101', 'jobs.py').map((h) => h.line),
      [5],
    );
  });

  it('MCP102 (TS): an entry module without MCP imports that imports the stdio server module writes its startup banner to the protocol channel; a branch that exits, and a script that does not import the server, do not', () => {
    const h = at('ts_entry_banner', 'MCP102', 'index.ts');
    assert.deepEqual(
      h.map((x) => x.line),
      [3],
    );
    assert.match(h[0].message, /imports src\/notes-server\.ts, which connects a stdio transport/);
    assert.deepEqual(at('ts_entry_banner', 'MCP102', 'seed.ts'), []);
  });

  it('MCP207 (TS): an undescribed record of untyped values is valid JSON Schema (info, quoting the construct as written)', () => {
    const h = at('ts_untyped_record', 'MCP207');
    assert.deepEqual(
      h.map((x) => [x.line, x.severity]),
      [[11, 'info']],
    );
    assert.match(h[0].message, /`z\.record\(z\.unknown\(\)\)` publishes an object whose values have no type/);
  });

  it('MCP201: a parameter a functools.wraps decorator supplies is published as a required argument (error, here and across modules); a decorator that only passes arguments on supplies none', () => {
    const own = at('py_supplied_param', 'MCP201', 'server.py');
    assert.deepEqual(
      own.map((h) => [h.line, h.severity]),
      [[35, 'error']],
    );
    assert.match(own[0].message, /'api' of tool 'steps' is supplied by @with_api/);
    assert.deepEqual(
      at('py_supplied_param', 'MCP201', 'sleep.py').map((h) => [h.line, h.severity]),
      [[6, 'error']],
    );
  });

  it("MCP301: reading the server's own small files (templates) in an async tool is no blocking finding; a file the caller names is", () => {
    assert.deepEqual(
      at('py_template_read', 'MCP301').map((h) => h.line),
      [24],
    );
  });

  it('MCP503 (TS): wildcard CORS behind an authentication middleware applied to every route (app.use(verifyToken), imported) gives a page nothing to call with; without it the finding stays', () => {
    assert.deepEqual(at('ts_global_auth', 'MCP503', 'guarded.ts'), []);
    assert.deepEqual(
      at('ts_global_auth', 'MCP503', 'open.ts').map((h) => h.line),
      [8],
    );
  });

  it('MCP602: mcp.server.fastmcp with mcp 2 pinned fails at import (error)', () => {
    assert.deepEqual(
      at('old_import', 'MCP602').map((x) => [x.line, x.severity]),
      [[2, 'error']],
    );
  });

  it('MCP706 on fastmcp 4: ctx.elicit warns (2026-07-28 connections), ctx.sample is an error, InputRequiredResult alone is info', () => {
    assert.deepEqual(
      at('v2_backchannel', 'MCP706').map((x) => [x.line, x.severity]),
      [
        [11, 'warning'],
        [18, 'error'],
        [27, 'info'],
      ],
    );
  });

  it('TS: an awaited import in a CLI sub-command that exits is not startup delay; a computed positional description is a description', () => {
    assert.deepEqual(at('ts_cli_sub', 'MCP401'), []);
    assert.deepEqual(
      at('ts_cli_sub', 'MCP701').map((x) => x.line),
      [25],
    );
  });

  // ---- third round (a blind corpus): wrong-finding classes ------------------------------------

  it('a script that calls its own server in-process (call_tool, list_tools) and never serves gets no stdout, stdin or startup-encoding findings', () => {
    assert.deepEqual(at('self_call_script', 'MCP101', 'walkthrough.py'), []);
    assert.deepEqual(at('self_call_script', 'MCP103', 'walkthrough.py'), []);
    assert.deepEqual(at('self_call_script', 'MCP104', 'walkthrough.py'), []);
    // The tool handler still fails on Windows when it runs; only the script code is exempt.
    assert.deepEqual(
      at('self_call_script', 'MCP209', 'walkthrough.py').map((x) => x.line),
      [13],
    );
  });

  it('the same in-process calls in a module that serves over stdio, or in the lifespan of a module a runner starts: its prints are still reported', () => {
    assert.deepEqual(
      at('self_call_script', 'MCP101', 'served.py').map((x) => x.line),
      [17],
    );
    // The print inside the lifespan runs while it serves (the lifespan is reachable code).
    assert.deepEqual(
      at('self_call_script', 'MCP101', 'lifespan_server.py').map((x) => x.line),
      [6, 12],
    );
  });

  it('MCP504 (TS): error text from a local stdio server is no leak unless it can carry a credential (a header token cannot; isError plays no part)', () => {
    assert.deepEqual(at('ts_tool_error_feedback', 'MCP504'), []);
  });

  it('MCP504 (TS): a local debugger over a WebSocket returning err.message without isError is MCP705 only; the pg pool built from a connection string leaks', () => {
    assert.deepEqual(
      at('ts_local_debugger', 'MCP504').map((x) => x.line),
      [73],
    );
    assert.match(at('ts_local_debugger', 'MCP504')[0]!.message, /pg client/);
    assert.deepEqual(
      at('ts_local_debugger', 'MCP705').map((x) => x.line),
      [55, 64, 73],
    );
  });

  it('MCP504 (Python): a keyless public API, a tokenizer data file and a token-built client over stdio are no leak; a lifespan database and a traceback over HTTP are', () => {
    assert.deepEqual(at('py_error_sources', 'MCP504', 'public_api.py'), []);
    assert.deepEqual(
      at('py_error_sources', 'MCP705', 'public_api.py').map((x) => x.line),
      [20, 31],
    );
    assert.deepEqual(
      at('py_error_sources', 'MCP504', 'keyed_api.py').map((x) => x.line),
      [46],
    );
    assert.match(at('py_error_sources', 'MCP504', 'keyed_api.py')[0]!.message, /psycopg/);
    assert.deepEqual(
      at('py_error_sources', 'MCP504', 'http_traceback.py').map((x) => x.line),
      [17],
    );
  });

  it('MCP504 (Python): over stdio a header-key SDK client is no leak, a database driver and a key in the URL query (requests params=, an httpx f-string URL) are; over HTTP the SDK client is', () => {
    assert.deepEqual(
      at('py_error_carriers', 'MCP504', 'stdio_sdk.py').map((x) => x.line),
      [35],
    );
    assert.match(at('py_error_carriers', 'MCP504', 'stdio_sdk.py')[0]!.message, /asyncpg/);
    assert.deepEqual(
      at('py_error_carriers', 'MCP705', 'stdio_sdk.py').map((x) => x.line),
      [24],
    );
    const url = at('py_error_carriers', 'MCP504', 'stdio_key_in_url.py');
    assert.deepEqual(
      url.map((x) => x.line),
      [24, 36],
    );
    assert.match(url[0]!.message, /`appid` in its query/);
    assert.match(url[1]!.message, /`key` in its query/);
    const remote = at('py_error_carriers', 'MCP504', 'http_sdk.py');
    assert.deepEqual(
      remote.map((x) => x.line),
      [19],
    );
    assert.match(remote[0]!.message, /openai client.*serves over HTTP\/SSE/);
    // A query parameter named otherwise (`ak`) whose value is the secret carries it too.
    const named = at('py_error_carriers', 'MCP504', 'stdio_param_named_otherwise.py');
    assert.deepEqual(
      named.map((x) => x.line),
      [23],
    );
    assert.match(named[0]!.message, /`ak` in its query/);
    // A local name bound again further down (to a value that reaches the DSN) is not what an
    // earlier try reads: only the outer try, which reaches the database, is reported.
    assert.deepEqual(
      at('py_error_carriers', 'MCP504', 'rebound_name.py').map((x) => x.line),
      [37],
    );
  });

  it('MCP504 (TS): a searchParams entry named otherwise whose value is the secret is a key in the URL; the header key is not', () => {
    const named = at('ts_error_carriers', 'MCP504', 'paramNamedOtherwise.js');
    assert.deepEqual(
      named.map((x) => x.line),
      [23],
    );
    assert.match(named[0]!.message, /`ak` in its query/);
  });

  it('MCP504 (TS): over stdio a header-key SDK client is no leak, a pg pool and a key in a node-fetch URL are; over HTTP the SDK client is', () => {
    assert.deepEqual(
      at('ts_error_carriers', 'MCP504', 'stdio.js').map((x) => x.line),
      [32],
    );
    assert.match(at('ts_error_carriers', 'MCP504', 'stdio.js')[0]!.message, /pg client/);
    assert.deepEqual(
      at('ts_error_carriers', 'MCP504', 'keyInUrl.js').map((x) => x.line),
      [20],
    );
    const remote = at('ts_error_carriers', 'MCP504', 'http.js');
    assert.deepEqual(
      remote.map((x) => x.line),
      [16],
    );
    assert.match(remote[0]!.message, /openai client.*serves over HTTP\/SSE/);
  });

  it('MCP503: a bind host from an argparse default of all interfaces, read as args.host; a loopback default is silent', () => {
    assert.deepEqual(
      at('py_host_argparse', 'MCP503', 'server.py').map((x) => x.line),
      [25, 27],
    );
    assert.match(
      at('py_host_argparse', 'MCP503', 'server.py')[0]!.message,
      /0\.0\.0\.0 by default \(unless --host is given\)/,
    );
    assert.deepEqual(at('py_host_argparse', 'MCP503', 'local_default.py'), []);
  });

  it('MCP106: a BaseSettings host field defaulting to loopback, in a container build that does not set HOST; silent when the image sets it', () => {
    assert.deepEqual(
      at('py_settings_container', 'MCP106').map((x) => x.line),
      [23],
    );
    assert.match(
      at('py_settings_container', 'MCP106')[0]!.message,
      /defaults to 127\.0\.0\.1 unless the environment variable HOST/,
    );
    assert.deepEqual(at('py_settings_container_env', 'MCP106'), []);
  });

  it("MCP106/MCP108: the Dockerfile CMD runs server.py; a tool module's own __main__ server is a developer run; an unresolvable CMD keeps the container evidence", () => {
    assert.deepEqual(
      at('py_container_entry', 'MCP106', 'server.py').map((x) => x.line),
      [10],
    );
    assert.deepEqual(at('py_container_entry', 'MCP106', 'forecast.py'), []);
    // A demo module served only by its own __main__ uvicorn.run(): the container runs server.py.
    assert.deepEqual(at('py_container_entry', 'MCP106', 'stocks_demo.py'), []);
    assert.deepEqual(
      at('py_container_unresolved', 'MCP106', 'forecast.py').map((x) => x.line),
      [22],
    );
    assert.deepEqual(
      at('py_container_unresolved', 'MCP106', 'server.py').map((x) => x.line),
      [10],
    );
    // A compose service's `command:` replaces the image's CMD: every module keeps the evidence.
    assert.deepEqual(
      at('py_container_compose', 'MCP106', 'forecast.py').map((x) => x.line),
      [22],
    );
  });

  it('MCP108: not on a server that binds loopback itself in the container (MCP106 says why); on an SSE app served by uvicorn on 0.0.0.0 from `python -m pkg.app`', () => {
    assert.deepEqual(at('py_container_entry', 'MCP108'), []);
    assert.deepEqual(at('py_container_unresolved', 'MCP108'), []);
    assert.deepEqual(
      at('py_container_asgi', 'MCP108', 'app.py').map((x) => x.line),
      [5],
    );
    assert.deepEqual(at('py_container_asgi', 'MCP106'), []);
  });

  it('MCP401 (TS): a local async helper that fetches, awaited before connect(), delays initialize; the one awaited after it, and the function that serves, do not', () => {
    const h = at('ts_startup_helper', 'MCP401');
    assert.deepEqual(
      h.map((x) => x.line),
      [25],
    );
    assert.match(h[0]!.message, /`loadRules\(\)`, which awaits a network request \(`fetch`\) \(line 11\)/);
  });
  it('MCP401: not on a module whose servers serve only HTTP/SSE; on the stdio twin, and on an SSE module a stdio server imports', () => {
    assert.deepEqual(at('py_startup_http', 'MCP401', 'search_http.py'), []);
    assert.deepEqual(
      at('py_startup_http', 'MCP401', 'search_stdio.py').map((x) => x.line),
      [2],
    );
    assert.deepEqual(
      at('py_startup_http', 'MCP401', 'wiki.py').map((x) => x.line),
      [4],
    );
  });

  it('MCP603: SseServerTransport built in a factory module with no server object; the Streamable HTTP manager is silent', () => {
    assert.deepEqual(
      at('py_sse_factory', 'MCP603', 'sse.py').map((x) => x.line),
      [6],
    );
    assert.deepEqual(at('py_sse_factory', 'MCP603', 'streamable.py'), []);
  });

  it('MCP503: wildcard CORS on a Starlette app that mounts MCP endpoints built elsewhere; a plain web app and an authenticated one are silent', () => {
    assert.deepEqual(
      at('py_cors_app', 'MCP503', 'app.py').map((x) => x.line),
      [24],
    );
    assert.match(at('py_cors_app', 'MCP503', 'app.py')[0]!.message, /allow_credentials=True/);
    assert.deepEqual(at('py_cors_app', 'MCP503', 'dashboard.py'), []);
    assert.deepEqual(at('py_cors_app', 'MCP503', 'authed_app.py'), []);
  });

  it('MCP401 (TS): a top-level await handed a remote-service client before connect; a local file read and a local SQLite database are not slow', () => {
    assert.deepEqual(
      at('ts_startup_client', 'MCP401').map((x) => x.line),
      [23],
    );
    assert.match(at('ts_startup_client', 'MCP401')[0]!.message, /@google-cloud\/bigquery client `warehouse`/);
  });

  it("MCP112 (TS): an unawaited call of the class's own async entry method that hands the server to a transport starter; guarded or awaited ones are silent", () => {
    assert.deepEqual(
      at('ts_entry_method', 'MCP112', 'server.js').map((x) => x.line),
      [19],
    );
    assert.match(at('ts_entry_method', 'MCP112', 'server.js')[0]!.message, /RecordsServer\.run/);
    assert.deepEqual(at('ts_entry_method', 'MCP112', 'guarded.js'), []);
  });

  it('MCP106: a runner binding an imported settings field whose module defaults it to loopback (project model); silent when the image sets HOST', () => {
    assert.deepEqual(
      at('py_settings_runner', 'MCP106').map((x) => x.line),
      [7],
    );
    assert.match(at('py_settings_runner', 'MCP106')[0]!.message, /defaults to 127\.0\.0\.1 \(app\/config\.py\)/);
    assert.deepEqual(at('py_settings_runner_env', 'MCP106'), []);
  });

  it('MCP505: name-based secrets in test code are fixtures; token shapes there and literals in server code are reported', () => {
    assert.deepEqual(
      at('secret_test_fixture', 'MCP505', 'test_client.py').map((x) => x.line),
      [15],
    );
    assert.deepEqual(
      at('secret_test_fixture', 'MCP505', 'server.py').map((x) => x.line),
      [4],
    );
  });

  it('MCP401 (TS): awaiting part of a package already imported, or a Node built-in, is not startup delay; a package not loaded yet is', () => {
    assert.deepEqual(
      at('ts_loaded_import', 'MCP401').map((x) => x.line),
      [17],
    );
  });

  // ---- fourth round: CLI paths that never serve, lifespans ------------------------------------

  it('output and prompts on CLI paths that exit or return before serving are not MCP101/MCP103; output on a path that then serves is', () => {
    // server.py: `setup` returns before run(), `check` exits; the sign-in path goes on to serve.
    assert.deepEqual(
      at('cli_paths', 'MCP101', 'server.py').map((x) => x.line),
      [37],
    );
    assert.deepEqual(at('cli_paths', 'MCP103', 'server.py'), []);
    // The helper module: configure() is called only by the setup branch, fail() exits; the
    // sign-in prints reach the stdio client (the importer serves after calling sign_in()).
    const helper = at('cli_paths', 'MCP101', 'weather_auth.py');
    assert.deepEqual(
      helper.map((x) => x.line),
      [24, 28],
    );
    assert.ok(helper.every((x) => /server\.py imports this module and starts the stdio transport/.test(x.message)));
    // click: the `init` sub-command never serves; the `serve` sub-command prints before run().
    assert.deepEqual(
      at('cli_paths', 'MCP101', 'cli_click.py').map((x) => x.line),
      [27],
    );
  });

  it('a lifespan passed to the server is reachable: its prints, and the helpers it calls, are MCP101 on a stdio server', () => {
    assert.deepEqual(
      at('py_lifespan', 'MCP101').map((x) => [x.line, x.severity]),
      [
        [13, 'error'],
        [19, 'error'],
      ],
    );
  });

  it('TS: a logging helper module that writes to stdout and that the stdio server calls is MCP102; exports nobody calls, a log-level clause no caller selects, and a CLI mode that returns before serving, are not', () => {
    assert.equal(at('ts_helper_log', 'MCP102').length, 2);
    const h = at('ts_helper_log', 'MCP102', 'log.ts');
    // trace() is called from a tool; emit() only with 'error' and 'notice': its debug/trace
    // clause (line 20) is never selected, its default clause (line 26) is.
    assert.deepEqual(
      h.map((x) => x.line),
      [5, 26],
    );
    assert.match(h[0].message, /`console\.info` in `trace\(\)`/);
    assert.match(h[0].message, /src\/index\.ts imports this module and starts the stdio transport/);
  });

  it('TS: a helper that prints --help or --version and returns false, where the entry point returns on false before it serves, is not MCP102; a caller that ignores the value keeps every write', () => {
    const lines = (dir: string): number[] => at(dir, 'MCP102', 'cli.ts').map((h) => h.line);
    // showHelp() (through its call) and the version line are followed by `return false`, and
    // `if (!handleCliArgs()) return;` leaves main() before the transport; --verbose returns true.
    assert.deepEqual(lines('ts_cli_result'), [18]);
    assert.deepEqual(lines('ts_cli_result_ignored'), [4, 14, 18]);
  });

  it('MCP504 on a low-level dispatcher knows its transport from the streams: stdio_server() only is the local client (a header key cannot leak); SseServerTransport served by uvicorn is remote', () => {
    assert.deepEqual(at('py_dispatcher_receiver', 'MCP504', 'stdio_only.py'), []);
    const h = at('py_dispatcher_receiver', 'MCP504', 'over_sse.py');
    assert.deepEqual(
      h.map((x) => x.line),
      [36],
    );
    assert.match(h[0]!.message, /serves over HTTP\/SSE/);
  });

  it('MCP705 through a result helper: `return _err(f"... {exc}")` in a dispatcher and `return error_response(str(e))` in a tool are failures sent as results; the same helpers with ordinary data are not', () => {
    const low = at('py_error_helpers', 'MCP705', 'lowlevel.py');
    assert.deepEqual(
      low.map((h) => h.line),
      [29],
    );
    assert.match(low[0]!.message, /\(built by _err\(\)\)/);
    const tools = at('py_error_helpers', 'MCP705', 'tools.py');
    assert.deepEqual(
      tools.map((h) => h.line),
      [22],
    );
    assert.match(tools[0]!.message, /Tool 'balance' .*\(built by error_response\(\)\)/);
    // A name bound to the error text earlier in the handler stands for that text; a note that is
    // not an error does not.
    assert.deepEqual(
      at('py_error_helpers', 'MCP705', 'named_text.py').map((h) => h.line),
      [22, 32],
    );
  });

  it('MCP403: .to_dict() of a dataframe is a whole table; .to_dict() of a class of the project (with no dataframe library imported) is not', () => {
    assert.deepEqual(
      at('py_output_bounds', 'MCP403', 'frames.py').map((h) => h.line),
      [13],
    );
    assert.deepEqual(at('py_output_bounds', 'MCP403', 'metrics.py'), []);
    // A file no argument chooses (a guide shipped with the package) is as big as its author made
    // it; a file the caller names is not bounded.
    assert.deepEqual(
      at('py_output_bounds', 'MCP403', 'files.py').map((h) => h.line),
      [22],
    );
  });

  it('a server an imported factory returns (`mcp_server = ServerFactory.get()`, `mcp = create_server()`) that the module mounts or runs is read as a server: its SSE app or run is MCP603', () => {
    assert.deepEqual(
      at('py_factory_app', 'MCP603', 'web.py').map((h) => h.line),
      [9],
    );
    // A runner that runs what an imported factory returns: its SSE branch is MCP603 too.
    assert.deepEqual(
      at('py_factory_app', 'MCP603', '__main__.py').map((h) => h.line),
      [14],
    );
    // `await app.run()` on the project's own async class is not a server start (no MCP105).
    assert.deepEqual(at('py_factory_app', 'MCP105'), []);
    assert.deepEqual(
      findings.filter((f) => f.file.endsWith(path.join('py_factory_app', 'tasks_mcp', 'cli.py'))),
      [],
    );
  });

  it('MCP503 (TS): a wildcard CORS header on OAuth metadata routes (/.well-known/...) is public by design; on the /mcp route it is reported', () => {
    assert.deepEqual(
      at('ts_cors_metadata', 'MCP503', 'http.ts').map((h) => h.line),
      [17],
    );
  });

  it('MCP101: a print in main() that nothing in the file calls, but that starts the server (a console script), is on the serving path', () => {
    assert.deepEqual(
      at('py_entry_fn', 'MCP101', 'server.py').map((h) => h.line),
      [20],
    );
  });

  it('MCP110: a Procfile that runs uvicorn workers over an app module whose server is stateless (http_app(stateless_http=True)) shares no sessions; the stateful twin is reported', () => {
    assert.deepEqual(at('py_procfile_stateless', 'MCP110'), []);
    assert.deepEqual(
      at('py_procfile_stateful', 'MCP110', 'Procfile').map((h) => h.line),
      [1],
    );
  });

  it('MCP112: a startup .catch that exits through a parameter every caller passes `process` to does exit; one that only logs is reported', () => {
    assert.deepEqual(
      at('ts_injected_process', 'MCP112', 'entry.ts').map((h) => h.line),
      [20],
    );
  });

  it('MCP112: no finding on a startup promise that cannot reject: only a fresh stdio connect awaited, or the start failure caught inside (exit code set)', () => {
    assert.deepEqual(at('ts_startup_cannot_reject', 'MCP112'), []);
  });

  it('MCP209: a client script that defines no server or tool (Client(config) against a server elsewhere) is not a server process', () => {
    assert.deepEqual(at('py_client_script', 'MCP209'), []);
  });

  it('MCP606: server.tool() on an SDK pinned below 1.21.1 is not deprecated there; a range that admits 1.21.1+ resolves to a release where it is', () => {
    assert.deepEqual(at('ts_sdk_pinned', 'MCP606'), []);
    assert.deepEqual(
      at('ts_sdk_range', 'MCP606', 'server.ts').map((h) => h.line),
      [7],
    );
  });

  // ---- holdout6 (a blind corpus): wrong-finding classes ------------------------------------------

  it('a TS script that imports SDK names but builds no server or transport, and that no serving module imports, gets no MCP102; a launcher that calls the stdio entry does', () => {
    assert.deepEqual(at('ts_manual_script', 'MCP102', 'try-notes.mjs'), []);
    assert.deepEqual(
      at('ts_manual_script', 'MCP102', 'dev.mjs').map((h) => h.line),
      [6],
    );
  });
  it("MCP602 on an mcp 2.x MCPServer reads MCPServer's own arguments: version/title/description pass, 1.x transport settings in the constructor do not", () => {
    assert.deepEqual(at('mcpserver_ctor', 'MCP602', 'server.py'), []);
    assert.deepEqual(at('mcpserver_ctor', 'MCP602', 'run_http.py'), []);
    const h = at('mcpserver_ctor', 'MCP602', 'http_server.py');
    assert.equal(h.length, 3);
    assert.ok(h.every((x) => x.severity === 'error' && /MCPServer\((host|port|stateless_http)=/.test(x.message)));
  });
  it('`from mcp.server import MCPServer` proves mcp 2.x like mcp.server.mcpserver: a sync tool runs in a worker thread (no MCP301) and its child does not inherit the client pipe (no MCP103); the mcp.server.fastmcp twin gets both', () => {
    assert.deepEqual(at('mcpserver_ctor', 'MCP301', 'short_import.py'), []);
    assert.deepEqual(at('mcpserver_ctor', 'MCP103', 'short_import.py'), []);
    assert.deepEqual(
      at('mcpserver_ctor', 'MCP301', 'fastmcp_import.py').map((h) => h.line),
      [13],
    );
    assert.deepEqual(
      at('mcpserver_ctor', 'MCP103', 'fastmcp_import.py').map((h) => h.line),
      [13],
    );
  });
  it('MCP502: a tool argument inside a fixed file-name component cannot leave the folder; one that supplies a whole component can', () => {
    // create_workflow (line 20/21) and export_report (line 29/30) embed the argument after a fixed
    // prefix; read_export, read_nested and read_named let it start a component.
    assert.deepEqual(
      at('path_component', 'MCP502').map((h) => h.line),
      [38, 45, 53],
    );
  });
  it('MCP503: authentication as a FastAPI dependency (a bearer scheme, an imported get_current_user) on the routes that serve counts; a database dependency, or router dependencies beside a mounted MCP app, do not', () => {
    assert.deepEqual(at('fastapi_auth', 'MCP503', 'bearer_routes.py'), []);
    assert.deepEqual(at('fastapi_auth', 'MCP503', 'imported_dep.py'), []);
    // Dependencies run for routes only: the mounted MCP app is reached without the API-key check.
    assert.deepEqual(
      at('fastapi_auth', 'MCP503', 'router_key.py').map((h) => h.line),
      [38],
    );
    assert.deepEqual(
      at('fastapi_auth', 'MCP503', 'open_deps.py').map((h) => h.line),
      [11, 32],
    );
  });
  it('MCP206 needs a resolved SDK version and a runtime SDK import: a punkpeye fastmcp server (type-only SDK import) and a caret range get none, a pinned 1.17 that the server imports does', () => {
    const h = findings.filter((f) => f.code === 'MCP206' && f.file.includes(`${path.sep}zod_sdk${path.sep}`));
    assert.deepEqual(
      h.map((f) => path.relative(path.join(ROOT, 'zod_sdk'), f.file)),
      [path.join('sdk_app', 'package.json')],
    );
  });
  it("MCP401 (TS): an awaited import in the HTTP branch or of the package's own module delays no stdio initialize; one in an opt-in branch is info; an unconditional package import is a warning", () => {
    assert.deepEqual(
      at('ts_start_branches', 'MCP401').map((h) => [h.line, h.severity]),
      [
        [13, 'info'],
        [16, 'warning'],
      ],
    );
    assert.match(at('ts_start_branches', 'MCP401')[0].message, /only when `args\.includes\('--embed'\)` holds/);
  });
  it('MCP502 (TS): a tool argument inside a fixed file-name component (template or concatenation) cannot leave the folder; one that supplies a whole component can', () => {
    assert.deepEqual(
      at('ts_path_component', 'MCP502').map((h) => h.line),
      [28, 38],
    );
  });
  it('TS: output on CLI paths that return, exit, or run another sub-command before the stdio server starts is not MCP102; output on the serving path is an error that names its evidence', () => {
    const lines = (file: string): string[] => at('ts_cli_paths', 'MCP102', file).map((h) => `${h.line} ${h.severity}`);
    // --help returns, `version` breaks out of the switch, `doctor` returns, the default clause calls a
    // function that always exits: none of them reaches the transport. The tool handler, the line
    // before the transport and the line after connect() are on the serving path.
    assert.deepEqual(lines('cli.ts'), ['13 error', '40 error', '44 error']);
    const cli = at('ts_cli_paths', 'MCP102', 'cli.ts');
    assert.match(cli[0]!.message, /inside a tool handler/);
    assert.match(cli[1]!.message, /reaches the stdio start on line 42/);
    assert.match(cli[2]!.message, /after the stdio transport starts \(line 43\)/);
    // commander: `list` and `config` actions (an inline callback and a named function) run instead
    // of `serve`; the banner before parseAsync() and the line in the serve action are reported.
    assert.deepEqual(lines('program.ts'), ['9 error', '24 error']);
    // yargs: the `tools` handler runs instead of the `stdio` one.
    assert.deepEqual(lines('yargs.ts'), []);
    // A TTY gets help instead of the server; `auth` runs a login flow instead of serving.
    assert.deepEqual(lines('tty.ts'), []);
    assert.deepEqual(lines('auth.ts'), []);
    // The login flow's prompt on stdin runs instead of the server: not MCP103 either.
    assert.deepEqual(at('ts_cli_paths', 'MCP103', 'auth.ts'), []);
    // An exported function nobody in the file calls: not proven, so a warning that says why.
    assert.deepEqual(lines('banner.ts'), ['6 warning']);
    assert.match(at('ts_cli_paths', 'MCP102', 'banner.ts')[0]!.message, /not proven to run while it serves/);
    // Kept: a helper a request handler calls, a loop before connect() in a method, the catch of a
    // failed connect, a signal handler registered after it, a banner before the method runs.
    assert.deepEqual(lines('kept.ts'), ['8 error', '22 error', '26 error', '30 error', '36 error']);
    // A bundle: `help` and `version` break out of the switch to an `export { main }`, which runs
    // nothing; a throw after the start is caught. The method the tool handler calls is reported.
    assert.deepEqual(lines('bundle.ts'), ['21 error']);
    assert.match(at('ts_cli_paths', 'MCP102', 'bundle.ts')[0]!.message, /the tool handler on line 26 calls/);
    // The start in a lifecycle callback; --help and --version return first; an export map stores
    // the functions without calling them: only the line before connect() is reported.
    assert.deepEqual(lines('lifecycle.ts'), ['28 error']);
  });
  it('TS loggers on a stdio server: pino, winston and dotenv 17 as their real packages behave, with the evidence in the message', () => {
    const lines = (dir: string, file: string): string[] =>
      at(dir, 'MCP102', file).map((h) => `${h.line} ${h.severity}`);
    // dotenv 17.2.3 from the lockfile: config() prints to stdout (error on the serving path);
    // pino() and a pino-pretty transport without a destination write to fd 1; destination(2),
    // { dest: 2 } and a transport to fd 2 do not; a name bound to console.debug is console.debug.
    assert.deepEqual(lines('ts_loggers', 'index.ts'), ['9 error', '11 error', '13 error', '25 error']);
    const idx = at('ts_loggers', 'MCP102', 'index.ts');
    assert.match(idx[0]!.message, /dotenv 17\.2\.3 from package-lock\.json/);
    assert.match(idx[3]!.message, /`trace` is `console\.debug`/);
    // winston Console: no stderrLevels (all three levels to stdout, error included), and a list
    // that leaves out the `warn` the logger uses; a list covering every emitted level is fine.
    assert.deepEqual(lines('ts_loggers', 'audit.ts'), ['6 warning', '11 warning']);
    const audit = at('ts_loggers', 'MCP102', 'audit.ts');
    assert.match(audit[0]!.message, /`error`, `warn`, `info` go to stdout/);
    assert.match(audit[1]!.message, /here `warn` goes to stdout/);
    assert.match(audit[0]!.message, /src\/index\.ts imports this module and starts the stdio transport/);
    // dotenv 18 (locked) writes to stderr: nothing.
    assert.deepEqual(lines('ts_loggers_quiet', 'index.ts'), []);
    // Only a range (^17.2.0, 17.x only): warning; `dotenv/config` and quiet: true are silent; a
    // computed quiet prints whenever it is false.
    assert.deepEqual(lines('ts_loggers_range', 'index.ts'), ['7 warning', '9 warning']);
    const range = at('ts_loggers_range', 'MCP102', 'index.ts');
    assert.match(range[0]!.message, /package\.json allows dotenv \^17\.2\.0, only 17\.x releases/);
    assert.match(range[1]!.message, /`quiet` is computed/);
  });

  it('a low-level tools/call dispatcher (mcp 1.x @server.call_tool()): paths from arguments[...] (GitPython, a helper), and a failure returned as content', () => {
    assert.deepEqual(
      at('py_dispatcher', 'MCP502').map((h) => h.line),
      [30, 33],
    );
    assert.match(at('py_dispatcher', 'MCP502')[1]!.message, /git\.Repo\(\).*dispatcher 'dispatch'/);
    assert.deepEqual(
      at('py_dispatcher', 'MCP705').map((h) => h.line),
      [39],
    );
    assert.match(at('py_dispatcher', 'MCP705')[0]!.message, /isError: false/);
    assert.deepEqual(
      at('py_dispatcher', 'MCP504').map((h) => h.line),
      [39],
    );
    // Contained path (through a checking helper), a name-only Path(...).suffix, a fallback for a
    // narrow except and an isError=True result: silent.
    for (const code of ['MCP502', 'MCP504', 'MCP705']) assert.deepEqual(at('py_dispatcher_ok', code), [], code);
  });

  it('a low-level dispatcher on mcp 2.x (on_call_tool=): params.arguments reaches open(); the error result has is_error False', () => {
    assert.deepEqual(
      at('py_dispatcher_v2', 'MCP502').map((h) => h.line),
      [17],
    );
    assert.deepEqual(
      at('py_dispatcher_v2', 'MCP705').map((h) => h.line),
      [21],
    );
    assert.match(at('py_dispatcher_v2', 'MCP705')[0]!.message, /is_error=True/);
    assert.deepEqual(
      at('py_dispatcher_v2', 'MCP504').map((h) => h.line),
      [21],
    );
  });

  it('TS: a setRequestHandler(CallToolRequestSchema, ...) dispatcher gets MCP502, MCP504 and MCP705; its contained twin none', () => {
    assert.deepEqual(
      at('ts_dispatcher', 'MCP502').map((h) => h.line),
      [19],
    );
    assert.deepEqual(
      at('ts_dispatcher', 'MCP504').map((h) => h.line),
      [25],
    );
    assert.deepEqual(
      at('ts_dispatcher', 'MCP705').map((h) => h.line),
      [25],
    );
    for (const code of ['MCP502', 'MCP504', 'MCP705']) assert.deepEqual(at('ts_dispatcher_ok', code), [], code);
  });
  it('MCP113: raise_exceptions=True on a stdio run fires with the mcp 2.x handler API, not on mcp 1.x decorators (they catch tool errors)', () => {
    assert.deepEqual(
      at('py_raise_v2', 'MCP113').map((h) => [h.line, h.severity]),
      [[24, 'warning']],
    );
    assert.deepEqual(at('py_raise_v1', 'MCP113'), []);
  });
  it('MCP103 in helper modules a stdio server imports (as a module and by name); a helper only a setup script imports stays silent', () => {
    assert.deepEqual(
      at('py_helper_stdin', 'MCP103', 'prompts.py').map((h) => [h.line, h.severity]),
      [[6, 'warning']],
    );
    // The whole-module import (`import prompts`) reaches the stdout rule too.
    assert.deepEqual(
      at('py_helper_stdin', 'MCP101', 'prompts.py').map((h) => h.line),
      [5],
    );
    assert.deepEqual(
      at('py_helper_stdin', 'MCP103', 'asker.py').map((h) => [h.line, h.severity]),
      [[7, 'warning']],
    );
    assert.match(
      at('py_helper_stdin', 'MCP103', 'prompts.py')[0]!.message,
      /server\.py imports this module and starts the stdio transport/,
    );
    assert.deepEqual(at('py_helper_stdin', 'MCP103', 'wizard_steps.py'), []);
    assert.deepEqual(at('py_helper_stdin', 'MCP101', 'setup_wizard.py'), []);
  });
  it('fastmcp.json: an entrypoint that is a low-level Server or does not exist is MCP608; a manifest without fastmcp and no environment is MCP609', () => {
    assert.deepEqual(
      at('fastmcp_lowlevel', 'MCP608').map((h) => h.severity),
      ['error', 'error', 'error'],
    );
    assert.match(at('fastmcp_lowlevel', 'MCP608', 'default.fastmcp.json')[0]!.message, /'server' is a low-level/);
    assert.match(at('fastmcp_missing', 'MCP608', 'noentry.fastmcp.json')[0]!.message, /"entrypoint": "app_server"/);
    assert.match(at('fastmcp_lowlevel', 'MCP608', 'fastmcp.json')[0]!.message, /no attribute 'call_tool'/);
    assert.match(at('fastmcp_lowlevel', 'MCP608', 'v2.fastmcp.json')[0]!.message, /no attribute 'run_async'/);
    assert.deepEqual(
      at('fastmcp_lowlevel', 'MCP609').map((h) => h.severity),
      ['warning', 'warning'],
    );
    assert.match(at('fastmcp_missing', 'MCP608', 'fastmcp.json')[0]!.message, /Server object 'mcp' not found/);
    assert.deepEqual(at('fastmcp_missing', 'MCP609'), []);
    // A factory function, a name bound in both branches of an if, an environment that uv builds.
    assert.deepEqual(at('fastmcp_ok', 'MCP608'), []);
    assert.deepEqual(at('fastmcp_ok', 'MCP609'), []);
  });
  it('a class that wraps a low-level server (self.server = Server(...), @self.server.call_tool()) is read like a module-level one', () => {
    assert.deepEqual(
      at('py_dispatcher_class', 'MCP502').map((h) => h.line),
      [18],
    );
    assert.deepEqual(
      at('py_dispatcher_class', 'MCP705').map((h) => h.line),
      [21],
    );
  });
  it('MCP501 in low-level dispatchers (Python and TS): a shell command built from the arguments; an argv list is not', () => {
    assert.deepEqual(
      at('dispatcher_shell', 'MCP501', 'server.py').map((h) => h.line),
      [16],
    );
    assert.deepEqual(
      at('dispatcher_shell', 'MCP501', 'server.ts').map((h) => h.line),
      [12],
    );
  });
  // ---- holdout7 (a blind corpus): wrong-finding classes ------------------------------------------

  it('TS: a module loaded by import() only in a CLI clause that does not serve gets no MCP102 (destructured, default, namespace, awaited-then-called); one loaded on the serving path does', () => {
    const h = at('ts_lazy_cli', 'MCP102');
    assert.deepEqual(
      findings
        .filter((f) => f.code === 'MCP102' && path.relative(ROOT, f.file).split(path.sep)[0] === 'ts_lazy_cli')
        .map((f) => `${path.basename(f.file)}:${f.range.start.line + 1}`)
        .sort(),
      ['banner.js:3', 'summary.js:3'],
    );
    assert.match(h[0].message, /src\/main\.js imports this module and starts the stdio transport/);
  });
  it('TS: a console.log selected by a value of a constant that no stdio start runs with (the same comparison, or a value list checked before) is not MCP102; an unchecked value keeps it', () => {
    assert.deepEqual(at('ts_transport_guard', 'MCP102', 'validated.js'), []);
    assert.deepEqual(at('ts_transport_guard', 'MCP102', 'same_test.js'), []);
    assert.deepEqual(
      at('ts_transport_guard', 'MCP102', 'unchecked.js').map((h) => h.line),
      [13],
    );
  });
  it('TS: a file whose only server start is an HTTP listen, that nothing serving imports, gets no MCP102; the same module imported by a stdio entry does', () => {
    assert.deepEqual(at('ts_http_by_hand', 'MCP102', 'standalone.js'), []);
    const h = at('ts_http_by_hand', 'MCP102', 'shared.js');
    assert.deepEqual(
      h.map((x) => x.line),
      [6],
    );
    assert.match(h[0].message, /stdio\.js imports this module and starts the stdio transport/);
  });

  it('a runner that starts a server imported from another module: run(host=) on an mcp 1.x FastMCP is MCP602, a bind on 0.0.0.0 is MCP503 unless the server module authenticates', () => {
    const v1 = at('py_runner_v1', 'MCP602', 'main.py');
    assert.deepEqual(
      v1.map((h) => [h.line, h.severity]),
      [
        [11, 'error'],
        [11, 'error'],
      ],
    );
    assert.match(v1[0]!.message, /official SDK's FastMCP \(mcp 1\.x/);
    // run() raises before it listens: no MCP503 beside MCP602, here or in the server's own module.
    assert.deepEqual(at('py_runner_v1', 'MCP503'), []);
    assert.deepEqual(
      at('py_v1_run_host', 'MCP602').map((h) => h.line),
      [13, 13],
    );
    assert.deepEqual(at('py_v1_run_host', 'MCP503'), []);
    assert.deepEqual(
      at('py_runner_http', 'MCP503', 'serve.py').map((h) => h.line),
      [7],
    );
    assert.deepEqual(at('py_runner_http', 'MCP602'), []);
    assert.deepEqual(at('py_runner_http_auth', 'MCP503'), []);
  });

  it('MCP101 in a runner that runs an imported server over stdio: the banner before run() is reported, a --version print that returns is not; a runner of a Flask app gets nothing', () => {
    assert.deepEqual(
      at('py_runner_banner', 'MCP101').map((h) => [h.line, h.severity]),
      [[10, 'error']],
    );
    assert.deepEqual(at('py_runner_banner_other', 'MCP101'), []);
  });

  it('a server run in a thread with a computed protocol: output in the else of `if protocol == "stdio"`, in a thread spawned only when protocol != "stdio", and in a stop path gets no MCP101/MCP103; Windows-only netstat output is no MCP209; the stdio branch keeps MCP101', () => {
    assert.deepEqual(
      at('py_thread_protocol', 'MCP101').map((h) => h.line),
      [25],
    );
    assert.deepEqual(at('py_thread_protocol', 'MCP103'), []);
    assert.deepEqual(at('py_thread_protocol', 'MCP209'), []);
    // A thread spawned before the stdio run prints while it serves.
    assert.deepEqual(
      at('py_thread_heartbeat', 'MCP101').map((h) => h.line),
      [17],
    );
  });

  it("MCP504: credentials a tool takes as arguments (passed through a helper) are the caller's, not the server's; the server's own login from the environment keeps it", () => {
    assert.deepEqual(
      at('py_passthrough_creds', 'MCP504').map((h) => h.line),
      [48],
    );
    assert.match(at('py_passthrough_creds', 'MCP504')[0]!.message, /LEDGER_/);
  });

  it('MCP106: no loopback finding on an mcp 1.x run(host=...) that raises before it binds (MCP602 says so)', () => {
    assert.deepEqual(at('py_v1_run_host', 'MCP106'), []);
  });

  it('MCP112 (TS): an async main() that awaits nothing itself is no unhandled startup promise', () => {
    assert.deepEqual(at('ts_main_no_await', 'MCP112'), []);
  });

  it('MCP111 (TS): a server bound once in the function that sets up the routes (a local or a parameter) and connected per request is shared; one built in the handler is not', () => {
    assert.deepEqual(
      at('ts_main_no_await', 'MCP111').map((h) => h.line),
      [19],
    );
    const shared = at('ts_shared_param', 'MCP111', 'routes.ts');
    assert.deepEqual(
      shared.map((h) => [h.line, h.severity]),
      [[25, 'error']],
    );
    assert.match(shared[0]!.message, /`mcp` is bound once, outside the request handler \(line 9\)/);
  });

  it('MCP705 (Python): a tool returning TextContent with the caught error, or the JSON of an {"error": ...} object (directly or from a helper with many returns), reports a failure as a result; its success content does not', () => {
    assert.deepEqual(
      at('py_error_results', 'MCP705').map((h) => h.line),
      [36, 38, 50],
    );
    assert.match(at('py_error_results', 'MCP705')[2]!.message, /built by _api_error\(\)/);
  });

  it('MCP705 (TS): a function declared to return CallToolResult whose catch returns content without isError is reported where it is written; one that sets isError is not', () => {
    const h = at('ts_result_fn', 'MCP705', 'route.ts');
    assert.deepEqual(
      h.map((x) => x.line),
      [8],
    );
    assert.match(h[0]!.message, /`route\(\)` \(declared to return `CallToolResult`\)/);
  });

  it('MCP602/MCP108 on mcp 1.x FastMCP by version: version= in the constructor is an error on a proven mcp >= 1.12.3 and a warning on a range; the localhost Host check (mcp >= 1.23) is info when the version is not proven', () => {
    assert.deepEqual(
      at('py_ctor_version_pinned', 'MCP602').map((h) => h.severity),
      ['error'],
    );
    assert.match(at('py_ctor_version_pinned', 'MCP602')[0]!.message, /mcp 1\.26\.0 fails at startup with TypeError/);
    assert.deepEqual(
      at('py_ctor_version_range', 'MCP602').map((h) => h.severity),
      ['warning'],
    );
    assert.match(at('py_ctor_version_range', 'MCP602')[0]!.message, /mcp 1\.12\.3 and later fail/);
    const host = at('py_container_asgi', 'MCP108', 'app.py');
    assert.deepEqual(
      host.map((h) => h.severity),
      ['info'],
    );
    assert.match(host[0]!.message, /mcp 1\.23\.0 and later/);
  });

  it('MCP111 (TS): a module-level server whose handler closes the transport when the response ends fails only for overlapping requests, and the message says so', () => {
    const h = at('ts_shared_close', 'MCP111');
    assert.deepEqual(
      h.map((x) => x.line),
      [14],
    );
    assert.match(
      h[0]!.message,
      /requests one after another work, but a request that arrives while another is in flight throws/,
    );
  });

  it('MCP503 (TS): reading the Authorization header only to forward it upstream is no authentication: wildcard CORS is reported', () => {
    assert.deepEqual(
      at('ts_forward_auth', 'MCP503').map((x) => [x.line, x.severity]),
      [[10, 'info']],
    );
  });

  it('MCP602: mcp 1.x low-level decorators inside a factory fail when the factory runs, not at import', () => {
    const h = at('py_lowlevel_factory', 'MCP602');
    assert.deepEqual(
      h.map((x) => [x.line, x.severity]),
      [[11, 'warning']],
    );
    assert.match(h[0]!.message, /'list_tools' when create_server\(\) runs\)/);
  });

  it('MCP602 (fastmcp): a transport setting moved out of the constructor goes to http_app() when the server is served as an ASGI app', () => {
    const h = at('py_ctor_app_settings', 'MCP602');
    assert.equal(h.length, 1);
    assert.match(h[0]!.message, /Pass stateless_http= to mcp\.http_app\(\.\.\.\) instead\./);
  });

  it('MCP102 (TS): a write to a stream parameter that defaults to process.stdout is a stdout write; one that defaults to stderr is not', () => {
    const h = at('ts_stdout_param', 'MCP102');
    assert.deepEqual(
      h.map((x) => [x.line, x.severity]),
      [[7, 'error']],
    );
    assert.match(h[0]!.message, /the default of the parameter `out`/);
  });

  it("MCP505: a vendor's documented default password (an env fallback) is no leaked secret; a real-looking key is", () => {
    assert.deepEqual(
      at('ts_vendor_default', 'MCP505').map((x) => x.line),
      [7],
    );
  });

  it('MCP101 wording: a print at module level runs at import time; one in the __main__ block runs at startup', () => {
    const h = at('py_main_banner', 'MCP101');
    assert.deepEqual(
      h.map((x) => x.line),
      [3, 14],
    );
    assert.match(h[0]!.message, /runs at import time/);
    assert.match(h[1]!.message, /runs at startup \(the `__main__` block\)/);
  });

  it('MCP101 in a helper module takes the SDK era its stdio importer proves: mcp 1.x (mcp.server.fastmcp) reaches the client, a warning that names the evidence; mcp 2.x (MCPServer) diverts handler output, no finding', () => {
    const v1 = at('py_helper_era_v1', 'MCP101', 'frappe_client.py');
    assert.deepEqual(
      v1.map((x) => [x.line, x.severity]),
      [[6, 'warning']],
    );
    assert.match(v1[0]!.message, /server\.py imports mcp\.server\.fastmcp, which exists only in mcp 1\.x/);
    assert.doesNotMatch(v1[0]!.message, /This breaks on mcp 1\.x/);
    assert.deepEqual(at('py_helper_era_v2', 'MCP101'), []);
  });
});
