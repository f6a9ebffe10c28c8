import type { Finding } from '../model';
import { Emitter, type Event } from '../util/event';

/**
 * The runtime findings of one session, keyed so that a repeated problem updates its finding
 * (`MCP717:<tool>` counts timeouts of one tool) instead of adding another.
 */
export class FindingSet {
  private readonly byKey = new Map<string, Finding>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;

  get(key: string): Finding | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  set(key: string, finding: Finding): void {
    this.byKey.set(key, finding);
    this.changed.fire();
  }

  /** Replaces every finding whose key starts with `prefix` by `entries`, with one change event. */
  replace(prefix: string, entries: Iterable<[string, Finding]>): void {
    for (const k of [...this.byKey.keys()]) if (k.startsWith(prefix)) this.byKey.delete(k);
    for (const [k, f] of entries) this.byKey.set(k, f);
    this.changed.fire();
  }

  /** How many keys start with `prefix`. */
  count(prefix: string): number {
    let n = 0;
    for (const k of this.byKey.keys()) if (k.startsWith(prefix)) n++;
    return n;
  }

  values(): Finding[] {
    return [...this.byKey.values()];
  }

  clear(): void {
    if (!this.byKey.size) return;
    this.byKey.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
