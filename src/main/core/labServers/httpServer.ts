/**
 * The lab HTTP server: an offline stand-in for data.pr4e.org (and www.py4e.com, www.dr-chuck.com), written on
 * node:net (not node:http) so the bytes on the wire are exactly ours and it takes exactly what chapter 12 sends, by
 * hand or by program.
 */
import net from 'node:net';
import type { SlowMode } from '../../../shared/contract';
import { LIMITS } from '../../../shared/limits';
import { validateSlowMode } from '../../../shared/slowMode';
import { etagFor, type LabContent, type LabFile } from './content';
import {
  leadingBlankLineBytes,
  RequestHeadReader,
  decodeLabPath,
  wantsKeepAlive,
  type LabHttpRequest,
} from './httpRequest';
import { errorResponse, fileResponse, type ConnectionHeader } from './httpResponse';
import { pointLinksAt, siteFor } from './labSites';
import { HTTP_MIRROR_HOSTS } from './mirrors';
import {
  closeGently,
  closer,
  listenOn,
  pause,
  peerName,
  prepareSocket,
  SocketRegistry,
  writeAll,
  type RunningServer,
} from './socketTools';

export interface LabHttpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  content: LabContent;
  /** Between bytes of a request (after a connection's first request line), and after an answer: then 408. */
  idleTimeoutMs?: number;
  /** For a connection's first request line, which telnet and nc send only at Enter; bytes do not extend it. */
  firstLineTimeoutMs?: number;
  /** For a whole request head, after the first-line wait for a connection's first request; bytes do not extend it. */
  headTimeoutMs?: number;
  /** When every place is taken, a client that has waited this long for its head gives its place to a new one. */
  slotGraceMs?: number;
  slow?: SlowMode | null;
  /** Connections at once; one more gets 503 and is closed, unless a client that only trickles makes room. */
  maxConnections?: number;
  /** Request line + headers + blank line. */
  maxHeadBytes?: number;
  /** The hosts this server answers for, the one a request naming no host gets first. */
  mirrors?: readonly string[];
  now?: () => Date;
  /** One line per request, for a terminal ("GET /romeo.txt -> 200, 560 bytes"). */
  log?: (line: string) => void;
}

export interface LabHttpTimeouts {
  firstLineMs: number;
  idleMs: number;
  headMs: number;
  slotGraceMs: number;
}

/** How a connection reached the HTTP handler: straight over TCP, or out of the lab TLS server. */
export type LabHttpScheme = 'http' | 'https';

export interface LabHttpServer extends RunningServer {
  /**
   * Serves one more connection with this server's files, places, waits and slow mode, as if it had been accepted
   * here: the lab TLS server hands over each decrypted connection (scheme `https`).
   */
  serveConnection(socket: net.Socket, scheme: LabHttpScheme): void;
  setSlowMode(slow: SlowMode | null): void;
  readonly slowMode: SlowMode | null;
  /** Connections holding one of the places now (refused ones, and ones only saying goodbye, not counted). */
  readonly openConnections: number;
  readonly maxConnections: number;
  readonly timeouts: LabHttpTimeouts;
}

interface ServerSettings {
  content: LabContent;
  timeouts: LabHttpTimeouts;
  maxHeadBytes: number;
  mirrors: readonly string[];
  now: () => Date;
  slowMode: () => SlowMode | null;
  log: (line: string) => void;
}

/** Checks a slow mode before it is used, with the one slow-mode check; a bad one is the caller's bug, so it throws. */
export function checkSlowMode(slow: SlowMode | null): SlowMode | null {
  const checked = validateSlowMode(slow);
  if (!checked.ok) throw new RangeError(checked.error.message);
  return checked.value;
}

/** Size of each write at full speed: small enough that a slow but steady reader shows progress within the idle time. */
const FULL_SPEED_PIECE_BYTES = 64 * 1024;

export async function startLabHttpServer(options: LabHttpServerOptions): Promise<LabHttpServer> {
  let slowMode = checkSlowMode(options.slow ?? null);
  const maxConnections = options.maxConnections ?? LIMITS.labHttpMaxConnections;
  const timeouts: LabHttpTimeouts = {
    firstLineMs: options.firstLineTimeoutMs ?? LIMITS.labHttpFirstLineTimeoutMs,
    idleMs: options.idleTimeoutMs ?? LIMITS.labHttpIdleTimeoutMs,
    headMs: options.headTimeoutMs ?? LIMITS.labHttpHeadTimeoutMs,
    slotGraceMs: options.slotGraceMs ?? LIMITS.labHttpSlotGraceMs,
  };
  const settings: ServerSettings = {
    content: options.content,
    timeouts,
    maxHeadBytes: options.maxHeadBytes ?? LIMITS.labHttpMaxHeaderBytes,
    mirrors: options.mirrors ?? HTTP_MIRROR_HOSTS,
    now: options.now ?? (() => new Date()),
    slowMode: () => slowMode,
    log: options.log ?? (() => undefined),
  };
  const sockets = new SocketRegistry();
  /** The conversations holding a place. */
  const places = new Set<HttpConversation>();

  /** A client that has only trickled for longer than the grace gives up its place (slowloris cannot hold them all). */
  const makeRoom = (): boolean => {
    let oldest: HttpConversation | undefined;
    for (const conversation of places) {
      const since = conversation.waitingSince;
      if (since !== undefined && (oldest === undefined || since < (oldest.waitingSince as number))) {
        oldest = conversation;
      }
    }
    if (!oldest || Date.now() - (oldest.waitingSince as number) < timeouts.slotGraceMs) return false;
    oldest.giveUpPlace(maxConnections);
    return true;
  };

  const serveConnection = (socket: net.Socket, scheme: LabHttpScheme): void => {
    prepareSocket(socket);
    sockets.add(socket);
    if (places.size >= maxConnections && !makeRoom()) {
      refuseBusy(socket, settings, maxConnections);
      return;
    }
    const conversation: HttpConversation = new HttpConversation(socket, settings, scheme, () =>
      places.delete(conversation),
    );
    places.add(conversation);
  };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => serveConnection(socket, 'http'));
  const port = await listenOn(server, options.host, options.port);

  return {
    host: options.host,
    port,
    close: closer(server, sockets),
    serveConnection,
    setSlowMode(slow) {
      slowMode = checkSlowMode(slow);
    },
    get slowMode() {
      return slowMode;
    },
    get openConnections() {
      return places.size;
    },
    maxConnections,
    timeouts: { ...timeouts },
  };
}

/**
 * A connection past the last place: answered at once with 503 and closed, without waiting for its request, so the
 * client hears why instead of hanging. Its bytes are read and dropped while we close.
 */
function refuseBusy(socket: net.Socket, settings: ServerSettings, maxConnections: number): void {
  const response = errorResponse(
    503,
    `The lab HTTP server already has ${maxConnections} connections open, the most it takes at once. ` +
      'Close one of them and try again.',
    {
      now: settings.now(),
      connection: { keepAlive: false, idleTimeoutMs: settings.timeouts.idleMs },
      headOnly: false,
      extraHeaders: ['Retry-After: 1'],
    },
  );
  settings.log(`${peerName(socket)} refused: already ${maxConnections} connections -> 503`);
  socket.write(response.bytes);
  closeGently(socket);
}

/** `1.5 seconds`, `1 second`: a wait in the words a 408 uses. */
function seconds(ms: number): string {
  const value = ms / 1000;
  return `${value} second${value === 1 ? '' : 's'}`;
}

type Wait = 'first-line' | 'idle' | 'head';

/** One client connection: requests are read and answered one at a time, in the order they came. */
class HttpConversation {
  readonly #socket: net.Socket;
  readonly #settings: ServerSettings;
  readonly #scheme: LabHttpScheme;
  readonly #onRelease: () => void;
  #released = false;
  #reader: RequestHeadReader;
  /** Bytes not yet read as a head: what came while an answer was going out (pipelining), or after a head. */
  #queue: Buffer[] = [];
  #queuedBytes = 0;
  /** Bytes of a request body still to drop (GET and HEAD carry none worth reading). */
  #bodyToSkip = 0;
  /** An answer is being written; further requests wait in the queue. */
  #busy = false;
  /** The last answer is out or going; nothing more is read. */
  #closing = false;
  /** The client sent FIN (half-close): answer what is complete, then close. */
  #peerEnded = false;
  #firstRequest = true;
  /** When the wait for the current head began (connection open, or the last answer written). */
  #waitingSince: number;
  readonly #timers = new Map<Wait, NodeJS.Timeout>();

  constructor(socket: net.Socket, settings: ServerSettings, scheme: LabHttpScheme, onRelease: () => void) {
    this.#socket = socket;
    this.#settings = settings;
    this.#scheme = scheme;
    this.#onRelease = onRelease;
    this.#reader = new RequestHeadReader(settings.maxHeadBytes);
    this.#waitingSince = Date.now();
    socket.on('data', (chunk: Buffer) => this.#received(chunk));
    socket.on('end', () => {
      this.#peerEnded = true;
      this.#serveNext();
    });
    socket.on('close', () => {
      this.#stopTimers();
      this.#release();
    });
    const { firstLineMs, headMs } = settings.timeouts;
    this.#startTimer('first-line', firstLineMs);
    this.#startTimer('head', firstLineMs + headMs);
  }

  /** Since when this connection has waited for a request head; undefined while it is answered or closing. */
  get waitingSince(): number | undefined {
    return this.#busy || this.#closing || this.#socket.destroyed ? undefined : this.#waitingSince;
  }

  /** Every place is taken and this one has only trickled the longest: 408, and the place goes to a new client. */
  giveUpPlace(places: number): void {
    const waited = seconds(Math.round((Date.now() - this.#waitingSince) / 100) * 100);
    const why =
      `The server needed this connection's place for a new one: all ${places} places were taken, and this ` +
      `request was still unfinished after ${waited}. Send the whole request at once, ending with a blank line.`;
    this.#settings.log(`${peerName(this.#socket)} unfinished after ${waited}, place given to a new client -> 408`);
    this.#release();
    this.#reply(this.#error(408, why), true);
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease();
  }

  #received(chunk: Buffer): void {
    if (this.#closing) return;
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    // A client that pipelines faster than it reads: stop reading until we catch up.
    if (this.#busy && this.#queuedBytes > this.#settings.maxHeadBytes * 4) this.#socket.pause();
    this.#serveNext();
  }

  /** Reads what is queued until a head is complete (then answers it) or the bytes run out (then waits for more). */
  #serveNext(): void {
    while (!this.#busy && !this.#closing && !this.#socket.destroyed) {
      const chunk = this.#queue.shift();
      if (!chunk) break;
      this.#queuedBytes -= chunk.length;
      const skip = Math.min(this.#bodyToSkip, chunk.length);
      this.#bodyToSkip -= skip;
      if (skip === chunk.length) continue;
      const parsed = this.#reader.push(skip === 0 ? chunk : chunk.subarray(skip));
      if (parsed.kind === 'incomplete') continue;
      const rest = this.#reader.takeRest();
      if (rest.length > 0) {
        this.#queue.unshift(rest);
        this.#queuedBytes += rest.length;
      }
      if (parsed.kind === 'refused') {
        this.#settings.log(`${peerName(this.#socket)} bad request -> ${parsed.status}`);
        this.#reply(this.#error(parsed.status, parsed.why, parsed.reason), true);
        return;
      }
      this.#bodyToSkip = parsed.request.bodyBytes;
      this.#respond(parsed.request);
      return;
    }
    if (this.#busy || this.#closing || this.#socket.destroyed) return;
    this.#waitForMore();
  }

  #waitForMore(): void {
    if (this.#reader.hasRequestLine) this.#stopTimer('first-line');
    if (this.#peerEnded) {
      if (!this.#reader.started) {
        this.#closing = true;
        this.#release();
        closeGently(this.#socket);
      } else {
        const why = 'The connection was closed for sending before the request ended with a blank line.';
        this.#reply(this.#error(400, why), true);
      }
      return;
    }
    this.#socket.resume();
    // Every byte restarts the idle wait, except on a first request line: that has the first-line wait instead.
    if (this.#firstRequest && !this.#reader.hasRequestLine) return;
    this.#startTimer('idle', this.#settings.timeouts.idleMs);
  }

  #respond(request: LabHttpRequest): void {
    const nothingMoreComing =
      this.#peerEnded && this.#queue.every((chunk) => leadingBlankLineBytes(chunk) === chunk.length);
    const keepAlive = wantsKeepAlive(request) && !nothingMoreComing;
    const response = this.#answer(request, keepAlive);
    // Over TLS the log says so; plain HTTP lines stay as they were.
    const over = this.#scheme === 'https' ? ' (TLS)' : '';
    this.#settings.log(
      `${peerName(this.#socket)} ${request.method} ${request.target} HTTP/${request.version}${over} -> ` +
        `${response.status}, ${response.bytes.length} bytes${keepAlive ? '' : ', then close'}`,
    );
    this.#reply(response.bytes, !keepAlive);
  }

  #answer(request: LabHttpRequest, keepAlive: boolean): { status: number; bytes: Buffer } {
    const connection: ConnectionHeader = { keepAlive, idleTimeoutMs: this.#settings.timeouts.idleMs };
    const headOnly = request.method === 'HEAD';
    const now = this.#settings.now();
    const mirrors = this.#settings.mirrors;
    const site = siteFor(request.targetAuthority ?? request.headers.get('host')?.[0], mirrors);
    if (site.kind === 'elsewhere') {
      const why =
        `This lab server has no pages for ${site.host}: it works offline and stands in only for ` +
        `${mirrors.join(', ')} (and answers at its own address too). Nothing here reaches the real ${site.host}. ` +
        'To reach real sites, unset http_proxy (or, in Socket Lab, switch the route to Internet).';
      return errorResponse(404, why, { now, connection, headOnly });
    }
    const lookup = decodeLabPath(request.rawPath);
    if (lookup.kind === 'bad') return errorResponse(400, lookup.why, { now, connection, headOnly });
    const file = lookup.kind === 'path' ? this.#settings.content.files.get(lookup.path) : undefined;
    if (!file) {
      const why =
        `There is no file at ${request.rawPath} on this lab server. ` +
        `The files here are: ${this.#settings.content.listing.join(' ')}`;
      return errorResponse(404, why, { now, connection, headOnly });
    }
    const served = site.kind === 'lab-address' ? this.#pointedAt(file, site.authority) : file;
    return fileResponse(request, served, now, connection);
  }

  /** A page asked for at the lab's own address, its links to the hosts the lab stands in for pointed back here (same scheme). */
  #pointedAt(file: LabFile, authority: string): LabFile {
    if (file.contentType !== 'text/html') return file;
    const bytes = pointLinksAt(file.bytes, authority, this.#settings.mirrors, this.#scheme);
    return bytes === file.bytes ? file : { ...file, bytes, etag: etagFor(bytes) };
  }

  #error(status: number, why: string, reason?: string): Buffer {
    const connection: ConnectionHeader = { keepAlive: false, idleTimeoutMs: this.#settings.timeouts.idleMs };
    const options = { now: this.#settings.now(), connection, headOnly: false };
    return errorResponse(status, why, reason === undefined ? options : { ...options, reason }).bytes;
  }

  #reply(bytes: Buffer, closeAfter: boolean): void {
    this.#busy = true;
    this.#closing = closeAfter;
    this.#stopTimers();
    void this.#write(bytes).then(() => {
      this.#busy = false;
      if (this.#socket.destroyed) return;
      if (closeAfter) {
        // Saying goodbye needs no place: the next client may have it.
        this.#release();
        closeGently(this.#socket);
        return;
      }
      this.#firstRequest = false;
      this.#reader = new RequestHeadReader(this.#settings.maxHeadBytes);
      this.#waitingSince = Date.now();
      this.#startTimer('head', this.#settings.timeouts.headMs);
      this.#serveNext();
    });
  }

  async #write(bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length && !this.#socket.destroyed) {
      const slow = this.#settings.slowMode();
      // Full speed goes out in pieces too, so a reader that stopped can be told from one that reads slowly.
      const piece = bytes.subarray(offset, offset + (slow ? slow.writeSize : FULL_SPEED_PIECE_BYTES));
      // Only time the client spends not taking bytes counts here, never slow mode's own pauses below.
      if (!(await writeAll(this.#socket, piece, this.#settings.timeouts.idleMs))) {
        // A client that stopped reading mid-answer would hold one of the server's few places for good.
        this.#settings.log(`${peerName(this.#socket)} stopped reading the answer -> closed`);
        this.#socket.destroy();
        return;
      }
      offset += piece.length;
      if (slow && offset < bytes.length) await pause(this.#socket, (piece.length * 1000) / slow.bytesPerSecond);
    }
  }

  #startTimer(wait: Wait, ms: number): void {
    this.#stopTimer(wait);
    this.#timers.set(
      wait,
      setTimeout(() => this.#timeUp(wait), ms),
    );
  }

  #stopTimer(wait: Wait): void {
    const timer = this.#timers.get(wait);
    if (timer) clearTimeout(timer);
    this.#timers.delete(wait);
  }

  #stopTimers(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #timeUp(wait: Wait): void {
    if (this.#busy || this.#closing || this.#socket.destroyed) return;
    const { firstLineMs, idleMs, headMs } = this.#settings.timeouts;
    const atEnter =
      'telnet and nc send what you type only when you press Enter, so press Enter after each line, ' +
      'and once more on an empty line to end the request.';
    let why: string;
    let waited: number;
    if (wait === 'first-line') {
      waited = firstLineMs;
      why =
        `No request line arrived within ${seconds(firstLineMs)} of connecting, so the server stopped waiting. ` +
        `${atEnter} To wait longer, start the lab server with --first-line-timeout SECONDS ` +
        '(and --idle-timeout SECONDS for the wait between lines).';
    } else if (wait === 'head') {
      waited = this.#firstRequest ? firstLineMs + headMs : headMs;
      why =
        `The request line and headers did not all arrive within ${seconds(waited)} of ` +
        `${this.#firstRequest ? 'connecting' : 'the last answer'}, so the server stopped waiting; bytes that ` +
        'trickle in do not make it wait longer. Send the whole request at once (or paste it), ending with a blank line.';
    } else if (!this.#reader.started && !this.#firstRequest) {
      waited = idleMs;
      why =
        `The connection sat idle for ${seconds(idleMs)} after the last answer, so the server closed it. ` +
        'Connect again for the next request.';
    } else {
      waited = idleMs;
      why =
        `Nothing arrived for ${seconds(idleMs)}, so the server stopped waiting. ${atEnter} ` +
        'To wait longer between lines, start the lab server with --idle-timeout SECONDS.';
    }
    this.#settings.log(`${peerName(this.#socket)} waited ${seconds(waited)} (${wait}) -> 408`);
    this.#reply(this.#error(408, why), true);
  }
}
