// Builds the extension package: a clean production build (no source maps, nothing stale in
// dist/), then `vsce package` with the marketplace README (MARKETPLACE.md, not the developers'
// README.md). Its pictures are files of the package (docs/images), so relative links are kept
// as they are: they resolve inside the installed extension, offline.
// Usage: node scripts/package.mjs   →   dist/mcp-doctor.vsix
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
rmSync(resolve(root, 'dist'), { recursive: true, force: true });
run(process.execPath, ['esbuild.mjs', '--production']);
run(resolve(root, 'node_modules/.bin/vsce'), [
  'package',
  '--no-dependencies',
  '--allow-missing-repository',
  '--readme-path',
  'MARKETPLACE.md',
  '--no-rewrite-relative-links',
  '--out',
  'dist/mcp-doctor.vsix',
]);
