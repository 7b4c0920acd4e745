/**
 * The `.py` export: a Python 3 script in the book's style (socket1.py) that replays a session's sends. One block
 * per connection in session order: `socket.socket(...)`, `connect((host, port))`, `sendall(b'...')` with the exact
 * bytes, between sends a read of what came back (as many bytes as came back in the session, or until it goes
 * quiet), `shutdown(socket.SHUT_WR)` where the learner half-closed, the book's recv loop where the other side
 * closed, and `close()`. It goes to the hosts the learner typed, or with `--lab HOST:PORT` to a lab server.
 *
 * A TLS connection replays its plain sends inside TLS, in the book's ssl context style (tlsRecipe.ts):
 * `ctx = ssl.create_default_context()`, the two lines that switch the certificate check off only where the lab's
 * own certificate answers, then `ctx.wrap_socket(mysock, server_hostname=...)` with the name the learner typed. The
 * bytes on the wire are never replayed: Python's TLS makes its own.
 *
 * Everything taken from the session is written as an escaped literal (or, in a comment, made visible), so no
 * host name or message can break out of a string or a comment. Connections are buffered only until they and every
 * earlier one have closed, so a session of one connection after another streams.
 */
import { isIP } from 'node:net';
import type { ConnectionId, LabEvent, TlsSessionInfo } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';
import { pythonBytesLiteral } from '../../../shared/hexdump';
import { LAB_ONLY_COMMENT } from '../../../shared/tlsRecipe';
import type { TranscriptConnection, TranscriptSummary } from '../../../shared/transcript';
import { DEFAULT_CLI_PORTS } from '../labServers/cli';
import { LAB_SERVER_DESCRIPTIONS } from '../labServers/mirrors';
import { PieceWriter } from './pieces';
import type { Exporter, TranscriptSource } from './source';
import { bytesInWords, count, visible, wallClock } from './wording';

/** Seconds a read waits for more bytes before it goes on without them. */
const QUIET_SECONDS = 5;
/** Seconds the last read waits for the other side to close. */
const CLOSE_WAIT_SECONDS = 10;
/** A send whose literal is longer than this is written over several lines. */
const ONE_LINE_LITERAL = 100;
const PIECE_BYTES = 48;

export const exportPython: Exporter = (source) => writePython(source);

/** A Python str literal that is plain ASCII whatever the text holds. */
export function pythonString(text: string): string {
  let out = "'";
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}'`;
}

/** Text from the session for a comment: one line, no control characters. */
function said(text: string): string {
  return visible(text);
}

// ---------------------------------------------------------------------------------------------------------------
// What each connection did, gathered from its events.

type Step =
  | { kind: 'send'; bytes: Uint8Array }
  | { kind: 'unsaved-send'; length: number }
  | { kind: 'receive'; length: number }
  | { kind: 'shutdown' };

interface Plan {
  id: ConnectionId;
  number: number;
  host: string;
  port: number;
  ipv6: boolean;
  /** Index into the lab servers, when a lab server answered. */
  lab: number | null;
  answeredBy?: string;
  connected: boolean;
  /** An error before the connection opened. */
  failed: { code: ErrorCode; message: string } | null;
  steps: Step[];
  peerEnded: boolean;
  aborted: boolean;
  closed: boolean;
  /** The last event of this connection was local-ended: a close right after it sent that FIN itself. */
  finJustSent: boolean;
  /** The learner asked for TLS; `secured` is what the handshake settled, once it did. */
  tls: boolean;
  secured: TlsSessionInfo | null;
  /** Where it went is where the learner typed (no lab route in between): the lab certificate needs no --lab. */
  typedIsDialed: boolean;
}

interface LabServerUse {
  name: string;
  /** Where it listened in the session. */
  address: string;
  port: number;
  ipv6: boolean;
  numbers: number[];
}

/** The lab servers the session used, one per address they listened at, in first-use order. */
function labServersOf(summary: TranscriptSummary): { servers: LabServerUse[]; byId: Map<ConnectionId, number> } {
  const servers: LabServerUse[] = [];
  const byId = new Map<ConnectionId, number>();
  for (const conn of summary.connections) {
    if (conn.answeredBy === undefined) continue;
    const at =
      conn.remote ?? (conn.dialed && { ...conn.dialed, family: isIP(conn.dialed.address) === 6 ? 'IPv6' : 'IPv4' });
    if (!at) continue;
    let index = servers.findIndex((server) => server.address === at.address && server.port === at.port);
    if (index === -1) {
      index = servers.length;
      servers.push({
        name: conn.answeredBy,
        address: at.address,
        port: at.port,
        ipv6: at.family === 'IPv6',
        numbers: [],
      });
    }
    servers[index]?.numbers.push(conn.number);
    byId.set(conn.id, index);
  }
  return { servers, byId };
}

function isIpv6(conn: TranscriptConnection): boolean {
  if (conn.remote) return conn.remote.family === 'IPv6';
  if (isIP(conn.host) === 6) return true;
  return conn.dialed !== undefined && isIP(conn.dialed.address) === 6;
}

function newPlan(conn: TranscriptConnection, lab: number | undefined): Plan {
  const plan: Plan = {
    id: conn.id,
    number: conn.number,
    host: conn.host,
    port: conn.port,
    ipv6: isIpv6(conn),
    lab: lab ?? null,
    connected: false,
    failed: null,
    steps: [],
    peerEnded: false,
    aborted: false,
    closed: false,
    finJustSent: false,
    tls: conn.tls !== undefined,
    secured: null,
    typedIsDialed: conn.dialed === undefined || (conn.dialed.address === conn.host && conn.dialed.port === conn.port),
  };
  if (conn.answeredBy !== undefined) plan.answeredBy = conn.answeredBy;
  return plan;
}

function addReceived(plan: Plan, length: number): void {
  const last = plan.steps[plan.steps.length - 1];
  if (last?.kind === 'receive') last.length += length;
  else plan.steps.push({ kind: 'receive', length });
}

function addEvent(plan: Plan, event: LabEvent): void {
  const finJustSent = plan.finJustSent;
  plan.finJustSent = event.type === 'local-ended';
  switch (event.type) {
    case 'connected':
      plan.connected = true;
      break;
    case 'data':
      if (event.dir === 'out') plan.steps.push({ kind: 'send', bytes: event.bytes });
      else addReceived(plan, event.bytes.byteLength);
      break;
    case 'local-ended':
      plan.steps.push({ kind: 'shutdown' });
      break;
    case 'tls': {
      const { type: _type, id: _id, t: _t, ...info } = event;
      plan.secured = info;
      break;
    }
    case 'peer-ended':
      plan.peerEnded = true;
      break;
    case 'error':
      // A TLS connection that never got secure failed too, though TCP connected.
      if (!plan.connected || (plan.tls && plan.secured === null))
        plan.failed = { code: event.code, message: event.message };
      break;
    case 'closed':
      plan.closed = true;
      plan.aborted = event.by === 'abort';
      // Close sends FIN as part of closing; that is close(), not a half-close the learner chose.
      if (event.by === 'local' && finJustSent && plan.steps.at(-1)?.kind === 'shutdown') plan.steps.pop();
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The script.

async function* writePython(source: TranscriptSource): AsyncGenerator<Uint8Array> {
  const out = new PieceWriter();
  const summary = source.summary;
  const { servers, byId } = labServersOf(summary);
  const connById = new Map(summary.connections.map((conn) => [conn.id, conn]));
  const aborts = summary.connections.some((conn) => conn.closedBy === 'abort');
  const tls = summary.connections.some((conn) => conn.tls !== undefined);
  out.write(headerText(summary, servers, aborts, tls));

  // Blocks go out in connection order; a connection is held until it closed and every earlier one went out.
  const plans = new Map<ConnectionId, Plan>();
  const order: Plan[] = [];
  let written = 0;
  const writeReady = (all: boolean): void => {
    while (written < order.length && (all || (order[written] as Plan).closed)) {
      const plan = order[written] as Plan;
      out.write(blockText(plan, servers));
      plans.delete(plan.id);
      order[written] = undefined as unknown as Plan; // let its bytes go
      written += 1;
    }
  };

  for await (const entry of source.entries()) {
    if (entry.kind === 'event') {
      const event = entry.event;
      let plan = plans.get(event.id);
      if (!plan && event.type === 'resolving') {
        const conn = connById.get(event.id);
        if (!conn) continue;
        plan = newPlan(conn, byId.get(event.id));
        plans.set(event.id, plan);
        order.push(plan);
      }
      if (!plan) continue;
      addEvent(plan, event);
      if (event.type === 'closed') writeReady(false);
    } else if (entry.kind === 'unsaved' && !entry.wire) {
      // Wire bytes are TLS records: Python's TLS makes its own, so only plain bytes count here.
      const plan = plans.get(entry.id);
      if (!plan) continue;
      if (entry.dir === 'out') plan.steps.push({ kind: 'unsaved-send', length: entry.length });
      else addReceived(plan, entry.length);
    }
    if (out.full) yield out.take();
  }
  writeReady(true);
  if (order.length === 0) out.write("\nnote('This session opened no connections, so there is nothing to replay.')\n");
  yield out.take();
}

function headerText(summary: TranscriptSummary, servers: LabServerUse[], aborts: boolean, tls: boolean): string {
  const n = summary.connections.length;
  const lines = [
    '#!/usr/bin/env python3',
    '# Socket Lab replay: sends again, in the same order, exactly the bytes you sent in a Socket Lab session.',
    '#',
    `# Recorded ${wallClock(summary.startedAt)} with Socket Lab ${said(summary.appVersion)} (session ${said(summary.sessionId)}).`,
    `# It opens the session's ${n === 1 ? 'connection' : `${count(n)} connections`} one after another, in the order you`,
    '# opened them, sends what you sent, and prints what comes back: as text where it is UTF-8 text, else',
    '# as a Python bytes value. Before each send it reads as many bytes as came back there in the session',
    `# (giving up after ${QUIET_SECONDS} quiet seconds), so an echo prints each echo before the next send. Notes on what`,
    '# it does go to stderr; stdout holds only what came back. It needs nothing but Python 3.',
    ...(tls
      ? [
          '# A TLS connection sends the same plain bytes inside TLS, through an ssl context as the book makes one;',
          "# Python's TLS makes its own records on the wire, so those are never copied from the session.",
        ]
      : []),
    '#',
    '# Connections:',
  ];
  for (const conn of summary.connections) {
    const answered = conn.answeredBy !== undefined ? `, answered by the ${said(conn.answeredBy)}` : '';
    const failed =
      conn.error && (conn.connectMs === undefined || (conn.tls && conn.tls.protocol === undefined))
        ? ` (in the session: ${conn.error.code})`
        : '';
    lines.push(
      `#   #${conn.number} ${said(conn.host)} port ${conn.port}${conn.tls ? ' over TLS' : ''}${answered}${failed}`,
    );
  }
  if (n === 0) lines.push('#   none');
  lines.push('#', '# Run it:', '#   python3 this_file.py                    connects to the hosts and ports you typed');
  if (servers.length === 0) {
    lines.push('# No lab server answered in this session, so there is nothing for --lab to change.');
  } else {
    lines.push(
      '#   python3 this_file.py --lab HOST:PORT    connects to a lab server instead where one answered, for',
      '#                                           example one that `npm run lab-server` started.',
    );
    if (servers.length > 1) {
      lines.push(
        `# This session used ${servers.length} lab servers: give one --lab for each, in this order (a connection goes to`,
        '# the address given for the lab server that answered it; the others go where you typed):',
      );
    } else {
      lines.push('# Where it goes:');
    }
    servers.forEach((server, index) => {
      const kind = labServerKind(server.name);
      const suggestion = kind
        ? `; npm run lab-server: --lab ${server.ipv6 ? '[::1]' : '127.0.0.1'}:${DEFAULT_CLI_PORTS[kind]}`
        : '';
      lines.push(
        `#   ${index + 1}. ${said(server.name)}, for ${server.numbers.map((number) => `#${number}`).join(', ')}${suggestion}`,
      );
    });
    lines.push('# Give an IPv6 address in brackets, like [::1]:8080; each must be IPv6 where the session used IPv6.');
  }
  lines.push(
    '',
    'import codecs',
    'import socket',
    ...(tls ? ['import ssl'] : []),
    ...(aborts ? ['import struct'] : []),
    'import sys',
    '',
    `QUIET = ${QUIET_SECONDS}  # seconds a read waits for more before going on`,
    '',
    '# The lab servers that answered in the session, in --lab order: (name, True where it used IPv6).',
    `LAB_SERVERS = [${servers.map((server) => `(${pythonString(server.name)}, ${server.ipv6 ? 'True' : 'False'})`).join(', ')}]`,
    '',
    PYTHON_HELPERS,
  );
  return lines.join('\n');
}

/** Which lab server a name is, for the address `npm run lab-server` gives it. */
function labServerKind(name: string): keyof typeof DEFAULT_CLI_PORTS | undefined {
  if (name.startsWith('Lab HTTP server')) return 'http';
  if (name.startsWith('Lab HTTPS server')) return 'https';
  return LAB_SERVER_DESCRIPTIONS.find((description) => description.name === name)?.kind;
}

const PYTHON_HELPERS = `
def lab_addresses(args):
    """The HOST:PORT after each --lab, one per lab server; stops with a message when they do not fit."""
    if '-h' in args or '--help' in args:
        print('usage: python3 ' + sys.argv[0] + ' [--lab HOST:PORT ...]  (see the comments at the top)')
        sys.exit(0)
    addresses = []
    while args:
        arg = args.pop(0)
        if arg == '--lab' and args:
            value = args.pop(0)
        elif arg.startswith('--lab='):
            value = arg[len('--lab='):]
        else:
            sys.exit('Unknown argument %r: the only option is --lab HOST:PORT.' % arg)
        host, colon, port = value.rpartition(':')
        if host.startswith('[') and host.endswith(']'):
            host = host[1:-1]
        if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            sys.exit('--lab wants a host and a port, like 127.0.0.1:8080, not %r.' % value)
        addresses.append((host, int(port)))
    if not addresses:
        return addresses
    if not LAB_SERVERS:
        sys.exit('No lab server answered in this session, so --lab has nothing to change.')
    if len(addresses) != len(LAB_SERVERS):
        names = '; '.join('%d. %s' % (i + 1, name) for i, (name, ipv6) in enumerate(LAB_SERVERS))
        sys.exit('This session used %d lab server(s): give one --lab HOST:PORT for each, in this order: %s'
                 % (len(LAB_SERVERS), names))
    for (host, port), (name, ipv6) in zip(addresses, LAB_SERVERS):
        if (':' in host) != ipv6:
            sys.exit('The %s was reached over %s in the session: give an %s address for it, not %s.'
                     % (name, 'IPv6' if ipv6 else 'IPv4', 'IPv6' if ipv6 else 'IPv4', host))
    return addresses


LAB = lab_addresses(sys.argv[1:])
# Text your terminal cannot show prints as \\u escapes instead of stopping the script.
sys.stdout.reconfigure(errors='backslashreplace')
decoder = codecs.getincrementaldecoder('utf-8')()


def where(host, port, lab):
    """Where a connection goes: the host and port you typed, or with --lab, its lab server's address."""
    if lab is None or not LAB:
        return host, port
    return LAB[lab]


def note(*words):
    """Says what the script does, on stderr, so stdout holds only what came back."""
    print(*words, file=sys.stderr, flush=True)


def show(data):
    """Prints bytes that came back: as text where they are UTF-8 text, else as a Python bytes value."""
    try:
        text = decoder.decode(data)
    except UnicodeDecodeError:
        decoder.reset()
        print(data, flush=True)
    else:
        print(text, end='', flush=True)


def receive(mysock, expected):
    """Prints what comes back, until as many bytes as came back here in the session have come (or QUIET
    seconds pass with nothing, or the other side closes)."""
    got = 0
    mysock.settimeout(QUIET)
    while got < expected:
        try:
            data = mysock.recv(4096)
        except socket.timeout:
            note('(%d of the %d bytes that came back here in the session came; going on)' % (got, expected))
            return
        if len(data) < 1:
            note('(the other side closed after %d of the %d bytes)' % (got, expected))
            return
        got = got + len(data)
        show(data)
`;

function literalLines(bytes: Uint8Array): string {
  const one = pythonBytesLiteral(bytes);
  if (one.length <= ONE_LINE_LITERAL) return one;
  // One literal per line of the message (and per PIECE_BYTES of a long one), joined by Python itself.
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    if (bytes[i] === 0x0a || i + 1 - start >= PIECE_BYTES) {
      pieces.push(pythonBytesLiteral(bytes.subarray(start, i + 1)));
      start = i + 1;
    }
  }
  if (start < bytes.length) pieces.push(pythonBytesLiteral(bytes.subarray(start)));
  return `(\n${pieces.map((piece) => `    ${piece}`).join('\n')}\n)`;
}

/** A comment of one or more lines, wrapped at about 100 characters. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(' ')) {
    if (line.length > 1 && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

const FINAL_LOOP = (n: number): string[] => [
  '',
  "# The other side closed the connection when it was done, so read until recv() returns b''.",
  `mysock.settimeout(${CLOSE_WAIT_SECONDS})  # but do not wait forever`,
  'try:',
  '    while True:',
  '        data = mysock.recv(512)',
  '        if len(data) < 1:',
  '            break',
  '        show(data)',
  'except socket.timeout:',
  `    note('#${n}: the other side did not close within ${CLOSE_WAIT_SECONDS} seconds; closing')`,
];

/** The seconds the TLS handshake may take before the script gives up on it. */
const HANDSHAKE_SECONDS = 10;

/**
 * The book's ssl context for one connection: the certificate check stays on, except where the lab's own certificate
 * answered (with --lab, or where the learner typed the lab's own address), as the lab's recipe does it.
 */
function contextLines(plan: Plan, secured: TlsSessionInfo | null): string[] {
  const lines: string[] = [];
  if (secured) {
    const fingerprint = secured.certificate
      ? `; its certificate's SHA-256 was ${said(secured.certificate.sha256)}`
      : '';
    lines.push(
      ...comment(`TLS, as in the session (${said(secured.protocol)}, ${said(secured.cipher)}${fingerprint}).`),
    );
  }
  lines.push('ctx = ssl.create_default_context()');
  const labCertificate = secured?.trust.labCertificate === true;
  const offForLab = [LAB_ONLY_COMMENT, 'ctx.check_hostname = False', 'ctx.verify_mode = ssl.CERT_NONE'];
  if (labCertificate && plan.lab !== null && !plan.typedIsDialed) {
    lines.push(
      'if LAB:  # --lab: the lab TLS server answers, with the certificate it made',
      ...offForLab.map((line) => `    ${line}`),
    );
  } else if (labCertificate) {
    lines.push(...offForLab);
  } else if (secured && !secured.trust.trusted) {
    const code = secured.trust.code !== undefined ? ` (${said(secured.trust.code)})` : '';
    lines.push(
      ...comment(
        `In the session this certificate was not trusted${code}: Python checks it too, so TLS may not start here.`,
      ),
    );
  }
  return lines;
}

/** `ctx.wrap_socket(...)`, in a try: a refused certificate or handshake ends this connection, not the script. */
function wrapLines(plan: Plan, n: number, failedInSession: boolean): string[] {
  // The name the learner typed goes in the ClientHello (SNI) and is checked against the certificate, as in the session.
  const name = pythonString(plan.host.replace(/\.$/, ''));
  return [
    `mysock.settimeout(${HANDSHAKE_SECONDS})  # do not wait forever for the handshake`,
    'try:',
    `    mysock = ctx.wrap_socket(mysock, server_hostname=${name})`,
    ...(failedInSession ? [`    note('#${n} TLS is set up this time:', mysock.version())`] : []),
    'except OSError as err:  # ssl.SSLError (a certificate refused, an alert) is an OSError too',
    `    note('#${n} TLS did not start:', err)`,
    ...(failedInSession ? [] : ['    mysock.close()', '    mysock = None']),
  ];
}

function blockText(plan: Plan, servers: LabServerUse[]): string {
  const n = plan.number;
  const server = plan.lab === null ? undefined : servers[plan.lab];
  const answered = server ? `, answered by the ${said(server.name)}` : '';
  const lines = [
    '',
    '',
    `# --- Connection #${n}: ${said(plan.host)} port ${plan.port}${plan.tls ? ' over TLS' : ''}${answered} ---`,
    `host, port = where(${pythonString(plan.host)}, ${plan.port}, ${plan.lab === null ? 'None' : plan.lab})`,
    `note('#${n} connecting to', host, 'port', port)`,
    'decoder.reset()',
    `mysock = socket.socket(socket.AF_INET${plan.ipv6 ? '6' : ''}, socket.SOCK_STREAM)`,
  ];
  if (!plan.connected) {
    const why = plan.failed ? `${plan.failed.code}: ${plan.failed.message}` : 'it never connected';
    lines.push(
      ...comment(`In the session this connection did not open (${said(why)})`),
      'try:',
      '    mysock.connect((host, port))',
      'except OSError as err:',
      `    note('#${n} could not connect:', err)`,
      'mysock.close()',
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push('mysock.connect((host, port))');
  if (plan.tls && plan.secured === null) {
    const why = plan.failed ? `${plan.failed.code}: ${plan.failed.message}` : 'it stopped before it was done';
    lines.push(
      ...contextLines(plan, null),
      ...comment(`In the session the TLS handshake did not finish (${said(why)})`),
      ...wrapLines(plan, n, true),
      'mysock.close()',
    );
    return `${lines.join('\n')}\n`;
  }
  const body = stepLines(plan, n);
  if (!plan.tls) return `${[...lines, ...body].join('\n')}\n`;
  lines.push(
    ...contextLines(plan, plan.secured),
    ...wrapLines(plan, n, false),
    'if mysock is not None:',
    `    note('#${n} TLS is set up:', mysock.version(), mysock.cipher()[0])`,
    ...body.map((line) => (line === '' ? line : `    ${line}`)),
  );
  return `${lines.join('\n')}\n`;
}

/** The sends, the reads between them, the ending and close(), as they happened on a connection that opened. */
function stepLines(plan: Plan, n: number): string[] {
  const lines: string[] = [];
  const steps = plan.steps;
  const lastAction = steps.reduce((last, step, index) => (step.kind === 'receive' ? last : index), -1);
  const totalSends = steps.filter((step) => step.kind === 'send').length;
  let sends = 0;
  // What came back to sends the journal did not keep will not come back to this script: it is not waited for.
  let leftOut = false;
  let after = 0;
  steps.forEach((step, index) => {
    if (step.kind === 'send') {
      sends += 1;
      leftOut = false;
      const name = totalSends === 1 ? 'cmd' : `cmd${sends}`;
      lines.push(
        `${name} = ${literalLines(step.bytes)}`,
        `mysock.sendall(${name})`,
        `note('#${n} sent', len(${name}), 'bytes')`,
      );
    } else if (step.kind === 'unsaved-send') {
      leftOut = true;
      lines.push(
        ...comment(
          `Here you sent ${bytesInWords(step.length)} the session did not save (its journal was full): left out.`,
        ),
      );
    } else if (step.kind === 'shutdown') {
      lines.push(
        ...(plan.tls
          ? comment(
              "You half-closed here (close_notify, then FIN). Python's ssl sockets cannot do that and go on reading, so this goes on without it.",
            )
          : ['mysock.shutdown(socket.SHUT_WR)  # you half-closed here: FIN goes out, and receiving goes on']),
      );
    } else if (leftOut) {
      lines.push(
        ...comment(`${bytesInWords(step.length)} came back here in the session, to what was left out: not waited for.`),
      );
    } else if (index < lastAction) {
      lines.push(`receive(mysock, ${step.length})  # ${bytesInWords(step.length)} came back here in the session`);
    } else {
      after += step.length; // read by the ending below
    }
  });

  if (plan.peerEnded && !plan.aborted) lines.push(...FINAL_LOOP(n));
  else if (after > 0)
    lines.push(`receive(mysock, ${after})  # ${bytesInWords(after)} came back after that in the session`);
  if (plan.aborted) {
    lines.push(
      '# You aborted: SO_LINGER with a zero timeout makes close() send a reset (RST) instead of FIN.',
      "mysock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
    );
  }
  lines.push('mysock.close()');
  return lines;
}
