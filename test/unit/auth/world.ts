/**
 * A real OAuth world on loopback for the sign-in tests: oidc-provider (an OpenID Certified
 * authorization server) in front of a real MCP server built with the TypeScript SDK 1.32 server
 * (`McpServer`, Streamable HTTP, `requireBearerAuth`) that verifies JWT access tokens against the
 * authorization server's keys, issuer and audience. Each option misconfigures one part the way
 * real deployments get it wrong. Shared by the unit tests and the VS Code integration test.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';

/** oidc-provider ships no types; it is loaded by name. */
const OIDC_PROVIDER = 'oidc-provider';

export interface WorldOptions {
  /** `auto`: the authorization server approves at once (headless sign-in); `form`: login and consent pages. */
  interaction?: 'auto' | 'form';
  /** Dynamic client registration: open, behind an initial access token (rejects MCP Doctor), or off. */
  registration?: 'open' | 'initial-access-token' | 'off';
  /** Static clients of the authorization server (pre-registered client ids). */
  clients?: Record<string, unknown>[];
  /** The audience put in access tokens (default: the resource asked for). */
  audience?: string;
  /** Scopes the authorization server can grant for the MCP server. */
  grantable?: string[];
  /** A scope `tools/call` needs (403 insufficient_scope without it). */
  callScope?: string;
  /** Protected resource metadata: served normally, not at all (and no `resource_metadata` in the 401), or naming another resource. */
  prm?: 'normal' | 'none' | { resource: string };
  /** The MCP server verifies tokens with keys of its own instead of the authorization server's. */
  wrongKeys?: boolean;
  /** Access token lifetime in seconds (default 600): short to exercise refresh. */
  accessTokenTtl?: number;
  /** The user declines at the consent step (`access_denied`). */
  deny?: boolean;
  /** Rewrites the authorization server metadata (a gateway in front of it). */
  rewriteMetadata?: (m: Record<string, unknown>) => Record<string, unknown>;
}

export interface World {
  asUrl: string;
  mcpUrl: string;
  /** Tokens the MCP server received (for the secret checks). */
  tokensSeen: string[];
  /** Codes, PKCE verifiers, client secrets and tokens the authorization server handled. */
  secretsSeen: string[];
  stop(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function stopServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const asServer = http.createServer();
  const mcpServer = http.createServer();
  const asPort = await listen(asServer);
  const mcpPort = await listen(mcpServer);
  const asUrl = `http://127.0.0.1:${asPort}`;
  const mcpUrl = `http://127.0.0.1:${mcpPort}/mcp`;
  const grantable = o.grantable ?? ['mcp:tools'];
  const tokensSeen: string[] = [];
  const secretsSeen: string[] = [];

  // ---- the authorization server
  const { default: Provider } = (await import(OIDC_PROVIDER)) as {
    default: new (issuer: string, config: Record<string, unknown>) => any;
  };
  const provider = new Provider(asUrl, {
    clients: o.clients ?? [],
    clientDefaults: {
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    scopes: ['openid', 'offline_access', ...grantable],
    features: {
      devInteractions: { enabled: o.interaction === 'form' },
      registration: {
        enabled: o.registration !== 'off',
        ...(o.registration === 'initial-access-token' ? { initialAccessToken: 'only-for-known-clients' } : {}),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => mcpUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: grantable.join(' '),
          audience: o.audience ?? mcpUrl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ...(o.interaction === 'form'
      ? {}
      : { interactions: { url: (_ctx: unknown, i: { uid: string }) => `/approve/${i.uid}` } }),
    pkce: { required: () => true },
    ttl: {
      AccessToken: o.accessTokenTtl ?? 600,
      AuthorizationCode: 60,
      Grant: 600,
      Interaction: 600,
      Session: 600,
      RefreshToken: 600,
    },
  });
  provider.proxy = false;
  provider.on?.('server_error', () => undefined);
  if (o.interaction !== 'form')
    provider.use(async (ctx: any, next: () => Promise<void>) => {
      if (!ctx.path.startsWith('/approve/')) return next();
      // Approves at once: the user is signed in and grants what the client asked for.
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (o.deny) {
        const to = await provider.interactionResult(ctx.req, ctx.res, {
          error: 'access_denied',
          error_description: 'the user declined',
        });
        ctx.redirect(to);
        return;
      }
      const params = details.params as Record<string, string>;
      const grant = new provider.Grant({ accountId: 'tester', clientId: params.client_id });
      const requested = (params.scope ?? '').split(' ');
      grant.addOIDCScope(
        ['openid', ...requested.filter((s) => s === 'offline_access' || grantable.includes(s))].join(' '),
      );
      const asked = requested.filter((s: string) => grantable.includes(s));
      grant.addResourceScope(params.resource ?? mcpUrl, asked.join(' '));
      const grantId = await grant.save();
      const to = await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: 'tester' }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      ctx.redirect(to);
    });
  if (o.rewriteMetadata)
    provider.use(async (ctx: any, next: () => Promise<void>) => {
      await next();
      if (ctx.path.startsWith('/.well-known/') && ctx.body && typeof ctx.body === 'object')
        ctx.body = o.rewriteMetadata!(ctx.body as Record<string, unknown>);
    });
  provider.on('grant.success', (ctx: any) => {
    const p = ctx.oidc?.params ?? {};
    for (const k of ['code', 'code_verifier', 'refresh_token', 'client_secret'])
      if (typeof p[k] === 'string') secretsSeen.push(p[k]);
    for (const k of ['access_token', 'refresh_token', 'id_token'])
      if (typeof ctx.body?.[k] === 'string') secretsSeen.push(ctx.body[k]);
  });
  provider.on('registration_create.success', (_ctx: any, client: any) => {
    if (client?.clientSecret) secretsSeen.push(client.clientSecret);
  });
  asServer.on('request', provider.callback());

  // ---- the MCP server
  const jwks = o.wrongKeys
    ? createLocalJWKSet({ keys: [{ ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), alg: 'RS256' }] })
    : createRemoteJWKSet(new URL(`${asUrl}/jwks`));
  const prmUrl = `http://127.0.0.1:${mcpPort}/.well-known/oauth-protected-resource/mcp`;
  const prm = {
    resource: typeof o.prm === 'object' ? o.prm.resource : mcpUrl,
    authorization_servers: [asUrl],
    scopes_supported: grantable,
  };
  const challenge = (error: string) =>
    `Bearer error="${error}"${o.prm === 'none' ? '' : `, resource_metadata="${prmUrl}"`}`;
  const verify = async (header: string | undefined): Promise<AuthInfo | undefined> => {
    const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    if (!token) return undefined;
    tokensSeen.push(token);
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: asUrl, audience: mcpUrl });
      const scope = (payload as { scope?: unknown }).scope;
      return {
        token,
        clientId: String((payload as { client_id?: unknown }).client_id ?? ''),
        scopes: typeof scope === 'string' ? scope.split(' ') : [],
        expiresAt: payload.exp,
      };
    } catch {
      return undefined;
    }
  };
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  mcpServer.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${mcpPort}`);
    if (req.method === 'GET' && url.pathname === '/.well-known/oauth-protected-resource/mcp' && o.prm !== 'none')
      return json(res, 200, prm);
    // Like most real servers, only POST is routed: the SSE GET of a client falls through to 404.
    if (req.method !== 'POST' || url.pathname !== '/mcp') return json(res, 404, { error: 'not_found' });
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      void (async () => {
        const auth = await verify(req.headers.authorization);
        if (!auth)
          return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': challenge('invalid_token') });
        let body: { method?: string } | undefined;
        try {
          body = JSON.parse(text) as { method?: string };
        } catch {
          return json(res, 400, { error: 'bad json' });
        }
        if (o.callScope && body?.method === 'tools/call' && !auth.scopes.includes(o.callScope))
          return json(
            res,
            403,
            { error: 'insufficient_scope' },
            {
              'www-authenticate': `Bearer error="insufficient_scope", scope="${[...grantable, o.callScope].join(' ')}"${o.prm === 'none' ? '' : `, resource_metadata="${prmUrl}"`}`,
            },
          );
        const server = new McpServer({ name: 'protected-notes', version: '1.0.0' });
        server.registerTool('whoami', { description: 'Who the token belongs to' }, async () => ({
          content: [{ type: 'text', text: `client ${auth.clientId} with scopes ${auth.scopes.join(' ')}` }],
        }));
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        res.on('close', () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        (req as http.IncomingMessage & { auth?: AuthInfo }).auth = auth;
        await transport.handleRequest(req, res, body);
      })();
    });
  });

  return {
    asUrl,
    mcpUrl,
    tokensSeen,
    secretsSeen,
    async stop() {
      await Promise.all([stopServer(asServer), stopServer(mcpServer)]);
    },
  };
}
