import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newReadStats, readJournal, SessionJournal } from '../../../../src/main/core/journal';
import {
  BLOCK_BYTES,
  checkFileHeader,
  encodeEntry,
  encodeFileHeader,
  framedSize,
  FRAGMENT_HEADER_BYTES,
} from '../../../../src/main/core/journal/format';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { comparable, dataEvent, everyKind, patternBytes, readAll, readRecords, startEntry, tempDir } from './helpers';

async function writeJournal(file: string, entries: readonly SessionEntry[]): Promise<SessionJournal> {
  const journal = await SessionJournal.create({ file, maxBytes: 1024 * 1024 * 1024 });
  for (const entry of entries) journal.append(entry);
  await journal.abandon();
  return journal;
}

describe('journal round trip', () => {
  it('reads back every kind of entry deep-equal, bytes identical (empty, 1 MiB, unicode in strings)', async () => {
    const file = path.join(tempDir(), 'every-kind.journal');
    const entries = everyKind();
    await writeJournal(file, entries);
    const { entries: back, stats } = await readAll(file);
    expect(comparable(back)).toEqual(comparable(entries));
    const megabyte = back.find((entry) => entry.kind === 'event' && entry.event.type === 'data' && entry.event.t === 7);
    expect(megabyte?.kind === 'event' && megabyte.event.type === 'data' && megabyte.event.bytes).toBeInstanceOf(
      Uint8Array,
    );
    expect(stats).toMatchObject({ records: entries.length, corruptRecords: 0, tornBytes: 0, header: 'ok' });
    expect(stats.fileBytes).toBe(statSync(file).size);
    // No base64 on disk: the 1 MiB of data takes about 1 MiB of file.
    expect(stats.fileBytes).toBeLessThan(1024 * 1024 + 8 * 1024);
  });

  it('joins records that cross the reader’s 1 MiB chunks into bytes of their own; borrowed bytes count the same', async () => {
    const file = path.join(tempDir(), 'chunks.journal');
    // 1 MiB sends and 64 KiB reads, so records start and end in every place of the reader's 1 MiB chunks.
    const entries: SessionEntry[] = [startEntry()];
    for (let i = 0; i < 12; i += 1) {
      const size = i % 3 === 0 ? 1024 * 1024 : 64 * 1024 + i;
      entries.push(dataEvent('a', i % 2 ? 'in' : 'out', i, patternBytes(size, i), i + 1));
    }
    await writeJournal(file, entries);
    // Kept to the end, then compared: a part still a view into a reused chunk would have changed by then.
    const { entries: owned, stats } = await readAll(file);
    expect(comparable(owned)).toEqual(comparable(entries));
    const borrowed = newReadStats();
    const lengths: number[] = [];
    for await (const entry of readJournal(file, borrowed, { borrowBytes: true })) {
      lengths.push(entry.kind === 'event' && entry.event.type === 'data' ? entry.event.bytes.byteLength : -1);
    }
    expect(borrowed).toEqual(stats);
    expect(lengths).toEqual(
      entries.map((e) => (e.kind === 'event' && e.event.type === 'data' ? e.event.bytes.byteLength : -1)),
    );
  });

  it('close() adds one end entry, once, and the file holds exactly what was appended', async () => {
    const file = path.join(tempDir(), 'closed.journal');
    const journal = await SessionJournal.create({ file });
    journal.append(startEntry());
    journal.append(dataEvent('a', 'out', 0, new TextEncoder().encode('hello'), 5));
    await Promise.all([journal.close(42), journal.close(43)]);
    await journal.close();
    journal.append(dataEvent('a', 'out', 5, new TextEncoder().encode('late'), 50));
    const { entries } = await readAll(file);
    expect(entries.map((entry) => entry.kind)).toEqual(['start', 'event', 'end']);
    expect(entries[2]).toEqual({ kind: 'end', t: 42 });
    expect(journal.bytesOnDisk).toBe(statSync(file).size);
    expect(journal.bytesQueued).toBe(0);
  });

  it('keeps many records of every size across block boundaries, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ size: fc.integer({ min: 0, max: 70_000 }), seed: fc.integer({ min: 0, max: 255 }) }),
            fc.record({ text: fc.string({ unit: 'grapheme', maxLength: 300 }) }),
          ),
          { minLength: 1, maxLength: 60 },
        ),
        async (items) => {
          const entries: SessionEntry[] = [startEntry()];
          let offset = 0;
          items.forEach((item, index) => {
            if ('size' in item) {
              entries.push(dataEvent('c1', 'in', offset, patternBytes(item.size, item.seed), index + 1));
              offset += item.size;
            } else {
              entries.push({
                kind: 'event',
                t: index + 1,
                event: { id: 'c1', t: index + 1, type: 'error', code: 'UNKNOWN', message: item.text, hint: item.text },
              });
            }
          });
          const file = path.join(tempDir(), 'many.journal');
          await writeJournal(file, entries);
          const { records, stats } = await readRecords(file);
          expect(comparable(records.map((record) => record.entry))).toEqual(comparable(entries));
          expect(records.map((record) => record.seq)).toEqual(entries.map((_, i) => i));
          expect(stats.corruptRecords).toBe(0);
          expect(stats.tornBytes).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never lets a fragment cross a block boundary, and pads a too-small block end with zeros', async () => {
    const file = path.join(tempDir(), 'blocks.journal');
    const entries: SessionEntry[] = [startEntry()];
    let position =
      encodeFileHeader({}).byteLength +
      framedSize(encodeFileHeader({}).byteLength, encodeEntry(entries[0]!).head.byteLength);
    // Records sized to end 1..FRAGMENT_HEADER_BYTES bytes before a block boundary, then one that crosses it.
    for (let gap = 1; gap <= FRAGMENT_HEADER_BYTES; gap++) {
      const blockEnd = (Math.floor(position / BLOCK_BYTES) + 1) * BLOCK_BYTES;
      const probe = dataEvent('c', 'in', 0, new Uint8Array(0), gap);
      const headBytes = encodeEntry(probe).head.byteLength;
      const wanted = blockEnd - gap - position - FRAGMENT_HEADER_BYTES - headBytes;
      const filler = dataEvent('c', 'in', 0, patternBytes(wanted, gap), gap);
      entries.push(filler);
      position += framedSize(position, headBytes + wanted);
      expect(position).toBe(blockEnd - gap);
      const crossing = dataEvent('c', 'in', 0, patternBytes(200, gap), gap);
      entries.push(crossing);
      position += framedSize(position, encodeEntry(crossing).head.byteLength + 200);
    }
    await writeJournal(file, entries);
    expect((await readRecords(file)).records).toHaveLength(entries.length);
    const bytes = readFileSync(file);
    const header = checkFileHeader(bytes.subarray(0, 4096));
    if (header.kind !== 'ok') throw new Error('no header');
    let pos = header.length;
    let paddings = 0;
    let fragments = 0;
    while (pos < bytes.byteLength) {
      const left = BLOCK_BYTES - (pos % BLOCK_BYTES);
      if (left < FRAGMENT_HEADER_BYTES) {
        expect([...bytes.subarray(pos, pos + left)].every((b) => b === 0)).toBe(true);
        paddings += 1;
        pos += left;
        continue;
      }
      const size = FRAGMENT_HEADER_BYTES + bytes.readUInt16LE(pos + 4);
      expect(size).toBeLessThanOrEqual(left);
      pos += size;
      fragments += 1;
    }
    expect(pos).toBe(bytes.byteLength);
    expect(fragments).toBeGreaterThan(entries.length);
    // Gaps 1..10 are too small for a header and padded; a gap of exactly one header takes an empty FIRST fragment.
    expect(paddings).toBe(FRAGMENT_HEADER_BYTES - 1);
  });

  it("writes a data event's head exactly as JSON.stringify would, for any id, times and offsets", () => {
    const number = fc.oneof(fc.double(), fc.nat(), fc.constantFrom(-0, 1e21, Number.MAX_SAFE_INTEGER, NaN, Infinity));
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        number,
        number,
        number,
        fc.boolean(),
        (id, entryT, t, offset, inbound) => {
          const event = { id, t, type: 'data' as const, dir: inbound ? ('in' as const) : ('out' as const), offset };
          const entry: SessionEntry = { kind: 'event', t: entryT, event: { ...event, bytes: new Uint8Array([1, 2]) } };
          const { head, bytes } = encodeEntry(entry);
          expect(head.subarray(4).toString('utf8')).toBe(JSON.stringify({ kind: 'event', t: entryT, event }));
          expect(head.readUInt32LE(0)).toBe(head.byteLength - 4);
          expect([...bytes]).toEqual([1, 2]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
