// The README's main job: runs the CLI on the bundled example workspace.
// The workspace has deliberate mistakes, so `list`, `lint` and `check` exit 1 (errors found);
// this script fails only when a command crashes or is used wrongly (exit code 2 or a signal).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const workspace = resolve(root, 'examples/demo-workspace');
const steps = [
  ['list', workspace, '--no-user'],
  ['lint', workspace],
  ['check', workspace, '--no-user', '--timeout', '15000'],
];
let failed = false;
for (const args of steps) {
  console.log(`\n$ mcp-doctor ${args.map((a) => a.replace(root + '/', '')).join(' ')}`);
  const r = spawnSync(process.execPath, [resolve(root, 'dist/cli.js'), ...args], { stdio: 'inherit', cwd: root });
  console.log(`(exit code ${r.status ?? r.signal})`);
  if (r.status === null || r.status >= 2) failed = true;
}
process.exitCode = failed ? 1 : 0;
