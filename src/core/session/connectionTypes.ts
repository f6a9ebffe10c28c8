/** The contract between a session and one connection: its options, events and results. */
import type { AuthRow } from '../auth/authLog';
import type { KnownSecrets } from '../auth/mask';
import type { ServerConfig } from '../config/types';
import type { ManagedProcess } from '../process/managedProcess';
import type { TraceSink } from '../trace/types';
import type { Keyed, Subject, Verdict } from './diagnosis';
import type { HttpObserverListener } from './httpObserver';
import type { TimeoutPause } from './timeoutPause';
import type { Client, ClientCapabilities, EraPreference, FetchLike, OAuthClientProvider, Transport } from './sdk';

/** What one connection needs; everything is resolved by the session before it starts. */
export interface ConnectionOptions {
  server: ServerConfig;
  trace: TraceSink;
  startupTimeoutMs: number;
  requestTimeoutMs: number;
  stopGraceMs: number;
  baseEnv?: Record<string, string | undefined>;
  workspaceFolder?: string;
  clientInfo: { name: string; version: string };
  capabilities: ClientCapabilities;
  era: EraPreference;
  healthIntervalMs: number;
  maxLineBytes: number;
  /** A fetch for every HTTP exchange (tracing, authorization); the global fetch by default. */
  fetch?: FetchLike;
  /** While held (a debugger attaching, or the debuggee stopped), startup and call timeouts do not count down. */
  pause?: TimeoutPause;
  /** Signs in to OAuth-protected HTTP servers (without it, a 401 is reported as "sign-in required"). */
  auth?: ConnectionAuth;
}

/** What a connection needs of the sign-in (`SignIn` in `src/core/auth`). */
export interface ConnectionAuth {
  /** Before connecting to `url`: the SDK provider for the transport and a listener for its fetch. */
  prepare(
    url: string,
    notify: (text: string) => void,
    fetch: FetchLike,
    onRow: (row: AuthRow) => void,
  ): Promise<PreparedAuth>;
  /**
   * After the SDK threw: finishes a sign-in the SDK started (takes the user through the
   * authorization URL, exchanges the code on `transport`). True when the caller should retry.
   * `round` counts the sign-ins already made for the same operation (the step-up limit).
   */
  recover(err: unknown, transport: Transport, round: number): Promise<boolean>;
  /** Findings about the sign-in: why it failed (given the final error), or warnings after success. */
  findings(subject: Subject, err?: unknown): Keyed[];
}

export interface PreparedAuth {
  provider: OAuthClientProvider;
  listener: HttpObserverListener;
  /** Tokens, codes and secrets of this sign-in, masked wherever HTTP exchanges are shown. */
  known: KnownSecrets;
  /** True once the sign-in accepted metadata whose issuer differs from its URL (2025-03-26 discovery). */
  lenientIssuer(): boolean;
}

/**
 * For the terminal. `log` is a `notifications/message` from the server (MCP logging), with its
 * `level` (debug, info, notice, warning, error, critical, alert, emergency).
 */
export type OutputEvent = {
  kind: 'stderr' | 'stdout-noise' | 'lifecycle' | 'log';
  text: string;
  ts: number;
  level?: string;
};

/** What a connection reports to its session while it lives. */
export interface ConnectionEvents {
  output(e: OutputEvent): void;
  /** A finding to set (or update) on the session. */
  finding(k: Keyed): void;
  /** A stdout line that is not JSON (stdio pollution). */
  noise(line: string): void;
  /** A JSON-looking stdout line that is not a JSON-RPC 2.0 message. */
  invalid(line: string, reason: string): void;
  /** The connection is gone after it was open (crash, stdout closed, session lost). */
  lost(verdict: Verdict): void;
  /** A notification from the server, after MCP Doctor's own handling of logging. */
  notification(method: string, params: unknown): void;
  /** A process health sample was taken (memory growth is judged by the session). */
  sampled(proc: ManagedProcess): void;
  /** The client is created and not yet connected: the place to register request handlers. */
  clientCreated?(client: Client): void;
}

export interface ConnectedInfo {
  initializeMs: number;
  protocolVersion: string;
  era: '2025' | '2026';
  transport: 'stdio' | 'http' | 'sse';
  /** Streamable HTTP: the server issued an `Mcp-Session-Id` (a stateful server). */
  httpSession?: boolean;
  serverName?: string;
  serverVersion?: string;
  capabilities: Record<string, unknown>;
  /** Era negotiation notes for the era findings: `exits-on-discover`. */
  notes: string[];
}

export type OpenResult = { ok: true; info: ConnectedInfo } | { ok: false; verdict: Verdict };

export interface RequestOptions {
  /** `tools/call`: the tool's input schema, for the 2026-07-28 `Mcp-Param-*` headers. */
  inputSchema?: Record<string, unknown>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?(p: { progress: number; total?: number; message?: string }): void;
}

/** How a request ended. Never thrown: every failure is described. */
export interface RequestOutcome {
  ok: boolean;
  result?: unknown;
  error?: { code?: number; message: string; data?: unknown };
  durationMs: number;
  cancelled?: boolean;
  timedOut?: boolean;
}
