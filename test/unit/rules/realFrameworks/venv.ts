import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file is test/unit/rules/realFrameworks/venv.ts). */
export const REPO = path.resolve(__dirname, '../../../..');

/**
 * The project-local Python with real fastmcp 4 and mcp 2 (`.venv`, made by `.ci/python/setup.sh`).
 * Throws with the command to run when it is missing: these tests never fall back to a fake.
 */
function venvPython(): string {
  const bin =
    process.platform === 'win32'
      ? path.join(REPO, '.venv', 'Scripts', 'python.exe')
      : path.join(REPO, '.venv', 'bin', 'python');
  if (!existsSync(bin))
    throw new Error(
      `No project Python at ${bin}: run \`bash .ci/python/setup.sh\` (real fastmcp 4 / mcp 2 from the local index).`,
    );
  return bin;
}

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
