import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * Runs the smoke suite against the *installed* extension: `extensionsDir` holds the copy that
 * `code-server --install-extension dist/mcp-doctor.vsix` unpacked (scripts/test-package.mjs).
 * Two runs, because VS Code refuses modal dialogs (the launch consent) while tests run:
 *  - `installed`: the extension as installed (Production mode); the development path is an
 *    empty extension of its own, so nothing is loaded from the repo;
 *  - `approved`: the same installed files loaded as the extension under test (Test mode), so
 *    the suite can approve launches and call a tool.
 */
export async function runSmoke(extensionsDir: string, mode: 'installed' | 'approved'): Promise<number> {
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
  const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith('mcp-doctor.mcp-doctor-'));
  if (!installed) throw new Error(`no installed mcp-doctor in ${extensionsDir}`);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-smoke-noext-'));
  try {
    await runTests({
      vscodeExecutablePath: path.join(root, '.ci/vscode-host/vscode-shim.js'),
      extensionDevelopmentPath: mode === 'installed' ? host : path.join(extensionsDir, installed),
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [
        workspace,
        `--user-data-dir=${userData}`,
        `--extensions-dir=${mode === 'installed' ? extensionsDir : empty}`,
      ],
      extensionTestsEnv: {
        MCP_DOCTOR_TEST_GREP: mode === 'installed' ? 'as installed' : 'launches approved',
        MCP_DOCTOR_REPO_ROOT: root,
        MCP_DOCTOR_INSTALLED: path.join(extensionsDir, installed),
      },
    });
    return 0;
  } catch (err) {
    console.error('Smoke tests failed:', err instanceof Error ? err.message : err);
    return 1;
  } finally {
    for (const dir of [workspace, userData, host, empty]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [dir, mode] = process.argv.slice(2);
  if (!dir || (mode !== 'installed' && mode !== 'approved')) {
    console.error(
      'usage: node dist/test/smoke/runSmoke.js <extensions-dir with the installed vsix> installed|approved',
    );
    process.exit(2);
  }
  void runSmoke(path.resolve(dir), mode).then((code) => (process.exitCode = code));
}
