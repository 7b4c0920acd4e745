/**
 * Find bytes in the log: the next (or previous) data row whose bytes contain the needle. A match may run on into
 * the following data events of the same connection and direction, since a stream does not care where the rows
 * were cut. Pure functions over the event list; no copies of the data.
 */
import type { LabEvent } from '../../../../shared/contract';
import type { EventSource } from '../session/eventLog';
import type { LogRows } from '../session/rowFilter.svelte';

export interface SearchHit {
  row: number;
  eventIndex: number;
  /** Offset of the first matching byte inside that event's bytes. */
  start: number;
  length: number;
}

/** How far to look ahead for the next event of the same stream when a match runs past a row's end. */
const LOOKAHEAD_EVENTS = 10_000;

function fold(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 32 : byte;
}

function sameStream(a: LabEvent | undefined, b: LabEvent): boolean {
  return a?.type === 'data' && b.type === 'data' && a.id === b.id && a.dir === b.dir;
}

/** Does `needle` start at byte `at` of event `eventIndex`, continuing into the same stream's next events? */
function matchesAt(
  events: EventSource,
  eventIndex: number,
  at: number,
  needle: Uint8Array,
  matchCase: boolean,
): boolean {
  let event = events.at(eventIndex) as Extract<LabEvent, { type: 'data' }>;
  let bytes = event.bytes;
  let position = at;
  let index = eventIndex;
  for (let j = 0; j < needle.byteLength; j++) {
    while (position >= bytes.byteLength) {
      // Continue in the next event of the same stream.
      let next = index + 1;
      const limit = Math.min(events.length, index + LOOKAHEAD_EVENTS);
      while (next < limit && !sameStream(events.at(next), event)) next++;
      if (next >= limit) return false;
      index = next;
      event = events.at(next) as Extract<LabEvent, { type: 'data' }>;
      bytes = event.bytes;
      position = 0;
    }
    const a = bytes[position] as number;
    const b = needle[j] as number;
    if (matchCase ? a !== b : fold(a) !== fold(b)) return false;
    position++;
  }
  return true;
}

/** Candidate positions: where the needle's first byte (either case) occurs, from `from` onward or backward. */
function nextCandidate(bytes: Uint8Array, first: number, matchCase: boolean, from: number, forward: boolean): number {
  const upper = first >= 0x61 && first <= 0x7a ? first - 32 : first;
  const lower = fold(first);
  if (matchCase || upper === lower) {
    return forward ? bytes.indexOf(first, from) : bytes.lastIndexOf(first, from);
  }
  const a = forward ? bytes.indexOf(lower, from) : bytes.lastIndexOf(lower, from);
  const b = forward ? bytes.indexOf(upper, from) : bytes.lastIndexOf(upper, from);
  if (a === -1) return b;
  if (b === -1) return a;
  return forward ? Math.min(a, b) : Math.max(a, b);
}

function findInRow(
  events: EventSource,
  eventIndex: number,
  needle: Uint8Array,
  matchCase: boolean,
  from: number,
  forward: boolean,
): number {
  const event = events.at(eventIndex);
  if (event?.type !== 'data' || event.bytes.byteLength === 0) return -1;
  const bytes = event.bytes;
  const first = needle[0] as number;
  let at = forward ? Math.max(0, from) : Math.min(bytes.byteLength - 1, from);
  while (forward ? at < bytes.byteLength : at >= 0) {
    const candidate = nextCandidate(bytes, first, matchCase, at, forward);
    if (candidate === -1) return -1;
    if (matchesAt(events, eventIndex, candidate, needle, matchCase)) return candidate;
    at = forward ? candidate + 1 : candidate - 1;
  }
  return -1;
}

/**
 * The next hit after (forward) or before (backward) position `fromStart` of row `fromRow`. Pass fromRow -1 to
 * start at the top (forward) or fromRow = rows.count to start at the bottom (backward). Wraps around once.
 */
export function findBytes(
  events: EventSource,
  rows: LogRows,
  needle: Uint8Array,
  options: { fromRow: number; fromStart: number; forward: boolean; matchCase: boolean },
): SearchHit | null {
  if (needle.byteLength === 0 || rows.count === 0) return null;
  const { forward, matchCase } = options;
  const total = rows.count;
  const inRange = options.fromRow >= 0 && options.fromRow < total;
  // The starting row is searched from the given position, then every other row whole, then (wrapping) its rest.
  for (let step = 0; step <= total; step++) {
    let row: number;
    let from: number;
    if (step === 0) {
      if (!inRange) continue;
      row = options.fromRow;
      from = forward ? options.fromStart + 1 : options.fromStart - 1;
    } else {
      const base = inRange ? options.fromRow : forward ? -1 : total;
      row = (((forward ? base + step : base - step) % total) + total) % total;
      from = forward ? 0 : Number.MAX_SAFE_INTEGER;
    }
    const eventIndex = rows.eventAt(row);
    if (eventIndex < 0) continue;
    const start = findInRow(events, eventIndex, needle, matchCase, from, forward);
    if (start !== -1) return { row, eventIndex, start, length: needle.byteLength };
  }
  return null;
}
