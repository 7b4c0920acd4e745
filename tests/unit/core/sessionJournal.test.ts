/**
 * A lab session and its journal, wired together as both transports use them: what happens is kept, a full journal
 * is said in the log while the connection goes on, a file handed over in pieces becomes a session, and a session
 * that cannot be kept still runs and says why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveredEvent, EventBatch } from '../../../src/shared/contract';
import { fail, type Result } from '../../../src/shared/errors';
import type { SessionEntry, SessionListing } from '../../../src/shared/transcript';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import type { LabSession, SessionFiles } from '../../../src/main/core/session';
import { eventWaits } from '../eventWaits';
import { startServer } from './connections/loopback';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const noFiles: SessionFiles = {
  save: async () => fail('UNKNOWN_COMMAND', 'not in this test', ''),
  open: async () => fail('UNKNOWN_COMMAND', 'not in this test', ''),
};

async function labApp(options: { maxSessionBytes?: number; dataDir?: string } = {}): Promise<LabApp> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'socket-lab-session-'));
  const app = await startLabApp({
    appVersion: '9.9.9',
    runtime: { node: process.versions.node },
    dataDir,
    ...(options.maxSessionBytes !== undefined && { journal: { maxSessionBytes: options.maxSessionBytes } }),
  });
  cleanups.push(async () => {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return app;
}

/** A session whose batches are acknowledged at once, with every delivered event kept, and a wait on them. */
async function session(app: LabApp): Promise<{
  lab: LabSession;
  events: DeliveredEvent[];
  /** Resolves once `check` holds, checked again as each batch is delivered; fails after 10 s. */
  until: (check: () => boolean, what: string) => Promise<void>;
}> {
  const events: DeliveredEvent[] = [];
  const waits = eventWaits();
  // Batches may come before createSession resolves; they are acknowledged once the session is there.
  const made: { session?: LabSession } = {};
  made.session = await app.createSession(
    'web',
    (batch: EventBatch) => {
      events.push(...batch.events);
      void made.session?.commands.ackEvents(batch.seq);
      waits.wake();
    },
    noFiles,
  );
  const lab = made.session;
  cleanups.push(() => lab.dispose());
  return { lab, events, until: (check, what) => waits.until(check, what) };
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function entriesOf(app: LabApp, id: string): Promise<SessionEntry[]> {
  const source = await app.sessions.source(id);
  if (!source) throw new Error(`no session ${id}`);
  const entries: SessionEntry[] = [];
  for await (const entry of source.entries()) entries.push(entry);
  return entries;
}

describe('a session and its journal', () => {
  it('keeps every event with its bytes, the progress and slow mode, on the same clock as the events', async () => {
    const app = await labApp();
    const { lab, events, until } = await session(app);
    const id = value(await lab.commands.hello()).sessionId as string;
    const echo = await startServer((socket) => socket.pipe(socket));
    cleanups.push(() => echo.close());
    const { id: conn } = value(await lab.commands.connect({ host: '127.0.0.1', port: echo.port }));
    await until(() => events.some((event) => event.type === 'connected'), 'connected');
    value(await lab.commands.send(conn, new TextEncoder().encode('hello\r\n')));
    await until(() => events.some((event) => event.type === 'data' && event.dir === 'in'), 'the echo');
    value(await lab.commands.setSlowMode({ bytesPerSecond: 100, writeSize: 10 }));
    value(await lab.commands.setSlowMode(null));
    value(await lab.commands.saveProgress({ completed: ['reliable-pipe'], current: 'ports', predictions: {} }));

    const kept = await entriesOf(app, id);
    expect(kept[0]).toMatchObject({ kind: 'start', sessionId: id, appVersion: '9.9.9', transport: 'web' });
    const keptEvents = kept.flatMap((entry) => (entry.kind === 'event' ? [entry.event] : []));
    expect(keptEvents.map((event) => event.type)).toEqual(events.map((event) => event.type));
    expect(keptEvents.map((event) => event.t)).toEqual(events.map((event) => event.t));
    const echoed = keptEvents.find((event) => event.type === 'data' && event.dir === 'in');
    expect(echoed && echoed.type === 'data' && new TextDecoder().decode(echoed.bytes)).toBe('hello\r\n');
    expect(
      kept.filter((entry) => entry.kind === 'slow-mode').map((entry) => entry.kind === 'slow-mode' && entry.slow),
    ).toEqual([{ bytesPerSecond: 100, writeSize: 10 }, null]);
    expect(kept.filter((entry) => entry.kind === 'progress').at(-1)).toMatchObject({
      progress: { completed: ['reliable-pipe'], current: 'ports' },
    });
    // Every entry's time is on the session clock: none before the start, none out of order.
    const times = kept.map((entry) => entry.t);
    expect(times.every((t, i) => t >= 0 && (i === 0 || t >= (times[i - 1] as number) - 0.001))).toBe(true);
  });

  it('says "journal full" once in the log when the cap is reached, and the connection goes on', async () => {
    const app = await labApp({ maxSessionBytes: 64 * 1024 });
    const { lab, events, until } = await session(app);
    const id = value(await lab.commands.hello()).sessionId as string;
    const block = Buffer.alloc(32 * 1024, 0x61);
    const sender = await startServer((socket) => {
      socket.on('data', () => undefined);
      for (let i = 0; i < 8; i++) socket.write(block);
      socket.end();
    });
    cleanups.push(() => sender.close());
    value(await lab.commands.connect({ host: '127.0.0.1', port: sender.port }));
    await until(() => events.some((event) => event.type === 'peer-ended'), 'the whole stream');
    const received = events.reduce(
      (sum, event) => sum + (event.type === 'data' && event.dir === 'in' ? event.bytes.byteLength : 0),
      0,
    );
    expect(received).toBe(8 * block.byteLength);
    const full = events.filter((event) => event.type === 'journal-full');
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ limitBytes: 64 * 1024 });

    const kept = await entriesOf(app, id);
    expect(kept.filter((entry) => entry.kind === 'journal-full')).toHaveLength(1);
    const unsaved = kept.reduce((sum, entry) => sum + (entry.kind === 'unsaved' ? entry.length : 0), 0);
    const saved = kept.reduce(
      (sum, entry) => sum + (entry.kind === 'event' && entry.event.type === 'data' ? entry.event.bytes.byteLength : 0),
      0,
    );
    expect(saved + unsaved).toBe(8 * block.byteLength);
    expect(kept.some((entry) => entry.kind === 'event' && entry.event.type === 'peer-ended')).toBe(true);
  });

  it('turns a transcript handed over in pieces into a session, and refuses a bad one without leaving anything', async () => {
    const app = await labApp();
    const { lab } = await session(app);
    const id = value(await lab.commands.hello()).sessionId as string;
    const exported = value(await app.transcripts.export(id, 'socketlab'));
    const pieces: Uint8Array[] = [];
    for await (const chunk of exported.chunks) pieces.push(chunk);
    const file = Buffer.concat(pieces);

    const { importId } = value(await lab.commands.beginImport('dropped.socketlab', file.byteLength));
    for (let at = 0; at < file.byteLength; at += 100) {
      value(await lab.commands.importChunk(importId, file.subarray(at, at + 100)));
    }
    const listing: SessionListing = value(await lab.commands.finishImport(importId));
    expect(listing).toMatchObject({ ending: 'imported', importedFrom: 'dropped.socketlab' });
    const before = value(await lab.commands.listSessions()).length;

    const bad = value(await lab.commands.beginImport('broken.socketlab', 10));
    value(await lab.commands.importChunk(bad.importId, new TextEncoder().encode('{"format":')));
    const refused = await lab.commands.finishImport(bad.importId);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } });
    expect(value(await lab.commands.listSessions())).toHaveLength(before);
    // More than the announced size is refused, and the import is over.
    const small = value(await lab.commands.beginImport('small.socketlab', 4));
    expect(await lab.commands.importChunk(small.importId, new Uint8Array(5))).toMatchObject({ ok: false });
    expect(await lab.commands.finishImport(small.importId)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('runs unsaved when the data folder cannot be written, and hello says why in plain words', async () => {
    // A file where the sessions folder should be stops root too (permissions would not: tests run as root here).
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-blocked-'));
    writeFileSync(path.join(dataDir, 'sessions'), 'a file where the folder should be');
    const app = await labApp({ dataDir });
    const { lab, events, until } = await session(app);
    const hello = value(await lab.commands.hello());
    expect(hello.sessionId).toBeNull();
    expect(hello.journalProblem?.code).toBe('STORAGE');
    expect(hello.journalProblem?.message).toContain(path.join(dataDir, 'sessions'));
    const echo = await startServer((socket) => socket.pipe(socket));
    cleanups.push(() => echo.close());
    value(await lab.commands.connect({ host: '127.0.0.1', port: echo.port }));
    await until(() => events.some((event) => event.type === 'connected'), 'connected');
    expect(readFileSync(path.join(dataDir, 'sessions'), 'utf8')).toBe('a file where the folder should be');
  });
});
