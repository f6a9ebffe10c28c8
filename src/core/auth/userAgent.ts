import type { FetchLike } from '../session/sdk';
import type { LoopbackRedirect } from './loopback';

/** What came back to the redirect URI, or why nothing did. */
export type AuthorizationResponse =
  | { code: string; state?: string; iss?: string }
  | {
      error: string;
      errorDescription?: string;
      /** Where it stopped: the HTTP status and body of the page that did not redirect back. */
      status?: number;
      body?: string;
    };

/** Takes the user (or a headless client) through an authorization URL. */
export interface UserAgent {
  authorize(url: URL, redirectUrl: string, signal: AbortSignal): Promise<AuthorizationResponse>;
}

const MAX_REDIRECTS = 10;

/** The parameters of a redirect back to `redirectUrl`, or undefined when `location` goes elsewhere. */
export function callbackParams(location: string, redirectUrl: string): AuthorizationResponse | undefined {
  let u: URL;
  let r: URL;
  try {
    u = new URL(location);
    r = new URL(redirectUrl);
  } catch {
    return undefined;
  }
  if (u.origin !== r.origin || u.pathname !== r.pathname) return undefined;
  const p = u.searchParams;
  const error = p.get('error');
  if (error) return { error, errorDescription: p.get('error_description') ?? undefined };
  const code = p.get('code');
  if (!code) return { error: 'no_code', errorDescription: 'the redirect back carried neither a code nor an error' };
  return { code, state: p.get('state') ?? undefined, iss: p.get('iss') ?? undefined };
}

/**
 * Follows the authorization URL without a browser, the way the conformance suite's clients do:
 * GET it, follow redirects (keeping cookies per host), and read the code from the redirect to
 * the redirect URI. Works where the authorization server approves without asking (test servers,
 * already-consented sessions); otherwise it reports the page it stopped at.
 */
export class HeadlessUserAgent implements UserAgent {
  constructor(private readonly fetchFn: FetchLike) {}

  async authorize(url: URL, redirectUrl: string, signal: AbortSignal): Promise<AuthorizationResponse> {
    const cookies = new Map<string, Map<string, string>>();
    let at = url.href;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const host = new URL(at).host;
      const jar = cookies.get(host);
      const headers: Record<string, string> = { accept: 'text/html,application/json' };
      if (jar?.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await this.fetchFn(at, { method: 'GET', redirect: 'manual', headers, signal });
      keepCookies(cookies, host, res.headers);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, at).href;
        await res.text().catch(() => undefined);
        const back = callbackParams(next, redirectUrl);
        if (back) return back;
        at = next;
        continue;
      }
      const body = (await res.text().catch(() => '')).slice(0, 2000);
      const json = jsonError(body);
      if (res.status >= 400)
        return {
          error: json?.error ?? 'authorization_rejected',
          errorDescription: json?.description,
          status: res.status,
          body,
        };
      return {
        error: 'interaction_required',
        errorDescription: 'the authorization server shows a page (sign-in or consent) instead of redirecting back',
        status: res.status,
        body,
      };
    }
    return { error: 'too_many_redirects', errorDescription: `more than ${MAX_REDIRECTS} redirects` };
  }
}

function keepCookies(cookies: Map<string, Map<string, string>>, host: string, headers: Headers): void {
  const set = headers.getSetCookie?.() ?? [];
  if (!set.length) return;
  let jar = cookies.get(host);
  if (!jar) cookies.set(host, (jar = new Map()));
  for (const line of set) {
    const first = line.split(';', 1)[0];
    const eq = first.indexOf('=');
    if (eq > 0) jar.set(first.slice(0, eq).trim(), first.slice(eq + 1).trim());
  }
}

function jsonError(body: string): { error?: string; description?: string } | undefined {
  try {
    const o = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    return {
      error: typeof o.error === 'string' ? o.error : undefined,
      description: typeof o.error_description === 'string' ? o.error_description : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * A real browser: `open` shows the URL (VS Code's `openExternal`, or a line in the terminal
 * for the CLI), and the loopback redirect receives the answer.
 */
export class BrowserUserAgent implements UserAgent {
  constructor(
    private readonly open: (url: URL) => Promise<void>,
    private readonly loopback: LoopbackRedirect,
  ) {}

  async authorize(url: URL, _redirectUrl: string, signal: AbortSignal): Promise<AuthorizationResponse> {
    const state = url.searchParams.get('state') ?? undefined;
    const waiting = this.loopback.wait(state, signal);
    waiting.catch(() => undefined);
    await this.open(url);
    return waiting;
  }
}

/** Headless first; a browser only when the authorization server wants a person. */
export class HeadlessThenBrowser implements UserAgent {
  constructor(
    private readonly headless: UserAgent,
    private readonly browser: UserAgent,
  ) {}

  async authorize(url: URL, redirectUrl: string, signal: AbortSignal): Promise<AuthorizationResponse> {
    const r = await this.headless.authorize(url, redirectUrl, signal);
    if ('error' in r && r.error === 'interaction_required') return this.browser.authorize(url, redirectUrl, signal);
    return r;
  }
}
