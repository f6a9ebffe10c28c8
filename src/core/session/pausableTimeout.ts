import { Emitter, type Disposable } from '../util/event';
import { timeoutError } from './sdk';

/**
 * The hold a debugger has on a session's clocks. While any hold is taken (the debuggee waits
 * for the debugger to attach, or stops at a breakpoint), no call or startup timeout counts
 * down: time spent paused is not time the server took. Holds are named, so the two reasons
 * (`attaching`, `stopped`) never release each other.
 */
export class TimeoutPause {
  private readonly holds = new Set<string>();
  private readonly changed = new Emitter<boolean>();
  /** Fires with `paused` whenever it flips. */
  readonly onDidChange = this.changed.event;

  get paused(): boolean {
    return this.holds.size > 0;
  }

  hold(reason: string): void {
    const was = this.paused;
    this.holds.add(reason);
    if (!was) this.changed.fire(true);
  }

  release(reason: string): void {
    if (!this.holds.delete(reason) || this.paused) return;
    this.changed.fire(false);
  }

  /** Releases every hold (the debugger is gone). */
  releaseAll(): void {
    if (!this.paused) return;
    this.holds.clear();
    this.changed.fire(false);
  }
}

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
      reset: () => undefined,
      dispose: () => undefined,
    };
  }
  return new PausableDeadline(budgetMs, pause, outer, maxTotalMs);
}

class PausableDeadline implements Deadline {
  readonly sdkTimeout = NO_SDK_TIMEOUT;
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
    this.controller.abort(timeoutError(this.budgetMs));
  }
}
