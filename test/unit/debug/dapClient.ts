import * as net from 'node:net';
import type { DapMessage } from '../../../src/core/debug/dap';
import { waitFor } from '../../waitFor';

/**
 * A small Debug Adapter Protocol client over TCP, the part of VS Code the unit tests stand in
 * for: it connects to debugpy's own adapter (what `--listen` starts), and records every message
 * in both directions so tests can feed them to `DebuggeeState` as a tracker would.
 */
export class DapClient {
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, (msg: DapMessage) => void>();
  readonly events: DapMessage[] = [];
  /** Every message, in order: `[direction, message]` (`out` = client to adapter). */
  readonly log: ['out' | 'in', DapMessage][] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
  }

  /** Connects once something listens on the port (debugpy starts its adapter first). */
  static async connect(port: number, timeoutMs = 20000): Promise<DapClient> {
    const socket = await waitFor(
      () =>
        new Promise<net.Socket | undefined>((resolve) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', () => {
            s.destroy();
            resolve(undefined);
          });
        }),
      `the debug adapter on port ${port}`,
      timeoutMs,
    );
    return new DapClient(socket);
  }

  request<T = Record<string, unknown>>(command: string, args: unknown = {}): Promise<DapMessage & { body: T }> {
    const msg: DapMessage = { seq: this.seq++, type: 'request', command, arguments: args };
    this.log.push(['out', msg]);
    const data = Buffer.from(JSON.stringify(msg), 'utf8');
    this.socket.write(`Content-Length: ${data.length}\r\n\r\n`);
    this.socket.write(data);
    return new Promise((resolve) => this.waiting.set(msg.seq!, resolve as (m: DapMessage) => void));
  }

  /** Resolves with the first event of that name after `from` events were seen. */
  event(name: string, from = 0, timeoutMs = 20000): Promise<DapMessage> {
    return waitFor(() => this.events.slice(from).find((e) => e.event === name), `a DAP "${name}" event`, timeoutMs);
  }

  /** The attach sequence VS Code runs: initialize, attach, breakpoints, configurationDone. */
  async attach(breakpoints: { path: string; line: number }[]): Promise<number[]> {
    await this.request('initialize', {
      adapterID: 'debugpy',
      clientID: 'mcp-doctor-tests',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
    });
    const attached = this.request('attach', { justMyCode: true });
    await this.event('initialized');
    const lines: number[] = [];
    const byFile = new Map<string, number[]>();
    for (const b of breakpoints) byFile.set(b.path, [...(byFile.get(b.path) ?? []), b.line]);
    for (const [file, fileLines] of byFile) {
      const r = await this.request<{ breakpoints: { line?: number; verified: boolean }[] }>('setBreakpoints', {
        source: { path: file },
        breakpoints: fileLines.map((line) => ({ line })),
      });
      lines.push(...r.body.breakpoints.map((b) => b.line ?? -1));
    }
    await this.request('configurationDone');
    await attached;
    return lines;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString('ascii'));
      if (!m) throw new Error('a DAP message without Content-Length');
      const end = head + 4 + Number(m[1]);
      if (this.buffer.length < end) return;
      const msg = JSON.parse(this.buffer.subarray(head + 4, end).toString('utf8')) as DapMessage;
      this.buffer = this.buffer.subarray(end);
      this.log.push(['in', msg]);
      if (msg.type === 'response') this.waiting.get(msg.request_seq!)?.(msg);
      else if (msg.type === 'event') this.events.push(msg);
    }
  }
}
