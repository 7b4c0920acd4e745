/**
 * What one byte-log row says, in the learner's words. Pure functions over LabEvents; no runes, no DOM.
 */
import type { Endpoint, LabEvent } from '../../../../shared/contract';

/** Arrow and word for the direction column. */
export function directionOf(event: LabEvent): { arrow: string; words: string } {
  if (event.type === 'data')
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
    // Until the TLS rows of issue 14 are drawn: one plain line each, so the log stays readable.
    case 'wire':
      return `${event.dir === 'out' ? 'TLS records sent' : 'TLS records received'}: ${event.records
        .map((record) => record.handshake?.join(', ') ?? record.contentType)
        .join('; ')}`;
    case 'tls':
      return `TLS is set up: ${event.protocol}, ${event.cipher}. ${event.trust.why}`;
  }
}

/** The first row of a view once older bytes were let go to keep memory bounded. */
export const OLDER_WORDS = 'Older bytes are not shown here; they are in the saved session.';

/** The same, once the saved session reached its own cap (`limitBytes`) and holds only the session's first bytes. */
export function olderWords(journalLimit: number | null): string {
  return journalLimit === null
    ? OLDER_WORDS
    : `Older bytes are not shown here; the saved session has the session’s first ${formatBytes(journalLimit)}.`;
}
