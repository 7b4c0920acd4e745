/**
 * The lab echo server: every byte it receives goes straight back, in order. The first guided step uses it
 * to show TCP as a reliable pipe. Like the old echo service (RFC 862) it says nothing of its own.
 */
import net from 'node:net';
import { LIMITS } from '../../../shared/limits';
import { closeGently, closer, listenOn, prepareSocket, SocketRegistry, type RunningServer } from './socketTools';

export interface LabEchoServerOptions {
  host: string;
  port: number;
  maxConnections?: number;
  /** A connection with no bytes either way for this long is closed. */
  idleTimeoutMs?: number;
}

export const ECHO_IDLE_TIMEOUT_MS = 10 * 60_000;

export async function startLabEchoServer(options: LabEchoServerOptions): Promise<RunningServer> {
  const maxConnections = options.maxConnections ?? LIMITS.labHttpMaxConnections;
  const sockets = new SocketRegistry();
  let openConnections = 0;
  // allowHalfOpen: when the client half-closes (FIN), we still send back what is in flight, then FIN.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    prepareSocket(socket);
    sockets.add(socket);
    if (openConnections >= maxConnections) {
      closeGently(socket);
      return;
    }
    openConnections += 1;
    socket.once('close', () => (openConnections -= 1));
    socket.setTimeout(options.idleTimeoutMs ?? ECHO_IDLE_TIMEOUT_MS, () => closeGently(socket));
    // pipe() pauses reading while the client is not reading its echoes, and ends our side after its FIN.
    socket.pipe(socket);
  });
  const port = await listenOn(server, options.host, options.port);
  return { host: options.host, port, close: closer(server, sockets) };
}
