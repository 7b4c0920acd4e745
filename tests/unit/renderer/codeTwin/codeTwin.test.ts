/**
 * The code twin must be real Python that really does what the learner did: each generated program is run with
 * python3 against a loopback server that records every byte it receives.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../../src/shared/contract';
import {
  pythonBytesLiteral,
  pythonStringLiteral,
  requestUrl,
  sentHttpRequest,
  socketProgram,
  twinSourceFromEvents,
  urllibProgram,
  type TwinSource,
} from '../../../../src/renderer/src/features/codeTwin/codeTwin';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const ROMEO = readFileSync(path.resolve(__dirname, '../../../../src/main/core/labServers/content/romeo.txt'));
const BOOK_REQUEST = ascii('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');

function runPython(code: string, timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'python3',
      ['-c', code],
      { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

type Reply = (socket: net.Socket, received: () => Buffer, chunk: Buffer) => void;

interface Recorder {
  port: number;
  /** Everything received on each connection, in order. */
  received: Buffer[];
  /** Each chunk as it arrived, with its time, for the first connection. */
  arrivals: Array<{ at: number; bytes: Buffer }>;
  /** The client half-closed or closed (FIN). */
  ended: boolean[];
  close: () => Promise<void>;
}

const running: Recorder[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** A loopback server that records every byte; `onData` decides what it answers. */
async function recorder(onData: Reply, onEnd: (socket: net.Socket) => void = (s) => s.end()): Promise<Recorder> {
  const sockets = new Set<net.Socket>();
  const result: Recorder = { port: 0, received: [], arrivals: [], ended: [], close: async () => undefined };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    const index = result.received.length;
    result.received.push(Buffer.alloc(0));
    result.ended.push(false);
    socket.on('data', (chunk: Buffer) => {
      result.received[index] = Buffer.concat([result.received[index] as Buffer, chunk]);
      if (index === 0) result.arrivals.push({ at: Date.now(), bytes: chunk });
      onData(socket, () => result.received[index] as Buffer, chunk);
    });
    socket.on('end', () => {
      result.ended[index] = true;
      onEnd(socket);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  result.port = (server.address() as net.AddressInfo).port;
  result.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  running.push(result);
  return result;
}

/** A hand-made session: one connection to data.pr4e.org:80 on the lab route, with these sends. */
function session(
  sends: Array<{ bytes: Uint8Array; t: number }>,
  more: { received?: Uint8Array; peerEnded?: boolean; halfClosed?: boolean; aborted?: boolean } = {},
): LabEvent[] {
  const id = 'c1';
  const events: LabEvent[] = [
    { id, t: 0, type: 'resolving', host: 'data.pr4e.org', port: 80, route: 'lab' },
    { id, t: 1, type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
    { id, t: 1, type: 'connecting', address: '127.0.0.1', port: 40080, route: 'lab', answeredBy: 'Lab HTTP server' },
    {
      id,
      t: 2,
      type: 'connected',
      local: { address: '127.0.0.1', port: 51000, family: 'IPv4' },
      remote: { address: '127.0.0.1', port: 40080, family: 'IPv4' },
      route: 'lab',
      answeredBy: 'Lab HTTP server',
      elapsedMs: 1,
    },
  ];
  let offset = 0;
  for (const send of sends) {
    events.push({ id, t: send.t, type: 'data', dir: 'out', offset, bytes: send.bytes });
    offset += send.bytes.byteLength;
  }
  if (more.halfClosed) events.push({ id, t: 9000, type: 'local-ended' });
  if (more.received) events.push({ id, t: 9001, type: 'data', dir: 'in', offset: 0, bytes: more.received });
  if (more.peerEnded) events.push({ id, t: 9002, type: 'peer-ended' });
  if (more.aborted) events.push({ id, t: 9003, type: 'closed', by: 'abort' });
  return events;
}

function sourceOf(events: LabEvent[]): TwinSource {
  const source = twinSourceFromEvents(events, 'c1', { host: 'data.pr4e.org', port: 80 });
  if (!source) throw new Error('no source');
  return source;
}

function romeoResponse(): Buffer {
  return Buffer.concat([
    Buffer.from(
      `HTTP/1.1 200 OK\r\nContent-Length: ${ROMEO.length}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n`,
    ),
    ROMEO,
  ]);
}

describe('pythonBytesLiteral', () => {
  it('writes the book request the way the book does', () => {
    expect(pythonBytesLiteral(BOOK_REQUEST)).toBe("b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'");
    expect(pythonBytesLiteral(ascii("it's a \\ \t"))).toBe('b"it\'s a \\\\ \\t"');
    expect(pythonBytesLiteral(Uint8Array.of(0, 0x7f, 0xff))).toBe("b'\\x00\\x7f\\xff'");
  });

  it('is read back by Python as exactly the same bytes, for all 256 byte values', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const literal = pythonBytesLiteral(all);
    const run = await runPython(`import sys\nsys.stdout.write(${literal}.hex())`);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(Buffer.from(all).toString('hex'));
    const text = await runPython(`print(${pythonStringLiteral("it's \\ é\u2603")})`);
    expect(text.stdout.trim()).toBe("it's \\ é\u2603");
  });
});

describe('socketProgram runs in Python and sends exactly what the learner sent', () => {
  it('socket1.py: the book request, the server answers and closes, the loop ends on b""', async () => {
    const server = await recorder((socket, received) => {
      if (received().includes('\r\n\r\n')) socket.end(romeoResponse());
    });
    const source = sourceOf(session([{ bytes: BOOK_REQUEST, t: 10 }], { received: romeoResponse(), peerEnded: true }));
    const code = socketProgram(source, { host: '127.0.0.1', port: server.port });
    expect(code).toContain("mysock.connect(('127.0.0.1', " + server.port + '))');
    expect(code).toContain("cmd = b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'");
    expect(code).toContain('data = mysock.recv(512)');
    expect(code).not.toContain('settimeout');
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(server.received[0]?.equals(Buffer.from(BOOK_REQUEST))).toBe(true);
    expect(run.stdout).toContain('HTTP/1.1 200 OK\r\nContent-Length: 167');
    expect(run.stdout).toContain('But soft what light through yonder window breaks');
  });

  it('uses the host and port of the connection unless told otherwise', () => {
    const source = sourceOf(session([{ bytes: BOOK_REQUEST, t: 10 }]));
    expect(socketProgram(source)).toContain("mysock.connect(('data.pr4e.org', 80))");
    expect(source.labAddress).toEqual({ host: '127.0.0.1', port: 40080 });
  });

  it('an echo with two sends and a half-close: shutdown(SHUT_WR), then every byte comes back', async () => {
    // A real echo: every byte goes back, and our FIN follows the client's FIN.
    const server = await recorder((socket, _received, chunk) => socket.write(chunk));
    const sends = [
      { bytes: ascii("hello, it's me\n"), t: 10 },
      { bytes: Uint8Array.of(0x5c, 0x27, 0x22, 0x00, 0xff, 0x0d, 0x0a, 0x09), t: 20 },
    ];
    const received = Uint8Array.from([...sends[0]!.bytes, ...sends[1]!.bytes]);
    const source = sourceOf(session(sends, { received, halfClosed: true, peerEnded: true }));
    const code = socketProgram(source, { host: '127.0.0.1', port: server.port });
    expect(code).toContain('mysock.shutdown(socket.SHUT_WR)');
    expect(code).toContain("cmd2 = b'\\\\\\'\"\\x00\\xff\\r\\n\\t'");
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(server.received[0]?.equals(Buffer.from(received))).toBe(true);
    expect(server.ended[0]).toBe(true);
    expect(run.stdout).toContain('Received 23 bytes');
  });

  it('Close is mysock.close(), not a half-close: no shutdown(SHUT_WR), and the socket line says what a socket is', () => {
    const events = session([{ bytes: ascii('hello\n'), t: 10 }], { received: ascii('hello\n') });
    // What the hub reports for Close: FIN, then the socket is let go at once.
    events.push({ id: 'c1', t: 30, type: 'local-ended' }, { id: 'c1', t: 31, type: 'closed', by: 'local' });
    const code = socketProgram(sourceOf(events));
    expect(code).not.toContain('shutdown');
    expect(code).toMatch(/mysock\.close\(\)\n$/);
    expect(code).toContain('# A socket is your end of the pipe (AF_INET: IPv4 addresses, SOCK_STREAM: TCP).');

    // A Half-close that the learner followed, much later, with Close is still a half-close.
    const half = session([{ bytes: ascii('hello\n'), t: 10 }], { received: ascii('hello\n') });
    half.push({ id: 'c1', t: 30, type: 'local-ended' }, { id: 'c1', t: 9000, type: 'closed', by: 'local' });
    expect(socketProgram(sourceOf(half))).toContain('mysock.shutdown(socket.SHUT_WR)');
  });

  it('a server that speaks first (SMTP): the twin reads the greeting before sending, and each reply in turn', async () => {
    // Strict like a real mail server with a greeting pause: a client that talks before the 220 is turned away.
    const lines: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      let greeted = false;
      let pending = '';
      socket.on('error', () => undefined);
      const timer = setTimeout(() => {
        greeted = true;
        socket.write('220 mail.lab.test ready\r\n');
      }, 300);
      socket.on('data', (chunk: Buffer) => {
        if (!greeted) {
          clearTimeout(timer);
          socket.end('554 you spoke before my greeting\r\n');
          return;
        }
        pending += chunk.toString('latin1');
        for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 2);
          lines.push(line);
          if (line === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('250 hello\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const id = 'c1';
      const t = (n: number) => n;
      const greeting = ascii('220 mail.lab.test ready\r\n');
      const helo = ascii('HELO learner.lab.test\r\n');
      const quit = ascii('QUIT\r\n');
      const events: LabEvent[] = [
        { id, t: t(0), type: 'resolving', host: 'mail.lab.test', port: 25, route: 'lab' },
        { id, t: t(1), type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
        { id, t: t(1), type: 'connecting', address: '127.0.0.1', port: 40025, route: 'lab', answeredBy: 'Lab mail' },
        {
          id,
          t: t(2),
          type: 'connected',
          local: { address: '127.0.0.1', port: 51000, family: 'IPv4' },
          remote: { address: '127.0.0.1', port: 40025, family: 'IPv4' },
          route: 'lab',
          answeredBy: 'Lab mail',
          elapsedMs: 1,
        },
        { id, t: t(3), type: 'data', dir: 'in', offset: 0, bytes: greeting },
        { id, t: t(10), type: 'data', dir: 'out', offset: 0, bytes: helo },
        { id, t: t(11), type: 'data', dir: 'in', offset: greeting.length, bytes: ascii('250 hello\r\n') },
        { id, t: t(20), type: 'data', dir: 'out', offset: helo.length, bytes: quit },
        { id, t: t(21), type: 'data', dir: 'in', offset: greeting.length + 11, bytes: ascii('221 bye\r\n') },
        { id, t: t(22), type: 'peer-ended' },
      ];
      const source = twinSourceFromEvents(events, id);
      if (!source) throw new Error('no source');
      const port = (server.address() as net.AddressInfo).port;
      const code = socketProgram(source, { host: '127.0.0.1', port });
      expect(code.indexOf('# This server speaks first')).toBeLessThan(code.indexOf('mysock.send('));
      const run = await runPython(code);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('220 mail.lab.test ready\r\n250 hello\r\n221 bye\r\n');
      expect(lines).toEqual(['HELO learner.lab.test', 'QUIT']);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('when nobody closed, the loop stops after 2 quiet seconds instead of waiting forever', async () => {
    const server = await recorder((socket, _received, chunk) => socket.write(chunk));
    const sends = [{ bytes: ascii('hello\n'), t: 10 }];
    const source = sourceOf(session(sends, { received: ascii('hello\n') }));
    const code = socketProgram(source, { host: '127.0.0.1', port: server.port });
    expect(code).toContain('mysock.settimeout(2)');
    const started = Date.now();
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('hello\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.received[0]?.toString()).toBe('hello\n');
  });

  it('a pause between the request line and the blank line is kept: the server sees two pieces', async () => {
    const server = await recorder((socket, received) => {
      if (received().includes('\r\n\r\n')) socket.end(romeoResponse());
    });
    const sends = [
      { bytes: ascii('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n'), t: 1000 },
      { bytes: ascii('\r\n'), t: 2200 },
    ];
    const source = sourceOf(session(sends, { received: romeoResponse(), peerEnded: true }));
    const code = socketProgram(source, { host: '127.0.0.1', port: server.port });
    expect(code).toContain('time.sleep(1.2)');
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(server.received[0]?.toString('latin1')).toBe('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
    expect(server.arrivals.length).toBe(2);
    expect(server.arrivals[1]!.at - server.arrivals[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('a binary answer (an image) is counted, not decoded', async () => {
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x80, 0x81, 0x82,
    ]);
    const response = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${jpeg.length}\r\n\r\n`), jpeg]);
    const server = await recorder((socket, received) => {
      if (received().includes('\r\n\r\n')) socket.end(response);
    });
    const request = ascii('GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n');
    const source = sourceOf(session([{ bytes: request, t: 10 }], { received: response, peerEnded: true }));
    const code = socketProgram(source, { host: '127.0.0.1', port: server.port });
    expect(code).toContain('recv(5120)');
    expect(code).not.toContain('decode');
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Received ${response.length} bytes`);
    expect(server.received[0]?.equals(Buffer.from(request))).toBe(true);
  });

  it('plain bytes to a port that expects TLS first: the twin says the 7 bytes are an alert and how to send inside TLS', async () => {
    // What the lab's HTTPS server (like any on 443) answers plain text with: a fatal unexpected_message alert.
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);
    const server = await recorder((socket) => socket.end(alert));
    // As the lab sees it: the alert, then TLS_EXPECTED and closed (it stops reading, so no FIN is seen).
    const events = session([{ bytes: BOOK_REQUEST, t: 10 }], { received: alert });
    events.push(
      { id: 'c1', t: 9002, type: 'error', code: 'TLS_EXPECTED', message: 'expects TLS first', hint: 'TLS on' },
      { id: 'c1', t: 9003, type: 'closed', by: 'error' },
    );
    const source = sourceOf(events);
    const code = socketProgram(source, { host: '127.0.0.1', port: server.port });
    // It hung up after the alert: the loop ends on b'', with no timeout to wait out.
    expect(code).not.toContain('settimeout');
    expect(code).toContain(
      '# This port expects TLS first: your plain bytes got a TLS alert back (fatal unexpected_message),',
    );
    expect(code).toContain('Switch TLS on in the lab and connect again');
    expect(code).not.toContain('import ssl');
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Received 7 bytes');
    // The urllib twin says where an http:// URL really goes, and the https:// one for the same page.
    const urllib = urllibProgram({ ...source, port: 443 });
    expect(urllib).toContain('# You sent this to port 443, which expects TLS first, and got a TLS alert back.');
    expect(urllib).toContain('# The same page over TLS is https://data.pr4e.org/romeo.txt');
    // An answer that is not an alert gets no such words.
    const plain = socketProgram(
      sourceOf(session([{ bytes: BOOK_REQUEST, t: 10 }], { received: romeoResponse(), peerEnded: true })),
    );
    expect(plain).not.toContain('TLS');
    expect(
      urllibProgram(sourceOf(session([{ bytes: BOOK_REQUEST, t: 10 }], { received: romeoResponse() }))),
    ).not.toContain('TLS');
  });

  it('sends past the first 64 KiB, or after bytes a saved session lost, are left out in words that say which', () => {
    const big = new Uint8Array(40 * 1024).fill(0x61);
    const past = socketProgram(
      sourceOf(
        session([
          { bytes: big, t: 10 },
          { bytes: big, t: 20 },
          { bytes: big, t: 30 },
        ]),
      ),
    );
    expect(past).toContain('# Left out: 2 later sends, past the first 64 KiB you sent on this connection.');
    // A replay whose middle send was damaged on disk: its offsets jump from 7 to 22.
    const events = session([
      { bytes: ascii('first\r\n'), t: 10 },
      { bytes: ascii('third\r\n'), t: 30 },
    ]);
    const third = events.find((event) => event.type === 'data' && event.offset === 7);
    if (third?.type !== 'data') throw new Error('no second send');
    third.offset = 22;
    const lost = socketProgram(sourceOf(events));
    expect(lost).toContain(
      '# Left out: 1 later send. The saved session lost the bytes of a send here (a damaged record)',
    );
    expect(lost).toContain("cmd = b'first\\r\\n'");
    expect(lost).not.toContain('third');
  });

  it('an abort closes with a reset, like the learner’s abort', async () => {
    // A Python listener that reads late tells a reset (ConnectionResetError) from a FIN (b'') reliably;
    // Node's socket may report a reset that arrives with data as a plain end.
    const listener = spawn('python3', [
      '-c',
      [
        'import socket, sys, time',
        "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()",
        'print(srv.getsockname()[1], flush=True)',
        'conn, _ = srv.accept(); time.sleep(0.5)',
        'try:',
        '    got = conn.recv(100); rest = conn.recv(100)',
        "    print('FIN' if rest == b'' else 'more', flush=True)",
        'except ConnectionResetError:',
        "    print('RST', flush=True)",
      ].join('\n'),
    ]);
    let output = '';
    const port = await new Promise<number>((resolve) => {
      listener.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(Number(output.split('\n')[0]));
      });
    });
    // 'close', not 'exit': the last line may still be on its way through the pipe at 'exit'.
    const exited = new Promise((resolve) => listener.once('close', resolve));
    const source = sourceOf(session([{ bytes: ascii('hi'), t: 10 }], { aborted: true }));
    const code = socketProgram(source, { host: '127.0.0.1', port });
    expect(code).toContain('SO_LINGER');
    const run = await runPython(code);
    expect(run.stderr).toBe('');
    await exited;
    expect(output.trim().split('\n')[1]).toBe('RST');
  });

  it('a refused connection: Python raises ConnectionRefusedError at connect()', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const events: LabEvent[] = [
      { id: 'c1', t: 0, type: 'resolving', host: '127.0.0.1', port: 7, route: 'lab' },
      { id: 'c1', t: 1, type: 'error', code: 'ECONNREFUSED', message: 'refused', hint: '' },
      { id: 'c1', t: 2, type: 'closed', by: 'error' },
    ];
    const source = twinSourceFromEvents(events, 'c1', { host: '127.0.0.1', port });
    const code = socketProgram(source!);
    expect(code).toContain('except ConnectionRefusedError as err:');
    const run = await runPython(code);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('refused');
  });
});

describe('urllibProgram', () => {
  it('gives the urllib1.py equivalent for a GET, with the URL from the absolute-form target', () => {
    const source = sourceOf(session([{ bytes: BOOK_REQUEST, t: 10 }], { received: romeoResponse() }));
    const code = urllibProgram(source);
    expect(code).toContain("fhand = urllib.request.urlopen('http://data.pr4e.org/romeo.txt')");
    expect(code).toContain('for line in fhand:');
  });

  it('takes the URL from the Host header for an origin-form target, and none for non-HTTP bytes', () => {
    const source = sourceOf(
      session([{ bytes: ascii('GET /page1.htm HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n'), t: 1 }]),
    );
    const request = sentHttpRequest(source);
    expect(request && requestUrl(request, source)).toBe('http://data.pr4e.org/page1.htm');
    expect(urllibProgram(sourceOf(session([{ bytes: ascii('hello\n'), t: 1 }])))).toBeNull();
    expect(urllibProgram(sourceOf(session([{ bytes: ascii('POST /x HTTP/1.0\r\n\r\n'), t: 1 }])))).toBeNull();
  });

  it('runs: urllib sends its HTTP/1.1 request and prints only the body', async () => {
    const server = await recorder((socket, received) => {
      if (received().includes('\r\n\r\n')) socket.end(romeoResponse());
    });
    const source = sourceOf(session([{ bytes: BOOK_REQUEST, t: 10 }], { received: romeoResponse(), peerEnded: true }));
    const code = urllibProgram(source, { host: '127.0.0.1', port: server.port });
    const run = await runPython(code!);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      ROMEO.toString()
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join('\n') + '\n',
    );
    const sent = server.received[0]?.toString('latin1') ?? '';
    // What step 10 teaches: urllib speaks HTTP/1.1 with Host, Connection: close and Accept-Encoding: identity.
    expect(sent).toMatch(/^GET \/romeo\.txt HTTP\/1\.1\r\n/);
    expect(sent).toContain(`\r\nHost: 127.0.0.1:${server.port}\r\n`);
    expect(sent).toContain('\r\nConnection: close\r\n');
    expect(sent).toContain('Accept-Encoding: identity\r\n');
    expect(sent).toMatch(/User-Agent: Python-urllib\/3\.\d+\r\n/);
    expect(sent.endsWith('\r\n\r\n')).toBe(true);
  });
});

describe('the twin of a real session', () => {
  it('runs against the real lab server and gets the answer the learner got', async () => {
    const { ConnectionHub } = await import('../../../../src/main/core/connections/hub');
    const { startLabServers } = await import('../../../../src/main/core/labServers');
    const servers = await startLabServers({ host: '127.0.0.1' });
    const events: LabEvent[] = [];
    const hub = new ConnectionHub({ emit: (event) => events.push(event), route: (h, p) => servers.route(h, p) });
    try {
      const opened = hub.connect({ host: 'data.pr4e.org', port: 80, route: 'lab', timeoutMs: 5000 });
      if (!opened.ok) throw new Error(opened.error.message);
      const id = opened.value.id;
      const until = async (type: LabEvent['type']) => {
        while (!events.some((e) => e.id === id && e.type === type)) await new Promise((r) => setTimeout(r, 5));
      };
      await until('connected');
      hub.send(id, BOOK_REQUEST);
      await until('peer-ended');
      const source = twinSourceFromEvents(events, id, { host: 'data.pr4e.org', port: 80 });
      expect(source?.labAddress?.host).toBe('127.0.0.1');
      const code = socketProgram(source!, source!.labAddress!);
      const run = await runPython(code);
      expect(run.stderr).toBe('');
      const got = Buffer.concat(
        events.flatMap((e) => (e.id === id && e.type === 'data' && e.dir === 'in' ? [Buffer.from(e.bytes)] : [])),
      ).toString('latin1');
      // Same answer, byte for byte, apart from the Date header (a different second).
      const withoutDate = (text: string) => text.replace(/^Date: .*$/m, 'Date: -');
      expect(withoutDate(run.stdout)).toBe(withoutDate(got));
    } finally {
      hub.dispose();
      await servers.stop();
    }
  });
});
