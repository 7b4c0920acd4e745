/**
 * The pieces of `npm run bench:core` (and bench:journal): bytes per second from a loopback server through
 * ConnectionHub + EventDelivery to a consumer that acknowledges every batch at once, next to a bare node:net read of
 * the same stream, measured in one round.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { deliveredEvent, EventDelivery } from '../src/main/core/connections/delivery';
import { ConnectionHub } from '../src/main/core/connections/hub';
import type { LabEvent } from '../src/shared/contract';
import { LIMITS } from '../src/shared/limits';

export interface CoreBenchResult {
  hubBytesPerSec: number;
  bareBytesPerSec: number;
  /** hub / bare: 1 means the hub costs nothing. */
  ratio: number;
}

const BLOCK = new Uint8Array(1024 * 1024).map((_, i) => i % 251);

function sendStream(socket: Socket, total: number): void {
  let sent = 0;
  const more = (): void => {
    while (sent < total) {
      const length = Math.min(BLOCK.byteLength, total - sent);
      sent += length;
      const flushed = socket.write(length === BLOCK.byteLength ? BLOCK : BLOCK.subarray(0, length));
      if (sent >= total) socket.end();
      else if (!flushed) return void socket.once('drain', more);
    }
  };
  more();
}

/** A loopback server that sends the next requested number of bytes to each connection, then FIN. */
export async function streamServer(): Promise<{
  port: number;
  next: (total: number) => void;
  close: () => Promise<void>;
}> {
  const sizes: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    sendStream(socket, sizes.shift() ?? 0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the bench server has no port');
  return {
    port: address.port,
    next: (total) => sizes.push(total),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Seconds to read `total` bytes with plain node:net, counting them and nothing else. */
function timeBare(port: number, total: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = 0;
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const seconds = (performance.now() - started) / 1000;
      socket.destroy();
      if (received === total) resolve(seconds);
      else reject(new Error(`bare read got ${received} of ${total} bytes`));
    });
  });
}

/** A second consumer of every event the hub emits, as the session journal is (bench:journal). */
export interface HubTap {
  /** Sees each event as the hub emits it, before delivery does. */
  onEvent(event: LabEvent): void;
  /** Called once before connecting with the tap's own pause switch; reading resumes only when neither the tap nor
   *  delivery wants it paused. */
  attach?(setPaused: (paused: boolean) => void): void;
}

/** Seconds from connect() until the consumer has every byte and the peer's FIN, through the hub and delivery. */
export function timeHub(port: number, total: number, tap?: HubTap): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let deliveryPaused = false;
    let tapPaused = false;
    const applyPause = (): void => (deliveryPaused || tapPaused ? hub.pauseReading() : hub.resumeReading());
    const delivery = new EventDelivery({
      send: (batch) => {
        for (const event of batch.events) {
          if (event.type === 'data' && event.dir === 'in') received += event.bytes.byteLength;
          if (event.type === 'error') reject(new Error(`${event.code}: ${event.message}`));
          if (event.type === 'peer-ended') {
            const seconds = (performance.now() - started) / 1000;
            hub.dispose();
            delivery.dispose();
            if (received === total) resolve(seconds);
            else reject(new Error(`the hub delivered ${received} of ${total} bytes`));
            return;
          }
        }
        delivery.ack(batch.seq);
      },
      onPressure: (paused) => {
        deliveryPaused = paused;
        applyPause();
      },
    });
    const hub = new ConnectionHub({
      emit: (event) => {
        tap?.onEvent(event);
        delivery.push(deliveredEvent(event));
      },
      route: () => undefined,
    });
    tap?.attach?.((paused) => {
      tapPaused = paused;
      applyPause();
    });
    const started = performance.now();
    const connected = hub.connect({ host: '127.0.0.1', port, route: 'internet', timeoutMs: LIMITS.connectTimeoutMs });
    if (!connected.ok) reject(new Error(connected.error.message));
  });
}

/** One round: a bare read and the hub on the same stream, in an order that turns round by round, so warm-up and
 *  a busy neighbour on the machine favour neither. Call once with round 0 to warm the JIT up. */
export async function benchCoreRound(totalBytes: number, round: number): Promise<CoreBenchResult> {
  if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0)
    throw new Error('totalBytes must be a positive whole number');
  const server = await streamServer();
  try {
    let bareSeconds = 0;
    let hubSeconds = 0;
    const runs = [
      async () => {
        server.next(totalBytes);
        bareSeconds = await timeBare(server.port, totalBytes);
      },
      async () => {
        server.next(totalBytes);
        hubSeconds = await timeHub(server.port, totalBytes);
      },
    ];
    for (let i = 0; i < runs.length; i++) await (runs[(i + round) % runs.length] as () => Promise<void>)();
    const hubBytesPerSec = totalBytes / hubSeconds;
    const bareBytesPerSec = totalBytes / bareSeconds;
    return { hubBytesPerSec, bareBytesPerSec, ratio: hubBytesPerSec / bareBytesPerSec };
  } finally {
    await server.close();
  }
}
