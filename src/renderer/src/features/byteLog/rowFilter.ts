/**
 * The byte log's rows when it shows one connection: the indexes of that connection's events, kept in a growing
 * typed array and extended with each batch (never rebuilt, never copied per batch).
 */
import type { LabEvent } from '../../../../shared/contract';

export class RowFilter {
  readonly connectionId: string;
  #rows = new Float64Array(1024);
  #count = 0;
  #scanned = 0;

  constructor(connectionId: string) {
    this.connectionId = connectionId;
  }

  get count(): number {
    return this.#count;
  }

  update(events: readonly LabEvent[]): void {
    for (let i = this.#scanned; i < events.length; i++) {
      if ((events[i] as LabEvent).id !== this.connectionId) continue;
      if (this.#count === this.#rows.length) {
        const bigger = new Float64Array(this.#rows.length * 2);
        bigger.set(this.#rows);
        this.#rows = bigger;
      }
      this.#rows[this.#count++] = i;
    }
    this.#scanned = events.length;
  }

  /** The event index shown on row `row`. */
  eventAt(row: number): number {
    return this.#rows[row] as number;
  }

  /** The row showing event `eventIndex`, or the row of the nearest event before it (-1 if none). */
  rowOf(eventIndex: number): number {
    let low = 0;
    let high = this.#count - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if ((this.#rows[mid] as number) <= eventIndex) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}

/** Rows of the log: every event, or one connection's. */
export interface LogRows {
  count: number;
  eventAt(row: number): number;
  rowOf(eventIndex: number): number;
}

export function allRows(count: number): LogRows {
  return {
    count,
    eventAt: (row) => row,
    rowOf: (eventIndex) => Math.min(eventIndex, count - 1),
  };
}
