/**
 * The sessions folder: one journal per session, a small metadata file beside it (so listing never re-reads
 * journals), and a lock file while the session runs (so a second lab on the same folder, e.g. the web host beside
 * the desktop app, never takes a running session for a crashed one).
 *
 *   <dir>/<id>.journal   the records (journal/format.ts)
 *   <dir>/<id>.json      metadata: ending, put-away flag, counts, importedFrom, corruptRecords; recomputed from the
 *                        journal whenever it is missing, damaged or out of date
 *   <dir>/<id>.lock      { pid, nonce, boot } of the process writing it (boot: which start of the machine)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Transport } from '../../../shared/contract';
import { fail, ok, type LabError, type Result } from '../../../shared/errors';
import { LIMITS } from '../../../shared/limits';
import {
  SummaryBuilder,
  summaryTargets,
  type SessionEnding,
  type SessionEntry,
  type SessionId,
  type SessionListing,
  type TranscriptSummary,
} from '../../../shared/transcript';
import { markingGaps, type TranscriptSource } from '../transcripts/source';
import { newReadStats, readJournalRecords, type FullReadStats } from './reader';
import { storageError, storageFailure, StorageError } from './storage';
import { nodeJournalFs, SessionJournal, type JournalFs, type SessionJournalOptions } from './writer';

export interface SessionStoreOptions {
  /** e.g. <dataDir>/sessions; created if missing. */
  dir: string;
  /** Default LIMITS.journalMaxSessionBytes. */
  maxSessionBytes?: number;
  /** Default LIMITS.journalMaxTotalBytes. */
  maxTotalBytes?: number;
  /** Wall clock ms. */
  now?: () => number;
  /** For tests: whether a process id is alive (default process.kill(pid, 0)). */
  isAlive?: (pid: number) => boolean;
  /** For tests: which start of the machine this is (default `currentBoot()`). */
  boot?: BootStamp;
  /** Default LIMITS.journalFlushIntervalMs. */
  flushIntervalMs?: number;
  /** For tests: the journal's file operations. */
  fs?: JournalFs;
}

/** What a live session's owner hears from its journal. */
export type LiveSessionHooks = Pick<SessionJournalOptions, 'onPressure' | 'onError' | 'onSynced'>;

export interface LiveSession {
  readonly id: SessionId;
  readonly startedAt: number;
  readonly journal: SessionJournal;
  /** Appends to the journal AND keeps the live summary up to date (for the sessions list); returns the entries
   *  really kept (the entry itself, or past the cap `journal-full` and `unsaved`). */
  append(entry: SessionEntry): readonly SessionEntry[];
  readonly summary: TranscriptSummary;
  /** Clean end: close the journal with 'end', write the listing's metadata, release the lock. Never rejects. */
  end(): Promise<void>;
}

export interface ReplayPage {
  entries: SessionEntry[];
  next: number | null;
}

/** A page never holds more entries than this, however few data bytes they carry. */
export const MAX_PAGE_ENTRIES = 10_000;
const MAX_PAGE_BYTES = 64 * 1024 * 1024;

const META_FORMAT = 'socketlab-session';
const META_VERSION = 1;
const ID_PATTERN = /^[0-9a-f]{20}$/;
const JOURNAL_NAME = /^([0-9a-f]{20})\.journal$/;
const TEMP_NAME = /^\.(?:import|meta)-(\d+)-[0-9a-f]+\.tmp$/;
/** Tells this process's own locks from those a process with the same pid left before a restart. */
const PROCESS_NONCE = randomBytes(8).toString('hex');

/** One session in the index: its listing and what the learner did with it. */
interface StoredSession {
  listing: SessionListing;
  putAway: boolean;
  /** Opened for replay since it was recovered, so no longer offered back. */
  opened: boolean;
}

interface Lock {
  pid: number;
  nonce: string;
  /** Absent in a lock written before boots were kept. */
  boot?: BootStamp;
}

/**
 * Which start of the machine a lock was written in. After a power cut and a restart, the pid in a lock may well
 * belong to some other program by now, so a pid alone would keep the crashed session held, never offered back.
 */
export interface BootStamp {
  /** Linux names every boot (/proc/sys/kernel/random/boot_id). */
  bootId?: string;
  /** When the machine started (wall clock less its uptime, ms); good to a few seconds, and moved by a clock change. */
  bootedAt: number;
}

/** Elsewhere than Linux, two starts of the machine are told apart by when they happened, with this much slack for
 *  a clock that was set while the lab ran: a session that crashed sooner after the start than that falls back on its
 *  pid alone, as before. */
const SAME_BOOT_SLACK_MS = 5 * 60_000;
const BOOT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function currentBoot(): BootStamp {
  const bootedAt = Math.round(Date.now() - os.uptime() * 1000);
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (BOOT_ID.test(bootId)) return { bootId, bootedAt };
  } catch {
    // not Linux, or no /proc: the start time has to do
  }
  return { bootedAt };
}

function sameBoot(a: BootStamp, b: BootStamp): boolean {
  if (a.bootId !== undefined && b.bootId !== undefined) return a.bootId === b.bootId;
  return Math.abs(a.bootedAt - b.bootedAt) <= SAME_BOOT_SLACK_MS;
}

function bootStampOf(raw: unknown): BootStamp | undefined {
  if (!isObject(raw) || typeof raw.bootedAt !== 'number' || !Number.isFinite(raw.bootedAt)) return undefined;
  return typeof raw.bootId === 'string' && BOOT_ID.test(raw.bootId)
    ? { bootId: raw.bootId, bootedAt: raw.bootedAt }
    : { bootedAt: raw.bootedAt };
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ENDINGS: readonly SessionEnding[] = ['live', 'clean', 'recovered', 'imported'];
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The metadata file, checked field by field; anything off and the journal is read again instead. */
function parseMeta(text: string, id: SessionId): StoredSession | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(raw) || raw.format !== META_FORMAT || raw.version !== META_VERSION || raw.id !== id) return undefined;
  const { startedAt, lastAt, ending, targets, connections, bytes, fileBytes, corruptRecords, importedFrom } = raw;
  if (typeof startedAt !== 'number' || !Number.isFinite(startedAt)) return undefined;
  if (typeof lastAt !== 'number' || !Number.isFinite(lastAt)) return undefined;
  if (typeof ending !== 'string' || !ENDINGS.includes(ending as SessionEnding)) return undefined;
  if (!Array.isArray(targets) || !targets.every((target) => typeof target === 'string')) return undefined;
  if (!isCount(connections) || !isCount(bytes) || !isCount(fileBytes) || !isCount(corruptRecords)) return undefined;
  if (importedFrom !== undefined && typeof importedFrom !== 'string') return undefined;
  if (typeof raw.putAway !== 'boolean' || typeof raw.opened !== 'boolean') return undefined;
  const listing: SessionListing = {
    id,
    startedAt,
    lastAt,
    ending: ending as SessionEnding,
    targets: targets as string[],
    connections,
    bytes,
    fileBytes,
    corruptRecords,
  };
  if (importedFrom !== undefined) listing.importedFrom = importedFrom;
  return { listing, putAway: raw.putAway, opened: raw.opened };
}

function listingFromSummary(
  id: SessionId,
  summary: TranscriptSummary,
  extra: { ending: SessionEnding; fileBytes: number; corruptRecords: number; importedFrom?: string },
): SessionListing {
  const listing: SessionListing = {
    id,
    startedAt: summary.startedAt,
    lastAt: summary.lastAt,
    ending: extra.ending,
    targets: summaryTargets(summary),
    connections: summary.connections.length,
    bytes: summary.bytes,
    fileBytes: extra.fileBytes,
    corruptRecords: extra.corruptRecords,
  };
  if (extra.importedFrom !== undefined) listing.importedFrom = extra.importedFrom;
  return listing;
}

const newestFirst = (a: SessionListing, b: SessionListing): number =>
  b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** An error thrown from a transcript's entries: its own plain words, or BAD_FILE with its message. */
function importFailure(error: unknown): LabError | undefined {
  if (isObject(error) && isObject(error.labError) && typeof error.labError.code === 'string') {
    return error.labError as unknown as LabError;
  }
  return undefined;
}

class LiveSessionImpl implements LiveSession {
  readonly id: SessionId;
  readonly startedAt: number;
  readonly journal: SessionJournal;
  readonly #builder = new SummaryBuilder();
  readonly #onEnd: (session: LiveSessionImpl) => Promise<void>;
  #ending: Promise<void> | null = null;

  constructor(
    id: SessionId,
    startedAt: number,
    journal: SessionJournal,
    onEnd: (session: LiveSessionImpl) => Promise<void>,
  ) {
    this.id = id;
    this.startedAt = startedAt;
    this.journal = journal;
    this.#onEnd = onEnd;
  }

  append(entry: SessionEntry): readonly SessionEntry[] {
    if (this.#ending) return [];
    const kept = this.journal.append(entry);
    for (const each of kept) this.#builder.add(each);
    return kept;
  }

  get summary(): TranscriptSummary {
    return this.#builder.summary;
  }

  end(): Promise<void> {
    this.#ending ??= this.#onEnd(this).catch(() => undefined);
    return this.#ending;
  }
}

export class SessionStore {
  readonly #dir: string;
  readonly #maxSessionBytes: number;
  readonly #maxTotalBytes: number;
  readonly #now: () => number;
  readonly #isAlive: ((pid: number) => boolean) | undefined;
  readonly #boot: BootStamp;
  readonly #flushIntervalMs: number;
  readonly #fs: JournalFs;

  readonly #sessions = new Map<SessionId, StoredSession>();
  readonly #live = new Map<SessionId, LiveSessionImpl>();
  /** Sessions whose lock another living process holds. */
  readonly #elsewhere = new Set<SessionId>();
  #ready: Promise<void> | null = null;
  #problem: LabError | null = null;

  constructor(options: SessionStoreOptions) {
    this.#dir = options.dir;
    this.#maxSessionBytes = options.maxSessionBytes ?? LIMITS.journalMaxSessionBytes;
    this.#maxTotalBytes = options.maxTotalBytes ?? LIMITS.journalMaxTotalBytes;
    this.#now = options.now ?? Date.now;
    this.#isAlive = options.isAlive;
    this.#boot = options.boot ?? currentBoot();
    this.#flushIntervalMs = options.flushIntervalMs ?? LIMITS.journalFlushIntervalMs;
    this.#fs = options.fs ?? nodeJournalFs;
  }

  /** Why the folder cannot be used (made or read at init), or null. */
  get problem(): LabError | null {
    return this.#problem;
  }

  /**
   * Scans the folder once: journals with no 'end' whose lock no living process holds were left by a crash; they
   * are recovered (torn tail trimmed on disk, summary computed, ending 'recovered') and offered back. Never
   * rejects: a folder that cannot be made or read is kept in `problem`, and start() reports it.
   */
  init(): Promise<void> {
    this.#ready ??= this.#scan();
    return this.#ready;
  }

  /** A new live session: lock file with this pid, journal file, and the 'start' entry on disk before it resolves.
   *  Enforces the total cap first. Rejects with a StorageError (plain words in `labError`) when the folder or the
   *  disk refuses; the session can then go on without a journal. */
  async start(
    meta: { transport: Transport; platform: string; appVersion: string },
    hooks: LiveSessionHooks = {},
  ): Promise<LiveSession> {
    await this.init();
    if (this.#problem) throw new StorageError(this.#problem);
    await this.#enforceTotalCap();
    const id = randomBytes(10).toString('hex');
    const startedAt = this.#now();
    const lockFile = this.#path(id, 'lock');
    try {
      const lock = { pid: process.pid, nonce: PROCESS_NONCE, startedAt, boot: this.#boot };
      await writeFile(lockFile, JSON.stringify(lock) + '\n', {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      throw new StorageError(storageError(this.#dir, error), { cause: error });
    }
    let journal: SessionJournal;
    try {
      const options: SessionJournalOptions = {
        file: this.#path(id, 'journal'),
        maxBytes: this.#maxSessionBytes,
        flushIntervalMs: this.#flushIntervalMs,
        fs: this.#fs,
      };
      if (hooks.onPressure) options.onPressure = hooks.onPressure;
      if (hooks.onError) options.onError = hooks.onError;
      if (hooks.onSynced) options.onSynced = hooks.onSynced;
      journal = await SessionJournal.create(options);
    } catch (error) {
      await rm(lockFile, { force: true }).catch(() => undefined);
      throw new StorageError(storageError(this.#dir, error), { cause: error });
    }
    const live = new LiveSessionImpl(id, startedAt, journal, (session) => this.#endLive(session));
    live.append({ kind: 'start', t: 0, sessionId: id, startedAt, ...meta });
    await journal.flush();
    this.#live.set(id, live);
    const stored: StoredSession = { listing: this.#liveListing(live), putAway: false, opened: false };
    this.#sessions.set(id, stored);
    await this.#writeMeta(id, stored).catch(() => undefined);
    return live;
  }

  /** Newest first, live ones included. */
  async list(): Promise<SessionListing[]> {
    await this.init();
    await this.#refreshElsewhere();
    return [...this.#sessions.keys()].map((id) => this.#listing(id)).sort(newestFirst);
  }

  /** Recovered sessions the learner has not opened (readPage from the start) or put away yet, newest first. */
  async recoverable(): Promise<SessionListing[]> {
    await this.init();
    return [...this.#sessions.values()]
      .filter((stored) => stored.listing.ending === 'recovered' && !stored.putAway && !stored.opened)
      .map((stored) => ({ ...stored.listing }))
      .sort(newestFirst);
  }

  /** "Put it away": no longer offered back; still listed. Unknown ids are ignored. */
  async putAway(id: SessionId): Promise<void> {
    await this.init();
    const stored = this.#sessions.get(id);
    if (!stored || stored.putAway) return;
    stored.putAway = true;
    if (!this.#live.has(id) && !this.#elsewhere.has(id)) await this.#writeMeta(id, stored).catch(() => undefined);
  }

  /** Deletes a finished session's files; refuses a live one, NOT_FOUND for an unknown id. */
  async delete(id: SessionId): Promise<Result<null>> {
    await this.init();
    const found = this.#find(id);
    if (!found.ok) return found;
    if (this.#live.has(id) || this.#elsewhere.has(id)) {
      return fail(
        'BAD_REQUEST',
        'That session is still running, so it cannot be deleted.',
        'End it first (close its window or tab), then delete it.',
      );
    }
    try {
      await this.#removeFiles(id);
    } catch (error) {
      return storageFailure(this.#dir, error);
    }
    return ok(null);
  }

  /** A source for exporters. For a live session: flush first, then read what is on disk. undefined if unknown. */
  async source(id: SessionId): Promise<TranscriptSource | undefined> {
    await this.init();
    const found = this.#find(id);
    if (!found.ok) return undefined;
    const ending = found.value.listing.ending;
    const file = this.#path(id, 'journal');
    const limit = await this.#readLimit(id);
    const builder = new SummaryBuilder();
    async function* counted(): AsyncIterable<SessionEntry> {
      // The summary only counts the bytes: none are copied.
      const options = { borrowBytes: true, ...(limit !== undefined && { limit }) };
      for await (const record of readJournalRecords(file, options)) yield record.entry;
    }
    try {
      // It counts a damaged record's hole too, as the exports mark it (their entries go through markingGaps).
      for await (const entry of markingGaps(counted())) builder.add(entry);
    } catch {
      return undefined;
    }
    return {
      summary: builder.summary,
      ending,
      async *entries() {
        for await (const record of readJournalRecords(file, limit === undefined ? {} : { limit })) yield record.entry;
      },
    };
  }

  /**
   * Replay in pages: entries from `cursor` (0 = start) with at most about `maxBytes` of data bytes (always at least
   * one entry, and at most MAX_PAGE_ENTRIES); `next` is null at the end. For a live session the end is what is on
   * disk now; ask again later for more. Reading a recovered session from the start counts as opening it.
   */
  async readPage(id: SessionId, cursor: number, maxBytes: number): Promise<Result<ReplayPage>> {
    await this.init();
    const found = this.#find(id);
    if (!found.ok) return found;
    if (!Number.isSafeInteger(cursor) || cursor < 0) {
      return fail('BAD_REQUEST', 'That place in the session is not one the lab gave out.', 'Replay from the start.');
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      return fail(
        'BAD_REQUEST',
        'A replay page must ask for at least one byte.',
        'Ask for a positive number of bytes.',
      );
    }
    const budget = Math.min(maxBytes, MAX_PAGE_BYTES);
    const limit = await this.#readLimit(id);
    const entries: SessionEntry[] = [];
    let bytes = 0;
    let next: number | null = null;
    try {
      const options = limit === undefined ? { from: cursor } : { from: cursor, limit };
      for await (const record of readJournalRecords(this.#path(id, 'journal'), options)) {
        const size =
          record.entry.kind === 'event' && record.entry.event.type === 'data' ? record.entry.event.bytes.byteLength : 0;
        if (entries.length > 0 && (bytes + size > budget || entries.length >= MAX_PAGE_ENTRIES)) {
          next = record.start;
          break;
        }
        entries.push(record.entry);
        bytes += size;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.#notFound();
      return storageFailure(this.#dir, error);
    }
    const stored = found.value;
    if (cursor === 0 && stored.listing.ending === 'recovered' && !stored.opened) {
      stored.opened = true;
      await this.#writeMeta(id, stored).catch(() => undefined);
    }
    return ok({ entries, next });
  }

  /**
   * Writes a transcript's entries as a new session (ending 'imported'), atomically: a temporary file renamed into
   * place only when `entries` finished without throwing; on any error nothing is left behind. The session gets a
   * new id, written into its start entry too.
   */
  async import(fileName: string, entries: AsyncIterable<SessionEntry>): Promise<Result<SessionListing>> {
    await this.init();
    if (this.#problem) return { ok: false, error: this.#problem };
    await this.#enforceTotalCap();
    const id = randomBytes(10).toString('hex');
    const temp = path.join(this.#dir, `.import-${process.pid}-${id}.tmp`);
    let resume: (() => void) | null = null;
    let paused = false;
    let journal: SessionJournal;
    try {
      journal = await SessionJournal.create({
        file: temp,
        maxBytes: this.#maxSessionBytes,
        flushIntervalMs: this.#flushIntervalMs,
        header: { importedFrom: fileName },
        fs: this.#fs,
        onPressure: (isPaused) => {
          paused = isPaused;
          if (!isPaused) resume?.();
        },
      });
    } catch (error) {
      return storageFailure(this.#dir, error);
    }
    const builder = new SummaryBuilder();
    const badFile = (message: string): Result<SessionListing> =>
      fail('BAD_FILE', message, 'Open a transcript that Socket Lab saved (a .socketlab file).');
    let failure: Result<SessionListing> | null = null;
    try {
      let first = true;
      for await (const entry of entries) {
        if (first) {
          first = false;
          if (entry.kind !== 'start') {
            failure = badFile('The transcript does not begin with the start of a session, so it cannot be opened.');
            break;
          }
          for (const kept of journal.append({ ...entry, sessionId: id })) builder.add(kept);
        } else {
          for (const kept of journal.append(entry)) builder.add(kept);
        }
        if (journal.failed) break;
        // Reading the file faster than the disk takes it would hold the whole transcript in memory.
        if (paused) await new Promise<void>((resolve) => (resume = resolve));
      }
      if (!failure && first) failure = badFile('The transcript holds no entries, so there is nothing to open.');
      await journal.abandon();
      if (!failure && journal.failed) failure = storageFailure(this.#dir, journal.failed);
    } catch (error) {
      await journal.abandon();
      const labError = importFailure(error);
      failure = labError
        ? { ok: false, error: labError }
        : badFile(`The transcript could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!failure) {
      try {
        await rename(temp, this.#path(id, 'journal'));
        await this.#fs.syncDir(this.#dir);
      } catch (error) {
        failure = storageFailure(this.#dir, error);
      }
    }
    if (failure) {
      await rm(temp, { force: true }).catch(() => undefined);
      return failure;
    }
    const fileBytes = await stat(this.#path(id, 'journal')).then(
      (info) => info.size,
      () => journal.bytesOnDisk,
    );
    const listing = listingFromSummary(id, builder.summary, {
      ending: 'imported',
      fileBytes,
      corruptRecords: 0,
      importedFrom: fileName,
    });
    const stored: StoredSession = { listing, putAway: false, opened: false };
    this.#sessions.set(id, stored);
    await this.#writeMeta(id, stored).catch(() => undefined);
    return ok({ ...listing });
  }

  /** Total bytes of all journals (live ones as far as written). */
  async totalBytes(): Promise<number> {
    await this.init();
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return 0;
    }
    let total = 0;
    for (const name of names) {
      if (!JOURNAL_NAME.test(name)) continue;
      total += await stat(path.join(this.#dir, name)).then(
        (info) => info.size,
        () => 0,
      );
    }
    return total;
  }

  // ---------------------------------------------------------------------------------------------

  #path(id: SessionId, kind: 'journal' | 'json' | 'lock'): string {
    return path.join(this.#dir, `${id}.${kind}`);
  }

  #notFound<T>(): Result<T> {
    return fail(
      'NOT_FOUND',
      'There is no saved session with that id.',
      'Reload the sessions list and pick one from it.',
    );
  }

  #find(id: SessionId): Result<StoredSession> {
    const stored = typeof id === 'string' && ID_PATTERN.test(id) ? this.#sessions.get(id) : undefined;
    return stored ? ok(stored) : this.#notFound();
  }

  /** How far to read a session: a live one only as far as is on disk, after a flush. */
  async #readLimit(id: SessionId): Promise<number | undefined> {
    const live = this.#live.get(id);
    if (!live) return undefined;
    await live.journal.flush();
    return live.journal.bytesOnDisk;
  }

  #liveListing(live: LiveSessionImpl): SessionListing {
    return listingFromSummary(live.id, live.summary, {
      ending: 'live',
      fileBytes: live.journal.bytesOnDisk,
      corruptRecords: 0,
    });
  }

  #listing(id: SessionId): SessionListing {
    const live = this.#live.get(id);
    if (live) return this.#liveListing(live);
    const stored = this.#sessions.get(id) as StoredSession;
    return { ...stored.listing, targets: [...stored.listing.targets] };
  }

  #lockHeld(lock: Lock | null): boolean {
    if (lock === null) return false;
    // Written before the machine last started: its process is gone, whoever has that pid now.
    if (lock.boot && !sameBoot(lock.boot, this.#boot)) return false;
    if (this.#isAlive) return this.#isAlive(lock.pid);
    // Our own pid: ours only if this very process wrote it (a restarted container often gets the same pid).
    if (lock.pid === process.pid) return lock.nonce === PROCESS_NONCE;
    return defaultIsAlive(lock.pid);
  }

  #pidInUse(pid: number): boolean {
    return pid === process.pid || (this.#isAlive ?? defaultIsAlive)(pid);
  }

  async #readLock(id: SessionId): Promise<Lock | null> {
    let text: string;
    try {
      text = await readFile(this.#path(id, 'lock'), 'utf8');
    } catch {
      return null;
    }
    try {
      const raw: unknown = JSON.parse(text);
      if (isObject(raw) && Number.isSafeInteger(raw.pid) && (raw.pid as number) > 0 && typeof raw.nonce === 'string') {
        const boot = bootStampOf(raw.boot);
        return boot ? { pid: raw.pid as number, nonce: raw.nonce, boot } : { pid: raw.pid as number, nonce: raw.nonce };
      }
    } catch {
      // A lock cut short by a crash while it was written: nobody holds it.
    }
    return null;
  }

  async #readMeta(id: SessionId): Promise<StoredSession | undefined> {
    try {
      return parseMeta(await readFile(this.#path(id, 'json'), 'utf8'), id);
    } catch {
      return undefined;
    }
  }

  async #writeMeta(id: SessionId, stored: StoredSession): Promise<void> {
    const meta = {
      format: META_FORMAT,
      version: META_VERSION,
      ...stored.listing,
      putAway: stored.putAway,
      opened: stored.opened,
    };
    const temp = path.join(this.#dir, `.meta-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, JSON.stringify(meta, null, 2) + '\n', { encoding: 'utf8', mode: 0o600 });
      await rename(temp, this.#path(id, 'json'));
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  async #removeFiles(id: SessionId): Promise<void> {
    await rm(this.#path(id, 'journal'), { force: true });
    await rm(this.#path(id, 'json'), { force: true });
    await rm(this.#path(id, 'lock'), { force: true });
    this.#sessions.delete(id);
    this.#elsewhere.delete(id);
  }

  async #scan(): Promise<void> {
    let names: string[];
    try {
      await mkdir(this.#dir, { recursive: true });
      names = await readdir(this.#dir);
    } catch (error) {
      this.#problem = storageError(this.#dir, error);
      return;
    }
    for (const name of names) {
      const temp = TEMP_NAME.exec(name);
      // A temporary file of a process that is gone: an import or a metadata write it never finished.
      if (temp && !this.#pidInUse(Number(temp[1]))) {
        await rm(path.join(this.#dir, name), { force: true }).catch(() => undefined);
        continue;
      }
      const match = JOURNAL_NAME.exec(name);
      if (match) await this.#load(match[1] as SessionId);
    }
  }

  /** Adds one journal of the folder to the index: from its metadata when that is sound, else from the journal. */
  async #load(id: SessionId): Promise<void> {
    const file = this.#path(id, 'journal');
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch {
      return;
    }
    const lock = await this.#readLock(id);
    const meta = await this.#readMeta(id);
    if (this.#lockHeld(lock)) {
      this.#elsewhere.add(id);
      this.#sessions.set(id, meta ?? (await this.#fromJournal(id, 'live')) ?? this.#placeholder(id, size));
      return;
    }
    this.#elsewhere.delete(id);
    if (meta && meta.listing.ending !== 'live' && meta.listing.fileBytes === size) {
      this.#sessions.set(id, meta);
    } else {
      const stored = await this.#fromJournal(id, undefined, meta);
      if (!stored) return;
      this.#sessions.set(id, stored);
      await this.#writeMeta(id, stored).catch(() => undefined);
    }
    if (lock !== null || (await this.#exists(this.#path(id, 'lock')))) {
      await rm(this.#path(id, 'lock'), { force: true }).catch(() => undefined);
    }
  }

  async #exists(file: string): Promise<boolean> {
    return stat(file).then(
      () => true,
      () => false,
    );
  }

  #placeholder(id: SessionId, size: number): StoredSession {
    const now = this.#now();
    return {
      listing: {
        id,
        startedAt: now,
        lastAt: now,
        ending: 'live',
        targets: [],
        connections: 0,
        bytes: 0,
        fileBytes: size,
        corruptRecords: 0,
      },
      putAway: false,
      opened: false,
    };
  }

  /**
   * Reads a journal whole: its summary and how it ended. One left by a crash has its torn tail trimmed on disk.
   * undefined for a file that is not a journal this version reads (left alone), or one cut before its header
   * (removed: it never held anything).
   */
  async #fromJournal(
    id: SessionId,
    forceEnding?: SessionEnding,
    previous?: StoredSession,
  ): Promise<StoredSession | undefined> {
    const file = this.#path(id, 'journal');
    const stats: FullReadStats = newReadStats();
    const builder = new SummaryBuilder();
    try {
      for await (const record of readJournalRecords(file, { stats, borrowBytes: true })) builder.add(record.entry);
    } catch {
      return undefined;
    }
    if (stats.header === 'missing') {
      if (forceEnding === undefined) await this.#removeFiles(id).catch(() => undefined);
      return undefined;
    }
    if (stats.header === 'foreign' || stats.header === 'newer') return undefined;
    const summary = builder.summary;
    if (stats.records === 0 || summary.sessionId === '') {
      // No start entry survived: date it by the file, so it still sorts sensibly.
      const info = await stat(file).catch(() => null);
      summary.startedAt = summary.startedAt || (info?.mtimeMs ?? this.#now());
      summary.lastAt = Math.max(summary.lastAt, summary.startedAt);
    }
    const ending: SessionEnding =
      forceEnding ?? (stats.importedFrom !== undefined ? 'imported' : summary.endedCleanly ? 'clean' : 'recovered');
    let fileBytes = stats.fileBytes;
    if (ending === 'recovered' && stats.header === 'ok' && stats.tornBytes > 0) {
      try {
        await truncate(file, stats.validBytes);
        fileBytes = stats.validBytes;
      } catch {
        // A read-only folder: the torn tail stays, and every reader skips it anyway.
      }
    }
    const extra: { ending: SessionEnding; fileBytes: number; corruptRecords: number; importedFrom?: string } = {
      ending,
      fileBytes,
      corruptRecords: stats.corruptRecords,
    };
    if (stats.importedFrom !== undefined) extra.importedFrom = stats.importedFrom;
    return {
      listing: listingFromSummary(id, summary, extra),
      putAway: previous?.putAway ?? false,
      opened: previous?.opened ?? false,
    };
  }

  /** Sessions another process was running: once their lock is let go, read them again (ended, or crashed). */
  async #refreshElsewhere(): Promise<void> {
    for (const id of [...this.#elsewhere]) {
      const lock = await this.#readLock(id);
      if (!this.#lockHeld(lock)) {
        this.#sessions.delete(id);
        this.#elsewhere.delete(id);
        await this.#load(id);
      } else {
        const meta = await this.#readMeta(id);
        if (meta) this.#sessions.set(id, meta);
      }
    }
  }

  async #endLive(live: LiveSessionImpl): Promise<void> {
    await live.journal.close();
    const stored = this.#sessions.get(live.id);
    const fileBytes = await stat(this.#path(live.id, 'journal')).then(
      (info) => info.size,
      () => live.journal.bytesOnDisk,
    );
    this.#live.delete(live.id);
    if (!stored) return;
    stored.listing = listingFromSummary(live.id, live.summary, { ending: 'clean', fileBytes, corruptRecords: 0 });
    await this.#writeMeta(live.id, stored).catch(() => undefined);
    await rm(this.#path(live.id, 'lock'), { force: true }).catch(() => undefined);
  }

  /** Oldest finished sessions go first until the folder has room for one more full session; live ones never. */
  async #enforceTotalCap(): Promise<void> {
    let total = await this.totalBytes();
    const finished = [...this.#sessions.values()]
      .filter((stored) => !this.#live.has(stored.listing.id) && !this.#elsewhere.has(stored.listing.id))
      .map((stored) => stored.listing)
      .sort((a, b) => a.startedAt - b.startedAt);
    for (const oldest of finished) {
      if (total + this.#maxSessionBytes <= this.#maxTotalBytes) break;
      const size = await stat(this.#path(oldest.id, 'journal')).then(
        (info) => info.size,
        () => oldest.fileBytes,
      );
      try {
        await this.#removeFiles(oldest.id);
        total -= size;
      } catch {
        // One that cannot be removed stays; try the next.
      }
    }
  }
}
