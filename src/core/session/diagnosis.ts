/**
 * What went wrong, in words: pure functions from the evidence a session collected (exit
 * status, stderr, HTTP status, the `initialize` answer…) to findings with their fix. Nothing
 * here spawns, connects or reads files, so every case is table-tested in
 * `test/unit/session/diagnosis.test.ts`.
 */
import type { Finding, Range, Severity } from '../model';
import type { ExitInfo } from '../process/managedProcess';
import { crashHint, type ParsedTrace } from '../runtime/stackTraces';
import { detachedPrefix } from '../util/text';

/** The server a finding is about, and where its config entry is. */
export interface Subject {
  name: string;
  file: string;
  range: Range;
  url?: string;
}

export interface Location {
  file: string;
  range: Range;
}

/** A finding and the key that makes a repeated problem update it instead of adding another. */
export type Keyed = [key: string, finding: Finding];

/** What the tree and the terminal say when the session fails, with the findings that explain it. */
export interface Verdict {
  findings: Keyed[];
  reason: string;
}

export function runtimeFinding(
  subject: Subject,
  code: string,
  severity: Severity,
  message: string,
  loc?: Location,
  data?: Record<string, unknown>,
): Finding {
  return {
    code,
    severity,
    message,
    file: loc?.file ?? subject.file,
    range: loc?.range ?? subject.range,
    origin: 'runtime',
    server: subject.name,
    data,
  };
}

export function describeExit(e: ExitInfo): string {
  if (e.error) return `spawn error: ${e.error.message}`;
  if (e.signal) return `signal ${e.signal}`;
  return `code ${e.code}`;
}

export function truncate(s: string, n: number): string {
  // A copy: findings live as long as the session, and a slice would keep the whole text alive.
  return s.length > n ? detachedPrefix(s, n - 1, '…') : s;
}

/** The last stderr lines, as a sentence to append to a message. */
export function stderrSuffix(tail: readonly string[]): string {
  const last = tail.slice(-8);
  return last.length ? ` Last stderr lines:\n${last.join('\n')}` : ' The server wrote nothing to stderr.';
}

// ---------------------------------------------------------------- launch

const GUI_PATH_COMMANDS = /^(uvx?|npx|node|python3?|docker|deno|bun)$/;

export function commandNotFound(subject: Subject, command: string, searchedPath: string): Verdict {
  const hint = GUI_PATH_COMMANDS.test(command)
    ? ` (GUI-launched editors often have a shorter PATH than your shell: use the full path, e.g. from \`which ${command}\`)`
    : '';
  const message = `Command \`${command}\` not found on PATH (${pathSummary(searchedPath)}). Install it, or use an absolute path in \`command\`${hint}.`;
  return {
    findings: [
      ['MCP061', runtimeFinding(subject, 'MCP061', 'error', message, undefined, { command, path: searchedPath })],
    ],
    reason: `command \`${command}\` not found on PATH`,
  };
}

/**
 * A PATH as a short phrase: a PATH of a dozen folders pasted into a message buries the point.
 * The first folders are named (the whole PATH stays in the finding's data).
 */
function pathSummary(searchedPath: string): string {
  const dirs = searchedPath.split(searchedPath.includes(';') ? ';' : ':').filter(Boolean);
  if (dirs.length === 0) return 'PATH is empty';
  const shown = dirs.slice(0, 3).join(', ');
  return dirs.length <= 3
    ? `searched ${shown}`
    : `searched ${dirs.length} folders of PATH: ${shown} and ${dirs.length - 3} more`;
}

export function cwdMissing(subject: Subject, cwd: string): Verdict {
  const message = `The working directory \`${cwd}\` does not exist, so the server cannot start. Fix \`cwd\` in the config.`;
  return {
    findings: [['MCP063', runtimeFinding(subject, 'MCP063', 'error', message, undefined, { cwd })]],
    reason: `cwd ${cwd} does not exist`,
  };
}

export function envFileUnreadable(subject: Subject, file: string, error: string): Keyed {
  const message = `\`envFile\` ${file} could not be read (${error}); the server starts without its variables.`;
  return ['MCP064', runtimeFinding(subject, 'MCP064', 'warning', message)];
}

// ---------------------------------------------------------------- crashes and handshake

export interface CrashEvidence {
  exit: ExitInfo;
  /** "before answering `initialize`", "while running"… */
  when: string;
  stderrTail: readonly string[];
  /** The last traceback in stderr, and the workspace line it points at. */
  trace?: ParsedTrace;
  loc?: Location;
  stdoutBytesSeen: boolean;
}

export function crashFinding(subject: Subject, e: CrashEvidence): Finding {
  const { exit, trace, loc } = e;
  const hint = crashHint(trace?.exception ?? '', e.stderrTail);
  const noOutput = exit.code === 0 && !e.stdoutBytesSeen && !e.stderrTail.length;
  let msg = `The server process exited (${describeExit(exit)}) ${e.when}`;
  if (exit.error) msg = `The server process could not be started: ${exit.error.message}`;
  if (trace) msg += `: ${trace.exception}`;
  msg += '.';
  if (noOutput)
    msg +=
      ' It exited with code 0 and wrote nothing: it probably never starts a transport (missing `mcp.run()` / `server.connect(transport)` or `if __name__ == "__main__"` guard; MCP104).';
  if (hint) msg += ` ${hint}`;
  if (!loc) msg += stderrSuffix(e.stderrTail);
  const f = runtimeFinding(subject, 'MCP708', 'error', msg, loc, {
    exitCode: exit.code,
    signal: exit.signal,
    exception: trace?.exception,
    frames: trace?.frames.slice(-10),
    stderrTail: e.stderrTail.slice(-20),
  });
  if (loc)
    f.related = [
      { file: subject.file, range: subject.range, message: `server \`${subject.name}\` is configured here` },
    ];
  return f;
}

/** What the client asked for and supports, for protocol version findings. */
export interface VersionOffer {
  requested: string;
  supported: readonly string[];
}

/** The `initialize` answer (its `result`, or `{ error }`) is unusable: which version, and why. */
export function protocolVersionFinding(
  subject: Subject,
  init: Record<string, unknown>,
  sdkMessage: string,
  offer: VersionOffer,
): Keyed {
  const v = init.protocolVersion;
  const msg =
    'error' in init
      ? `The server rejected \`initialize\` with protocol version "${offer.requested}": ${truncate(JSON.stringify(init.error) ?? '', 300)}. Servers must answer with a version they support instead of an error; upgrade the server's MCP SDK.`
      : typeof v === 'string'
        ? `The server answered \`initialize\` with protocol version "${v}", which this client (MCP SDK) does not support (it asked for "${offer.requested}" and supports ${offer.supported.map((x) => `"${x}"`).join(', ')}). Clients disconnect with "Server's protocol version is not supported". Echo the requested version when you support it, or upgrade the server's MCP SDK.`
        : `The server's \`initialize\` result has no \`protocolVersion\` (SDK: ${sdkMessage}). Clients cannot negotiate a version and disconnect. Return the requested version ("${offer.requested}") or upgrade the server's MCP SDK.`;
  return [
    'MCP709',
    runtimeFinding(subject, 'MCP709', 'error', msg, undefined, {
      answered: v,
      requested: offer.requested,
      supported: [...offer.supported],
    }),
  ];
}

/** Whether the `initialize` answer explains a failed handshake (an error about, a missing or an unknown version). */
export function initAnswerIsTheProblem(
  init: Record<string, unknown> | undefined,
  message: string,
  supported: readonly string[],
): boolean {
  if (!init) return false;
  if ('error' in init) return /version/i.test(JSON.stringify(init.error) ?? '');
  const v = init.protocolVersion;
  return typeof v !== 'string' || !supported.includes(v) || /protocol version/i.test(message);
}

export interface HandshakeEvidence {
  /** The error the handshake ended with. */
  message: string;
  timedOut: boolean;
  startupTimeoutMs: number;
  /** The `initialize` answer, when one arrived. */
  init?: Record<string, unknown>;
  offer: VersionOffer;
  /** The process had exited by the time the failure was analysed. */
  crash?: CrashEvidence;
  noiseCount: number;
  stdoutBytesSeen: boolean;
  /** CPU seconds the server used while the client waited (undefined where /proc is unavailable). */
  cpuSeconds?: number;
  elapsedSeconds: number;
  stderrTail: readonly string[];
  /** MCP712 (stdout closed) was already reported for this start. */
  stdoutClosed: boolean;
}

/** A stdio handshake that failed: crash, version mismatch, timeout (busy or idle), or a plain error. */
export function diagnoseHandshake(subject: Subject, e: HandshakeEvidence): Verdict {
  const exitedOnItsOwn = e.crash && !e.timedOut ? e.crash : undefined;
  let findings: Keyed[];
  if (e.init && initAnswerIsTheProblem(e.init, e.message, e.offer.supported)) {
    // The client closed the connection over the answer; the exit that followed is not a crash.
    return {
      findings: [protocolVersionFinding(subject, e.init, e.message, e.offer)],
      reason: 'protocol version not negotiated (MCP709)',
    };
  } else if (e.init && 'error' in e.init) {
    return initializeRejected(subject, e.init.error);
  } else if (exitedOnItsOwn) {
    findings = [['MCP708', crashFinding(subject, exitedOnItsOwn)]];
  } else if (e.timedOut) {
    findings = [['MCP707', handshakeTimeout(subject, e)]];
  } else if (e.stdoutClosed) {
    findings = []; // MCP712 says it
  } else {
    findings = [
      [
        'MCP711',
        runtimeFinding(
          subject,
          'MCP711',
          'error',
          `The \`initialize\` handshake failed: ${e.message}.${stderrSuffix(e.stderrTail)}`,
          undefined,
          { error: e.message },
        ),
      ],
    ];
  }
  const reason = exitedOnItsOwn
    ? `process exited (${describeExit(exitedOnItsOwn.exit)}) during startup`
    : e.timedOut
      ? '`initialize` not answered in time'
      : e.stdoutClosed
        ? 'the server closed its stdout during the handshake'
        : e.message;
  return { findings, reason };
}

function handshakeTimeout(subject: Subject, e: HandshakeEvidence): Finding {
  const noise = e.noiseCount
    ? ` It wrote ${e.noiseCount} non-JSON line(s) to stdout (see MCP101/MCP102).`
    : e.stdoutBytesSeen
      ? ''
      : ' It wrote nothing to stdout.';
  const cpu = e.cpuSeconds;
  const busy = cpu === undefined ? undefined : cpu / Math.max(e.elapsedSeconds, 0.001);
  const cpuNote =
    busy === undefined
      ? ''
      : busy > 0.5
        ? ` It was busy (${cpu!.toFixed(1)} s of CPU in ${e.elapsedSeconds.toFixed(1)} s): slow imports or work before \`run()\` delay the handshake (MCP401); move heavy setup into the tools or after startup.`
        : ` It was idle (${cpu!.toFixed(1)} s of CPU in ${e.elapsedSeconds.toFixed(1)} s): it is waiting for something (a network call, a lock, or a read of stdin that competes with the MCP transport, MCP103).`;
  return runtimeFinding(
    subject,
    'MCP707',
    'error',
    `The server did not answer \`initialize\` within ${Math.round(e.startupTimeoutMs / 1000)} s; clients show "Server did not connect" / "timed out".${noise}${cpuNote || ' Check for slow imports at startup, a blocking read of stdin, or logging to stdout.'}${stderrSuffix(e.stderrTail)}`,
    undefined,
    {
      timeoutMs: e.startupTimeoutMs,
      stderrTail: e.stderrTail.slice(-20),
      stdoutNoise: e.noiseCount,
      cpuSeconds: cpu,
      elapsedSeconds: e.elapsedSeconds,
    },
  );
}

/** `initialize` was answered with a JSON-RPC error that is not about the protocol version. */
export function initializeRejected(subject: Subject, error: unknown): Verdict {
  const text = truncate(JSON.stringify(error) ?? String(error), 300);
  return {
    findings: [
      [
        'MCP711',
        runtimeFinding(
          subject,
          'MCP711',
          'error',
          `The server answered \`initialize\` with an error: ${text}. Clients cannot connect; see the server's log for why it refuses the handshake.`,
          undefined,
          { error },
        ),
      ],
    ],
    reason: '`initialize` was answered with an error',
  };
}

/** A server started by command that never listens on its URL's port. */
export function notListening(
  subject: Subject,
  host: string,
  port: number,
  startupTimeoutMs: number,
  stderrTail: readonly string[],
): Verdict {
  const message = `The server process is running but nothing listens on ${host}:${port} after ${Math.round(startupTimeoutMs / 1000)} s. Check that the port/host in \`url\` match what the server binds (and that it starts an HTTP transport).${stderrSuffix(stderrTail)}`;
  return {
    findings: [
      [
        'MCP707',
        runtimeFinding(subject, 'MCP707', 'error', message, undefined, {
          url: subject.url,
          stderrTail: stderrTail.slice(-20),
        }),
      ],
    ],
    reason: `nothing listens on ${host}:${port}`,
  };
}

// ---------------------------------------------------------------- HTTP

export interface HttpConnectEvidence {
  url: string;
  /** The transport of the attempt that decides the verdict (the first one). */
  used: 'http' | 'sse';
  status?: number;
  /** The SSE fallback that followed a 4xx from Streamable HTTP, and how it failed. */
  fallback?: { status?: number; message: string };
  message: string;
  timedOut: boolean;
  dropped: boolean;
  startupTimeoutMs: number;
  /** Where an MCP endpoint does answer, when the URL's path 404s. */
  elsewhere: { url: string; transport: 'http' | 'sse' }[];
}

/** Connecting over Streamable HTTP / SSE failed: a status, a dropped connection, a timeout, or no server. */
export function diagnoseHttpConnect(subject: Subject, e: HttpConnectEvidence): Verdict {
  const { url, status, message } = e;
  let finding: Keyed;
  if (status !== undefined && status > 0) {
    const moved = e.elsewhere.length
      ? ` An MCP endpoint answers at ${e.elsewhere.map((h) => `${h.url} (${h.transport === 'sse' ? 'SSE' : 'Streamable HTTP'})`).join(', ')}: change \`url\` to it.`
      : '';
    const advice =
      status === 401 || status === 403
        ? 'The server requires authentication: add the token to `headers` (e.g. `"Authorization": "Bearer ${input:token}"`).'
        : status === 404
          ? 'Nothing serves MCP at this path: check the path in `url` (common: `/mcp`, `/mcp/`, `/sse`).'
          : status === 421
            ? 'The server rejected the Host/Origin (DNS-rebinding protection): allow this host in the server settings.'
            : status >= 500
              ? 'The server failed while handling `initialize`: see its log.'
              : 'The server rejected the `initialize` request.';
    finding = [
      'MCP720',
      runtimeFinding(
        subject,
        'MCP720',
        'error',
        `HTTP ${status} from ${url} on connect (${e.used === 'http' ? 'Streamable HTTP' : 'SSE'}): ${truncate(message, 300)}. ${advice}${moved}${fallbackNote(e)}`,
        undefined,
        { status, url, fallbackStatus: e.fallback?.status },
      ),
    ];
  } else if (e.dropped) {
    finding = [
      'MCP722',
      runtimeFinding(
        subject,
        'MCP722',
        'error',
        `${url} accepted the connection but closed it without an HTTP response to \`initialize\` (${truncate(message, 200)}). The server (or a proxy in front of it) crashed or rejected the request; see its log.`,
        undefined,
        { url, error: message },
      ),
    ];
  } else if (e.timedOut) {
    finding = [
      'MCP707',
      runtimeFinding(
        subject,
        'MCP707',
        'error',
        `${url} accepted the connection but did not answer \`initialize\` within ${Math.round(e.startupTimeoutMs / 1000)} s.`,
        undefined,
        { url },
      ),
    ];
  } else {
    finding = [
      'MCP721',
      runtimeFinding(
        subject,
        'MCP721',
        'error',
        `Cannot connect to ${url}: ${truncate(message, 300)}.${urlAdvice(url)}`,
        undefined,
        { url, error: message },
      ),
    ];
  }
  return { findings: [finding], reason: status ? `HTTP ${status}` : message };
}

/** How the SSE fallback went, so a failed fallback never hides the first status. */
function fallbackNote(e: HttpConnectEvidence): string {
  if (!e.fallback) return '';
  const how = e.fallback.status ? `HTTP ${e.fallback.status}` : truncate(e.fallback.message, 120);
  return ` (MCP Doctor also tried the legacy SSE transport, as clients do after a 4xx: ${how}.)`;
}

/** What to check when nothing answered at a URL. */
function urlAdvice(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    return ` The URL has no scheme: write \`http://${url}\` (or \`https://\`).`;
  return ' Is the server running and listening on this host and port?';
}

/** fetch() failed because the peer closed or reset the connection (not refused, not a timeout). */
export function isDroppedConnection(message: string): boolean {
  return /UND_ERR_SOCKET|ECONNRESET|EPIPE|other side closed|socket hang up/i.test(message);
}

/** A request over HTTP failed at the HTTP level mid-session. Undefined when there is nothing to say. */
export function httpMidSession(
  subject: Subject,
  method: string,
  status: number | undefined,
  message: string,
): Keyed | undefined {
  const url = subject.url ?? '';
  if (status !== undefined) {
    const advice =
      status === 401 || status === 403
        ? 'The credentials were rejected mid-session (expired token?): update `headers`.'
        : status === 421
          ? 'The server rejected the Host/Origin (DNS-rebinding protection): allow this host in the server settings.'
          : status >= 500
            ? 'The server failed while handling the request: see its log.'
            : 'The server rejected the request.';
    return [
      'MCP720',
      runtimeFinding(
        subject,
        'MCP720',
        'error',
        `HTTP ${status} from ${url} on \`${method}\` (mid-session): ${truncate(message, 300)}. ${advice}`,
        undefined,
        { status, url, method },
      ),
    ];
  }
  if (isDroppedConnection(message))
    return [
      'MCP722',
      runtimeFinding(
        subject,
        'MCP722',
        'error',
        `${url} closed the connection without an HTTP response on \`${method}\` (${truncate(message, 200)}). The server (or a proxy in front of it) crashed or killed the request handler; see its log.`,
        undefined,
        { url, method, error: message },
      ),
    ];
  return undefined;
}

export function sessionLost(subject: Subject, sessionId: string, method: string, message: string): Keyed {
  return [
    'MCP723',
    runtimeFinding(
      subject,
      'MCP723',
      'error',
      `The server answered \`initialize\` with \`Mcp-Session-Id: ${sessionId}\`, then answered HTTP 404 to \`${method}\` carrying that id (${truncate(message, 200)}): it does not find its own session. Typical causes: sessions kept in memory per process/worker behind a load balancer without sticky routing, a restart, a session store that drops entries, or a proxy that strips the \`Mcp-Session-Id\` header. Keep sessions in shared storage or route by session, or run the server stateless (no session ids).`,
      undefined,
      { sessionId, method, status: 404, url: subject.url },
    ),
  ];
}
