/**
 * TLS over the hub's own TCP socket, with both layers in view. node:tls runs the handshake and the records over a
 * Duplex this layer feeds: every read of the TCP socket goes in, every write comes out, and each is reported as wire
 * bytes before or after it crosses the socket. (node:tls over the net.Socket itself would read the socket's handle in
 * C++, and the raw bytes would never be seen.) The plain bytes come out of the TLSSocket as usual.
 *
 * Flow control runs through: the Duplex takes more only when node:tls asks (`read`), and the TCP socket pauses when
 * the Duplex is full or the hub pauses reading.
 */
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface TlsClientEvents {
  /** Bytes read from, or about to be written to, the TCP socket: a fresh copy each time. */
  wire(dir: 'in' | 'out', bytes: Uint8Array): void;
  /** Plain bytes out of TLS. */
  plain(bytes: Uint8Array): void;
  /** The handshake finished. */
  secure(socket: TLSSocket): void;
  /** Our FIN is about to go (after our close_notify): what `end()` asked for. */
  finishing(): void;
  /** The TCP socket read the other side's FIN. */
  tcpEnded(): void;
  /** The plain stream ended: every plain byte has been given to `plain`. */
  plainEnded(): void;
  /** A TLS failure (handshake, alert, a bad record). */
  error(error: NodeJS.ErrnoException): void;
}

export interface TlsClientOptions {
  /** The name the learner typed: sent as SNI (unless it is an IP address) and checked against the certificate. */
  host: string;
  events: TlsClientEvents;
}

/** The ALPN the lab offers: it speaks HTTP/1.x by hand, never HTTP/2. */
export const LAB_ALPN = ['http/1.1'];

export class TlsClientLayer {
  readonly #raw: Socket;
  readonly #events: TlsClientEvents;
  readonly #duplex: Duplex;
  readonly #tls: TLSSocket;
  /** node:tls has asked for more and not yet been given enough to fill the Duplex. */
  #wantsData = true;
  #paused = false;
  #gone = false;
  /** Plain bytes that came before `secure` was reported; null once it was. */
  #early: Uint8Array[] | null = [];

  constructor(raw: Socket, options: TlsClientOptions) {
    this.#raw = raw;
    this.#events = options.events;
    this.#duplex = new Duplex({
      // node:tls takes allowHalfOpen from the stream it wraps: the peer's close_notify must not close our side.
      allowHalfOpen: true,
      read: () => {
        this.#wantsData = true;
        if (!this.#paused) raw.resume();
      },
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.#gone || raw.destroyed) {
          callback();
          return;
        }
        this.#events.wire('out', new Uint8Array(chunk));
        raw.write(chunk, () => callback());
      },
      final: (callback) => {
        if (!this.#gone && !raw.destroyed) {
          this.#events.finishing();
          raw.end();
        }
        callback();
      },
    });
    raw.on('data', (chunk: Buffer) => {
      if (this.#gone) return;
      const bytes = new Uint8Array(chunk);
      this.#events.wire('in', bytes);
      if (!this.#duplex.push(bytes)) {
        this.#wantsData = false;
        raw.pause();
      }
    });
    raw.on('end', () => {
      if (this.#gone) return;
      this.#events.tcpEnded();
      this.#duplex.push(null);
    });
    const servername = isIP(options.host) === 0 ? options.host.replace(/\.$/, '') : undefined;
    this.#tls = tlsConnect({
      socket: this.#duplex,
      host: options.host,
      ...(servername !== undefined && { servername }),
      // This is a lab: an untrusted certificate is shown and explained, not refused.
      rejectUnauthorized: false,
      ALPNProtocols: LAB_ALPN,
    });
    this.#tls.on('secureConnect', () => {
      // A tick later our last handshake record (Finished) has been written, so the wire shows it before `secure`.
      process.nextTick(() => {
        if (this.#gone) return;
        this.#events.secure(this.#tls);
        const early = this.#early;
        this.#early = null;
        for (const bytes of early ?? []) this.#events.plain(bytes);
      });
    });
    this.#tls.on('data', (chunk: Buffer) => {
      if (this.#gone) return;
      // Plain bytes decrypted in the same read as the handshake's end wait for `secure`.
      if (this.#early) this.#early.push(new Uint8Array(chunk));
      else this.#events.plain(new Uint8Array(chunk));
    });
    this.#tls.on('end', () => {
      if (this.#gone) return;
      // After the early bytes, which wait for `secure` (a tick away), not before them.
      if (this.#early && this.#early.length > 0) {
        process.nextTick(() => {
          if (!this.#gone) this.#events.plainEnded();
        });
      } else {
        this.#events.plainEnded();
      }
    });
    this.#tls.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.#gone) this.#events.error(error);
    });
  }

  /** Bytes handed to TLS or the TCP socket and not yet taken by the system. */
  get writableLength(): number {
    return this.#tls.writableLength + this.#duplex.writableLength + this.#raw.writableLength;
  }

  write(bytes: Uint8Array): void {
    this.#tls.write(bytes);
  }

  /** close_notify, then FIN (once the records before it are out). */
  end(): void {
    this.#tls.end();
  }

  pause(): void {
    this.#paused = true;
    this.#raw.pause();
    this.#tls.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#tls.resume();
    if (this.#wantsData) this.#raw.resume();
  }

  /** Lets go of TLS once the TCP socket is gone (or going): nothing more is reported. */
  destroy(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#tls.destroy();
    this.#duplex.destroy();
  }
}
