import * as net from 'node:net';
import * as path from 'node:path';
import type { ServerConfig } from '../../../src/core/config/types';
import { processAlive } from '../../../src/core/process/managedProcess';
import { McpSession, type SessionOptions } from '../../../src/core/session/mcpSession';
import type { TraceSink } from '../../../src/core/trace/types';

const REPO = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(REPO, 'test/fixtures/servers');
export const SERVER_EVERYTHING = path.join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const SERVER_MEMORY = path.join(REPO, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
const CONFIG_FILE = path.join(FIXTURES, 'mcp.json');

/** A resolved stdio/http server config as the config engine would produce it. */
export function serverConfig(name: string, over: Partial<ServerConfig>): ServerConfig {
  return {
    id: `vscode:${CONFIG_FILE}#${name}`,
    name,
    client: 'vscode',
    file: CONFIG_FILE,
    scope: 'workspace',
    range: { start: { line: 3, character: 4 }, end: { line: 3, character: 4 + name.length + 2 } },
    transport: over.url && !over.command ? 'http' : 'stdio',
    disabled: false,
    unresolved: [],
    raw: {},
    ...over,
  };
}

export function pyServer(file: string, over: Partial<ServerConfig> = {}): ServerConfig {
  // No __pycache__ next to the fixtures.
  const env = { PYTHONDONTWRITEBYTECODE: '1', ...(over.env ?? {}) };
  return serverConfig(path.basename(file, '.py'), {
    command: 'python3',
    args: [path.join(FIXTURES, file)],
    cwd: FIXTURES,
    ...over,
    env,
  });
}

/** Sessions created by a test; `cleanup()` in afterEach stops them all. */
export class SessionPool {
  private sessions: McpSession[] = [];

  create(opts: Partial<SessionOptions> & { server: ServerConfig }): McpSession {
    const s = new McpSession({
      workspaceFolder: FIXTURES,
      stopGraceMs: 500,
      startupTimeoutMs: 10000,
      requestTimeoutMs: 10000,
      healthIntervalMs: 0,
      ...opts,
    });
    this.sessions.push(s);
    return s;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.sessions.splice(0).map((s) => s.dispose()));
  }
}

/** A trace sink that keeps everything in memory (the real recorder is another area's). */
export class MemorySink implements TraceSink {
  messages: { dir: 'out' | 'in'; msg: any; ts: number; size?: number }[] = [];
  stderrLines: string[] = [];
  noise: string[] = [];
  events: string[] = [];
  message(dir: 'out' | 'in', msg: unknown, ts: number, size?: number): void {
    this.messages.push({ dir, msg, ts, size });
  }
  stderr(line: string): void {
    this.stderrLines.push(line);
  }
  stdoutNoise(line: string): void {
    this.noise.push(line);
  }
  lifecycle(text: string): void {
    this.events.push(text);
  }
}

/** `process.kill(pid, 0)` succeeds, and the process is not a zombie (this container's PID 1 does not reap). */
export function isAlive(pid: number): boolean {
  return processAlive(pid);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
