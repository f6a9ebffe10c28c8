/**
 * Findings about the two eras of the protocol: the 2025 revisions (`initialize`, sessions,
 * server→client requests) and the stateless 2026-07-28 revision (`server/discover`, per-request
 * `_meta`, `input_required` results). A server and a client from different eras can each be
 * correct and still fail together; these say which clients fail, and why. Pure functions.
 */
import { runtimeFinding, truncate, type Keyed, type Subject } from './diagnosis';

/** A server that exits when it receives `server/discover` before `initialize`. */
export function exitsOnDiscover(subject: Subject): Keyed {
  return [
    'MCP740',
    runtimeFinding(
      subject,
      'MCP740',
      'warning',
      `The server exited when it received \`server/discover\` before \`initialize\` (the 2026-07-28 era probe). MCP Doctor started it again and connected with a 2025-era handshake, but clients that probe on the same connection (the 2026-07-28 specification allows it on stdio) lose the server at once. A server must answer an unknown method with a JSON-RPC error (-32601 Method not found) and keep running; upgrade its MCP SDK (2025-era SDKs that stop on any request before \`initialize\` have this problem).`,
      undefined,
      { probe: 'server/discover' },
    ),
  ];
}

/** The era that was asked for (`--era`, or the user's choice in the tree) is not one the server speaks. */
export function eraUnavailable(subject: Subject, era: '2025' | '2026', reason: string): Keyed {
  const which = era === '2026' ? 'the 2026-07-28 era (stateless, `server/discover`)' : 'the 2025 era (`initialize`)';
  return [
    'MCP749',
    runtimeFinding(
      subject,
      'MCP749',
      'warning',
      `The server does not speak ${which}, which this connection was asked to use: ${truncate(reason, 200)}. Clients that speak only this era cannot use the server. Connect with \`--era auto\` to use the era it speaks, or \`--era both\` to see both side by side.`,
      undefined,
      { era, reason },
    ),
  ];
}

/** Negotiating, the server offered only protocol versions this client does not know. */
export function noCommonVersion(subject: Subject, reason: string): Keyed {
  return [
    'MCP709',
    runtimeFinding(
      subject,
      'MCP709',
      'error',
      `The server offers no protocol version this client speaks: ${truncate(reason, 200)}. Clients built on current SDKs cannot connect. Keep offering the released revisions (2025-11-25 through \`initialize\`, 2026-07-28 through \`server/discover\`) beside any newer one.`,
      undefined,
      { reason },
    ),
  ];
}

/** What a connection attempt in one era ended with. */
export interface EraAttempt {
  era: '2025' | '2026';
  ok: boolean;
  protocolVersion?: string;
  /** Why it failed (the session's error reason). */
  reason?: string;
  tools?: string[];
}

/**
 * The server connected in one era only: which clients fail with it. Undefined when it speaks
 * both, or neither (then the connection findings say why).
 */
export function singleEra(subject: Subject, legacy: EraAttempt, modern: EraAttempt): Keyed | undefined {
  if (legacy.ok && !modern.ok)
    return [
      'MCP741',
      runtimeFinding(
        subject,
        'MCP741',
        'info',
        `The server speaks only the 2025 era (protocol ${legacy.protocolVersion ?? '?'}); a client that requires 2026-07-28 gets: ${truncate(modern.reason ?? 'no answer', 200)}. Clients that negotiate fall back to \`initialize\` and work today; clients pinned to 2026-07-28 will not. To serve both, upgrade to an SDK that answers \`server/discover\` (Python \`mcp\` ≥ 2, FastMCP 4, the TypeScript SDK's v2 server).`,
        undefined,
        { legacy: legacy.protocolVersion, modernFailure: modern.reason },
      ),
    ];
  if (modern.ok && !legacy.ok)
    return [
      'MCP742',
      runtimeFinding(
        subject,
        'MCP742',
        'warning',
        `The server speaks only the 2026-07-28 era (protocol ${modern.protocolVersion ?? '?'}); a 2025-era client (\`initialize\`) gets: ${truncate(legacy.reason ?? 'no answer', 200)}. Most deployed clients still start with \`initialize\` and cannot use this server. Keep answering \`initialize\` (your SDK's backwards-compatible mode) until the clients you target have moved.`,
        undefined,
        { modern: modern.protocolVersion, legacyFailure: legacy.reason },
      ),
    ];
  return undefined;
}

/** How one tool call ended in one era. */
export interface EraCall {
  era: '2025' | '2026';
  ok: boolean;
  text: string;
}

/** Texts with which SDKs refuse a server→client request on a 2026-era connection, and an `input_required` result on a 2025-era one. */
const MODERN_REFUSES_REQUEST =
  /server-initiated requests is unavailable on 2026-07-28|no back-channel for server-initiated requests/i;
const LEGACY_REFUSES_INPUT_REQUIRED = /InputRequiredResult|input_required|multi-round-trip/i;

/**
 * A tool that works in one era and fails in the other, from the calls made in both (or from
 * one failing call whose error names the era mechanism it needs).
 */
export function toolEraDifference(subject: Subject, tool: string, calls: readonly EraCall[]): Keyed | undefined {
  const legacy = calls.find((c) => c.era === '2025');
  const modern = calls.find((c) => c.era === '2026');
  const failing = [legacy, modern].find((c) => c && !c.ok);
  if (!failing) return undefined;
  const works = failing === legacy ? modern : legacy;
  const requestStyle = failing.era === '2026' && MODERN_REFUSES_REQUEST.test(failing.text);
  const mrtrStyle = failing.era === '2025' && LEGACY_REFUSES_INPUT_REQUIRED.test(failing.text);
  if (!(works?.ok || requestStyle || mrtrStyle)) return undefined;
  const why = requestStyle
    ? 'it asks the client with a server→client request (`ctx.elicit()`, `create_message`, `list_roots`), which does not exist on a 2026-07-28 connection: return an `input_required` result instead (FastMCP 4: return an `InputRequiredResult` and read `ctx.input_responses`), or do both depending on the negotiated version'
    : mrtrStyle
      ? 'it answers with an `input_required` result, which 2025-era clients cannot follow: on a 2025 connection ask with a server→client request instead, or do both depending on the negotiated version'
      : 'compare the two results below';
  const where = failing.era === '2026' ? '2026-07-28 clients' : '2025-era clients';
  return [
    `MCP743:${tool}`,
    runtimeFinding(
      subject,
      'MCP743',
      'warning',
      `Tool \`${tool}\` fails for ${where}: ${why}. ${failing.era} era: ${truncate(failing.text, 160)}${works ? `; ${works.era} era: ${works.ok ? 'ok' : 'failed'}${works.ok ? '' : ` (${truncate(works.text, 80)})`}` : ''}.`,
      undefined,
      { tool, calls: calls.map((c) => ({ era: c.era, ok: c.ok, text: truncate(c.text, 300) })) },
    ),
  ];
}

const DEPRECATED: Record<string, { what: string; instead: string }> = {
  logging: {
    what: 'MCP logging (`notifications/message`, `logging/setLevel`)',
    instead: 'log to stderr (stdio) or export traces/logs with OpenTelemetry',
  },
  sampling: {
    what: 'sampling (`sampling/createMessage`)',
    instead:
      "call a model from the server with its own credentials, or return the data and let the client's model work on it",
  },
  roots: {
    what: 'roots (`roots/list`)',
    instead: 'take the paths the tool needs as arguments (or from configuration)',
  },
};

/** A feature the 2026-07-28 revision deprecates, seen in use (it still works during the deprecation window). */
export function deprecatedFeature(subject: Subject, feature: keyof typeof DEPRECATED, evidence: string): Keyed {
  const d = DEPRECATED[feature];
  return [
    `MCP744:${feature}`,
    runtimeFinding(
      subject,
      'MCP744',
      'info',
      `The server uses ${d.what} (${evidence}), which the 2026-07-28 revision deprecates: it keeps working for at least twelve months, then clients may drop it. Migrate: ${d.instead}.`,
      undefined,
      { feature, evidence },
    ),
  ];
}

/** JSON-RPC errors that the 2026-07-28 revision defines for envelopes and headers. */
export function eraRequestError(
  subject: Subject,
  method: string,
  error: { code?: number; message: string },
  era: '2025' | '2026',
): Keyed | undefined {
  const m = truncate(error.message, 200);
  if (error.code === -32020)
    return [
      'MCP746',
      runtimeFinding(
        subject,
        'MCP746',
        'error',
        `The server rejected \`${method}\` because an HTTP header did not match the body (-32020: ${m}). In the 2026-07-28 era the \`Mcp-Method\` (and \`Mcp-Name\`) headers must repeat the JSON-RPC method and name exactly; a proxy or gateway that rewrites headers or bodies breaks this. MCP Doctor sends them from the SDK unchanged, so look at what sits between it and the server.`,
        undefined,
        { method, code: error.code },
      ),
    ];
  if (error.code === -32022)
    return [
      'MCP747',
      runtimeFinding(
        subject,
        'MCP747',
        'error',
        `The server rejected \`${method}\` with "unsupported protocol version" (-32022: ${m}) after the connection was established in the ${era} era. A server must accept every version it offered in \`server/discover\` (or \`initialize\`) on every request; check that all instances behind the URL run the same SDK version.`,
        undefined,
        { method, code: error.code, era },
      ),
    ];
  if (
    error.code === -32602 &&
    era === '2026' &&
    /_meta|envelope|clientCapabilities|protocolVersion|io\.modelcontextprotocol/i.test(error.message)
  )
    return [
      'MCP748',
      runtimeFinding(
        subject,
        'MCP748',
        'error',
        `The server rejected \`${method}\` for its \`_meta\` envelope (-32602: ${m}). In the 2026-07-28 era every request carries \`io.modelcontextprotocol/protocolVersion\` and \`io.modelcontextprotocol/clientCapabilities\` in \`_meta\`; MCP Doctor sends both, so the server is validating keys the revision does not require, or rejects values it should accept.`,
        undefined,
        { method, code: error.code },
      ),
    ];
  return undefined;
}
