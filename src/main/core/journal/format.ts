/**
 * The session journal's format on disk, modelled on LevelDB's log format (doc/log_format.md):
 *
 *   file    = file header, then fragments, laid out in 32 KiB blocks counted from offset 0
 *   header  = magic "SLJOURNL" | u16 version | u16 header length | u32 CRC32 of the rest | JSON (importedFrom …)
 *   fragment= u32 CRC32 | u16 payload length | u8 type | u32 record sequence number | payload
 *             (the CRC covers length, type, sequence number and payload)
 *
 * A fragment never crosses a block boundary: a record longer than the space left is cut into FIRST, MIDDLE … LAST
 * fragments, each carrying the record's sequence number; fewer than FRAGMENT_HEADER_BYTES left in a block are zeros.
 * So a reader that meets a damaged fragment can always find its feet again, at the latest at the next block.
 *
 * A record's payload is one SessionEntry: u32 head length | the entry as JSON without its data bytes | the raw
 * bytes of a data event (no base64 on disk). All integers are little-endian.
 */
import { crc32 } from './crc';
import type { DataEvent } from '../../../shared/contract';
import type { SessionEntry } from '../../../shared/transcript';

export const MAGIC = Buffer.from('SLJOURNL', 'latin1');
export const FORMAT_VERSION = 1;
/** magic + version + header length + CRC; the JSON follows. */
export const FILE_HEADER_FIXED_BYTES = MAGIC.byteLength + 2 + 2 + 4;
/** The file header's JSON is small: a file name at most. */
export const MAX_FILE_HEADER_BYTES = 4096;

export const BLOCK_BYTES = 32 * 1024;
export const FRAGMENT_HEADER_BYTES = 4 + 2 + 1 + 4;

export const FRAGMENT_FULL = 1;
export const FRAGMENT_FIRST = 2;
export const FRAGMENT_MIDDLE = 3;
export const FRAGMENT_LAST = 4;

/** One data event is at most one learner send (1 MiB); a socket read is at most LIMITS.socketReadBytes (256 KiB). */
export const MAX_DATA_BYTES = 1024 * 1024;
/** The JSON head of one entry; a progress entry with every prediction filled in is the largest, under 1 MiB. */
export const MAX_HEAD_BYTES = 1024 * 1024;
/** A reader refuses any record larger than this, so a damaged length can never make it hold more. */
export const MAX_RECORD_BYTES = 4 + MAX_HEAD_BYTES + MAX_DATA_BYTES;

export interface FileHeaderInfo {
  /** The transcript file an imported session came from. */
  importedFrom?: string;
}

/** Over version, length and JSON: everything in the header but the magic and the CRC itself. */
function headerCrc(header: Buffer): number {
  return crc32(header.subarray(FILE_HEADER_FIXED_BYTES), crc32(header.subarray(MAGIC.byteLength, 12)));
}

export function encodeFileHeader(info: FileHeaderInfo): Buffer {
  const json: FileHeaderInfo = {};
  // A file name is all it holds; cut a very long one so the header stays small.
  if (info.importedFrom !== undefined) json.importedFrom = info.importedFrom.slice(0, 255);
  const body = Buffer.from(JSON.stringify(json), 'utf8');
  const header = Buffer.alloc(FILE_HEADER_FIXED_BYTES + body.byteLength);
  MAGIC.copy(header, 0);
  header.writeUInt16LE(FORMAT_VERSION, 8);
  header.writeUInt16LE(header.byteLength, 10);
  body.copy(header, FILE_HEADER_FIXED_BYTES);
  header.writeUInt32LE(headerCrc(header), 12);
  return header;
}

export type FileHeaderCheck =
  | { kind: 'ok'; length: number; info: FileHeaderInfo }
  /** Too short to hold a header whose start matches: empty, or cut before its header was complete. */
  | { kind: 'missing' }
  /** Not a journal at all. */
  | { kind: 'foreign' }
  /** A journal written by a newer version of the lab. */
  | { kind: 'newer'; version: number }
  /** Our magic, but the rest of the header is damaged: the records after it may still be good. */
  | { kind: 'damaged' };

/** Checks the first bytes of a file (at least MAX_FILE_HEADER_BYTES of it, or the whole file when shorter). */
export function checkFileHeader(start: Uint8Array): FileHeaderCheck {
  const bytes = Buffer.from(start.buffer, start.byteOffset, start.byteLength);
  const magicLength = Math.min(bytes.byteLength, MAGIC.byteLength);
  if (!bytes.subarray(0, magicLength).equals(MAGIC.subarray(0, magicLength))) return { kind: 'foreign' };
  if (bytes.byteLength < FILE_HEADER_FIXED_BYTES) return { kind: 'missing' };
  const version = bytes.readUInt16LE(8);
  const length = bytes.readUInt16LE(10);
  if (length < FILE_HEADER_FIXED_BYTES || length > MAX_FILE_HEADER_BYTES) return { kind: 'damaged' };
  if (bytes.byteLength < length) return { kind: 'missing' };
  if (headerCrc(bytes.subarray(0, length)) !== bytes.readUInt32LE(12)) return { kind: 'damaged' };
  if (version > FORMAT_VERSION) return { kind: 'newer', version };
  if (version < 1) return { kind: 'damaged' };
  let info: FileHeaderInfo = {};
  try {
    const parsed: unknown = JSON.parse(bytes.subarray(FILE_HEADER_FIXED_BYTES, length).toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const importedFrom = (parsed as Record<string, unknown>).importedFrom;
      if (typeof importedFrom === 'string') info = { importedFrom };
    }
  } catch {
    return { kind: 'damaged' };
  }
  return { kind: 'ok', length, info };
}

/** Bytes a record of `payloadLength` takes when it starts at file offset `position` (headers and padding too). */
export function framedSize(position: number, payloadLength: number): number {
  let at = position;
  let remaining = payloadLength;
  let first = true;
  while (first || remaining > 0) {
    const left = BLOCK_BYTES - (at % BLOCK_BYTES);
    if (left < FRAGMENT_HEADER_BYTES) {
      at += left;
      continue;
    }
    const length = Math.min(remaining, left - FRAGMENT_HEADER_BYTES);
    at += FRAGMENT_HEADER_BYTES + length;
    remaining -= length;
    first = false;
  }
  return at - position;
}

/** The JSON head of an entry (with its 4-byte length in front) and the raw bytes of a data event. */
export interface EncodedEntry {
  head: Buffer;
  bytes: Uint8Array;
}

const NO_BYTES: Uint8Array = new Uint8Array(0);

/** A data event's head: every field but its bytes. */
type DataHead = Omit<DataEvent, 'bytes'>;

/**
 * The JSON head of a data event's entry, as JSON.stringify would write it. One is made per socket read, so it is
 * written out by hand: JSON.stringify of the entry (after a rest-spread copy of the event without its bytes) cost
 * about 10% of bench:journal's throughput. `satisfies` names every field of DataHead: a field added to DataEvent
 * and not written here fails to compile, so the head can never leave one out.
 */
function dataHeadJson(entryT: number, event: DataEvent): string {
  const { id, t, type, dir, offset } = event;
  const head = { id, t, type, dir, offset } satisfies Record<keyof DataHead, unknown>;
  // Numbers print as JSON prints them only when finite (JSON writes null for the rest): leave those to it.
  if (!Number.isFinite(entryT) || !Number.isFinite(t) || !Number.isFinite(offset)) {
    return JSON.stringify({ kind: 'event', t: entryT, event: head });
  }
  return `{"kind":"event","t":${entryT},"event":{"id":${JSON.stringify(id)},"t":${t},"type":"${type}","dir":"${dir}","offset":${offset}}}`;
}

/** Encodes the head only; a data event's bytes are kept by reference, never copied here. */
export function encodeEntry(entry: SessionEntry): EncodedEntry {
  let json: string;
  let bytes = NO_BYTES;
  if (entry.kind === 'event' && entry.event.type === 'data') {
    json = dataHeadJson(entry.t, entry.event);
    bytes = entry.event.bytes;
  } else if (entry.kind === 'event' && entry.event.type === 'wire') {
    // TLS records as they crossed the wire go raw after the head too, never as JSON.
    const { bytes: data, ...event } = entry.event;
    bytes = data;
    json = JSON.stringify({ ...entry, event });
  } else {
    json = JSON.stringify(entry);
  }
  const jsonLength = Buffer.byteLength(json, 'utf8');
  const head = Buffer.allocUnsafe(4 + jsonLength);
  head.writeUInt32LE(jsonLength, 0);
  head.write(json, 4, 'utf8');
  return { head, bytes };
}

const ENTRY_KINDS = new Set(['start', 'event', 'unsaved', 'journal-full', 'slow-mode', 'progress', 'end']);

/**
 * Decodes one record's payload; undefined when it is not an entry (a damaged or foreign record). A data event's bytes
 * are a copy of their own, unless `borrow`: then a view into `payload`, for a caller done with it before `payload`
 * changes.
 */
export function decodeEntry(payload: Uint8Array, borrow = false): SessionEntry | undefined {
  if (payload.byteLength < 4) return undefined;
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const jsonLength = view.readUInt32LE(0);
  if (jsonLength > payload.byteLength - 4) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(view.toString('utf8', 4, 4 + jsonLength));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const entry = parsed as Record<string, unknown>;
  if (typeof entry.kind !== 'string' || !ENTRY_KINDS.has(entry.kind) || typeof entry.t !== 'number') return undefined;
  const rest = payload.subarray(4 + jsonLength);
  if (entry.kind === 'event') {
    const event = entry.event as Record<string, unknown> | null;
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return undefined;
    if (event.type === 'data' || event.type === 'wire') {
      // A copy of its own: the reader's buffer is reused for the next block.
      event.bytes = borrow ? rest : new Uint8Array(rest);
      return parsed as SessionEntry;
    }
  }
  return rest.byteLength === 0 ? (parsed as SessionEntry) : undefined;
}

/** CRC32 (IEEE) of each byte value, for fragmentHeaderCrc. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * The CRC32 of a fragment's header bytes 4..10 (length, type, sequence number), where its CRC starts; continue it
 * over the payload with `crc32(part, value)`. Computed here from the three numbers: a call into zlib for 7 bytes costs
 * more than the table, and the writer makes one for every fragment.
 */
export function fragmentHeaderCrc(length: number, type: number, seq: number): number {
  let c = 0xffffffff;
  const byte = (value: number): void => {
    c = (CRC_TABLE[(c ^ value) & 0xff] as number) ^ (c >>> 8);
  };
  byte(length);
  byte(length >>> 8);
  byte(type);
  byte(seq);
  byte(seq >>> 8);
  byte(seq >>> 16);
  byte(seq >>> 24);
  return (c ^ 0xffffffff) >>> 0;
}
