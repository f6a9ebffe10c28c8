import type { ProjectContext } from '../types';

/** Characters of a version range or requirement line that are read (real ones are far shorter). */
const MAX_SPEC_CHARS = 1000;

/**
 * Small, dependency-free version helpers for the version-dependent rules. They understand the
 * forms found in manifests and lockfiles (`1.2.3`, `^1.2`, `~=3.10`, `>=3.8,<4`, `v20`,
 * `3.12-slim`), which is all the rules need: a numeric lower bound to compare with a floor.
 */

/** A parsed version as numbers, missing parts as 0: `3.10` → `[3, 10, 0]`. */
export type Version = [number, number, number];

/** Parse the first `N[.N[.N]]` in the text, or undefined when there is none. */
export function parseVersion(text: string | undefined): Version | undefined {
  if (!text) return undefined;
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** True when `version` (text) is below `floor` (text); false when either cannot be parsed. */
export function isBelow(version: string | undefined, floor: string): boolean {
  const v = parseVersion(version);
  const f = parseVersion(floor);
  return !!v && !!f && compareVersions(v, f) < 0;
}

/**
 * The lowest version a range allows, as text, or undefined when it has no lower bound
 * (`*`, `<4`, a URL or a git reference).
 *
 * `^1.2.3` → `1.2.3`; `>=3.8,<4` → `3.8`; `~=3.10` → `3.10`; `==1.9.*` → `1.9`; `>3.8` → `3.8`
 * (close enough for a floor check); `1.17.5` → `1.17.5`; `16.x || >=18` → `16`.
 */
export function lowerBound(range: string | undefined): string | undefined {
  if (!range) return undefined;
  let best: Version | undefined;
  let bestText: string | undefined;
  // npm `||` alternatives and PEP 440 comma-separated clauses: the lowest lower bound wins.
  // Version ranges are short; the cap keeps the patterns below linear whatever a file holds.
  for (const alternative of range.slice(0, MAX_SPEC_CHARS).split('||')) {
    for (const raw of alternative.split(/[,\s]+(?=[<>=!~^\d])|,/)) {
      const clause = raw.trim();
      if (!clause || /^(<|!=)/.test(clause) || /^[*xX]$/.test(clause)) continue;
      const m = /^(?:\^|~=|~|>=|>|==|=|v)?\s*(\d+(?:\.(?:\d+|[*xX]))*)/.exec(clause);
      if (!m) continue;
      const text = m[1].replace(/\.[*xX].*$/, '');
      const v = parseVersion(text);
      if (v && (!best || compareVersions(v, best) < 0)) {
        best = v;
        bestText = text;
      }
    }
  }
  return bestText;
}

/** The major version number of a version or range, or undefined. */
export function majorOf(range: string | undefined): number | undefined {
  const lb = lowerBound(range) ?? range;
  return parseVersion(lb)?.[0];
}

/** An exact version (`1.2.3`, `==2.10.1`, `v20.1`, `2.0.0rc1`): no range operator, no wildcard. */
const EXACT = /^(?:===?|v)?\s*(\d+(?:\.\d+)*(?:[-.+]?[A-Za-z][A-Za-z0-9.]*)?)$/;

/**
 * The version of a package that the project provably gets: from a lockfile, an installed
 * package's metadata, or an exact pin (`fastmcp==2.3.0`, `"zod": "3.25.76"`). A range such as
 * `>=0.8.0` or `^1.2` is not a version: it gives undefined.
 */
export function provenVersion(ctx: Pick<ProjectContext, 'packages'>, name: string): string | undefined {
  const v = ctx.packages.get(name)?.trim();
  if (!v) return undefined;
  const m = EXACT.exec(v);
  return m ? m[1] : undefined;
}

/** Sources of npm versions: `fastmcp` is a package name on npm and on PyPI alike. */
const NPM_SOURCE = /^(package\.json|package-lock\.json|pnpm-lock\.yaml|installed \(node_modules)/;

/**
 * {@link provenVersion} for a Python package: a version that came from npm files (the TypeScript
 * `fastmcp` in package.json) says nothing about the PyPI package of the same name.
 */
export function provenPyVersion(
  ctx: Pick<ProjectContext, 'packages' | 'packageSources'>,
  name: string,
): string | undefined {
  if (NPM_SOURCE.test(ctx.packageSources.get(name) ?? '')) return undefined;
  return provenVersion(ctx, name);
}

/** Normalise a Python distribution name (PEP 503): `Fast_MCP` → `fast-mcp`. */
export function normalizePyName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/**
 * Split a PEP 508 requirement into name and version specifier:
 * `mcp[cli]>=1.9; python_version>"3.9"` → `{ name: 'mcp', spec: '>=1.9' }`.
 */
export function parseRequirement(line: string): { name: string; spec: string } | undefined {
  const text = line.slice(0, MAX_SPEC_CHARS).replace(/#.*$/, '').split(';')[0].trim();
  if (!text || text.startsWith('-') || text.includes('://')) return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/.exec(text);
  if (!m) return undefined;
  return { name: normalizePyName(m[1]), spec: m[3].replace(/^\(|\)$/g, '').trim() };
}

/**
 * Whether an npm range admits some release at or above `version`: `^0.6.0` (< 0.7.0) and
 * `~1.0.3` (< 1.1.0) do not admit 1.1.0; `^1.0.0`, `>=0.6` and `*` do. Undefined when the
 * range cannot be read (a URL, a tag such as `latest`, a git reference).
 */
export function rangeAdmitsAtLeast(range: string | undefined, version: string): boolean | undefined {
  const v = parseVersion(version);
  if (!range || !v) return undefined;
  const text = range.slice(0, MAX_SPEC_CHARS).trim();
  if (!text || /^(\*|x|X|latest)$/.test(text)) return text ? true : undefined;
  let any = false;
  for (const alternative of text.split('||')) {
    const clauses = alternative
      .trim()
      .split(/\s+(?=[<>=~^\d])/)
      .filter(Boolean);
    let upper: { v: Version; inclusive: boolean } | undefined;
    let readable = clauses.length > 0;
    const cap = (u: Version, inclusive: boolean) => {
      if (!upper || compareVersions(u, upper.v) < 0) upper = { v: u, inclusive };
    };
    for (const clause of clauses) {
      const m = /^(\^|~|<=|<|>=|>|=)?\s*v?(\d+|[*xX])(?:\.(\d+|[*xX]))?(?:\.(\d+|[*xX]))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(
        clause,
      );
      if (!m) {
        readable = false;
        break;
      }
      const op = m[1] ?? '';
      const wild = (x: string | undefined) => x === undefined || /^[*xX]$/.test(x);
      const M = wild(m[2]) ? undefined : Number(m[2]);
      const mi = wild(m[3]) ? undefined : Number(m[3]);
      const pa = wild(m[4]) ? undefined : Number(m[4]);
      if (M === undefined) continue; // `*`: no bound
      if (op === '>' || op === '>=') continue;
      if (op === '<') cap([M, mi ?? 0, pa ?? 0], false);
      else if (op === '<=') cap([M, mi ?? 0, pa ?? 0], true);
      else if (op === '^') {
        if (M > 0 || mi === undefined) cap([M + 1, 0, 0], false);
        else if (mi > 0 || pa === undefined) cap([0, mi + 1, 0], false);
        else cap([0, 0, pa + 1], false);
      } else if (op === '~') cap(mi === undefined ? [M + 1, 0, 0] : [M, mi + 1, 0], false);
      else if (mi === undefined) cap([M + 1, 0, 0], false);
      else if (pa === undefined) cap([M, mi + 1, 0], false);
      else cap([M, mi, pa], true);
    }
    if (!readable) return undefined;
    const u = upper as { v: Version; inclusive: boolean } | undefined;
    if (!u) any = true;
    else {
      const c = compareVersions(v, u.v);
      if (c < 0 || (c === 0 && u.inclusive)) any = true;
    }
  }
  return any;
}

/**
 * Whether a PEP 440 specifier (`>=1.27.0`, `>=1.2,<2`, `~=1.9`, `==1.*`, empty) admits some
 * release at or above `version`; undefined when a clause cannot be read. `~=1.27` caps below 2.0,
 * `~=1.27.0` below 1.28; `!=` and lower bounds do not cap.
 */
export function pyRangeAdmitsAtLeast(spec: string, version: string): boolean | undefined {
  const v = parseVersion(version);
  if (!v) return undefined;
  const text = spec.slice(0, MAX_SPEC_CHARS).trim();
  if (!text) return true;
  let upper: { v: Version; inclusive: boolean } | undefined;
  const cap = (u: Version, inclusive: boolean) => {
    if (!upper || compareVersions(u, upper.v) < 0) upper = { v: u, inclusive };
  };
  for (const clause of text.split(',')) {
    const m = /^\s*(===|==|~=|!=|<=|>=|<|>)\s*(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?[\w.+!-]*\s*$/.exec(clause);
    if (!m) return undefined;
    const [, op, a, b, c] = m;
    const M = Number(a);
    const star = b === '*' || c === '*';
    const mi = b === undefined || b === '*' ? undefined : Number(b);
    const pa = c === undefined || c === '*' ? undefined : Number(c);
    if (op === '>' || op === '>=' || op === '!=') continue;
    if (op === '<') cap([M, mi ?? 0, pa ?? 0], false);
    else if (op === '<=') cap([M, mi ?? 0, pa ?? 0], true);
    else if (op === '~=') cap(pa !== undefined ? [M, (mi ?? 0) + 1, 0] : [M + 1, 0, 0], false);
    else if (star) cap(mi === undefined ? [M + 1, 0, 0] : [M, mi + 1, 0], false);
    else cap([M, mi ?? 0, pa ?? 0], true);
  }
  const u = upper as { v: Version; inclusive: boolean } | undefined;
  if (!u) return true;
  const cmp = compareVersions(v, u.v);
  return cmp < 0 || (cmp === 0 && u.inclusive);
}
