/**
 * The code twin: the Python program that does what the learner just did on one connection, in the style of
 * chapter 12's socket1.py (socket(), connect((host, port)), send(b'...'), a recv loop, close), with the exact
 * bytes they sent; and for an HTTP GET, the urllib.request one-liner that hides all of it. A TLS connection gets the
 * book's ssl context (src/shared/tlsRecipe.ts, the one source of those lines): `ssl.create_default_context()`, the
 * lab-only lines that switch the certificate check off for the lab's own certificate, then `ctx.wrap_socket()`.
 * Pure functions.
 */
import type { ConnectionId } from '../../../../shared/contract';
import type { ErrorCode } from '../../../../shared/errors';
import { pythonBytesLiteral } from '../../../../shared/hexdump';
import { headerValue, splitHttpMessage, type HttpMessage } from '../../../../shared/http';
import { sslContextLines } from '../../../../shared/tlsRecipe';
import { tlsAlertAtStart } from '../../../../shared/tlsRecords';
import { CAPTURE_BYTES, sessionFacts, type ConnectionFacts } from '../session/sessionFacts';
import type { EventSource } from '../session/eventLog';

// The same literal the byte log's "Copy as b'…'" gives, as Python's repr() prints it.
export { pythonBytesLiteral };

export interface TwinSend {
  bytes: Uint8Array;
  /** Session time of the send, to show a pause the learner made. */
  t: number;
  /** Bytes came back after this send and before the next one (a server that answers line by line). */
  answered?: boolean;
}

/** What one connection did, read from its events. */
export interface TwinSource {
  host: string;
  port: number;
  sends: TwinSend[];
  /** Sends past the first CAPTURE_BYTES of the connection, or after bytes a saved session lost, left out. */
  sendsLeftOut: number;
  /** Why they are left out: a send whose bytes a saved session lost (a damaged record), not the 64 KiB bound. */
  sendsLost?: boolean;
  /** The learner half-closed (FIN), like shutdown(SHUT_WR); a FIN from Close is not a half-close. */
  halfClosed: boolean;
  /** The server spoke first: bytes arrived before the learner sent anything (a mail server's greeting). */
  greeting?: boolean;
  /** The other side sent FIN: a recv loop ends on b''. */
  peerEnded: boolean;
  /** The learner aborted (RST). */
  aborted: boolean;
  /** Bytes received, to tell text from binary (only the first ones are kept). */
  receivedSample: Uint8Array;
  received: number;
  /** Where it failed before connecting, if it did. */
  error: ErrorCode | null;
  /** The lab server's real address, when the lab answered for the host the learner typed. */
  labAddress: { host: string; port: number } | null;
  /** The connection spoke TLS: the sends and arrivals above are the plain bytes inside it. */
  tls?: TwinTls | null;
}

export interface TwinTls {
  /** The other side showed the lab's own certificate, which no authority signed: the check is switched off. */
  labCertificate: boolean;
}

export interface TwinTarget {
  /** Put a different host and port into connect(), e.g. the lab server's 127.0.0.1 address. */
  host?: string;
  port?: number;
}

const SAMPLE_BYTES = 4096;
/** One reply of a line-by-line server (a greeting, or the answer to one command). */
const READ_REPLY = "print(mysock.recv(512).decode(), end='')";
/** A pause this long between two sends is part of what happened (the server waited), so the twin sleeps too. */
const PAUSE_SHOWN_MS = 1000;
const LONGEST_SLEEP_S = 5;

/** Reads one connection's events; null until the connection has its first event. */
export function twinSourceFromEvents(
  events: EventSource,
  connectionId: ConnectionId,
  typed?: { host: string; port: number },
): TwinSource | null {
  const conn = sessionFacts(events).connections.find((entry) => entry.id === connectionId);
  return conn ? twinSourceFromFacts(conn, typed) : null;
}

/** What the twin needs from one connection's facts; `typed` is the host and port the learner typed. */
export function twinSourceFromFacts(conn: ConnectionFacts, typed?: { host: string; port: number }): TwinSource {
  const sent = conn.sent.bytes();
  const sends: TwinSend[] = [];
  const receivedBetween = (after: number, before: number): boolean =>
    conn.received.some((piece) => piece.index > after && piece.index < before);
  conn.sends.forEach((piece, i) => {
    if (piece.offset + piece.length > sent.byteLength || sends.length < i) return;
    const next = conn.sends[i + 1]?.index ?? Infinity;
    sends.push({
      bytes: sent.subarray(piece.offset, piece.offset + piece.length),
      t: piece.t,
      answered: receivedBetween(piece.index, next),
    });
  });
  const firstSend = conn.sends[0]?.index ?? Infinity;
  // The first send left out fits in the first CAPTURE_BYTES, yet was not captured: a hole in a saved session.
  const firstLeftOut = conn.sends[sends.length];
  const sendsLost = firstLeftOut !== undefined && firstLeftOut.offset + firstLeftOut.length <= CAPTURE_BYTES;
  const routed = conn.answeredBy !== null;
  return {
    host: typed?.host || conn.host,
    port: typed?.port || (routed ? 0 : (conn.remote?.port ?? conn.dialPort ?? 0)),
    sends,
    sendsLeftOut: conn.sends.length - sends.length,
    sendsLost,
    halfClosed: conn.localEndedIndex !== null && !conn.finByClose,
    greeting: receivedBetween(-1, firstSend),
    // A server that expects TLS first sends its alert and hangs up (the lab stops reading there, so it may not see
    // the FIN): Python's recv() gets b'' after the 7 bytes.
    peerEnded: conn.peerEndedIndex !== null || conn.error?.code === 'TLS_EXPECTED',
    aborted: conn.closedBy === 'abort',
    receivedSample: conn.got.bytes().subarray(0, SAMPLE_BYTES),
    received: conn.bytesIn,
    // Only a failure before the connection opened belongs at connect(); later errors happen mid-conversation.
    error: conn.connectedIndex === null ? (conn.error?.code ?? null) : null,
    labAddress: routed && conn.remote ? { host: conn.remote.address, port: conn.remote.port } : null,
    // Until the handshake says whose certificate it was, a connection the lab answered has the lab's.
    tls: conn.tls ? { labCertificate: conn.tlsSession?.labCertificate ?? routed } : null,
  };
}

/** A Python str literal for a host name or URL (they are plain ASCII in practice; escape anything else). */
export function pythonStringLiteral(text: string): string {
  let out = "'";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code <= 0xff) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code <= 0xffff) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += '\\U' + code.toString(16).padStart(8, '0');
  }
  return out + "'";
}

/** Text that decodes as UTF-8 (the bytes so far, allowing a character cut at the end of the sample). */
function looksLikeText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return false;
  }
  // Control characters other than tab, line breaks and form feeds mean binary.
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && (code < 0x09 || code > 0x0d)) return false;
  }
  return true;
}

/** Does the reply look like text? An HTTP reply counts by its body (an image after text headers is binary). */
function receivedIsText(source: TwinSource): boolean {
  const split = splitHttpMessage(source.receivedSample);
  const bytes = split.kind === 'http' && split.headersComplete ? split.body : source.receivedSample;
  return looksLikeText(bytes);
}

const ERROR_EXCEPTIONS: Partial<Record<ErrorCode, { exception: string; words: string }>> = {
  ECONNREFUSED: { exception: 'ConnectionRefusedError', words: 'Nothing listens on that port: refused.' },
  ENOTFOUND: { exception: 'socket.gaierror', words: 'That name has no address.' },
  EAI_AGAIN: { exception: 'socket.gaierror', words: 'The name could not be looked up.' },
  ETIMEDOUT: { exception: 'TimeoutError', words: 'No answer in time.' },
  EHOSTUNREACH: { exception: 'OSError', words: 'That computer cannot be reached.' },
  ENETUNREACH: { exception: 'OSError', words: 'That network cannot be reached.' },
  ECONNRESET: { exception: 'ConnectionResetError', words: 'The other side reset the connection.' },
};

/** The socket program, in socket1.py's style, that sends exactly what the learner sent. */
export function socketProgram(source: TwinSource, target: TwinTarget = {}): string {
  const host = target.host ?? source.host;
  const port = target.port ?? source.port;
  const lines: string[] = ['import socket'];
  const tls = source.tls ?? null;
  if (tls) lines.push('import ssl');
  const pauses = source.sends.some(
    (send, i) => i > 0 && send.t - (source.sends[i - 1] as TwinSend).t >= PAUSE_SHOWN_MS,
  );
  if (pauses) lines.push('import time');
  if (source.aborted) lines.push('import struct');
  if (tls) lines.push('', ...sslContextLines(tls.labCertificate));
  // With TLS the plain TCP socket is `sock`, and `mysock` is the TLS socket wrapped around it.
  const tcp = tls ? 'sock' : 'mysock';
  lines.push(
    '',
    '# A socket is your end of the pipe (AF_INET: IPv4 addresses, SOCK_STREAM: TCP).',
    `${tcp} = socket.socket(socket.AF_INET, socket.SOCK_STREAM)`,
  );

  const connect = `${tcp}.connect((${pythonStringLiteral(host)}, ${port}))`;
  const failure = source.error ? ERROR_EXCEPTIONS[source.error] : undefined;
  if (source.error) {
    if (source.error === 'ETIMEDOUT') lines.push('mysock.settimeout(10)  # the lab gives up after 10 seconds too');
    lines.push(
      'try:',
      `    ${connect}`,
      `except ${failure?.exception ?? 'OSError'} as err:`,
      `    print(${pythonStringLiteral(failure?.words ?? 'The connection failed.')}, err)`,
      `    ${tcp}.close()`,
      '    raise SystemExit(1)',
    );
    return lines.join('\n') + '\n';
  }
  lines.push(connect);
  if (tls) {
    lines.push(
      '# TLS over that socket: the handshake happens here; then mysock sends and receives inside TLS.',
      `mysock = ctx.wrap_socket(sock, server_hostname=${pythonStringLiteral(source.host)})`,
    );
  }
  const text = receivedIsText(source);
  // A server that speaks first (SMTP's 220, POP's +OK) is read before anything is sent, as smtplib does.
  const lineByLine = source.greeting === true && text;
  if (lineByLine) {
    lines.push('', '# This server speaks first: read its greeting before sending.', READ_REPLY);
  }
  if (source.sendsLeftOut > 0) {
    const sends = source.sendsLeftOut === 1 ? '1 later send' : `${source.sendsLeftOut} later sends`;
    lines.push(
      source.sendsLost
        ? `# Left out: ${sends}. The saved session lost the bytes of a send here (a damaged record), so what follows cannot be sent exactly.`
        : `# Left out: ${sends}, past the first 64 KiB you sent on this connection.`,
    );
  }

  source.sends.forEach((send, i) => {
    const before = source.sends[i - 1];
    if (before && send.t - before.t >= PAUSE_SHOWN_MS) {
      const waited = (send.t - before.t) / 1000;
      const sleep = Math.min(LONGEST_SLEEP_S, Math.round(waited * 10) / 10);
      const note = waited > LONGEST_SLEEP_S ? `you waited ${Math.round(waited)} seconds here` : 'you waited here';
      lines.push(`time.sleep(${sleep})  # ${note}`);
    }
    const name = source.sends.length === 1 ? 'cmd' : `cmd${i + 1}`;
    lines.push(`${name} = ${pythonBytesLiteral(send.bytes)}`);
    // send() may take only part of a big buffer; sendall() keeps going until every byte is out.
    lines.push(send.bytes.byteLength > 4096 ? `mysock.sendall(${name})` : `mysock.send(${name})`);
    // Each command's reply is read before the next command, as the conversation went.
    if (lineByLine && send.answered && i < source.sends.length - 1) lines.push(READ_REPLY);
  });

  if (source.aborted) {
    lines.push(
      '',
      '# You aborted: SO_LINGER with a zero timeout makes close() send a reset (RST) instead of FIN.',
      "mysock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
      'mysock.close()',
    );
    return lines.join('\n') + '\n';
  }
  if (source.halfClosed && tls) {
    lines.push(
      "# You half-closed here; Python's ssl sockets cannot half-close and go on reading, so the twin does not.",
    );
  } else if (source.halfClosed) {
    lines.push('mysock.shutdown(socket.SHUT_WR)  # half-close: send FIN, keep receiving');
  }

  const ends = source.peerEnded || source.halfClosed;
  const body = text
    ? ["    print(data.decode(), end='')"]
    : ['    received = received + data', '    print(len(data), len(received))'];
  const loop = [
    'while True:',
    `    data = mysock.recv(${text ? 512 : 5120})`,
    '    if len(data) < 1:',
    '        break',
    ...body,
  ];
  lines.push('');
  // Plain bytes to a port that expects TLS first (443): the answer is an alert, and the twin says what to do.
  const alert = tls ? undefined : tlsAlertAtStart(source.receivedSample);
  if (alert) {
    lines.push(
      `# This port expects TLS first: your plain bytes got a TLS alert back (${alert.level} ${alert.description}),`,
      '# 7 bytes, not an answer. Switch TLS on in the lab and connect again: the twin then wraps this socket in',
      '# TLS (ssl, ctx.wrap_socket) before it sends, and the same request gets its answer inside TLS.',
    );
  }
  if (!text) lines.push("received = b''");
  if (ends) {
    lines.push(...loop);
  } else {
    lines.push(
      '# The other side did not close, so recv() would wait forever: stop after 2 quiet seconds.',
      'mysock.settimeout(2)',
      'try:',
      ...loop.map((line) => `    ${line}`),
      'except socket.timeout:',
      '    pass',
    );
  }
  if (!text) lines.push("print('Received', len(received), 'bytes')");
  lines.push('', 'mysock.close()');
  return lines.join('\n') + '\n';
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** The first HTTP request the learner sent, if the bytes they sent start with one. */
export function sentHttpRequest(source: TwinSource): HttpMessage | null {
  const sent = concat(source.sends.map((send) => send.bytes));
  const split = splitHttpMessage(sent);
  return split.kind === 'http' && split.startLine.kind === 'request' ? split : null;
}

/** The URL of an HTTP request: its absolute-form target, or its Host header (or the host connected to) + path. */
export function requestUrl(request: HttpMessage, source: TwinSource, target: TwinTarget = {}): string | null {
  if (request.startLine.kind !== 'request') return null;
  const requestTarget = request.startLine.target;
  let url: URL;
  try {
    if (/^https?:\/\//i.test(requestTarget)) {
      url = new URL(requestTarget);
    } else if (requestTarget.startsWith('/')) {
      const host = headerValue(request, 'host') ?? (source.port === 80 ? source.host : `${source.host}:${source.port}`);
      url = new URL(`http://${host}${requestTarget}`);
    } else {
      return null;
    }
  } catch {
    return null;
  }
  if (url.protocol !== 'http:') return null;
  // Inside TLS the same request is an https URL; the port then defaults to 443.
  if (source.tls) url = new URL(`https://${url.host}${url.pathname}${url.search}`);
  if (target.host !== undefined) url.hostname = target.host;
  if (target.port !== undefined) url.port = String(target.port);
  return url.toString();
}

/** The urllib equivalent for an HTTP GET (or HEAD), in the style of urllib1.py; null for anything else. */
export function urllibProgram(source: TwinSource, target: TwinTarget = {}): string | null {
  const request = sentHttpRequest(source);
  if (!request || request.startLine.kind !== 'request') return null;
  const method = request.startLine.method;
  if (method !== 'GET' && method !== 'HEAD') return null;
  const url = requestUrl(request, source, target);
  if (!url) return null;
  const literal = pythonStringLiteral(url);
  const tls = source.tls ?? null;
  const lines = tls
    ? ['import urllib.request, ssl', '', ...sslContextLines(tls.labCertificate), '']
    : ['import urllib.request', ''];
  // Sent plainly to a port that expects TLS first: say where urlopen() really goes, and the URL that means TLS.
  if (!tls && tlsAlertAtStart(source.receivedSample)) {
    const https = requestUrl(request, { ...source, tls: { labCertificate: false } });
    lines.push(
      `# You sent this to port ${source.port}, which expects TLS first, and got a TLS alert back. urlopen() goes`,
      '# where the URL says: http:// is plain HTTP (port 80 unless the URL names one).',
      ...(https ? [`# The same page over TLS is ${https}`] : []),
    );
  }
  // urlopen() takes the ssl context as `context=`.
  const open = (what: string): string =>
    tls ? `urllib.request.urlopen(${what}, context=ctx)` : `urllib.request.urlopen(${what})`;
  if (method === 'HEAD') {
    lines.push(
      `req = urllib.request.Request(${literal}, method='HEAD')`,
      `fhand = ${open('req')}`,
      'print(fhand.status)',
      'for name, value in fhand.getheaders():',
      "    print(name + ':', value)",
    );
  } else if (receivedIsText(source)) {
    lines.push(
      '# urlopen() sends the request, reads the status line and headers for you, and gives you only the body.',
      `fhand = ${open(literal)}`,
      'for line in fhand:',
      '    print(line.decode().strip())',
    );
  } else {
    lines.push(
      '# read() gives the whole body as bytes; the headers were already read for you.',
      `img = ${open(literal)}.read()`,
      'print(len(img))',
    );
  }
  return lines.join('\n') + '\n';
}
