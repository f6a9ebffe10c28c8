// Makes the README's pictures from a real VS Code session: runs the "Screenshots" integration
// suite with the shim taking pictures on request, into docs/images/.
// Usage: node esbuild.mjs && node scripts/screenshots.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'docs/images');
mkdirSync(out, { recursive: true });
const r = spawnSync(process.execPath, ['dist/test/integration/runTest.js'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MCP_DOCTOR_TEST_GREP: 'Screenshots', VSCODE_SHIM_SCREENSHOT_DIR: out },
});
process.exitCode = r.status ?? 1;
