/**
 * `fastmcp.json` (FastMCP's project file) read next to the project's source and manifests:
 * MCP608, an entrypoint that `fastmcp run` cannot run (the object is a low-level
 * `mcp.server.Server`, or the file does not define it); MCP609, a project whose declared Python
 * dependencies do not include fastmcp although `fastmcp run` is how this file is used.
 *
 * MCP608 needs the entry file's module-level bindings, which the project model holds once that
 * file has been analyzed: the hit carries the target (`data.fastmcpEntry`) and the cross-file pass
 * decides (see `fastmcpEntryHit` in crossFile.ts).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';
import type { ProjectContext, RuleHit } from '../types';
import { LineIndex } from './text';

/** What a fastmcp.json names as its server: the file, the object, and where it says so. */
interface Entrypoint {
  file: string;
  object?: string;
  node: Node;
  /** The legacy top-level `"entrypoint": "file.py:obj"` with no `source`, which fastmcp 4 rejects. */
  legacy: boolean;
}

export function fastmcpJsonRules(file: string, text: string, ctx: ProjectContext): RuleHit[] {
  const root = parseTree(text);
  if (root?.type !== 'object') return [];
  const lines = new LineIndex(text);
  const range = (n: Node) => lines.range(n.offset, n.offset + n.length);
  const out: RuleHit[] = [];
  const entry = entrypointOf(root, dirname(file));
  // No object named: fastmcp looks for a server instance called mcp, server or app (checked below).
  if (entry && (entry.object === undefined || /^[A-Za-z_]\w*$/.test(entry.object)))
    out.push({
      ruleId: 'MCP608',
      range: range(entry.node),
      message: '',
      data: { fastmcpEntry: { file: entry.file, object: entry.object ?? null, legacy: entry.legacy } },
    });
  const missing = undeclaredFastmcp(root, dirname(file), ctx);
  if (missing && entry)
    out.push({
      ruleId: 'MCP609',
      range: range(entry.node),
      message: `${basename(file)} is run with \`fastmcp run\`, but ${missing} does not declare fastmcp and the file sets no "environment" for fastmcp to build: an environment installed from ${missing} has no \`fastmcp\` command ("fastmcp: command not found"), and the server cannot be started from it. Add fastmcp to ${missing} (or list your dependencies under "environment": { "dependencies": [...] } so \`fastmcp run\` builds the environment with uv).`,
      data: { manifest: missing },
    });
  return out;
}

function entrypointOf(root: Node, dir: string): Entrypoint | undefined {
  const source = findNodeAtLocation(root, ['source']);
  let pathNode: Node | undefined;
  let objNode: Node | undefined;
  let legacy = false;
  if (source?.type === 'object') {
    pathNode = findNodeAtLocation(source, ['path']);
    objNode = findNodeAtLocation(source, ['entrypoint']);
  } else if (!source) {
    pathNode = findNodeAtLocation(root, ['entrypoint']);
    legacy = true;
  }
  if (pathNode?.type !== 'string' || typeof pathNode.value !== 'string') return undefined;
  let filePart: string = pathNode.value;
  let object: string | undefined;
  // `file.py:obj` (not a Windows drive `C:\...`).
  const colon = filePart.lastIndexOf(':');
  if (colon > 1) {
    object = filePart.slice(colon + 1);
    filePart = filePart.slice(0, colon);
  }
  if (objNode?.type === 'string' && typeof objNode.value === 'string') object = objNode.value;
  if (!filePart.endsWith('.py')) return undefined;
  return {
    file: isAbsolute(filePart) ? filePart : join(dir, filePart),
    object,
    node: objNode?.type === 'string' ? objNode : pathNode,
    legacy,
  };
}

/**
 * The project's Python manifest next to fastmcp.json that does not mention fastmcp, when the
 * file sets no environment (with one, `fastmcp run` builds the environment with uv and adds
 * fastmcp itself) and no lockfile or installed package provides it.
 */
function undeclaredFastmcp(root: Node, dir: string, ctx: ProjectContext): string | undefined {
  // fastmcp 4: any of these makes `fastmcp run` build a uv environment that always adds fastmcp.
  const env = findNodeAtLocation(root, ['environment']);
  if (
    env &&
    ['python', 'dependencies', 'requirements', 'project', 'editable'].some((k) => findNodeAtLocation(env, [k]))
  )
    return undefined;
  if (ctx.packages.has('fastmcp')) return undefined;
  const manifests = (ctx.files ?? []).filter(
    (f) => dirname(f) === dir && (/^requirements.*\.txt$/i.test(basename(f)) || basename(f) === 'pyproject.toml'),
  );
  if (!manifests.length) return undefined;
  for (const m of manifests) {
    let text: string;
    try {
      text = readFileSync(m, 'utf8');
    } catch {
      return undefined;
    }
    // Any mention (an extra, a dependency group, `-r` of another file) counts as declared.
    if (text.includes('fastmcp') || text.split('\n').some((l) => /^[ \t]*-[rc][ \t]/.test(l))) return undefined;
  }
  const main = manifests.find((m) => basename(m) === 'requirements.txt') ?? manifests[0]!;
  return basename(main);
}
