/**
 * A TLS session's whole journey through the lab app, as a learner makes it: romeo.txt over TLS from the lab TLS
 * server, kept in the journal, saved as .socketlab, opened again as a session, and that session's entries (the
 * records on the wire among them, worked out again from the bytes) and its .txt and .py are those of the original.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabApp, type LabApp } from '../../../../src/main/core/labApp';
import type { LabSession, SessionFiles } from '../../../../src/main/core/session';
import type { DeliveredEvent, EventBatch, LabEvent } from '../../../../src/shared/contract';
import { fail, type Result } from '../../../../src/shared/errors';
import type { ExportFormat, SessionEntry } from '../../../../src/shared/transcript';
import { ROMEO_REQUEST } from './labSession';

const noFiles: SessionFiles = {
  save: async () => fail('UNKNOWN_COMMAND', 'not in this test', ''),
  open: async () => fail('UNKNOWN_COMMAND', 'not in this test', ''),
};

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

let dataDir: string;
let app: LabApp;
let lab: LabSession;
const events: DeliveredEvent[] = [];
const waiters: Array<{ type: LabEvent['type']; resolve: () => void }> = [];

/** Resolves once an event of this type has come (or already had). */
function arrived(type: LabEvent['type']): Promise<void> {
  if (events.some((event) => event.type === type)) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ type, resolve }));
}

async function exported(id: string, format: ExportFormat): Promise<Buffer> {
  const file = value(await app.transcripts.export(id, format));
  const pieces: Uint8Array[] = [];
  for await (const piece of file.chunks) pieces.push(piece);
  return Buffer.concat(pieces);
}

async function entriesOf(id: string): Promise<SessionEntry[]> {
  const source = await app.sessions.source(id);
  if (!source) throw new Error(`no session ${id}`);
  const entries: SessionEntry[] = [];
  for await (const entry of source.entries()) entries.push(entry);
  return entries;
}

let originalId: string;
let importedId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-tls-journey-'));
  app = await startLabApp({ appVersion: '9.9.9', runtime: { node: process.versions.node }, dataDir });
  const made: { session?: LabSession } = {};
  made.session = await app.createSession(
    'web',
    (batch: EventBatch) => {
      events.push(...batch.events);
      for (const waiter of waiters.splice(0)) {
        if (batch.events.some((event) => event.type === waiter.type)) waiter.resolve();
        else waiters.push(waiter);
      }
      void made.session?.commands.ackEvents(batch.seq);
    },
    noFiles,
  );
  lab = made.session;
  originalId = value(await lab.commands.hello()).sessionId as string;
  const { id } = value(await lab.commands.connect({ host: 'data.pr4e.org', port: 443, tls: true }));
  await arrived('tls');
  value(await lab.commands.send(id, new TextEncoder().encode(ROMEO_REQUEST)));
  await arrived('peer-ended');
  value(await lab.commands.close(id));
  await arrived('closed');

  const file = await exported(originalId, 'socketlab');
  const { importId } = value(await lab.commands.beginImport('romeo-tls.socketlab', file.byteLength));
  for (let at = 0; at < file.byteLength; at += 1000) {
    value(await lab.commands.importChunk(importId, file.subarray(at, at + 1000)));
  }
  importedId = value(await lab.commands.finishImport(importId)).id;
}, 30_000);

afterAll(async () => {
  lab.dispose();
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a TLS session saved as .socketlab and opened again', () => {
  it('has the same events, records on the wire and all', async () => {
    const original = (await entriesOf(originalId)).filter((entry) => entry.kind === 'event');
    const reopened = (await entriesOf(importedId)).filter((entry) => entry.kind === 'event');
    expect(original.some((entry) => entry.kind === 'event' && entry.event.type === 'tls')).toBe(true);
    const wire = original.flatMap((entry) =>
      entry.kind === 'event' && entry.event.type === 'wire' ? [entry.event] : [],
    );
    expect(wire.flatMap((event) => event.records.flatMap((record) => record.handshake ?? []))).toEqual(
      expect.arrayContaining(['ClientHello', 'ServerHello']),
    );
    expect(reopened).toEqual(original);
  });

  it('gives the same .txt and .py as the session it was saved from', async () => {
    // All but the last line, which says how the session ended: still running, or opened from a file.
    const body = (text: string): string =>
      text.slice(text.indexOf('#1 asked for'), text.indexOf('-- the transcript ends'));
    const txt = (await exported(originalId, 'txt')).toString('utf8');
    expect(txt).toContain('TLS< handshake record, TLS 1.2, ');
    expect(body((await exported(importedId, 'txt')).toString('utf8'))).toBe(body(txt));
    const block = (text: string): string => text.slice(text.indexOf('# --- Connection #1'));
    const py = (await exported(originalId, 'py')).toString('utf8');
    expect(py).toContain('ctx.wrap_socket(mysock, server_hostname=');
    expect(block((await exported(importedId, 'py')).toString('utf8'))).toBe(block(py));
  });
});
