import type { Finding } from '../model';

/** What the UI shows about one server's session. */
export type SessionState =
  | { kind: 'stopped'; exitCode?: number | null; signal?: string | null }
  | { kind: 'starting'; since: number }
  | { kind: 'running'; initializeMs: number; protocolVersion: string; serverName?: string; serverVersion?: string }
  | { kind: 'error'; reason: string };

export interface ToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface ResourceInfo {
  uri: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface ResourceTemplateInfo {
  uriTemplate: string;
  name: string;
  description?: string;
  mimeType?: string;
}

export interface PromptInfo {
  name: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
}

/** Per-tool call statistics of one session (latency in ms). */
export interface ToolStats {
  calls: number;
  errors: number;
  p50: number;
  p95: number;
  max: number;
}

/** Read-only view of a live session, as the tree, code lenses and reports see it. */
export interface SessionView {
  serverId: string;
  serverName: string;
  state: SessionState;
  tools: ToolInfo[];
  resources: ResourceInfo[];
  resourceTemplates: ResourceTemplateInfo[];
  prompts: PromptInfo[];
  findings: Finding[];
  /** Last lines of stderr, newest last. */
  stderrTail: string[];
  toolStats: Map<string, ToolStats>;
  pid?: number;
}
