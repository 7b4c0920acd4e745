/**
 * One direction of one connection as a stream of bytes, built from its data events without copying them: chunks
 * in order, found by binary search on their stream offsets, and a line index for the text view.
 *
 * A rune class: the store feeds it batch by batch (`append`, `forgetBefore`) and calls `publish()` when the screen
 * redraws (about ten times a second while data streams); only then does its own change signal move, so the views
 * that read it redraw with the screen, not with every batch.
 *
 * Lines: a text-view line ends after LF, or is cut after WRAP_BYTES bytes. The index keeps one entry per run of
 * bytes that ends with an LF (found with the native indexOf, never byte by byte) and the number of the run's first
 * line; the lines inside a run are arithmetic, so a megabyte without a line break is one entry.
 *
 * Bounded: chunks whose bytes the store let go of are let go here too, and past `maxRuns` line entries the oldest
 * bytes are let go; `letGo` then says so (the saved session on disk still has them). A chunk whose bytes are not
 * known keeps its place and length; reading it says `missing`.
 */
import { LIMITS } from '../../../../shared/limits';
import { Fifo } from '../../../../shared/fifo';
import type { Hole } from '../../../../shared/transcript';
import { NumberDeque } from '../byteLog/deque';

/** A text-view line is cut after this many bytes even without an LF, so every line fits one fixed-height row. */
export const WRAP_BYTES = 96;

export interface StreamChunk {
  /** Stream offset of the first byte. */
  offset: number;
  length: number;
  /** Index of the data event in the session's event log. */
  eventIndex: number;
  /** A replay's hole: bytes the saved session does not have. */
  hole: boolean;
}

export interface StreamRead {
  bytes: Uint8Array;
  /** Some bytes in the range are not known here (they read as 0). */
  missing: boolean;
  /** Of those, some are not in the saved session either: a stretch no event covers, or a hole a replay marks
   *  (`lost` implies `missing`). */
  lost: boolean;
  /** Of the lost ones, some were never saved because the journal was full (the rest: a damaged record). */
  unsaved: boolean;
}

const NO_BYTES = new Uint8Array(0);

export class ByteStream {
  #version = $state(0);
  #changed = false;
  readonly #maxRuns: number;
  readonly #chunkOffsets = new NumberDeque();
  readonly #chunkLengths = new NumberDeque();
  readonly #chunkEvents = new NumberDeque();
  /** A chunk's bytes; null when they are not known here, or the reason a saved session has none. */
  readonly #chunkBytes = new Fifo<Uint8Array | Hole | null>();
  /** Where each run starts, and the number of its first line (counted from the stream's first byte). */
  readonly #runStarts = new NumberDeque();
  readonly #runLines = new NumberDeque();
  #started = false;
  #start = 0;
  #end = 0;
  /** Number of the first line still kept. */
  #firstLine = 0;
  /** Where the runs that are a replay's holes start: each is one text-view line, however long (a journal that was
   *  full may leave a gigabyte without bytes, which would be ten million lines of the same words), and holes of one
   *  kind that follow on from each other (a socket read each) share it. */
  // A plain set on purpose: the stream's own version signal tells the views when it changed.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #holeRuns = new Set<number>();
  /** The last run is a hole of this kind, still open: the next hole of its kind right after it joins it. */
  #lastHole: Hole | null = null;
  #letGo = false;

  constructor(maxRuns: number = LIMITS.rendererKeptRows) {
    this.#maxRuns = Math.max(1, maxRuns);
  }

  /** Stream offset just past the last byte. */
  get end(): number {
    void this.#version;
    return this.#end;
  }

  /** Stream offset of the first byte kept (0 unless older bytes were let go, or the stream began mid-way). */
  get start(): number {
    void this.#version;
    return this.#start;
  }

  get byteCount(): number {
    void this.#version;
    return this.#end - this.#start;
  }

  get chunkCount(): number {
    void this.#version;
    return this.#chunkOffsets.length;
  }

  get lineCount(): number {
    void this.#version;
    return this.#end > this.#start ? this.#lineTotal() - this.#firstLine : 0;
  }

  /** Older bytes of this stream were let go to keep memory bounded. */
  get letGo(): boolean {
    void this.#version;
    return this.#letGo;
  }

  /** Adds the next chunk. `bytes` null (with `length`) stands for bytes that are not known here; with `hole`, for
   *  bytes the saved session does not have either. */
  append(offset: number, bytes: Uint8Array | null, eventIndex: number, length = 0, hole: Hole | null = null): void {
    const known = bytes && bytes.byteLength > 0 ? bytes : null;
    const size = known ? known.byteLength : length;
    if (size === 0) return;
    const isHole = hole !== null && known === null;
    if (!this.#started) {
      this.#started = true;
      this.#start = offset;
      this.#runStarts.push(offset);
      this.#runLines.push(0);
    } else {
      const joinsHole = isHole && hole === this.#lastHole && offset === this.#end;
      // The open hole before this chunk ends here.
      if (this.#lastHole !== null && !joinsHole) this.#newRun(this.#end);
      if (!joinsHole && (offset > this.#end || isHole)) {
        // A hole (bytes a saved session lost or never saved, a stretch no chunk covers or one marked so): the text
        // view gives it a line of its own, so the bytes on either side of it stay readable.
        if (this.#end > this.#runStarts.last()) this.#newRun(this.#end);
        if (offset > this.#end) this.#newRun(offset);
      }
    }
    if (isHole && this.#lastHole === null) {
      this.#holeRuns.add(this.#runStarts.last());
      this.#lastHole = hole;
    }
    this.#chunkOffsets.push(offset);
    this.#chunkLengths.push(size);
    this.#chunkEvents.push(eventIndex);
    this.#chunkBytes.push(known ?? hole);
    if (known) {
      for (let lf = known.indexOf(10); lf !== -1; lf = known.indexOf(10, lf + 1)) this.#newRun(offset + lf + 1);
    }
    this.#end = offset + size;
    this.#changed = true;
    if (this.#runStarts.length > this.#maxRuns) {
      this.#letGoBefore(this.#runStarts.at(this.#runStarts.length - this.#maxRuns));
    }
  }

  /** Lets go of the chunks of events before `eventIndex` (the store let go of their bytes). */
  forgetBefore(eventIndex: number): void {
    let drop = 0;
    while (drop < this.#chunkEvents.length && this.#chunkEvents.at(drop) < eventIndex) drop += 1;
    if (drop === 0) return;
    this.#letGoBefore(drop < this.#chunkOffsets.length ? this.#chunkOffsets.at(drop) : this.#end);
  }

  /** The screen redraws: whoever read this stream reads it again if it changed. */
  publish(): void {
    if (!this.#changed) return;
    this.#changed = false;
    this.#version += 1;
  }

  chunk(k: number): StreamChunk {
    void this.#version;
    return {
      offset: this.#chunkOffsets.at(k),
      length: this.#chunkLengths.at(k),
      eventIndex: this.#chunkEvents.at(k),
      hole: typeof this.#chunkBytes.at(k) === 'string',
    };
  }

  /** The chunk holding stream offset `offset` (or the last one before it). */
  chunkIndexAt(offset: number): number {
    void this.#version;
    return Math.max(0, this.#chunkOffsets.floorIndex(offset));
  }

  /** Bytes from stream offset `from` to `to` (clamped to what is kept), copied only when they span chunks. */
  read(from: number, to: number): StreamRead {
    void this.#version;
    const start = Math.max(from, this.#start);
    const stop = Math.min(to, this.#end);
    const count = this.#chunkOffsets.length;
    if (stop <= start || count === 0) return { bytes: NO_BYTES, missing: false, lost: false, unsaved: false };
    let k = Math.max(0, this.#chunkOffsets.floorIndex(start));
    const first = this.#chunkBytes.at(k);
    const firstOffset = this.#chunkOffsets.at(k);
    if (first instanceof Uint8Array && stop <= firstOffset + this.#chunkLengths.at(k)) {
      return {
        bytes: first.subarray(start - firstOffset, stop - firstOffset),
        missing: false,
        lost: false,
        unsaved: false,
      };
    }
    const out = new Uint8Array(stop - start);
    let missing = false;
    // Up to here every byte came from a chunk; a stretch no chunk covers (a saved session whose record of those
    // bytes was damaged) is missing, never the zeros `out` starts with.
    let covered = start;
    let lost = false;
    let unsaved = false;
    for (; k < count; k++) {
      const chunkStart = this.#chunkOffsets.at(k);
      if (chunkStart >= stop) break;
      const a = Math.max(start, chunkStart);
      const b = Math.min(stop, chunkStart + this.#chunkLengths.at(k));
      if (b <= a) continue;
      if (a > covered) lost = true;
      covered = Math.max(covered, b);
      const bytes = this.#chunkBytes.at(k);
      if (bytes instanceof Uint8Array) out.set(bytes.subarray(a - chunkStart, b - chunkStart), a - start);
      else if (bytes === null) missing = true;
      else {
        lost = true;
        if (bytes === 'not-saved') unsaved = true;
      }
    }
    if (covered < stop) lost = true;
    return { bytes: out, missing: missing || lost, lost, unsaved };
  }

  /** Stream offsets [start, end) of text-view line `line` (0 is the first line kept); `hole` for a replay's hole,
   *  which is one line however long. */
  line(line: number): { start: number; end: number; hole: boolean } {
    void this.#version;
    const number = this.#firstLine + line;
    const run = Math.max(0, this.#runLines.floorIndex(number));
    const runStart = this.#runStarts.at(run);
    const runEnd = this.#runEnd(run);
    if (this.#holeRuns.has(runStart)) return { start: Math.max(runStart, this.#start), end: runEnd, hole: true };
    const lineStart = runStart + (number - this.#runLines.at(run)) * WRAP_BYTES;
    return { start: Math.max(lineStart, this.#start), end: Math.min(lineStart + WRAP_BYTES, runEnd), hole: false };
  }

  /**
   * Lines of `width` bytes each (the hex view's), counted from the first byte kept, with each of a replay's holes one
   * line of its own however long: the lines after a hole start where it ends.
   */
  fixedLineCount(width: number): number {
    void this.#version;
    let count = 0;
    let at = this.#start;
    for (const hole of this.#holeSpans()) {
      count += Math.ceil((hole.start - at) / width) + 1;
      at = hole.end;
    }
    return count + Math.ceil((this.#end - at) / width);
  }

  /** Stream offsets [start, end) of line `index` of `width` bytes (see fixedLineCount). */
  fixedLine(index: number, width: number): { start: number; end: number; hole: boolean } {
    void this.#version;
    let left = index;
    let at = this.#start;
    for (const hole of this.#holeSpans()) {
      const before = Math.ceil((hole.start - at) / width);
      if (left < before)
        return { start: at + left * width, end: Math.min(at + (left + 1) * width, hole.start), hole: false };
      if (left === before) return { start: hole.start, end: hole.end, hole: true };
      left -= before + 1;
      at = hole.end;
    }
    return { start: at + left * width, end: Math.min(at + (left + 1) * width, this.#end), hole: false };
  }

  /** The holes still kept, in order, each clamped to what is kept. */
  *#holeSpans(): Generator<{ start: number; end: number }> {
    for (const runStart of this.#holeRuns) {
      const run = this.#runStarts.floorIndex(runStart);
      const end = this.#runEnd(run);
      if (end > this.#start) yield { start: Math.max(runStart, this.#start), end };
    }
  }

  /** Where run `run` ends: where the next one starts, or the stream's end for the last. */
  #runEnd(run: number): number {
    return run + 1 < this.#runStarts.length ? this.#runStarts.at(run + 1) : this.#end;
  }

  /** The text-view line holding stream offset `offset`. */
  lineAt(offset: number): number {
    void this.#version;
    if (this.#runStarts.length === 0) return 0;
    const run = Math.max(0, this.#runStarts.floorIndex(offset));
    const runStart = this.#runStarts.at(run);
    const number = this.#runLines.at(run) + (this.#holeRuns.has(runStart) ? 0 : this.#linesBefore(runStart, offset));
    return Math.max(0, Math.min(number - this.#firstLine, this.#lineTotal() - this.#firstLine - 1));
  }

  /** Lines from the stream's first byte to its end (the last run may still be open). */
  #lineTotal(): number {
    if (this.#runStarts.length === 0) return 0;
    return (
      this.#runLines.last() +
      (this.#lastHole !== null ? 1 : Math.ceil((this.#end - this.#runStarts.last()) / WRAP_BYTES))
    );
  }

  /** Whole lines of a run (not a hole) from its start `runStart` to `offset`. */
  #linesBefore(runStart: number, offset: number): number {
    return Math.floor((offset - runStart) / WRAP_BYTES);
  }

  /** A new run starts at `at`, just after an LF (or a hole). */
  #newRun(at: number): void {
    const lines =
      this.#runLines.last() + (this.#lastHole !== null ? 1 : Math.ceil((at - this.#runStarts.last()) / WRAP_BYTES));
    this.#lastHole = null;
    this.#runStarts.push(at);
    this.#runLines.push(lines);
  }

  #letGoBefore(offset: number): void {
    if (offset <= this.#start) return;
    let drop = 0;
    while (drop < this.#chunkOffsets.length && this.#chunkOffsets.at(drop) + this.#chunkLengths.at(drop) <= offset) {
      drop += 1;
    }
    this.#chunkOffsets.dropFront(drop);
    this.#chunkLengths.dropFront(drop);
    this.#chunkEvents.dropFront(drop);
    this.#chunkBytes.dropFront(drop);
    this.#start = Math.min(offset, this.#end);
    // Runs that end at or before the new start; the run holding it stays.
    let runs = 0;
    while (runs + 1 < this.#runStarts.length && this.#runStarts.at(runs + 1) <= this.#start) runs += 1;
    this.#runStarts.dropFront(runs);
    this.#runLines.dropFront(runs);
    const first = this.#runStarts.at(0);
    for (const runStart of this.#holeRuns) if (runStart < first) this.#holeRuns.delete(runStart);
    this.#firstLine = this.#runLines.at(0) + (this.#holeRuns.has(first) ? 0 : this.#linesBefore(first, this.#start));
    this.#letGo = true;
    this.#changed = true;
  }
}
