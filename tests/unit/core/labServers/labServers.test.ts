/** startLabServers as the app uses it: info, routing, loopback only, stopping; and the lab's own files. */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabServerStartError, startLabServers } from '../../../../src/main/core/labServers';
import { defaultContentDir } from '../../../../src/main/core/labServers/content';
import { loopbackAddress } from '../../../../src/main/core/labServers/loopback';
import { CONTENT_DIR, exchange, RawClient, splitReply, startTestLab } from './helpers';

describe('startLabServers', () => {
  it("starts five servers on 127.0.0.1 free ports and describes them in the learner's words", async () => {
    const lab = await startTestLab();
    try {
      const infos = lab.servers.info();
      expect(infos.map(({ kind, name, host, mirrors }) => ({ kind, name, host, mirrors }))).toEqual([
        {
          kind: 'http',
          name: 'Lab HTTP server (stands in for data.pr4e.org)',
          host: '127.0.0.1',
          mirrors: ['data.pr4e.org:80', 'www.py4e.com:80', 'www.dr-chuck.com:80'],
        },
        {
          kind: 'https',
          name: 'Lab HTTPS server (stands in for data.pr4e.org:443)',
          host: '127.0.0.1',
          mirrors: ['data.pr4e.org:443', 'www.py4e.com:443'],
        },
        {
          kind: 'echo',
          name: 'Lab echo server (sends back every byte it gets)',
          host: '127.0.0.1',
          mirrors: ['echo.lab.test:7'],
        },
        {
          kind: 'smtp',
          name: 'Lab SMTP-style greeter (a toy: mail goes nowhere)',
          host: '127.0.0.1',
          mirrors: ['mail.lab.test:25'],
        },
        {
          kind: 'pop',
          name: 'Lab POP-style greeter (a toy mailbox of sample messages)',
          host: '127.0.0.1',
          mirrors: ['mail.lab.test:110'],
        },
      ]);
      const ports = infos.map((info) => info.port);
      expect(new Set(ports).size).toBe(5);
      // Only the HTTPS server shows a certificate: the one the lab made, and the servers hand out copies of it.
      expect(infos.filter((info) => info.certificate).map((info) => info.kind)).toEqual(['https']);
      expect(infos[1]?.certificate?.sha256).toBe(lab.servers.certificate.summary.sha256);
      infos[1]?.certificate?.altNames.push('DNS:changed');
      expect(lab.servers.info()[1]?.certificate?.altNames).toEqual(lab.servers.certificate.summary.altNames);
      for (const port of ports) expect(port).toBeGreaterThan(0);
      // info() hands out copies: changing one does not change the servers' own record.
      infos[0]?.mirrors.push('changed:1');
      expect(lab.servers.info()[0]?.mirrors).toEqual(['data.pr4e.org:80', 'www.py4e.com:80', 'www.dr-chuck.com:80']);
    } finally {
      await lab.servers.stop();
    }
  });

  it('routes the mirrored hosts to the lab servers, ignoring case and a trailing dot, and nothing else', async () => {
    const lab = await startTestLab();
    try {
      const http = lab.port('http');
      expect(lab.servers.route('data.pr4e.org', 80)).toEqual({
        host: '127.0.0.1',
        port: http,
        answeredBy: 'Lab HTTP server (stands in for data.pr4e.org)',
      });
      expect(lab.servers.route('DATA.PR4E.ORG.', 80)?.port).toBe(http);
      expect(lab.servers.route('www.py4e.com', 80)?.answeredBy).toBe('Lab HTTP server (stands in for www.py4e.com)');
      expect(lab.servers.route('echo.lab.test', 7)?.port).toBe(lab.port('echo'));
      expect(lab.servers.route('Mail.Lab.Test', 25)?.port).toBe(lab.port('smtp'));
      expect(lab.servers.route('mail.lab.test', 110)?.port).toBe(lab.port('pop'));
      expect(lab.servers.route('data.pr4e.org', 443)).toEqual({
        host: '127.0.0.1',
        port: lab.port('https'),
        answeredBy: 'Lab HTTPS server (stands in for data.pr4e.org:443)',
      });
      expect(lab.servers.route('WWW.PY4E.COM.', 443)?.answeredBy).toBe(
        'Lab HTTPS server (stands in for www.py4e.com:443)',
      );
      expect(lab.servers.route('data.pr4e.org', 8080)).toBeUndefined();
      expect(lab.servers.route('www.dr-chuck.com', 80)?.answeredBy).toBe(
        'Lab HTTP server (stands in for www.dr-chuck.com)',
      );
      expect(lab.servers.route('www.dr-chuck.com', 443)).toBeUndefined();
      expect(lab.servers.route('example.com', 80)).toBeUndefined();
      expect(lab.servers.route('data.pr4e.org..', 80)).toBeUndefined();
      expect(lab.servers.route('127.0.0.1', http)).toBeUndefined();
      // A learner who types the lab server's own address still learns who answered.
      expect(lab.servers.identify('127.0.0.1', http)).toBe('Lab HTTP server (stands in for data.pr4e.org)');
      expect(lab.servers.identify('127.0.0.1', lab.port('echo'))).toBe(
        'Lab echo server (sends back every byte it gets)',
      );
      expect(lab.servers.identify('127.0.0.2', http)).toBeUndefined();

      // The route really leads to the lab HTTP server.
      const target = lab.servers.route('data.pr4e.org', 80);
      if (!target) throw new Error('no route');
      const reply = splitReply(
        await exchange(target.port, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n', target.host),
      );
      expect(reply.headers.get('content-length')).toBe('167');
    } finally {
      await lab.servers.stop();
    }
  });

  it('refuses any host that is not loopback, before listening', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '']) {
      await expect(startLabServers({ host, contentDir: CONTENT_DIR }), host).rejects.toThrow(
        /loopback address only \(127\.0\.0\.1 or ::1\)/,
      );
    }
    expect(loopbackAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(loopbackAddress('LOCALHOST')).toBe('127.0.0.1');
    expect(loopbackAddress('[::1]')).toBe('::1');
    expect(loopbackAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(loopbackAddress('::ffff:10.0.0.1')).toBeUndefined();
  });

  it('listens on ::1 when asked', async () => {
    const lab = await startTestLab({ host: '::1' });
    try {
      expect(lab.servers.info().every((info) => info.host === '::1')).toBe(true);
      const reply = splitReply(await exchange(lab.port('http'), 'GET /romeo.txt HTTP/1.0\r\n\r\n', '::1'));
      expect(reply.statusLine).toBe('HTTP/1.1 200 OK');
      expect(lab.servers.route('data.pr4e.org', 80)?.host).toBe('::1');
    } finally {
      await lab.servers.stop();
    }
  });

  it('stops: listeners closed, open connections ended, and a second stop is harmless', async () => {
    const lab = await startTestLab();
    const http = lab.port('http');
    const echo = lab.port('echo');
    const waiting = await RawClient.connect(http);
    const echoing = await RawClient.connect(echo);
    waiting.send('GET /romeo.txt HTTP/1.0\r\n');
    await Promise.all([lab.servers.stop(), lab.servers.stop()]);
    await lab.servers.stop();
    await waiting.waitFor((c) => c.ended || c.closed, 2_000, 'the HTTP connection to close');
    await echoing.waitFor((c) => c.ended || c.closed, 2_000, 'the echo connection to close');
    for (const port of [http, echo]) {
      await expect(RawClient.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
  });

  it('says which server could not start when a port is taken, and leaves none of the others running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const httpPort = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    try {
      const error = await startLabServers({ contentDir: CONTENT_DIR, ports: { http: httpPort, smtp: taken } }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(LabServerStartError);
      expect(error).toMatchObject({ kind: 'smtp', code: 'EADDRINUSE', port: taken });
      expect((error as Error).message).toBe(
        `Lab SMTP-style greeter (a toy: mail goes nowhere) could not start: port ${taken} on 127.0.0.1 is already ` +
          'in use (by another program, or another lab server).',
      );
      await expect(RawClient.connect(httpPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('says which file is missing when the content folder is wrong', async () => {
    await expect(startLabServers({ contentDir: os.tmpdir() })).rejects.toThrow(
      /The lab server's file romeo\.txt could not be read from .* \(ENOENT\)/,
    );
  });
});

describe("the lab's files", () => {
  it('romeo.txt is the four lines of the book, 167 bytes', () => {
    const romeo = readFileSync(path.join(CONTENT_DIR, 'romeo.txt'), 'latin1');
    expect(romeo).toBe(
      'But soft what light through yonder window breaks\n' +
        'It is the east and Juliet is the sun\n' +
        'Arise fair sun and kill the envious moon\n' +
        'Who is already sick and pale with grief\n',
    );
    expect(Buffer.byteLength(romeo)).toBe(167);
  });

  it('cover3.jpg is a real JPEG of about 200 KB or more', () => {
    const jpeg = readFileSync(path.join(CONTENT_DIR, 'cover3.jpg'));
    expect(jpeg.length).toBeGreaterThanOrEqual(200_000);
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect([...jpeg.subarray(-2)]).toEqual([0xff, 0xd9]);
    // A start-of-frame marker with its size: 800 x 600.
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect([jpeg.readUInt16BE(sof + 5), jpeg.readUInt16BE(sof + 7)]).toEqual([600, 800]);
  });

  it("page1.htm is the slide's 128 bytes and links to page2.htm; page2.htm has three <p> tags", () => {
    const page1 = readFileSync(path.join(CONTENT_DIR, 'page1.htm'), 'latin1');
    expect(page1.length).toBe(128);
    expect(page1).toMatch(/href="(http[s]?:\/\/.*?)"/);
    expect(page1).toContain('href="http://data.pr4e.org/page2.htm"');
    const page2 = readFileSync(path.join(CONTENT_DIR, 'page2.htm'), 'latin1');
    expect(page2.split('<p>').length - 1).toBe(3);
  });

  it('defaultContentDir finds the folder from the source, from a built bundle, and from the working folder', () => {
    const source = path.resolve('src/main/core/labServers');
    expect(defaultContentDir(source, '/')).toBe(CONTENT_DIR);
    expect(defaultContentDir(path.resolve('out/main'), '/')).toBe(CONTENT_DIR);
    expect(defaultContentDir(path.resolve('out/main/chunks'), '/')).toBe(CONTENT_DIR);
    expect(defaultContentDir(undefined, process.cwd())).toBe(CONTENT_DIR);
    expect(defaultContentDir()).toBe(CONTENT_DIR);
  });
});
