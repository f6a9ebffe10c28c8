import { LoopbackRedirect } from '../core/auth/loopback';
import { authSettingsOf } from '../core/auth/settings';
import { SignIn } from '../core/auth/signIn';
import { MemorySecretStore } from '../core/auth/store';
import { BrowserUserAgent, HeadlessThenBrowser, HeadlessUserAgent } from '../core/auth/userAgent';
import type { ServerConfig } from '../core/config/types';
import type { CliIo } from './io';

/**
 * The CLI's sign-in to a protected server: headless where the authorization server approves by
 * itself (test servers, already-consented sessions); otherwise, in a terminal, it prints the URL
 * to open and waits for the browser to come back to a loopback redirect. Tokens live in memory
 * for this run only.
 */
export function cliSignIn(server: ServerConfig, io: CliIo): SignIn {
  const settings = authSettingsOf(server.raw);
  const headless = new HeadlessUserAgent((u, init) => fetch(u, init));
  const interactive = io.interactive === true;
  const loopback = interactive ? new LoopbackRedirect(settings.callbackPort ?? 0) : undefined;
  const userAgent = loopback
    ? new HeadlessThenBrowser(
        headless,
        new BrowserUserAgent(async (url) => {
          io.err(
            `\n${server.name} requires sign-in. Open this URL in a browser:\n\n  ${url.href}\n\nWaiting for the browser to come back (5 minutes)…\n`,
          );
        }, loopback),
      )
    : headless;
  return new SignIn({
    settings,
    store: new MemorySecretStore(),
    userAgent,
    loopback,
    clientName: 'MCP Doctor',
    timeoutMs: interactive ? 5 * 60 * 1000 : 30 * 1000,
  });
}
