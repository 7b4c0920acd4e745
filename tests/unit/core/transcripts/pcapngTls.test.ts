/**
 * A real session with TLS (the hub against the lab TLS server), kept as the journal keeps it, summarized, and
 * exported as .pcapng: the packets of a TLS connection carry its wire bytes, so tshark dissects TLS (the same records
 * the lab's splitter names) with nothing malformed; a plain connection beside it still carries its plain bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionId, LabEvent } from '../../../../src/shared/contract';
import { TlsRecordSplitter } from '../../../../src/shared/tlsRecords';
import { valueOf } from '../connections/loopback';
import { startTestLab, type TestLab } from '../labServers/helpers';
import {
  capinfos,
  expertSummary,
  exportToFile,
  fields,
  followStreams,
  requireTshark,
  type FollowedStream,
  type PcapngFile,
} from './pcapngTshark';
import { recordSession, type RecordedSession } from './recordSession';

const ROMEO_REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n';

let lab: TestLab;
let session: RecordedSession;
let file: PcapngFile;
let ids: Record<'secure' | 'plain' | 'expectsTls', ConnectionId>;
let followed: Map<number, FollowedStream>;
const streamOf = new Map<ConnectionId, number>();

type Wire = Extract<LabEvent, { type: 'wire' }>;

function wire(id: ConnectionId, dir: 'in' | 'out'): Buffer {
  const events = session.log.of(id).filter((event): event is Wire => event.type === 'wire' && event.dir === dir);
  return Buffer.concat(events.map((event) => event.bytes));
}

beforeAll(async () => {
  requireTshark();
  lab = await startTestLab();
  session = recordSession({
    route: (host, port) => lab.servers.route(host, port),
    identify: (address, port) => lab.servers.identify(address, port),
    labCertificates: () => [lab.servers.certificate.summary.sha256],
  });
  const { hub, log } = session;
  const connect = (port: number, tls: boolean): ConnectionId =>
    valueOf(hub.connect({ host: 'data.pr4e.org', port, route: 'lab', timeoutMs: 5_000, tls })).id;

  const secure = connect(443, true);
  await log.next(secure, 'tls');
  valueOf(hub.send(secure, Buffer.from(ROMEO_REQUEST)));
  await log.next(secure, 'peer-ended');
  valueOf(hub.close(secure));
  await log.next(secure, 'closed');

  const plain = connect(80, false);
  await log.next(plain, 'connected');
  valueOf(hub.send(plain, Buffer.from(ROMEO_REQUEST)));
  await log.next(plain, 'peer-ended');
  valueOf(hub.close(plain));
  await log.next(plain, 'closed');

  const expectsTls = connect(443, false);
  await log.next(expectsTls, 'connected');
  valueOf(hub.send(expectsTls, Buffer.from(ROMEO_REQUEST)));
  await log.next(expectsTls, 'closed');
  ids = { secure, plain, expectsTls };
  hub.dispose();

  file = await exportToFile(session.source());
  // Each connection's SYN names it (#1, #2, ...): that gives its tcp.stream number.
  const syns = await fields(file.path, ['tcp.stream', 'frame.comment'], 'tcp.flags.syn == 1 && tcp.flags.ack == 0');
  for (const [stream, comment] of syns) {
    const number = Number(/^#(\d+) /.exec(comment ?? '')?.[1]);
    const conn = session.summary().connections.find((c) => c.number === number);
    if (conn) streamOf.set(conn.id, Number(stream));
  }
  followed = await followStreams(file.path, [...streamOf.values()]);
}, 60_000);

afterAll(async () => {
  file?.remove();
  await lab?.servers.stop();
});

describe('the summary of a session with TLS', () => {
  it('counts the wire bytes apart from the plain ones, and keeps what the handshake settled', () => {
    const summary = session.summary();
    const secure = summary.connections.find((conn) => conn.id === ids.secure);
    expect(secure?.tls).toEqual({
      wireBytesIn: wire(ids.secure, 'in').length,
      wireBytesOut: wire(ids.secure, 'out').length,
      unsavedWireBytes: 0,
      lostWireBytes: 0,
      protocol: 'TLSv1.3',
      cipher: expect.stringMatching(/^TLS_/),
      certificateSha256: lab.servers.certificate.summary.sha256,
      trusted: false,
    });
    expect(secure?.bytesIn).toBe(session.log.bytes(ids.secure, 'in').length);
    expect(secure?.bytesOut).toBe(ROMEO_REQUEST.length);
    expect(summary.connections.find((conn) => conn.id === ids.plain)?.tls).toBeUndefined();
    expect(summary.wireBytes).toBe(wire(ids.secure, 'in').length + wire(ids.secure, 'out').length);
    expect(summary.connections.find((conn) => conn.id === ids.expectsTls)?.error?.code).toBe('TLS_EXPECTED');
  });
});

describe('a session with TLS exported as .pcapng', () => {
  it('carries the wire bytes of the TLS connection and the plain bytes of the plain one (Follow TCP Stream)', () => {
    const secure = followed.get(streamOf.get(ids.secure) as number);
    expect(secure?.clientBytes.equals(wire(ids.secure, 'out'))).toBe(true);
    expect(secure?.serverBytes.equals(wire(ids.secure, 'in'))).toBe(true);
    expect(secure?.serverBytes.includes(Buffer.from('Romeo'))).toBe(false);
    const plain = followed.get(streamOf.get(ids.plain) as number);
    expect(plain?.clientBytes.toString('latin1')).toBe(ROMEO_REQUEST);
    expect(plain?.serverBytes.equals(session.log.bytes(ids.plain, 'in'))).toBe(true);
    const alert = followed.get(streamOf.get(ids.expectsTls) as number);
    expect([...(alert?.serverBytes ?? [])]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);
  });

  it('is dissected as TLS by tshark, the same records the lab names, with the hellos in the clear', async () => {
    const stream = streamOf.get(ids.secure) as number;
    const rows = await fields(
      file.path,
      ['tcp.srcport', 'tls.record.length', 'tls.handshake.type', 'tls.handshake.extensions_server_name'],
      `tcp.stream == ${stream} && tls`,
    );
    const clientPort = String(session.summary().connections.find((conn) => conn.id === ids.secure)?.local?.port);
    const lengths = (fromClient: boolean): number[] =>
      rows
        .filter((row) => (row[0] === clientPort) === fromClient)
        .flatMap((row) => (row[1] ? row[1].split(',').map(Number) : []));
    const splitter = new TlsRecordSplitter();
    const named = (dir: 'in' | 'out'): number[] =>
      splitter.push(dir, wire(ids.secure, dir)).map((record) => record.payloadLength as number);
    expect(lengths(true)).toEqual(named('out'));
    expect(lengths(false)).toEqual(named('in'));
    const handshakes = rows.flatMap((row) => (row[2] ? row[2].split(',') : []));
    expect(handshakes.slice(0, 2)).toEqual(['1', '2']);
    expect(rows.find((row) => row[3])?.[3]).toBe('data.pr4e.org');
  });

  it('has no malformed packets and no expert errors', async () => {
    expect(await fields(file.path, ['frame.number'], '_ws.malformed || _ws.expert.severity == error')).toEqual([]);
    const expert = await expertSummary(file.path);
    expect(expert.get('Errors') ?? []).toEqual([]);
  });

  it('says in the SYN and the section comments what the packets carry, and why the plain one on 443 failed', async () => {
    const syn = await fields(
      file.path,
      ['frame.comment'],
      `tcp.stream == ${streamOf.get(ids.secure)} && tcp.flags.syn == 1 && tcp.flags.ack == 0`,
    );
    expect(syn[0]?.[0]).toContain('TLS: these packets carry the encrypted records as they crossed the wire');
    const info = (await capinfos(file.path)).replace(/\s+/g, ' ');
    expect(info).toContain('#1 data.pr4e.org:443 spoke TLS (TLSv1.3, TLS_');
    expect(info).toContain('Wireshark cannot decrypt them without the keys');
    expect(info).toContain('#3 data.pr4e.org:443: TLS_EXPECTED: data.pr4e.org port 443 answered with a TLS alert');
    expect(info).toContain('this port expects TLS first');
  });
});
