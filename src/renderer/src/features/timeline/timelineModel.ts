/**
 * The pictures of one connection, as data: the steps of its sequence diagram (your program on the left, the other
 * side on the right, time running down) and its bytes over time. Built from the same events as the byte log,
 * incrementally (only new events are read), with no per-byte work: a data event is one step whatever its size.
 *
 * Steps are kept in typed columns (a kind code, a time, a byte count, an event index) and turned into objects with
 * words only when asked for, so 100,000 arrivals cost a few megabytes and no strings until they are on screen.
 * When the byte log lets go of its oldest rows (a block at a time), `letGoBefore` lets go of their steps too, so
 * the timeline is bounded like the log. Plain TypeScript, no runes, no DOM.
 */
import type { LabEvent } from '../../../../shared/contract';
import type { EventSource } from '../session/eventLog';

export type Side = 'you' | 'peer';

export type StepKind =
  'call' | 'syn' | 'syn-ack' | 'ack' | 'send' | 'arrival' | 'fin' | 'rst' | 'timeout' | 'close' | 'error' | 'tls';

export interface TimelineStep {
  kind: StepKind;
  /** Where the arrow starts; a step with `to` null is a note on that lifeline. */
  from: Side;
  to: Side | null;
  /** Milliseconds since the connection started (its first event). */
  t: number;
  /** The arrow's words: "SYN", "send 47 bytes", "535 bytes arrive". */
  label: string;
  /** Done by TCP below the socket calls: the lab sees the call return, not these packets. */
  underneath: boolean;
  /** The byte-log event this step stands for (the row it selects), or null for a packet TCP sent unseen. */
  eventIndex: number | null;
  /** Data steps: how many bytes. */
  bytes: number;
}

/** The byte count of a data event (the byte log may have let go of the bytes themselves). */
export type LengthOf = (index: number, event: Extract<LabEvent, { type: 'data' }>) => number;

/** What the timeline reads: the session's events by index, and the oldest one still kept (an array works too). */
export type TimelineSource = EventSource & { readonly first?: number };

function plural(count: number, one: string): string {
  return `${count.toLocaleString('en-US')} ${one}${count === 1 ? '' : 's'}`;
}

/** The time of a step in words: `0.4 ms`, `12 ms`, `1.25 s`. */
export function formatStepTime(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(value / 60_000)} min ${Math.floor((value % 60_000) / 1000)} s`;
}

// Kind codes in the typed column: each names its kind, its direction and whether TCP did it underneath.
const Code = {
  Call: 0,
  Syn: 1,
  SynAck: 2,
  Ack: 3,
  Send: 4,
  Arrival: 5,
  FinYou: 6,
  FinPeer: 7,
  RstRefused: 8,
  RstReset: 9,
  RstAbort: 10,
  Timeout: 11,
  CloseLocal: 12,
  ClosePeer: 13,
  CloseError: 14,
  Error: 15,
  Tls: 16,
} as const;
type Code = (typeof Code)[keyof typeof Code];

const SHAPES: readonly { kind: StepKind; from: Side; to: Side | null; underneath: boolean }[] = [
  { kind: 'call', from: 'you', to: null, underneath: false },
  { kind: 'syn', from: 'you', to: 'peer', underneath: true },
  { kind: 'syn-ack', from: 'peer', to: 'you', underneath: true },
  { kind: 'ack', from: 'you', to: 'peer', underneath: true },
  { kind: 'send', from: 'you', to: 'peer', underneath: false },
  { kind: 'arrival', from: 'peer', to: 'you', underneath: false },
  { kind: 'fin', from: 'you', to: 'peer', underneath: false },
  { kind: 'fin', from: 'peer', to: 'you', underneath: false },
  { kind: 'rst', from: 'peer', to: 'you', underneath: true },
  { kind: 'rst', from: 'peer', to: 'you', underneath: false },
  { kind: 'rst', from: 'you', to: 'peer', underneath: false },
  { kind: 'timeout', from: 'you', to: null, underneath: false },
  { kind: 'close', from: 'you', to: null, underneath: false },
  { kind: 'close', from: 'peer', to: null, underneath: false },
  { kind: 'close', from: 'you', to: null, underneath: false },
  { kind: 'error', from: 'you', to: null, underneath: false },
  { kind: 'tls', from: 'you', to: null, underneath: false },
];

/** A growing column of numbers that can let go of its front; one array type, so the hot loop stays simple. */
class Column {
  #values = new Float64Array(256);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  at(i: number): number {
    return this.#values[i] as number;
  }

  last(): number {
    return this.#length === 0 ? -1 : (this.#values[this.#length - 1] as number);
  }

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#length] = value;
    this.#length += 1;
  }

  dropFront(count: number): void {
    this.#values.copyWithin(0, count, this.#length);
    this.#length -= count;
  }
}

/** The first position in `column` (ascending) whose value is >= `value`. */
function lowerBound(column: Column, value: number): number {
  let low = 0;
  let high = column.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (column.at(mid) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A step list that only grows at the end (and lets go at the front with the byte log). */
export class TimelineModel {
  readonly connectionId: string;
  readonly plot = new BytesOverTime();
  readonly #codes = new Column();
  readonly #times = new Column();
  readonly #bytes = new Column();
  /**
   * Each step's event index, in order. The SYN/ACK, which TCP sent unseen, has no row of its own: it keeps the
   * SYN's, so the column stays sorted for search and a click on it picks the SYN's row.
   */
  readonly #events = new Column();
  /** Words only a few steps need (an error's message, the TLS version), by absolute step number. */
  readonly #notes = new Map<number, string>();
  #scanned = 0;
  #letGo = 0;
  #startT: number | null;
  #connectingT: number | null = null;
  #host = '';
  #port = 0;
  #connectMs = 0;

  /** `startedAt`: the session time of the connection's first event, when known (its row may be let go). */
  constructor(connectionId: string, startedAt: number | null = null) {
    this.connectionId = connectionId;
    this.#startT = startedAt;
  }

  /** Steps kept. */
  get count(): number {
    return this.#codes.length;
  }

  /** Steps let go with the byte log's oldest rows. */
  get letGo(): number {
    return this.#letGo;
  }

  /** Index just past the last event read. */
  get scanned(): number {
    return this.#scanned;
  }

  /** The host and port the learner asked for (empty until the connection's first event). */
  get target(): { host: string; port: number } {
    return { host: this.#host, port: this.#port };
  }

  /** Every kept step as objects: for tests and small connections; drawing asks `step(i)` for the ones in view. */
  get steps(): readonly TimelineStep[] {
    const out: TimelineStep[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.step(i));
    return out;
  }

  step(i: number): TimelineStep {
    const code = this.#codes.at(i) as Code;
    const shape = SHAPES[code] as (typeof SHAPES)[number];
    const event = this.#events.at(i);
    const bytes = this.#bytes.at(i);
    return {
      ...shape,
      t: this.#times.at(i),
      label: this.#label(code, bytes, i + this.#letGo),
      eventIndex: code === Code.SynAck || event < 0 ? null : event,
      bytes,
    };
  }

  /** Reads the events added since the last call; each event of this connection becomes zero or more steps. */
  update(source: TimelineSource | readonly LabEvent[], lengthOf: LengthOf): void {
    const events: TimelineSource = source;
    const start = Math.max(this.#scanned, events.first ?? 0);
    for (let i = start; i < events.length; i++) {
      const event = events.at(i);
      if (event?.id === this.connectionId) this.#add(event, i, lengthOf);
    }
    this.#scanned = Math.max(this.#scanned, events.length);
    if (events.first !== undefined) this.letGoBefore(events.first);
  }

  /** The log let go of every event before `first`: so do the steps (and plot points) that stand for them. */
  letGoBefore(first: number): void {
    const drop = lowerBound(this.#events, first);
    if (drop === 0) return;
    for (const column of [this.#codes, this.#times, this.#bytes, this.#events]) {
      column.dropFront(drop);
    }
    for (const key of this.#notes.keys()) if (key < this.#letGo + drop) this.#notes.delete(key);
    this.#letGo += drop;
    this.plot.letGoBefore(first);
  }

  /** The step that shows event `eventIndex` (or the last one before it), -1 if none. */
  stepOf(eventIndex: number): number {
    let step = lowerBound(this.#events, eventIndex + 1) - 1;
    // The SYN/ACK has no row of its own: the row it shares is the SYN's.
    while (step > 0 && this.#codes.at(step) === Code.SynAck) step -= 1;
    return step;
  }

  /** The step that shows exactly event `eventIndex`, or -1. */
  exactStepOf(eventIndex: number): number {
    const step = this.stepOf(eventIndex);
    return step >= 0 && this.#events.at(step) === eventIndex ? step : -1;
  }

  /** The row a click on step `i` selects: its own event, or (a packet TCP sent unseen) the nearest one before it. */
  eventOfStep(i: number): number | null {
    const event = i >= 0 && i < this.count ? this.#events.at(i) : -1;
    return event >= 0 ? event : null;
  }

  /** The time of step `i` (ms since the connection started). */
  timeOf(i: number): number {
    return this.#times.at(i);
  }

  #label(code: Code, bytes: number, absolute: number): string {
    switch (code) {
      case Code.Call:
        return `connect(('${this.#host}', ${this.#port}))`;
      case Code.Syn:
        return 'SYN';
      case Code.SynAck:
        return 'SYN/ACK';
      case Code.Ack:
        return `ACK: connected in ${formatStepTime(this.#connectMs)}`;
      case Code.Send:
        return `send ${plural(bytes, 'byte')}`;
      case Code.Arrival:
        return `${plural(bytes, 'byte')} arrive`;
      case Code.FinYou:
        return 'FIN: you are done sending';
      case Code.FinPeer:
        return "FIN: recv() returns b''";
      case Code.RstRefused:
        return `RST: nothing listens on port ${this.#port}, so the connect is refused`;
      case Code.RstReset:
        return 'RST: the other side reset the connection';
      case Code.RstAbort:
        return 'RST: you aborted the connection';
      case Code.Timeout:
        return `no answer from ${this.#host || 'the other side'}: timed out`;
      case Code.CloseLocal:
        return 'close(): your socket is let go';
      case Code.ClosePeer:
        return 'closed: the other side finished';
      case Code.CloseError:
        return 'closed after the error';
      case Code.Error:
      case Code.Tls:
        return this.#notes.get(absolute) ?? '';
    }
  }

  #push(code: Code, at: number, eventIndex: number | null, bytes = 0, note?: string): void {
    if (note !== undefined) this.#notes.set(this.#letGo + this.#codes.length, note);
    this.#codes.push(code);
    this.#times.push(at - (this.#startT ?? at));
    this.#bytes.push(bytes);
    this.#events.push(eventIndex ?? this.#events.last());
  }

  #add(event: LabEvent, index: number, lengthOf: LengthOf): void {
    this.#startT ??= event.t;
    const at = event.t;
    switch (event.type) {
      case 'resolving':
        // The connection's first event: time counts from here (a start given before it came is only a guess).
        if (this.count === 0 && this.#letGo === 0) this.#startT = event.t;
        this.#host = event.host;
        this.#port = event.port;
        this.#push(Code.Call, at, index);
        break;
      case 'connecting':
        this.#connectingT = at;
        this.#push(Code.Syn, at, index);
        break;
      case 'connected':
        // The lab sees connect() return after its measured time; the SYN/ACK and the ACK happened inside TCP.
        this.#connectMs = event.elapsedMs;
        this.#push(Code.SynAck, Math.max(this.#connectingT ?? at, at - 0.001), null);
        this.#push(Code.Ack, at, index);
        break;
      case 'data': {
        const bytes = lengthOf(index, event);
        this.plot.add(at - (this.#startT ?? at), event.dir, bytes, index, event.offset);
        this.#push(event.dir === 'out' ? Code.Send : Code.Arrival, at, index, bytes);
        break;
      }
      case 'local-ended':
        this.#push(Code.FinYou, at, index);
        break;
      case 'peer-ended':
        this.#push(Code.FinPeer, at, index);
        break;
      case 'tls':
        this.#push(Code.Tls, at, index, 0, `TLS handshake done: ${event.protocol}, ${event.cipher}`);
        break;
      case 'error':
        if (event.code === 'ECONNREFUSED') this.#push(Code.RstRefused, at, index);
        else if (event.code === 'ECONNRESET') this.#push(Code.RstReset, at, index);
        else if (event.code === 'ETIMEDOUT') this.#push(Code.Timeout, at, index);
        else this.#push(Code.Error, at, index, 0, `${event.code}: ${event.message}`);
        break;
      case 'closed': {
        const codes = { abort: Code.RstAbort, local: Code.CloseLocal, peer: Code.ClosePeer, error: Code.CloseError };
        this.#push(codes[event.by], at, index);
        break;
      }
      // The records on the wire belong to the log's TLS rows; the diagram shows the plain bytes' sends and arrivals.
      case 'wire':
      case 'resolved':
      case 'journal-full':
        break;
    }
  }
}

export interface PlotBox {
  width: number;
  height: number;
  tMax: number;
  yMax: number;
}

/**
 * Cumulative bytes received and sent against time: one point per arrival or send, in typed arrays. Drawing asks
 * for a path at a given size and gets at most a step per pixel column, so 100,000 arrivals draw as cheaply as a
 * thousand.
 */
export class BytesOverTime {
  readonly #series = { in: new Series(), out: new Series() };

  get arrivals(): number {
    return this.#series.in.count;
  }

  get sends(): number {
    return this.#series.out.count;
  }

  get lastT(): number {
    return Math.max(this.#series.in.lastT, this.#series.out.lastT);
  }

  get maxBytes(): number {
    return Math.max(this.#series.in.total, this.#series.out.total);
  }

  /** `offset`: where the bytes start in the connection's stream, so a model begun after rows were let go counts right. */
  add(t: number, dir: 'in' | 'out', bytes: number, eventIndex = -1, offset?: number): void {
    this.#series[dir].add(t, bytes, eventIndex, offset);
  }

  series(dir: 'in' | 'out'): Series {
    return this.#series[dir];
  }

  letGoBefore(firstEvent: number): void {
    this.#series.in.letGoBefore(firstEvent);
    this.#series.out.letGoBefore(firstEvent);
  }
}

export interface PlotMark {
  x: number;
  y: number;
  /** The point's place in the series, and the byte-log event it stands for. */
  index: number;
  eventIndex: number;
}

export class Series {
  readonly #t = new Column();
  readonly #total = new Column();
  readonly #events = new Column();
  /** The running total before the first kept point (points let go with the log's rows still count). */
  #base = 0;
  #running = 0;
  #letGo = 0;

  /** Points kept. */
  get count(): number {
    return this.#t.length;
  }

  /** Points let go with the byte log's oldest rows. */
  get letGo(): number {
    return this.#letGo;
  }

  get total(): number {
    return this.#running;
  }

  get base(): number {
    return this.#base;
  }

  get lastT(): number {
    return this.count === 0 ? 0 : this.#t.at(this.count - 1);
  }

  add(t: number, bytes: number, eventIndex = -1, offset = this.#running): void {
    if (this.count === 0 && this.#letGo === 0) this.#base = offset;
    this.#running = offset + bytes;
    this.#t.push(t);
    this.#total.push(this.#running);
    this.#events.push(eventIndex);
  }

  letGoBefore(firstEvent: number): void {
    const drop = lowerBound(this.#events, firstEvent);
    if (drop === 0) return;
    this.#base = this.#total.at(drop - 1);
    this.#t.dropFront(drop);
    this.#total.dropFront(drop);
    this.#events.dropFront(drop);
    this.#letGo += drop;
  }

  /** Time, running total and byte-log event of point `i`. */
  point(i: number): { t: number; total: number; eventIndex: number } {
    return { t: this.#t.at(i), total: this.#total.at(i), eventIndex: this.#events.at(i) };
  }

  /**
   * An SVG path of the staircase (each arrival a step up), in the box's pixels with y growing down. The running
   * total only grows, so the points that fall in one pixel column draw as one rise to the column's last total:
   * at that size it looks the same, and 100,000 arrivals cost a few hundred path commands.
   */
  staircase(box: PlotBox): string {
    if (this.count === 0) return '';
    const x = (t: number) => (box.tMax > 0 ? (t / box.tMax) * box.width : 0);
    const y = (total: number) => box.height - (box.yMax > 0 ? (total / box.yMax) * box.height : 0);
    const startX = this.#letGo > 0 ? x(this.#t.at(0)) : 0;
    const parts: string[] = [`M${startX === 0 ? '0' : startX.toFixed(1)} ${y(this.#base).toFixed(1)}`];
    const count = this.count;
    let px = x(this.#t.at(0));
    for (let i = 0; i < count; i++) {
      const next = i + 1 < count ? x(this.#t.at(i + 1)) : Number.NaN;
      // Another point in the same column follows: this one's rise is part of the next one's.
      if (Math.floor(next) !== Math.floor(px)) parts.push(`H${px.toFixed(1)}V${y(this.#total.at(i)).toFixed(1)}`);
      px = next;
    }
    parts.push(`H${box.width.toFixed(1)}`);
    return parts.join('');
  }

  /** Where each point is drawn, for marks; null when there are too many to mark one by one. */
  marks(box: PlotBox, most = 2_000): PlotMark[] | null {
    if (this.count > most) return null;
    const marks: PlotMark[] = [];
    for (let i = 0; i < this.count; i++) {
      marks.push({
        x: box.tMax > 0 ? (this.#t.at(i) / box.tMax) * box.width : 0,
        y: box.height - (box.yMax > 0 ? (this.#total.at(i) / box.yMax) * box.height : 0),
        index: i,
        eventIndex: this.#events.at(i),
      });
    }
    return marks;
  }
}

/** A step as one sentence, for the list view and screen readers: "12 ms, data.pr4e.org:80 to your program: …". */
export function stepSentence(step: TimelineStep, peerName: string): string {
  const name = (side: Side) => (side === 'you' ? 'your program' : peerName);
  const who = step.to === null ? `at ${name(step.from)}` : `${name(step.from)} to ${name(step.to)}`;
  const underneath = step.underneath ? ' (TCP does this underneath: the lab sees only what connect() returns)' : '';
  return `${formatStepTime(step.t)}, ${who}: ${step.label}${underneath}`;
}
