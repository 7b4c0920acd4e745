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
 *
 * With `tls: true` the hub runs TLS over its own TCP socket (tls/tlsClient.ts): after `connected` (TCP) come `wire`
 * events (the records as they cross the socket) and `tls` (the handshake is done; sends wait for it); `data` then
 * means the plain bytes inside TLS. Half-close sends close_notify then FIN (`local-ended` once the FIN goes),
 * `peer-ended` is the peer's FIN once every plain byte before it is out, abort is still a bare RST. A plain
 * connection whose first answer is a TLS alert gets a TLS_EXPECTED error: that port expects TLS first.
 */
import { randomUUID } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createConnection, isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
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
import { tlsAlertAtStart, TlsRecordSplitter, type TlsAlert } from '../../../shared/tlsRecords';
import { describePeerCertificate, judgeTrust } from '../tls/peerCertificate';
import { TlsClientLayer } from '../tls/tlsClient';
import { explainSocketError, explainTlsError, explainTlsExpected, type SocketPhase } from './errors';

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
  /** SHA-256 fingerprints of the certificates Socket Lab made for its own TLS server, to say so when one is shown. */
  labCertificates?: () => readonly string[];
}

/** A validated connect request: everything filled in but the TLS switch, which is off unless given. */
export type HubConnectRequest = Required<Omit<ConnectRequest, 'tls'>> & Pick<ConnectRequest, 'tls'>;

/** A TLS connection's second layer. */
interface TlsState {
  layer: TlsClientLayer | null;
  splitter: TlsRecordSplitter;
  secure: boolean;
  protocol?: string;
  cipher?: string;
  wireBytesIn: number;
  wireBytesOut: number;
  /** The peer's FIN was read, and the plain stream has given its last byte: together they make `peer-ended`. */
  tcpEnded: boolean;
  plainEnded: boolean;
  handshakeTimer: ReturnType<typeof setTimeout> | null;
  connectedAt: number;
  /** What the peer sent before the handshake failed, as read off the wire: a plain alert, or bytes that are not TLS. */
  alert?: TlsAlert;
  notTls?: Uint8Array;
}

/** A readable alert record is 7 bytes; a plain connection keeps its first 7 bytes each way to spot one. */
const ALERT_RECORD_BYTES = 7;
/** Bytes kept of an answer that is not TLS, to show the learner what came instead. */
const NOT_TLS_SHOWN_BYTES = 64;

type ClosedBy = Extract<LabEvent, { type: 'closed' }>['by'];

interface Connection {
  id: ConnectionId;
  host: string;
  port: number;
  route: Route;
  timeoutMs: number;
  answeredBy?: string | undefined;
  phase: 'resolving' | 'connecting' | 'open';
  startedAt: number;
  socket: Socket | null;
  connectTimer: ReturnType<typeof setTimeout> | null;
  closeTimer: ReturnType<typeof setTimeout> | null;
  local?: Endpoint | undefined;
  remote?: Endpoint | undefined;
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
  /** TLS connections only. */
  tls: TlsState | null;
  /** Plain connections: the first bytes each way, until a TLS alert at the start can be told apart. */
  head: { in: Uint8Array; out: Uint8Array } | null;
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
  readonly #labCertificates: () => readonly string[];

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
    this.#labCertificates = options.labCertificates ?? (() => []);
  }

  /** Starts a connection and returns its id at once; progress arrives as events. */
  connect(request: HubConnectRequest): Result<Connected> {
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
      tls: request.tls === true ? newTlsState() : null,
      head: request.tls === true ? null : { in: new Uint8Array(0), out: new Uint8Array(0) },
    };
    this.#connections.set(id, conn);
    const resolving: LabEvent = {
      id,
      t: this.#now(),
      type: 'resolving',
      host: request.host,
      port: request.port,
      route: request.route,
    };
    if (conn.tls) resolving.tls = true;
    this.#emit(resolving);
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
    const layer = conn.tls?.layer;
    const queued = layer ? layer.writableLength : socket.writableLength;
    if (queued + bytes.byteLength > this.#maxQueuedSendBytes) {
      return fail(
        'NOT_WRITABLE',
        `The other side has not taken the last ${queued.toLocaleString('en-US')} bytes you sent yet, so the lab is holding this send back.`,
        'Wait until the other side reads what you sent, then send again.',
      );
    }
    // Our own copy: the caller may reuse its array, and the event must show exactly what left.
    const copy = new Uint8Array(bytes);
    const offset = conn.bytesOut;
    conn.bytesOut += copy.byteLength;
    if (layer) {
      // The plain bytes first: the records that carry them follow as `wire` events.
      this.#emit({ id, t: this.#now(), type: 'data', dir: 'out', offset, bytes: copy });
      layer.write(copy);
    } else {
      if (conn.head) conn.head.out = keepHead(conn.head.out, copy);
      socket.write(copy);
      this.#emit({ id, t: this.#now(), type: 'data', dir: 'out', offset, bytes: copy });
    }
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
    } else if (conn.phase === 'connecting' || (conn.tls && !conn.tls.secure)) {
      // Mid-handshake there is no TLS to close yet: the TCP connection just goes.
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
      if (conn.tls) {
        summary.tls = {
          state: conn.tls.secure ? 'secure' : 'handshaking',
          wireBytesIn: conn.tls.wireBytesIn,
          wireBytesOut: conn.tls.wireBytesOut,
        };
        if (conn.tls.protocol !== undefined) summary.tls.protocol = conn.tls.protocol;
        if (conn.tls.cipher !== undefined) summary.tls.cipher = conn.tls.cipher;
      }
      if (conn.answeredBy !== undefined) summary.answeredBy = conn.answeredBy;
      if (conn.local) summary.local = conn.local;
      if (conn.remote) summary.remote = conn.remote;
      return summary;
    });
  }

  /** Flow control from the delivery layer: stop reading every socket until resumeReading(). */
  pauseReading(): void {
    this.#readingPaused = true;
    for (const conn of this.#connections.values()) {
      if (conn.tls?.layer) conn.tls.layer.pause();
      else conn.socket?.pause();
    }
  }

  resumeReading(): void {
    this.#readingPaused = false;
    for (const conn of this.#connections.values()) {
      if (conn.tls?.layer) conn.tls.layer.resume();
      else conn.socket?.resume();
    }
  }

  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  /** Resets every connection; no more events after this. */
  dispose(): void {
    this.#disposed = true;
    for (const conn of this.#connections.values()) {
      this.#clearTimers(conn);
      conn.tls?.layer?.destroy();
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
    if (conn.tls && !conn.tls.secure) {
      return fail(
        'NOT_WRITABLE',
        `The TLS handshake is still going on, so you cannot ${doing} yet: the two sides are agreeing on how to encrypt.`,
        'Wait for the "TLS" row that says the connection is secure, then try again.',
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
    if (conn.tls?.layer) {
      // close_notify first; `local-ended` comes when the FIN goes after it (TlsClientEvents.finishing).
      conn.tls.layer.end();
      return;
    }
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
      // onread (plain TCP only; with TLS the TLS layer reads the socket once it is connected): reads go into a
      // buffer of LIMITS.socketReadBytes, so a fast stream comes in a quarter as many events as with Node's 64 KiB.
      const reads = conn.tls ? null : new ReadBuffer(LIMITS.socketReadBytes);
      socket = createConnection({
        host: address,
        port,
        allowHalfOpen: true,
        noDelay: true,
        ...(reads && {
          onread: {
            buffer: () => reads.next(),
            // true: go on reading (false would pause the socket; pausing is the hub's own, through pauseReading).
            callback: (length: number) => {
              this.#onRead(conn, reads.take(length));
              return true;
            },
          },
        }),
      });
    } catch (err) {
      this.#failBeforeSocket(conn, err, 'connect');
      return;
    }
    conn.socket = socket;
    socket.on('connect', () => this.#onConnected(conn));
    if (!conn.tls) socket.on('end', () => this.#onPeerEnded(conn));
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
    if (conn.tls) this.#startTls(conn, conn.tls, socket);
  }

  /** Plain bytes from the TLS layer: a read that fills its own ArrayBuffer is ours to keep, a slice is copied. */
  #onData(conn: Connection, chunk: Uint8Array): void {
    // A plain Uint8Array either way: JSON.stringify would turn a Buffer into numbers (Buffer.prototype.toJSON).
    this.#onRead(
      conn,
      chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength
        ? new Uint8Array(chunk.buffer, 0, chunk.byteLength)
        : new Uint8Array(chunk),
    );
  }

  /** One read of the connection's bytes, ours to keep: one 'data' event. */
  #onRead(conn: Connection, bytes: Uint8Array): void {
    const offset = conn.bytesIn;
    conn.bytesIn += bytes.byteLength;
    this.#emit({ id: conn.id, t: this.#now(), type: 'data', dir: 'in', offset, bytes });
    if (conn.head && conn.head.in.byteLength < ALERT_RECORD_BYTES) this.#checkForTlsAlert(conn, conn.head, bytes);
  }

  /** A plain connection answered first by a TLS alert (and not an echo of our own bytes): that port expects TLS. */
  #checkForTlsAlert(conn: Connection, head: { in: Uint8Array; out: Uint8Array }, bytes: Uint8Array): void {
    head.in = keepHead(head.in, bytes);
    if (head.in.byteLength < ALERT_RECORD_BYTES || conn.failed) return;
    const alert = tlsAlertAtStart(head.in);
    const echoed = head.out.byteLength === head.in.byteLength && head.out.every((byte, i) => byte === head.in[i]);
    if (!alert || echoed) return;
    this.#emitError(conn, explainTlsExpected(alert, this.#errorContext(conn, 'receive')));
    conn.socket?.destroy();
  }

  #startTls(conn: Connection, tls: TlsState, socket: Socket): void {
    tls.connectedAt = this.#now();
    // The handshake gets the connect timeout again, counted from the TCP connect.
    tls.handshakeTimer = setTimeout(() => this.#onHandshakeTimeout(conn), conn.timeoutMs);
    tls.layer = new TlsClientLayer(socket, {
      host: conn.host,
      events: {
        wire: (dir, bytes) => this.#onWire(conn, tls, dir, bytes),
        plain: (bytes) => this.#onData(conn, bytes),
        secure: (secured) => this.#onSecure(conn, tls, secured),
        finishing: () => {
          if (conn.localEnded) this.#emit({ id: conn.id, t: this.#now(), type: 'local-ended' });
        },
        tcpEnded: () => {
          tls.tcpEnded = true;
          this.#onTlsPeerEnded(conn, tls);
        },
        plainEnded: () => {
          tls.plainEnded = true;
          this.#onTlsPeerEnded(conn, tls);
        },
        error: (error) => this.#onTlsError(conn, tls, error),
      },
    });
    if (this.#readingPaused) tls.layer.pause();
  }

  #onWire(conn: Connection, tls: TlsState, dir: 'in' | 'out', bytes: Uint8Array): void {
    const offset = dir === 'in' ? tls.wireBytesIn : tls.wireBytesOut;
    if (dir === 'in') tls.wireBytesIn += bytes.byteLength;
    else tls.wireBytesOut += bytes.byteLength;
    const records = tls.splitter.push(dir, bytes);
    if (dir === 'in' && !tls.secure) {
      for (const record of records) {
        if (record.alert) tls.alert = record.alert;
        if (record.contentType === 'not-tls' && tls.notTls === undefined) {
          tls.notTls = bytes.slice(record.start, record.start + Math.min(record.length, NOT_TLS_SHOWN_BYTES));
        }
      }
    }
    this.#emit({ id: conn.id, t: this.#now(), type: 'wire', dir, offset, bytes, records });
  }

  #onSecure(conn: Connection, tls: TlsState, socket: TLSSocket): void {
    // An error (or the handshake timer) may have ended it in the tick before.
    if (conn.failed || conn.ending !== null) return;
    if (tls.handshakeTimer) clearTimeout(tls.handshakeTimer);
    tls.handshakeTimer = null;
    tls.secure = true;
    const cipher = socket.getCipher();
    tls.protocol = socket.getProtocol() ?? cipher.version;
    tls.cipher = cipher.standardName || cipher.name;
    const certificate = describePeerCertificate(socket.getPeerCertificate());
    const trust = judgeTrust({
      certificate,
      authorized: socket.authorized,
      authorizationError: socket.authorizationError,
      host: conn.host,
      labFingerprints: this.#labCertificates(),
    });
    const alpn = socket.alpnProtocol;
    this.#emit({
      id: conn.id,
      t: this.#now(),
      type: 'tls',
      protocol: tls.protocol,
      cipher: tls.cipher,
      cipherOpenSsl: cipher.name,
      alpn: typeof alpn === 'string' ? alpn : null,
      serverName: isIP(conn.host) === 0 ? conn.host.replace(/\.$/, '') : null,
      certificate,
      trust,
      handshakeMs: this.#now() - tls.connectedAt,
    });
  }

  /** The peer's FIN, once the plain stream has given every byte that came before it. */
  #onTlsPeerEnded(conn: Connection, tls: TlsState): void {
    if (tls.tcpEnded && tls.plainEnded && !conn.peerEnded) this.#onPeerEnded(conn);
  }

  #onTlsError(conn: Connection, tls: TlsState, error: NodeJS.ErrnoException): void {
    if (conn.ending === 'abort' || conn.failed) return;
    const facts: { secure: boolean; alert?: TlsAlert; notTls?: Uint8Array } = { secure: tls.secure };
    if (tls.alert) facts.alert = tls.alert;
    if (tls.notTls) facts.notTls = tls.notTls;
    const phase: SocketPhase = tls.secure ? 'receive' : 'handshake';
    this.#emitError(conn, explainTlsError(error, this.#errorContext(conn, phase), facts));
    // TLS gave up on the connection, so the TCP connection under it goes too.
    conn.socket?.destroy();
  }

  #onHandshakeTimeout(conn: Connection): void {
    if (!conn.tls) return;
    conn.tls.handshakeTimer = null;
    if (this.#connections.get(conn.id) !== conn || conn.tls.secure || conn.ending !== null || conn.failed) return;
    this.#reportError(conn, { code: 'ETIMEDOUT' }, 'handshake');
    conn.socket?.destroy();
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
    else if (conn.tls && !conn.tls.secure) phase = 'handshake';
    else if (err.syscall === 'write' || err.code === 'EPIPE') phase = 'send';
    this.#reportError(conn, err, phase);
  }

  #onSocketClosed(conn: Connection): void {
    conn.tls?.layer?.destroy();
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
    this.#emitError(conn, explainSocketError(err, this.#errorContext(conn, phase)));
  }

  #errorContext(
    conn: Connection,
    phase: SocketPhase,
  ): { host: string; port: number; phase: SocketPhase; timeoutMs: number } {
    return { host: conn.host, port: conn.port, phase, timeoutMs: conn.timeoutMs };
  }

  #emitError(conn: Connection, explained: ReturnType<typeof explainSocketError>): void {
    conn.failed = true;
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
    if (conn.tls?.handshakeTimer) clearTimeout(conn.tls.handshakeTimer);
    conn.connectTimer = null;
    conn.closeTimer = null;
    if (conn.tls) conn.tls.handshakeTimer = null;
  }

  #state(conn: Connection): ConnectionState {
    if (conn.phase !== 'open') return conn.phase;
    return conn.localEnded || conn.peerEnded ? 'half-closed' : 'open';
  }
}

function newTlsState(): TlsState {
  return {
    layer: null,
    splitter: new TlsRecordSplitter(),
    secure: false,
    wireBytesIn: 0,
    wireBytesOut: 0,
    tcpEnded: false,
    plainEnded: false,
    handshakeTimer: null,
    connectedAt: 0,
  };
}

/** The first ALERT_RECORD_BYTES of a stream, given what was kept and the next bytes. */
function keepHead(kept: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (kept.byteLength >= ALERT_RECORD_BYTES) return kept;
  const head = new Uint8Array(Math.min(ALERT_RECORD_BYTES, kept.byteLength + bytes.byteLength));
  head.set(kept);
  head.set(bytes.subarray(0, head.byteLength - kept.byteLength), kept.byteLength);
  return head;
}

/**
 * The buffer a plain socket reads into (net.connect's `onread`), and the bytes of each read as one event keeps them.
 * A read of at least half the buffer takes the buffer with it (no copy; the next read gets a new one), so a fast
 * stream costs no copy and at most twice its bytes in memory. A shorter read is copied out and the buffer reused,
 * so a 10-byte answer never holds the whole buffer.
 */
export class ReadBuffer {
  readonly #size: number;
  #buffer: Uint8Array;

  constructor(size: number) {
    this.#size = size;
    this.#buffer = ReadBuffer.#fresh(size);
  }

  /** Memory of its own, not zeroed first (the socket writes it before anything reads it), as Node's reads use. */
  static #fresh(size: number): Uint8Array {
    const memory = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(memory.buffer, memory.byteOffset, size);
  }

  /** Where the next read goes. */
  next(): Uint8Array {
    return this.#buffer;
  }

  /** The first `length` bytes just read, as bytes of their own. */
  take(length: number): Uint8Array {
    if (length * 2 < this.#size) return this.#buffer.slice(0, length);
    const bytes = new Uint8Array(this.#buffer.buffer, 0, length);
    this.#buffer = ReadBuffer.#fresh(this.#size);
    return bytes;
  }
}
