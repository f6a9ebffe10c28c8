import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { MemorySink, SessionPool, serverConfig } from './helpers';

/**
 * A stateful Streamable HTTP server (the TypeScript SDK 1.32 server) that keeps its sessions in
 * memory, like most servers do; `forget()` drops them, as a restart or another replica would.
 */
async function statefulServer(): Promise<{
  url: string;
  forget(): void;
  initializes(): number;
  close(): Promise<void>;
}> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let inits = 0;
  const srv = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      void (async () => {
        const id = req.headers['mcp-session-id'];
        const body = text ? (JSON.parse(text) as { method?: string }) : undefined;
        let transport = typeof id === 'string' ? sessions.get(id) : undefined;
        if (!transport && body?.method === 'initialize') {
          inits++;
          const t = new StreamableHTTPServerTransport({
            sessionIdGenerator: () => randomUUID(),
            onsessioninitialized: (sid) => void sessions.set(sid, t),
          });
          const server = new McpServer({ name: 'notes', version: '1.0.0' });
          server.registerTool('count', { description: 'Counts' }, async () => ({
            content: [{ type: 'text', text: `${inits} sessions so far` }],
          }));
          await server.connect(t);
          transport = t;
        }
        if (!transport) {
          res
            .writeHead(404, { 'content-type': 'application/json' })
            .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
          return;
        }
        await transport.handleRequest(req, res, body);
      })();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/mcp`,
    forget: () => sessions.clear(),
    initializes: () => inits,
    close: () => {
      srv.closeAllConnections();
      return new Promise((r) => srv.close(() => r()));
    },
  };
}

describe('session: a Streamable HTTP server that loses the session', function () {
  this.timeout(20000);
  const pool = new SessionPool();
  afterEach(() => pool.cleanup());

  it('re-initializes after a 404 with Mcp-Session-Id, retries the call, and says so (MCP723)', async () => {
    const srv = await statefulServer();
    try {
      const sink = new MemorySink();
      const s = pool.create({ server: serverConfig('notes', { transport: 'http', url: srv.url }), trace: sink });
      await s.start();
      assert.equal(s.view().state.kind, 'running', JSON.stringify(s.view().findings));
      assert.equal(srv.initializes(), 1);
      srv.forget();
      const r = await s.callTool('count', {});
      assert.equal(r.ok, true, JSON.stringify(r.error));
      assert.match(JSON.stringify(r.result), /2 sessions so far/);
      assert.equal(s.view().state.kind, 'running');
      const f = s.view().findings.find((x) => x.code === 'MCP723');
      assert.ok(f, JSON.stringify(s.view().findings));
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /initialized a new session .* and sent `tools\/call` again/);
      assert.ok(sink.events.some((e) => /lost session .*initializing a new one/.test(e)));
      // The next call uses the new session.
      assert.equal((await s.callTool('count', {})).ok, true);
      assert.equal(srv.initializes(), 2);
    } finally {
      await srv.close();
    }
  });
});
