import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournalRecords, SessionJournal, type JournalRecord } from '../../../../src/main/core/journal';
import {
  BLOCK_BYTES,
  encodeEntry,
  encodeFileHeader,
  framedSize,
  FRAGMENT_FIRST,
  FRAGMENT_FULL,
  FRAGMENT_HEADER_BYTES,
  FRAGMENT_LAST,
  FRAGMENT_MIDDLE,
  MAX_RECORD_BYTES,
} from '../../../../src/main/core/journal/format';
import { crc32 } from '../../../../src/main/core/journal/crc';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { comparable, dataEvent, patternBytes, readAll, readRecords, startEntry } from './helpers';

interface Base {
  file: string;
  bytes: Buffer;
  entries: SessionEntry[];
  records: JournalRecord[];
}

/**
 * A journal of 300 small records, one of 70 KB (several fragments) in the middle, and a last few small ones, the
 * third-last of which straddles a block boundary (a FIRST and a LAST fragment).
 */
async function baseJournal(dir: string): Promise<Base> {
  const entries: SessionEntry[] = [startEntry()];
  const header = encodeFileHeader({}).byteLength;
  let position = header + framedSize(header, encodeEntry(entries[0]!).head.byteLength);
  const push = (entry: SessionEntry): void => {
    const { head, bytes } = encodeEntry(entry);
    position += framedSize(position, head.byteLength + bytes.byteLength);
    entries.push(entry);
  };
  for (let i = 1; i <= 150; i++) push(dataEvent('c1', i % 2 ? 'in' : 'out', i * 100, patternBytes(i % 90, i), i));
  push(dataEvent('c1', 'in', 99_999, patternBytes(70_000, 3), 151));
  for (let i = 152; i <= 300; i++)
    push({ kind: 'progress', t: i, progress: { completed: [], current: `s${i}`, predictions: {} } });
  // Fill up to 30 bytes before the next block boundary, so the next small record straddles it.
  const blockEnd = (Math.floor(position / BLOCK_BYTES) + 1) * BLOCK_BYTES;
  const probe = encodeEntry(dataEvent('c1', 'in', 0, new Uint8Array(0), 301)).head.byteLength;
  push(dataEvent('c1', 'in', 0, patternBytes(blockEnd - 30 - position - FRAGMENT_HEADER_BYTES - probe), 301));
  push(dataEvent('c1', 'out', 1, new TextEncoder().encode('straddles the boundary'), 302));
  push({ kind: 'event', t: 303, event: { id: 'c1', t: 303, type: 'peer-ended' } });
  push({ kind: 'event', t: 304, event: { id: 'c1', t: 304, type: 'closed', by: 'peer' } });
  push({ kind: 'end', t: 305 });

  const file = path.join(dir, 'base.journal');
  const journal = await SessionJournal.create({ file });
  for (const entry of entries) journal.append(entry);
  await journal.abandon();
  const { records, stats } = await readRecords(file);
  expect(stats).toMatchObject({ records: entries.length, corruptRecords: 0, tornBytes: 0 });
  const bytes = readFileSync(file);
  expect(bytes.byteLength).toBe(position);
  return { file, bytes, entries, records };
}

/** The records a reader gets from `file` (with a minimal stats object, as a caller passes one), and the stats. */
async function summaryOf(file: string, options: { from?: number; limit?: number } = {}) {
  const stats = { records: 0, corruptRecords: 0, tornBytes: 0, fileBytes: 0 };
  const records: JournalRecord[] = [];
  for await (const record of readJournalRecords(file, { ...options, stats })) records.push(record);
  return { records, stats };
}

describe('journal recovery', () => {
  let dir: string;
  let base: Base;
  beforeAll(async () => {
    // One folder for the whole file (tempDir() would be emptied after the first test).
    dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-journal-recovery-'));
    base = await baseJournal(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a torn last record, cut at every byte offset of the last records, is trimmed and nothing before it lost', async () => {
    const file = path.join(dir, 'torn.journal');
    copyFileSync(base.file, file);
    // Every byte of the last four records (the first of them straddles a block boundary) and the end of the one
    // before; for the big records, around every block boundary inside them and every 199th byte elsewhere.
    const lastFew = base.records.slice(-4);
    const cuts = new Set<number>();
    for (let cut = lastFew[0]!.start - 100; cut < base.bytes.byteLength; cut++) cuts.add(cut);
    for (const big of base.records.filter((record) => record.end - record.start > 10_000)) {
      for (let cut = big.start; cut <= big.end; cut += 199) cuts.add(cut);
      for (let edge = Math.ceil(big.start / BLOCK_BYTES) * BLOCK_BYTES; edge < big.end; edge += BLOCK_BYTES) {
        for (let cut = edge - 20; cut <= edge + 20; cut++) cuts.add(cut);
      }
    }
    const ends = base.records.map((record) => record.end);
    // Cutting ever shorter, so one copy of the file serves every cut.
    for (const cut of [...cuts].sort((a, b) => b - a)) {
      truncateSync(file, cut);
      const { records, stats } = await summaryOf(file);
      const whole = ends.filter((end) => end <= cut).length;
      const lastEnd = ends[whole - 1] ?? 0;
      expect({ cut, count: records.length, corrupt: stats.corruptRecords, torn: stats.tornBytes }).toEqual({
        cut,
        count: whole,
        corrupt: 0,
        torn: cut - lastEnd,
      });
      expect(records.at(-1)?.seq).toBe(whole - 1);
    }
    // And the entries themselves survive intact: compare one cut in full.
    copyFileSync(base.file, file);
    truncateSync(file, lastFew[2]!.start + 3);
    const { entries } = await readAll(file);
    expect(comparable(entries)).toEqual(comparable(base.entries.slice(0, base.records.length - 2)));
  });

  it('a damaged record in the middle (any byte flipped) is set aside and counted; every other record is read', async () => {
    const file = path.join(dir, 'flipped.journal');
    const victim = base.records[120]!;
    const expected = comparable(base.entries.filter((_, i) => i !== 120));
    for (let at = victim.start; at < victim.end; at++) {
      const bytes = Buffer.from(base.bytes);
      bytes[at] = (bytes[at] as number) ^ 0xff;
      writeFileSync(file, bytes);
      const { entries, stats } = await readAll(file);
      expect({ at, corrupt: stats.corruptRecords, torn: stats.tornBytes, count: entries.length }).toEqual({
        at,
        corrupt: 1,
        torn: 0,
        count: base.entries.length - 1,
      });
      if (at === victim.start || at === victim.end - 1) expect(comparable(entries)).toEqual(expected);
    }
  });

  it('a damaged fragment of a record that spans blocks loses that record only', async () => {
    const file = path.join(dir, 'big-flipped.journal');
    const index = base.records.findIndex((record) => record.end - record.start > 60_000);
    const big = base.records[index]!;
    const inside = [big.start + 2, big.start + 40_000, big.end - 5, Math.ceil(big.start / BLOCK_BYTES) * BLOCK_BYTES];
    for (const at of inside) {
      const bytes = Buffer.from(base.bytes);
      bytes[at] = (bytes[at] as number) ^ 0x5a;
      writeFileSync(file, bytes);
      const { entries, stats } = await readAll(file);
      expect(stats).toMatchObject({ corruptRecords: 1, tornBytes: 0 });
      expect(comparable(entries)).toEqual(comparable(base.entries.filter((_, i) => i !== index)));
    }
  });

  it('a stretch of garbage over three records loses those three, counted', async () => {
    const file = path.join(dir, 'stretch.journal');
    const bytes = Buffer.from(base.bytes);
    const from = base.records[40]!.start + 5;
    const to = base.records[42]!.end - 5;
    randomBytes(to - from).copy(bytes, from);
    writeFileSync(file, bytes);
    const { entries, stats } = await readAll(file);
    expect(stats).toMatchObject({ corruptRecords: 3, tornBytes: 0 });
    expect(comparable(entries)).toEqual(comparable(base.entries.filter((_, i) => i < 40 || i > 42)));
    expect(stats.skippedBytes).toBe(base.records[42]!.end - base.records[40]!.start);
  });

  it('garbage or zeros appended at the end are torn bytes; every record is still read', async () => {
    const file = path.join(dir, 'appended.journal');
    for (const tail of [randomBytes(5000), Buffer.alloc(40_000), Buffer.from('not a record\n')]) {
      writeFileSync(file, Buffer.concat([base.bytes, tail]));
      const { entries, stats } = await readAll(file);
      expect(stats).toMatchObject({ corruptRecords: 0, tornBytes: tail.byteLength, validBytes: base.bytes.byteLength });
      expect(entries).toHaveLength(base.entries.length);
    }
  });

  it('an empty file, a file of zeros, a foreign file, a cut header, a newer version: no throw, clear stats', async () => {
    const cases: { name: string; bytes: Buffer; header: string; torn: number }[] = [
      { name: 'empty', bytes: Buffer.alloc(0), header: 'missing', torn: 0 },
      { name: 'zeros', bytes: Buffer.alloc(100_000), header: 'foreign', torn: 0 },
      {
        name: 'png',
        bytes: Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), randomBytes(3000)]),
        header: 'foreign',
        torn: 0,
      },
      {
        name: 'json',
        bytes: Buffer.from('{"format":"socketlab","version":1,"entries":[]}'),
        header: 'foreign',
        torn: 0,
      },
      { name: 'cut-header', bytes: base.bytes.subarray(0, 11), header: 'missing', torn: 11 },
    ];
    const flipped = Buffer.from(base.bytes);
    flipped.writeUInt16LE(99, 8);
    cases.push({ name: 'version-flipped', bytes: flipped, header: 'damaged', torn: 0 });
    for (const { name, bytes, header, torn } of cases) {
      const file = path.join(dir, `${name}.journal`);
      writeFileSync(file, bytes);
      const { entries, stats } = await readAll(file);
      expect({ name, header: stats.header, torn: stats.tornBytes, fileBytes: stats.fileBytes }).toEqual({
        name,
        header,
        torn,
        fileBytes: bytes.byteLength,
      });
      // The version is covered by the header's CRC, so a flipped version reads as a damaged header and the
      // records after it are still found.
      expect(entries).toHaveLength(name === 'version-flipped' ? base.entries.length : 0);
    }
  });

  it('refuses to read a journal a newer version wrote, and finds the records after a damaged header', async () => {
    const file = path.join(dir, 'newer.journal');
    const newerHeader = encodeFileHeader({});
    newerHeader.writeUInt16LE(2, 8);
    // Re-seal the CRC as a newer lab would.
    const { crc32 } = await import('node:zlib');
    newerHeader.writeUInt32LE(crc32(newerHeader.subarray(16), crc32(newerHeader.subarray(8, 12))), 12);
    writeFileSync(file, Buffer.concat([newerHeader, base.bytes.subarray(newerHeader.byteLength)]));
    const newer = await readAll(file);
    expect(newer.stats.header).toBe('newer');
    expect(newer.entries).toHaveLength(0);

    const damaged = Buffer.from(base.bytes);
    damaged[17] = (damaged[17] as number) ^ 1;
    writeFileSync(file, damaged);
    const back = await readAll(file);
    expect(back.stats.header).toBe('damaged');
    expect(comparable(back.entries)).toEqual(comparable(base.entries));
  });

  it('sets aside a record longer than the cap instead of holding it, and reads on after it', async () => {
    const fragment = (type: number, seq: number, payload: Uint8Array): Buffer => {
      const out = Buffer.alloc(FRAGMENT_HEADER_BYTES + payload.byteLength);
      out.writeUInt16LE(payload.byteLength, 4);
      out.writeUInt8(type, 6);
      out.writeUInt32LE(seq, 7);
      Buffer.from(payload).copy(out, FRAGMENT_HEADER_BYTES);
      // The CRC's plain definition: over everything after the CRC itself.
      out.writeUInt32LE(crc32(out.subarray(4)), 0);
      return out;
    };
    const header = encodeFileHeader({});
    const start = encodeEntry(startEntry()).head;
    const parts: Buffer[] = [header, fragment(FRAGMENT_FULL, 0, start)];
    let position = header.byteLength + FRAGMENT_HEADER_BYTES + start.byteLength;
    const fill = (type: number, seq: number): void => {
      const room = BLOCK_BYTES - (position % BLOCK_BYTES) - FRAGMENT_HEADER_BYTES;
      parts.push(fragment(type, seq, patternBytes(room)));
      position += FRAGMENT_HEADER_BYTES + room;
    };
    fill(FRAGMENT_FIRST, 1);
    while (position < MAX_RECORD_BYTES + 4 * BLOCK_BYTES) fill(FRAGMENT_MIDDLE, 1);
    fill(FRAGMENT_LAST, 1);
    const after = encodeEntry({ kind: 'end', t: 9 }).head;
    parts.push(fragment(FRAGMENT_FULL, 2, after));
    const file = path.join(dir, 'huge-record.journal');
    writeFileSync(file, Buffer.concat(parts));
    const { entries, stats } = await readAll(file);
    expect(entries.map((entry) => entry.kind)).toEqual(['start', 'end']);
    expect(stats).toMatchObject({ corruptRecords: 1, tornBytes: 0 });
  });

  it('reads from a record offset up to a limit, as a replay page and a live session do', async () => {
    const middle = base.records[200]!;
    const stop = base.records[210]!;
    const { records, stats } = await summaryOf(base.file, { from: middle.start, limit: stop.start });
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 200 + i));
    expect(stats.tornBytes).toBe(0);
    expect(stats.corruptRecords).toBe(0);
  });
});
