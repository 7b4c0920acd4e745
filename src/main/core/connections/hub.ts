/**
 * The connection hub: opens real TCP connections for the learner and reports everything that happens on them as
 * LabEvents, byte for byte, in stream order. Plain node:net; dependencies (event sink, routing, DNS, clock) are
 * passed in. Arguments are validated by the caller (validation.ts); the hub still guards connection state.
 *
 * Event shape per connection: resolving -> resolved -> connecting -> connected -> data (in/out) ... ->
 * local-ended / peer-ended -> closed; or error -> closed('error'). IP literals skip DNS but still get
 * resolving/resolved so every log has the same shape.
 *
 * Who closed it: 'abort' if the learner aborted; 'error' after an error event; 'local' if the learner pressed
 * close; otherwise (both sides sent FIN and the socket closed by itself) whoever sent FIN last, since that is the
 * side that finished the conversation.
 *
 * The open-connection limit counts only connections that can still carry bytes; finished ones (the peer sent FIN,
 * or the learner pressed Close) stay listed until closed, bounded separately so they cannot pile up sockets.
 */
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createConnection, isIP, type Socket } from 'node:net';
import type {
  Connected,
  ConnectRequest,
  ConnectionId,
  ConnectionState,
  ConnectionSummary,
  Endpoint,
  LabEvent,
  Route,
  SendReceipt,
} from '../../../shared/contract';
import { fail, ok, type Result } from '../../../shared/errors';
import { LIMITS } from '../../../shared/limits';
import { explainSocketError, type SocketPhase } from './errors';

/** Where a routed connection really goes, and the lab server's name in the learner's words. */
export interface RouteTarget {
  host: string;
  port: number;
  answeredBy: string;
}

export type RouteFunction = (host: string, port: number) => RouteTarget | undefined;

/** The shape of `dns.lookup(host, { all: true }, callback)`; tests pass one that never answers or fails. */
export type LookupFunction = (
  hostname: string,
  options: { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface ConnectionHubOptions {
  emit: (event: LabEvent) => void;
  /** For route 'lab': the lab server that stands in for host:port, or undefined to connect as asked. */
  route: RouteFunction;
  lookup?: LookupFunction;
  /** Names the lab server listening at a dialed address:port (a learner may type 127.0.0.1 and its port). */
  identify?: (address: string, port: number) => string | undefined;
  /** Milliseconds since the session started; default: performance.now() since construction. */
  now?: () => number;
  maxOpenConnections?: number;
  /** Finished connections (the peer sent FIN) kept until the learner closes them; default 4 × maxOpenConnections. */
  maxFinishedConnections?: number;
  idFactory?: () => string;
  /** Bytes handed to a socket but not yet taken by the system, before sends are refused (peer not reading). */
  maxQueuedSendBytes?: number;
  /** After close(): how long to wait for our last bytes and FIN to leave before destroying anyway. */
  closeGraceMs?: number;
}

type ClosedBy = Extract<LabEvent, { type: 'closed' }>['by'];

interface Connection {
  id: ConnectionId;
  host: string;
  port: number;
  route: Route;
  timeoutMs: number;
  answeredBy?: string;
  phase: 'resolving' | 'connecting' | 'open';
  startedAt: number;
  socket: Socket | null;
  connectTimer: ReturnType<typeof setTimeout> | null;
  closeTimer: ReturnType<typeof setTimeout> | null;
  local?: Endpoint;
  remote?: Endpoint;
  bytesIn: number;
  bytesOut: number;
  localEnded: boolean;
  peerEnded: boolean;
  /** Who sent FIN most recently. */
  lastToEnd: 'local' | 'peer' | null;
  /** Set once the learner asked to close or abort. */
  ending: 'local' | 'abort' | null;
  /** Set once an error event was emitted; a connection reports at most one error. */
  failed: boolean;
}

const RECENTLY_CLOSED_KEPT = 256;

const CLOSED_WORDS: Record<ClosedBy, string> = {
  local: 'you closed it',
  peer: 'the other side closed it',
  error: 'it ended with an error',
  abort: 'you aborted it',
};

function endpoint(address: string | undefined, port: number | undefined): Endpoint | undefined {
  if (address === undefined || port === undefined) return undefined;
  return { address, port, family: isIP(address) === 6 ? 'IPv6' : 'IPv4' };
}

/** Like Python's AF_INET socket in the book, prefer an IPv4 address when the name has one. */
function chooseAddress(addresses: LookupAddress[]): string | undefined {
  return (addresses.find((a) => a.family === 4) ?? addresses[0])?.address;
}

export class ConnectionHub {
  readonly #emitEvent: (event: LabEvent) => void;
  readonly #route: RouteFunction;
  readonly #identify: (address: string, port: number) => string | undefined;
  readonly #lookup: LookupFunction;
  readonly #now: () => number;
  readonly #maxOpen: number;
  readonly #maxFinished: number;
  readonly #newId: () => string;
  readonly #maxQueuedSendBytes: number;
  readonly #closeGraceMs: number;

  readonly #connections = new Map<ConnectionId, Connection>();
  /** Ids closed lately and how, only to word NOT_FOUND well; they are not connections any more. */
  readonly #recentlyClosed = new Map<ConnectionId, ClosedBy>();
  #readingPaused = false;
  #disposed = false;

  constructor(options: ConnectionHubOptions) {
    this.#emitEvent = options.emit;
    this.#route = options.route;
    this.#identify = options.identify ?? (() => undefined);
    this.#lookup = options.lookup ?? dnsLookup;
    if (options.now) {
      this.#now = options.now;
    } else {
      const start = performance.now();
      this.#now = () => performance.now() - start;
    }
    this.#maxOpen = options.maxOpenConnections ?? LIMITS.maxOpenConnections;
    this.#maxFinished = options.maxFinishedConnections ?? 4 * this.#maxOpen;
    this.#newId = options.idFactory ?? randomUUID;
    this.#maxQueuedSendBytes = options.maxQueuedSendBytes ?? LIMITS.maxQueuedSendBytes;
    this.#closeGraceMs = options.closeGraceMs ?? LIMITS.closeGraceMs;
  }

  /** Starts a connection and returns its id at once; progress arrives as events. */
  connect(request: Required<ConnectRequest>): Result<Connected> {
    if (this.#disposed) return fail('INTERNAL', 'The lab is shutting down, so it cannot connect.', 'Restart the lab.');
    const live = this.#liveCount();
    if (live >= this.#maxOpen) {
      return fail(
        'TOO_MANY_CONNECTIONS',
        `You already have ${this.#maxOpen} connections open that can still carry bytes, the most the lab allows at once.`,
        'Close a connection you no longer need, then connect again. Finished ones (the other side sent FIN) do not count.',
      );
    }
    // Finished connections do not count, but each still holds a socket: past this many, the learner clears them.
    if (this.#connections.size - live >= this.#maxFinished) {
      return fail(
        'TOO_MANY_CONNECTIONS',
        `You have ${this.#maxFinished} finished connections still in the list, the most the lab keeps.`,
        'Press "Clear finished" in the connection list, then connect again.',
      );
    }
    const id = this.#uniqueId();
    const conn: Connection = {
      id,
      host: request.host,
      port: request.port,
      route: request.route,
      timeoutMs: request.timeoutMs,
      phase: 'resolving',
      startedAt: this.#now(),
      socket: null,
      connectTimer: null,
      closeTimer: null,
      bytesIn: 0,
      bytesOut: 0,
      localEnded: false,
      peerEnded: false,
      lastToEnd: null,
      ending: null,
      failed: false,
    };
    this.#connections.set(id, conn);
    this.#emit({ id, t: this.#now(), type: 'resolving', host: request.host, port: request.port, route: request.route });
    // Node has no connect timeout of its own; ours covers the name lookup and the connect.
    conn.connectTimer = setTimeout(() => this.#onConnectTimeout(conn), request.timeoutMs);

    const target = request.route === 'lab' ? this.#route(request.host, request.port) : undefined;
    if (target) conn.answeredBy = target.answeredBy;
    const dialHost = target?.host ?? request.host;
    const dialPort = target?.port ?? request.port;

    if (isIP(dialHost) !== 0) {
      this.#emit({ id, t: this.#now(), type: 'resolved', addresses: [dialHost], chosen: dialHost });
      this.#dial(conn, dialHost, dialPort);
    } else {
      this.#resolve(conn, dialHost, dialPort);
    }
    return ok({ id });
  }

  send(id: ConnectionId, bytes: Uint8Array): Result<SendReceipt> {
    const found = this.#find(id);
    if (!found.ok) return found;
    const conn = found.value;
    const refused = this.#whyNotWritable(conn, 'send');
    if (refused) return refused;
    const socket = conn.socket as Socket;
    if (socket.writableLength + bytes.byteLength > this.#maxQueuedSendBytes) {
      return fail(
        'NOT_WRITABLE',
        `The other side has not taken the last ${socket.writableLength.toLocaleString('en-US')} bytes you sent yet, so the lab is holding this send back.`,
        'Wait until the other side reads what you sent, then send again.',
      );
    }
    // Our own copy: the caller may reuse its array, and the event must show exactly what left.
    const copy = new Uint8Array(bytes);
    const offset = conn.bytesOut;
    conn.bytesOut += copy.byteLength;
    socket.write(copy);
    this.#emit({ id, t: this.#now(), type: 'data', dir: 'out', offset, bytes: copy });
    return ok({ offset, length: copy.byteLength });
  }

  /** Half-close: send FIN (like Python's shutdown(SHUT_WR)) and keep receiving. */
  end(id: ConnectionId): Result<null> {
    const found = this.#find(id);
    if (!found.ok) return found;
    const conn = found.value;
    const refused = this.#whyNotWritable(conn, 'end');
    if (refused) return refused;
    this.#sendFin(conn);
    return ok(null);
  }

  /** Graceful close: FIN after what was sent, then let go of the socket; closed by 'local'. */
  close(id: ConnectionId): Result<null> {
    const found = this.#find(id);
    if (!found.ok) return found;
    const conn = found.value;
    if (conn.ending !== null || conn.failed || conn.socket?.destroyed) return ok(null);
    conn.ending = 'local';
    if (conn.phase === 'resolving') {
      this.#finish(conn, 'local');
    } else if (conn.phase === 'connecting') {
      conn.socket?.destroy();
    } else {
      const socket = conn.socket as Socket;
      if (!conn.localEnded) this.#sendFin(conn);
      const letGo = (): void => {
        socket.destroy();
      };
      if (socket.writableFinished) letGo();
      else socket.once('finish', letGo);
      // A peer that never reads would keep our FIN queued forever.
      conn.closeTimer = setTimeout(letGo, this.#closeGraceMs);
    }
    return ok(null);
  }

  /** Close at once with a TCP reset (RST); closed by 'abort'. */
  abort(id: ConnectionId): Result<null> {
    const found = this.#find(id);
    if (!found.ok) return found;
    const conn = found.value;
    if (conn.ending === 'abort' || conn.failed || conn.socket?.destroyed) return ok(null);
    conn.ending = 'abort';
    if (conn.phase === 'resolving') {
      this.#finish(conn, 'abort');
    } else if (conn.phase === 'connecting') {
      conn.socket?.destroy();
    } else {
      conn.socket?.resetAndDestroy();
    }
    return ok(null);
  }

  list(): ConnectionSummary[] {
    return [...this.#connections.values()].map((conn) => {
      const summary: ConnectionSummary = {
        id: conn.id,
        host: conn.host,
        port: conn.port,
        route: conn.route,
        state: this.#state(conn),
        bytesOut: conn.bytesOut,
        bytesIn: conn.bytesIn,
        localEnded: conn.localEnded,
        peerEnded: conn.peerEnded,
      };
      if (conn.answeredBy !== undefined) summary.answeredBy = conn.answeredBy;
      if (conn.local) summary.local = conn.local;
      if (conn.remote) summary.remote = conn.remote;
      return summary;
    });
  }

  /** Flow control from the delivery layer: stop reading every socket until resumeReading(). */
  pauseReading(): void {
    this.#readingPaused = true;
    for (const conn of this.#connections.values()) conn.socket?.pause();
  }

  resumeReading(): void {
    this.#readingPaused = false;
    for (const conn of this.#connections.values()) conn.socket?.resume();
  }

  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  /** Resets every connection; no more events after this. */
  dispose(): void {
    this.#disposed = true;
    for (const conn of this.#connections.values()) {
      this.#clearTimers(conn);
      const socket = conn.socket;
      if (!socket || socket.destroyed) continue;
      if (conn.phase === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
    this.#connections.clear();
  }

  #emit(event: LabEvent): void {
    if (!this.#disposed) this.#emitEvent(event);
  }

  /**
   * Connections that can still carry bytes: looking up, connecting, or open with the peer not done. Once the peer
   * sent FIN (socket1.py's server closing after its answer) or the learner pressed Close, a connection is finished.
   */
  #liveCount(): number {
    let live = 0;
    for (const conn of this.#connections.values())
      if (!conn.peerEnded && conn.ending === null && !conn.failed) live += 1;
    return live;
  }

  #uniqueId(): ConnectionId {
    let id = this.#newId();
    // A random id colliding is all but impossible; a test's idFactory might, so never reuse a live one.
    while (this.#connections.has(id)) id = this.#newId();
    return id;
  }

  #find(id: ConnectionId): Result<Connection> {
    const conn = this.#connections.get(id);
    if (conn) return ok(conn);
    const closedBy = this.#recentlyClosed.get(id);
    if (closedBy) {
      return fail(
        'NOT_FOUND',
        `That connection is closed (${CLOSED_WORDS[closedBy]}), so it can do nothing more.`,
        'Connect again to start a new one.',
      );
    }
    return fail(
      'NOT_FOUND',
      'There is no open connection with that id. It may have closed already.',
      'Pick a connection from the list, or connect again.',
    );
  }

  #whyNotWritable(conn: Connection, action: 'send' | 'end'): Result<never> | undefined {
    const doing = action === 'send' ? 'send' : 'half-close';
    if (conn.phase !== 'open') {
      return fail(
        'NOT_WRITABLE',
        `The connection is not open yet, so you cannot ${doing} it: it is still ${conn.phase === 'resolving' ? 'looking up the address' : 'connecting'}.`,
        'Wait for the "connected" row, then try again.',
      );
    }
    if (conn.failed) {
      return fail(
        'NOT_WRITABLE',
        'This connection broke (see the error above), so nothing more can be sent on it.',
        'Connect again to start a new one.',
      );
    }
    if (conn.ending !== null || conn.socket?.destroyed) {
      return fail(
        'NOT_WRITABLE',
        'This connection is closing, so nothing more can be sent on it.',
        'Connect again to start a new one.',
      );
    }
    if (conn.localEnded) {
      return fail(
        'NOT_WRITABLE',
        action === 'send'
          ? 'You already half-closed this connection (sent FIN), so it cannot send any more. It can still receive.'
          : 'You already half-closed this connection (sent FIN); a connection sends FIN only once.',
        'Connect again to send more; until the other side closes, what it sends still arrives here.',
      );
    }
    return undefined;
  }

  #sendFin(conn: Connection): void {
    conn.localEnded = true;
    conn.lastToEnd = 'local';
    conn.socket?.end();
    this.#emit({ id: conn.id, t: this.#now(), type: 'local-ended' });
  }

  #resolve(conn: Connection, host: string, port: number): void {
    const answered = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]): void => {
      // The timer or the learner may have ended this connection while the lookup ran.
      if (this.#connections.get(conn.id) !== conn || conn.ending !== null || conn.failed) return;
      const chosen = err ? undefined : chooseAddress(addresses ?? []);
      if (err || chosen === undefined) {
        this.#failBeforeSocket(conn, err ?? { code: 'ENOTFOUND', message: `no addresses for ${host}` }, 'resolve');
        return;
      }
      this.#emit({ id: conn.id, t: this.#now(), type: 'resolved', addresses: addresses.map((a) => a.address), chosen });
      this.#dial(conn, chosen, port);
    };
    try {
      this.#lookup(host, { all: true }, answered);
    } catch (err) {
      this.#failBeforeSocket(conn, err, 'resolve');
    }
  }

  #dial(conn: Connection, address: string, port: number): void {
    conn.phase = 'connecting';
    conn.answeredBy ??= this.#identify(address, port);
    const connecting: LabEvent = { id: conn.id, t: this.#now(), type: 'connecting', address, port, route: conn.route };
    if (conn.answeredBy !== undefined) connecting.answeredBy = conn.answeredBy;
    this.#emit(connecting);

    let socket: Socket;
    try {
      // allowHalfOpen: a FIN from the peer must not close our side; the learner decides when to close.
      // noDelay: each send leaves as its own segment, as the learner pressed it.
      socket = createConnection({ host: address, port, allowHalfOpen: true, noDelay: true });
    } catch (err) {
      this.#failBeforeSocket(conn, err, 'connect');
      return;
    }
    conn.socket = socket;
    socket.on('connect', () => this.#onConnected(conn));
    socket.on('data', (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on('end', () => this.#onPeerEnded(conn));
    socket.on('error', (err: NodeJS.ErrnoException) => this.#onSocketError(conn, err));
    socket.on('close', () => this.#onSocketClosed(conn));
    if (this.#readingPaused) socket.pause();
  }

  #onConnected(conn: Connection): void {
    const socket = conn.socket as Socket;
    if (conn.connectTimer) clearTimeout(conn.connectTimer);
    conn.connectTimer = null;
    conn.phase = 'open';
    conn.local = endpoint(socket.localAddress, socket.localPort);
    conn.remote = endpoint(socket.remoteAddress, socket.remotePort);
    if (!conn.local || !conn.remote) return; // destroyed in the same tick; 'close' reports it
    const connected: LabEvent = {
      id: conn.id,
      t: this.#now(),
      type: 'connected',
      local: conn.local,
      remote: conn.remote,
      route: conn.route,
      elapsedMs: this.#now() - conn.startedAt,
    };
    if (conn.answeredBy !== undefined) connected.answeredBy = conn.answeredBy;
    this.#emit(connected);
  }

  #onData(conn: Connection, chunk: Buffer): void {
    // A socket read that fills its own ArrayBuffer is ours to keep, so no copy; a slice of a shared one is copied.
    // A plain Uint8Array either way: JSON.stringify would turn a Buffer into numbers (Buffer.prototype.toJSON).
    const bytes =
      chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength
        ? new Uint8Array(chunk.buffer, 0, chunk.byteLength)
        : new Uint8Array(chunk);
    const offset = conn.bytesIn;
    conn.bytesIn += bytes.byteLength;
    this.#emit({ id: conn.id, t: this.#now(), type: 'data', dir: 'in', offset, bytes });
  }

  #onPeerEnded(conn: Connection): void {
    conn.peerEnded = true;
    conn.lastToEnd = 'peer';
    this.#emit({ id: conn.id, t: this.#now(), type: 'peer-ended' });
  }

  #onSocketError(conn: Connection, err: NodeJS.ErrnoException): void {
    // After an abort the learner chose the reset; later errors are its echo, not news.
    if (conn.ending === 'abort' || conn.failed) return;
    let phase: SocketPhase = 'receive';
    if (conn.phase !== 'open') phase = 'connect';
    else if (err.syscall === 'write' || err.code === 'EPIPE') phase = 'send';
    this.#reportError(conn, err, phase);
  }

  #onSocketClosed(conn: Connection): void {
    let by: ClosedBy;
    if (conn.ending === 'abort') by = 'abort';
    else if (conn.failed) by = 'error';
    else if (conn.ending === 'local') by = 'local';
    else by = conn.lastToEnd ?? 'peer';
    this.#finish(conn, by);
  }

  #onConnectTimeout(conn: Connection): void {
    conn.connectTimer = null;
    if (this.#connections.get(conn.id) !== conn || conn.phase === 'open' || conn.ending !== null || conn.failed) return;
    const phase: SocketPhase = conn.phase === 'resolving' ? 'resolve' : 'connect';
    if (conn.socket) {
      this.#reportError(conn, { code: 'ETIMEDOUT' }, phase);
      conn.socket.destroy();
    } else {
      this.#failBeforeSocket(conn, { code: 'ETIMEDOUT' }, phase);
    }
  }

  #reportError(conn: Connection, err: unknown, phase: SocketPhase): void {
    conn.failed = true;
    const explained = explainSocketError(err, { host: conn.host, port: conn.port, phase, timeoutMs: conn.timeoutMs });
    const event: LabEvent = {
      id: conn.id,
      t: this.#now(),
      type: 'error',
      code: explained.code,
      message: explained.message,
      hint: explained.hint,
    };
    if (explained.detail !== undefined) event.detail = explained.detail;
    this.#emit(event);
  }

  /** An error while there is no socket yet (lookup, timer, or a connect that threw): report and close now. */
  #failBeforeSocket(conn: Connection, err: unknown, phase: SocketPhase): void {
    this.#reportError(conn, err, phase);
    if (conn.socket) conn.socket.destroy();
    else this.#finish(conn, 'error');
  }

  #finish(conn: Connection, by: ClosedBy): void {
    if (this.#connections.get(conn.id) !== conn) return;
    this.#clearTimers(conn);
    this.#connections.delete(conn.id);
    this.#recentlyClosed.set(conn.id, by);
    if (this.#recentlyClosed.size > RECENTLY_CLOSED_KEPT) {
      const oldest = this.#recentlyClosed.keys().next().value;
      if (oldest !== undefined) this.#recentlyClosed.delete(oldest);
    }
    this.#emit({ id: conn.id, t: this.#now(), type: 'closed', by });
  }

  #clearTimers(conn: Connection): void {
    if (conn.connectTimer) clearTimeout(conn.connectTimer);
    if (conn.closeTimer) clearTimeout(conn.closeTimer);
    conn.connectTimer = null;
    conn.closeTimer = null;
  }

  #state(conn: Connection): ConnectionState {
    if (conn.phase !== 'open') return conn.phase;
    return conn.localEnded || conn.peerEnded ? 'half-closed' : 'open';
  }
}
