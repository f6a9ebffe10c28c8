import type { Finding } from '../model';

/**
 * The one state of a session. `starting` walks through `connecting` (spawn, handshake or
 * `server/discover`) and `listing`; `stopping` lasts until the process tree is gone.
 */
export type SessionState =
  | { kind: 'stopped'; exitCode?: number | null; signal?: string | null }
  | { kind: 'starting'; since: number; step: 'connecting' | 'listing' }
  | {
      kind: 'running';
      initializeMs: number;
      protocolVersion: string;
      /** The protocol era spoken: 2025 (`initialize`, sessions) or 2026 (stateless, `server/discover`). */
      era: '2025' | '2026';
      transport: 'stdio' | 'http' | 'sse';
      /** Streamable HTTP: the server keeps a session (`Mcp-Session-Id`). */
      httpSession?: boolean;
      serverName?: string;
      serverVersion?: string;
    }
  | { kind: 'stopping' }
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
