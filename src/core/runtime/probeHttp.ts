import { VERSION } from '../version';

/**
 * When the configured MCP URL answers 404, look for the endpoint at the usual paths
 * (`/mcp`, `/mcp/`, `/sse`, `/`) so the finding can say where the server really is.
 */

const INIT_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 'mcp-doctor-probe',
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'mcp-doctor-probe', version: VERSION },
  },
});

export interface ProbeHit {
  url: string;
  transport: 'http' | 'sse';
}

async function probeOne(
  url: string,
  kind: 'http' | 'sse',
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<boolean> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res =
      kind === 'http'
        ? await fetch(url, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
            body: INIT_BODY,
            signal: ac.signal,
            redirect: 'manual',
          })
        : await fetch(url, {
            method: 'GET',
            headers: { ...headers, accept: 'text/event-stream' },
            signal: ac.signal,
            redirect: 'manual',
          });
    const type = res.headers.get('content-type') ?? '';
    const ok =
      res.ok &&
      (kind === 'sse'
        ? type.includes('text/event-stream')
        : type.includes('json') || type.includes('text/event-stream'));
    ac.abort(); // do not read (or keep open) the body
    return ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probes the usual MCP paths on the same origin (never another host). Note: a successful POST
 * `initialize` may create a server-side session that is then abandoned; stateful servers expire them.
 */
export async function probeMcpPaths(
  configured: string,
  headers: Record<string, string> = {},
  timeoutMs = 2000,
): Promise<ProbeHit[]> {
  let base: URL;
  try {
    base = new URL(configured);
  } catch {
    return [];
  }
  const candidates: ProbeHit[] = [
    { url: new URL('/mcp', base).href, transport: 'http' as const },
    { url: new URL('/mcp/', base).href, transport: 'http' as const },
    { url: new URL('/sse', base).href, transport: 'sse' as const },
    { url: new URL('/', base).href, transport: 'http' as const },
  ].filter((c) => c.url !== base.href);
  const hits: ProbeHit[] = [];
  for (const c of candidates) if (await probeOne(c.url, c.transport, headers, timeoutMs)) hits.push(c);
  return hits;
}
