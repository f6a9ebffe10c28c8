/**
 * One problem, one Problems entry. MCP Doctor reports a file's problems from three places
 * (config checks, source rules, running servers) next to VS Code's own diagnostics (its JSON
 * parser, the `mcp.json` schema, its MCP support's variable check). This decides, per file,
 * what MCP Doctor shows:
 *
 * - a config finding that VS Code already reports at the same place is left out (the quick
 *   fixes stay: they are offered for the range, whoever reports it);
 * - a runtime finding whose static twin (same code, same line, or the same server entry of the
 *   same config) is already reported shows once: the static entry, with the runtime evidence.
 *
 * Pure: the adapter passes in what VS Code shows and publishes what comes out.
 */
import { getCode } from '../catalogue';
import type { Finding, Range, Severity } from '../model';

/** A diagnostic some other part of VS Code shows for the file. */
export interface ForeignDiagnostic {
  range: Range;
  message: string;
  severity: Severity;
  /** `jsonc`, `json`, undefined (the JSON schema check and VS Code's MCP support set none)... */
  source?: string;
}

/** A finding to show, with the runtime finding it stands for too. */
interface Shown {
  finding: Finding;
  runtimeTwin?: Finding;
}

export interface Reconciled {
  config: Shown[];
  rules: Shown[];
  runtime: Shown[];
  /** Config findings left out because VS Code reports the same problem. */
  dropped: { finding: Finding; by: ForeignDiagnostic }[];
}

/** Sources whose diagnostics are about the JSON text itself (syntax, schema, MCP variables). */
const JSON_SOURCES = new Set([undefined, '', 'json', 'jsonc']);

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** Overlap on the first line of `a` (touching counts: a zero-width range at an edge). */
function overlapsOnLine(a: Range, b: Range): boolean {
  if (a.start.line !== b.start.line) return false;
  const aEnd = a.end.line === a.start.line ? a.end.character : Infinity;
  const bEnd = b.end.line === b.start.line ? b.end.character : Infinity;
  return a.start.character <= bEnd && b.start.character <= aEnd;
}

/** The VS Code diagnostic that reports the same problem as a config finding, if any. */
function duplicateOf(f: Finding, foreign: readonly ForeignDiagnostic[]): ForeignDiagnostic | undefined {
  if (f.severity !== 'error' && f.severity !== 'warning') return undefined;
  return foreign.find(
    (d) =>
      (d.severity === 'error' || d.severity === 'warning') &&
      (sameRange(d.range, f.range) || (JSON_SOURCES.has(d.source) && overlapsOnLine(d.range, f.range))),
  );
}

/** A code's current id (old aliases map to it), so twins are found across the renaming. */
const canonical = (code: string): string => getCode(code)?.id ?? code;

/** Decides what MCP Doctor shows for one file. */
export function reconcile(
  findings: { config: readonly Finding[]; rules: readonly Finding[]; runtime: readonly Finding[] },
  foreign: readonly ForeignDiagnostic[],
): Reconciled {
  const dropped: Reconciled['dropped'] = [];
  const config: Shown[] = [];
  for (const finding of findings.config) {
    const by = duplicateOf(finding, foreign);
    if (by) dropped.push({ finding, by });
    else config.push({ finding });
  }
  const rules: Shown[] = findings.rules.map((finding) => ({ finding }));
  const runtime: Shown[] = [];
  for (const rt of findings.runtime) {
    const code = canonical(rt.code);
    const isTwin = (s: Finding) =>
      canonical(s.code) === code &&
      s.file === rt.file &&
      (s.range.start.line === rt.range.start.line || (!!s.server && s.server === rt.server && s.origin === 'config'));
    // A twin VS Code already reports (dropped above) still absorbs its runtime finding: the
    // problem is on screen once, in VS Code's words.
    const shown = [...config, ...rules].find((s) => isTwin(s.finding));
    if (shown) {
      shown.runtimeTwin ??= rt;
      continue;
    }
    if (dropped.some((d) => isTwin(d.finding))) continue;
    runtime.push({ finding: rt });
  }
  return { config, rules, runtime, dropped };
}
