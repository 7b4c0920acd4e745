/**
 * The session's events as the renderer keeps them, in bounded memory (the whole session stays in the journal on
 * disk, and exports read it from there):
 *
 * - Bytes: at most `keptBytes` of data bytes, counting a TLS connection's wire bytes (`wire` events) as well as its
 *   plain ones. Past it the oldest such events lose their bytes but keep their row (same place, offset and count,
 *   and a wire row its record names): the event is replaced by a copy with empty `bytes`, and `droppedLength` says
 *   how many it had.
 * - Rows: at most `keptRows` events. Past it the oldest rows are let go, a block at a time, and `first` moves on.
 *
 * Indexes are absolute and never shift: index i is the session's i-th event whether it is kept or not, so a
 * selection, a search hit or a guide check that names an index keeps meaning the same event. Plain TypeScript;
 * the store calls it per batch.
 */
import type { LabEvent } from '../../../../shared/contract';

/** The session's events by index, as the guide, the code twin and search read them (an array works too). */
export interface EventSource {
  /** Index just past the newest event. */
  readonly length: number;
  /** The event at `index`, or undefined when it is not (or no longer) kept. */
  at(index: number): LabEvent | undefined;
}

export interface EventLogLimits {
  keptBytes: number;
  keptRows: number;
}

const NO_BYTES = new Uint8Array(0);

/** The events that carry bytes: the application's (`data`) and, on a TLS connection, the wire's (`wire`). */
export type ByteEvent = Extract<LabEvent, { type: 'data' | 'wire' }>;

export function carriesBytes(event: LabEvent): event is ByteEvent {
  return event.type === 'data' || event.type === 'wire';
}
/** Rows let go at once: a block, so trimming is rare and never copies the rows that stay. */
const MAX_BLOCK_ROWS = 64 * 1024;

export class EventLog implements EventSource {
  readonly limits: Readonly<EventLogLimits>;
  readonly #blockRows: number;
  #blocks: LabEvent[][] = [];
  /** Original byte counts of data events whose bytes were dropped, per block (made when first needed). */
  #droppedLengths: (Uint32Array | undefined)[] = [];
  /** Block number of #blocks[0]. */
  #firstBlock = 0;
  #length = 0;
  #keptBytes = 0;
  #droppedBytes = 0;
  /** Every data event before this index has lost its bytes (or was let go with its row). */
  #bytesCursor = 0;

  constructor(limits: EventLogLimits) {
    this.limits = { ...limits };
    // Blocks of a sixteenth of the rows (at most 64 Ki), so at least fifteen sixteenths stay after a trim.
    this.#blockRows = Math.max(1, Math.min(MAX_BLOCK_ROWS, Math.floor(limits.keptRows / 16)));
  }

  get length(): number {
    return this.#length;
  }

  /** Index of the oldest event still kept; the ones before it were let go. */
  get first(): number {
    return Math.min(this.#firstBlock * this.#blockRows, this.#length);
  }

  /** Data bytes held now. */
  get keptBytes(): number {
    return this.#keptBytes;
  }

  /** Data bytes no longer held (their rows may still be here), in the whole session so far. */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  /** Every data event before this index has no bytes here any more. */
  get bytesDroppedThrough(): number {
    return this.#bytesCursor;
  }

  at(index: number): LabEvent | undefined {
    if (index < this.first || index >= this.#length || !Number.isInteger(index)) return undefined;
    const block = this.#blocks[Math.floor(index / this.#blockRows) - this.#firstBlock];
    return block?.[index % this.#blockRows];
  }

  /** For a kept data event whose bytes are not here (dropped, or never known): how many it had; otherwise 0. */
  droppedLength(index: number): number {
    if (index < this.first || index >= this.#length) return 0;
    const lengths = this.#droppedLengths[Math.floor(index / this.#blockRows) - this.#firstBlock];
    return lengths?.[index % this.#blockRows] ?? 0;
  }

  /** Adds the next event; `missingLength` is how many bytes a data event without its bytes stands for. */
  push(event: LabEvent, missingLength = 0): void {
    let block = this.#blocks[this.#blocks.length - 1];
    if (!block || block.length === this.#blockRows) {
      block = [];
      this.#blocks.push(block);
      this.#droppedLengths.push(undefined);
    }
    block.push(event);
    this.#length += 1;
    if (!carriesBytes(event)) return;
    this.#keptBytes += event.bytes.byteLength;
    if (event.bytes.byteLength === 0 && missingLength > 0) this.#remember(this.#length - 1, missingLength);
  }

  /** Lets go of whatever is over the bounds, oldest first. True when anything changed. */
  trim(): boolean {
    let changed = false;
    while (this.#keptBytes > this.limits.keptBytes && this.#bytesCursor < this.#length) {
      changed = this.#dropBytesAt(this.#bytesCursor) || changed;
      this.#bytesCursor += 1;
    }
    // Whole blocks only, and never the one being filled.
    while (this.#length - this.first > this.limits.keptRows && this.#blocks.length > 1) {
      const block = this.#blocks.shift() as LabEvent[];
      this.#droppedLengths.shift();
      const blockStart = this.#firstBlock * this.#blockRows;
      for (let i = Math.max(0, this.#bytesCursor - blockStart); i < block.length; i++) {
        const event = block[i] as LabEvent;
        if (!carriesBytes(event)) continue;
        this.#keptBytes -= event.bytes.byteLength;
        this.#droppedBytes += event.bytes.byteLength;
      }
      this.#firstBlock += 1;
      this.#bytesCursor = Math.max(this.#bytesCursor, this.first);
      changed = true;
    }
    return changed;
  }

  #dropBytesAt(index: number): boolean {
    const blockIndex = Math.floor(index / this.#blockRows) - this.#firstBlock;
    const block = this.#blocks[blockIndex];
    const event = block?.[index % this.#blockRows];
    if (!block || !event || !carriesBytes(event) || event.bytes.byteLength === 0) return false;
    const length = event.bytes.byteLength;
    this.#remember(index, length);
    this.#keptBytes -= length;
    this.#droppedBytes += length;
    // A new object, not a mutation: anyone holding the old event keeps what they had.
    block[index % this.#blockRows] = { ...event, bytes: NO_BYTES };
    return true;
  }

  #remember(index: number, length: number): void {
    const blockIndex = Math.floor(index / this.#blockRows) - this.#firstBlock;
    let lengths = this.#droppedLengths[blockIndex];
    if (!lengths) {
      lengths = new Uint32Array(this.#blockRows);
      this.#droppedLengths[blockIndex] = lengths;
    }
    lengths[index % this.#blockRows] = length;
  }
}
