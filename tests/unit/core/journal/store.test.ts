import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionStore, StorageError, type LiveSession, type ReplayPage } from '../../../../src/main/core/journal';
import type { SessionEntry } from '../../../../src/shared/transcript';
import { ConnectionHub } from '../../../../src/main/core/connections/hub';
import { EventLog, noRoute, request, startServer, valueOf } from '../connections/loopback';
import { comparable, dataEvent, patternBytes, readAll, startEntry, tempDir } from './helpers';
import { RecordingFs } from './recordingFs';

const META = { transport: 'web', platform: 'linux', appVersion: '0.1.0' } as const;

/** A wall clock that moves a minute per call, so sessions sort by start. */
function steppingClock(start = Date.UTC(2026, 10, 30, 9, 0, 0)): () => number {
  let now = start;
  return () => (now += 60_000);
}

function fillSession(live: LiveSession, events = 20, bytesEach = 100): void {
  live.append({
    kind: 'event',
    t: 1,
    event: { id: 'c1', t: 1, type: 'resolving', host: 'data.pr4e.org', port: 80, route: 'lab' },
  });
  // Sends and reads take turns; each direction's offsets follow on from its own last byte, as on a real socket.
  for (let i = 0; i < events; i++)
    live.append(
      dataEvent('c1', i % 2 ? 'in' : 'out', Math.floor(i / 2) * bytesEach, patternBytes(bytesEach, i), 2 + i),
    );
}

async function entriesOf(store: SessionStore, id: string): Promise<SessionEntry[]> {
  const source = await store.source(id);
  if (!source) throw new Error(`no source for ${id}`);
  const entries: SessionEntry[] = [];
  for await (const entry of source.entries()) entries.push(entry);
  return entries;
}

describe('SessionStore: live sessions', () => {
  it('start writes a lock and the start entry before it resolves; list shows it live; end makes it clean', async () => {
    const dir = path.join(tempDir(), 'sessions');
    const store = new SessionStore({ dir, now: steppingClock() });
    await store.init();
    const live = await store.start(META);
    expect(live.id).toMatch(/^[0-9a-f]{20}$/);
    expect(existsSync(path.join(dir, `${live.id}.lock`))).toBe(true);
    const onDisk = await readAll(path.join(dir, `${live.id}.journal`));
    expect(onDisk.entries).toEqual([{ kind: 'start', t: 0, sessionId: live.id, startedAt: live.startedAt, ...META }]);

    fillSession(live);
    const [listedLive] = await store.list();
    expect(listedLive).toMatchObject({
      id: live.id,
      ending: 'live',
      targets: ['data.pr4e.org:80'],
      connections: 1,
      bytes: 2000,
    });

    await live.end();
    await live.end();
    expect(existsSync(path.join(dir, `${live.id}.lock`))).toBe(false);
    const [listedClean] = await store.list();
    expect(listedClean).toMatchObject({ id: live.id, ending: 'clean', connections: 1, bytes: 2000, corruptRecords: 0 });
    expect(listedClean?.fileBytes).toBe(statSync(path.join(dir, `${live.id}.journal`)).size);
    const entries = await entriesOf(store, live.id);
    expect(entries.at(-1)?.kind).toBe('end');
    expect(entries).toHaveLength(1 + 21 + 1);
    // A restart lists it the same way, from its metadata.
    const again = new SessionStore({ dir });
    expect(await again.list()).toEqual([listedClean]);
  });

  it('records a real session from a ConnectionHub on loopback, byte for byte', async () => {
    const server = await startServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
    const store = new SessionStore({ dir: tempDir() });
    const live = await store.start(META);
    const log = new EventLog();
    const hub = new ConnectionHub({
      emit: (event) => {
        live.append({ kind: 'event', t: event.t, event });
        log.push(event);
      },
      route: noRoute,
    });
    try {
      const { id } = valueOf(hub.connect(request('127.0.0.1', server.port)));
      await log.next(id, 'connected');
      valueOf(hub.send(id, new TextEncoder().encode('hello')));
      await log.received(id, 5);
      hub.close(id);
      await log.next(id, 'closed');
    } finally {
      hub.dispose();
      await server.close();
    }
    await live.end();
    const entries = await entriesOf(store, live.id);
    const data = entries.flatMap((entry) =>
      entry.kind === 'event' && entry.event.type === 'data'
        ? [`${entry.event.dir}:${Buffer.from(entry.event.bytes)}`]
        : [],
    );
    expect(data.join('')).toBe('out:helloin:hello');
    const [listing] = await store.list();
    expect(listing).toMatchObject({ targets: [`127.0.0.1:${server.port}`], bytes: 10, ending: 'clean' });
  });

  it('a disk that fills up mid-session: the hook hears it once, appends go on, end() still resolves', async () => {
    const errors: string[] = [];
    const store = new SessionStore({
      dir: tempDir(),
      fs: new RecordingFs({ fullAfterBytes: 8_000 }),
      flushIntervalMs: 10,
    });
    const live = await store.start(META, { onError: (error) => errors.push(String(error.code)) });
    for (let round = 0; round < 5; round++) {
      fillSession(live, 20, 500);
      await live.journal.flush();
    }
    expect(errors).toEqual(['ENOSPC']);
    expect(live.summary.bytes).toBe(5 * 20 * 500);
    await live.end();
    const [listing] = await store.list();
    expect(listing?.ending).toBe('clean');
  });
});

describe('SessionStore: after a crash', () => {
  it('recovers a journal with no end whose process is gone: torn tail trimmed, offered back, lock removed', async () => {
    const dir = tempDir();
    const first = new SessionStore({ dir, now: steppingClock() });
    const live = await first.start(META);
    fillSession(live, 30);
    await live.journal.abandon();
    const file = path.join(dir, `${live.id}.journal`);
    const goodSize = statSync(file).size;
    // A write the crash cut short.
    appendFileSync(file, Buffer.from([0x12, 0x34, 0x56, 0x78, 0x40, 0x00, 0x01, 0x20, 0, 0, 0, 0x61, 0x62]));

    const second = new SessionStore({ dir, isAlive: () => false });
    await second.init();
    const offered = await second.recoverable();
    expect(offered).toEqual([
      expect.objectContaining({
        id: live.id,
        ending: 'recovered',
        bytes: 3000,
        connections: 1,
        corruptRecords: 0,
        fileBytes: goodSize,
      }),
    ]);
    expect(statSync(file).size).toBe(goodSize);
    expect(existsSync(path.join(dir, `${live.id}.lock`))).toBe(false);
    const entries = await entriesOf(second, live.id);
    expect(entries).toHaveLength(1 + 31);
    expect(entries.some((entry) => entry.kind === 'end')).toBe(false);
    // Once recovered, a later start does not read it again: its metadata says so.
    const third = new SessionStore({ dir });
    expect(await third.recoverable()).toEqual(offered);
  });

  it('never takes a session whose lock a living process holds for a crashed one', async () => {
    const dir = tempDir();
    const first = new SessionStore({ dir });
    const live = await first.start(META);
    fillSession(live);
    await live.journal.flush();
    // This very process holds the lock: a second store on the folder (the web host beside the app) sees it live.
    const second = new SessionStore({ dir });
    expect(await second.recoverable()).toEqual([]);
    expect((await second.list()).map((listing) => [listing.id, listing.ending])).toEqual([[live.id, 'live']]);
    const refused = await second.delete(live.id);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('still running') },
    });
    // Another living process's lock (isAlive says so) is left alone too, and its journal is not trimmed.
    const size = statSync(path.join(dir, `${live.id}.journal`)).size;
    const third = new SessionStore({ dir, isAlive: () => true });
    expect(await third.recoverable()).toEqual([]);
    expect(statSync(path.join(dir, `${live.id}.journal`)).size).toBe(size);
    // Once it ends, the other store sees it ended.
    await live.end();
    expect((await second.list()).map((listing) => listing.ending)).toEqual(['clean']);
  });

  it('recovers a session whose lock names a real process that has exited', async () => {
    const dir = tempDir();
    const live = await new SessionStore({ dir }).start(META);
    fillSession(live);
    await live.journal.abandon();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, `${live.id}.lock`), JSON.stringify({ pid: Number(gone.stdout), nonce: 'gone' }));
    const store = new SessionStore({ dir });
    expect((await store.recoverable()).map((listing) => listing.id)).toEqual([live.id]);
  });

  it('after the machine restarted, a crashed session is offered back even if its pid now belongs to a living process', async () => {
    const before = { bootId: '0b0e8d1c-7d1f-4c5e-9f3a-1a2b3c4d5e6f', bootedAt: Date.UTC(2026, 10, 30, 8, 0, 0) };
    const dir = tempDir();
    const live = await new SessionStore({ dir, boot: before }).start(META);
    fillSession(live);
    await live.journal.abandon();
    // The lock names this very process, alive: the same start of the machine must leave it held.
    const lock = JSON.parse(readFileSync(path.join(dir, `${live.id}.lock`), 'utf8')) as { pid: number; boot: unknown };
    expect(lock.pid).toBe(process.pid);
    expect(lock.boot).toEqual(before);
    expect(await new SessionStore({ dir, boot: before, isAlive: () => true }).recoverable()).toEqual([]);
    // A later start of the machine (another boot id): that pid is someone else's now, and the session is offered.
    const after = { bootId: '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f', bootedAt: before.bootedAt + 3_600_000 };
    const store = new SessionStore({ dir, boot: after, isAlive: () => true });
    expect((await store.recoverable()).map((listing) => listing.id)).toEqual([live.id]);
    expect(existsSync(path.join(dir, `${live.id}.lock`))).toBe(false);
  });

  it('where the machine names no boot, a start more than five minutes apart is another boot; a clock set by less is not', async () => {
    const bootedAt = Date.UTC(2026, 10, 30, 8, 0, 0);
    const dir = tempDir();
    const live = await new SessionStore({ dir, boot: { bootedAt } }).start(META);
    fillSession(live);
    await live.journal.abandon();
    const held = new SessionStore({ dir, boot: { bootedAt: bootedAt + 2 * 60_000 }, isAlive: () => true });
    expect(await held.recoverable()).toEqual([]);
    const restarted = new SessionStore({ dir, boot: { bootedAt: bootedAt + 6 * 60_000 }, isAlive: () => true });
    expect((await restarted.recoverable()).map((listing) => listing.id)).toEqual([live.id]);
  });

  it('counts the hole a damaged record leaves in the source summary, as the exports mark it', async () => {
    const dir = tempDir();
    const live = await new SessionStore({ dir }).start(META);
    const marker = new TextEncoder().encode('SECOND-MARKER\r\n');
    live.append(dataEvent('c1', 'in', 0, new TextEncoder().encode('first\r\n'), 1));
    live.append(dataEvent('c1', 'in', 7, marker, 2));
    live.append(dataEvent('c1', 'in', 22, new TextEncoder().encode('third\r\n'), 3));
    await live.journal.abandon();
    const file = path.join(dir, `${live.id}.journal`);
    const bytes = readFileSync(file);
    const at = bytes.indexOf('SECOND-MARKER');
    bytes[at] = (bytes[at] as number) ^ 0x20;
    writeFileSync(file, bytes);
    const source = await new SessionStore({ dir, isAlive: () => false }).source(live.id);
    expect(source?.summary.connections[0]).toMatchObject({ bytesIn: 14, unsavedBytes: 15 });
    // The entries themselves are the journal's as read: the exports mark the hole on their way (markingGaps).
    const kinds: string[] = [];
    for await (const entry of source?.entries() ?? []) kinds.push(entry.kind);
    expect(kinds).not.toContain('unsaved');
  });

  it('putAway and opening for replay stop the offer; the session stays listed, across restarts', async () => {
    const dir = tempDir();
    const first = new SessionStore({ dir, now: steppingClock() });
    const a = await first.start(META);
    const b = await first.start(META);
    for (const live of [a, b]) {
      fillSession(live);
      await live.journal.abandon();
    }
    const store = new SessionStore({ dir, isAlive: () => false });
    expect((await store.recoverable()).map((listing) => listing.id)).toEqual([b.id, a.id]);
    await store.putAway(a.id);
    valueOf(await store.readPage(b.id, 0, 1000));
    expect(await store.recoverable()).toEqual([]);
    expect((await store.list()).map((listing) => [listing.id, listing.ending])).toEqual([
      [b.id, 'recovered'],
      [a.id, 'recovered'],
    ]);
    expect(await new SessionStore({ dir }).recoverable()).toEqual([]);
  });

  it('a damaged metadata file never hides a session: it is read again from the journal', async () => {
    const dir = tempDir();
    const store = new SessionStore({ dir });
    const live = await store.start(META);
    fillSession(live);
    await live.end();
    const [listing] = await store.list();
    writeFileSync(path.join(dir, `${live.id}.json`), '{"format":"socketlab-session","version":1,"id":');
    expect(await new SessionStore({ dir }).list()).toEqual([listing]);
    // And a sound metadata file is trusted: listing does not read the journal (garbage of the same size shows it).
    const file = path.join(dir, `${live.id}.journal`);
    writeFileSync(file, Buffer.alloc(statSync(file).size, 0x55));
    expect(await new SessionStore({ dir }).list()).toEqual([listing]);
  });

  it('removes a journal a crash left before its header was written, and ignores foreign files', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '0123456789abcdef0123.journal'), Buffer.from('SLJO'));
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    writeFileSync(path.join(dir, 'fedcba9876543210fedc.journal'), 'not a journal at all');
    const store = new SessionStore({ dir, isAlive: () => false });
    expect(await store.list()).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['fedcba9876543210fedc.journal', 'notes.txt']);
  });
});

describe('SessionStore: delete, pages, sources', () => {
  it('delete removes a finished session; unknown or malformed ids are NOT_FOUND', async () => {
    const dir = tempDir();
    const store = new SessionStore({ dir });
    const live = await store.start(META);
    expect(await store.delete(live.id)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await live.end();
    expect(await store.delete(live.id)).toEqual({ ok: true, value: null });
    expect(readdirSync(dir)).toEqual([]);
    expect(await store.list()).toEqual([]);
    for (const id of [live.id, '../../etc/passwd', '', 'ABCDEF0123456789ABCD']) {
      expect(await store.delete(id)).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.any(String) },
      });
    }
    expect(await store.source('nope')).toBeUndefined();
  });

  it('readPage pages cover every entry exactly once, in order, within the byte budget', async () => {
    const store = new SessionStore({ dir: tempDir() });
    const live = await store.start(META);
    let offset = 0;
    for (let i = 0; i < 300; i++) {
      if (i % 7 === 0) {
        live.append({ kind: 'progress', t: i, progress: { completed: [], current: null, predictions: {} } });
      } else {
        const bytes = patternBytes((i * 37) % 3000, i);
        live.append(dataEvent('c1', 'in', offset, bytes, i));
        offset += bytes.byteLength;
      }
    }
    await live.end();
    const all = await entriesOf(store, live.id);
    const paged: SessionEntry[] = [];
    let cursor: number | null = 0;
    let pages = 0;
    while (cursor !== null) {
      const page: ReplayPage = valueOf(await store.readPage(live.id, cursor, 10_000));
      const dataBytes = page.entries.reduce(
        (sum, entry) =>
          sum + (entry.kind === 'event' && entry.event.type === 'data' ? entry.event.bytes.byteLength : 0),
        0,
      );
      if (page.entries.length > 1) expect(dataBytes).toBeLessThanOrEqual(10_000);
      expect(page.entries.length).toBeGreaterThan(0);
      paged.push(...page.entries);
      cursor = page.next;
      pages += 1;
    }
    expect(pages).toBeGreaterThan(20);
    expect(comparable(paged)).toEqual(comparable(all));
    expect(all).toHaveLength(1 + 300 + 1);
    // A page past the end is empty and final; a bad cursor or budget is refused in plain words.
    expect(valueOf(await store.readPage(live.id, 10 ** 9, 100))).toEqual({ entries: [], next: null });
    expect(await store.readPage(live.id, -1, 100)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await store.readPage(live.id, 0, 0)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await store.readPage('0000000000000000beef', 0, 100)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('a live session reads as far as it has reached the disk, after a flush', async () => {
    const store = new SessionStore({ dir: tempDir() });
    const live = await store.start(META);
    fillSession(live, 10);
    const page = valueOf(await store.readPage(live.id, 0, 1 << 20));
    expect(page.next).toBeNull();
    expect(page.entries).toHaveLength(1 + 11);
    const source = await store.source(live.id);
    expect(source?.summary.bytes).toBe(1000);
    fillSession(live, 10);
    // The source holds to what was on disk when it was made; each pass reads the entries again.
    const passes: number[] = [];
    for (let pass = 0; pass < 2; pass++) {
      let count = 0;
      for await (const _entry of source!.entries()) count += 1;
      passes.push(count);
    }
    expect(passes).toEqual([12, 12]);
    expect((await entriesOf(store, live.id)).length).toBe(1 + 22);
    await live.end();
  });
});

describe('SessionStore: import', () => {
  async function* transcript(count: number, throwAt?: number): AsyncGenerator<SessionEntry> {
    yield startEntry('original-id');
    for (let i = 1; i <= count; i++) {
      if (i === throwAt) throw new Error('The transcript is cut off after entry 50.');
      yield dataEvent('c1', 'in', (i - 1) * 10, patternBytes(10, i), i);
    }
    yield { kind: 'end', t: count + 1 };
  }

  it('writes a transcript as a new imported session, with its file name, kept across a lost metadata file', async () => {
    const dir = tempDir();
    const store = new SessionStore({ dir });
    const result = await store.import('romeo.socketlab', transcript(100));
    const listing = valueOf(result);
    expect(listing).toMatchObject({ ending: 'imported', importedFrom: 'romeo.socketlab', bytes: 1000, connections: 1 });
    expect(listing.id).not.toBe('original-id');
    const entries = await entriesOf(store, listing.id);
    expect(entries[0]).toMatchObject({ kind: 'start', sessionId: listing.id });
    expect(comparable(entries.slice(1))).toEqual(comparable([...(await collect(transcript(100)))].slice(1)));
    // Only one 'end': the transcript's own.
    expect(entries.filter((entry) => entry.kind === 'end')).toHaveLength(1);
    // The journal's own header says it was imported, so even without its metadata it lists the same.
    writeFileSync(path.join(dir, `${listing.id}.json`), 'garbage');
    expect(await new SessionStore({ dir }).list()).toEqual([listing]);
  });

  it('is atomic: entries that throw halfway leave nothing behind', async () => {
    const dir = tempDir();
    const store = new SessionStore({ dir });
    const before = readdirSync(dir);
    const result = await store.import('cut.socketlab', transcript(100, 50));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BAD_FILE', message: expect.stringContaining('cut off after entry 50') },
    });
    expect(readdirSync(dir)).toEqual(before);
    expect(await store.list()).toEqual([]);
    // An error that carries its own plain words keeps them.
    const labError = { code: 'FILE_TOO_LARGE', message: 'That file is 2 GB.', hint: 'Open a smaller one.' };
    const own = await store.import(
      'huge.socketlab',
      (async function* () {
        yield startEntry();
        throw Object.assign(new Error('too large'), { labError });
      })(),
    );
    expect(own).toEqual({ ok: false, error: labError });
    const notStart = await store.import(
      'odd.socketlab',
      (async function* () {
        yield { kind: 'end', t: 0 } as SessionEntry;
      })(),
    );
    expect(notStart).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } });
    expect(readdirSync(dir)).toEqual(before);
  });
});

describe('SessionStore: caps and storage errors', () => {
  it('the total cap removes the oldest finished sessions first, never a live one', async () => {
    const dir = tempDir();
    const options = { dir, now: steppingClock(), maxSessionBytes: 3000, maxTotalBytes: 15_000 };
    const store = new SessionStore(options);
    const oldestLive = await store.start(META);
    fillSession(oldestLive, 20, 100);
    await oldestLive.journal.flush();
    const sizeOf = (id: string): number => statSync(path.join(dir, `${id}.journal`)).size;
    const sizes = new Map<string, number>();
    const finished: string[] = [];
    for (let i = 0; i < 3; i++) {
      const live = await store.start(META);
      fillSession(live, 20, 100);
      await live.end();
      finished.push(live.id);
      sizes.set(live.id, sizeOf(live.id));
    }
    sizes.set(oldestLive.id, sizeOf(oldestLive.id));
    const present = [oldestLive.id, ...finished].filter((id) => existsSync(path.join(dir, `${id}.journal`)));
    expect(await store.totalBytes()).toBe(present.reduce((sum, id) => sum + sizeOf(id), 0));
    const newest = await store.start(META);
    const ids = (await store.list()).map((listing) => listing.id);
    expect(ids).toContain(oldestLive.id);
    expect(ids).toContain(newest.id);
    // The finished ones that went are the oldest, in order; just enough went to leave room for one full session.
    const kept = finished.filter((id) => ids.includes(id));
    const removed = finished.filter((id) => !ids.includes(id));
    expect(removed.length).toBeGreaterThan(0);
    expect(kept.length).toBeGreaterThan(0);
    expect([...removed, ...kept]).toEqual(finished);
    const keptBytes = [oldestLive.id, ...kept].reduce((sum, id) => sum + (sizes.get(id) as number), 0);
    expect(keptBytes + 3000).toBeLessThanOrEqual(15_000);
    expect(keptBytes + (sizes.get(removed.at(-1) as string) as number) + 3000).toBeGreaterThan(15_000);
    await Promise.all([oldestLive.end(), newest.end()]);
  });

  it('a folder that cannot be made: init does not throw, start and import say why in plain words', async () => {
    const parent = tempDir();
    writeFileSync(path.join(parent, 'data'), 'a file where the folder should be');
    const dir = path.join(parent, 'data', 'sessions');
    const store = new SessionStore({ dir });
    await store.init();
    expect(store.problem).toMatchObject({ code: 'STORAGE', message: expect.stringContaining(dir) });
    const started = store.start(META);
    await expect(started).rejects.toBeInstanceOf(StorageError);
    await expect(started).rejects.toMatchObject({
      labError: { code: 'STORAGE', message: expect.stringContaining('is in the way'), detail: 'ENOTDIR' },
    });
    expect(await store.import('x.socketlab', (async function* () {})())).toMatchObject({
      ok: false,
      error: { code: 'STORAGE' },
    });
    expect(await store.list()).toEqual([]);
    expect(await store.totalBytes()).toBe(0);
    expect(readFileSync(path.join(parent, 'data'), 'utf8')).toBe('a file where the folder should be');
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
