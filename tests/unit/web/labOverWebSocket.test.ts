import type net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HelloInfo, SessionPage } from '../../../src/shared/contract';
import type { WebHost } from '../../../src/main/web/server';
import { openTab, startEchoHost, type EchoHost } from './echoHost';

let lab: EchoHost;
let host: WebHost;
let echo: net.Server;
let echoPort: number;

beforeAll(async () => {
  lab = await startEchoHost('socket-lab-ws-');
  ({ host, echo, echoPort } = lab);
});

afterAll(() => lab.close());

it('connects, sends and receives real bytes through the web host, in order', async () => {
  const client = await openTab(host);
  const connected = await client.call('connect', {
    host: '127.0.0.1',
    port: echoPort,
    route: 'internet',
  });
  if (!connected.ok) throw new Error(connected.error.message);
  const id = (connected.value as { id: string }).id;
  await client.until((all) => all.some((event) => event.type === 'connected'), 'connected');
  const sent = await client.call('send', id, new TextEncoder().encode('hello\r\n'));
  expect(sent).toEqual({ ok: true, value: { offset: 0, length: 7 } });
  await client.until((all) => all.some((event) => event.type === 'data' && event.dir === 'in'), 'the echo');
  const received = client.events.find((event) => event.type === 'data' && event.dir === 'in');
  expect(received?.type === 'data' && received.dir === 'in' && received.bytes).toBeInstanceOf(Uint8Array);
  expect(received?.type === 'data' && received.dir === 'in' && Buffer.from(received.bytes).toString('latin1')).toBe(
    'hello\r\n',
  );
  // The send comes back as where it went, not as the bytes again; the journal keeps the bytes.
  const sentEvent = client.events.find((event) => event.type === 'data' && event.dir === 'out');
  expect(sentEvent).toMatchObject({ type: 'data', dir: 'out', offset: 0, length: 7 });
  expect(sentEvent && 'bytes' in sentEvent).toBe(false);
  const hello = await client.call('hello');
  const sessionId = hello.ok ? (hello.value as HelloInfo).sessionId : null;
  const page = await client.call('readSession', sessionId, 0);
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
  expect(await client.call('close', id)).toEqual({ ok: true, value: null });
  await client.until((all) => all.some((event) => event.type === 'closed'), 'closed');
  client.socket.close();
});

it('closes a tab’s connections when its WebSocket goes away', async () => {
  const client = await openTab(host);
  const accepted = new Promise<net.Socket>((resolve) => echo.once('connection', resolve));
  const connected = await client.call('connect', {
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
