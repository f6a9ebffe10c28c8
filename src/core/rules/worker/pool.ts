/**
 * A small pool of analyzer worker threads for whole-workspace passes. Each worker loads the
 * parsers once and stays alive between passes (unref'd: it never keeps the process running),
 * and the pool shuts down after a minute without work. Files go to a worker that already runs
 * their language while it has room (see `pickSlot`): in a mixed workspace one worker loads and
 * warms up (JIT, wasm tier-up) the Python analyzer and another the TypeScript one, instead of
 * each worker paying both. Any failure (no worker support, a crashed
 * worker, an analyzer that cannot load) rejects with `PoolUnavailableError`, and the engine
 * analyzes that file in-process instead, so results never depend on the pool.
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import type { FileAnalysis, ProjectContext } from '../types';
import type { AnalyzeRequest, AnalyzeResponse, WorkerLanguage } from './protocol';

type WorkerCtor = typeof import('node:worker_threads').Worker;
type WorkerT = InstanceType<WorkerCtor>;

/** The pool could not run the task: the caller should analyze in-process. */
export class PoolUnavailableError extends Error {}

/** An error the analyzer itself threw inside the worker (same meaning as in-process). */
class AnalyzerError extends Error {
  constructor(message: string, stack?: string) {
    super(message);
    if (stack) this.stack = stack;
  }
}

interface Task {
  resolve: (a: FileAnalysis) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: WorkerT;
  pending: Map<number, Task>;
  /** Languages this worker was sent (it loaded their analyzers). */
  languages: Set<WorkerLanguage>;
}

const IDLE_MS = 60_000;

/**
 * Files a worker may have in flight before another worker takes its language: enough to keep it
 * busy while the main thread reads and hashes the next file (the engine keeps this many per worker).
 */
export const WORKER_DEPTH = 4;

export class AnalyzerPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private broken = false;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    readonly script: string,
    readonly size: number,
  ) {}

  /** Whether the pool can be used at all (a worker failed to start or crashed before). */
  get usable(): boolean {
    return !this.broken;
  }

  analyze(language: WorkerLanguage, file: string, text: string, project: ProjectContext): Promise<FileAnalysis> {
    if (this.broken) return Promise.reject(new PoolUnavailableError('analyzer workers are unavailable'));
    let slot: Slot;
    try {
      slot = this.pickSlot(language);
    } catch (err) {
      this.broken = true;
      return Promise.reject(
        new PoolUnavailableError(`cannot start analyzer workers: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    const id = this.nextId++;
    this.touch();
    slot.languages.add(language);
    return new Promise<FileAnalysis>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      if (slot.pending.size === 1) slot.worker.ref();
      try {
        slot.worker.postMessage({ id, language, file, text, project } satisfies AnalyzeRequest);
      } catch (err) {
        slot.pending.delete(id);
        reject(
          new PoolUnavailableError(
            `cannot post to an analyzer worker: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
      }
    });
  }

  /** Stops every worker; pending tasks reject with `PoolUnavailableError` (callers fall back). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) this.failSlot(s, 'the analyzer pool was closed');
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  /** Languages each running worker has loaded (for tests and diagnostics). */
  languages(): WorkerLanguage[][] {
    return this.slots.map((s) => [...s.languages]);
  }

  /**
   * The worker for a file of `language`: the least busy worker that already runs the language
   * while it has fewer than `WORKER_DEPTH` files in flight; else a new worker (up to `size`); else
   * an idle worker (it loads the language); else the least busy one.
   */
  private pickSlot(language: WorkerLanguage): Slot {
    let warm: Slot | undefined;
    for (const s of this.slots)
      if (s.languages.has(language) && (!warm || s.pending.size < warm.pending.size)) warm = s;
    if (warm && warm.pending.size < WORKER_DEPTH) return warm;
    if (this.slots.length < this.size) return this.startSlot();
    let best = this.slots[0];
    for (const s of this.slots) if (s.pending.size < best.pending.size) best = s;
    return warm && warm.pending.size <= best.pending.size ? warm : best;
  }

  private startSlot(): Slot {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as { Worker: WorkerCtor };
    const worker = new Worker(this.script);
    const slot: Slot = { worker, pending: new Map(), languages: new Set() };
    worker.unref();
    worker.on('message', (res: AnalyzeResponse) => {
      const task = slot.pending.get(res.id);
      if (!task) return;
      slot.pending.delete(res.id);
      if (slot.pending.size === 0) worker.unref();
      if (res.ok) task.resolve(res.analysis);
      else if (res.loadFailed) task.reject(new PoolUnavailableError(res.error.message));
      else task.reject(new AnalyzerError(res.error.message, res.error.stack));
    });
    const fail = (why: string) => {
      this.broken = true;
      this.slots = this.slots.filter((s) => s !== slot);
      this.failSlot(slot, why);
    };
    worker.on('error', (err) => fail(`analyzer worker failed: ${err.message}`));
    worker.on('exit', (code) => fail(`analyzer worker exited (code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private failSlot(slot: Slot, why: string): void {
    const tasks = [...slot.pending.values()];
    slot.pending.clear();
    for (const t of tasks) t.reject(new PoolUnavailableError(why));
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.slots.every((s) => s.pending.size === 0)) void this.close();
      else this.touch();
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}

const pools = new Map<string, AnalyzerPool>();

/**
 * The shared pool for a worker script, or undefined when workers cannot help: the script is
 * missing (e.g. running from sources under tsx), one CPU, or size 0 requested.
 */
export function sharedPool(script: string | undefined, size = defaultPoolSize()): AnalyzerPool | undefined {
  if (!script || size < 1) return undefined;
  let pool = pools.get(script);
  if (pool && pool.usable && pool.size === size) return pool;
  if (pool) void pool.close();
  if (!existsSync(script)) return undefined;
  pool = new AnalyzerPool(script, size);
  pools.set(script, pool);
  return pool;
}

/** One worker per available CPU, none on a single-CPU machine (the main thread is enough). */
function defaultPoolSize(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return n > 1 ? n : 0;
}
