/**
 * Splits a byte stream into lines for recording, without touching the bytes that are
 * forwarded: it only keeps references to the chunks it is given and scans new bytes for
 * `\n` once (no quadratic re-concatenation).
 */
export class LineTap {
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** Lines longer than this are cut (recorded with a note); the forwarded stream is never cut. */
  constructor(
    private readonly onLine: (line: Buffer, cut: number) => void,
    private readonly maxLineBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (this.parts.length === 0) this.onLine(piece, 0);
      else {
        this.append(piece);
        this.emitParts();
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Emits a last line without a trailing newline (stream ended). */
  end(): void {
    if (this.parts.length > 0 || this.partBytes > 0) this.emitParts();
  }

  private cut = 0;

  private append(piece: Buffer): void {
    if (this.partBytes + piece.length > this.maxLineBytes) {
      const room = Math.max(0, this.maxLineBytes - this.partBytes);
      if (room > 0) this.parts.push(piece.subarray(0, room));
      this.partBytes += room;
      this.cut += piece.length - room;
      return;
    }
    this.parts.push(piece);
    this.partBytes += piece.length;
  }

  private emitParts(): void {
    const line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partBytes);
    const cut = this.cut;
    this.parts = [];
    this.partBytes = 0;
    this.cut = 0;
    this.onLine(line, cut);
  }
}
