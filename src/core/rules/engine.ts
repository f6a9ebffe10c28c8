import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Finding, Severity } from '../model';
import { duplicateToolHits, entryWriteHits, modelHits, withProjectModel } from './crossFile';
import { collectFiles, looksLikeMcp, MAX_FILE_BYTES, SOURCE_EXTENSIONS } from './files';
import {
  byPosition,
  canonicalOverrides,
  dedupeHits,
  errorText,
  internalFinding,
  type SeverityOverrides,
  severityFor,
  toFinding,
} from './hitsToFindings';
import { buildProjectContext, findProjectRoot, invalidateProject } from './project';
import { projectFileKind, runProjectRules, secretRules } from './project/index';
import { ProjectModel } from './projectModel';
import { isSdkPackage } from './sdkPackages';
import type {
  Definition,
  FileAnalysis,
  Framework,
  Language,
  LanguageAnalyzer,
  ModuleFacts,
  ProjectContext,
  RuleHit,
} from './types';
import { type AnalyzerPool, PoolUnavailableError, sharedPool, WORKER_DEPTH } from './worker/pool';

/**
 * The rules engine: runs the language analyzers and the project-file rules over files, turns
 * their `RuleHit`s into `Finding`s (severity, docs link, origin), adds cross-file checks, and
 * caches per-file results by content hash so re-analyzing one edited file stays cheap.
 * Public methods never throw; an analyzer crash becomes an `MCP000` finding.
 */

export type { SeverityOverrides };

export interface EngineOptions {
  /** Analyzers to use instead of the built-in Python and TypeScript ones (loaded lazily). */
  analyzers?: LanguageAnalyzer[];
  severity?: SeverityOverrides;
  /** Where internal problems (analyzer crashes) are logged; `console.error` by default. */
  log?: (message: string) => void;
  /**
   * Worker threads for workspace passes with the built-in analyzers: a count, or 0 to analyze
   * in-process. Default: one per available CPU (none on one CPU). Single-file analysis always
   * runs in-process.
   */
  workers?: number;
  /** The bundled worker script; default `lintWorker.js` next to this bundle, when it exists. */
  workerScript?: string;
}

/** The result of analyzing one file. */
export interface FileResult {
  file: string;
  /** Undefined when the file is neither server source nor a project file. */
  language?: Language;
  framework?: Framework;
  /** True when no analyzer ran: no MCP framework import, or not a supported file. */
  skipped: boolean;
  findings: Finding[];
  definitions: Definition[];
  servers: FileAnalysis['servers'];
  /** Project root the file was analyzed with. */
  root?: string;
  /** True when the analysis came from the content-hash cache. */
  cached: boolean;
  ms: number;
}

export interface WorkspaceResult {
  files: FileResult[];
  /** All findings, sorted by file and position. */
  findings: Finding[];
  definitions: Definition[];
  cancelled: boolean;
  /** `workers`: files analyzed in worker threads (0 when the pass ran in-process). */
  stats: { files: number; analyzed: number; skipped: number; ms: number; workers?: number };
}

export interface WorkspaceOptions {
  onProgress?: (p: { done: number; total: number; file?: string }) => void;
  signal?: AbortSignal;
  /** Files to analyze instead of walking the roots. */
  files?: string[];
}

interface CacheEntry {
  hash: string;
  stamp: string;
  language?: Language;
  framework?: Framework;
  skipped: boolean;
  hits: RuleHit[];
  definitions: Definition[];
  servers: FileAnalysis['servers'];
  internal?: Finding;
  root: string;
  module?: ModuleFacts;
  /**
   * A Python file without MCP imports that a stdio server imports: the stdout findings of its
   * helper analysis (shown while a stdio starter imports it) and its own imports.
   */
  helperHits?: RuleHit[];
  helperModule?: ModuleFacts;
}

type DefaultLanguage = 'python' | 'typescript';

export class RuleEngine {
  private severity: SeverityOverrides;
  private readonly log: (message: string) => void;
  private readonly custom?: LanguageAnalyzer[];
  private readonly loaded = new Map<DefaultLanguage, Promise<LanguageAnalyzer | undefined>>();
  private readonly cache = new Map<string, CacheEntry>();
  /** Files by `root|framework`, for the cross-file checks (avoids scanning the whole cache per file). */
  private readonly groups = new Map<string, Set<string>>();
  /** Import graph, starts and declared entry points across the analyzed files. */
  private readonly model = new ProjectModel();
  private readonly workers?: number;
  private readonly workerScript?: string;

  constructor(opts: EngineOptions = {}) {
    this.custom = opts.analyzers;
    this.workers = opts.workers;
    this.workerScript = opts.workerScript;
    this.severity = canonicalOverrides(opts.severity);
    this.log = opts.log ?? ((m) => console.error(`[mcp-doctor] ${m}`));
  }

  /** Replace the severity overrides; cached analyses are reused, only findings change. */
  setSeverityOverrides(overrides: SeverityOverrides | undefined): void {
    this.severity = canonicalOverrides(overrides);
  }

  /**
   * A project file (manifest, lockfile, Dockerfile...) changed on disk: re-read the project
   * context of its folder on next use. Without this call changes are noticed within a second.
   */
  projectFileChanged(file: string): void {
    invalidateProject(findProjectRoot(file));
  }

  /** Forget the cached analysis of a file (deleted or closed), or of every file. */
  forget(file?: string): void {
    if (file === undefined) {
      this.cache.clear();
      this.groups.clear();
      this.model.clear();
    } else this.setEntry(file, undefined);
  }

  /** Definitions of every file analyzed so far (latest version of each). */
  allDefinitions(): Definition[] {
    return [...this.cache.values()].flatMap((e) => e.definitions);
  }

  /**
   * Analyze one file's text (an editor buffer or a file on disk). Uses the cached analysis when
   * the text and the project files are unchanged. Cross-file checks compare with the other
   * files this engine has analyzed.
   */
  async analyzeFile(file: string, text: string): Promise<FileResult> {
    const started = performance.now();
    try {
      const { entry, cached } = await this.analyzeEntry(file, text);
      await this.ensureHelper(file, entry, text);
      return this.toResult(file, entry, cached, started);
    } catch (err) {
      // Defensive: analyzeEntry already contains analyzer failures; this is for engine bugs.
      const internal = internalFinding(this.log, file, 'engine', err);
      return {
        file,
        skipped: true,
        findings: [internal],
        definitions: [],
        servers: [],
        cached: false,
        ms: performance.now() - started,
      };
    }
  }

  /**
   * Analyze every lintable file under the roots (or `opts.files`). Reports progress, stops early
   * when the signal aborts (with `cancelled: true`), and yields to the event loop between files.
   */
  async analyzeWorkspace(roots: string[], opts: WorkspaceOptions = {}): Promise<WorkspaceResult> {
    const started = performance.now();
    const result: WorkspaceResult = {
      files: [],
      findings: [],
      definitions: [],
      cancelled: false,
      stats: { files: 0, analyzed: 0, skipped: 0, ms: 0, workers: 0 },
    };
    try {
      const files =
        opts.files ??
        (await collectFiles(roots, {
          extensions: this.extensions(),
          signal: opts.signal,
          onError: (p, e) => this.log(`cannot read ${p}: ${errorText(e)}`),
        }));
      result.stats.files = files.length;
      const entries: ({ file: string; entry: CacheEntry; cached: boolean; ms: number } | undefined)[] = [];
      const pool = files.length >= POOL_MIN_FILES ? this.pool() : undefined;
      let started = 0;
      let lastYield = performance.now();
      const one = async (i: number): Promise<void> => {
        const file = files[i];
        const t0 = performance.now();
        const text = readText(file);
        if (text !== undefined) {
          const { entry, cached, inWorker } = await this.analyzeEntry(file, text, pool);
          if (inWorker) result.stats.workers!++;
          entries[i] = { file, entry, cached, ms: performance.now() - t0 };
        }
        // Keep an extension host responsive during long runs.
        if (performance.now() - lastYield > 50) {
          await new Promise((r) => setImmediate(r));
          lastYield = performance.now();
        }
      };
      // With workers, several files are in flight at once (reading, hashing and caching stay on
      // this thread), taken from per-language lanes (see `lanesOf`); without, one at a time in
      // order. Results keep the order of `files` either way.
      const lanes = pool ? this.lanesOf(files) : [files.map((_, i) => i)];
      const runners = pool ? pool.size * WORKER_DEPTH : 1;
      const taken = lanes.map(() => 0);
      const next = (home: number): number | undefined => {
        // Its own lane first, then the lane with the most files left (stealing at the end).
        let k = home;
        const left = (j: number) => lanes[j].length - taken[j];
        if (!left(k)) for (let j = 0; j < lanes.length; j++) if (left(j) > left(k)) k = j;
        return left(k) ? lanes[k][taken[k]++] : undefined;
      };
      await Promise.all(
        Array.from({ length: runners }, async (_, r) => {
          for (let i = next(r % lanes.length); i !== undefined; i = next(r % lanes.length)) {
            opts.onProgress?.({ done: started++, total: files.length, file: files[i] });
            if (opts.signal?.aborted) {
              result.cancelled = true;
              return;
            }
            await one(i);
          }
        }),
      );
      if (opts.signal?.aborted) result.cancelled = true;
      const done = entries.filter((e) => e !== undefined);
      // Helper modules of stdio servers are known only once their importers were analyzed; a
      // helper's own imports may reveal helpers of helpers (a few rounds at most).
      for (let round = 0; round < 3; round++) {
        let added = false;
        for (const d of done) if (await this.ensureHelper(d.file, d.entry)) added = true;
        if (!added) break;
      }
      opts.onProgress?.({ done: done.length, total: files.length });
      for (const { file, entry, cached, ms } of done) {
        const t1 = performance.now();
        const r = this.toResult(file, entry, cached, t1);
        r.ms += ms;
        result.files.push(r);
        result.findings.push(...r.findings);
        result.definitions.push(...r.definitions);
        if (r.skipped) result.stats.skipped++;
        else result.stats.analyzed++;
      }
      result.findings.sort(byPosition);
    } catch (err) {
      this.log(`workspace analysis failed: ${errorText(err)}`);
    }
    result.stats.ms = performance.now() - started;
    return result;
  }

  /**
   * File indexes by language (Python, TypeScript/JavaScript), largest lane first; project and other
   * files join the first lane (they are cheap and stay on this thread). Runners take their own
   * lane, so a worker mostly gets one language and loads and warms up one analyzer.
   */
  private lanesOf(files: string[]): number[][] {
    const by = new Map<Language | undefined, number[]>();
    files.forEach((f, i) => {
      const l = this.languageOf(f);
      if (!by.has(l)) by.set(l, []);
      by.get(l)!.push(i);
    });
    const other = by.get(undefined) ?? [];
    by.delete(undefined);
    const lanes = [...by.values()].sort((a, b) => b.length - a.length);
    if (!lanes.length) return [other];
    lanes[0] = [...other, ...lanes[0]];
    return lanes;
  }

  /** Extensions handled by the configured (or default) analyzers. */
  extensions(): string[] {
    if (this.custom) return this.custom.flatMap((a) => [...a.extensions]);
    return [...SOURCE_EXTENSIONS.python, ...SOURCE_EXTENSIONS.typescript];
  }

  /** The worker pool for a workspace pass, when the built-in analyzers are used and workers can run. */
  private pool(): AnalyzerPool | undefined {
    if (this.custom || this.workers === 0) return undefined;
    try {
      return sharedPool(this.workerScript ?? defaultWorkerScript(), this.workers);
    } catch (err) {
      this.log(`analyzer workers unavailable, analyzing in-process: ${errorText(err)}`);
      return undefined;
    }
  }

  private async analyzeEntry(
    file: string,
    text: string,
    pool?: AnalyzerPool,
  ): Promise<{ entry: CacheEntry; cached: boolean; inWorker?: boolean }> {
    const root = findProjectRoot(file);
    const kind = projectFileKind(file);
    // Analyzing a project file means it may have changed: re-verify the context first.
    if (kind) invalidateProject(root);
    const project = buildProjectContext(root);
    const hash = createHash('sha1').update(text).digest('base64');
    const stamp = project.stamp ?? '';
    const hit = this.cache.get(file);
    if (hit && hit.hash === hash && hit.stamp === stamp) return { entry: hit, cached: true };

    const entry: CacheEntry = { hash, stamp, skipped: true, hits: [], definitions: [], servers: [], root };
    const ran = { inWorker: false };
    if (kind) {
      entry.language = 'config';
      entry.skipped = false;
      try {
        entry.hits = runProjectRules(file, text, project);
      } catch (err) {
        entry.internal = internalFinding(this.log, file, 'project rules', err);
      }
    } else {
      // The text pre-check runs before an analyzer is loaded, so plain files never load parsers.
      const language = this.languageOf(file);
      // Inside an SDK's own repository, examples import the SDK by relative path.
      const mcp =
        !!language &&
        (looksLikeMcp(language, text) ||
          (language === 'typescript' && isSdkPackage(project.packageName) && /from\s+['"]\.{1,2}\//.test(text)));
      // Built-in analyzers run in a worker when a pool is given (no in-process load needed).
      const pooled = mcp && pool?.usable && (language === 'python' || language === 'typescript') ? language : undefined;
      const analyzer = mcp && !pooled ? await this.analyzerFor(file) : undefined;
      if (!analyzer && !pooled && language) entry.language = language;
      if (analyzer || pooled) {
        entry.language = analyzer?.language ?? pooled;
        entry.skipped = false;
        try {
          const analysis = await this.runAnalyzer(file, text, project, analyzer, pooled, pool, ran);
          if (!analysis) {
            // The worker could not help and the analyzer cannot load here either: as if never loaded.
            entry.skipped = true;
            this.setEntry(file, entry);
            return { entry, cached: false };
          }
          entry.framework = analysis.framework;
          entry.hits = Array.isArray(analysis.hits) ? analysis.hits : [];
          entry.definitions = Array.isArray(analysis.definitions) ? analysis.definitions : [];
          entry.servers = Array.isArray(analysis.servers) ? analysis.servers : [];
          entry.module = analysis.module;
          // A runner module parsed only for the project model: no rule ran on it.
          if (!analysis.framework && !entry.hits.length && !entry.definitions.length && !entry.servers.length) {
            this.setEntry(file, { ...entry, skipped: true });
            return { entry: { ...entry, skipped: true }, cached: false, inWorker: ran.inWorker };
          }
        } catch (err) {
          entry.internal = internalFinding(this.log, file, `${entry.language} analyzer`, err);
        }
        // Secrets in server code (analyzers may report them too; duplicates are merged below).
        try {
          entry.hits = [
            ...entry.hits,
            ...secretRules(file, text, { language: entry.language === 'python' ? 'python' : 'typescript', root }),
          ];
        } catch (err) {
          entry.internal ??= internalFinding(this.log, file, 'secret scan', err);
        }
      }
    }
    entry.hits = dedupeHits(entry.hits);
    this.setEntry(file, entry);
    return { entry, cached: false, inWorker: ran.inWorker };
  }

  /** Whether a module that starts the stdio transport imports `file` (directly or through others). */
  private reachesStdio(file: string): boolean {
    return this.model.startsReaching(file).some((s) => s.transport === 'stdio');
  }

  /**
   * Runs the helper analysis (stdout rules) on a Python or TypeScript/JavaScript file without MCP
   * imports that a stdio server imports, once per content. Returns true when it ran.
   */
  private async ensureHelper(file: string, entry: CacheEntry, text?: string): Promise<boolean> {
    if (entry.language !== 'python' && entry.language !== 'typescript') return false;
    if (!entry.skipped || entry.helperHits || this.custom) return false;
    // Parsed for the stdout rules, or for what an importer's tools call here (blocking calls, paths).
    if (
      !this.reachesStdio(file) &&
      !(entry.language === 'python' && this.model.calledFromTools(file)) &&
      // A possible entry module of a TypeScript stdio server (`index.ts` that imports the server).
      !(entry.language === 'typescript' && this.model.tsStdioIn(entry.root))
    )
      return false;
    const analyzer = await this.analyzerFor(file);
    if (!analyzer?.analyzeHelper) return false;
    const t = text ?? readText(file);
    if (t === undefined) return false;
    try {
      const a = await analyzer.analyzeHelper(file, t, buildProjectContext(entry.root));
      entry.helperHits = dedupeHits(Array.isArray(a.hits) ? a.hits : []);
      entry.helperModule = a.module;
      this.model.set(file, entry.root, entry.language, a.module);
    } catch (err) {
      entry.helperHits = [];
      this.log(`helper analysis failed on ${file}: ${errorText(err)}`);
    }
    return true;
  }

  /**
   * Runs the analyzer in a worker (`pooled`) or in-process. A pool that cannot take the file
   * (no workers, a crash) falls back to the in-process analyzer; analyzer errors propagate.
   */
  private async runAnalyzer(
    file: string,
    text: string,
    project: ProjectContext,
    analyzer: LanguageAnalyzer | undefined,
    pooled: DefaultLanguage | undefined,
    pool: AnalyzerPool | undefined,
    ran: { inWorker: boolean },
  ): Promise<FileAnalysis | undefined> {
    if (pooled && pool) {
      try {
        const analysis = await pool.analyze(pooled, file, text, project);
        ran.inWorker = true;
        return analysis;
      } catch (err) {
        if (!(err instanceof PoolUnavailableError)) throw err;
        this.log(`analyzer worker unavailable (${err.message}); analyzing ${file} in-process`);
      }
    }
    const a = analyzer ?? (await this.analyzerFor(file));
    return a ? a.analyze(file, text, project) : undefined;
  }

  private setEntry(file: string, entry: CacheEntry | undefined): void {
    const old = this.cache.get(file);
    if (old?.framework) this.groups.get(`${old.root}|${old.framework}`)?.delete(file);
    this.model.set(file, entry?.root ?? '', entry?.language, entry?.module ?? entry?.helperModule);
    if (!entry) {
      this.cache.delete(file);
      return;
    }
    this.cache.set(file, entry);
    if (entry.framework) {
      const key = `${entry.root}|${entry.framework}`;
      if (!this.groups.has(key)) this.groups.set(key, new Set());
      this.groups.get(key)!.add(file);
    }
  }

  /** Findings for a cached analysis; `ms` is the time since `started` (the caller adds reading time). */
  private toResult(file: string, entry: CacheEntry, cached: boolean, started: number): FileResult {
    const findings: Finding[] = [];
    const helperHits = !!entry.helperHits?.length && entry.skipped;
    const helper = helperHits && this.reachesStdio(file);
    // A module that imports the stdio server module (its entry): its own unconditional writes.
    const starter = helperHits && !helper ? this.model.importedStdioStarter(file) : undefined;
    const entryWrites = starter ? entryWriteHits(entry.helperHits!, relative(entry.root, starter) || starter) : [];
    const extra = [...this.crossFileHits(file, entry), ...modelHits(this.model, file, entry.module), ...entryWrites];
    for (const raw of helper ? entry.helperHits! : entry.hits) {
      const hit = withProjectModel(this.model, file, entry, raw);
      const f = hit && toFinding(file, hit, this.severity);
      if (f) findings.push(f);
    }
    for (const hit of extra) {
      const f = toFinding(file, hit, this.severity);
      if (f) findings.push(f);
    }
    if (entry.internal) findings.push(entry.internal);
    findings.sort(byPosition);
    return {
      file,
      language: entry.language,
      framework: entry.framework,
      skipped: entry.skipped && !helper && !entryWrites.length,
      findings,
      definitions: entry.definitions,
      servers: entry.servers,
      root: entry.root,
      cached,
      ms: performance.now() - started,
    };
  }

  /** Severity for a hit: the user override, else the hit's explicit severity, else the catalogue default (lowered one level on `downgrade`). */
  severityOf(ruleId: string, downgrade?: boolean, hitSeverity?: Severity): Severity | 'off' {
    return severityFor(this.severity, ruleId, downgrade, hitSeverity);
  }

  /** MCP702 across files, compared with the files of the same project root and framework. */
  private crossFileHits(file: string, entry: CacheEntry): RuleHit[] {
    if (!entry.framework || !entry.definitions.some((d) => d.kind === 'tool')) return [];
    const group = [...(this.groups.get(`${entry.root}|${entry.framework}`) ?? [])].flatMap((f) => {
      const e = this.cache.get(f);
      return e ? [[f, e] as const] : [];
    });
    return duplicateToolHits(file, entry, group, this.model);
  }

  /** Language of a source file by extension, without loading anything. */
  private languageOf(file: string): Language | undefined {
    const ext = extname(file).toLowerCase();
    if (file.endsWith('.d.ts')) return undefined;
    if (this.custom) return this.custom.find((a) => a.extensions.includes(ext))?.language;
    return SOURCE_EXTENSIONS.python.includes(ext)
      ? 'python'
      : SOURCE_EXTENSIONS.typescript.includes(ext)
        ? 'typescript'
        : undefined;
  }

  private async analyzerFor(file: string): Promise<LanguageAnalyzer | undefined> {
    const ext = extname(file).toLowerCase();
    if (file.endsWith('.d.ts')) return undefined;
    if (this.custom) return this.custom.find((a) => a.extensions.includes(ext));
    const language: DefaultLanguage | undefined = SOURCE_EXTENSIONS.python.includes(ext)
      ? 'python'
      : SOURCE_EXTENSIONS.typescript.includes(ext)
        ? 'typescript'
        : undefined;
    if (!language) return undefined;
    let p = this.loaded.get(language);
    if (!p) {
      p = loadAnalyzer(language).catch((err) => {
        this.log(`cannot load the ${language} analyzer: ${errorText(err)}`);
        return undefined;
      });
      this.loaded.set(language, p);
    }
    return p;
  }
}

/** Workspace passes smaller than this stay in-process (starting workers would cost more). */
const POOL_MIN_FILES = 16;

/** `lintWorker.js` next to the running bundle (dist/), when it was built; undefined under tsx. */
function defaultWorkerScript(): string | undefined {
  const script = join(__dirname, 'lintWorker.js');
  return existsSync(script) ? script : undefined;
}

/** Load a built-in analyzer on first use, so parsers and grammars load only when needed. */
async function loadAnalyzer(language: DefaultLanguage): Promise<LanguageAnalyzer> {
  // `require` (not `import()`): esbuild keeps the module lazily initialised inside the bundle,
  // and it resolves `.ts` sources under the tsx test loader as well.
  if (language === 'python')
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load (see above)
    return (require('./python/index') as typeof import('./python/index')).createPythonAnalyzer();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load (see above)
  return (require('./typescript/index') as typeof import('./typescript/index')).createTypeScriptAnalyzer();
}

function readText(file: string): string | undefined {
  try {
    // Synchronous on purpose: source files are small (size-capped) and a blocking read costs
    // ~0.02 ms against ~0.2 ms for fs.promises.readFile (FileHandle, fstat, promise chain).
    // Read first and check the size after: one system call less per file; huge files are rare.
    const text = readFileSync(file, 'utf8');
    return text.length > MAX_FILE_BYTES ? undefined : text;
  } catch {
    return undefined;
  }
}

export type { ProjectContext };
