/**
 * Findings about a running session, in words: what the server writes on stdout, the variables
 * it says it lacks, list and health problems, and failed requests to the client. Pure functions
 * like those of `diagnosis.ts` (launch, handshake, HTTP), table-tested the same way.
 */
import type { Finding } from '../model';
import { runtimeFinding, stderrSuffix, truncate, type Keyed, type Location, type Subject } from './diagnosis';

// ---------------------------------------------------------------- stdout

export function stdoutClosed(
  subject: Subject,
  pid: number,
  duringHandshake: boolean,
  stderrTail: readonly string[],
): Keyed {
  return [
    'MCP712',
    runtimeFinding(
      subject,
      'MCP712',
      'error',
      `The server closed its stdout but keeps running (pid ${pid}${duringHandshake ? ', during the handshake' : ''}): on stdio, stdout is the only way it can answer, so every request now hangs in clients. Something in the server closes or redirects file descriptor 1 (\`os.close(1)\`, \`os.dup2(…, 1)\`, \`process.stdout.end()\`, a daemonizing library, a subprocess that took over stdout). Stop or restart the server.${stderrSuffix(stderrTail)}`,
      undefined,
      { pid, stderrTail: stderrTail.slice(-20) },
    ),
  ];
}

/** A non-JSON-RPC stdout line (stdout pollution), pointing at the source line that printed it when found. */
export function stdoutPollution(subject: Subject, line: string, code: 'MCP101' | 'MCP102', loc?: Location): Finding {
  const fix =
    code === 'MCP101'
      ? '`print(..., file=sys.stderr)`, or `logging` (stderr by default)'
      : '`console.error(...)` instead of `console.log(...)`';
  return runtimeFinding(
    subject,
    code,
    'error',
    `The server wrote a line to stdout that is not JSON-RPC: \`${truncate(line.trim(), 120)}\`. On stdio, stdout is the protocol channel: strict clients (Claude Desktop, Cursor) fail with "Unexpected token … is not valid JSON" and may drop the server. Write logs to stderr: ${fix}.`,
    loc,
    { text: truncate(line, 500), matched: !!loc },
  );
}

/** A JSON-looking stdout line that is not a JSON-RPC 2.0 message (`count` such lines of this kind so far). */
export function invalidMessage(subject: Subject, line: string, reason: string, count: number): Finding {
  return runtimeFinding(
    subject,
    'MCP713',
    'error',
    `The server wrote a line to stdout that is ${reason}: \`${truncate(line.trim(), 120)}\`${count > 1 ? ` (${count} such lines)` : ''}. Every line on stdout must be exactly one JSON-RPC 2.0 message (\`{"jsonrpc": "2.0", ...}\`, serialized with a JSON library, one per line); clients drop such lines or disconnect. MCP Doctor ignored it and kept the session going.`,
    undefined,
    { text: truncate(line, 500), reason, count },
  );
}

/** Stdout bytes that are not UTF-8: lenient clients see U+FFFD, strict ones (Python) fail to decode. */
export function invalidUtf8(subject: Subject, line: string, count: number): Keyed {
  return [
    'MCP724',
    runtimeFinding(
      subject,
      'MCP724',
      'error',
      `The server wrote bytes to stdout that are not valid UTF-8 (${count} line${count > 1 ? 's' : ''} so far; the first, as decoded: \`${truncate(line.trim(), 100)}\`). JSON-RPC over stdio is UTF-8: Node clients replace the bytes with U+FFFD and pass on corrupted text, clients that decode strictly (Python's) fail on the line and drop the message or the connection. Encode output as UTF-8 (Python: \`sys.stdout.reconfigure(encoding="utf-8")\` or \`PYTHONIOENCODING=utf-8\`; do not write raw bytes or Latin-1 text).`,
      undefined,
      { text: truncate(line, 300), count },
    ),
  ];
}

const ENV_NAME = '([A-Z][A-Z0-9]{0,40}_[A-Z0-9_]{2,60})';
/** "GITHUB_TOKEN is not set", "GITHUB_TOKEN environment variable is required", … */
const NAME_THEN_MISSING = new RegExp(
  `\\b${ENV_NAME}\\b[^\\n]{0,40}?\\b(?:is not set|not set|is missing|missing|is required|are required|is empty|not defined|is undefined|must be set|not provided)\\b`,
);
/** "Missing environment variable GITHUB_TOKEN", "Please set GITHUB_TOKEN", … */
const MISSING_THEN_NAME = new RegExp(
  `\\b(?:missing|please set|you must set|requires?|not set:?|undefined:?)\\b[^\\n]{0,40}?\\b${ENV_NAME}\\b`,
  'i',
);

/**
 * The environment variable a log or error line says is missing, when it is indeed absent (or
 * empty) in the environment the server was started with. Linear: bounded gaps, no nesting.
 */
export function missingEnvMention(line: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (line.length > 2000) line = line.slice(0, 2000);
  const m = NAME_THEN_MISSING.exec(line) ?? MISSING_THEN_NAME.exec(line);
  const name = m?.[1];
  return name && !env[name] ? name : undefined;
}

/** The server's code reads a secret-looking variable that its launch did not set (it may need it only later). */
export function unsetSecretRead(subject: Subject, name: string, file: string, line: number): Keyed {
  return [
    `MCP725:${name}`,
    runtimeFinding(
      subject,
      'MCP725',
      'info',
      `The server's code reads \`${name}\` (${file}:${line + 1}), which is not set in the environment MCP Doctor started it with. The handshake does not need it, so clients show the server as healthy; tools that use it fail only when called (typically with an authentication error). If the server needs it, add it to \`env\` in the config (as a secret: an \`\${input:…}\` prompt or \`envFile\`).`,
      undefined,
      { variable: name, file, line },
    ),
  ];
}

/** The server says it needs a variable that its launch did not set. */
export function missingEnv(subject: Subject, name: string, line: string, where: 'stderr' | 'a tool result'): Keyed {
  return [
    `MCP725:${name}`,
    runtimeFinding(
      subject,
      'MCP725',
      'warning',
      `The server says \`${name}\` is missing (${where}: \`${truncate(line.trim(), 160)}\`), and it is not set in the environment MCP Doctor started it with. The handshake works, so clients show the server as healthy until a tool needs it. Add it to \`env\` in the config (a secret: an \`\${input:…}\` prompt or \`envFile\`, not a literal).`,
      undefined,
      { variable: name, where },
    ),
  ];
}

export function messageTooLarge(
  subject: Subject,
  bytes: number,
  capBytes: number,
  head: string,
  id?: string | number,
): Keyed {
  return [
    'MCP714',
    runtimeFinding(
      subject,
      'MCP714',
      'error',
      `The server wrote a ${(bytes / 1048576).toFixed(1)} MB line to stdout, above the ${(capBytes / 1048576).toFixed(0)} MB cap; it was dropped${id !== undefined ? ` and the request it answered (id ${JSON.stringify(id)}) failed` : ''} (the SDK's own stdio client closes the connection above 10 MB). Return large data as resources or in pages.`,
      undefined,
      { bytes, head: head.slice(0, 120), id },
    ),
  ];
}

// ---------------------------------------------------------------- lists and health

export function listFailed(subject: Subject, method: string, message: string): Keyed {
  return [
    `MCP715:${method}`,
    runtimeFinding(
      subject,
      'MCP715',
      'warning',
      `\`${method}\` failed: ${message}. The server declares this capability, so clients call it and show nothing.`,
      undefined,
      { method },
    ),
  ];
}

export function memoryGrowth(
  subject: Subject,
  v: { totalBytes: number; windowSeconds: number; bytesPerSecond: number },
  rssBytes: number,
): Keyed {
  const mb = (b: number) => (b / 1048576).toFixed(1);
  return [
    'MCP719',
    runtimeFinding(
      subject,
      'MCP719',
      'warning',
      `The server's memory grows steadily: +${mb(v.totalBytes)} MB over ${Math.round(v.windowSeconds)} s (${mb(v.bytesPerSecond * 60)} MB/min, RSS now ${mb(rssBytes)} MB). Look for per-call caches, unclosed clients or growing lists.`,
      undefined,
      { ...v },
    ),
  ];
}

// ---------------------------------------------------------------- client features

const FEATURE: Record<string, { name: string; check: string }> = {
  'elicitation/create': { name: 'elicitation', check: 'the `elicitation` capability' },
  'sampling/createMessage': { name: 'sampling', check: 'the `sampling` capability' },
  'roots/list': { name: 'roots', check: 'the `roots` capability' },
};

/**
 * A tool asked the client for input during its call, and that exchange failed (the client does
 * not support it, or the answer failed). Undefined when every exchange went through.
 */
export function backChannelFailure(
  subject: Subject,
  tool: string,
  exchanges: readonly { method: string; ok: boolean; error?: string; unsupported?: boolean }[],
  toolReportedError: boolean,
  era?: '2025' | '2026',
): Keyed | undefined {
  const failed = exchanges.find((e) => !e.ok);
  if (!failed) return undefined;
  const f = FEATURE[failed.method] ?? { name: failed.method, check: 'the matching capability' };
  const how = failed.unsupported
    ? `this client does not declare ${f.check}, so it answered \`${failed.method}\` with -32601 (Method not found), as every client without ${f.name} does`
    : `\`${failed.method}\` failed: ${truncate(failed.error ?? 'no answer', 200)}`;
  const then = toolReportedError
    ? 'The tool then returned an error.'
    : 'The tool still returned a successful result, so clients show an answer that was produced without the input it asked for.';
  return [
    `MCP770:${tool}:${failed.method}`,
    runtimeFinding(
      subject,
      'MCP770',
      toolReportedError ? 'warning' : 'error',
      `Tool \`${tool}\` asked the client for ${f.name} during its call and ${how}. ${then} Check the client's capabilities before asking${era === '2025' ? ' (in the 2026-07-28 era, ask through an `input_required` result instead of a request)' : ''}, and report a clear tool error when the input is unavailable.`,
      undefined,
      { tool, method: failed.method, unsupported: !!failed.unsupported, toolReportedError },
    ),
  ];
}
