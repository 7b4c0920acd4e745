/**
 * The guided lab's eleven steps, in the order of chapter 12: a short explanation in plain words, one task told
 * keystroke by keystroke, and the check that turns the step green. Text marks what to type with `backticks`;
 * the guide shows those parts as code, as plain text (never as HTML).
 */
import type { ConnectionId, LabServerInfo, LabServerKind } from '../../../../shared/contract';
import type { EventSource } from '../session/eventLog';
import { closedConnection, piecesConnection } from '../timeline/guidePictures';
import {
  checkBlankLine,
  checkBytes,
  checkPorts,
  checkPortTour,
  checkReliablePipe,
  checkUrllib,
  checkWhenThingsGoWrong,
  checkWhoCloses,
  checkYourPort,
  makeHeadersBodyCheck,
  makeSpeakHttpCheck,
  type StepCheck,
} from './checks';

export const STEP_IDS = [
  'reliable-pipe',
  'ports',
  'your-port',
  'speak-http',
  'blank-line',
  'headers-body',
  'who-closes',
  'errors',
  'bytes',
  'urllib',
  'port-tour',
] as const;

export type StepId = (typeof STEP_IDS)[number];

export interface StepPrediction {
  /** The question, asked before the learner sends anything. */
  question: string;
  /** Label of the text box. */
  label: string;
  placeholder: string;
}

export interface PortFact {
  port: number;
  name: string;
  what: string;
}

export interface GuideStep {
  id: StepId;
  number: number;
  title: string;
  /** Paragraphs of explanation. */
  explain: string[];
  /** What to do, one instruction per item; the lab servers' real ports fill in where needed. */
  task: (servers: readonly LabServerInfo[]) => string[];
  prediction?: StepPrediction;
  /** A short program or message to read, shown as a code block. */
  code?: { caption: string; text: string }[];
  /** The port table of the last step. */
  ports?: PortFact[];
  /** A picture of the learner's own connection that shows the step's idea: what to look at, and which connection. */
  picture?: { words: string; button: string; connection: (events: EventSource) => ConnectionId | null };
  check: StepCheck;
}

/** The port a lab server listens on, or a placeholder until the lab has told us. */
function portOf(servers: readonly LabServerInfo[], kind: LabServerKind): string {
  const server = servers.find((entry) => entry.kind === kind);
  return server ? String(server.port) : '(its port appears here once the lab has started)';
}

const ROMEO_REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n';
/** The slides' telnet request: steps 4 and 5 use it, so romeo.txt's Content-Length is first seen in step 6. */
const PAGE1_REQUEST = 'GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n';
const URLLIB_REQUEST =
  'GET /romeo.txt HTTP/1.1\\r\\nAccept-Encoding: identity\\r\\nHost: data.pr4e.org\\r\\nUser-Agent: Python-urllib/3.11\\r\\nConnection: close\\r\\n\\r\\n';

export const STEPS: readonly GuideStep[] = [
  {
    id: 'reliable-pipe',
    number: 1,
    title: 'A reliable pipe',
    explain: [
      'A TCP connection is a pipe between two programs. Bytes pushed in at one end come out at the other end: all of them, in the order they went in. When the network loses a piece on the way, TCP quietly sends it again, so your program never sees the gap.',
      'Each program holds its end of the pipe through a socket. A socket is much like an open file, except that it works both ways: the program writes bytes into it to send them, and reads from it what the other end sent.',
      'An echo server is the simplest program to put at the far end: it sends back every byte it receives.',
    ],
    task: () => [
      'In the workbench, pick the template "Echo: hello\\r\\n" (it fills in host `echo.lab.test` and port `7`), or type them yourself. Press Connect.',
      'The message box holds `hello\\r\\n`. Press Send.',
      'Type a second message, like `second try\\r\\n`, and press Send again.',
      'In the byte log, the received rows hold exactly the bytes you sent, in the same order.',
    ],
    check: checkReliablePipe,
  },
  {
    id: 'ports',
    number: 2,
    title: 'Ports: which program answers',
    explain: [
      'One computer runs many programs that talk over the network. The address takes you to the computer; the port number takes you to one program on it. The same address with another port is another program.',
      'The lab runs its servers on this very computer, at `127.0.0.1` (the address every computer uses for itself), each on a port of its own. When no program listens on a port, the computer refuses the connection straight away.',
    ],
    task: (servers) => [
      `Connect to host \`127.0.0.1\` port \`${portOf(servers, 'http')}\`. The "connected" row says which program took the connection: the lab’s web server. A web server waits for the client to speak first, so nothing arrives; you will speak to it in step 4.`,
      `Connect to host \`127.0.0.1\` port \`${portOf(servers, 'echo')}\` and send \`hello\\r\\n\`. The echo server sends it back.`,
      'Connect to host `127.0.0.1` port `1`. No program listens there, so the connection is refused. Read the explanation in the log.',
    ],
    check: checkPorts,
  },
  {
    id: 'your-port',
    number: 3,
    title: 'Your side has a port too',
    explain: [
      'A connection has two ends, and each end has an address and a port. The server’s port is known in advance (80 for the web) so that clients can find it. Your end gets a port too: the system picks a free one, usually a big number, just for this connection. It is called an ephemeral port because it lasts only as long as the connection.',
      'The pair of ends is what keeps conversations apart: the same server can talk to two connections from the same computer because their local ports differ.',
    ],
    task: () => [
      'Connect to `echo.lab.test` port `7`. The "connected" row shows both ends: your address and port, and the server’s.',
      'Leave it open and press Connect again, to the same host and port.',
      'Compare the two "connected" rows: the same server port, two different local ports.',
    ],
    check: checkYourPort,
  },
  {
    id: 'speak-http',
    number: 4,
    title: 'Speak HTTP',
    explain: [
      'HTTP is a protocol: an agreement about what each side says over the pipe. The client speaks first, with a request line: a method (`GET`), what it wants, and the version (`HTTP/1.0`), ending with `\\r\\n` (carriage return, then line feed). Header lines may follow. Then comes one empty line, which says "that is the whole request".',
      'The server answers with a status line (its version, a three-digit code and a few words), its own header lines, an empty line, and then the body: the file itself.',
    ],
    prediction: {
      question: 'Before you send: what will the first line of the answer say?',
      label: 'Your prediction of the status line',
      placeholder: 'The first line you expect back',
    },
    task: () => [
      'In the box above ("Before you send"), type your prediction and press Save prediction.',
      'Connect to `data.pr4e.org` port `80`. On the lab route (the default) the lab’s own web server answers for it: no network needed.',
      `Type the request the slides type into telnet: \`${PAGE1_REQUEST}\`. Press Send.`,
      'In the byte log, find the status line, the headers, the empty line and the body.',
    ],
    check: makeSpeakHttpCheck('speak-http'),
  },
  {
    id: 'blank-line',
    number: 5,
    title: 'The blank line matters',
    explain: [
      'How does the server know the request is over? It reads line by line and stops at the empty line. Until that line arrives, it waits, because more header lines could still come.',
      'This is why someone typing a request by hand into telnet, as the slides do, sees nothing happen for a while: the server is patient, not broken. It does give up in the end: the lab’s web server waits 30 seconds, then answers 408 and closes.',
    ],
    task: () => [
      'Connect to `data.pr4e.org` port `80`.',
      'Send only the request line: `GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n`.',
      'Wait two or three seconds and watch the log: nothing comes back.',
      'Now send the blank line on its own: `\\r\\n`. The answer arrives at once.',
    ],
    check: checkBlankLine,
  },
  {
    id: 'headers-body',
    number: 6,
    title: 'Headers, then body',
    explain: [
      'The empty line cuts every HTTP message in two: above it the headers, lines of `Name: value` about the message; below it the body. In bytes, the end of the last header line and the empty line together are `\\r\\n\\r\\n`. A program looks for exactly those four bytes to find where the body starts.',
      'One header, `Content-Length`, says how many bytes of body follow, so the receiver knows when it has all of it.',
    ],
    code: [
      {
        caption: 'romeo.txt: four lines of a play, each ending with a newline (one byte, \\n)',
        text: 'But soft what light through yonder window breaks\nIt is the east and Juliet is the sun\nArise fair sun and kill the envious moon\nWho is already sick and pale with grief\n',
      },
    ],
    prediction: {
      question:
        'Before you send: how many bytes long is romeo.txt (above)? Count the characters of each line, plus one for its newline. What will Content-Length say?',
      label: 'Your prediction of the Content-Length',
      placeholder: 'A number of bytes',
    },
    task: () => [
      'In the box above ("Before you send"), type your prediction (a number) and press Save prediction.',
      `Connect to \`data.pr4e.org\` port \`80\` and send \`${ROMEO_REQUEST}\`: the request the book’s socket1.py sends (the template "socket1.py: GET romeo.txt").`,
      'In the log, find `Content-Length` and the four bytes CR LF CR LF that end the headers. The HTTP view counts the body for you.',
    ],
    check: makeHeadersBodyCheck('headers-body'),
  },
  {
    id: 'who-closes',
    number: 7,
    title: 'Who closes?',
    explain: [
      'With HTTP/1.0 the server closes the connection once it has sent its answer: it sends FIN, the TCP way of saying "I have nothing more to send". In Python that is the moment `recv()` returns an empty `b\'\'`, which is how a recv loop knows to stop.',
      'HTTP/1.1 keeps the connection open so that the next request can use it, which saves setting up a new connection every time. The end of each answer is then found from its Content-Length, not from the close. HTTP/1.1 also needs a `Host` header naming the site.',
    ],
    task: () => [
      `Connect to \`data.pr4e.org\` port \`80\` and send \`${ROMEO_REQUEST}\`. After the body, the log shows the server’s FIN: it has finished sending.`,
      'Connect again and pick the template "HTTP/1.1 with a Host header": `GET /romeo.txt HTTP/1.1\\r\\nHost: data.pr4e.org\\r\\n\\r\\n`. Send it. The answer comes, and no FIN.',
      'Press Send once more on the same connection: a second answer arrives on the same pipe. Then press Close.',
    ],
    picture: {
      words:
        'See it drawn: the timeline of the HTTP/1.0 connection shows the answer arriving, then the server’s FIN coming back to your program before yours goes out. On the HTTP/1.1 connection no FIN comes until you close.',
      button: 'Open the timeline',
      connection: closedConnection,
    },
    check: checkWhoCloses,
  },
  {
    id: 'errors',
    number: 8,
    title: 'When things go wrong',
    explain: [
      '404 Not Found: the conversation worked. The server is there and understood you; it has no such file.',
      '400 Bad Request: the server could not make sense of the request, for example a version written `http/1.0` or a missing part.',
      'Connection refused: the computer answered, but no program listens on that port. Nothing was said at all.',
      'Unknown host: the name could not be turned into an address, because DNS, the internet’s directory of names, has no entry for it (or cannot be reached).',
      'Timeout: no answer at all in time. The computer may be off, or a firewall may be dropping the connection without a word.',
    ],
    task: () => [
      'Connect to `data.pr4e.org` port `80`, pick the template "A page that does not exist (404)" and Send. Read the status line and the short body.',
      'Connect to `127.0.0.1` port `1`, where no program listens, and read the explanation of the refusal.',
      'If you like: send `GET /romeo.txt http/1.0\\r\\n\\r\\n` (the version in small letters) for a 400.',
    ],
    check: checkWhenThingsGoWrong,
  },
  {
    id: 'bytes',
    number: 9,
    title: 'Bytes, not characters',
    explain: [
      'Everything on the pipe is bytes: numbers from 0 to 255. Text is one way to read bytes, as characters in an encoding such as UTF-8. That is why Python calls `encode()` before `send()` and `decode()` after `recv()`.',
      'An image is bytes that are not text at all: every JPEG file starts with the bytes FF D8 FF. A big answer does not come in one piece either: `recv(5120)` returns whatever has arrived so far, up to 5120 bytes, so the sizes vary from call to call.',
      'TCP also does flow control: when a program reads slowly, its side tells the sender to wait, so nothing is lost and nothing piles up. A slow network shows the other half: bytes arrive in pieces, as they come.',
    ],
    task: () => [
      'Connect to `data.pr4e.org` port `80`, pick the template "urljpeg.py: GET cover3.jpg" and Send.',
      'Switch the byte log to the hex view: after `0d 0a 0d 0a` (the blank line) the body starts `ff d8 ff`.',
      'Open the recv view and change n: how many calls would a recv(n) loop make?',
      'Now set "Lab HTTP server speed" (in the workbench, beside Connect) to Slow, connect again and send the romeo.txt request (template "socket1.py: GET romeo.txt"). Watch the answer arrive as many small received rows, the way it would over a slow network. Then set the speed back to Full.',
    ],
    picture: {
      words:
        'See the pieces: in the timeline every arrival is an arrow with its byte count, and "Bytes over time" climbs one step per piece. At full speed it is one tall step; slowed down it is a staircase.',
      button: 'Open the timeline',
      connection: piecesConnection,
    },
    check: checkBytes,
  },
  {
    id: 'urllib',
    number: 10,
    title: 'Let urllib do it',
    explain: [
      'Python’s `urllib.request` does all of this for you. It opens the socket, sends the request, reads the status line and the headers, and gives your program only the body.',
      'It speaks HTTP/1.1 and adds headers of its own: `Host`, `Accept-Encoding: identity` (send the body as it is, not compressed), `User-Agent` (who is asking) and `Connection: close` (close after answering, so the end of the answer is plain).',
    ],
    code: [
      {
        caption: 'The program',
        text: "import urllib.request\n\nfhand = urllib.request.urlopen('http://data.pr4e.org/romeo.txt')\nfor line in fhand:\n    print(line.decode().strip())\n",
      },
      {
        caption: 'The request it sends (the version number in User-Agent is your Python’s)',
        text: 'GET /romeo.txt HTTP/1.1\\r\\n\nAccept-Encoding: identity\\r\\n\nHost: data.pr4e.org\\r\\n\nUser-Agent: Python-urllib/3.11\\r\\n\nConnection: close\\r\\n\n\\r\\n\n',
      },
    ],
    task: () => [
      `Connect to \`data.pr4e.org\` port \`80\` and send the request urllib sends, in one message: pick the template "urllib1.py: the request urlopen() sends", or type \`${URLLIB_REQUEST}\`. Press Send.`,
      'It is HTTP/1.1, yet the server closes after answering: you asked it to, with Connection: close.',
      'The code twin shows the urllib program that does what you just did.',
    ],
    check: checkUrllib,
  },
  {
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
  },
];

/** A line of guide text split into plain parts and `code` parts. */
export function splitCode(text: string): Array<{ code: boolean; text: string }> {
  return text.split('`').map((part, i) => ({ code: i % 2 === 1, text: part }));
}

export function stepById(id: string | null | undefined): GuideStep | undefined {
  return STEPS.find((step) => step.id === id);
}
