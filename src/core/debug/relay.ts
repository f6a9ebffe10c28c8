import * as net from 'node:net';
import { DEBUG_HOST } from './launchPlan';

export interface RelayOptions {
  /** How long to keep trying to reach the target for one client (ms). */
  connectTimeoutMs: number;
  /** Stop trying early (the server process is gone). */
  giveUp?: () => boolean;
  retryMs?: number;
}

/**
 * A loopback TCP relay in front of debugpy's adapter port. debugpy (`--listen`) accepts exactly
 * one client, so its port must not be probed to see whether it listens yet: the relay listens at
 * once, and when VS Code connects it connects to debugpy, retrying while debugpy is not
 * listening (a refused connection never reaches debugpy), then pipes both ways. What VS Code
 * sends meanwhile is held. One relay serves each attach of a debug start in turn.
 */
export class DebugRelay {
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly targetPort: number,
    private readonly opts: RelayOptions,
  ) {
    server.on('connection', (client) => void this.relay(client));
  }

  static start(targetPort: number, opts: RelayOptions): Promise<DebugRelay> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ pauseOnConnect: true });
      server.once('error', reject);
      server.listen(0, DEBUG_HOST, () => {
        server.off('error', reject);
        resolve(new DebugRelay(server, (server.address() as net.AddressInfo).port, targetPort, opts));
      });
    });
  }

  private async relay(client: net.Socket): Promise<void> {
    this.track(client);
    const target = await this.reach(() => client.destroyed);
    if (!target || client.destroyed) {
      target?.destroy();
      client.destroy();
      return;
    }
    this.track(target);
    client.pipe(target);
    target.pipe(client);
    const end = () => {
      client.destroy();
      target.destroy();
    };
    client.on('close', end).on('error', end);
    target.on('close', end).on('error', end);
    client.resume();
  }

  /** Connects to the target, retrying while nothing listens there. */
  private async reach(clientGone: () => boolean): Promise<net.Socket | undefined> {
    const deadline = Date.now() + this.opts.connectTimeoutMs;
    while (!this.closed && !clientGone() && !this.opts.giveUp?.() && Date.now() < deadline) {
      const socket = await new Promise<net.Socket | undefined>((resolve) => {
        const s = net.connect({ host: DEBUG_HOST, port: this.targetPort });
        s.once('connect', () => {
          s.removeAllListeners('error');
          resolve(s);
        });
        s.once('error', () => {
          s.destroy();
          resolve(undefined);
        });
      });
      if (socket) return socket;
      await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 50));
    }
    return undefined;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Stops listening and drops every connection. */
  dispose(): void {
    this.closed = true;
    this.server.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}
