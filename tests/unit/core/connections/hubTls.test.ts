/**
 * TLS on a hub connection, on real loopback sockets: both layers (the records as they cross the socket, and the
 * plain bytes inside), the `tls` event and its certificate, what goes wrong in plain words, and half-close, close
 * and abort keeping their meanings.
 */
import { readFileSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../../src/shared/contract';
import { TlsRecordSplitter, type TlsRecordPiece } from '../../../../src/shared/tlsRecords';
import { CONTENT_DIR, FIXED_NOW, run, startTestLab, type TestLab } from '../labServers/helpers';
import { makeHub, startServer, valueOf, type EventLog, type LoopbackServer } from './loopback';

const ROMEO_REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n';

let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab.servers.stop();
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function labHub(options: Parameters<typeof makeHub>[0] = {}): ReturnType<typeof makeHub> {
  const made = makeHub({
    route: (host, port) => lab.servers.route(host, port),
    identify: (address, port) => lab.servers.identify(address, port),
    labCertificates: () => [lab.servers.certificate.summary.sha256],
    ...options,
  });
  cleanups.push(() => made.hub.dispose());
  return made;
}

function connectTls(hub: ReturnType<typeof makeHub>['hub'], host: string, port: number, timeoutMs = 5_000): string {
  return valueOf(hub.connect({ host, port, route: 'lab', timeoutMs, tls: true })).id;
}

type Wire = Extract<LabEvent, { type: 'wire' }>;

function wireEvents(log: EventLog, id: string, dir?: 'in' | 'out'): Wire[] {
  return log.of(id).filter((event): event is Wire => event.type === 'wire' && (dir === undefined || event.dir === dir));
}

function wireBytes(log: EventLog, id: string, dir: 'in' | 'out'): Buffer {
  return Buffer.concat(wireEvents(log, id, dir).map((event) => event.bytes));
}

interface RecordingProxy {
  port: number;
  fromClient: () => Buffer;
  fromServer: () => Buffer;
  /** How the client's side ended: its FIN, or a reset. */
  clientEnded: Promise<'FIN' | 'RST'>;
}

/** A TCP proxy on loopback that keeps what each side sent: the bytes that really crossed, and how they ended. */
async function recordingProxy(targetPort: number): Promise<RecordingProxy> {
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  let ended: (how: 'FIN' | 'RST') => void = () => undefined;
  const clientEnded = new Promise<'FIN' | 'RST'>((resolve) => (ended = resolve));
  const proxy = await startServer((client) => {
    client.on('end', () => ended('FIN'));
    client.on('error', (error: NodeJS.ErrnoException) => ended(error.code === 'ECONNRESET' ? 'RST' : 'FIN'));
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    upstream.on('error', () => client.destroy());
    client.on('data', (bytes: Buffer) => {
      fromClient.push(bytes);
      upstream.write(bytes);
    });
    upstream.on('data', (bytes: Buffer) => {
      fromServer.push(bytes);
      client.write(bytes);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  cleanups.push(() => proxy.close());
  return {
    port: proxy.port,
    fromClient: () => Buffer.concat(fromClient),
    fromServer: () => Buffer.concat(fromServer),
    clientEnded,
  };
}

/** A node:tls server with the lab's certificate (OpenSSL on the other side, written by nobody here). */
async function tlsServer(
  options: tls.TlsOptions,
  onSecure: (socket: tls.TLSSocket) => void,
): Promise<{ port: number }> {
  const { cert, key } = lab.servers.certificate;
  const server = tls.createServer({ cert, key, allowHalfOpen: true, ...options }, (socket) => {
    socket.on('error', () => undefined);
    onSecure(socket);
  });
  server.on('tlsClientError', () => undefined);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port };
}

async function plainServer(onConnection: (socket: Socket) => void): Promise<LoopbackServer> {
  const started = await startServer(onConnection);
  cleanups.push(() => started.close());
  return started;
}

describe('a TLS connection to the lab TLS server', () => {
  it('shows the handshake on the wire, then the tls event, then the plain HTTP answer inside', async () => {
    const { hub, log } = labHub();
    const id = connectTls(hub, 'data.pr4e.org', 443);
    const secured = await log.next(id, 'tls');
    valueOf(hub.send(id, Buffer.from(ROMEO_REQUEST)));
    await log.next(id, 'peer-ended');
    valueOf(hub.close(id));
    expect((await log.next(id, 'closed')).by).toBe('local');

    expect(log.of(id)[0]).toMatchObject({ type: 'resolving', host: 'data.pr4e.org', port: 443, tls: true });
    expect(log.of(id).find((event) => event.type === 'connected')).toMatchObject({
      answeredBy: 'Lab HTTPS server (stands in for data.pr4e.org:443)',
      remote: { port: lab.port('https') },
    });
    // The order a learner reads down the log.
    const order = log
      .of(id)
      .map((event) => (event.type === 'wire' || event.type === 'data' ? `${event.type}-${event.dir}` : event.type));
    const squeezed = order.filter((name, i) => name !== order[i - 1]);
    expect(squeezed.slice(0, 9)).toEqual([
      'resolving',
      'resolved',
      'connecting',
      'connected',
      'wire-out',
      'wire-in',
      'wire-out',
      'tls',
      'data-out',
    ]);
    expect(squeezed.slice(-3)).toEqual(['wire-out', 'local-ended', 'closed']);
    expect(squeezed).toContain('data-in');
    expect(squeezed.indexOf('peer-ended')).toBeGreaterThan(squeezed.lastIndexOf('data-in'));

    const names = (pieces: TlsRecordPiece[]): string[] => pieces.flatMap((piece) => piece.handshake ?? []);
    expect(names(wireEvents(log, id, 'out')[0]?.records ?? [])).toEqual(['ClientHello']);
    expect(names(wireEvents(log, id, 'in')[0]?.records ?? [])).toEqual(['ServerHello']);

    expect(secured).toMatchObject({
      protocol: 'TLSv1.3',
      alpn: 'http/1.1',
      serverName: 'data.pr4e.org',
      trust: { trusted: false, labCertificate: true, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    });
    expect(secured.cipher).toMatch(/^TLS_AES_(128|256)_GCM_SHA(256|384)$|^TLS_CHACHA20_POLY1305_SHA256$/);
    expect(secured.trust.why).toContain('made by Socket Lab for this computer; no authority vouches for it');
    expect(secured.certificate).toMatchObject({
      subject: expect.stringMatching(/^CN=data\.pr4e\.org, O=Socket Lab/),
      selfSigned: true,
      publicKey: 'EC P-256',
      altNames: [
        'DNS:data.pr4e.org',
        'DNS:www.py4e.com',
        'DNS:localhost',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
      ],
    });
    expect(secured.certificate?.validFrom).toBe(lab.servers.certificate.summary.validFrom);
    expect(secured.handshakeMs).toBeGreaterThan(0);

    const printed = await run('openssl', [
      'x509',
      '-noout',
      '-fingerprint',
      '-sha256',
      '-in',
      lab.servers.certificate.certificatePath,
    ]);
    expect(printed.stdout.toString().trim()).toBe(`sha256 Fingerprint=${secured.certificate?.sha256}`);
  });

  it('has wire events that are exactly the bytes that crossed the socket, and records that reassemble them', async () => {
    const proxy = await recordingProxy(lab.port('https'));
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', proxy.port);
    await log.next(id, 'tls');
    valueOf(hub.send(id, Buffer.from('GET /cover3.jpg HTTP/1.0\r\n\r\n')));
    await log.next(id, 'peer-ended', 10_000);
    valueOf(hub.close(id));
    await log.next(id, 'closed');

    expect(wireBytes(log, id, 'out').equals(proxy.fromClient())).toBe(true);
    expect(wireBytes(log, id, 'in').equals(proxy.fromServer())).toBe(true);
    expect(proxy.fromServer().length).toBeGreaterThan(230_210);
    for (const dir of ['out', 'in'] as const) {
      const events = wireEvents(log, id, dir);
      // Offsets run on in the TCP stream, with no gap and no overlap.
      let offset = 0;
      for (const event of events) {
        expect(event.offset).toBe(offset);
        offset += event.bytes.byteLength;
      }
      // Each event's records tile its bytes; put back together they are whole records, header and payload.
      const whole = new Map<number, number>();
      for (const event of events) {
        let at = 0;
        for (const record of event.records) {
          expect(record.start).toBe(at);
          at += record.length;
          whole.set(record.recordOffset, (whole.get(record.recordOffset) ?? 0) + record.length);
        }
        expect(at).toBe(event.bytes.byteLength);
      }
      const again = new TlsRecordSplitter().push(dir, wireBytes(log, id, dir));
      expect(again.every((record) => record.complete && record.contentType !== 'not-tls')).toBe(true);
      expect([...whole]).toEqual(again.map((record) => [record.recordOffset, 5 + (record.payloadLength as number)]));
    }
    // The plain stream inside is the lab HTTP server's answer: the whole picture after its head.
    const plain = log.bytes(id, 'in');
    const cover = readFileSync(path.join(CONTENT_DIR, 'cover3.jpg'));
    expect(plain.subarray(plain.indexOf('\r\n\r\n') + 4).equals(cover)).toBe(true);
    expect(hub.list()).toEqual([]);
  });

  it('gets, inside TLS, byte for byte the answer the plain lab HTTP server gives', async () => {
    const { hub, log } = labHub();
    const secure = connectTls(hub, 'data.pr4e.org', 443);
    await log.next(secure, 'tls');
    valueOf(hub.send(secure, Buffer.from(ROMEO_REQUEST)));
    const plain = valueOf(hub.connect({ host: 'data.pr4e.org', port: 80, route: 'lab', timeoutMs: 5_000 })).id;
    await log.next(plain, 'connected');
    valueOf(hub.send(plain, Buffer.from(ROMEO_REQUEST)));
    await Promise.all([log.next(secure, 'peer-ended'), log.next(plain, 'peer-ended')]);
    expect(log.bytes(secure, 'in').toString('latin1')).toBe(log.bytes(plain, 'in').toString('latin1'));
    expect(log.bytes(secure, 'in').toString('latin1')).toContain(`Date: ${FIXED_NOW.toUTCString()}`);
  });

  it('refuses sends until the handshake is done, and lists the connection as handshaking, then secure', async () => {
    const { hub, log } = labHub();
    const id = connectTls(hub, 'data.pr4e.org', 443);
    await log.next(id, 'connected');
    const early = hub.send(id, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(early).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(early.ok || early.error.message).toMatch(/^The TLS handshake is still going on/);
    expect(hub.end(id)).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect(hub.list()[0]?.tls).toMatchObject({ state: 'handshaking' });
    await log.next(id, 'tls');
    const listed = hub.list()[0]?.tls;
    expect(listed).toMatchObject({ state: 'secure', protocol: 'TLSv1.3' });
    expect(listed?.wireBytesOut).toBe(wireBytes(log, id, 'out').length);
    expect(listed?.wireBytesIn).toBe(wireBytes(log, id, 'in').length);
  });

  it('takes its name check from what the learner typed: 127.0.0.1 sends no SNI, and matches the IP in the certificate', async () => {
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', lab.port('https'));
    const secured = await log.next(id, 'tls');
    expect(secured.serverName).toBeNull();
    expect(secured.trust.labCertificate).toBe(true);
    expect(log.of(id).find((event) => event.type === 'connected')).toMatchObject({
      answeredBy: 'Lab HTTPS server (stands in for data.pr4e.org:443)',
    });
  });
});

describe('TLS switched off on 443', () => {
  it('gets the alert and the explanation "this port expects TLS first"', async () => {
    const { hub, log } = labHub();
    const id = valueOf(hub.connect({ host: 'data.pr4e.org', port: 443, route: 'lab', timeoutMs: 5_000 })).id;
    await log.next(id, 'connected');
    valueOf(hub.send(id, Buffer.from(ROMEO_REQUEST)));
    const error = await log.next(id, 'error');
    expect(error.code).toBe('TLS_EXPECTED');
    expect(error.message).toContain('this port expects TLS first');
    expect(error.message).toMatch(/^data\.pr4e\.org port 443 answered with a TLS alert \(fatal unexpected_message\)/);
    expect(error.hint).toMatch(/^Turn TLS on/);
    expect([...log.bytes(id, 'in')]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);
    expect((await log.next(id, 'closed')).by).toBe('error');
    expect(log.of(id).some((event) => event.type === 'wire')).toBe(false);
  });

  it('does not mistake an echo of your own alert bytes for one', async () => {
    const echo = await plainServer((socket) => socket.pipe(socket));
    const { hub, log } = labHub();
    const id = valueOf(hub.connect({ host: '127.0.0.1', port: echo.port, route: 'lab', timeoutMs: 5_000 })).id;
    await log.next(id, 'connected');
    valueOf(hub.send(id, Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a)));
    await log.received(id, 7);
    valueOf(hub.close(id));
    expect((await log.next(id, 'closed')).by).toBe('local');
    expect(log.of(id).some((event) => event.type === 'error')).toBe(false);
  });
});

describe('TLS to something that does not speak it, in plain words', () => {
  it('the lab HTTP server waits for a blank line that never comes, so the handshake times out', async () => {
    const { hub, log } = labHub();
    const id = connectTls(hub, 'data.pr4e.org', 80, 400);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('ETIMEDOUT');
    expect(error.message).toMatch(
      /^data\.pr4e\.org port 80 took the TCP connection but did not finish the TLS handshake within 0\.4 seconds/,
    );
    expect(error.hint).toMatch(/^Turn TLS off/);
  });

  it('a plain server that answers at once: "answered, but not in TLS", with its first bytes', async () => {
    const nginxLike = await plainServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')),
    );
    const { hub, log } = labHub();
    const id = connectTls(hub, 'localhost', nginxLike.port);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('TLS_NOT_SPOKEN');
    expect(error.message).toMatch(
      /^localhost port \d+ answered, but not in TLS: its first bytes were "HTTP\/1\.1 400 Bad Request\\r\\n\.\.\."\. /,
    );
    expect(error.message).toContain('(it speaks plain HTTP)');
    expect(error.hint).toMatch(/^Turn TLS off/);
    expect(error.detail).toMatch(/ERR_SSL_WRONG_VERSION_NUMBER|ERR_SSL_PACKET_LENGTH_TOO_LONG/);
    const answer = wireEvents(log, id, 'in')[0];
    expect(answer?.records[0]).toMatchObject({ contentType: 'not-tls', start: 0 });
    expect((await log.next(id, 'closed')).by).toBe('error');
  });

  it('a server that takes the connection and says nothing: the handshake times out', async () => {
    const silent = await plainServer(() => undefined);
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', silent.port, 300);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('ETIMEDOUT');
    expect(error.message).toBe(
      `127.0.0.1 port ${silent.port} took the TCP connection but did not finish the TLS handshake within 0.3 seconds, so the lab gave up. A program that does not speak TLS waits in silence for a request, which looks just like this.`,
    );
    expect((await log.next(id, 'closed')).by).toBe('error');
  });

  it('a server that hangs up on the ClientHello', async () => {
    const rude = await plainServer((socket) => socket.once('data', () => socket.end()));
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', rude.port);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('TLS_FAILED');
    expect(error.message).toBe(
      `127.0.0.1 port ${rude.port} closed the connection during the TLS handshake, before it was secure, without a word of TLS.`,
    );
    expect(log.of(id).some((event) => event.type === 'peer-ended')).toBe(true);
  });

  it('a server that resets the connection mid-handshake', async () => {
    const resetting = await plainServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', resetting.port);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('ECONNRESET');
    expect(error.message).toContain(
      'reset the connection (a TCP reset, RST) during the TLS handshake, before it was secure',
    );
  });

  it('an OpenSSL server that finds no cipher in common answers an alert, named from the wire', async () => {
    const picky = await tlsServer({ maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' }, () => undefined);
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', picky.port);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('TLS_ALERT');
    expect(error.message).toBe(
      `127.0.0.1 port ${picky.port} refused the TLS handshake with a fatal TLS alert: handshake_failure (40), because it could not agree with the lab on how to encrypt: there is no TLS version, cipher or key type that both sides know.`,
    );
    expect(error.detail).toMatch(/ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE/);
    expect(wireEvents(log, id, 'in').flatMap((event) => event.records)).toMatchObject([
      { contentType: 'alert', alert: { level: 'fatal', description: 'handshake_failure', code: 40 } },
    ]);
  });

  it('a server that wants a client certificate ends a secure TLS 1.3 connection with certificate_required', async () => {
    const strict = await tlsServer({ requestCert: true, rejectUnauthorized: true }, () => undefined);
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', strict.port);
    const error = await log.next(id, 'error');
    expect(error.code).toBe('TLS_ALERT');
    expect(error.message).toMatch(
      /ended the TLS connection with a fatal TLS alert: certificate_required \(116\), because it wants a certificate from your side too/,
    );
  });
});

describe('half-close, close and abort over TLS', () => {
  it('half-close sends close_notify then FIN, and the other side can still answer', async () => {
    let serverSawEnd = false;
    const server = await tlsServer({ maxVersion: 'TLSv1.2' }, (socket) => {
      const got: Buffer[] = [];
      socket.on('data', (bytes: Buffer) => got.push(bytes));
      socket.on('end', () => {
        serverSawEnd = true;
        socket.end(`you said ${Buffer.concat(got).toString()}; bye`);
      });
    });
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', server.port);
    await log.next(id, 'tls');
    valueOf(hub.send(id, Buffer.from('hi')));
    valueOf(hub.end(id));
    await log.next(id, 'peer-ended');
    expect(serverSawEnd).toBe(true);
    expect(log.bytes(id, 'in').toString()).toBe('you said hi; bye');
    expect(hub.send(id, Buffer.from('more'))).toMatchObject({ ok: false, error: { code: 'NOT_WRITABLE' } });
    expect((await log.next(id, 'closed')).by).toBe('peer');
    // TLS 1.2 shows an alert's type in its header: the last record we sent before local-ended is the close_notify.
    const events = log.of(id);
    const ended = events.findIndex((event) => event.type === 'local-ended');
    const before = events
      .slice(0, ended)
      .filter((event): event is Wire => event.type === 'wire' && event.dir === 'out');
    expect(before.at(-1)?.records.map((record) => record.contentType)).toEqual(['alert']);
    expect(events.slice(ended).some((event) => event.type === 'wire' && event.dir === 'out')).toBe(false);
    expect(events.findIndex((event) => event.type === 'data' && event.dir === 'in')).toBeGreaterThan(ended);
  });

  it('close sends close_notify then FIN, and closed is by local', async () => {
    const server = await tlsServer({ maxVersion: 'TLSv1.2' }, (socket) => socket.on('end', () => socket.end()));
    const proxy = await recordingProxy(server.port);
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', proxy.port);
    await log.next(id, 'tls');
    valueOf(hub.close(id));
    expect((await log.next(id, 'closed')).by).toBe('local');
    expect(await proxy.clientEnded).toBe('FIN');
    // TLS 1.2 names an alert in its header even when its contents are encrypted: the last record is close_notify.
    const last = new TlsRecordSplitter().push('out', proxy.fromClient()).at(-1);
    expect(last).toMatchObject({ contentType: 'alert', encrypted: true, complete: true });
    expect(
      wireEvents(log, id, 'out')
        .at(-1)
        ?.records.map((record) => record.contentType),
    ).toEqual(['alert']);
    expect(log.shape(id).slice(-2)).toEqual(['local-ended', 'closed']);
  });

  it('abort is a bare TCP reset: no close_notify', async () => {
    const server = await tlsServer({ maxVersion: 'TLSv1.2' }, () => undefined);
    const proxy = await recordingProxy(server.port);
    const { hub, log } = labHub();
    const id = connectTls(hub, '127.0.0.1', proxy.port);
    await log.next(id, 'tls');
    const sent = proxy.fromClient().length;
    valueOf(hub.abort(id));
    expect((await log.next(id, 'closed')).by).toBe('abort');
    expect(await proxy.clientEnded).toBe('RST');
    expect(wireBytes(log, id, 'out').length).toBe(sent);
    expect(log.of(id).some((event) => event.type === 'local-ended')).toBe(false);
  });
});

describe('flow control over TLS', () => {
  it('stops reading the socket while paused, wire and plain alike, and delivers everything after', async () => {
    const { hub, log } = labHub();
    const id = connectTls(hub, 'data.pr4e.org', 443);
    await log.next(id, 'tls');
    hub.pauseReading();
    valueOf(hub.send(id, Buffer.from('GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n')));
    // A deliberate silence window, not a wait for an event: while paused nothing past what the system holds may
    // arrive, and only letting time pass (for the server to push 230 KB) shows that nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whilePaused = wireBytes(log, id, 'in').length;
    expect(whilePaused).toBeLessThan(160 * 1024);
    expect(log.of(id).some((event) => event.type === 'peer-ended')).toBe(false);
    hub.resumeReading();
    await log.next(id, 'peer-ended', 10_000);
    const plain = log.bytes(id, 'in');
    expect(plain.subarray(plain.indexOf('\r\n\r\n') + 4).length).toBe(230_210);
  });
});
