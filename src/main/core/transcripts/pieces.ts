/** Gathers an exporter's text and hands it out as UTF-8 pieces of about `pieceBytes`, for a file or a download. */
export class PieceWriter {
  readonly #encoder = new TextEncoder();
  readonly #pieceBytes: number;
  #parts: string[] = [];
  #length = 0;

  constructor(pieceBytes = 64 * 1024) {
    this.#pieceBytes = pieceBytes;
  }

  write(text: string): void {
    this.#parts.push(text);
    this.#length += text.length;
  }

  /** Enough gathered to hand out a piece. */
  get full(): boolean {
    return this.#length >= this.#pieceBytes;
  }

  take(): Uint8Array {
    const piece = this.#encoder.encode(this.#parts.join(''));
    this.#parts = [];
    this.#length = 0;
    return piece;
  }
}
