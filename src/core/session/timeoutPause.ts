import { Emitter } from '../util/event';

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
