import type * as ts from 'typescript';

let cached: typeof ts | undefined;

/**
 * The TypeScript compiler, loaded on first use. It is external in the esbuild bundle and large,
 * so nothing may import it at module top level: activation stays fast for Python-only workspaces.
 */
export function loadTypeScript(): typeof ts {
  if (!cached) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('typescript') as typeof ts;
  }
  return cached;
}
