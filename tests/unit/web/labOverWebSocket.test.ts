import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { COMMAND_CHANNELS, type DeliveredEvent, type HelloInfo, type SessionPage } from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/errors';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import { startWebHost, type WebHost } from '../../../src/main/web/server';

let app: LabApp;
let host: WebHost;
let echo: net.Server;
let echoPort: number;
let tempDir: string;

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-ws-'));
  mkdirSync(path.join(tempDir, 'renderer'));
  writeFileSync(path.join(tempDir, 'renderer', 'index.html'), '<!doctype html>');
  app = await startLabApp({ appVersion: '0.0.0', runtime: {}, dataDir: tempDir });
  host = await startWebHost({ app, rendererDir: path.join(tempDir, 'renderer') });
  echo = net.createServer((socket) => {
    // The lab aborts (RST) a closing tab's connections; the echo side just lets go.
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await host.close();
  await app.stop();
  echo.close();
  rmSync(tempDir, { recursive: true, force: true });
});

/** A tiny LabApi client over the real WebSocket, the way the browser's client speaks it. */
async function openClient() {
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}/lab?token=${host.token}`, {
    origin: `http://127.0.0.1:${host.port}`,
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const events: DeliveredEvent[] = [];
  const pending = new Map<number, (result: Result<unknown>) => void>();
  let nextId = 1;
  const call = (channel: string, ...args: unknown[]) =>
    new Promise<Result<unknown>>((resolve) => {
      const callId = nextId++;
      pending.set(callId, resolve);
      socket.send(encodeFrame({ kind: 'call', callId, channel, args }));
    });
  socket.on('message', (data: Buffer) => {
    const message = decodeFrame(data) as ServerMessage;
    if (message.kind === 'result') pending.get(message.callId)?.(message.result);
    else {
      events.push(...message.batch.events);
      void call(COMMAND_CHANNELS.ackEvents, message.batch.seq);
    }
  });
  const waitFor = async (predicate: (all: DeliveredEvent[]) => boolean) => {
    for (let i = 0; i < 200 && !predicate(events); i++) await new Promise((r) => setTimeout(r, 10));
    expect(predicate(events)).toBe(true);
  };
  return { socket, events, call, waitFor };
}

it('connects, sends and receives real bytes through the web host, in order', async () => {
  const client = await openClient();
  const connected = await client.call(COMMAND_CHANNELS.connect, {
    host: '127.0.0.1',
    port: echoPort,
    route: 'internet',
  });
  if (!connected.ok) throw new Error(connected.error.message);
  const id = (connected.value as { id: string }).id;
  await client.waitFor((all) => all.some((event) => event.type === 'connected'));
  const sent = await client.call(COMMAND_CHANNELS.send, id, new TextEncoder().encode('hello\r\n'));
  expect(sent).toEqual({ ok: true, value: { offset: 0, length: 7 } });
  await client.waitFor((all) => all.some((event) => event.type === 'data' && event.dir === 'in'));
  const received = client.events.find((event) => event.type === 'data' && event.dir === 'in');
  expect(received?.type === 'data' && received.dir === 'in' && received.bytes).toBeInstanceOf(Uint8Array);
  expect(received?.type === 'data' && received.dir === 'in' && Buffer.from(received.bytes).toString('latin1')).toBe(
    'hello\r\n',
  );
  // The send comes back as where it went, not as the bytes again; the journal keeps the bytes.
  const sentEvent = client.events.find((event) => event.type === 'data' && event.dir === 'out');
  expect(sentEvent).toMatchObject({ type: 'data', dir: 'out', offset: 0, length: 7 });
  expect(sentEvent && 'bytes' in sentEvent).toBe(false);
  const hello = await client.call(COMMAND_CHANNELS.hello);
  const sessionId = hello.ok ? (hello.value as HelloInfo).sessionId : null;
  const page = await client.call(COMMAND_CHANNELS.readSession, sessionId, 0);
  const journaled = page.ok
    ? (page.value as SessionPage).entries.flatMap((entry) =>
        entry.kind === 'event' && entry.event.type === 'data' && entry.event.dir === 'out' ? [entry.event.bytes] : [],
      )
    : [];
  expect(journaled.map((bytes) => Buffer.from(bytes).toString('latin1'))).toEqual(['hello\r\n']);
  expect(client.events.map((event) => event.type).slice(0, 4)).toEqual([
    'resolving',
    'resolved',
    'connecting',
    'connected',
  ]);
  expect(await client.call(COMMAND_CHANNELS.close, id)).toEqual({ ok: true, value: null });
  await client.waitFor((all) => all.some((event) => event.type === 'closed'));
  client.socket.close();
});

it('closes a tab’s connections when its WebSocket goes away', async () => {
  const client = await openClient();
  const accepted = new Promise<net.Socket>((resolve) => echo.once('connection', resolve));
  const connected = await client.call(COMMAND_CHANNELS.connect, {
    host: '127.0.0.1',
    port: echoPort,
    route: 'internet',
  });
  expect(connected.ok).toBe(true);
  const serverSide = await accepted;
  const serverSaw = new Promise<void>((resolve) => serverSide.once('close', () => resolve()));
  client.socket.terminate();
  await serverSaw;
});
