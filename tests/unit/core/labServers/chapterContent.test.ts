/**
 * What the whole chapter needs from the lab HTTP server (issue 10): the longer text and page, the mirrors of
 * www.dr-chuck.com and www.py4e.com, links that stay in the lab, a clear 404 for hosts it does not stand in for and
 * a clear answer to CONNECT, the book's header length for cover3.jpg, and the autograder note.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_REASON } from '../../../../src/main/core/labServers/httpRequest';
import { CONTENT_DIR, exchange, runCurlThroughLab, splitReply, startTestLab, type TestLab } from './helpers';

const file = (name: string): Buffer => readFileSync(path.join(CONTENT_DIR, name));
const get = async (port: number, request: string) => splitReply(await exchange(port, request));
const hrefs = (html: string): string[] => [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1] as string);

let lab: TestLab;
let port: number;

beforeAll(async () => {
  lab = await startTestLab();
  port = lab.port('http');
});

afterAll(async () => {
  await lab.servers.stop();
});

describe('closer to the book (10.8)', () => {
  it("cover3.jpg: urljpeg.py's request gets a head of exactly 393 bytes and 230,210 bytes of picture", async () => {
    const bytes = await exchange(port, 'GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n');
    // urljpeg.py prints picture.find(b"\r\n\r\n") as the header length.
    expect(bytes.indexOf('\r\n\r\n')).toBe(393);
    const reply = splitReply(bytes);
    expect(reply.body.length).toBe(230_210);
    expect(reply.headerLines.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      'Date',
      'Server',
      'Last-Modified',
      'ETag',
      'Accept-Ranges',
      'Content-Length',
      'Vary',
      'Cache-Control',
      'Pragma',
      'Expires',
      'Connection',
      'Content-Type',
    ]);
    expect(reply.headers.get('vary')).toBe('Accept-Encoding');
    expect(reply.headers.get('server')).toBe('SocketLab/0.1 offline');
    expect(reply.headers.get('server')).not.toMatch(/apache/i);
    expect(reply.headers.get('etag')).toMatch(/^"38342-[0-9a-f]{13}"$/);
  });

  it("page1.htm: the slide's request gets 128 bytes with a link to page2.htm", async () => {
    const reply = await get(port, 'GET http://data.pr4e.org/page1.htm HTTP/1.0\r\n\r\n');
    expect(reply.headers.get('content-length')).toBe('128');
    expect(reply.body.length).toBe(128);
    expect(hrefs(reply.body.toString('latin1'))).toEqual(['http://data.pr4e.org/page2.htm']);
  });
});

describe("content the chapter's exercises need (10.1, 10.2)", () => {
  it('romeo-full.txt is more than 3000 characters of the balcony scene, linked from the index', async () => {
    const reply = await get(port, 'GET http://data.pr4e.org/romeo-full.txt HTTP/1.0\r\n\r\n');
    const text = reply.body.toString('latin1');
    expect(reply.headers.get('content-type')).toBe('text/plain');
    expect(text.length).toBeGreaterThan(3000);
    expect(text).toContain('But soft, what light through yonder window breaks?');
    expect(text).toContain("What's in a name? That which we call a rose");
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
    const index = (await get(port, 'GET http://data.pr4e.org/ HTTP/1.0\r\n\r\n')).body.toString('latin1');
    expect(hrefs(index)).toContain('/romeo-full.txt');
  });

  it('links.htm has many <p> tags and absolute, relative, https:// and # links, linked from the index', async () => {
    const reply = await get(port, 'GET http://data.pr4e.org/links.htm HTTP/1.0\r\n\r\n');
    const html = reply.body.toString('latin1');
    expect(html.split('<p>').length - 1).toBe(10);
    const links = hrefs(html);
    expect(links.filter((link) => link.startsWith('http://')).length).toBeGreaterThanOrEqual(4);
    expect(links.filter((link) => link.startsWith('https://')).length).toBeGreaterThanOrEqual(2);
    expect(links.filter((link) => link.startsWith('#')).length).toBeGreaterThanOrEqual(3);
    expect(links.filter((link) => !/^(https?:|#)/.test(link)).length).toBeGreaterThanOrEqual(3);
    // The book's urlregex.py finds only the absolute ones.
    const found = [...html.matchAll(/href="(http[s]?:\/\/.*?)"/g)].map((match) => match[1]);
    expect(found.length).toBe(links.filter((link) => /^https?:\/\//.test(link)).length);
    const index = (await get(port, 'GET http://data.pr4e.org/ HTTP/1.0\r\n\r\n')).body.toString('latin1');
    expect(hrefs(index)).toContain('/links.htm');
  });
});

describe('the mirrors (10.3)', () => {
  it('www.dr-chuck.com: page1.htm links on to page2.htm, as urllib2.py and urllink2.py use', async () => {
    const page1 = await get(port, 'GET http://www.dr-chuck.com/page1.htm HTTP/1.0\r\n\r\n');
    expect(page1.statusLine).toBe('HTTP/1.1 200 OK');
    const link = hrefs(page1.body.toString('latin1'))[0] as string;
    expect(link).toMatch(/\/page2\.htm$/);
    const page2 = await get(port, `GET /page2.htm HTTP/1.1\r\nHost: www.dr-chuck.com\r\nConnection: close\r\n\r\n`);
    expect(page2.statusLine).toBe('HTTP/1.1 200 OK');
    expect(page2.body.equals(file('page2.htm'))).toBe(true);
  });

  it('www.py4e.com: /cover.jpg for curl -O, and a /code3/ listing with romeo.txt and friends', async () => {
    const cover = await get(port, 'GET /cover.jpg HTTP/1.1\r\nHost: www.py4e.com\r\nConnection: close\r\n\r\n');
    expect(cover.headers.get('content-type')).toBe('image/jpeg');
    expect(cover.body.equals(file('cover3.jpg'))).toBe(true);
    for (const listing of ['/code3/', '/code3']) {
      const reply = await get(port, `GET http://www.py4e.com${listing} HTTP/1.0\r\n\r\n`);
      expect(reply.statusLine, listing).toBe('HTTP/1.1 200 OK');
      expect(hrefs(reply.body.toString('latin1'))).toEqual([
        '/code3/romeo.txt',
        '/code3/romeo-full.txt',
        '/code3/words.txt',
      ]);
    }
    for (const [urlPath, name] of [
      ['/code3/romeo.txt', 'romeo.txt'],
      ['/code3/romeo-full.txt', 'romeo-full.txt'],
      ['/code3/words.txt', 'words.txt'],
    ] as const) {
      const reply = await get(port, `GET http://www.py4e.com${urlPath} HTTP/1.0\r\n\r\n`);
      expect(reply.body.equals(file(name)), urlPath).toBe(true);
    }
  });

  it('curl -O http://www.py4e.com/cover.jpg, through the lab as its proxy, saves the picture', async () => {
    const result = await runCurlThroughLab(port, [
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{size_download}',
      'http://www.py4e.com/cover.jpg',
    ]);
    expect(result.stdout.toString()).toBe('200 230210');
  });
});

describe('links stay in the lab (10.4)', () => {
  it('asked for under a host it stands in for, a page keeps the links the book shows', async () => {
    const html = (await get(port, 'GET http://data.pr4e.org/links.htm HTTP/1.0\r\n\r\n')).body.toString('latin1');
    expect(html).toContain('href="http://www.dr-chuck.com/page1.htm"');
    expect(html).toContain('href="https://www.py4e.com/lessons"');
  });

  it("asked for at the lab's own address, every absolute link to a host it stands in for points back there", async () => {
    for (const [request, authority] of [
      [`GET /links.htm HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, `127.0.0.1:${port}`],
      [`GET http://localhost:${port}/links.htm HTTP/1.0\r\n\r\n`, `localhost:${port}`],
    ] as const) {
      const reply = await get(port, request);
      const links = hrefs(reply.body.toString('latin1'));
      const absolute = links.filter((link) => /^https?:/.test(link));
      expect(absolute.length).toBeGreaterThanOrEqual(6);
      for (const link of absolute) expect(link.startsWith(`http://${authority}/`), link).toBe(true);
      expect(links).toContain('page2.htm');
      expect(links).toContain('#ports');
      // The page is a different one now: its length and validator say so.
      expect(reply.body.length).toBe(Number(reply.headers.get('content-length')));
      expect(reply.headers.get('etag')).not.toBe(
        (await get(port, 'HEAD http://data.pr4e.org/links.htm HTTP/1.0\r\n\r\n')).headers.get('etag'),
      );
    }
    const page1 = await get(port, `GET http://127.0.0.1:${port}/page1.htm HTTP/1.0\r\n\r\n`);
    expect(hrefs(page1.body.toString('latin1'))).toEqual([`http://127.0.0.1:${port}/page2.htm`]);
  });

  it('a request that names no host is data.pr4e.org, links as written', async () => {
    const reply = await get(port, 'GET /page1.htm HTTP/1.0\r\n\r\n');
    expect(reply.body.equals(file('page1.htm'))).toBe(true);
  });
});

describe('hosts the lab does not stand in for, and https (10.5)', () => {
  it('GET http://example.com/ gets a 404 that names the host and lists what the lab stands in for', async () => {
    for (const request of [
      'GET http://example.com/ HTTP/1.0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: Example.COM\r\nConnection: close\r\n\r\n',
    ]) {
      const reply = await get(port, request);
      expect(reply.statusLine).toBe('HTTP/1.1 404 Not Found');
      const words = reply.body.toString('latin1');
      expect(words).toContain('This lab server has no pages for example.com');
      expect(words).toContain('data.pr4e.org, www.py4e.com, www.dr-chuck.com');
      expect(words).not.toContain('Socket Lab: offline lab server');
    }
  });

  it('CONNECT (https through a proxy) gets 501 saying https is not served offline, and to use http://', async () => {
    const reply = await get(port, 'CONNECT www.py4e.com:443 HTTP/1.1\r\nHost: www.py4e.com:443\r\n\r\n');
    expect(reply.statusLine).toBe(`HTTP/1.1 501 ${CONNECT_REASON}`);
    expect(CONNECT_REASON).toBe('HTTPS Not Served Offline (use http://)');
    expect(reply.body.toString('latin1')).toContain('does not serve https');
    expect(reply.headers.get('connection')).toBe('close');
  });

  it('curl through the lab as https_proxy is told the same, and reaches nothing', async () => {
    const result = await runCurlThroughLab(port, ['-v', 'https://www.py4e.com/']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('HTTPS Not Served Offline (use http://)');
  });
});

describe('the autograder note (10.10)', () => {
  it("intro-short.txt and the index say the autograder grades the real data.pr4e.org's values", async () => {
    const intro = (await get(port, 'GET http://data.pr4e.org/intro-short.txt HTTP/1.0\r\n\r\n')).body.toString(
      'latin1',
    );
    expect(intro.replace(/\n/g, ' ')).toContain('autograder: it grades the header values of the real data.pr4e.org');
    const index = (await get(port, 'GET http://data.pr4e.org/ HTTP/1.0\r\n\r\n')).body.toString('latin1');
    expect(index.replace(/\n/g, ' ')).toContain('grades the header values of the real data.pr4e.org');
  });
});
