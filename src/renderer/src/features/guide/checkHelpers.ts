/**
 * What every step's check shares: its types and the helpers several checks use. A check is a pure function of the
 * session's own events (and the learner's typed predictions), never of a button that says "done". A check passes
 * only once the events show the learner did the step's task; `parts` says which pieces are done so far.
 */
import type { LabServerInfo, LabServerKind } from '../../../../shared/contract';
import type { HttpMessage } from '../../../../shared/http';
import type { EventSource } from '../session/eventLog';
import { exchanges, labServerKind, sessionFacts, type ConnectionFacts, type Exchange } from '../session/sessionFacts';

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

export function result(parts: CheckPart[], passedDetail: string, pendingDetail: string): CheckResult {
  const passed = parts.every((part) => part.done);
  return { passed, detail: passed ? passedDetail : pendingDetail, parts };
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function inVisits(context: CheckContext, index: number): boolean {
  return context.visits?.some((visit) => index >= visit.from && index < visit.to) ?? true;
}

/** The connections the learner opened, or sent on, while the step was on screen. */
export function connectionsFrom(events: EventSource, context: CheckContext): ConnectionFacts[] {
  const all = sessionFacts(events).connections;
  if (!context.visits) return all;
  return all.filter(
    (conn) => inVisits(context, conn.firstIndex) || conn.sends.some((piece) => inVisits(context, piece.index)),
  );
}

export function allExchanges(
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
export function httpStep(check: StepCheck): StepCheck {
  return (events, context) => {
    const checked = check(events, context);
    if (checked.passed) return checked;
    const misdirected = misdirectedRequest(events, context);
    return misdirected ? { ...checked, detail: misdirected } : checked;
  };
}

export function requestVersion(request: HttpMessage): string | null {
  return request.startLine.kind === 'request' ? request.startLine.version : null;
}

export function method(request: HttpMessage): string | null {
  return request.startLine.kind === 'request' ? request.startLine.method : null;
}

export function status(response: HttpMessage | null): number | null {
  return response?.startLine.kind === 'status' ? response.startLine.status : null;
}

export function sameBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
