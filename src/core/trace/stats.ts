import { LATENCY_BUCKETS_MS, type TraceToolStats } from './types';

/** Latencies kept per tool for percentiles (the most recent ones; counts and max cover all calls). */
const WINDOW = 4096;

/**
 * Running statistics of one tool: O(1) per call; percentiles are computed on demand (a sort of
 * the window) and cached until the next call, so a caller polling snapshots pays nothing extra.
 */
export class ToolStatsAccumulator {
  calls = 0;
  errors = 0;
  max = 0;
  readonly histogram = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private readonly window: Float64Array;
  private filled = 0;
  private next = 0;
  private cached?: TraceToolStats;

  /** `windowSize`: how many of the most recent latencies the percentiles cover. */
  constructor(
    readonly tool: string,
    windowSize = WINDOW,
  ) {
    this.window = new Float64Array(windowSize);
  }

  add(latencyMs: number, failed: boolean): void {
    this.calls++;
    if (failed) this.errors++;
    if (latencyMs > this.max) this.max = latencyMs;
    this.histogram[bucketOf(latencyMs)]++;
    this.window[this.next] = latencyMs;
    this.next = (this.next + 1) % this.window.length;
    if (this.filled < this.window.length) this.filled++;
    this.cached = undefined;
  }

  /** The statistics now (a fresh object each time: callers may keep or change it). */
  snapshot(): TraceToolStats {
    const s = (this.cached ??= this.compute());
    return { ...s, histogram: [...s.histogram] };
  }

  private compute(): TraceToolStats {
    const sorted = this.window.slice(0, this.filled).sort();
    return {
      tool: this.tool,
      calls: this.calls,
      errors: this.errors,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      max: this.max,
      histogram: [...this.histogram],
    };
  }
}

/** Index of the histogram bucket for a latency. */
function bucketOf(latencyMs: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) if (latencyMs <= LATENCY_BUCKETS_MS[i]) return i;
  return LATENCY_BUCKETS_MS.length;
}

/** Nearest-rank percentile of an ascending array (0 when empty). */
function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}
