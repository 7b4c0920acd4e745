import { mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { COMMAND_CHANNELS } from '../../../src/shared/contract';
import { LIMITS } from '../../../src/shared/limits';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import { startWebHost, type WebHost } from '../../../src/main/web/server';

let app: LabApp;
let host: WebHost;
let tempDir: string;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-webhost-'));
  const rendererDir = path.join(tempDir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(tempDir, 'secret.txt'), 'not for the browser');
  writeFileSync(path.join(rendererDir, 'assets', 'big.js'), Buffer.alloc(16 * 1024 * 1024, 0x20));
  // A file that stats as a regular file but fails to read (EIO), like one replaced or unreadable mid-request.
  if (process.platform === 'linux') symlinkSync('/proc/self/mem', path.join(rendererDir, 'assets', 'unreadable.js'));
  app = await startLabApp({ appVersion: '9.9.9', runtime: { node: process.versions.node }, dataDir: tempDir });
  host = await startWebHost({ app, rendererDir });
});

afterAll(async () => {
  await host.close();
  await app.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

function get(
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: host.port, path: pathAndQuery, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    request.on('error', reject);
  });
}

/** Sends raw request bytes and resolves the status line, or 'no answer' if the host never replies. */
function rawStatusLine(request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(host.port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => finish('no answer'), 2_000);
    const finish = (line: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    socket.on('data', (chunk: Buffer) => finish(chunk.toString('latin1').split('\r\n')[0] ?? ''));
    socket.on('error', () => finish('no answer'));
    socket.on('close', () => finish('no answer'));
  });
}

const goodOrigin = () => `http://127.0.0.1:${host.port}`;
const wsUrl = (token: string | null) => `ws://127.0.0.1:${host.port}/lab${token === null ? '' : `?token=${token}`}`;

/** Tries a WebSocket handshake; resolves 'open' or the HTTP status that refused it. */
function handshake(
  url: string,
  options: WebSocket.ClientOptions,
): Promise<{ outcome: 'open'; socket: WebSocket } | { outcome: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => resolve({ outcome: 'open', socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ outcome: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('the web host', () => {
  it('listens on 127.0.0.1 only and prints a link with its token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the page only with the token', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    const page = await get(`/?token=${host.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>lab</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses a foreign Host header (DNS rebinding) on pages too', async () => {
    const page = await get(`/?token=${host.token}`, { Host: `evil.example:${host.port}` });
    expect(page.status).toBe(421);
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/assets/app.js')).status).toBe(200);
  });

  it('answers a doubled slash or a target that is not a URL, for pages and WebSockets, and stays up', async () => {
    // `new URL('//', base)` throws; a learner who types http://127.0.0.1:port// must not stop the lab.
    // `//` is a spelling of `/` (pathRule.test.ts): the page, which needs the token.
    const hostHeader = `Host: 127.0.0.1:${host.port}`;
    expect(await rawStatusLine(`GET // HTTP/1.1\r\n${hostHeader}\r\n\r\n`)).toBe('HTTP/1.1 403 Forbidden');
    expect(await rawStatusLine(`GET //?token=${host.token} HTTP/1.1\r\n${hostHeader}\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
    expect(await rawStatusLine(`GET //lab HTTP/1.1\r\n${hostHeader}\r\n\r\n`)).toBe('HTTP/1.1 404 Not Found');
    expect(await rawStatusLine(`GET http://[ HTTP/1.1\r\n${hostHeader}\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    const upgrade = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==`;
    expect(await rawStatusLine(`GET // HTTP/1.1\r\n${hostHeader}\r\n${upgrade}\r\n\r\n`)).toBe(
      'HTTP/1.1 404 Not Found',
    );
    // `//lab` is a spelling of the socket's path: refused for the same reasons `/lab` is (no Origin here).
    expect(await rawStatusLine(`GET //lab HTTP/1.1\r\n${hostHeader}\r\n${upgrade}\r\n\r\n`)).toBe(
      'HTTP/1.1 403 Forbidden',
    );
    expect((await get(`/?token=${host.token}`)).status).toBe(200);
  });

  it('closes the file when a client leaves mid-download, and survives a file that cannot be read', async (context) => {
    if (process.platform !== 'linux') context.skip();
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const uncaught: unknown[] = [];
    const collect = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', collect);
    try {
      const before = openFiles();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const socket = net.connect(host.port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(`GET /assets/big.js HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`);
        await new Promise((resolve) => socket.once('data', resolve));
        socket.destroy();
      }
      // The host closes each file once it sees its client gone: wait for that, not for a while.
      await vi.waitFor(() => expect(openFiles()).toBeLessThanOrEqual(before + 2), { timeout: 5_000, interval: 20 });
      await rawStatusLine(`GET /assets/unreadable.js HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`);
      // A request answered after the unreadable one: whatever that file's failure threw has been thrown by now.
      expect((await get('/assets/app.js')).status).toBe(200);
    } finally {
      process.off('uncaughtException', collect);
    }
    expect(uncaught).toEqual([]);
    expect(await rawStatusLine(`HEAD /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`)).toBe(
      'HTTP/1.1 200 OK',
    );
    expect(await rawStatusLine(`GET /assets HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`)).toBe(
      'HTTP/1.1 404 Not Found',
    );
  });

  it('refuses a WebSocket without a token', async () => {
    expect((await handshake(wsUrl(null), { origin: goodOrigin() })).outcome).toBe(403);
  });

  it('refuses a WebSocket with a wrong token', async () => {
    expect((await handshake(wsUrl('x'.repeat(host.token.length)), { origin: goodOrigin() })).outcome).toBe(403);
  });

  it('refuses a WebSocket from a foreign Origin', async () => {
    expect((await handshake(wsUrl(host.token), { origin: 'http://evil.example' })).outcome).toBe(403);
    expect((await handshake(wsUrl(host.token), {})).outcome).toBe(403);
  });

  it('refuses a WebSocket with a foreign Host header', async () => {
    const result = await handshake(wsUrl(host.token), {
      origin: goodOrigin(),
      headers: { Host: `attacker.example:${host.port}` },
    });
    expect(result.outcome).toBe(421);
  });

  it('stays up when a refused WebSocket client resets the connection', async () => {
    const uncaught: unknown[] = [];
    const collect = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', collect);
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const socket = net.connect(host.port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        // Extra bytes after the request stay unread, so the kernel answers our close with a reset (RST).
        socket.write(
          `GET /lab HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n${'x'.repeat(100)}`,
        );
        await new Promise((resolve) => socket.once('data', resolve));
        socket.resetAndDestroy();
      }
      // A request answered after the resets: the host has handled them, and is still up.
      expect((await get(`/?token=${host.token}`)).status).toBe(200);
    } finally {
      process.off('uncaughtException', collect);
    }
    expect(uncaught).toEqual([]);
  });

  it('answers a LabApi call over binary frames', async () => {
    const result = await handshake(wsUrl(host.token), { origin: goodOrigin() });
    if (result.outcome !== 'open') throw new Error(`refused: ${result.outcome}`);
    const reply = new Promise<ServerMessage>((resolve) =>
      result.socket.once('message', (data: Buffer) => resolve(decodeFrame(data) as ServerMessage)),
    );
    result.socket.send(encodeFrame({ kind: 'call', callId: 7, channel: COMMAND_CHANNELS.hello, args: [] }));
    const message = await reply;
    expect(message).toMatchObject({
      kind: 'result',
      callId: 7,
      result: { ok: true, value: { transport: 'web', version: '9.9.9' } },
    });
    result.socket.close();
  });

  it('closes the WebSocket on an oversized message, and stays up for others', async () => {
    const result = await handshake(wsUrl(host.token), { origin: goodOrigin() });
    if (result.outcome !== 'open') throw new Error(`refused: ${result.outcome}`);
    const closed = new Promise<number>((resolve) => result.socket.once('close', (code) => resolve(code)));
    result.socket.send(new Uint8Array(LIMITS.maxWebSocketMessageBytes + 1));
    expect(await closed).toBe(1009);
    expect((await get(`/?token=${host.token}`)).status).toBe(200);
  });

  it('closes the WebSocket on a text frame or a malformed frame', async () => {
    for (const payload of ['hello', new Uint8Array([0, 0, 0, 200, 1, 2])]) {
      const result = await handshake(wsUrl(host.token), { origin: goodOrigin() });
      if (result.outcome !== 'open') throw new Error(`refused: ${result.outcome}`);
      const closed = new Promise<number>((resolve) => result.socket.once('close', (code) => resolve(code)));
      result.socket.send(payload);
      expect([1003, 1007]).toContain(await closed);
    }
  });

  it('stops reading calls from a client that never reads the replies, instead of queueing them without end', async () => {
    const result = await handshake(wsUrl(host.token), { origin: goodOrigin() });
    if (result.outcome !== 'open') throw new Error(`refused: ${result.outcome}`);
    const client = result.socket;
    client.pause();
    // Each call is answered with about as many bytes as it has, so the replies would pile up in the host.
    const call = encodeFrame({
      kind: 'call',
      callId: 1,
      channel: COMMAND_CHANNELS.labServers,
      args: [],
      padding: 'x'.repeat(800),
    });
    const limit = 48 * 1024 * 1024;
    let sent = 0;
    while (sent < limit) {
      for (let i = 0; i < 64; i += 1) client.send(call);
      sent += 64 * call.byteLength;
      // Wait while the host takes what is queued; a second without progress means it stopped reading.
      let lastProgress = Date.now();
      let before = client.bufferedAmount;
      while (client.bufferedAmount >= 1024 * 1024 && Date.now() - lastProgress < 1_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (client.bufferedAmount < before) lastProgress = Date.now();
        before = client.bufferedAmount;
      }
      if (client.bufferedAmount >= 1024 * 1024) break;
    }
    const taken = sent - client.bufferedAmount;
    client.terminate();
    expect(taken).toBeLessThan(limit / 2);
    expect((await get(`/?token=${host.token}`)).status).toBe(200);
  });

  it('answers an unknown command or bad arguments with an error as data', async () => {
    const result = await handshake(wsUrl(host.token), { origin: goodOrigin() });
    if (result.outcome !== 'open') throw new Error(`refused: ${result.outcome}`);
    const replies: ServerMessage[] = [];
    const two = new Promise<void>((resolve) =>
      result.socket.on('message', (data: Buffer) => {
        replies.push(decodeFrame(data) as ServerMessage);
        if (replies.length === 2) resolve();
      }),
    );
    result.socket.send(encodeFrame({ kind: 'call', callId: 1, channel: 'shell:exec', args: ['rm -rf /'] }));
    result.socket.send(
      encodeFrame({ kind: 'call', callId: 2, channel: COMMAND_CHANNELS.connect, args: [{ host: 'x', port: '0x50' }] }),
    );
    await two;
    const byId = Object.fromEntries(replies.map((reply) => [reply.kind === 'result' ? reply.callId : -1, reply]));
    expect(byId[1]).toMatchObject({ result: { ok: false, error: { code: 'UNKNOWN_COMMAND' } } });
    expect(byId[2]).toMatchObject({ result: { ok: false, error: { code: 'BAD_PORT' } } });
    result.socket.close();
  });
});
