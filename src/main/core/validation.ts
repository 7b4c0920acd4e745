/**
 * Boundary checks for socket commands: everything that arrives from the renderer or the web host is `unknown`
 * until one of these says otherwise. Pure functions; errors are data, in plain words, with a hint.
 */
import { isIP } from 'node:net';
import { excerpt, isPlainObject, shown } from '../../shared/boundary';
import type { ConnectRequest, ConnectionId, Route } from '../../shared/contract';
import { fail, ok, type Result } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { validatePort } from '../../shared/ports';
import { EXPORT_EXTENSIONS, EXPORT_FORMATS, type ExportFormat, type SessionId } from '../../shared/transcript';

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const HOST_EXAMPLES = 'like data.pr4e.org or 127.0.0.1';

/** One to four dot-separated numbers in decimal, octal or hex (0x7f): the forms inet_aton turns into an address. */
function looksLikeNumericIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length <= 4 && parts.every((part) => /^(?:0x[0-9a-f]*|\d+)$/i.test(part));
}

function badHost(message: string, hint: string): Result<never> {
  return fail('BAD_HOST', message, hint);
}

/**
 * An IPv4 literal, an IPv6 literal (with or without [brackets], which are removed), or an RFC 1123 host name:
 * at most 253 characters, labels of 1 to 63 letters, digits and hyphens that neither start nor end with a
 * hyphen, an optional trailing dot. Returns the host to connect to.
 */
export function validateHost(value: unknown): Result<string> {
  if (typeof value !== 'string')
    return badHost(`A host must be text, ${HOST_EXAMPLES}.`, 'Type a host name or an IP address.');
  if (value === '') return badHost('The host is empty.', `Type a host name or an IP address, ${HOST_EXAMPLES}.`);
  if (hasControlCharacter(value)) {
    return badHost(
      'A host name cannot contain control characters (such as a tab or a line break).',
      'Type the host again on one line.',
    );
  }
  if (/\s/.test(value))
    return badHost('A host name cannot contain spaces.', `Remove the spaces: a host looks ${HOST_EXAMPLES}.`);
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(value) || value.includes('/')) {
    return badHost(
      `A host is just a name, without a scheme such as http:// or a path such as /romeo.txt. ${shown(value)} is a URL.`,
      'For http://data.pr4e.org/romeo.txt the host is data.pr4e.org and the port is 80.',
    );
  }
  if (value.startsWith('[') || value.endsWith(']')) {
    const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : '';
    if (isIP(inner) === 6) return ok(inner);
    return badHost(
      `Square brackets are only for IPv6 addresses, like [::1]. ${shown(value)} is not one.`,
      'Write an IPv6 address inside the brackets, or a host name without them.',
    );
  }
  const family = isIP(value);
  if (family !== 0) return ok(value);
  if (/^[^:]+:\d*$/.test(value)) {
    return badHost(
      `A host name cannot contain ":". ${shown(value)} looks like a host and a port together.`,
      'Put the host in the host box and the port number in the port box.',
    );
  }
  if (value.includes(':')) {
    return badHost(
      `${shown(value)} looks like an IPv6 address, but it is not a valid one.`,
      'Check it, for example ::1.',
    );
  }
  if (/^[\d.]+$/.test(value) || looksLikeNumericIPv4(value)) {
    // getaddrinfo would read "1.2.3" as 1.2.0.3 and "0x7f.1" as 127.0.0.1; refuse rather than surprise.
    return badHost(
      `${shown(value)} looks like an IPv4 address, but it is not a valid one.`,
      'An IPv4 address is four numbers from 0 to 255 with dots between them, like 127.0.0.1.',
    );
  }
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length > LIMITS.maxHostLength) {
    return badHost(
      `A host name can be at most ${LIMITS.maxHostLength} characters long; this one has ${name.length}.`,
      'Check that you typed only the host name.',
    );
  }
  if (value.includes('_')) {
    return badHost(
      'A host name cannot contain "_" (underscore).',
      'Host names use only letters, digits, hyphens (-) and dots.',
    );
  }
  const odd = /[^a-zA-Z0-9.-]/u.exec(name);
  if (odd) {
    const char = odd[0];
    const code = char.codePointAt(0) ?? 0;
    return badHost(
      `A host name cannot contain ${excerpt(char)}.`,
      code > 0x7f
        ? 'Host names use only the letters a-z, digits, hyphens and dots; a name in another script has an ASCII form that starts with xn--.'
        : 'Host names use only letters, digits, hyphens (-) and dots.',
    );
  }
  for (const label of name.split('.')) {
    if (label === '') {
      return badHost(
        'A host name cannot start with a dot or have two dots in a row.',
        `Each part between dots needs at least one character, ${HOST_EXAMPLES}.`,
      );
    }
    if (label.length > LIMITS.maxHostLabelLength) {
      return badHost(
        `Each part of a host name between dots can be at most ${LIMITS.maxHostLabelLength} characters; ${excerpt(label)} has ${label.length}.`,
        'Check that you typed only the host name.',
      );
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return badHost(
        `A part of a host name cannot start or end with a hyphen, as ${excerpt(label)} does.`,
        'Check the spelling of the host name.',
      );
    }
  }
  return ok(value);
}

const CONNECT_KEYS = new Set(['host', 'port', 'route', 'timeoutMs', 'tls']);

/** The whole connect request: only known fields; defaults filled in (route `lab`, the default timeout, no TLS). */
export function validateConnectRequest(raw: unknown): Result<Required<ConnectRequest>> {
  if (!isPlainObject(raw)) {
    return fail('BAD_REQUEST', 'A connect request must be an object with a host and a port.', 'Send { host, port }.');
  }
  for (const key of Object.keys(raw)) {
    if (!CONNECT_KEYS.has(key)) {
      return fail(
        'BAD_REQUEST',
        `A connect request has no field called ${shown(key)}.`,
        'The fields are host, port, route, timeoutMs and tls.',
      );
    }
  }
  const host = validateHost(raw.host);
  if (!host.ok) return host;
  const port = validatePort(raw.port);
  if (!port.ok) return port;
  let route: Route = 'lab';
  if (raw.route !== undefined) {
    if (raw.route !== 'lab' && raw.route !== 'internet') {
      return fail(
        'BAD_REQUEST',
        `The route must be "lab" or "internet", not ${shown(raw.route)}.`,
        'Leave it out to use the lab.',
      );
    }
    route = raw.route;
  }
  let timeoutMs: number = LIMITS.connectTimeoutMs;
  if (raw.timeoutMs !== undefined) {
    const value = raw.timeoutMs;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > LIMITS.maxConnectTimeoutMs) {
      return fail(
        'BAD_REQUEST',
        `The connect timeout must be a whole number of milliseconds from 1 to ${LIMITS.maxConnectTimeoutMs}, not ${shown(value)}.`,
        `Leave it out to wait ${LIMITS.connectTimeoutMs / 1000} seconds.`,
      );
    }
    timeoutMs = value;
  }
  let tls = false;
  if (raw.tls !== undefined) {
    if (typeof raw.tls !== 'boolean') {
      return fail(
        'BAD_REQUEST',
        `The TLS switch must be true or false, not ${shown(raw.tls)}.`,
        'Leave it out for a plain connection; turn it on (true) for HTTPS, usually port 443.',
      );
    }
    tls = raw.tls;
  }
  return ok({ host: host.value, port: port.value, route, timeoutMs, tls });
}

/** Ids are made by the hub (a UUID); anything that could not be one is a bad request, not merely unknown. */
export function validateConnectionId(raw: unknown): Result<ConnectionId> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64 || !/^[A-Za-z0-9-]+$/.test(raw)) {
    return fail(
      'BAD_REQUEST',
      `${shown(raw)} is not a connection id.`,
      'Use the id that connect returned, or pick a connection from the list.',
    );
  }
  return ok(raw);
}

function sizeInWords(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1).replace(/\.0$/, '')} GiB (${exact})`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB (${exact})`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB (${exact})`;
  return exact;
}

function isUint8Array(value: unknown): value is Uint8Array {
  // The tag test also accepts Buffers and arrays made in another realm (a vm context or a test runner's sandbox).
  return ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/** Bytes to send: a Uint8Array (a Buffer is one) of 1 byte up to LIMITS.maxSendBytes. */
export function validateSendBytes(raw: unknown): Result<Uint8Array> {
  if (!isUint8Array(raw)) {
    return fail(
      'BAD_REQUEST',
      'What is sent must be bytes (a Uint8Array), not text or numbers.',
      'Turn the message into bytes first.',
    );
  }
  if (raw.byteLength === 0) {
    return fail(
      'BAD_REQUEST',
      'There is nothing to send: the message is empty.',
      'Type something first. \\r\\n alone sends just a line break.',
    );
  }
  if (raw.byteLength > LIMITS.maxSendBytes) {
    return fail(
      'SEND_TOO_LARGE',
      `This send is ${sizeInWords(raw.byteLength)}; one send can be at most ${sizeInWords(LIMITS.maxSendBytes)}.`,
      'Split it into smaller sends.',
    );
  }
  return ok(raw);
}

/** An event batch number to acknowledge: a whole number from 0 up. */
export function validateAckSeq(raw: unknown): Result<number> {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
    return fail(
      'BAD_REQUEST',
      `${shown(raw)} is not a batch number; batch numbers are whole numbers from 0 up.`,
      'Acknowledge the seq of a batch you received.',
    );
  }
  return ok(raw);
}

/** Session ids are made by main (random, file-name safe); anything else is a bad request. */
export function validateSessionId(raw: unknown): Result<SessionId> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    return fail('BAD_REQUEST', `${shown(raw)} is not a session id.`, 'Pick a session from the sessions list.');
  }
  return ok(raw);
}

/** Where a replay page starts: a whole number from 0 up, as the previous page said. */
export function validateCursor(raw: unknown): Result<number> {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
    return fail('BAD_REQUEST', `${shown(raw)} is not a place in a session.`, 'Start at 0, then use the page’s next.');
  }
  return ok(raw);
}

export function validateExportFormat(raw: unknown): Result<ExportFormat> {
  if (typeof raw !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(raw)) {
    return fail(
      'BAD_REQUEST',
      `${shown(raw)} is not a format Socket Lab saves in.`,
      `Pick one of ${EXPORT_FORMATS.map((format) => EXPORT_EXTENSIONS[format]).join(', ')}.`,
    );
  }
  return ok(raw as ExportFormat);
}

/** A file's own name (no folder), as the learner's system gave it: shown back and remembered, never opened. */
export function validateFileName(raw: unknown): Result<string> {
  // eslint-disable-next-line no-control-regex
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 255 || /[\u0000-\u001f\u007f/\\]/.test(raw)) {
    return fail('BAD_REQUEST', 'That is not a file name.', 'Pick the file again.');
  }
  return ok(raw);
}

/** The announced size of a transcript being handed over. */
export function validateImportSize(raw: unknown): Result<number> {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0) {
    return fail('BAD_REQUEST', `${shown(raw)} is not a file size.`, 'Pick the file again.');
  }
  if (raw > LIMITS.maxTranscriptFileBytes) {
    return fail(
      'FILE_TOO_LARGE',
      `That file is ${sizeInWords(raw)}; Socket Lab opens transcripts of up to ${sizeInWords(LIMITS.maxTranscriptFileBytes)}.`,
      'Open a smaller transcript, or save the session again in parts.',
    );
  }
  return ok(raw);
}

/** Ids of transcripts being handed over are made by main. */
export function validateImportId(raw: unknown): Result<string> {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    return fail('BAD_REQUEST', `${shown(raw)} is not a file being opened.`, 'Open the file again.');
  }
  return ok(raw);
}

/** One piece of a transcript being handed over: bytes, at most LIMITS.maxSendBytes. */
export function validateImportChunk(raw: unknown): Result<Uint8Array> {
  if (!isUint8Array(raw)) return fail('BAD_REQUEST', 'A piece of a file must be bytes.', 'Open the file again.');
  if (raw.byteLength > LIMITS.maxSendBytes) {
    return fail(
      'BAD_REQUEST',
      `A piece of a file can be at most ${sizeInWords(LIMITS.maxSendBytes)}; this one is ${sizeInWords(raw.byteLength)}.`,
      'Open the file again.',
    );
  }
  return ok(raw);
}
