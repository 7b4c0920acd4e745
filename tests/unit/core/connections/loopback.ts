/** Test helpers: real loopback servers, and a hub whose events are recorded and can be awaited. */
import { createServer, type Server, type Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { ConnectionHub, type ConnectionHubOptions } from '../../../../src/main/core/connections/hub';
import type { ConnectionId, LabEvent } from '../../../../src/shared/contract';
import type { Result } from '../../../../src/shared/errors';
import { eventWaits } from '../../eventWaits';

export interface LoopbackServer {
  port: number;
  server: Server;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A TCP server on loopback (127.0.0.1 unless asked for ::1) and a free port; allowHalfOpen so tests decide when the server sends FIN. */
export async function startServer(
  onConnection: (socket: Socket) => void,
  host: '127.0.0.1' | '::1' = '127.0.0.1',
): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    server,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: listen, note the port, close. */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.port;
}

export function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

type EventOf<K extends LabEvent['type']> = Extract<LabEvent, { type: K }>;

/** Records every event and lets a test await the next one that matches. */
export class EventLog {
  readonly events: LabEvent[] = [];
  #waiters: { match: (event: LabEvent) => boolean; resolve: (event: LabEvent) => void }[] = [];
  /** Bytes received so far on each connection, counted as they come, so a wait for them costs nothing per event. */
  readonly #bytesIn = new Map<ConnectionId, number>();
  readonly #waits = eventWaits();

  readonly push = (event: LabEvent): void => {
    this.events.push(event);
    if (event.type === 'data' && event.dir === 'in') {
      this.#bytesIn.set(event.id, (this.#bytesIn.get(event.id) ?? 0) + event.bytes.byteLength);
    }
    this.#waits.wake();
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.match(event)) return true;
      waiter.resolve(event);
      return false;
    });
  };

  of(id: ConnectionId): LabEvent[] {
    return this.events.filter((event) => event.id === id);
  }

  /** Types in order, with runs of received data shown once (the peer's chunking is not ours to fix). */
  shape(id: ConnectionId): string[] {
    const types: string[] = [];
    for (const event of this.of(id)) {
      const name = event.type === 'data' ? `data-${event.dir}` : event.type;
      if (name === 'data-in' && types[types.length - 1] === 'data-in') continue;
      types.push(name);
    }
    return types;
  }

  bytes(id: ConnectionId, dir: 'in' | 'out'): Buffer {
    const parts = this.of(id).flatMap((event) => (event.type === 'data' && event.dir === dir ? [event.bytes] : []));
    return Buffer.concat(parts);
  }

  /** Resolves with the first event (already seen or yet to come) of this connection and type. */
  next<K extends LabEvent['type']>(id: ConnectionId, type: K, timeoutMs = 5_000): Promise<EventOf<K>> {
    const match = (event: LabEvent): boolean => event.id === id && event.type === type;
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as EventOf<K>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event for ${id} within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event as EventOf<K>);
        },
      });
    });
  }

  /** Resolves once this many bytes have been received on the connection. */
  async received(id: ConnectionId, length: number, timeoutMs = 5_000): Promise<Buffer> {
    const arrived = () => this.#bytesIn.get(id) ?? 0;
    await this.#waits.until(
      () => arrived() >= length,
      () => `${length} bytes (${arrived()} arrived)`,
      timeoutMs,
    );
    return this.bytes(id, 'in');
  }
}

export function noRoute(): undefined {
  return undefined;
}

/** A DNS lookup that never calls back, like a resolver that has gone silent. */
export function silentLookup(): void {}

/** A DNS lookup that fails the way getaddrinfo does for a name that does not exist. */
export function failingLookup(code: string) {
  return (
    hostname: string,
    _options: unknown,
    callback: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
  ) => {
    const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), {
      code,
      syscall: 'getaddrinfo',
      hostname,
    });
    setImmediate(() => callback(error, []));
  };
}

export function makeHub(options: Partial<ConnectionHubOptions> = {}): { hub: ConnectionHub; log: EventLog } {
  const log = new EventLog();
  const hub = new ConnectionHub({ emit: log.push, route: noRoute, ...options });
  return { hub, log };
}

export function request(host: string, port: number, extra: { route?: 'lab' | 'internet'; timeoutMs?: number } = {}) {
  return { host, port, route: extra.route ?? 'lab', timeoutMs: extra.timeoutMs ?? 5_000 } as const;
}
