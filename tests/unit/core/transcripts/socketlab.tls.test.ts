/**
 * The .socketlab reader and a TLS connection: its wire events' records are worked out from the bytes (whatever the
 * file says), the plain and wire streams are checked apart, and every fact of the `tls` event is checked, each
 * refusal in plain words.
 */
import { describe, expect, it } from 'vitest';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { memorySource } from '../../../../src/main/core/transcripts/source';
import type { LabEvent, TlsSessionInfo } from '../../../../src/shared/contract';
import { TlsRecordSplitter } from '../../../../src/shared/tlsRecords';
import { summarize, type SessionEntry } from '../../../../src/shared/transcript';
import { exportToBuffer, readBack } from './socketlabSessions';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const record = (type: number, version: number, payload: number[]): number[] => [
  type,
  version >> 8,
  version & 0xff,
  payload.length >> 8,
  payload.length & 0xff,
  ...payload,
];
const handshake = (type: number, body: number[]): number[] => [type, 0, body.length >> 8, body.length & 0xff, ...body];
/** A ServerHello that selects TLS 1.3 in supported_versions, as a real one does. */
const serverHelloBody = [3, 3, ...Array<number>(32).fill(7), 0, 0x13, 0x02, 0, 0, 6, 0, 43, 0, 2, 3, 4];

const CLIENT_HELLO = Uint8Array.from(record(22, 0x0301, handshake(1, Array<number>(40).fill(1))));
const SERVER_FLIGHT = Uint8Array.from([
  ...record(22, 0x0303, handshake(2, serverHelloBody)),
  ...record(20, 0x0303, [1]),
  ...record(23, 0x0303, Array<number>(30).fill(0xaa)),
]);
const CLIENT_FINISHED = Uint8Array.from([
  ...record(20, 0x0303, [1]),
  ...record(23, 0x0303, Array<number>(20).fill(0xbb)),
]);
const REQUEST = text('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
const REQUEST_RECORD = Uint8Array.from(record(23, 0x0303, Array<number>(REQUEST.byteLength + 17).fill(0xcc)));
const ANSWER = text('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
// The answer's record, cut between two reads of the socket.
const ANSWER_RECORD = Uint8Array.from(record(23, 0x0303, Array<number>(ANSWER.byteLength + 17).fill(0xdd)));

const SHA256 = 'A7:0E:2A:81:84:E5:B9:E3:82:84:93:42:5D:97:98:08:00:BA:3D:B9:41:CC:8E:2E:43:6A:C8:C5:14:4E:EA:B9';
const INFO: TlsSessionInfo = {
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  cipherOpenSsl: 'TLS_AES_256_GCM_SHA384',
  alpn: 'http/1.1',
  serverName: 'data.pr4e.org',
  certificate: {
    subject: 'CN=data.pr4e.org, O=Socket Lab',
    issuer: 'CN=data.pr4e.org, O=Socket Lab',
    validFrom: '2026-11-30T14:02:00.000Z',
    validTo: 'Dec  1 08:00:00 2027 GMT',
    sha256: SHA256,
    altNames: ['DNS:data.pr4e.org', 'IP Address:127.0.0.1'],
    serialNumber: '762A55663BE14479F0',
    selfSigned: true,
    publicKey: 'EC P-256',
  },
  trust: {
    trusted: false,
    labCertificate: true,
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    why: 'Not trusted: made by Socket Lab for this computer; no authority vouches for it.',
  },
  handshakeMs: 9.5,
};

type Wire = Extract<LabEvent, { type: 'wire' }>;

/** The records the hub would have given these wire events: one splitter for the connection, fed in order. */
function withRecords(events: Array<Omit<Wire, 'records'>>): Wire[] {
  const splitter = new TlsRecordSplitter();
  return events.map((event) => ({ ...event, records: splitter.push(event.dir, event.bytes) }));
}

const at = (t: number, event: LabEvent): SessionEntry => ({ kind: 'event', t, event });
const wires = withRecords([
  { type: 'wire', id: 's1', t: 4, dir: 'out', offset: 0, bytes: CLIENT_HELLO },
  { type: 'wire', id: 's1', t: 5, dir: 'in', offset: 0, bytes: SERVER_FLIGHT },
  { type: 'wire', id: 's1', t: 6, dir: 'out', offset: CLIENT_HELLO.byteLength, bytes: CLIENT_FINISHED },
  {
    type: 'wire',
    id: 's1',
    t: 8,
    dir: 'out',
    offset: CLIENT_HELLO.byteLength + CLIENT_FINISHED.byteLength,
    bytes: REQUEST_RECORD,
  },
  { type: 'wire', id: 's1', t: 9, dir: 'in', offset: SERVER_FLIGHT.byteLength, bytes: ANSWER_RECORD.subarray(0, 30) },
  {
    type: 'wire',
    id: 's1',
    t: 9.5,
    dir: 'in',
    offset: SERVER_FLIGHT.byteLength + 30,
    bytes: ANSWER_RECORD.subarray(30),
  },
]);
const ENTRIES: SessionEntry[] = [
  {
    kind: 'start',
    t: 0,
    sessionId: 'sess-tls',
    startedAt: Date.UTC(2026, 10, 30, 14, 2),
    appVersion: '0.1.0',
    transport: 'web',
    platform: 'linux',
  },
  at(1, { type: 'resolving', id: 's1', t: 1, host: 'data.pr4e.org', port: 443, route: 'lab', tls: true }),
  at(2, { type: 'resolved', id: 's1', t: 2, addresses: ['127.0.0.1'], chosen: '127.0.0.1' }),
  at(3, {
    type: 'connected',
    id: 's1',
    t: 3,
    local: { address: '127.0.0.1', port: 50612, family: 'IPv4' },
    remote: { address: '127.0.0.1', port: 8443, family: 'IPv4' },
    route: 'lab',
    answeredBy: 'Lab HTTPS server (stands in for data.pr4e.org:443)',
    elapsedMs: 0.4,
  }),
  at(4, wires[0] as Wire),
  at(5, wires[1] as Wire),
  at(6, wires[2] as Wire),
  at(7, { type: 'tls', id: 's1', t: 7, ...INFO }),
  at(7.5, { type: 'data', id: 's1', t: 7.5, dir: 'out', offset: 0, bytes: REQUEST }),
  at(8, wires[3] as Wire),
  at(9, wires[4] as Wire),
  at(9.5, wires[5] as Wire),
  at(9.7, { type: 'data', id: 's1', t: 9.7, dir: 'in', offset: 0, bytes: ANSWER }),
  at(10, { type: 'peer-ended', id: 's1', t: 10 }),
  at(11, { type: 'closed', id: 's1', t: 11, by: 'peer' }),
  // A plain connection beside it.
  at(12, { type: 'resolving', id: 'p1', t: 12, host: 'data.pr4e.org', port: 80, route: 'lab' }),
  at(13, { type: 'data', id: 'p1', t: 13, dir: 'out', offset: 0, bytes: REQUEST }),
  { kind: 'end', t: 14 },
];
const TLS_ENTRY = 7;
const WIRE_ENTRIES = [4, 5, 6, 9, 10, 11];
const PLAIN_RESOLVING = 15;

const save = socketlabExporter({ now: () => new Date('2026-12-01T09:30:00.000Z'), appVersion: '0.1.0' });
const good = await exportToBuffer(save, memorySource(ENTRIES, summarize(ENTRIES)));
type Json = Record<string, unknown>;
const goodJson = (): Json => JSON.parse(good.toString('utf8')) as Json;
const entriesOf = (json: Json): Json[] => json.entries as Json[];
const eventOf = (json: Json, index: number): Json => entriesOf(json)[index]!.event as Json;
const tlsOf = (json: Json): Json => eventOf(json, TLS_ENTRY);
const certificateOf = (json: Json): Json => tlsOf(json).certificate as Json;

function changed(change: (json: Json) => void): string {
  const json = goodJson();
  change(json);
  return JSON.stringify(json);
}

async function refusal(file: string): Promise<string> {
  const { result } = await readBack(new TextEncoder().encode(file), {}, 64);
  if (result.ok) throw new Error('expected the file to be refused');
  expect(result.error.code).toBe('BAD_FILE');
  return result.error.message;
}

describe('a TLS connection in a .socketlab file', () => {
  it('is written with its switch, its tls facts and the wire bytes, and without records', () => {
    const json = goodJson();
    expect(eventOf(json, 1).tls).toBe(true);
    expect(eventOf(json, PLAIN_RESOLVING)).not.toHaveProperty('tls');
    for (const index of WIRE_ENTRIES) expect(eventOf(json, index)).not.toHaveProperty('records');
    expect(Object.keys(tlsOf(json))).toEqual([
      'type',
      'id',
      't',
      'protocol',
      'cipher',
      'cipherOpenSsl',
      'alpn',
      'serverName',
      'certificate',
      'trust',
      'handshakeMs',
    ]);
    const wireBytes = wires.reduce((sum, event) => sum + event.bytes.byteLength, 0);
    expect(json.totals).toEqual({
      entries: ENTRIES.length,
      dataBytes: 2 * REQUEST.byteLength + ANSWER.byteLength,
      wireBytes,
    });
    expect((json.connections as Json[])[0]?.tls).toEqual({
      wireBytesOut: CLIENT_HELLO.byteLength + CLIENT_FINISHED.byteLength + REQUEST_RECORD.byteLength,
      wireBytesIn: SERVER_FLIGHT.byteLength + ANSWER_RECORD.byteLength,
      unsavedWireBytes: 0,
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      certificateSha256: SHA256,
      trusted: false,
    });
  });

  it('reads back entry for entry, the records worked out from the bytes, in any chunk size', async () => {
    for (const chunk of [1, 7, 4096]) {
      const { result, entries } = await readBack(good, {}, chunk);
      expect(result.ok ? 'ok' : result.error.message).toBe('ok');
      expect(entries).toEqual(ENTRIES);
    }
    // What the records say, as a learner would read them.
    const { entries } = await readBack(good);
    const records = (index: number): Wire['records'] =>
      (entries[index] as Extract<SessionEntry, { kind: 'event' }>).event.type === 'wire'
        ? (entries[index] as { event: Wire }).event.records
        : [];
    expect(records(4)).toMatchObject([{ contentType: 'handshake', version: 'TLS 1.0', handshake: ['ClientHello'] }]);
    expect(records(5).map((piece) => [piece.contentType, piece.encrypted, piece.handshake])).toEqual([
      ['handshake', false, ['ServerHello']],
      ['change-cipher-spec', false, undefined],
      ['application-data', true, undefined],
    ]);
    expect(records(10)).toMatchObject([{ at: 0, length: 30, complete: false, payloadLength: ANSWER.byteLength + 17 }]);
    expect(records(11)).toMatchObject([{ at: 30, complete: true, recordOffset: SERVER_FLIGHT.byteLength }]);
  });

  it('ignores records written into the file: it cannot say records its bytes do not hold', async () => {
    const lying = changed((json) => {
      for (const index of WIRE_ENTRIES) {
        eventOf(json, index).records = [{ contentType: 'alert', alert: { level: 'fatal', description: 'made up' } }];
      }
    });
    const { result, entries } = await readBack(new TextEncoder().encode(lying));
    expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    expect(entries).toEqual(ENTRIES);
  });

  it("takes a certificate time in OpenSSL's text, no certificate at all, no ALPN and no SNI", async () => {
    const file = changed((json) => {
      Object.assign(tlsOf(json), { alpn: null, serverName: null, certificate: null });
      (tlsOf(json).trust as Json).labCertificate = false;
    });
    const { result, entries } = await readBack(new TextEncoder().encode(file));
    expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    expect(entries[TLS_ENTRY]).toMatchObject({ event: { alpn: null, serverName: null, certificate: null } });
    const { entries: again } = await readBack(good);
    expect(again[TLS_ENTRY]).toMatchObject({ event: { certificate: { validTo: 'Dec  1 08:00:00 2027 GMT' } } });
  });

  it('after wire bytes that were not saved, the records that way are not known, and not made up', async () => {
    const gap: SessionEntry[] = ENTRIES.slice(0, 5);
    gap.push({ kind: 'unsaved', t: 5, id: 's1', dir: 'in', offset: 0, length: 10, wire: true });
    const rest = { ...(wires[1] as Wire), offset: 10, bytes: SERVER_FLIGHT.subarray(10), records: [] };
    gap.push(at(5, rest), { kind: 'end', t: 6 });
    const file = await exportToBuffer(save, memorySource(gap, summarize(gap)));
    expect(file.toString('utf8')).toContain('"wire":true');
    const { result, entries } = await readBack(file);
    expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    expect(entries).toEqual(gap);
  });
});

describe('a TLS connection that does not hold together', () => {
  const line = /^Entry (\d+) \(line \d+\) is damaged: /;

  it('plain and wire streams are checked apart, each in its own words', async () => {
    // The plain answer's offset runs on from the wire stream instead of its own.
    const plainAtWire = await refusal(changed((json) => (eventOf(json, 12).offset = SERVER_FLIGHT.byteLength)));
    expect(plainAtWire.replace(line, '')).toBe(
      `it does not follow on: connection #1's received bytes inside TLS should go on at byte 0, but this data starts at byte ${SERVER_FLIGHT.byteLength} (${SERVER_FLIGHT.byteLength} bytes are missing).`,
    );
    const wireGap = await refusal(changed((json) => entriesOf(json).splice(10, 1)));
    expect(wireGap.replace(line, '')).toBe(
      `it does not follow on: connection #1's TLS records received (the bytes on the wire) should go on at byte ${SERVER_FLIGHT.byteLength}, but this wire event starts at byte ${SERVER_FLIGHT.byteLength + 30} (30 bytes are missing).`,
    );
    const wireAtPlain = await refusal(changed((json) => (eventOf(json, 9).offset = REQUEST.byteLength)));
    expect(wireAtPlain.replace(line, '')).toBe(
      `it does not follow on: connection #1's TLS records sent (the bytes on the wire) should go on at byte ${CLIENT_HELLO.byteLength + CLIENT_FINISHED.byteLength}, but this wire event starts at byte ${REQUEST.byteLength}.`,
    );
    const plainConnection = await refusal(
      changed((json) => {
        entriesOf(json).splice(17, 0, { kind: 'unsaved', t: 13, id: 'p1', dir: 'out', offset: 0, length: 5 });
      }),
    );
    expect(plainConnection).toMatch(
      /connection #2's sent bytes should go on at byte 47, but this unsaved data starts at byte 0/,
    );
  });

  it('wire bytes, a tls event or unsaved wire bytes on a connection that did not ask for TLS', async () => {
    const words = /which did not ask for TLS \(its "resolving" event has no "tls": true\)\.$/;
    const noSwitch = await refusal(changed((json) => delete eventOf(json, 1).tls));
    expect(noSwitch).toMatch(/^Entry 5 .* it is a "wire" event of connection #1, which did not ask for TLS/);
    expect(noSwitch).toMatch(words);
    const tlsOnPlain = await refusal(
      changed((json) => entriesOf(json).splice(17, 0, { kind: 'event', t: 13, event: { ...tlsOf(json), id: 'p1' } })),
    );
    expect(tlsOnPlain).toMatch(/it is a "tls" event of connection #2, which did not ask for TLS/);
    const unsavedWire = await refusal(
      changed((json) =>
        entriesOf(json).splice(17, 0, {
          kind: 'unsaved',
          t: 13,
          id: 'p1',
          dir: 'in',
          offset: 0,
          length: 9,
          wire: true,
        }),
      ),
    );
    expect(unsavedWire).toMatch(/it is unsaved wire bytes of connection #2, which did not ask for TLS/);
  });

  it('a second tls event', async () => {
    const twice = await refusal(changed((json) => entriesOf(json).splice(9, 0, entriesOf(json)[TLS_ENTRY]!)));
    expect(twice).toMatch(/^Entry 10 .* it is a second "tls" event of connection #1; TLS is set up once\.$/);
  });

  it('a switch or a flag that is not true', async () => {
    expect(await refusal(changed((json) => (eventOf(json, 1).tls = false)))).toMatch(
      /its "tls" must be true \(the learner asked for TLS\) or left out, not false/,
    );
    const unsaved = changed((json) =>
      entriesOf(json).splice(17, 0, { kind: 'unsaved', t: 13, id: 'p1', dir: 'out', offset: 47, length: 5, wire: 1 }),
    );
    expect(await refusal(unsaved)).toMatch(
      /its "wire" must be true \(the bytes were a TLS connection's records\) or left out, not 1/,
    );
  });

  it('a wire event with no bytes, or bytes that are not base64', async () => {
    expect(await refusal(changed((json) => (eventOf(json, 4).bytes = '')))).toMatch(
      /its "bytes" are empty: a wire event carries at least one byte/,
    );
    expect(await refusal(changed((json) => (eventOf(json, 4).bytes = 'FgMB!')))).toMatch(/are not valid base64/);
  });

  it('wire bytes the totals do not count', async () => {
    const wrong = await refusal(changed((json) => ((json.totals as Json).wireBytes = 1)));
    expect(wrong).toMatch(
      /^This file says it holds 1 bytes of TLS records on the wire, but its entries hold [\d,]+: it was changed/,
    );
    const missing = await refusal(changed((json) => delete (json.totals as Json).wireBytes));
    expect(missing).toMatch(/^This file says it holds 0 bytes of TLS records on the wire/);
  });

  it('every fact of the tls event is checked: types, lengths, dates, the fingerprint', async () => {
    const cases: Array<[(json: Json) => void, RegExp]> = [
      [
        (json) => (tlsOf(json).protocol = 'TLS 1.3'),
        /its "protocol" must be a name like "TLSv1\.3" \(no spaces\), not "TLS 1\.3"/,
      ],
      [(json) => delete tlsOf(json).cipher, /its "cipher" is missing/],
      [(json) => (tlsOf(json).cipherOpenSsl = 13), /its "cipherOpenSsl" must be text, not 13/],
      [(json) => (tlsOf(json).alpn = 'h'.repeat(256)), /its "alpn" is 256 characters long; at most 255 fit/],
      [(json) => delete tlsOf(json).alpn, /its "alpn" is missing/],
      [(json) => (tlsOf(json).serverName = ''), /its "serverName" is empty/],
      [(json) => (tlsOf(json).certificate = 'none'), /its "certificate" must be an object, not "none"/],
      [
        (json) => (certificateOf(json).sha256 = SHA256.toLowerCase()),
        /its "certificate"'s "sha256" must be 32 pairs of uppercase hex digits joined by colons, as openssl prints a SHA-256 fingerprint, not "a7:0e/,
      ],
      [(json) => (certificateOf(json).sha256 = SHA256.slice(0, 59)), /"sha256" must be 32 pairs of uppercase hex/],
      [
        (json) => (certificateOf(json).validFrom = '2026-11-30T14:02:00Z'),
        /its "certificate"'s "validFrom" must be a date and time like "2026-11-30T14:02:00\.000Z" \(or OpenSSL's text, like "Dec {2}1 08:00:00 2026 GMT"\), not "2026-11-30T14:02:00Z"/,
      ],
      [(json) => (certificateOf(json).validTo = '2026-02-30T14:02:00.000Z'), /"validTo" must be a date and time like/],
      [(json) => (certificateOf(json).validTo = 'next year'), /"validTo" must be a date and time like/],
      [(json) => (certificateOf(json).subject = 5), /its "certificate"'s "subject" must be text, not 5/],
      [
        (json) => (certificateOf(json).issuer = 'i'.repeat(5000)),
        /"issuer" is 5,000 characters long; at most 4,096 fit/,
      ],
      [
        (json) => (certificateOf(json).altNames = 'DNS:x'),
        /"altNames" must be a list of at most 10,000 texts, not "DNS:x"/,
      ],
      [
        (json) => (certificateOf(json).altNames = ['DNS:x', '']),
        /item 2 of its "certificate"'s "altNames" must be text of 1 to 4,096 characters, not ""/,
      ],
      [
        (json) => (certificateOf(json).serialNumber = 'abc'),
        /"serialNumber" must be a serial number in uppercase hex digits, not "abc"/,
      ],
      [(json) => (certificateOf(json).selfSigned = 'yes'), /"selfSigned" must be true or false, not "yes"/],
      [(json) => (certificateOf(json).publicKey = ''), /"publicKey" is empty/],
      [(json) => (tlsOf(json).trust = true), /its "trust" must be an object, not true/],
      [(json) => delete (tlsOf(json).trust as Json).why, /its "trust"'s "why" is missing/],
      [
        (json) => ((tlsOf(json).trust as Json).trusted = 'no'),
        /its "trust"'s "trusted" must be true or false, not "no"/,
      ],
      [
        (json) => (tlsOf(json).certificate = null),
        /its "trust" says the certificate is the one Socket Lab made, but it has no "certificate"/,
      ],
      [
        (json) => (tlsOf(json).handshakeMs = -2),
        /its "handshakeMs" must be a number of milliseconds from 0 up, not -2/,
      ],
    ];
    for (const [change, expected] of cases) {
      const message = await refusal(changed(change));
      expect(message, String(expected)).toMatch(new RegExp(`^Entry ${TLS_ENTRY + 1} \\(line \\d+\\) is damaged: `));
      expect(message).toMatch(expected);
    }
  });
});
