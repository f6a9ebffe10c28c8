import * as fs from 'node:fs';

/** One health sample of a process. */
export interface HealthSample {
  ts: number;
  rssBytes: number;
  fds: number;
}

/**
 * Reads RSS (`VmRSS` in `/proc/<pid>/status`) and the number of open fds (`/proc/<pid>/fd`).
 * Linux only; returns undefined elsewhere or when the process is gone. Never throws.
 */
export function sampleHealth(pid: number, procRoot = '/proc'): HealthSample | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const status = fs.readFileSync(`${procRoot}/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(status);
    if (!m) return undefined; // zombie or kernel thread
    let fds = -1;
    try {
      fds = fs.readdirSync(`${procRoot}/${pid}/fd`).length;
    } catch {
      // Not our process or already gone: RSS is still useful.
    }
    return { ts: Date.now(), rssBytes: Number(m[1]) * 1024, fds };
  } catch {
    return undefined;
  }
}

/** What `detectMemoryGrowth` found. */
export interface GrowthVerdict {
  growing: boolean;
  /** Least-squares slope in bytes per second over the window. */
  bytesPerSecond: number;
  /** RSS growth from the first to the last sample of the window. */
  totalBytes: number;
  /** Fraction of steps that did not decrease. */
  monotonicShare: number;
  windowSeconds: number;
}

/**
 * Steady-growth detector: over the last `window` samples, RSS must rise in (almost) every step,
 * by at least `minTotalBytes` and 25 % overall, with a positive least-squares slope. One-off jumps
 * (a cache filling once) fail the monotonic test; noise fails the total.
 */
export function detectMemoryGrowth(
  samples: readonly HealthSample[],
  opts: { window?: number; minTotalBytes?: number; minMonotonicShare?: number } = {},
): GrowthVerdict {
  const window = opts.window ?? 12;
  const minTotal = opts.minTotalBytes ?? 32 * 1024 * 1024;
  const minShare = opts.minMonotonicShare ?? 0.85;
  const s = samples.slice(-window);
  const none: GrowthVerdict = { growing: false, bytesPerSecond: 0, totalBytes: 0, monotonicShare: 0, windowSeconds: 0 };
  if (s.length < Math.min(window, 6)) return none;
  const t0 = s[0].ts;
  const xs = s.map((x) => (x.ts - t0) / 1000);
  const ys = s.map((x) => x.rssBytes);
  const n = s.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  const slope = den > 0 ? num / den : 0;
  let up = 0;
  for (let i = 1; i < n; i++) if (ys[i] >= ys[i - 1]) up++;
  const share = up / (n - 1);
  const total = ys[n - 1] - ys[0];
  const growing = slope > 0 && share >= minShare && total >= minTotal && total >= 0.25 * ys[0];
  return { growing, bytesPerSecond: slope, totalBytes: total, monotonicShare: share, windowSeconds: xs[n - 1] };
}

/**
 * CPU seconds (user + system) used so far by `pid`, from `/proc/<pid>/stat` (Linux; USER_HZ is
 * 100 on every mainstream kernel). Undefined elsewhere or when the process is gone.
 */
export function cpuSeconds(pid: number, procRoot = '/proc'): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state=0 ... utime=11 stime=12 (fields 14 and 15 of proc(5)).
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}
