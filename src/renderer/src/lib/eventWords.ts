/**
 * What one byte-log row says, in the learner's words. Pure functions over LabEvents; no runes, no DOM.
 */
import type { Endpoint, LabEvent, TlsRecordPiece } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';
import { tlsAlertAtStart } from '../../../shared/tlsRecords';
import type { Hole } from '../../../shared/transcript';

/** Arrow and word for the direction column. */
export function directionOf(event: LabEvent): { arrow: string; words: string } {
  if (event.type === 'data' || event.type === 'wire')
    return event.dir === 'out' ? { arrow: '→', words: 'sent' } : { arrow: '←', words: 'received' };
  if (event.type === 'error') return { arrow: '!', words: 'error' };
  return { arrow: '·', words: 'event' };
}

/** An address and port as people write them: `127.0.0.1:80`, `[::1]:80`. */
export function formatEndpoint(endpoint: Endpoint | undefined): string {
  if (!endpoint) return '?';
  return endpoint.family === 'IPv6' ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}

/** 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z): addresses that never leave this computer. */
export function isLoopback(address: string): boolean {
  const bare = address.toLowerCase().replace(/^::ffff:/, '');
  return bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Milliseconds since the connection started: `+0.4 ms`, `+12 ms`, `+1.25 s`, `+2 min 3 s`. */
export function formatElapsed(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 10) return `+${value.toFixed(1)} ms`;
  if (value < 1000) return `+${Math.round(value)} ms`;
  if (value < 60_000) return `+${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(value / 60_000);
  return `+${minutes} min ${Math.floor((value % 60_000) / 1000)} s`;
}

/** A byte count with a unit: `1 byte`, `47 bytes`, `64.0 KiB`, `1.00 MiB`. */
export function formatBytes(count: number): string {
  if (count === 1) return '1 byte';
  if (count < 1024) return `${count} bytes`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`;
  if (count < 1024 * 1024 * 1024) return `${(count / (1024 * 1024)).toFixed(2)} MiB`;
  return `${(count / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
}

const CLOSED_BY: Record<Extract<LabEvent, { type: 'closed' }>['by'], string> = {
  local: 'Closed by you (your side closed the socket)',
  peer: 'Closed by the other side',
  error: 'Closed because of the error above',
  abort: 'Aborted by you: a reset (RST) was sent, unsent bytes were thrown away',
};

/**
 * What a FIN or close row needs to know about its connection to say who sent which FIN (the session facts of
 * the guide have these fields). Without it, rows are worded as if nothing else were known.
 */
export interface FinOrder {
  localEndedIndex: number | null;
  peerEndedIndex: number | null;
  /** Our FIN came from Close (mysock.close()), not from Half-close (shutdown(SHUT_WR)). */
  finByClose: boolean;
  /** The connection's error, if it had one: a close after TLS_EXPECTED says what to do about it. */
  error?: { code: ErrorCode } | null;
}

function peerFirst(order: FinOrder | undefined): boolean {
  return (
    order?.peerEndedIndex != null && (order.localEndedIndex === null || order.peerEndedIndex < order.localEndedIndex)
  );
}

function localFirst(order: FinOrder | undefined): boolean {
  return (
    order?.localEndedIndex != null && (order.peerEndedIndex === null || order.localEndedIndex < order.peerEndedIndex)
  );
}

function localEndedWords(order: FinOrder | undefined): string {
  if (peerFirst(order)) return 'FIN sent: now both sides have sent FIN, so the conversation is over';
  if (order?.finByClose) return 'FIN sent: you closed the socket (mysock.close()), so it sends and receives no more';
  return 'FIN sent: you half-closed (shutdown(SHUT_WR)): you are done sending, and can still receive';
}

function closedWords(by: Extract<LabEvent, { type: 'closed' }>['by'], order: FinOrder | undefined): string {
  if (by === 'error' && order?.error?.code === 'TLS_EXPECTED') return TLS_EXPECTED_CLOSE;
  const both = order?.localEndedIndex != null && order.peerEndedIndex != null;
  if (by === 'peer' && both && localFirst(order))
    return 'Closed: you sent FIN first (half-close), then the other side sent its FIN';
  if (by === 'local' && both && peerFirst(order)) return 'Closed: the other side sent FIN first, then you sent yours';
  if (by === 'local' && order?.finByClose) return 'Closed by you: your FIN went out and the socket is gone';
  return CLOSED_BY[by];
}

/**
 * One line about a connection event (everything except data, whose row shows the bytes instead). `order` tells a
 * Close from a Half-close and says who sent FIN first.
 */
export function eventSummary(event: LabEvent, order?: FinOrder): string {
  switch (event.type) {
    case 'resolving':
      return `Looking up ${event.host}…`;
    case 'resolved':
      return event.addresses.length > 1
        ? `Resolved to ${event.addresses.join(', ')}; using ${event.chosen}`
        : `Resolved to ${event.chosen}`;
    case 'connecting':
      return event.answeredBy
        ? `Connecting to ${event.address}:${event.port} (${event.answeredBy})…`
        : `Connecting to ${event.address}:${event.port}…`;
    case 'connected': {
      // Not a lab server: whatever program listens there, which on a loopback address is on this very computer.
      const who = event.answeredBy
        ? `answered by ${event.answeredBy}`
        : isLoopback(event.remote.address)
          ? 'answered by the program listening there, on this computer'
          : 'answered by the real host on the internet';
      return `Connected: your side ${formatEndpoint(event.local)} ⇄ ${formatEndpoint(event.remote)}, ${who}, in ${formatElapsed(event.elapsedMs).slice(1)}`;
    }
    case 'data':
      return event.dir === 'out' ? 'Sent bytes' : 'Received bytes';
    case 'local-ended':
      return localEndedWords(order);
    case 'peer-ended':
      return "FIN received: the other side is done sending; recv() now returns b''";
    case 'closed':
      return closedWords(event.by, order);
    case 'error':
      return `${event.code}: ${event.message} ${event.hint}`;
    case 'journal-full':
      return `Journal full (${formatBytes(event.limitBytes)} for one session): later bytes are not saved. The connection goes on, and this log still shows them.`;
    case 'wire':
      return wireSummary(event.records);
    case 'tls':
      return tlsSummary(event);
  }
}

// ---- TLS ----------------------------------------------------------------------------------------------------

/** What a closed row says after a plain connection got a TLS alert first. */
export const TLS_EXPECTED_CLOSE =
  'Closed: this port expects TLS first, so the server sent a TLS alert and hung up. Switch TLS on, connect again, and send the same request: it will travel inside TLS.';

/** Node's `TLSv1.3` as people write it: `TLS 1.3`. */
export function tlsVersionWords(protocol: string): string {
  const match = /^TLSv(\d(?:\.\d)?)$/.exec(protocol);
  return match ? `TLS ${match[1] === '1' ? '1.0' : match[1]}` : protocol;
}

const CONTENT_WORDS: Record<TlsRecordPiece['contentType'], string> = {
  handshake: 'Handshake',
  'change-cipher-spec': 'Change cipher spec',
  'application-data': 'Application data',
  alert: 'Alert',
  heartbeat: 'Heartbeat',
  'not-tls': 'Not TLS',
};

/** What kind of record this is, with the handshake message or alert inside when it can be read. */
function recordName(piece: TlsRecordPiece): string {
  const kind = CONTENT_WORDS[piece.contentType];
  if (piece.contentType === 'not-tls') return 'Not TLS: these bytes cannot start a TLS record';
  if (piece.contentType === 'handshake') {
    if (piece.handshake) return `${kind} ${piece.handshake.join(' + ')}`;
    return piece.encrypted ? `${kind}, encrypted` : kind;
  }
  if (piece.contentType === 'alert') {
    if (piece.alert) return `${kind}: ${piece.alert.level} ${piece.alert.description}`;
    return piece.encrypted ? `${kind}, encrypted` : kind;
  }
  if (piece.contentType === 'application-data') return `${kind}, encrypted`;
  return kind;
}

/**
 * One record, or the piece of it in this read, in words: `Handshake ClientHello (TLS 1.0 record, 512 bytes)`; a
 * record cut between reads says which part this is.
 */
export function recordWords(piece: TlsRecordPiece): string {
  const name = recordName(piece);
  if (piece.contentType === 'not-tls') return name;
  const facts: string[] = [];
  if (piece.version) facts.push(`${piece.version} record`);
  if (piece.payloadLength !== null) facts.push(formatBytes(piece.payloadLength));
  if (piece.at > 0) facts.push(`rest of a record begun in an earlier read: ${formatBytes(piece.length)} here`);
  if (!piece.complete) facts.push('continues in the next read');
  return facts.length > 0 ? `${name} (${facts.join(', ')})` : name;
}

/** A wire row: every record that starts or goes on in this read. */
export function wireSummary(records: readonly TlsRecordPiece[]): string {
  if (records.length === 0) return 'TLS bytes';
  return records.map(recordWords).join(' · ');
}

/** The `tls` row: what the handshake agreed, and whether the certificate is trusted (and why not). */
export function tlsSummary(session: Extract<LabEvent, { type: 'tls' }>): string {
  const alpn = session.alpn ? `, speaking ${session.alpn} inside` : '';
  const why = session.trust.why.replace(/^(Not trusted|Trusted)/, (word) => word.toLowerCase());
  return `${tlsVersionWords(session.protocol)} agreed in ${formatElapsed(session.handshakeMs).slice(1)}, cipher ${session.cipher}${alpn}; certificate ${why}`;
}

/**
 * Words for bytes that arrived on a plain (not TLS) connection and are a TLS alert: the other side expects TLS
 * first. Null for anything else.
 */
export function plainArrivalNote(event: LabEvent, connectionUsesTls: boolean): string | null {
  if (connectionUsesTls || event.type !== 'data' || event.dir !== 'in' || event.offset !== 0) return null;
  const alert = tlsAlertAtStart(event.bytes);
  if (!alert) return null;
  return `A TLS alert (${alert.level} ${alert.description}), not HTTP: this port expects TLS first. Switch TLS on and connect again.`;
}

/** Where a view cannot show bytes: let go to keep memory bounded (the saved session has them), or never had
 *  (a damaged record, or past a full journal). */
export function missingWords(read: { lost: boolean; unsaved: boolean; holeBytes?: number }): string {
  // A replay's hole is one line of the text view, however long: it says how many bytes it stands for.
  const bytes = read.holeBytes
    ? `${read.holeBytes.toLocaleString('en-US')} ${read.holeBytes === 1 ? 'byte' : 'bytes'}`
    : 'bytes';
  if (read.unsaved) return `(${bytes} not saved here: the journal was full, so the saved session never had them)`;
  return read.lost
    ? `(${bytes} lost here: the saved session’s record of them was damaged, so no copy of them is left)`
    : `(${bytes} not kept here; they are in the saved session)`;
}

/** A log row's words where its bytes are not here: let go to keep memory bounded, or (a replay) never saved or lost. */
export function rowMissingWords(hole: Hole | null): string {
  if (hole === 'not-saved') return 'bytes not saved (the journal was full, so the saved session never had them)';
  if (hole === 'lost') return 'bytes lost (the saved session’s record of them was damaged)';
  return 'bytes not kept here (they are in the saved session)';
}

/** A replay's row where the saved session's journal reached its cap (live, the log still showed later bytes). */
export function journalFullReplayWords(limitBytes: number): string {
  return `Journal full (${formatBytes(limitBytes)} for one session): later bytes were not saved. The rows after this one say where bytes are missing.`;
}

/** The first row of a view once older bytes were let go to keep memory bounded. */
export const OLDER_WORDS = 'Older bytes are not shown here; they are in the saved session.';

/** The same, once the saved session reached its own cap (`limitBytes`) and holds only the session's first bytes. */
export function olderWords(journalLimit: number | null): string {
  return journalLimit === null
    ? OLDER_WORDS
    : `Older bytes are not shown here; the saved session has the session’s first ${formatBytes(journalLimit)}.`;
}
