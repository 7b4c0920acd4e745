import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionJournal, type JournalFile, type JournalFs } from '../../../../src/main/core/journal';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { comparable, dataEvent, patternBytes, readAll, startEntry, tempDir } from './helpers';
import { HAS_DEV_FULL, RecordingFs } from './recordingFs';

function progressEntry(t: number): SessionEntry {
  return { kind: 'progress', t, progress: { completed: [], current: `step-${t}`, predictions: {} } };
}

/**
 * How late this process's event loop ran while the test waited: a timer every 5 ms, and the most any tick came
 * after its time. A journal cannot fsync sooner than its loop lets it run, so a deadline in these tests is the
 * interval plus a fixed slack plus this; on a machine too busy to run the loop, it stretches, and only then.
 */
function loopLateness(): { most(): number; stop(): void } {
  let last = performance.now();
  let most = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    most = Math.max(most, now - last - 5);
    last = now;
  }, 5);
  return { most: () => most, stop: () => clearInterval(timer) };
}

/** Resolves on the next call of the callback it hands out; rejects when none comes within `timeoutMs`. */
function nextCall<T>(timeoutMs = 3000): { callback: (value: T) => void; called: Promise<T> } {
  let resolve!: (value: T) => void;
  let timer: ReturnType<typeof setTimeout>;
  const called = new Promise<T>((r, reject) => {
    resolve = r;
    timer = setTimeout(() => reject(new Error(`not called within ${timeoutMs} ms`)), timeoutMs);
  });
  return {
    callback: (value) => {
      clearTimeout(timer);
      resolve(value);
    },
    called,
  };
}

describe('SessionJournal: fsync', () => {
  it('fsyncs at least every flushIntervalMs while data keeps coming, and once more on close', async () => {
    const fs = new RecordingFs();
    const intervalMs = 40;
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'cadence.journal'),
      flushIntervalMs: intervalMs,
      fs,
    });
    const createdAt = performance.now();
    const late = loopLateness();
    journal.append(startEntry());
    let offset = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const bytes = patternBytes(3000, offset);
        journal.append(dataEvent('c1', 'in', offset, bytes, performance.now() - createdAt));
        offset += bytes.byteLength;
        if (performance.now() - createdAt > 600) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    await journal.close();
    late.stop();

    const syncs = fs.calls.filter((call) => call.op === 'sync' && call.at >= createdAt);
    const writes = fs.calls.filter((call) => call.op === 'writev' && call.at >= createdAt);
    // Writes are batched: far fewer fsyncs than writes, and far fewer than one per append (about 120 of them).
    expect(writes.length).toBeGreaterThan(5);
    expect(syncs.length).toBeGreaterThanOrEqual(600 / (intervalMs * 4));
    expect(syncs.length).toBeLessThan(60);
    // Every write is followed by an fsync within the interval (plus slack, and however late the loop itself ran).
    for (const write of writes) {
      const covering = syncs.find((sync) => sync.at >= write.at);
      expect(covering, `no fsync after the write at ${write.at}`).toBeDefined();
      expect((covering as { at: number }).at - write.at).toBeLessThan(intervalMs + 250 + late.most());
    }
    // On close: the last write (the 'end' entry) is fsynced before the file is closed.
    const tail = fs.calls.slice(-3).map((call) => call.op);
    expect(tail).toEqual(['writev', 'sync', 'close']);
    expect(fs.calls.at(-2)?.writtenBefore).toBe(fs.written);
    expect(journal.bytesOnDisk).toBe(statSync(journal.file).size);
  });

  it('fsyncs a lone append within the interval with no further help, then stays idle', async () => {
    const fs = new RecordingFs();
    const synced = nextCall<{ bytesOnDisk: number; records: number }>();
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'lone.journal'),
      flushIntervalMs: 50,
      fs,
      onSynced: synced.callback,
    });
    const syncsBefore = fs.count('sync');
    const appendedAt = performance.now();
    const late = loopLateness();
    journal.append(startEntry());
    const report = await synced.called;
    const elapsed = performance.now() - appendedAt;
    late.stop();
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(50 + 250 + late.most());
    expect(report).toEqual({ bytesOnDisk: statSync(journal.file).size, records: 1 });
    expect(journal.bytesOnDisk).toBe(report.bytesOnDisk);
    // A deliberate silence window of five flush intervals: with nothing more to write no fsync may come, and only
    // waiting shows that nothing happens.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(fs.count('sync')).toBe(syncsBefore + 1);
    await journal.close();
  });

  it('flush() resolves once everything appended is written and fsynced', async () => {
    const fs = new RecordingFs();
    const journal = await SessionJournal.create({ file: path.join(tempDir(), 'flush.journal'), fs });
    journal.append(startEntry());
    for (let i = 0; i < 50; i++) journal.append(dataEvent('c1', 'out', i * 1000, patternBytes(1000, i), i));
    const appendedBytes = journal.bytesOnDisk + journal.bytesQueued;
    await journal.flush();
    expect(journal.bytesQueued).toBe(0);
    expect(journal.bytesOnDisk).toBe(appendedBytes);
    const lastSync = fs.calls.filter((call) => call.op === 'sync').at(-1);
    expect(lastSync?.writtenBefore).toBe(fs.written);
    expect((await readAll(journal.file)).entries).toHaveLength(51);
    await journal.close();
  });
});

describe('SessionJournal: append is cheap and never touches the disk itself', () => {
  it('queues without a single fs call, and keeps data by reference instead of copying it', async () => {
    const fs = new RecordingFs();
    const journal = await SessionJournal.create({ file: path.join(tempDir(), 'cheap.journal'), fs, maxBytes: 2 ** 31 });
    const callsBefore = fs.calls.length;
    const megabyte = patternBytes(1024 * 1024);
    const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
    journal.append(startEntry());
    for (let i = 0; i < 64; i++) journal.append(dataEvent('c1', 'in', i * megabyte.byteLength, megabyte, i));
    for (let i = 0; i < 1000; i++) journal.append(progressEntry(i));
    // Still inside one synchronous stretch: nothing has reached the fs, and 64 MiB is queued without a copy.
    expect(fs.calls.length).toBe(callsBefore);
    expect(journal.bytesQueued).toBeGreaterThan(64 * 1024 * 1024);
    expect(journal.bytesOnDisk).toBe(statSync(journal.file).size);
    expect(process.memoryUsage().arrayBuffers - arrayBuffersBefore).toBeLessThan(20 * 1024 * 1024);
    await journal.close();
    expect(journal.bytesQueued).toBe(0);
    expect((await readAll(journal.file)).stats.records).toBe(1 + 64 + 1000 + 1);
  });

  it('asks to pause the sockets while too much waits for a slow disk, and lets go once it has drained', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const real = new RecordingFs();
    const slowFs: JournalFs = {
      ...real,
      create: async (file) => {
        const handle = await real.create(file);
        let writes = 0;
        const slow: JournalFile = {
          // The header goes through; every later write waits until the test opens the gate.
          writev: async (buffers, position) => {
            writes += 1;
            if (writes > 1) await gate;
            return handle.writev(buffers, position);
          },
          sync: () => handle.sync(),
          close: () => handle.close(),
        };
        return slow;
      },
      syncDir: (dir) => real.syncDir(dir),
      remove: (file) => real.remove(file),
    };
    const pressure: boolean[] = [];
    const drained = nextCall<boolean>();
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'pressure.journal'),
      fs: slowFs,
      highWaterBytes: 256 * 1024,
      lowWaterBytes: 64 * 1024,
      onPressure: (paused) => {
        pressure.push(paused);
        if (!paused) drained.callback(paused);
      },
    });
    journal.append(startEntry());
    for (let i = 0; i < 10; i++) journal.append(dataEvent('c1', 'in', i * 65536, patternBytes(65536, i), i));
    // Above the high-water mark at once, synchronously, so the hub stops reading before the next socket read.
    expect(pressure).toEqual([true]);
    openGate();
    await drained.called;
    expect(pressure).toEqual([true, false]);
    await journal.close();
    expect((await readAll(journal.file)).stats.records).toBe(12);
  });
});

describe('SessionJournal: caps', () => {
  it("past maxBytes: one 'journal-full', then data as 'unsaved' with offsets and lengths, other entries kept", async () => {
    const maxBytes = 4096;
    const journal = await SessionJournal.create({ file: path.join(tempDir(), 'cap.journal'), maxBytes });
    const kept: SessionEntry[] = [];
    kept.push(...journal.append(startEntry()));
    let offset = 0;
    for (let i = 1; i <= 30; i++) {
      const bytes = patternBytes(300, i);
      kept.push(...journal.append(dataEvent('c1', i % 3 ? 'in' : 'out', offset, bytes, i)));
      offset += bytes.byteLength;
      kept.push(...journal.append(progressEntry(i + 0.5)));
    }
    expect(journal.full).toBe(true);
    await journal.close(99);
    const { entries } = await readAll(journal.file);
    expect(comparable(entries)).toEqual(comparable([...kept, { kind: 'end', t: 99 }]));

    const fullAt = entries.findIndex((entry) => entry.kind === 'journal-full');
    expect(entries.filter((entry) => entry.kind === 'journal-full')).toEqual([
      { kind: 'journal-full', t: expect.any(Number), limitBytes: maxBytes },
    ]);
    const before = entries.slice(0, fullAt);
    const after = entries.slice(fullAt + 1);
    expect(before.some((entry) => entry.kind === 'event' && entry.event.type === 'data')).toBe(true);
    expect(after.some((entry) => entry.kind === 'event' && entry.event.type === 'data')).toBe(false);
    expect(after.filter((entry) => entry.kind === 'progress').length).toBeGreaterThan(0);
    // Every data event is there, either whole or as 'unsaved' at its own offset and length, in order.
    const places = entries.flatMap((entry) => {
      if (entry.kind === 'event' && entry.event.type === 'data') {
        return [
          { offset: entry.event.offset, length: entry.event.bytes.byteLength, dir: entry.event.dir, saved: true },
        ];
      }
      if (entry.kind === 'unsaved')
        return [{ offset: entry.offset, length: entry.length, dir: entry.dir, saved: false }];
      return [];
    });
    expect(places.map(({ offset, length, dir }) => ({ offset, length, dir }))).toEqual(
      Array.from({ length: 30 }, (_, i) => ({ offset: i * 300, length: 300, dir: (i + 1) % 3 ? 'in' : 'out' })),
    );
    expect(places.findIndex((place) => !place.saved)).toBeGreaterThan(0);
    expect(places.slice(places.findIndex((place) => !place.saved)).every((place) => !place.saved)).toBe(true);
  });

  it('stops growing at a small hard ceiling above the cap, but still ends with end', async () => {
    const maxBytes = 4096;
    const ceilingBytes = 2048;
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'ceiling.journal'),
      maxBytes,
      ceilingBytes,
    });
    journal.append(startEntry());
    for (let i = 0; i < 5000; i++) journal.append(dataEvent('c1', 'in', i * 100, patternBytes(100), i));
    expect(journal.droppedEntries).toBeGreaterThan(4000);
    await journal.close();
    const size = statSync(journal.file).size;
    expect(size).toBeLessThanOrEqual(maxBytes + ceilingBytes + 64);
    const { entries, stats } = await readAll(journal.file);
    expect(entries.at(-1)?.kind).toBe('end');
    expect(stats.corruptRecords).toBe(0);
  });

  it("keeps a 1 MiB send whole and turns anything larger into 'unsaved' (a record is never over its cap)", async () => {
    const journal = await SessionJournal.create({ file: path.join(tempDir(), 'big.journal'), maxBytes: 64 * 2 ** 20 });
    journal.append(startEntry());
    journal.append(dataEvent('c1', 'out', 0, patternBytes(1024 * 1024, 1), 1));
    journal.append(dataEvent('c1', 'out', 1024 * 1024, patternBytes(1024 * 1024 + 1, 2), 2));
    await journal.close();
    const { entries } = await readAll(journal.file);
    expect(entries.map((entry) => (entry.kind === 'event' ? entry.event.type : entry.kind))).toEqual([
      'start',
      'data',
      'journal-full',
      'unsaved',
      'end',
    ]);
  });
});

describe('SessionJournal: disk errors', () => {
  if (!HAS_DEV_FULL) console.warn('Skipping the full-disk-at-create test: this machine has no /dev/full.');
  it(`a write that fails with ENOSPC${HAS_DEV_FULL ? ' (from /dev/full)' : ''}: onError once, append goes on without a throw`, async () => {
    const fs = new RecordingFs({ fullAfterBytes: 20_000 });
    const errors: NodeJS.ErrnoException[] = [];
    const failed = nextCall<NodeJS.ErrnoException>();
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'enospc.journal'),
      fs,
      flushIntervalMs: 20,
      onError: (error) => {
        errors.push(error);
        failed.callback(error);
      },
    });
    journal.append(startEntry());
    for (let i = 0; i < 10; i++) journal.append(dataEvent('c1', 'in', i * 1000, patternBytes(1000, i), i));
    await journal.flush();
    for (let i = 10; i < 40; i++) journal.append(dataEvent('c1', 'in', i * 1000, patternBytes(1000, i), i));
    const error = await failed.called;
    expect(error.code).toBe('ENOSPC');
    // The session carries on: appends after the failure neither throw nor queue, and flush and close resolve.
    for (let i = 40; i < 200; i++) {
      expect(() => journal.append(dataEvent('c1', 'in', i * 1000, patternBytes(1000, i), i))).not.toThrow();
    }
    expect(journal.failed?.code).toBe('ENOSPC');
    expect(journal.bytesQueued).toBe(0);
    await journal.flush();
    await journal.close();
    expect(errors).toHaveLength(1);
    // What reached the disk before the failure reads back whole.
    const { entries, stats } = await readAll(journal.file);
    expect(entries.length).toBeGreaterThanOrEqual(11);
    expect(stats.corruptRecords).toBe(0);
  });

  it('an fsync that fails (EIO) stops the journal once, and the session goes on', async () => {
    const fs = new RecordingFs({ failSync: { nth: 2, code: 'EIO' } });
    const failed = nextCall<NodeJS.ErrnoException>();
    let calls = 0;
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'eio.journal'),
      fs,
      onError: (error) => {
        calls += 1;
        failed.callback(error);
      },
    });
    journal.append(startEntry());
    await journal.flush();
    expect((await failed.called).code).toBe('EIO');
    journal.append(progressEntry(1));
    await journal.close();
    expect(calls).toBe(1);
  });

  it.skipIf(!HAS_DEV_FULL)(
    'a journal whose very first write meets a full disk is not made, and leaves nothing',
    async () => {
      const fs = new RecordingFs({ fullAfterBytes: 0 });
      const file = path.join(tempDir(), 'no-room.journal');
      await expect(SessionJournal.create({ file, fs })).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(existsSync(file)).toBe(false);
    },
  );

  it('an owner callback that throws neither stops the journal nor makes append() throw', async () => {
    const journal = await SessionJournal.create({
      file: path.join(tempDir(), 'throwing.journal'),
      highWaterBytes: 1024,
      lowWaterBytes: 0,
      flushIntervalMs: 5,
      onPressure: () => {
        throw new Error('a bug in the owner');
      },
      onSynced: () => {
        throw new Error('another bug in the owner');
      },
    });
    expect(() => {
      journal.append(startEntry());
      for (let i = 0; i < 20; i++) journal.append(dataEvent('c1', 'in', i * 500, patternBytes(500, i), i));
    }).not.toThrow();
    await journal.close();
    expect(journal.failed).toBeNull();
    expect((await readAll(journal.file)).stats.records).toBe(22);
  });

  it('refuses to overwrite a journal that exists', async () => {
    const file = path.join(tempDir(), 'twice.journal');
    const first = await SessionJournal.create({ file });
    await expect(SessionJournal.create({ file })).rejects.toMatchObject({ code: 'EEXIST' });
    await first.close();
    expect((await readAll(file)).stats.header).toBe('ok');
  });
});
