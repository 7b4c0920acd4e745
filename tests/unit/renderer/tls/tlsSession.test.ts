/** The store's view of a TLS connection: its TLS facts, wire bytes counted apart, and rows with or without the wire. */
import { describe, expect, it } from 'vitest';
import { LabSessionStore } from '../../../../src/renderer/src/features/session/labSession.svelte';
import type { Clock } from '../../../../src/renderer/src/features/session/redrawClock';
import type { LabEvent, TlsRecordPiece } from '../../../../src/shared/contract';
import type { SessionEntry } from '../../../../src/shared/transcript';

/** A clock whose timers run when the test says so. */
function handClock(): { clock: Clock; runTimers: () => void } {
  let timers: (() => void)[] = [];
  return {
    clock: {
      now: () => 0,
      setTimeout: (run) => {
        timers.push(run);
        return run;
      },
      clearTimeout: (handle) => {
        timers = timers.filter((timer) => timer !== handle);
      },
    },
    runTimers: () => {
      const due = timers;
      timers = [];
      for (const run of due) run();
    },
  };
}

const record = (length: number, more: Partial<TlsRecordPiece> = {}): TlsRecordPiece => ({
  recordOffset: 0,
  start: 0,
  length,
  at: 0,
  contentType: 'application-data',
  version: 'TLS 1.2',
  payloadLength: length - 5,
  complete: true,
  encrypted: true,
  ...more,
});

const id = 'c1';
const endpoint = { address: '127.0.0.1', port: 40443, family: 'IPv4' } as const;
const EVENTS: LabEvent[] = [
  { id, t: 0, type: 'resolving', host: 'data.pr4e.org', port: 443, route: 'lab', tls: true },
  { id, t: 1, type: 'connected', local: endpoint, remote: endpoint, route: 'lab', elapsedMs: 1 },
  {
    id,
    t: 2,
    type: 'wire',
    dir: 'out',
    offset: 0,
    bytes: new Uint8Array(300),
    records: [record(300, { contentType: 'handshake', encrypted: false, handshake: ['ClientHello'] })],
  },
  { id, t: 3, type: 'wire', dir: 'in', offset: 0, bytes: new Uint8Array(900), records: [record(900)] },
  {
    id,
    t: 4,
    type: 'tls',
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    cipherOpenSsl: 'TLS_AES_256_GCM_SHA384',
    alpn: 'http/1.1',
    serverName: 'data.pr4e.org',
    certificate: null,
    trust: { trusted: false, labCertificate: true, why: 'Not trusted: made by Socket Lab.' },
    handshakeMs: 3,
  },
  { id, t: 5, type: 'wire', dir: 'out', offset: 300, bytes: new Uint8Array(69), records: [record(69)] },
  { id, t: 5, type: 'data', dir: 'out', offset: 0, bytes: new Uint8Array(47) },
  { id, t: 6, type: 'wire', dir: 'in', offset: 900, bytes: new Uint8Array(600), records: [record(600)] },
  { id, t: 6, type: 'data', dir: 'in', offset: 0, bytes: new Uint8Array(535) },
];

function replayed(keptBytes = 1 << 20): LabSessionStore {
  const { clock, runTimers } = handClock();
  const store = LabSessionStore.forReplay({ clock, keptBytes });
  store.replay(EVENTS.map((event): SessionEntry => ({ kind: 'event', t: event.t, event })));
  runTimers();
  return store;
}

describe('the store with a TLS connection', () => {
  it('knows it is TLS, what the handshake agreed, and counts wire bytes apart from the plain ones', () => {
    const view = replayed().connection(id);
    expect(view?.bytesOut).toBe(47);
    expect(view?.bytesIn).toBe(535);
    expect(view?.tls?.wireBytesOut).toBe(369);
    expect(view?.tls?.wireBytesIn).toBe(1500);
    expect(view?.tls?.session?.protocol).toBe('TLSv1.3');
    expect(view?.tls?.session?.trust.labCertificate).toBe(true);
  });

  it('keeps wire bytes within the same bound as the plain bytes', () => {
    const store = replayed(1000);
    expect(store.keptBytes).toBeLessThanOrEqual(1000);
    expect(store.keptBytes + store.droppedBytes).toBe(369 + 1500 + 47 + 535);
  });

  it('gives rows with and without the TLS records on the wire, for one connection or all', () => {
    const store = replayed();
    const kinds = (rows: ReturnType<LabSessionStore['rows']>): string[] =>
      Array.from({ length: rows.count }, (_, row) => store.eventAt(rows.eventAt(row))?.type ?? '?');
    expect(kinds(store.rows(null))).toEqual(EVENTS.map((event) => event.type));
    const plain = ['resolving', 'connected', 'tls', 'data', 'data'];
    expect(kinds(store.rows(null, { wire: false }))).toEqual(plain);
    expect(kinds(store.rows(id, { wire: false }))).toEqual(plain);
    expect(kinds(store.rows(id))).toEqual(EVENTS.map((event) => event.type));
  });
});
