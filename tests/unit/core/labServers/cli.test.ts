/**
 * `npm run lab-server`: the options, then the program itself. The in-process tests call runLabServerCli with
 * a stand-in for process signals; the last test compiles the CLI's TypeScript to CommonJS (TypeScript's own
 * transpiler, as the build does) and runs it as a real `node` process, stopped with a real SIGTERM.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLI_PORTS,
  parseLabServerArgs,
  runLabServerCli,
  type CliOutput,
  type SignalSource,
} from '../../../../src/main/core/labServers/cli';
import { bookRecipe } from '../../../../src/shared/bookRecipe';
import { compileCli } from './compileCli';
import { CONTENT_DIR, exchange, RawClient, runPython, splitReply } from './helpers';

const ROMEO = readFileSync(path.join(CONTENT_DIR, 'romeo.txt'));

function capture(): CliOutput & { out: (line: string) => void; lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

class FakeSignals extends EventEmitter implements SignalSource {
  override once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): this {
    return super.once(signal, listener);
  }

  override off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): this {
    return super.off(signal, listener);
  }
}

describe('lab-server options', () => {
  it('defaults to fixed ports on 127.0.0.1, no slow mode', () => {
    expect(parseLabServerArgs([])).toEqual({
      ok: true,
      options: {
        help: false,
        quiet: false,
        host: '127.0.0.1',
        ports: { http: 8080, https: 8443, echo: 8007, smtp: 8025, pop: 8110 },
        slow: null,
        idleTimeoutMs: undefined,
        firstLineTimeoutMs: undefined,
        contentDir: undefined,
        dataDir: undefined,
      },
    });
    expect(DEFAULT_CLI_PORTS.http).toBe(8080);
  });

  it('reads every option, with a space or an equals sign', () => {
    const parsed = parseLabServerArgs([
      '--http-port',
      '8081',
      '--echo-port=0',
      '--smtp-port',
      '2525',
      '--pop-port',
      '1110',
      '--https-port',
      '4443',
      '--data-dir',
      '/tmp/lab-data',
      '--host',
      '::1',
      '--slow',
      '2000:100',
      '--idle-timeout',
      '2.5',
      '--first-line-timeout=300',
      '--content-dir',
      '/tmp/x',
      '--quiet',
    ]);
    expect(parsed).toEqual({
      ok: true,
      options: {
        help: false,
        quiet: true,
        host: '::1',
        ports: { http: 8081, https: 4443, echo: 0, smtp: 2525, pop: 1110 },
        slow: { bytesPerSecond: 2000, writeSize: 100 },
        idleTimeoutMs: 2500,
        firstLineTimeoutMs: 300_000,
        contentDir: '/tmp/x',
        dataDir: '/tmp/lab-data',
      },
    });
    expect(parseLabServerArgs(['--slow', '5000'])).toMatchObject({
      options: { slow: { bytesPerSecond: 5000, writeSize: 500 } },
    });
    expect(parseLabServerArgs(['--slow', '50000'])).toMatchObject({
      options: { slow: { bytesPerSecond: 50000, writeSize: 1024 } },
    });
  });

  it('answers each bad option with one clear line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--http-port', '80000'], /--http-port must be a port number from 1 to 65535/],
      [['--http-port', 'eighty'], /--http-port must be a port number/],
      [['--http-port'], /--http-port needs a value/],
      [
        ['--http-port', '0x50'],
        /--http-port must be a port number from 1 to 65535 \(or 0 for any free port\), not "0x50"/,
      ],
      [['--echo-port', '--quiet'], /--echo-port needs a value/],
      [['--quiet=yes'], /--quiet takes no value/],
      [['--slow', '200000000'], /not "200000000" \(The slow-mode speed must be .* from 1 to 104857600\)/],
      [['--slow', '100:100000'], /not "100:100000" \(The slow-mode write size must be .* from 1 to 65536\)/],
      [['serve'], /unknown option serve/],
      [['--verbose=2'], /unknown option --verbose=2/],
      [
        ['--host', '0.0.0.0'],
        /--host must be this computer's loopback address \(127\.0\.0\.1 or ::1\), not "0\.0\.0\.0"/,
      ],
      [['--host', '192.168.0.5'], /never listen where other computers could reach them/],
      [['--slow', 'fast'], /--slow takes BYTES_PER_SEC or BYTES_PER_SEC:WRITE_SIZE/],
      [['--slow', '100:0'], /--slow takes/],
      [['--idle-timeout', '-1'], /--idle-timeout takes a number of seconds above 0/],
      [['--idle-timeout', '0'], /--idle-timeout takes/],
      [['--first-line-timeout', 'soon'], /--first-line-timeout takes a number of seconds above 0, like 120/],
      [['--verbose'], /unknown option --verbose/],
      [['--http-port', '9000', '--echo-port', '9000'], /the http and echo servers cannot share port 9000/],
    ];
    for (const [argv, message] of cases) {
      const output = capture();
      const run = await runLabServerCli(argv, output, new FakeSignals());
      expect(await run.exitCode, argv.join(' ')).toBe(2);
      expect(run.servers).toBeUndefined();
      expect(output.errors).toHaveLength(1);
      expect(output.errors[0]).toMatch(message);
      expect(output.errors[0]).toMatch(/^lab-server: .* \(see --help\)$/);
      expect(output.lines).toEqual([]);
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const output = capture();
    const run = await runLabServerCli(['--help'], output, new FakeSignals());
    expect(await run.exitCode).toBe(0);
    expect(output.lines.join('\n')).toContain('Usage: npm run lab-server -- [options]');
    expect(output.lines.join('\n')).toContain('--slow BYTES_PER_SEC[:WRITE_SIZE]');
  });
});

describe('lab-server, in process', () => {
  it('prints where each server listens and how to point socket1.py at it, serves romeo.txt, stops on SIGTERM', async () => {
    const output = capture();
    const signals = new FakeSignals();
    const run = await runLabServerCli(
      [
        '--http-port',
        '0',
        '--echo-port',
        '0',
        '--smtp-port',
        '0',
        '--pop-port',
        '0',
        '--https-port',
        '0',
        '--slow',
        '100000:512',
      ],
      output,
      signals,
    );
    const infos = run.servers?.info() ?? [];
    const http = infos.find((info) => info.kind === 'http');
    if (!http) throw new Error(`not started: ${output.errors.join('\n')}`);
    const text = output.lines.join('\n');
    expect(text).toMatch(
      new RegExp(
        `\\n  Lab HTTP server \\(stands in for data\\.pr4e\\.org\\) +http://127\\.0\\.0\\.1:${http.port}/romeo\\.txt\\n`,
      ),
    );
    for (const info of infos.slice(1)) expect(text).toContain(`${info.name}`);
    // The recipe of the README and the app's panel, with this run's port in it.
    for (const step of bookRecipe(http).steps) {
      expect(text).toContain(`* ${step.title}`);
      for (const line of step.code.split('\n')) expect(text).toContain(`\n      ${line}\n`);
    }
    expect(text).toContain(`      mysock.connect(('127.0.0.1', ${http.port}))`);
    expect(text).toContain(
      `      export http_proxy=http://127.0.0.1:${http.port} https_proxy=http://127.0.0.1:${http.port}`,
    );
    expect(text.replace(/\n */g, ' ')).toContain(
      'keep the request as it is (GET http://data.pr4e.org/romeo.txt HTTP/1.0)',
    );
    expect(text.split('\n').every((line) => line.length <= 100)).toBe(true);
    expect(text).toContain('Slow mode: HTTP replies go out 512 bytes at a time, 100000 bytes per second.');

    const reply = splitReply(await exchange(http.port, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'));
    expect(reply.body.equals(ROMEO)).toBe(true);
    expect(output.lines.at(-1)).toMatch(
      /^\[\d{2}:\d{2}:\d{2}\] 127\.0\.0\.1:\d+ GET http:\/\/data\.pr4e\.org\/romeo\.txt HTTP\/1\.0 -> 200, \d+ bytes, then close$/,
    );

    signals.emit('SIGTERM');
    expect(await run.exitCode).toBe(0);
    expect(output.lines.slice(-2)).toEqual(['Stopping the lab servers...', 'Stopped.']);
    await expect(RawClient.connect(http.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('--slow 100:300 --idle-timeout 2 delivers the whole body (slow mode pauses are not a stalled reader)', async () => {
    const output = capture();
    const signals = new FakeSignals();
    const run = await runLabServerCli(
      [
        '--http-port',
        '0',
        '--echo-port',
        '0',
        '--smtp-port',
        '0',
        '--pop-port',
        '0',
        '--https-port',
        '0',
        '--slow',
        '100:300',
        '--idle-timeout',
        '2',
        '--quiet',
      ],
      output,
      signals,
    );
    try {
      const port = run.servers?.info().find((info) => info.kind === 'http')?.port ?? 0;
      const client = await RawClient.connect(port);
      client.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
      // 300 bytes, a 3 s pause of the server's own (longer than the 2 s idle wait), then the rest.
      const reply = splitReply(await client.readToEnd(10_000));
      client.close();
      expect(reply.headers.get('content-length')).toBe('167');
      expect(reply.body.equals(ROMEO)).toBe(true);
    } finally {
      signals.emit('SIGTERM');
      expect(await run.exitCode).toBe(0);
    }
  });

  it('says plainly when a port is taken, and exits 1', async () => {
    const first = await runLabServerCli(
      ['--http-port', '0', '--echo-port', '0', '--smtp-port', '0', '--pop-port', '0', '--https-port', '0'],
      capture(),
      new FakeSignals(),
    );
    const taken = first.servers?.info().find((info) => info.kind === 'http')?.port ?? 0;
    try {
      const output = capture();
      const second = await runLabServerCli(
        ['--http-port', String(taken), '--echo-port', '0', '--smtp-port', '0', '--pop-port', '0', '--https-port', '0'],
        output,
        new FakeSignals(),
      );
      expect(await second.exitCode).toBe(1);
      expect(output.errors).toEqual([
        `lab-server: Lab HTTP server (stands in for data.pr4e.org) could not start: port ${taken} on 127.0.0.1 is ` +
          'already in use (by another program, or another lab server). Pick another with --http-port, or 0 for any free port.',
      ]);
    } finally {
      await first.servers?.stop();
    }
  });
});

describe('lab-server, as its own process', () => {
  it('starts, prints its ports, serves socket1.py, and stops cleanly on SIGTERM', async () => {
    const { dir, entry } = await compileCli();
    const child = spawn(
      process.execPath,
      [
        entry,
        '--http-port',
        '0',
        '--echo-port',
        '0',
        '--smtp-port',
        '0',
        '--pop-port',
        '0',
        '--https-port',
        '0',
        '--quiet',
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      const deadline = Date.now() + 10_000;
      while (!stdout.includes('Press Ctrl+C to stop.')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start: ${stdout} ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\/romeo\.txt/.exec(stdout)?.[1]);
      expect(port).toBeGreaterThan(0);
      const script = `
import socket, sys
mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
mysock.connect(('127.0.0.1', int(sys.argv[1])))
mysock.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'.encode())
out = b''
while True:
    data = mysock.recv(512)
    if len(data) < 1:
        break
    out += data
sys.stdout.buffer.write(out)
`;
      const reply = splitReply((await runPython(script, [port])).stdout);
      expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
      expect(reply.body.equals(ROMEO)).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stdout.trimEnd().split('\n').slice(-2)).toEqual(['Stopping the lab servers...', 'Stopped.']);
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits with code 2 and one line on a bad option', async () => {
    const { dir, entry } = await compileCli();
    try {
      const child = spawn(process.execPath, [entry, '--host', '10.1.2.3'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^lab-server: --host must be this computer's loopback address/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
