import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonEscapedForms, redactConfig, redactJsonLine, redactString, redactValue } from './redact';
import { TraceRecorder, type RecordedLine, type RecorderOptions } from './recorder';
import type { TraceDirection, TraceEntryKind, TraceFileHeader, TraceFileLine } from './types';

/**
 * Trace persistence: one JSONL file per session. Line 1 is a `TraceFileHeader`, every other
 * line a `TraceFileLine` (`{"seq","ts","dir","kind","size","msg"}`).
 *
 * Writes are batched: lines are queued by reference and serialized when the batch is flushed,
 * at 64 KiB of queued payload or 20 ms after the first queued line, whichever comes first,
 * with one synchronous `write` per batch (never one per message). Synchronous writes keep the
 * file ordered and make `flushSync()` at exit exact. Crash safety: whatever reached a flush is
 * in the file (the OS page cache survives a process crash); a crash loses at most the last
 * 20 ms / 64 KiB batch, and a torn last line is skipped on reading.
 */

const TRACE_FORMAT = 'mcp-doctor-trace';
const TRACE_FORMAT_VERSION = 1;
/** Flush when this much payload is queued. */
export const FLUSH_BYTES = 64 * 1024;
/** Flush at most this long after the first queued line. */
export const FLUSH_MS = 20;

export interface TraceWriterOptions {
  /** Flush threshold in bytes (default 64 KiB). */
  flushBytes?: number;
  /** Flush delay in ms (default 20). */
  flushMs?: number;
  /** Called once when writing fails (disk full, folder removed); the writer then stops. */
  onError?: (err: Error) => void;
  /** Literal secret values replaced by `***` in every line written (with token formats and secret keys: `redactJsonLine`). */
  secrets?: readonly string[];
}

/** Appends trace lines to one file in batches. Use `write` as a recorder's `tap`. */
export class TraceFileWriter {
  private fd: number | undefined;
  private queue: (RecordedLine | string)[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private readonly flushBytes: number;
  private readonly flushMs: number;
  /** Secret values masked in every batch, longest first. */
  private readonly secrets: readonly string[];
  private readonly escapedSecrets: readonly string[];
  /** Lines written so far (header excluded). */
  linesWritten = 0;
  /** Batches written so far (one `write` call each). */
  batches = 0;

  constructor(
    readonly file: string,
    header: TraceFileHeader,
    private readonly opts: TraceWriterOptions = {},
  ) {
    this.flushBytes = opts.flushBytes ?? FLUSH_BYTES;
    this.flushMs = opts.flushMs ?? FLUSH_MS;
    this.secrets = (opts.secrets ?? []).filter((x) => x.length >= 4).sort((a, b) => b.length - a.length);
    this.escapedSecrets = jsonEscapedForms(this.secrets);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fd = fs.openSync(file, 'a');
      fs.writeSync(this.fd, `${JSON.stringify(header)}\n`);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Queues one line (cheap: no serialization until the batch is flushed). */
  readonly write = (line: RecordedLine): void => {
    if (this.fd === undefined) return;
    this.queue.push(line);
    this.queuedBytes += line.size + 64;
    if (this.queuedBytes >= this.flushBytes) this.flushSync();
    else this.timer ??= setTimeout(() => this.flushSync(), this.flushMs);
  };

  /** Queues an already serialized line (no trailing newline), e.g. a raw proxy line. */
  writeRaw(text: string): void {
    if (this.fd === undefined) return;
    this.queue.push(text);
    this.queuedBytes += text.length;
    if (this.queuedBytes >= this.flushBytes) this.flushSync();
    else this.timer ??= setTimeout(() => this.flushSync(), this.flushMs);
  }

  /** Writes everything queued now, in one `write`. */
  flushSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || this.queue.length === 0) return;
    const lines = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    let text = '';
    // Secrets are redacted at rest too, per line when a cheap pre-check says it may hold one.
    for (const l of lines)
      text += `${redactJsonLine(typeof l === 'string' ? l : serializeLine(l), this.secrets, this.escapedSecrets)}\n`;
    try {
      fs.writeSync(this.fd, text);
      this.linesWritten += lines.length;
      this.batches++;
    } catch (err) {
      this.fail(err);
    }
  }

  /** Flushes and closes the file. */
  close(): void {
    this.flushSync();
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    this.fd = undefined;
  }

  private fail(err: unknown): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // ignore
      }
    }
    this.fd = undefined;
    if (!this.failed) {
      this.failed = true;
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** One entry line as JSON (the message's own JSON is reused when the recorder built it). */
function serializeLine(l: RecordedLine): string {
  let msg = l.json;
  if (msg === undefined) {
    try {
      msg = JSON.stringify(l.msg) ?? 'null';
    } catch (err) {
      msg = JSON.stringify({ $unserializable: String(err) });
    }
  }
  return `{"seq":${l.seq},"ts":${l.ts},"dir":"${l.dir}","kind":"${l.kind}","size":${l.size},"msg":${msg}}`;
}

/** A header for a new session file. `config` is redacted here. */
export function makeHeader(init: {
  serverId: string;
  serverName: string;
  config?: unknown;
  startedAt?: Date;
  writer: string;
  versions?: Record<string, string>;
}): TraceFileHeader {
  return {
    type: 'header',
    format: TRACE_FORMAT,
    version: TRACE_FORMAT_VERSION,
    serverId: init.serverId,
    serverName: init.serverName,
    config: init.config === undefined ? undefined : redactConfig(init.config),
    startedAt: (init.startedAt ?? new Date()).toISOString(),
    writer: init.writer,
    versions: { node: process.versions.node, ...init.versions },
  };
}

/** A file name for a new session: sortable by time, safe on every OS. */
export function sessionFileName(serverName: string, startedAt = new Date()): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const safe = serverName.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'server';
  return `${stamp}_${safe}_${process.pid}.jsonl`;
}

// ---- reading ------------------------------------------------------------------------------

/** A problem met while reading a trace file (the rest of the file is still read). */
interface TraceReadProblem {
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface TraceReadResult {
  header?: TraceFileHeader;
  recorder: TraceRecorder;
  /** Entry lines read into the recorder. */
  entries: number;
  problems: TraceReadProblem[];
}

const KINDS = new Set<TraceEntryKind>(['message', 'stderr', 'stdout-noise', 'lifecycle', 'http', 'auth']);

/** Characters of a trace line that are not its message (`{"seq":…,"ts":…,…,"msg":` and `}`), at most. */
const ENVELOPE_CHARS = 256;

/** Lines longer than this are skipped when reading a trace (as a problem), never held whole. */
const MAX_READ_LINE_BYTES = 64 * 1024 * 1024;

/**
 * The lines of a file, streamed: `\n` ends a line (a `\r` before it is dropped; a lone `\r` is
 * JSON whitespace, not a line end). A line above `maxBytes` is not collected: `onLine` gets
 * `undefined` text and the line's length, so a 560 MB line costs a scan, not a 560 MB string.
 */
async function* fileLines(
  file: string,
  maxBytes = MAX_READ_LINE_BYTES,
): AsyncGenerator<{ text?: string; bytes: number }, void, undefined> {
  let parts: Buffer[] = [];
  let bytes = 0;
  let over = false;
  const line = () => {
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, bytes);
    const end = buf.length > 0 && buf[buf.length - 1] === 13 ? buf.length - 1 : buf.length;
    const out = over ? { bytes } : { text: buf.toString('utf8', 0, end), bytes };
    parts = [];
    bytes = 0;
    over = false;
    return out;
  };
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); ; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
      bytes += piece.length;
      if (bytes > maxBytes) {
        over = true;
        parts = [];
      } else if (!over && piece.length) parts.push(piece);
      if (nl < 0) break;
      yield line();
      start = nl + 1;
    }
  }
  if (bytes > 0 || parts.length) yield line();
}

/** Parses one entry line; undefined (with a reason) when it is not one. */
export function parseTraceLine(text: string): { line?: TraceFileLine; header?: TraceFileHeader; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { error: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  if (o.type === 'header' && o.format === TRACE_FORMAT) return { header: o as unknown as TraceFileHeader };
  const kind = o.kind as TraceEntryKind;
  if (!KINDS.has(kind)) {
    // A bare JSON-RPC message (someone's own log): keep it, direction unknown → guess.
    if (o.jsonrpc === '2.0') {
      const dir: TraceDirection = typeof o.method === 'string' ? 'out' : 'in';
      return { line: { seq: 0, ts: 0, dir, kind: 'message', size: text.length, msg: o } };
    }
    return { error: 'neither a trace entry ({"kind",...}) nor a JSON-RPC message' };
  }
  const dir: TraceDirection = o.dir === 'out' ? 'out' : 'in';
  const ts = typeof o.ts === 'number' && Number.isFinite(o.ts) ? o.ts : 0;
  // The file's `size` is not trusted below what the line holds (`"size": 0` on a 50 MB message
  // would bypass truncation and the memory cap): at least the line less its envelope.
  const claimed = typeof o.size === 'number' && Number.isFinite(o.size) && o.size >= 0 ? o.size : text.length;
  const size = Math.max(claimed, text.length - ENVELOPE_CHARS);
  const seq = typeof o.seq === 'number' ? o.seq : 0;
  return { line: { seq, ts, dir, kind, size, msg: o.msg } };
}

/**
 * Streams a trace JSONL file into a new recorder. Never throws: unreadable files and bad
 * lines become `problems` (a torn last line after a crash is the usual one).
 */
export async function readTraceFile(
  file: string,
  opts: Partial<Omit<RecorderOptions, 'tap'>> = {},
): Promise<TraceReadResult> {
  const problems: TraceReadProblem[] = [];
  let header: TraceFileHeader | undefined;
  let recorder: TraceRecorder | undefined;
  let entries = 0;
  const ensure = () =>
    (recorder ??= new TraceRecorder({
      serverId: opts.serverId ?? header?.serverId ?? `file:${file}`,
      serverName: opts.serverName ?? header?.serverName ?? path.basename(file, '.jsonl'),
      maxMessages: opts.maxMessages,
      maxBytes: opts.maxBytes,
      maxPayloadBytes: opts.maxPayloadBytes,
    }));
  try {
    let n = 0;
    let lastTs = 0;
    for await (const { text, bytes } of fileLines(file)) {
      n++;
      if (text === undefined) {
        if (problems.length < 100)
          problems.push({
            line: n,
            message: `line of ${(bytes / 1048576).toFixed(0)} MB skipped (above ${MAX_READ_LINE_BYTES / 1048576} MB)`,
          });
        continue;
      }
      if (text.trim() === '') continue;
      const r = parseTraceLine(text);
      if (r.header) {
        if (!header && !recorder) header = r.header;
        continue;
      }
      if (!r.line) {
        if (problems.length < 100) problems.push({ line: n, message: r.error ?? 'unreadable line' });
        continue;
      }
      const l = r.line;
      const ts = l.ts || lastTs;
      lastTs = ts;
      ensure().record(l.kind, l.dir, l.msg, ts, l.size);
      entries++;
    }
  } catch (err) {
    problems.push({ line: 0, message: `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` });
  }
  const rec = ensure();
  if (header) rec.startTs = Date.parse(header.startedAt) || rec.startTs;
  rec.flushEvents();
  return { header, recorder: rec, entries, problems };
}

/** A stored session as listed for "Open Recorded Trace Session...". */
export interface StoredSession {
  file: string;
  serverId: string;
  serverName: string;
  startedAt: string;
  writer: string;
  bytes: number;
  mtimeMs: number;
}

/** Reads the header line of every `*.jsonl` in `folder`, newest first. Never throws. */
export async function listSessions(folder: string): Promise<StoredSession[]> {
  let names: string[];
  try {
    names = (await fs.promises.readdir(folder)).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const out: StoredSession[] = [];
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(folder, name);
      try {
        const st = await fs.promises.stat(file);
        const header = await readHeader(file);
        out.push({
          file,
          serverId: header?.serverId ?? '',
          serverName: header?.serverName ?? name,
          startedAt: header?.startedAt ?? new Date(st.mtimeMs).toISOString(),
          writer: header?.writer ?? 'unknown',
          bytes: st.size,
          mtimeMs: st.mtimeMs,
        });
      } catch {
        // vanished while listing
      }
    }),
  );
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || b.file.localeCompare(a.file));
}

/** The header of a trace file (undefined when the first line is not one). */
async function readHeader(file: string): Promise<TraceFileHeader | undefined> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString('utf8', 0, bytesRead);
    const nl = text.indexOf('\n');
    return parseTraceLine(nl >= 0 ? text.slice(0, nl) : text).header;
  } finally {
    await fh.close();
  }
}

/** Smallest storage limit applied, whatever a setting says (0 would delete every stored trace). */
const MIN_STORAGE_BYTES = 1024 * 1024;

/**
 * The stored-trace limit in bytes from `mcpDoctor.trace.maxStorageMB` as VS Code's `inspect()`
 * reports it. Only the user's own value counts: the folder holds the traces of every workspace,
 * so a workspace's settings (which come with a cloned repository) must not shrink it.
 */
export function storageLimitBytes(
  setting: { defaultValue?: unknown; globalValue?: unknown } | undefined,
  fallbackMB = 200,
): number {
  const pick = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const mb = pick(setting?.globalValue) ?? pick(setting?.defaultValue) ?? fallbackMB;
  return Math.max(MIN_STORAGE_BYTES, mb * 1024 * 1024);
}

/**
 * Deletes the oldest session files until the folder holds at most `maxBytes` (never less than
 * 1 MB). Files in
 * `keep` (sessions being written) are never deleted. Returns the deleted paths.
 */
export async function rotateSessions(folder: string, maxBytes: number, keep: Iterable<string> = []): Promise<string[]> {
  // No limit (0, negative, NaN) never means "delete everything".
  if (!(maxBytes > 0)) return [];
  const keepSet = new Set([...keep].map((f) => path.resolve(f)));
  const sessions = await listSessions(folder);
  let total = sessions.reduce((s, x) => s + x.bytes, 0);
  const deleted: string[] = [];
  for (const s of [...sessions].reverse()) {
    if (total <= maxBytes) break;
    if (keepSet.has(path.resolve(s.file))) continue;
    try {
      await fs.promises.unlink(s.file);
      total -= s.bytes;
      deleted.push(s.file);
    } catch {
      // already gone or locked: try the next one
    }
  }
  return deleted;
}

/**
 * Writes a recorder's entries (or, when `source` is given, every line of that complete trace
 * file) to `target` with secrets redacted. Returns the number of entry lines written.
 */
export async function exportTrace(
  target: string,
  from: { recorder: TraceRecorder; header?: TraceFileHeader; source?: string },
): Promise<number> {
  const header: TraceFileHeader = {
    ...(from.header ??
      makeHeader({
        serverId: from.recorder.serverId,
        serverName: from.recorder.serverName,
        writer: 'export',
        startedAt: new Date(from.recorder.startTs),
      })),
    writer: 'export',
    redacted: true,
  };
  if (header.config !== undefined) header.config = redactConfig(header.config);
  const out = fs.createWriteStream(target, { encoding: 'utf8' });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let chunk = `${JSON.stringify(header)}\n`;
  let count = 0;
  const push = async (l: TraceFileLine) => {
    const msg =
      typeof l.msg === 'string'
        ? redactString(l.msg, from.recorder.secrets)
        : redactValue(l.msg, from.recorder.secrets);
    chunk += `${JSON.stringify({ seq: l.seq, ts: l.ts, dir: l.dir, kind: l.kind, size: l.size, msg })}\n`;
    count++;
    if (chunk.length >= FLUSH_BYTES) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  };
  if (from.source) {
    for await (const { text } of fileLines(from.source)) {
      const r = text?.trim() ? parseTraceLine(text) : {};
      if (r.line) await push(r.line);
    }
  } else {
    for (const e of from.recorder.entries()) await push(e);
  }
  out.end(chunk);
  await done;
  return count;
}

/**
 * Follows a trace file another process appends to (the stdio proxy) and feeds new lines to
 * `onLine`. Polls the size (cheap `stat`) so it works on every file system; reads only the
 * new bytes and keeps a partial last line for the next poll.
 */
export class TraceFileTail {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private lineNo = 0;

  constructor(
    readonly file: string,
    private readonly onLine: (r: ReturnType<typeof parseTraceLine>, lineNo: number) => void,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    void this.poll();
  }

  /** Reads whatever is new now. */
  async poll(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const st = await fs.promises.stat(this.file).catch(() => undefined);
      if (!st) return;
      if (st.size < this.offset) {
        // Truncated or replaced: start over.
        this.offset = 0;
        this.partial = Buffer.alloc(0);
      }
      if (st.size === this.offset) return;
      const fh = await fs.promises.open(this.file, 'r');
      try {
        const len = st.size - this.offset;
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, this.offset);
        this.offset += bytesRead;
        // Split on the last newline byte so a multi-byte character is never cut in two.
        const data = this.partial.length
          ? Buffer.concat([this.partial, buf.subarray(0, bytesRead)])
          : buf.subarray(0, bytesRead);
        const end = data.lastIndexOf(10);
        if (end < 0) {
          this.partial = Buffer.from(data);
          return;
        }
        this.partial = Buffer.from(data.subarray(end + 1));
        for (const l of data.toString('utf8', 0, end).split('\n')) {
          this.lineNo++;
          if (l.trim()) this.onLine(parseTraceLine(l), this.lineNo);
        }
      } finally {
        await fh.close();
      }
    } catch {
      // The next poll retries.
    } finally {
      this.reading = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
