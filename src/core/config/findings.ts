import type { Finding, Fix, Range, Severity } from '../model';

/** Builds a config finding (origin `config`). */
export function finding(
  code: string,
  severity: Severity,
  message: string,
  file: string,
  range: Range,
  extra: { server?: string; data?: Record<string, unknown>; fixes?: Fix[] } = {},
): Finding {
  const f: Finding = { code, severity, message, file, range, origin: 'config' };
  if (extra.server !== undefined) f.server = extra.server;
  if (extra.data) f.data = extra.data;
  if (extra.fixes && extra.fixes.length) f.fixes = extra.fixes;
  return f;
}

/** A fix made of one replacement. */
export function replaceFix(title: string, file: string, range: Range, newText: string, preferred = true): Fix {
  return { title, preferred, edits: [{ file, range, newText }] };
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/** Closest candidate (case/separator-insensitive first, then edit distance ≤ 2), or undefined. */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const exact = candidates.find((c) => norm(c) === norm(value));
  if (exact) return exact;
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
