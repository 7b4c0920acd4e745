/**
 * The .py export, run by python3: socket1.py's recorded exchange replayed against the lab HTTP server prints the
 * same response bytes, and over TLS against the lab TLS server too (the book's ssl context, the check off only for
 * the lab's own certificate); an echo session prints each echo before the next send; IPv6 uses AF_INET6; and any
 * session at all gives a script Python compiles. Python runs with the tests' loopback guard (tests/python/guard), which
 * ends a program that reaches for any address outside 127.0.0.0/8 and ::1 before the system sees it.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPython, pythonString } from '../../../../src/main/core/transcripts/python';
import type { ConnectionId, LabEvent } from '../../../../src/shared/contract';
import { LAB_ONLY_COMMENT } from '../../../../src/shared/tlsRecipe';
import { closedPort, startServer, valueOf } from '../connections/loopback';
import { PYTHON_LOOPBACK_GUARD } from '../labServers/helpers';
import {
  echoExchange,
  ipv6Abort,
  labRecording,
  refusedConnection,
  ROMEO_REQUEST,
  romeoExchange,
  tlsRomeoExchange,
  type LabRecording,
} from './labSession';
import { recordSession } from './recordSession';
import { exportToBuffer, FC_SEED, sessionArb } from './socketlabSessions';

let scratch: string;
let scriptCount = 0;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'socketlab-py-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** stdout and stderr in the order they were written (one file for both), when asked for. */
  merged: string;
}

/** Runs a script under python3 with the loopback guard; never through a proxy. */
function runPython(script: string, args: string[] = [], merge = false): Promise<Run> {
  scriptCount += 1;
  const file = path.join(scratch, `replay${scriptCount}.py`);
  writeFileSync(file, script);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: PYTHON_LOOPBACK_GUARD,
    PYTHONDONTWRITEBYTECODE: '1',
    NO_PROXY: '*',
  };
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'])
    delete env[name];
  const mergedFile = path.join(scratch, `replay${scriptCount}.out`);
  const fd = merge ? openSync(mergedFile, 'w') : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [file, ...args], {
      env,
      stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 took longer than 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      resolve({
        code,
        stdout: Buffer.concat(stdout),
        stderr,
        merged: fd === undefined ? '' : readFileSync(mergedFile, 'utf8'),
      });
    });
  });
}

async function scriptOf(recording: LabRecording): Promise<string> {
  return (await exportToBuffer(exportPython, recording.session.source())).toString('utf8');
}

describe('a recorded socket1.py exchange, replayed', () => {
  let recording: LabRecording;
  let id: ConnectionId;
  let script: string;

  beforeAll(async () => {
    recording = await labRecording();
    id = await romeoExchange(recording.session);
    script = await scriptOf(recording);
  });

  afterAll(async () => {
    await recording.stop();
  });

  it("is written in the book's style", () => {
    expect(script).toMatch(/^#!\/usr\/bin\/env python3\n# Socket Lab replay/);
    expect(script).toContain('# Recorded 2026-11-30 14:02:00 UTC with Socket Lab 0.1.0 (session test-session).');
    expect(script).toContain('import socket\n');
    expect(script).toContain(
      'mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\nmysock.connect((host, port))\n',
    );
    expect(script).toContain("cmd = b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'\nmysock.sendall(cmd)\n");
    expect(script).toContain('        data = mysock.recv(512)\n        if len(data) < 1:\n            break\n');
    expect(script).toContain('mysock.close()\n');
    expect(script).not.toContain('shutdown'); // the learner pressed Close: that FIN is part of close()
    expect(script).toContain(
      '#   1. Lab HTTP server (stands in for data.pr4e.org), for #1; npm run lab-server: --lab 127.0.0.1:8080',
    );
  });

  it('with --lab, prints exactly the response bytes the session received', async () => {
    const result = await runPython(script, ['--lab', `127.0.0.1:${recording.lab.port('http')}`]);
    expect(result.stderr).toContain(`#1 connecting to 127.0.0.1 port ${recording.lab.port('http')}`);
    expect(result.code).toBe(0);
    const received = recording.session.log.bytes(id, 'in');
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\nDate: Tue, 01 Apr 2025 12:34:56 GMT\r\n/);
    expect(result.stdout.equals(received)).toBe(true);
  });

  it('without --lab, goes to the host you typed (data.pr4e.org port 80), which the guard stops here', async () => {
    const result = await runPython(script);
    expect(result.code).toBe(86);
    expect(result.stderr).toContain('#1 connecting to data.pr4e.org port 80');
    expect(result.stderr).toContain('LOOPBACK GUARD: blocked');
  });

  it('says plainly when --lab does not fit', async () => {
    const two = await runPython(script, ['--lab', '127.0.0.1:1', '--lab', '127.0.0.1:2']);
    expect(two.code).toBe(1);
    expect(two.stderr).toContain('This session used 1 lab server(s): give one --lab HOST:PORT for each');
    const bad = await runPython(script, ['--lab', 'localhost']);
    expect(bad.stderr).toContain("--lab wants a host and a port, like 127.0.0.1:8080, not 'localhost'.");
    const ipv6 = await runPython(script, ['--lab', '[::1]:8080']);
    expect(ipv6.stderr).toContain('was reached over IPv4 in the session: give an IPv4 address for it, not ::1.');
    const other = await runPython(script, ['--verbose']);
    expect(other.stderr).toContain("Unknown argument '--verbose'");
    expect((await runPython(script, ['--help'])).stdout.toString()).toMatch(/^usage: python3 /);
  });
});

describe('a recorded socket1.py exchange over TLS, replayed', () => {
  let recording: LabRecording;
  let id: ConnectionId;
  let script: string;

  beforeAll(async () => {
    recording = await labRecording();
    id = await tlsRomeoExchange(recording.session);
    script = await scriptOf(recording);
  });

  afterAll(async () => {
    await recording.stop();
  });

  it("goes through the book's ssl context, the check off only for the lab's own certificate, and never replays wire bytes", () => {
    expect(script).toContain('import socket\nimport ssl\n');
    expect(script).toContain('#   #1 data.pr4e.org port 443 over TLS, answered by the Lab HTTPS server');
    expect(script).toContain('npm run lab-server: --lab 127.0.0.1:8443');
    expect(script).toContain(['mysock.connect((host, port))', '# TLS, as in the session (TLSv1.3, '].join('\n'));
    expect(script).toContain(
      [
        'ctx = ssl.create_default_context()',
        'if LAB:  # --lab: the lab TLS server answers, with the certificate it made',
        `    ${LAB_ONLY_COMMENT}`,
        '    ctx.check_hostname = False',
        '    ctx.verify_mode = ssl.CERT_NONE',
        'mysock.settimeout(10)  # do not wait forever for the handshake',
        'try:',
        "    mysock = ctx.wrap_socket(mysock, server_hostname='data.pr4e.org')",
      ].join('\n'),
    );
    expect(script).toContain(
      "    cmd = b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'\n    mysock.sendall(cmd)\n",
    );
    // The ClientHello (and every other record) is Python's own to make.
    const wire = recording.session.log
      .of(id)
      .filter((event): event is Extract<LabEvent, { type: 'wire' }> => event.type === 'wire');
    expect(wire.length).toBeGreaterThan(3);
    expect(script).not.toContain('\\x16\\x03\\x01');
    expect(script).not.toContain(Buffer.from(wire[0]!.bytes.subarray(11, 43)).toString('hex'));
  });

  it('with --lab, against the lab TLS server, prints exactly the plain response bytes the session received', async () => {
    const result = await runPython(script, ['--lab', `127.0.0.1:${recording.lab.port('https')}`]);
    expect(result.stderr).toMatch(/#1 TLS is set up: TLSv1\.[23] TLS_/);
    expect(result.code).toBe(0);
    const received = recording.session.log.bytes(id, 'in');
    expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\nDate: Tue, 01 Apr 2025 12:34:56 GMT\r\n/);
    expect(result.stdout.equals(received)).toBe(true);
  });

  it("past the journal's cap, counts only the plain bytes: wire bytes are TLS's own", async () => {
    const capped = await labRecording();
    try {
      capped.session.fillJournal(1024);
      const cappedId = await tlsRomeoExchange(capped.session);
      const wireOut = capped.session.log
        .of(cappedId)
        .flatMap((event) => (event.type === 'wire' && event.dir === 'out' ? [event.bytes.byteLength] : []));
      const text = await scriptOf(capped);
      expect(text).toContain(
        '    # Here you sent 47 bytes the session did not save (its journal was full): left out.\n',
      );
      expect(text).toContain('    # 535 bytes came back here in the session, to what was left out: not waited for.\n');
      for (const length of wireOut) expect(text).not.toContain(`sent ${length} bytes the session did not save`);
    } finally {
      await capped.stop();
    }
  });

  it('without --lab, goes to data.pr4e.org port 443, which the guard stops here', async () => {
    const result = await runPython(script);
    expect(result.code).toBe(86);
    expect(result.stderr).toContain('#1 connecting to data.pr4e.org port 443');
    expect(result.stderr).toContain('LOOPBACK GUARD: blocked');
  });
});

describe('TLS replays where the certificate is checked, or the handshake failed', () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it("the lab's address typed by hand: its own certificate is let through without --lab", async () => {
    const recording = await labRecording();
    stops.push(() => recording.stop());
    const port = recording.lab.port('https');
    const { hub, log } = recording.session;
    const id = valueOf(hub.connect({ host: '127.0.0.1', port, route: 'lab', timeoutMs: 5_000, tls: true })).id;
    await log.next(id, 'tls');
    valueOf(hub.send(id, Buffer.from(ROMEO_REQUEST)));
    await log.next(id, 'peer-ended');
    valueOf(hub.close(id));
    await log.next(id, 'closed');
    const script = await scriptOf(recording);
    expect(script).toContain(`ctx = ssl.create_default_context()\n${LAB_ONLY_COMMENT}\nctx.check_hostname = False\n`);
    expect(script).toContain("mysock = ctx.wrap_socket(mysock, server_hostname='127.0.0.1')");
    const result = await runPython(script);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(log.bytes(id, 'in'))).toBe(true);
  });

  it("a certificate that is not the lab's is checked, refused, and the script goes on to the next connection", async () => {
    const lab = await labRecording();
    stops.push(() => lab.stop());
    // The same lab, but a hub that does not know the lab's certificate: to it, a self-signed stranger.
    const session = recordSession({
      route: (host, port) => lab.lab.servers.route(host, port),
      identify: (address, port) => lab.lab.servers.identify(address, port),
      labCertificates: () => [],
    });
    stops.push(async () => session.hub.dispose());
    const stranger = valueOf(
      session.hub.connect({ host: 'data.pr4e.org', port: 443, route: 'lab', timeoutMs: 5_000, tls: true }),
    ).id;
    const secured = await session.log.next(stranger, 'tls');
    expect(secured.trust).toMatchObject({ trusted: false, labCertificate: false });
    valueOf(session.hub.close(stranger));
    await session.log.next(stranger, 'closed');
    const echo = valueOf(session.hub.connect({ host: 'echo.lab.test', port: 7, route: 'lab', timeoutMs: 5_000 })).id;
    await session.log.next(echo, 'connected');
    valueOf(session.hub.send(echo, Buffer.from('still here\n')));
    await session.log.received(echo, 11);
    valueOf(session.hub.close(echo));
    await session.log.next(echo, 'closed');

    const script = (await exportToBuffer(exportPython, session.source())).toString('utf8');
    expect(script).not.toContain('CERT_NONE');
    expect(script).toContain(
      '# In the session this certificate was not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): Python checks it\n# too, so TLS may not start here.\n',
    );
    const result = await runPython(script, [
      '--lab',
      `127.0.0.1:${lab.lab.port('https')}`,
      '--lab',
      `127.0.0.1:${lab.lab.port('echo')}`,
    ]);
    expect(result.stderr).toMatch(/#1 TLS did not start: .*CERTIFICATE_VERIFY_FAILED/);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('still here\n');
  });

  it('a handshake that failed in the session is tried again and said to fail, without a traceback', async () => {
    const plain = await startServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')),
    );
    stops.push(() => plain.close());
    const recording = await labRecording();
    stops.push(() => recording.stop());
    const { hub, log } = recording.session;
    const id = valueOf(
      hub.connect({ host: '127.0.0.1', port: plain.port, route: 'lab', timeoutMs: 5_000, tls: true }),
    ).id;
    expect((await log.next(id, 'error')).code).toBe('TLS_NOT_SPOKEN');
    await log.next(id, 'closed');
    const script = await scriptOf(recording);
    expect(script).toContain('#   #1 127.0.0.1 port');
    expect(script).toMatch(/over TLS \(in the session: TLS_NOT_SPOKEN\)/);
    expect(script).toContain('# In the session the TLS handshake did not finish (TLS_NOT_SPOKEN: 127.0.0.1 port');
    const result = await runPython(script);
    expect(result.stderr).toMatch(
      /#1 TLS did not start: .*WRONG_VERSION_NUMBER|#1 TLS did not start: .*record layer failure/i,
    );
    expect(result.stderr).not.toContain('Traceback');
    expect(result.code).toBe(0);
  });
});

describe('an echo session with several sends, replayed', () => {
  let recording: LabRecording;
  const messages = ['hello\n', 'caf\u00e9 \u2603\r\n', 'third line, with a tab\tand a bell \x07\n'];

  beforeAll(async () => {
    recording = await labRecording();
    await echoExchange(
      recording.session,
      messages.map((message) => new TextEncoder().encode(message)),
    );
  });

  afterAll(async () => {
    await recording.stop();
  });

  it('reads each echo before the next send, and prints it', async () => {
    const script = await scriptOf(recording);
    expect(script).toContain('receive(mysock, 6)  # 6 bytes came back here in the session');
    expect(script).toContain('mysock.shutdown(socket.SHUT_WR)  # you half-closed here');
    const lab = `127.0.0.1:${recording.lab.port('echo')}`;
    const result = await runPython(script, ['--lab', lab], true);
    expect(result.code).toBe(0);
    const sizes = messages.map((message) => new TextEncoder().encode(message).byteLength);
    expect(result.merged).toBe(
      `#1 connecting to 127.0.0.1 port ${recording.lab.port('echo')}\n` +
        messages.map((message, i) => `#1 sent ${sizes[i]} bytes\n${message}`).join(''),
    );
    const plain = await runPython(script, ['--lab', lab]);
    expect(plain.stdout.toString('utf8')).toBe(messages.join(''));
  });
});

describe('IPv6, an abort, and a refused connection, replayed', () => {
  let recording: LabRecording;
  let script: string;
  let stopServer: () => Promise<void>;
  let ipv6Id: ConnectionId;

  beforeAll(async () => {
    recording = await labRecording();
    await refusedConnection(recording.session, await closedPort());
    const { id, server } = await ipv6Abort(recording.session);
    ipv6Id = id;
    stopServer = () => server.close();
    script = await scriptOf(recording);
  });

  afterAll(async () => {
    await stopServer();
    await recording.stop();
  });

  it('uses AF_INET6 for ::1, aborts with a reset, and goes on past a refused connection', async () => {
    expect(script).toContain('mysock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)');
    expect(script).toContain("mysock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))");
    expect(script).toContain('# In the session this connection did not open (ECONNREFUSED: Nothing is listening');
    const result = await runPython(script);
    expect(result.stderr).toMatch(/#1 could not connect: \[Errno 111\] Connection refused/);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(recording.session.log.bytes(ipv6Id, 'in'))).toBe(true);
  });
});

describe('any session', () => {
  it('gives a script python3 -m py_compile accepts (fast-check)', async () => {
    // One python3 compiles every run's script (py_compile.compile, as -m py_compile does), so the runs cost
    // milliseconds rather than a Python start each.
    const compiler = spawn(
      'python3',
      [
        '-c',
        'import sys, py_compile\nfor line in sys.stdin:\n    try:\n        py_compile.compile(line.strip(), doraise=True)\n        print("ok", flush=True)\n    except py_compile.PyCompileError as err:\n        print(repr(str(err)), flush=True)',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    let pending: ((answer: string) => void) | null = null;
    let buffered = '';
    compiler.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline !== -1 && pending) {
        const answer = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        pending(answer);
      }
    });
    const compile = (file: string): Promise<string> =>
      new Promise((resolve) => {
        pending = resolve;
        compiler.stdin.write(`${file}\n`);
      });
    try {
      await fc.assert(
        fc.asyncProperty(sessionArb(30), async (session) => {
          const file = path.join(scratch, `compile${(scriptCount += 1)}.py`);
          writeFileSync(file, await exportToBuffer(exportPython, session.source()));
          expect(await compile(file)).toBe('ok');
        }),
        { seed: FC_SEED, numRuns: 40 },
      );
    } finally {
      compiler.stdin.end();
    }
  });

  it('writes any text as a plain-ASCII Python literal', () => {
    expect(pythonString("it's \\ caf\u00e9 \u2603 \ud83d\ude00 \n\u0000")).toBe(
      "'it\\'s \\\\ caf\\xe9 \\u2603 \\U0001f600 \\x0a\\x00'",
    );
  });
});
