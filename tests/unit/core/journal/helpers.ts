/** Test helpers for the journal: temporary folders, one entry of every kind, and reading a journal back whole. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { LabEvent } from '../../../../src/shared/contract';
import type { SessionEntry } from '../../../../src/shared/transcript';
import {
  newReadStats,
  readJournal,
  readJournalRecords,
  type FullReadStats,
  type JournalRecord,
} from '../../../../src/main/core/journal';

const dirs: string[] = [];

/** A fresh folder under the system's temporary folder, removed after each test. */
export function tempDir(prefix = 'socket-lab-journal-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function startEntry(sessionId = 'test-session'): SessionEntry {
  return {
    kind: 'start',
    t: 0,
    sessionId,
    startedAt: Date.UTC(2026, 10, 30, 14, 2, 0),
    appVersion: '0.1.0',
    transport: 'web',
    platform: 'linux',
  };
}

export function dataEvent(id: string, dir: 'in' | 'out', offset: number, bytes: Uint8Array, t: number): SessionEntry {
  return { kind: 'event', t, event: { id, t, type: 'data', dir, offset, bytes } };
}

/** Bytes 0..255 repeating, offset by `seed`, so two arrays of one length still differ. */
export function patternBytes(length: number, seed = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/** One entry of every kind, and an event of every type, with unicode in the strings and empty and 1 MiB bytes. */
export function everyKind(): SessionEntry[] {
  const id = 'c0ffee-1';
  const events: LabEvent[] = [
    { id, t: 1.25, type: 'resolving', host: 'data.pr4e.org', port: 80, route: 'lab' },
    { id, t: 2.5, type: 'resolved', addresses: ['127.0.0.1', '::1'], chosen: '127.0.0.1' },
    { id, t: 3, type: 'connecting', address: '127.0.0.1', port: 8080, route: 'lab', answeredBy: 'Lab HTTP server' },
    {
      id,
      t: 4.125,
      type: 'connected',
      local: { address: '127.0.0.1', port: 50123, family: 'IPv4' },
      remote: { address: '127.0.0.1', port: 8080, family: 'IPv4' },
      route: 'lab',
      answeredBy: 'Lab HTTP server (stands in for data.pr4e.org) — «ünïcödé» 🐍',
      elapsedMs: 1.5,
    },
    {
      id,
      t: 5,
      type: 'data',
      dir: 'out',
      offset: 0,
      bytes: new TextEncoder().encode('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'),
    },
    { id, t: 6, type: 'data', dir: 'in', offset: 0, bytes: new Uint8Array(0) },
    { id, t: 7, type: 'data', dir: 'in', offset: 0, bytes: patternBytes(1024 * 1024, 7) },
    { id, t: 8, type: 'local-ended' },
    { id, t: 9, type: 'peer-ended' },
    { id, t: 10, type: 'closed', by: 'peer' },
    {
      id: 'c0ffee-2',
      t: 11,
      type: 'error',
      code: 'ECONNREFUSED',
      message: 'Nothing answered on port 1: connection refused — 拒绝',
      hint: 'Check the port.',
      detail: 'connect ECONNREFUSED 127.0.0.1:1',
    },
  ];
  return [
    startEntry(),
    ...events.map((event): SessionEntry => ({ kind: 'event', t: event.t, event })),
    { kind: 'unsaved', t: 12, id, dir: 'in', offset: 1024 * 1024, length: 65536 },
    { kind: 'journal-full', t: 12, limitBytes: 256 * 1024 * 1024 },
    { kind: 'slow-mode', t: 13, slow: { bytesPerSecond: 100, writeSize: 10 } },
    { kind: 'slow-mode', t: 14, slow: null },
    {
      kind: 'progress',
      t: 15,
      progress: {
        completed: ['reliable-pipe'],
        current: 'ports',
        predictions: { 'headers-body': 'Content-Length: 167 ✓' },
      },
    },
    { kind: 'end', t: 16 },
  ];
}

/**
 * Entries in a form toEqual compares quickly (vitest walks a typed array element by element: seconds for 1 MiB):
 * each data event's bytes as base64, after checking they are a Uint8Array.
 */
export function comparable(entries: readonly SessionEntry[]): unknown[] {
  return entries.map((entry) => {
    if (entry.kind !== 'event' || entry.event.type !== 'data') return entry;
    if (!(entry.event.bytes instanceof Uint8Array)) throw new Error('data bytes are not a Uint8Array');
    const bytes = Buffer.from(entry.event.bytes.buffer, entry.event.bytes.byteOffset, entry.event.bytes.byteLength);
    return { ...entry, event: { ...entry.event, bytes: `${bytes.byteLength}:${bytes.toString('base64')}` } };
  });
}

export async function readAll(file: string): Promise<{ entries: SessionEntry[]; stats: FullReadStats }> {
  const stats = newReadStats();
  const entries: SessionEntry[] = [];
  for await (const entry of readJournal(file, stats)) entries.push(entry);
  return { entries, stats };
}

export async function readRecords(file: string): Promise<{ records: JournalRecord[]; stats: FullReadStats }> {
  const stats = newReadStats();
  const records: JournalRecord[] = [];
  for await (const record of readJournalRecords(file, { stats })) records.push(record);
  return { records, stats };
}
