/**
 * `npm run bench:journal`: bytes per second from a loopback server through ConnectionHub + EventDelivery (the core
 * benchmark's own pieces), once with every event also appended to a SessionJournal and once without, in one round.
 * The journal's cap is raised above the stream, so it really writes every byte.
 *
 * More figures from the same round say where the difference goes: the journal with its writes thrown away (its
 * own CPU cost: encoding, CRC32, framing); how long the journal held the sockets paused because the disk was behind,
 * and the rate its own writev calls ran at (what the disk gave it, cold pages and all); and a bare writev of as many
 * bytes from one hot buffer (the disk's best case).
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { streamServer, timeHub } from './bench-hub';
import { nodeJournalFs, SessionJournal, type JournalFs } from '../src/main/core/journal/writer';

export interface JournalBenchRound {
  offBytesPerSec: number;
  /** Until the consumer has every byte (the journal may still be writing its last few MiB). */
  onBytesPerSec: number;
  /** Until the journal has every byte on disk, fsynced. */
  onDurableBytesPerSec: number;
  /** The journal doing all its work but handing its writes to nothing: what it costs without a disk. */
  onNoDiskBytesPerSec: number;
  /** A bare writev of the same number of bytes to the same folder, in 8 MiB pieces from one hot buffer, no fsync. */
  diskBytesPerSec: number;
  /** The journal's own writev calls (journal on): bytes over the time they took, one at a time as it makes them. */
  journalWriteBytesPerSec: number;
  /** Journal on: how long the sockets were paused because more than the high-water mark waited for the disk. */
  pausedForDiskMs: number;
  /** Journal on: from connect until the consumer had every byte. */
  onMs: number;
  /** on / off: 1 means the journal costs nothing. */
  ratio: number;
  journalBytes: number;
}

/** Takes every write and keeps nothing: the journal's own cost, with no disk in the way. */
const discardingFs: JournalFs = {
  create: async () => ({
    writev: async (buffers) => ({ bytesWritten: buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0) }),
    sync: async () => undefined,
    close: async () => undefined,
  }),
  syncDir: async () => undefined,
  remove: async () => undefined,
};

interface JournaledRun {
  bytesPerSec: number;
  durableBytesPerSec: number;
  journalBytes: number;
  writeBytesPerSec: number;
  pausedMs: number;
  ms: number;
}

/** The real file operations, with the time spent in writev counted. */
function timedFs(times: { bytes: number; ms: number }): JournalFs {
  return {
    ...nodeJournalFs,
    async create(file) {
      const handle = await nodeJournalFs.create(file);
      return {
        async writev(buffers, position) {
          const started = performance.now();
          const result = await handle.writev(buffers, position);
          times.ms += performance.now() - started;
          times.bytes += result.bytesWritten;
          return result;
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
}

async function journaledRun(
  port: number,
  total: number,
  file: string,
  how: { fs?: JournalFs } = {},
): Promise<JournaledRun> {
  const writes = { bytes: 0, ms: 0 };
  const fs = how.fs ?? timedFs(writes);
  let failure: Error | null = null;
  let setPaused: (paused: boolean) => void = () => undefined;
  let pausedAt = 0;
  let pausedMs = 0;
  const journal = await SessionJournal.create({
    file,
    maxBytes: total * 2 + 64 * 1024 * 1024,
    onPressure: (paused: boolean) => {
      if (paused) pausedAt = performance.now();
      else pausedMs += performance.now() - pausedAt;
      setPaused(paused);
    },
    onError: (error: Error) => (failure = error),
    fs,
  });
  journal.append({
    kind: 'start',
    t: 0,
    sessionId: 'bench',
    startedAt: Date.now(),
    appVersion: 'bench',
    transport: 'web',
    platform: process.platform,
  });
  const started = performance.now();
  const seconds = await timeHub(port, total, {
    onEvent: (event) => journal.append({ kind: 'event', t: event.t, event }),
    attach: (set) => (setPaused = set),
  });
  await journal.close();
  const durableSeconds = (performance.now() - started) / 1000;
  if (failure) throw failure;
  if (journal.full) throw new Error('the journal reached its cap, so it did not write every byte');
  const journalBytes = how.fs ? journal.bytesOnDisk : (await stat(file)).size;
  if (journalBytes < total) throw new Error(`the journal holds ${journalBytes} bytes for a ${total}-byte stream`);
  if (!how.fs) await rm(file, { force: true });
  return {
    bytesPerSec: total / seconds,
    durableBytesPerSec: total / durableSeconds,
    journalBytes,
    writeBytesPerSec: writes.ms > 0 ? writes.bytes / (writes.ms / 1000) : 0,
    pausedMs,
    ms: seconds * 1000,
  };
}

/** Bytes per second of plain writev calls to a new file in `dir`, 8 MiB at a time, as the journal batches them. */
async function diskRun(total: number, file: string): Promise<number> {
  const piece = Buffer.alloc(8 * 1024 * 1024, 0x5a);
  const handle = await open(file, 'wx');
  try {
    const started = performance.now();
    for (let written = 0; written < total; written += piece.byteLength) {
      await handle.writev([piece.subarray(0, Math.min(piece.byteLength, total - written))], written);
    }
    return total / ((performance.now() - started) / 1000);
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
}

/** One round: the same stream with the journal off, on, and on without a disk; the order turns round by round, so
 *  warm-up favours none of them; then the disk's own write rate. */
export async function benchJournalRound(totalBytes: number, round: number, dir?: string): Promise<JournalBenchRound> {
  if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0)
    throw new Error('totalBytes must be a positive whole number');
  const folder = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'socket-lab-bench-journal-')));
  const server = await streamServer();
  try {
    const file = (name: string): string => path.join(folder, `bench-${round}-${name}.journal`);
    let offBytesPerSec = 0;
    let on: JournaledRun | null = null;
    let noDisk: JournaledRun | null = null;
    const runs: (() => Promise<void>)[] = [
      async () => {
        server.next(totalBytes);
        offBytesPerSec = totalBytes / (await timeHub(server.port, totalBytes));
      },
      async () => {
        server.next(totalBytes);
        on = await journaledRun(server.port, totalBytes, file('on'));
      },
      async () => {
        server.next(totalBytes);
        noDisk = await journaledRun(server.port, totalBytes, file('nodisk'), { fs: discardingFs });
      },
    ];
    for (let i = 0; i < runs.length; i++) await (runs[(i + round) % runs.length] as () => Promise<void>)();
    const diskBytesPerSec = await diskRun(totalBytes, file('disk'));
    const journaled = on as unknown as JournaledRun;
    return {
      offBytesPerSec,
      onBytesPerSec: journaled.bytesPerSec,
      onDurableBytesPerSec: journaled.durableBytesPerSec,
      onNoDiskBytesPerSec: (noDisk as unknown as JournaledRun).bytesPerSec,
      diskBytesPerSec,
      journalWriteBytesPerSec: journaled.writeBytesPerSec,
      pausedForDiskMs: journaled.pausedMs,
      onMs: journaled.ms,
      ratio: journaled.bytesPerSec / offBytesPerSec,
      journalBytes: journaled.journalBytes,
    };
  } finally {
    await server.close();
    if (!dir) await rm(folder, { recursive: true, force: true });
  }
}
