/** Step 11 of the guided lab, A tour of common ports: its words and its check. */
import { result, connectionsFrom, status, type StepCheck } from '../checkHelpers';
import type { GuideStep } from '../guideStep';
import { exchanges, labServerKind, type ConnectionFacts, type Exchange } from '../../session/sessionFacts';
import { tlsAlertAtStart } from '../../../../../shared/tlsRecords';
import type { LabServerInfo } from '../../../../../shared/contract';
import { tlsVersionWords } from '../../../lib/eventWords';

/** A connection to port 443, as typed, or to the lab HTTPS server that stands in for it. */
function toHttpsPort(conn: ConnectionFacts, servers: readonly LabServerInfo[]): boolean {
  return conn.port === 443 || labServerKind(conn, servers) === 'https';
}

/** A plain connection answered by a TLS alert: the other side expects TLS first. */
function sawTlsExpected(conn: ConnectionFacts): boolean {
  return !conn.tls && (conn.error?.code === 'TLS_EXPECTED' || tlsAlertAtStart(conn.got.bytes()) !== undefined);
}

/** A TLS connection whose plain bytes hold an HTTP 200 answer. */
function httpsAnswer(conn: ConnectionFacts): Exchange | undefined {
  if (!conn.tls || conn.tlsSession === null) return undefined;
  return exchanges(conn).find((exchange) => status(exchange.response) === 200);
}

/**
 * Servers that speak first (the SMTP-style greeter's 220 and the POP-style greeter's +OK), and port 443: a plain
 * request gets a TLS alert (that port expects TLS first), then the same request with TLS on gets its answer inside.
 */
export const checkPortTour: StepCheck = (events, context) => {
  const connections = connectionsFrom(events, context);
  const smtp = connections.find((conn) => /^220[ -]/.test(firstLine(conn)));
  const pop = connections.find((conn) => firstLine(conn).startsWith('+OK'));
  const plain = connections.find((conn) => toHttpsPort(conn, context.labServers) && sawTlsExpected(conn));
  // "Then": the TLS connection comes after the plain attempt, so the two answers can be compared.
  const secure = connections.find(
    (conn) =>
      plain !== undefined &&
      conn.firstIndex > plain.firstIndex &&
      toHttpsPort(conn, context.labServers) &&
      httpsAnswer(conn) !== undefined,
  );
  const secureEarlier =
    !secure && connections.some((conn) => toHttpsPort(conn, context.labServers) && httpsAnswer(conn));
  const parts = [
    { label: 'Read the mail server’s 220 greeting (SMTP, port 25)', done: smtp !== undefined },
    { label: 'Read the mailbox server’s +OK greeting (POP, port 110)', done: pop !== undefined },
    { label: 'Port 443 with TLS off: a plain GET gets a TLS alert (this port expects TLS first)', done: !!plain },
    { label: 'Then port 443 with TLS on: the same GET gets HTTP 200 inside TLS', done: secure !== undefined },
  ];
  const version = secure?.tlsSession ? tlsVersionWords(secure.tlsSession.protocol) : 'TLS';
  const pending = !plain
    ? secureEarlier
      ? 'You got an answer inside TLS on port 443. Now try it with TLS off, to see what the server says to plain bytes.'
      : `${parts.filter((part) => part.done).length} of 4 done.`
    : !secure
      ? 'Port 443 answered your plain bytes with a TLS alert. Now switch TLS on, connect to port 443 again and send the same GET.'
      : `${parts.filter((part) => part.done).length} of 4 done.`;
  return result(
    parts,
    `Both servers spoke first, before you sent anything: each protocol has its own first words. On port 443 the server wants ${version} first: your plain GET got an alert, and inside TLS the same GET got 200 OK.`,
    pending,
  );
};

function firstLine(conn: ConnectionFacts): string {
  const bytes = conn.got.bytes().subarray(0, 200);
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x0a || byte === 0x0d) break;
    text += String.fromCharCode(byte);
  }
  return text;
}

export const portTourStep: GuideStep<'port-tour'> = {
  id: 'port-tour',
  number: 11,
  title: 'A tour of common ports',
  explain: [
    'Well-known services live on well-known ports, so a client knows where to knock. Some servers speak first: a mail server greets you before you say a word. Each protocol has its own first words.',
    'Port 443 is HTTPS: the same HTTP, but inside TLS. Before any HTTP, the two sides do a TLS handshake: they agree on a version and a cipher, and the server shows a certificate that says who it is. Then every byte travels encrypted, in TLS records. A server there expects TLS first, and plain bytes get a TLS alert instead of an answer.',
  ],
  ports: [
    { port: 21, name: 'FTP', what: 'file transfer; old and unencrypted' },
    { port: 22, name: 'SSH', what: 'secure remote login; encrypted' },
    { port: 23, name: 'Telnet', what: 'remote login in plain text; people once typed HTTP by hand with it' },
    { port: 25, name: 'SMTP', what: 'mail between servers; greets you with 220' },
    { port: 53, name: 'DNS', what: 'turns names like data.pr4e.org into addresses' },
    { port: 80, name: 'HTTP', what: 'the web, in plain text: what you typed in this lab' },
    { port: 110, name: 'POP3', what: 'fetching mail from a mailbox; greets you with +OK' },
    { port: 143, name: 'IMAP', what: 'reading mail kept on the server' },
    { port: 443, name: 'HTTPS', what: 'the web, inside TLS: a handshake first, then encrypted records' },
  ],
  task: () => [
    'Connect to `mail.lab.test` port `25`, the lab’s toy mail server. Send nothing: read its greeting, a line starting with 220.',
    'If you like: send `HELO learner.lab.test\\r\\n`, read the reply, then send `QUIT\\r\\n`.',
    'Connect to `mail.lab.test` port `110`, the lab’s toy mailbox. Its greeting starts with +OK.',
    'Now HTTPS. Type `data.pr4e.org` port `443`: the TLS switch turns on by itself. Switch it off, Connect, and send `GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n`. The answer is 7 bytes, a TLS alert: this port expects TLS first.',
    'Switch TLS on, Connect to `data.pr4e.org` port `443` again and send the same GET. The byte log shows both layers: TLS records on the wire (the handshake, then encrypted application data), and the same HTTP answer inside TLS. The connection card shows the certificate.',
  ],
  check: checkPortTour,
};
