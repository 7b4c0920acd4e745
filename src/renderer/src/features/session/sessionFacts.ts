/**
 * What the guided lab's checks need to know about the session, read from its events: per connection, where it
 * went, its local port, what was sent and received (the first bytes of each direction), and when it ended.
 * Pure, and incremental: the session's event array only grows, so reading it again only reads the new events.
 */
import type {
  ConnectionId,
  Endpoint,
  LabEvent,
  LabServerInfo,
  LabServerKind,
  Route,
} from '../../../../shared/contract';
import type { ErrorCode } from '../../../../shared/errors';
import { LIMITS } from '../../../../shared/limits';
import { splitHttpStream, type HttpMessage, type HttpStream } from '../../../../shared/http';
import type { EventSource } from './eventLog';

/** Bytes kept per direction per connection: the checks only need the start of each stream. */
export const CAPTURE_BYTES = 64 * 1024;

/** Close lets go of the socket once its FIN is out, or after closeGraceMs at the latest; this much more is slack. */
const CLOSE_SLACK_MS = 500;

export interface SentPiece {
  /** Index of the data event in the session's events. */
  index: number;
  t: number;
  offset: number;
  length: number;
}

export interface ReceivedPiece {
  index: number;
  t: number;
  offset: number;
  length: number;
}

export interface ConnectionFacts {
  id: ConnectionId;
  /** The host the learner typed. */
  host: string;
  /** The port the learner typed (the lab may have dialled another one, see dialPort). */
  port: number | null;
  route: Route | null;
  /** The port actually dialled: the learner's, or the lab server's when the lab answered for the host. */
  dialPort: number | null;
  answeredBy: string | null;
  firstIndex: number;
  connectedIndex: number | null;
  local: Endpoint | null;
  remote: Endpoint | null;
  sends: SentPiece[];
  /** Received chunks that start within the captured bytes (later ones are only counted). */
  received: ReceivedPiece[];
  receivedEvents: number;
  bytesOut: number;
  bytesIn: number;
  localEndedIndex: number | null;
  peerEndedIndex: number | null;
  closedIndex: number | null;
  closedBy: 'local' | 'peer' | 'error' | 'abort' | null;
  /**
   * Our FIN came from Close (`mysock.close()`: FIN, then the socket is gone at once), not from Half-close
   * (`shutdown(SHUT_WR)`). Known once the connection closed; false until then.
   */
  finByClose: boolean;
  /** Index and time of this connection's newest event, to tell a Close from a Half-close followed by more. */
  lastIndex: number;
  lastT: number;
  error: { code: ErrorCode; index: number } | null;
  /** The learner asked for TLS: the sends and arrivals above are the plain bytes inside it. */
  tls: boolean;
  /** What the TLS handshake settled, once it finished. */
  tlsSession: TlsSessionFacts | null;
  /** The first CAPTURE_BYTES of each direction, in stream order. */
  readonly sent: Capture;
  readonly got: Capture;
}

export interface TlsSessionFacts {
  index: number;
  /** `TLSv1.3`, as Node names it. */
  protocol: string;
  cipher: string;
  /** The name sent in the ClientHello (SNI), or null for an IP address. */
  serverName: string | null;
  trusted: boolean;
  /** The certificate is the one Socket Lab made for its own TLS server. */
  labCertificate: boolean;
}

/** A growing byte buffer with a cap; `bytes()` is a view of what is kept. */
export class Capture {
  #buffer = new Uint8Array(1024);
  #length = 0;
  /** Splits by (ended, request methods), for the current length only: checks ask with a few different keys. */
  #splits = new Map<string, HttpStream>();
  #splitLength = -1;
  #prefixes = new Map<number, HttpMessage | null>();

  get length(): number {
    return this.#length;
  }

  /** Keeps the part of a chunk (at stream `offset`) that falls within the cap. */
  add(offset: number, bytes: Uint8Array): void {
    if (offset !== this.#length || this.#length >= CAPTURE_BYTES) return;
    const take = Math.min(bytes.byteLength, CAPTURE_BYTES - this.#length);
    if (this.#length + take > this.#buffer.byteLength) {
      const grown = new Uint8Array(Math.min(CAPTURE_BYTES, Math.max(this.#buffer.byteLength * 2, this.#length + take)));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(bytes.subarray(0, take), this.#length);
    this.#length += take;
  }

  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  /** The last HTTP message in the first `length` bytes: the one being written when the stream was that long. */
  prefixHttp(length: number): HttpMessage | null {
    const kept = Math.min(length, this.#length);
    // Bytes once captured never change, so the answer for a length never changes either.
    let message = this.#prefixes.get(kept);
    if (message === undefined) {
      message = splitHttpStream(this.bytes().subarray(0, kept)).messages.at(-1) ?? null;
      this.#prefixes.set(kept, message);
    }
    return message;
  }

  /** The HTTP messages in these bytes, remembered until more bytes arrive. */
  http(ended: boolean, requestMethods: readonly string[] = []): HttpStream {
    if (this.#splitLength !== this.#length) {
      this.#splits.clear();
      this.#splitLength = this.#length;
    }
    const key = `${ended} ${requestMethods.join(' ')}`;
    let stream = this.#splits.get(key);
    if (!stream) {
      stream = splitHttpStream(this.bytes(), { ended, requestMethods });
      this.#splits.set(key, stream);
    }
    return stream;
  }
}

export interface SessionFacts {
  /** Connections in the order they were opened. */
  connections: ConnectionFacts[];
  eventCount: number;
}

interface Digest {
  facts: SessionFacts;
  byId: Map<ConnectionId, ConnectionFacts>;
}

const digests = new WeakMap<EventSource, Digest>();

function newConnection(id: ConnectionId, index: number): ConnectionFacts {
  return {
    id,
    host: '',
    port: null,
    route: null,
    dialPort: null,
    answeredBy: null,
    firstIndex: index,
    connectedIndex: null,
    local: null,
    remote: null,
    sends: [],
    received: [],
    receivedEvents: 0,
    bytesOut: 0,
    bytesIn: 0,
    localEndedIndex: null,
    peerEndedIndex: null,
    closedIndex: null,
    closedBy: null,
    finByClose: false,
    lastIndex: index,
    lastT: 0,
    error: null,
    tls: false,
    tlsSession: null,
    sent: new Capture(),
    got: new Capture(),
  };
}

function apply(digest: Digest, event: LabEvent, index: number): void {
  let conn = digest.byId.get(event.id);
  if (!conn) {
    conn = newConnection(event.id, index);
    digest.byId.set(event.id, conn);
    digest.facts.connections.push(conn);
  }
  const previous = { index: conn.lastIndex, t: conn.lastT };
  conn.lastIndex = index;
  conn.lastT = event.t;
  switch (event.type) {
    case 'resolving':
      conn.host = event.host;
      conn.port = event.port;
      conn.tls = event.tls === true;
      break;
    case 'connecting':
      conn.route = event.route;
      conn.dialPort = event.port;
      if (event.answeredBy) conn.answeredBy = event.answeredBy;
      break;
    case 'connected':
      conn.connectedIndex = index;
      conn.local = event.local;
      conn.remote = event.remote;
      conn.route = event.route;
      if (event.answeredBy) conn.answeredBy = event.answeredBy;
      break;
    case 'data': {
      const length = event.bytes.byteLength;
      // A row with no bytes here (let go to save memory, or a replay's hole) tells the facts nothing: a zero-length
      // send would become a send of b'' in the code twin.
      if (length === 0) break;
      if (event.dir === 'out') {
        conn.sends.push({ index, t: event.t, offset: event.offset, length });
        conn.bytesOut = Math.max(conn.bytesOut, event.offset + length);
        conn.sent.add(event.offset, event.bytes);
      } else {
        conn.receivedEvents += 1;
        if (event.offset < CAPTURE_BYTES) conn.received.push({ index, t: event.t, offset: event.offset, length });
        conn.bytesIn = Math.max(conn.bytesIn, event.offset + length);
        conn.got.add(event.offset, event.bytes);
      }
      break;
    }
    case 'local-ended':
      conn.localEndedIndex ??= index;
      break;
    case 'peer-ended':
      conn.peerEndedIndex ??= index;
      break;
    case 'closed':
      conn.closedIndex ??= index;
      conn.closedBy ??= event.by;
      // Close sends FIN and lets go of the socket straight after; a Half-close is followed by more, or by a pause.
      conn.finByClose =
        event.by === 'local' &&
        conn.localEndedIndex !== null &&
        previous.index === conn.localEndedIndex &&
        event.t - previous.t <= LIMITS.closeGraceMs + CLOSE_SLACK_MS;
      break;
    case 'error':
      conn.error ??= { code: event.code, index };
      break;
    case 'tls':
      conn.tlsSession ??= {
        index,
        protocol: event.protocol,
        cipher: event.cipher,
        serverName: event.serverName,
        trusted: event.trust.trusted,
        labCertificate: event.trust.labCertificate,
      };
      break;
    case 'resolved':
    case 'wire':
    case 'journal-full':
      break;
  }
}

/**
 * The facts of a session; reading the same (growing) event source again only reads the events added since. Events
 * the source no longer keeps are skipped (the store reads the facts at every redraw, long before it lets go).
 */
export function sessionFacts(events: EventSource): SessionFacts {
  let digest = digests.get(events);
  if (!digest || digest.facts.eventCount > events.length) {
    digest = { facts: { connections: [], eventCount: 0 }, byId: new Map() };
    digests.set(events, digest);
  }
  for (let i = digest.facts.eventCount; i < events.length; i += 1) {
    const event = events.at(i);
    if (event) apply(digest, event, i);
  }
  digest.facts.eventCount = events.length;
  return digest.facts;
}

/** The facts of one connection, by id; undefined before its first event. */
export function connectionFacts(events: EventSource, id: ConnectionId): ConnectionFacts | undefined {
  sessionFacts(events);
  return digests.get(events)?.byId.get(id);
}

/** Which lab server a connection reached, by the address it connected to (whatever name was typed). */
export function labServerKind(conn: ConnectionFacts, servers: readonly LabServerInfo[]): LabServerKind | null {
  const remote = conn.remote;
  if (remote) {
    const server = servers.find((entry) => entry.port === remote.port && sameAddress(entry.host, remote.address));
    if (server) return server.kind;
  }
  return null;
}

function sameAddress(a: string, b: string): boolean {
  const bare = (address: string): string => address.replace(/^::ffff:/, '').toLowerCase();
  return bare(a) === bare(b);
}

/** The event index at which the received stream reached `offset` bytes (the chunk holding byte offset-1). */
export function receivedIndexAt(conn: ConnectionFacts, offset: number): number | null {
  for (const piece of conn.received) if (piece.offset + piece.length >= offset) return piece.index;
  return null;
}

/** The event index at which the sent stream reached `offset` bytes. */
export function sentIndexAt(conn: ConnectionFacts, offset: number): number | null {
  for (const piece of conn.sends) if (piece.offset + piece.length >= offset) return piece.index;
  return null;
}

/** One request the learner sent and the answer that came back for it (if any), in order on the connection. */
export interface Exchange {
  request: HttpMessage;
  /** Event index of the send that completed the request. */
  requestIndex: number | null;
  response: HttpMessage | null;
  /** The whole response is here (judged by byte counts, so a body longer than the capture still counts). */
  responseComplete: boolean;
  /** Event index at which the response was complete (or its last captured byte arrived). */
  responseIndex: number | null;
}

/** Requests sent on a connection paired with the responses received, in order (HTTP answers in order). */
export function exchanges(conn: ConnectionFacts): Exchange[] {
  const requests = conn.sent
    .http(conn.localEndedIndex !== null)
    .messages.filter((message) => message.startLine.kind === 'request' && message.headersComplete);
  if (requests.length === 0) return [];
  const methods = requests.map((request) => (request.startLine.kind === 'request' ? request.startLine.method : ''));
  const responses = conn.got.http(conn.peerEndedIndex !== null, methods).messages;
  return requests.map((request, i) => {
    const response = responses[i];
    const ok = response && response.startLine.kind === 'status' ? response : null;
    const complete = ok ? responseComplete(conn, ok, request) : false;
    const reachedAt = ok
      ? complete && ok.framing === 'content-length'
        ? ok.bodyStart + (ok.contentLength ?? 0)
        : ok.end
      : 0;
    return {
      request,
      requestIndex: sentIndexAt(conn, request.end),
      response: ok,
      responseComplete: complete,
      responseIndex: ok ? receivedIndexAt(conn, Math.min(reachedAt, conn.got.length)) : null,
    };
  });
}

function responseComplete(conn: ConnectionFacts, response: HttpMessage, request: HttpMessage): boolean {
  if (!response.headersComplete) return false;
  const isHead = request.startLine.kind === 'request' && request.startLine.method === 'HEAD';
  if (isHead || response.framing === 'none') return true;
  // A body past the captured bytes: count it from the totals.
  if (response.framing === 'content-length' && response.contentLength !== null) {
    return conn.bytesIn >= response.bodyStart + response.contentLength;
  }
  if (response.framing === 'until-close') return conn.peerEndedIndex !== null;
  return response.complete;
}

/** The request line's target ends with this file name (`/romeo.txt` or `http://data.pr4e.org/romeo.txt`). */
export function asksFor(request: HttpMessage, fileName: string): boolean {
  if (request.startLine.kind !== 'request') return false;
  const path = request.startLine.target.split(/[?#]/)[0] ?? '';
  return path.toLowerCase().endsWith('/' + fileName.toLowerCase());
}
