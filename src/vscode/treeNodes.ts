import type { ConfigFileResult, ServerConfig } from '../core/config/types';
import type { Finding } from '../core/model';
import type { PromptInfo, ResourceInfo, ResourceTemplateInfo, ToolInfo } from '../core/session/types';

/** Which list of a live session a group node shows. */
export type GroupKind = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

/**
 * The elements of the Servers tree (tree area). Commands of other areas receive these as their
 * first argument when invoked from the tree, so every node that a command acts on carries its
 * server id: this module is the contract between the tree and those commands.
 */
export type TreeNode =
  | { kind: 'file'; file: ConfigFileResult }
  | { kind: 'server'; server: ServerConfig }
  | { kind: 'problems'; server: ServerConfig; findings: Finding[] }
  | { kind: 'problem'; server: ServerConfig; finding: Finding; index: number }
  | { kind: 'group'; server: ServerConfig; group: GroupKind }
  | { kind: 'tool'; serverId: string; serverName: string; tool: ToolInfo }
  | { kind: 'resource'; serverId: string; serverName: string; resource: ResourceInfo }
  | { kind: 'resourceTemplate'; serverId: string; serverName: string; template: ResourceTemplateInfo }
  | { kind: 'prompt'; serverId: string; serverName: string; prompt: PromptInfo };

/** True for values that look like one of our tree nodes (command arguments come untyped). */
export function isTreeNode(value: unknown): value is TreeNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    ['file', 'server', 'problems', 'problem', 'group', 'tool', 'resource', 'resourceTemplate', 'prompt'].includes(
      (value as { kind: string }).kind,
    )
  );
}
