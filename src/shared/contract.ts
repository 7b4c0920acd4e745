/**
 * The one contract between the renderer and main (`LabApi`), carried by two transports:
 * the Electron preload bridge and the web host's WebSocket. Types and constants only.
 */
import type { ErrorCode, LabError, Result } from './errors';
import type { TlsRecordPiece } from './tlsRecords';
import type { ExportFormat, SessionEntry, SessionId, SessionListing } from './transcript';

export type { TlsRecordPiece } from './tlsRecords';

export type ConnectionId = string;

/** `lab` sends hosts the lab mirrors (data.pr4e.org:80, ...) to the built-in servers; `internet` uses real DNS. */
export type Route = 'lab' | 'internet';

export type Transport = 'electron' | 'web';

export interface HelloInfo {
  appName: string;
  version: string;
  /** `process.platform` of the machine that owns the sockets. */
  platform: string;
  transport: Transport;
  /** Versions of the runtime that owns the sockets (node, and electron/chrome when present). */
  runtime: Record<string, string>;
  /** This window's or tab's session, as kept on disk; null when it cannot be kept (see `journalProblem`). */
  sessionId: SessionId | null;
  /** Why this session is not being saved (the data folder cannot be written), in plain words. */
  journalProblem?: LabError;
}

export interface Endpoint {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

export interface ConnectRequest {
  host: string;
  port: number;
  /** Default `lab`. */
  route?: Route;
  /** Default LIMITS.connectTimeoutMs; with TLS it also bounds the TLS handshake, counted from the TCP connect. */
  timeoutMs?: number;
  /**
   * Speak TLS on this connection (default false; the renderer turns it on for port 443): main runs the handshake
   * over its own TCP socket, so `wire` events show the records as they cross the wire and `data` events the plain
   * bytes inside.
   */
  tls?: boolean;
}

export interface Connected {
  id: ConnectionId;
}

export type ConnectionState = 'resolving' | 'connecting' | 'open' | 'half-closed' | 'closed';

export interface ConnectionSummary {
  id: ConnectionId;
  host: string;
  port: number;
  route: Route;
  state: ConnectionState;
  /** Lab server that answers, when the route sent it to one ("Lab HTTP server (data.pr4e.org)"). */
  answeredBy?: string;
  local?: Endpoint;
  remote?: Endpoint;
  bytesOut: number;
  bytesIn: number;
  /** We sent FIN (half-close). */
  localEnded: boolean;
  /** The peer sent FIN. */
  peerEnded: boolean;
  /** TLS connections only; `bytesIn`/`bytesOut` then count the plain bytes inside TLS. */
  tls?: ConnectionTlsSummary;
}

export interface ConnectionTlsSummary {
  /** `handshaking` until the `tls` event; sends wait for `secure`. */
  state: 'handshaking' | 'secure';
  /** Bytes that crossed the TCP socket, records and all. */
  wireBytesIn: number;
  wireBytesOut: number;
  /** Once secure: `TLSv1.3`, and the cipher's standard name. */
  protocol?: string;
  cipher?: string;
}

/** The other side's certificate, as a learner reads it on the connection card. */
export interface TlsCertificateInfo {
  /** One line, most specific last as OpenSSL prints it: `CN=data.pr4e.org, O=Socket Lab`. */
  subject: string;
  issuer: string;
  /** ISO 8601 (UTC) when the system's text could be read, else that text (`Dec  1 08:00:00 2026 GMT`). */
  validFrom: string;
  validTo: string;
  /** Uppercase hex pairs joined by colons, as `openssl x509 -noout -fingerprint -sha256` prints after `=`. */
  sha256: string;
  /** `DNS:data.pr4e.org`, `IP Address:127.0.0.1`, ... as the certificate's subjectAltName lists them. */
  altNames: string[];
  serialNumber: string;
  /** Subject and issuer are the same: nobody else signed it. */
  selfSigned: boolean;
  /** `EC P-256`, `RSA 2048 bits`, when Node says. */
  publicKey?: string;
}

/** Whether the certificate is trusted, and in plain words why (not). Main never refuses an untrusted one: it says so. */
export interface TlsTrust {
  trusted: boolean;
  /** True when it is the certificate Socket Lab made for its own TLS server. */
  labCertificate: boolean;
  /** Node's verify code when not trusted (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...). */
  code?: string;
  /** A sentence for the learner. */
  why: string;
}

/** What the handshake settled, in the `tls` event. */
export interface TlsSessionInfo {
  /** As Node names it: `TLSv1.3`, `TLSv1.2`. */
  protocol: string;
  /** The cipher suite's standard (IANA) name, `TLS_AES_256_GCM_SHA384`; `cipherOpenSsl` is OpenSSL's name for it. */
  cipher: string;
  cipherOpenSsl: string;
  /** The application protocol agreed by ALPN (`http/1.1`), or null when the server chose none. */
  alpn: string | null;
  /** The name sent in the ClientHello (SNI); null for an IP address, which SNI cannot carry. */
  serverName: string | null;
  /** Null when the server sent none (it always does, short of an anonymous cipher). */
  certificate: TlsCertificateInfo | null;
  trust: TlsTrust;
  /** From the TCP connect to the end of the handshake. */
  handshakeMs: number;
}

export interface SendReceipt {
  /** Stream offset of the first byte of this send. */
  offset: number;
  length: number;
}

/** The lab HTTP server's slow mode: replies trickle out so recv() chunks and flow control show. */
export interface SlowMode {
  bytesPerSecond: number;
  /** Bytes per write. */
  writeSize: number;
}

export type LabServerKind = 'http' | 'https' | 'echo' | 'smtp' | 'pop';

/** The certificate the lab TLS server shows (made on this computer for the lab, kept in the data folder). */
export interface LabCertificateSummary {
  /** As `openssl x509 -noout -fingerprint -sha256` prints it after `=`. */
  sha256: string;
  subject: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  altNames: string[];
}

export interface LabServerInfo {
  kind: LabServerKind;
  /** A name in the learner's words: "Lab HTTP server (stands in for data.pr4e.org)". */
  name: string;
  host: string;
  port: number;
  /** The internet hosts and ports this server stands in for, e.g. `data.pr4e.org:80`. */
  mirrors: string[];
  /** The HTTP server only: its slow mode now (null at full speed; it applies to HTTPS answers too). */
  slowMode?: SlowMode | null;
  /** The HTTPS server only: the certificate it shows. */
  certificate?: LabCertificateSummary;
}

/** Guided-lab progress, stored by main so it survives a restart. */
export interface LabProgress {
  /** Step ids the learner has passed. */
  completed: string[];
  /** The step on screen. */
  current: string | null;
  /** Predictions the learner typed ("Content-Length: 167"), by step id. */
  predictions: Record<string, string>;
  /** The learner's name, if they gave one (optional; progress saved before it existed has none). */
  learnerName?: string;
}

/** What getProgress answers: the progress, and anything the learner should be told about the file it came from. */
export interface SavedProgress extends LabProgress {
  /** The saved progress was damaged and set aside: where it went, and that progress starts fresh. */
  notice?: LabError;
}

/** One page of a kept session, for the read-only replay. */
export interface SessionPage {
  entries: SessionEntry[];
  /** Where the next page starts; null once every entry has been sent. */
  next: number | null;
}

/** What Save as did. Electron saves through its own dialog; the web host hands back a download link. */
export type SaveOutcome =
  { kind: 'saved'; fileName: string } | { kind: 'download'; url: string; fileName: string } | { kind: 'cancelled' };

/** What Open did (Electron's dialog; the browser uploads the file instead). */
export type OpenOutcome = { kind: 'opened'; session: SessionListing } | { kind: 'cancelled' };

// ---------------------------------------------------------------------------------------------
// Events (main -> renderer), delivered in batches with credit-based flow control.

interface EventBase {
  id: ConnectionId;
  /** Milliseconds since the session started (monotonic). */
  t: number;
}

export type LabEvent =
  /** The first event of every connection: what the learner asked for (`tls` only when it was asked for). */
  | (EventBase & { type: 'resolving'; host: string; port: number; route: Route; tls?: true })
  | (EventBase & { type: 'resolved'; addresses: string[]; chosen: string })
  | (EventBase & { type: 'connecting'; address: string; port: number; route: Route; answeredBy?: string })
  | (EventBase & {
      type: 'connected';
      local: Endpoint;
      remote: Endpoint;
      route: Route;
      /** Which lab server answered, when the route sent it to one. */
      answeredBy?: string;
      elapsedMs: number;
    })
  /** The application's bytes: on a TLS connection, the plain bytes inside TLS, at offsets in that plain stream. */
  | (EventBase & { type: 'data'; dir: 'in' | 'out'; offset: number; bytes: Uint8Array })
  /**
   * TLS connections only: bytes as they crossed the TCP socket (every read and write), at offsets in the TCP stream,
   * and the TLS records that start or continue in them (`records[i].start`/`length` index into `bytes`).
   */
  | (EventBase & { type: 'wire'; dir: 'in' | 'out'; offset: number; bytes: Uint8Array; records: TlsRecordPiece[] })
  /** TLS connections only: the handshake finished; what it settled and whether the certificate is trusted. */
  | (EventBase & { type: 'tls' } & TlsSessionInfo)
  | (EventBase & { type: 'peer-ended' })
  | (EventBase & { type: 'local-ended' })
  | (EventBase & { type: 'closed'; by: 'local' | 'peer' | 'error' | 'abort' })
  | (EventBase & { type: 'error'; code: ErrorCode; message: string; hint: string; detail?: string })
  /** The session's journal reached its cap while this connection's bytes arrived: later bytes are not saved. */
  | (EventBase & { type: 'journal-full'; limitBytes: number });

export type LabEventType = LabEvent['type'];

/** Bytes that moved on a connection, as main sees and journals them: the bytes themselves. */
export type DataEvent = Extract<LabEvent, { type: 'data' }>;

/**
 * What the renderer is told of its own send: where the bytes went in the stream and how many, not the bytes
 * again (it sent them, and `send` answered with the same offset). The journal in main keeps the bytes.
 */
export type SentEvent = EventBase & { type: 'data'; dir: 'out'; offset: number; length: number };

/** Bytes that arrived, as delivered: the bytes themselves. */
export type ReceivedEvent = EventBase & { type: 'data'; dir: 'in'; offset: number; bytes: Uint8Array };

/** An event as delivered to the renderer: every LabEvent as it is, except a send, which comes as a SentEvent. */
export type DeliveredEvent = Exclude<LabEvent, { type: 'data' }> | ReceivedEvent | SentEvent;

export interface EventBatch {
  /** Increases by one per batch; acknowledge it with `ackEvents(seq)` once the batch is handled. */
  seq: number;
  events: DeliveredEvent[];
  /**
   * On the first batch after the session's journal stopped mid-session (the disk filled up or went read-only):
   * why nothing more of this session is being saved, as hello's `journalProblem` says it. Sent once.
   */
  journalProblem?: LabError;
}

export type Unsubscribe = () => void;

// ---------------------------------------------------------------------------------------------
// Commands (renderer -> main). Each returns Result<T>: errors are data, never thrown.

export interface LabCommands {
  hello(): Promise<Result<HelloInfo>>;
  connect(request: ConnectRequest): Promise<Result<Connected>>;
  send(id: ConnectionId, bytes: Uint8Array): Promise<Result<SendReceipt>>;
  /** Half-close: send FIN, like Python's `sock.shutdown(socket.SHUT_WR)`; receiving goes on. */
  end(id: ConnectionId): Promise<Result<null>>;
  close(id: ConnectionId): Promise<Result<null>>;
  /** Close at once with a TCP reset (RST). */
  abort(id: ConnectionId): Promise<Result<null>>;
  listConnections(): Promise<Result<ConnectionSummary[]>>;
  /** Credit: every event up to and including batch `seq` has been handled. */
  ackEvents(seq: number): Promise<Result<null>>;
  labServers(): Promise<Result<LabServerInfo[]>>;
  /** Slow the lab HTTP server down (or back to full speed with null), for every connection after this. */
  setSlowMode(slow: SlowMode | null): Promise<Result<null>>;
  getProgress(): Promise<Result<SavedProgress>>;
  saveProgress(progress: LabProgress): Promise<Result<null>>;
  /** Sessions kept on disk, newest first, this one included. */
  listSessions(): Promise<Result<SessionListing[]>>;
  /** Sessions that ended unexpectedly (the lab was killed or crashed) and were neither opened nor put away. */
  recoverableSessions(): Promise<Result<SessionListing[]>>;
  /** Stop offering a recovered session; it stays in the list. */
  putAwaySession(id: SessionId): Promise<Result<null>>;
  deleteSession(id: SessionId): Promise<Result<null>>;
  /** A page of a kept session's entries, from `cursor` (0 for the start), for the read-only replay. */
  readSession(id: SessionId, cursor: number): Promise<Result<SessionPage>>;
  /** Save as: the desktop app asks where with its own dialog; the web host answers with a download link. */
  saveSession(id: SessionId, format: ExportFormat): Promise<Result<SaveOutcome>>;
  /** The desktop app's Open dialog (the browser uploads the picked file to the web host instead). */
  openSessionFile(): Promise<Result<OpenOutcome>>;
  /** A transcript file handed over in pieces (a file dropped on the desktop app): begin, chunks, finish. */
  beginImport(fileName: string, size: number): Promise<Result<{ importId: string }>>;
  importChunk(importId: string, bytes: Uint8Array): Promise<Result<null>>;
  finishImport(importId: string): Promise<Result<SessionListing>>;
}

export type CommandName = keyof LabCommands;

/** What the renderer sees: the commands plus one event subscription. */
export interface LabApi extends LabCommands {
  onEvents(listener: (batch: EventBatch) => void): Unsubscribe;
}

/** Channel names, `domain:verb`, defined once; no string channel names anywhere else. */
export const COMMAND_CHANNELS = {
  hello: 'lab:hello',
  connect: 'socket:connect',
  send: 'socket:send',
  end: 'socket:end',
  close: 'socket:close',
  abort: 'socket:abort',
  listConnections: 'socket:list',
  ackEvents: 'events:ack',
  labServers: 'labServers:list',
  setSlowMode: 'labServers:setSlowMode',
  getProgress: 'progress:get',
  saveProgress: 'progress:save',
  listSessions: 'sessions:list',
  recoverableSessions: 'sessions:recoverable',
  putAwaySession: 'sessions:putAway',
  deleteSession: 'sessions:delete',
  readSession: 'sessions:read',
  saveSession: 'sessions:save',
  openSessionFile: 'sessions:openFile',
  beginImport: 'sessions:beginImport',
  importChunk: 'sessions:importChunk',
  finishImport: 'sessions:finishImport',
} as const satisfies Record<CommandName, `${string}:${string}`>;

/** The one main -> renderer channel. */
export const EVENTS_CHANNEL = 'events:batch';

export type CommandChannel = (typeof COMMAND_CHANNELS)[CommandName];

export const COMMAND_NAMES = Object.keys(COMMAND_CHANNELS) as CommandName[];

export function commandForChannel(channel: string): CommandName | undefined {
  return COMMAND_NAMES.find((name) => COMMAND_CHANNELS[name] === channel);
}

export type CommandArgs<K extends CommandName> = Parameters<LabCommands[K]>;
export type CommandValue<K extends CommandName> =
  Awaited<ReturnType<LabCommands[K]>> extends Result<infer T> ? T : never;
