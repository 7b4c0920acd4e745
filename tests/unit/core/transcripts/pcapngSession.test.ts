/**
 * A real session on real loopback sockets (the hub, the lab HTTP server, small servers of our own), exported as
 * .pcapng and read back by tshark: Follow TCP Stream shows exactly the session's bytes each way, the expert finds
 * nothing wrong, HTTP is dissected, and the SYN carries what the learner typed.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionId } from '../../../../src/shared/contract';
import type { TranscriptConnection } from '../../../../src/shared/transcript';
import { closedPort, request, startServer, valueOf, type LoopbackServer } from '../connections/loopback';
import { startTestLab, type TestLab } from '../labServers/helpers';
import {
  capinfos,
  commentField,
  dissect,
  EXPERT_ERROR,
  exportToFile,
  fields,
  httpHeuristicOn,
  requireTshark,
  type Dissection,
  type FollowedStream,
  type PcapngFile,
} from './pcapngTshark';
import { recordSession, TEST_STARTED_AT, type RecordedSession } from './recordSession';

const TEN_MB = 10 * 1024 * 1024;
const MIB = 1024 * 1024;
const ROMEO_REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n';

interface Recorded {
  session: RecordedSession;
  file: PcapngFile;
  /** The lab connection ids by what they show. */
  ids: Record<'http' | 'halfClose' | 'refused' | 'abort' | 'peerReset' | 'bulk', ConnectionId> & {
    ipv6?: ConnectionId;
  };
  ipv6Missing?: string;
  httpPort: number;
  /** tcp.stream number of each connection, found from its SYN's comment. */
  streamOf: Map<ConnectionId, number>;
  followed: Map<number, FollowedStream>;
  /** Every packet's fields and the expert summary, from one tshark pass (each pass over 10 MB costs ~0.6 s CPU). */
  packets: Dissection['packets'];
  expert: Dissection['expert'];
  comment: string;
  capinfos: string;
}

let lab: TestLab;
const servers: LoopbackServer[] = [];
let recorded: Recorded;

/** An echo server that answers our FIN with "bye\n" and its own FIN: the half-close case. */
function echoThenBye(socket: Socket): void {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('end', () => socket.end('bye\n'));
}

async function record(): Promise<Recorded> {
  const session = recordSession({
    route: (host, port) => lab.servers.route(host, port),
    identify: (address, port) => lab.servers.identify(address, port),
  });
  const { hub, log } = session;
  const echo = await startServer(echoThenBye);
  const resetter = await startServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
  let bulkReceived = 0;
  const bulkBytes = randomBytes(TEN_MB);
  const bulk = await startServer((socket) => {
    socket.on('data', (chunk: Buffer) => (bulkReceived += chunk.length));
    socket.on('end', () => socket.end());
    socket.write(bulkBytes);
  });
  servers.push(echo, resetter, bulk);
  let echo6: LoopbackServer | undefined;
  let ipv6Missing: string | undefined;
  try {
    echo6 = await startServer(echoThenBye, '::1');
    servers.push(echo6);
  } catch (error) {
    ipv6Missing = `no IPv6 loopback (::1) on this machine: ${(error as Error).message}`;
  }

  // Two connections open at once: the book's HTTP request and an echo that we half-close.
  const http = valueOf(hub.connect(request('data.pr4e.org', 80))).id;
  const halfClose = valueOf(hub.connect(request('127.0.0.1', echo.port))).id;
  await Promise.all([log.next(http, 'connected'), log.next(halfClose, 'connected')]);
  valueOf(hub.send(halfClose, new TextEncoder().encode('hello\n')));
  valueOf(hub.send(http, new TextEncoder().encode(ROMEO_REQUEST)));
  await log.received(halfClose, 6);
  valueOf(hub.end(halfClose));
  await log.next(http, 'peer-ended');
  valueOf(hub.close(http));
  await Promise.all([log.next(http, 'closed'), log.next(halfClose, 'closed')]);

  const refused = valueOf(hub.connect(request('127.0.0.1', await closedPort()))).id;
  await log.next(refused, 'closed');

  const abort = valueOf(hub.connect(request('127.0.0.1', echo.port))).id;
  await log.next(abort, 'connected');
  valueOf(hub.send(abort, new TextEncoder().encode('abort me')));
  await log.received(abort, 8);
  valueOf(hub.abort(abort));
  await log.next(abort, 'closed');

  const peerReset = valueOf(hub.connect(request('127.0.0.1', resetter.port))).id;
  await log.next(peerReset, 'connected');
  valueOf(hub.send(peerReset, new TextEncoder().encode('reset me')));
  await log.next(peerReset, 'closed');

  let ipv6: ConnectionId | undefined;
  if (echo6) {
    ipv6 = valueOf(hub.connect(request('::1', echo6.port))).id;
    await log.next(ipv6, 'connected');
    valueOf(hub.send(ipv6, Buffer.from('six '.repeat(750))));
    await log.received(ipv6, 3000);
    valueOf(hub.end(ipv6));
    await log.next(ipv6, 'closed');
  }

  const bulkId = valueOf(hub.connect(request('127.0.0.1', bulk.port))).id;
  await log.next(bulkId, 'connected');
  valueOf(hub.send(bulkId, randomBytes(MIB)));
  valueOf(hub.send(bulkId, randomBytes(MIB)));
  await log.received(bulkId, TEN_MB, 20_000);
  valueOf(hub.end(bulkId));
  await log.next(bulkId, 'closed', 10_000);
  expect(bulkReceived).toBe(2 * MIB);
  expect(log.bytes(bulkId, 'in').equals(bulkBytes)).toBe(true);

  const file = await exportToFile(session.source());
  const ids = { http, halfClose, refused, abort, peerReset, bulk: bulkId, ...(ipv6 !== undefined && { ipv6 }) };
  const comment = await commentField();
  // One connection, one TCP stream, numbered from 0 in order: follow every one of them in the same pass.
  const { packets, followed, expert } = await dissect(file.path, [...PACKET_FIELDS, comment], {
    follow: Object.values(ids).map((_, stream) => stream),
  });
  const byNumber = new Map(session.summary().connections.map((conn) => [conn.number, conn.id]));
  const streamOf = new Map<ConnectionId, number>();
  // tcp.flags.syn == 1 && tcp.flags.ack == 0 && !tcp.analysis.retransmission
  for (const packet of packets.filter((p) => isSyn(p) && p['tcp.analysis.retransmission'] === '')) {
    const number = Number(/^#(\d+) /.exec(packet[comment] ?? '')?.[1]);
    const id = byNumber.get(number);
    if (id !== undefined) streamOf.set(id, Number(packet['tcp.stream']));
  }
  return {
    session,
    file,
    ids,
    httpPort: lab.port('http'),
    streamOf,
    followed,
    packets,
    expert,
    comment,
    capinfos: await capinfos(file.path),
    ...(ipv6Missing && { ipv6Missing }),
  };
}

/** What the tests read of each packet; the display filters they stand for are written beside each use. */
const PACKET_FIELDS = [
  'tcp.stream',
  'tcp.srcport',
  'tcp.flags',
  'tcp.len',
  'tcp.analysis.retransmission',
  'frame.time_epoch',
  'frame.protocols',
  'ipv6.src',
  'ipv6.dst',
  'http.request.method',
  'http.response.code',
  '_ws.malformed',
  '_ws.expert.severity',
];

type Packet = Dissection['packets'][number];

/** tcp.flags.syn == 1 && tcp.flags.ack == 0 */
const isSyn = (packet: Packet): boolean => (Number(packet['tcp.flags']) & 0x012) === 0x002;
/** The display filter `http`: the HTTP dissector is in the packet's tree. */
const isHttp = (packet: Packet): boolean => (packet['frame.protocols'] ?? '').split(':').includes('http');

/** tcp.stream == N */
function inStream(id: ConnectionId): Packet[] {
  return recorded.packets.filter((packet) => packet['tcp.stream'] === String(streamOf(id)));
}

function conn(id: ConnectionId): TranscriptConnection {
  const found = recorded.session.summary().connections.find((c) => c.id === id);
  if (!found) throw new Error(`no connection ${id}`);
  return found;
}

function streamOf(id: ConnectionId): number {
  const stream = recorded.streamOf.get(id);
  if (stream === undefined) throw new Error(`no TCP stream for connection #${conn(id).number}`);
  return stream;
}

/** Each packet of a stream: who sent it (client = our side), TCP flags, payload length. */
function packetsOf(id: ConnectionId): Array<{ from: 'client' | 'server'; flags: number; len: number }> {
  const clientPort = String(recorded.followed.get(streamOf(id))?.client.split(':').pop());
  return inStream(id).map((packet) => ({
    from: packet['tcp.srcport'] === clientPort ? 'client' : 'server',
    flags: Number(packet['tcp.flags']),
    len: Number(packet['tcp.len']),
  }));
}

beforeAll(async () => {
  requireTshark();
  lab = await startTestLab();
  recorded = await record();
}, 120_000);

afterAll(async () => {
  recorded?.file.remove();
  await Promise.all(servers.map((server) => server.close()));
  await lab?.servers.stop();
});

describe('a real loopback session exported as .pcapng', () => {
  it('has one TCP stream per connection that reached connect, each with the exact bytes both ways (Follow TCP Stream)', () => {
    const { session, ids, followed } = recorded;
    const expected = Object.values(ids);
    expect([...recorded.streamOf.keys()].sort()).toEqual([...expected].sort());
    for (const id of expected) {
      const stream = followed.get(streamOf(id));
      const what = `#${conn(id).number} ${conn(id).host}`;
      expect(stream, what).toBeDefined();
      const out = session.log.bytes(id, 'out');
      const inn = session.log.bytes(id, 'in');
      // Lengths first: a 10 MB mismatch printed as bytes would bury the message.
      expect([stream!.clientBytes.length, stream!.serverBytes.length], what).toEqual([out.length, inn.length]);
      expect(stream!.clientBytes.equals(out), what).toBe(true);
      expect(stream!.serverBytes.equals(inn), what).toBe(true);
      expect(stream!.other, what).toEqual([]);
    }
    expect(session.log.bytes(ids.bulk, 'in').length).toBe(TEN_MB);
  });

  it('uses the real addresses and ports of each connection', () => {
    for (const id of Object.values(recorded.ids)) {
      const { local, remote } = conn(id);
      if (!local || !remote) continue; // the refused one never had a local port
      const stream = recorded.followed.get(streamOf(id));
      const shown = (end: { address: string; port: number }): string =>
        end.address.includes(':') ? `[${end.address}]:${end.port}` : `${end.address}:${end.port}`;
      expect(stream?.client).toBe(shown(local));
      expect(stream?.server).toBe(shown(remote));
    }
  });

  it('has no malformed packets and no errors, and warns only of the three resets that happened', () => {
    const { expert } = recorded;
    expect(expert.get('Errors') ?? []).toEqual([]);
    expect(expert.get('Warns') ?? []).toEqual([
      'TCP: Connection reset (RST)',
      'TCP: Connection reset (RST)',
      'TCP: Connection reset (RST)',
    ]);
    // _ws.malformed || _ws.expert.severity == error
    const bad = recorded.packets.filter(
      (p) => p['_ws.malformed'] !== '' || (p['_ws.expert.severity'] ?? '').split(',').includes(EXPERT_ERROR),
    );
    expect(bad.map((p) => p['frame.number'])).toEqual([]);
    expect(recorded.packets.length).toBeGreaterThan(TEN_MB / 1460);
  });

  it('puts the packets in time order, at the session clock', () => {
    expect(recorded.capinfos).toMatch(/Strict time order:\s+True/);
    const connecting = recorded.session.log.of(recorded.ids.http).find((event) => event.type === 'connecting');
    const [syn] = inStream(recorded.ids.http);
    const micros = Math.round((TEST_STARTED_AT + connecting!.t) * 1000);
    expect(syn?.['frame.time_epoch']).toBe(`${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}000`);
  });

  it('names what the learner typed in the SYN comment', () => {
    const { comment } = recorded;
    const syns = inStream(recorded.ids.http).filter(isSyn);
    expect(syns.map((p) => p[comment])).toEqual([
      '#1 data.pr4e.org:80, answered by Lab HTTP server (stands in for data.pr4e.org)',
    ]);
    // tcp.flags.syn == 1 (the SYN, then the SYN/ACK)
    const echoSyn = inStream(recorded.ids.halfClose).find((p) => Number(p['tcp.flags']) & 0x002);
    expect(echoSyn?.[comment]).toMatch(/^#2 127\.0\.0\.1:\d+$/);
  });

  it('shows the HTTP request and response when told the lab HTTP port carries HTTP', async () => {
    const decodeAs = ['-d', `tcp.port==${recorded.httpPort},http`];
    const names = ['http.request.method', 'http.request.uri', 'http.response.code', 'http.content_length'];
    const rows = await fields(recorded.file.path, names, 'http', decodeAs);
    const body = recorded.session.log.bytes(recorded.ids.http, 'in').toString('latin1').split('\r\n\r\n')[1] ?? '';
    expect(rows).toEqual([
      ['GET', 'http://data.pr4e.org/romeo.txt', '', ''],
      ['', '', '200', String(body.length)],
    ]);
  });

  it('says in the section comment how to see HTTP on the lab server’s port', async () => {
    const port = recorded.httpPort;
    expect(recorded.capinfos).toContain(
      `Capture comment:     The lab HTTP server listened on port ${port}, not 80. Wireshark usually finds HTTP there by itself`,
    );
  });

  it('shows HTTP even without being told, where tshark tries its HTTP heuristic on TCP (tshark 4.0 does)', async (context) => {
    if (!(await httpHeuristicOn())) {
      const reason = 'this tshark does not try HTTP on unknown TCP ports by itself (tcp http heuristic off)';
      console.log(`skipped: ${reason}; a Wireshark user needs Decode As`);
      context.skip(reason);
    }
    const rows = recorded.packets.filter(isHttp).map((p) => [p['http.request.method'], p['http.response.code']]);
    expect(rows).toEqual([
      ['GET', ''],
      ['', '200'],
    ]);
  });

  it('answers the refused connect with RST/ACK from the peer, and nothing else', () => {
    expect(packetsOf(recorded.ids.refused)).toEqual([
      { from: 'client', flags: 0x002, len: 0 },
      { from: 'server', flags: 0x014, len: 0 },
    ]);
  });

  it('ends the aborted connection with our RST, and the peer-reset one with theirs', () => {
    const aborted = packetsOf(recorded.ids.abort);
    expect(aborted.at(-1)).toEqual({ from: 'client', flags: 0x014, len: 0 });
    expect(aborted.filter((p) => p.flags & 0x01)).toEqual([]);
    const reset = packetsOf(recorded.ids.peerReset);
    expect(reset.at(-1)).toEqual({ from: 'server', flags: 0x014, len: 0 });
  });

  it('shows the half-close: our FIN, then the peer still sends "bye" before its own FIN', () => {
    const packets = packetsOf(recorded.ids.halfClose);
    const ourFin = packets.findIndex((p) => p.from === 'client' && p.flags & 0x01);
    const bye = packets.findIndex((p) => p.from === 'server' && p.len === 4);
    const theirFin = packets.findIndex((p) => p.from === 'server' && p.flags & 0x01);
    expect(ourFin).toBeGreaterThan(0);
    expect(bye).toBeGreaterThan(ourFin);
    expect(theirFin).toBeGreaterThan(bye);
  });

  it('splits data at 1460 bytes over IPv4 and 1440 over IPv6', (context) => {
    const bulk = packetsOf(recorded.ids.bulk);
    expect(Math.max(...bulk.map((p) => p.len))).toBe(1460);
    expect(bulk.filter((p) => p.from === 'server' && p.len > 0).length).toBeGreaterThanOrEqual(
      Math.ceil(TEN_MB / 1460),
    );
    if (recorded.ids.ipv6 === undefined) {
      console.log(`skipped the IPv6 part: ${recorded.ipv6Missing}`);
      context.skip(recorded.ipv6Missing);
    }
    const ipv6 = packetsOf(recorded.ids.ipv6!);
    expect(Math.max(...ipv6.map((p) => p.len))).toBe(1440);
    const [first] = inStream(recorded.ids.ipv6!);
    expect([first?.['ipv6.src'], first?.['ipv6.dst']]).toEqual(['::1', '::1']);
  });
});
