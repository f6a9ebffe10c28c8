import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import * as path from 'node:path';
import { FIXTURES, MemorySink, SERVER_EVERYTHING, SessionPool, freePort, isAlive, serverConfig } from './helpers';

describe('session: Streamable HTTP and SSE', function () {
  this.timeout(20000);
  const pool = new SessionPool();
  afterEach(() => pool.cleanup());

  it('fastmcp (TypeScript) over Streamable HTTP, started by command, with trace and progress', async () => {
    const port = await freePort();
    const sink = new MemorySink();
    const s = pool.create({
      server: serverConfig('fastmcp-http', {
        transport: 'http',
        command: 'node',
        args: [path.join(FIXTURES, 'fastmcp-http.mjs'), String(port)],
        url: `http://127.0.0.1:${port}/mcp`,
        headers: { 'X-Doctor': 'yes' },
      }),
      trace: sink,
    });
    await s.start();
    const v = s.view();
    assert.equal(v.state.kind, 'running', JSON.stringify(v.state) + JSON.stringify(v.findings));
    assert.deepEqual(v.tools.map((t) => t.name).sort(), ['add', 'countdown']);
    assert.equal(v.resources[0]?.uri, 'mem://motd');
    const r = await s.callTool('add', { a: 20, b: 22 });
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.match(JSON.stringify(r.result), /"42"/);
    const progress: number[] = [];
    const c = await s.callTool('countdown', { from: 4 }, { onProgress: (p) => progress.push(p.progress) });
    assert.equal(c.ok, true);
    assert.ok(progress.length >= 2, `progress ${progress}`);
    assert.ok(sink.messages.some((m) => m.dir === 'out' && m.msg.method === 'initialize'));
    assert.ok(sink.messages.some((m) => m.dir === 'in' && m.msg.result?.serverInfo));
    assert.ok(
      v.stderrTail.some((l) => l.includes('listening')),
      v.stderrTail.join('\n'),
    );
    const pid = v.pid!;
    await s.stop();
    assert.equal(isAlive(pid), false);
  });

  it('falls back to SSE when the Streamable HTTP POST gets a 4xx (server-everything sse)', async () => {
    const port = await freePort();
    const out: string[] = [];
    const s = pool.create({
      server: serverConfig('everything-sse', {
        transport: 'http',
        command: 'node',
        args: [SERVER_EVERYTHING, 'sse'],
        env: { PORT: String(port) },
        url: `http://127.0.0.1:${port}/sse`,
      }),
    });
    s.onOutput((e) => out.push(e.text));
    await s.start();
    assert.equal(s.view().state.kind, 'running', JSON.stringify(s.view().findings));
    assert.ok(
      out.some((l) => /falling back to SSE/.test(l)),
      out.join('\n'),
    );
    assert.ok(out.some((l) => /connected over SSE/.test(l)));
    const r = await s.callTool('echo', { message: 'over sse' });
    assert.equal(r.ok, true);
  });

  it('sends configured headers and reports HTTP 401 as MCP801 (sign-in required), the configured token rejected', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const srv = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const s = pool.create({
        server: serverConfig('auth', {
          transport: 'http',
          url: `http://127.0.0.1:${port}/mcp`,
          headers: { Authorization: 'Bearer sk-test-123' },
        }),
      });
      await s.start();
      assert.equal(s.view().state.kind, 'error');
      const f = s.view().findings.find((x) => x.code === 'MCP801');
      assert.ok(f, JSON.stringify(s.view().findings));
      assert.equal(f.data?.status, 401);
      assert.match(f.message, /rejects the `Authorization` header from the config/);
      assert.doesNotMatch(JSON.stringify(s.view()), /Nothing serves MCP|sk-test-123/);
      // A 401 asks for credentials: no SSE fallback may replace it with another status.
      assert.ok(seen.length >= 1 && seen.every((h) => h.authorization === 'Bearer sk-test-123'));
      assert.ok(
        seen.every((h) => h.accept !== 'text/event-stream'),
        'no SSE fallback after a 401',
      );
    } finally {
      srv.close();
    }
  });

  it('a 4xx from Streamable HTTP falls back to SSE with the headers, and keeps the first status', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const srv = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      if (req.method === 'POST') res.writeHead(405, { 'content-type': 'text/plain' }).end('use GET');
      else res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const s = pool.create({
        server: serverConfig('fallback', {
          transport: 'http',
          url: `http://127.0.0.1:${port}/mcp`,
          headers: { Authorization: 'Bearer sk-test-123' },
        }),
      });
      await s.start();
      assert.equal(s.view().state.kind, 'error');
      const f = s.view().findings.find((x) => x.code === 'MCP720');
      assert.ok(f, JSON.stringify(s.view().findings));
      assert.equal(f.data?.status, 405, 'the Streamable HTTP status decides');
      assert.equal(f.data?.fallbackStatus, 403);
      assert.match(f.message, /SSE transport.*HTTP 403/);
      // The Streamable HTTP POST and the SSE fallback GET both carry the configured header.
      assert.ok(seen.some((h) => h.accept === 'text/event-stream'));
      assert.ok(seen.every((h) => h.authorization === 'Bearer sk-test-123'));
    } finally {
      srv.close();
    }
  });

  it('a wrong path → MCP720 404 that names the path where the server answers', async () => {
    const port = await freePort();
    const s = pool.create({
      server: serverConfig('wrong-path', {
        transport: 'http',
        command: 'node',
        args: [path.join(FIXTURES, 'fastmcp-http.mjs'), String(port)],
        url: `http://127.0.0.1:${port}/api/mcp`,
      }),
    });
    await s.start();
    const f = s.view().findings.find((x) => x.code === 'MCP720');
    assert.ok(f, JSON.stringify(s.view().findings));
    assert.equal(f.data?.status, 404);
    assert.match(f.message, new RegExp(`answers at http://127\\.0\\.0\\.1:${port}/mcp \\(Streamable HTTP\\)`));
  });

  it('stop ends the Streamable HTTP session on the server (DELETE)', async () => {
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
    const { randomUUID } = await import('node:crypto');
    const closed: string[] = [];
    const transports = new Map<string, InstanceType<typeof StreamableHTTPServerTransport>>();
    const srv = http.createServer(async (req, res) => {
      const sid = req.headers['mcp-session-id'] as string | undefined;
      let t = sid ? transports.get(sid) : undefined;
      if (!t) {
        t = new StreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (id) => void transports.set(id, t!),
          onsessionclosed: (id) => void closed.push(id),
        });
        const mcp = new McpServer({ name: 'sdk-http', version: '1.0.0' });
        mcp.registerTool('hello', { description: 'Says hello.' }, async () => ({
          content: [{ type: 'text', text: 'hello' }],
        }));
        await mcp.connect(t);
      }
      await t.handleRequest(req, res);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const s = pool.create({
        server: serverConfig('sdk-http', { transport: 'http', url: `http://127.0.0.1:${port}/mcp` }),
      });
      await s.start();
      assert.equal(s.view().state.kind, 'running', JSON.stringify(s.view().findings));
      assert.equal((await s.callTool('hello', {})).ok, true);
      await s.stop();
      assert.equal(closed.length, 1);
      assert.ok(transports.has(closed[0]));
    } finally {
      srv.closeAllConnections();
      srv.close();
    }
  });

  it('reports an unreachable URL', async () => {
    const port = await freePort();
    const s = pool.create({ server: serverConfig('down', { transport: 'http', url: `http://127.0.0.1:${port}/mcp` }) });
    await s.start();
    const f = s.view().findings.find((x) => x.code === 'MCP721');
    assert.ok(f, JSON.stringify(s.view().findings));
    assert.equal(s.view().state.kind, 'error');
  });
});
