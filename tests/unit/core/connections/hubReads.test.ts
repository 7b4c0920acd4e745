import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeHub, request, startServer, valueOf, type LoopbackServer } from './loopback';

let server: LoopbackServer | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

/** Every 'data' chunk a client socket emits, with the socket, as Node hands them over. */
function watchReads(): { socket: Socket | null; chunks: Buffer[] } {
  const seen: { socket: Socket | null; chunks: Buffer[] } = { socket: null, chunks: [] };
  const emit = Socket.prototype.emit as (this: Socket, name: string | symbol, ...args: unknown[]) => boolean;
  const watching = function (this: Socket, name: string | symbol, ...args: unknown[]): boolean {
    // Only the hub's side: its sockets are the ones whose peer is the test server.
    if (name === 'data' && this.remotePort === server?.port) {
      seen.socket = this;
      seen.chunks.push(args[0] as Buffer);
    }
    return emit.call(this, name, ...args);
  };
  vi.spyOn(Socket.prototype, 'emit').mockImplementation(watching as typeof Socket.prototype.emit);
  return seen;
}

describe('ConnectionHub reads', () => {
  it('hands each socket read on as it is, without copying it, as a plain Uint8Array', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024).map((_, i) => i % 251);
    server = await startServer((socket) => socket.end(payload));
    const reads = watchReads();
    const { hub, log } = makeHub();
    const { id } = valueOf(hub.connect(request('127.0.0.1', server.port, { route: 'internet' })));
    await log.next(id, 'peer-ended');
    const received = log.of(id).flatMap((event) => (event.type === 'data' && event.dir === 'in' ? [event] : []));
    expect(Buffer.concat(received.map((event) => event.bytes)).equals(payload)).toBe(true);
    expect(received.length).toBe(reads.chunks.length);
    received.forEach((event, i) => {
      // The very memory Node read into: no second copy of the bytes.
      expect(event.bytes.buffer).toBe(reads.chunks[i]?.buffer);
      // Not a Buffer, whose toJSON would turn the bytes into a list of numbers on the way to the renderer.
      expect(Buffer.isBuffer(event.bytes)).toBe(false);
    });
    hub.dispose();
  });

  it('copies a read that is a slice of a larger, shared buffer', async () => {
    server = await startServer(() => undefined);
    const reads = watchReads();
    const { hub, log } = makeHub();
    const { id } = valueOf(hub.connect(request('127.0.0.1', server.port, { route: 'internet' })));
    await log.next(id, 'connected');
    const peer = [...server.sockets][0] as Socket;
    peer.write('x');
    await log.received(id, 1);
    const shared = Buffer.from('..shared..');
    // As a stream with a caller's read buffer (or a pooled slab) would hand over part of one buffer.
    reads.socket?.emit('data', shared.subarray(2, 8));
    const last = log.of(id).at(-1);
    expect(last?.type === 'data' && Buffer.from(last.bytes).toString()).toBe('shared');
    expect(last?.type === 'data' && last.bytes.buffer).not.toBe(shared.buffer);
    shared.fill(0);
    expect(last?.type === 'data' && Buffer.from(last.bytes).toString()).toBe('shared');
    hub.dispose();
  });
});
