/**
 * Splitting the bytes of an HTTP message the way a learner reads them: the start line (a request line or a
 * status line), the header lines, the blank line that ends the head, and the body. Pure functions over bytes,
 * used by the byte log's HTTP view, the guided lab's checks and the code twin. They never throw: bytes that are
 * not HTTP (an image, an echo, a greeting) give a `not-http` result that says why.
 *
 * Offsets are byte offsets into the array passed in. A line ends with `\r\n` (what HTTP asks for) or a bare `\n`
 * (what the slides send, and what many servers accept); the result says which one was used.
 */

export type LineEnding = 'crlf' | 'lf';

/** Half-open byte range `[start, end)` in the bytes passed in. */
export interface ByteSpan {
  start: number;
  end: number;
}

export type HttpStartLine =
  | {
      kind: 'request';
      method: string;
      /** As sent: `/romeo.txt` or `http://data.pr4e.org/romeo.txt`. */
      target: string;
      /** `HTTP/1.0`; null when the line has no version (`GET /romeo.txt`), which servers refuse. */
      version: string | null;
    }
  | {
      kind: 'status';
      /** `HTTP/1.1` */
      version: string;
      status: number;
      /** `OK`, `Not Found`; may be empty. */
      reason: string;
    };

export interface HttpHeader {
  /** As sent, case kept: `Content-Length`. Empty for a line with no colon. */
  name: string;
  /** The value with the spaces around it trimmed. */
  value: string;
  /** The header line without its line ending. */
  line: ByteSpan;
  ending: LineEnding;
  /** False for a line that is not `Name: value` (no colon, a space before the colon, or a folded line). */
  valid: boolean;
}

/** How the end of the body is found. */
export type BodyFraming =
  /** `Content-Length: n` says how many bytes follow the blank line. */
  | 'content-length'
  /** `Transfer-Encoding: chunked`: the body comes in pieces, each with its size, ending with a 0-size piece. */
  | 'chunked'
  /** A response with no length: the body runs until the server closes the connection. */
  | 'until-close'
  /** No body: a request without Content-Length, a 1xx/204/304 status, or the answer to HEAD. */
  | 'none';

export interface HttpMessage {
  kind: 'http';
  /** Where the message starts (after any blank lines before a request, which servers skip). */
  start: number;
  /** Where it ends: after its body when complete, otherwise the end of the bytes. */
  end: number;
  startLine: HttpStartLine;
  /** The start line as text, without its line ending. */
  startLineText: string;
  startLineSpan: ByteSpan;
  /** In the order they came, with their raw byte ranges. */
  headers: HttpHeader[];
  /** The blank line has arrived: the head is over. */
  headersComplete: boolean;
  /** The blank line itself (`\r\n` or `\n`), or null before it arrives. */
  blankLine: (ByteSpan & { ending: LineEnding }) | null;
  /** The line endings of the head: all `\r\n`, all `\n`, or a mix; null before the start line ends. */
  lineEnding: LineEnding | 'mixed';
  /** First byte after the blank line (or the end of the bytes before it arrives). */
  bodyStart: number;
  /** The body bytes present in this message (a view into the input, not a copy). */
  body: Uint8Array;
  framing: BodyFraming;
  /** What Content-Length says, or null when there is none or it is not a number. */
  contentLength: number | null;
  /** Set when a Content-Length header is there but cannot be used. */
  contentLengthProblem: string | null;
  /** Body bytes actually present (for a chunked body: the bytes on the wire, sizes included). */
  bodyLength: number;
  /** Body bytes still to come, when Content-Length says more; 0 otherwise. */
  bodyMissing: number;
  /** The whole message is here: the head, and the body its framing asks for. */
  complete: boolean;
  /** Things a careful reader would point out ("a header line has no colon"), in plain words. */
  problems: string[];
}

export interface NotHttp {
  kind: 'not-http';
  /** Plain words: why these bytes are not an HTTP message. */
  reason: string;
  /** The bytes so far could still become an HTTP message (the first line has not ended yet). */
  maybeLater: boolean;
}

export type HttpSplit = HttpMessage | NotHttp;

export interface SplitOptions {
  /** The sender closed the connection (FIN): a response without a length is then complete. */
  ended?: boolean;
  /** The method of the request this answers; the answer to HEAD has no body. */
  requestMethod?: string;
}

const LF = 0x0a;
const CR = 0x0d;
/** A start line longer than this is not a start line a learner would type or a server would send. */
const MAX_START_LINE = 8 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/\d(?:\.\d)?)$/;
/** `GET /romeo.txt` with the version forgotten: only an upper-case method, so "hello there" stays text. */
const VERSIONLESS_REQUEST_LINE = /^([A-Z]+) (\S+)$/;

/** Bytes as text, one character per byte, so offsets in text and bytes stay the same. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i += 0x2000) {
    text += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 0x2000)));
  }
  return text;
}

function isPrintableAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const byte = bytes[i] as number;
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}

/** Could this unfinished first line still become a start line? */
function couldStartHttp(text: string): boolean {
  if (text.length === 0) return true;
  if ('HTTP/'.startsWith(text) || text.startsWith('HTTP/')) return true;
  const space = text.indexOf(' ');
  const method = space === -1 ? text : text.slice(0, space);
  return TOKEN.test(method);
}

interface Line {
  start: number;
  /** End of the text, before `\r\n` or `\n`. */
  end: number;
  /** After the line ending. */
  next: number;
  ending: LineEnding;
}

/** The line starting at `from`, or null if no `\n` has arrived yet. */
function readLine(bytes: Uint8Array, from: number): Line | null {
  const newline = bytes.indexOf(LF, from);
  if (newline === -1) return null;
  const crlf = newline > from && bytes[newline - 1] === CR;
  return { start: from, end: crlf ? newline - 1 : newline, next: newline + 1, ending: crlf ? 'crlf' : 'lf' };
}

function parseStartLine(text: string): HttpStartLine | null {
  const status = STATUS_LINE.exec(text);
  if (status) {
    return { kind: 'status', version: status[1] as string, status: Number(status[2]), reason: status[3] ?? '' };
  }
  const request = REQUEST_LINE.exec(text) ?? VERSIONLESS_REQUEST_LINE.exec(text);
  if (request) {
    return {
      kind: 'request',
      method: request[1] as string,
      target: request[2] as string,
      version: request[3] ?? null,
    };
  }
  return null;
}

/** Header lookup ignores case, as HTTP does: the first value of `name`, or undefined. */
export function headerValue(message: HttpMessage, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return message.headers.find((header) => header.valid && header.name.toLowerCase() === wanted)?.value;
}

/** Every value of `name`, in order, ignoring case. */
export function headerValues(message: HttpMessage, name: string): string[] {
  const wanted = name.toLowerCase();
  return message.headers
    .filter((header) => header.valid && header.name.toLowerCase() === wanted)
    .map((header) => header.value);
}

function readContentLength(values: string[]): { length: number | null; problem: string | null } {
  if (values.length === 0) return { length: null, problem: null };
  const distinct = new Set(values.flatMap((value) => value.split(',').map((item) => item.trim())));
  const only = [...distinct][0] ?? '';
  if (distinct.size !== 1) return { length: null, problem: 'The message has Content-Length values that disagree.' };
  if (!/^\d{1,15}$/.test(only)) return { length: null, problem: `Content-Length "${only}" is not a number of bytes.` };
  return { length: Number(only), problem: null };
}

/**
 * Walks a chunked body from `from`: returns where it ends, or null if its last (0-size) chunk and the blank
 * line after it have not all arrived. `bad` when the chunk sizes cannot be read.
 */
function chunkedEnd(bytes: Uint8Array, from: number): number | null | 'bad' {
  let at = from;
  for (;;) {
    const sizeLine = readLine(bytes, at);
    if (!sizeLine) return null;
    const sizeText = latin1(bytes, sizeLine.start, sizeLine.end).split(';')[0]?.trim() ?? '';
    if (!/^[0-9A-Fa-f]{1,12}$/.test(sizeText)) return 'bad';
    const size = Number.parseInt(sizeText, 16);
    at = sizeLine.next;
    if (size === 0) {
      // Trailer lines, then a blank line.
      for (;;) {
        const trailer = readLine(bytes, at);
        if (!trailer) return null;
        at = trailer.next;
        if (trailer.end === trailer.start) return at;
      }
    }
    const dataEnd = at + size;
    const after = readLine(bytes, dataEnd);
    if (dataEnd > bytes.length || !after) return null;
    if (after.end !== after.start) return 'bad';
    at = after.next;
  }
}

function hasNoBody(startLine: HttpStartLine, requestMethod: string | undefined): boolean {
  if (startLine.kind === 'request') return false;
  const { status } = startLine;
  return (status >= 100 && status < 200) || status === 204 || status === 304 || requestMethod === 'HEAD';
}

/** One message starting at `from` (blank lines before a request are skipped, as servers do). */
function splitAt(bytes: Uint8Array, from: number, options: SplitOptions): HttpSplit {
  let start = from;
  for (;;) {
    if (bytes[start] === LF) start += 1;
    else if (bytes[start] === CR && bytes[start + 1] === LF) start += 2;
    else break;
  }

  const first = readLine(bytes, start);
  if (!first) {
    const pending = Math.min(bytes.length, start + MAX_START_LINE);
    const text = isPrintableAscii(bytes, start, pending) ? latin1(bytes, start, pending) : null;
    const maybeLater = text !== null && bytes.length - start < MAX_START_LINE && couldStartHttp(text);
    return {
      kind: 'not-http',
      maybeLater,
      reason: maybeLater
        ? 'The first line has not ended yet: an HTTP message starts with a whole line (ending in \\r\\n).'
        : 'These bytes do not start with an HTTP request line or status line.',
    };
  }
  if (first.end - first.start > MAX_START_LINE || !isPrintableAscii(bytes, first.start, first.end)) {
    return {
      kind: 'not-http',
      maybeLater: false,
      reason: 'The first line is not plain text, so these bytes are not an HTTP message.',
    };
  }
  const startLineText = latin1(bytes, first.start, first.end);
  const startLine = parseStartLine(startLineText);
  if (!startLine) {
    return {
      kind: 'not-http',
      maybeLater: false,
      reason:
        `"${startLineText.slice(0, 80)}" is neither a request line (like GET /romeo.txt HTTP/1.0) ` +
        'nor a status line (like HTTP/1.1 200 OK).',
    };
  }

  const problems: string[] = [];
  if (startLine.kind === 'request' && startLine.version === null) {
    problems.push('The request line has no HTTP version at the end (like HTTP/1.0); servers refuse it.');
  }
  const endings = new Set<LineEnding>([first.ending]);
  const headers: HttpHeader[] = [];
  let blankLine: HttpMessage['blankLine'] = null;
  let at = first.next;
  for (;;) {
    const line = readLine(bytes, at);
    if (!line) break;
    endings.add(line.ending);
    at = line.next;
    if (line.end === line.start) {
      blankLine = { start: line.start, end: line.next, ending: line.ending };
      break;
    }
    const text = latin1(bytes, line.start, line.end);
    const colon = text.indexOf(':');
    const folded = text.startsWith(' ') || text.startsWith('\t');
    const name = colon === -1 ? '' : text.slice(0, colon);
    const valid = !folded && colon > 0 && TOKEN.test(name);
    if (!valid) {
      problems.push(
        folded
          ? `A header line starts with a space (an old way to continue the line above): "${text.slice(0, 60)}".`
          : `"${text.slice(0, 60)}" is not a header line: a header is Name: value, with no space before the colon.`,
      );
    }
    headers.push({
      name,
      value: colon === -1 ? text : text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''),
      line: { start: line.start, end: line.end },
      ending: line.ending,
      valid,
    });
  }
  const headersComplete = blankLine !== null;
  const bodyStart = headersComplete ? at : bytes.length;
  const lineEnding: HttpMessage['lineEnding'] = endings.size > 1 ? 'mixed' : first.ending;

  const message: HttpMessage = {
    kind: 'http',
    start,
    end: bytes.length,
    startLine,
    startLineText,
    startLineSpan: { start: first.start, end: first.end },
    headers,
    headersComplete,
    blankLine,
    lineEnding,
    bodyStart,
    body: bytes.subarray(bodyStart),
    framing: 'none',
    contentLength: null,
    contentLengthProblem: null,
    bodyLength: bytes.length - bodyStart,
    bodyMissing: 0,
    complete: false,
    problems,
  };

  const declared = readContentLength(headerValues(message, 'content-length'));
  message.contentLength = declared.length;
  message.contentLengthProblem = declared.problem;
  if (declared.problem) problems.push(declared.problem);
  const chunked = headerValues(message, 'transfer-encoding').some((value) => /(^|,)\s*chunked\s*$/i.test(value));

  if (hasNoBody(startLine, options.requestMethod)) message.framing = 'none';
  else if (chunked) message.framing = 'chunked';
  else if (declared.length !== null) message.framing = 'content-length';
  else if (startLine.kind === 'status') message.framing = 'until-close';
  else message.framing = 'none';

  if (!headersComplete) return message;

  let bodyEnd: number;
  switch (message.framing) {
    case 'none':
      bodyEnd = bodyStart;
      message.complete = true;
      break;
    case 'content-length': {
      const length = declared.length as number;
      bodyEnd = Math.min(bytes.length, bodyStart + length);
      message.bodyMissing = bodyStart + length - bodyEnd;
      message.complete = message.bodyMissing === 0;
      break;
    }
    case 'chunked': {
      const found = chunkedEnd(bytes, bodyStart);
      if (found === 'bad') problems.push('The chunk sizes of this chunked body cannot be read.');
      bodyEnd = typeof found === 'number' ? found : bytes.length;
      message.complete = typeof found === 'number';
      break;
    }
    case 'until-close':
      bodyEnd = bytes.length;
      message.complete = options.ended === true;
      break;
  }
  message.end = bodyEnd;
  message.body = bytes.subarray(bodyStart, bodyEnd);
  message.bodyLength = bodyEnd - bodyStart;
  return message;
}

/** The one HTTP message at the start of `bytes`: start line, headers, blank line, body. */
export function splitHttpMessage(bytes: Uint8Array, options: SplitOptions = {}): HttpSplit {
  return splitAt(bytes, 0, options);
}

export interface HttpStreamOptions {
  /** The sender closed the connection (FIN). */
  ended?: boolean;
  /** The methods of the requests these answer, in order (for HEAD, whose answer has no body). */
  requestMethods?: readonly string[];
}

export interface HttpStream {
  /** Every message found, in order; only the last one may be incomplete. */
  messages: HttpMessage[];
  /** Bytes after the last message that are not HTTP (null when there are none, or they may still become HTTP). */
  leftover: (ByteSpan & { reason: string }) | null;
}

/**
 * A keep-alive connection carries several messages one after another: split them, using each message's
 * Content-Length (or chunked framing) to find where the next one starts.
 */
export function splitHttpStream(bytes: Uint8Array, options: HttpStreamOptions = {}): HttpStream {
  const messages: HttpMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    const method = options.requestMethods?.[messages.length];
    const split = splitAt(
      bytes,
      at,
      method === undefined
        ? { ended: options.ended ?? false }
        : { ended: options.ended ?? false, requestMethod: method },
    );
    if (split.kind === 'not-http') {
      if (split.maybeLater && messages.length > 0) return { messages, leftover: null };
      return { messages, leftover: { start: at, end: bytes.length, reason: split.reason } };
    }
    messages.push(split);
    if (!split.complete || split.end <= at || split.end >= bytes.length) break;
    at = split.end;
  }
  return { messages, leftover: null };
}
