/**
 * The lab HTTP server: an offline stand-in for data.pr4e.org, written on node:net (not node:http) so the
 * bytes on the wire are exactly ours and it takes exactly what chapter 12 sends, by hand or by program.
 */
import net from 'node:net';
import { LIMITS } from '../../../shared/limits';
import type { LabContent } from './content';
import {
  decodeLabPath,
  leadingBlankLineBytes,
  parseRequestHead,
  wantsKeepAlive,
  type LabHttpRequest,
} from './httpRequest';
import { errorResponse, fileResponse, type ConnectionHeader } from './httpResponse';
import {
  closeGently,
  closer,
  listenOn,
  pause,
  prepareSocket,
  SocketRegistry,
  writeAll,
  type RunningServer,
} from './socketTools';

/** Slow mode: the reply goes out `writeSize` bytes at a time, paced to `bytesPerSecond`. */
export interface SlowMode {
  bytesPerSecond: number;
  writeSize: number;
}

export interface LabHttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  content: LabContent;
  /** How long a connection may wait for request bytes before it gets 408 and is closed. */
  idleTimeoutMs?: number;
  slow?: SlowMode | null;
  /** Connections at once; one more gets 503 and is closed. */
  maxConnections?: number;
  /** Request line + headers + blank line. */
  maxHeadBytes?: number;
  now?: () => Date;
  /** One line per request, for a terminal ("GET /romeo.txt -> 200, 560 bytes"). */
  log?: (line: string) => void;
}

export interface LabHttpServer extends RunningServer {
  setSlowMode(slow: SlowMode | null): void;
  readonly slowMode: SlowMode | null;
  /** Connections being served now (refused ones not counted). */
  readonly openConnections: number;
}

interface ServerSettings {
  content: LabContent;
  idleTimeoutMs: number;
  maxHeadBytes: number;
  now: () => Date;
  slowMode: () => SlowMode | null;
  log: (line: string) => void;
}

/** Checks a slow mode before it is used: both numbers whole and at least 1. */
export function checkSlowMode(slow: SlowMode | null): SlowMode | null {
  if (slow === null) return null;
  const { bytesPerSecond, writeSize } = slow;
  if (!Number.isInteger(bytesPerSecond) || bytesPerSecond < 1 || !Number.isInteger(writeSize) || writeSize < 1) {
    throw new RangeError('Slow mode needs whole numbers of at least 1 for bytes per second and write size.');
  }
  return { bytesPerSecond, writeSize };
}

/** Size of each write at full speed: small enough that a slow but steady reader shows progress within the idle time. */
const FULL_SPEED_PIECE_BYTES = 64 * 1024;

export async function startLabHttpServer(options: LabHttpServerOptions): Promise<LabHttpServer> {
  let slowMode = checkSlowMode(options.slow ?? null);
  const maxConnections = options.maxConnections ?? LIMITS.labHttpMaxConnections;
  const settings: ServerSettings = {
    content: options.content,
    idleTimeoutMs: options.idleTimeoutMs ?? LIMITS.labHttpIdleTimeoutMs,
    maxHeadBytes: options.maxHeadBytes ?? LIMITS.labHttpMaxHeaderBytes,
    now: options.now ?? (() => new Date()),
    slowMode: () => slowMode,
    log: options.log ?? (() => undefined),
  };
  const sockets = new SocketRegistry();
  let openConnections = 0;

  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    prepareSocket(socket);
    sockets.add(socket);
    if (openConnections >= maxConnections) {
      refuseBusy(socket, settings, maxConnections);
      return;
    }
    openConnections += 1;
    socket.once('close', () => (openConnections -= 1));
    new HttpConversation(socket, settings);
  });
  const port = await listenOn(server, options.host, options.port);

  return {
    host: options.host,
    port,
    close: closer(server, sockets),
    setSlowMode(slow) {
      slowMode = checkSlowMode(slow);
    },
    get slowMode() {
      return slowMode;
    },
    get openConnections() {
      return openConnections;
    },
  };
}

/**
 * Connection number 17: answered at once with 503 and closed, without waiting for its request, so the
 * client hears why instead of hanging. Its bytes are read and dropped while we close.
 */
function refuseBusy(socket: net.Socket, settings: ServerSettings, maxConnections: number): void {
  const response = errorResponse(
    503,
    `The lab HTTP server already has ${maxConnections} connections open, the most it takes at once. ` +
      'Close one of them and try again.',
    {
      now: settings.now(),
      connection: { keepAlive: false, idleTimeoutMs: settings.idleTimeoutMs },
      headOnly: false,
      extraHeaders: ['Retry-After: 1'],
    },
  );
  settings.log(`${peerName(socket)} refused: already ${maxConnections} connections -> 503`);
  socket.write(response.bytes);
  closeGently(socket);
}

function peerName(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '?';
  return net.isIPv6(address) ? `[${address}]:${socket.remotePort}` : `${address}:${socket.remotePort}`;
}

/** One client connection: requests are read and answered one at a time, in the order they came. */
class HttpConversation {
  readonly #socket: net.Socket;
  readonly #settings: ServerSettings;
  #buffer: Buffer = Buffer.alloc(0);
  /** A response is being written; further requests wait in the buffer (pipelining). */
  #busy = false;
  /** The last response is out or going; nothing more is read. */
  #closing = false;
  /** The client sent FIN (half-close): answer what is complete, then close. */
  #peerEnded = false;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(socket: net.Socket, settings: ServerSettings) {
    this.#socket = socket;
    this.#settings = settings;
    socket.on('data', (chunk: Buffer) => this.#received(chunk));
    socket.on('end', () => {
      this.#peerEnded = true;
      this.#serveNext();
    });
    socket.on('close', () => this.#stopIdleTimer());
    this.#startIdleTimer();
  }

  #received(chunk: Buffer): void {
    if (this.#closing) return;
    this.#stopIdleTimer();
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    // A client that pipelines faster than it reads: stop reading until we catch up.
    if (this.#busy && this.#buffer.length > this.#settings.maxHeadBytes * 4) this.#socket.pause();
    this.#serveNext();
  }

  #serveNext(): void {
    if (this.#busy || this.#closing || this.#socket.destroyed) return;
    const blank = leadingBlankLineBytes(this.#buffer);
    if (blank > 0) this.#buffer = this.#buffer.subarray(blank);

    const parsed = parseRequestHead(this.#buffer, this.#settings.maxHeadBytes);
    if (parsed.kind === 'refused') {
      this.#settings.log(`${peerName(this.#socket)} bad request -> ${parsed.status}`);
      this.#reply(this.#error(parsed.status, parsed.why, false), true);
      return;
    }
    if (parsed.kind === 'incomplete' || this.#buffer.length < parsed.request.headBytes + parsed.request.bodyBytes) {
      this.#waitForMore();
      return;
    }

    const request = parsed.request;
    this.#buffer = this.#buffer.subarray(request.headBytes + request.bodyBytes);
    const nothingMoreComing = this.#peerEnded && leadingBlankLineBytes(this.#buffer) === this.#buffer.length;
    const keepAlive = wantsKeepAlive(request) && !nothingMoreComing;
    const response = this.#answer(request, keepAlive);
    this.#settings.log(
      `${peerName(this.#socket)} ${request.method} ${request.target} HTTP/${request.version} -> ` +
        `${response.status}, ${response.bytes.length} bytes${keepAlive ? '' : ', then close'}`,
    );
    this.#reply(response.bytes, !keepAlive);
  }

  #waitForMore(): void {
    if (this.#peerEnded) {
      if (this.#buffer.length === 0) {
        this.#closing = true;
        closeGently(this.#socket);
      } else {
        const why = 'The connection was closed for sending before the request ended with a blank line.';
        this.#reply(this.#error(400, why, false), true);
      }
      return;
    }
    this.#socket.resume();
    this.#startIdleTimer();
  }

  #answer(request: LabHttpRequest, keepAlive: boolean): { status: number; bytes: Buffer } {
    const connection: ConnectionHeader = { keepAlive, idleTimeoutMs: this.#settings.idleTimeoutMs };
    const headOnly = request.method === 'HEAD';
    const now = this.#settings.now();
    const lookup = decodeLabPath(request.rawPath);
    if (lookup.kind === 'bad') return errorResponse(400, lookup.why, { now, connection, headOnly });
    const file = lookup.kind === 'path' ? this.#settings.content.files.get(lookup.path) : undefined;
    if (!file) {
      const why =
        `There is no file at ${request.rawPath} on this lab server. ` +
        `The files here are: ${this.#settings.content.listing.join(' ')}`;
      return errorResponse(404, why, { now, connection, headOnly });
    }
    return fileResponse(request, file, now, connection);
  }

  #error(status: number, why: string, keepAlive: boolean): Buffer {
    const connection: ConnectionHeader = { keepAlive, idleTimeoutMs: this.#settings.idleTimeoutMs };
    return errorResponse(status, why, { now: this.#settings.now(), connection, headOnly: false }).bytes;
  }

  #reply(bytes: Buffer, closeAfter: boolean): void {
    this.#busy = true;
    this.#closing = closeAfter;
    this.#stopIdleTimer();
    void this.#write(bytes).then(() => {
      this.#busy = false;
      if (this.#socket.destroyed) return;
      if (closeAfter) {
        closeGently(this.#socket);
        return;
      }
      this.#serveNext();
    });
  }

  async #write(bytes: Buffer): Promise<void> {
    // Full speed goes out in pieces too, so a reader that stopped can be told from one that reads slowly.
    let lastProgress = Date.now();
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastProgress < this.#settings.idleTimeoutMs) return;
        // A client that stopped reading mid-answer would hold one of the server's few slots for good.
        this.#settings.log(`${peerName(this.#socket)} stopped reading the answer -> closed`);
        this.#socket.destroy();
      },
      Math.max(10, this.#settings.idleTimeoutMs / 4),
    );
    try {
      let offset = 0;
      while (offset < bytes.length && !this.#socket.destroyed) {
        const slow = this.#settings.slowMode();
        const piece = bytes.subarray(offset, offset + (slow ? slow.writeSize : FULL_SPEED_PIECE_BYTES));
        await writeAll(this.#socket, piece);
        lastProgress = Date.now();
        offset += piece.length;
        if (slow && offset < bytes.length) await pause(this.#socket, (piece.length * 1000) / slow.bytesPerSecond);
      }
    } finally {
      clearInterval(watchdog);
    }
  }

  #startIdleTimer(): void {
    this.#stopIdleTimer();
    this.#idleTimer = setTimeout(() => this.#idle(), this.#settings.idleTimeoutMs);
  }

  #stopIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #idle(): void {
    if (this.#busy || this.#closing || this.#socket.destroyed) return;
    const seconds = this.#settings.idleTimeoutMs / 1000;
    const why =
      `Nothing arrived for ${seconds} seconds, so the server stopped waiting. ` +
      'Type (or paste) the whole request, then the blank line, without a long pause.';
    this.#settings.log(`${peerName(this.#socket)} idle for ${seconds} s -> 408`);
    this.#reply(this.#error(408, why, false), true);
  }
}
