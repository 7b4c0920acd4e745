/** Test helpers for the lab servers: raw loopback clients and the real clients nobody here wrote (curl, python3). */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { startLabServers, type LabServers, type LabServersOptions } from '../../../../src/main/core/labServers';

export const CONTENT_DIR = path.resolve(process.cwd(), 'src/main/core/labServers/content');

/** On PYTHONPATH for every Python run: its sitecustomize.py ends a program that reaches past loopback (exit 86). */
export const PYTHON_LOOPBACK_GUARD = path.resolve(process.cwd(), 'tests/python/guard');

/** A fixed clock, so Date headers can be asserted byte for byte. */
export const FIXED_NOW = new Date('2025-04-01T12:34:56Z');
export const FIXED_DATE_HEADER = 'Tue, 01 Apr 2025 12:34:56 GMT';

export interface TestLab {
  servers: LabServers;
  port(kind: 'http' | 'https' | 'echo' | 'smtp' | 'pop'): number;
  host: string;
}

export async function startTestLab(options: LabServersOptions = {}): Promise<TestLab> {
  const servers = await startLabServers({
    contentDir: CONTENT_DIR,
    ...options,
    http: { now: () => FIXED_NOW, ...options.http },
  });
  const infos = servers.info();
  return {
    servers,
    host: infos[0]?.host ?? '127.0.0.1',
    port(kind) {
      const info = infos.find((entry) => entry.kind === kind);
      if (!info) throw new Error(`no ${kind} server`);
      return info.port;
    },
  };
}

/** A raw TCP client that keeps every chunk it receives, as `recv()` would have returned them. */
export class RawClient {
  readonly socket: net.Socket;
  readonly chunks: Buffer[] = [];
  /** The server sent FIN. */
  ended = false;
  closed = false;
  #waiters: Array<() => void> = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.#wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, allowHalfOpen: true });
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  send(bytes: string | Uint8Array): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits until `check` holds (re-checked on every chunk, FIN and close), or fails after `timeoutMs`. */
  async waitFor(check: (client: RawClient) => boolean, timeoutMs = 5_000, what = 'the condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received so far: ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Like socket1.py's loop: read until the server closes (recv returns b''). */
  async readToEnd(timeoutMs = 5_000): Promise<Buffer> {
    await this.waitFor((client) => client.ended || client.closed, timeoutMs, 'the server to close');
    return this.received;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends `request`, reads until the server closes, and gives back everything that came. */
export async function exchange(port: number, request: string | Uint8Array, host = '127.0.0.1'): Promise<Buffer> {
  const client = await RawClient.connect(port, host);
  try {
    client.send(request);
    return await client.readToEnd();
  } finally {
    client.close();
  }
}

export interface HttpReply {
  statusLine: string;
  /** Header lines as sent, in order. */
  headerLines: string[];
  headers: Map<string, string>;
  body: Buffer;
  /** Bytes of the status line, headers and blank line. */
  headBytes: number;
}

/** Splits one HTTP reply at the first `\r\n\r\n`, as the chapter's urljpeg.py does. */
export function splitReply(bytes: Buffer): HttpReply {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no blank line in ${JSON.stringify(bytes.toString('latin1'))}`);
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { statusLine, headerLines, headers, body: bytes.subarray(end + 4), headBytes: end + 4 };
}

/** Splits several replies that came one after another on a keep-alive connection, using Content-Length. */
export function splitReplies(bytes: Buffer, headOnly: boolean[] = []): HttpReply[] {
  const replies: HttpReply[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const reply = splitReply(rest);
    const length = headOnly[replies.length] ? 0 : Number(reply.headers.get('content-length') ?? '0');
    reply.body = reply.body.subarray(0, length);
    replies.push(reply);
    rest = rest.subarray(reply.headBytes + length);
  }
  return replies;
}

export interface ProcessResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Child processes never use a proxy, and Python has the loopback guard: every test talks to loopback only. */
function loopbackOnlyEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_PROXY: '*',
    no_proxy: '*',
    PYTHONPATH: PYTHON_LOOPBACK_GUARD,
    PYTHONDONTWRITEBYTECODE: '1',
  };
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) {
    delete env[name];
  }
  return env;
}

export function run(
  command: string,
  args: string[],
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = loopbackOnlyEnv(),
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} took longer than ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    });
  });
}

/** Runs a Python program given as text; `sys.argv[1:]` are `args`. */
export async function runPython(script: string, args: Array<string | number> = []): Promise<ProcessResult> {
  const result = await run('python3', ['-c', script, ...args.map(String)]);
  if (result.code !== 0) throw new Error(`python3 exited ${result.code}: ${result.stderr}`);
  return result;
}

/** curl, never through a proxy, never retrying. */
export function runCurl(args: string[]): Promise<ProcessResult> {
  return run('curl', ['--silent', '--show-error', '--noproxy', '*', '--max-time', '15', ...args]);
}

/** curl with the lab HTTP server as its proxy for every URL, http and https: curl never looks the host up itself. */
export function runCurlThroughLab(labPort: number, args: string[]): Promise<ProcessResult> {
  const proxy = `http://127.0.0.1:${labPort}`;
  const env = loopbackOnlyEnv();
  // Here the proxy is the point, and the lab is on loopback: no_proxy=* would send curl to the real host.
  delete env.NO_PROXY;
  delete env.no_proxy;
  return run('curl', ['--silent', '--show-error', '--proxy', proxy, '--max-time', '15', ...args], 20_000, env);
}
