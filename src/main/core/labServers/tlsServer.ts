/**
 * The lab TLS server: HTTPS for data.pr4e.org:443 and www.py4e.com:443, offline. It is TLS in front of the lab HTTP
 * server's own connection handler (same files, headers, waits, places and slow mode), not a second HTTP server.
 *
 * It looks at the first byte a client sends. A TLS record starts with 22 (handshake, the ClientHello): the
 * connection is handed to node:tls and, decrypted, to the HTTP handler. Anything else (a plain `GET` typed by hand)
 * gets what RFC 8446 section 5 says a TLS endpoint sends for a record it cannot take: a fatal `unexpected_message`
 * alert (7 bytes: 15 03 03 00 02 02 0a), then the close. OpenSSL itself sends nothing and closes, which teaches
 * nothing; the alert is TLS's own way of saying "this port expects TLS first", and the lab's log says it in words.
 */
import net from 'node:net';
import tls from 'node:tls';
import { LIMITS } from '../../../shared/limits';
import { tlsAlertRecord } from '../../../shared/tlsRecords';
import type { LabHttpServer } from './httpServer';
import type { LabCertificate } from './labCertificate';
import {
  closeGently,
  closer,
  listenOn,
  peerName,
  prepareSocket,
  SocketRegistry,
  type RunningServer,
} from './socketTools';

/** The first byte of a TLS record that carries a handshake message (the ClientHello). */
const TLS_HANDSHAKE_RECORD = 22;
const UNEXPECTED_MESSAGE = 10;

export interface LabTlsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  certificate: LabCertificate;
  /** Where each decrypted connection goes: the lab HTTP server's handler. */
  http: Pick<LabHttpServer, 'serveConnection'>;
  /** For the first byte (telnet and nc send it only at Enter); then nothing is sent and the connection closes. */
  firstByteTimeoutMs?: number;
  /** For the handshake, from the ClientHello's first byte to the end. */
  handshakeTimeoutMs?: number;
  /** Connections at once still before or in their handshake; one more is closed at once. */
  maxHandshakes?: number;
  /** One line per connection that did not get as far as HTTP. */
  log?: (line: string) => void;
}

export interface LabTlsServer extends RunningServer {
  readonly certificate: LabCertificate;
}

export async function startLabTlsServer(options: LabTlsServerOptions): Promise<LabTlsServer> {
  const log = options.log ?? (() => undefined);
  const firstByteMs = options.firstByteTimeoutMs ?? LIMITS.labHttpFirstLineTimeoutMs;
  const handshakeMs = options.handshakeTimeoutMs ?? LIMITS.labTlsHandshakeTimeoutMs;
  const maxHandshakes = options.maxHandshakes ?? LIMITS.labHttpMaxConnections;
  const secureContext = tls.createSecureContext({
    cert: options.certificate.cert,
    key: options.certificate.key,
    minVersion: 'TLSv1.2',
  });
  const sockets = new SocketRegistry();
  let handshaking = 0;

  const server = net.createServer({ allowHalfOpen: true }, (raw) => {
    prepareSocket(raw);
    sockets.add(raw);
    const who = peerName(raw);
    if (handshaking >= maxHandshakes) {
      log(`${who} refused: already ${maxHandshakes} TLS handshakes under way -> closed`);
      closeGently(raw);
      return;
    }
    handshaking += 1;
    let counted = true;
    const done = (): void => {
      if (counted) handshaking -= 1;
      counted = false;
      clearTimeout(timer);
    };
    raw.once('close', done);
    // A client that never says anything is let go without a word, as a real TLS server does.
    let timer = setTimeout(() => {
      log(`${who} sent nothing within ${firstByteMs / 1000} s -> closed`);
      done();
      closeGently(raw);
    }, firstByteMs);

    raw.once('data', (first: Buffer) => {
      clearTimeout(timer);
      if (first[0] !== TLS_HANDSHAKE_RECORD) {
        log(
          `${who} sent plain bytes (${JSON.stringify(first.subarray(0, 16).toString('latin1'))}...), not TLS -> alert unexpected_message, closed`,
        );
        done();
        raw.write(tlsAlertRecord(UNEXPECTED_MESSAGE));
        closeGently(raw);
        return;
      }
      raw.pause();
      // node:tls reads what was already read off the socket before it wraps it.
      raw.unshift(first);
      const secure = new tls.TLSSocket(raw, {
        isServer: true,
        secureContext,
        ALPNProtocols: ['http/1.1', 'http/1.0'],
      });
      timer = setTimeout(() => {
        log(`${who} TLS handshake not finished within ${handshakeMs / 1000} s -> closed`);
        secure.destroy();
      }, handshakeMs);
      secure.once('secure', () => {
        done();
        options.http.serveConnection(secure, 'https');
      });
      secure.on('error', (error: NodeJS.ErrnoException) => {
        // Before the handshake ends this is the client's fault (wrong version, no shared cipher, it hung up).
        if (counted) log(`${who} TLS handshake failed: ${error.code ?? error.message} -> closed`);
        secure.destroy();
      });
    });
  });
  const port = await listenOn(server, options.host, options.port);
  return { host: options.host, port, close: closer(server, sockets), certificate: options.certificate };
}
