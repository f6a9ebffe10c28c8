import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rangeAt } from '../../../src/core/model';
import { RuleEngine } from '../../../src/core/rules/engine';
import { looksLikeMcp } from '../../../src/core/rules/files';
import { INTERNAL_ERROR_CODE } from '../../../src/core/rules/hitsToFindings';
import { clearProjectCache } from '../../../src/core/rules/project';
import type { Definition, FileAnalysis, LanguageAnalyzer, ProjectContext } from '../../../src/core/rules/types';

/**
 * A small analyzer defined here so the engine is tested on its own: it reports MCP101 for each
 * `print(` line, MCP701 (downgraded) for `# nodoc`, and a tool definition for each `def tool_x`.
 */
class LineAnalyzer implements LanguageAnalyzer {
  readonly language = 'python' as const;
  readonly extensions = ['.py'];
  calls = 0;
  projects: ProjectContext[] = [];
  async analyze(file: string, text: string, project: ProjectContext): Promise<FileAnalysis> {
    this.calls++;
    this.projects.push(project);
    if (text.includes('CRASH')) throw new Error('parser exploded');
    const hits: FileAnalysis['hits'] = [];
    const definitions: Definition[] = [];
    text.split('\n').forEach((l, i) => {
      const p = l.indexOf('print(');
      if (p >= 0)
        hits.push({
          ruleId: 'MCP101',
          range: rangeAt(i, p, p + 5),
          message: 'print to stdout',
          fixes: [
            { title: 'stderr', edits: [{ file, range: rangeAt(i, p, p + 5), newText: 'eprint' }], preferred: true },
          ],
        });
      if (l.includes('# nodoc'))
        hits.push({ ruleId: 'MCP701', range: rangeAt(i, 0, 3), message: 'no description', downgrade: true });
      const d = /def (tool_\w+)/.exec(l);
      if (d)
        definitions.push({
          kind: 'tool',
          name: d[1],
          file,
          range: rangeAt(i, 0, l.length),
          nameRange: rangeAt(i, d.index + 4, d.index + 4 + d[1].length),
          framework: 'fastmcp',
          params: [],
        });
    });
    const servers = text.includes('FastMCP(')
      ? [{ name: 'mcp', range: rangeAt(0, 0), transport: 'stdio' as const }]
      : [];
    return { file, language: 'python', framework: 'fastmcp', servers, definitions, hits };
  }
}

const SERVER = 'from fastmcp import FastMCP\nmcp = FastMCP("x")\nprint("hello")\ndef tool_a(): # nodoc\n    pass\n';

describe('RuleEngine', () => {
  let dir: string;
  beforeEach(() => {
    clearProjectCache();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-engine-'));
    fs.writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "x"\nrequires-python = ">=3.10"\ndependencies = ["fastmcp>=2.12"]\n',
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('turns hits into findings with catalogue severity and origin', async () => {
    const engine = new RuleEngine({ analyzers: [new LineAnalyzer()] });
    const r = await engine.analyzeFile(path.join(dir, 'server.py'), SERVER);
    const f101 = r.findings.find((f) => f.code === 'MCP101')!;
    assert.equal(f101.severity, 'error');
    assert.equal(f101.origin, 'rules');
    assert.equal(f101.range.start.line, 2);
    assert.equal(f101.fixes?.[0].edits[0].newText, 'eprint');
    assert.equal(r.language, 'python');
    assert.equal(r.definitions[0].name, 'tool_a');
  });

  it('downgrades one level when the precondition is unproven', async () => {
    const engine = new RuleEngine({ analyzers: [new LineAnalyzer()] });
    const r = await engine.analyzeFile(path.join(dir, 'server.py'), SERVER);
    const f701 = r.findings.find((f) => f.code === 'MCP701')!;
    assert.equal(f701.severity, 'info', 'warning lowered to info');
    assert.equal(f701.data?.downgraded, true);
  });

  it('uses an explicit per-hit severity over the catalogue default and downgrade, but not over a user override', async () => {
    const analyzer: LanguageAnalyzer = {
      language: 'python',
      extensions: ['.py'],
      analyze: async (file) => ({
        file,
        language: 'python',
        servers: [],
        definitions: [],
        hits: [{ ruleId: 'MCP202', range: rangeAt(1, 0, 3), message: 'class', severity: 'error', downgrade: true }],
      }),
    };
    const engine = new RuleEngine({ analyzers: [analyzer] });
    const file = path.join(dir, 'server.py');
    assert.equal((await engine.analyzeFile(file, SERVER)).findings[0].severity, 'error');
    engine.setSeverityOverrides({ MCP202: 'info' });
    assert.equal((await engine.analyzeFile(file, SERVER)).findings[0].severity, 'info');
  });

  it('applies severity overrides, including off, without re-analyzing', async () => {
    const analyzer = new LineAnalyzer();
    const engine = new RuleEngine({ analyzers: [analyzer], severity: { MCP101: 'hint' } });
    const file = path.join(dir, 'server.py');
    let r = await engine.analyzeFile(file, SERVER);
    assert.equal(r.findings.find((f) => f.code === 'MCP101')?.severity, 'hint');
    engine.setSeverityOverrides({ MCP101: 'off', MCP701: 'error' });
    r = await engine.analyzeFile(file, SERVER);
    assert.equal(
      r.findings.some((f) => f.code === 'MCP101'),
      false,
    );
    assert.equal(
      r.findings.find((f) => f.code === 'MCP701')?.severity,
      'error',
      'an explicit override is not downgraded',
    );
    assert.equal(analyzer.calls, 1);
    assert.equal(r.cached, true);
  });

  it('caches by content hash and re-analyzes only changed text', async () => {
    const analyzer = new LineAnalyzer();
    const engine = new RuleEngine({ analyzers: [analyzer] });
    const file = path.join(dir, 'server.py');
    await engine.analyzeFile(file, SERVER);
    await engine.analyzeFile(file, SERVER);
    assert.equal(analyzer.calls, 1);
    const r = await engine.analyzeFile(file, SERVER + 'print(2)\n');
    assert.equal(analyzer.calls, 2);
    assert.equal(r.cached, false);
    assert.equal(r.findings.filter((f) => f.code === 'MCP101').length, 2);
    // The project context is shared, not rebuilt per file.
    assert.equal(analyzer.projects[0], analyzer.projects[1]);
    assert.equal(analyzer.projects[0].packages.get('fastmcp'), '>=2.12');
  });

  it('re-analyzes when a project file changes', async () => {
    const analyzer = new LineAnalyzer();
    const engine = new RuleEngine({ analyzers: [analyzer] });
    const file = path.join(dir, 'server.py');
    await engine.analyzeFile(file, SERVER);
    fs.writeFileSync(path.join(dir, 'uv.lock'), '[[package]]\nname = "fastmcp"\nversion = "2.12.4"\n');
    engine.projectFileChanged(path.join(dir, 'uv.lock'));
    await engine.analyzeFile(file, SERVER);
    assert.equal(analyzer.calls, 2);
    assert.equal(analyzer.projects[1].packages.get('fastmcp'), '2.12.4');
  });

  it('never throws: an analyzer crash becomes an internal finding and is logged', async () => {
    const logged: string[] = [];
    const engine = new RuleEngine({ analyzers: [new LineAnalyzer()], log: (m) => logged.push(m) });
    const r = await engine.analyzeFile(path.join(dir, 'server.py'), 'import fastmcp\nCRASH\n');
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].code, INTERNAL_ERROR_CODE);
    assert.match(r.findings[0].message, /parser exploded/);
    assert.ok(logged.some((m) => m.includes('parser exploded')));
  });

  it('skips files without an MCP import cheaply, and unsupported files', async () => {
    const analyzer = new LineAnalyzer();
    const engine = new RuleEngine({ analyzers: [analyzer] });
    const r = await engine.analyzeFile(path.join(dir, 'util.py'), 'print("not a server")\n');
    assert.equal(r.skipped, true);
    assert.deepEqual(r.findings, []);
    assert.equal(analyzer.calls, 0);
    const other = await engine.analyzeFile(path.join(dir, 'notes.md'), '# hi');
    assert.equal(other.skipped, true);
    assert.equal(other.language, undefined);
    assert.equal(looksLikeMcp('python', 'from mcp.server.fastmcp import FastMCP'), true);
    assert.equal(
      looksLikeMcp('typescript', 'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js"'),
      true,
    );
    assert.equal(looksLikeMcp('typescript', 'export const x = 1;'), false);
  });

  it('runs project-file rules and the secret scan on server source', async () => {
    const engine = new RuleEngine({ analyzers: [new LineAnalyzer()] });
    const pkg = await engine.analyzeFile(
      path.join(dir, 'pyproject.toml'),
      '[project]\nrequires-python = ">=3.9"\ndependencies = ["fastmcp"]\n',
    );
    assert.deepEqual(
      pkg.findings.map((f) => [f.code, f.range.start.line]),
      [['MCP601', 1]],
    );
    assert.equal(pkg.language, 'config');
    const src = await engine.analyzeFile(
      path.join(dir, 'server.py'),
      'from fastmcp import FastMCP\nAPI_KEY = "q8w7e6r5t4y3u2i1"\n',
    );
    assert.deepEqual(
      src.findings.map((f) => f.code),
      ['MCP505'],
    );
  });

  it('analyzes a workspace with progress, and reports duplicate tools across files of one server (MCP702)', async () => {
    fs.writeFileSync(path.join(dir, 'server.py'), SERVER);
    fs.mkdirSync(path.join(dir, 'tools'));
    fs.writeFileSync(
      path.join(dir, 'tools', 'extra.py'),
      'from fastmcp import FastMCP\ndef register(mcp):\n    @mcp.tool\n    def tool_a():\n        """Doc."""\n',
    );
    fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', 'x', 'skip.py'), 'import fastmcp\nprint(1)\n');
    const progress: number[] = [];
    const engine = new RuleEngine({ analyzers: [new LineAnalyzer()] });
    const r = await engine.analyzeWorkspace([dir], { onProgress: (p) => progress.push(p.done) });
    assert.deepEqual(r.files.map((f) => path.relative(dir, f.file)).sort(), [
      'pyproject.toml',
      'server.py',
      path.join('tools', 'extra.py'),
    ]);
    assert.equal(r.cancelled, false);
    assert.ok(progress.length >= 3);
    const dups = r.findings.filter((f) => f.code === 'MCP702');
    assert.equal(dups.length, 2, 'one finding at each definition');
    assert.ok(dups.every((f) => f.related?.length === 1 && f.severity === 'error'));
    assert.deepEqual(
      r.findings,
      [...r.findings].sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || 0),
    );
  });

  it('does not compare tools of separate servers in one project', async () => {
    fs.writeFileSync(path.join(dir, 'a.py'), 'from fastmcp import FastMCP\nmcp = FastMCP("a")\ndef tool_a(): pass\n');
    fs.writeFileSync(path.join(dir, 'b.py'), 'from fastmcp import FastMCP\nmcp = FastMCP("b")\ndef tool_a(): pass\n');
    const r = await new RuleEngine({ analyzers: [new LineAnalyzer()] }).analyzeWorkspace([dir]);
    assert.equal(r.findings.filter((f) => f.code === 'MCP702').length, 0);
  });

  it('names the same importer as evidence whatever order the files were analyzed in', async function () {
    this.timeout(60000);
    // A helper module (no MCP import) that two stdio servers import: its stdout write cites one of them.
    const servers = path.join(__dirname, '../../fixtures/servers');
    for (const f of ['mcplite.py', 'busy-start.py', 'crash-after-init.py'])
      fs.copyFileSync(path.join(servers, f), path.join(dir, f));
    const files = ['mcplite.py', 'busy-start.py', 'crash-after-init.py'].map((f) => path.join(dir, f));
    const evidence = async (order: string[]) => {
      const r = await new RuleEngine({ workers: 0, log: () => undefined }).analyzeWorkspace([], { files: order });
      return r.findings
        .filter((f) => f.file.endsWith('mcplite.py') && /Evidence:/.test(f.message))
        .map((f) => f.message.replace(/^.*Evidence: /, ''));
    };
    const forward = await evidence(files);
    assert.ok(forward.length > 0, 'the helper write cites an importer');
    assert.ok(
      forward.every((m) => m.startsWith('busy-start.py imports this module')),
      forward.join('\n'),
    );
    assert.deepEqual(await evidence([...files].reverse()), forward);
  });

  it('stops when the signal aborts', async () => {
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `s${i}.py`), SERVER);
    const ctl = new AbortController();
    const engine = new RuleEngine({ analyzers: [new LineAnalyzer()] });
    const r = await engine.analyzeWorkspace([dir], {
      signal: ctl.signal,
      onProgress: (p) => p.done === 2 && ctl.abort(),
    });
    assert.equal(r.cancelled, true);
    assert.equal(r.files.length, 2);
  });

  it('loads the built-in analyzers lazily and reports real findings', async function () {
    this.timeout(60000);
    const engine = new RuleEngine();
    const file = path.join(dir, 'real_server.py');
    const text =
      'from mcp.server.fastmcp import FastMCP\n\nmcp = FastMCP("demo")\n\n@mcp.tool()\ndef add(a: int, b: int) -> int:\n    print("adding")\n    return a + b\n\nif __name__ == "__main__":\n    mcp.run()\n';
    const r = await engine.analyzeFile(file, text);
    assert.equal(r.language, 'python');
    assert.equal(r.skipped, false);
    assert.ok(!r.findings.some((f) => f.code === INTERNAL_ERROR_CODE), JSON.stringify(r.findings));
    assert.ok(
      r.definitions.some((d) => d.kind === 'tool' && d.name === 'add'),
      'the Python analyzer reports the tool',
    );
  });
});
