/** Small pieces every lab server shares: listening, keeping track of connections, closing politely. */
import net from 'node:net';
import { LineReader, type LineEvent } from './lineReader';

/** After we close our side, how long we keep reading (and dropping) the client's late bytes. */
export const LINGER_MS = 2_000;

/** A lab server that is listening. */
export interface RunningServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and ends every open connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Always with an explicit host: `listen()` without one would take every interface (`::`). */
export function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Every socket a server has accepted, so stopping can end them all. */
export class SocketRegistry {
  readonly #sockets = new Set<net.Socket>();

  add(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  get size(): number {
    return this.#sockets.size;
  }

  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

/** One `close()` for a server and its sockets, that only does the work once. */
export function closer(server: net.Server, sockets: SocketRegistry, beforeClose?: () => void): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      beforeClose?.();
      server.close(() => resolve());
      sockets.destroyAll();
    });
    return closing;
  };
}

/**
 * A lab server that takes at most `maxConnections` at a time: each accepted socket is prepared and registered; past
 * the cap it is told `refusal` (if the protocol has words for it) and closed gently; otherwise it is handed to
 * `serve`. The echo, SMTP-style and POP-style servers share it; the HTTP server makes room in its own way.
 */
export async function startCappedServer(options: {
  host: string;
  port: number;
  maxConnections: number;
  serverOptions?: net.ServerOpts;
  /** Past the cap: the line to write before closing, if any. */
  refusal?: string;
  serve: (socket: net.Socket) => void;
}): Promise<RunningServer> {
  const sockets = new SocketRegistry();
  let openConnections = 0;
  const server = net.createServer(options.serverOptions ?? {}, (socket) => {
    prepareSocket(socket);
    sockets.add(socket);
    if (openConnections >= options.maxConnections) {
      if (options.refusal !== undefined) socket.write(options.refusal);
      closeGently(socket);
      return;
    }
    openConnections += 1;
    socket.once('close', () => (openConnections -= 1));
    options.serve(socket);
  });
  const port = await listenOn(server, options.host, options.port);
  return { host: options.host, port, close: closer(server, sockets) };
}

/**
 * Ends our side with a FIN, then keeps reading until the client closes too (or a short while passes).
 * Closing while the client's bytes sit unread would make the kernel send a reset, which can throw away
 * the reply the client has not read yet.
 */
export function closeGently(socket: net.Socket, lingerMs: number = LINGER_MS): void {
  if (socket.destroyed) return;
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.resume();
  socket.end();
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // With allowHalfOpen, the client's FIN after ours is the moment both sides are done.
  socket.once('end', () => socket.destroy());
}

/**
 * Writes and waits until the socket can take more (or is gone), so a reader that does not read slows us. With
 * `stallMs`, gives up waiting after that long and resolves false: the reader stopped taking bytes. Only this
 * wait counts as the reader's, never time the writer spends elsewhere (slow mode's own pauses).
 */
export function writeAll(socket: net.Socket, bytes: Uint8Array, stallMs?: number): Promise<boolean> {
  if (socket.destroyed || socket.writableEnded) return Promise.resolve(true);
  if (socket.write(bytes)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (drained: boolean): void => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onDrain);
      resolve(drained);
    };
    const onDrain = (): void => done(true);
    const timer = stallMs === undefined ? undefined : setTimeout(() => done(false), stallMs);
    socket.once('drain', onDrain);
    socket.once('close', onDrain);
  });
}

/** A pause that ends early if the socket closes. */
export function pause(socket: net.Socket, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.once('close', done);
  });
}

/** The client as the lab servers' logs name it: `127.0.0.1:50312`, `[::1]:50312`. */
export function peerName(socket: net.Socket): string {
  const address = socket.remoteAddress ?? '?';
  return net.isIPv6(address) ? `[${address}]:${socket.remotePort}` : `${address}:${socket.remotePort}`;
}

/** Lab sockets send small writes at once instead of waiting to merge them (Nagle), so chunks stay visible. */
export function prepareSocket(socket: net.Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
}

/**
 * Hands a line-based server (SMTP, POP) one command line at a time, and stops, reading too, while the client is
 * not reading our replies: a client that sends commands and never reads cannot make us queue replies without end.
 */
export function readCommandLines(socket: net.Socket, maxLineBytes: number, handle: (event: LineEvent) => void): void {
  const reader = new LineReader(maxLineBytes);
  let waiting: LineEvent[] = [];
  let next = 0;
  let waitingForDrain = false;
  const run = (): void => {
    // Once we have said our last words (closeGently ended our side), the rest is dropped.
    while (next < waiting.length && !socket.writableEnded && !socket.destroyed) {
      if (socket.writableNeedDrain) {
        if (!waitingForDrain) {
          waitingForDrain = true;
          socket.pause();
          socket.once('drain', () => {
            waitingForDrain = false;
            socket.resume();
            run();
          });
        }
        return;
      }
      handle(waiting[next] as LineEvent);
      next += 1;
    }
    if (next >= waiting.length) {
      waiting = [];
      next = 0;
    }
  };
  socket.on('data', (chunk: Buffer) => {
    for (const event of reader.push(chunk)) waiting.push(event);
    run();
  });
}
