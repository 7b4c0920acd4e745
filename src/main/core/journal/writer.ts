/**
 * A session's journal on disk, written as the session happens. append() only queues (no fs call on that path);
 * one background loop writes queued records in batches (writev) and another fsyncs at least every
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
import {
  BLOCK_BYTES,
  encodeEntry,
  encodeFileHeader,
  fragmentCrc,
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

/** The pieces of one writev: small parts copied together into scratch buffers, large data by reference. */
class Batch {
  readonly pieces: Uint8Array[] = [];
  #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  #sealed = 0;
  #used = 0;

  /** Room for `length` bytes in the scratch buffer, to be filled in by the caller. */
  reserve(length: number): Buffer {
    if (this.#used + length > this.#scratch.byteLength) {
      this.#seal();
      this.#scratch = Buffer.allocUnsafe(Math.max(SCRATCH_BYTES, length));
      this.#sealed = 0;
      this.#used = 0;
    }
    const room = this.#scratch.subarray(this.#used, this.#used + length);
    this.#used += length;
    return room;
  }

  add(part: Uint8Array): void {
    if (part.byteLength < COPY_BELOW_BYTES) {
      this.reserve(part.byteLength).set(part);
    } else {
      this.#seal();
      this.pieces.push(part);
    }
  }

  finish(): Uint8Array[] {
    this.#seal();
    return this.pieces;
  }

  #seal(): void {
    if (this.#used > this.#sealed) this.pieces.push(this.#scratch.subarray(this.#sealed, this.#used));
    this.#sealed = this.#used;
  }
}

/** Frames one record into the batch: fragments that never cross a 32 KiB block, zero padding where needed. */
function frameRecord(record: QueuedRecord, batch: Batch): void {
  const { head, bytes } = record;
  const total = head.byteLength + bytes.byteLength;
  let at = record.position;
  let done = 0;
  let first = true;
  while (first || done < total) {
    const left = BLOCK_BYTES - (at % BLOCK_BYTES);
    if (left < FRAGMENT_HEADER_BYTES) {
      batch.reserve(left).fill(0);
      at += left;
      continue;
    }
    const length = Math.min(total - done, left - FRAGMENT_HEADER_BYTES);
    const last = done + length === total;
    const header = batch.reserve(FRAGMENT_HEADER_BYTES);
    header.writeUInt16LE(length, 4);
    header.writeUInt8(first ? (last ? FRAGMENT_FULL : FRAGMENT_FIRST) : last ? FRAGMENT_LAST : FRAGMENT_MIDDLE, 6);
    header.writeUInt32LE(record.seq >>> 0, 7);
    const parts: Uint8Array[] = [];
    if (done < head.byteLength) parts.push(head.subarray(done, Math.min(head.byteLength, done + length)));
    if (done + length > head.byteLength) {
      parts.push(bytes.subarray(Math.max(0, done - head.byteLength), done + length - head.byteLength));
    }
    header.writeUInt32LE(fragmentCrc(header, parts), 0);
    for (const part of parts) batch.add(part);
    at += FRAGMENT_HEADER_BYTES + length;
    done += length;
    first = false;
  }
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

  readonly #queue = new Fifo<QueuedRecord>();
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
   * Queues an entry: synchronous, no fs call, never throws; its cost does not grow with the data's size (the
   * bytes are kept by reference until written, so the caller must not change them). Returns the entries the
   * journal keeps for it: itself, or 'journal-full' and/or 'unsaved' in its place past the cap, or none.
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
    this.#queue.push({
      seq: this.#nextSeq,
      head: encoded.head,
      bytes: encoded.bytes,
      position: this.#appendedTo,
      size,
    });
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
      while (this.#failed === null && this.#queue.length > 0) {
        const batch = new Batch();
        const position = this.#writtenTo;
        let bytes = 0;
        let records = 0;
        while (bytes === 0 || bytes < MAX_BATCH_BYTES) {
          const record = this.#queue.shift();
          if (record === undefined) break;
          frameRecord(record, batch);
          bytes += record.size;
          records += 1;
        }
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
    this.#queue.clear();
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
