/**
 * Splits a byte stream into lines for the line-based toy servers (SMTP, POP). `\r\n` ends a line, and so
 * does a bare `\n` (nc and some telnets send it), the same choice as the lab HTTP server. A line longer
 * than the limit is dropped as it arrives (never stored whole) and reported once when it ends.
 */

export type LineEvent =
  /** `text` without its line ending; `bytes` counts the ending too. */
  { kind: 'line'; text: string; bytes: number } | { kind: 'too-long'; bytes: number };

export class LineReader {
  readonly #maxLineBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of an over-long line seen so far; its bytes are not kept. */
  #overLongBytes = 0;

  /** `maxLineBytes` counts the line ending: 1000 allows 998 characters and `\r\n`. */
  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      start = end;
      if (this.#overLongBytes > 0 || this.#pendingBytes + piece.length > this.#maxLineBytes) {
        this.#overLongBytes += this.#pendingBytes + piece.length;
        this.#pending = [];
        this.#pendingBytes = 0;
        if (newline !== -1) {
          events.push({ kind: 'too-long', bytes: this.#overLongBytes });
          this.#overLongBytes = 0;
        }
        continue;
      }
      this.#pending.push(piece);
      this.#pendingBytes += piece.length;
      if (newline === -1) continue;
      const whole = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      const textEnd = whole.length >= 2 && whole[whole.length - 2] === 0x0d ? whole.length - 2 : whole.length - 1;
      events.push({ kind: 'line', text: whole.subarray(0, textEnd).toString('latin1'), bytes: whole.length });
    }
    return events;
  }
}
