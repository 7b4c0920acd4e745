/**
 * A session's journal on disk, written as the session happens. append() frames and queues (no fs call on that
 * path); one background loop writes the framed records in batches (writev) and another fsyncs at least every
 * flushIntervalMs while anything is unsynced, so a crash, a kill -9 or a power cut loses at most about that much.
 *
 * Caps: past maxBytes the journal writes one 'journal-full' entry, then keeps data events only as 'unsaved' entries
 * (where and how long, no bytes) and other entries whole, up to a small hard ceiling above the cap; past that,
 * nothing more is kept but the final 'end'.
 *
 * Disk errors (ENOSPC, EACCES, EIO …): the journal stops, calls onError once, and append() goes on accepting and
 * dropping entries, so the session itself never notices.
 */
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { LIMITS } from '../../../shared/limits';
import { Fifo } from '../../../shared/fifo';
import type { SessionEntry } from '../../../shared/transcript';
import { crc32 } from './crc';
import {
  BLOCK_BYTES,
  encodeEntry,
  encodeFileHeader,
  fragmentHeaderCrc,
  framedSize,
  FRAGMENT_FIRST,
  FRAGMENT_FULL,
  FRAGMENT_HEADER_BYTES,
  FRAGMENT_LAST,
  FRAGMENT_MIDDLE,
  MAX_DATA_BYTES,
  MAX_HEAD_BYTES,
  type FileHeaderInfo,
} from './format';

/** The few file operations the journal makes; tests pass their own to count fsyncs or to fail a write. */
export interface JournalFile {
  writev(buffers: Uint8Array[], position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalFs {
  /** Creates the file exclusively (fails when it exists). */
  create(file: string): Promise<JournalFile>;
  /** Makes a new file's name itself durable (fsync of its folder); may do nothing where that is impossible. */
  syncDir(dir: string): Promise<void>;
  remove(file: string): Promise<void>;
}

export const nodeJournalFs: JournalFs = {
  create: (file) => open(file, 'wx', 0o600),
  async syncDir(dir) {
    // Windows cannot open a folder for fsync; there the rename or create is as durable as it gets.
    let handle;
    try {
      handle = await open(dir, 'r');
      await handle.sync();
    } catch {
      // best effort
    } finally {
      await handle?.close().catch(() => undefined);
    }
  },
  remove: (file) => rm(file, { force: true }),
};

export interface SessionJournalOptions {
  /** Created exclusively (fails if it exists). */
  file: string;
  /** Default LIMITS.journalMaxSessionBytes. */
  maxBytes?: number;
  /** Default LIMITS.journalFlushIntervalMs. */
  flushIntervalMs?: number;
  /** Too many bytes are waiting for the disk (the disk is slower than the network): pause reading sockets. */
  onPressure?: (paused: boolean) => void;
  /** The disk refused a write (ENOSPC, EACCES, EROFS, EIO…): the journal stops, the session goes on. Called once. */
  onError?: (error: NodeJS.ErrnoException) => void;
  /** After each fsync: how much of the journal is now on disk (records counts every record, 'start' included). */
  onSynced?: (synced: { bytesOnDisk: number; records: number }) => void;
  /** Bytes past maxBytes the journal may still use for 'unsaved', other small entries and 'end'. */
  ceilingBytes?: number;
  /** Queued bytes above which onPressure(true) is called, and at or below which onPressure(false) follows. */
  highWaterBytes?: number;
  lowWaterBytes?: number;
  /** Written into the file header (an imported session's file name). */
  header?: FileHeaderInfo;
  /** For tests: the file operations. */
  fs?: JournalFs;
}

// Tuning, not limits a learner meets: how much may wait in memory for the disk before the sockets pause.
const DEFAULT_HIGH_WATER_BYTES = 16 * 1024 * 1024;
const DEFAULT_LOW_WATER_BYTES = 4 * 1024 * 1024;
/** One writev carries at most this much, so a sync request never waits long behind a huge batch. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Payload pieces smaller than this are copied into the batch's own buffer instead of being one iovec each. */
const COPY_BELOW_BYTES = 4096;
const SCRATCH_BYTES = 64 * 1024;

interface QueuedRecord {
  seq: number;
  head: Buffer;
  bytes: Uint8Array;
  position: number;
  size: number;
}

/**
 * Where batches copy their small parts (fragment headers, JSON heads, padding, short data): one buffer shared by
 * every batch of a journal, handed out in runs as Node's own Buffer pool does, and replaced when full. A batch per
 * event-loop turn with a fresh buffer of its own cost a 64 KiB allocation for every socket read or two, and showed in
 * bench:journal; an old buffer is freed once the last batch that points into it has been written.
 */
interface Scratch {
  buffer: Buffer;
  used: number;
}

function newScratch(): Scratch {
  return { buffer: Buffer.allocUnsafe(SCRATCH_BYTES), used: 0 };
}

/** The pieces of one writev: small parts copied together into the scratch buffer, large data by reference. */
class Batch {
  readonly pieces: Uint8Array[] = [];
  /** The file offset its first byte goes to. */
  readonly position: number;
  /** Framed bytes in it, and the records they hold. */
  bytes = 0;
  records = 0;
  readonly #scratch: Scratch;
  /** This batch's current run of copied bytes: buffer[runStart, runEnd). */
  #buffer: Buffer;
  #runStart: number;
  #runEnd: number;

  constructor(position: number, scratch: Scratch) {
    this.position = position;
    this.#scratch = scratch;
    this.#buffer = scratch.buffer;
    this.#runStart = this.#runEnd = scratch.used;
  }

  /** `length` zero bytes (a block's padding). */
  zeros(length: number): void {
    const at = this.#room(length);
    this.#buffer.fill(0, at, at + length);
  }

  /** A fragment's header, written byte by byte (no view made, no argument checks: this runs three times a read). */
  header(crc: number, length: number, type: number, seq: number): void {
    const at = this.#room(FRAGMENT_HEADER_BYTES);
    const bytes = this.#buffer;
    bytes[at] = crc;
    bytes[at + 1] = crc >>> 8;
    bytes[at + 2] = crc >>> 16;
    bytes[at + 3] = crc >>> 24;
    bytes[at + 4] = length;
    bytes[at + 5] = length >>> 8;
    bytes[at + 6] = type;
    bytes[at + 7] = seq;
    bytes[at + 8] = seq >>> 8;
    bytes[at + 9] = seq >>> 16;
    bytes[at + 10] = seq >>> 24;
  }

  add(part: Uint8Array): void {
    if (part.byteLength < COPY_BELOW_BYTES) {
      // #room may move to a new scratch buffer: ask for the place before reading which buffer it is in.
      const at = this.#room(part.byteLength);
      this.#buffer.set(part, at);
    } else {
      this.#seal();
      this.pieces.push(part);
    }
  }

  finish(): Uint8Array[] {
    this.#seal();
    return this.pieces;
  }

  /** Where `length` more bytes go in the scratch buffer (a new one when it is full). */
  #room(length: number): number {
    const scratch = this.#scratch;
    if (scratch.used + length > scratch.buffer.byteLength) {
      scratch.buffer = Buffer.allocUnsafe(Math.max(SCRATCH_BYTES, length));
      scratch.used = 0;
    }
    // A run goes on only where this batch's last copy ended; otherwise (a new buffer) the run so far is sealed.
    if (scratch.buffer !== this.#buffer || scratch.used !== this.#runEnd) {
      this.#seal();
      this.#buffer = scratch.buffer;
      this.#runStart = this.#runEnd = scratch.used;
    }
    const at = scratch.used;
    scratch.used += length;
    this.#runEnd = scratch.used;
    return at;
  }

  #seal(): void {
    if (this.#runEnd > this.#runStart) this.pieces.push(this.#buffer.subarray(this.#runStart, this.#runEnd));
    this.#runStart = this.#runEnd;
  }
}

/** `whole[from, to)`, or `whole` itself when that is all of it (most heads and small sends: no view to make). */
function slice(whole: Uint8Array, from: number, to: number): Uint8Array {
  return from === 0 && to === whole.byteLength ? whole : whole.subarray(from, to);
}

/**
 * Frames one record into the batch: fragments that never cross a 32 KiB block, zero padding where needed. Called as
 * the record is appended, while a socket read's bytes are still in the CPU's cache: the CRC32 over them then runs at
 * several times the speed it reaches megabytes later, when the write loop would meet them again (bench:journal).
 */
function frameRecord(record: QueuedRecord, batch: Batch): void {
  const { head, bytes } = record;
  const headLength = head.byteLength;
  const total = headLength + bytes.byteLength;
  const seq = record.seq >>> 0;
  let at = record.position;
  let done = 0;
  let first = true;
  while (first || done < total) {
    const left = BLOCK_BYTES - (at % BLOCK_BYTES);
    if (left < FRAGMENT_HEADER_BYTES) {
      batch.zeros(left);
      at += left;
      continue;
    }
    const length = Math.min(total - done, left - FRAGMENT_HEADER_BYTES);
    const end = done + length;
    const last = end === total;
    const type = first ? (last ? FRAGMENT_FULL : FRAGMENT_FIRST) : last ? FRAGMENT_LAST : FRAGMENT_MIDDLE;
    const headPart = done < headLength ? slice(head, done, Math.min(headLength, end)) : null;
    const dataPart = end > headLength ? slice(bytes, Math.max(0, done - headLength), end - headLength) : null;
    let crc = fragmentHeaderCrc(length, type, seq);
    if (headPart !== null) crc = crc32(headPart, crc);
    if (dataPart !== null) crc = crc32(dataPart, crc);
    batch.header(crc, length, type, seq);
    if (headPart !== null) batch.add(headPart);
    if (dataPart !== null) batch.add(dataPart);
    at += FRAGMENT_HEADER_BYTES + length;
    done = end;
    first = false;
  }
  batch.bytes += record.size;
  batch.records += 1;
}

/** Calls the owner's callback; one that throws must not stop the journal, nor append() throw. */
function notify<T>(callback: (value: T) => void, value: T): void {
  try {
    callback(value);
  } catch {
    // The owner's bug; the journal carries on.
  }
}

function asErrno(error: unknown): NodeJS.ErrnoException {
  if (error instanceof Error) return error as NodeJS.ErrnoException;
  return Object.assign(new Error(String(error)), { code: 'EIO' });
}

export class SessionJournal {
  readonly file: string;
  readonly maxBytes: number;
  readonly #ceiling: number;
  readonly #flushIntervalMs: number;
  readonly #highWater: number;
  readonly #lowWater: number;
  readonly #onPressure: (paused: boolean) => void;
  readonly #onError: (error: NodeJS.ErrnoException) => void;
  readonly #onSynced: (synced: { bytesOnDisk: number; records: number }) => void;
  readonly #handle: JournalFile;

  /** Framed records waiting for the disk: full batches, then the one appends are adding to. */
  readonly #batches = new Fifo<Batch>();
  #open: Batch | null = null;
  readonly #scratch = newScratch();
  /** File offset after everything appended. */
  #appendedTo: number;
  #nextSeq = 0;
  /** File offset after everything written (not necessarily synced), and the records it holds. */
  #writtenTo: number;
  #writtenRecords = 0;
  #syncedTo: number;
  #syncedRecords = 0;

  #writing = false;
  #wakeScheduled = false;
  #syncing = false;
  /** The timer has fired (or someone flushes): the next moment the writer can, it fsyncs. */
  #syncDue = false;
  #syncTimer: ReturnType<typeof setTimeout> | null = null;
  #flushWaiters: { target: number; resolve: () => void }[] = [];

  #full = false;
  #dropped = 0;
  #paused = false;
  #failed: NodeJS.ErrnoException | null = null;
  #closing: Promise<void> | null = null;
  #closed = false;
  #accepting = true;
  /** The latest session time seen, for the 'end' entry. */
  #lastT = 0;

  private constructor(options: SessionJournalOptions, handle: JournalFile, headerBytes: number) {
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? LIMITS.journalMaxSessionBytes;
    this.#ceiling = this.maxBytes + (options.ceilingBytes ?? Math.max(64 * 1024, Math.min(this.maxBytes / 64, 8e6)));
    this.#flushIntervalMs = options.flushIntervalMs ?? LIMITS.journalFlushIntervalMs;
    this.#highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    this.#lowWater = Math.min(options.lowWaterBytes ?? DEFAULT_LOW_WATER_BYTES, this.#highWater);
    this.#onPressure = options.onPressure ?? (() => undefined);
    this.#onError = options.onError ?? (() => undefined);
    this.#onSynced = options.onSynced ?? (() => undefined);
    this.#handle = handle;
    this.#appendedTo = headerBytes;
    this.#writtenTo = headerBytes;
    this.#syncedTo = headerBytes;
  }

  /** Creates the file (exclusively), writes its header and makes both durable before it resolves. Rejects with
   *  the system error when the file cannot be made; nothing is left behind then. */
  static async create(options: SessionJournalOptions): Promise<SessionJournal> {
    const fs = options.fs ?? nodeJournalFs;
    const handle = await fs.create(options.file);
    const header = encodeFileHeader(options.header ?? {});
    try {
      let written = 0;
      while (written < header.byteLength) {
        const { bytesWritten } = await handle.writev([header.subarray(written)], written);
        if (bytesWritten <= 0) throw Object.assign(new Error('the disk took no bytes'), { code: 'EIO' });
        written += bytesWritten;
      }
      await handle.sync();
      await fs.syncDir(path.dirname(options.file));
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.remove(options.file).catch(() => undefined);
      throw asErrno(error);
    }
    return new SessionJournal(options, handle, header.byteLength);
  }

  /** Reached maxBytes: later data is counted, not kept. */
  get full(): boolean {
    return this.#full;
  }

  get failed(): NodeJS.ErrnoException | null {
    return this.#failed;
  }

  /** Written and fsynced (the file header included). */
  get bytesOnDisk(): number {
    return this.#syncedTo;
  }

  /** Appended, not yet written. */
  get bytesQueued(): number {
    return this.#appendedTo - this.#writtenTo;
  }

  /** Records on disk (fsynced), 'start' included. */
  get recordsOnDisk(): number {
    return this.#syncedRecords;
  }

  /** Entries left out because even the hard ceiling above maxBytes was reached. */
  get droppedEntries(): number {
    return this.#dropped;
  }

  /**
   * Queues an entry: synchronous, no fs call, never throws. It frames the record and checksums its bytes at once
   * (the one part of its cost that grows with the data's size, at the CRC32's speed), but never copies a data event's
   * bytes: they are kept by reference until written, so the caller must not change them (a change would make the
   * record read back as damaged). Returns the entries the journal keeps for it: itself, or 'journal-full' and/or
   * 'unsaved' in its place past the cap, or none.
   */
  append(entry: SessionEntry): SessionEntry[] {
    if (!this.#accepting) return [];
    try {
      return this.#admit(entry);
    } catch {
      // An entry that cannot even be encoded (a bug upstream) is left out rather than stopping the session.
      this.#dropped += 1;
      return [];
    }
  }

  /** Everything appended so far is written and fsynced when this resolves (or the journal has failed: see
   *  `failed`). */
  flush(): Promise<void> {
    if (this.#failed !== null || this.#closed) return Promise.resolve();
    const target = this.#appendedTo;
    if (target <= this.#syncedTo) return Promise.resolve();
    return new Promise((resolve) => {
      this.#flushWaiters.push({ target, resolve });
      this.#syncDue = true;
      // Everything may be written already, with only the fsync to go.
      this.#maybeSync();
      this.#wake();
    });
  }

  /** Appends { kind: 'end' } (at session time `t`, default the latest entry's), flushes, fsyncs, closes.
   *  Idempotent. */
  close(t?: number): Promise<void> {
    return this.#finish(true, t);
  }

  /** Writes what is queued and closes WITHOUT an 'end' entry, as a crash would leave it. */
  abandon(): Promise<void> {
    return this.#finish(false);
  }

  #finish(withEnd: boolean, t?: number): Promise<void> {
    if (this.#closing) return this.#closing;
    const endT = t !== undefined && Number.isFinite(t) ? Math.max(t, this.#lastT) : this.#lastT;
    if (withEnd && this.#failed === null) this.#enqueue({ kind: 'end', t: endT }, true);
    this.#accepting = false;
    this.#closing = (async () => {
      await this.flush();
      this.#clearTimer();
      this.#closed = true;
      await this.#handle.close().catch(() => undefined);
      this.#releasePressure();
    })();
    return this.#closing;
  }

  #admit(entry: SessionEntry): SessionEntry[] {
    if (entry.t > this.#lastT) this.#lastT = entry.t;
    if (this.#failed !== null) return [entry];
    const data =
      entry.kind === 'event' && (entry.event.type === 'data' || entry.event.type === 'wire') ? entry.event.bytes : null;
    const isData = data !== null;
    if (data !== null && data.byteLength > MAX_DATA_BYTES) return this.#unsaved(entry);
    if (this.#full && isData) return this.#unsaved(entry);
    const encoded = encodeEntry(entry);
    if (encoded.head.byteLength - 4 > MAX_HEAD_BYTES) {
      this.#dropped += 1;
      return [];
    }
    const size = framedSize(this.#appendedTo, encoded.head.byteLength + encoded.bytes.byteLength);
    if (!this.#full && this.#appendedTo + size > this.maxBytes) {
      const kept = this.#markFull(entry.t);
      if (isData) return [...kept, ...this.#unsaved(entry)];
      return this.#enqueueEncoded(encoded) ? [...kept, entry] : kept;
    }
    return this.#enqueueEncoded(encoded) ? [entry] : [];
  }

  #markFull(t: number): SessionEntry[] {
    this.#full = true;
    const notice: SessionEntry = { kind: 'journal-full', t, limitBytes: this.maxBytes };
    return this.#enqueue(notice) ? [notice] : [];
  }

  #unsaved(entry: SessionEntry): SessionEntry[] {
    if (entry.kind !== 'event' || (entry.event.type !== 'data' && entry.event.type !== 'wire')) return [];
    const kept: SessionEntry[] = this.#full ? [] : this.#markFull(entry.t);
    const { id, dir, offset, bytes } = entry.event;
    const unsaved: SessionEntry = { kind: 'unsaved', t: entry.t, id, dir, offset, length: bytes.byteLength };
    if (entry.event.type === 'wire') unsaved.wire = true;
    if (this.#enqueue(unsaved)) kept.push(unsaved);
    return kept;
  }

  #enqueue(entry: SessionEntry, always = false): boolean {
    return this.#enqueueEncoded(encodeEntry(entry), always);
  }

  /** Queues an encoded record; false when the hard ceiling leaves no room (only 'end' always fits). */
  #enqueueEncoded(encoded: { head: Buffer; bytes: Uint8Array }, always = false): boolean {
    const size = framedSize(this.#appendedTo, encoded.head.byteLength + encoded.bytes.byteLength);
    if (!always && this.#appendedTo + size > this.#ceiling) {
      this.#dropped += 1;
      return false;
    }
    if (this.#open === null || this.#open.bytes >= MAX_BATCH_BYTES) {
      if (this.#open !== null) this.#batches.push(this.#open);
      this.#open = new Batch(this.#appendedTo, this.#scratch);
    }
    frameRecord(
      { seq: this.#nextSeq, head: encoded.head, bytes: encoded.bytes, position: this.#appendedTo, size },
      this.#open,
    );
    this.#nextSeq += 1;
    this.#appendedTo += size;
    if (this.#syncTimer === null) this.#armTimer();
    if (!this.#paused && this.bytesQueued > this.#highWater) {
      this.#paused = true;
      notify(this.#onPressure, true);
    }
    this.#wake();
    return true;
  }

  #armTimer(): void {
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null;
      this.#syncDue = true;
      this.#maybeSync();
    }, this.#flushIntervalMs);
  }

  #clearTimer(): void {
    if (this.#syncTimer !== null) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
  }

  /** Starts the write loop on the next turn, so appends made in the same turn go out in one writev. */
  #wake(): void {
    if (this.#writing || this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      void this.#writeLoop();
    });
  }

  async #writeLoop(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#failed === null) {
        let batch = this.#batches.shift();
        if (batch === undefined && this.#open !== null) {
          batch = this.#open;
          this.#open = null;
        }
        if (batch === undefined) break;
        const { position, bytes, records } = batch;
        await this.#writeAll(batch.finish(), position, bytes);
        this.#writtenTo = position + bytes;
        this.#writtenRecords += records;
        if (this.#paused && this.bytesQueued <= this.#lowWater) this.#releasePressure();
        this.#maybeSync();
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#writing = false;
    }
  }

  async #writeAll(pieces: Uint8Array[], position: number, total: number): Promise<void> {
    let written = 0;
    let rest = pieces;
    while (written < total) {
      const { bytesWritten } = await this.#handle.writev(rest, position + written);
      if (bytesWritten <= 0) throw Object.assign(new Error('the disk took no bytes'), { code: 'EIO' });
      written += bytesWritten;
      if (written < total) rest = skipBytes(rest, bytesWritten);
    }
  }

  /** Starts an fsync when one is due and there is written data it would cover; one at a time, beside the writes. */
  #maybeSync(): void {
    if (this.#syncing || this.#failed !== null || this.#closed) return;
    const waitingFor = this.#flushWaiters.reduce((low, waiter) => Math.min(low, waiter.target), Infinity);
    // A flush waits for its own bytes to be written before its fsync can cover them.
    const flushReady = waitingFor !== Infinity && this.#writtenTo >= waitingFor;
    if (!(this.#syncDue && this.#writtenTo > this.#syncedTo) && !flushReady) {
      if (this.#syncDue && this.#writtenTo <= this.#syncedTo && this.#appendedTo <= this.#syncedTo)
        this.#syncDue = false;
      return;
    }
    this.#syncDue = false;
    this.#clearTimer();
    const covers = this.#writtenTo;
    const records = this.#writtenRecords;
    // What this fsync cannot cover yet gets its own interval, counted from now.
    if (this.#appendedTo > covers) this.#armTimer();
    this.#syncing = true;
    this.#handle.sync().then(
      () => {
        this.#syncing = false;
        this.#syncedTo = Math.max(this.#syncedTo, covers);
        this.#syncedRecords = Math.max(this.#syncedRecords, records);
        notify(this.#onSynced, { bytesOnDisk: this.#syncedTo, records: this.#syncedRecords });
        const waiting = this.#flushWaiters;
        this.#flushWaiters = waiting.filter((waiter) => waiter.target > this.#syncedTo);
        for (const waiter of waiting) if (waiter.target <= this.#syncedTo) waiter.resolve();
        if (this.#flushWaiters.length > 0) this.#syncDue = true;
        this.#maybeSync();
      },
      (error: unknown) => {
        this.#syncing = false;
        this.#fail(error);
      },
    );
  }

  #fail(error: unknown): void {
    if (this.#failed !== null) return;
    this.#failed = asErrno(error);
    this.#batches.clear();
    this.#open = null;
    this.#appendedTo = this.#writtenTo;
    this.#clearTimer();
    for (const waiter of this.#flushWaiters.splice(0)) waiter.resolve();
    this.#releasePressure();
    if (!this.#closing) void this.#handle.close().catch(() => undefined);
    notify(this.#onError, this.#failed);
  }

  #releasePressure(): void {
    if (!this.#paused) return;
    this.#paused = false;
    notify(this.#onPressure, false);
  }
}

/** The same pieces without their first `count` bytes (after a short write). */
function skipBytes(pieces: Uint8Array[], count: number): Uint8Array[] {
  let skip = count;
  let index = 0;
  while (index < pieces.length && skip >= (pieces[index] as Uint8Array).byteLength) {
    skip -= (pieces[index] as Uint8Array).byteLength;
    index += 1;
  }
  const rest = pieces.slice(index);
  if (rest.length > 0 && skip > 0) rest[0] = (rest[0] as Uint8Array).subarray(skip);
  return rest;
}
