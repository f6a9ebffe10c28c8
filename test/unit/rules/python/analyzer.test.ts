import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPythonAnalyzer, locateWasm } from '../../../../src/core/rules/python';
import { project, readFixture } from './helpers';

describe('python analyzer: createPythonAnalyzer', () => {
  it('implements LanguageAnalyzer for .py files', async () => {
    const a = createPythonAnalyzer();
    assert.equal(a.language, 'python');
    assert.deepEqual([...a.extensions], ['.py']);
    const r = await a.analyze('/w/python_bad_1.py', readFixture('python_bad_1.py'), project({ mcp: '1.9.4' }));
    assert.equal(r.file, '/w/python_bad_1.py');
    assert.equal(r.language, 'python');
    assert.equal(r.framework, 'mcp-python-sdk');
    assert.equal(r.hits.length, 28);
    assert.ok(r.definitions.every((d) => d.file === '/w/python_bad_1.py'));
  });

  it('finds the wasm files in node_modules, and in an explicit wasmDir first', async () => {
    const found = locateWasm();
    assert.ok(found && fs.existsSync(found.runtime) && fs.existsSync(found.grammar));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pywasm-'));
    try {
      fs.copyFileSync(found.runtime, path.join(dir, 'tree-sitter.wasm'));
      fs.copyFileSync(found.grammar, path.join(dir, 'tree-sitter-python.wasm'));
      assert.deepEqual(locateWasm(dir), {
        runtime: path.join(dir, 'tree-sitter.wasm'),
        grammar: path.join(dir, 'tree-sitter-python.wasm'),
      });
      const a = createPythonAnalyzer({ wasmDir: dir });
      const r = await a.analyze('x.py', readFixture('python_no_entrypoint.py'), project());
      assert.deepEqual(
        r.hits.map((h) => h.ruleId),
        ['MCP104'],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a wasmDir without the files falls back to the installed packages', async () => {
    const a = createPythonAnalyzer({ wasmDir: path.join(os.tmpdir(), 'does-not-exist-wasm') });
    const r = await a.analyze('x.py', readFixture('python_no_entrypoint.py'), project());
    assert.equal(r.definitions.length, 1);
  });

  it('analyzes concurrently without interference (one shared parser)', async () => {
    const a = createPythonAnalyzer();
    const names = ['python_bad_1.py', 'python_clean.py', 'python_no_entrypoint.py', 'stdout_official.py'];
    const results = await Promise.all(names.map((n) => a.analyze(n, readFixture(n), project())));
    const again = await Promise.all(names.map((n) => a.analyze(n, readFixture(n), project())));
    assert.deepEqual(results, again);
    assert.deepEqual(
      results.map((r) => r.definitions.length),
      [11, 5, 1, 5],
    );
  });

  it('files that neither import MCP nor register tools are not parsed (pre-filter)', async () => {
    const a = createPythonAnalyzer();
    for (const text of ['print("hello")\nopen("x")\n', '# an mcp helper\nprint(mcp)\n', readFixture('no_mcp.py')]) {
      const r = await a.analyze('plain.py', text, project({ fastmcp: '3.1.0' }));
      // Runner-like files are parsed for the project model only: imports and starts, no rule.
      assert.deepEqual(
        { ...r, module: undefined },
        { file: 'plain.py', language: 'python', servers: [], definitions: [], hits: [], module: undefined },
      );
    }
    // A helper module that only registers on an imported server passes the pre-filter.
    const helper = await a.analyze('helper_module.py', readFixture('helper_module.py'), project({ fastmcp: '3.1.0' }));
    assert.deepEqual(
      helper.definitions.map((d) => d.name),
      ['hello'],
    );
    const indented = await a.analyze(
      'lazy.py',
      'try:\n    from fastmcp import FastMCP\nexcept ImportError:\n    raise\nmcp = FastMCP("x")\nprint("hi")\nmcp.run()\n',
      project(),
    );
    assert.deepEqual(
      indented.hits.map((h) => h.ruleId),
      ['MCP101'],
    );
  });
});
