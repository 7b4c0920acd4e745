/**
 * The byte log's rows: every kept event, or one connection's. Row 0 says "older rows are not shown here" once the
 * oldest rows were let go. Rune classes fed by the store batch by batch; `publish()` at the store's redraw moves
 * their change signal, so the log redraws at the steady rate.
 */
import type { LabEvent } from '../../../../shared/contract';
import type { EventSource } from './eventLog';
import { NumberDeque } from '../byteLog/deque';

/** Rows of the log. */
export interface LogRows {
  /** Rows, the "older rows are not shown here" row included when there is one. */
  readonly count: number;
  /** The event index shown on `row`; -1 for the row that says older rows were let go. */
  eventAt(row: number): number;
  /** The row of event `eventIndex`, or of the nearest kept event before it; -1 when there is none. */
  rowOf(eventIndex: number): number;
}

/** The row that stands for rows let go. */
export const OLDER_ROWS = -1;

/** Every kept event of the session, in order. */
export class AllRows implements LogRows {
  #version = $state(0);
  readonly #log: EventSource & { readonly first: number };

  constructor(log: EventSource & { readonly first: number }) {
    this.#log = log;
  }

  publish(): void {
    this.#version += 1;
  }

  get count(): number {
    void this.#version;
    return this.#lead() + this.#log.length - this.#log.first;
  }

  eventAt(row: number): number {
    void this.#version;
    const lead = this.#lead();
    return row < lead ? OLDER_ROWS : this.#log.first + row - lead;
  }

  rowOf(eventIndex: number): number {
    void this.#version;
    const lead = this.#lead();
    if (eventIndex < this.#log.first) return lead - 1;
    return Math.min(lead + eventIndex - this.#log.first, this.count - 1);
  }

  #lead(): number {
    return this.#log.first > 0 ? 1 : 0;
  }
}

export interface RowFilterOptions {
  /** Rows of TLS records on the wire (`wire` events); default shown. */
  wire?: boolean;
}

/**
 * One connection's events (or every connection's, for `null`), optionally without the TLS wire rows: their indexes
 * in a growing column, extended with each batch (never rebuilt).
 */
export class RowFilter implements LogRows {
  readonly connectionId: string | null;
  readonly wire: boolean;
  #version = $state(0);
  #changed = false;
  readonly #events = new NumberDeque();
  #letGo = false;

  constructor(connectionId: string | null, options: RowFilterOptions = {}) {
    this.connectionId = connectionId;
    this.wire = options.wire ?? true;
  }

  /** This filter shows `event`'s row. */
  accepts(event: LabEvent): boolean {
    return (this.connectionId === null || event.id === this.connectionId) && (this.wire || event.type !== 'wire');
  }

  /** Event `index` (of this connection) was added to the log. */
  add(index: number): void {
    this.#events.push(index);
    this.#changed = true;
  }

  /** The log let go of every event before `first`. */
  letGoBefore(first: number): void {
    let drop = 0;
    while (drop < this.#events.length && this.#events.at(drop) < first) drop += 1;
    if (drop === 0) return;
    this.#events.dropFront(drop);
    this.#letGo = true;
    this.#changed = true;
  }

  publish(): void {
    if (!this.#changed) return;
    this.#changed = false;
    this.#version += 1;
  }

  get count(): number {
    void this.#version;
    return this.#lead() + this.#events.length;
  }

  eventAt(row: number): number {
    void this.#version;
    const lead = this.#lead();
    return row < lead ? OLDER_ROWS : this.#events.at(row - lead);
  }

  rowOf(eventIndex: number): number {
    void this.#version;
    const found = this.#events.floorIndex(eventIndex);
    return found === -1 ? this.#lead() - 1 : this.#lead() + found;
  }

  #lead(): number {
    return this.#letGo ? 1 : 0;
  }
}
