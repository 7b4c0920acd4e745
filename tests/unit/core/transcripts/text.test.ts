/**
 * The .txt transcript: a real lab session as a teacher reads it (TLS connections among them: records on the wire,
 * the handshake's facts, the plain bytes inside), and the byte rendering rules one by one.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from '../../../../src/main/core/transcripts/source';
import { bytesText, exportText, textExporter } from '../../../../src/main/core/transcripts/text';
import type { ConnectionId, LabEvent } from '../../../../src/shared/contract';
import { TlsRecordSplitter } from '../../../../src/shared/tlsRecords';
import { summarize, type SessionEntry } from '../../../../src/shared/transcript';
import { closedPort, startServer, valueOf } from '../connections/loopback';
import { labRecording, recordTour, type LabRecording } from './labSession';
import { exportToBuffer, FC_SEED, sessionArb } from './socketlabSessions';

let recording: LabRecording;
let text: string;
let refusedPort: number;

beforeAll(async () => {
  recording = await labRecording();
  refusedPort = await closedPort();
  await recordTour(recording, refusedPort);
  text = (await exportToBuffer(exportText, recording.session.source())).toString('utf8');
});

afterAll(async () => {
  await recording.stop();
});

const lines = (): string[] => text.split('\n');
type Wire = Extract<LabEvent, { type: 'wire' }>;
const wireEvents = (recorded: LabRecording, id: ConnectionId): Wire[] =>
  recorded.session.log.of(id).filter((event): event is Wire => event.type === 'wire');
/** The text of one connection, from its first line to the next connection's. */
function connectionText(all: string, number: number): string {
  const start = all.search(new RegExp(`#${number} asked for`));
  const next = all.search(new RegExp(`#${number + 1} asked for`));
  return all.slice(start, next === -1 ? undefined : next);
}
const bytes = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'latin1'));

describe('a real session as a .txt transcript', () => {
  it('begins with when, how many connections, and which hosts', () => {
    expect(lines()[0]).toBe('Socket Lab session transcript');
    expect(text).toContain('Recorded:     2026-11-30 14:02:00 UTC, for ');
    expect(text).toMatch(
      new RegExp(
        `Connections:  8, to data\\.pr4e\\.org:80, echo\\.lab\\.test:7, 127\\.0\\.0\\.1:${refusedPort}, \\[::1\\]:\\d+ and data\\.pr4e\\.org:443 \\(TLS\\)\\n`,
      ),
    );
    expect(text).toContain('Ended:        cleanly (the session was closed properly)');
    expect(text).toMatch(/Data: {9}188 bytes sent, 231,\d{3} bytes received, and 140,582 bytes counted but not saved/);
  });

  it("shows socket1.py's exchange like a terminal: sent and received lines, CR and LF visible", () => {
    const start = text.search(/#1 asked for data\.pr4e\.org port 80 \(route: lab\), 0\.\d{3} s into the session\n/);
    expect(start).toBeGreaterThan(0);
    const first = text.slice(start, text.indexOf('#2 asked for'));
    expect(first).toMatch(
      /#1 connected: your side 127\.0\.0\.1:\d+ \u21c4 127\.0\.0\.1:\d+ \(Lab HTTP server, stands in for data\.pr4e\.org\)\n/,
    );
    expect(first).toContain(
      '#1 you sent 47 bytes:\n>>> GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\n>>> \\r\\n\n',
    );
    expect(first).toMatch(
      /#1 received 535 bytes:\n<<< HTTP\/1\.1 200 OK\\r\\n\n<<< Date: Tue, 01 Apr 2025 12:34:56 GMT\\r\\n\n/,
    );
    expect(first).toContain('<<< \\r\\n\n<<< But soft what light through yonder window breaks\\n\n');
    expect(first).toContain('#1 the other side sent FIN: it has nothing more to send\n');
    // Close sends FIN as part of closing; that is not a half-close.
    expect(first).toContain('#1 closed: you closed it (your side sent FIN, then let the connection go)\n');
    expect(first).not.toContain('half-close');
    expect(first).not.toContain('TLS');
  });

  it('times count from each connection start', () => {
    const times = [...text.matchAll(/^ +\+(\d+\.\d{3}) s {2}#1 /gm)].map((match) => Number(match[1]));
    expect(times[0]).toBe(0);
    expect(times.every((time, i) => i === 0 || time >= (times[i - 1] as number))).toBe(true);
    expect(text).toMatch(/^ +\+0\.000 s {2}#2 asked for/m);
  });

  it('the picture is a short hex preview with its length, not 230 KB of escapes', () => {
    expect(text.length).toBeLessThan(20_000);
    const picture = text.slice(text.indexOf('#2 asked for'), text.indexOf('#3 asked for'));
    expect(picture).toContain('<<< Content-Type: image/jpeg\\r\\n\n<<< \\r\\n\n<<< [binary: ');
    expect(picture).toMatch(/<<< {3}0000018d {2}ff d8 ff /); // the JPEG starts after the 393-byte head and its blank line
    const shown = [...picture.matchAll(/\[binary: ([\d,]+) bytes/g)].map((m) =>
      Number((m[1] as string).replace(/,/g, '')),
    );
    expect(shown.reduce((sum, n) => sum + n, 0)).toBe(230_210);
    expect(picture).not.toMatch(/(\\x[0-9a-f]{2}){8}/);
  });

  it('an echo with UTF-8 text, a control byte and a half-close', () => {
    const echo = text.slice(text.indexOf('#3 asked for'), text.indexOf('#4 asked for'));
    expect(echo).toContain('>>> hello\\n\n');
    expect(echo).toContain('<<< caf\u00e9 \u2603 ok\\r\\n\n');
    expect(echo).toContain('>>> bell \\x07 and tab \\t end\\n\n');
    expect(echo).toContain(
      '#3 half-closed: you sent FIN, like shutdown(SHUT_WR), so you send no more; receiving goes on\n',
    );
    expect(echo).toContain('#3 closed: the other side closed it');
  });

  it('an error in its plain words, with the hint under it', () => {
    expect(text).toMatch(
      new RegExp(`#4 error ECONNREFUSED: Nothing is listening on 127\\.0\\.0\\.1 port ${refusedPort}\\.`),
    );
    expect(text).toMatch(/\n {16}Check the port number, or start the server first\.\n/);
    expect(text).toContain('#4 closed: it ended with the error above');
  });

  it('IPv6 addresses in brackets, and an abort said as a reset', () => {
    expect(text).toMatch(/#5 connected: your side \[::1\]:\d+ \u21c4 \[::1\]:\d+\n/);
    expect(text).toContain('#5 closed: you aborted it: a reset (RST) went out instead of FIN');
  });

  it('journal full, unsaved data, slow mode, progress and the end, in words', () => {
    expect(text).toContain(
      "-- the session's journal is full (256 MiB): from here on, data is counted but its bytes are not saved",
    );
    expect(text).toContain('#7 you sent 70,000 bytes that were not saved (the journal was full)');
    expect(text).toContain('#7 received 70,000 bytes that were not saved (the journal was full)');
    expect(text).toContain("-- the lab HTTP server's slow mode is on: 2,000 bytes a second, 100 bytes at a time");
    expect(text).toContain("-- the lab HTTP server's slow mode is off: it answers at full speed");
    expect(text).toMatch(
      /-- guided lab: passed reliable-pipe, speak-http; on blank-line; predicted for headers-body:\n {16}"Content-Length: 167"\n/,
    );
    expect(lines().at(-2)).toMatch(/-- the session ended: it was closed properly$/);
  });

  it('keeps every line readable: bytes wrap at the width, words at 120 columns', () => {
    for (const line of lines()) {
      if (/^(>>>|<<<) \[binary: /.test(line)) expect(line.length, line).toBeLessThanOrEqual(100);
      else if (/^(>>>|<<<|\.\.\.) /.test(line)) expect(line.length, line).toBeLessThanOrEqual(4 + 76 + 4);
      else expect(line.length, line).toBeLessThanOrEqual(120);
    }
  });
});

describe('a TLS connection in the .txt transcript', () => {
  const secure = (): string => connectionText(text, 6);
  const secureId = (): ConnectionId => {
    const found = recording.session.entries.find(
      (entry) => entry.kind === 'event' && entry.event.type === 'resolving' && entry.event.tls === true,
    );
    return found?.kind === 'event' ? found.event.id : '';
  };

  it('says in the header which connection spoke TLS, and what crossed the wire', () => {
    expect(text).toContain('and data.pr4e.org:443 (TLS)\n');
    const conns = recording.session.summary().connections.filter((conn) => conn.tls);
    expect(conns).toHaveLength(2);
    const sum = (pick: (conn: (typeof conns)[number]) => number): string =>
      conns.reduce((total, conn) => total + pick(conn), 0).toLocaleString('en-US');
    expect(text).toContain(
      `On the wire:  ${sum((conn) => conn.tls?.wireBytesOut ?? 0)} bytes sent, ${sum((conn) => conn.tls?.wireBytesIn ?? 0)} bytes received by the 2 TLS connections, records and all, and ${sum((conn) => conn.tls?.unsavedWireBytes ?? 0)} bytes counted`,
    );
    expect(text).toMatch(/On a TLS connection, "TLS> " and "TLS< " lines are the TLS records as they crossed the wire/);
  });

  it('names each record on the wire: type, version, length, handshake messages', () => {
    expect(secure()).toContain('#6 asked for data.pr4e.org port 443 with TLS (route: lab)');
    const [hello, serverFlight] = wireEvents(recording, secureId());
    const helloLength = (hello?.records[0]?.payloadLength ?? 0).toLocaleString('en-US');
    expect(secure()).toContain(
      `#6 TLS records sent, ${hello?.bytes.byteLength} bytes on the wire (from byte 0 of the TCP stream):\nTLS> handshake record, TLS 1.0, ${helloLength} bytes: ClientHello\n`,
    );
    expect(secure()).toMatch(/\nTLS< handshake record, TLS 1\.2, \d+ bytes: ServerHello\n/);
    expect(secure()).toContain(
      'TLS< change cipher spec record, TLS 1.2, 1 byte (TLS 1.3 sends it only so that old boxes on the way are not confused)\n',
    );
    // The encrypted part of the handshake, with the first bytes of its payload in hex.
    const encrypted = serverFlight?.records.find((record) => record.contentType === 'application-data');
    const payload = serverFlight?.bytes.subarray((encrypted?.start ?? 0) + 5, (encrypted?.start ?? 0) + 13) ?? [];
    const hex = Buffer.from(payload)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');
    expect(secure()).toContain(
      `TLS< application data record, TLS 1.2, ${encrypted?.payloadLength} bytes, encrypted (TLS 1.3 handshake): ${hex} ...\n`,
    );
    // After the tls event, application data is the request and the answer (no more "handshake").
    const after = secure().slice(secure().indexOf('TLS is set up'));
    expect(after).toMatch(/TLS> application data record, TLS 1\.2, \d+ bytes, encrypted: ([0-9a-f]{2} ){8}\.\.\.\n/);
    expect(after).not.toContain('TLS 1.3 handshake');
  });

  it('shows what the handshake settled as a block: protocol, cipher, certificate, and why it is not trusted', () => {
    const { summary } = recording.lab.servers.certificate;
    const at = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    const block = secure().slice(secure().indexOf('TLS is set up'), secure().indexOf('you sent'));
    expect(block).toMatch(
      /^TLS is set up, \d+\.\d ms after the TCP connect: from here on, what crosses the wire is encrypted\n/,
    );
    const pad = ' '.repeat(16);
    expect(block).toContain(`${pad}protocol      TLSv1.3\n`);
    expect(block).toMatch(/ {16}cipher {8}TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)\n/);
    expect(block).toContain(`${pad}inside TLS    http/1.1 (agreed by ALPN)\n`);
    expect(block).toContain(`${pad}name sent     data.pr4e.org (SNI, in the ClientHello)\n`);
    expect(block).toContain(`${pad}certificate   CN=data.pr4e.org, O=Socket Lab`);
    expect(block).toContain(`${pad}  issued by   itself: it is self-signed, so nobody else vouches for it\n`);
    expect(block).toContain(`${pad}  valid       from ${at(summary.validFrom)} to ${at(summary.validTo)}\n`);
    expect(block).toContain(`${pad}  key         EC P-256\n`);
    const fingerprint = /SHA-256 {5}(\S+)\n {30}(\S+)\n/.exec(block);
    expect(`${fingerprint?.[1]}${fingerprint?.[2]}`).toBe(summary.sha256);
    expect(block).toContain(
      `${pad}trusted       no (DEPTH_ZERO_SELF_SIGNED_CERT); it is the certificate Socket Lab made for its own TLS\n`,
    );
    expect(block).toMatch(
      / {30}Not trusted: made by Socket Lab for this computer; no authority vouches for it\. That is\n/,
    );
  });

  it('marks the plain rows as the bytes inside TLS', () => {
    expect(secure()).toContain(
      '#6 you sent 47 bytes inside TLS (the plain bytes, before they were encrypted):\n>>> GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\n>>> \\r\\n\n',
    );
    expect(secure()).toMatch(
      /#6 received 535 bytes inside TLS \(the plain bytes, once decrypted\):\n<<< HTTP\/1\.1 200 OK\\r\\n\n<<< Date: Tue, 01 Apr 2025 12:34:56 GMT\\r\\n\n/,
    );
    // A plain connection's rows do not say so.
    expect(connectionText(text, 1)).not.toContain('inside TLS');
  });

  it('follows a record cut between reads of the socket, header or payload, to its end', async () => {
    const record = (type: number, payload: number[]): number[] => [
      type,
      3,
      3,
      payload.length >> 8,
      payload.length & 255,
      ...payload,
    ];
    const stream = Uint8Array.from([
      ...record(22, [1, 0, 0, 2, 9, 9, 2, 0, 0, 1, 7]),
      ...record(21, [2, 40]),
      ...record(23, Array<number>(300).fill(0x42)),
    ]);
    const entries: SessionEntry[] = [
      { kind: 'start', t: 0, sessionId: 's', startedAt: 0, appVersion: '1', transport: 'web', platform: 'linux' },
      {
        kind: 'event',
        t: 1,
        event: { type: 'resolving', id: 'c', t: 1, host: 'h', port: 443, route: 'lab', tls: true },
      },
    ];
    const splitter = new TlsRecordSplitter();
    let offset = 0;
    for (const cut of [3, 14, 19, 100, 100, 100]) {
      const bytes = stream.subarray(offset, offset + cut);
      const records = splitter.push('in', bytes);
      entries.push({ kind: 'event', t: 2, event: { type: 'wire', id: 'c', t: 2, dir: 'in', offset, bytes, records } });
      offset += bytes.length;
    }
    const out = (await exportToBuffer(exportText, memorySource(entries, summarize(entries)))).toString('utf8');
    expect(out).toContain('TLS< the start of a handshake record: 3 of its 5 header bytes; the rest follows\n');
    expect(out).toContain(
      'TLS< more of the handshake record from byte 0 (TLS 1.2, 11 bytes): its bytes 3 to 15 of 16, to its end: ClientHello,\n       ServerHello\n',
    );
    expect(out).toContain('TLS< the start of an alert record: 1 of its 5 header bytes; the rest follows\n');
    expect(out).toContain(
      'TLS< more of the alert record from byte 16 (TLS 1.2, 2 bytes): its bytes 1 to 6 of 7, to its end: fatal alert\n',
    );
    expect(out).toContain(
      'TLS< application data record, TLS 1.2, 300 bytes (the first 13 of its 305 bytes are here; the rest follows), encrypted:\n       42 42 42 42 42 42 42 42\n',
    );
    expect(out).toMatch(
      /TLS< more of the application data record from byte 23 \(TLS 1\.2, 300 bytes\): its bytes 213 to 304 of 305, to its end,\n/,
    );
  });

  it("past the journal's cap, wire bytes and plain bytes are each counted in their own words", () => {
    const capped = connectionText(text, 8);
    expect(capped).toMatch(/#8 TLS records sent, 386 bytes on the wire that were not saved \(the journal was full\)\n/);
    expect(capped).toContain('#8 you sent 47 bytes inside TLS that were not saved (the journal was full)\n');
    expect(capped).toContain('#8 received 535 bytes inside TLS that were not saved (the journal was full)\n');
    expect(capped).toContain('#8 TLS is set up');
  });
});

describe('TLS 1.2, an alert, and an answer that is not TLS, as a teacher reads them', () => {
  let recorded: LabRecording;
  let tls12: string;
  let refused: string;
  let notTls: string;
  const servers: Array<() => Promise<void>> = [];

  /** A node:tls server on loopback with the lab's certificate (OpenSSL on the other side). */
  async function tlsServer(options: tls.TlsOptions, onSecure: (socket: tls.TLSSocket) => void): Promise<number> {
    const { cert, key } = recorded.lab.servers.certificate;
    const sockets = new Set<Socket>();
    const server = tls.createServer({ cert, key, ...options }, (socket) => {
      socket.on('error', () => undefined);
      onSecure(socket);
    });
    server.on('tlsClientError', () => undefined);
    server.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    return (server.address() as { port: number }).port;
  }

  beforeAll(async () => {
    recorded = await labRecording();
    const { hub, log } = recorded.session;
    const connect = (port: number): ConnectionId =>
      valueOf(hub.connect({ host: '127.0.0.1', port, route: 'lab', timeoutMs: 5_000, tls: true })).id;
    const rsaLike = await tlsServer({ maxVersion: 'TLSv1.2' }, (socket) => socket.end('hello over TLS 1.2\n'));
    const first = connect(rsaLike);
    await log.next(first, 'peer-ended');
    valueOf(hub.close(first));
    await log.next(first, 'closed');
    const picky = await tlsServer({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }, () => undefined);
    await log.next(connect(picky), 'closed');
    const plain = await startServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')),
    );
    servers.push(() => plain.close());
    await log.next(connect(plain.port), 'closed');
    const all = (await exportToBuffer(exportText, recorded.session.source())).toString('utf8');
    tls12 = connectionText(all, 1);
    refused = connectionText(all, 2);
    notTls = connectionText(all, 3);
  });

  afterAll(async () => {
    for (const stop of servers) await stop();
    await recorded.stop();
  });

  it("names TLS 1.2's handshake messages, and its Finished as an encrypted handshake record", () => {
    for (const name of ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone', 'NewSessionTicket']) {
      expect(tls12).toMatch(new RegExp(`\\nTLS< handshake record, TLS 1\\.2, [\\d,]+ bytes: ${name}\\n`));
    }
    expect(tls12).toMatch(/TLS< alert record, TLS 1\.2, 26 bytes, encrypted: ([0-9a-f]{2} ){8}\.\.\.\n/);
    expect(tls12).toMatch(/TLS> handshake record, TLS 1\.2, \d+ bytes: ClientKeyExchange\n/);
    expect(tls12).toMatch(/TLS> change cipher spec record, TLS 1\.2, 1 byte\n/);
    expect(tls12).toMatch(/TLS> handshake record, TLS 1\.2, \d+ bytes, encrypted: ([0-9a-f]{2} ){8}\.\.\.\n/);
    expect(tls12).toContain('protocol      TLSv1.2\n');
    expect(tls12).toContain('name sent     none (SNI cannot carry an IP address)\n');
    expect(tls12).toContain(
      'received 19 bytes inside TLS (the plain bytes, once decrypted):\n<<< hello over TLS 1.2\\n\n',
    );
  });

  it('says an alert in words', () => {
    expect(refused).toContain(
      'TLS< alert record, TLS 1.2, 2 bytes: fatal alert handshake_failure (40): its sender could not agree on how to encrypt\n' +
        '       (no version, cipher or key type in common)\n',
    );
    expect(refused).not.toContain('TLS is set up');
    expect(refused).toContain('error TLS_ALERT:');
  });

  it('shows an answer that is not TLS as what it is, in hex with its text beside it', () => {
    expect(notTls).toMatch(
      /TLS< not TLS: 47 bytes that cannot be a TLS record \(no record can be found after them either\)\n/,
    );
    expect(notTls).toMatch(
      /TLS< {3}00000000 {2}48 54 54 50 2f 31 2e 31 {2}20 34 30 30 20 42 61 64 {2}\|HTTP\/1\.1 400 Bad\|\n/,
    );
    expect(notTls).toContain('error TLS_NOT_SPOKEN:');
  });

  it('after wire bytes that were not saved, says the records there are not known; a burst of records in one line', async () => {
    const entries = recorded.session.entries.filter(
      (entry) => entry.kind === 'start' || (entry.kind === 'event' && entry.event.type === 'resolving'),
    );
    const id = (entries[1] as { event: { id: ConnectionId } }).event.id;
    const burst = Uint8Array.from(Array.from({ length: 20 }, () => [23, 3, 3, 0, 1, 0x5a]).flat());
    const splitter = new TlsRecordSplitter();
    entries.push(
      { kind: 'unsaved', t: 1, id, dir: 'in', offset: 0, length: 100, wire: true },
      { kind: 'event', t: 2, event: { type: 'wire', id, t: 2, dir: 'in', offset: 100, bytes: burst, records: [] } },
      {
        kind: 'event',
        t: 3,
        event: { type: 'wire', id, t: 3, dir: 'out', offset: 0, bytes: burst, records: splitter.push('out', burst) },
      },
    );
    const out = (await exportToBuffer(exportText, memorySource(entries, summarize(entries)))).toString('utf8');
    expect(out).toContain(
      '#1 TLS records received, 100 bytes on the wire that were not saved (the journal was full)\n',
    );
    expect(out).toContain(
      'TLS< where the records begin in these bytes is not known: bytes on the wire before them were not saved. The first bytes:\n',
    );
    expect(out).toMatch(/TLS< {3}00000064 {2}17 03 03 00 01 5a 17 03/);
    expect(out.match(/^TLS> application data record, TLS 1\.2, 1 byte, encrypted: 5a\n/gm)).toHaveLength(16);
    expect(out).toContain('TLS> and 4 more records (4 application data)\n');
  });
});

describe('bytes as lines', () => {
  it('a long line wraps with a continuation marker, never inside an escape, and keeps its \\r\\n', () => {
    const long = bytes(`${'a'.repeat(70)}\t${'b'.repeat(100)}\r\n`);
    expect(bytesText(long, '>>> ', 0, 76)).toBe(
      `>>> ${'a'.repeat(70)}\\t${'b'.repeat(4)}\n... ${'b'.repeat(76)}\n... ${'b'.repeat(20)}\\r\\n\n`,
    );
    const escapes = bytesText(bytes('\x01'.repeat(30)), '<<< ', 0, 20);
    for (const line of escapes.trimEnd().split('\n')) expect(line.slice(4)).toMatch(/^(\\x01)+$/);
  });

  it('short binary data is written out exactly; invalid UTF-8 and unsafe characters as \\xHH', () => {
    expect(bytesText(Uint8Array.of(0x00, 0xff, 0x41, 0x1b, 0x5b, 0x7f), '<<< ', 0, 76)).toBe(
      '<<< \\x00\\xffA\\x1b[\\x7f\n',
    );
    // a bidirectional override and a C1 control would reorder or hide what an editor shows
    expect(bytesText(new TextEncoder().encode('a\u202eb\u0085c'), '<<< ', 0, 76)).toBe(
      '<<< a\\xe2\\x80\\xaeb\\xc2\\x85c\n',
    );
    expect(bytesText(bytes('back\\slash'), '>>> ', 0, 76)).toBe('>>> back\\\\slash\n');
    expect(bytesText(Uint8Array.of(0x68, 0xc3), '<<< ', 0, 76)).toBe('<<< h\\xc3\n'); // a character cut in two
  });

  it('a piece of a picture without a line of text in front is all hex', () => {
    const piece = Uint8Array.from({ length: 500 }, (_, i) => (i * 37) % 256);
    piece[0] = 0x58; // 'X'
    piece[1] = 0x60; // '`'
    const shown = bytesText(piece, '<<< ', 1000, 76);
    expect(shown.split('\n')[0]).toBe('<<< [binary: 500 bytes from byte 1,000 of the stream; the first 32 in hex]');
    expect(shown.split('\n')[1]).toMatch(/^<<< {3}000003e8 {2}58 60 /);
  });
});

describe('the whole file', () => {
  it('a session that did not end cleanly says so at the end', async () => {
    const entries: SessionEntry[] = recording.session.entries.filter((entry) => entry.kind !== 'end');
    const cut = (await exportToBuffer(exportText, memorySource(entries, summarize(entries)))).toString('utf8');
    expect(cut).toContain('Ended:        not cleanly: the app stopped before the session was closed');
    expect(cut.trimEnd().split('\n').at(-1)).toMatch(
      /-- the transcript ends here: the app stopped before the session was closed$/,
    );
  });

  it('is streamed in pieces, not made whole in memory', async () => {
    const entries: SessionEntry[] = [...recording.session.entries.slice(0, 5)];
    const id =
      entries.find((entry) => entry.kind === 'event')!.kind === 'event'
        ? (entries[1] as { event: { id: string } }).event.id
        : '';
    for (let i = 0; i < 400; i += 1) {
      entries.push({
        kind: 'event',
        t: 10 + i,
        event: {
          type: 'data',
          id,
          t: 10 + i,
          dir: 'in',
          offset: 1_000_000 + i * 1000,
          bytes: bytes('line of text\r\n'.repeat(70)),
        },
      });
    }
    const pieces: number[] = [];
    for await (const piece of textExporter({ width: 60 })(memorySource(entries, summarize(entries))))
      pieces.push(piece.byteLength);
    expect(pieces.length).toBeGreaterThan(5);
    expect(Math.max(...pieces)).toBeLessThan(200 * 1024);
  });

  it('any session gives a transcript with no raw control, line-separator or reordering character (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(sessionArb(), async (session) => {
        const text = (await exportToBuffer(exportText, session.source())).toString('utf8');
        const unsafe = [...text].filter((char) => {
          const code = char.codePointAt(0) as number;
          return (
            (code < 0x20 && code !== 0x0a) ||
            (code >= 0x7f && code <= 0x9f) ||
            [0x2028, 0x2029, 0xfeff].includes(code) ||
            (code >= 0x202a && code <= 0x202e) ||
            (code >= 0x2066 && code <= 0x2069)
          );
        });
        expect(unsafe).toEqual([]);
        expect(text.startsWith('Socket Lab session transcript\n')).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });
});
