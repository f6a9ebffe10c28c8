import { now } from '../trace/types';
import type { ConnectionEvents } from './connectionTypes';
import type { JSONRPCMessage } from './sdk';

type LogParams = { level: string; logger?: string; data?: unknown };

/**
 * Where server notifications go: MCP log messages to the terminal, the rest to the session.
 * On stdio, notifications can skip the SDK's message classification (a fast path for servers
 * that flood `notifications/message`).
 */
export class NotificationRouter {
  constructor(private readonly events: Pick<ConnectionEvents, 'output' | 'notification'>) {}

  /**
   * Stdio fast path (see `ProcessStdioTransport.onNotification`): log messages are handled here;
   * the others go straight to the SDK's notification dispatch when it has one. False: not handled.
   */
  fast(n: JSONRPCMessage & { method: string }, dispatch: ((n: JSONRPCMessage) => void) | undefined): boolean {
    if (n.method === 'notifications/message') {
      const p = (n as { params?: unknown }).params as { level?: unknown; logger?: unknown } | undefined;
      if (
        !p ||
        typeof p !== 'object' ||
        typeof p.level !== 'string' ||
        (p.logger !== undefined && typeof p.logger !== 'string')
      )
        return false;
      this.log(p as LogParams);
      return true;
    }
    if (!dispatch) return false;
    dispatch(n);
    return true;
  }

  /** A notification the SDK did not handle itself. */
  route(method: string, params: unknown): void {
    if (method === 'notifications/message' && params && typeof params === 'object') this.log(params as LogParams);
    else this.events.notification(method, params);
  }

  private log({ level, logger, data }: LogParams): void {
    let text: string;
    if (typeof data === 'string') text = data;
    else {
      try {
        text = JSON.stringify(data);
      } catch {
        text = String(data);
      }
    }
    this.events.output({ kind: 'log', level, text: logger ? `${logger}: ${text}` : text, ts: now() });
  }
}
