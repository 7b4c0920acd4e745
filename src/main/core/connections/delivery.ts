/**
 * Event delivery from the hub to one consumer (a window or a browser tab): events are coalesced into batches and
 * flow is credit-based, so a fast peer pauses its socket instead of growing memory or freezing the screen.
 *
 * - Batching: a batch goes out when it is full (maxBatchBytes of data) or intervalMs after the first queued event.
 *   Batches are cut at event boundaries, never inside an event: a received data event is one socket read
 *   (<= 64 KiB), so an event larger than maxBatchBytes (a smaller limit in a test) travels alone in its own batch.
 *   A learner's send carries no bytes here (see `deliveredEvent`), so it counts nothing.
 * - No merging: each socket read stays its own event, because where one arrival ends and the next begins is what
 *   the lab teaches (recv() chunk sizes, slow networks); the renderer may group rows for display, never main.
 * - Credit: batches are sent only while unacknowledged data bytes are below highWaterBytes (so the consumer holds at
 *   most highWaterBytes + one batch). Pressure counts queued + unacknowledged bytes: above highWaterBytes,
 *   onPressure(true) (the hub stops reading its sockets); once acks bring it to lowWaterBytes or less,
 *   onPressure(false).
 */
import type { DeliveredEvent, EventBatch, LabEvent } from '../../../shared/contract';
import { fail, ok, type LabError, type Result } from '../../../shared/errors';
import { LIMITS } from '../../../shared/limits';
import { Fifo } from '../../../shared/fifo';

export interface EventDeliveryOptions {
  send: (batch: EventBatch) => void;
  onPressure: (paused: boolean) => void;
  intervalMs?: number;
  maxBatchBytes?: number;
  highWaterBytes?: number;
  lowWaterBytes?: number;
}

interface QueuedEvent {
  event: DeliveredEvent;
  bytes: number;
}

interface SentBatch {
  seq: number;
  bytes: number;
}

/**
 * The event as the renderer gets it: a send as its offset and length only, since the renderer has the bytes it sent
 * (the journal keeps them in main). Everything else as it is.
 */
export function deliveredEvent(event: LabEvent): DeliveredEvent {
  if (event.type !== 'data' || event.dir === 'in') return event as DeliveredEvent;
  return { id: event.id, t: event.t, type: 'data', dir: 'out', offset: event.offset, length: event.bytes.byteLength };
}

/** Data bytes that travel with the event: arrivals, and a TLS connection's wire bytes both ways. */
function dataBytes(event: DeliveredEvent): number {
  if (event.type === 'wire') return event.bytes.byteLength;
  return event.type === 'data' && event.dir === 'in' ? event.bytes.byteLength : 0;
}

export class EventDelivery {
  readonly #send: (batch: EventBatch) => void;
  readonly #onPressure: (paused: boolean) => void;
  readonly #intervalMs: number;
  readonly #maxBatchBytes: number;
  readonly #highWaterBytes: number;
  readonly #lowWaterBytes: number;

  readonly #queue = new Fifo<QueuedEvent>();
  #queuedBytes = 0;
  #sent: SentBatch[] = [];
  #unackedBytes = 0;
  #nextSeq = 1;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #paused = false;
  #pumping = false;
  #disposed = false;
  /** Said with the next batch, even one that carries no events. */
  #journalProblem: LabError | null = null;

  constructor(options: EventDeliveryOptions) {
    this.#send = options.send;
    this.#onPressure = options.onPressure;
    this.#intervalMs = options.intervalMs ?? LIMITS.batchIntervalMs;
    this.#maxBatchBytes = options.maxBatchBytes ?? LIMITS.maxBatchBytes;
    this.#highWaterBytes = options.highWaterBytes ?? LIMITS.unackedHighWaterBytes;
    this.#lowWaterBytes = Math.min(options.lowWaterBytes ?? LIMITS.unackedLowWaterBytes, this.#highWaterBytes);
  }

  /** Data bytes queued here, not yet sent in a batch. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Data bytes sent in batches the consumer has not acknowledged yet. */
  get unackedBytes(): number {
    return this.#unackedBytes;
  }

  /** Everything this delivery holds on the consumer's behalf: queued + unacknowledged. */
  get bufferedBytes(): number {
    return this.#queuedBytes + this.#unackedBytes;
  }

  /** True while the hub has been asked to stop reading. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Seq of the last batch sent, 0 before the first. */
  get lastSentSeq(): number {
    return this.#nextSeq - 1;
  }

  push(event: DeliveredEvent): void {
    if (this.#disposed) return;
    const bytes = dataBytes(event);
    this.#queue.push({ event, bytes });
    this.#queuedBytes += bytes;
    this.#updatePressure();
    if (this.#queuedBytes >= this.#maxBatchBytes) this.#pump(false);
    this.#schedule();
  }

  /**
   * Tells the consumer, with the next batch, that the session's journal stopped: at once when nothing is waiting
   * (a batch of no events), else with the events queued before it, so the notice never overtakes them.
   */
  tellJournalProblem(problem: LabError): void {
    if (this.#disposed) return;
    this.#journalProblem = problem;
    if (this.#queue.length === 0) this.#sendOneBatch();
    else this.#schedule();
  }

  /** Acknowledges every batch up to and including `seq`; that much credit comes back. */
  ack(seq: number): Result<null> {
    if (this.#disposed) return ok(null);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > this.lastSentSeq) {
      return fail(
        'BAD_REQUEST',
        `Batch ${seq} has not been sent, so it cannot be acknowledged; the last batch sent is ${this.lastSentSeq}.`,
        'Acknowledge the seq of a batch you received.',
      );
    }
    let acked = 0;
    while (acked < this.#sent.length && (this.#sent[acked] as SentBatch).seq <= seq) {
      this.#unackedBytes -= (this.#sent[acked] as SentBatch).bytes;
      acked += 1;
    }
    if (acked > 0) this.#sent.splice(0, acked);
    this.#updatePressure();
    // Credit is back: full batches go now, a partial one at the next tick.
    if (this.#queuedBytes >= this.#maxBatchBytes) this.#pump(false);
    this.#schedule();
    return ok(null);
  }

  /** Sends everything queued now, as far as credit allows. */
  flush(): void {
    if (this.#disposed) return;
    this.#clearTimer();
    this.#pump(true);
    this.#schedule();
  }

  /** Drops everything; no more batches or pressure calls. */
  dispose(): void {
    this.#disposed = true;
    this.#clearTimer();
    this.#queue.clear();
    this.#queuedBytes = 0;
    this.#sent = [];
    this.#unackedBytes = 0;
  }

  #hasCredit(): boolean {
    return this.#unackedBytes < this.#highWaterBytes;
  }

  #updatePressure(): void {
    if (this.#disposed) return;
    const buffered = this.bufferedBytes;
    if (!this.#paused && buffered > this.#highWaterBytes) {
      this.#paused = true;
      this.#onPressure(true);
    } else if (this.#paused && buffered <= this.#lowWaterBytes) {
      this.#paused = false;
      this.#onPressure(false);
    }
  }

  /** Sends batches while credit lasts; with `partial` false, only batches that are full. */
  #pump(partial: boolean): void {
    // send() may ack synchronously, and an ack pumps: the outer loop carries on instead.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#disposed && this.#queue.length > 0 && this.#hasCredit()) {
        if (!partial && this.#queuedBytes < this.#maxBatchBytes) break;
        this.#sendOneBatch();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #sendOneBatch(): void {
    const events: DeliveredEvent[] = [];
    let bytes = 0;
    for (let item = this.#queue.peek(); item !== undefined; item = this.#queue.peek()) {
      if (events.length > 0 && item.bytes > 0 && bytes + item.bytes > this.#maxBatchBytes) break;
      this.#queue.shift();
      bytes += item.bytes;
      events.push(item.event);
    }
    const seq = this.#nextSeq;
    this.#nextSeq += 1;
    this.#queuedBytes -= bytes;
    this.#unackedBytes += bytes;
    this.#sent.push({ seq, bytes });
    const problem = this.#journalProblem;
    this.#journalProblem = null;
    this.#send(problem ? { seq, events, journalProblem: problem } : { seq, events });
  }

  #schedule(): void {
    if (this.#disposed || this.#timer !== null || this.#queue.length === 0 || !this.#hasCredit()) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pump(true);
      this.#schedule();
    }, this.#intervalMs);
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
