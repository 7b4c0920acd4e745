import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadBuffer } from '../../../../src/main/core/connections/hub';
import { LIMITS } from '../../../../src/shared/limits';
import { makeHub, request, startServer, valueOf, type LoopbackServer } from './loopback';

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ConnectionHub reads', () => {
  it('reads a fast stream in reads larger than Node’s 64 KiB, each one event, a large one without a copy', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024).map((_, i) => i % 251);
    server = await startServer((socket) => socket.end(payload));
    const { hub, log } = makeHub();
    const { id } = valueOf(hub.connect(request('127.0.0.1', server.port, { route: 'internet' })));
    await log.next(id, 'peer-ended');
    const received = log.of(id).flatMap((event) => (event.type === 'data' && event.dir === 'in' ? [event] : []));
    expect(Buffer.concat(received.map((event) => event.bytes)).equals(payload)).toBe(true);
    expect(Math.max(...received.map((event) => event.bytes.byteLength))).toBeGreaterThan(64 * 1024);
    const large = received.filter((event) => event.bytes.byteLength * 2 >= LIMITS.socketReadBytes);
    expect(large.length).toBeGreaterThan(0);
    for (const event of received) {
      // Not a Buffer, whose toJSON would turn the bytes into a list of numbers on the way to the renderer.
      expect(Buffer.isBuffer(event.bytes)).toBe(false);
    }
    for (const event of large) {
      // The very memory the socket read into, a buffer of its own: no second copy of the bytes.
      expect(event.bytes.byteOffset).toBe(0);
      expect(event.bytes.buffer.byteLength).toBe(LIMITS.socketReadBytes);
    }
    // Each large read took its buffer with it: no later read wrote over an earlier one.
    expect(new Set(large.map((event) => event.bytes.buffer)).size).toBe(large.length);
    hub.dispose();
  });

  it('copies a short read out, so it holds only its own bytes and the next read cannot change it', async () => {
    server = await startServer(() => undefined);
    const { hub, log } = makeHub();
    const { id } = valueOf(hub.connect(request('127.0.0.1', server.port, { route: 'internet' })));
    await log.next(id, 'connected');
    const peer = [...server.sockets][0] as Socket;
    peer.write('x');
    await log.received(id, 1);
    peer.write('yz');
    await log.received(id, 3);
    const [first, second] = log.of(id).flatMap((event) => (event.type === 'data' && event.dir === 'in' ? [event] : []));
    expect(Buffer.from(first?.bytes ?? []).toString()).toBe('x');
    expect(Buffer.from(second?.bytes ?? []).toString()).toBe('yz');
    expect(first?.bytes.buffer.byteLength).toBe(1);
    expect(second?.bytes.buffer.byteLength).toBe(2);
    hub.dispose();
  });
});

describe('ReadBuffer', () => {
  it('hands over a read of half the buffer or more, and copies out anything shorter', () => {
    const reads = new ReadBuffer(8);
    const into = reads.next();
    into.set([1, 2, 3]);
    const short = reads.take(3);
    expect([...short]).toEqual([1, 2, 3]);
    expect(short.buffer).not.toBe(into.buffer);
    // The buffer is kept for the next read, and filling it leaves the short read as it was.
    expect(reads.next()).toBe(into);
    into.fill(9);
    expect([...short]).toEqual([1, 2, 3]);
    const long = reads.take(4);
    expect(long.buffer).toBe(into.buffer);
    expect(long.byteLength).toBe(4);
    expect(reads.next()).not.toBe(into);
    expect(reads.next().byteLength).toBe(8);
  });
});
