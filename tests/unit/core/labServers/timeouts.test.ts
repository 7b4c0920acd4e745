/**
 * How long the lab HTTP server waits, and what it says when it stops waiting: the generous first-line wait a learner
 * typing into telnet needs (issue 10.9), the shorter wait between later bytes, and a deadline for the whole request
 * head that trickled bytes do not extend (issue 12.2). The waits are made short through their options here; the
 * defaults are pinned at the end.
 */
import { describe, expect, it } from 'vitest';
import { loadLabContent } from '../../../../src/main/core/labServers/content';
import { startLabHttpServer } from '../../../../src/main/core/labServers/httpServer';
import { LIMITS } from '../../../../src/shared/limits';
import { CONTENT_DIR, RawClient, splitReplies, splitReply, startTestLab, type TestLab } from './helpers';

const TELNET_REQUEST = 'GET http://data.pr4e.org/page1.htm HTTP/1.0\r\n';

/** The learner's own pause at the keyboard: the thing under test is the time itself. */
const typingPause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one byte of `text` every `everyMs` until the server closes or the text runs out; returns when it stopped. */
async function trickle(client: RawClient, text: string, everyMs: number): Promise<void> {
  for (const byte of text) {
    if (client.ended || client.closed) return;
    client.send(byte);
    await client
      .waitFor((c) => c.ended || c.closed, everyMs, 'nothing')
      .catch(() => undefined /* the server is still waiting: send the next byte */);
  }
}

async function withLab(options: Parameters<typeof startTestLab>[0], body: (lab: TestLab) => Promise<void>) {
  const lab = await startTestLab(options);
  try {
    await body(lab);
  } finally {
    await lab.servers.stop();
  }
}

describe('the telnet demo: a first request line typed by hand (telnet and nc send it at Enter)', () => {
  const waits = { firstLineTimeoutMs: 1_500, idleTimeoutMs: 300 };

  it('answers 200 to a request line that arrives after most of the first-line wait, far past the idle wait', async () => {
    await withLab({ http: waits }, async (lab) => {
      const client = await RawClient.connect(lab.port('http'));
      try {
        await typingPause(1_100);
        expect(client.received.length, 'nothing may come back while the learner types').toBe(0);
        client.send(TELNET_REQUEST);
        client.send('\r\n');
        const reply = splitReply(await client.readToEnd());
        expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
        expect(reply.body.toString('latin1')).toContain('page2.htm');
      } finally {
        client.close();
      }
    });
  });

  it('answers 408 when no request line arrives within the first-line wait, saying telnet and nc send at Enter', async () => {
    await withLab({ http: waits }, async (lab) => {
      const client = await RawClient.connect(lab.port('http'));
      try {
        const started = Date.now();
        const reply = splitReply(await client.readToEnd(5_000));
        const waited = Date.now() - started;
        expect(reply.statusLine).toBe('HTTP/1.1 408 Request Timeout');
        expect(waited).toBeGreaterThanOrEqual(1_400);
        expect(waited).toBeLessThan(3_500);
        const words = reply.body.toString('latin1');
        expect(words).toContain('No request line arrived within 1.5 seconds');
        expect(words).toContain('telnet and nc send what you type only when you press Enter');
        expect(words).toContain('--first-line-timeout');
        expect(words).toContain('--idle-timeout');
        // The line typed after the wait is too late: the connection is closed.
        expect(client.ended || client.closed).toBe(true);
      } finally {
        client.close();
      }
    });
  });

  it('a first line typed by characters (telnet in character mode) may take its time, within the first-line wait', async () => {
    await withLab({ http: waits }, async (lab) => {
      const client = await RawClient.connect(lab.port('http'));
      try {
        // Each pause is longer than the idle wait: only the first-line wait applies to the first line.
        for (const piece of ['GET /ro', 'meo.txt HT', 'TP/1']) {
          client.send(piece);
          await typingPause(400);
        }
        client.send('.0\r\n\r\n');
        expect(splitReply(await client.readToEnd()).statusLine).toBe('HTTP/1.1 200 OK');
      } finally {
        client.close();
      }
    });
  });

  it('after the request line, the shorter wait applies between lines, and its 408 names --idle-timeout', async () => {
    await withLab({ http: waits }, async (lab) => {
      const client = await RawClient.connect(lab.port('http'));
      try {
        client.send(TELNET_REQUEST);
        const started = Date.now();
        const reply = splitReply(await client.readToEnd(3_000));
        expect(Date.now() - started).toBeLessThan(1_200);
        expect(reply.statusLine).toBe('HTTP/1.1 408 Request Timeout');
        const words = reply.body.toString('latin1');
        expect(words).toContain('Nothing arrived for 0.3 seconds');
        expect(words).toContain('telnet and nc send what you type only when you press Enter');
        expect(words).toContain('--idle-timeout');
      } finally {
        client.close();
      }
    });
  });
});

describe('slowloris: bytes that trickle in do not hold the server', () => {
  const waits = { firstLineTimeoutMs: 500, idleTimeoutMs: 300, headTimeoutMs: 500 };

  it('answers 408 when the whole head has not arrived by its deadline, however steadily bytes trickle', async () => {
    await withLab({ http: waits }, async (lab) => {
      const client = await RawClient.connect(lab.port('http'));
      try {
        const started = Date.now();
        client.send('GET /romeo.txt HTTP/1.0\r\n');
        // One byte every 100 ms: never idle for 300 ms, and 8 seconds of bytes if nobody stops it.
        await trickle(client, `X-Slow: ${'a'.repeat(80)}`, 100);
        const waited = Date.now() - started;
        const reply = splitReply(await client.readToEnd());
        expect(reply.statusLine).toBe('HTTP/1.1 408 Request Timeout');
        expect(reply.body.toString('latin1')).toContain('within 1 second');
        // First request: the first-line wait, then the head's own 0.5 s.
        expect(waited).toBeGreaterThanOrEqual(900);
        expect(waited).toBeLessThan(2_500);
      } finally {
        client.close();
      }
    });
  });

  it('bounds a later request on a keep-alive connection by the head deadline too', async () => {
    await withLab({ http: waits }, async (lab) => {
      const client = await RawClient.connect(lab.port('http'));
      try {
        client.send('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
        await client.waitFor((c) => c.received.length >= 167 && splitReplies(c.received).length === 1);
        const started = Date.now();
        await trickle(client, `GET /romeo.txt HTTP/1.1\r\nX-Slow: ${'a'.repeat(80)}`, 100);
        const waited = Date.now() - started;
        const replies = splitReplies(await client.readToEnd());
        expect(replies.map((reply) => reply.statusLine)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 408 Request Timeout']);
        expect(waited).toBeGreaterThanOrEqual(400);
        expect(waited).toBeLessThan(2_000);
      } finally {
        client.close();
      }
    });
  });

  it('keeps a place for a new client when every place is held by a client that only trickles', async () => {
    const slow = { firstLineTimeoutMs: 20_000, idleTimeoutMs: 5_000, headTimeoutMs: 20_000 };
    await withLab({ http: { ...slow, maxConnections: 3, slotGraceMs: 200 } }, async (lab) => {
      const port = lab.port('http');
      const tricklers: RawClient[] = [];
      const trickling: Array<Promise<void>> = [];
      try {
        for (let index = 0; index < 3; index += 1) {
          const client = await RawClient.connect(port);
          tricklers.push(client);
          trickling.push(trickle(client, `GET /romeo.txt HTTP/1.0\r\nX-Slow-${index}: ${'a'.repeat(60)}`, 100));
        }
        // The oldest has been trickling for longer than the grace by now.
        await typingPause(400);
        const newcomer = await RawClient.connect(port);
        newcomer.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
        const reply = splitReply(await newcomer.readToEnd());
        newcomer.close();
        expect(reply.statusLine).toBe('HTTP/1.1 200 OK');

        const oldest = tricklers[0] as RawClient;
        await oldest.readToEnd();
        const evicted = splitReply(oldest.received);
        expect(evicted.statusLine).toBe('HTTP/1.1 408 Request Timeout');
        expect(evicted.body.toString('latin1')).toContain('all 3 places were taken');
        // Only the oldest made room; the other two are still waiting for their heads.
        expect(tricklers.slice(1).map((client) => client.ended || client.closed)).toEqual([false, false]);
      } finally {
        for (const client of tricklers) client.close();
        await Promise.all(trickling);
      }
    });
  });

  it('still answers 503 when the places are held by clients that connected just now', async () => {
    await withLab({ http: { maxConnections: 2, slotGraceMs: 60_000 } }, async (lab) => {
      const port = lab.port('http');
      const held = [await RawClient.connect(port), await RawClient.connect(port)];
      try {
        held[0]?.send('GET /romeo');
        const third = await RawClient.connect(port);
        third.send('GET /romeo.txt HTTP/1.0\r\n\r\n');
        expect(splitReply(await third.readToEnd()).statusLine).toBe('HTTP/1.1 503 Service Unavailable');
        third.close();
      } finally {
        for (const client of held) client.close();
      }
    });
  });
});

describe('the defaults', () => {
  it('waits 120 s for the first request line, 30 s between bytes, 60 s more for a head; 16 places, 2 s of grace', async () => {
    expect(LIMITS.labHttpFirstLineTimeoutMs).toBe(120_000);
    expect(LIMITS.labHttpIdleTimeoutMs).toBe(30_000);
    expect(LIMITS.labHttpHeadTimeoutMs).toBe(60_000);
    expect(LIMITS.labHttpMaxConnections).toBe(16);
    expect(LIMITS.labHttpSlotGraceMs).toBe(2_000);
    const server = await startLabHttpServer({
      host: '127.0.0.1',
      port: 0,
      content: await loadLabContent(CONTENT_DIR),
    });
    try {
      expect(server.timeouts).toEqual({
        firstLineMs: 120_000,
        idleMs: 30_000,
        headMs: 60_000,
        slotGraceMs: 2_000,
      });
      expect(server.maxConnections).toBe(16);
    } finally {
      await server.close();
    }
  });
});
