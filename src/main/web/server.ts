/**
 * The web host: serves the built renderer and a WebSocket that speaks LabApi, for browsers where a
 * desktop install is not allowed. It opens TCP connections on request, so it is locked down:
 * loopback only, a per-run token, Origin and Host checks, capped message sizes.
 */
import { randomBytes } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline, Readable, type Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { COMMAND_NAMES, type LabCommands, type SaveOutcome } from '../../shared/contract';
import { LIMITS } from '../../shared/limits';
import { fail, ok, type Result } from '../../shared/errors';
import { EXPORT_MIME_TYPES, type ExportFormat, type SessionId } from '../../shared/transcript';
import { decodeFrame, encodeFrame, type CallMessage, type ServerMessage } from '../../shared/wire';
import { contentTypeFor } from '../core/contentTypes';
import { dispatchCommand } from '../core/dispatch';
import type { LabApp } from '../core/labApp';
import type { LabSession, SessionFiles } from '../core/session';
import {
  contentSecurityPolicy,
  hostAllowed,
  newToken,
  normalizeRequestPath,
  originAllowed,
  tokenMatches,
} from './security';

export const WEB_SOCKET_PATH = '/lab';
/** POST a transcript here (with the page's token and the file's name) to open it. */
export const UPLOAD_PATH = '/upload';
/** GET /download/<ticket>: a saved session, streamed; each ticket works once, for a few minutes. */
export const DOWNLOAD_PREFIX = '/download/';
/** The built page's own files (scripts, styles); the only files served without the token. */
const ASSETS_PREFIX = '/assets/';
const DOWNLOAD_TICKET_MS = 5 * 60_000;
const MAX_DOWNLOAD_TICKETS = 64;

interface DownloadTicket {
  sessionId: SessionId;
  format: ExportFormat;
  fileName: string;
  expires: number;
}

/** A Content-Disposition that every browser reads: an ASCII fallback and the exact name in RFC 5987 form. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export interface WebHostOptions {
  app: LabApp;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  log?: (line: string) => void;
  /** Tabs served at once; default LIMITS.webHostMaxTabs. */
  maxTabs?: number;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function refusePage(reason: string, resume = false): string {
  // Parser-blocking, before the words: a reloaded lab tab goes back to its page before anything is drawn.
  const script = resume ? `<script src="${RESUME_SCRIPT_PATH}"></script>` : '';
  return `<!doctype html><meta charset="utf-8"><title>Socket Lab</title>${script}<h1>Socket Lab</h1><p>${reason}</p>`;
}

/** Where the page keeps the token once it is gone from its address (this tab only; src/renderer/src/lib/lab.ts). */
export const TOKEN_STORAGE_KEY = 'socket-lab-token';
/** Served without the token: it holds no secret, it only reads the one the tab kept. */
export const RESUME_SCRIPT_PATH = '/resume.js';
/**
 * The page drops the token from its visible address once loaded, so a reload asks for the page without it and is
 * refused; this script on the refusal sends the tab back with the token it kept. A token in the address that was
 * refused (an old run's) is forgotten instead, so a stale one never loops.
 */
const RESUME_SCRIPT = `(function () {
  try {
    var kept = sessionStorage.getItem(${JSON.stringify(TOKEN_STORAGE_KEY)});
    if (!kept) return;
    if (new URLSearchParams(location.search).has('token')) sessionStorage.removeItem(${JSON.stringify(TOKEN_STORAGE_KEY)});
    else location.replace('/?token=' + encodeURIComponent(kept) + location.hash);
  } catch (error) {
    // No storage (a private window that refuses it): the refusal's words say what to do.
  }
})();
`;

class UploadTooLarge extends Error {}

function tooLarge(bytes: number): Result<never> {
  const mib = (n: number) => `${Math.round(n / (1024 * 1024)).toLocaleString('en-US')} MiB`;
  return fail(
    'FILE_TOO_LARGE',
    `That file is ${mib(bytes)} or more; Socket Lab opens transcripts of up to ${mib(LIMITS.maxTranscriptFileBytes)}.`,
    'Open a smaller transcript.',
  );
}

/** Commands that all answer `refusal`: for a tab the host will not serve. */
function refusingCommands(refusal: Result<never>): LabCommands {
  return Object.fromEntries(COMMAND_NAMES.map((name) => [name, async () => refusal])) as unknown as LabCommands;
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
  const assetsDir = path.join(rendererDir, 'assets');
  const log = options.log ?? (() => undefined);
  let port = 0;
  const tickets = new Map<string, DownloadTicket>();
  const maxTabs = options.maxTabs ?? LIMITS.webHostMaxTabs;
  /** Tabs with a session of their own, and tabs past the cap that are only told so. */
  let tabsServed = 0;
  let tabsRefused = 0;

  /** Save as, in the browser: a one-time link the page follows to download the session, streamed from disk. */
  const webFiles: SessionFiles = {
    async save(sessionId, format): Promise<Result<SaveOutcome>> {
      const named = await options.app.transcripts.fileName(sessionId, format);
      if (!named.ok) return named;
      const now = Date.now();
      for (const [key, ticket] of tickets) if (ticket.expires < now) tickets.delete(key);
      // A page that keeps asking without downloading cannot grow this map without end.
      if (tickets.size >= MAX_DOWNLOAD_TICKETS) tickets.delete(tickets.keys().next().value as string);
      const ticket = randomBytes(24).toString('base64url');
      tickets.set(ticket, { sessionId, format, fileName: named.value, expires: now + DOWNLOAD_TICKET_MS });
      return ok({ kind: 'download', url: `${DOWNLOAD_PREFIX}${ticket}`, fileName: named.value });
    },
    async open() {
      return fail(
        'UNKNOWN_COMMAND',
        'In the browser, a transcript is opened by picking or dropping the file, which uploads it to the lab.',
        'Use Open… in the sessions list, or drop the file on the lab.',
      );
    },
  };

  /** GET /download/<ticket>: the export streams from the journal on disk, however large the session. */
  async function serveDownload(
    response: http.ServerResponse,
    ticketText: string,
    headOnly: boolean,
    security: http.OutgoingHttpHeaders,
    refuse: (status: number, reason: string) => void,
  ): Promise<void> {
    const ticket = tickets.get(ticketText);
    tickets.delete(ticketText);
    if (!ticket || ticket.expires < Date.now()) {
      refuse(404, 'This download link was used already or has expired. Press Save again in the lab.');
      return;
    }
    const exported = await options.app.transcripts.export(ticket.sessionId, ticket.format);
    if (!exported.ok) {
      refuse(404, `${exported.error.message} ${exported.error.hint}`);
      return;
    }
    response.writeHead(200, {
      ...security,
      'Content-Type': EXPORT_MIME_TYPES[ticket.format],
      'Content-Disposition': attachment(exported.value.fileName),
      'Cache-Control': 'no-store',
    });
    if (headOnly) {
      response.end();
      return;
    }
    // A failure half way destroys the response, so the browser reports a failed download instead of a short file.
    pipeline(Readable.from(exported.value.chunks), response, (error) => {
      if (error) log(`a download stopped: ${error.message}`);
    });
  }

  /** POST /upload?token=…&name=…: the body is the transcript, read as it arrives, capped in size. */
  function serveUpload(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    security: http.OutgoingHttpHeaders,
  ): void {
    const reply = (status: number, result: Result<unknown>) => {
      if (response.headersSent) return;
      response.writeHead(status, {
        ...security,
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        // An answer before the whole body came (refused, too large): the connection cannot carry another request,
        // so both sides are told to close it; kept alive, a client's next request would vanish into the old body.
        ...(request.complete ? {} : { Connection: 'close' }),
      });
      response.end(JSON.stringify(result));
      // Stop reading a body nobody will use; the socket closes after the answer.
      request.resume();
    };
    if (!originAllowed(request.headers.origin, port) || !tokenMatches(token, url.searchParams.get('token'))) {
      reply(
        403,
        fail(
          'FORBIDDEN',
          'Only the lab page may open files here.',
          'Open the lab with the link that npm run web printed.',
        ),
      );
      return;
    }
    const fileName = url.searchParams.get('name') ?? 'transcript.socketlab';
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > LIMITS.maxTranscriptFileBytes) {
      reply(413, tooLarge(declared));
      return;
    }
    let received = 0;
    const body = (async function* () {
      for await (const chunk of request as AsyncIterable<Buffer>) {
        received += chunk.byteLength;
        if (received > LIMITS.maxTranscriptFileBytes) throw new UploadTooLarge();
        yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    })();
    void options.app.transcripts.importFile(fileName, body).then(
      (result) => reply(result.ok ? 200 : 400, result),
      (error: unknown) =>
        reply(
          error instanceof UploadTooLarge ? 413 : 500,
          error instanceof UploadTooLarge
            ? tooLarge(received)
            : fail('INTERNAL', 'Something went wrong inside Socket Lab while opening that file.', 'Try again.'),
        ),
    );
  }

  const server = http.createServer((request, response) => {
    const security = {
      'Content-Security-Policy': contentSecurityPolicy(port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    const refuse = (status: number, reason: string, resume = false) => {
      response.writeHead(status, {
        ...security,
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      response.end(refusePage(reason, resume));
    };
    if (!hostAllowed(request.headers.host, port)) {
      refuse(421, 'This lab only answers at 127.0.0.1 or localhost, with the port it printed.');
      return;
    }
    const url = requestUrl(request.url, port);
    const checked = url ? normalizeRequestPath(url.pathname) : null;
    if (!url || !checked) {
      refuse(400, 'That address is not valid.');
      return;
    }
    if (!checked.ok) {
      refuse(400, checked.reason);
      return;
    }
    // One rule, on the one normalised path: however it was spelled, the page needs the token.
    const where = checked.path;
    if (request.method === 'POST' && where === UPLOAD_PATH) {
      serveUpload(request, response, url, security);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(405, 'Only GET is served here.');
      return;
    }
    const headOnly = request.method === 'HEAD';
    if (where.startsWith(DOWNLOAD_PREFIX)) {
      void serveDownload(response, where.slice(DOWNLOAD_PREFIX.length), headOnly, security, refuse);
      return;
    }
    const notFound = () => refuse(404, 'Not found.');
    if (where === '/' || where === '/index.html') {
      if (!tokenMatches(token, url.searchParams.get('token'))) {
        refuse(
          403,
          'Open the lab with the full link that <code>npm run web</code> printed: it carries a secret token.',
          true,
        );
        return;
      }
      // no-store: the page is only ever fetched with the token in its address, which no cache should keep.
      void sendFile(response, path.join(rendererDir, 'index.html'), headOnly, {
        headers: { ...security, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
        notFound,
      });
      return;
    }
    if (where === RESUME_SCRIPT_PATH) {
      response.writeHead(200, {
        ...security,
        'Content-Type': 'text/javascript; charset=utf-8',
        'Content-Length': Buffer.byteLength(RESUME_SCRIPT),
        'Cache-Control': 'no-cache',
      });
      response.end(headOnly ? undefined : RESUME_SCRIPT);
      return;
    }
    // Besides the page, only its own built files: nothing else in the folder, whatever its name or case.
    const file = path.resolve(rendererDir, '.' + where);
    if (!where.startsWith(ASSETS_PREFIX) || !file.startsWith(assetsDir + path.sep)) {
      notFound();
      return;
    }
    void sendFile(response, file, headOnly, {
      headers: { ...security, 'Content-Type': contentTypeFor(file), 'Cache-Control': 'no-cache' },
      notFound,
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
    const checked = url ? normalizeRequestPath(url.pathname) : null;
    if (!url || !checked?.ok || checked.path !== WEB_SOCKET_PATH) return reject(404, 'no such endpoint');
    if (!hostAllowed(request.headers.host, port)) return reject(421, 'foreign Host header');
    if (!originAllowed(request.headers.origin, port)) return reject(403, 'foreign or missing Origin');
    if (!tokenMatches(token, url.searchParams.get('token'))) return reject(403, 'missing or wrong token');
    // Tabs past the cap are answered in words; past as many again, they are not taken at all.
    if (tabsServed >= maxTabs && tabsRefused >= maxTabs) return reject(503, 'too many tabs open');
    sockets.handleUpgrade(request, socket, head, (ws) => serveLab(ws));
  });

  function serveLab(ws: WebSocket): void {
    // Calls run in the order they came, a bounded number at a time, and only while the replies already sent
    // are leaving; otherwise reading pauses, so a client that never reads cannot grow this process without end.
    let waiting: CallMessage[] = [];
    let next = 0;
    let running = 0;
    let readingPaused = false;
    // One message in one frame (see encodeFrame for why not in fragments).
    const send = (message: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(encodeFrame(message), { binary: true }, () => runWaiting());
    };
    // The session opens its journal first; calls that come meanwhile wait in `waiting`, in order.
    let session: LabSession | null = null;
    let commands: LabCommands | null = null;
    let closed = false;
    // Past the cap a tab gets no session (no journal, no sockets): every call it makes is answered with why.
    const refused = tabsServed >= maxTabs;
    if (refused) {
      tabsRefused += 1;
      commands = refusingCommands(
        fail(
          'TOO_MANY_CONNECTIONS',
          `The web host already serves ${maxTabs} tabs of the lab, the most it serves at once.`,
          'Close a lab tab you no longer use, then reload this one.',
        ),
      );
    } else {
      tabsServed += 1;
      void options.app
        .createSession('web', (batch) => send({ kind: 'events', batch }), webFiles)
        .then((made) => {
          if (closed) {
            made.dispose();
            return;
          }
          session = made;
          commands = made.commands;
          runWaiting();
        });
    }
    const run = (message: CallMessage, to: LabCommands) => {
      running += 1;
      void dispatchCommand(to, message.channel, message.args)
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
      // Until the session is made, calls only wait; reading still pauses once they are waiting.
      while (
        commands &&
        next < waiting.length &&
        running < LIMITS.webHostMaxCallsRunning &&
        ws.bufferedAmount < LIMITS.webHostMaxUnsentReplyBytes
      ) {
        run(waiting[next] as CallMessage, commands);
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
    const end = () => {
      if (closed) return;
      closed = true;
      if (refused) tabsRefused -= 1;
      else tabsServed -= 1;
      waiting = [];
      void session?.dispose();
      session = null;
      commands = null;
    };
    ws.on('close', end);
    ws.on('error', end);
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
