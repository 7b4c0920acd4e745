/**
 * Reads a session journal back, record by record, whatever state a crash or a bad disk left it in. It never throws
 * on bad content (only when the file cannot be opened or read at all), holds at most one 1 MiB chunk of the file and
 * one record in memory, and counts what it had to leave out:
 * - a torn tail (the process died mid-write): every byte after the last good record is `tornBytes`;
 * - a damaged record in the middle: set aside and counted in `corruptRecords` (from the gap in sequence numbers),
 *   then reading carries on at the next good record, found by scanning forward (at worst to the next block).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { SessionEntry } from '../../../shared/transcript';
import { crc32 } from './crc';
import * as format from './format';

// The format's numbers and helpers as module constants: the loop below runs once a byte while it resynchronises,
// and under Vitest each use of an imported binding is a getter call.
const {
  BLOCK_BYTES,
  checkFileHeader,
  decodeEntry,
  FILE_HEADER_FIXED_BYTES,
  FRAGMENT_FIRST,
  FRAGMENT_FULL,
  FRAGMENT_HEADER_BYTES,
  FRAGMENT_LAST,
  FRAGMENT_MIDDLE,
  MAX_FILE_HEADER_BYTES,
  MAX_RECORD_BYTES,
} = format;

export interface JournalReadStats {
  /** Records read back whole. */
  records: number;
  /** Records damaged in the middle of the file and set aside (at least one per damaged stretch). */
  corruptRecords: number;
  /** Bytes after the last good record that do not make a whole record (a torn tail, or garbage at the end). */
  tornBytes: number;
  /** Size of the file when reading began. */
  fileBytes: number;
  /** What the file header said: 'ok'; 'missing' (empty, or cut inside its header); 'foreign' (not a journal);
   *  'newer' (a later version of the lab wrote it); 'damaged' (our magic, but the rest is broken: records are
   *  still looked for). */
  header?: JournalHeaderState;
  /** Offset just past the last good record: trimming the file here drops exactly the torn tail. */
  validBytes?: number;
  /** Bytes set aside in the middle of the file. */
  skippedBytes?: number;
  /** From the file header, for an imported session. */
  importedFrom?: string;
}

export type JournalHeaderState = 'ok' | 'missing' | 'foreign' | 'newer' | 'damaged';

export type FullReadStats = Required<Omit<JournalReadStats, 'importedFrom'>> & { importedFrom?: string };

export function newReadStats(): FullReadStats {
  return {
    records: 0,
    corruptRecords: 0,
    tornBytes: 0,
    fileBytes: 0,
    header: 'missing',
    validBytes: 0,
    skippedBytes: 0,
  };
}

export interface JournalRecord {
  entry: SessionEntry;
  seq: number;
  /** File offsets of the record's first byte and just past its last: `start` is a cursor for readPage. */
  start: number;
  end: number;
}

export interface ReadJournalOptions {
  /** Start reading at this offset (a record's `start`); 0 for the beginning. */
  from?: number;
  /** Read no further than this offset (what a live journal has on disk). */
  limit?: number;
  stats?: JournalReadStats;
  /** A data event's bytes are a view into the reader's buffer, good only until the next record is asked for: for a
   *  caller that only counts them (a summary, a check), so nothing is copied. */
  borrowBytes?: boolean;
}

const CHUNK_BYTES = 32 * BLOCK_BYTES;
/** While resynchronising, a fragment's sequence number must follow the last good one by at most this much. */
const RESYNC_SEQ_WINDOW = 1 << 20;

/** Reads a journal's entries in order; see the file comment for what happens to damaged parts. */
export async function* readJournal(
  file: string,
  stats?: JournalReadStats,
  options: { borrowBytes?: boolean } = {},
): AsyncGenerator<SessionEntry> {
  for await (const record of readJournalRecords(file, { ...options, ...(stats && { stats }) })) yield record.entry;
}

async function readAt(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

type Fragment = { type: number; seq: number; length: number };

/** The fragment at `offset` of `buffer`, or undefined when none is there whole and intact. */
function parseFragment(buffer: Buffer, offset: number, available: number, leftInBlock: number): Fragment | undefined {
  if (available < FRAGMENT_HEADER_BYTES) return undefined;
  const length = buffer.readUInt16LE(offset + 4);
  const type = buffer.readUInt8(offset + 6);
  if (type < FRAGMENT_FULL || type > FRAGMENT_LAST) return undefined;
  const size = FRAGMENT_HEADER_BYTES + length;
  if (size > leftInBlock || size > available) return undefined;
  // fragmentCrc over the header's last 7 bytes and the payload, which lie side by side here: one call for both.
  if (crc32(buffer.subarray(offset + 4, offset + size)) !== buffer.readUInt32LE(offset)) return undefined;
  return { type, seq: buffer.readUInt32LE(offset + 7), length };
}

/** Like readJournal, with each record's sequence number and file offsets, from and up to given offsets. */
export async function* readJournalRecords(
  file: string,
  options: ReadJournalOptions = {},
): AsyncGenerator<JournalRecord> {
  const stats = (options.stats ?? newReadStats()) as FullReadStats;
  Object.assign(stats, newReadStats());
  delete stats.importedFrom;

  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    stats.fileBytes = size;
    const end = options.limit === undefined ? size : Math.max(0, Math.min(options.limit, size));
    const start = Buffer.alloc(Math.min(size, MAX_FILE_HEADER_BYTES));
    const startLength = await readAt(handle, start, start.byteLength, 0);
    const header = checkFileHeader(start.subarray(0, startLength));
    stats.header = header.kind;
    if (header.kind === 'missing') {
      stats.tornBytes = size;
      return;
    }
    if (header.kind === 'foreign' || header.kind === 'newer') return;

    const recordsStart = header.kind === 'ok' ? header.length : FILE_HEADER_FIXED_BYTES;
    if (header.kind === 'ok' && header.info.importedFrom !== undefined) stats.importedFrom = header.info.importedFrom;
    let pos = Math.max(options.from ?? 0, recordsStart);
    stats.validBytes = header.kind === 'ok' ? pos : 0;

    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let chunkStart = 0;
    let chunkLength = 0;
    let lastSeq: number | null = null;
    /** Where the stretch of damage being skipped began; null while all is well. */
    let problem: number | null = header.kind === 'damaged' ? FILE_HEADER_FIXED_BYTES : null;
    /** The record being put together. Its parts are views into `chunk` until the chunk is read over (then copies):
     *  most records lie within one chunk, and are copied once, when joined. */
    let assembly: { seq: number; start: number; parts: Buffer[]; length: number } | null = null;
    const noteProblem = (at: number): void => {
      if (problem === null || at < problem) problem = at;
    };
    const plausible = (seq: number): boolean =>
      lastSeq === null || (seq > lastSeq && seq <= lastSeq + RESYNC_SEQ_WINDOW);

    while (pos < end) {
      const blockStart = pos - (pos % BLOCK_BYTES);
      if (blockStart < chunkStart || blockStart >= chunkStart + chunkLength) {
        if (assembly !== null) {
          assembly.parts = assembly.parts.map((part) => (part.buffer === chunk.buffer ? Buffer.from(part) : part));
        }
        chunkStart = blockStart;
        chunkLength = await readAt(handle, chunk, Math.min(CHUNK_BYTES, end - blockStart), blockStart);
        if (chunkLength === 0) break;
      }
      const leftInBlock = BLOCK_BYTES - (pos - blockStart);
      if (leftInBlock < FRAGMENT_HEADER_BYTES) {
        pos = blockStart + BLOCK_BYTES;
        continue;
      }
      const offset = pos - chunkStart;
      const available = Math.min(chunkStart + chunkLength, blockStart + BLOCK_BYTES) - pos;
      const fragment = parseFragment(chunk, offset, available, leftInBlock);
      const starts = fragment !== undefined && (fragment.type === FRAGMENT_FULL || fragment.type === FRAGMENT_FIRST);

      if (fragment === undefined || (starts && !plausible(fragment.seq))) {
        // Damage (or a record that does not follow the last one): look for the next good fragment a byte later.
        noteProblem(assembly?.start ?? pos);
        assembly = null;
        pos += 1;
        continue;
      }
      const fragmentEnd = pos + FRAGMENT_HEADER_BYTES + fragment.length;
      const payload = chunk.subarray(offset + FRAGMENT_HEADER_BYTES, offset + FRAGMENT_HEADER_BYTES + fragment.length);
      const recordStart = pos;
      pos = fragmentEnd;

      let whole: { payload: Uint8Array; start: number };
      if (starts) {
        if (assembly !== null) noteProblem(assembly.start);
        assembly = null;
        if (fragment.type !== FRAGMENT_FULL) {
          assembly = { seq: fragment.seq, start: recordStart, parts: [payload], length: payload.length };
          continue;
        }
        whole = { payload, start: recordStart };
      } else if (assembly === null || assembly.seq !== fragment.seq) {
        // A middle or last piece whose beginning was lost: part of a damaged record.
        noteProblem(recordStart);
        continue;
      } else {
        assembly.length += payload.byteLength;
        if (assembly.length > MAX_RECORD_BYTES) {
          noteProblem(assembly.start);
          assembly = null;
          continue;
        }
        assembly.parts.push(payload);
        if (fragment.type === FRAGMENT_MIDDLE) continue;
        whole = { payload: Buffer.concat(assembly.parts, assembly.length), start: assembly.start };
        assembly = null;
      }

      const entry = decodeEntry(whole.payload, options.borrowBytes === true);
      if (entry === undefined) {
        noteProblem(whole.start);
        continue;
      }
      if (problem !== null) {
        stats.corruptRecords += lastSeq === null ? 1 : Math.max(1, fragment.seq - lastSeq - 1);
        stats.skippedBytes += Math.max(0, whole.start - problem);
        problem = null;
      } else if (lastSeq !== null && fragment.seq > lastSeq + 1) {
        stats.corruptRecords += fragment.seq - lastSeq - 1;
      }
      lastSeq = fragment.seq;
      stats.records += 1;
      stats.validBytes = fragmentEnd;
      yield { entry, seq: fragment.seq, start: whole.start, end: fragmentEnd };
    }
    stats.tornBytes = Math.max(0, end - stats.validBytes);
  } finally {
    await handle.close();
  }
}
