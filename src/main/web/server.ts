/**
 * The web host: serves the built renderer and a WebSocket that speaks LabApi, for browsers where a
 * desktop install is not allowed. It opens TCP connections on request, so it is locked down:
 * loopback only, a per-run token, Origin and Host checks, capped message sizes.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline, type Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { LIMITS } from '../../shared/limits';
import { fail } from '../../shared/errors';
import { decodeFrame, encodeFrame, type CallMessage, type ServerMessage } from '../../shared/wire';
import { contentTypeFor } from '../core/contentTypes';
import { dispatchCommand } from '../core/dispatch';
import type { LabApp } from '../core/labApp';
import { contentSecurityPolicy, hostAllowed, newToken, originAllowed, tokenMatches } from './security';

export const WEB_SOCKET_PATH = '/lab';

export interface WebHostOptions {
  app: LabApp;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  log?: (line: string) => void;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function refusePage(reason: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Socket Lab</title><h1>Socket Lab</h1><p>${reason}</p>`;
}

export function isCallMessage(value: unknown): value is CallMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  return (
    message.kind === 'call' &&
    typeof message.callId === 'number' &&
    Number.isSafeInteger(message.callId) &&
    typeof message.channel === 'string' &&
    Array.isArray(message.args)
  );
}

/**
 * The request target as a URL, or null when it is not one (`*`). An origin-form target is read as a path, so
 * `//` or `//x` (a doubled slash typed into the address bar) is the path `//x`, never the host `x`.
 */
export function requestUrl(target: string | undefined, port: number): URL | null {
  const raw = target ?? '/';
  try {
    return new URL(raw.startsWith('/') ? `http://127.0.0.1:${port}${raw}` : raw);
  } catch {
    return null;
  }
}

/** One file of the built renderer, or notFound() when it is not a regular file we can open. */
async function sendFile(
  response: http.ServerResponse,
  file: string,
  headOnly: boolean,
  how: { headers: http.OutgoingHttpHeaders; notFound: () => void },
): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    // Opened before the 200 goes out, so a file that vanished or cannot be opened is still a clean 404.
    handle = await open(file, 'r');
    response.writeHead(200, { ...how.headers, 'Content-Length': (await handle.stat()).size });
  } catch {
    await handle?.close().catch(() => undefined);
    how.notFound();
    return;
  }
  if (headOnly) {
    await handle.close().catch(() => undefined);
    response.end();
    return;
  }
  // pipeline, not pipe: a read error or a client that leaves mid-file closes the file, instead of an
  // unhandled 'error' that stops the host or a descriptor left open for good.
  pipeline(handle.createReadStream(), response, () => undefined);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? newToken();
  const rendererDir = path.resolve(options.rendererDir);
  const log = options.log ?? (() => undefined);
  let port = 0;

  const server = http.createServer((request, response) => {
    const security = {
      'Content-Security-Policy': contentSecurityPolicy(port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    const refuse = (status: number, reason: string) => {
      response.writeHead(status, {
        ...security,
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      response.end(refusePage(reason));
    };
    if (!hostAllowed(request.headers.host, port)) {
      refuse(421, 'This lab only answers at 127.0.0.1 or localhost, with the port it printed.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(405, 'Only GET is served here.');
      return;
    }
    const url = requestUrl(request.url, port);
    let relative: string | undefined;
    try {
      relative = url ? decodeURIComponent(url.pathname) : undefined;
    } catch {
      relative = undefined;
    }
    if (!url || relative === undefined) {
      refuse(400, 'That address is not valid.');
      return;
    }
    if (relative === '/' || relative === '/index.html') {
      if (!tokenMatches(token, url.searchParams.get('token'))) {
        refuse(
          403,
          'Open the lab with the full link that <code>npm run web</code> printed: it carries a secret token.',
        );
        return;
      }
      relative = '/index.html';
    }
    const file = path.resolve(rendererDir, '.' + relative);
    if (!file.startsWith(rendererDir + path.sep) || relative.includes('\0')) {
      refuse(404, 'Not found.');
      return;
    }
    void sendFile(response, file, request.method === 'HEAD', {
      headers: {
        ...security,
        'Content-Type': contentTypeFor(file),
        'Cache-Control': relative === '/index.html' ? 'no-store' : 'no-cache',
      },
      notFound: () => refuse(404, 'Not found.'),
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxWebSocketMessageBytes });

  server.on('upgrade', (request, socket: Duplex, head) => {
    const reject = (status: number, reason: string) => {
      log(`refused a WebSocket: ${reason}`);
      // Node hands an upgrade's socket over without its error listener: a client's reset must not stop the host.
      socket.on('error', () => socket.destroy());
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`,
      );
    };
    const url = requestUrl(request.url, port);
    if (url?.pathname !== WEB_SOCKET_PATH) return reject(404, 'no such endpoint');
    if (!hostAllowed(request.headers.host, port)) return reject(421, 'foreign Host header');
    if (!originAllowed(request.headers.origin, port)) return reject(403, 'foreign or missing Origin');
    if (!tokenMatches(token, url.searchParams.get('token'))) return reject(403, 'missing or wrong token');
    sockets.handleUpgrade(request, socket, head, (ws) => serveLab(ws));
  });

  function serveLab(ws: WebSocket): void {
    // Calls run in the order they came, a bounded number at a time, and only while the replies already sent
    // are leaving; otherwise reading pauses, so a client that never reads cannot grow this process without end.
    let waiting: CallMessage[] = [];
    let next = 0;
    let running = 0;
    let readingPaused = false;
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(message), { binary: true }, () => runWaiting());
    };
    const session = options.app.createSession('web', (batch) => send({ kind: 'events', batch }));
    const run = (message: CallMessage) => {
      running += 1;
      void dispatchCommand(session.commands, message.channel, message.args)
        .then(
          (result) => send({ kind: 'result', callId: message.callId, result }),
          () =>
            send({
              kind: 'result',
              callId: message.callId,
              result: fail('INTERNAL', 'Something went wrong inside Socket Lab.', 'Try again.'),
            }),
        )
        .finally(() => {
          running -= 1;
          runWaiting();
        });
    };
    const runWaiting = () => {
      if (ws.readyState !== ws.OPEN) return;
      while (
        next < waiting.length &&
        running < LIMITS.webHostMaxCallsRunning &&
        ws.bufferedAmount < LIMITS.webHostMaxUnsentReplyBytes
      ) {
        run(waiting[next] as CallMessage);
        next += 1;
      }
      if (next === waiting.length) {
        waiting = [];
        next = 0;
      }
      const backlog = waiting.length > 0;
      if (backlog && !readingPaused) ws.pause();
      if (!backlog && readingPaused) ws.resume();
      readingPaused = backlog;
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'binary frames only');
        return;
      }
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      let message: unknown;
      try {
        message = decodeFrame(bytes);
      } catch (error) {
        ws.close(1007, error instanceof Error ? error.message.slice(0, 100) : 'bad frame');
        return;
      }
      if (!isCallMessage(message)) {
        ws.close(1007, 'not a call');
        return;
      }
      waiting.push(message);
      runWaiting();
    });
    ws.on('close', () => {
      waiting = [];
      session.dispose();
    });
    ws.on('error', () => session.dispose());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: this program opens TCP connections on request, so no other machine may reach it.
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
