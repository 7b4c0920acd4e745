import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/contract';
import { AllRows, OLDER_ROWS, RowFilter } from '../../../src/renderer/src/features/session/rowFilter.svelte';
import { findBytes } from '../../../src/renderer/src/features/byteLog/search';
import { EventLog } from '../../../src/renderer/src/features/session/eventLog';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function data(id: string, dir: 'in' | 'out', offset: number, body: string): LabEvent {
  return { id, t: 0, type: 'data', dir, offset, bytes: ascii(body) };
}

const events: LabEvent[] = [
  { id: 'a', t: 0, type: 'resolving', host: 'data.pr4e.org', port: 80, route: 'lab' },
  data('a', 'out', 0, 'GET /romeo.txt HTTP/1.0\r\n\r\n'),
  data('a', 'in', 0, 'HTTP/1.1 200 OK\r\nContent-Len'),
  data('b', 'in', 0, 'noise Content-Length'),
  data('a', 'in', 29, 'gth: 167\r\n\r\nBut soft what light'),
  { id: 'a', t: 0, type: 'peer-ended' },
];
const rows = new AllRows({ first: 0, length: events.length, at: (index) => events[index] });

/** The rows of one connection, as the store feeds them. */
function filterOf(id: string, upTo = events.length): RowFilter {
  const filter = new RowFilter(id);
  events.slice(0, upTo).forEach((event, index) => {
    if (event.id === id) filter.add(index);
  });
  return filter;
}
const from = { fromRow: -1, fromStart: -1, forward: true, matchCase: true };

describe('findBytes', () => {
  it('finds the first hit from the top', () => {
    expect(findBytes(events, rows, ascii('\r\n\r\n'), from)).toEqual({ row: 1, eventIndex: 1, start: 23, length: 4 });
  });

  it('finds a hit that runs on into the same stream’s next event, skipping other connections', () => {
    const hit = findBytes(events, rows, ascii('Content-Length: 167'), from);
    expect(hit).toEqual({ row: 2, eventIndex: 2, start: 17, length: 19 });
  });

  it('ignores case unless asked', () => {
    expect(findBytes(events, rows, ascii('BUT SOFT'), from)).toBeNull();
    expect(findBytes(events, rows, ascii('BUT SOFT'), { ...from, matchCase: false })?.row).toBe(4);
  });

  it('goes forward and backward from a hit, and wraps around', () => {
    const needle = ascii('\r\n\r\n');
    const first = findBytes(events, rows, needle, from);
    const second = findBytes(events, rows, needle, { ...from, fromRow: first!.row, fromStart: first!.start });
    expect(second).toMatchObject({ row: 4, start: 8 });
    const wrapped = findBytes(events, rows, needle, { ...from, fromRow: second!.row, fromStart: second!.start });
    expect(wrapped).toMatchObject({ row: 1, start: 23 });
    const back = findBytes(events, rows, needle, {
      ...from,
      fromRow: second!.row,
      fromStart: second!.start,
      forward: false,
    });
    expect(back).toMatchObject({ row: 1, start: 23 });
    const fromBottom = findBytes(events, rows, needle, { ...from, fromRow: rows.count, fromStart: 0, forward: false });
    expect(fromBottom).toMatchObject({ row: 4 });
  });

  it('searches only the rows shown when the log shows one connection', () => {
    const hit = findBytes(events, filterOf('b'), ascii('Content-Length'), from);
    expect(hit).toEqual({ row: 0, eventIndex: 3, start: 6, length: 14 });
  });

  it('finds nothing for an empty needle or a missing one', () => {
    expect(findBytes(events, rows, new Uint8Array(0), from)).toBeNull();
    expect(findBytes(events, rows, ascii('zebra'), from)).toBeNull();
  });
});

describe('RowFilter', () => {
  it('keeps the rows of one connection and grows with new events', () => {
    expect(filterOf('a', 3).count).toBe(3);
    const filter = filterOf('a');
    expect(filter.count).toBe(5);
    expect(filter.eventAt(3)).toBe(4);
    expect(filter.rowOf(4)).toBe(3);
    expect(filter.rowOf(3)).toBe(2);
  });

  it('lets go of rows the log let go of, and says so in its first row', () => {
    const filter = filterOf('a');
    filter.letGoBefore(2);
    expect(filter.count).toBe(1 + 3);
    expect(filter.eventAt(0)).toBe(OLDER_ROWS);
    expect(filter.eventAt(1)).toBe(2);
    expect(filter.rowOf(0)).toBe(0);
    expect(filter.rowOf(4)).toBe(2);
  });
});

describe('search in a log that let go of its oldest rows', () => {
  it('skips the row that stands for them and finds hits with their absolute event index', () => {
    const log = new EventLog({ keptBytes: 1 << 20, keptRows: 16 });
    for (let i = 0; i < 40; i++) log.push(data('a', 'in', i * 4, i === 37 ? 'FIND' : 'xxxx'));
    log.trim();
    expect(log.first).toBeGreaterThan(0);
    const all = new AllRows(log);
    expect(all.eventAt(0)).toBe(OLDER_ROWS);
    const hit = findBytes(log, all, ascii('FIND'), from);
    expect(hit).toEqual({ row: 1 + 37 - log.first, eventIndex: 37, start: 0, length: 4 });
    expect(all.eventAt((hit as { row: number }).row)).toBe(37);
    expect(findBytes(log, all, ascii('FIND'), { ...from, fromRow: all.count, fromStart: 0, forward: false })).toEqual(
      hit,
    );
  });
});
