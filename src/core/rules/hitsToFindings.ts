/**
 * From rule hits to findings: the severity of each (the user's override, the hit's own, or the
 * catalogue default lowered one level on `downgrade`), duplicate hits merged, findings in order,
 * and the MCP000 finding that replaces an analyzer crash.
 */
import { ZERO_RANGE, type Finding, type Severity } from '../model';
import { getCode } from '../catalogue';
import type { RuleHit } from './types';

/** Per-rule severity overrides, as in the `mcpDoctor.rules.severity` setting. */
export type SeverityOverrides = Record<string, Severity | 'off'>;

/** Code of the finding that replaces an analyzer crash. */
export const INTERNAL_ERROR_CODE = 'MCP000';

const LOWER: Record<Severity, Severity> = { error: 'warning', warning: 'info', info: 'hint', hint: 'hint' };

/** Severity overrides keyed by catalogue id: an old code (alias) in the setting still applies. */
export function canonicalOverrides(overrides: SeverityOverrides | undefined): SeverityOverrides {
  const out: SeverityOverrides = {};
  for (const [id, level] of Object.entries(overrides ?? {})) out[getCode(id)?.id ?? id] = level;
  return out;
}

/** Severity for a hit: the user override, else the hit's explicit severity, else the catalogue default (lowered one level on `downgrade`). */
export function severityFor(
  overrides: SeverityOverrides,
  ruleId: string,
  downgrade?: boolean,
  hitSeverity?: Severity,
): Severity | 'off' {
  const override = overrides[ruleId];
  if (override) return override;
  // An analyzer's explicit per-hit severity is already case-specific: it is not downgraded.
  if (hitSeverity) return hitSeverity;
  const base = getCode(ruleId)?.defaultSeverity ?? 'warning';
  return downgrade ? LOWER[base] : base;
}

/** The finding for a hit, or undefined when its rule is switched off. */
export function toFinding(file: string, hit: RuleHit, overrides: SeverityOverrides): Finding | undefined {
  const severity = severityFor(overrides, hit.ruleId, hit.downgrade, hit.severity);
  if (severity === 'off') return undefined;
  const finding: Finding = {
    code: hit.ruleId,
    severity,
    message: hit.message,
    file,
    range: hit.range,
    origin: 'rules',
  };
  if (hit.related?.length) finding.related = hit.related;
  if (hit.fixes?.length) finding.fixes = hit.fixes;
  if (hit.data || hit.downgrade) finding.data = { ...(hit.data ?? {}), ...(hit.downgrade ? { downgraded: true } : {}) };
  return finding;
}

/** The MCP000 finding for a failed step (`what`) on a file; the stack trace goes to `log`. */
export function internalFinding(log: (message: string) => void, file: string, what: string, err: unknown): Finding {
  log(`${what} failed on ${file}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return {
    code: INTERNAL_ERROR_CODE,
    severity: 'info',
    message: `MCP Doctor could not finish analyzing this file (${what} failed: ${errorText(err)}). Other checks still ran; see the MCP Doctor output for the stack trace and please report it.`,
    file,
    range: ZERO_RANGE,
    origin: 'rules',
  };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

/** Same order as `compareFindings` in model.ts, without `localeCompare` (hot in big workspaces). */
export function byPosition(a: Finding, b: Finding): number {
  return (
    (a.file === b.file ? 0 : a.file < b.file ? -1 : 1) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.code === b.code ? 0 : a.code < b.code ? -1 : 1)
  );
}

export function dedupeHits(hits: RuleHit[]): RuleHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    if (!h || typeof h.ruleId !== 'string' || !h.range) return false;
    // One deprecated-transport finding per line: a ternary that picks SSE in either branch, or a
    // start seen through two server names, is one decision to change.
    const key =
      h.ruleId === 'MCP603'
        ? `${h.ruleId}@${h.range.start.line}`
        : `${h.ruleId}@${h.range.start.line}:${h.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
