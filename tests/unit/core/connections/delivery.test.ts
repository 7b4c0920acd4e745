import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  deliveredEvent,
  EventDelivery,
  type EventDeliveryOptions,
} from '../../../../src/main/core/connections/delivery';
import type { DeliveredEvent, EventBatch, LabEvent } from '../../../../src/shared/contract';

afterEach(() => {
  vi.useRealTimers();
});

/** A data event as the hub emits it. */
function labData(id: string, dir: 'in' | 'out', offset: number, length: number, fill = 1): LabEvent {
  return { id, t: offset, type: 'data', dir, offset, bytes: new Uint8Array(length).fill(fill) };
}

/** The same event as the session hands it to delivery (a send without its bytes). */
function data(id: string, dir: 'in' | 'out', offset: number, length: number, fill = 1): DeliveredEvent {
  return deliveredEvent(labData(id, dir, offset, length, fill));
}

function marker(id: string, type: 'peer-ended' | 'local-ended' = 'peer-ended'): DeliveredEvent {
  return { id, t: 0, type };
}

/** Bytes an event stands for: carried (received) or only counted (sent). */
function lengthOf(event: DeliveredEvent): number {
  if (event.type !== 'data') return 0;
  return event.dir === 'in' ? event.bytes.byteLength : event.length;
}

function setup(options: Partial<EventDeliveryOptions> = {}) {
  const batches: EventBatch[] = [];
  const pressure: boolean[] = [];
  const delivery = new EventDelivery({
    send: (batch) => batches.push(batch),
    onPressure: (paused) => pressure.push(paused),
    intervalMs: 16,
    maxBatchBytes: 1000,
    highWaterBytes: 4000,
    lowWaterBytes: 1000,
    ...options,
  });
  return { delivery, batches, pressure };
}

/** Data bytes that travel in the batch. */
function dataBytes(batch: EventBatch): number {
  return batch.events.reduce(
    (sum, event) => sum + (event.type === 'data' && event.dir === 'in' ? lengthOf(event) : 0),
    0,
  );
}

describe('EventDelivery', () => {
  it('coalesces events pushed within one interval into one batch', () => {
    vi.useFakeTimers();
    const { delivery, batches } = setup();
    delivery.push(marker('a', 'local-ended'));
    delivery.push(data('a', 'out', 0, 10));
    delivery.push(data('b', 'in', 0, 20));
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(15);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.seq).toBe(1);
    expect(batches[0]?.events.map((event) => event.type)).toEqual(['local-ended', 'data', 'data']);
    // The send carries no bytes, so only the 20 received count.
    expect(delivery.unackedBytes).toBe(20);
    expect(delivery.queuedBytes).toBe(0);

    delivery.push(marker('a'));
    vi.advanceTimersByTime(16);
    expect(batches.map((batch) => batch.seq)).toEqual([1, 2]);
  });

  it('sends a full batch at once, cut at event boundaries, without waiting for the timer', () => {
    vi.useFakeTimers();
    const { delivery, batches } = setup();
    for (let i = 0; i < 5; i += 1) delivery.push(data('a', 'in', i * 300, 300));
    // 1500 queued: one full batch (three reads, 900 bytes; a fourth would pass 1000) went out.
    expect(batches).toHaveLength(1);
    expect(batches[0]?.events).toHaveLength(3);
    expect(dataBytes(batches[0] as EventBatch)).toBe(900);
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(2);
    expect(dataBytes(batches[1] as EventBatch)).toBe(600);
  });

  it('never splits one event: a read larger than a batch travels alone', () => {
    const { delivery, batches } = setup({ highWaterBytes: 10_000 });
    delivery.push(marker('a', 'local-ended'));
    delivery.push(data('a', 'in', 0, 2500));
    delivery.push(data('a', 'in', 2500, 10));
    delivery.flush();
    expect(batches.map((batch) => batch.events.map((event) => event.type))).toEqual([
      ['local-ended'],
      ['data'],
      ['data'],
    ]);
    expect(batches.map(dataBytes)).toEqual([0, 2500, 10]);
  });

  it('keeps every received chunk as its own event, as recv() would see it arrive', () => {
    const { delivery, batches } = setup();
    delivery.push(data('a', 'in', 0, 100, 1));
    delivery.push(data('a', 'in', 100, 50, 2));
    delivery.push(data('a', 'in', 150, 25, 3));
    delivery.flush();
    expect(batches).toHaveLength(1);
    const rows = (batches[0]?.events ?? []).map((event) =>
      event.type === 'data' && event.dir === 'in' ? [event.offset, event.bytes.byteLength, event.bytes[0]] : event.type,
    );
    expect(rows).toEqual([
      [0, 100, 1],
      [100, 50, 2],
      [150, 25, 3],
    ]);
  });

  it('keeps sends, connections and other events in order, cutting batches only between events', () => {
    const { delivery, batches } = setup();
    delivery.push(data('a', 'out', 0, 10));
    delivery.push(data('a', 'out', 10, 10));
    delivery.push(data('a', 'in', 0, 10));
    delivery.push(data('b', 'in', 10, 10));
    delivery.push(data('b', 'in', 30, 10));
    delivery.push(data('b', 'in', 40, 10));
    delivery.push(marker('b'));
    delivery.push(data('b', 'in', 50, 10));
    delivery.push(data('c', 'in', 0, 600));
    delivery.push(data('c', 'in', 600, 600));
    delivery.flush();
    const rows = batches
      .flatMap((batch) => batch.events)
      .map((event) =>
        event.type === 'data' ? `${event.id}:${event.dir}:${event.offset}+${lengthOf(event)}` : event.type,
      );
    expect(rows).toEqual([
      'a:out:0+10',
      'a:out:10+10',
      'a:in:0+10',
      'b:in:10+10',
      'b:in:30+10',
      'b:in:40+10',
      'peer-ended',
      'b:in:50+10',
      'c:in:0+600',
      'c:in:600+600',
    ]);
  });

  it('stops sending when the unacknowledged bytes reach the high water, and acks bring credit back', () => {
    const { delivery, batches } = setup({ highWaterBytes: 2000, lowWaterBytes: 500 });
    for (let i = 0; i < 6; i += 1) delivery.push(data('a', 'in', i * 1000, 1000, i));
    // Two full batches use up the credit; the rest waits.
    expect(batches.map((batch) => batch.seq)).toEqual([1, 2]);
    expect(delivery.unackedBytes).toBe(2000);
    expect(delivery.queuedBytes).toBe(4000);
    delivery.flush();
    expect(batches).toHaveLength(2);

    expect(delivery.ack(1)).toEqual({ ok: true, value: null });
    expect(batches.map((batch) => batch.seq)).toEqual([1, 2, 3]);
    expect(delivery.ack(3)).toEqual({ ok: true, value: null });
    expect(batches.map((batch) => batch.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(delivery.unackedBytes).toBe(2000);
    // An old or repeated ack is harmless.
    expect(delivery.ack(2)).toEqual({ ok: true, value: null });
    expect(delivery.unackedBytes).toBe(2000);
  });

  it('refuses an ack for a batch never sent', () => {
    const { delivery } = setup();
    expect(delivery.ack(1)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    delivery.push(marker('a'));
    delivery.flush();
    expect(delivery.ack(1)).toEqual({ ok: true, value: null });
    const result = delivery.ack(2);
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(result.ok || result.error.message).toContain('Batch 2 has not been sent');
    expect(delivery.ack(-1)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(delivery.ack(1.5)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('asks to pause once above the high water (queued + unacknowledged) and to resume at the low water', () => {
    const { delivery, batches, pressure } = setup({ highWaterBytes: 2000, lowWaterBytes: 1000 });
    delivery.push(data('a', 'in', 0, 900));
    delivery.push(data('a', 'in', 900, 900));
    expect(pressure).toEqual([]);
    delivery.push(data('a', 'in', 1800, 900));
    expect(pressure).toEqual([true]);
    expect(delivery.paused).toBe(true);
    delivery.push(data('a', 'in', 2700, 900));
    expect(pressure).toEqual([true]);
    delivery.flush();
    expect(delivery.bufferedBytes).toBe(3600);

    const seqs = batches.map((batch) => batch.seq);
    delivery.ack(seqs[0] as number);
    expect(pressure).toEqual([true]);
    delivery.ack(seqs[seqs.length - 1] as number);
    delivery.flush();
    while (delivery.unackedBytes > 0) delivery.ack(delivery.lastSentSeq);
    expect(pressure).toEqual([true, false]);
    expect(delivery.bufferedBytes).toBe(0);
  });

  it('holds at most the high water plus one batch when the consumer never acks', () => {
    const { delivery, batches, pressure } = setup({ highWaterBytes: 4000, lowWaterBytes: 1000 });
    for (let i = 0; i < 100; i += 1) delivery.push(data('a', 'in', i * 333, 333));
    delivery.flush();
    expect(pressure).toEqual([true]);
    const sent = batches.reduce((sum, batch) => sum + dataBytes(batch), 0);
    expect(sent).toBeLessThanOrEqual(4000 + 1000);
    expect(delivery.unackedBytes).toBe(sent);
  });

  it('says a stopped journal at once in a batch of its own when nothing waits, and only once', () => {
    vi.useFakeTimers();
    const { delivery, batches } = setup();
    const problem = { code: 'STORAGE' as const, message: 'The disk is full.', hint: 'Make room.' };
    delivery.tellJournalProblem(problem);
    expect(batches).toEqual([{ seq: 1, events: [], journalProblem: problem }]);
    expect(delivery.ack(1)).toEqual({ ok: true, value: null });
    delivery.push(marker('a'));
    vi.advanceTimersByTime(16);
    expect(batches[1]).toEqual({ seq: 2, events: [marker('a')] });
  });

  it('says a stopped journal with the events queued before it, never ahead of them, even while paused', () => {
    vi.useFakeTimers();
    const { delivery, batches } = setup();
    // Four full batches: no credit is left until an ack.
    for (let i = 0; i < 5; i++) delivery.push(data('a', 'in', i * 1000, 1000));
    expect(batches).toHaveLength(4);
    delivery.push(marker('a'));
    const problem = { code: 'STORAGE' as const, message: 'The disk is full.', hint: 'Make room.' };
    delivery.tellJournalProblem(problem);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(4);
    expect(batches.some((batch) => batch.journalProblem)).toBe(false);
    delivery.ack(4);
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(5);
    expect(batches[4]?.events).toEqual([data('a', 'in', 4000, 1000), marker('a')]);
    expect(batches[4]?.journalProblem).toEqual(problem);
  });

  it('sends nothing after dispose', () => {
    vi.useFakeTimers();
    const { delivery, batches } = setup();
    delivery.push(marker('a'));
    delivery.dispose();
    vi.advanceTimersByTime(100);
    delivery.push(marker('a'));
    delivery.flush();
    expect(batches).toEqual([]);
    expect(delivery.bufferedBytes).toBe(0);
  });

  it('copes with a consumer that acks from inside send()', () => {
    const batches: EventBatch[] = [];
    const delivery: EventDelivery = new EventDelivery({
      send: (batch) => {
        batches.push(batch);
        delivery.ack(batch.seq);
      },
      onPressure: () => undefined,
      maxBatchBytes: 1000,
      highWaterBytes: 2000,
      lowWaterBytes: 500,
    });
    for (let i = 0; i < 50; i += 1) delivery.push(data('a', 'in', i * 500, 500));
    delivery.flush();
    expect(batches.map((batch) => batch.seq)).toEqual(Array.from({ length: batches.length }, (_, i) => i + 1));
    expect(batches.reduce((sum, batch) => sum + dataBytes(batch), 0)).toBe(25_000);
    expect(delivery.bufferedBytes).toBe(0);
  });

  it('delivers a send as its offset and length, without the bytes, and counts it nothing', () => {
    const sent = labData('a', 'out', 40, 2500, 0x41);
    const delivered = deliveredEvent(sent);
    expect(delivered).toEqual({ id: 'a', t: 40, type: 'data', dir: 'out', offset: 40, length: 2500 });
    expect('bytes' in delivered).toBe(false);
    // The hub's own event is untouched: the journal keeps the bytes.
    expect(sent.type === 'data' && sent.bytes.byteLength).toBe(2500);
    const received = labData('a', 'in', 0, 10);
    expect(deliveredEvent(received)).toBe(received);

    const { delivery, batches } = setup({ highWaterBytes: 1000 });
    for (let i = 0; i < 10; i += 1) delivery.push(deliveredEvent(labData('a', 'out', i * 2500, 2500)));
    expect(delivery.bufferedBytes).toBe(0);
    expect(delivery.paused).toBe(false);
    delivery.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.events).toHaveLength(10);
  });
});
