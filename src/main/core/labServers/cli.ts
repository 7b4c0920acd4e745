/**
 * `npm run lab-server`: the lab servers alone in a terminal, so the book's Python programs run offline: socket
 * programs with their connect line changed, urllib programs unchanged with http_proxy pointing at the lab, and
 * https programs pointed at the lab HTTPS server with the book's ssl context.
 */
import { bookRecipe } from '../../../shared/bookRecipe';
import type { LabServerKind, SlowMode } from '../../../shared/contract';
import { LARGEST_PORT, portFromDigits } from '../../../shared/ports';
import { slowModeFromText } from '../../../shared/slowMode';
import { tlsRecipe } from '../../../shared/tlsRecipe';
import { readOptions, type OptionProblem, type OptionSpec } from '../args';
import { LabServerStartError, startLabServers, type LabServers, type LabServersOptions } from './index';
import { hostAndPort, loopbackAddress } from './loopback';
import { keepRunningWhenOutputCloses, writeLine } from './outputPipes';

/** Fixed ports by default, so a program edited once keeps working; 0 asks for any free port. */
export const DEFAULT_CLI_PORTS: Readonly<Record<LabServerKind, number>> = {
  http: 8080,
  https: 8443,
  echo: 8007,
  smtp: 8025,
  pop: 8110,
};

export const USAGE = `Usage: npm run lab-server -- [options]

Runs Socket Lab's built-in lab servers on this computer only, so the programs of chapter 12 of
Python for Everybody work without the internet. Stop them with Ctrl+C.

Options:
  --http-port N          lab HTTP server, the stand-in for data.pr4e.org (default ${DEFAULT_CLI_PORTS.http})
  --https-port N         lab HTTPS server, TLS in front of it for data.pr4e.org:443 (default ${DEFAULT_CLI_PORTS.https})
  --echo-port N          echo server (default ${DEFAULT_CLI_PORTS.echo})
  --smtp-port N          toy SMTP-style greeter (default ${DEFAULT_CLI_PORTS.smtp})
  --pop-port N           toy POP-style greeter (default ${DEFAULT_CLI_PORTS.pop})
                         (0 for any port: any free port is picked and printed)
  --host ADDRESS         127.0.0.1 (default), another 127.x.x.x address, or ::1; never a network address
  --slow BYTES_PER_SEC[:WRITE_SIZE]
                         send HTTP replies slowly, WRITE_SIZE bytes at a time (default a tenth of a
                         second's worth, at most 1024), so recv() gets many small chunks
  --idle-timeout SECONDS how long the HTTP server waits between lines of a request, and for the next
                         request, before it answers 408 (default 30)
  --first-line-timeout SECONDS
                         how long it waits for a connection's first request line (default 120): telnet
                         and nc send what you type only when you press Enter
  --content-dir DIR      folder with romeo.txt, cover3.jpg and the other files (default: the built-in one)
  --data-dir DIR         keep the HTTPS server's certificate in DIR/tls and reuse it next time (default: a
                         new certificate in a temporary folder each run; the app's data folder works too)
  --quiet                do not print a line for each HTTP request
  --help                 show this help

Example: npm run lab-server -- --http-port 8080 --slow 2000:100`;

export interface LabServerCliOptions {
  help: boolean;
  quiet: boolean;
  host: string;
  ports: Record<LabServerKind, number>;
  slow: SlowMode | null;
  idleTimeoutMs: number | undefined;
  firstLineTimeoutMs: number | undefined;
  contentDir: string | undefined;
  dataDir: string | undefined;
}

export type ParsedArgs = { ok: true; options: LabServerCliOptions } | { ok: false; message: string };

const OPTIONS = {
  help: { kind: 'flag', short: 'h' },
  quiet: { kind: 'flag' },
  'http-port': { kind: 'value' },
  'https-port': { kind: 'value' },
  'echo-port': { kind: 'value' },
  'smtp-port': { kind: 'value' },
  'pop-port': { kind: 'value' },
  host: { kind: 'value' },
  slow: { kind: 'value' },
  'idle-timeout': { kind: 'value' },
  'first-line-timeout': { kind: 'value' },
  'content-dir': { kind: 'value' },
  'data-dir': { kind: 'value' },
} as const satisfies Record<string, OptionSpec>;

const PORT_OPTIONS = ['http', 'https', 'echo', 'smtp', 'pop'] as const satisfies readonly LabServerKind[];

/** A problem readOptions found, in this program's words. */
function problemWords(problem: OptionProblem): string {
  switch (problem.kind) {
    case 'unknown-option':
    case 'stray-word':
      return `unknown option ${problem.arg}`;
    case 'needs-value':
      return `${problem.option} needs a value`;
    case 'takes-no-value':
      return `${problem.option} takes no value`;
  }
}

/** Seconds above 0 and at most a day, as milliseconds; undefined when the text is not such a number. */
function secondsToMs(text: string): number | undefined {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 86_400) return undefined;
  return Math.round(seconds * 1000);
}

export function parseLabServerArgs(argv: readonly string[]): ParsedArgs {
  const fail = (message: string): ParsedArgs => ({ ok: false, message: `lab-server: ${message} (see --help)` });
  const read = readOptions(argv, OPTIONS);
  if (!read.ok) return fail(problemWords(read.problem));
  const values = read.values;
  const options: LabServerCliOptions = {
    help: values.help ?? false,
    quiet: values.quiet ?? false,
    host: '127.0.0.1',
    ports: { ...DEFAULT_CLI_PORTS },
    slow: null,
    idleTimeoutMs: undefined,
    firstLineTimeoutMs: undefined,
    contentDir: values['content-dir'],
    dataDir: values['data-dir'],
  };
  for (const kind of PORT_OPTIONS) {
    const text = values[`${kind}-port`];
    if (text === undefined) continue;
    const port = portFromDigits(text);
    if (port === undefined) {
      return fail(
        `--${kind}-port must be a port number from 1 to ${LARGEST_PORT} (or 0 for any free port), not "${text}"`,
      );
    }
    options.ports[kind] = port;
  }
  if (values.host !== undefined) {
    const host = loopbackAddress(values.host);
    if (!host) {
      return fail(
        `--host must be this computer's loopback address (127.0.0.1 or ::1), not "${values.host}": ` +
          'the lab servers never listen where other computers could reach them',
      );
    }
    options.host = host;
  }
  if (values.slow !== undefined) {
    const slow = slowModeFromText(values.slow);
    if (!slow.ok) {
      // Digits in the right form but out of range: the one slow-mode check says which number and its limits.
      const range = /^\d+(:\d+)?$/.test(values.slow) ? ` (${slow.error.message.replace(/\.$/, '')})` : '';
      return fail(
        `--slow takes BYTES_PER_SEC or BYTES_PER_SEC:WRITE_SIZE, both at least 1, like 2000:100, not "${values.slow}"${range}`,
      );
    }
    options.slow = slow.value;
  }
  for (const [name, example] of [
    ['idle-timeout', 30],
    ['first-line-timeout', 120],
  ] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const ms = secondsToMs(text);
    if (ms === undefined) return fail(`--${name} takes a number of seconds above 0, like ${example}, not "${text}"`);
    if (name === 'idle-timeout') options.idleTimeoutMs = ms;
    else options.firstLineTimeoutMs = ms;
  }
  const used = new Map<number, LabServerKind>();
  for (const [kind, port] of Object.entries(options.ports) as Array<[LabServerKind, number]>) {
    const other = used.get(port);
    if (port !== 0 && other) return fail(`the ${other} and ${kind} servers cannot share port ${port}`);
    used.set(port, kind);
  }
  return { ok: true, options };
}

/** The lines printed once the servers listen: where each one is, and how to point the book's programs at it. */
export function describeRunningServers(servers: LabServers, options: LabServerCliOptions): string[] {
  const infos = servers.info();
  const http = infos.find((info) => info.kind === 'http');
  const https = infos.find((info) => info.kind === 'https');
  const rows = infos.map((info) => ({
    name: info.name,
    where:
      info.kind === 'http' || info.kind === 'https'
        ? `${info.kind}://${hostAndPort(info.host, info.port)}/romeo.txt`
        : hostAndPort(info.host, info.port),
  }));
  const width = Math.max(...rows.map((row) => row.name.length));
  const lines = [
    `Socket Lab's lab servers are running on this computer only (${options.host}).`,
    'They are practice stand-ins for chapter 12, not the real sites.',
    '',
    ...rows.map((row) => `  ${row.name.padEnd(width)}  ${row.where}`),
    '',
  ];
  if (http) {
    const recipe = bookRecipe(http);
    lines.push("Run the book's programs against it:", '');
    for (const step of recipe.steps) {
      lines.push(`* ${step.title}`, ...wrap(step.words, 96).map((line) => `  ${line}`));
      lines.push(...step.code.split('\n').map((line) => `      ${line}`), '');
    }
  }
  if (https) lines.push(...describeTls(servers, https), '');
  if (options.slow) {
    lines.push(
      `Slow mode: HTTP replies go out ${options.slow.writeSize} bytes at a time, ` +
        `${options.slow.bytesPerSecond} bytes per second.`,
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

/** The HTTPS server: its certificate, and how the book's ssl context style reaches it. */
function describeTls(servers: LabServers, https: { host: string; port: number }): string[] {
  const { certificate } = servers;
  const made =
    certificate.origin === 'reused'
      ? 'kept from an earlier start'
      : certificate.origin === 'made'
        ? 'made now'
        : `made again now, since the old one could not be used: ${certificate.renewedBecause ?? 'unknown reason'}`;
  const recipe = tlsRecipe(https);
  const indent = (code: string): string[] => code.split('\n').map((line) => `      ${line}`);
  return [
    "* HTTPS: the lab's own certificate",
    ...wrap(
      `The lab HTTPS server on ${hostAndPort(https.host, https.port)} speaks TLS, then the same HTTP. Its certificate ` +
        `(${made}) was made on this computer for the lab, so no authority vouches for it: programs must be told ` +
        "not to check it, for the lab only. In the book's ssl context style:",
      96,
    ).map((line) => `  ${line}`),
    ...indent(recipe.urllib),
    '  A socket program, like socket1.py over TLS:',
    ...indent(recipe.socket),
    '  From a terminal:',
    ...indent(recipe.curl),
    ...indent(recipe.openssl),
    ...(certificate.notKept ? wrap(certificate.notKept, 96).map((line) => `  ${line}`) : []),
    `  Its certificate: ${certificate.certificatePath}`,
    '  Its SHA-256 fingerprint, as openssl x509 -noout -fingerprint -sha256 -in that file prints it:',
    `    ${certificate.summary.sha256}`,
  ];
}

/** Words broken into lines of at most `width` characters, at spaces. */
function wrap(words: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Where the stop signals come from: `process`, or a stand-in in tests. */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface LabServerCliRun {
  /** The running servers; undefined after --help, a bad option, or a failed start. */
  servers: LabServers | undefined;
  /** Resolves with the exit code: at once for --help (0), a bad option (2) or a failed start (1); after SIGINT or SIGTERM otherwise (0). */
  exitCode: Promise<number>;
}

const consoleOutput: CliOutput = {
  out: (line) => writeLine(process.stdout, line),
  err: (line) => writeLine(process.stderr, line),
};

export async function runLabServerCli(
  argv: readonly string[],
  output: CliOutput = consoleOutput,
  signals: SignalSource = process,
  clock: () => Date = () => new Date(),
): Promise<LabServerCliRun> {
  const parsed = parseLabServerArgs(argv);
  if (!parsed.ok) {
    output.err(parsed.message);
    return { servers: undefined, exitCode: Promise.resolve(2) };
  }
  const options = parsed.options;
  if (options.help) {
    output.out(USAGE);
    return { servers: undefined, exitCode: Promise.resolve(0) };
  }

  const serversOptions: LabServersOptions = { host: options.host, ports: options.ports, http: { slow: options.slow } };
  if (options.idleTimeoutMs !== undefined)
    serversOptions.http = { ...serversOptions.http, idleTimeoutMs: options.idleTimeoutMs };
  if (options.firstLineTimeoutMs !== undefined)
    serversOptions.http = { ...serversOptions.http, firstLineTimeoutMs: options.firstLineTimeoutMs };
  if (options.contentDir !== undefined) serversOptions.contentDir = options.contentDir;
  if (options.dataDir !== undefined) serversOptions.dataDir = options.dataDir;
  if (!options.quiet) serversOptions.log = (line) => output.out(`[${clock().toTimeString().slice(0, 8)}] ${line}`);

  let servers: LabServers;
  try {
    servers = await startLabServers(serversOptions);
  } catch (error) {
    const hint =
      error instanceof LabServerStartError && error.code === 'EADDRINUSE'
        ? ` Pick another with --${error.kind}-port, or 0 for any free port.`
        : '';
    output.err(`lab-server: ${(error as Error).message}${hint}`);
    return { servers: undefined, exitCode: Promise.resolve(1) };
  }
  for (const line of describeRunningServers(servers, options)) output.out(line);

  const exitCode = new Promise<number>((resolve) => {
    const stop = (): void => {
      signals.off('SIGINT', stop);
      signals.off('SIGTERM', stop);
      output.out('Stopping the lab servers...');
      void servers.stop().then(() => {
        output.out('Stopped.');
        resolve(0);
      });
    };
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
  });
  return { servers, exitCode };
}

// Run when this file is the program itself (the built out/main/lab-server.js), not when it is imported.
if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  keepRunningWhenOutputCloses();
  void runLabServerCli(process.argv.slice(2))
    .then((run) => run.exitCode)
    .then((code) => process.exit(code));
}
