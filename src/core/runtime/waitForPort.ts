import * as net from 'node:net';

/**
 * Polls until something accepts TCP connections on `host:port`, or `timeoutMs` passes, or
 * `shouldStop()` says so (e.g. the process exited). Resolves true when listening. Never rejects.
 */
export async function waitForPort(
  host: string,
  port: number,
  timeoutMs: number,
  shouldStop: () => boolean = () => false,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (shouldStop()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect({ host, port });
      const done = (v: boolean) => {
        sock.removeAllListeners();
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(Math.max(100, Math.min(1000, deadline - Date.now())));
      sock.once('connect', () => done(true));
      sock.once('error', () => done(false));
      sock.once('timeout', () => done(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

/** Host and port of an http(s) URL (default ports filled in); undefined for bad URLs. */
export function hostPortOf(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    const host = u.hostname.replace(/^\[|\]$/g, '') || 'localhost';
    return { host, port };
  } catch {
    return undefined;
  }
}
