/**
 * The lab HTTP server against clients that misbehave, over real loopback sockets: slow mode with a short idle wait
 * (issue 12.3), sixteen slowloris clients, a client that never reads a 230 KB answer, 200 connections at once, and a
 * peer that resets in the middle of an answer. Each time the server must keep answering everybody else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLabContent } from '../../../../src/main/core/labServers/content';
import {
  startLabHttpServer,
  type LabHttpServer,
  type LabHttpServerOptions,
} from '../../../../src/main/core/labServers/httpServer';
import { CONTENT_DIR, RawClient, exchange, splitReply } from './helpers';

const ROMEO = readFileSync(path.join(CONTENT_DIR, 'romeo.txt'));
const JPEG_BYTES = 230_210;

let server: LabHttpServer | undefined;
const clients: RawClient[] = [];

async function start(options: Partial<LabHttpServerOptions> = {}): Promise<LabHttpServer> {
  server = await startLabHttpServer({
    host: '127.0.0.1',
    port: 0,
    content: await loadLabContent(CONTENT_DIR),
    ...options,
  });
  return server;
}

async function connect(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  clients.push(client);
  return client;
}

/** The server's count of connections it serves, polled: it changes on events inside the server we cannot await. */
async function untilOpenConnections(target: LabHttpServer, count: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (target.openConnections !== count) {
    if (Date.now() > deadline) throw new Error(`still ${target.openConnections} connections open, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stillAnswers(target: LabHttpServer): Promise<void> {
  const reply = splitReply(await exchange(target.port, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'));
  expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
  expect(reply.body.equals(ROMEO)).toBe(true);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

describe('slow mode and the stalled-reader watchdog (issue 12.3)', () => {
  it("delivers the whole body when slow mode's own pauses are longer than the idle wait", async () => {
    // 150 bytes, then a 300 ms pause of the server's own, with an idle wait of 200 ms.
    const lab = await start({ idleTimeoutMs: 200, slow: { bytesPerSecond: 500, writeSize: 150 } });
    const client = await connect(lab.port);
    client.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
    const reply = splitReply(await client.readToEnd(10_000));
    expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
    expect(reply.headers.get('content-length')).toBe('167');
    expect(reply.body.equals(ROMEO)).toBe(true);
    expect(client.chunks.length).toBeGreaterThanOrEqual(3);
  });

  it('still lets go of a reader that stops, in slow mode too', async () => {
    const lab = await start({
      idleTimeoutMs: 300,
      maxConnections: 1,
      slow: { bytesPerSecond: 10_000_000, writeSize: 65_536 },
    });
    const stuck = await connect(lab.port);
    stuck.socket.pause();
    for (let i = 0; i < 30; i += 1) stuck.send('GET /cover3.jpg HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
    // A paused client never notices the server letting go; the server's own count does.
    await untilOpenConnections(lab, 0, 10_000);
    await stillAnswers(lab);
  });
});

describe('fault suite over loopback', () => {
  it('sixteen slowloris clients hold every place, and each new client still takes one of theirs', async () => {
    const lines: string[] = [];
    const lab = await start({
      idleTimeoutMs: 2_000,
      firstLineTimeoutMs: 10_000,
      headTimeoutMs: 10_000,
      slotGraceMs: 300,
      log: (line) => lines.push(line),
    });
    const tricklers = await Promise.all(Array.from({ length: lab.maxConnections }, () => connect(lab.port)));
    let trickling = true;
    const drip = (async () => {
      const head = 'GET /romeo.txt HTTP/1.0\r\nX-Slow: ';
      for (let at = 0; trickling; at += 1) {
        for (const client of tricklers) client.send(at < head.length ? (head[at] as string) : 'a');
        // The attack's own pace, not a wait: a slowloris sends one byte now and then, so its request never ends.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await untilOpenConnections(lab, lab.maxConnections);
      // A deliberate wait: a trickler gives up its place only once it is older than the grace, and no event says so.
      await new Promise((resolve) => setTimeout(resolve, lab.timeouts.slotGraceMs + 100));
      for (let round = 1; round <= 3; round += 1) {
        // HTTP/1.1 keeps the newcomer's place after its answer, so every place is held again when the next one comes.
        const newcomer = await connect(lab.port);
        newcomer.send('GET http://data.pr4e.org/romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
        await newcomer.waitFor((c) => c.received.subarray(-ROMEO.length).equals(ROMEO), 5_000, `newcomer ${round}`);
        expect(splitReply(newcomer.received).statusLine, `newcomer ${round}`).toBe('HTTP/1.1 200 OK');
        expect(lab.openConnections).toBe(lab.maxConnections);
      }
      // Each newcomer took the place of the trickler that had waited longest; each of those three is told why.
      const evicted = tricklers.filter((client) =>
        lines.some((line) => line.startsWith(`127.0.0.1:${client.socket.localPort} `) && line.endsWith('-> 408')),
      );
      expect(evicted).toHaveLength(3);
      for (const client of evicted) {
        await client.waitFor((c) => c.text.startsWith('HTTP/1.1 408 Request Timeout'), 5_000, 'its 408');
      }
      expect(tricklers.filter((client) => client.received.length > 0)).toHaveLength(3);
    } finally {
      trickling = false;
      await drip;
    }
  });

  it('a client that never reads a 230 KB answer is let go, and its place serves the next client', async () => {
    const lab = await start({ idleTimeoutMs: 300, maxConnections: 1 });
    const silent = await connect(lab.port);
    silent.socket.pause();
    silent.send('GET http://data.pr4e.org/cover3.jpg HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
    await untilOpenConnections(lab, 0, 5_000);
    await stillAnswers(lab);
    // What the silent client would have read, had it read: the answer, whole, then the 408 of its idle connection.
    silent.socket.resume();
    await silent.readToEnd(5_000).catch(() => silent.received);
    expect(silent.received.length).toBeGreaterThan(0);
  });

  it('200 connections at once: each gets a whole 200 or a whole 503, and the server answers afterwards', async () => {
    const lab = await start();
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const client = await connect(lab.port);
        client.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
        const reply = splitReply(await client.readToEnd(15_000));
        expect(reply.body.length).toBe(Number(reply.headers.get('content-length')));
        return reply.statusLine;
      }),
    );
    const served = results.filter((line) => line === 'HTTP/1.1 200 OK').length;
    const refused = results.filter((line) => line === 'HTTP/1.1 503 Service Unavailable').length;
    expect(served + refused).toBe(200);
    expect(served).toBeGreaterThanOrEqual(16);
    await untilOpenConnections(lab, 0);
    await stillAnswers(lab);
  });

  it('a peer that resets in the middle of an answer costs nothing but its own connection', async () => {
    const lines: string[] = [];
    const lab = await start({ slow: { bytesPerSecond: 200_000, writeSize: 2_000 }, log: (line) => lines.push(line) });
    for (let round = 0; round < 5; round += 1) {
      const client = await connect(lab.port);
      client.send('GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n');
      await client.waitFor((c) => c.received.length >= 6_000, 5_000, 'part of the answer');
      client.socket.resetAndDestroy();
      expect(client.received.length).toBeLessThan(JPEG_BYTES);
    }
    await untilOpenConnections(lab, 0);
    await stillAnswers(lab);
    expect(lines.filter((line) => line.includes('cover3.jpg'))).toHaveLength(5);
  });
});
