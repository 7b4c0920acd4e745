/**
 * `npm run bench:journal`: bytes per second from a loopback server through ConnectionHub + EventDelivery (the core
 * benchmark's own pieces), once with every event also appended to a SessionJournal and once without, in one run.
 * The journal's cap is raised above the stream, so it really writes every byte.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { streamServer, timeHub } from '../connections/bench';
import { SessionJournal } from './writer';

export interface JournalBenchRound {
  offBytesPerSec: number;
  /** Until the consumer has every byte (the journal may still be writing its last few MiB). */
  onBytesPerSec: number;
  /** Until the journal has every byte on disk, fsynced. */
  onDurableBytesPerSec: number;
  /** on / off: 1 means the journal costs nothing. */
  ratio: number;
  journalBytes: number;
}

async function journaledRun(port: number, total: number, dir: string, round: number): Promise<JournalBenchRound> {
  const file = path.join(dir, `bench-${round}.journal`);
  let failure: Error | null = null;
  let setPaused: (paused: boolean) => void = () => undefined;
  const journal = await SessionJournal.create({
    file,
    maxBytes: total * 2 + 64 * 1024 * 1024,
    onPressure: (paused) => setPaused(paused),
    onError: (error) => (failure = error),
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
  const journalBytes = (await stat(file)).size;
  if (journalBytes < total) throw new Error(`the journal holds ${journalBytes} bytes for a ${total}-byte stream`);
  await rm(file, { force: true });
  return {
    offBytesPerSec: 0,
    onBytesPerSec: total / seconds,
    onDurableBytesPerSec: total / durableSeconds,
    ratio: 0,
    journalBytes,
  };
}

/** One round: the same stream with the journal off and on; the order alternates by round, so warm-up favours neither. */
export async function benchJournalRound(totalBytes: number, round: number, dir?: string): Promise<JournalBenchRound> {
  if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0)
    throw new Error('totalBytes must be a positive whole number');
  const folder = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'socket-lab-bench-journal-')));
  const server = await streamServer();
  try {
    const off = async (): Promise<number> => {
      server.next(totalBytes);
      return totalBytes / (await timeHub(server.port, totalBytes));
    };
    const on = async (): Promise<JournalBenchRound> => {
      server.next(totalBytes);
      return journaledRun(server.port, totalBytes, folder, round);
    };
    let offBytesPerSec: number;
    let result: JournalBenchRound;
    if (round % 2 === 0) {
      offBytesPerSec = await off();
      result = await on();
    } else {
      result = await on();
      offBytesPerSec = await off();
    }
    return { ...result, offBytesPerSec, ratio: result.onBytesPerSec / offBytesPerSec };
  } finally {
    await server.close();
    if (!dir) await rm(folder, { recursive: true, force: true });
  }
}
