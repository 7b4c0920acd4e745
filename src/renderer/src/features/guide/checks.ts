/**
 * The guided lab's checks: each is a pure function of the session's own events (and the learner's typed
 * predictions), never of a button that says "done". A check passes only once the events show the learner did
 * the step's task; `parts` says which pieces are done so far.
 */
import type { LabServerInfo, LabServerKind } from '../../../../shared/contract';
import { headerValue, type HttpMessage } from '../../../../shared/http';
import { tlsAlertAtStart } from '../../../../shared/tlsRecords';
import { tlsVersionWords } from '../../lib/eventWords';
import type { EventSource } from '../session/eventLog';
import {
  asksFor,
  exchanges,
  labServerKind,
  sessionFacts,
  type ConnectionFacts,
  type Exchange,
} from '../session/sessionFacts';

/** A prediction the learner typed, and the event count when they made it: only answers after it count. */
export interface Prediction {
  text: string;
  fromEvent: number;
}

export interface CheckContext {
  labServers: readonly LabServerInfo[];
  predictions: Readonly<Record<string, Prediction>>;
  /**
   * When the step was on screen: only connections opened during these visits count, so a step never arrives half
   * done from work on earlier steps. Default: the whole session.
   */
  visits?: readonly StepVisit[];
}

/** A stretch of the session during which a step was on screen: events from `from` up to (not including) `to`. */
export interface StepVisit {
  from: number;
  to: number;
}

export interface CheckPart {
  label: string;
  done: boolean;
}

export interface CheckResult {
  passed: boolean;
  /** One or two sentences in plain words: what the events show, or what is still missing. */
  detail: string;
  parts: CheckPart[];
}

export type StepCheck = (events: EventSource, context: CheckContext) => CheckResult;

/** The pause, in ms, that shows the server really waited for the blank line. */
export const BLANK_LINE_WAIT_MS = 1000;

function result(parts: CheckPart[], passedDetail: string, pendingDetail: string): CheckResult {
  const passed = parts.every((part) => part.done);
  return { passed, detail: passed ? passedDetail : pendingDetail, parts };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function inVisits(context: CheckContext, index: number): boolean {
  return context.visits?.some((visit) => index >= visit.from && index < visit.to) ?? true;
}

/** The connections the learner opened, or sent on, while the step was on screen. */
function connectionsFrom(events: EventSource, context: CheckContext): ConnectionFacts[] {
  const all = sessionFacts(events).connections;
  if (!context.visits) return all;
  return all.filter(
    (conn) => inVisits(context, conn.firstIndex) || conn.sends.some((piece) => inVisits(context, piece.index)),
  );
}

function allExchanges(
  events: EventSource,
  context: CheckContext,
): Array<{ conn: ConnectionFacts; exchange: Exchange }> {
  return connectionsFrom(events, context).flatMap((conn) => exchanges(conn).map((exchange) => ({ conn, exchange })));
}

const REQUEST_LINE = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH) \S+ HTTP\//;

const NOT_HTTP: Partial<Record<LabServerKind, string>> = {
  echo: 'the echo server, which sent it back',
  smtp: 'the mail server, which does not speak HTTP',
  pop: 'the mailbox server, which does not speak HTTP',
};

/**
 * When the newest HTTP request the learner sent went to a lab server that does not speak HTTP (the echo server
 * still selected from step 1), the words that say so and where to send it instead; null otherwise.
 */
export function misdirectedRequest(events: EventSource, context: CheckContext): string | null {
  // The connection the learner sent on most recently, while the step was on screen.
  let newest: ConnectionFacts | undefined;
  let newestSend = -1;
  for (const conn of connectionsFrom(events, context)) {
    const last = conn.sends.findLast((piece) => inVisits(context, piece.index));
    if (last && last.index > newestSend) [newest, newestSend] = [conn, last.index];
  }
  if (!newest) return null;
  const kind = labServerKind(newest, context.labServers);
  const where = kind ? NOT_HTTP[kind] : undefined;
  if (!where) return null;
  // Read the sends themselves: after "hello" on an echo connection, the stream as a whole is not HTTP.
  const sent = newest.sent.bytes();
  let what: string | null = null;
  for (const piece of newest.sends) {
    if (!inVisits(context, piece.index) || piece.offset >= sent.byteLength) continue;
    const head = String.fromCharCode(
      ...sent.subarray(piece.offset, Math.min(piece.offset + piece.length, piece.offset + 64)),
    );
    what = REQUEST_LINE.exec(head)?.[1] ?? what;
  }
  if (what === null) return null;
  const typed = newest.port !== null ? `${newest.host} port ${newest.port}` : newest.host;
  const http = context.labServers.find((server) => server.kind === 'http')?.mirrors[0] ?? 'data.pr4e.org:80';
  const [host, port] = [http.slice(0, http.lastIndexOf(':')), http.slice(http.lastIndexOf(':') + 1)];
  return `Your ${what} went to ${typed}: ${where}. Connect to ${host} port ${port} and send it there.`;
}

/** A check for an HTTP step that, while waiting, says so when the request went to a server that is not HTTP. */
function httpStep(check: StepCheck): StepCheck {
  return (events, context) => {
    const checked = check(events, context);
    if (checked.passed) return checked;
    const misdirected = misdirectedRequest(events, context);
    return misdirected ? { ...checked, detail: misdirected } : checked;
  };
}

function requestVersion(request: HttpMessage): string | null {
  return request.startLine.kind === 'request' ? request.startLine.version : null;
}

function method(request: HttpMessage): string | null {
  return request.startLine.kind === 'request' ? request.startLine.method : null;
}

function status(response: HttpMessage | null): number | null {
  return response?.startLine.kind === 'status' ? response.startLine.status : null;
}

function sameBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

// 1 -------------------------------------------------------------------------------------------------------------

/** Echo: at least two sends on one connection to the echo server, and every byte came back in order. */
export const checkReliablePipe: StepCheck = (events, context) => {
  const echoes = connectionsFrom(events, context).filter((conn) => labServerKind(conn, context.labServers) === 'echo');
  const connected = echoes.length > 0;
  const twice = echoes.filter((conn) => conn.sends.length >= 2);
  const back = twice.find((conn) => {
    const kept = Math.min(conn.sent.length, conn.got.length);
    return conn.bytesIn >= conn.bytesOut && sameBytes(conn.sent.bytes(), conn.got.bytes(), kept);
  });
  const parts = [
    { label: 'Connected to the echo server', done: connected },
    { label: 'Sent two messages on that connection', done: twice.length > 0 },
    { label: 'Every byte came back, in the same order', done: back !== undefined },
  ];
  const pending = !connected
    ? 'No connection to the echo server yet.'
    : twice.length === 0
      ? 'Connected to the echo server. Now send two messages, one after the other.'
      : 'Waiting for every byte you sent to come back.';
  return result(
    parts,
    back
      ? `You sent ${count(back.bytesOut, 'byte')} in ${count(back.sends.length, 'send')}, and the same bytes came back in the same order.`
      : '',
    pending,
  );
};

// 2 -------------------------------------------------------------------------------------------------------------

/**
 * One computer, different ports, different programs: the web server takes the connection on its port (nothing is
 * sent to it, so its answer stays a surprise for step 4), the echo server sends bytes back on its own, and a port
 * with nothing behind it refuses.
 */
export const checkPorts: StepCheck = (events, context) => {
  const connections = connectionsFrom(events, context);
  const http = connections.find(
    (conn) => labServerKind(conn, context.labServers) === 'http' && conn.connectedIndex !== null,
  );
  const echo = connections.find(
    (conn) =>
      labServerKind(conn, context.labServers) === 'echo' &&
      conn.bytesIn > 0 &&
      sameBytes(conn.sent.bytes(), conn.got.bytes(), Math.min(conn.sent.length, conn.got.length)),
  );
  const refused = connections.find((conn) => conn.error?.code === 'ECONNREFUSED');
  const parts = [
    { label: 'The web server took a connection on its port', done: http !== undefined },
    { label: 'The echo server sent your bytes back on its port', done: echo !== undefined },
    { label: 'A port with no program behind it refused the connection', done: refused !== undefined },
  ];
  const where = (conn: ConnectionFacts | undefined): string =>
    conn?.remote ? `${conn.remote.address} port ${conn.remote.port}` : '';
  return result(
    parts,
    `The web server took your connection at ${where(http)}, the echo server answered at ${where(echo)}, and port ${refused?.dialPort ?? '?'} refused: the port number picks the program.`,
    `${parts.filter((part) => part.done).length} of 3 done.`,
  );
};

// 3 -------------------------------------------------------------------------------------------------------------

/** Two connections open at the same time to the same server, told apart by their local ports. */
export const checkYourPort: StepCheck = (events, context) => {
  const open = connectionsFrom(events, context).filter((conn) => conn.connectedIndex !== null && conn.local);
  let pair: [ConnectionFacts, ConnectionFacts] | null = null;
  for (let i = 0; i < open.length && !pair; i += 1) {
    for (let j = i + 1; j < open.length && !pair; j += 1) {
      const a = open[i] as ConnectionFacts;
      const b = open[j] as ConnectionFacts;
      const overlap =
        (a.connectedIndex as number) < (b.closedIndex ?? Infinity) &&
        (b.connectedIndex as number) < (a.closedIndex ?? Infinity);
      const sameServer = a.remote?.address === b.remote?.address && a.remote?.port === b.remote?.port;
      if (overlap && sameServer && a.local?.port !== b.local?.port) pair = [a, b];
    }
  }
  const parts = [
    { label: 'One connection open', done: open.length >= 1 },
    { label: 'A second connection to the same server while the first is still open', done: pair !== null },
  ];
  return result(
    parts,
    pair
      ? `Both connections go to port ${pair[0].remote?.port}, but yours are port ${pair[0].local?.port} and port ${pair[1].local?.port}: the pair of ports keeps the two conversations apart.`
      : '',
    open.length === 0
      ? 'No open connection yet.'
      : 'Open a second connection to the same server and port before closing the first.',
  );
};

// 4 -------------------------------------------------------------------------------------------------------------

export interface PredictionComparison {
  matches: boolean;
  words: string;
}

/** The learner's predicted status line against the real one: exact (ignoring case and extra spaces), or close. */
export function compareStatusLine(predicted: string, actual: HttpMessage): PredictionComparison {
  const norm = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase();
  const line = actual.startLineText;
  if (norm(predicted) === norm(line))
    return { matches: true, words: `You predicted "${predicted.trim()}": exactly right.` };
  const code = status(actual);
  const codeRight = code !== null && new RegExp(`\\b${code}\\b`).test(predicted);
  return {
    matches: false,
    words: codeRight
      ? `You predicted "${predicted.trim()}"; the server said "${line}". The status code ${code} is right.`
      : `You predicted "${predicted.trim()}"; the server said "${line}".`,
  };
}

/** Predict the status line; then a GET with a version and a blank line, answered with status line and headers. */
export function makeSpeakHttpCheck(stepId: string): StepCheck {
  return httpStep((events, context) => {
    const prediction = context.predictions[stepId];
    const predicted = prediction !== undefined && prediction.text.trim() !== '';
    const from = prediction?.fromEvent ?? Infinity;
    const gets = allExchanges(events, context).filter(
      ({ exchange }) => method(exchange.request) === 'GET' && requestVersion(exchange.request) !== null,
    );
    const sentAfter = gets.filter(({ exchange }) => (exchange.requestIndex ?? -1) >= from);
    const answered = gets.find(
      ({ exchange }) => exchange.response?.headersComplete === true && (exchange.responseIndex ?? -1) >= from,
    );
    const parts = [
      { label: 'Predicted the first line of the answer', done: predicted },
      { label: 'Then sent a GET request, ending with a blank line', done: predicted && sentAfter.length > 0 },
      { label: 'Got a status line, headers and the blank line back', done: predicted && answered !== undefined },
    ];
    const response = answered?.exchange.response;
    const detail =
      response && prediction && answered
        ? `${compareStatusLine(prediction.text, response).words} Then came ${count(response.headers.length, 'header line')}, the blank line, and ${count(response.contentLength ?? response.bodyLength, 'byte')} of body.${versionNote(answered.exchange.request, response)}`
        : '';
    const pending = !predicted
      ? 'Type your prediction first, then send the request.'
      : sentAfter.length === 0
        ? 'Prediction saved. Now send the request: only an answer that comes after your prediction counts.'
        : 'Waiting for the answer.';
    return result(parts, detail, pending);
  });
}

/** Why an HTTP/1.0 request is answered `HTTP/1.1 200 OK`, said where the learner first sees it. */
export function versionNote(request: HttpMessage, response: HttpMessage): string {
  const asked = requestVersion(request);
  const said = response.startLine.kind === 'status' ? response.startLine.version : null;
  if (!asked || !said || asked === said) return '';
  return ` You asked in ${asked} and the server said ${said}: a server names the highest version it speaks, and still answers in a way a ${asked} client understands.`;
}

// 5 -------------------------------------------------------------------------------------------------------------

/**
 * The request line sent alone (a whole line, no blank line yet), nothing came back for at least a second, then
 * the blank line was sent and only then did the answer come.
 */
export const checkBlankLine: StepCheck = httpStep((events, context) => {
  let lineAlone = false;
  let waited: { ms: number; conn: ConnectionFacts } | null = null;
  let answered: { ms: number; conn: ConnectionFacts } | null = null;
  for (const conn of connectionsFrom(events, context)) {
    const sent = conn.sent.bytes();
    // Look at the first sends only: the step is about one request typed in two parts.
    const sends = conn.sends.slice(0, 20);
    for (let k = 0; k < sends.length; k += 1) {
      const piece = sends[k];
      if (!piece || piece.offset + piece.length > sent.length) break;
      const head = conn.sent.prefixHttp(piece.offset + piece.length);
      if (!head || head.headersComplete) continue;
      lineAlone = true;
      const next = sends.slice(k + 1).find((later) => {
        const after = conn.sent.prefixHttp(later.offset + later.length);
        return after !== null && after.start === head.start && after.headersComplete;
      });
      if (!next) continue;
      const quiet = !conn.received.some((got) => got.index > piece.index && got.index < next.index);
      const ms = next.t - piece.t;
      if (!quiet || ms < BLANK_LINE_WAIT_MS) continue;
      waited = { ms, conn };
      const reply = conn.received.find((got) => got.index > next.index);
      if (reply) {
        answered = { ms, conn };
        break;
      }
    }
    if (answered) break;
  }
  const parts = [
    { label: 'Sent the request line without the blank line', done: lineAlone },
    { label: 'Waited: nothing came back, then sent the blank line', done: waited !== null },
    { label: 'The answer came after the blank line', done: answered !== null },
  ];
  return result(
    parts,
    answered
      ? `Nothing came back for ${(answered.ms / 1000).toFixed(1)} seconds: the server was waiting for the blank line. It answered only once the blank line arrived.`
      : '',
    !lineAlone
      ? 'Send just the request line (ending in \\r\\n) first, without the blank line.'
      : waited
        ? 'Waiting for the answer.'
        : `Wait at least ${BLANK_LINE_WAIT_MS / 1000} second and watch: nothing comes back. Then send the blank line (\\r\\n) alone.`,
  );
});

// 6 -------------------------------------------------------------------------------------------------------------

/** A number in the learner's words: "167", "167 bytes", "Content-Length: 167". */
export function predictedNumber(text: string): number | null {
  const match = /\d[\d,_]*/.exec(text);
  if (!match) return null;
  const value = Number(match[0].replace(/[,_]/g, ''));
  return Number.isSafeInteger(value) ? value : null;
}

/** Predict romeo.txt's Content-Length, then ask for it: the whole body arrives, as long as it said. */
export function makeHeadersBodyCheck(stepId: string): StepCheck {
  return httpStep((events, context) => {
    const prediction = context.predictions[stepId];
    const predicted = prediction ? predictedNumber(prediction.text) : null;
    const romeo = allExchanges(events, context).filter(
      ({ exchange }) =>
        asksFor(exchange.request, 'romeo.txt') &&
        method(exchange.request) === 'GET' &&
        status(exchange.response) === 200 &&
        exchange.response?.contentLength !== null &&
        exchange.responseComplete,
    );
    const after = prediction
      ? romeo.find(({ exchange }) => (exchange.responseIndex ?? -1) >= prediction.fromEvent)
      : undefined;
    const parts = [
      { label: 'Predicted the Content-Length of romeo.txt', done: predicted !== null },
      { label: 'Got romeo.txt: headers, the blank line, and the whole body', done: after !== undefined },
    ];
    let detail = '';
    const response = after?.exchange.response;
    if (response && predicted !== null) {
      const length = response.contentLength as number;
      detail =
        (predicted === length
          ? `You predicted ${predicted}: right. `
          : `You predicted ${predicted}; the server said Content-Length: ${length}. `) +
        `The body starts at byte ${response.bodyStart - response.start} of the answer, right after \\r\\n\\r\\n, and its ${count(length, 'byte')} match Content-Length.`;
    }
    const pending =
      predicted === null
        ? prediction
          ? 'Your prediction should be a number of bytes, like 120.'
          : 'Type your prediction first: how many bytes long is romeo.txt?'
        : 'Prediction saved. Now ask for romeo.txt: only an answer that comes after your prediction counts.';
    return result(parts, detail, pending);
  });
}

// 7 -------------------------------------------------------------------------------------------------------------

/** HTTP/1.0: the server closes after answering. HTTP/1.1 with Host: the connection stays open for more. */
export const checkWhoCloses: StepCheck = httpStep((events, context) => {
  let closedByServer: ConnectionFacts | null = null;
  let keptOpen: { conn: ConnectionFacts; how: string } | null = null;
  for (const conn of connectionsFrom(events, context)) {
    const list = exchanges(conn);
    const first = list[0];
    if (!first || !first.responseComplete || first.responseIndex === null) continue;
    const version = requestVersion(first.request);
    if (
      version === 'HTTP/1.0' &&
      conn.peerEndedIndex !== null &&
      (conn.localEndedIndex === null || conn.peerEndedIndex < conn.localEndedIndex)
    ) {
      closedByServer ??= conn;
    }
    if (version === 'HTTP/1.1' && headerValue(first.request, 'host') !== undefined) {
      const second = list[1];
      const serverEnd = conn.peerEndedIndex ?? Infinity;
      const learnerClosed = conn.closedBy === 'local' || conn.closedBy === 'abort' ? conn.closedIndex : null;
      const learnerEnd = Math.min(conn.localEndedIndex ?? Infinity, learnerClosed ?? Infinity);
      if (second?.responseComplete && (second.responseIndex ?? Infinity) < serverEnd) {
        keptOpen ??= { conn, how: 'A second request on the same connection got a second answer' };
      } else if (learnerEnd < serverEnd && learnerEnd > first.responseIndex) {
        keptOpen ??= { conn, how: 'The server kept the connection open until you closed it' };
      }
    }
  }
  const parts = [
    { label: 'HTTP/1.0: the server closed after its answer (FIN received)', done: closedByServer !== null },
    { label: 'HTTP/1.1 with Host: the connection stayed open after the answer', done: keptOpen !== null },
  ];
  return result(
    parts,
    `With HTTP/1.0 the server closed the connection, which is what ends a recv() loop (recv returns b''). ${keptOpen?.how ?? ''}: with HTTP/1.1 it waits for more.`,
    closedByServer
      ? 'HTTP/1.0 done. Now send the HTTP/1.1 request with a Host header, then send it again on the same connection.'
      : 'Send an HTTP/1.0 request and watch who sends FIN first.',
  );
});

// 8 -------------------------------------------------------------------------------------------------------------

/** What can go wrong, and which of it the learner has seen: a 404 and a refusal are required. */
export const checkWhenThingsGoWrong: StepCheck = (events, context) => {
  const connections = connectionsFrom(events, context);
  const statuses = new Set(
    allExchanges(events, context)
      .map(({ exchange }) => status(exchange.response))
      .filter((code): code is number => code !== null),
  );
  // A 400 or 408 can also come without a full request of ours (a broken request line, or waiting too long).
  for (const conn of connections) {
    const first = conn.got.http(conn.peerEndedIndex !== null).messages[0];
    const code = first ? status(first) : null;
    if (code !== null) statuses.add(code);
  }
  const errors = new Set(connections.map((conn) => conn.error?.code).filter((code) => code !== undefined));
  const seen = {
    notFound: statuses.has(404),
    refused: errors.has('ECONNREFUSED'),
    badRequest: statuses.has(400),
    unknownHost: errors.has('ENOTFOUND') || errors.has('EAI_AGAIN'),
    timeout: errors.has('ETIMEDOUT') || statuses.has(408),
  };
  const parts = [
    { label: 'A 404: the server is there, the file is not', done: seen.notFound },
    { label: 'Refused: no program on that port', done: seen.refused },
  ];
  const extras = [
    seen.badRequest ? 'a 400 (the server could not read the request)' : null,
    seen.unknownHost ? 'an unknown host (no address for the name)' : null,
    seen.timeout ? 'a timeout' : null,
  ].filter((words): words is string => words !== null);
  const also = extras.length > 0 ? ` You also met ${extras.join(', ')}.` : '';
  return result(
    parts,
    `You saw a 404, where the conversation worked but the answer is "no such file", and a refusal, where there was no conversation at all.${also}`,
    `${parts.filter((part) => part.done).length} of 2 done.${also}`,
  );
};

// 9 -------------------------------------------------------------------------------------------------------------

const SMALL_ANSWER_BYTES = 16 * 1024;
const TRICKLE_PIECES = 4;

/** cover3.jpg: a body of bytes that are not text, starting with the JPEG signature FF D8 FF; then a small answer
 * trickled out by slow mode, arriving in pieces as recv() would get them. */
export const checkBytes: StepCheck = httpStep((events, context) => {
  const image = allExchanges(events, context).find(
    ({ exchange }) =>
      asksFor(exchange.request, 'cover3.jpg') &&
      status(exchange.response) === 200 &&
      exchange.responseComplete &&
      exchange.response !== null &&
      startsWithBytes(exchange.response.body, [0xff, 0xd8, 0xff]),
  );
  const asked = allExchanges(events, context).some(({ exchange }) => asksFor(exchange.request, 'cover3.jpg'));
  // On loopback a small answer comes in one read; four or more pieces of one answer means the server trickled it
  // (slow mode). Pieces are counted per answer: four quick answers on one keep-alive connection are not a trickle.
  const trickled = allExchanges(events, context)
    .map(({ conn, exchange }) => ({ conn, exchange, pieces: answerPieces(conn, exchange) }))
    .find(({ pieces }) => pieces !== null && pieces.bytes <= SMALL_ANSWER_BYTES && pieces.count >= TRICKLE_PIECES);
  const parts = [
    { label: 'Asked for cover3.jpg', done: asked },
    { label: 'The whole image arrived; its body starts FF D8 FF', done: image !== undefined },
    { label: `A small answer arrived in ${TRICKLE_PIECES} or more pieces (slow mode)`, done: trickled !== undefined },
  ];
  let detail = '';
  if (image?.exchange.response) {
    const length = image.exchange.response.contentLength ?? image.conn.bytesIn - image.exchange.response.bodyStart;
    detail =
      `The body is ${count(length, 'byte')} and starts FF D8 FF, the mark of a JPEG: bytes, not characters. ` +
      `They arrived in ${count(image.conn.receivedEvents, 'piece')} here; a recv(5120) loop would need at least ${Math.ceil(image.conn.bytesIn / 5120)} calls.`;
  }
  if (trickled) {
    detail +=
      (detail ? ' ' : '') +
      `Slowed down, ${count(trickled.pieces?.bytes ?? 0, 'byte')} came in ${count(trickled.pieces?.count ?? 0, 'piece')}: each recv() returns only what has arrived so far.`;
  }
  // Say what is still missing, never "waiting" for a part that is already ticked.
  const pending = !asked
    ? 'Ask for cover3.jpg.'
    : !image
      ? 'Waiting for the whole image.'
      : 'The whole image is here. Now set the lab HTTP server speed to Slow, connect again and ask for romeo.txt.';
  return result(parts, detail, pending);
});

/** How many received chunks carried one whole answer, and its size; null while it is incomplete. */
function answerPieces(conn: ConnectionFacts, exchange: Exchange): { count: number; bytes: number } | null {
  const response = exchange.response;
  if (!response || !exchange.responseComplete) return null;
  const end =
    response.framing === 'content-length' && response.contentLength !== null
      ? response.bodyStart + response.contentLength
      : response.end;
  const count = conn.received.filter(
    (piece) => piece.offset < end && piece.offset + piece.length > response.start,
  ).length;
  return { count, bytes: end - response.start };
}

function startsWithBytes(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

// 10 ------------------------------------------------------------------------------------------------------------

/** The request urllib sends: HTTP/1.1 with Host, Connection: close and Accept-Encoding: identity, then the close. */
export const checkUrllib: StepCheck = httpStep((events, context) => {
  const candidates = allExchanges(events, context).filter(
    ({ exchange }) => method(exchange.request) === 'GET' && requestVersion(exchange.request) === 'HTTP/1.1',
  );
  const has = (request: HttpMessage, name: string, value: RegExp): boolean =>
    value.test(headerValue(request, name) ?? '');
  const withHost = candidates.filter(({ exchange }) => has(exchange.request, 'host', /\S/));
  const withClose = withHost.filter(({ exchange }) => has(exchange.request, 'connection', /^close$/i));
  const withIdentity = withClose.filter(({ exchange }) => has(exchange.request, 'accept-encoding', /^identity$/i));
  const done = withIdentity.find(
    ({ conn, exchange }) =>
      exchange.responseComplete &&
      conn.peerEndedIndex !== null &&
      exchange.responseIndex !== null &&
      conn.peerEndedIndex >= exchange.responseIndex,
  );
  const parts = [
    { label: 'An HTTP/1.1 GET with a Host header', done: withHost.length > 0 },
    { label: 'With Connection: close', done: withClose.length > 0 },
    { label: 'With Accept-Encoding: identity', done: withIdentity.length > 0 },
    { label: 'The answer arrived and the server closed, as urllib expects', done: done !== undefined },
  ];
  let detail = '';
  if (done?.exchange.response) {
    detail = `You spoke like urllib. urlopen() would read the status line and the ${count(done.exchange.response.headers.length, 'header')} for you and hand your program only the ${count(done.exchange.response.contentLength ?? done.exchange.response.bodyLength, 'byte')} of body.`;
  }
  return result(parts, detail, `${parts.filter((part) => part.done).length} of 4 done.`);
});

// 11 ------------------------------------------------------------------------------------------------------------

/** A connection to port 443, as typed, or to the lab HTTPS server that stands in for it. */
function toHttpsPort(conn: ConnectionFacts, servers: readonly LabServerInfo[]): boolean {
  return conn.port === 443 || labServerKind(conn, servers) === 'https';
}

/** A plain connection answered by a TLS alert: the other side expects TLS first. */
function sawTlsExpected(conn: ConnectionFacts): boolean {
  return !conn.tls && (conn.error?.code === 'TLS_EXPECTED' || tlsAlertAtStart(conn.got.bytes()) !== undefined);
}

/** A TLS connection whose plain bytes hold an HTTP 200 answer. */
function httpsAnswer(conn: ConnectionFacts): Exchange | undefined {
  if (!conn.tls || conn.tlsSession === null) return undefined;
  return exchanges(conn).find((exchange) => status(exchange.response) === 200);
}

/**
 * Servers that speak first (the SMTP-style greeter's 220 and the POP-style greeter's +OK), and port 443: a plain
 * request gets a TLS alert (that port expects TLS first), then the same request with TLS on gets its answer inside.
 */
export const checkPortTour: StepCheck = (events, context) => {
  const connections = connectionsFrom(events, context);
  const smtp = connections.find((conn) => /^220[ -]/.test(firstLine(conn)));
  const pop = connections.find((conn) => firstLine(conn).startsWith('+OK'));
  const plain = connections.find((conn) => toHttpsPort(conn, context.labServers) && sawTlsExpected(conn));
  // "Then": the TLS connection comes after the plain attempt, so the two answers can be compared.
  const secure = connections.find(
    (conn) =>
      plain !== undefined &&
      conn.firstIndex > plain.firstIndex &&
      toHttpsPort(conn, context.labServers) &&
      httpsAnswer(conn) !== undefined,
  );
  const secureEarlier =
    !secure && connections.some((conn) => toHttpsPort(conn, context.labServers) && httpsAnswer(conn));
  const parts = [
    { label: 'Read the mail server’s 220 greeting (SMTP, port 25)', done: smtp !== undefined },
    { label: 'Read the mailbox server’s +OK greeting (POP, port 110)', done: pop !== undefined },
    { label: 'Port 443 with TLS off: a plain GET gets a TLS alert (this port expects TLS first)', done: !!plain },
    { label: 'Then port 443 with TLS on: the same GET gets HTTP 200 inside TLS', done: secure !== undefined },
  ];
  const version = secure?.tlsSession ? tlsVersionWords(secure.tlsSession.protocol) : 'TLS';
  const pending = !plain
    ? secureEarlier
      ? 'You got an answer inside TLS on port 443. Now try it with TLS off, to see what the server says to plain bytes.'
      : `${parts.filter((part) => part.done).length} of 4 done.`
    : !secure
      ? 'Port 443 answered your plain bytes with a TLS alert. Now switch TLS on, connect to port 443 again and send the same GET.'
      : `${parts.filter((part) => part.done).length} of 4 done.`;
  return result(
    parts,
    `Both servers spoke first, before you sent anything: each protocol has its own first words. On port 443 the server wants ${version} first: your plain GET got an alert, and inside TLS the same GET got 200 OK.`,
    pending,
  );
};

function firstLine(conn: ConnectionFacts): string {
  const bytes = conn.got.bytes().subarray(0, 200);
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x0a || byte === 0x0d) break;
    text += String.fromCharCode(byte);
  }
  return text;
}
