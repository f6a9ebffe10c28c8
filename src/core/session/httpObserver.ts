import { now } from '../trace/types';
import type { FetchLike } from './sdk';

/** One HTTP exchange as seen by the fetch every HTTP request of a connection goes through. */
export interface HttpExchange {
  /** 1-based, per observer. */
  id: number;
  method: string;
  url: string;
  requestHeaders: Headers;
  /** The request body when it was a string (JSON-RPC, registration JSON, token form). */
  requestBody?: string;
  startTs: number;
  /** Set when the response headers arrived. */
  status?: number;
  responseHeaders?: Headers;
  /** Time to the response headers (or the error). */
  durationMs: number;
  /** fetch() threw (refused, reset, aborted). */
  error?: string;
  /** The response is an event stream: `streamEnded` follows when it closes. */
  sse: boolean;
  /** The response body as text, for small non-stream responses, when asked for. */
  responseBody?: Promise<string | undefined>;
}

export interface HttpObserverListener {
  /** Response headers arrived (or the request failed). */
  exchange(e: HttpExchange): void;
  /** An event stream response closed: `end` normally, `error` when it broke or was aborted. */
  streamEnded?(e: HttpExchange, how: 'end' | 'error', ts: number): void;
  /** Whether this exchange's response body should be read (a clone is read; the caller's is untouched). */
  wantsBody?(e: HttpExchange): boolean;
}

const MAX_BODY_READ = 64 * 1024;

/**
 * A fetch that reports each exchange to its listeners and otherwise behaves like `base`:
 * the SDK's transports and its OAuth code use it for every request, so the trace and the
 * sign-in debugger see exactly what went over the wire.
 */
export function observeFetch(base: FetchLike, listeners: readonly HttpObserverListener[]): FetchLike {
  let next = 0;
  return async (input, init) => {
    const id = ++next;
    const method = (init?.method ?? 'GET').toUpperCase();
    const url = typeof input === 'string' ? input : input.href;
    const requestHeaders = new Headers(init?.headers);
    const body = init?.body;
    const requestBody = typeof body === 'string' ? body : body instanceof URLSearchParams ? body.toString() : undefined;
    const startTs = now();
    const t0 = performance.now();
    const e: HttpExchange = { id, method, url, requestHeaders, requestBody, startTs, durationMs: 0, sse: false };
    let res: Response;
    try {
      res = await base(input, init);
    } catch (err) {
      e.durationMs = performance.now() - t0;
      e.error = err instanceof Error ? err.message : String(err);
      emit(listeners, (l) => l.exchange(e));
      throw err;
    }
    e.durationMs = performance.now() - t0;
    e.status = res.status;
    e.responseHeaders = res.headers;
    const type = res.headers.get('content-type') ?? '';
    e.sse = type.includes('text/event-stream');
    if (!e.sse && res.body && listeners.some((l) => l.wantsBody?.(e))) e.responseBody = readSmall(res.clone());
    emit(listeners, (l) => l.exchange(e));
    if (e.sse && res.body && listeners.some((l) => l.streamEnded)) return watchStream(res, e, listeners);
    return res;
  };
}

function emit(listeners: readonly HttpObserverListener[], fn: (l: HttpObserverListener) => void): void {
  for (const l of listeners) {
    try {
      fn(l);
    } catch {
      // an observer must never break a request
    }
  }
}

async function readSmall(res: Response): Promise<string | undefined> {
  try {
    const text = await res.text();
    return text.length > MAX_BODY_READ ? text.slice(0, MAX_BODY_READ) : text;
  } catch {
    return undefined;
  }
}

/** The same response, its body piped through a stream that reports when it closes. */
function watchStream(res: Response, e: HttpExchange, listeners: readonly HttpObserverListener[]): Response {
  const reader = res.body!.getReader();
  let done = false;
  const finish = (how: 'end' | 'error') => {
    if (done) return;
    done = true;
    emit(listeners, (l) => l.streamEnded?.(e, how, now()));
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) {
          finish('end');
          controller.close();
        } else controller.enqueue(r.value);
      } catch (err) {
        finish('error');
        controller.error(err);
      }
    },
    cancel(reason) {
      finish('error');
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}
