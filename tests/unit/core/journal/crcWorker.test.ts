import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionJournal } from '../../../../src/main/core/journal';
import { CrcWorker } from '../../../../src/main/core/journal/crcWorker';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { comparable, dataEvent, patternBytes, readAll, startEntry, tempDir } from './helpers';

function session(): SessionEntry[] {
  const entries: SessionEntry[] = [startEntry()];
  for (let i = 0; i < 120; i++)
    entries.push(dataEvent('c1', 'in', i * 65536, patternBytes(1 + ((i * 7919) % 65536), i), i));
  return entries;
}

/** Resolves once the process's checksum worker answers. */
async function workerReady(): Promise<CrcWorker> {
  for (;;) {
    const worker = CrcWorker.shared();
    if (worker?.ready) return worker;
    if (!worker) throw new Error('no worker threads here');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function write(file: string, entries: SessionEntry[], crcWorker: boolean, during?: () => Promise<void>) {
  if (crcWorker) await workerReady();
  const journal = await SessionJournal.create({ file, crcWorker, maxBytes: 2 ** 30 });
  // One synchronous burst, so the batches are large enough (>= 256 KiB) to go to the worker.
  for (const entry of entries) journal.append(entry);
  await during?.();
  await journal.close(500);
}

describe('CRC32 on the worker thread', () => {
  it('writes byte for byte the same file as checksumming on the main thread', async () => {
    const dir = tempDir();
    const entries = session();
    await write(path.join(dir, 'main.journal'), entries, false);
    await write(path.join(dir, 'worker.journal'), entries, true);
    expect(readFileSync(path.join(dir, 'worker.journal')).equals(readFileSync(path.join(dir, 'main.journal')))).toBe(
      true,
    );
    const { entries: back, stats } = await readAll(path.join(dir, 'worker.journal'));
    expect(comparable(back)).toEqual(comparable([...entries, { kind: 'end', t: 500 }]));
    expect(stats.corruptRecords).toBe(0);
  });

  it('a worker that dies mid-batch costs nothing: the batch is framed again and checksummed here', async () => {
    const dir = tempDir();
    const entries = session();
    await write(path.join(dir, 'main.journal'), entries, false);
    const worker = await workerReady();
    // The first batch is on its way to the worker when it dies.
    await write(path.join(dir, 'crashed.journal'), entries, true, () =>
      new Promise((r) => setImmediate(r)).then(() => worker?.terminateForTests()),
    );
    expect(readFileSync(path.join(dir, 'crashed.journal')).equals(readFileSync(path.join(dir, 'main.journal')))).toBe(
      true,
    );
    // And the next journal gets a fresh worker.
    expect(CrcWorker.shared()).not.toBe(worker);
    await write(path.join(dir, 'after.journal'), entries, true);
    expect(readFileSync(path.join(dir, 'after.journal')).equals(readFileSync(path.join(dir, 'main.journal')))).toBe(
      true,
    );
  });
});
