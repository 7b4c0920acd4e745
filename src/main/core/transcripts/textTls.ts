/**
 * A TLS connection in the `.txt` transcript: its wire events as one line per TLS record (content type, the version
 * its header names, its length, the handshake messages and alerts that can be read, a short hex preview of what is
 * encrypted), and its `tls` event as a block a teacher reads like a certificate viewer. Pure text.
 */
import type { LabEvent, TlsCertificateInfo, TlsSessionInfo } from '../../../shared/contract';
import { HEX_LINE_BYTES, hexByte, hexDumpLine } from '../../../shared/hexdump';
import type { TlsAlert, TlsContentType, TlsRecordPiece } from '../../../shared/tlsRecords';
import { bytesInWords, count, visible, wallClock, wrapWords } from './wording';

export const WIRE_SENT_MARKER = 'TLS> ';
export const WIRE_RECEIVED_MARKER = 'TLS< ';

/** Record lines per wire event; a burst of more says how many more in one line. */
const MAX_RECORD_LINES = 16;
/** Encrypted bytes shown per record. */
const ENCRYPTED_PREVIEW_BYTES = 8;
/** Bytes that are not TLS shown in hex (with their ASCII beside them). */
const NOT_TLS_PREVIEW_BYTES = 2 * HEX_LINE_BYTES;
const HEADER_BYTES = 5;

type Wire = Extract<LabEvent, { type: 'wire' }>;

const CONTENT_WORDS: Record<TlsContentType, string> = {
  'change-cipher-spec': 'change cipher spec',
  alert: 'alert',
  handshake: 'handshake',
  'application-data': 'application data',
  heartbeat: 'heartbeat',
  'not-tls': 'not TLS',
};

/** What an alert means, said of the side that sent it. */
const ALERT_MEANINGS: Readonly<Record<string, string>> = {
  close_notify: 'its sender has nothing more to send (the TLS way of saying goodbye)',
  unexpected_message: 'its sender got a TLS message it did not expect',
  bad_record_mac: 'its sender got a record that did not check out: damaged or changed on the way',
  record_overflow: 'its sender got a record longer than TLS allows',
  handshake_failure: 'its sender could not agree on how to encrypt (no version, cipher or key type in common)',
  bad_certificate: 'its sender did not accept a certificate',
  unsupported_certificate: 'its sender cannot use that kind of certificate',
  certificate_revoked: 'its sender found the certificate taken back by its authority',
  certificate_expired: 'its sender found the certificate out of date',
  certificate_unknown: 'its sender would not accept the certificate',
  illegal_parameter: 'its sender got a value it does not allow',
  unknown_ca: 'its sender does not trust the authority behind the certificate',
  access_denied: 'its sender does not let this side in',
  decode_error: 'its sender could not read what it got',
  decrypt_error: 'its sender could not check a signature or the Finished message',
  protocol_version: 'its sender does not speak a TLS version the other side offered',
  insufficient_security: 'its sender wants stronger ciphers',
  internal_error: 'its sender had a problem of its own',
  inappropriate_fallback: 'its sender saw a retry with an older version than both sides know',
  user_canceled: 'its sender chose to stop',
  no_renegotiation: 'its sender will not set TLS up again on this connection',
  missing_extension: 'its sender missed an extension TLS requires',
  unsupported_extension: 'its sender got an extension it did not ask for',
  unrecognized_name: 'its sender has no site by the name asked for (SNI)',
  certificate_required: 'its sender wants a certificate from the other side too',
  no_application_protocol: 'its sender speaks none of the protocols offered inside TLS (ALPN)',
};

/** `fatal alert handshake_failure (40): its sender could not agree ...`. */
export function alertWords(alert: TlsAlert): string {
  const level = alert.level === 'unknown' ? 'alert' : `${alert.level} alert`;
  const meaning = ALERT_MEANINGS[alert.description];
  return `${level} ${alert.description} (${alert.code})${meaning ? `: ${meaning}` : ''}`;
}

function hexPreview(bytes: Uint8Array, max: number): string {
  const shown = Array.from(bytes.subarray(0, max), hexByte).join(' ');
  return bytes.byteLength > max ? `${shown} ...` : shown;
}

/** What the transcript knows about a wire event beyond its records. */
export interface WireContext {
  /** TLS 1.3 is setting up: its encrypted records before the `tls` event are the rest of the handshake. */
  handshakeEncrypted: boolean;
}

/** One record (or its part in this event) in words. */
function pieceWords(piece: TlsRecordPiece, bytes: Uint8Array, context: WireContext): string {
  const here = bytes.subarray(piece.start, piece.start + piece.length);
  if (piece.contentType === 'not-tls') {
    return `not TLS: ${bytesInWords(piece.length)} that cannot be a TLS record (no record can be found after them either)`;
  }
  const kind = `${CONTENT_WORDS[piece.contentType]} record`;
  const version = piece.version ?? 'version not yet known';
  if (piece.payloadLength === null) {
    const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
    const which =
      piece.at === 0
        ? `the start of ${article} ${kind}`
        : `more of the ${kind} header from byte ${count(piece.recordOffset)}`;
    return `${which}: ${piece.length} of its ${HEADER_BYTES} header bytes; the rest follows`;
  }
  const total = HEADER_BYTES + piece.payloadLength;
  let words = `${kind}, ${version}, ${bytesInWords(piece.payloadLength)}`;
  if (piece.at > 0) {
    words =
      `more of the ${kind} from byte ${count(piece.recordOffset)} (${version}, ${bytesInWords(piece.payloadLength)}): ` +
      `its bytes ${count(piece.at)} to ${count(piece.at + piece.length - 1)} of ${count(total)}` +
      (piece.complete ? ', to its end' : '');
  } else if (!piece.complete) {
    words += ` (the first ${count(piece.length)} of its ${count(total)} bytes are here; the rest follows)`;
  }
  if (piece.handshake) words += `: ${piece.handshake.join(', ')}`;
  if (piece.contentType === 'change-cipher-spec' && context.handshakeEncrypted) {
    words += ' (TLS 1.3 sends it only so that old boxes on the way are not confused)';
  }
  if (piece.alert) words += `: ${alertWords(piece.alert)}`;
  if (piece.encrypted) {
    // The payload begins after whatever part of the 5-byte header is in this piece.
    const payload = here.subarray(Math.max(0, HEADER_BYTES - piece.at));
    const inside = context.handshakeEncrypted && piece.contentType === 'application-data' ? ' (TLS 1.3 handshake)' : '';
    words +=
      payload.byteLength > 0
        ? `, encrypted${inside}: ${hexPreview(payload, ENCRYPTED_PREVIEW_BYTES)}`
        : `, encrypted${inside}`;
  }
  return words;
}

function lineOf(marker: string, words: string): string {
  return `${wrapWords(marker + words, marker.length + 2)}\n`;
}

function notTlsPreview(marker: string, bytes: Uint8Array, offset: number): string {
  let out = '';
  const shown = Math.min(NOT_TLS_PREVIEW_BYTES, bytes.byteLength);
  for (let at = 0; at < shown; at += HEX_LINE_BYTES) {
    const line = hexDumpLine(bytes.subarray(at, Math.min(at + HEX_LINE_BYTES, shown)), offset + at);
    out += `${marker}  ${line.offset}  ${line.hex}  |${line.ascii}|\n`;
  }
  return out;
}

/** The lines under a wire event's heading: one per record, marked `TLS> ` (sent) or `TLS< ` (received). */
export function wireLines(event: Wire, context: WireContext): string {
  const marker = event.dir === 'out' ? WIRE_SENT_MARKER : WIRE_RECEIVED_MARKER;
  if (event.records.length === 0) {
    return (
      lineOf(
        marker,
        'where the records begin in these bytes is not known: bytes on the wire before them were not saved. The first bytes:',
      ) + notTlsPreview(marker, event.bytes, event.offset)
    );
  }
  let out = '';
  event.records.slice(0, MAX_RECORD_LINES).forEach((piece) => {
    out += lineOf(marker, pieceWords(piece, event.bytes, context));
    if (piece.contentType === 'not-tls') {
      out += notTlsPreview(marker, event.bytes.subarray(piece.start, piece.start + piece.length), piece.recordOffset);
    }
  });
  const more = event.records.slice(MAX_RECORD_LINES);
  if (more.length > 0) {
    const kinds = new Map<string, number>();
    for (const piece of more)
      kinds.set(CONTENT_WORDS[piece.contentType], (kinds.get(CONTENT_WORDS[piece.contentType]) ?? 0) + 1);
    const list = [...kinds].map(([kind, n]) => `${count(n)} ${kind}`).join(', ');
    out += lineOf(marker, `and ${count(more.length)} more records (${list})`);
  }
  return out;
}

/** A certificate time as the transcript writes times, or OpenSSL's text as it came. */
function certificateTime(text: string): string {
  const ms = Date.parse(text);
  return /^[+-]?\d{4,6}-\d{2}-\d{2}T/.test(text) && Number.isFinite(ms) ? wallClock(ms) : visible(text);
}

/** `A7:0E:...` in two halves, so the line fits. */
function fingerprintLines(sha256: string): string[] {
  const half = sha256.length > 60 ? sha256.lastIndexOf(':', Math.ceil(sha256.length / 2)) : -1;
  return half > 0 ? [sha256.slice(0, half + 1), sha256.slice(half + 1)] : [sha256];
}

function certificateFields(certificate: TlsCertificateInfo): Array<[string, string[]]> {
  const sameIssuer = certificate.issuer === certificate.subject;
  const fields: Array<[string, string[]]> = [
    ['certificate', [visible(certificate.subject) || '(no subject)']],
    [
      '  issued by',
      [
        sameIssuer
          ? `itself${certificate.selfSigned ? ': it is self-signed, so nobody else vouches for it' : ''}`
          : visible(certificate.issuer) || '(no issuer)',
      ],
    ],
    ['  valid', [`from ${certificateTime(certificate.validFrom)} to ${certificateTime(certificate.validTo)}`]],
  ];
  if (certificate.altNames.length > 0) {
    fields.push(['  made for', [certificate.altNames.map((name) => visible(name)).join(', ')]]);
  }
  if (certificate.publicKey !== undefined) fields.push(['  key', [visible(certificate.publicKey)]]);
  fields.push(
    ['  serial', [visible(certificate.serialNumber)]],
    ['  SHA-256', fingerprintLines(visible(certificate.sha256))],
  );
  return fields;
}

/** The lines under a tls event's heading, each `indent` spaces in: what the handshake settled, the certificate, the trust. */
export function tlsBlockLines(info: TlsSessionInfo, indent: number): string {
  const column = 14;
  const fields: Array<[string, string[]]> = [
    ['protocol', [visible(info.protocol)]],
    [
      'cipher',
      [
        info.cipherOpenSsl === info.cipher
          ? visible(info.cipher)
          : `${visible(info.cipher)} (OpenSSL calls it ${visible(info.cipherOpenSsl)})`,
      ],
    ],
    ['inside TLS', [info.alpn === null ? 'no protocol agreed by ALPN' : `${visible(info.alpn)} (agreed by ALPN)`]],
    [
      'name sent',
      [
        info.serverName === null
          ? 'none (SNI cannot carry an IP address)'
          : `${visible(info.serverName)} (SNI, in the ClientHello)`,
      ],
    ],
    ...(info.certificate
      ? certificateFields(info.certificate)
      : [['certificate', ['none: the other side sent none']] as [string, string[]]]),
    [
      'trusted',
      [
        `${info.trust.trusted ? 'yes' : 'no'}${info.trust.code !== undefined ? ` (${visible(info.trust.code)})` : ''}` +
          (info.trust.labCertificate ? '; it is the certificate Socket Lab made for its own TLS server' : ''),
        visible(info.trust.why),
      ],
    ],
  ];
  const pad = ' '.repeat(indent);
  let out = '';
  for (const [name, values] of fields) {
    values.forEach((value, index) => {
      const label = index === 0 ? name.padEnd(column) : ' '.repeat(column);
      out += `${wrapWords(pad + label + value, indent + column)}\n`;
    });
  }
  return out;
}
