import type { Subject } from './diagnosis';
import { invalidUtf8, messageTooLarge } from './runDiagnosis';
import type { ConnectionEvents, ConnectionOptions } from './connectionTypes';
import type { WireTap } from './transports';

/**
 * What one start saw on the wire, kept as evidence for the handshake diagnosis: the `initialize`
 * exchange, stdout bytes and noise, invalid UTF-8, a closed stdout. Also the tap that feeds the
 * trace and the session's output while it watches.
 */
export class WireEvidence {
  initRequestId?: string | number;
  initResponse?: Record<string, unknown>;
  stdoutBytesSeen = false;
  noiseCount = 0;
  stdoutClosedSeen = false;
  private invalidUtf8Count = 0;
  private firstInvalidUtf8?: string;

  constructor(
    private readonly subject: Subject,
    private readonly opts: Pick<ConnectionOptions, 'trace' | 'maxLineBytes'>,
    private readonly events: Pick<ConnectionEvents, 'output' | 'noise' | 'invalid' | 'finding'>,
    /** True while the connection closes: what arrives then is neither output nor evidence. */
    private readonly closing: () => boolean,
  ) {}

  /** Forgets the handshake (a second start of the same connection, e.g. after an era probe). */
  resetHandshake(): void {
    this.initRequestId = undefined;
    this.initResponse = undefined;
    this.stdoutBytesSeen = false;
    this.noiseCount = 0;
    this.stdoutClosedSeen = false;
  }

  /** Forgets only the `initialize` exchange (an HTTP session initialized again). */
  resetInitialize(): void {
    this.initRequestId = undefined;
    this.initResponse = undefined;
  }

  tap(): WireTap {
    const trace = this.opts.trace;
    return {
      outgoing: (msg, ts, size) => {
        if (this.initRequestId === undefined && (msg as { method?: string }).method === 'initialize')
          this.initRequestId = (msg as { id: string | number }).id;
        trace.message('out', msg, ts, size);
      },
      incoming: (msg, ts, size) => {
        if (
          this.initResponse === undefined &&
          this.initRequestId !== undefined &&
          (msg as { id?: unknown }).id === this.initRequestId
        ) {
          const m = msg as { result?: Record<string, unknown>; error?: unknown };
          this.initResponse = m.result ?? { error: m.error };
        }
        trace.message('in', msg, ts, size);
      },
      noise: (line, ts) => {
        if (this.closing()) return;
        this.noiseCount++;
        trace.stdoutNoise(line, ts);
        this.events.output({ kind: 'stdout-noise', text: line, ts });
        this.events.noise(line);
      },
      invalid: (line, reason, ts) => {
        if (this.closing()) return;
        trace.stdoutNoise(line, ts);
        this.events.output({ kind: 'stdout-noise', text: line, ts });
        this.events.invalid(line, reason);
      },
      invalidUtf8: (line) => {
        if (this.closing()) return;
        this.invalidUtf8Count++;
        this.firstInvalidUtf8 ??= line;
        this.events.finding(invalidUtf8(this.subject, this.firstInvalidUtf8, this.invalidUtf8Count));
      },
      overflow: (bytes, head, id) => {
        if (this.closing()) return;
        this.events.finding(messageTooLarge(this.subject, bytes, this.opts.maxLineBytes, head, id));
      },
    };
  }
}
