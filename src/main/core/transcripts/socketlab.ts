/**
 * The `.socketlab` file: a session saved whole, lossless and versioned, as one JSON object that people and other
 * tools can read (docs/socketlab.schema.json describes it). Written one entry per line, so `grep`, `head` and a
 * Python loop over lines all work, and `json.load` reads the whole:
 *
 *   {"format":"socketlab","version":1,
 *   "app":{"name":"Socket Lab","version":"0.1.0"},
 *   "savedAt":"2026-12-01T09:30:00.000Z",
 *   "session":{"id":"…","startedAt":"2026-11-30T14:02:00.000Z","transport":"web","platform":"linux","endedCleanly":true},
 *   "progress":null,
 *   "connections":[
 *   {"number":1,"id":"…","host":"data.pr4e.org","port":80,…},
 *   ],
 *   "entries":[
 *   {"kind":"start","t":0,"sessionId":"…",…},
 *   {"kind":"event","t":1.5,"event":{"type":"data","id":"…","t":1.5,"dir":"out","offset":0,"bytes":"R0VUIC…"}},
 *   ],
 *   "totals":{"entries":2,"dataBytes":52}}
 *
 * `entries` is the session itself, every SessionEntry in order with bytes in base64; the header repeats facts from
 * it for people (and the reader checks that they agree), and `totals`, written last, lets a reader tell a whole
 * file from one that lost entries (`wireBytes` too, when TLS connections put bytes on the wire).
 *
 * A TLS connection's `wire` events are written with their bytes and without their records: the reader works the
 * records out again from the bytes, so the file stays small and cannot disagree with itself.
 */
import { version as buildVersion } from '../../../../package.json';
import type { Endpoint, LabEvent, LabProgress, TlsCertificateInfo, TlsTrust } from '../../../shared/contract';
import {
  SOCKETLAB_FORMAT,
  SOCKETLAB_VERSION,
  type SessionEntry,
  type TranscriptConnection,
  type TranscriptSummary,
} from '../../../shared/transcript';
import { PieceWriter } from './pieces';
import type { Exporter, TranscriptSource } from './source';

export const SOCKETLAB_APP_NAME = 'Socket Lab';

export interface SocketlabExportOptions {
  /** The wall clock for `savedAt`; default the system clock. */
  now?: () => Date;
  /** The version of the app writing the file; default this build's. */
  appVersion?: string;
}

/** The `.socketlab` exporter with its clock and app version given (tests pass a fixed clock). */
export function socketlabExporter(options: SocketlabExportOptions = {}): Exporter {
  const now = options.now ?? (() => new Date());
  const appVersion = options.appVersion ?? buildVersion;
  return (source) => writeSocketlab(source, now, appVersion);
}

export const exportSocketlab: Exporter = socketlabExporter();

/** Milliseconds since 1970 as an ISO 8601 (RFC 3339) UTC time. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

async function* writeSocketlab(
  source: TranscriptSource,
  now: () => Date,
  appVersion: string,
): AsyncGenerator<Uint8Array> {
  const out = new PieceWriter();
  const summary = source.summary;
  out.write(headerText(summary, now(), appVersion));

  out.write('"connections":[');
  summary.connections.forEach((conn, index) => {
    out.write(`${index === 0 ? '\n' : ',\n'}${JSON.stringify(connectionRecord(conn))}`);
  });
  out.write(summary.connections.length > 0 ? '\n],\n' : '],\n');

  out.write('"entries":[');
  let entries = 0;
  let dataBytes = 0;
  let wireBytes = 0;
  for await (const entry of source.entries()) {
    out.write(`${entries === 0 ? '\n' : ',\n'}${entryLine(entry)}`);
    entries += 1;
    if (entry.kind === 'event' && entry.event.type === 'data') dataBytes += entry.event.bytes.byteLength;
    if (entry.kind === 'event' && entry.event.type === 'wire') wireBytes += entry.event.bytes.byteLength;
    if (out.full) yield out.take();
  }
  out.write(entries > 0 ? '\n],\n' : '],\n');
  // wireBytes only where there are some: a session without TLS is written as it always was.
  const totals = wireBytes > 0 ? { entries, dataBytes, wireBytes } : { entries, dataBytes };
  out.write(`"totals":${JSON.stringify(totals)}}\n`);
  yield out.take();
}

function headerText(summary: TranscriptSummary, savedAt: Date, appVersion: string): string {
  const session = {
    id: summary.sessionId,
    startedAt: isoTime(summary.startedAt),
    transport: summary.transport,
    platform: summary.platform,
    endedCleanly: summary.endedCleanly,
  };
  return [
    `{"format":${JSON.stringify(SOCKETLAB_FORMAT)},"version":${SOCKETLAB_VERSION},\n`,
    `"app":${JSON.stringify({ name: SOCKETLAB_APP_NAME, version: appVersion })},\n`,
    `"savedAt":${JSON.stringify(savedAt.toISOString())},\n`,
    `"session":${JSON.stringify(session)},\n`,
    `"progress":${JSON.stringify(summary.progress && progressRecord(summary.progress))},\n`,
  ].join('');
}

function endpointRecord(endpoint: Endpoint): Endpoint {
  return { address: endpoint.address, port: endpoint.port, family: endpoint.family };
}

/** One connection as people read it; optional facts are left out rather than written as null. */
function connectionRecord(conn: TranscriptConnection): Record<string, unknown> {
  const record: Record<string, unknown> = {
    number: conn.number,
    id: conn.id,
    host: conn.host,
    port: conn.port,
    route: conn.route,
  };
  if (conn.answeredBy !== undefined) record.answeredBy = conn.answeredBy;
  if (conn.dialed) record.dialed = { address: conn.dialed.address, port: conn.dialed.port };
  if (conn.local) record.local = endpointRecord(conn.local);
  if (conn.remote) record.remote = endpointRecord(conn.remote);
  record.firstT = conn.firstT;
  record.lastT = conn.lastT;
  if (conn.connectMs !== undefined) record.connectMs = conn.connectMs;
  record.bytesOut = conn.bytesOut;
  record.bytesIn = conn.bytesIn;
  record.unsavedBytes = conn.unsavedBytes;
  record.localEnded = conn.localEnded;
  record.peerEnded = conn.peerEnded;
  if (conn.closedBy !== undefined) record.closedBy = conn.closedBy;
  if (conn.error) record.error = { code: conn.error.code, message: conn.error.message };
  if (conn.tls) {
    const tls: Record<string, unknown> = {
      wireBytesOut: conn.tls.wireBytesOut,
      wireBytesIn: conn.tls.wireBytesIn,
      unsavedWireBytes: conn.tls.unsavedWireBytes,
    };
    if (conn.tls.protocol !== undefined) tls.protocol = conn.tls.protocol;
    if (conn.tls.cipher !== undefined) tls.cipher = conn.tls.cipher;
    if (conn.tls.certificateSha256 !== undefined) tls.certificateSha256 = conn.tls.certificateSha256;
    if (conn.tls.trusted !== undefined) tls.trusted = conn.tls.trusted;
    record.tls = tls;
  }
  return record;
}

/** One entry as one line of JSON. Keys are written in a fixed order (never the order of the object given), so the
 *  same session always gives the same bytes. */
export function entryLine(entry: SessionEntry): string {
  return JSON.stringify(entryRecord(entry));
}

function entryRecord(entry: SessionEntry): Record<string, unknown> {
  switch (entry.kind) {
    case 'start':
      return {
        kind: entry.kind,
        t: entry.t,
        sessionId: entry.sessionId,
        startedAt: entry.startedAt,
        appVersion: entry.appVersion,
        transport: entry.transport,
        platform: entry.platform,
      };
    case 'event':
      // The log's "journal full" row belongs to the session, not to a connection: it is kept as that entry.
      return entry.event.type === 'journal-full'
        ? { kind: 'journal-full', t: entry.t, limitBytes: entry.event.limitBytes }
        : { kind: entry.kind, t: entry.t, event: eventRecord(entry.event) };
    case 'unsaved': {
      const record: Record<string, unknown> = {
        kind: entry.kind,
        t: entry.t,
        id: entry.id,
        dir: entry.dir,
        offset: entry.offset,
        length: entry.length,
      };
      if (entry.wire) record.wire = true;
      if (entry.damaged) record.damaged = true;
      return record;
    }
    case 'journal-full':
      return { kind: entry.kind, t: entry.t, limitBytes: entry.limitBytes };
    case 'slow-mode':
      return {
        kind: entry.kind,
        t: entry.t,
        slow: entry.slow && { bytesPerSecond: entry.slow.bytesPerSecond, writeSize: entry.slow.writeSize },
      };
    case 'progress':
      return { kind: entry.kind, t: entry.t, progress: progressRecord(entry.progress) };
    case 'end':
      return { kind: entry.kind, t: entry.t };
  }
}

/** Predictions in step-id order, so key order never depends on how the object was built. */
function progressRecord(progress: LabProgress): LabProgress {
  const predictions: Record<string, string> = {};
  for (const key of Object.keys(progress.predictions).sort()) predictions[key] = progress.predictions[key] as string;
  const record: LabProgress = { completed: [...progress.completed], current: progress.current, predictions };
  if (progress.learnerName !== undefined) record.learnerName = progress.learnerName;
  return record;
}

function eventRecord(event: Exclude<LabEvent, { type: 'journal-full' }>): Record<string, unknown> {
  // Each record written out in full: spreading a common base costs more than the rest of the export.
  const { type, id, t } = event;
  switch (event.type) {
    case 'resolving': {
      const record: Record<string, unknown> = { type, id, t, host: event.host, port: event.port, route: event.route };
      if (event.tls) record.tls = true;
      return record;
    }
    case 'resolved':
      return { type, id, t, addresses: [...event.addresses], chosen: event.chosen };
    case 'connecting': {
      const record: Record<string, unknown> = {
        type,
        id,
        t,
        address: event.address,
        port: event.port,
        route: event.route,
      };
      if (event.answeredBy !== undefined) record.answeredBy = event.answeredBy;
      return record;
    }
    case 'connected': {
      const record: Record<string, unknown> = {
        type,
        id,
        t,
        local: endpointRecord(event.local),
        remote: endpointRecord(event.remote),
        route: event.route,
      };
      if (event.answeredBy !== undefined) record.answeredBy = event.answeredBy;
      record.elapsedMs = event.elapsedMs;
      return record;
    }
    case 'data':
      return { type, id, t, dir: event.dir, offset: event.offset, bytes: toBase64(event.bytes) };
    case 'wire':
      // The records are worked out again from the bytes when the file is read.
      return { type, id, t, dir: event.dir, offset: event.offset, bytes: toBase64(event.bytes) };
    case 'tls':
      return {
        type,
        id,
        t,
        protocol: event.protocol,
        cipher: event.cipher,
        cipherOpenSsl: event.cipherOpenSsl,
        alpn: event.alpn,
        serverName: event.serverName,
        certificate: event.certificate && certificateRecord(event.certificate),
        trust: trustRecord(event.trust),
        handshakeMs: event.handshakeMs,
      };
    case 'peer-ended':
    case 'local-ended':
      return { type, id, t };
    case 'closed':
      return { type, id, t, by: event.by };
    case 'error': {
      const record: Record<string, unknown> = {
        type,
        id,
        t,
        code: event.code,
        message: event.message,
        hint: event.hint,
      };
      if (event.detail !== undefined) record.detail = event.detail;
      return record;
    }
  }
}

function certificateRecord(certificate: TlsCertificateInfo): Record<string, unknown> {
  const record: Record<string, unknown> = {
    subject: certificate.subject,
    issuer: certificate.issuer,
    validFrom: certificate.validFrom,
    validTo: certificate.validTo,
    sha256: certificate.sha256,
    altNames: [...certificate.altNames],
    serialNumber: certificate.serialNumber,
    selfSigned: certificate.selfSigned,
  };
  if (certificate.publicKey !== undefined) record.publicKey = certificate.publicKey;
  return record;
}

function trustRecord(trust: TlsTrust): Record<string, unknown> {
  const record: Record<string, unknown> = { trusted: trust.trusted, labCertificate: trust.labCertificate };
  if (trust.code !== undefined) record.code = trust.code;
  record.why = trust.why;
  return record;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
