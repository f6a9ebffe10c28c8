import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * Runs the integration suites inside a real VS Code (code-server 1.117, see
 * .ci/vscode-host/setup.sh). test-electron cannot download VS Code here, so it launches
 * our shim, which takes the same flags and returns the extension host's exit code.
 *   MCP_DOCTOR_TEST_GREP=re     only tests whose full title matches (a regular expression, as
 *                               mocha --grep: escape parentheses); matching none fails
 *   VSCODE_SHIM_SCREENSHOT=file PNG of the workbench when the tests end
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const fixture = path.join(root, 'test/fixtures/workspaces/demo');
  // Tests may write into the workspace (quick fixes, configs): run on a copy next to the
  // original so relative paths such as ../../../node_modules still resolve.
  const workspace = fs.mkdtempSync(path.join(path.dirname(fixture), '.run-'));
  fs.cpSync(fixture, workspace, { recursive: true });
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-user-'));
  // An installed extension that declares the chat model vendor the sampling tests register a
  // provider for (a vendor must be declared by the extension that registers it). The web
  // workbench loads one development extension only, so it is installed, not developed.
  const extensions = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-ext-'));
  fs.cpSync(
    path.join(root, 'test/fixtures/extensions/lm-provider'),
    path.join(extensions, 'mcp-doctor-test.lm-provider-0.0.1'),
    { recursive: true },
  );
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE ?? path.join(root, '.ci/vscode-host/vscode-shim.js'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [workspace, `--user-data-dir=${userData}`, `--extensions-dir=${extensions}`],
      extensionTestsEnv: {
        MCP_DOCTOR_TEST_GREP: process.env.MCP_DOCTOR_TEST_GREP ?? '',
        MCP_DOCTOR_FIXTURE_ROOT: fixture,
        MCP_DOCTOR_REPO_ROOT: root,
        MCP_DOCTOR_BENCH_OUT: process.env.MCP_DOCTOR_BENCH_OUT ?? '',
      },
    });
  } catch (err) {
    console.error('Integration tests failed:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(extensions, { recursive: true, force: true });
    if (process.env.MCP_DOCTOR_KEEP_USER_DATA) console.log(`user data kept in ${userData}`);
    else fs.rmSync(userData, { recursive: true, force: true });
  }
}

void main();
