/**
 * The entries of a `.socketlab` file, checked one at a time: each must be a SessionEntry exactly (types, ranges,
 * base64, sizes), and together they must make a session (one start first, nothing after the end, every
 * connection opened by `resolving`, data offsets that follow on). Fields this version does not know are left out
 * of the entry, so a later Socket Lab may add some without breaking this one. Pure functions and one small class.
 *
 * A TLS connection (its `resolving` says `"tls": true`) has two streams each way: `wire` events hold the bytes as
 * they crossed the TCP socket, `data` events the plain bytes inside TLS, each with offsets of its own. The file does
 * not carry a wire event's records: SessionSequence works them out again from the bytes with the same splitter the
 * hub uses (one per connection, fed in order), so a file cannot say records that its bytes do not hold.
 */
import type {
  ConnectionId,
  Endpoint,
  LabEvent,
  LabProgress,
  Route,
  TlsCertificateInfo,
  TlsSessionInfo,
  TlsTrust,
  Transport,
} from '../../../shared/contract';
import { isErrorCode } from '../../../shared/errors';
import { LIMITS } from '../../../shared/limits';
import { validateSlowMode } from '../../../shared/slowMode';
import { TlsRecordSplitter } from '../../../shared/tlsRecords';
import type { SessionEntry } from '../../../shared/transcript';
import { validateProgress } from '../progress';
import { validateConnectionId } from '../validation';
import { bytesInWords, count, shown } from './wording';

/** Session times and durations: milliseconds, at most about 31 years. */
const MAX_T = 1e12;
/** Wall clock: the largest time a JavaScript Date holds. */
const MAX_WALL_CLOCK = 8.64e15;
const MAX_ADDRESSES = 100;
const MAX_ADDRESS_LENGTH = 100;
const MAX_NAME_LENGTH = 200;
const MAX_SESSION_ID_LENGTH = 128;
const MAX_VERSION_LENGTH = 64;
/** A TLS protocol, cipher or ALPN name (`TLSv1.3`, `TLS_AES_256_GCM_SHA384`, `http/1.1`); ALPN allows 255 bytes. */
const MAX_TLS_NAME_LENGTH = 255;
/** One line of a certificate (a subject, an issuer, one alternative name). */
const MAX_CERTIFICATE_TEXT = 4096;
/** Names in one certificate: a learner's sites have a few, a big CDN's certificate some hundreds. */
const MAX_ALT_NAMES = 10_000;
/** Hex digits of a serial number: RFC 5280 allows 20 bytes; some certificates in use have more. */
const MAX_SERIAL_DIGITS = 256;
/** Distinct connections in one session; a learner's session has dozens, a script's loop thousands. */
export const MAX_CONNECTIONS = 100_000;

export type EntryCheck = { ok: true; entry: SessionEntry } | { ok: false; problem: string };

/** Thrown only inside this module, so a deep check reads as a list of fields; entryFromJson turns it into data. */
class Problem {
  constructor(readonly words: string) {}
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(record: Json, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

/** Field readers: each returns the value or throws a Problem that names the field and says what it must be. */
class Fields {
  constructor(
    readonly record: Json,
    readonly where: string,
  ) {}

  label(name: string): string {
    return this.where ? `${this.where}'s "${name}"` : `its "${name}"`;
  }

  has(name: string): boolean {
    return own(this.record, name) !== undefined;
  }

  #present(name: string): unknown {
    const value = own(this.record, name);
    if (value === undefined) throw new Problem(`${this.label(name)} is missing`);
    return value;
  }

  text(name: string, min: number, max: number): string {
    const value = this.#present(name);
    if (typeof value !== 'string') throw new Problem(`${this.label(name)} must be text, not ${shown(value)}`);
    if (value.length < min) throw new Problem(`${this.label(name)} is empty`);
    if (value.length > max) {
      throw new Problem(`${this.label(name)} is ${count(value.length)} characters long; at most ${count(max)} fit`);
    }
    return value;
  }

  optionalText(name: string, min: number, max: number): string | undefined {
    return this.has(name) ? this.text(name, min, max) : undefined;
  }

  integer(name: string, min: number, max: number): number {
    const value = this.#present(name);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Problem(
        `${this.label(name)} must be a whole number from ${count(min)} to ${count(max)}, not ${shown(value)}`,
      );
    }
    return value;
  }

  time(name: string): number {
    const value = this.#present(name);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_T) {
      throw new Problem(`${this.label(name)} must be a number of milliseconds from 0 up, not ${shown(value)}`);
    }
    return value === 0 ? 0 : value; // -0 is 0
  }

  choice<T extends string>(name: string, choices: readonly T[]): T {
    const value = this.#present(name);
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      throw new Problem(`${this.label(name)} must be ${orList(choices)}, not ${shown(value)}`);
    }
    return value as T;
  }

  boolean(name: string): boolean {
    const value = this.#present(name);
    if (typeof value !== 'boolean') throw new Problem(`${this.label(name)} must be true or false, not ${shown(value)}`);
    return value;
  }

  /** A name such as `TLSv1.3` or `TLS_AES_256_GCM_SHA384`: printable ASCII without spaces. */
  token(name: string, max: number, example: string): string {
    const value = this.text(name, 1, max);
    if (!/^[!-~]+$/.test(value)) {
      throw new Problem(`${this.label(name)} must be a name like "${example}" (no spaces), not ${shown(value)}`);
    }
    return value;
  }

  /** Text that must match `pattern`; `like` says in words what it looks like. */
  matching(name: string, max: number, pattern: RegExp, like: string): string {
    const value = this.text(name, 1, max);
    if (!pattern.test(value)) throw new Problem(`${this.label(name)} must be ${like}, not ${shown(value)}`);
    return value;
  }

  /** A list of texts. */
  texts(name: string, maxItems: number, maxLength: number): string[] {
    const value = this.#present(name);
    if (!Array.isArray(value) || value.length > maxItems) {
      throw new Problem(`${this.label(name)} must be a list of at most ${count(maxItems)} texts, not ${shown(value)}`);
    }
    return value.map((item: unknown, index) => {
      if (typeof item !== 'string' || item.length === 0 || item.length > maxLength) {
        throw new Problem(
          `item ${count(index + 1)} of ${this.label(name)} must be text of 1 to ${count(maxLength)} characters, not ${shown(item)}`,
        );
      }
      return item;
    });
  }

  /** Present, and null. */
  isNull(name: string): boolean {
    return this.#present(name) === null;
  }

  object(name: string): Fields {
    const value = this.#present(name);
    if (!isObject(value)) throw new Problem(`${this.label(name)} must be an object, not ${shown(value)}`);
    return new Fields(value, this.where ? `${this.where}'s "${name}"` : `its "${name}"`);
  }

  raw(name: string): unknown {
    return this.#present(name);
  }
}

function orList(choices: readonly string[]): string {
  const quoted = choices.map((choice) => `"${choice}"`);
  return quoted.length <= 2 ? quoted.join(' or ') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

const ENTRY_KINDS = ['start', 'event', 'unsaved', 'journal-full', 'slow-mode', 'progress', 'end'] as const;
const EVENT_TYPES = [
  'resolving',
  'resolved',
  'connecting',
  'connected',
  'data',
  'peer-ended',
  'local-ended',
  'closed',
  'error',
  'wire',
  'tls',
] as const;
const ROUTES: readonly Route[] = ['lab', 'internet'];
const TRANSPORTS: readonly Transport[] = ['electron', 'web'];
const DIRECTIONS = ['in', 'out'] as const;
const CLOSED_BY = ['local', 'peer', 'error', 'abort'] as const;
const FAMILIES = ['IPv4', 'IPv6'] as const;

/** The base64 alphabet only (RFC 4648 section 4); isBase64 adds the padding rules. */
const BASE64_BODY = /^[A-Za-z0-9+/]*$/;
const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Canonical base64: whole groups of four characters of the alphabet, the last group perhaps `xx==` or `xxx=`. The
 * same language as /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, checked as a plain character
 * class, which is several times quicker over a long text than the groups were.
 */
function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return BASE64_BODY.test(pad === 0 ? text : text.slice(0, -pad));
}

/** Bytes from canonical base64, or a Problem that says where it breaks. */
export function bytesFromBase64(text: string, label: string): Uint8Array {
  if (!isBase64(text)) {
    const bad = [...text].findIndex((char) => !BASE64_DIGITS.includes(char) && char !== '=');
    if (bad !== -1) {
      throw new Problem(`${label} are not valid base64: character ${count(bad + 1)} is ${shown(text[bad])}`);
    }
    throw new Problem(
      text.length % 4 !== 0
        ? `${label} are not valid base64: ${count(text.length)} characters is not a whole number of groups of four`
        : `${label} are not valid base64: "=" may only pad the end`,
    );
  }
  // The bits a padded last group does not use must be zero, or two different texts would mean the same bytes.
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (pad > 0) {
    const last = BASE64_DIGITS.indexOf(text[text.length - pad - 1] as string);
    if ((pad === 2 && (last & 0x0f) !== 0) || (pad === 1 && (last & 0x03) !== 0)) {
      throw new Problem(`${label} are not valid base64: the last group has stray bits`);
    }
  }
  // A copy with its own memory: Buffer.from may return a slice of a shared pool, which must not travel on.
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function endpoint(fields: Fields, name: string): Endpoint {
  const part = fields.object(name);
  return {
    address: part.text('address', 1, MAX_ADDRESS_LENGTH),
    port: part.integer('port', 1, 65535),
    family: part.choice('family', FAMILIES),
  };
}

function connectionId(fields: Fields): ConnectionId {
  const value = fields.raw('id');
  const checked = validateConnectionId(value);
  if (!checked.ok) {
    throw new Problem(`its connection "id" must be 1 to 64 letters, digits or hyphens, not ${shown(value)}`);
  }
  return checked.value;
}

function eventFrom(fields: Fields, maxText: number): LabEvent {
  const type = fields.choice('type', EVENT_TYPES);
  // Written out field by field rather than spread from a base: spreading costs more than all the checks.
  const id = connectionId(fields);
  const t = fields.time('t');
  switch (type) {
    case 'resolving': {
      const event: LabEvent = {
        type,
        id,
        t,
        host: fields.text('host', 1, LIMITS.maxHostLength),
        port: fields.integer('port', 1, 65535),
        route: fields.choice('route', ROUTES),
      };
      if (fields.has('tls')) event.tls = trueFlag(fields, 'tls', 'the learner asked for TLS');
      return event;
    }
    case 'resolved': {
      const addresses = fields.raw('addresses');
      if (!Array.isArray(addresses) || addresses.length > MAX_ADDRESSES) {
        throw new Problem(`its "addresses" must be a list of at most ${MAX_ADDRESSES} addresses`);
      }
      addresses.forEach((address, index) => {
        if (typeof address !== 'string' || address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
          throw new Problem(`address ${index + 1} of its "addresses" must be text, not ${shown(address)}`);
        }
      });
      return {
        type,
        id,
        t,
        addresses: [...(addresses as string[])],
        chosen: fields.text('chosen', 1, MAX_ADDRESS_LENGTH),
      };
    }
    case 'connecting': {
      const event: LabEvent = {
        type,
        id,
        t,
        address: fields.text('address', 1, MAX_ADDRESS_LENGTH),
        port: fields.integer('port', 1, 65535),
        route: fields.choice('route', ROUTES),
      };
      const answeredBy = fields.optionalText('answeredBy', 1, MAX_NAME_LENGTH);
      if (answeredBy !== undefined) event.answeredBy = answeredBy;
      return event;
    }
    case 'connected': {
      const event: LabEvent = {
        type,
        id,
        t,
        local: endpoint(fields, 'local'),
        remote: endpoint(fields, 'remote'),
        route: fields.choice('route', ROUTES),
        elapsedMs: fields.time('elapsedMs'),
      };
      const answeredBy = fields.optionalText('answeredBy', 1, MAX_NAME_LENGTH);
      if (answeredBy !== undefined) event.answeredBy = answeredBy;
      return event;
    }
    case 'data':
    case 'wire': {
      const dir = fields.choice('dir', DIRECTIONS);
      const offset = fields.integer('offset', 0, Number.MAX_SAFE_INTEGER);
      const text = fields.raw('bytes');
      if (typeof text !== 'string') throw new Problem(`its "bytes" must be base64 text, not ${shown(text)}`);
      const bytes = bytesFromBase64(text, 'its "bytes"');
      if (bytes.byteLength === 0) {
        throw new Problem(`its "bytes" are empty: a ${type} event carries at least one byte`);
      }
      // A wire event's records are worked out from its bytes by SessionSequence, never taken from the file.
      return type === 'data' ? { type, id, t, dir, offset, bytes } : { type, id, t, dir, offset, bytes, records: [] };
    }
    case 'tls':
      return { type, id, t, ...tlsSessionFrom(fields, maxText) };
    case 'peer-ended':
    case 'local-ended':
      return { type, id, t };
    case 'closed':
      return { type, id, t, by: fields.choice('by', CLOSED_BY) };
    case 'error': {
      const code = fields.raw('code');
      if (!isErrorCode(code)) throw new Problem(`its error "code" ${shown(code)} is not one Socket Lab knows`);
      const event: LabEvent = {
        type,
        id,
        t,
        code,
        message: fields.text('message', 0, maxText),
        hint: fields.text('hint', 0, maxText),
      };
      const detail = fields.optionalText('detail', 0, maxText);
      if (detail !== undefined) event.detail = detail;
      return event;
    }
  }
}

/** A flag that is either left out or `true` (the contract's `tls?: true`, `wire?: true`). */
function trueFlag(fields: Fields, name: string, meaning: string): true {
  const value = fields.raw(name);
  if (value !== true) {
    throw new Problem(`its "${name}" must be true (${meaning}) or left out, not ${shown(value)}`);
  }
  return true;
}

/** `2026-11-30T14:02:00.000Z`, exactly as Date's toISOString writes it (which is what Socket Lab writes). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** OpenSSL's text for a certificate time, kept when it could not be read: `Dec  1 08:00:00 2026 GMT`. */
const OPENSSL_TIME =
  /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{1,4}(?: GMT)?$/;
const SHA256_FINGERPRINT = /^[0-9A-F]{2}(?::[0-9A-F]{2}){31}$/;
const SERIAL_NUMBER = new RegExp(`^-?[0-9A-F]{1,${MAX_SERIAL_DIGITS}}$`);

/** A certificate's validFrom or validTo: an ISO time that is a real date, or OpenSSL's own text for it. */
function certificateTime(fields: Fields, name: string): string {
  const value = fields.text(name, 1, 64);
  if (ISO_UTC.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && new Date(ms).toISOString() === value) return value;
  } else if (OPENSSL_TIME.test(value)) {
    return value;
  }
  throw new Problem(
    `${fields.label(name)} must be a date and time like "2026-11-30T14:02:00.000Z" (or OpenSSL's text, like "Dec  1 08:00:00 2026 GMT"), not ${shown(value)}`,
  );
}

function certificateFrom(fields: Fields): TlsCertificateInfo {
  const certificate: TlsCertificateInfo = {
    subject: fields.text('subject', 0, MAX_CERTIFICATE_TEXT),
    issuer: fields.text('issuer', 0, MAX_CERTIFICATE_TEXT),
    validFrom: certificateTime(fields, 'validFrom'),
    validTo: certificateTime(fields, 'validTo'),
    sha256: fields.matching(
      'sha256',
      95,
      SHA256_FINGERPRINT,
      '32 pairs of uppercase hex digits joined by colons, as openssl prints a SHA-256 fingerprint',
    ),
    altNames: fields.texts('altNames', MAX_ALT_NAMES, MAX_CERTIFICATE_TEXT),
    serialNumber: fields.matching(
      'serialNumber',
      MAX_SERIAL_DIGITS + 1,
      SERIAL_NUMBER,
      'a serial number in uppercase hex digits',
    ),
    selfSigned: fields.boolean('selfSigned'),
  };
  const publicKey = fields.optionalText('publicKey', 1, MAX_NAME_LENGTH);
  if (publicKey !== undefined) certificate.publicKey = publicKey;
  return certificate;
}

function trustFrom(fields: Fields, maxText: number): TlsTrust {
  const trust: TlsTrust = {
    trusted: fields.boolean('trusted'),
    labCertificate: fields.boolean('labCertificate'),
    why: fields.text('why', 1, maxText),
  };
  // Node's verify code, or (when it gave none) its message.
  const code = fields.optionalText('code', 1, MAX_CERTIFICATE_TEXT);
  if (code !== undefined) trust.code = code;
  return trust;
}

/** A `tls` event's facts: what the handshake settled, the certificate, and whether it is trusted. */
function tlsSessionFrom(fields: Fields, maxText: number): TlsSessionInfo {
  const info: TlsSessionInfo = {
    protocol: fields.token('protocol', MAX_TLS_NAME_LENGTH, 'TLSv1.3'),
    cipher: fields.token('cipher', MAX_TLS_NAME_LENGTH, 'TLS_AES_256_GCM_SHA384'),
    cipherOpenSsl: fields.token('cipherOpenSsl', MAX_TLS_NAME_LENGTH, 'TLS_AES_256_GCM_SHA384'),
    alpn: fields.isNull('alpn') ? null : fields.token('alpn', MAX_TLS_NAME_LENGTH, 'http/1.1'),
    serverName: fields.isNull('serverName') ? null : fields.text('serverName', 1, LIMITS.maxHostLength),
    certificate: fields.isNull('certificate') ? null : certificateFrom(fields.object('certificate')),
    trust: trustFrom(fields.object('trust'), maxText),
    handshakeMs: fields.time('handshakeMs'),
  };
  if (info.trust.labCertificate && info.certificate === null) {
    throw new Problem('its "trust" says the certificate is the one Socket Lab made, but it has no "certificate"');
  }
  return info;
}

function entryOf(fields: Fields, maxText: number): SessionEntry {
  const kind = fields.choice('kind', ENTRY_KINDS);
  const t = fields.time('t');
  switch (kind) {
    case 'start': {
      if (t !== 0) throw new Problem(`a start entry is at time 0, not ${t}`);
      const startedAt = fields.raw('startedAt');
      if (typeof startedAt !== 'number' || !Number.isFinite(startedAt) || startedAt < 0 || startedAt > MAX_WALL_CLOCK) {
        throw new Problem(`its "startedAt" must be milliseconds since 1970, not ${shown(startedAt)}`);
      }
      return {
        kind,
        t: 0,
        sessionId: fields.text('sessionId', 1, MAX_SESSION_ID_LENGTH),
        startedAt,
        appVersion: fields.text('appVersion', 1, MAX_VERSION_LENGTH),
        transport: fields.choice('transport', TRANSPORTS),
        platform: fields.text('platform', 1, MAX_VERSION_LENGTH),
      };
    }
    case 'event': {
      const event = fields.raw('event');
      if (!isObject(event)) throw new Problem(`its "event" must be an object, not ${shown(event)}`);
      return { kind, t, event: eventFrom(new Fields(event, ''), maxText) };
    }
    case 'unsaved': {
      const entry: SessionEntry = {
        kind,
        t,
        id: connectionId(fields),
        dir: fields.choice('dir', DIRECTIONS),
        offset: fields.integer('offset', 0, Number.MAX_SAFE_INTEGER),
        length: fields.integer('length', 1, Number.MAX_SAFE_INTEGER),
      };
      if (fields.has('wire')) entry.wire = trueFlag(fields, 'wire', "the bytes were a TLS connection's records");
      if (fields.has('damaged')) {
        entry.damaged = trueFlag(fields, 'damaged', "the journal's record of these bytes was damaged");
      }
      return entry;
    }
    case 'journal-full':
      return { kind, t, limitBytes: fields.integer('limitBytes', 1, Number.MAX_SAFE_INTEGER) };
    case 'slow-mode': {
      const checked = validateSlowMode(fields.raw('slow'));
      if (!checked.ok) throw new Problem(lowerFirst(checked.error.message.replace(/\.$/, '')));
      return { kind, t, slow: checked.value };
    }
    case 'progress': {
      const checked = validateProgress(fields.raw('progress'));
      if (!checked.ok) throw new Problem(lowerFirst(checked.error.message.replace(/\.$/, '')));
      return { kind, t, progress: checked.value };
    }
    case 'end':
      return { kind, t };
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** One entry as parsed JSON -> a SessionEntry, or what is wrong with it in plain words. */
export function entryFromJson(raw: unknown, maxText: number = LIMITS.maxSendBytes): EntryCheck {
  if (!isObject(raw)) return { ok: false, problem: `it must be an object, not ${shown(raw)}` };
  try {
    return { ok: true, entry: entryOf(new Fields(raw, ''), maxText) };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.words };
    throw error;
  }
}

/** RFC 3339 date and time, as JSON Schema's "date-time" format has it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Wall-clock milliseconds of an RFC 3339 date-time text, or a Problem. */
function dateTime(fields: Fields, name: string): number {
  const value = fields.raw(name);
  const ms = typeof value === 'string' && DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new Problem(`its "${name}" must be a date and time like "2026-11-30T14:02:00.000Z", not ${shown(value)}`);
  }
  return ms;
}

/** The parts of a file's header this version reads, checked; `format` and `version` the reader checks itself. */
export interface SocketlabHeader {
  app: { name: string; version: string };
  savedAt: string;
  session: { id: string; startedAt: number; transport: Transport; platform: string; endedCleanly: boolean };
  progress: LabProgress | null;
  /** `wireBytes` is written only when the session has TLS connections' wire bytes. */
  totals: { entries: number; dataBytes: number; wireBytes?: number };
}

export type HeaderPart = keyof SocketlabHeader;
export const HEADER_PARTS: readonly HeaderPart[] = ['app', 'savedAt', 'session', 'progress', 'totals'];

export type HeaderCheck<K extends HeaderPart> =
  { ok: true; value: SocketlabHeader[K] } | { ok: false; problem: string };

function headerPartOf(part: HeaderPart, raw: unknown): SocketlabHeader[HeaderPart] {
  if (part === 'savedAt') {
    dateTime(new Fields({ savedAt: raw }, ''), 'savedAt');
    return raw as string;
  }
  if (part === 'progress') {
    if (raw === null) return null;
    const checked = validateProgress(raw);
    if (!checked.ok) throw new Problem(lowerFirst(checked.error.message.replace(/\.$/, '')));
    return checked.value;
  }
  if (!isObject(raw)) throw new Problem(`it must be an object, not ${shown(raw)}`);
  const fields = new Fields(raw, '');
  switch (part) {
    case 'app':
      return { name: fields.text('name', 1, MAX_NAME_LENGTH), version: fields.text('version', 1, MAX_VERSION_LENGTH) };
    case 'session': {
      const endedCleanly = fields.raw('endedCleanly');
      if (typeof endedCleanly !== 'boolean') {
        throw new Problem(`its "endedCleanly" must be true or false, not ${shown(endedCleanly)}`);
      }
      return {
        id: fields.text('id', 1, MAX_SESSION_ID_LENGTH),
        startedAt: dateTime(fields, 'startedAt'),
        transport: fields.choice('transport', TRANSPORTS),
        platform: fields.text('platform', 1, MAX_VERSION_LENGTH),
        endedCleanly,
      };
    }
    case 'totals': {
      const totals: SocketlabHeader['totals'] = {
        entries: fields.integer('entries', 0, Number.MAX_SAFE_INTEGER),
        dataBytes: fields.integer('dataBytes', 0, Number.MAX_SAFE_INTEGER),
      };
      if (fields.has('wireBytes')) totals.wireBytes = fields.integer('wireBytes', 0, Number.MAX_SAFE_INTEGER);
      return totals;
    }
  }
}

/** One part of the header as parsed JSON, checked. */
export function headerPartFromJson<K extends HeaderPart>(part: K, raw: unknown): HeaderCheck<K> {
  try {
    return { ok: true, value: headerPartOf(part, raw) as SocketlabHeader[K] };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.words };
    throw error;
  }
}

interface Offsets {
  in: number;
  out: number;
}

/** A TLS connection's second layer, as far as the entries so far go. */
interface TlsStreams {
  /** The offset the next wire (or unsaved wire) entry must start at, per direction. */
  next: Offsets;
  /** Names the records; let go once the connection closes. */
  splitter: TlsRecordSplitter | null;
  /** Wire bytes went unsaved in this direction: where the records after them begin cannot be known. */
  lost: { in: boolean; out: boolean };
  secured: boolean;
}

interface ConnectionState {
  number: number;
  /** The offset the next data (or unsaved) entry must start at, per direction: inside TLS on a TLS connection. */
  next: Offsets;
  closed: boolean;
  /** Null unless its `resolving` asked for TLS. */
  tls: TlsStreams | null;
}

/** One stream of a connection, as a message names it. */
interface Stream {
  offsets: Offsets;
  /** `received bytes`, `TLS records received (the bytes on the wire)`. */
  words: (dir: 'in' | 'out') => string;
}

const DIRECTION_WORDS = { in: 'received', out: 'sent' } as const;
const PLAIN_WORDS = (dir: 'in' | 'out'): string => `${DIRECTION_WORDS[dir]} bytes`;
const INSIDE_TLS_WORDS = (dir: 'in' | 'out'): string => `${DIRECTION_WORDS[dir]} bytes inside TLS`;
const WIRE_WORDS = (dir: 'in' | 'out'): string => `TLS records ${DIRECTION_WORDS[dir]} (the bytes on the wire)`;

/**
 * The rules that hold between entries. `add` returns what is wrong, in plain words, or undefined; on a `wire` event
 * it also fills in the records, from the bytes (after unsaved wire bytes in that direction: none, as they cannot be
 * known).
 */
export class SessionSequence {
  readonly #connections = new Map<ConnectionId, ConnectionState>();
  #entries = 0;
  #ended = false;
  #journalFull = false;
  #dataBytes = 0;
  #wireBytes = 0;
  #start: Extract<SessionEntry, { kind: 'start' }> | null = null;

  get start(): Extract<SessionEntry, { kind: 'start' }> | null {
    return this.#start;
  }

  get entries(): number {
    return this.#entries;
  }

  /** Plain data bytes (inside TLS on a TLS connection), both directions, every connection. */
  get dataBytes(): number {
    return this.#dataBytes;
  }

  /** Bytes of TLS connections' wire events, both directions. */
  get wireBytes(): number {
    return this.#wireBytes;
  }

  get ended(): boolean {
    return this.#ended;
  }

  add(entry: SessionEntry): string | undefined {
    const first = this.#entries === 0;
    this.#entries += 1;
    if (first && entry.kind !== 'start') {
      return `it is a "${entry.kind}" entry, but a session's first entry is its "start"`;
    }
    if (this.#ended) return 'it comes after the session\'s "end" entry, and nothing may';
    switch (entry.kind) {
      case 'start':
        if (!first) return 'it is a second "start" entry; a session has one, first';
        this.#start = entry;
        return undefined;
      case 'end':
        this.#ended = true;
        return undefined;
      case 'journal-full':
        if (this.#journalFull) return 'it is a second "journal-full" entry; the journal fills up once';
        this.#journalFull = true;
        return undefined;
      case 'unsaved':
        return this.#unsaved(entry);
      case 'event':
        return this.#event(entry.event);
      case 'slow-mode':
      case 'progress':
        return undefined;
    }
  }

  #unsaved(entry: Extract<SessionEntry, { kind: 'unsaved' }>): string | undefined {
    const conn = this.#connections.get(entry.id);
    if (!conn) return `it is unsaved data of connection ${shown(entry.id)}, which never started`;
    if (!entry.wire)
      return this.#follows(conn, this.#plain(conn), entry.dir, entry.offset, entry.length, 'unsaved data');
    if (!conn.tls) return notTls(conn, 'unsaved wire bytes');
    const problem = this.#follows(conn, wireStream(conn.tls), entry.dir, entry.offset, entry.length, 'unsaved data');
    if (problem === undefined) conn.tls.lost[entry.dir] = true;
    return problem;
  }

  #plain(conn: ConnectionState): Stream {
    return { offsets: conn.next, words: conn.tls ? INSIDE_TLS_WORDS : PLAIN_WORDS };
  }

  #event(event: LabEvent): string | undefined {
    if (event.type === 'resolving') {
      if (this.#connections.has(event.id)) return `connection ${shown(event.id)} starts a second time`;
      if (this.#connections.size >= MAX_CONNECTIONS) {
        return `it opens connection number ${count(MAX_CONNECTIONS + 1)}, more than Socket Lab opens in one session`;
      }
      this.#connections.set(event.id, {
        number: this.#connections.size + 1,
        next: { in: 0, out: 0 },
        closed: false,
        tls: event.tls
          ? {
              next: { in: 0, out: 0 },
              splitter: new TlsRecordSplitter(),
              lost: { in: false, out: false },
              secured: false,
            }
          : null,
      });
      return undefined;
    }
    const conn = this.#connections.get(event.id);
    if (!conn) {
      return `it is a "${event.type}" event of connection ${shown(event.id)}, which never started (its first event must be "resolving")`;
    }
    if (conn.closed) return `it is a "${event.type}" event of connection #${conn.number}, after that connection closed`;
    switch (event.type) {
      case 'closed':
        conn.closed = true;
        // Nothing more comes on it: the splitter's memory can go.
        if (conn.tls) conn.tls.splitter = null;
        return undefined;
      case 'data': {
        const problem = this.#follows(conn, this.#plain(conn), event.dir, event.offset, event.bytes.byteLength, 'data');
        if (problem === undefined) this.#dataBytes += event.bytes.byteLength;
        return problem;
      }
      case 'wire': {
        const tls = conn.tls;
        if (!tls) return notTls(conn, 'a "wire" event');
        const length = event.bytes.byteLength;
        const problem = this.#follows(conn, wireStream(tls), event.dir, event.offset, length, 'wire event');
        if (problem !== undefined) return problem;
        this.#wireBytes += length;
        const records = tls.splitter?.push(event.dir, event.bytes) ?? [];
        event.records = tls.lost[event.dir] ? [] : records;
        return undefined;
      }
      case 'tls':
        if (!conn.tls) return notTls(conn, 'a "tls" event');
        if (conn.tls.secured) return `it is a second "tls" event of connection #${conn.number}; TLS is set up once`;
        conn.tls.secured = true;
        return undefined;
      default:
        return undefined;
    }
  }

  #follows(
    conn: ConnectionState,
    stream: Stream,
    dir: 'in' | 'out',
    offset: number,
    length: number,
    what: string,
  ): string | undefined {
    const expected = stream.offsets[dir];
    if (offset !== expected) {
      return (
        `it does not follow on: connection #${conn.number}'s ${stream.words(dir)} should go on at byte ` +
        `${count(expected)}, but this ${what} starts at byte ${count(offset)}` +
        (offset > expected ? ` (${bytesInWords(offset - expected)} are missing)` : '')
      );
    }
    if (offset + length > Number.MAX_SAFE_INTEGER) return `its ${what} runs past the largest offset a file can hold`;
    stream.offsets[dir] = offset + length;
    return undefined;
  }
}

function wireStream(tls: TlsStreams): Stream {
  return { offsets: tls.next, words: WIRE_WORDS };
}

function notTls(conn: ConnectionState, what: string): string {
  return `it is ${what} of connection #${conn.number}, which did not ask for TLS (its "resolving" event has no "tls": true)`;
}
