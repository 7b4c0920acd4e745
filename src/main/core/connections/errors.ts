/**
 * Socket errors in words a learner understands. Node's codes are kept (a learner can search for ECONNREFUSED);
 * the system's own text goes in `detail`, and unknown codes are shown as they are.
 */
import { isErrorCode, type ErrorCode, type LabError } from '../../../shared/errors';
import { describeTlsAlert, TLS_ALERT_DESCRIPTIONS, type TlsAlert } from '../../../shared/tlsRecords';

/** `handshake`: the TCP connection is up and TLS is being set up over it. */
export type SocketPhase = 'resolve' | 'connect' | 'handshake' | 'send' | 'receive';

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
  handshake: 'during the TLS handshake with',
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
      if (phase === 'handshake') {
        return {
          message: `${where(host, port)} took the TCP connection but did not finish the TLS handshake ${limit}, so the lab gave up. A program that does not speak TLS waits in silence for a request, which looks just like this.`,
          hint: 'Turn TLS off to see what it says in plain bytes, or check the port: HTTPS is usually 443.',
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
            : phase === 'handshake'
              ? `${where(host, port)} reset the connection (a TCP reset, RST) during the TLS handshake, before it was secure.`
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

// ---------------------------------------------------------------------------------------------
// TLS

export interface TlsErrorFacts {
  /** The handshake had finished. */
  secure: boolean;
  /** A readable alert the other side sent, as the record splitter read it off the wire. */
  alert?: TlsAlert;
  /** The first bytes the other side sent, when they could not be TLS records. */
  notTls?: Uint8Array;
}

/** What an alert from the other side means, in a clause that follows "because it". */
const ALERT_MEANINGS: Readonly<Record<string, string>> = {
  handshake_failure:
    'could not agree with the lab on how to encrypt: there is no TLS version, cipher or key type that both sides know',
  protocol_version: 'does not speak a TLS version the lab offers (TLS 1.2 and TLS 1.3)',
  insufficient_security: 'wants stronger ciphers than the lab offered',
  unrecognized_name: 'has no site by the name the lab sent (SNI)',
  certificate_required: 'wants a certificate from your side too (client authentication), and the lab has none to give',
  bad_certificate: 'did not accept a certificate',
  unknown_ca: 'does not trust the authority behind a certificate',
  access_denied: 'does not let this computer in',
  no_application_protocol: 'does not speak the protocol the lab offered inside TLS (HTTP/1.1, by ALPN)',
  internal_error: 'had a problem of its own',
  unexpected_message: 'got a TLS message it did not expect',
  decode_error: 'could not read what it got',
  illegal_parameter: 'got a value it does not allow',
  bad_record_mac: 'got a record that did not check out: it was damaged or changed on the way',
  decrypt_error: 'could not check a signature or the Finished message',
  user_canceled: 'chose to stop',
};

/** The alert a Node TLS error names: `SSL alert number 40` in its message, or its code `ERR_SSL_..._ALERT_<NAME>`. */
function alertOfError(code: string | undefined, message: string | undefined): TlsAlert | undefined {
  const number = /SSL alert number (\d+)/.exec(message ?? '')?.[1];
  if (number !== undefined) return describeTlsAlert(2, Number(number));
  const name = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/.exec(code ?? '')?.[1]?.toLowerCase();
  if (name === undefined) return undefined;
  const entry = Object.entries(TLS_ALERT_DESCRIPTIONS).find(([, description]) => description === name);
  return entry ? describeTlsAlert(2, Number(entry[0])) : { level: 'fatal', description: name, code: -1 };
}

/** The first line (or the first 40 bytes) as a learner would read it: printable text, with \r \n and \xHH. */
function shownBytes(bytes: Uint8Array): string {
  const lineEnd = bytes.indexOf(0x0a);
  const max = lineEnd !== -1 && lineEnd < 64 ? lineEnd + 1 : 40;
  let text = '';
  for (const byte of bytes.subarray(0, max)) {
    if (byte === 0x0d) text += '\\r';
    else if (byte === 0x0a) text += '\\n';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${text}${bytes.byteLength > max ? '...' : ''}"`;
}

function startsWithText(bytes: Uint8Array, text: string): boolean {
  return bytes.byteLength >= text.length && [...text].every((char, i) => bytes[i] === char.charCodeAt(0));
}

/** A TLS failure (node:tls's error, and what the lab read off the wire) in plain words. */
export function explainTlsError(err: unknown, context: SocketErrorContext, facts: TlsErrorFacts): LabError {
  const { code, message } = describe(err);
  const raw =
    [code, message].filter((part): part is string => part !== undefined).join(': ') || 'no details were given';
  const at = where(context.host, context.port);
  if (facts.notTls) {
    const http = startsWithText(facts.notTls, 'HTTP/');
    return {
      code: 'TLS_NOT_SPOKEN',
      message:
        `${at} answered, but not in TLS: its first bytes were ${shownBytes(facts.notTls)}. ` +
        `The program listening there does not speak TLS${http ? ' (it speaks plain HTTP)' : ''}, so there is no secure connection.`,
      hint: 'Turn TLS off to talk to it in plain bytes. Plain HTTP is usually on port 80, HTTPS on 443.',
      detail: raw,
    };
  }
  const alert = facts.alert ?? alertOfError(code, message);
  if (alert) {
    const meaning = ALERT_MEANINGS[alert.description];
    const when = facts.secure ? 'ended the TLS connection' : 'refused the TLS handshake';
    return {
      code: 'TLS_ALERT',
      message:
        `${at} ${when} with a ${alert.level === 'unknown' ? '' : `${alert.level} `}TLS alert: ${alert.description}` +
        `${alert.code >= 0 ? ` (${alert.code})` : ''}${meaning ? `, because it ${meaning}` : ''}.`,
      hint: facts.secure
        ? 'Connect again. If it keeps happening, the other side does not accept what was sent.'
        : 'A real HTTPS site on port 443 accepts what the lab offers. Check the host and port; this server may want something special.',
      detail: raw,
    };
  }
  if (!facts.secure && /before secure TLS connection was established/.test(message ?? '')) {
    return {
      code: 'TLS_FAILED',
      message: `${at} closed the connection during the TLS handshake, before it was secure, without a word of TLS.`,
      hint: 'It may not speak TLS on this port. Turn TLS off to see what it says, or check the port: HTTPS is usually 443.',
      detail: raw,
    };
  }
  const reason = (err as { reason?: unknown } | null)?.reason;
  const said = typeof reason === 'string' && reason !== '' ? reason : raw;
  return {
    code: 'TLS_FAILED',
    message: facts.secure
      ? `The TLS connection with ${at} failed: the TLS library said "${said}".`
      : `The TLS handshake with ${at} failed: the TLS library said "${said}".`,
    hint: code ? `Search for ${code} to learn what it means, then connect again.` : 'Connect again.',
    detail: raw,
  };
}

/** A plain connection whose first answer was a TLS alert: the other side expects TLS first. */
export function explainTlsExpected(alert: TlsAlert, context: SocketErrorContext): LabError {
  return {
    code: 'TLS_EXPECTED',
    message:
      `${where(context.host, context.port)} answered with a TLS alert (${alert.level} ${alert.description}), not ` +
      'with HTTP: this port expects TLS first. The program there speaks TLS, so the plain bytes you sent looked ' +
      'like a broken TLS record to it, and it ended the connection.',
    hint: 'Turn TLS on for this connection and send the same request: it will travel inside TLS. HTTPS is on port 443.',
    detail: `TLS alert ${alert.code}: ${alert.description}`,
  };
}
