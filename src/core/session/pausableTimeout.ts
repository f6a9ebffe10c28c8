import type { Disposable } from '../util/event';
import { timeoutError } from './sdk';
import type { TimeoutPause } from './timeoutPause';

/** The longest timer Node accepts (a longer one fires at once): "no SDK timeout". */
const NO_SDK_TIMEOUT = 2_147_483_647;

/**
 * The time budget of one request or handshake. Without a pause it is the SDK's own timeout
 * (`sdkTimeout` is the budget, `signal` the caller's). With a pause, the SDK gets no timeout
 * and this deadline keeps time itself, stopping the clock while the pause is held; when the
 * budget runs out it aborts `signal` with the SDK's own timeout error, so the request fails
 * exactly as an SDK timeout does (the server is sent `notifications/cancelled`).
 */
export interface Deadline {
  /** The `timeout` to give the SDK. */
  readonly sdkTimeout: number;
  /** The `signal` to give the SDK: the caller's, joined with the deadline's own when it keeps time. */
  readonly signal: AbortSignal | undefined;
  /** The budget ran out (only a deadline that keeps time sets it). */
  readonly expired: boolean;
  /**
   * Rejects with the timeout error when the budget runs out; never settles otherwise. Race it
   * with work the signal cannot stop (the SDK's era probe takes no signal).
   */
  readonly expiry: Promise<never>;
  /** Starts the budget again (progress arrived), within `maxTotalMs` of unpaused time. */
  reset(): void;
  /** Stops the clock and forgets the caller's signal. */
  dispose(): void;
}

export function startDeadline(
  budgetMs: number,
  pause: TimeoutPause | undefined,
  outer?: AbortSignal,
  maxTotalMs?: number,
): Deadline {
  if (!pause) {
    return {
      sdkTimeout: budgetMs,
      signal: outer,
      expired: false,
      expiry: NEVER,
      reset: () => undefined,
      dispose: () => undefined,
    };
  }
  return new PausableDeadline(budgetMs, pause, outer, maxTotalMs);
}

/** A promise that never settles. */
const NEVER: Promise<never> = new Promise<never>(() => undefined);

/**
 * How long the SDK's era probe (`server/discover`) may take before the server counts as
 * 2025-era: the whole startup time. Under the debugger a start is slow (a debuggee imports
 * slower, and may stop at a breakpoint) and a timed-out probe would fall back to a handshake
 * the server then rejects, so the probe is not timed there: the start's own pausable deadline
 * (raced with `Deadline.expiry`) bounds it.
 */
export function probeTimeoutMs(startupTimeoutMs: number, pause: TimeoutPause | undefined): number {
  return pause ? NO_SDK_TIMEOUT : startupTimeoutMs;
}

class PausableDeadline implements Deadline {
  readonly sdkTimeout = NO_SDK_TIMEOUT;
  readonly expiry: Promise<never>;
  private rejectExpiry!: (err: Error) => void;
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Unpaused time left of the current budget, as of `since` (or now while paused). */
  private left: number;
  /** Unpaused time used since the start, as of `since`. */
  private used = 0;
  private since = 0;
  private done = false;
  private readonly subscriptions: Disposable[] = [];
  private readonly onOuterAbort = () => this.controller.abort(this.outer?.reason);

  constructor(
    private readonly budgetMs: number,
    pause: TimeoutPause,
    private readonly outer: AbortSignal | undefined,
    private readonly maxTotalMs: number | undefined,
  ) {
    this.left = budgetMs;
    this.expiry = new Promise<never>((_, reject) => (this.rejectExpiry = reject));
    this.expiry.catch(() => undefined); // raced by callers; never an unhandled rejection
    if (outer?.aborted) this.controller.abort(outer.reason);
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.subscriptions.push(pause.onDidChange((paused) => (paused ? this.stopClock() : this.startClock())));
    if (!pause.paused) this.startClock();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.done;
  }

  reset(): void {
    if (this.done) return;
    const running = this.timer !== undefined;
    this.stopClock();
    this.left = this.budgetMs;
    if (this.maxTotalMs !== undefined) this.left = Math.min(this.left, Math.max(0, this.maxTotalMs - this.used));
    if (running) this.startClock();
  }

  dispose(): void {
    this.stopClock();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }

  private startClock(): void {
    if (this.done || this.timer !== undefined || this.controller.signal.aborted) return;
    this.since = performance.now();
    this.timer = setTimeout(() => this.expire(), this.left);
  }

  private stopClock(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const spent = performance.now() - this.since;
    this.left = Math.max(0, this.left - spent);
    this.used += spent;
  }

  private expire(): void {
    this.timer = undefined;
    this.done = true;
    const err = timeoutError(this.budgetMs);
    this.controller.abort(err);
    this.rejectExpiry(err);
  }
}
