/**
 * Reconnecting after a Streamable HTTP server lost the session: a 404 to a request that carried
 * `Mcp-Session-Id` means "start over with a new `initialize`" (spec, 2025-03-26 and later). The
 * connection re-initializes once in a while, retries the request, and says so in a finding.
 */
import { runtimeFinding, truncate, type Keyed, type Subject } from './diagnosis';
import { errorText, httpStatusOf, type Transport } from './sdk';

/** At most this many automatic re-initializations per connection… */
const MAX_REINITIALIZE = 3;
/** …and none sooner than this after the previous one (a server that loses every session is reported, not looped on). */
const MIN_INTERVAL_MS = 2000;

/** The session id a request failed with when the server answered 404 to it (the session is gone). */
export function lostSessionId(err: unknown, transport: Transport | undefined): string | undefined {
  if (httpStatusOf(err) !== 404) return undefined;
  return transport?.sessionId;
}

/** When a lost session may be re-initialized (one budget per connection). */
export class ReinitializeBudget {
  private count = 0;
  private last = -Infinity;

  allow(nowMs = performance.now()): boolean {
    if (this.count >= MAX_REINITIALIZE || nowMs - this.last < MIN_INTERVAL_MS) return false;
    this.count++;
    this.last = nowMs;
    return true;
  }
}

/** The finding for a session that was lost and re-initialized. */
export function sessionReinitialized(
  subject: Subject,
  lost: string,
  renewed: string | undefined,
  method: string,
  err: unknown,
): Keyed {
  return [
    'MCP723',
    runtimeFinding(
      subject,
      'MCP723',
      'warning',
      `The server answered HTTP 404 to \`${method}\` carrying \`Mcp-Session-Id: ${lost}\` (${truncate(errorText(err), 160)}): it lost the session. MCP Doctor initialized a new session${renewed ? ` (\`${renewed}\`)` : ''} and sent \`${method}\` again, as clients must. If the server did not restart, it loses sessions: keep them in shared storage or route by session, or run it stateless (no session ids).`,
      undefined,
      { sessionId: lost, renewed, method, status: 404, url: subject.url, reinitialized: true },
    ),
  ];
}
