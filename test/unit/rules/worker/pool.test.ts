import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { RuleEngine } from '../../../../src/core/rules/engine';
import type { ProjectContext } from '../../../../src/core/rules/types';
import { AnalyzerPool, WORKER_DEPTH } from '../../../../src/core/rules/worker/pool';

/**
 * The worker pool runs the real bundled worker (built here with esbuild, like `node esbuild.mjs`
 * builds dist/lintWorker.js) over a workspace made of the rule fixtures, and must give exactly
 * the findings of the in-process pass.
 */
const ROOT = path.join(__dirname, '../../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/rules');
// Inside the repo so that the bundle's external `require('typescript')` resolves from node_modules.
const OUT = path.join(ROOT, 'node_modules/.cache/mcpd-lint-worker-test');

async function buildWorker(): Promise<string> {
  fs.mkdirSync(path.join(OUT, 'wasm'), { recursive: true });
  const script = path.join(OUT, 'lintWorker.js');
  await build({
    entryPoints: [path.join(ROOT, 'src/core/rules/worker/lintWorker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: script,
    external: ['typescript'],
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  fs.copyFileSync(
    path.join(ROOT, 'node_modules/web-tree-sitter/tree-sitter.wasm'),
    path.join(OUT, 'wasm/tree-sitter.wasm'),
  );
  fs.copyFileSync(
    path.join(ROOT, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'),
    path.join(OUT, 'wasm/tree-sitter-python.wasm'),
  );
  return script;
}

/** Two projects (pyproject + package.json) holding every Python and TypeScript rule fixture. */
function makeWorkspace(): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-pool-'));
  fs.mkdirSync(path.join(ws, 'py'));
  fs.writeFileSync(
    path.join(ws, 'py/pyproject.toml'),
    '[project]\nname = "p"\nversion = "0.1.0"\ndependencies = ["mcp[cli]>=1.9"]\n',
  );
  for (const f of fs.readdirSync(path.join(FIXTURES, 'python'))) {
    if (f.endsWith('.py')) fs.copyFileSync(path.join(FIXTURES, 'python', f), path.join(ws, 'py', f));
  }
  fs.mkdirSync(path.join(ws, 'ts'));
  fs.writeFileSync(
    path.join(ws, 'ts/package.json'),
    JSON.stringify({
      name: 't',
      type: 'module',
      dependencies: { '@modelcontextprotocol/sdk': '^1.32.0', fastmcp: '^3.23.0', zod: '^3.25.76' },
    }),
  );
  for (const f of fs.readdirSync(path.join(FIXTURES, 'typescript'))) {
    if (/\.[cm]?[jt]s$/.test(f)) fs.copyFileSync(path.join(FIXTURES, 'typescript', f), path.join(ws, 'ts', f));
  }
  return ws;
}

describe('rules engine: analyzer worker pool', function () {
  this.timeout(60_000);
  let script: string;
  let ws: string;

  before(async () => {
    script = await buildWorker();
    ws = makeWorkspace();
  });
  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('gives exactly the in-process findings, definitions and servers', async () => {
    const solo = await new RuleEngine({ workers: 0, log: () => undefined }).analyzeWorkspace([ws]);
    const logs: string[] = [];
    const pooled = await new RuleEngine({
      workers: 2,
      workerScript: script,
      log: (m) => logs.push(m),
    }).analyzeWorkspace([ws]);
    assert.ok(solo.stats.analyzed >= 16, `enough files for the pool (${solo.stats.analyzed})`);
    assert.equal(solo.stats.workers, 0);
    assert.ok((pooled.stats.workers ?? 0) > 10, `files analyzed in workers: ${pooled.stats.workers}`);
    assert.deepEqual(logs, []);
    assert.ok(solo.findings.length > 20);
    assert.deepEqual(pooled.findings, solo.findings);
    assert.deepEqual(pooled.definitions, solo.definitions);
    assert.deepEqual(
      pooled.files.map((f) => [f.file, f.language, f.framework, f.skipped, f.servers]),
      solo.files.map((f) => [f.file, f.language, f.framework, f.skipped, f.servers]),
    );
  });

  it('sends each language to a worker that already runs it while that worker has room', async () => {
    const pool = new AnalyzerPool(script, 2);
    try {
      const pick = (dir: string, ext: RegExp) =>
        fs
          .readdirSync(path.join(ws, dir))
          .filter((f) => ext.test(f))
          .slice(0, WORKER_DEPTH + 1)
          .map((f) => path.join(ws, dir, f));
      const project = (root: string): ProjectContext => ({
        root,
        packages: new Map(),
        packageSources: new Map(),
        deployment: {},
        runtime: {},
      });
      const py = pick('py', /\.py$/);
      const tsFiles = pick('ts', /\.ts$/);
      const send = (language: 'python' | 'typescript', file: string) =>
        pool.analyze(language, file, fs.readFileSync(file, 'utf8'), project(path.dirname(file)));
      // Interleaved, as many of each as a worker takes at once: one worker per language.
      const depth = [...Array(WORKER_DEPTH).keys()];
      const first = depth.flatMap((i) => [send('python', py[i]), send('typescript', tsFiles[i])]);
      assert.deepEqual(pool.languages(), [['python'], ['typescript']]);
      // Both workers full: one more Python file still goes to the Python worker (no less busy one).
      const fourth = send('python', py[WORKER_DEPTH]);
      assert.deepEqual(pool.languages(), [['python'], ['typescript']]);
      const analyses = await Promise.all([...first, fourth]);
      assert.ok(analyses.every((a) => a.file && Array.isArray(a.hits)));
      assert.ok(analyses.some((a) => a.language === 'python' && a.hits.length > 0));
      assert.ok(analyses.some((a) => a.language === 'typescript' && a.hits.length > 0));
      // The TypeScript worker is idle now while the Python one is full: it takes Python files too.
      const more = [...depth, WORKER_DEPTH].map((i) => send('python', py[i]));
      assert.deepEqual(pool.languages(), [['python'], ['typescript', 'python']]);
      await Promise.all(more);
    } finally {
      await pool.close();
    }
  });

  it('falls back to in-process analysis when the worker cannot run', async () => {
    const broken = path.join(OUT, 'brokenWorker.js');
    fs.writeFileSync(broken, 'throw new Error("worker bundle is broken");\n');
    const logs: string[] = [];
    const solo = await new RuleEngine({ workers: 0, log: () => undefined }).analyzeWorkspace([ws]);
    const pooled = await new RuleEngine({
      workers: 2,
      workerScript: broken,
      log: (m) => logs.push(m),
    }).analyzeWorkspace([ws]);
    assert.equal(pooled.stats.workers, 0);
    assert.deepEqual(pooled.findings, solo.findings);
    assert.ok(
      logs.some((m) => /analyzer worker/.test(m) && /in-process/.test(m)),
      logs.join('\n'),
    );
  });

  it('uses no workers for small passes or without a worker bundle', async () => {
    const few = fs
      .readdirSync(path.join(ws, 'py'))
      .slice(0, 3)
      .map((f) => path.join(ws, 'py', f));
    const r = await new RuleEngine({ workers: 2, workerScript: script, log: () => undefined }).analyzeWorkspace([], {
      files: few,
    });
    assert.equal(r.stats.workers, 0);
    const missing = await new RuleEngine({
      workers: 2,
      workerScript: path.join(OUT, 'nope.js'),
      log: () => undefined,
    }).analyzeWorkspace([ws]);
    assert.equal(missing.stats.workers, 0);
    assert.ok(missing.findings.length > 20);
  });
});
