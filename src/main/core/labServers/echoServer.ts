/**
 * The lab echo server: every byte it receives goes straight back, in order. The first guided step uses it
 * to show TCP as a reliable pipe. Like the old echo service (RFC 862) it says nothing of its own.
 */
import { LIMITS } from '../../../shared/limits';
import { closeGently, startCappedServer, type RunningServer } from './socketTools';

export interface LabEchoServerOptions {
  host: string;
  port: number;
  maxConnections?: number;
  /** A connection with no bytes either way for this long is closed. */
  idleTimeoutMs?: number;
}

export const ECHO_IDLE_TIMEOUT_MS = 10 * 60_000;

export function startLabEchoServer(options: LabEchoServerOptions): Promise<RunningServer> {
  return startCappedServer({
    host: options.host,
    port: options.port,
    maxConnections: options.maxConnections ?? LIMITS.labHttpMaxConnections,
    // allowHalfOpen: when the client half-closes (FIN), we still send back what is in flight, then FIN.
    serverOptions: { allowHalfOpen: true },
    serve: (socket) => {
      socket.setTimeout(options.idleTimeoutMs ?? ECHO_IDLE_TIMEOUT_MS, () => closeGently(socket));
      // pipe() pauses reading while the client is not reading its echoes, and ends our side after its FIN.
      socket.pipe(socket);
    },
  });
}
