/**
 * Splits a byte stream into lines without re-copying what was already received: chunks are
 * kept in a list and only the newly arrived bytes are scanned for `\n` (the SDK's ReadBuffer
 * concatenates the whole buffer on every chunk, which is quadratic on multi-MB messages).
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private pending = 0;
  private overflowing = false;

  /**
   * @param onLine called with each complete line (without `\n`, `\r` stripped), its byte length,
   *   and whether its bytes were not valid UTF-8 (decoded with U+FFFD replacements).
   * @param onOverflow called once per line longer than `maxLineBytes`; that line is dropped.
   *   `head` and `tail` are its first and last ~200 bytes (a JSON-RPC `id` may be at either end).
   */
  constructor(
    private readonly onLine: (line: string, bytes: number, invalidUtf8: boolean) => void,
    private readonly maxLineBytes = 64 * 1024 * 1024,
    private readonly onOverflow?: (bytes: number, head: string, tail: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      this.emit(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** Emits a trailing line without newline (at end of stream). */
  flush(): void {
    if (this.pending > 0 && !this.overflowing) this.emit(Buffer.alloc(0));
    this.reset();
  }

  private keep(part: Buffer): void {
    if (this.overflowing) {
      this.pending += part.length;
      this.lastPart =
        part.length >= 200 ? part : Buffer.concat([this.lastPart ?? Buffer.alloc(0), part]).subarray(-200);
      return;
    }
    this.chunks.push(part);
    this.pending += part.length;
    if (this.pending > this.maxLineBytes) {
      const head = Buffer.concat(this.chunks).subarray(0, 200).toString('utf8');
      this.lastPart = part;
      this.chunks = [];
      this.overflowing = true;
      this.headOfOverflow = head;
    }
  }

  private headOfOverflow = '';
  /** While overflowing: the most recent bytes of the dropped line (for its tail). */
  private lastPart?: Buffer;

  private emit(tail: Buffer): void {
    if (!this.overflowing && this.pending + tail.length > this.maxLineBytes) {
      this.headOfOverflow = (this.chunks[0] ?? tail).subarray(0, 200).toString('utf8');
      this.lastPart = this.chunks[this.chunks.length - 1];
      this.overflowing = true;
    }
    if (this.overflowing) {
      const bytes = this.pending + tail.length;
      const head = this.headOfOverflow;
      const end = Buffer.concat([this.lastPart ?? Buffer.alloc(0), tail]);
      const last = end.subarray(Math.max(0, end.length - 200)).toString('utf8');
      this.reset();
      this.onOverflow?.(bytes, head, last);
      return;
    }
    let buf: Buffer;
    if (this.chunks.length === 0) buf = tail;
    else {
      this.chunks.push(tail);
      buf = Buffer.concat(this.chunks, this.pending + tail.length);
    }
    this.reset();
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--;
    const line = buf.toString('utf8', 0, end);
    // U+FFFD is either in the text or a replaced invalid byte sequence: decode strictly to tell.
    this.onLine(line, buf.length, line.includes('\uFFFD') && !isValidUtf8(buf.subarray(0, end)));
  }

  private reset(): void {
    this.chunks = [];
    this.pending = 0;
    this.overflowing = false;
    this.headOfOverflow = '';
    this.lastPart = undefined;
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Buffer): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
