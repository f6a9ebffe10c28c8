import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { RuleHit, ProjectContext } from '../types';
import { nodeMcpPackage, SDK_NODE_ENGINES, SDK_ZOD4_MIN, SERVER_V2_ZOD_MIN, TS_V2_PACKAGES } from './facts';
import { LineIndex } from './text';
import { isBelow, lowerBound, majorOf, provenVersion } from './versions';

/**
 * Rules on `package.json`: MCP601 (engines.node below the SDK floor) and MCP206 (zod version
 * incompatible with the installed SDK). Versions come from the project context, which prefers
 * the lockfile over the ranges declared here.
 */
export function packageJsonRules(file: string, text: string, ctx: ProjectContext): RuleHit[] {
  const root = parseTree(text);
  if (!root || root.type !== 'object') return [];
  const lines = new LineIndex(text);
  const hits: RuleHit[] = [];
  const dep = (name: string): Node | undefined => {
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const node = findNodeAtLocation(root, [field, name]);
      if (node?.type === 'string') return node;
    }
    return undefined;
  };
  const replace = (node: Node, value: string) => ({
    file,
    range: lines.range(node.offset, node.offset + node.length),
    newText: JSON.stringify(value),
  });

  // MCP601: engines.node allows a Node below what the resolved SDK version declares.
  const engines = findNodeAtLocation(root, ['engines', 'node']);
  const sdkName =
    TS_V2_PACKAGES.find((n) => dep(n)) ??
    (dep('@modelcontextprotocol/sdk') ? '@modelcontextprotocol/sdk' : dep('fastmcp') ? 'fastmcp' : undefined);
  const need =
    sdkName &&
    nodeMcpPackage(
      ctx.packages.has(sdkName)
        ? ctx
        : {
            ...ctx,
            packages: new Map([[sdkName, dep(sdkName)!.value as string]]),
            packageSources: new Map([[sdkName, 'package.json']]),
          },
    );
  if (engines?.type === 'string' && need) {
    const floor = need.floor;
    const min = lowerBound(engines.value);
    if (min && isBelow(min, floor)) {
      const proven = need.certainty === 'proven';
      hits.push({
        ruleId: 'MCP601',
        range: lines.range(engines.offset, engines.offset + engines.length),
        message: proven
          ? `engines.node "${engines.value}" allows Node ${min}, but ${need.evidence} declares engines.node ">=${floor}": below it npm warns (EBADENGINE, or refuses with engine-strict) and the SDK relies on Node ${floor} APIs, so the server can fail at startup. Set engines.node to ">=${floor}".`
          : `engines.node "${engines.value}" allows Node ${min}, but ${need.evidence}, which declare engines.node ">=${floor}" (a fresh install resolves the newest). Pin the SDK below ${SDK_NODE_ENGINES.since} or set engines.node to ">=${floor}".`,
        fixes: [{ title: `Require Node >=${floor}`, edits: [replace(engines, `>=${floor}`)], preferred: true }],
        data: { runtime: 'node', declared: engines.value, floor, package: need.name },
        ...(proven ? {} : { severity: 'warning' as const }),
      });
    }
  }

  // MCP206: zod 4 with an SDK built for zod 3, or two zod copies. The SDK's version must be
  // resolved (lockfile, installed, exact pin): a range installs its newest match, and every 1.x
  // range admits 1.23+ (zod 4 support: `npm view @modelcontextprotocol/sdk@1.23.0 dependencies.zod`
  // is "^3.25 || ^4.0"). The engine drops the finding when no source of the project imports the SDK
  // (`data.needsImport`: a punkpeye fastmcp server converts schemas itself).
  const sdkNode = dep('@modelcontextprotocol/sdk');
  const zodNode = dep('zod');
  const sdkVersion =
    provenVersion(ctx, '@modelcontextprotocol/sdk') ??
    (sdkNode && provenVersion({ packages: new Map([['sdk', String(sdkNode.value)]]) }, 'sdk'));
  const zodVersion = ctx.packages.get('zod') ?? (zodNode?.value as string | undefined);
  const sdkSource = ctx.packageSources.get('@modelcontextprotocol/sdk') ?? 'package.json';
  const zodSource = ctx.packageSources.get('zod') ?? 'package.json';
  if (sdkNode && zodVersion && majorOf(zodVersion) === 4) {
    if (sdkVersion && isBelow(sdkVersion, SDK_ZOD4_MIN)) {
      const at = zodNode ?? sdkNode;
      hits.push({
        ruleId: 'MCP206',
        range: lines.range(at.offset, at.offset + at.length),
        message: `zod ${zodVersion} (${zodSource}) is zod 4, but @modelcontextprotocol/sdk ${sdkVersion} (${sdkSource}) is built for zod 3: tool calls fail with "keyValidator._parse is not a function" and tools/list can break or publish empty schemas. Upgrade the SDK to ${SDK_ZOD4_MIN} or newer, or pin zod to ^3.25.`,
        fixes: [
          {
            title: `Upgrade @modelcontextprotocol/sdk to ^${SDK_ZOD4_MIN}`,
            edits: [replace(sdkNode, `^${SDK_ZOD4_MIN}`)],
            preferred: true,
          },
          ...(zodNode ? [{ title: 'Pin zod to ^3.25', edits: [replace(zodNode, '^3.25.0')] }] : []),
        ],
        data: { zod: zodVersion, sdk: sdkVersion, needsImport: '@modelcontextprotocol/sdk', needsSdkSchemas: true },
      });
    }
  }
  // @modelcontextprotocol/server 2.x converts schemas to JSON Schema with zod 4.2+ (its own
  // dependency): tools/list fails on a zod 3 schema ("Schema appears to be from zod 3, which the
  // SDK cannot convert") and on a raw shape of zod 3 fields registration throws. A 3.x range
  // installs 3.x, so the major of the range is evidence enough.
  const v2Node = dep('@modelcontextprotocol/server');
  const zodProven =
    provenVersion(ctx, 'zod') ??
    (zodNode && provenVersion({ packages: new Map([['zod', String(zodNode.value)]]) }, 'zod'));
  if (
    v2Node &&
    zodVersion &&
    (majorOf(zodVersion) === 3 || (zodProven !== undefined && isBelow(zodProven, SERVER_V2_ZOD_MIN)))
  ) {
    const at = zodNode ?? v2Node;
    hits.push({
      ruleId: 'MCP206',
      range: lines.range(at.offset, at.offset + at.length),
      message: `zod ${zodVersion} (${zodSource}) is older than ${SERVER_V2_ZOD_MIN}, which @modelcontextprotocol/server 2.x needs to turn tool schemas into JSON Schema: tools/list fails ("Schema appears to be from zod 3, which the SDK cannot convert to JSON Schema") and a raw shape of zod 3 fields throws at registration. Upgrade zod to ^${SERVER_V2_ZOD_MIN}.`,
      fixes: zodNode
        ? [
            {
              title: `Upgrade zod to ^${SERVER_V2_ZOD_MIN}`,
              edits: [replace(zodNode, `^${SERVER_V2_ZOD_MIN}`)],
              preferred: true,
            },
          ]
        : undefined,
      data: { zod: zodVersion, needsImport: '@modelcontextprotocol/server', needsSdkSchemas: true },
    });
  }
  const zodCopies = ctx.allVersions?.get('zod');
  const zodMajors = new Set((zodCopies ?? []).map((v) => majorOf(v)));
  if (sdkNode && zodCopies && zodMajors.size > 1) {
    const at = zodNode ?? sdkNode;
    hits.push({
      ruleId: 'MCP206',
      range: lines.range(at.offset, at.offset + at.length),
      message: `The lockfile resolves several zod versions (${zodCopies.join(', ')}); schemas built with one copy are not recognised by the other ("Type instantiation is excessively deep", "reading '_def'"). Add "overrides": { "zod": "<one version>" } and reinstall.`,
      downgrade: true,
      data: { zodVersions: zodCopies },
    });
  }
  // punkpeye fastmcp needs Standard Schema support (zod 3.24+).
  const fastmcpNode = dep('fastmcp');
  if (fastmcpNode && zodVersion && isBelow(lowerBound(zodVersion), '3.24.0')) {
    const at = zodNode ?? fastmcpNode;
    hits.push({
      ruleId: 'MCP206',
      range: lines.range(at.offset, at.offset + at.length),
      message: `fastmcp needs zod 3.24 or newer (Standard Schema support), but zod ${zodVersion} (${zodSource}) is used: addTool rejects the parameters ("must implement Standard Schema"). Upgrade zod to ^3.25.`,
      fixes: zodNode
        ? [{ title: 'Upgrade zod to ^3.25', edits: [replace(zodNode, '^3.25.0')], preferred: true }]
        : undefined,
      data: { zod: zodVersion },
    });
  }
  return hits;
}
