import { promises as fsp, existsSync } from 'node:fs';
import * as path from 'node:path';
import { findOnPath, isFile } from './findOnPath';
import { finding } from './findings';
import { configLocations, MAX_WALK_DEPTH, NESTED_FILES, SKIPPED_DIRS } from './locations';
import { parseConfigText, type ParseOptions } from './parse';
import { OVER_BUDGET } from './syntax';
import type { ConfigFileResult, ConfigLocation, DiscoveryOptions } from './types';

/** Config files larger than this are reported, not parsed (nobody writes 5 MB of MCP config). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Parse time of all config files of one discovery; files left when it is spent are reported. */
const DISCOVERY_BUDGET_MS = 3000;

/**
 * Reads every existing config file for the workspace folders (and the user's home when
 * `includeUser`), plus nested fastmcp.json / .mcp.json / .vscode/mcp.json / .cursor/mcp.json
 * found by a bounded walk. Missing files are skipped silently; unreadable ones become a
 * finding. Never throws.
 */
export async function discover(opts: DiscoveryOptions): Promise<ConfigFileResult[]> {
  try {
    return await discoverUnsafe({ ...opts, env: opts.env ?? {} });
  } catch {
    // Only reachable through a bug or a hostile file system; discovery must not take callers down.
    return [];
  }
}

async function discoverUnsafe(opts: DiscoveryOptions): Promise<ConfigFileResult[]> {
  const parseOpts: ParseOptions = {
    home: opts.home,
    env: opts.env,
    platform: opts.platform,
    checkCommands: opts.checkCommands ?? false,
    findOnPath:
      opts.findOnPath ??
      memo((c) => findOnPath(c, opts.env.PATH ?? opts.env.Path, opts.platform, isFile, opts.env.PATHEXT)),
    fileExists: opts.fileExists ?? existsSync,
  };
  let locations: ConfigLocation[];
  try {
    locations = configLocations(opts);
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const key = (f: string) => (opts.platform === 'win32' || opts.platform === 'darwin' ? f.toLowerCase() : f);
  // Directory-style locations expand to their matching entries (order preserved).
  const groups = await Promise.all(
    locations.map(async (loc): Promise<ConfigLocation[]> => {
      if (!loc.suffixes) return [loc];
      const names = await readDirNames(loc.file);
      return names
        .filter((n) => loc.suffixes!.some((s) => n.endsWith(s)))
        .sort()
        .map((n) => ({ ...loc, file: path.join(loc.file, n), suffixes: undefined }));
    }),
  );
  const ordered = groups.flat();

  if (opts.walk !== false) {
    for (const folder of (opts.workspaceFolders ?? []).filter((f) => typeof f === 'string' && f)) {
      const nested = await walk(folder, opts);
      ordered.push(...nested);
    }
  }

  const unique = ordered.filter((l) => {
    const k = key(l.file);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  // Files are read in parallel, parsed one at a time with a turn of the event loop between
  // them, each within its own budget (`parseConfigText`) and all within DISCOVERY_BUDGET_MS, so
  // a workspace full of hostile files never holds the editor for long.
  const texts = await Promise.all(unique.map((l) => readOne(l)));
  const results: ConfigFileResult[] = [];
  const started = performance.now();
  for (let i = 0; i < unique.length; i++) {
    const t = texts[i];
    if (t === undefined) continue;
    if (typeof t !== 'string') {
      results.push(t);
      continue;
    }
    if (performance.now() - started > DISCOVERY_BUDGET_MS) {
      results.push(
        failed(
          unique[i],
          OVER_BUDGET,
          `${unique[i].file} was not read: reading the config files of this workspace took more than ${DISCOVERY_BUDGET_MS / 1000} s (see the MCP090 findings of the other files). Its servers are not listed.`,
        ),
      );
      continue;
    }
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    results.push(parseConfigText(unique[i].file, t, unique[i], parseOpts));
  }
  markShadowed(results);
  return results;
}

const SCOPE_RANK: Record<string, number> = { 'project-local': 0, workspace: 1, user: 2 };

/**
 * The same client declaring the same server name in several scopes uses only the most
 * specific one (Claude Code: local > project > user; Cursor, Roo: project > global). The
 * shadowed entries get an info finding pointing at the winner.
 */
function markShadowed(results: ConfigFileResult[]): void {
  const byKey = new Map<string, { file: ConfigFileResult; server: ConfigFileResult['servers'][number] }[]>();
  for (const file of results) {
    for (const server of file.servers) {
      const k = `${server.client}\u0000${server.name}`;
      const list = byKey.get(k) ?? [];
      list.push({ file, server });
      byKey.set(k, list);
    }
  }
  for (const list of byKey.values()) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => (SCOPE_RANK[a.server.scope] ?? 9) - (SCOPE_RANK[b.server.scope] ?? 9));
    const winner = sorted[0];
    for (const loser of sorted.slice(1)) {
      if (loser.file === winner.file || loser.server.scope === winner.server.scope) continue;
      loser.file.findings.push({
        ...finding(
          'MCP035',
          'info',
          `Server "${loser.server.name}" is also defined in ${winner.server.file} (${winner.server.scope} scope), which takes precedence; this ${loser.server.scope} entry is not used by ${loser.server.client} there.`,
          loser.server.file,
          loser.server.range,
          { server: loser.server.name },
        ),
        related: [{ file: winner.server.file, range: winner.server.range, message: 'Definition that wins' }],
      });
    }
  }
}

/** Caches a lookup for the duration of one discover() call (many servers share `npx`, `uvx`...). */
function memo(fn: (c: string) => string | undefined): (c: string) => string | undefined {
  const cache = new Map<string, string | undefined>();
  return (c) => {
    if (!cache.has(c)) cache.set(c, fn(c));
    return cache.get(c);
  };
}

/** The text of one config file, a finding when it cannot be read, undefined when it is absent. */
async function readOne(loc: ConfigLocation): Promise<string | ConfigFileResult | undefined> {
  let text: string;
  try {
    const st = await fsp.stat(loc.file);
    if (!st.isFile()) return undefined;
    if (st.size > MAX_FILE_BYTES) {
      return failed(
        loc,
        OVER_BUDGET,
        `${loc.file} is ${(st.size / 1048576).toFixed(1)} MB; MCP Doctor skips config files over 5 MB so that a hostile file cannot freeze the editor. Its servers are not listed.`,
      );
    }
    text = await fsp.readFile(loc.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return failed(
      loc,
      'io/unreadable',
      `Cannot read ${loc.file} (${code ?? String(err)}). Check the file permissions; the servers it declares are not listed.`,
    );
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function failed(loc: ConfigLocation, code: string, message: string): ConfigFileResult {
  return {
    file: loc.file,
    client: loc.client,
    scope: loc.scope,
    accepted: false,
    servers: [],
    findings: [
      finding(code, 'error', message, loc.file, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }),
    ],
    format: loc.format,
    location: loc,
  };
}

async function readDirNames(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** Bounded breadth-first walk for nested config files (depth ≤ MAX_WALK_DEPTH). */
async function walk(root: string, opts: DiscoveryOptions): Promise<ConfigLocation[]> {
  const wanted = (c: string) => !opts.clients || opts.clients.length === 0 || opts.clients.includes(c as never);
  const found: ConfigLocation[] = [];
  let level = [root];
  for (let depth = 0; depth <= MAX_WALK_DEPTH && level.length; depth++) {
    const next: string[][] = await Promise.all(
      level.map(async (dir) => {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await fsp.readdir(dir, { withFileTypes: true });
        } catch {
          return [];
        }
        const subdirs: string[] = [];
        for (const e of entries) {
          if (
            e.isFile() &&
            (e.name === 'fastmcp.json' || e.name.endsWith('.fastmcp.json') || e.name === '.mcp.json') &&
            depth > 0
          ) {
            const [, client, format] = NESTED_FILES.find(
              ([rel]) => rel === (e.name === '.mcp.json' ? '.mcp.json' : 'fastmcp.json'),
            )!;
            if (wanted(client))
              found.push({ file: path.join(dir, e.name), client, format, scope: 'workspace', workspaceFolder: dir });
          }
          if (!e.isDirectory()) continue;
          if ((e.name === '.vscode' || e.name === '.cursor') && depth > 0) {
            const rel = `${e.name}/mcp.json`;
            const [, client, format] = NESTED_FILES.find(([r]) => r === rel)!;
            if (wanted(client))
              found.push({
                file: path.join(dir, e.name, 'mcp.json'),
                client,
                format,
                scope: 'workspace',
                workspaceFolder: dir,
              });
            continue;
          }
          if (SKIPPED_DIRS.has(e.name) || (e.name.startsWith('.') && e.name !== '.github')) continue;
          subdirs.push(path.join(dir, e.name));
        }
        return subdirs;
      }),
    );
    level = next.flat();
  }
  return found;
}
