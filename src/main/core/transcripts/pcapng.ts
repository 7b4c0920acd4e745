/**
 * Save as .pcapng: the session as packets Wireshark and tshark open, so "Follow TCP Stream" shows exactly the
 * bytes the learner saw. The lab never captures packets; it sees socket events, so the packets are synthesized
 * from them (tcpSynth.ts) and written as pcapng blocks (pcapngBlocks.ts).
 *
 * Streamed: one pass over the entries, keeping a few numbers per open connection and one output chunk, so a 1 GB
 * session comes out piece by piece. The summary (already made) gives each connection's addresses up front, which
 * the SYN needs before the `connected` event tells them. What each connection looks like:
 * - connecting: SYN (with a comment naming what the learner typed); SYNs again at 1, 3, 7 … s while unanswered;
 * - connected: SYN/ACK and ACK; each send and each read: segments at the MSS, and the receiver's ACKs;
 * - local-ended / peer-ended: FIN and its ACK; abort: RST from us; ECONNRESET: RST from the peer; after a close
 *   the peer's FIN never reached the lab: an assumed FIN and ACK, marked so;
 * - ECONNREFUSED: RST/ACK from the peer; a timeout: only SYNs; no address (DNS): no packets, a comment says so;
 * - unsaved data (past the journal's cap): sequence numbers move on with no packet, and a comment says why.
 * A TLS connection's packets carry its `wire` bytes, the records exactly as they crossed the socket, so Wireshark
 * dissects TLS; its `data` events (the plain bytes inside) are not on the wire and are left out. A plain connection
 * carries its `data` bytes, as always.
 */
import type { ConnectionId, LabEvent } from '../../../shared/contract';
import {
  emptyConnection,
  type SessionEntry,
  type TranscriptConnection,
  type TranscriptSummary,
} from '../../../shared/transcript';
import {
  EPB_DIRECTION,
  enhancedPacketBlock,
  interfaceDescriptionBlock,
  LINKTYPE_RAW,
  sectionHeaderBlock,
} from './pcapngBlocks';
import type { Exporter, TranscriptSource } from './source';
import {
  addressBytes,
  seededUint32,
  TcpConversation,
  unmapped,
  type Side,
  type SideAddress,
  type SynthPacket,
} from './tcpSynth';

/** Output comes in pieces of about this size: large enough for fast file writes, small enough to stay flat. */
const CHUNK_BYTES = 256 * 1024;
/** Microseconds (if_tsresol 6): the session clock's resolution is about that of performance.now(). */
const TSRESOL_MICROSECONDS = 6;
const SNAPLEN = 262_144;
/** Linux's initial retransmission timeout is 1 s and doubles; it gives up after 6 retries (tcp_syn_retries). */
const SYN_RETRY_FIRST_MS = 1_000;
const SYN_RETRIES = 6;
/** IANA's dynamic port range, for a connect that never got a local port. */
const EPHEMERAL_FIRST = 49_152;
const EPHEMERAL_COUNT = 16_384;

const ABORT_COMMENT = 'You aborted the connection: your side sent a reset (RST), not FIN.';
const ASSUMED_FIN_COMMENT =
  'Assumed, not seen: after you closed, the lab let go of the socket before the other side’s FIN came, so ' +
  'this FIN and its ACK stand for the usual answer to a FIN (the lab servers close when you do).';

type ErrorEvent = Extract<LabEvent, { type: 'error' }>;

interface LiveConnection {
  info: TranscriptConnection;
  tcp: TcpConversation | null;
  phase: 'dialing' | 'open' | 'over';
  /** While the SYN is unanswered: when the next retransmission goes, and how many went. */
  nextSynAt: number;
  synRetries: number;
  /** Why data is missing is said once per direction, on the first ACK that covers unsaved data. */
  unsavedNoted: Record<'in' | 'out', boolean>;
  /** A TLS connection: its packets carry the wire bytes, not the plain ones. */
  tls: boolean;
}

export const exportPcapng: Exporter = (source) => pcapngChunks(source);

async function* pcapngChunks(source: TranscriptSource): AsyncIterable<Uint8Array> {
  const summary = source.summary;
  const output = new ChunkWriter(CHUNK_BYTES);
  output.write(
    sectionHeaderBlock({
      userAppl: `Socket Lab ${summary.appVersion || 'unknown version'}`,
      os: summary.platform || 'unknown',
      comments: sessionComments(summary),
    }),
  );
  output.write(
    interfaceDescriptionBlock({
      linkType: LINKTYPE_RAW,
      snapLen: SNAPLEN,
      name: 'socketlab',
      description: 'Socket Lab: TCP synthesized from the lab’s socket events (not a capture)',
      tsresol: TSRESOL_MICROSECONDS,
    }),
  );
  const synth = new SessionSynth(summary, (packet) => output.write(packetBlock(summary.startedAt, packet)));
  for await (const entry of source.entries()) {
    synth.add(entry);
    yield* output.take();
  }
  yield* output.finish();
}

function packetBlock(startedAt: number, packet: SynthPacket): Uint8Array {
  const wallMs = startedAt + Math.max(0, packet.t);
  // A damaged journal may hold a time that is no number; 1970 is plainly wrong, and nothing throws.
  const micros = Number.isFinite(wallMs) ? BigInt(Math.round(wallMs * 1000)) : 0n;
  return enhancedPacketBlock({
    interfaceId: 0,
    timestamp: micros,
    packet: packet.bytes,
    flags: packet.from === 'client' ? EPB_DIRECTION.outbound : EPB_DIRECTION.inbound,
    ...(packet.comment !== undefined && { comment: packet.comment }),
  });
}

/** Turns entries, in order, into packets for every connection. */
class SessionSynth {
  readonly #connections = new Map<ConnectionId, LiveConnection>();
  /** Connections whose SYN is unanswered: the only ones that can have a retransmission due. */
  readonly #dialing = new Set<LiveConnection>();
  readonly #known: Map<ConnectionId, TranscriptConnection>;
  #unknownCount = 0;
  readonly #emit: (packet: SynthPacket) => void;
  #journalLimit: number | null = null;

  constructor(summary: TranscriptSummary, emit: (packet: SynthPacket) => void) {
    this.#known = new Map(summary.connections.map((conn) => [conn.id, conn]));
    this.#emit = emit;
  }

  add(entry: SessionEntry): void {
    // Retransmitted SYNs that fell due before this entry go first, so the packets stay in time order.
    this.#retransmitSynsBefore(entry.t);
    switch (entry.kind) {
      case 'event':
        this.#event(entry.event);
        break;
      case 'unsaved':
        this.#unsaved(entry);
        break;
      case 'journal-full':
        this.#journalLimit = entry.limitBytes;
        break;
      default:
        break;
    }
  }

  #live(id: ConnectionId): LiveConnection {
    let conn = this.#connections.get(id);
    if (!conn) {
      // A copy: the events may fill in what the summary lacks, and the summary is the caller's. A connection the
      // summary does not list (a summary made before its first entry) starts empty; its events will tell.
      const known = this.#known.get(id);
      const info = { ...(known ?? emptyConnection(id, this.#known.size + ++this.#unknownCount, 0)) };
      conn = {
        info,
        tcp: null,
        phase: 'dialing',
        nextSynAt: Infinity,
        synRetries: 0,
        unsavedNoted: { in: false, out: false },
        tls: info.tls !== undefined,
      };
      this.#connections.set(id, conn);
    }
    return conn;
  }

  #event(event: LabEvent): void {
    const conn = this.#live(event.id);
    if (conn.phase === 'over') return;
    switch (event.type) {
      case 'connecting':
        conn.info.dialed ??= { address: event.address, port: event.port };
        this.#dial(conn, event.t);
        break;
      case 'connected':
        conn.info.local ??= event.local;
        conn.info.remote ??= event.remote;
        this.#open(conn, event.t);
        break;
      case 'data': {
        // Inside TLS these bytes never crossed the wire as they are; their records did, as `wire` events.
        if (conn.tls) break;
        const tcp = this.#open(conn, event.t);
        tcp?.data(sideOf(event.dir), event.t, event.offset, event.bytes);
        break;
      }
      case 'wire': {
        conn.tls = true;
        const tcp = this.#open(conn, event.t);
        tcp?.data(sideOf(event.dir), event.t, event.offset, event.bytes);
        break;
      }
      case 'local-ended':
        this.#open(conn, event.t)?.fin('client', event.t);
        break;
      case 'peer-ended':
        this.#open(conn, event.t)?.fin('server', event.t);
        break;
      case 'error':
        this.#error(conn, event);
        break;
      case 'closed':
        // Closing while the SYN is unanswered sends nothing; after an error, what the error sent is all there is.
        if (conn.phase === 'open' && conn.tcp && !conn.tcp.isReset) {
          if (event.by === 'abort') conn.tcp.reset('client', event.t, ABORT_COMMENT);
          else if (event.by !== 'error') teardown(conn.tcp, event.t);
        }
        this.#over(conn);
        break;
      case 'resolving':
      case 'resolved':
      case 'tls':
        break;
    }
  }

  /** The SYN, when the connect starts. */
  #dial(conn: LiveConnection, t: number): TcpConversation | null {
    if (conn.tcp) return conn.tcp;
    const ends = endpoints(conn.info);
    if (!ends) return null;
    conn.tcp = new TcpConversation(ends.client, ends.server, conn.info.id, this.#emit);
    conn.tcp.syn(t, synComment(conn.info, ends.notes));
    conn.nextSynAt = t + SYN_RETRY_FIRST_MS;
    this.#dialing.add(conn);
    return conn.tcp;
  }

  /** SYN/ACK and ACK when the connect succeeded; also for data from a journal that lacks the connect. */
  #open(conn: LiveConnection, t: number): TcpConversation | null {
    if (conn.phase === 'open') return conn.tcp;
    const tcp = this.#dial(conn, t);
    if (!tcp) return null;
    tcp.accept(t);
    conn.phase = 'open';
    this.#dialing.delete(conn);
    return tcp;
  }

  #error(conn: LiveConnection, event: ErrorEvent): void {
    const words = `${event.code}: ${event.message}`;
    const tcp = conn.tcp;
    if (conn.phase === 'dialing') {
      // A refused connect is the peer's stack answering the SYN with RST/ACK; other failures send nothing back.
      if (tcp && (event.code === 'ECONNREFUSED' || event.code === 'ECONNRESET')) tcp.refuse(event.t, words);
      this.#over(conn);
    } else if (tcp && (event.code === 'ECONNRESET' || event.code === 'EPIPE')) {
      tcp.reset('server', event.t, words);
    }
  }

  #unsaved(entry: Extract<SessionEntry, { kind: 'unsaved' }>): void {
    const conn = this.#live(entry.id);
    // The sequence numbers follow the bytes on the wire: a TLS connection's plain bytes take none.
    if (conn.phase === 'over' || conn.tls !== (entry.wire === true)) return;
    const tcp = this.#open(conn, entry.t);
    if (!tcp) return;
    let comment: string | undefined;
    if (!conn.unsavedNoted[entry.dir]) {
      conn.unsavedNoted[entry.dir] = true;
      const who = entry.dir === 'out' ? 'you sent' : 'arrived';
      const cap =
        this.#journalLimit === null
          ? 'past the journal’s cap'
          : `past the journal’s cap of ${this.#journalLimit.toLocaleString('en-US')} bytes`;
      comment =
        `Data that ${who} from stream offset ${entry.offset.toLocaleString('en-US')} on was ${cap}, so the lab ` +
        'counted it but did not keep its bytes: it has no packets here, and Wireshark rightly says ' +
        '"previous segment not captured". This ACK covers it, as the receiver did.';
    }
    tcp.skip(sideOf(entry.dir), entry.t, entry.offset, entry.length, comment);
  }

  /** Nothing more is sent on it; its sequence state can go (the id stays, so late entries are ignored). */
  #over(conn: LiveConnection): void {
    conn.phase = 'over';
    conn.tcp = null;
    this.#dialing.delete(conn);
  }

  #retransmitSynsBefore(t: number): void {
    for (;;) {
      let due: LiveConnection | undefined;
      for (const conn of this.#dialing) {
        if (conn.nextSynAt < t && (!due || conn.nextSynAt < due.nextSynAt)) due = conn;
      }
      if (!due?.tcp) return;
      due.tcp.syn(due.nextSynAt);
      due.synRetries += 1;
      due.nextSynAt =
        due.synRetries >= SYN_RETRIES ? Infinity : due.nextSynAt + SYN_RETRY_FIRST_MS * 2 ** due.synRetries;
    }
  }
}

/**
 * A close the lab saw end to end leaves nothing to add. When the learner closed first, the hub let go of the socket
 * once our FIN left, so the peer's FIN was never seen: the system still took it, and the packets say it is assumed.
 */
function teardown(tcp: TcpConversation, t: number): void {
  if (!tcp.finSent('client')) tcp.fin('client', t);
  if (!tcp.finSent('server')) tcp.fin('server', t, ASSUMED_FIN_COMMENT);
}

function sideOf(dir: 'in' | 'out'): Side {
  return dir === 'out' ? 'client' : 'server';
}

/** What the learner typed: `data.pr4e.org:80`, `[::1]:8080`. */
function target(conn: TranscriptConnection): string {
  const host = conn.host || conn.dialed?.address || conn.remote?.address || 'unknown host';
  const port = conn.host ? conn.port : (conn.dialed?.port ?? conn.remote?.port ?? conn.port);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function synComment(conn: TranscriptConnection, notes: readonly string[]): string {
  const answered = conn.answeredBy === undefined ? '' : `, answered by ${conn.answeredBy}`;
  const tls = conn.tls ? ['TLS: these packets carry the encrypted records as they crossed the wire'] : [];
  return [`#${conn.number} ${target(conn)}${answered}`, ...tls, ...notes].join('; ');
}

function isLoopback(address: Uint8Array): boolean {
  if (address.byteLength === 4) return address[0] === 127;
  return address.every((byte, i) => byte === (i === 15 ? 1 : 0));
}

/** Both ends of a connection as packet addresses, and notes for what had to be made up. */
function endpoints(conn: TranscriptConnection): { client: SideAddress; server: SideAddress; notes: string[] } | null {
  const remote = conn.remote ?? conn.dialed;
  const serverAddress = remote && addressBytes(remote.address);
  if (!remote || !serverAddress) return null;
  const notes: string[] = [];
  let server = unmapped(serverAddress);
  let client: Uint8Array | undefined = conn.local && addressBytes(conn.local.address);
  if (client) {
    client = unmapped(client);
  } else {
    // Never connected, so the system never said which of this computer's addresses it would use.
    const loopback = isLoopback(server);
    client = addressBytes(
      server.byteLength === 4 ? (loopback ? '127.0.0.1' : '192.0.2.1') : loopback ? '::1' : '2001:db8::1',
    );
    if (!loopback)
      notes.push(
        `this computer’s address was never learned, so ${server.byteLength === 4 ? '192.0.2.1' : '2001:db8::1'} (a documentation address) stands in for it`,
      );
  }
  if (!client) return null;
  if (client.byteLength !== server.byteLength) {
    // One end IPv4, the other IPv6: write both as IPv6, the IPv4 one as ::ffff:a.b.c.d.
    if (client.byteLength === 4) client = v4Mapped(client);
    else server = v4Mapped(server);
  }
  let clientPort = conn.local?.port;
  if (clientPort === undefined) {
    clientPort = EPHEMERAL_FIRST + (seededUint32(conn.id, 'ephemeral port') % EPHEMERAL_COUNT);
    notes.push(`the connect never got a local port, so port ${clientPort} stands in for it`);
  }
  return { client: { address: client, port: clientPort }, server: { address: server, port: remote.port }, notes };
}

function v4Mapped(v4: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(v4, 12);
  return bytes;
}

/** The section's comments: what this file is, and what happened to connections that left few or no packets. */
function sessionComments(summary: TranscriptSummary): string[] {
  const started = Number.isFinite(summary.startedAt) ? new Date(summary.startedAt).toISOString() : 'unknown';
  const comments = [
    `Socket Lab session ${summary.sessionId || '(no id)'}, started ${started}. ` +
      'These packets are synthesized from the lab’s socket events (connect, each send, each read, FIN, RST, close); ' +
      'the lab did not capture them. The data bytes are exactly what was sent and received; segment sizes, ACKs, ' +
      'windows and sequence numbers are modeled on a real TCP stack.',
  ];
  const httpPorts = new Set<number>();
  for (const conn of summary.connections) {
    const port = conn.remote?.port ?? conn.dialed?.port;
    if (conn.answeredBy?.startsWith('Lab HTTP server') && port !== undefined && port !== 80) httpPorts.add(port);
    const what = `#${conn.number} ${target(conn)}`;
    if (conn.dialed === undefined && conn.remote === undefined) {
      comments.push(
        conn.error
          ? `${what}: no packets, since no connection was tried: ${conn.error.code}: ${conn.error.message}`
          : `${what}: no packets: it was closed before its address was found.`,
      );
    } else if (conn.error) {
      comments.push(`${what}: ${conn.error.code}: ${conn.error.message}`);
    } else if (conn.closedBy === undefined) {
      comments.push(`${what}: still open when the session ended, so its packets stop at the last thing the lab saw.`);
    }
    if (conn.tls) {
      const settled = conn.tls.protocol ? ` (${conn.tls.protocol}, ${conn.tls.cipher ?? 'cipher unknown'})` : '';
      comments.push(
        `${what} spoke TLS${settled}: its packets carry the records exactly as they crossed the wire, so Wireshark ` +
          'shows the handshake in the clear and the rest as encrypted application data. The plain bytes inside ' +
          '(the HTTP) are in the .socketlab and .txt transcripts; Wireshark cannot decrypt them without the keys, ' +
          'which the lab does not keep.',
      );
    }
  }
  for (const port of httpPorts) {
    comments.push(
      `The lab HTTP server listened on port ${port}, not 80. Wireshark usually finds HTTP there by itself (its ` +
        `HTTP-over-TCP heuristic); if it shows only TCP, choose Analyze > Decode As…, TCP port ${port}, HTTP ` +
        `(tshark: -d tcp.port==${port},http).`,
    );
  }
  if (summary.journalFull) {
    comments.push(
      'The session journal reached its cap, so later data was counted but not kept; where it is missing, ' +
        'Wireshark says "previous segment not captured".',
    );
  }
  return comments;
}

/** Gathers blocks into chunks of about `size` bytes; a fresh buffer for each chunk, since a consumer may keep it. */
class ChunkWriter {
  readonly #size: number;
  #chunk: Uint8Array;
  #used = 0;
  #ready: Uint8Array[] = [];

  constructor(size: number) {
    this.#size = size;
    this.#chunk = new Uint8Array(size);
  }

  write(block: Uint8Array): void {
    if (this.#used + block.byteLength > this.#size) this.#cut();
    if (block.byteLength > this.#size) {
      this.#ready.push(block);
      return;
    }
    this.#chunk.set(block, this.#used);
    this.#used += block.byteLength;
  }

  /** Chunks that are full. */
  take(): Uint8Array[] {
    const ready = this.#ready;
    this.#ready = [];
    return ready;
  }

  /** Everything left, the last chunk cut to its length. */
  finish(): Uint8Array[] {
    this.#cut();
    return this.take();
  }

  #cut(): void {
    if (this.#used === 0) return;
    this.#ready.push(this.#chunk.subarray(0, this.#used));
    this.#chunk = new Uint8Array(this.#size);
    this.#used = 0;
  }
}
