/**
 * What a Codex server entry (config.toml) holds beyond the common shape: variables forwarded from
 * the environment (`env_vars`, `bearer_token_env_var`, `env_http_headers`) and the keys Codex
 * rejects on the wrong transport.
 */
import type { Finding, Range } from '../model';
import type { CheckContext } from './checks';
import { finding } from './findings';
import type { NormalizedEntry } from './normalize';
import { prop, type PNode } from './pnode';

/** Applies the Codex-only keys of one server entry to its normalized server and checks them. */
export function codexExtras(e: NormalizedEntry, node: PNode, ctx: CheckContext) {
  const { server } = e;
  const f = (code: string, sev: Finding['severity'], msg: string, range: Range) =>
    ctx.findings.push(finding(code, sev, msg, ctx.file, range, { server: server.name }));
  if (node.kind !== 'object') return;
  const fwd = prop(node, 'env_vars');
  if (fwd?.kind === 'array') {
    for (const item of fwd.items ?? []) {
      if (typeof item.value !== 'string') continue;
      server.env = { ...(server.env ?? {}), [item.value]: `\${env:${item.value}}` };
      if (ctx.vars.env[item.value] === undefined)
        f(
          'MCP050',
          'warning',
          `Server "${server.name}": env_vars forwards ${item.value}, which is not set in the environment; the server will not receive it.`,
          fwd.range,
        );
    }
  }
  const bearer = prop(node, 'bearer_token_env_var');
  if (typeof bearer?.value === 'string') {
    server.headers = { ...(server.headers ?? {}), Authorization: `Bearer \${env:${bearer.value}}` };
    if (ctx.vars.env[bearer.value] === undefined)
      f(
        'MCP050',
        'warning',
        `Server "${server.name}": bearer_token_env_var names ${bearer.value}, which is not set; Codex sends no token and the server will answer 401.`,
        bearer.range,
      );
  }
  const envHeaders = prop(node, 'env_http_headers');
  for (const [h, v] of envHeaders?.props ?? []) {
    if (typeof v.value === 'string') server.headers = { ...(server.headers ?? {}), [h]: `\${env:${v.value}}` };
  }
  // Codex validates transports strictly.
  const stdioOnly = ['args', 'env', 'env_vars', 'cwd'];
  const httpOnly = ['bearer_token_env_var', 'http_headers', 'env_http_headers'];
  const bad = server.transport === 'stdio' ? httpOnly : server.transport === 'http' ? stdioOnly : [];
  for (const k of bad) {
    const n = prop(node, k);
    if (n)
      f(
        'MCP032',
        'error',
        `Server "${server.name}": Codex rejects "${k}" on a ${server.transport === 'stdio' ? 'stdio (command)' : 'streamable HTTP (url)'} server ("${k} is not supported"). Remove it.`,
        n.keyRange ?? n.range,
      );
  }
}
