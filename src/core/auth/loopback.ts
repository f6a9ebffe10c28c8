import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackParams, type AuthorizationResponse } from './userAgent';

const PAGE = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif;margin:3em"><h2>${title}</h2><p>${text}</p></body>`;

/**
 * The redirect URI of a sign-in in a browser: `http://127.0.0.1:<port>/callback` (RFC 8252
 * loopback redirect), listening only while a sign-in waits for it.
 */
export class LoopbackRedirect {
  private server?: http.Server;
  private port = 0;
  private readonly waiters = new Map<string, (r: AuthorizationResponse) => void>();

  /** `wantedPort` 0: any free port (bound by `start()`); otherwise that port, bound only while a sign-in waits. */
  constructor(private readonly wantedPort = 0) {
    this.port = wantedPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/callback`;
  }

  /** The redirect URI, binding a free port first when no fixed one was asked for. */
  async prepare(): Promise<string> {
    if (this.wantedPort === 0) await this.start();
    return this.url;
  }

  /** Starts listening (on the wanted port, or any free one). Resolves with the redirect URI. */
  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = http.createServer((req, res) => this.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  /** Resolves with the answer that carries `state` (or the first one when there is no state). */
  async wait(state: string | undefined, signal: AbortSignal): Promise<AuthorizationResponse> {
    await this.start();
    return new Promise((resolve, reject) => {
      const key = state ?? '';
      const onAbort = () => {
        this.waiters.delete(key);
        reject(signal.reason instanceof Error ? signal.reason : new Error('sign-in cancelled'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(key, (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      });
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const answer = callbackParams(new URL(req.url ?? '/', this.url).href, this.url);
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const state =
      'code' in answer ? (answer.state ?? '') : (new URL(req.url ?? '/', this.url).searchParams.get('state') ?? '');
    const waiter =
      this.waiters.get(state) ?? (this.waiters.size === 1 && !state ? [...this.waiters.values()][0] : undefined);
    if (!waiter) {
      res
        .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          PAGE(
            'MCP Doctor: unexpected sign-in answer',
            'No sign-in is waiting for this answer (its state does not match). Start the server again from MCP Doctor.',
          ),
        );
      return;
    }
    this.waiters.delete(state);
    const ok = 'code' in answer;
    res
      .writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(
        ok
          ? PAGE('Signed in', 'MCP Doctor received the sign-in. You can close this tab.')
          : PAGE(
              'Sign-in failed',
              'The authorization server answered with an error. MCP Doctor shows it with the server.',
            ),
      );
    waiter(answer);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
