import type { ManagedProcess } from '../process/managedProcess';
import { probeMcpPaths } from '../runtime/probeHttp';
import { hostPortOf, waitForPort } from '../runtime/waitForPort';
import { rowLine } from '../auth/authLog';
import { signInRequired } from './authDiagnosis';
import type { ConnectionOptions, PreparedAuth } from './connectionTypes';
import { observeFetch, type HttpObserverListener } from './httpObserver';
import { HttpTraceListener } from './httpTrace';
import {
  diagnoseHttpConnect,
  type Keyed,
  initAnswerIsTheProblem,
  initializeRejected,
  isDroppedConnection,
  notListening,
  protocolVersionFinding,
  sessionLost,
  type HttpConnectEvidence,
  type Subject,
  type Verdict,
} from './diagnosis';
import {
  errorText,
  httpStatusOf,
  isEraUnavailable,
  isTimeout,
  LATEST_PROTOCOL_VERSION,
  sseTransport,
  streamableHttpTransport,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Client,
  type EraPreference,
  type FetchLike,
  type Transport,
} from './sdk';
import { eraUnavailable, noCommonVersion } from './eraDiagnosis';
import { startDeadline } from './pausableTimeout';
import { TappedTransport, type WireTap } from './transports';

/** What attaching over HTTP needs of the connection that owns it. */
export interface HttpAttachContext {
  subject: Subject;
  opts: ConnectionOptions;
  closing(): boolean;
  newClient(era: EraPreference): Client;
  wireTap(): WireTap;
  lifecycle(text: string): void;
  /** The `initialize` answer, when one arrived. */
  initResponse(): Record<string, unknown> | undefined;
  /** The verdict when the process that should serve the URL exited. */
  processFailed(proc: ManagedProcess): Promise<Verdict>;
  /** A finding about a connection that worked (sign-in warnings). */
  finding?(k: Keyed): void;
}

export type HttpAttachResult =
  { client: Client; transport: Transport; kind: 'http' | 'sse'; fetch: FetchLike } | { verdict: Verdict };

const STOPPED: HttpAttachResult = { verdict: { findings: [], reason: 'stopped' } };

/**
 * Connects over Streamable HTTP (in the era asked for), falling back to legacy SSE after a 4xx
 * like VS Code does, except after a 401, which asks for credentials. For a server started by
 * command, waits until it listens first. The first failure decides the verdict: a failed SSE
 * fallback is mentioned, never put in its place.
 */
export async function attachHttp(
  ctx: HttpAttachContext,
  url: string,
  proc?: ManagedProcess,
): Promise<HttpAttachResult> {
  const { subject, opts } = ctx;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { verdict: diagnoseHttpConnect(subject, evidence(ctx, url, 'http', 'Invalid URL')) };
  }
  if (proc) {
    // A server started by command that serves HTTP: wait until it listens.
    const hp = hostPortOf(url)!;
    // The wait is polled, so a held pause just keeps it waiting (the deadline keeps the time).
    const deadline = startDeadline(opts.startupTimeoutMs, opts.pause);
    const listening = await waitForPort(
      hp.host,
      hp.port,
      deadline.sdkTimeout,
      () => !proc.running || ctx.closing() || deadline.expired,
    ).finally(() => deadline.dispose());
    if (ctx.closing()) return STOPPED;
    if (!listening) {
      if (!proc.running) return { verdict: await ctx.processFailed(proc) };
      void proc.stop(opts.stopGraceMs);
      return { verdict: notListening(subject, hp.host, hp.port, opts.startupTimeoutMs, proc.stderrTail) };
    }
  }
  const headers = { ...(opts.server.headers ?? {}) };
  // Every HTTP exchange goes through one observed fetch: the trace and the sign-in debugger see it.
  const httpTrace = new HttpTraceListener(opts.trace);
  const listeners: HttpObserverListener[] = [httpTrace];
  const base: FetchLike = opts.fetch ?? ((u, init) => fetch(u, init));
  let auth: PreparedAuth | undefined;
  if (opts.auth) {
    auth = await opts.auth.prepare(url, ctx.lifecycle, observeFetch(base, listeners), (row) =>
      opts.trace.auth?.(rowLine(row), row.ts),
    );
    listeners.push(auth.listener);
    httpTrace.useSecrets(auth.known);
  }
  const observed = observeFetch(base, listeners);
  const attempt = async (
    kind: 'http' | 'sse',
  ): Promise<
    Exclude<HttpAttachResult, { verdict: Verdict }> | { error: unknown; sessionId?: string; transport: Transport }
  > => {
    const inner =
      kind === 'http'
        ? streamableHttpTransport(parsed, {
            headers,
            fetch: observed,
            authProvider: auth?.provider,
            skipIssuerMetadataValidation: auth?.lenientIssuer(),
          })
        : sseTransport(parsed, { headers, fetch: observed });
    // SSE is a 2025-era transport: no era probe on it.
    const client = ctx.newClient(kind === 'sse' ? '2025' : opts.era);
    const deadline = startDeadline(opts.startupTimeoutMs, opts.pause);
    try {
      await Promise.race([
        client.connect(new TappedTransport(inner, ctx.wireTap()), {
          timeout: deadline.sdkTimeout,
          signal: deadline.signal,
        }),
        deadline.expiry,
      ]);
      return { client, transport: inner, kind, fetch: observed };
    } catch (error) {
      return { error, sessionId: inner.sessionId, transport: inner };
    } finally {
      deadline.dispose();
    }
  };
  const first: 'http' | 'sse' = opts.server.transport === 'sse' ? 'sse' : 'http';
  let r = await attempt(first);
  // Sign-in: the SDK started it (discovery, registration, the authorization URL); finish it and connect again.
  for (let round = 0; opts.auth && first === 'http' && 'error' in r && !ctx.closing(); round++) {
    if (!(await opts.auth.recover(r.error, r.transport, round))) break;
    r = await attempt('http');
  }
  if (ctx.closing()) return STOPPED;
  if ('client' in r) {
    if (opts.auth) for (const k of opts.auth.findings(subject)) ctx.finding?.(k);
    return r;
  }
  const status = httpStatusOf(r.error);
  if (first === 'http' && status === 404 && r.sessionId && ctx.initResponse()) {
    // It answered `initialize` with a session id, then lost that session.
    if (proc) await proc.stop(opts.stopGraceMs);
    return {
      verdict: {
        findings: [sessionLost(subject, r.sessionId, 'notifications/initialized', errorText(r.error))],
        reason: 'the server lost the session (HTTP 404)',
      },
    };
  }
  let fallback: HttpConnectEvidence['fallback'];
  if (opts.auth && first === 'http') {
    // The sign-in started (a 401 was answered): its findings explain the failure, whatever the status.
    const findings = opts.auth.findings(subject, r.error);
    if (findings.some(([, f]) => f.severity === 'error')) {
      if (proc) await proc.stop(opts.stopGraceMs);
      return { verdict: { findings, reason: `sign-in failed: ${findings[0][1].message.split('. ')[0]}` } };
    }
  }
  if (first === 'http' && status !== undefined && status >= 400 && status < 500 && status !== 401) {
    // Like VS Code: a 4xx to the initial POST means "maybe a legacy SSE server".
    ctx.lifecycle(`Streamable HTTP answered ${status}; falling back to SSE`);
    const r2 = await attempt('sse');
    if (ctx.closing()) return STOPPED;
    if ('client' in r2) return r2;
    fallback = { status: httpStatusOf(r2.error), message: errorText(r2.error) };
  }
  const verdict = await failed(ctx, r.error, url, first, fallback, proc, httpTrace.lastChallenge);
  if (proc) await proc.stop(opts.stopGraceMs);
  return { verdict };
}

function evidence(ctx: HttpAttachContext, url: string, used: 'http' | 'sse', message: string): HttpConnectEvidence {
  return {
    url,
    used,
    message,
    timedOut: false,
    dropped: false,
    startupTimeoutMs: ctx.opts.startupTimeoutMs,
    elsewhere: [],
  };
}

async function failed(
  ctx: HttpAttachContext,
  err: unknown,
  url: string,
  used: 'http' | 'sse',
  fallback: HttpConnectEvidence['fallback'],
  proc?: ManagedProcess,
  challenge?: string,
): Promise<Verdict> {
  const message = errorText(err);
  if (proc && !proc.running && proc.exitInfo) return ctx.processFailed(proc);
  if (isEraUnavailable(err)) {
    const reason = errorText(err);
    const era = used === 'sse' ? '2025' : ctx.opts.era;
    return {
      findings: [era === 'auto' ? noCommonVersion(ctx.subject, reason) : eraUnavailable(ctx.subject, era, reason)],
      reason,
    };
  }
  const init = ctx.initResponse();
  if (init && initAnswerIsTheProblem(init, message, SUPPORTED_PROTOCOL_VERSIONS))
    return {
      findings: [
        protocolVersionFinding(ctx.subject, init, message, {
          requested: LATEST_PROTOCOL_VERSION,
          supported: SUPPORTED_PROTOCOL_VERSIONS,
        }),
      ],
      reason: message,
    };
  if (init && 'error' in init) return initializeRejected(ctx.subject, init.error);
  const status = httpStatusOf(err);
  if (status === 401 && used === 'http') {
    const headers = Object.keys(ctx.opts.server.headers ?? {}).map((h) => h.toLowerCase());
    const finding = signInRequired(ctx.subject, url, challenge, message, headers.includes('authorization'));
    return { findings: [finding], reason: 'HTTP 401: sign-in required' };
  }
  const elsewhere = status === 404 || status === 405 ? await probeMcpPaths(url, ctx.opts.server.headers ?? {}) : [];
  return diagnoseHttpConnect(ctx.subject, {
    ...evidence(ctx, url, used, message),
    status,
    fallback,
    timedOut: isTimeout(err),
    dropped: isDroppedConnection(message),
    elsewhere,
  });
}
