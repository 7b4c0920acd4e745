/**
 * One direction of one connection as a stream of bytes, built from its data events without copying them:
 * chunks in order, found by binary search on their stream offsets. It grows as events arrive (append only),
 * and keeps a line table for the text view (a line ends after LF, or after WRAP_BYTES bytes).
 * Chunks whose bytes were dropped from view keep their place and length; reading them gives `missing`.
 */
import type { LabEvent } from '../../../../shared/contract';

/** A text-view line is cut after this many bytes even without an LF, so every line fits one fixed-height row. */
export const WRAP_BYTES = 96;

export interface StreamChunk {
  /** Stream offset of the first byte. */
  offset: number;
  length: number;
  /** Index of the data event in the session's event list. */
  eventIndex: number;
}

export interface StreamRead {
  bytes: Uint8Array;
  /** Some bytes in the range were dropped from view (they read as 0 here). */
  missing: boolean;
}

function grow(array: Float64Array<ArrayBuffer>, needed: number): Float64Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  const bigger = new Float64Array(Math.max(needed, array.length * 2, 256));
  bigger.set(array);
  return bigger;
}

export class ByteStream {
  #offsets = new Float64Array(256);
  #eventIndexes = new Float64Array(256);
  #chunks: (Uint8Array | null)[] = [];
  #lengths: number[] = [];
  #lineStarts = new Float64Array(256);
  #lineCount = 0;
  /** Bytes in the line still open at the end of the stream. */
  #openLineBytes = 0;
  #end = 0;
  #start = 0;

  /** Stream offset just past the last byte. */
  get end(): number {
    return this.#end;
  }

  /** Stream offset of the first byte (0 unless the stream began mid-way). */
  get start(): number {
    return this.#start;
  }

  get byteCount(): number {
    return this.#end - this.#start;
  }

  get chunkCount(): number {
    return this.#chunks.length;
  }

  get lineCount(): number {
    return this.#lineCount;
  }

  /** Add the next chunk. `bytes` null (or a `droppedLength`) stands for bytes dropped from view. */
  append(offset: number, bytes: Uint8Array | null, eventIndex: number, droppedLength = 0): void {
    const length = bytes && bytes.byteLength > 0 ? bytes.byteLength : droppedLength;
    if (length === 0) return;
    const k = this.#chunks.length;
    if (k === 0) this.#start = offset;
    this.#offsets = grow(this.#offsets, k + 1);
    this.#eventIndexes = grow(this.#eventIndexes, k + 1);
    this.#offsets[k] = offset;
    this.#eventIndexes[k] = eventIndex;
    this.#chunks.push(bytes && bytes.byteLength > 0 ? bytes : null);
    this.#lengths.push(length);
    this.#end = offset + length;
    this.#indexLines(offset, bytes && bytes.byteLength > 0 ? bytes : null, length);
  }

  /** Forget the bytes of chunks from events before `eventIndex` (the store dropped them); lengths stay. */
  forgetBefore(eventIndex: number): void {
    for (let k = 0; k < this.#chunks.length && (this.#eventIndexes[k] as number) < eventIndex; k++) {
      this.#chunks[k] = null;
    }
  }

  chunk(k: number): StreamChunk {
    return {
      offset: this.#offsets[k] as number,
      length: this.#lengths[k] as number,
      eventIndex: this.#eventIndexes[k] as number,
    };
  }

  /** The chunk holding stream offset `offset` (or the last one before it). */
  chunkIndexAt(offset: number): number {
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#offsets[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** Bytes from stream offset `from` to `to` (clamped to the stream), copied only when they span chunks. */
  read(from: number, to: number): StreamRead {
    const start = Math.max(from, this.#start);
    const stop = Math.min(to, this.#end);
    if (stop <= start || this.#chunks.length === 0) return { bytes: new Uint8Array(0), missing: false };
    let k = this.chunkIndexAt(start);
    const first = this.#chunks[k];
    const firstOffset = this.#offsets[k] as number;
    if (first && stop <= firstOffset + (this.#lengths[k] as number)) {
      return { bytes: first.subarray(start - firstOffset, stop - firstOffset), missing: false };
    }
    const out = new Uint8Array(stop - start);
    let missing = false;
    for (; k < this.#chunks.length; k++) {
      const chunkStart = this.#offsets[k] as number;
      if (chunkStart >= stop) break;
      const chunkEnd = chunkStart + (this.#lengths[k] as number);
      const a = Math.max(start, chunkStart);
      const b = Math.min(stop, chunkEnd);
      if (b <= a) continue;
      const bytes = this.#chunks[k];
      if (bytes) out.set(bytes.subarray(a - chunkStart, b - chunkStart), a - start);
      else missing = true;
    }
    return { bytes: out, missing };
  }

  /** Stream offsets [start, end) of text-view line `line`. */
  line(line: number): { start: number; end: number } {
    const start = this.#lineStarts[line] as number;
    const end = line + 1 < this.#lineCount ? (this.#lineStarts[line + 1] as number) : this.#end;
    return { start, end };
  }

  /** The text-view line holding stream offset `offset`. */
  lineAt(offset: number): number {
    let low = 0;
    let high = this.#lineCount - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return Math.max(0, low);
  }

  #startLine(offset: number): void {
    this.#lineStarts = grow(this.#lineStarts, this.#lineCount + 1);
    this.#lineStarts[this.#lineCount] = offset;
    this.#lineCount += 1;
    this.#openLineBytes = 0;
  }

  #indexLines(offset: number, bytes: Uint8Array | null, length: number): void {
    if (this.#lineCount === 0) this.#startLine(offset);
    let i = 0;
    while (i < length) {
      if (this.#openLineBytes === -1) this.#startLine(offset + i);
      const stop = Math.min(length, i + WRAP_BYTES - this.#openLineBytes);
      let lf = -1;
      // Dropped bytes (null) are unknown: they are cut into full-width lines.
      if (bytes) {
        for (let j = i; j < stop; j++) {
          if (bytes[j] === 10) {
            lf = j;
            break;
          }
        }
      }
      if (lf !== -1) {
        this.#openLineBytes = -1;
        i = lf + 1;
      } else {
        this.#openLineBytes += stop - i;
        i = stop;
        if (this.#openLineBytes >= WRAP_BYTES) this.#openLineBytes = -1;
      }
    }
  }
}

/** Which data events make up a stream: one connection, one direction. */
export interface StreamKey {
  id: string;
  dir: 'in' | 'out';
}

/**
 * Keeps a ByteStream up to date with the session's growing event list: call `update` after each batch.
 * Only new events are looked at, so keeping up costs nothing per batch beyond the new events.
 */
export class StreamFollower {
  readonly key: StreamKey;
  readonly stream = new ByteStream();
  #scanned = 0;
  #forgottenBefore = 0;

  constructor(key: StreamKey) {
    this.key = key;
  }

  update(events: readonly LabEvent[], droppedLength: (index: number) => number, droppedThrough: number): void {
    for (let i = this.#scanned; i < events.length; i++) {
      const event = events[i] as LabEvent;
      if (event.type !== 'data' || event.id !== this.key.id || event.dir !== this.key.dir) continue;
      this.stream.append(event.offset, event.bytes.byteLength > 0 ? event.bytes : null, i, droppedLength(i));
    }
    this.#scanned = events.length;
    if (droppedThrough > this.#forgottenBefore) {
      this.stream.forgetBefore(droppedThrough);
      this.#forgottenBefore = droppedThrough;
    }
  }
}
