import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { LineSplitter } from './lineSplitter';
import { resolveCommand } from './resolveCommand';
import { sampleHealth, type HealthSample } from './health';

/** Exactly what to run. `env` is the complete environment of the child. */
export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** How a process ended. `error` is set when it could not be spawned at all. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
  ts: number;
}

export interface ProcessHandlers {
  /** Raw stdout bytes (the MCP channel for stdio servers). */
  stdout?(chunk: Buffer): void;
  /** One stderr line, without the newline. */
  stderrLine?(line: string, ts: number): void;
  /** Stdout reached its end (the process closed it, or exited). */
  stdoutEnd?(): void;
  exit?(info: ExitInfo): void;
}

/** Spawn outcome: a running process, or why none was started. */
export type StartResult =
  | { ok: true; process: ManagedProcess }
  | { ok: false; reason: 'not-found'; command: string; searchedPath: string }
  | { ok: false; reason: 'cwd-missing'; cwd: string };

const STDERR_TAIL = 200;

/**
 * A server process in its own process group (so stopping it stops everything it spawned),
 * with stderr split into lines, a bounded stderr tail, exit reporting and health sampling.
 */
export class ManagedProcess {
  readonly pid: number;
  readonly stderrTail: string[] = [];
  readonly samples: HealthSample[] = [];
  readonly exited: Promise<ExitInfo>;
  exitInfo?: ExitInfo;
  private readonly child: ChildProcess;
  private drain?: Promise<void>;
  private stopping?: Promise<ExitInfo>;
  private sampler?: NodeJS.Timeout;
  /** Descendants seen at health samples: found again on stop even after the leader exited and they were reparented. */
  private knownTree: ProcInfo[] = [];

  /** Resolves the command on PATH first so a missing command is a clear result, not ENOENT. */
  static start(spec: SpawnSpec, handlers: ProcessHandlers = {}): StartResult {
    try {
      fs.accessSync(spec.cwd);
    } catch {
      return { ok: false, reason: 'cwd-missing', cwd: spec.cwd };
    }
    const resolved = resolveCommand(spec.command, spec.env, spec.cwd);
    if (!resolved.path)
      return { ok: false, reason: 'not-found', command: spec.command, searchedPath: resolved.searchedPath };
    return { ok: true, process: new ManagedProcess(spec, resolved.path, handlers) };
  }

  private constructor(
    spec: SpawnSpec,
    executable: string,
    private readonly handlers: ProcessHandlers,
  ) {
    const winShell = process.platform === 'win32' && /\.(cmd|bat)$/i.test(executable);
    this.child = spawn(winShell ? `"${executable}"` : executable, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
      shell: winShell,
    });
    this.pid = this.child.pid ?? -1;
    let resolveExit!: (e: ExitInfo) => void;
    this.exited = new Promise((r) => (resolveExit = r));
    const finish = (info: ExitInfo) => {
      if (this.exitInfo) return;
      this.exitInfo = info;
      this.stopSampling();
      stderrSplitter.flush();
      resolveExit(info);
      this.handlers.exit?.(info);
    };
    const stderrSplitter = new LineSplitter((line) => {
      const ts = performance.timeOrigin + performance.now();
      this.appendTail(line);
      this.handlers.stderrLine?.(line, ts);
    }, 1024 * 1024);
    this.child.stdout!.on('data', (c: Buffer) => this.handlers.stdout?.(c));
    this.child.stdout!.on('end', () => this.handlers.stdoutEnd?.());
    this.child.stderr!.on('data', (c: Buffer) => stderrSplitter.push(c));
    this.child.stdin!.on('error', () => {
      // EPIPE when the server exits while we write: the exit handler reports it.
    });
    this.child.on('error', (error) => finish({ code: null, signal: null, error, ts: Date.now() }));
    this.child.on('exit', (code, signal) => {
      // Let the last stderr bytes arrive before reporting the exit (tracebacks come last).
      const done = () => finish({ code, signal, ts: Date.now() });
      if (this.child.stderr!.readableEnded) done();
      else {
        const t = setTimeout(done, 200);
        this.child.stderr!.once('end', () => {
          clearTimeout(t);
          done();
        });
      }
    });
  }

  /** Stops reading stdout (backpressure: the server blocks on its writes until `resumeStdout`). */
  pauseStdout(): void {
    if (!this.child.stdout!.isPaused()) this.child.stdout!.pause();
  }

  resumeStdout(): void {
    if (this.child.stdout!.isPaused()) this.child.stdout!.resume();
  }

  /** Adds a line to the stderr tail (HTTP servers: their stdout is a log too). */
  appendTail(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.splice(0, this.stderrTail.length - STDERR_TAIL);
  }

  get running(): boolean {
    return !this.exitInfo;
  }

  /** Writes to stdin, waiting for `drain` when the pipe is full (one shared listener). */
  write(data: string): Promise<void> {
    const stdin = this.child.stdin!;
    if (!stdin.writable) return Promise.reject(new Error('server stdin is closed'));
    if (stdin.write(data)) return Promise.resolve();
    if (!this.drain) {
      this.drain = new Promise((resolve) => {
        const done = () => {
          this.drain = undefined;
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
    }
    return this.drain;
  }

  /** Samples RSS/fds every `intervalMs` (keeps the last `keep` samples). */
  startSampling(intervalMs: number, keep = 720, onSample?: (s: HealthSample) => void): void {
    if (this.sampler || process.platform !== 'linux' || this.pid < 0) return;
    const take = () => {
      const s = sampleHealth(this.pid);
      if (!s || s.rssBytes === 0) return; // 0 right after fork, before exec
      this.rememberTree(descendantsOf(this.pid));
      this.samples.push(s);
      if (this.samples.length > keep) this.samples.splice(0, this.samples.length - keep);
      onSample?.(s);
    };
    take();
    this.sampler = setInterval(take, intervalMs);
    this.sampler.unref();
  }

  private rememberTree(found: ProcInfo[]): void {
    const byPid = new Map<number, ProcInfo>();
    for (const p of this.knownTree) if (sameProcess(p)) byPid.set(p.pid, p);
    for (const p of found) byPid.set(p.pid, p);
    this.knownTree = [...byPid.values()].slice(-1000);
  }

  private stopSampling(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /**
   * Graceful stop of the whole tree: close stdin → wait `graceMs` → SIGTERM the group → wait →
   * SIGKILL the group. Also clears out children left behind when the leader exits on its own.
   */
  stop(graceMs = 2000): Promise<ExitInfo> {
    if (!this.stopping) this.stopping = this.doStop(graceMs);
    return this.stopping;
  }

  /**
   * The process will not exit on its own (e.g. it asked a question after its stdin closed and
   * waits for the answer): a stop that waits for the grace period goes on to SIGTERM now.
   */
  hurryStop(): void {
    this.hurried = true;
    this.hurry?.();
  }

  private hurried = false;
  private hurry?: () => void;

  private async doStop(graceMs: number): Promise<ExitInfo> {
    const waitExit = (ms: number) =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    // Children that left the process group (setsid, daemonizing) are found through the process
    // tree while the leader still lives; they are stopped with the group below.
    if (this.running) this.rememberTree(descendantsOf(this.pid));
    const tree = this.knownTree;
    if (this.running) {
      try {
        this.child.stdin!.end();
      } catch {
        // already closed
      }
      const hurried = new Promise<boolean>((r) => (this.hurry = () => r(false)));
      if (this.hurried || !(await Promise.race([waitExit(graceMs), hurried]))) {
        this.signalGroup('SIGTERM');
        if (!(await waitExit(graceMs))) {
          this.signalGroup('SIGKILL');
          await waitExit(5000);
        }
      }
    }
    await this.reapGroup();
    await killEscaped(tree, this.pid);
    this.stopSampling();
    return this.exitInfo ?? { code: null, signal: 'SIGKILL', ts: Date.now() };
  }

  /** True while any process of the group is alive (POSIX). */
  groupAlive(): boolean {
    if (process.platform === 'win32' || this.pid < 0) return false;
    try {
      process.kill(-this.pid, 0);
    } catch {
      return false;
    }
    // kill(-pgid, 0) also succeeds for zombies (e.g. in containers whose PID 1 does not reap):
    // on Linux, look for a member that is not a zombie.
    if (process.platform === 'linux') return groupHasLiveMember(this.pid);
    return true;
  }

  private async reapGroup(): Promise<void> {
    if (!this.groupAlive()) return;
    this.signalGroup('SIGTERM');
    for (let i = 0; i < 20 && this.groupAlive(); i++) await new Promise((r) => setTimeout(r, 25));
    if (this.groupAlive()) this.signalGroup('SIGKILL');
    for (let i = 0; i < 40 && this.groupAlive(); i++) await new Promise((r) => setTimeout(r, 25));
  }

  private signalGroup(sig: NodeJS.Signals): void {
    if (this.pid < 0) return;
    try {
      if (process.platform === 'win32') this.child.kill(sig);
      else process.kill(-this.pid, sig);
    } catch {
      try {
        this.child.kill(sig);
      } catch {
        // gone
      }
    }
  }
}

/** Linux: true when some process of group `pgid` is not a zombie (scans /proc). */
function groupHasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') return true;
  }
  return false;
}

/** A process seen in /proc: pid, parent, group and start time (to detect pid reuse). */
interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  start: string;
  zombie: boolean;
}

function readProc(pid: number | string): ProcInfo | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] = state (field 3), rest[1] = ppid, rest[2] = pgrp, rest[19] = starttime (field 22)
  return {
    pid: Number(pid),
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    start: rest[19],
    zombie: rest[0] === 'Z' || rest[0] === 'X',
  };
}

let childrenFiles: boolean | undefined;

/**
 * Linux: every live descendant of `root` (children, grandchildren…); [] elsewhere. Walks
 * `/proc/<pid>/task/<tid>/children` (cost proportional to the tree), or scans all of /proc
 * when the kernel lacks those files.
 */
function descendantsOf(root: number): ProcInfo[] {
  if (process.platform !== 'linux' || root <= 0) return [];
  childrenFiles ??= fs.existsSync(`/proc/self/task/${process.pid}/children`);
  if (childrenFiles) {
    const out: ProcInfo[] = [];
    const seen = new Set<number>([root]);
    const queue = [root];
    while (queue.length && out.length < 1000) {
      const pid = queue.pop()!;
      let tasks: string[];
      try {
        tasks = fs.readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const t of tasks) {
        let text: string;
        try {
          text = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8');
        } catch {
          continue;
        }
        for (const c of text.split(' ')) {
          const cp = Number(c);
          if (!cp || seen.has(cp)) continue;
          seen.add(cp);
          const info = readProc(cp);
          if (!info || info.zombie) continue;
          out.push(info);
          queue.push(cp);
        }
      }
    }
    return out;
  }
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const byParent = new Map<number, ProcInfo[]>();
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    const p = readProc(e);
    if (!p || p.zombie) continue;
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of byParent.get(queue.pop()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** SIGTERM, then SIGKILL, the processes of `tree` that are outside group `pgid` and still the same processes. */
async function killEscaped(tree: ProcInfo[], pgid: number): Promise<void> {
  const alive = () => tree.filter((p) => p.pgrp !== pgid && sameProcess(p));
  let left = alive();
  if (!left.length) return;
  const signal = (sig: NodeJS.Signals) => {
    for (const p of left) {
      try {
        process.kill(p.pid, sig);
      } catch {
        // gone
      }
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 20 && (left = alive()).length; i++) await new Promise((r) => setTimeout(r, 25));
  if (!left.length) return;
  signal('SIGKILL');
  for (let i = 0; i < 40 && (left = alive()).length; i++) await new Promise((r) => setTimeout(r, 25));
}

function sameProcess(p: ProcInfo): boolean {
  const now = readProc(p.pid);
  return !!now && !now.zombie && now.start === p.start;
}

/** True when `pid` exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
