import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/lint';
import type { CliIo } from '../../../src/cli/io';
import { clearProjectCache } from '../../../src/core/rules/project';
import { PROJECT_FIXTURES } from './helpers';

function io(cwd = PROJECT_FIXTURES): CliIo & { stdout: string; stderr: string } {
  const b = { stdout: '', stderr: '', cwd, env: {} as Record<string, string | undefined> };
  return Object.assign(b, { out: (t: string) => void (b.stdout += t), err: (t: string) => void (b.stderr += t) });
}

describe('mcp-doctor lint', () => {
  beforeEach(() => clearProjectCache());

  it('exits 1 with a text report when there are errors', async () => {
    const o = io();
    const code = await run(['node-bad'], o);
    assert.equal(code, 1);
    assert.match(o.stdout, /node-bad\/package\.json\n {2}6:24 +error +engines\.node/);
    assert.match(o.stdout, /MCP206/);
    assert.match(o.stdout, /\d+ problems in \d+ files \(\d+ errors?/);
  });

  it('exits 0 on a clean project', async () => {
    const o = io();
    assert.equal(await run(['node-good', 'py-good'], o), 0);
    assert.match(o.stdout, /No problems found in \d+ files\./);
  });

  it('--severity-threshold warning fails on warnings', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-lint-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ dependencies: { '@modelcontextprotocol/sdk': '1.32.2' } }),
      );
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:22\nENV HOST=127.0.0.1\nCMD ["node", "index.js"]\n');
      assert.equal(await run([dir], io(dir)), 0, 'a warning alone passes the default threshold');
      assert.equal(await run([dir, '--severity-threshold', 'warning'], io(dir)), 1);
      assert.equal(await run([dir, '--severity-threshold=warning', '--rule', 'MCP106=off'], io(dir)), 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--json prints findings and counts', async () => {
    const o = io();
    assert.equal(await run(['--json', 'py-bad/pyproject.toml'], o), 1);
    const out = JSON.parse(o.stdout);
    assert.equal(out.version, 1);
    assert.equal(out.files, 1);
    assert.deepEqual(out.summary, { error: 1, warning: 0, info: 0, hint: 0 });
    assert.equal(out.findings[0].code, 'MCP601');
    assert.equal(out.findings[0].range.start.line, 3);
    assert.equal(out.findings[0].origin, 'rules');
  });

  it('--format sarif prints a SARIF log with relative locations', async () => {
    const o = io();
    assert.equal(await run(['--format', 'sarif', 'py-bad'], o), 1);
    const log = JSON.parse(o.stdout);
    assert.equal(log.version, '2.1.0');
    const results = log.runs[0].results;
    assert.ok(results.length >= 10);
    const r = results.find(
      (x: any) =>
        x.ruleId === 'MCP601' && x.locations[0].physicalLocation.artifactLocation.uri === 'py-bad/pyproject.toml',
    );
    assert.deepEqual(r.locations[0].physicalLocation.region, {
      startLine: 4,
      startColumn: 20,
      endLine: 4,
      endColumn: 25,
    });
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [
      ['--format', 'xml'],
      ['--severity-threshold', 'info'],
      ['--bogus'],
      ['does-not-exist'],
      ['--rule', 'MCP999=off'],
      ['--rule', 'MCP101=loud'],
    ]) {
      const o = io();
      assert.equal(await run(args, o), 2, args.join(' '));
      assert.ok(o.stderr.length > 0);
    }
    const help = io();
    assert.equal(await run(['--help'], help), 0);
    assert.match(help.stdout, /Usage: mcp-doctor lint/);
  });
});
