/**
 * TLS records on the wire, named: a pure, incremental splitter over the bytes of one TLS connection, both
 * directions, fed in the order they crossed the socket. Main uses it for `wire` events; the renderer may use it too
 * (it names records in rows). Types and pure code only, no Node imports.
 *
 * A record is a 5-byte header (content type, record-layer version, payload length) and its payload
 * (RFC 8446 section 5.1; RFC 5246 section 6.2). A chunk of TCP bytes may hold several records, or a piece of one,
 * so each chunk gets one piece per record that starts or continues in it. What the splitter reads:
 * - every header: content type, version, length;
 * - handshake messages while they are readable: their type (ClientHello, ServerHello, ...), also when a message spans
 *   records or several share one; in TLS 1.3 everything after ServerHello is encrypted and travels as
 *   application data, in TLS 1.2 everything after a side's ChangeCipherSpec;
 * - readable alerts: level and description (an alert after encryption starts shows only its header);
 * - the ServerHello's selected version (from supported_versions), since record headers always say TLS 1.2 or 1.0.
 * Bytes that cannot start a record (plain text, a wrong version, an impossible length) make the rest of that
 * direction `not-tls`: there is no way to find a record boundary again.
 */

export type TlsDirection = 'out' | 'in';

export type TlsContentType =
  'change-cipher-spec' | 'alert' | 'handshake' | 'application-data' | 'heartbeat' | 'not-tls';

export const TLS_CONTENT_TYPES: Readonly<Record<number, Exclude<TlsContentType, 'not-tls'>>> = {
  20: 'change-cipher-spec',
  21: 'alert',
  22: 'handshake',
  23: 'application-data',
  24: 'heartbeat',
};

export type TlsVersionName = 'SSL 3.0' | 'TLS 1.0' | 'TLS 1.1' | 'TLS 1.2' | 'TLS 1.3';

const VERSION_NAMES: Readonly<Record<number, TlsVersionName>> = {
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
};

/** `TLS 1.2` for 0x0303; undefined for a number that is no TLS version. */
export function tlsVersionName(version: number): TlsVersionName | undefined {
  return VERSION_NAMES[version];
}

/** Handshake message types (RFC 8446 section 4, RFC 5246 section 7.4) in the words Wireshark uses, without spaces. */
export const TLS_HANDSHAKE_TYPES: Readonly<Record<number, string>> = {
  0: 'HelloRequest',
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  5: 'EndOfEarlyData',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
  21: 'CertificateURL',
  22: 'CertificateStatus',
  24: 'KeyUpdate',
  254: 'MessageHash',
};

/** Alert descriptions (RFC 8446 section 6, and the older ones of RFC 5246), as the RFCs spell them. */
export const TLS_ALERT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export interface TlsAlert {
  level: 'warning' | 'fatal' | 'unknown';
  /** `handshake_failure`; `alert 123` for a number no RFC names. */
  description: string;
  code: number;
}

export function describeTlsAlert(level: number, code: number): TlsAlert {
  return {
    level: level === 1 ? 'warning' : level === 2 ? 'fatal' : 'unknown',
    description: TLS_ALERT_DESCRIPTIONS[code] ?? `alert ${code}`,
    code,
  };
}

/** One record, or the part of it that lies in one chunk of bytes. */
export interface TlsRecordPiece {
  /** Stream offset of the record's first header byte. */
  recordOffset: number;
  /** This piece is bytes [start, start + length) of the chunk it was cut from. */
  start: number;
  length: number;
  /** How far into the record this piece begins: 0 when the record starts in this chunk. */
  at: number;
  contentType: TlsContentType;
  /** The record-layer version from the header (TLS 1.3 records say TLS 1.2; a ClientHello's often TLS 1.0); null until known or for not-tls. */
  version: TlsVersionName | null;
  /** Payload bytes after the 5-byte header; null until the header is all here, and for not-tls. */
  payloadLength: number | null;
  /** The record's last byte is in this chunk (never true for not-tls, which has no end). */
  complete: boolean;
  /** Only the header is readable: application data, and everything after encryption started. */
  encrypted: boolean;
  /** Handshake messages whose first byte is in this piece, when readable. */
  handshake?: string[];
  /** A readable alert, on the piece where its second byte arrives. */
  alert?: TlsAlert;
}

const HEADER_BYTES = 5;
/** Largest record payload any version allows (TLS 1.2's 2^14 + 2048); longer means these are not TLS records. */
const MAX_PAYLOAD = 16_384 + 2_048;
/** A ServerHello is kept only up to here to find its selected version; real ones are a few hundred bytes. */
const MAX_KEPT_SERVER_HELLO = 4_096;
const SUPPORTED_VERSIONS_EXTENSION = 43;

interface DirectionState {
  offset: number;
  notTls: boolean;
  /** After this side's ChangeCipherSpec (TLS 1.2 and older): its records are encrypted. */
  cipherChanged: boolean;
  /** The current record: header bytes seen so far, and payload bytes still to come once it is whole. */
  header: number[];
  recordOffset: number;
  payloadLeft: number;
  /** Payload bytes of the current record that are kept (alerts are read whole). */
  kept: number[];
  /** Handshake message being read across records: its 4 header bytes, then the body bytes still to come. */
  messageHeader: number[];
  messageLeft: number;
  /** The ServerHello's bytes, kept until its selected version is read. */
  serverHello: number[] | null;
}

function freshDirection(): DirectionState {
  return {
    offset: 0,
    notTls: false,
    cipherChanged: false,
    header: [],
    recordOffset: 0,
    payloadLeft: 0,
    kept: [],
    messageHeader: [],
    messageLeft: 0,
    serverHello: null,
  };
}

/**
 * Splits the bytes of one TLS connection into records, keeping what it needs between chunks. `out` is the client's
 * side (the one that sends ClientHello), `in` the server's. Feed each direction in order; the two may interleave.
 */
export class TlsRecordSplitter {
  readonly #sides: Record<TlsDirection, DirectionState> = { out: freshDirection(), in: freshDirection() };
  #selectedVersion: TlsVersionName | null = null;

  /** The version the server chose, once its ServerHello is read (TLS 1.3 says so in supported_versions). */
  get selectedVersion(): TlsVersionName | null {
    return this.#selectedVersion;
  }

  /** Bytes pushed so far in one direction: the stream offset of the next chunk. */
  offset(dir: TlsDirection): number {
    return this.#sides[dir].offset;
  }

  /** The records that start or continue in `chunk`, the next bytes `dir` sent, in order; their lengths add up to the chunk's. */
  push(dir: TlsDirection, chunk: Uint8Array): TlsRecordPiece[] {
    const side = this.#sides[dir];
    const pieces: TlsRecordPiece[] = [];
    let index = 0;
    while (index < chunk.byteLength) {
      if (side.notTls) {
        pieces.push(notTlsPiece(side.offset + index, index, chunk.byteLength - index));
        break;
      }
      const startedAt = index;
      const at = side.header.length === HEADER_BYTES ? HEADER_BYTES + this.#payloadSeen(side) : side.header.length;
      if (at === 0) side.recordOffset = side.offset + index;
      const found: { handshake: string[]; alert?: TlsAlert } = { handshake: [] };
      // The header, a byte at a time: it may be cut anywhere between chunks.
      while (side.header.length < HEADER_BYTES && index < chunk.byteLength) {
        side.header.push(chunk[index] as number);
        index += 1;
        if (!headerSoFarIsTls(side.header)) {
          side.notTls = true;
          break;
        }
        if (side.header.length === HEADER_BYTES) side.payloadLeft = payloadLengthOf(side.header);
      }
      if (side.notTls) {
        // The bytes read as a header were not one: everything from the record's start is not TLS.
        const from = Math.max(0, side.recordOffset - side.offset);
        pieces.push(notTlsPiece(side.offset + from, from, chunk.byteLength - from));
        break;
      }
      if (side.header.length === HEADER_BYTES) {
        const take = Math.min(side.payloadLeft, chunk.byteLength - index);
        this.#readPayload(dir, side, chunk.subarray(index, index + take), found);
        side.payloadLeft -= take;
        index += take;
      }
      const complete = side.header.length === HEADER_BYTES && side.payloadLeft === 0;
      pieces.push(this.#piece(side, startedAt, index - startedAt, at, complete, found));
      if (complete) this.#endRecord(side);
    }
    side.offset += chunk.byteLength;
    return pieces;
  }

  #payloadSeen(side: DirectionState): number {
    return payloadLengthOf(side.header) - side.payloadLeft;
  }

  #piece(
    side: DirectionState,
    start: number,
    length: number,
    at: number,
    complete: boolean,
    found: { handshake: string[]; alert?: TlsAlert },
  ): TlsRecordPiece {
    const type = TLS_CONTENT_TYPES[side.header[0] as number] ?? 'not-tls';
    const piece: TlsRecordPiece = {
      recordOffset: side.recordOffset,
      start,
      length,
      at,
      contentType: type,
      version: side.header.length >= 3 ? (tlsVersionName(versionOf(side.header)) ?? null) : null,
      payloadLength: side.header.length === HEADER_BYTES ? payloadLengthOf(side.header) : null,
      complete,
      encrypted: this.#encrypted(side, type),
    };
    if (found.handshake.length > 0) piece.handshake = found.handshake;
    if (found.alert) piece.alert = found.alert;
    return piece;
  }

  #encrypted(side: DirectionState, type: TlsContentType): boolean {
    if (type === 'application-data') return true;
    // In TLS 1.3 encrypted records all say application data; a handshake after the compatibility
    // ChangeCipherSpec (the second ClientHello after a HelloRetryRequest) is still plain.
    if (this.#selectedVersion === 'TLS 1.3') return false;
    return side.cipherChanged && type !== 'change-cipher-spec';
  }

  #readPayload(
    dir: TlsDirection,
    side: DirectionState,
    payload: Uint8Array,
    found: { handshake: string[]; alert?: TlsAlert },
  ): void {
    const type = TLS_CONTENT_TYPES[side.header[0] as number];
    if (this.#encrypted(side, type ?? 'not-tls')) return;
    if (type === 'handshake') {
      this.#readHandshake(dir, side, payload, found);
    } else if (type === 'alert' && payloadLengthOf(side.header) === 2) {
      for (const byte of payload) side.kept.push(byte);
      if (side.kept.length === 2) found.alert = describeTlsAlert(side.kept[0] as number, side.kept[1] as number);
    }
  }

  /** Handshake messages: a 1-byte type and a 3-byte length, then the body; they run on across records. */
  #readHandshake(
    dir: TlsDirection,
    side: DirectionState,
    payload: Uint8Array,
    found: { handshake: string[]; alert?: TlsAlert },
  ): void {
    let i = 0;
    while (i < payload.byteLength) {
      if (side.messageLeft > 0) {
        const take = Math.min(side.messageLeft, payload.byteLength - i);
        if (side.serverHello) this.#keepServerHello(side, payload.subarray(i, i + take));
        side.messageLeft -= take;
        i += take;
        if (side.messageLeft === 0) this.#endMessage(side);
        continue;
      }
      const byte = payload[i] as number;
      i += 1;
      side.messageHeader.push(byte);
      if (side.messageHeader.length === 1) {
        found.handshake.push(TLS_HANDSHAKE_TYPES[byte] ?? `handshake type ${byte}`);
        if (dir === 'in' && byte === 2) side.serverHello = [];
      }
      if (side.messageHeader.length === 4) {
        const [, a = 0, b = 0, c = 0] = side.messageHeader;
        side.messageLeft = (a << 16) | (b << 8) | c;
        if (side.messageLeft === 0) this.#endMessage(side);
      }
    }
  }

  #keepServerHello(side: DirectionState, bytes: Uint8Array): void {
    const kept = side.serverHello as number[];
    const room = MAX_KEPT_SERVER_HELLO - kept.length;
    for (let i = 0; i < Math.min(room, bytes.byteLength); i += 1) kept.push(bytes[i] as number);
  }

  #endMessage(side: DirectionState): void {
    if (side.serverHello) {
      this.#selectedVersion = serverHelloVersion(side.serverHello) ?? this.#selectedVersion;
      side.serverHello = null;
    }
    side.messageHeader = [];
    side.messageLeft = 0;
  }

  #endRecord(side: DirectionState): void {
    if (TLS_CONTENT_TYPES[side.header[0] as number] === 'change-cipher-spec') side.cipherChanged = true;
    side.header = [];
    side.payloadLeft = 0;
    side.kept = [];
  }
}

function notTlsPiece(recordOffset: number, start: number, length: number): TlsRecordPiece {
  return {
    recordOffset,
    start,
    length,
    at: 0,
    contentType: 'not-tls',
    version: null,
    payloadLength: null,
    complete: false,
    encrypted: false,
  };
}

function versionOf(header: readonly number[]): number {
  return ((header[1] as number) << 8) | (header[2] as number);
}

function payloadLengthOf(header: readonly number[]): number {
  return ((header[3] as number) << 8) | (header[4] as number);
}

/** Whether the header bytes seen so far can begin a TLS record: a known content type, version 3.x, a possible length. */
function headerSoFarIsTls(header: readonly number[]): boolean {
  if (TLS_CONTENT_TYPES[header[0] as number] === undefined) return false;
  if (header.length >= 2 && header[1] !== 3) return false;
  if (header.length >= 3 && (header[2] as number) > 4) return false;
  if (header.length >= 5 && payloadLengthOf(header) > MAX_PAYLOAD) return false;
  return true;
}

/** The version a ServerHello body selects: supported_versions when present (TLS 1.3), else its legacy_version. */
function serverHelloVersion(body: readonly number[]): TlsVersionName | undefined {
  const u16 = (at: number): number => ((body[at] ?? 0) << 8) | (body[at + 1] ?? 0);
  if (body.length < 2) return undefined;
  const legacy = tlsVersionName(u16(0));
  // legacy_version (2), random (32), legacy_session_id (1 + n), cipher_suite (2), compression (1), extensions (2 + n).
  let at = 34;
  if (body.length <= at) return legacy;
  at += 1 + (body[at] as number) + 2 + 1;
  if (body.length < at + 2) return legacy;
  const end = Math.min(body.length, at + 2 + u16(at));
  at += 2;
  while (at + 4 <= end) {
    const type = u16(at);
    const length = u16(at + 2);
    if (type === SUPPORTED_VERSIONS_EXTENSION && length === 2 && at + 6 <= end) return tlsVersionName(u16(at + 4));
    at += 4 + length;
  }
  return legacy;
}
/**
 * A readable TLS alert record at the very start of `bytes` (`15 03 0x 00 02 level description`): what a server that
 * expects TLS first sends to a client that spoke plain text. Undefined when the bytes are anything else.
 */
export function tlsAlertAtStart(bytes: Uint8Array): TlsAlert | undefined {
  if (bytes.byteLength < 7) return undefined;
  if (bytes[0] !== 21 || bytes[1] !== 3 || (bytes[2] as number) > 4 || bytes[3] !== 0 || bytes[4] !== 2) {
    return undefined;
  }
  return describeTlsAlert(bytes[5] as number, bytes[6] as number);
}

/** The 7 bytes of a fatal alert, with the record version TLS 1.3 and 1.2 servers use (0x0303). */
export function tlsAlertRecord(description: number, level: 'warning' | 'fatal' = 'fatal'): Uint8Array {
  return Uint8Array.of(21, 3, 3, 0, 2, level === 'fatal' ? 2 : 1, description);
}
