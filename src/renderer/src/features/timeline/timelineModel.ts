/**
 * The pictures of one connection, as data: the steps of its sequence diagram (your program on the left, the other
 * side on the right, time running down) and its bytes over time. Built from the same events as the byte log,
 * incrementally (only new events are read), with no per-byte work: a data event is one step whatever its size.
 * Plain TypeScript, no runes, no DOM.
 */
import type { LabEvent } from '../../../../shared/contract';

export type Side = 'you' | 'peer';

export type StepKind =
  'call' | 'syn' | 'syn-ack' | 'ack' | 'send' | 'arrival' | 'fin' | 'rst' | 'timeout' | 'close' | 'error';

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

function plural(count: number, one: string): string {
  return `${count.toLocaleString('en-US')} ${one}${count === 1 ? '' : 's'}`;
}

/** A step list that only grows; arrays of numbers are kept typed so 100,000 arrivals stay cheap. */
export class TimelineModel {
  readonly connectionId: string;
  #steps: TimelineStep[] = [];
  /** For each step, its event index (or -1), so a log row finds its step by binary search. */
  #stepEvents = new Float64Array(256);
  #scanned = 0;
  #startT: number | null = null;
  #connectingT: number | null = null;
  #host = '';
  #port = 0;
  readonly plot = new BytesOverTime();

  constructor(connectionId: string) {
    this.connectionId = connectionId;
  }

  get steps(): readonly TimelineStep[] {
    return this.#steps;
  }

  get count(): number {
    return this.#steps.length;
  }

  /** Reads the events added since the last call; each event of this connection becomes zero or more steps. */
  update(events: readonly LabEvent[], lengthOf: LengthOf): void {
    for (let i = this.#scanned; i < events.length; i++) {
      const event = events[i] as LabEvent;
      if (event.id === this.connectionId) this.#add(event, i, lengthOf);
    }
    this.#scanned = events.length;
  }

  /** The step that shows event `eventIndex` (or the last one before it), -1 if none. */
  stepOf(eventIndex: number): number {
    let low = 0;
    let high = this.#steps.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = this.#stepEvents[mid] as number;
      if (at <= eventIndex) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    // Handshake packets carry no event; walk back to the step that does, so a click always finds a row.
    while (found > 0 && (this.#stepEvents[found] as number) < 0) found -= 1;
    return found;
  }

  #push(step: Omit<TimelineStep, 't'> & { at: number }): void {
    const { at, ...rest } = step;
    const t = at - (this.#startT ?? at);
    const index = this.#steps.length;
    if (index === this.#stepEvents.length) {
      const bigger = new Float64Array(this.#stepEvents.length * 2);
      bigger.set(this.#stepEvents);
      this.#stepEvents = bigger;
    }
    // Steps without an event keep the index of the event before them, so the array stays sorted for search.
    this.#stepEvents[index] = rest.eventIndex ?? (index > 0 ? (this.#stepEvents[index - 1] as number) : -1);
    this.#steps.push({ ...rest, t });
  }

  #add(event: LabEvent, index: number, lengthOf: LengthOf): void {
    this.#startT ??= event.t;
    const at = event.t;
    switch (event.type) {
      case 'resolving':
        this.#host = event.host;
        this.#port = event.port;
        this.#push({
          kind: 'call',
          from: 'you',
          to: null,
          at,
          label: `connect(('${event.host}', ${event.port}))`,
          underneath: false,
          eventIndex: index,
          bytes: 0,
        });
        break;
      case 'connecting':
        this.#connectingT = at;
        this.#push({
          kind: 'syn',
          from: 'you',
          to: 'peer',
          at,
          label: 'SYN',
          underneath: true,
          eventIndex: index,
          bytes: 0,
        });
        break;
      case 'connected': {
        // The lab sees connect() return; the SYN/ACK and the ACK happened just before, inside TCP.
        const synAckAt = Math.max(this.#connectingT ?? at, at - 0.001);
        this.#push({
          kind: 'syn-ack',
          from: 'peer',
          to: 'you',
          at: synAckAt,
          label: 'SYN/ACK',
          underneath: true,
          eventIndex: null,
          bytes: 0,
        });
        this.#push({
          kind: 'ack',
          from: 'you',
          to: 'peer',
          at,
          label: `ACK: connected in ${event.elapsedMs < 10 ? event.elapsedMs.toFixed(1) : Math.round(event.elapsedMs)} ms`,
          underneath: true,
          eventIndex: index,
          bytes: 0,
        });
        break;
      }
      case 'data': {
        const bytes = lengthOf(index, event);
        this.plot.add(at - (this.#startT ?? at), event.dir, bytes);
        this.#push(
          event.dir === 'out'
            ? {
                kind: 'send',
                from: 'you',
                to: 'peer',
                at,
                label: `send ${plural(bytes, 'byte')}`,
                underneath: false,
                eventIndex: index,
                bytes,
              }
            : {
                kind: 'arrival',
                from: 'peer',
                to: 'you',
                at,
                label: `${plural(bytes, 'byte')} arrive`,
                underneath: false,
                eventIndex: index,
                bytes,
              },
        );
        break;
      }
      case 'local-ended':
        this.#push({
          kind: 'fin',
          from: 'you',
          to: 'peer',
          at,
          label: 'FIN: you are done sending',
          underneath: false,
          eventIndex: index,
          bytes: 0,
        });
        break;
      case 'peer-ended':
        this.#push({
          kind: 'fin',
          from: 'peer',
          to: 'you',
          at,
          label: "FIN: recv() returns b''",
          underneath: false,
          eventIndex: index,
          bytes: 0,
        });
        break;
      case 'error':
        if (event.code === 'ECONNREFUSED') {
          this.#push({
            kind: 'rst',
            from: 'peer',
            to: 'you',
            at,
            label: `RST: nothing listens on port ${this.#port}, so the connect is refused`,
            underneath: true,
            eventIndex: index,
            bytes: 0,
          });
        } else if (event.code === 'ECONNRESET') {
          this.#push({
            kind: 'rst',
            from: 'peer',
            to: 'you',
            at,
            label: 'RST: the other side reset the connection',
            underneath: false,
            eventIndex: index,
            bytes: 0,
          });
        } else if (event.code === 'ETIMEDOUT') {
          this.#push({
            kind: 'timeout',
            from: 'you',
            to: null,
            at,
            label: `no answer from ${this.#host || 'the other side'}: timed out`,
            underneath: false,
            eventIndex: index,
            bytes: 0,
          });
        } else {
          this.#push({
            kind: 'error',
            from: 'you',
            to: null,
            at,
            label: `${event.code}: ${event.message}`,
            underneath: false,
            eventIndex: index,
            bytes: 0,
          });
        }
        break;
      case 'closed':
        this.#push(
          event.by === 'abort'
            ? {
                kind: 'rst',
                from: 'you',
                to: 'peer',
                at,
                label: 'RST: you aborted the connection',
                underneath: false,
                eventIndex: index,
                bytes: 0,
              }
            : {
                kind: 'close',
                from: event.by === 'peer' ? 'peer' : 'you',
                to: null,
                at,
                label:
                  event.by === 'local'
                    ? 'close(): your socket is let go'
                    : event.by === 'peer'
                      ? 'closed: the other side finished'
                      : 'closed after the error',
                underneath: false,
                eventIndex: index,
                bytes: 0,
              },
        );
        break;
      case 'resolved':
      case 'journal-full':
        break;
    }
  }
}

/**
 * Cumulative bytes received and sent against time: one point per arrival or send, in typed arrays. Drawing asks
 * for a path at a given size and gets at most a few points per pixel column (min and max kept), so 100,000
 * arrivals draw as cheaply as a thousand.
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

  add(t: number, dir: 'in' | 'out', bytes: number): void {
    this.#series[dir].add(t, bytes);
  }

  series(dir: 'in' | 'out'): Series {
    return this.#series[dir];
  }
}

export interface PlotBox {
  width: number;
  height: number;
  tMax: number;
  yMax: number;
}

export class Series {
  #t = new Float64Array(256);
  #total = new Float64Array(256);
  #count = 0;

  get count(): number {
    return this.#count;
  }

  get total(): number {
    return this.#count === 0 ? 0 : (this.#total[this.#count - 1] as number);
  }

  get lastT(): number {
    return this.#count === 0 ? 0 : (this.#t[this.#count - 1] as number);
  }

  add(t: number, bytes: number): void {
    if (this.#count === this.#t.length) {
      const times = new Float64Array(this.#t.length * 2);
      times.set(this.#t);
      this.#t = times;
      const totals = new Float64Array(this.#total.length * 2);
      totals.set(this.#total);
      this.#total = totals;
    }
    this.#t[this.#count] = t;
    this.#total[this.#count] = this.total + bytes;
    this.#count += 1;
  }

  /** Time and running total of point `i`. */
  point(i: number): { t: number; total: number } {
    return { t: this.#t[i] as number, total: this.#total[i] as number };
  }

  /**
   * An SVG path of the staircase (each arrival a step up), in the box's pixels with y growing down. The running
   * total only grows, so the points that fall in one pixel column draw as one rise to the column's last total:
   * at that size it looks the same, and 100,000 arrivals cost a few hundred path commands.
   */
  staircase(box: PlotBox): string {
    if (this.#count === 0) return '';
    const x = (t: number) => (box.tMax > 0 ? (t / box.tMax) * box.width : 0);
    const y = (total: number) => box.height - (box.yMax > 0 ? (total / box.yMax) * box.height : 0);
    const parts: string[] = [`M0 ${y(0).toFixed(1)}`];
    for (let i = 0; i < this.#count; i++) {
      const px = x(this.#t[i] as number);
      // Another point in the same column follows: this one's rise is part of the next one's.
      if (i + 1 < this.#count && Math.floor(x(this.#t[i + 1] as number)) === Math.floor(px)) continue;
      parts.push(`H${px.toFixed(1)}V${y(this.#total[i] as number).toFixed(1)}`);
    }
    parts.push(`H${box.width.toFixed(1)}`);
    return parts.join('');
  }

  /** Where each point is drawn, for marks; null when there are too many to mark one by one. */
  marks(box: PlotBox, most = 2_000): { x: number; y: number; index: number }[] | null {
    if (this.#count > most) return null;
    const marks: { x: number; y: number; index: number }[] = [];
    for (let i = 0; i < this.#count; i++) {
      marks.push({
        x: box.tMax > 0 ? ((this.#t[i] as number) / box.tMax) * box.width : 0,
        y: box.height - (box.yMax > 0 ? ((this.#total[i] as number) / box.yMax) * box.height : 0),
        index: i,
      });
    }
    return marks;
  }
}
