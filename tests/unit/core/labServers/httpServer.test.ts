/** The lab HTTP server spoken to byte by byte, as a learner does in the workbench or with socket1.py. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CONTENT_DIR,
  FIXED_DATE_HEADER,
  RawClient,
  exchange,
  splitReplies,
  splitReply,
  startTestLab,
  type TestLab,
} from './helpers';

const ROMEO = readFileSync(path.join(CONTENT_DIR, 'romeo.txt'));
const SERVER = 'Server: SocketLab/0.1 offline';
/** How long "nothing came back" is watched for: silence has no event of its own. */
const SILENCE_MS = 300;

function etagOf(bytes: Buffer): string {
  return `"${bytes.length.toString(16)}-${createHash('sha1').update(bytes).digest('hex').slice(0, 13)}"`;
}

let lab: TestLab;
let port: number;

beforeAll(async () => {
  lab = await startTestLab({ http: { idleTimeoutMs: 2_000 } });
  port = lab.port('http');
});

afterAll(async () => {
  await lab.servers.stop();
});

describe('the chapter request', () => {
  it("answers socket1.py's exact request with the book's headers and the 167 bytes of romeo.txt, then closes", async () => {
    const reply = await exchange(port, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
    const expected = Buffer.concat([
      Buffer.from(
        [
          'HTTP/1.1 200 OK',
          `Date: ${FIXED_DATE_HEADER}`,
          SERVER,
          'Last-Modified: Fri, 14 Mar 2025 09:26:53 GMT',
          `ETag: ${etagOf(ROMEO)}`,
          'Accept-Ranges: bytes',
          'Content-Length: 167',
          'Cache-Control: max-age=0, no-cache, no-store, must-revalidate',
          'Pragma: no-cache',
          'Expires: Wed, 11 Jan 1984 05:00:00 GMT',
          'Connection: close',
          'Content-Type: text/plain',
          '',
          '',
        ].join('\r\n'),
        'latin1',
      ),
      ROMEO,
    ]);
    expect(reply.toString('latin1')).toBe(expected.toString('latin1'));
    expect(ROMEO.length).toBe(167);
    expect(ROMEO.toString('latin1').startsWith('But soft what light through yonder window breaks\n')).toBe(true);
  });

  it('waits for the blank line before it answers', async () => {
    const client = await RawClient.connect(port);
    try {
      client.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n');
      // Silence has no event to wait for: give the server many times what an answer takes (well under 5 ms here).
      await new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
      expect(client.received.length).toBe(0);
      client.send('\r\n');
      const reply = splitReply(await client.readToEnd());
      expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
      expect(reply.body.equals(ROMEO)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('takes a bare \\n as a line ending, as the slides send (\\n\\n), and a mix of both', async () => {
    for (const request of [
      'GET http://data.pr4e.org/romeo.txt HTTP/1.0\n\n',
      'GET /romeo.txt HTTP/1.1\nHost: data.pr4e.org\nConnection: close\n\n',
      'GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\nConnection: close\r\n\n',
    ]) {
      const reply = splitReply(await exchange(port, request));
      expect(reply.statusLine, JSON.stringify(request)).toBe('HTTP/1.1 200 OK');
      expect(reply.body.equals(ROMEO)).toBe(true);
    }
  });

  it('skips blank lines typed before the request line', async () => {
    const reply = splitReply(await exchange(port, '\r\n\nGET /romeo.txt HTTP/1.0\r\n\r\n'));
    expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
  });

  it('serves every file with a Content-Length that matches its body, byte for byte', async () => {
    const files: Array<[string, string, string]> = [
      ['/romeo.txt', 'romeo.txt', 'text/plain'],
      ['/intro-short.txt', 'intro-short.txt', 'text/plain'],
      ['/page1.htm', 'page1.htm', 'text/html'],
      ['/page2.htm', 'page2.htm', 'text/html'],
      ['/cover3.jpg', 'cover3.jpg', 'image/jpeg'],
      ['/', 'index.html', 'text/html'],
    ];
    for (const [urlPath, file, type] of files) {
      const reply = splitReply(await exchange(port, `GET http://data.pr4e.org${urlPath} HTTP/1.0\r\n\r\n`));
      const onDisk = readFileSync(path.join(CONTENT_DIR, file));
      expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
      expect(reply.headers.get('content-type')).toBe(type);
      expect(reply.headers.get('content-length')).toBe(String(onDisk.length));
      expect(reply.body.length).toBe(onDisk.length);
      expect(reply.body.equals(onDisk), urlPath).toBe(true);
    }
  });

  it('answers HEAD with the same headers and no body', async () => {
    const get = splitReply(await exchange(port, 'GET /romeo.txt HTTP/1.0\r\n\r\n'));
    const head = await exchange(port, 'HEAD /romeo.txt HTTP/1.0\r\n\r\n');
    expect(head.toString('latin1')).toBe(`${[get.statusLine, ...get.headerLines].join('\r\n')}\r\n\r\n`);
  });
});

describe('keep-alive and pipelining (HTTP/1.1)', () => {
  it('answers two requests on one connection and keeps it open until Connection: close', async () => {
    const client = await RawClient.connect(port);
    try {
      client.send('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      await client.waitFor(
        (c) => c.received.length > 0 && splitReplies(c.received).every((r) => r.body.length === 167),
      );
      client.send('GET /page1.htm HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      await client.waitFor((c) => {
        try {
          return splitReplies(c.received).length === 2;
        } catch {
          return false;
        }
      });
      // Still open: the third request below is answered on this same connection.
      expect(client.ended).toBe(false);
      const [first, second] = splitReplies(client.received);
      expect(first?.headers.get('connection')).toBe('keep-alive');
      expect(first?.headers.get('keep-alive')).toBe('timeout=2');
      expect(first?.body.equals(ROMEO)).toBe(true);
      expect(second?.body.toString('latin1')).toBe(readFileSync(path.join(CONTENT_DIR, 'page1.htm'), 'latin1'));

      client.send('GET /page2.htm HTTP/1.1\r\nHost: data.pr4e.org\r\nConnection: close\r\n\r\n');
      const all = splitReplies(await client.readToEnd());
      expect(all).toHaveLength(3);
      expect(all[2]?.headers.get('connection')).toBe('close');
    } finally {
      client.close();
    }
  });

  it('answers pipelined requests in the order they came, HEAD without a body', async () => {
    const reply = await exchange(
      port,
      'GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n' +
        'HEAD /page1.htm HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n' +
        'GET /nothing-here.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n' +
        'GET /intro-short.txt HTTP/1.1\r\nHost: data.pr4e.org\r\nConnection: close\r\n\r\n',
    );
    const replies = splitReplies(reply, [false, true, false, false]);
    expect(replies.map((r) => r.statusLine)).toEqual([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 200 OK',
      'HTTP/1.1 404 Not Found',
      'HTTP/1.1 200 OK',
    ]);
    expect(replies[0]?.body.equals(ROMEO)).toBe(true);
    expect(replies[1]?.headers.get('content-length')).toBe('128');
    expect(replies[3]?.body.equals(readFileSync(path.join(CONTENT_DIR, 'intro-short.txt')))).toBe(true);
    // Nothing after the last reply: the bodies and Content-Lengths account for every byte.
    expect(replies.reduce((sum, r) => sum + r.headBytes + r.body.length, 0)).toBe(reply.length);
  });

  it('closes after the response to HTTP/1.0 even when keep-alive is asked for', async () => {
    const reply = splitReply(await exchange(port, 'GET /romeo.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'));
    expect(reply.headers.get('connection')).toBe('close');
  });

  it('answers what came, then closes, when the client half-closes (FIN) after its request', async () => {
    const client = await RawClient.connect(port);
    try {
      client.send('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      client.socket.end();
      const reply = splitReply(await client.readToEnd());
      // The reply may say keep-alive (the FIN can arrive after it was written); what matters is the close.
      expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
      expect(reply.body.equals(ROMEO)).toBe(true);
      expect(client.ended).toBe(true);
    } finally {
      client.close();
    }
  });
});

describe('errors, each with a plain-words body and a Content-Length that matches it', () => {
  const cases: Array<[string, string, string]> = [
    ['unknown path', 'GET /nothing.txt HTTP/1.0\r\n\r\n', '404 Not Found'],
    ['no version (HTTP/0.9 style)', 'GET /romeo.txt\r\n\r\n', '400 Bad Request'],
    ['one word', 'HELLO\r\n\r\n', '400 Bad Request'],
    ['two spaces', 'GET  /romeo.txt HTTP/1.0\r\n\r\n', '400 Bad Request'],
    ['lower-case version', 'GET /romeo.txt http/1.0\r\n\r\n', '400 Bad Request'],
    ['version without minor', 'GET /romeo.txt HTTP/1\r\n\r\n', '400 Bad Request'],
    ['HTTP/1.1 without Host', 'GET /romeo.txt HTTP/1.1\r\n\r\n', '400 Bad Request'],
    ['two Host headers', 'GET /romeo.txt HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', '400 Bad Request'],
    ['header without colon', 'GET /romeo.txt HTTP/1.0\r\nHost data.pr4e.org\r\n\r\n', '400 Bad Request'],
    ['space before colon', 'GET /romeo.txt HTTP/1.0\r\nHost : data.pr4e.org\r\n\r\n', '400 Bad Request'],
    ['folded header', 'GET /romeo.txt HTTP/1.0\r\nX-A: b\r\n  c\r\n\r\n', '400 Bad Request'],
    ['https URL', 'GET https://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n', '400 Bad Request'],
    ['relative path', 'GET romeo.txt HTTP/1.0\r\n\r\n', '400 Bad Request'],
    ['bad percent', 'GET /romeo%zz.txt HTTP/1.0\r\n\r\n', '400 Bad Request'],
    ['stray carriage return', 'GET /romeo.txt\rHTTP/1.0\r\n\r\n', '400 Bad Request'],
    ['POST', 'POST /romeo.txt HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi', '501 Not Implemented'],
    ['DELETE', 'DELETE /romeo.txt HTTP/1.1\r\nHost: x\r\n\r\n', '501 Not Implemented'],
    ['lower-case method', 'get /romeo.txt HTTP/1.0\r\n\r\n', '501 Not Implemented'],
    [
      'chunked body',
      'GET /romeo.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      '501 Not Implemented',
    ],
    ['HTTP/2.0', 'GET /romeo.txt HTTP/2.0\r\n\r\n', '505 HTTP Version Not Supported'],
    ['HTTP/0.9', 'GET /romeo.txt HTTP/0.9\r\n\r\n', '505 HTTP Version Not Supported'],
    ['HTTP/1.2', 'GET /romeo.txt HTTP/1.2\r\nHost: x\r\n\r\n', '505 HTTP Version Not Supported'],
  ];
  for (const [what, request, status] of cases) {
    it(`${status.slice(0, 3)} for ${what}`, async () => {
      const reply = splitReply(await exchange(port, request));
      expect(reply.statusLine).toBe(`HTTP/1.1 ${status}`);
      expect(reply.headerLines).toEqual([
        `Date: ${FIXED_DATE_HEADER}`,
        SERVER,
        `Content-Length: ${reply.body.length}`,
        'Connection: close',
        'Content-Type: text/plain',
      ]);
      expect(reply.body.toString('latin1').startsWith(`${status}\n\n`)).toBe(true);
    });
  }

  it('keeps the connection open after a 404 on HTTP/1.1', async () => {
    const reply = await exchange(
      port,
      'GET /nope HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\nGET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\nConnection: close\r\n\r\n',
    );
    const [missing, found] = splitReplies(reply);
    expect(missing?.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(missing?.headers.get('connection')).toBe('keep-alive');
    expect(found?.body.equals(ROMEO)).toBe(true);
  });

  it('answers 400 when the request line and headers pass 16 KiB, and serves one just under', async () => {
    const start = 'GET /romeo.txt HTTP/1.0\r\nX-Filler: ';
    const fits = `${start}${'a'.repeat(16 * 1024 - start.length - 4)}\r\n\r\n`;
    expect(fits.length).toBe(16 * 1024);
    expect(splitReply(await exchange(port, fits)).statusLine).toBe('HTTP/1.1 200 OK');
    const tooBig = `${start}${'a'.repeat(16 * 1024 - start.length - 3)}\r\n\r\n`;
    expect(splitReply(await exchange(port, tooBig)).statusLine).toBe('HTTP/1.1 400 Bad Request');
  });

  it('answers 400 at once when 16 KiB arrive with no end of line, without waiting for more', async () => {
    const client = await RawClient.connect(port);
    try {
      client.send('GET /' + 'a'.repeat(17 * 1024));
      const reply = splitReply(await client.readToEnd());
      expect(reply.statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(reply.body.toString('latin1')).toContain('16384 bytes');
    } finally {
      client.close();
    }
  });

  it('refuses every way of climbing out of the content folder with 404', async () => {
    const targets = [
      '/../romeo.txt',
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/romeo.txt',
      '/.%2e/romeo.txt',
      '/..%2fromeo.txt',
      '/page1.htm%2F..%2Fromeo.txt',
      '/page1.htm/../romeo.txt',
      '/./romeo.txt',
      '/..\\romeo.txt',
      '/%2e%2e%5cromeo.txt',
      '/romeo.txt%00',
      '/%252e%252e/romeo.txt',
      'http://data.pr4e.org/../romeo.txt',
      'http://data.pr4e.org/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const target of targets) {
      const reply = splitReply(await exchange(port, `GET ${target} HTTP/1.0\r\n\r\n`));
      expect(reply.statusLine, target).toBe('HTTP/1.1 404 Not Found');
      expect(reply.body.toString('latin1')).not.toContain('root:');
    }
  });

  it('answers a range of bytes with 206, and one past the end with 416', async () => {
    const partial = splitReply(await exchange(port, 'GET /romeo.txt HTTP/1.0\r\nRange: bytes=0-9\r\n\r\n'));
    expect(partial.statusLine).toBe('HTTP/1.1 206 Partial Content');
    expect(partial.headers.get('content-range')).toBe('bytes 0-9/167');
    expect(partial.body.toString('latin1')).toBe('But soft w');
    const tail = splitReply(await exchange(port, 'GET /romeo.txt HTTP/1.0\r\nRange: bytes=-6\r\n\r\n'));
    expect(tail.body.toString('latin1')).toBe('grief\n');
    const past = splitReply(await exchange(port, 'GET /romeo.txt HTTP/1.0\r\nRange: bytes=500-\r\n\r\n'));
    expect(past.statusLine).toBe('HTTP/1.1 416 Range Not Satisfiable');
    expect(past.headers.get('content-range')).toBe('bytes */167');
  });
});

describe('the idle timeout', () => {
  it('answers 408 and closes when nothing arrives', async () => {
    const quick = await startTestLab({ http: { idleTimeoutMs: 300, firstLineTimeoutMs: 300 } });
    try {
      const client = await RawClient.connect(quick.port('http'));
      const started = Date.now();
      const reply = splitReply(await client.readToEnd(3_000));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(reply.statusLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(reply.headers.get('connection')).toBe('close');
      expect(reply.body.toString('latin1')).toContain('No request line arrived within 0.3 seconds');
    } finally {
      await quick.servers.stop();
    }
  });

  it('answers 408 when a request is typed too slowly, and after an idle keep-alive response', async () => {
    const quick = await startTestLab({ http: { idleTimeoutMs: 300 } });
    try {
      const typing = await RawClient.connect(quick.port('http'));
      typing.send('GET /romeo.txt HTTP/1.0\r\n');
      expect(splitReply(await typing.readToEnd(3_000)).statusLine).toBe('HTTP/1.1 408 Request Timeout');

      const idle = await RawClient.connect(quick.port('http'));
      idle.send('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      const replies = splitReplies(await idle.readToEnd(3_000));
      expect(replies.map((r) => r.statusLine)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 408 Request Timeout']);
    } finally {
      await quick.servers.stop();
    }
  });

  it('lets go of a client that stops reading mid-answer, so its slot serves the next one', async () => {
    const quick = await startTestLab({ http: { idleTimeoutMs: 300, maxConnections: 1 } });
    try {
      const stuck = await RawClient.connect(quick.port('http'));
      stuck.socket.pause();
      // Much more than the socket buffers hold: the server's writes stall while nobody reads.
      for (let i = 0; i < 40; i++) stuck.send('GET /cover3.jpg HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      // Until the server lets the stuck one go, the one place is taken and a newcomer hears 503: ask until it is free.
      await vi.waitFor(
        async () => {
          const reply = splitReply(await exchange(quick.port('http'), 'GET /romeo.txt HTTP/1.0\r\n\r\n'));
          expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      await quick.servers.stop();
    }
  });

  it('keeps serving a client that reads slowly but steadily', async () => {
    const quick = await startTestLab({ http: { idleTimeoutMs: 300 } });
    try {
      const reader = await RawClient.connect(quick.port('http'));
      reader.socket.pause();
      reader.send('GET /cover3.jpg HTTP/1.0\r\n\r\n');
      // Read a little every 100 ms: slower than the server writes, but never stopped for a whole idle time.
      const timer = setInterval(() => {
        reader.socket.resume();
        setTimeout(() => reader.socket.pause(), 5);
      }, 100);
      try {
        const reply = splitReply(await reader.readToEnd(20_000));
        expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
        expect(reply.body.length).toBe(230_210);
      } finally {
        clearInterval(timer);
      }
    } finally {
      await quick.servers.stop();
    }
  });

  it('does not time out while bytes keep coming', async () => {
    const quick = await startTestLab({ http: { idleTimeoutMs: 1_000 } });
    try {
      const client = await RawClient.connect(quick.port('http'));
      // Each pause is under the timeout, and together they are well over it.
      for (const piece of ['GET /romeo', '.txt HTTP/1.0', '\r\n']) {
        client.send(piece);
        // A learner's pause between pieces: the input itself, not a wait for something to happen.
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      client.send('\r\n');
      expect(splitReply(await client.readToEnd()).statusLine).toBe('HTTP/1.1 200 OK');
    } finally {
      await quick.servers.stop();
    }
  });
});

describe('slow mode', () => {
  it('sends the reply in many small writes, paced to the rate, and can be switched off', async () => {
    const file = readFileSync(path.join(CONTENT_DIR, 'intro-short.txt'));
    lab.servers.setSlowMode({ bytesPerSecond: 10_000, writeSize: 100 });
    try {
      const client = await RawClient.connect(port);
      const started = Date.now();
      client.send('GET /intro-short.txt HTTP/1.0\r\n\r\n');
      const bytes = await client.readToEnd();
      const elapsed = Date.now() - started;
      client.close();
      const reply = splitReply(bytes);
      expect(reply.body.equals(file)).toBe(true);
      const writes = Math.ceil(bytes.length / 100);
      expect(writes).toBeGreaterThanOrEqual(9);
      // Reads may merge a write or two on a busy machine, but never come close to the whole reply.
      expect(client.chunks.length).toBeGreaterThanOrEqual(Math.ceil(writes / 2));
      expect(Math.max(...client.chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(300);
      expect(elapsed).toBeGreaterThanOrEqual(((writes - 1) * 100 * 1000) / 10_000 - 20);
    } finally {
      lab.servers.setSlowMode(null);
    }
    const client = await RawClient.connect(port);
    client.send('GET /intro-short.txt HTTP/1.0\r\n\r\n');
    await client.readToEnd();
    client.close();
    expect(client.chunks.length).toBeLessThanOrEqual(3);
  });

  it('keeps pipelined replies whole and in order while they trickle out, even as more requests arrive', async () => {
    lab.servers.setSlowMode({ bytesPerSecond: 50_000, writeSize: 50 });
    const client = await RawClient.connect(port);
    try {
      client.send('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      await client.waitFor((c) => c.received.length > 0);
      client.send('GET /page1.htm HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
      // The third request arrives while the first answer is still trickling out.
      const sofar = client.received.length;
      await client.waitFor((c) => c.received.length > sofar);
      client.send('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\nConnection: close\r\n\r\n');
      const replies = splitReplies(await client.readToEnd());
      expect(replies.map((r) => r.body.toString('latin1'))).toEqual([
        ROMEO.toString('latin1'),
        readFileSync(path.join(CONTENT_DIR, 'page1.htm'), 'latin1'),
        ROMEO.toString('latin1'),
      ]);
    } finally {
      client.close();
      lab.servers.setSlowMode(null);
    }
  });

  it('refuses a slow mode that is not two whole numbers of at least 1', () => {
    expect(() => lab.servers.setSlowMode({ bytesPerSecond: 0, writeSize: 10 })).toThrow(RangeError);
    expect(() => lab.servers.setSlowMode({ bytesPerSecond: 100, writeSize: 1.5 })).toThrow(RangeError);
  });
});

describe('the connection cap', () => {
  it('serves 16 connections at once and answers the 17th with 503, then takes a new one when one closes', async () => {
    // No grace runs out here: these 16 are not trickling (timeouts.test.ts shows the place a trickler gives up).
    const capped = await startTestLab({ http: { slotGraceMs: 60_000 } });
    const clients: RawClient[] = [];
    try {
      const httpPort = capped.port('http');
      for (let index = 0; index < 16; index += 1) {
        const client = await RawClient.connect(httpPort);
        clients.push(client);
        client.send('HEAD /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
        await client.waitFor((c) => c.text.endsWith('\r\n\r\n'));
        expect(client.text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      }
      const seventeenth = await RawClient.connect(httpPort);
      seventeenth.send('GET /romeo.txt HTTP/1.0\r\n\r\n');
      const refused = splitReply(await seventeenth.readToEnd());
      expect(refused.statusLine).toBe('HTTP/1.1 503 Service Unavailable');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('connection')).toBe('close');
      expect(refused.body.toString('latin1')).toContain('16 connections');
      expect(refused.body.length).toBe(Number(refused.headers.get('content-length')));

      const first = clients.shift();
      first?.close();
      // The place is free once the server has seen that close: ask until it has.
      await vi.waitFor(
        async () => {
          const reply = splitReply(await exchange(httpPort, 'GET /romeo.txt HTTP/1.0\r\n\r\n'));
          expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
        },
        { timeout: 5_000, interval: 20 },
      );
    } finally {
      for (const client of clients) client.close();
      await capped.servers.stop();
    }
  });
});
