/**
 * Reading one HTTP request head from the bytes a client sent, exactly as they came: the request line,
 * the header lines, and the blank line that ends them. Pure functions, no sockets.
 *
 * Line endings: the book sends `\r\n`, the slides send a bare `\n` (`\n\n`), and people typing into telnet
 * or nc send either. RFC 9112 section 2.2 lets a server take a bare `\n` as the end of a line, so we do:
 * `\r\n` and `\n` both end a line, and `\r\n\r\n`, `\n\n` (or a mix) both end the head. A `\r` anywhere else
 * is refused with 400. Replies always use `\r\n`.
 */

export type HttpVersion = '1.0' | '1.1';

export interface LabHttpRequest {
  method: string;
  /** The request target exactly as sent: `/romeo.txt` or `http://data.pr4e.org/romeo.txt`. */
  target: string;
  version: HttpVersion;
  /** The path part of the target, still percent-encoded, without `?query`: `/romeo.txt`. */
  rawPath: string;
  /** Set for an absolute-form target: the host it names (`data.pr4e.org`). */
  targetHost?: string;
  /** Set for an absolute-form target: host and port as written (`127.0.0.1:8080`). */
  targetAuthority?: string;
  /** Header values by lower-case name, in the order they came. */
  headers: ReadonlyMap<string, readonly string[]>;
  /** Bytes of the request line, headers and blank line. */
  headBytes: number;
  /** Bytes of body announced by Content-Length (read and dropped: GET and HEAD carry none here). */
  bodyBytes: number;
}

export type RefusalStatus = 400 | 501 | 505;

export type HeadParse =
  | { kind: 'incomplete' }
  | { kind: 'request'; request: LabHttpRequest }
  /**
   * The client gets this status and the connection closes, since the rest of its bytes cannot be trusted.
   * `reason` replaces the usual reason phrase where a client shows only the status line (a proxy tunnel's error).
   */
  | { kind: 'refused'; status: RefusalStatus; why: string; reason?: string };

export const SUPPORTED_METHODS = ['GET', 'HEAD'] as const;

/** A GET with a body is odd but legal; we read and drop a small one rather than lose our place. */
export const MAX_IGNORED_BODY_BYTES = 64 * 1024;

/** The status line's words for CONNECT: urllib shows only these ("Tunnel connection failed: 501 ..."). */
export const CONNECT_REASON = 'HTTPS Not Served Offline (use http://)';

const CONNECT_WHY =
  'This lab server works offline and does not serve https: it cannot make the encrypted connection an ' +
  'https:// address needs. Use the http:// address instead, like http://data.pr4e.org/romeo.txt. ' +
  '(A program sent CONNECT because https_proxy points at the lab: that keeps https links from leaving it.)';

const LF = 0x0a;
const CR = 0x0d;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const AUTHORITY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/;

/** How many bytes of blank lines come before the request line (RFC 9112 lets a server skip them). */
export function leadingBlankLineBytes(buffer: Uint8Array): number {
  let at = 0;
  for (;;) {
    if (buffer[at] === LF) at += 1;
    else if (buffer[at] === CR && buffer[at + 1] === LF) at += 2;
    else return at;
  }
}

/**
 * Reads one request head from the start of `buffer`, skipping blank lines before it.
 * `incomplete` means: wait for more bytes; the head is not finished until its blank line arrives.
 */
export function parseRequestHead(buffer: Uint8Array, maxHeadBytes: number): HeadParse {
  return new RequestHeadReader(maxHeadBytes).push(buffer);
}

/**
 * Reads one request head as its bytes arrive, chunk by chunk. Each byte is looked at once: a chunk is searched
 * for line ends from where the last one stopped, and the bytes of an unfinished line are kept as the chunks they
 * came in, so a head trickled in one byte at a time costs no more than one sent at once. Blank lines before the
 * request line are skipped (RFC 9112 section 2.2). Once the head is complete (or refused), the bytes after it are
 * in `takeRest()` and the reader is done; a new head needs a new reader.
 */
export class RequestHeadReader {
  readonly #maxHeadBytes: number;
  readonly #lines: string[] = [];
  /** The unfinished line, as the pieces of the chunks it came in. */
  #partial: Uint8Array[] = [];
  #partialBytes = 0;
  /** Bytes of the head so far, counted from the request line: whole lines with their line ends. */
  #headBytes = 0;
  #outcome: HeadParse | undefined;
  #rest: Buffer = Buffer.alloc(0);

  constructor(maxHeadBytes: number) {
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** Some byte of the head itself (not a blank line before it, nor a lone \r that may become one) has come. */
  get started(): boolean {
    if (this.#lines.length > 0) return true;
    return this.#partialBytes > 1 || (this.#partialBytes === 1 && this.#partial[0]?.[0] !== CR);
  }

  /** The request line is complete (its line end has come). */
  get hasRequestLine(): boolean {
    return this.#lines.length > 0;
  }

  get done(): boolean {
    return this.#outcome !== undefined;
  }

  /** Takes more bytes; once the answer is not `incomplete`, later pushes change nothing. */
  push(chunk: Uint8Array): HeadParse {
    if (this.#outcome) {
      // After a refusal the connection closes, so nothing after the head matters.
      if (this.#outcome.kind === 'request') this.#rest = Buffer.concat([this.#rest, chunk]);
      return this.#outcome;
    }
    let lineStart = 0;
    for (;;) {
      const newline = chunk.indexOf(LF, lineStart);
      if (newline === -1) {
        this.#keepPartial(chunk.subarray(lineStart));
        if (this.#headBytes + this.#partialBytes > this.#maxHeadBytes) return this.#finish(tooBig(this.#maxHeadBytes));
        return { kind: 'incomplete' };
      }
      const line = this.#takeLine(chunk.subarray(lineStart, newline));
      lineStart = newline + 1;
      if (line.length === 0 && this.#lines.length === 0) continue;
      this.#headBytes += line.bytes + 1;
      if (this.#headBytes > this.#maxHeadBytes) return this.#finish(tooBig(this.#maxHeadBytes));
      if (line.length === 0) {
        const outcome = this.#finish(readHead(this.#lines, this.#headBytes));
        if (outcome.kind === 'request') this.#rest = Buffer.from(chunk.subarray(lineStart));
        return outcome;
      }
      this.#lines.push(line.text);
    }
  }

  /** The bytes that came after a complete head (the next pipelined request, or a body); none after a refusal. */
  takeRest(): Buffer {
    const rest = this.#rest;
    this.#rest = Buffer.alloc(0);
    return rest;
  }

  #finish(outcome: HeadParse): HeadParse {
    this.#outcome = outcome;
    this.#partial = [];
    return outcome;
  }

  #keepPartial(piece: Uint8Array): void {
    if (piece.length === 0) return;
    // A copy: the socket's chunk may be reused, and a small piece must not pin a large buffer.
    this.#partial.push(Buffer.from(piece));
    this.#partialBytes += piece.length;
  }

  /** The line that ends here: the kept pieces plus this one, without its `\r\n` or `\n`. */
  #takeLine(last: Uint8Array): { text: string; length: number; bytes: number } {
    const bytes = this.#partialBytes + last.length;
    const whole = this.#partial.length === 0 ? Buffer.from(last) : Buffer.concat([...this.#partial, last]);
    this.#partial = [];
    this.#partialBytes = 0;
    const end = whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
    const text = whole.toString('latin1', 0, end);
    return { text, length: text.length, bytes };
  }
}

function tooBig(maxHeadBytes: number): HeadParse {
  return {
    kind: 'refused',
    status: 400,
    why: `The request line and headers are longer than ${maxHeadBytes} bytes, the most this server reads.`,
  };
}

function refuse(status: RefusalStatus, why: string): HeadParse {
  return { kind: 'refused', status, why };
}

function readHead(lines: string[], headBytes: number): HeadParse {
  const requestLine = lines[0] ?? '';
  if (requestLine.includes('\r')) return refuse(400, 'The request line has a carriage return (\\r) in the middle.');
  const parts = requestLine.split(' ');
  if (parts.length === 2 && VISIBLE_ASCII.test(parts[0] ?? '') && (parts[1] ?? '').length > 0) {
    return refuse(
      400,
      `The request line "${requestLine}" has no HTTP version. Add one at the end: ${requestLine} HTTP/1.0`,
    );
  }
  if (parts.length !== 3) {
    return refuse(
      400,
      'A request line is three parts separated by single spaces: a method, a path and a version, ' +
        'like GET /romeo.txt HTTP/1.0',
    );
  }
  const [method, target, versionText] = parts as [string, string, string];
  const versionMatch = VERSION.exec(versionText);
  if (!versionMatch) {
    return refuse(400, `"${versionText}" is not an HTTP version. Write it in capitals, like HTTP/1.0 or HTTP/1.1.`);
  }
  if (!TOKEN.test(method)) return refuse(400, `"${method}" is not a method name.`);
  const version = `${versionMatch[1]}.${versionMatch[2]}`;
  if (version !== '1.0' && version !== '1.1') {
    return refuse(505, `This server speaks HTTP/1.0 and HTTP/1.1, not HTTP/${version}.`);
  }
  if (method === 'CONNECT') {
    // What urllib, curl and browsers send for an https:// URL when https_proxy names the lab.
    return { kind: 'refused', status: 501, why: CONNECT_WHY, reason: CONNECT_REASON };
  }
  if (!(SUPPORTED_METHODS as readonly string[]).includes(method)) {
    return refuse(501, `This server knows only GET and HEAD, not ${method}. Method names are case-sensitive.`);
  }

  if (!VISIBLE_ASCII.test(target)) {
    return refuse(400, 'The path has characters that must be percent-encoded (%20 for a space).');
  }
  const form = readTarget(target);
  if ('why' in form) return refuse(400, form.why);

  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      return refuse(400, 'A header line starts with a space; folded headers are not allowed.');
    }
    const colon = line.indexOf(':');
    if (colon === -1) return refuse(400, `The header line "${line}" has no colon; write it as Name: value`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) {
      return refuse(400, `"${name}" is not a header name (no spaces are allowed before the colon).`);
    }
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (hasControlCharacter(value)) return refuse(400, `The ${name} header has a control character in it.`);
    const key = name.toLowerCase();
    const values = headers.get(key) ?? [];
    values.push(value);
    headers.set(key, values);
  }

  const hosts = headers.get('host') ?? [];
  if (version === '1.1' && hosts.length === 0) {
    return refuse(400, 'An HTTP/1.1 request must name the server in a Host header, like Host: data.pr4e.org');
  }
  if (hosts.length > 1) return refuse(400, 'The request has more than one Host header.');
  if (hosts.length === 1 && !AUTHORITY.test(hosts[0] as string)) {
    return refuse(400, `"${hosts[0] as string}" is not a host name.`);
  }
  if (headers.has('transfer-encoding')) {
    return refuse(501, 'This server does not read request bodies sent with Transfer-Encoding.');
  }
  const lengths = headers.get('content-length') ?? [];
  let bodyBytes = 0;
  if (lengths.length > 0) {
    const distinct = new Set(lengths.flatMap((value) => value.split(',').map((item) => item.trim())));
    const only = [...distinct][0] ?? '';
    if (distinct.size !== 1 || !/^\d{1,10}$/.test(only))
      return refuse(400, 'The Content-Length header is not a number.');
    bodyBytes = Number(only);
    if (bodyBytes > MAX_IGNORED_BODY_BYTES) return refuse(400, 'A GET or HEAD request here carries no large body.');
  }

  const request: LabHttpRequest = { method, target, version, rawPath: form.rawPath, headers, headBytes, bodyBytes };
  if (form.targetHost !== undefined) request.targetHost = form.targetHost;
  if (form.targetAuthority !== undefined) request.targetAuthority = form.targetAuthority;
  return { kind: 'request', request };
}

/** Header values may hold tabs but no other control characters (RFC 9110 5.5). */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function readTarget(
  target: string,
): { rawPath: string; targetHost?: string; targetAuthority?: string } | { why: string } {
  if (target.startsWith('/')) return { rawPath: pathWithoutQuery(target) };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(target);
  if (scheme) {
    if ((scheme[1] as string).toLowerCase() !== 'http') {
      return { why: `This server speaks plain http, not ${scheme[1] as string}.` };
    }
    const rest = target.slice(scheme[0].length);
    const authorityEnd = rest.search(/[/?#]/);
    const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
    if (authority.length === 0 || !AUTHORITY.test(authority)) {
      return { why: `"${authority}" in ${target} is not a host name.` };
    }
    const afterAuthority = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
    const rawPath = afterAuthority.startsWith('/') ? pathWithoutQuery(afterAuthority) : '/';
    const targetHost = authority.replace(/:\d*$/, '').replace(/^\[|\]$/g, '');
    return { rawPath, targetHost, targetAuthority: authority };
  }
  return { why: `The path "${target}" should start with / (like /romeo.txt) or be a whole URL (http://...).` };
}

function pathWithoutQuery(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

export type PathLookup = { kind: 'path'; path: string } | { kind: 'not-found' } | { kind: 'bad'; why: string };

/**
 * Turns the raw path into the key of a lab file. Anything that tries to climb out of the folder
 * (`/../`, `%2e%2e`, encoded slashes or backslashes) is simply a file we do not have: 404.
 */
export function decodeLabPath(rawPath: string): PathLookup {
  if (/%(?![0-9A-Fa-f]{2})/.test(rawPath))
    return { kind: 'bad', why: 'A % in the path must be followed by two hex digits.' };
  if (/%2f|%5c|\\/i.test(rawPath)) return { kind: 'not-found' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'not-found' };
  }
  if (decoded.includes('\0')) return { kind: 'not-found' };
  const segments = decoded.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..')) return { kind: 'not-found' };
  return { kind: 'path', path: decoded };
}

/** Should the connection stay open after this request's response? */
export function wantsKeepAlive(request: LabHttpRequest): boolean {
  // HTTP/1.0 closes after the response, as the book shows; socket1.py's recv loop ends on that close.
  if (request.version === '1.0') return false;
  const tokens = (request.headers.get('connection') ?? []).flatMap((value) =>
    value.split(',').map((token) => token.trim().toLowerCase()),
  );
  return !tokens.includes('close');
}
