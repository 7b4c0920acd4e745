/**
 * Socket errors in words a learner understands. Node's codes are kept (a learner can search for ECONNREFUSED);
 * the system's own text goes in `detail`, and unknown codes are shown as they are.
 */
import { isErrorCode, type ErrorCode, type LabError } from '../../../shared/errors';

export type SocketPhase = 'resolve' | 'connect' | 'send' | 'receive';

export interface SocketErrorContext {
  host: string;
  port: number;
  phase: SocketPhase;
  /** The connect timeout, for the words of our own ETIMEDOUT. */
  timeoutMs?: number;
}

/** The code, message and system call of whatever was thrown or emitted. */
function describe(err: unknown): { code: string | undefined; message: string | undefined } {
  if (typeof err !== 'object' || err === null) {
    return { code: undefined, message: err === undefined ? undefined : String(err) };
  }
  const record = err as { code?: unknown; message?: unknown };
  return {
    code: typeof record.code === 'string' ? record.code : undefined,
    message: typeof record.message === 'string' && record.message !== '' ? record.message : undefined,
  };
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return value === 1 ? '1 second' : `${value} seconds`;
}

function where(host: string, port: number): string {
  return `${host} port ${port}`;
}

const PHASE_WORDS: Record<SocketPhase, string> = {
  resolve: 'while looking up',
  connect: 'while connecting to',
  send: 'while sending to',
  receive: 'while receiving from',
};

function explainKnown(code: ErrorCode, context: SocketErrorContext): { message: string; hint: string } | undefined {
  const { host, port, phase } = context;
  switch (code) {
    case 'ENOTFOUND':
      return {
        message: `The name "${host}" could not be found: the DNS, the internet's phone book, has no address for it.`,
        hint: 'Check the spelling. A host is just the name, like data.pr4e.org, without http:// or a path.',
      };
    case 'EAI_AGAIN':
      return {
        message: `The name "${host}" could not be looked up right now: no DNS server answered.`,
        hint: 'Check that this computer is online, or use the lab route, which needs no network. Then try again.',
      };
    case 'ECONNREFUSED':
      return {
        message: `Nothing is listening on ${where(host, port)}. The computer answered, but no program has that port open, so it refused the connection.`,
        hint: 'Check the port number, or start the server first.',
      };
    case 'ETIMEDOUT': {
      const limit = context.timeoutMs === undefined ? 'in time' : `within ${seconds(context.timeoutMs)}`;
      if (phase === 'resolve') {
        return {
          message: `Looking up the address of "${host}" got no answer ${limit}, so the lab gave up.`,
          hint: 'Check that this computer is online, or use the lab route, which needs no network.',
        };
      }
      if (phase === 'connect') {
        return {
          message: `${where(host, port)} did not answer ${limit}, so the lab gave up waiting. Nothing said no; there was just silence.`,
          hint: 'The computer may be off, or a firewall may be dropping the connection. Check the host and port.',
        };
      }
      return {
        message: `The connection to ${where(host, port)} went silent: the other side stopped answering, so the system gave up on it.`,
        hint: 'The network or the other computer may have gone away. Connect again.',
      };
    }
    case 'ECONNRESET':
      return {
        message:
          phase === 'connect'
            ? `${where(host, port)} reset the connection while it was being set up (a TCP reset, RST).`
            : `${where(host, port)} reset the connection: the other side ended it abruptly (a TCP reset, RST) instead of closing it normally. Bytes still on their way may be lost.`,
        hint: 'The program on the other side may have stopped, or refused what it got. Connect again, and check what you sent.',
      };
    case 'EPIPE':
      return {
        message: `The connection to ${where(host, port)} is already closed on the other side, so these bytes could not be sent.`,
        hint: 'Connect again before sending more.',
      };
    case 'EHOSTUNREACH':
      return {
        message: `There is no way to reach ${host}: the network says that computer cannot be reached from here.`,
        hint: 'Check the address. The computer may be off, or on a network this one cannot get to.',
      };
    case 'ENETUNREACH':
      return {
        message: `The network that ${host} is on cannot be reached from this computer.`,
        hint: 'Check that this computer is online. For an IPv6 address, your network may not offer IPv6; try the IPv4 address.',
      };
    case 'EADDRNOTAVAIL':
      return {
        message: `This computer cannot use the address needed to reach ${where(host, port)}.`,
        hint: 'The address may not belong to any network this computer is on, or every local port is in use. Check the address.',
      };
    case 'EADDRINUSE':
      return {
        message: `The address and port needed for ${where(host, port)} are already in use by another connection or program.`,
        hint: 'Close the other program or connection, or wait a moment and try again.',
      };
    default:
      return undefined;
  }
}

/** Any error from DNS, a socket, or our own connect timer -> a LabError with plain words and a hint. */
export function explainSocketError(err: unknown, context: SocketErrorContext): LabError {
  const { code, message } = describe(err);
  const known = code !== undefined && isErrorCode(code) ? explainKnown(code, context) : undefined;
  if (known) {
    const error: LabError = { code: code as ErrorCode, message: known.message, hint: known.hint };
    if (message !== undefined) error.detail = message;
    return error;
  }
  const raw = [code, message].filter((part): part is string => part !== undefined);
  const detail = raw.length > 0 ? raw.join(': ') : 'no details were given';
  return {
    code: 'UNKNOWN',
    message: `Something went wrong ${PHASE_WORDS[context.phase]} ${where(context.host, context.port)}. The system said: ${detail}`,
    hint: code
      ? `Search for ${code} to learn what it means, then try again.`
      : 'Try again; if it keeps happening, note what you did.',
    detail,
  };
}
