import { ToolStatsAccumulator } from '../trace/stats';
import type { ToolStats } from './types';

/** Latencies kept per tool for the percentiles. */
const KEEP = 1000;

/**
 * Per-tool call counters and latency percentiles over the last 1000 calls of a session. Recording
 * a call is O(1); percentiles are sorted only when asked for (once per change).
 */
export class ToolStatsTracker {
  private readonly byTool = new Map<string, ToolStatsAccumulator>();

  record(tool: string, ms: number, error: boolean): void {
    let acc = this.byTool.get(tool);
    if (!acc) this.byTool.set(tool, (acc = new ToolStatsAccumulator(tool, KEEP)));
    acc.add(ms, error);
  }

  get(tool: string): ToolStats | undefined {
    const acc = this.byTool.get(tool);
    return acc && pick(acc);
  }

  snapshot(): Map<string, ToolStats> {
    const m = new Map<string, ToolStats>();
    for (const [k, acc] of this.byTool) m.set(k, pick(acc));
    return m;
  }

  clear(): void {
    this.byTool.clear();
  }
}

function pick(acc: ToolStatsAccumulator): ToolStats {
  const { calls, errors, p50, p95, max } = acc.snapshot();
  return { calls, errors, p50, p95, max };
}
