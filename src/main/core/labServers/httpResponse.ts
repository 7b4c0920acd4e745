/**
 * The bytes of the lab HTTP server's replies: a status line, the headers the chapter shows (in the order
 * the book prints them), a blank line, and the body. Pure functions, no sockets.
 */
import type { LabFile } from './content';
import type { LabHttpRequest } from './httpRequest';

/**
 * Exactly as long as the book's `Apache/2.4.7 (Ubuntu)`, 21 characters, without claiming to be Apache: with it the
 * head of cover3.jpg is the 393 bytes urljpeg.py prints in the book.
 */
export const SERVER_HEADER = 'SocketLab/0.1 offline';

// The book's server sends these so that nothing between you and it keeps a copy.
const CACHE_CONTROL = 'max-age=0, no-cache, no-store, must-revalidate';
const EXPIRES_IN_THE_PAST = 'Wed, 11 Jan 1984 05:00:00 GMT';

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  206: 'Partial Content',
  400: 'Bad Request',
  404: 'Not Found',
  408: 'Request Timeout',
  416: 'Range Not Satisfiable',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

export interface ConnectionHeader {
  keepAlive: boolean;
  /** Told to the client in `Keep-Alive: timeout=N` so it knows when we will give up waiting. */
  idleTimeoutMs: number;
}

export function httpDate(date: Date): string {
  return date.toUTCString();
}

function connectionHeaders(connection: ConnectionHeader): string[] {
  if (!connection.keepAlive) return ['Connection: close'];
  return [`Keep-Alive: timeout=${Math.max(1, Math.round(connection.idleTimeoutMs / 1000))}`, 'Connection: keep-alive'];
}

function head(status: number, headers: string[], reason: string = REASONS[status] ?? ''): Buffer {
  return Buffer.from(`HTTP/1.1 ${status} ${reason}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in `Content-Range: bytes 0-99/167`. */
  end: number;
}

/**
 * One `Range: bytes=a-b` (or `a-`, or `-n`), since Accept-Ranges says we take them. A list of ranges, or
 * anything we cannot read, is ignored and the whole file is sent (RFC 9110 lets a server do that).
 */
export function readRange(request: LabHttpRequest, file: LabFile): ByteRange | 'unsatisfiable' | undefined {
  const ranges = request.headers.get('range');
  if (!ranges || ranges.length !== 1) return undefined;
  const ifRange = request.headers.get('if-range');
  if (ifRange && ifRange[0] !== file.etag) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/i.exec((ranges[0] as string).trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  const size = file.bytes.length;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** A file, whole or one range of it; HEAD gets the same headers and no body. */
export function fileResponse(
  request: LabHttpRequest,
  file: LabFile,
  now: Date,
  connection: ConnectionHeader,
): { status: number; bytes: Buffer } {
  const range = request.method === 'GET' ? readRange(request, file) : undefined;
  if (range === 'unsatisfiable') {
    return errorResponse(416, `The file is ${file.bytes.length} bytes long; that range is past its end.`, {
      now,
      connection,
      headOnly: false,
      extraHeaders: [`Content-Range: bytes */${file.bytes.length}`],
    });
  }
  const body = range ? file.bytes.subarray(range.start, range.end + 1) : file.bytes;
  const status = range ? 206 : 200;
  const headers = [
    `Date: ${httpDate(now)}`,
    `Server: ${SERVER_HEADER}`,
    `Last-Modified: ${httpDate(file.lastModified)}`,
    `ETag: ${file.etag}`,
    'Accept-Ranges: bytes',
    `Content-Length: ${body.length}`,
    ...(range ? [`Content-Range: bytes ${range.start}-${range.end}/${file.bytes.length}`] : []),
    ...(file.vary ? [`Vary: ${file.vary}`] : []),
    `Cache-Control: ${CACHE_CONTROL}`,
    'Pragma: no-cache',
    `Expires: ${EXPIRES_IN_THE_PAST}`,
    ...connectionHeaders(connection),
    `Content-Type: ${file.contentType}`,
  ];
  const start = head(status, headers);
  return { status, bytes: request.method === 'HEAD' ? start : Buffer.concat([start, body]) };
}

export interface ErrorResponseOptions {
  now: Date;
  connection: ConnectionHeader;
  /** A reply to HEAD, or a reply when we cannot tell: no body. */
  headOnly: boolean;
  extraHeaders?: string[];
  /** Words for the status line other than the usual reason phrase. */
  reason?: string;
}

/** An error in plain words: the status line says what kind, the short text body says why and what to try. */
export function errorResponse(
  status: number,
  why: string,
  options: ErrorResponseOptions,
): { status: number; bytes: Buffer } {
  const reason = options.reason ?? REASONS[status] ?? '';
  const body = Buffer.from(`${status} ${reason}\n\n${why}\n`, 'latin1');
  const headers = [
    `Date: ${httpDate(options.now)}`,
    `Server: ${SERVER_HEADER}`,
    `Content-Length: ${body.length}`,
    ...(options.extraHeaders ?? []),
    ...connectionHeaders(options.connection),
    'Content-Type: text/plain',
  ];
  const start = head(status, headers, reason);
  return { status, bytes: options.headOnly ? start : Buffer.concat([start, body]) };
}
