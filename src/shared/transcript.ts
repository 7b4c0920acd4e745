/**
 * A lab session as it is kept: the entries the journal writes as they happen, and what every exporter and the
 * replay read back. Types and pure helpers only; both sides use them (main writes and exports, the renderer
 * replays).
 */
import type { ConnectionId, Endpoint, LabEvent, LabProgress, Route, SlowMode, Transport } from './contract';
import type { ErrorCode } from './errors';

export type SessionId = string;

/** How a session ended, as far as the lab knows. */
export type SessionEnding =
  /** Still running (in this process, or another one that holds its lock). */
  | 'live'
  /** The window or tab closed, reloaded, or the app quit: the journal was closed properly. */
  | 'clean'
  /** The process died (crash, kill, power cut): read back from the journal at the next start. */
  | 'recovered'
  /** Opened from a transcript file. */
  | 'imported';

/**
 * One entry of a session, in the order it happened. `t` is milliseconds since the session started
 * (monotonic, fractional), the same clock as LabEvent.t; `start.startedAt` puts t = 0 on the wall clock.
 */
export type SessionEntry =
  | {
      kind: 'start';
      t: 0;
      sessionId: SessionId;
      /** Wall clock (ms since 1970, UTC) at t = 0. */
      startedAt: number;
      appVersion: string;
      transport: Transport;
      platform: string;
    }
  | { kind: 'event'; t: number; event: LabEvent }
  /**
   * Data that happened after the journal reached its cap: where it was and how long, but not its bytes. `wire` marks
   * a TLS connection's wire bytes (offsets in the TCP stream) rather than its plain bytes (offsets inside TLS).
   * `damaged`: the journal did save these bytes, but their record was damaged on disk and could not be read (the
   * recovery marks the hole they left).
   */
  | {
      kind: 'unsaved';
      t: number;
      id: ConnectionId;
      dir: 'in' | 'out';
      offset: number;
      length: number;
      wire?: true;
      damaged?: true;
    }
  /** Written once, when the session's journal reached its cap; later data is `unsaved`. */
  | { kind: 'journal-full'; t: number; limitBytes: number }
  | { kind: 'slow-mode'; t: number; slow: SlowMode | null }
  | { kind: 'progress'; t: number; progress: LabProgress }
  /** The journal was closed properly. Absent in a journal whose process died. */
  | { kind: 'end'; t: number };

export type SessionEntryKind = SessionEntry['kind'];

/**
 * Why a saved session has no bytes for a stretch it counted (an `unsaved` entry): past the journal's cap they were
 * never saved ('not-saved'); or the journal saved them and recovery found their record damaged ('lost').
 */
export type Hole = 'not-saved' | 'lost';

/**
 * Follows each stream of a session's entries (data and TLS wire bytes, each way, each connection) and finds the holes
 * a damaged record left: a record the journal reader set aside leaves the next event's offset past where the stream
 * had got to. For that stretch it gives an `unsaved` entry that says `damaged` (the journal saved those bytes, so
 * "not saved, the journal was full" would be the wrong reason). Exports put it in their entries (markingGaps), and
 * the renderer's replay gives it a row, from the same finder.
 */
export class GapFinder {
  readonly #ends = new Map<string, number>();

  /** Call with every entry in order: the `unsaved` entry for the hole just before `entry`, or null when none. */
  holeBefore(entry: SessionEntry): SessionEntry | null {
    const data =
      entry.kind === 'event' && (entry.event.type === 'data' || entry.event.type === 'wire')
        ? {
            id: entry.event.id,
            dir: entry.event.dir,
            offset: entry.event.offset,
            length: entry.event.bytes.byteLength,
            wire: entry.event.type === 'wire',
          }
        : entry.kind === 'unsaved'
          ? { id: entry.id, dir: entry.dir, offset: entry.offset, length: entry.length, wire: entry.wire === true }
          : null;
    if (!data) return null;
    // A TLS connection has two streams each way: the plain bytes, and the records on the wire.
    const key = `${data.wire ? 'wire' : 'data'}\u0000${data.dir}\u0000${data.id}`;
    const expected = this.#ends.get(key) ?? 0;
    this.#ends.set(key, Math.max(expected, data.offset + data.length));
    if (data.offset <= expected) return null;
    const hole: SessionEntry = {
      kind: 'unsaved',
      t: entry.t,
      id: data.id,
      dir: data.dir,
      offset: expected,
      length: data.offset - expected,
      damaged: true,
    };
    if (data.wire) hole.wire = true;
    return hole;
  }
}

/** One connection of a session, gathered from its entries. */
export interface TranscriptConnection {
  id: ConnectionId;
  /** 1, 2, 3 … in the order they were opened. */
  number: number;
  /** As the learner typed them. */
  host: string;
  port: number;
  route: Route;
  /** The lab server that answered, in the learner's words, when one did. */
  answeredBy?: string;
  /** The address and port dialled (after routing and DNS). */
  dialed?: { address: string; port: number };
  local?: Endpoint;
  remote?: Endpoint;
  /** Session times of the first and last entry of this connection. */
  firstT: number;
  lastT: number;
  /** Connect time, from the `connected` event. */
  connectMs?: number;
  bytesOut: number;
  bytesIn: number;
  /** Bytes counted and not kept: past the journal's cap, or lost where recovery found a record damaged. */
  unsavedBytes: number;
  /** Of unsavedBytes, those the journal saved but recovery found damaged on disk (the rest: the journal was full). */
  lostBytes: number;
  localEnded: boolean;
  peerEnded: boolean;
  closedBy?: 'local' | 'peer' | 'error' | 'abort';
  error?: { code: ErrorCode; message: string };
  /** TLS connections only (the learner asked for TLS, or wire events say so); bytesIn/bytesOut are then the plain bytes. */
  tls?: TranscriptTls;
}

/** A TLS connection's second layer, from its `wire` and `tls` events. */
export interface TranscriptTls {
  /** Bytes that crossed the TCP socket, records and all. */
  wireBytesIn: number;
  wireBytesOut: number;
  /** Wire bytes counted and not kept (past the journal's cap, or in a damaged record). */
  unsavedWireBytes: number;
  /** Of unsavedWireBytes, those lost in a damaged record. */
  lostWireBytes: number;
  /** From the `tls` event, once the handshake finished. */
  protocol?: string;
  cipher?: string;
  certificateSha256?: string;
  trusted?: boolean;
}

/** What a session holds, from one pass over its entries. */
export interface TranscriptSummary {
  sessionId: SessionId;
  startedAt: number;
  /** Wall clock of the last entry. */
  lastAt: number;
  appVersion: string;
  transport: Transport;
  platform: string;
  connections: TranscriptConnection[];
  /** Data bytes kept, both directions, every connection (on a TLS connection, the plain bytes). */
  bytes: number;
  /** Wire bytes of TLS connections kept, both directions (0 when there were none). */
  wireBytes: number;
  entries: number;
  /** The last progress entry, if any. */
  progress: LabProgress | null;
  journalFull: boolean;
  /** True when the entries end with `end`. */
  endedCleanly: boolean;
}

/** A session in the sessions list. */
export interface SessionListing {
  id: SessionId;
  startedAt: number;
  lastAt: number;
  ending: SessionEnding;
  /** `host:port` as typed, each once, in first-use order. */
  targets: string[];
  connections: number;
  bytes: number;
  /** Size of its journal on disk. */
  fileBytes: number;
  /** Journal records that were damaged and set aside while reading it back (0 for a clean one). */
  corruptRecords: number;
  /** The transcript's file name, for an imported session. */
  importedFrom?: string;
}

/** Save-as formats. */
export const EXPORT_FORMATS = ['socketlab', 'txt', 'pcapng', 'py'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  socketlab: '.socketlab',
  txt: '.txt',
  pcapng: '.pcapng',
  py: '.py',
};

export const EXPORT_MIME_TYPES: Record<ExportFormat, string> = {
  socketlab: 'application/vnd.socketlab+json',
  txt: 'text/plain; charset=utf-8',
  pcapng: 'application/vnd.tcpdump.pcap',
  py: 'text/x-python; charset=utf-8',
};

/** The `.socketlab` file format: its name and the newest version this build reads and writes. */
export const SOCKETLAB_FORMAT = 'socketlab';
export const SOCKETLAB_VERSION = 1;

/** A connection before any of its events is read: numbered, at `t`, with nothing sent, received or ended yet. */
export function emptyConnection(id: ConnectionId, number: number, t: number): TranscriptConnection {
  return {
    id,
    number,
    host: '',
    port: 0,
    route: 'lab',
    firstT: t,
    lastT: t,
    bytesOut: 0,
    bytesIn: 0,
    unsavedBytes: 0,
    lostBytes: 0,
    localEnded: false,
    peerEnded: false,
  };
}

/** Gathers a session's connections and totals from its entries, in one pass. */
export class SummaryBuilder {
  #summary: TranscriptSummary = {
    sessionId: '',
    startedAt: 0,
    lastAt: 0,
    appVersion: '',
    transport: 'web',
    platform: '',
    connections: [],
    bytes: 0,
    wireBytes: 0,
    entries: 0,
    progress: null,
    journalFull: false,
    endedCleanly: false,
  };
  readonly #byId = new Map<ConnectionId, TranscriptConnection>();

  add(entry: SessionEntry): void {
    const summary = this.#summary;
    summary.entries += 1;
    summary.lastAt = summary.startedAt + entry.t;
    summary.endedCleanly = entry.kind === 'end';
    switch (entry.kind) {
      case 'start':
        summary.sessionId = entry.sessionId;
        summary.startedAt = entry.startedAt;
        summary.lastAt = entry.startedAt;
        summary.appVersion = entry.appVersion;
        summary.transport = entry.transport;
        summary.platform = entry.platform;
        break;
      case 'event':
        this.#event(entry.event);
        break;
      case 'unsaved': {
        const conn = this.#connection(entry.id, entry.t);
        const lost = entry.damaged === true ? entry.length : 0;
        if (entry.wire) {
          const tls = tlsOf(conn);
          tls.unsavedWireBytes += entry.length;
          tls.lostWireBytes += lost;
        } else {
          conn.unsavedBytes += entry.length;
          conn.lostBytes += lost;
        }
        break;
      }
      case 'journal-full':
        summary.journalFull = true;
        break;
      case 'progress':
        summary.progress = entry.progress;
        break;
      case 'slow-mode':
      case 'end':
        break;
    }
  }

  get summary(): TranscriptSummary {
    return this.#summary;
  }

  #connection(id: ConnectionId, t: number): TranscriptConnection {
    let conn = this.#byId.get(id);
    if (!conn) {
      conn = emptyConnection(id, this.#summary.connections.length + 1, t);
      this.#byId.set(id, conn);
      this.#summary.connections.push(conn);
    }
    conn.lastT = Math.max(conn.lastT, t);
    return conn;
  }

  #event(event: LabEvent): void {
    const conn = this.#connection(event.id, event.t);
    switch (event.type) {
      case 'resolving':
        conn.host = event.host;
        conn.port = event.port;
        conn.route = event.route;
        if (event.tls) tlsOf(conn);
        break;
      case 'connecting':
        conn.dialed = { address: event.address, port: event.port };
        conn.route = event.route;
        if (event.answeredBy !== undefined) conn.answeredBy = event.answeredBy;
        break;
      case 'connected':
        conn.local = event.local;
        conn.remote = event.remote;
        conn.connectMs = event.elapsedMs;
        if (event.answeredBy !== undefined) conn.answeredBy = event.answeredBy;
        break;
      case 'data':
        if (event.dir === 'out') conn.bytesOut += event.bytes.byteLength;
        else conn.bytesIn += event.bytes.byteLength;
        this.#summary.bytes += event.bytes.byteLength;
        break;
      case 'local-ended':
        conn.localEnded = true;
        break;
      case 'peer-ended':
        conn.peerEnded = true;
        break;
      case 'closed':
        conn.closedBy = event.by;
        break;
      case 'error':
        conn.error = { code: event.code, message: event.message };
        break;
      case 'wire': {
        const tls = tlsOf(conn);
        if (event.dir === 'out') tls.wireBytesOut += event.bytes.byteLength;
        else tls.wireBytesIn += event.bytes.byteLength;
        this.#summary.wireBytes += event.bytes.byteLength;
        break;
      }
      case 'tls': {
        const tls = tlsOf(conn);
        tls.protocol = event.protocol;
        tls.cipher = event.cipher;
        tls.trusted = event.trust.trusted;
        if (event.certificate) tls.certificateSha256 = event.certificate.sha256;
        break;
      }
      case 'resolved':
        break;
    }
  }
}

function tlsOf(conn: TranscriptConnection): TranscriptTls {
  conn.tls ??= { wireBytesIn: 0, wireBytesOut: 0, unsavedWireBytes: 0, lostWireBytes: 0 };
  return conn.tls;
}

/** The summary of a list of entries (tests, and small sessions already in memory). */
export function summarize(entries: Iterable<SessionEntry>): TranscriptSummary {
  const builder = new SummaryBuilder();
  for (const entry of entries) builder.add(entry);
  return builder.summary;
}

/** `host:port` targets as typed, each once, in first-use order. */
export function summaryTargets(summary: TranscriptSummary): string[] {
  return [...new Set(summary.connections.map((conn) => `${conn.host}:${conn.port}`))];
}
