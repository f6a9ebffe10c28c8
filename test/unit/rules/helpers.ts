import * as path from 'node:path';
import { emptyContext } from '../../../src/core/rules/project';
import type { ProjectContext } from '../../../src/core/rules/types';

/** Folder of the project-file fixtures. */
export const PROJECT_FIXTURES = path.resolve(__dirname, '../../fixtures/rules/project');

/** A project context with the given installed packages (name → version), for rule tests. */
export function contextWith(packages: Record<string, string>, extra: Partial<ProjectContext> = {}): ProjectContext {
  const ctx = emptyContext('/tmp/project');
  for (const [name, version] of Object.entries(packages)) {
    ctx.packages.set(name, version);
    ctx.packageSources.set(name, name.startsWith('@') || name === 'zod' ? 'package-lock.json' : 'uv.lock');
  }
  return { ...ctx, ...extra };
}

/** 1-based line of a 0-based range start, for readable assertions. */
export function line(hit: { range: { start: { line: number } } }): number {
  return hit.range.start.line + 1;
}
