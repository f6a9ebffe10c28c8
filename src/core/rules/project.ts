/* eslint-disable @typescript-eslint/no-explicit-any -- parsed manifests are untyped JSON and TOML, narrowed with typeof where used */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { ProjectContext } from './types';
import { normalizePyName, parseRequirement } from './project/versions';

/**
 * Project facts for the version- and deployment-dependent rules: installed or declared package
 * versions (npm and PyPI), runtime floors, and deployment hints. Built from the files in one
 * project root, cached per root, and rebuilt only when one of those files changes (mtime).
 */

/** Files whose presence marks a project root, nearest first. */
const ROOT_MARKERS = [
  'package.json',
  'pyproject.toml',
  'uv.lock',
  'poetry.lock',
  'requirements.txt',
  'setup.py',
  'setup.cfg',
];

/** Project files read by {@link buildProjectContext}. */
const EXACT_FILES = new Set([
  'package.json',
  'package-lock.json',
  'pnpm-lock.yaml',
  'pyproject.toml',
  'uv.lock',
  'poetry.lock',
  'Dockerfile',
  'Containerfile',
  'Procfile',
  'fly.toml',
  '.python-version',
  '.nvmrc',
  'runtime.txt',
]);

/** True for file names that {@link buildProjectContext} reads (so a change must invalidate it). */
export function isProjectFileName(name: string): boolean {
  return (
    EXACT_FILES.has(name) || /^requirements.*\.txt$/i.test(name) || isComposeName(name) || /\.dockerfile$/i.test(name)
  );
}

function isComposeName(name: string): boolean {
  return /^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/i.test(name);
}

interface CacheEntry {
  stamp: string;
  context: ProjectContext;
  /** When the stamp was last verified against the file system. */
  checked: number;
}

/**
 * How long a verified context is trusted without touching the file system again. Keeps a
 * workspace pass from re-scanning the same folders for every file; edits to project files made
 * through the editor call {@link invalidateProject} and are seen at once.
 */
const RECHECK_MS = 1000;

const cache = new Map<string, CacheEntry>();

/** Forget every cached context (tests, or when the workspace changes wholesale). */
export function clearProjectCache(): void {
  cache.clear();
  rootCache.clear();
}

/** Re-verify the context of this root (or of every root) on next use, e.g. after a save. */
export function invalidateProject(root?: string): void {
  for (const [key, entry] of cache) if (root === undefined || key === root) entry.checked = 0;
}

const rootCache = new Map<string, string>();

/**
 * The project root of a source file: the nearest ancestor folder holding a manifest
 * (package.json, pyproject.toml, a lockfile, requirements.txt, setup.py), else the file's folder.
 * Looked-up folders are cached; {@link clearProjectCache} forgets them.
 */
export function findProjectRoot(file: string): string {
  const start = dirname(file);
  const cached = rootCache.get(start);
  if (cached) return cached;
  let dir = start;
  let found: string | undefined;
  for (let depth = 0; depth < 40; depth++) {
    const hit = rootCache.get(dir);
    if (hit) {
      found = hit;
      break;
    }
    if (ROOT_MARKERS.some((m) => exists(join(dir, m)))) {
      found = dir;
      break;
    }
    const parent = dirname(dir);
    if (parent === dir || exists(join(dir, '.git'))) break;
    dir = parent;
  }
  const root = found ?? start;
  rootCache.set(start, root);
  return root;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Deployment files looked for in ancestor folders (stat, no directory listing). */
const ANCESTOR_FILES = [
  'Dockerfile',
  'Containerfile',
  'docker-compose.yml',
  'docker-compose.yaml',
  'compose.yml',
  'compose.yaml',
  'Procfile',
  'fly.toml',
];

/**
 * Names and mtimes of the project files in a folder, plus the folder's own mtime. Ancestor
 * folders (which may be large, like a home folder) are probed by name instead of listed.
 */
function scanFolder(dir: string, ancestor = false): { names: string[]; stamp: string } {
  let names: string[] = [];
  let stamp: string;
  try {
    if (ancestor) {
      names = ANCESTOR_FILES.filter((n) => exists(join(dir, n)));
      stamp = names.join(',');
    } else {
      stamp = String(statSync(dir).mtimeMs);
      names = readdirSync(dir).filter(isProjectFileName).sort();
    }
    for (const n of names) {
      try {
        const st = statSync(join(dir, n));
        stamp += `|${n}:${st.mtimeMs}:${st.size}`;
      } catch {
        stamp += `|${n}:gone`;
      }
    }
  } catch {
    stamp = 'missing';
  }
  return { names, stamp };
}

/**
 * Folders that may hold deployment files for a root: the root itself, then its ancestors up to
 * the repository root (a folder with `.git`), at most three levels up. A Dockerfile at the
 * repository root usually builds a server that lives in a sub-folder.
 */
function deploymentFolders(root: string): string[] {
  const out = [root];
  let dir = root;
  for (let i = 0; i < 3; i++) {
    if (exists(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    out.push(parent);
    dir = parent;
  }
  return out;
}

/**
 * Facts about the project rooted at `root`. Cached per root; the cache entry is reused until a
 * project file in the root (or a deployment file in an ancestor) changes, appears or disappears.
 * Never throws: unreadable or malformed files are skipped.
 */
export function buildProjectContext(root: string): ProjectContext {
  try {
    const hit = cache.get(root);
    const now = Date.now();
    if (hit && now - hit.checked < RECHECK_MS) return hit.context;
    const folders = deploymentFolders(root);
    const scans = folders.map((dir, i) => scanFolder(dir, i > 0));
    const stamp = scans.map((s) => s.stamp).join('#');
    if (hit && hit.stamp === stamp) {
      hit.checked = now;
      return hit.context;
    }
    const context = readContext(
      root,
      folders,
      scans.map((s) => s.names),
      stamp,
    );
    cache.set(root, { stamp, context, checked: now });
    return context;
  } catch {
    return emptyContext(root);
  }
}

/** A context with no facts, for files outside any project. */
export function emptyContext(root: string): ProjectContext {
  return {
    root,
    packages: new Map(),
    packageSources: new Map(),
    deployment: {},
    runtime: {},
    declared: new Map(),
    allVersions: new Map(),
    files: [],
    stamp: '',
  };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readContext(root: string, folders: string[], namesPerFolder: string[][], stamp: string): ProjectContext {
  const ctx = emptyContext(root);
  ctx.stamp = stamp;
  const names = namesPerFolder[0];
  const has = (n: string) => names.includes(n);
  const files = ctx.files!;
  const installed = (name: string, version: string, source: string) => {
    if (!version) return;
    // Lockfiles win over manifests; the first lockfile read wins over later ones.
    if (!ctx.packageSources.has(name) || !isLockSource(ctx.packageSources.get(name)!)) {
      ctx.packages.set(name, version);
      ctx.packageSources.set(name, source);
    }
  };
  const declare = (name: string, spec: string, source: string) => {
    if (!ctx.declared!.has(name)) ctx.declared!.set(name, spec);
    if (!ctx.packages.has(name)) {
      ctx.packages.set(name, spec);
      ctx.packageSources.set(name, source);
    }
  };

  // Lockfiles first (installed versions), then manifests (declared ranges).
  if (has('package-lock.json')) {
    const path = join(root, 'package-lock.json');
    files.push(path);
    readPackageLock(read(path), (n, v) => installed(n, v, 'package-lock.json'), ctx.allVersions!);
  }
  if (has('pnpm-lock.yaml')) {
    const path = join(root, 'pnpm-lock.yaml');
    files.push(path);
    readPnpmLock(read(path), (n, v) => installed(n, v, 'pnpm-lock.yaml'), ctx.allVersions!);
  }
  for (const lock of ['uv.lock', 'poetry.lock']) {
    if (!has(lock)) continue;
    const path = join(root, lock);
    files.push(path);
    readTomlLock(read(path), (n, v) => installed(normalizePyName(n), v, lock));
  }
  if (has('package.json')) {
    const path = join(root, 'package.json');
    files.push(path);
    readPackageJson(read(path), ctx, (n, s) => declare(n, s, 'package.json'));
  }
  if (has('pyproject.toml')) {
    const path = join(root, 'pyproject.toml');
    files.push(path);
    readPyproject(read(path), ctx, (n, s) => declare(n, s, 'pyproject.toml'));
  }
  for (const n of names.filter((x) => /^requirements.*\.txt$/i.test(x))) {
    const path = join(root, n);
    files.push(path);
    for (const line of (read(path) ?? '').split(/\r?\n/)) {
      const req = parseRequirement(line);
      if (!req) continue;
      // `==` pins are installed versions for our purposes; ranges are declarations.
      const pin = /^===?\s*([\w.*+!-]+)$/.exec(req.spec);
      if (pin) installed(req.name, pin[1], n);
      else declare(req.name, req.spec, n);
    }
  }
  readInstalled(root, names, installed);
  if (has('.python-version') && !ctx.runtime.python)
    ctx.runtime.python = (read(join(root, '.python-version')) ?? '').trim().split(/\s+/)[0] || undefined;
  if (has('.nvmrc') && !ctx.runtime.node) ctx.runtime.node = (read(join(root, '.nvmrc')) ?? '').trim() || undefined;

  // Deployment hints: nearest folder wins.
  folders.forEach((dir, i) => {
    for (const n of namesPerFolder[i]) {
      const path = join(dir, n);
      if ((n === 'Dockerfile' || n === 'Containerfile' || /\.dockerfile$/i.test(n)) && !ctx.deployment.dockerfile)
        ctx.deployment.dockerfile = path;
      else if (isComposeName(n) && !ctx.deployment.compose) ctx.deployment.compose = path;
      else if (n === 'Procfile' && !ctx.deployment.procfile) ctx.deployment.procfile = path;
      else if (n === 'fly.toml' && !ctx.deployment.fly) ctx.deployment.fly = path;
    }
  });
  return ctx;
}

/** The parsed JSON of a project file, or undefined when it is missing or does not parse. */
function parseJsonOrUndefined(text: string | undefined): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isLockSource(source: string): boolean {
  return /lock|requirements|installed/i.test(source);
}

/** Installed packages whose versions rules care about (MCP frameworks and zod). */
const INSTALLED_PY = new Set(['fastmcp', 'mcp']);
const INSTALLED_NODE = ['@modelcontextprotocol/sdk', 'fastmcp', 'zod'];

/**
 * Versions from installed package metadata: `node_modules/<name>/package.json` in a Node project,
 * and `<venv>/lib/python3.x/site-packages/<name>-<version>.dist-info` in a Python project (only
 * `.venv` / `venv` in the root). Installed metadata proves a version as well as a lockfile does.
 */
function readInstalled(
  root: string,
  names: string[],
  installed: (name: string, version: string, source: string) => void,
) {
  if (names.includes('package.json')) {
    for (const name of INSTALLED_NODE) {
      const json = parseJsonOrUndefined(read(join(root, 'node_modules', name, 'package.json')));
      if (typeof json?.version === 'string') installed(name, json.version, `installed (node_modules/${name})`);
    }
  }
  if (
    !names.some(
      (n) => n === 'pyproject.toml' || n === 'uv.lock' || n === 'poetry.lock' || /^requirements.*\.txt$/i.test(n),
    )
  )
    return;
  for (const venv of ['.venv', 'venv']) {
    let libs: string[];
    try {
      libs = readdirSync(join(root, venv, 'lib')).filter((d) => /^python3/.test(d));
    } catch {
      continue;
    }
    for (const lib of libs) {
      let entries: string[];
      try {
        entries = readdirSync(join(root, venv, 'lib', lib, 'site-packages'));
      } catch {
        continue;
      }
      for (const e of entries) {
        const m = /^([A-Za-z0-9_.]+)-(\d[^-]*)\.dist-info$/.exec(e);
        if (m && INSTALLED_PY.has(normalizePyName(m[1]))) installed(normalizePyName(m[1]), m[2], `installed (${venv})`);
      }
    }
    return;
  }
}

function readPackageLock(
  text: string | undefined,
  add: (name: string, version: string) => void,
  all: Map<string, string[]>,
): void {
  const json = parseJsonOrUndefined(text);
  if (json === undefined) return;
  const seen = new Map<string, Set<string>>();
  const note = (name: string, version: string) => {
    if (!seen.has(name)) seen.set(name, new Set());
    seen.get(name)!.add(version);
  };
  if (json && typeof json.packages === 'object') {
    // lockfileVersion 2/3: keys are install paths; the top-level copy is the one the project gets.
    for (const [key, value] of Object.entries<any>(json.packages)) {
      if (!key || typeof value?.version !== 'string') continue;
      const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      if (!key.includes('node_modules/')) continue;
      note(name, value.version);
      if (key === `node_modules/${name}`) add(name, value.version);
    }
  } else if (json && typeof json.dependencies === 'object') {
    // lockfileVersion 1: nested `dependencies` trees.
    const walk = (deps: Record<string, any>, top: boolean) => {
      for (const [name, value] of Object.entries<any>(deps)) {
        if (typeof value?.version !== 'string') continue;
        note(name, value.version);
        if (top) add(name, value.version);
        if (value.dependencies) walk(value.dependencies, false);
      }
    };
    walk(json.dependencies, true);
  }
  for (const [name, versions] of seen) if (versions.size > 1) all.set(name, [...versions].sort());
}

function readPnpmLock(
  text: string | undefined,
  add: (name: string, version: string) => void,
  all: Map<string, string[]>,
): void {
  if (!text) return;
  const seen = new Map<string, Set<string>>();
  // Package keys look like `/zod@3.25.76:` (v6), `zod@3.25.76:` or `'@scope/x@1.0.0(peer@2)':` (v9).
  // One line per key (`[^:\n]`): a `[^:]*` reaching across lines was quadratic on a file without colons.
  const re = /^ {2}['"]?\/?((?:@[^@/\s]+\/)?[^@/\s'"]+)[@/](\d[^:('"\s]*)[^:\n]*['"]?:[ \t]*$/gm;
  for (const m of text.matchAll(re)) {
    if (!seen.has(m[1])) seen.set(m[1], new Set());
    seen.get(m[1])!.add(m[2]);
  }
  for (const [name, versions] of seen) {
    const list = [...versions].sort();
    add(name, list[list.length - 1]);
    if (list.length > 1) all.set(name, list);
  }
}

function readTomlLock(text: string | undefined, add: (name: string, version: string) => void): void {
  if (!text) return;
  try {
    const doc = parseToml(text) as { package?: { name?: unknown; version?: unknown }[] };
    for (const p of doc.package ?? []) {
      if (typeof p.name === 'string' && typeof p.version === 'string') add(p.name, p.version);
    }
  } catch {
    // A malformed lockfile: fall back to manifests.
  }
}

function readPackageJson(
  text: string | undefined,
  ctx: ProjectContext,
  declare: (name: string, spec: string) => void,
): void {
  const json = parseJsonOrUndefined(text);
  if (!json || typeof json !== 'object') return;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const deps = json[field];
    if (deps && typeof deps === 'object')
      for (const [n, s] of Object.entries(deps)) if (typeof s === 'string') declare(n, s);
  }
  if (typeof json.engines?.node === 'string') ctx.runtime.node = json.engines.node;
  if (typeof json.name === 'string') ctx.packageName = json.name;
  if (json.type === 'module' || json.type === 'commonjs') ctx.moduleType = json.type;
  else ctx.moduleType = 'commonjs';
}

function readPyproject(
  text: string | undefined,
  ctx: ProjectContext,
  declare: (name: string, spec: string) => void,
): void {
  if (!text) return;
  let doc: any;
  try {
    doc = parseToml(text);
  } catch {
    return;
  }
  const project = doc?.project;
  if (typeof project?.['requires-python'] === 'string') ctx.runtime.python = project['requires-python'];
  const addList = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const req = typeof item === 'string' ? parseRequirement(item) : undefined;
      if (req) declare(req.name, req.spec);
    }
  };
  addList(project?.dependencies);
  for (const extra of Object.values<unknown>(project?.['optional-dependencies'] ?? {})) addList(extra);
  for (const group of Object.values<unknown>(doc?.['dependency-groups'] ?? {})) addList(group);
  const poetry = doc?.tool?.poetry;
  for (const deps of [
    poetry?.dependencies,
    poetry?.['dev-dependencies'],
    ...Object.values<any>(poetry?.group ?? {}).map((g) => g?.dependencies),
  ]) {
    if (!deps || typeof deps !== 'object') continue;
    for (const [n, v] of Object.entries<any>(deps)) {
      const spec = typeof v === 'string' ? v : typeof v?.version === 'string' ? v.version : '';
      if (n === 'python') {
        if (!ctx.runtime.python && spec) ctx.runtime.python = spec;
      } else declare(normalizePyName(n), spec);
    }
  }
}
