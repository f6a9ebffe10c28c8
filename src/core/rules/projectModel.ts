import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { CLIENT_CONFIGS, launches, mtime, readText, toMap } from './projectFiles';
import type { Language, ModuleFacts } from './types';

/**
 * The project model the rules consult across files: the import graph (Python and TS/JS, relative
 * and package-absolute imports), which transports the modules that import a file start, and the
 * entry points the project declares outside its source (`fastmcp.json`, `[project.scripts]`,
 * `fastmcp run file.py` / `mcp dev file.py` in scripts, docs and Dockerfiles).
 *
 * It is updated incrementally: each analyzed file sets its own facts (its edges are replaced),
 * and declared entry points are re-read when a project file's mtime changes.
 */

type Transport = ModuleFacts['starts'][number];

interface Node {
  root: string;
  language: Language;
  facts: ModuleFacts;
  /** Files this file imports (resolved, existing). */
  imports: string[];
  /** Names imported from each of those files (`from x import a, b`); undefined: the module itself. */
  names: Map<string, string[] | undefined>;
  /** Imported files this file loads only off the stdio path (ModuleFacts.offStdioImports). */
  offLoads: Set<string>;
}

/** Files read for declared entry points, relative to the project root. */
const DECLARATION_FILES = ['fastmcp.json', 'pyproject.toml', 'package.json', 'Dockerfile', 'Makefile', 'justfile'];
/** Folders whose Markdown and shell files may show how the server is run. */
const DOC_FOLDERS = ['.', 'docs', 'scripts'];

/** `fastmcp run path/to/server.py[:obj]`, `mcp run|dev path.py`, `fastmcp dev path.py`. */
const RUN_COMMAND = /\b(?:fastmcp|mcp)[ \t]+(?:run|dev|install)\b[^\n]{0,160}?([\w./\\-]+\.py)\b/g;

/** A Python module's own name (`helpers` for `helpers.py` and `helpers/__init__.py`). */
function moduleName(file: string): string {
  const b = basename(file, '.py');
  return b === '__init__' ? basename(dirname(file)) : b;
}

export class ProjectModel {
  private readonly nodes = new Map<string, Node>();
  private readonly importers = new Map<string, Set<string>>();
  private readonly declared = new Map<string, { stamp: string; files: Set<string> }>();
  private readonly existsCache = new Map<string, boolean>();

  /** Record (or replace) a file's facts; `undefined` removes the file from the graph. */
  set(file: string, root: string, language: Language | undefined, facts: ModuleFacts | undefined): void {
    const old = this.nodes.get(file);
    if (old) for (const t of old.imports) this.importers.get(t)?.delete(file);
    if (!facts || !language) {
      this.nodes.delete(file);
      return;
    }
    const names = new Map<string, string[] | undefined>();
    for (const i of facts.imports) {
      // The module `from x import ...` names (`app/mcp.py` for `from app.mcp import mcp`), as
      // opposed to submodules its names may be (`from app import mcp` → `app/mcp.py`).
      const self = i.names.length ? this.resolveImport(file, root, language, i.from, []) : [];
      for (const target of this.resolveImport(file, root, language, i.from, i.names)) {
        // `from pkg import mod` names the module itself; so does `import pkg.mod`.
        const whole =
          !i.names.length ||
          (language === 'python' &&
            !self.includes(target) &&
            i.names.some((n) => basename(target).replace(/\.py$/, '') === n));
        const prev = names.get(target);
        if (whole || (names.has(target) && prev === undefined)) names.set(target, undefined);
        else names.set(target, [...(prev ?? []), ...i.names]);
      }
    }
    const imports = [...names.keys()];
    const offLoads = new Set<string>();
    for (const spec of facts.offStdioImports ?? [])
      for (const target of this.resolveImport(file, root, language, spec, [])) offLoads.add(target);
    this.nodes.set(file, { root, language, facts, imports, names, offLoads });
    for (const t of imports) {
      let set = this.importers.get(t);
      if (!set) this.importers.set(t, (set = new Set()));
      set.add(file);
    }
  }

  clear(): void {
    this.nodes.clear();
    this.importers.clear();
    this.declared.clear();
    this.existsCache.clear();
  }

  /** Files that import `file` directly. */
  importersOf(file: string): string[] {
    // Sorted: the order files were analyzed in (workers finish in any order) must not show.
    return [...(this.importers.get(file) ?? [])].sort();
  }

  /**
   * The names `importer` imports from `file` (`from file import a, b`); undefined when it imports
   * the module itself (or does not import it).
   */
  importedNames(importer: string, file: string): string[] | undefined {
    return this.nodes.get(importer)?.names.get(file);
  }

  /** The module facts of an analyzed file (undefined when it was not analyzed). */
  factsOf(file: string): ModuleFacts | undefined {
    return this.nodes.get(file)?.facts;
  }

  /**
   * True when `importer` loads `file` only on paths that cannot serve stdio (a lazy `import()` in
   * a CLI clause that does not serve) and `file` starts no transport itself, directly or through
   * its imports: the module is not part of the process that serves stdio.
   */
  loadsOffStdio(importer: string, file: string): boolean {
    return !!this.nodes.get(importer)?.offLoads.has(file) && !this.importsStarter(file);
  }

  /** Whether every HTTP server of `file` is stateless (ModuleFacts.statelessHttp); undefined when not analyzed. */
  statelessHttp(file: string): boolean | undefined {
    const node = this.nodes.get(file);
    return node ? node.facts.statelessHttp === true : undefined;
  }

  /** Imported names that `file` calls only on paths that never serve stdio (see ModuleFacts.offStdio). */
  offStdio(file: string): string[] {
    return this.nodes.get(file)?.facts.offStdio ?? [];
  }

  /** A helper module's map from the functions it imports to its exported functions that call them. */
  via(file: string): Record<string, string[] | null> | undefined {
    return this.nodes.get(file)?.facts.via;
  }

  /** Literal arguments of the stdio-path calls `file` makes to an imported function (ModuleFacts.stdioArgs). */
  stdioArgs(file: string, name: string): (string | null)[][] | undefined {
    return this.nodes.get(file)?.facts.stdioArgs?.[name];
  }

  /** Per stdio-path call `file` makes to an imported function, the value that leaves the serving path (ModuleFacts.stdioResults). */
  stdioResults(file: string, name: string): ('truthy' | 'falsy' | null)[] | undefined {
    return this.nodes.get(file)?.facts.stdioResults?.[name];
  }

  /**
   * The default of field `field` of the settings object `name` that `file` imports by name
   * (`from app.config import settings` → `settings.host`), from the defining module's facts.
   */
  settingsDefault(file: string, name: string, field: string): { value: string; env: string; file: string } | undefined {
    for (const target of this.namedImportSources(file, name)) {
      const d = this.nodes.get(target)?.facts.settingsDefaults?.[name]?.[field];
      if (d) return { ...d, file: target };
    }
    return undefined;
  }

  /**
   * The class and authentication of the server `name` that `file` imports by name (`from .server
   * import mcp`), from the defining module's bindings; undefined when no analyzed module defines it.
   */
  importedServer(
    file: string,
    name: string,
  ): NonNullable<NonNullable<ModuleFacts['bindings']>['servers']>[string] | undefined {
    for (const target of this.namedImportSources(file, name)) {
      const s = this.nodes.get(target)?.facts.bindings?.servers?.[name];
      if (s) return s;
    }
    return undefined;
  }

  /**
   * What an imported function or method reaches that blocks (ModuleFacts.blocking), with the file
   * that defines it: `name` is imported by name (`from .api import client`, key `client.search`)
   * or names a module `file` imports (`import helpers` / `from . import helpers`, key `fetch`).
   */
  importedBlocking(
    file: string,
    name: string,
    member?: string,
  ): { call: string; line: number; file: string } | undefined {
    const found = this.importedFact(file, name, member, (f) => f.blocking);
    return found && { ...found.value, file: found.file };
  }

  /** The parameters an imported function or method uses as a path unchecked (ModuleFacts.pathParams), keyed like `importedBlocking`. */
  importedPathParams(
    file: string,
    name: string,
    member?: string,
  ): { params: { index: number; name: string; line: number }[]; file: string } | undefined {
    const found = this.importedFact(file, name, member, (f) => f.pathParams);
    return found && { params: found.value, file: found.file };
  }

  /** The client an imported function returns (ModuleFacts.clientFactories), with its module. */
  importedClientFactory(
    file: string,
    name: string,
  ): { label: string; io: string; async?: string; line: number; file: string } | undefined {
    const found = this.importedFact(file, name, undefined, (f) => f.clientFactories);
    return found && { ...found.value, file: found.file };
  }

  /** What an imported decorator supplies of the functions it decorates (ModuleFacts.injects). */
  importedInjection(file: string, name: string): { leading: number; names: string[] } | undefined {
    return this.importedFact(file, name, undefined, (f) => f.injects)?.value;
  }

  /**
   * A fact of the module that defines an imported name: `name` imported by name (`from .api import
   * client`, key `client.search`) or naming a module `file` imports (`import helpers` / `from .
   * import helpers`, key `fetch`).
   */
  private importedFact<T>(
    file: string,
    name: string,
    member: string | undefined,
    pick: (f: ModuleFacts) => Record<string, T> | undefined,
  ): { value: T; file: string } | undefined {
    const node = this.nodes.get(file);
    if (!node) return undefined;
    for (const target of node.imports) {
      const names = node.names.get(target);
      const facts = this.nodes.get(target)?.facts;
      const table = facts && pick(facts);
      if (!table) continue;
      // Undefined names: the module itself is imported (also by `from . import x` beside `from .x import y`).
      const keys: string[] = [];
      if (!names || names.includes(name)) keys.push(member ? `${name}.${member}` : name);
      if (!names && member && moduleName(target) === name) keys.push(member);
      for (const k of keys) if (Object.hasOwn(table, k)) return { value: table[k], file: target };
    }
    return undefined;
  }

  /**
   * A module `file` imports directly that starts the stdio transport (`index.ts` importing the
   * `mcp-server.ts` whose class connects a `StdioServerTransport`), if any.
   */
  importedStdioStarter(file: string): string | undefined {
    return this.nodes.get(file)?.imports.find((t) => this.nodes.get(t)?.facts.starts.includes('stdio'));
  }

  /** Whether an analyzed TypeScript/JavaScript module of project `root` starts the stdio transport. */
  tsStdioIn(root: string): boolean {
    for (const n of this.nodes.values())
      if (n.root === root && n.language === 'typescript' && n.facts.starts.includes('stdio')) return true;
    return false;
  }

  /** Whether an analyzed module whose tools call into other modules (blocking calls, paths) imports `file`. */
  calledFromTools(file: string): boolean {
    return this.importersOf(file).some((i) => {
      const f = this.nodes.get(i)?.facts;
      return !!f?.callsImported?.length || !!f?.pathCalls?.length || !!f?.clientCalls?.length;
    });
  }

  /**
   * The module that defines the server `name` that `file` registers on, followed through imports by
   * name (`from mcp_instance import mcp`), as `path#name`: two files with one identity share a server.
   */
  serverIdentity(file: string, name: string): string {
    let at = file;
    for (let depth = 0; depth < 4; depth++) {
      const from = this.namedImportSources(at, name)[0];
      if (!from || from === at) break;
      at = from;
    }
    return `${at}#${name}`;
  }

  /**
   * The transports the project starts the server `name` that `file` registers on with, wherever it
   * is started (the module that defines it, runners that import it by name); empty when nothing
   * seen starts it.
   */
  serverTransports(file: string, name: string): Transport[] {
    const identity = this.serverIdentity(file, name);
    const out: Transport[] = [];
    for (const [f, node] of this.nodes)
      for (const [k, ts] of Object.entries(node.facts.startsByServer ?? {}))
        if (this.serverIdentity(f, k) === identity) out.push(...ts);
    return out;
  }

  /** The files `file` imports `name` from by name (`from x import name`). */
  private namedImportSources(file: string, name: string): string[] {
    const node = this.nodes.get(file);
    return node ? node.imports.filter((t) => node.names.get(t)?.includes(name)) : [];
  }

  /** Whether a file has a `__main__` guard or is a `__main__.py`. */
  isScript(file: string): boolean {
    return basename(file) === '__main__.py' || !!this.nodes.get(file)?.facts.mainGuard;
  }

  /**
   * Transports started by the modules that import `file`, transitively (up to a few levels), with
   * the files that start them (nearest first, then by path). Empty when nothing that imports the
   * file starts anything.
   */
  startsReaching(file: string): { transport: Transport; file: string }[] {
    const out: { transport: Transport; file: string }[] = [];
    const seen = new Set([file]);
    let frontier = [file];
    for (let depth = 0; depth < 4 && frontier.length; depth++) {
      const next: string[] = [];
      for (const f of frontier) {
        for (const imp of this.importersOf(f)) {
          if (seen.has(imp) || this.loadsOffStdio(imp, f)) continue;
          seen.add(imp);
          next.push(imp);
          for (const t of this.nodes.get(imp)?.facts.starts ?? []) out.push({ transport: t, file: imp });
        }
      }
      frontier = next;
    }
    return out;
  }

  /**
   * Whether `file`, or a project module it imports (transitively, up to a few levels), starts a
   * transport: calling into such a module may serve from this process. Imports of files outside
   * the model (packages, files without MCP imports) start nothing of their own.
   */
  importsStarter(file: string): boolean {
    const seen = new Set([file]);
    let frontier = [file];
    for (let depth = 0; depth < 5 && frontier.length; depth++) {
      const next: string[] = [];
      for (const f of frontier) {
        const node = this.nodes.get(f);
        if (!node) continue;
        if (node.facts.starts.length) return true;
        for (const t of node.imports) {
          if (seen.has(t)) continue;
          seen.add(t);
          next.push(t);
        }
      }
      frontier = next;
    }
    return false;
  }

  /**
   * Whether the process that serves `file` on stdio assigns one of the settings
   * (`process.env.MCP_TRANSPORT = "stdio"`): `file` itself, or a module that imports it and
   * starts a stdio (or unknown) transport.
   */
  setsEnv(file: string, settings: { env: string; value: string }[]): boolean {
    return this.stdioServing(file).some((f) => {
      const sets = this.nodes.get(f)?.facts.envSets;
      return !!sets && settings.some((s) => sets[s.env]?.includes(s.value));
    });
  }

  /**
   * Whether the process that serves `file` on stdio points `console.<method>` at stderr: `file`
   * itself, or a module that imports it and starts a stdio (or unknown) transport.
   */
  redirectsConsole(file: string, method: string): boolean {
    return this.stdioServing(file).some((f) => this.nodes.get(f)?.facts.consoleRedirects?.includes(method));
  }

  /** Whether the process that serves `file` on stdio selects its stdio start by `x.<prop>`. */
  selectsStdioBy(file: string, prop: string): boolean {
    return this.stdioServing(file).some((f) => this.nodes.get(f)?.facts.stdioSelectors?.includes(prop));
  }

  /** `file`, and the modules that import it and start a stdio (or unknown) transport. */
  private stdioServing(file: string): string[] {
    return [
      file,
      ...this.startsReaching(file)
        .filter((s) => s.transport === 'stdio' || s.transport === 'unknown')
        .map((s) => s.file),
    ];
  }

  /** Whether an analyzed source of the project at `root` hands schemas to an SDK `McpServer`. */
  passesSdkSchemas(root: string): boolean {
    for (const node of this.nodes.values()) if (node.root === root && node.facts.sdkSchemas) return true;
    return false;
  }

  /**
   * Whether an analyzed TypeScript/JavaScript source of the project at `root` imports `pkg` at run
   * time (or one of its subpaths, `@modelcontextprotocol/sdk/server/mcp.js`; `import type` is not).
   */
  importsPackage(root: string, pkg: string): boolean {
    for (const node of this.nodes.values()) {
      if (node.root !== root || node.language !== 'typescript') continue;
      if (node.facts.packages?.includes(pkg)) return true;
    }
    return false;
  }

  /**
   * The client config in the project (`.vscode/mcp.json`, `.mcp.json`, `.cursor/mcp.json`,
   * `claude_desktop_config.json`) that launches `file` directly with Python (`python server.py`,
   * `uv run server.py`), if any: such a file must start its server itself.
   */
  scriptLaunch(file: string, root: string): string | undefined {
    for (const rel of CLIENT_CONFIGS) {
      const path = join(root, rel);
      if (!this.exists(path)) continue;
      const text = readText(path);
      if (!text) continue;
      // Client configs are JSONC (comments, trailing commas).
      const json: unknown = parseJsonc(text, [], { allowTrailingComma: true });
      if (launches(json, file, root)) return rel;
    }
    return undefined;
  }

  /** The declaration (a file name) that names `file` as an entry point of its project, if any. */
  declaredEntry(file: string, root: string): string | undefined {
    const decl = this.declarations(root);
    for (const [target, where] of decl.entries()) if (target === file) return where;
    return undefined;
  }

  // ---- resolution ------------------------------------------------------------------------

  private exists(path: string): boolean {
    let v = this.existsCache.get(path);
    if (v === undefined) {
      try {
        v = statSync(path).isFile();
      } catch {
        v = false;
      }
      this.existsCache.set(path, v);
    }
    return v;
  }

  private resolveImport(file: string, root: string, language: Language, spec: string, names: string[]): string[] {
    if (language === 'python') return this.resolvePython(file, root, spec, names);
    if (!spec.startsWith('.')) return [];
    const base = resolve(dirname(file), spec);
    const stem = base.replace(/\.(?:m|c)?js$/, '');
    for (const c of [
      base,
      `${stem}.ts`,
      `${stem}.tsx`,
      `${stem}.mts`,
      `${stem}.js`,
      `${stem}.mjs`,
      join(base, 'index.ts'),
      join(base, 'index.js'),
    ])
      if (this.exists(c)) return [c];
    return [];
  }

  /**
   * `.server` / `..pkg.mod` relative to the file's package; `pkg.mod` against the folders that
   * can hold top-level packages: the project root, `src/`, and the folder above the file's
   * outermost package (a package without a manifest of its own).
   */
  private resolvePython(file: string, root: string, spec: string, names: string[]): string[] {
    const dots = /^\.*/.exec(spec)![0].length;
    const rest = spec.slice(dots).split('.').filter(Boolean);
    const bases: string[] = [];
    if (dots > 0) {
      let dir = dirname(file);
      for (let i = 1; i < dots; i++) dir = dirname(dir);
      bases.push(dir);
    } else {
      bases.push(root, join(root, 'src'));
      let dir = dirname(file);
      while (this.exists(join(dir, '__init__.py')) && dirname(dir) !== dir) dir = dirname(dir);
      bases.push(dir);
    }
    const out: string[] = [];
    for (const base of bases) {
      const mod = join(base, ...rest);
      const found = rest.length ? this.moduleFile(mod) : undefined;
      if (found) out.push(found);
      // `from . import server` / `from pkg import server`: the names may be submodules.
      let fromPackage = false;
      for (const n of names) {
        const sub = this.moduleFile(join(mod, n));
        if (sub) out.push(sub);
        else fromPackage = true;
      }
      // `from . import mcp` where the package's __init__.py defines `mcp`.
      if (!rest.length && fromPackage && this.exists(join(mod, '__init__.py'))) out.push(join(mod, '__init__.py'));
      if (out.length) break;
    }
    return out;
  }

  private moduleFile(path: string): string | undefined {
    if (this.exists(`${path}.py`)) return `${path}.py`;
    if (this.exists(join(path, '__init__.py'))) return join(path, '__init__.py');
    return undefined;
  }

  // ---- declared entry points ---------------------------------------------------------------

  /** Entry-point files declared by the project at `root`, each with the file that declares it. */
  private declarations(root: string): Map<string, string> {
    const sources = this.declarationSources(root);
    const stamp = sources.map((p) => `${p}:${mtime(p)}`).join('|');
    const hit = this.declared.get(root);
    if (hit && hit.stamp === stamp) return toMap(hit.files);
    const found = new Map<string, string>();
    for (const src of sources) {
      const text = readText(src);
      if (text === undefined) continue;
      const name = basename(src);
      const add = (rel: string) => {
        const abs = resolve(root, rel.replace(/\\/g, '/'));
        if (!found.has(abs)) found.set(abs, name);
      };
      if (name === 'fastmcp.json') {
        try {
          const json = JSON.parse(text) as { entrypoint?: unknown; source?: { path?: unknown } };
          const p = typeof json.source?.path === 'string' ? json.source.path : json.entrypoint;
          if (typeof p === 'string') add(p.split(':')[0]);
        } catch {
          // malformed: no entry point from it
        }
        continue;
      }
      if (name === 'pyproject.toml') {
        try {
          const doc = parseToml(text) as { project?: { scripts?: Record<string, unknown> } };
          for (const target of Object.values(doc.project?.scripts ?? {})) {
            if (typeof target !== 'string') continue;
            const mod = target.split(':')[0].trim().split('.');
            for (const base of [root, join(root, 'src')]) {
              const f = this.moduleFile(join(base, ...mod));
              if (f) {
                if (!found.has(f)) found.set(f, name);
                break;
              }
            }
          }
        } catch {
          // malformed
        }
      }
      for (const m of text.matchAll(RUN_COMMAND)) add(m[1]);
    }
    this.declared.set(root, { stamp, files: new Set([...found].map(([f, w]) => `${f}\u0000${w}`)) });
    return found;
  }

  private declarationSources(root: string): string[] {
    const out: string[] = [];
    for (const n of DECLARATION_FILES) if (this.exists(join(root, n))) out.push(join(root, n));
    for (const folder of DOC_FOLDERS) {
      let names: string[];
      try {
        names = readdirSync(join(root, folder));
      } catch {
        continue;
      }
      for (const n of names)
        if (/\.(md|sh|mdx|txt)$/i.test(n) && n.length < 80 && !/^requirements/i.test(n))
          out.push(join(root, folder, n));
    }
    return out.slice(0, 64);
  }
}
