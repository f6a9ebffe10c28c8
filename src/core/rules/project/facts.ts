import type { ProjectContext } from '../types';
import { isBelow, lowerBound, provenVersion, rangeAdmitsAtLeast } from './versions';

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
/** @modelcontextprotocol/server 2.x depends on zod ^4.2.0 and converts schemas with it. */
export const SERVER_V2_ZOD_MIN = '4.2.0';

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

/**
 * `engines.node` of `@modelcontextprotocol/sdk` releases, as the npm registry lists them
 * (`npm view @modelcontextprotocol/sdk@<version> engines`, read 2026-12-07 for 0.4.0 … 1.32.2):
 * 0.4.0 – 1.0.4 declare no `engines` at all; every release from 1.1.0 declares `">=18"`. The v2
 * packages (`@modelcontextprotocol/server`, `/client`) declare `">=20"`.
 */
export const SDK_NODE_ENGINES = { since: '1.1.0', node: FLOORS.nodeV1, source: 'npm registry engines' } as const;

/** The Node floor of the project's Node MCP package, and how far it is proven. */
export interface NodeFloor {
  name: string;
  floor: string;
  /**
   * `proven`: the resolved version (lockfile, installed package, exact pin), or every release the
   * declared range admits, declares the floor. `admitted`: the range admits releases with and
   * without it (a fresh install resolves the newest, which has it).
   */
  certainty: 'proven' | 'admitted';
  /** For messages: `@modelcontextprotocol/sdk 1.11.0 (package-lock.json)`, `… ^1.0.0 admits 1.1.0+`. */
  evidence: string;
}

/**
 * The Node MCP package the project depends on, with the Node floor its resolved version declares,
 * or undefined when the version it resolves to declares none (SDK 0.x, 1.0.x).
 */
export function nodeMcpPackage(ctx: ProjectContext): NodeFloor | undefined {
  for (const name of TS_V2_PACKAGES)
    if (ctx.packages.has(name)) return { name, floor: FLOORS.nodeV2, certainty: 'proven', evidence: name };
  const sdk = '@modelcontextprotocol/sdk';
  if (ctx.packages.has(sdk)) {
    const source = ctx.packageSources.get(sdk) ?? 'package.json';
    const exact = provenVersion(ctx, sdk);
    if (exact) {
      if (isBelow(exact, SDK_NODE_ENGINES.since)) return undefined;
      return { name: sdk, floor: SDK_NODE_ENGINES.node, certainty: 'proven', evidence: `${sdk} ${exact} (${source})` };
    }
    const range = ctx.packages.get(sdk)!;
    const admitsNewer = rangeAdmitsAtLeast(range, SDK_NODE_ENGINES.since);
    if (admitsNewer === false) return undefined;
    const low = lowerBound(range);
    if (low && !isBelow(low, SDK_NODE_ENGINES.since))
      return {
        name: sdk,
        floor: SDK_NODE_ENGINES.node,
        certainty: 'proven',
        evidence: `every ${sdk} release that "${range}" (${source}) admits`,
      };
    return {
      name: sdk,
      floor: SDK_NODE_ENGINES.node,
      certainty: 'admitted',
      evidence: `${sdk} "${range}" (${source}) admits ${SDK_NODE_ENGINES.since} and later`,
    };
  }
  // punkpeye fastmcp declares no engines of its own; it depends on SDK ^1.x (floor 18).
  const fastmcp = ctx.packageSources.get('fastmcp');
  if (fastmcp && /package|pnpm/.test(fastmcp))
    return {
      name: 'fastmcp',
      floor: FLOORS.nodeV1,
      certainty: 'proven',
      evidence: 'fastmcp (depends on @modelcontextprotocol/sdk ^1)',
    };
  return undefined;
}
