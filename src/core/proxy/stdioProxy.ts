import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { isSecretEnvName } from '../trace/redact';
import { FLUSH_BYTES, FLUSH_MS, makeHeader, TraceFileWriter } from '../trace/store';
import { now, type TraceDirection, type TraceEntryKind } from '../trace/types';
import { LineTap } from './lineTap';

/** Options of one proxy run. */
export interface StdioProxyOptions {
  command: string;
  args: string[];
  /** JSONL trace file (same format as the extension's store); no recording when undefined. */
  traceFile?: string;
  /** Name written into the trace header (default: the command's base name). */
  serverName?: string;
  /** The client side (default: the process's own streams). */
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Forward these signals received by this process to the server (default true). */
  forwardSignals?: boolean;
  /** Version string written into the trace header. */
  version?: string;
  /** After the client closes stdin: wait this long for the server, then SIGTERM, then as long again and SIGKILL (default 5000). */
  stopGraceMs?: number;
}

/** Lines longer than this are cut in the trace (never in the forwarded stream). */
const MAX_TRACE_LINE = 32 * 1024 * 1024;

/**
 * Runs an MCP stdio server as a child and relays both directions byte for byte: the client's
 * stdin goes to the child unchanged, the child's stdout to our stdout unchanged, its stderr
 * to our stderr. Copies of the chunks are split into lines and recorded to `traceFile`.
 *
 * Lifetime: when the client closes stdin, the child's stdin is closed and the proxy waits
 * for the child; when the child exits, the trace is flushed and the proxy resolves with the
 * child's exit code (128 + signal number when it was killed, 127 when it could not start).
 * SIGINT/SIGTERM/SIGHUP are forwarded to the child.
 */
export function runStdioProxy(opts: StdioProxyOptions): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const serverName = opts.serverName ?? opts.command.split(/[\\/]/).pop() ?? opts.command;

  let writer: TraceFileWriter | undefined;
  let seq = 0;
  if (opts.traceFile) {
    writer = new TraceFileWriter(
      opts.traceFile,
      makeHeader({
        serverId: `proxy:${serverName}`,
        serverName,
        config: { name: serverName, transport: 'stdio', command: opts.command, args: opts.args, cwd: opts.cwd },
        writer: 'proxy',
        versions: opts.version ? { mcpDoctor: opts.version } : undefined,
      }),
      {
        onError: (err) =>
          stderr.write(
            `mcp-doctor proxy: trace file ${opts.traceFile}: ${err.message} (recording stopped, relaying continues)\n`,
          ),
        // The client config's env for this server is our env: its secret-named values are masked in the trace.
        secrets: envSecrets(opts.env ?? process.env),
      },
    );
  }
  /**
   * Recording is deferred off the relay path: taps only queue line buffers with their time
   * stamp; classification (JSON.parse) and serialization happen when the batch is drained
   * (20 ms after the first queued line, or at 64 KiB), with one file write per batch.
   */
  type Pending = { dir: TraceDirection; ts: number; line?: Buffer; cut: number; kind?: TraceEntryKind; text?: string };
  let pending: Pending[] = [];
  let pendingBytes = 0;
  let drainTimer: NodeJS.Timeout | undefined;
  const rec = (kind: TraceEntryKind, dir: TraceDirection, ts: number, rawMsg: string, size: number) => {
    writer!.writeRaw(`{"seq":${++seq},"ts":${ts},"dir":"${dir}","kind":"${kind}","size":${size},"msg":${rawMsg}}`);
  };
  const recText = (kind: TraceEntryKind, dir: TraceDirection, ts: number, text: string) =>
    rec(kind, dir, ts, JSON.stringify(text), Buffer.byteLength(text));
  /** A JSON-RPC line is stored as its own JSON text (it parsed, so it is valid JSON). */
  const recLine = (p: Pending) => {
    const line = p.line!;
    let text = line.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (p.kind === 'stderr') {
      recText('stderr', p.dir, p.ts, p.cut ? `${text}… [${p.cut} more bytes]` : text);
      return;
    }
    if (p.cut === 0 && text.trimStart().startsWith('{')) {
      try {
        const v = JSON.parse(text) as Record<string, unknown>;
        if (v && typeof v === 'object' && v.jsonrpc === '2.0') {
          // It parsed, so any `\r` left in it is whitespace between tokens (JSON strings cannot
          // hold a raw one); written raw it would split the line when the trace is read back.
          rec('message', p.dir, p.ts, text.trim().replace(/\r/g, ' '), line.length);
          return;
        }
      } catch {
        // not JSON: noise
      }
    }
    if (text.trim() === '') return;
    recText('stdout-noise', p.dir, p.ts, p.cut ? `${text}… [${p.cut} more bytes]` : text);
  };
  const drain = () => {
    if (drainTimer) clearTimeout(drainTimer);
    drainTimer = undefined;
    const items = pending;
    pending = [];
    pendingBytes = 0;
    if (!writer) return;
    for (const p of items) {
      if (p.line) recLine(p);
      else recText(p.kind!, p.dir, p.ts, p.text!);
    }
    writer.flushSync();
  };
  const queue = (p: Pending) => {
    if (!writer) return;
    pending.push(p);
    pendingBytes += (p.line?.length ?? p.text?.length ?? 0) + 64;
    if (pendingBytes >= FLUSH_BYTES) drain();
    else drainTimer ??= setTimeout(drain, FLUSH_MS);
  };
  const tapLine = (dir: TraceDirection, kind?: TraceEntryKind) => (line: Buffer, cut: number) =>
    queue({ dir, ts: now(), line, cut, kind });
  const note = (dir: TraceDirection, kind: TraceEntryKind, text: string) =>
    queue({ dir, ts: now(), cut: 0, kind, text });

  return new Promise<number>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(opts.command, opts.args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        windowsHide: true,
        // .cmd/.bat shims (npx on Windows) need a shell.
        shell: process.platform === 'win32' && /\.(cmd|bat)$/i.test(opts.command),
      });
    } catch (err) {
      finishSpawnError(err);
      return;
    }
    let settled = false;
    const cleanups: (() => void)[] = [];

    function finishSpawnError(err: unknown): void {
      const msg = err instanceof Error ? err.message : String(err);
      stderr.write(`mcp-doctor proxy: cannot start ${opts.command}: ${msg}\n`);
      note('in', 'lifecycle', `cannot start ${opts.command}: ${msg}`);
      drain();
      writer?.close();
      resolve(127);
    }

    note('in', 'lifecycle', `proxy started ${opts.command} ${opts.args.join(' ')}`.trim());
    child.on('spawn', () => note('in', 'lifecycle', `server process started (pid ${child.pid})`));
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      finishSpawnError(err);
    });
    /** Stop reading from the client so this process can exit. */
    cleanups.push(() => {
      stdin.off('data', onIn);
      stdin.off('end', onInEnd);
      stdin.pause();
      if (stdin === process.stdin) process.stdin.destroy();
      else stdin.destroy?.();
    });

    // client → server
    const inTap = new LineTap(tapLine('out'), MAX_TRACE_LINE);
    const onIn = (chunk: Buffer) => {
      // Write first, record second: recording never delays the relay.
      if (!child.stdin!.write(chunk)) {
        stdin.pause();
        child.stdin!.once('drain', () => stdin.resume());
      }
      inTap.push(chunk);
    };
    let inEnded = false;
    const onInEnd = () => {
      if (inEnded) return;
      inEnded = true;
      inTap.end();
      note('out', 'lifecycle', 'client closed stdin');
      child.stdin!.end();
      // The MCP shutdown sequence: close stdin, wait, SIGTERM, then SIGKILL.
      const grace = opts.stopGraceMs ?? 5000;
      const term = setTimeout(() => {
        note('in', 'lifecycle', `server still running ${grace} ms after stdin closed: SIGTERM`);
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), grace);
        kill.unref();
        cleanups.push(() => clearTimeout(kill));
      }, grace);
      term.unref();
      cleanups.push(() => clearTimeout(term));
    };
    stdin.on('data', onIn);
    stdin.on('end', onInEnd);
    stdin.on('error', onInEnd);
    child.stdin!.on('error', () => {
      // The server closed its stdin (exiting); the exit handler finishes.
    });

    // server → client
    const outTap = new LineTap(tapLine('in'), MAX_TRACE_LINE);
    let clientGone = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!clientGone && !stdout.write(chunk)) {
        child.stdout!.pause();
        stdout.once('drain', () => child.stdout!.resume());
      }
      outTap.push(chunk);
    });
    child.stdout!.on('end', () => outTap.end());
    stdout.on('error', () => {
      // EPIPE: the client went away without closing stdin. Treat it as closing.
      if (clientGone) return;
      clientGone = true;
      child.stdout!.resume();
      onInEnd();
    });

    const errTap = new LineTap(tapLine('in', 'stderr'), 1024 * 1024);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.write(chunk);
      errTap.push(chunk);
    });
    child.stderr!.on('end', () => errTap.end());

    if (opts.forwardSignals !== false) {
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        const h = () => {
          note('in', 'lifecycle', `proxy received ${sig}, forwarding to the server`);
          try {
            child.kill(sig);
          } catch {
            // already gone
          }
        };
        process.on(sig, h);
        cleanups.push(() => process.off(sig, h));
      }
    }

    // `close` fires after the child's stdio streams ended, so every byte was relayed and tapped.
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      const exitCode = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1);
      note('in', 'lifecycle', `server exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
      drain();
      writer?.close();
      // Let stdout drain before reporting the code.
      if (clientGone || (stdout as Writable & { writableNeedDrain?: boolean }).writableNeedDrain !== true)
        resolve(exitCode);
      else {
        stdout.once('drain', () => resolve(exitCode));
        stdout.once('error', () => resolve(exitCode));
      }
    });
  });
}

/** Values of secret-named variables (`GITHUB_TOKEN`, `OPENAI_API_KEY`, `DB_PASSWORD`...) in `env`. */
function envSecrets(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) if (v && v.length >= 4 && isSecretEnvName(k)) out.push(v);
  return out;
}
