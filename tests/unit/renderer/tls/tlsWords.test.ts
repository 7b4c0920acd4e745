/**
 * The words of the TLS screen: wire rows named from the records of a real TLS connection (the hub talking to the
 * lab TLS server on loopback), the tls row and the card, the words for plain bytes on port 443, and the switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionHub } from '../../../../src/main/core/connections/hub';
import { startLabServers, type LabServers } from '../../../../src/main/core/labServers';
import type { LabEvent, TlsRecordPiece } from '../../../../src/shared/contract';
import {
  directionOf,
  eventSummary,
  plainArrivalNote,
  recordWords,
  TLS_EXPECTED_CLOSE,
  tlsSummary,
  tlsVersionWords,
  wireSummary,
} from '../../../../src/renderer/src/lib/eventWords';
import {
  certificateDate,
  layerWords,
  tlsFacts,
  trustHeadline,
  trustReason,
} from '../../../../src/renderer/src/features/tls/tlsWords';
import { tlsDefaultFor, WorkbenchState } from '../../../../src/renderer/src/features/workbench/workbenchState.svelte';
import { TEMPLATES, templateTarget } from '../../../../src/renderer/src/features/workbench/templates';
import { tlsAlertRecord } from '../../../../src/shared/tlsRecords';

const REQUEST = Buffer.from('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n', 'latin1');

let servers: LabServers;
const events: LabEvent[] = [];

async function until(condition: () => boolean): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function exchange(hub: ConnectionHub, tls: boolean): Promise<string> {
  const opened = hub.connect({ host: 'data.pr4e.org', port: 443, route: 'lab', timeoutMs: 5000, tls });
  if (!opened.ok) throw new Error(opened.error.message);
  const id = opened.value.id;
  await until(() => events.some((e) => e.id === id && (e.type === (tls ? 'tls' : 'connected') || e.type === 'closed')));
  hub.send(id, REQUEST);
  // The lab answers HTTP/1.0 and sends FIN (TLS), or an alert and closes (plain): then the learner's Close.
  await until(() => events.some((e) => e.id === id && (e.type === 'peer-ended' || e.type === 'closed')));
  if (!events.some((e) => e.id === id && e.type === 'closed')) hub.close(id);
  await until(() => events.some((e) => e.id === id && e.type === 'closed'));
  return id;
}

let hub: ConnectionHub;
let secureId = '';
let plainId = '';

beforeAll(async () => {
  servers = await startLabServers({ host: '127.0.0.1' });
  const lab = servers.info().find((info) => info.kind === 'https')?.certificate?.sha256;
  hub = new ConnectionHub({
    emit: (event) => events.push(event),
    route: (h, p) => servers.route(h, p),
    labCertificates: () => (lab ? [lab] : []),
  });
  secureId = await exchange(hub, true);
  plainId = await exchange(hub, false);
});

afterAll(async () => {
  hub.dispose();
  await servers.stop();
});

function wireRows(id: string, dir: 'in' | 'out'): string[] {
  return events.flatMap((e) => (e.id === id && e.type === 'wire' && e.dir === dir ? [wireSummary(e.records)] : []));
}

describe('wire rows of a real TLS connection', () => {
  it('name the handshake messages, the record types and versions, in both directions', () => {
    const sent = wireRows(secureId, 'out');
    const received = wireRows(secureId, 'in');
    expect(sent[0]).toMatch(/^Handshake ClientHello \(TLS 1\.[02] record, \d+ bytes\)$/);
    expect(received.join(' · ')).toMatch(/Handshake ServerHello \(TLS 1\.2 record, \d+ bytes\)/);
    expect(received.join(' · ')).toMatch(/Application data, encrypted \(TLS 1\.2 record, \d+ bytes\)/);
    expect(sent.join(' · ')).toMatch(/Application data, encrypted/);
    // Wire rows have a direction, like the data rows.
    const wire = events.find((e) => e.id === secureId && e.type === 'wire');
    expect(wire && directionOf(wire)).toEqual({ arrow: '→', words: 'sent' });
  });

  it('the tls row says the version, the cipher and why the lab’s certificate is not trusted', () => {
    const tls = events.find((e) => e.id === secureId && e.type === 'tls');
    if (tls?.type !== 'tls') throw new Error('no tls event');
    const words = eventSummary(tls);
    expect(words).toBe(tlsSummary(tls));
    expect(words).toMatch(
      /^TLS 1\.3 agreed in \d[\d.]* (ms|s), cipher TLS_AES_(256_GCM_SHA384|128_GCM_SHA256|CHACHA20_POLY1305_SHA256), speaking http\/1\.1 inside; certificate not trusted: made by Socket Lab/,
    );
  });

  it('the card lists version, cipher, subject, issuer, dates and the fingerprint, and says why not trusted', () => {
    const tls = events.find((e) => e.id === secureId && e.type === 'tls');
    if (tls?.type !== 'tls') throw new Error('no tls event');
    const facts = Object.fromEntries(tlsFacts(tls).map((fact) => [fact.term, fact]));
    expect(facts['Version']?.value).toBe('TLS 1.3');
    expect(facts['Cipher']?.value).toBe(tls.cipher);
    expect(facts['Subject']?.value).toContain('CN=data.pr4e.org');
    expect(facts['Issuer']?.note).toBe('the same as the subject: it signed itself');
    expect(facts['Valid from']?.value).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
    expect(facts['SHA-256 fingerprint']?.value).toBe(
      servers.info().find((i) => i.kind === 'https')?.certificate?.sha256,
    );
    expect(facts['SHA-256 fingerprint']?.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(trustHeadline(tls.trust)).toBe('Not trusted (the lab’s own certificate)');
    expect(trustReason(tls.trust)).toMatch(/^Made by Socket Lab for this computer; no authority vouches for it/);
  });
});

describe('plain bytes on port 443', () => {
  it('the arrival is the 7-byte TLS alert, and its row says this port expects TLS first', () => {
    const arrival = events.find((e) => e.id === plainId && e.type === 'data' && e.dir === 'in');
    if (!arrival) throw new Error('nothing arrived');
    expect(arrival.type === 'data' && Array.from(arrival.bytes)).toEqual(Array.from(tlsAlertRecord(10)));
    expect(plainArrivalNote(arrival, false)).toBe(
      'A TLS alert (fatal unexpected_message), not HTTP: this port expects TLS first. Switch TLS on and connect again.',
    );
    // The same bytes inside TLS, or later in a stream, are not that.
    expect(plainArrivalNote(arrival, true)).toBeNull();
    expect(plainArrivalNote({ ...arrival, offset: 5 } as LabEvent, false)).toBeNull();
  });

  it('the error says it too, and the close says what to do', () => {
    const error = events.find((e) => e.id === plainId && e.type === 'error');
    expect(error?.type === 'error' && error.code).toBe('TLS_EXPECTED');
    expect(error && eventSummary(error)).toMatch(/this port expects TLS first/);
    const closed = events.find((e) => e.id === plainId && e.type === 'closed');
    if (!closed) throw new Error('not closed');
    const order = { localEndedIndex: null, peerEndedIndex: null, finByClose: false };
    expect(eventSummary(closed, { ...order, error: { code: 'TLS_EXPECTED' } })).toBe(TLS_EXPECTED_CLOSE);
    expect(eventSummary(closed, order)).toBe('Closed because of the error above');
  });
});

describe('record words', () => {
  const piece = (more: Partial<TlsRecordPiece>): TlsRecordPiece => ({
    recordOffset: 0,
    start: 0,
    length: 100,
    at: 0,
    contentType: 'handshake',
    version: 'TLS 1.2',
    payloadLength: 95,
    complete: true,
    encrypted: false,
    ...more,
  });

  it('say when a record is split across reads, and which part this read holds', () => {
    expect(recordWords(piece({ complete: false, handshake: ['Certificate'] }))).toBe(
      'Handshake Certificate (TLS 1.2 record, 95 bytes, continues in the next read)',
    );
    expect(recordWords(piece({ at: 40, length: 60 }))).toBe(
      'Handshake (TLS 1.2 record, 95 bytes, rest of a record begun in an earlier read: 60 bytes here)',
    );
    // A header cut after 2 bytes: the length is not known yet.
    expect(recordWords(piece({ version: null, payloadLength: null, complete: false, length: 2 }))).toBe(
      'Handshake (continues in the next read)',
    );
  });

  it('name change cipher spec, alerts (readable or not) and bytes that are not TLS', () => {
    expect(recordWords(piece({ contentType: 'change-cipher-spec', payloadLength: 1 }))).toBe(
      'Change cipher spec (TLS 1.2 record, 1 byte)',
    );
    expect(
      recordWords(
        piece({
          contentType: 'alert',
          payloadLength: 2,
          alert: { level: 'fatal', description: 'bad_record_mac', code: 20 },
        }),
      ),
    ).toBe('Alert: fatal bad_record_mac (TLS 1.2 record, 2 bytes)');
    expect(recordWords(piece({ contentType: 'alert', encrypted: true, payloadLength: 19 }))).toBe(
      'Alert, encrypted (TLS 1.2 record, 19 bytes)',
    );
    expect(recordWords(piece({ contentType: 'not-tls', version: null, payloadLength: null, complete: false }))).toBe(
      'Not TLS: these bytes cannot start a TLS record',
    );
    expect(
      wireSummary([
        piece({ handshake: ['ServerHello'] }),
        piece({ contentType: 'change-cipher-spec', payloadLength: 1 }),
      ]),
    ).toBe('Handshake ServerHello (TLS 1.2 record, 95 bytes) · Change cipher spec (TLS 1.2 record, 1 byte)');
  });

  it('write versions and dates as people do', () => {
    expect(tlsVersionWords('TLSv1.3')).toBe('TLS 1.3');
    expect(tlsVersionWords('TLSv1')).toBe('TLS 1.0');
    expect(tlsVersionWords('unknown')).toBe('unknown');
    expect(certificateDate('2026-12-01T08:05:00.000Z')).toBe('1 Dec 2026, 08:05 UTC');
    expect(certificateDate('Dec  1 08:00:00 2026 GMT')).toBe('Dec  1 08:00:00 2026 GMT');
    expect(layerWords({ wireBytesIn: 2048, wireBytesOut: 600 }, 400, 47)).toBe(
      'On the wire: 600 bytes sent, 2.0 KiB received. Inside TLS: 47 bytes sent, 400 bytes received.',
    );
  });
});

describe('the TLS switch', () => {
  const servers443 = [
    { kind: 'https', name: 'Lab HTTPS server', host: '127.0.0.1', port: 40443, mirrors: ['data.pr4e.org:443'] },
    { kind: 'http', name: 'Lab HTTP server', host: '127.0.0.1', port: 40080, mirrors: ['data.pr4e.org:80'] },
  ] as const;

  it('is on for port 443 and off for any other, following the port as it is typed', () => {
    expect(tlsDefaultFor('443')).toBe(true);
    expect(tlsDefaultFor(' 443 ')).toBe(true);
    expect(tlsDefaultFor('80')).toBe(false);
    expect(tlsDefaultFor('4430')).toBe(false);
    const bench = new WorkbenchState();
    expect(bench.tls).toBe(false);
    bench.port = '443';
    expect(bench.tls).toBe(true);
    expect(bench.tlsFollowsPort).toBe(true);
    bench.port = '80';
    expect(bench.tls).toBe(false);
  });

  it('stays where the learner put it when the port changes, until a template or target hands it back', () => {
    const bench = new WorkbenchState(() => servers443.map((server) => ({ ...server, mirrors: [...server.mirrors] })));
    bench.port = '443';
    bench.tls = false;
    bench.port = '8443';
    bench.port = '443';
    expect(bench.tls).toBe(false);
    expect(bench.tlsFollowsPort).toBe(false);
    bench.followTemplateTarget('https-romeo');
    expect(bench.port).toBe('443');
    expect(bench.tls).toBe(true);
    bench.tls = true;
    bench.useTarget({ host: 'data.pr4e.org', port: '80' });
    expect(bench.tls).toBe(false);
  });

  it('the template that names 443 goes to the lab HTTPS server', () => {
    const template = TEMPLATES.find((entry) => entry.id === 'https-romeo');
    expect(template?.server).toBe('https');
    expect(
      templateTarget(
        template!,
        servers443.map((server) => ({ ...server, mirrors: [...server.mirrors] })),
      ),
    ).toEqual({
      host: 'data.pr4e.org',
      port: '443',
    });
  });
});
