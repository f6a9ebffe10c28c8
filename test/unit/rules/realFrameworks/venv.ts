import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { venvPython } from '../../../python';

/** The repository root (this file is test/unit/rules/realFrameworks/venv.ts). */
export const REPO = path.resolve(__dirname, '../../../..');

/** Runs a Python file (or `-c` code) with the project Python; returns exit code and output. */
export function runPython(args: string[], cwd = REPO): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(venvPython(), args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Runs a Node ES module (text) from the repository root, so it imports the installed npm SDKs. */
export function runNode(code: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
