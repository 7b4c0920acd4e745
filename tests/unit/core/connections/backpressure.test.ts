import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveredEvent, EventDelivery } from '../../../../src/main/core/connections/delivery';
import { ConnectionHub } from '../../../../src/main/core/connections/hub';
import type { EventBatch, LabEvent } from '../../../../src/shared/contract';
import { LIMITS } from '../../../../src/shared/limits';
import { noRoute, request, startServer, valueOf, type LoopbackServer } from './loopback';

// Byte i of the stream is i % 251: a prime period, so a lost, repeated or swapped chunk shows up.
const PERIOD = 251;
const BLOCK = Buffer.from(new Uint8Array(PERIOD * 4096).map((_, i) => i % PERIOD));
const EXPECTED = Buffer.from(new Uint8Array(PERIOD + 2 * LIMITS.maxBatchBytes).map((_, i) => i % PERIOD));

function pushPattern(socket: Socket, total: number): void {
  let sent = 0;
  const more = (): void => {
    while (sent < total) {
      const length = Math.min(BLOCK.length, total - sent);
      sent += length;
      const flushed = socket.write(length === BLOCK.length ? BLOCK : BLOCK.subarray(0, length));
      if (sent >= total) socket.end();
      else if (!flushed) return void socket.once('drain', more);
    }
  };
  more();
}

let srv: LoopbackServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('backpressure from a fast peer to a slow consumer', () => {
  it('keeps the buffered bytes under the bound and delivers 200 MiB in order', async () => {
    const total = 200 * 1024 * 1024;
    srv = await startServer((socket) => pushPattern(socket, total));

    const bound = LIMITS.unackedHighWaterBytes + LIMITS.maxBatchBytes;
    let maxBuffered = 0;
    let received = 0;
    let pauses = 0;
    let resumes = 0;
    let slowAcks = 0;
    let done: (events: LabEvent[]) => void = () => undefined;
    const finished = new Promise<LabEvent[]>((resolve) => (done = resolve));
    const others: LabEvent[] = [];
    const waiting: number[] = [];

    const delivery: EventDelivery = new EventDelivery({
      send: (batch: EventBatch) => {
        for (const event of batch.events) {
          if (event.type !== 'data') {
            others.push(event);
            if (event.type === 'closed') done(others);
            continue;
          }
          if (event.dir !== 'in') throw new Error('this test sends nothing');
          if (event.offset !== received) throw new Error(`offset ${event.offset}, expected ${received}`);
          const start = event.offset % PERIOD;
          if (!EXPECTED.subarray(start, start + event.bytes.byteLength).equals(event.bytes)) {
            throw new Error(`wrong bytes at offset ${event.offset}`);
          }
          received += event.bytes.byteLength;
        }
        waiting.push(batch.seq);
      },
      onPressure: (paused) => {
        if (paused) {
          pauses += 1;
          hub.pauseReading();
        } else {
          resumes += 1;
          hub.resumeReading();
        }
      },
    });
    const hub = new ConnectionHub({
      route: noRoute,
      emit: (event) => {
        delivery.push(deliveredEvent(event));
        maxBuffered = Math.max(maxBuffered, delivery.bufferedBytes);
        if (event.type === 'peer-ended') hub.close(event.id);
      },
    });

    // A consumer that handles one batch every 4 ms for the first 32 MiB and a few pause cycles, then keeps up.
    const consumer = setInterval(() => {
      const slow = pauses < 3 || resumes < 3 || received < 32 * 1024 * 1024;
      if (slow) slowAcks += 1;
      const count = slow ? 1 : waiting.length;
      const seq = waiting.splice(0, count).pop();
      if (seq !== undefined) valueOf(delivery.ack(seq));
    }, 4);

    const started = performance.now();
    const { id } = valueOf(hub.connect(request('127.0.0.1', srv.port)));
    const events = await finished;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(consumer);
    hub.dispose();
    delivery.dispose();

    expect(received).toBe(total);
    expect(events.map((event) => event.type)).toEqual([
      'resolving',
      'resolved',
      'connecting',
      'connected',
      'peer-ended',
      'local-ended',
      'closed',
    ]);
    expect(events.every((event) => event.id === id)).toBe(true);
    expect(pauses).toBeGreaterThanOrEqual(3);
    expect(resumes).toBeGreaterThanOrEqual(3);
    expect(slowAcks).toBeGreaterThan(10);
    expect(maxBuffered).toBeGreaterThan(LIMITS.unackedHighWaterBytes);
    expect(maxBuffered).toBeLessThanOrEqual(bound);
    console.log(
      `200 MiB in ${seconds.toFixed(2)} s (${(total / seconds / 1e6).toFixed(0)} MB/s), ` +
        `most buffered ${(maxBuffered / 1024 / 1024).toFixed(2)} MiB, ${pauses} pauses`,
    );
  }, 60_000);
});
