import type { ToolStats } from './types';

const KEEP = 1000;

/** Per-tool call counters and latency percentiles over the last 1000 calls. */
export class ToolStatsTracker {
  private readonly byTool = new Map<string, { calls: number; errors: number; lat: number[]; stats: ToolStats }>();

  record(tool: string, ms: number, error: boolean): ToolStats {
    let e = this.byTool.get(tool);
    if (!e) {
      e = { calls: 0, errors: 0, lat: [], stats: { calls: 0, errors: 0, p50: 0, p95: 0, max: 0 } };
      this.byTool.set(tool, e);
    }
    e.calls++;
    if (error) e.errors++;
    e.lat.push(ms);
    if (e.lat.length > KEEP) e.lat.shift();
    const sorted = [...e.lat].sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
    e.stats = { calls: e.calls, errors: e.errors, p50: pick(0.5), p95: pick(0.95), max: sorted[sorted.length - 1] };
    return e.stats;
  }

  get(tool: string): ToolStats | undefined {
    return this.byTool.get(tool)?.stats;
  }

  snapshot(): Map<string, ToolStats> {
    const m = new Map<string, ToolStats>();
    for (const [k, v] of this.byTool) m.set(k, { ...v.stats });
    return m;
  }

  clear(): void {
    this.byTool.clear();
  }
}
