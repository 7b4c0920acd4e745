/**
 * The renderer keeps at most LIMITS.rendererKeptBytes of data bytes per session (the whole session stays in the
 * journal on disk). Past the bound, the oldest data events lose their bytes: the event stays in the log (same
 * place, same offset, same byte count) with empty `bytes`, and `droppedLength` remembers how many there were,
 * so the row can say "bytes dropped from view". Whole events are dropped, oldest first, in both directions.
 * Plain TypeScript, no runes: the store calls it after each batch.
 */
import type { LabEvent } from '../../../../shared/contract';

const NO_BYTES = new Uint8Array(0);

export class ByteBudget {
  readonly limit: number;
  #kept = 0;
  #dropped = 0;
  #droppedRows = 0;
  /** Every event before this index has been looked at for dropping. */
  #cursor = 0;
  /** Original byte counts of dropped data events, by event index (0 for events that were not data). */
  #lengths = new Uint32Array(0);

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Data bytes still held in memory. */
  get keptBytes(): number {
    return this.#kept;
  }

  /** Data bytes dropped from view so far. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Data rows whose bytes were dropped. */
  get droppedRows(): number {
    return this.#droppedRows;
  }

  /** Every data event before this index has had its bytes dropped. */
  get droppedThrough(): number {
    return this.#cursor;
  }

  /** Count the bytes of a newly stored event. */
  admit(event: LabEvent): void {
    if (event.type === 'data') this.#kept += event.bytes.byteLength;
  }

  /** How many bytes the data event at `index` had before they were dropped; 0 if it still has them. */
  droppedLength(index: number): number {
    return index < this.#cursor ? (this.#lengths[index] ?? 0) : 0;
  }

  /** Drop the oldest data bytes until at most `limit` are kept. Replaces events in `events`; returns how many. */
  trim(events: LabEvent[]): number {
    let replaced = 0;
    while (this.#kept > this.limit && this.#cursor < events.length) {
      const index = this.#cursor;
      const event = events[index] as LabEvent;
      this.#cursor += 1;
      if (event.type !== 'data' || event.bytes.byteLength === 0) continue;
      this.#remember(index, event.bytes.byteLength);
      this.#kept -= event.bytes.byteLength;
      this.#dropped += event.bytes.byteLength;
      this.#droppedRows += 1;
      // A new object, not a mutation: anyone holding the old event keeps what they had.
      events[index] = { ...event, bytes: NO_BYTES };
      replaced += 1;
    }
    return replaced;
  }

  #remember(index: number, length: number): void {
    if (index >= this.#lengths.length) {
      const grown = new Uint32Array(Math.max(1024, index * 2));
      grown.set(this.#lengths);
      this.#lengths = grown;
    }
    this.#lengths[index] = length;
  }
}
