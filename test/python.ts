import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The repository root. */
const REPO = path.resolve(__dirname, '..');

/**
 * The project-local Python with real fastmcp 4, mcp 2 and debugpy (`.venv`, made by
 * `.ci/python/setup.sh`). Throws with the command to run when it is missing: tests that need the
 * real frameworks never fall back to a fake.
 */
export function venvPython(): string {
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
