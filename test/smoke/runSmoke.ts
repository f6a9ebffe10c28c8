import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * Runs the smoke suite against the *installed* extension: `extensionsDir` holds the copy that
 * `code-server --install-extension dist/mcp-doctor.vsix` unpacked (scripts/test-package.mjs).
 * The development path is an empty extension of its own, so nothing is loaded from the repo.
 */
export async function runSmoke(extensionsDir: string): Promise<number> {
  const root = path.resolve(__dirname, '../../..');
  const fixture = path.join(root, 'test/fixtures/workspaces/demo');
  const workspace = fs.mkdtempSync(path.join(path.dirname(fixture), '.smoke-'));
  fs.cpSync(fixture, workspace, { recursive: true });
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-smoke-user-'));
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-smoke-host-'));
  fs.writeFileSync(
    path.join(host, 'package.json'),
    JSON.stringify({ name: 'smoke-host', publisher: 'mcp-doctor-tests', version: '0.0.0', engines: { vscode: '*' } }),
  );
  try {
    await runTests({
      vscodeExecutablePath: path.join(root, '.ci/vscode-host/vscode-shim.js'),
      extensionDevelopmentPath: host,
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [workspace, `--user-data-dir=${userData}`, `--extensions-dir=${extensionsDir}`],
      extensionTestsEnv: { MCP_DOCTOR_TEST_GREP: '', MCP_DOCTOR_REPO_ROOT: root },
    });
    return 0;
  } catch (err) {
    console.error('Smoke tests failed:', err instanceof Error ? err.message : err);
    return 1;
  } finally {
    for (const dir of [workspace, userData, host]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node dist/test/smoke/runSmoke.js <extensions-dir with the installed vsix>');
    process.exit(2);
  }
  void runSmoke(path.resolve(dir)).then((code) => (process.exitCode = code));
}
