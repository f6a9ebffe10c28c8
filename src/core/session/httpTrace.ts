import { KnownSecrets, maskHeaders, maskUrl } from '../auth/mask';
import type { TraceSink } from '../trace/types';
import type { HttpExchange, HttpObserverListener } from './httpObserver';

/** Response headers worth a place in the trace line (besides the status and content type). */
const NOTED = ['mcp-session-id', 'www-authenticate', 'location'];

/**
 * HTTP in the trace: one entry per exchange (method, URL, status, chosen headers masked, time to
 * the headers), next to the JSON-RPC messages it carried, and the open, close and retry of
 * event streams.
 */
export class HttpTraceListener implements HttpObserverListener {
  private known = new KnownSecrets();
  /** The `WWW-Authenticate` of the last 401 (a 401 error from the SDK does not keep it). */
  lastChallenge?: string;

  constructor(private readonly trace: TraceSink) {
    // Event streams are watched for their close only when the trace records HTTP.
    if (!trace.http) this.streamEnded = undefined;
  }

  /** Masks the values a sign-in handled (tokens, codes) as well. */
  useSecrets(known: KnownSecrets): void {
    this.known = known;
  }

  exchange(e: HttpExchange): void {
    if (e.status === 401) this.lastChallenge = e.responseHeaders?.get('www-authenticate') ?? undefined;
    if (!this.trace.http) return;
    const url = maskUrl(e.url, this.known);
    const resume = e.requestHeaders.get('last-event-id');
    const retry = resume ? ` (reconnect, Last-Event-ID ${this.known.text(resume)})` : '';
    const auth = e.requestHeaders.has('authorization')
      ? ` [${maskHeaders(e.requestHeaders, this.known).authorization}]`
      : '';
    if (e.error || e.status === undefined) {
      this.trace.http(
        `${e.method} ${url}${retry}${auth} → failed: ${this.known.text(e.error ?? 'no response')} (${ms(e.durationMs)})`,
        e.startTs,
      );
      return;
    }
    const headers = maskHeaders(e.responseHeaders ?? new Headers(), this.known);
    const type = headers['content-type']?.split(';')[0];
    const noted = NOTED.filter((h) => headers[h]).map((h) => `${h}: ${headers[h]}`);
    const what = e.sse ? 'event stream opened' : (type ?? 'no body');
    this.trace.http(
      `${e.method} ${url}${retry}${auth} → ${e.status} ${what} (${ms(e.durationMs)})${noted.length ? ` · ${noted.join(' · ')}` : ''}`,
      e.startTs,
    );
  }

  streamEnded? = (e: HttpExchange, how: 'end' | 'error', ts: number): void => {
    this.trace.http?.(
      `event stream ${how === 'end' ? 'closed by the server' : 'broken or aborted'}: ${e.method} ${maskUrl(e.url, this.known)} (open ${ms(ts - e.startTs)})`,
      ts,
    );
  };
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}
