/**
 * The `.txt` transcript: a session as a teacher reads it in any editor, like a terminal session. A header (when,
 * how many connections, to which hosts), then everything in order: connection events in words, and the bytes
 * with `>>> ` (sent) and `<<< ` (received) at line starts, CR and LF made visible, other control bytes as `\xHH`,
 * UTF-8 text as text, and binary data (an image) as a short hex preview with its length. A TLS connection shows both
 * layers: its records on the wire as `TLS> ` and `TLS< ` lines, one per record (textTls.ts), what the handshake
 * settled as a block, and then the plain bytes inside TLS as `>>> ` and `<<< ` lines. Streamed.
 */
import type { ConnectionId, Endpoint, LabEvent, LabProgress, SlowMode } from '../../../shared/contract';
import { HEX_LINE_BYTES, hexDumpLine } from '../../../shared/hexdump';
import type { SessionEnding, SessionEntry, TranscriptSummary } from '../../../shared/transcript';
import { PieceWriter } from './pieces';
import type { Exporter, TranscriptSource } from './source';
import { tlsBlockLines, WIRE_RECEIVED_MARKER, WIRE_SENT_MARKER, wireLines } from './textTls';
import {
  bytesInWords,
  count,
  isUnsafeCharacter,
  secondsAfter,
  sizeInWords,
  visible,
  wallClock,
  WORDS_WIDTH,
  wrapWords,
} from './wording';

export interface TextExportOptions {
  /** Characters of bytes per line before it wraps (the marker and escapes aside); default 76. */
  width?: number;
}

export const SENT_MARKER = '>>> ';
export const RECEIVED_MARKER = '<<< ';
export const CONTINUED_MARKER = '... ';
/** Lines about the whole session, not one connection. */
export const SESSION_MARKER = '--';

/** Binary data longer than this is previewed in hex rather than written out. */
const BINARY_SHOWN_WHOLE = 64;
const utf8 = new TextDecoder();
const HEX_PREVIEW_BYTES = 2 * HEX_LINE_BYTES;

export function textExporter(options: TextExportOptions = {}): Exporter {
  const width = Math.max(20, options.width ?? 76);
  return (source) => writeText(source, width);
}

export const exportText: Exporter = textExporter();

interface ConnectionNotes {
  number: number;
  startT: number;
  /** A TLS connection: its data is the plain bytes inside TLS. */
  tls: boolean;
  /** It settled on TLS 1.3 (the summary knows from its tls event), and that event has not come yet. */
  tls13Handshake: boolean;
  /** Unsaved data not yet written, so a run of it is one line (plain and wire bytes are separate runs). */
  unsaved: {
    dir: 'in' | 'out';
    wire: boolean;
    /** Saved, then damaged on disk (a hole the recovery marked), not left out by a full journal. */
    damaged: boolean;
    bytes: number;
    pieces: number;
    fromT: number;
    toT: number;
  } | null;
}

/** Each connection's notes, by id: numbered in the order they first appear. */
class Notes extends Map<ConnectionId, ConnectionNotes> {
  readonly #protocols = new Map<ConnectionId, string | undefined>();

  constructor(summary: TranscriptSummary) {
    super();
    for (const conn of summary.connections) if (conn.tls) this.#protocols.set(conn.id, conn.tls.protocol);
  }

  /** This connection's notes, made when it first appears. */
  of(id: ConnectionId, t: number): ConnectionNotes {
    let notes = this.get(id);
    if (!notes) {
      const tls = this.#protocols.has(id);
      notes = {
        number: this.size + 1,
        startT: t,
        tls,
        tls13Handshake: this.#protocols.get(id) === 'TLSv1.3',
        unsaved: null,
      };
      this.set(id, notes);
    }
    return notes;
  }
}

async function* writeText(source: TranscriptSource, width: number): AsyncGenerator<Uint8Array> {
  const out = new PieceWriter();
  const summary = source.summary;
  out.write(headerText(summary, source.ending));
  const connections = new Notes(summary);
  const flushUnsaved = (except?: ConnectionId): void => {
    for (const [id, notes] of connections) {
      if (id !== except && notes.unsaved) out.write(unsavedLine(notes));
    }
  };

  // A FIN the learner's Close sent is part of that close, not a half-close: hold it one entry to tell which.
  let heldFin: Extract<LabEvent, { type: 'local-ended' }> | null = null;
  for await (const entry of source.entries()) {
    if (heldFin) {
      const fin = heldFin;
      heldFin = null;
      const event = entry.kind === 'event' ? entry.event : null;
      if (event?.type === 'closed' && event.by === 'local' && event.id === fin.id) {
        out.write(eventText(event, connections, width, true));
        continue;
      }
      out.write(eventText(fin, connections, width));
    }
    if (entry.kind === 'event' && entry.event.type === 'local-ended') {
      flushUnsaved();
      heldFin = entry.event;
      continue;
    }
    if (entry.kind === 'unsaved') {
      const notes = connections.get(entry.id);
      if (!notes) continue;
      flushUnsaved(entry.id);
      const run = notes.unsaved;
      const wire = entry.wire === true;
      const damaged = entry.damaged === true;
      if (run && run.dir === entry.dir && run.wire === wire && run.damaged === damaged) {
        run.bytes += entry.length;
        run.pieces += 1;
        run.toT = entry.t;
      } else {
        if (run) out.write(unsavedLine(notes));
        notes.unsaved = { dir: entry.dir, wire, damaged, bytes: entry.length, pieces: 1, fromT: entry.t, toT: entry.t };
      }
      continue;
    }
    flushUnsaved();
    out.write(entryText(entry, connections, width));
    if (out.full) yield out.take();
  }
  if (heldFin) out.write(eventText(heldFin, connections, width));
  flushUnsaved();
  if (!summary.endedCleanly) {
    out.write(
      sessionLine(
        summary.lastAt - summary.startedAt,
        source.ending === 'live'
          ? 'the transcript ends here: it was saved while the session was still running'
          : 'the transcript ends here: the app stopped before the session was closed',
      ),
    );
  }
  yield out.take();
}

// ---------------------------------------------------------------------------------------------------------------
// The header.

function headerText(summary: TranscriptSummary, ending: SessionEnding | undefined): string {
  const title = 'Socket Lab session transcript';
  const lines = [title, '='.repeat(title.length)];
  const field = (name: string, value: string): void =>
    void lines.push(wrapWords(`${`${name}:`.padEnd(14)}${value}`, 14));
  const lasted = Math.max(0, summary.lastAt - summary.startedAt);
  field(
    'Recorded',
    `${wallClock(summary.startedAt)}, for ${(lasted / 1000).toFixed(3)} s (session ${visible(summary.sessionId)})`,
  );
  field('With', `Socket Lab ${visible(summary.appVersion)}, ${summary.transport}, ${visible(summary.platform)}`);
  field(
    'Ended',
    summary.endedCleanly
      ? 'cleanly (the session was closed properly)'
      : ending === 'live'
        ? 'not yet: the session was still running when this was saved'
        : 'not cleanly: the app stopped before the session was closed, and it was read back from its journal',
  );
  const targets = [
    ...new Set(
      summary.connections.map(
        (conn) =>
          (conn.host.includes(':') ? `[${visible(conn.host)}]:${conn.port}` : `${visible(conn.host)}:${conn.port}`) +
          (conn.tls ? ' (TLS)' : ''),
      ),
    ),
  ];
  const n = summary.connections.length;
  field('Connections', n === 0 ? 'none' : `${count(n)}, to ${wrapList(targets, 14)}`);
  let sent = 0;
  let received = 0;
  let unsaved = 0;
  let lost = 0;
  for (const conn of summary.connections) {
    sent += conn.bytesOut;
    received += conn.bytesIn;
    unsaved += conn.unsavedBytes;
    lost += conn.lostBytes;
  }
  const secure = summary.connections.flatMap((conn) => (conn.tls ? [conn.tls] : []));
  field('Data', `${bytesInWords(sent)} sent, ${bytesInWords(received)} received` + notKeptWords(unsaved, lost));
  if (secure.length > 0) {
    const sum = (pick: (tls: (typeof secure)[number]) => number): number =>
      secure.reduce((total, tls) => total + pick(tls), 0);
    field(
      'On the wire',
      `${bytesInWords(sum((tls) => tls.wireBytesOut))} sent, ${bytesInWords(sum((tls) => tls.wireBytesIn))} received ` +
        `by ${secure.length === 1 ? 'the TLS connection' : `the ${count(secure.length)} TLS connections`}, records and all` +
        notKeptWords(
          sum((tls) => tls.unsavedWireBytes),
          sum((tls) => tls.lostWireBytes),
        ) +
        ` (for ${secure.length === 1 ? 'it' : 'them'}, Data counts the plain bytes inside TLS)`,
    );
  }
  if (summary.progress) field('Guided lab', progressWords(summary.progress));
  lines.push(
    '',
    `How to read it: "${SENT_MARKER}" begins a line you sent, "${RECEIVED_MARKER}" a line you received, and`,
    `"${CONTINUED_MARKER}" carries on a line too long for the page. \\r and \\n are the carriage return and`,
    'line feed bytes (a real line break follows each \\n), \\t is a tab, \\\\ a backslash, and \\xHH any other',
    'byte that is not text. Times are seconds since that connection (#1, #2, ...) started; lines that',
    `begin with "${SESSION_MARKER}" are about the whole session, and their times count from its start.`,
    ...(secure.length > 0 ? TLS_HOW_TO_READ : []),
    '',
    '',
  );
  return lines.join('\n');
}

const TLS_HOW_TO_READ = [
  '',
  ...wrapWords(
    `On a TLS connection, "${WIRE_SENT_MARKER}" and "${WIRE_RECEIVED_MARKER}" lines are the TLS records as they crossed the ` +
      'wire, one line per record: its content type, the version its header names (a ClientHello often says TLS 1.0, ' +
      'and TLS 1.3 records say TLS 1.2, so that old boxes on the way let them through), its length after the 5-byte ' +
      'header, and what can be read in it: handshake messages until encryption starts, and alerts (TLS 1.3 encrypts ' +
      'the handshake after ServerHello, and sends it as application data). Encrypted bytes show as a few hex digits. ' +
      `The "${SENT_MARKER}" and "${RECEIVED_MARKER}" lines of that connection are the plain ` +
      'bytes inside TLS, before encryption and after it.',
    0,
  ).split('\n'),
];

/** `a, b and c`, wrapped under the column where the list starts. */
function wrapList(items: string[], indent: number): string {
  const words = items.map((item, index) =>
    index === items.length - 1 ? item : index === items.length - 2 ? `${item} and` : `${item},`,
  );
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && indent + line.length + 1 + word.length > WORDS_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function progressWords(progress: LabProgress): string {
  const passed = progress.completed.length > 0 ? `passed ${progress.completed.join(', ')}` : 'no step passed yet';
  const now = progress.current ? `; on ${progress.current}` : '';
  const predictions = Object.entries(progress.predictions).map(
    ([step, text]) => `; predicted for ${step}: "${visible(text)}"`,
  );
  return passed + now + predictions.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// One entry.

function timeColumn(ms: number): string {
  return secondsAfter(ms).padStart(11);
}

function sessionLine(t: number, words: string): string {
  const head = `${timeColumn(t)}  ${SESSION_MARKER} `;
  return `${wrapWords(head + words, head.length)}\n`;
}

function journalFullLine(t: number, limitBytes: number): string {
  return sessionLine(
    t,
    `the session's journal is full (${sizeInWords(limitBytes)}): from here on, data is counted but its bytes are not saved`,
  );
}

function entryText(entry: SessionEntry, connections: Notes, width: number): string {
  switch (entry.kind) {
    case 'start':
      return '';
    case 'event':
      if (entry.event.type === 'journal-full') return journalFullLine(entry.t, entry.event.limitBytes);
      return eventText(entry.event, connections, width);
    case 'journal-full':
      return journalFullLine(entry.t, entry.limitBytes);
    case 'slow-mode':
      return sessionLine(entry.t, slowWords(entry.slow));
    case 'progress':
      return sessionLine(entry.t, `guided lab: ${progressWords(entry.progress)}`);
    case 'end':
      return sessionLine(entry.t, 'the session ended: it was closed properly');
    case 'unsaved':
      return '';
  }
}

function slowWords(slow: SlowMode | null): string {
  return slow
    ? `the lab HTTP server's slow mode is on: ${count(slow.bytesPerSecond)} bytes a second, ${bytesInWords(slow.writeSize)} at a time`
    : "the lab HTTP server's slow mode is off: it answers at full speed";
}

/**
 * The header's words for bytes counted but not kept, each with its own reason: `unsaved` counts them all, `lost`
 * those a damaged record took (the rest came after the journal was full). A session can have both.
 */
function notKeptWords(unsaved: number, lost: number): string {
  const full = unsaved - lost;
  return (
    (full > 0 ? `, and ${bytesInWords(full)} counted but not saved (the journal was full)` : '') +
    (lost > 0 ? `, and ${bytesInWords(lost)} counted but lost (their records in the journal were damaged)` : '')
  );
}

function unsavedLine(notes: ConnectionNotes): string {
  const run = notes.unsaved;
  notes.unsaved = null;
  if (!run) return '';
  const size = bytesInWords(run.bytes);
  const what = run.wire
    ? `TLS records ${run.dir === 'out' ? 'sent' : 'received'}, ${size} on the wire`
    : `${run.dir === 'out' ? 'you sent' : 'received'} ${size}${notes.tls ? ' inside TLS' : ''}`;
  const pieces = run.pieces > 1 ? ` in ${count(run.pieces)} pieces` : '';
  const why = run.damaged
    ? 'that were lost: the journal saved them, but their record was damaged on disk'
    : 'that were not saved (the journal was full)';
  const line = `${timeColumn(run.fromT - notes.startT)}  #${notes.number} ${what}${pieces} ${why}`;
  return `${wrapWords(line, 16)}\n`;
}

function address(endpoint: Pick<Endpoint, 'address' | 'port' | 'family'>): string {
  const shown = visible(endpoint.address);
  return endpoint.family === 'IPv6' || endpoint.address.includes(':')
    ? `[${shown}]:${endpoint.port}`
    : `${shown}:${endpoint.port}`;
}

/** "Lab HTTP server (stands in for data.pr4e.org)" -> "(Lab HTTP server, stands in for data.pr4e.org)". */
function answeredWords(answeredBy: string | undefined): string {
  if (answeredBy === undefined) return '';
  const match = /^(.*) \((.*)\)$/.exec(answeredBy);
  return ` (${visible(match ? `${match[1]}, ${match[2]}` : answeredBy)})`;
}

const CLOSED_WORDS = {
  local: 'you closed it',
  peer: 'the other side closed it',
  error: 'it ended with the error above',
  abort: 'you aborted it: a reset (RST) went out instead of FIN',
} as const;

function eventText(
  event: Exclude<LabEvent, { type: 'journal-full' }>,
  connections: Notes,
  width: number,
  closedAfterFin = false,
): string {
  const notes = connections.of(event.id, event.t);
  const head = `${timeColumn(event.t - notes.startT)}  #${notes.number} `;
  const said = (...lines: string[]): string =>
    lines
      .map((line, index) => `${wrapWords((index === 0 ? head : ' '.repeat(head.length)) + line, head.length)}\n`)
      .join('');
  switch (event.type) {
    case 'wire':
      return (
        said(
          `TLS records ${event.dir === 'out' ? 'sent' : 'received'}, ${bytesInWords(event.bytes.byteLength)} on the wire (from byte ${count(event.offset)} of the TCP stream):`,
        ) + wireLines(event, { handshakeEncrypted: notes.tls13Handshake })
      );
    case 'tls':
      notes.tls13Handshake = false;
      return (
        said(
          `TLS is set up, ${event.handshakeMs.toFixed(1)} ms after the TCP connect: from here on, what crosses the wire is encrypted`,
        ) + tlsBlockLines(event, head.length)
      );
    case 'resolving':
      return said(
        `asked for ${visible(event.host)} port ${event.port}${event.tls ? ' with TLS' : ''} (route: ${event.route}), ${(event.t / 1000).toFixed(3)} s into the session`,
      );
    case 'resolved': {
      const addresses = event.addresses.map((entry) => visible(entry));
      if (addresses.length <= 1 && addresses[0] === visible(event.chosen))
        return said(`address: ${visible(event.chosen)}`);
      return said(`addresses found: ${addresses.join(', ') || 'none'}; using ${visible(event.chosen)}`);
    }
    case 'connecting':
      return said(`connecting to ${visible(event.address)} port ${event.port}${answeredWords(event.answeredBy)}`);
    case 'connected':
      return said(
        // No "in 1.9 ms": the time column already says how long the connect took.
        `connected: your side ${address(event.local)} \u21c4 ${address(event.remote)}${answeredWords(event.answeredBy)}`,
      );
    case 'data': {
      const size = bytesInWords(event.bytes.byteLength);
      const marker = event.dir === 'out' ? SENT_MARKER : RECEIVED_MARKER;
      if (notes.tls) {
        return (
          said(
            event.dir === 'out'
              ? `you sent ${size} inside TLS (the plain bytes, before they were encrypted):`
              : `received ${size} inside TLS (the plain bytes, once decrypted):`,
          ) + bytesText(event.bytes, marker, event.offset, width, 'the plain stream inside TLS')
        );
      }
      return (
        said(event.dir === 'out' ? `you sent ${size}:` : `received ${size}:`) +
        bytesText(event.bytes, marker, event.offset, width)
      );
    }
    case 'peer-ended':
      return said('the other side sent FIN: it has nothing more to send');
    case 'local-ended':
      return said('half-closed: you sent FIN, like shutdown(SHUT_WR), so you send no more; receiving goes on');
    case 'closed':
      return said(
        closedAfterFin
          ? 'closed: you closed it (your side sent FIN, then let the connection go)'
          : `closed: ${CLOSED_WORDS[event.by]}`,
      );
    case 'error':
      return said(
        `error ${event.code}: ${visible(event.message)}`,
        visible(event.hint),
        ...(event.detail ? [`(${visible(event.detail)})`] : []),
      );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes as lines.

/** Length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function utf8Length(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] as number;
  const at = (k: number, low = 0x80, high = 0xbf): boolean => {
    const byte = bytes[i + k];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return at(1) ? 2 : 0;
  if (lead === 0xe0) return at(1, 0xa0) && at(2) ? 3 : 0;
  if (lead === 0xed) return at(1, 0x80, 0x9f) && at(2) ? 3 : 0;
  if (lead >= 0xe1 && lead <= 0xef) return at(1) && at(2) ? 3 : 0;
  if (lead === 0xf0) return at(1, 0x90) && at(2) && at(3) ? 4 : 0;
  if (lead >= 0xf1 && lead <= 0xf3) return at(1) && at(2) && at(3) ? 4 : 0;
  if (lead === 0xf4) return at(1, 0x80, 0x8f) && at(2) && at(3) ? 4 : 0;
  return 0;
}

function isTextByte(byte: number): boolean {
  return byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Where text stops (the first byte that is neither text nor a line break), and how much of the rest is binary. */
function textExtent(bytes: Uint8Array): { textEnd: number; binaryBytes: number } {
  let textEnd = -1;
  let binaryBytes = 0;
  for (let i = 0; i < bytes.length;) {
    const length = utf8Length(bytes, i);
    if (length === 0 || (length === 1 && (!isTextByte(bytes[i] as number) || bytes[i] === 0x7f))) {
      if (textEnd === -1) textEnd = i;
      binaryBytes += 1;
      i += 1;
    } else i += length;
  }
  return { textEnd: textEnd === -1 ? bytes.length : textEnd, binaryBytes };
}

/**
 * The bytes of one data event as marked lines. Text (with a few odd bytes) is written out whole; where binary
 * data begins and goes on for more than BINARY_SHOWN_WHOLE bytes (an image after its HTTP headers), the text
 * before it is written and the rest is previewed in hex with its length.
 */
export function bytesText(
  bytes: Uint8Array,
  marker: string,
  offset: number,
  width: number,
  stream = 'the stream',
): string {
  const { textEnd, binaryBytes } = textExtent(bytes);
  const rest = bytes.length - textEnd;
  const mostlyBinary = rest > BINARY_SHOWN_WHOLE && binaryBytes > rest / 10;
  if (!mostlyBinary) return textLines(bytes, marker, width);
  // Text before the binary part is shown when it reads as text (it ends a line, like HTTP headers, or is long);
  // two stray letters at the start of a piece of a picture are part of the picture.
  const textStart = textEnd > 0 && (bytes[textEnd - 1] === 0x0a || textEnd >= BINARY_SHOWN_WHOLE) ? textEnd : 0;
  let out = textStart > 0 ? textLines(bytes.subarray(0, textStart), marker, width) : '';
  const binary = bytes.subarray(textStart);
  const shown = Math.min(HEX_PREVIEW_BYTES, binary.length);
  const from = offset + textStart;
  out += `${marker}[binary: ${bytesInWords(binary.length)} from byte ${count(from)} of ${stream}; the first ${shown} in hex]\n`;
  for (let at = 0; at < shown; at += HEX_LINE_BYTES) {
    const line = hexDumpLine(binary.subarray(at, Math.min(at + HEX_LINE_BYTES, shown)), from + at);
    out += `${marker}  ${line.offset}  ${line.hex}  |${line.ascii}|\n`;
  }
  return out;
}

/** Text as marked lines: escapes for CR, LF, tab, backslash and every byte that is not safe text; wrapped. */
function textLines(bytes: Uint8Array, marker: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  let first = true;
  const breakLine = (ended: boolean): void => {
    lines.push((first ? marker : CONTINUED_MARKER) + line);
    line = '';
    used = 0;
    first = ended;
  };
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i] as number;
    let unit: string;
    let length = utf8Length(bytes, i);
    if (byte === 0x0d) unit = '\\r';
    else if (byte === 0x0a) unit = '\\n';
    else if (byte === 0x09) unit = '\\t';
    else if (byte === 0x5c) unit = '\\\\';
    else if (length === 1 && byte >= 0x20 && byte < 0x7f) unit = String.fromCharCode(byte);
    else if (length > 1) {
      const char = utf8.decode(bytes.subarray(i, i + length));
      const code = char.codePointAt(0) as number;
      unit = isUnsafeCharacter(code) ? escapeBytes(bytes.subarray(i, i + length)) : char;
    } else {
      unit = escapeBytes(bytes.subarray(i, i + 1));
      length = 1;
    }
    i += length;
    // Line-end escapes may stand past the width: a line is never wrapped just to show its \r\n.
    if (used + unit.length > width && used > 0 && byte !== 0x0d && byte !== 0x0a) breakLine(false);
    line += unit;
    used += unit.length;
    if (byte === 0x0a) breakLine(true);
  }
  if (line !== '' || lines.length === 0) breakLine(true);
  return lines.map((text) => `${text}\n`).join('');
}

function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}
