/**
 * The TLS record splitter on real recordings (openssl s_client against openssl s_server, TLS 1.2 and TLS 1.3:
 * fixtures/tls/record.mjs made them), on those streams cut at every byte, and on hand-made edge cases.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TlsRecordSplitter,
  tlsAlertAtStart,
  tlsAlertRecord,
  type TlsDirection,
  type TlsRecordPiece,
} from '../../../src/shared/tlsRecords';

interface Fixture {
  about: string;
  chunks: Array<{ dir: TlsDirection; bytes: Buffer }>;
}

function fixture(name: 'tls12' | 'tls13'): Fixture {
  const raw = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/tls', `${name}.json`), 'utf8')) as {
    about: string;
    chunks: Array<{ dir: TlsDirection; hex: string }>;
  };
  return { about: raw.about, chunks: raw.chunks.map((c) => ({ dir: c.dir, bytes: Buffer.from(c.hex, 'hex') })) };
}

function stream(recording: Fixture, dir: TlsDirection): Buffer {
  return Buffer.concat(recording.chunks.filter((c) => c.dir === dir).map((c) => c.bytes));
}

/** A record put together from its pieces: what a row in the log would say about it once it is all here. */
interface WholeRecord {
  recordOffset: number;
  contentType: string;
  version: string | null;
  payloadLength: number | null;
  bytes: number;
  complete: boolean;
  encrypted: boolean;
  handshake: string[];
  alert?: string;
}

function wholeRecords(pieces: readonly TlsRecordPiece[]): WholeRecord[] {
  const records: WholeRecord[] = [];
  for (const piece of pieces) {
    let record = records[records.length - 1];
    if (!record || record.recordOffset !== piece.recordOffset) {
      record = {
        recordOffset: piece.recordOffset,
        contentType: piece.contentType,
        version: null,
        payloadLength: null,
        bytes: 0,
        complete: false,
        encrypted: piece.encrypted,
        handshake: [],
      };
      records.push(record);
    }
    if (piece.at !== record.bytes)
      throw new Error(`a piece begins at ${piece.at}, not where the last ended (${record.bytes})`);
    record.contentType = piece.contentType;
    record.version = piece.version ?? record.version;
    record.payloadLength = piece.payloadLength ?? record.payloadLength;
    record.bytes += piece.length;
    record.complete = piece.complete;
    record.encrypted = piece.encrypted;
    record.handshake.push(...(piece.handshake ?? []));
    if (piece.alert) record.alert = `${piece.alert.level} ${piece.alert.description}`;
  }
  return records;
}

/** Feeds the recording in its own order (with one direction re-cut by `cut`), checking each chunk's pieces tile it. */
function split(
  recording: Fixture,
  cut?: { dir: TlsDirection; chunks: (bytes: Buffer) => Buffer[] },
): { splitter: TlsRecordSplitter; pieces: Record<TlsDirection, TlsRecordPiece[]> } {
  const splitter = new TlsRecordSplitter();
  const pieces: Record<TlsDirection, TlsRecordPiece[]> = { out: [], in: [] };
  const feed = (dir: TlsDirection, bytes: Buffer): void => {
    const offset = splitter.offset(dir);
    const got = splitter.push(dir, bytes);
    // Checked by hand, not with expect: this runs for every cut of every stream.
    let next = 0;
    for (const piece of got) {
      if (piece.start !== next || piece.length <= 0)
        throw new Error(`pieces do not tile the chunk: ${JSON.stringify(got)}`);
      // Offsets are stream offsets: a piece at `at` into its record lies at recordOffset + at in the stream.
      if (piece.recordOffset + piece.at !== offset + piece.start)
        throw new Error(`wrong offsets: ${JSON.stringify(piece)}`);
      next += piece.length;
    }
    if (next !== bytes.byteLength) throw new Error(`the pieces cover ${next} of ${bytes.byteLength} bytes`);
    pieces[dir].push(...got);
  };
  if (cut) {
    for (const chunk of recording.chunks) if (chunk.dir !== cut.dir) feed(chunk.dir, chunk.bytes);
    for (const piece of cut.chunks(stream(recording, cut.dir))) feed(cut.dir, piece);
  } else {
    for (const chunk of recording.chunks) feed(chunk.dir, chunk.bytes);
  }
  return { splitter, pieces };
}

/** Content type, then the handshake messages, of each record: the shape a learner reads down the log. */
function shape(records: readonly WholeRecord[]): string[] {
  return records.map((record) => {
    const inside = record.handshake.length > 0 ? ` ${record.handshake.join(' + ')}` : '';
    const alert = record.alert ? ` ${record.alert}` : '';
    return `${record.contentType}${record.encrypted ? ' (encrypted)' : ''}${inside}${alert}`;
  });
}

describe('TLS records in a recorded TLS 1.2 conversation', () => {
  const recording = fixture('tls12');
  const { pieces, splitter } = split(recording);
  const out = wholeRecords(pieces.out);
  const incoming = wholeRecords(pieces.in);

  it('names each record and the handshake messages in it, in order', () => {
    expect(shape(out)).toEqual([
      'handshake ClientHello',
      'handshake ClientKeyExchange',
      'change-cipher-spec',
      'handshake (encrypted)',
      'application-data (encrypted)',
      'alert (encrypted)',
    ]);
    expect(shape(incoming).slice(0, 6)).toEqual([
      'handshake ServerHello',
      'handshake Certificate',
      'handshake ServerKeyExchange',
      'handshake ServerHelloDone',
      'handshake NewSessionTicket',
      'change-cipher-spec',
    ]);
    expect(shape(incoming).slice(6)).toEqual([
      'handshake (encrypted)',
      ...new Array<string>(incoming.length - 8).fill('application-data (encrypted)'),
      'alert (encrypted)',
    ]);
    expect(splitter.selectedVersion).toBe('TLS 1.2');
  });

  it('reads the header versions as sent: TLS 1.0 on the ClientHello, TLS 1.2 after', () => {
    expect(out[0]?.version).toBe('TLS 1.0');
    expect([...out.slice(1), ...incoming].every((record) => record.version === 'TLS 1.2')).toBe(true);
  });

  it('has whole records that add up to exactly the bytes that crossed, each 5 bytes of header plus its payload', () => {
    for (const [records, dir] of [
      [out, 'out'],
      [incoming, 'in'],
    ] as const) {
      expect(records.every((record) => record.complete)).toBe(true);
      for (const record of records) expect(record.bytes).toBe(5 + (record.payloadLength as number));
      expect(records.reduce((sum, record) => sum + record.bytes, 0)).toBe(stream(recording, dir).byteLength);
    }
  });
});

describe('TLS records in a recorded TLS 1.3 conversation', () => {
  const recording = fixture('tls13');
  const { pieces, splitter } = split(recording);
  const out = wholeRecords(pieces.out);
  const incoming = wholeRecords(pieces.in);

  it('shows the ServerHello and the compatibility ChangeCipherSpec in the clear, and the rest as application data', () => {
    expect(shape(out)).toEqual([
      'handshake ClientHello',
      'change-cipher-spec',
      ...new Array<string>(out.length - 2).fill('application-data (encrypted)'),
    ]);
    expect(shape(incoming).slice(0, 2)).toEqual(['handshake ServerHello', 'change-cipher-spec']);
    expect(incoming.slice(2).every((record) => record.contentType === 'application-data' && record.encrypted)).toBe(
      true,
    );
  });

  it('reads the selected version from the ServerHello, though every record header says TLS 1.2 or 1.0', () => {
    expect(splitter.selectedVersion).toBe('TLS 1.3');
    expect(new Set([...out, ...incoming].map((record) => record.version))).toEqual(new Set(['TLS 1.0', 'TLS 1.2']));
  });

  it('has whole records that add up to exactly the bytes that crossed', () => {
    for (const dir of ['out', 'in'] as const) {
      const records = wholeRecords(pieces[dir]);
      expect(records.every((record) => record.complete)).toBe(true);
      expect(records.reduce((sum, record) => sum + record.bytes, 0)).toBe(stream(recording, dir).byteLength);
    }
  });
});

describe('a recorded stream cut anywhere reads the same', () => {
  for (const name of ['tls12', 'tls13'] as const) {
    const recording = fixture(name);
    for (const dir of ['out', 'in'] as const) {
      const whole = wholeRecords(split(recording).pieces[dir]);

      it(`${name} ${dir}: cut in two at every byte`, () => {
        const length = stream(recording, dir).byteLength;
        for (let at = 1; at < length; at += 1) {
          const { pieces } = split(recording, { dir, chunks: (bytes) => [bytes.subarray(0, at), bytes.subarray(at)] });
          const records = wholeRecords(pieces[dir]);
          if (JSON.stringify(records) !== JSON.stringify(whole)) expect(records, `cut at byte ${at}`).toEqual(whole);
        }
      });

      it(`${name} ${dir}: one byte at a time`, () => {
        const { pieces } = split(recording, {
          dir,
          chunks: (bytes) => [...bytes].map((byte) => Buffer.of(byte)),
        });
        expect(wholeRecords(pieces[dir])).toEqual(whole);
      });
    }
  }
});

describe('edge cases', () => {
  const record = (type: number, payload: number[]): number[] => [
    type,
    3,
    3,
    payload.length >> 8,
    payload.length & 255,
    ...payload,
  ];

  it('names two handshake messages in one record, and one message that runs over two records', () => {
    const helloDone = [14, 0, 0, 0];
    const certificate = [11, 0, 0, 6, 1, 2, 3, 4, 5, 6];
    const bytes = Uint8Array.from([
      ...record(22, [...helloDone, ...certificate.slice(0, 5)]),
      ...record(22, certificate.slice(5)),
      ...record(22, helloDone),
    ]);
    const pieces = new TlsRecordSplitter().push('in', bytes);
    expect(pieces.map((piece) => piece.handshake ?? [])).toEqual([
      ['ServerHelloDone', 'Certificate'],
      [],
      ['ServerHelloDone'],
    ]);
  });

  it('reads an alert whose bytes come in three chunks, on the piece that completes it', () => {
    const splitter = new TlsRecordSplitter();
    const alert = tlsAlertRecord(40);
    expect(splitter.push('in', alert.subarray(0, 4))).toMatchObject([{ contentType: 'alert', payloadLength: null }]);
    expect(splitter.push('in', alert.subarray(4, 6))[0]?.alert).toBeUndefined();
    expect(splitter.push('in', alert.subarray(6))).toEqual([
      {
        recordOffset: 0,
        start: 0,
        length: 1,
        at: 6,
        contentType: 'alert',
        version: 'TLS 1.2',
        payloadLength: 2,
        complete: true,
        encrypted: false,
        alert: { level: 'fatal', description: 'handshake_failure', code: 40 },
      },
    ]);
  });

  it('calls plain HTTP not TLS, from its first byte to the end, and so after a real record too', () => {
    const http = Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
    const splitter = new TlsRecordSplitter();
    expect(splitter.push('in', http)).toEqual([
      {
        recordOffset: 0,
        start: 0,
        length: http.length,
        at: 0,
        contentType: 'not-tls',
        version: null,
        payloadLength: null,
        complete: false,
        encrypted: false,
      },
    ]);
    expect(splitter.push('in', Buffer.from('more'))).toMatchObject([
      { contentType: 'not-tls', recordOffset: http.length },
    ]);

    const mixed = new TlsRecordSplitter().push('in', Buffer.concat([tlsAlertRecord(0, 'warning'), http]));
    expect(mixed.map((piece) => [piece.contentType, piece.start, piece.length])).toEqual([
      ['alert', 0, 7],
      ['not-tls', 7, http.length],
    ]);
    expect(mixed[0]?.alert).toEqual({ level: 'warning', description: 'close_notify', code: 0 });
  });

  it('calls a record with version 4.0 or a length past 18,432 bytes not TLS, even when cut inside its header', () => {
    expect(new TlsRecordSplitter().push('in', Uint8Array.of(22, 4, 3, 0, 1, 0))[0]?.contentType).toBe('not-tls');
    const splitter = new TlsRecordSplitter();
    expect(splitter.push('in', Uint8Array.of(23, 3, 3))[0]?.contentType).toBe('application-data');
    expect(splitter.push('in', Uint8Array.of(0x48, 1, 0))[0]).toMatchObject({ contentType: 'not-tls', start: 0 });
  });

  it('finds an alert at the very start of a plain answer, and only there', () => {
    expect(tlsAlertAtStart(Uint8Array.from([...tlsAlertRecord(10), 1, 2]))).toEqual({
      level: 'fatal',
      description: 'unexpected_message',
      code: 10,
    });
    expect(tlsAlertAtStart(tlsAlertRecord(10).subarray(0, 6))).toBeUndefined();
    expect(tlsAlertAtStart(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBeUndefined();
    expect(tlsAlertAtStart(Uint8Array.of(21, 3, 3, 0, 3, 2, 10))).toBeUndefined();
    expect(tlsAlertAtStart(Uint8Array.of(21, 3, 3, 0, 2, 2, 200))?.description).toBe('alert 200');
  });
});
