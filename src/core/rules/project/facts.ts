import type { ProjectContext } from '../types';

/** npm packages of the official TypeScript SDK v2 line, which need Node 20. */
export const TS_V2_PACKAGES = [
  '@modelcontextprotocol/server',
  '@modelcontextprotocol/client',
  '@modelcontextprotocol/node',
  '@modelcontextprotocol/express',
  '@modelcontextprotocol/hono',
  '@modelcontextprotocol/core',
];

/** Minimum runtimes of the MCP SDKs (catalogue MCP601). */
export const FLOORS = { python: '3.10', nodeV1: '18', nodeV2: '20' } as const;

/** The first zod-4-capable release of the TypeScript SDK (catalogue MCP206). */
export const SDK_ZOD4_MIN = '1.23.0';

/** The Python MCP framework the project depends on, if any. */
export function pythonMcpPackage(ctx: ProjectContext): 'mcp' | 'fastmcp' | undefined {
  if (
    ctx.packages.has('fastmcp') &&
    ctx.packageSources.get('fastmcp') !== 'package.json' &&
    ctx.packageSources.get('fastmcp') !== 'package-lock.json' &&
    ctx.packageSources.get('fastmcp') !== 'pnpm-lock.yaml'
  )
    return 'fastmcp';
  if (ctx.packages.has('mcp')) return 'mcp';
  return undefined;
}

/** The Node MCP package the project depends on, with the Node floor it needs. */
export function nodeMcpPackage(ctx: ProjectContext): { name: string; floor: string } | undefined {
  for (const name of TS_V2_PACKAGES) if (ctx.packages.has(name)) return { name, floor: FLOORS.nodeV2 };
  if (ctx.packages.has('@modelcontextprotocol/sdk')) return { name: '@modelcontextprotocol/sdk', floor: FLOORS.nodeV1 };
  const fastmcp = ctx.packageSources.get('fastmcp');
  if (fastmcp && /package|pnpm/.test(fastmcp)) return { name: 'fastmcp', floor: FLOORS.nodeV1 };
  return undefined;
}
