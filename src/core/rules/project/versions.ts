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
