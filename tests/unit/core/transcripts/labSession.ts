/**
 * Test fixture: real sessions recorded on loopback against the real lab servers (fixed clock, so the HTTP Date
 * header is always the same), as a learner of chapter 12 would make them.
 */
import type { ConnectionId } from '../../../../src/shared/contract';
import { startTestLab, type TestLab } from '../labServers/helpers';
import { startServer, valueOf, type LoopbackServer } from '../connections/loopback';
import { recordSession, type RecordedSession } from './recordSession';

export const ROMEO_REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n';
export const JPEG_REQUEST = 'GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n';

export interface LabRecording {
  lab: TestLab;
  session: RecordedSession;
  stop(): Promise<void>;
}

/** A recorder whose lab route goes to these lab servers, as the app's does (and which knows the lab's certificate). */
export function labSessionOn(lab: TestLab): RecordedSession {
  return recordSession({
    route: (host, port) => lab.servers.route(host, port),
    identify: (address, port) => lab.servers.identify(address, port),
    labCertificates: () => [lab.servers.certificate.summary.sha256],
  });
}

/** A recorder on a test lab of its own. */
export async function labRecording(): Promise<LabRecording> {
  const lab = await startTestLab();
  const session = labSessionOn(lab);
  return {
    lab,
    session,
    async stop() {
      session.hub.dispose();
      await lab.servers.stop();
    },
  };
}

const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

function connect(session: RecordedSession, host: string, port: number, tls = false): ConnectionId {
  return valueOf(session.hub.connect({ host, port, route: 'lab', timeoutMs: 5_000, ...(tls && { tls }) })).id;
}

/** socket1.py: the chapter's request, read until the server closes, then close. */
export async function romeoExchange(session: RecordedSession, request = ROMEO_REQUEST): Promise<ConnectionId> {
  const id = connect(session, 'data.pr4e.org', 80);
  await session.log.next(id, 'connected');
  valueOf(session.hub.send(id, latin1(request)));
  await session.log.next(id, 'peer-ended');
  valueOf(session.hub.close(id));
  await session.log.next(id, 'closed');
  return id;
}

/** socket1.py over TLS (the lab TLS server on data.pr4e.org:443): the handshake, the request inside TLS, read
 *  until the server closes, then close. */
export async function tlsRomeoExchange(session: RecordedSession, request = ROMEO_REQUEST): Promise<ConnectionId> {
  const id = connect(session, 'data.pr4e.org', 443, true);
  await session.log.next(id, 'tls');
  valueOf(session.hub.send(id, latin1(request)));
  await session.log.next(id, 'peer-ended');
  valueOf(session.hub.close(id));
  await session.log.next(id, 'closed');
  return id;
}

/** Several sends to the lab echo server, each echo awaited before the next send; then half-close and close. */
export async function echoExchange(session: RecordedSession, messages: readonly Uint8Array[]): Promise<ConnectionId> {
  const id = connect(session, 'echo.lab.test', 7);
  await session.log.next(id, 'connected');
  let total = 0;
  for (const message of messages) {
    valueOf(session.hub.send(id, message));
    total += message.byteLength;
    await session.log.received(id, total);
  }
  valueOf(session.hub.end(id));
  await session.log.next(id, 'peer-ended');
  valueOf(session.hub.close(id));
  await session.log.next(id, 'closed');
  return id;
}

/** A connection nothing listens for: refused. */
export async function refusedConnection(session: RecordedSession, port: number): Promise<ConnectionId> {
  const id = connect(session, '127.0.0.1', port);
  await session.log.next(id, 'closed');
  return id;
}

/** An IPv6 server on ::1 that greets, echoes one line, then the learner aborts (RST). */
export async function ipv6Abort(session: RecordedSession): Promise<{ id: ConnectionId; server: LoopbackServer }> {
  const server = await startServer((socket) => {
    socket.write('hello over IPv6\r\n');
    socket.on('data', (chunk) => socket.write(chunk));
  }, '::1');
  const id = connect(session, '::1', server.port);
  await session.log.received(id, 'hello over IPv6\r\n'.length);
  valueOf(session.hub.send(id, latin1('ping\n')));
  await session.log.received(id, 'hello over IPv6\r\nping\n'.length);
  valueOf(session.hub.abort(id));
  await session.log.next(id, 'closed');
  return { id, server };
}

/** The whole tour: romeo.txt, the picture, an echo with text and UTF-8 and a control byte, a refused port, IPv6
 *  with an abort, romeo.txt over TLS, plus the entries the journal adds (slow mode, progress, journal full, unsaved
 *  data, end), and after the cap a TLS connection whose wire and plain bytes are all unsaved. */
export async function recordTour(
  recording: LabRecording,
  closedPort: number,
  options: { picture?: boolean; tls?: boolean } = {},
): Promise<void> {
  const { session } = recording;
  await romeoExchange(session);
  session.entries.push({ kind: 'slow-mode', t: lastT(session), slow: { bytesPerSecond: 2000, writeSize: 100 } });
  session.entries.push({ kind: 'slow-mode', t: lastT(session), slow: null });
  if (options.picture ?? true) await romeoExchange(session, JPEG_REQUEST);
  await echoExchange(session, [
    latin1('hello\n'),
    new TextEncoder().encode('caf\u00e9 \u2603 ok\r\n'),
    latin1('bell \x07 and tab \t end\n'),
  ]);
  await refusedConnection(session, closedPort);
  const { server } = await ipv6Abort(session);
  await server.close();
  const tls = options.tls ?? true;
  if (tls) await tlsRomeoExchange(session);
  session.entries.push({
    kind: 'progress',
    t: lastT(session),
    progress: {
      completed: ['reliable-pipe', 'speak-http'],
      current: 'blank-line',
      predictions: { 'headers-body': 'Content-Length: 167' },
    },
  });
  session.fillJournal(256 * 1024 * 1024);
  // After the cap the journal counts data without keeping it.
  const id = connect(session, 'echo.lab.test', 7);
  await session.log.next(id, 'connected');
  session.entries.push({ kind: 'unsaved', t: lastT(session), id, dir: 'out', offset: 0, length: 70_000 });
  session.entries.push({ kind: 'unsaved', t: lastT(session) + 1, id, dir: 'in', offset: 0, length: 70_000 });
  valueOf(session.hub.close(id));
  await session.log.next(id, 'closed');
  if (tls) await tlsRomeoExchange(session);
  session.entries.push({ kind: 'end', t: lastT(session) + 1 });
}

function lastT(session: RecordedSession): number {
  return session.entries[session.entries.length - 1]?.t ?? 0;
}
