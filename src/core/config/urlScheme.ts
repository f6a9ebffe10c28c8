/**
 * A server URL without `http://` or `https://` (`localhost:8000/mcp`, `127.0.0.1:8000/mcp`,
 * `example.com/mcp`): `new URL()` reads `localhost:` as the scheme, and the fetch that follows
 * fails with "unknown scheme". Used by the config check (MCP080) and before a launch.
 */

/** The URL a client can use, when `url` lacks its scheme; undefined when it has one (or is a variable). */
export function missingScheme(url: string): { suggested: string; secure: boolean } | undefined {
  const u = url.trim();
  if (u === '' || u.startsWith('${') || u.startsWith('$')) return undefined;
  if (/^https?:\/\//i.test(u)) return undefined;
  // Another scheme written out (ws://, file://): not a missing one.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) return undefined;
  const host = /^\[[^\]]*\]|^[^:/?#]*/.exec(u)?.[0] ?? '';
  const local = /^(localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|host\.docker\.internal)$/i.test(host);
  const scheme = local ? 'http://' : 'https://';
  return { suggested: scheme + u.replace(/^\/+/, ''), secure: !local };
}
