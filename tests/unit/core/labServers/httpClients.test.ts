/** The lab HTTP server against clients nobody here wrote: curl, and Python's socket, urllib and http.client. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_DIR, runCurl, runPython, startTestLab, type TestLab } from './helpers';

const ROMEO = readFileSync(path.join(CONTENT_DIR, 'romeo.txt'));
const JPEG = readFileSync(path.join(CONTENT_DIR, 'cover3.jpg'));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let lab: TestLab;
let port: number;
let base: string;
let scratch: string;

beforeAll(async () => {
  lab = await startTestLab();
  port = lab.port('http');
  base = `http://127.0.0.1:${port}`;
  scratch = mkdtempSync(path.join(os.tmpdir(), 'lab-http-clients-'));
});

afterAll(async () => {
  await lab.servers.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('curl', () => {
  it("curl -v: HTTP/1.1, the book's headers, and the 167 bytes", async () => {
    const result = await runCurl(['-v', `${base}/romeo.txt`]);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(ROMEO)).toBe(true);
    expect(result.stderr).toContain('> GET /romeo.txt HTTP/1.1');
    expect(result.stderr).toContain('< HTTP/1.1 200 OK');
    for (const header of [
      '< Server: SocketLab/0.1 offline',
      '< Last-Modified: Fri, 14 Mar 2025 09:26:53 GMT',
      '< Accept-Ranges: bytes',
      '< Content-Length: 167',
      '< Cache-Control: max-age=0, no-cache, no-store, must-revalidate',
      '< Connection: keep-alive',
      '< Content-Type: text/plain',
    ]) {
      expect(result.stderr).toContain(header);
    }
    expect(result.stderr).toMatch(/< ETag: "a7-[0-9a-f]{13}"/);
    expect(result.stderr).toMatch(/< Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/);
  });

  it('curl --http1.0: the server closes after the response', async () => {
    const result = await runCurl(['-v', '--http1.0', `${base}/romeo.txt`]);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(ROMEO)).toBe(true);
    expect(result.stderr).toContain('> GET /romeo.txt HTTP/1.0');
    expect(result.stderr).toContain('< Connection: close');
  });

  it('curl -I: HEAD shows the headers and no body', async () => {
    const result = await runCurl(['-I', `${base}/romeo.txt`]);
    expect(result.code).toBe(0);
    const text = result.stdout.toString('latin1');
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text).toContain('Content-Length: 167\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('curl asked for data.pr4e.org (connected to loopback) sends Host: data.pr4e.org and gets page1.htm', async () => {
    const result = await runCurl([
      '-v',
      '--connect-to',
      `data.pr4e.org:80:127.0.0.1:${port}`,
      'http://data.pr4e.org/page1.htm',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('> Host: data.pr4e.org');
    expect(result.stdout.toString('latin1')).toContain('<a href="http://data.pr4e.org/page2.htm">');
  });

  it('curl reuses one keep-alive connection for two URLs', async () => {
    const result = await runCurl(['-v', `${base}/romeo.txt`, `${base}/page1.htm`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Re-using existing connection/i);
    // Asked for at the lab's own address, page1's link is pointed back at that address.
    const page1 = readFileSync(path.join(CONTENT_DIR, 'page1.htm'), 'latin1').replace(
      'http://data.pr4e.org/',
      `http://127.0.0.1:${port}/`,
    );
    expect(result.stdout.toString('latin1')).toBe(ROMEO.toString('latin1') + page1);
  });

  it('curl downloads cover3.jpg byte-identical', async () => {
    const file = path.join(scratch, 'cover3.jpg');
    const result = await runCurl(['-o', file, '-w', '%{size_download} %{content_type}', `${base}/cover3.jpg`]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(`${JPEG.length} image/jpeg`);
    expect(sha256(readFileSync(file))).toBe(sha256(JPEG));
  });

  it('curl sees each error status', async () => {
    const status = async (args: string[]): Promise<string> =>
      (await runCurl(['-o', '/dev/null', '-w', '%{http_code}', ...args])).stdout.toString();
    expect(await status([`${base}/no-such-file.txt`])).toBe('404');
    expect(await status(['-X', 'BREW', `${base}/romeo.txt`])).toBe('501');
    expect(await status(['-H', 'Host:', `${base}/romeo.txt`])).toBe('400');
    expect(await status(['--path-as-is', `${base}/../../etc/passwd`])).toBe('404');
    expect(await status(['-r', '0-9', `${base}/romeo.txt`])).toBe('206');
  });
});

describe('Python', () => {
  it("socket1.py: the chapter's exact request, recv(512) until b''", async () => {
    const script = `
import socket, sys
mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
mysock.connect(('127.0.0.1', int(sys.argv[1])))
cmd = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'.encode()
mysock.send(cmd)
received = b''
while True:
    data = mysock.recv(512)
    if len(data) < 1:
        break
    received += data
mysock.close()
sys.stdout.buffer.write(received)
`;
    const { stdout } = await runPython(script, [port]);
    const text = stdout.toString('latin1');
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    const blank = stdout.indexOf('\r\n\r\n');
    expect(stdout.subarray(blank + 4).equals(ROMEO)).toBe(true);
    expect(text).toContain('\r\nContent-Length: 167\r\n');
    expect(text).toContain('\r\nConnection: close\r\n');
  });

  it("the slides' version, sending \\n\\n, works too", async () => {
    const script = `
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET http://data.pr4e.org/page1.htm HTTP/1.0\\n\\n')
out = b''
while True:
    data = s.recv(512)
    if not data:
        break
    out += data
sys.stdout.buffer.write(out)
`;
    const { stdout } = await runPython(script, [port]);
    expect(stdout.toString('latin1').startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(stdout.toString('latin1')).toContain('page2.htm');
  });

  it('urljpeg.py: recv(5120) in a loop, split at \\r\\n\\r\\n, the picture byte-identical', async () => {
    const script = `
import socket, sys, json, hashlib
mysock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
mysock.connect(('127.0.0.1', int(sys.argv[1])))
mysock.sendall(b'GET http://data.pr4e.org/cover3.jpg HTTP/1.0\\r\\n\\r\\n')
count = 0
picture = b''
chunks = 0
while True:
    data = mysock.recv(5120)
    if len(data) < 1: break
    count = count + len(data)
    chunks += 1
    picture = picture + data
mysock.close()
pos = picture.find(b'\\r\\n\\r\\n')
headers = picture[:pos].decode()
body = picture[pos+4:]
print(json.dumps({'total': count, 'headerBytes': pos, 'headers': headers, 'chunks': chunks,
                  'sha256': hashlib.sha256(body).hexdigest(), 'bodyBytes': len(body)}))
`;
    const result = JSON.parse((await runPython(script, [port])).stdout.toString()) as {
      total: number;
      headerBytes: number;
      headers: string;
      chunks: number;
      sha256: string;
      bodyBytes: number;
    };
    expect(result.bodyBytes).toBe(JPEG.length);
    expect(result.sha256).toBe(sha256(JPEG));
    expect(result.headers).toContain(`Content-Length: ${JPEG.length}`);
    expect(result.headers).toContain('Content-Type: image/jpeg');
    expect(result.total).toBe(result.headerBytes + 4 + JPEG.length);
    expect(result.chunks).toBeGreaterThan(1);
  });

  it("curl2.py: urllib in 100,000-byte blocks prints the book's own '230210 characters copied.'", async () => {
    const script = `
import urllib.request, sys
img = urllib.request.urlopen('http://127.0.0.1:%s/cover3.jpg' % sys.argv[1])
size = 0
while True:
    info = img.read(100000)
    if len(info) < 1: break
    size = size + len(info)
print(size, 'characters copied.')
`;
    const result = await runPython(script, [port]);
    expect(result.stdout.toString()).toBe('230210 characters copied.\n');
  });

  it('urllib1.py and urlwords.py: only the body, words counted', async () => {
    const script = `
import urllib.request, sys, json
url = 'http://127.0.0.1:%s/romeo.txt' % sys.argv[1]
fhand = urllib.request.urlopen(url)
body = fhand.read()
counts = dict()
for line in body.decode().splitlines():
    for word in line.split():
        counts[word] = counts.get(word, 0) + 1
print(json.dumps({'status': fhand.status, 'length': fhand.headers['Content-Length'],
                  'type': fhand.headers['Content-Type'], 'body': body.decode(), 'the': counts.get('the'),
                  'words': sum(counts.values())}))
`;
    const result = JSON.parse((await runPython(script, [port])).stdout.toString()) as Record<string, unknown>;
    expect(result).toEqual({
      status: 200,
      length: '167',
      type: 'text/plain',
      body: ROMEO.toString('latin1'),
      the: 3,
      words: 33,
    });
  });

  it('curl1.py and curl2.py: the picture whole, then in 100,000-byte blocks', async () => {
    const whole = path.join(scratch, 'whole.jpg');
    const blocks = path.join(scratch, 'blocks.jpg');
    const script = `
import urllib.request, sys, json
url = 'http://127.0.0.1:%s/cover3.jpg' % sys.argv[1]
img = urllib.request.urlopen(url).read()
open(sys.argv[2], 'wb').write(img)
img = urllib.request.urlopen(url)
fhand = open(sys.argv[3], 'wb')
size = 0
reads = []
while True:
    info = img.read(100000)
    if len(info) < 1: break
    reads.append(len(info))
    size = size + len(info)
    fhand.write(info)
fhand.close()
print(json.dumps({'size': size, 'reads': reads}))
`;
    const result = JSON.parse((await runPython(script, [port, whole, blocks])).stdout.toString()) as {
      size: number;
      reads: number[];
    };
    expect(result.size).toBe(JPEG.length);
    expect(result.reads).toEqual([100_000, 100_000, JPEG.length - 200_000]);
    expect(sha256(readFileSync(whole))).toBe(sha256(JPEG));
    expect(sha256(readFileSync(blocks))).toBe(sha256(JPEG));
  });

  it('urllib reports a 404 as HTTPError with the status', async () => {
    const script = `
import urllib.request, urllib.error, sys
try:
    urllib.request.urlopen('http://127.0.0.1:%s/missing.htm' % sys.argv[1])
    print('no error')
except urllib.error.HTTPError as e:
    print(e.code, e.reason)
`;
    expect((await runPython(script, [port])).stdout.toString().trim()).toBe('404 Not Found');
  });

  it('http.client: two requests on one keep-alive connection, then HEAD', async () => {
    const script = `
import http.client, sys, json
conn = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=5)
out = []
conn.request('GET', '/romeo.txt', headers={'Host': 'data.pr4e.org'})
first = conn.getresponse()
body1 = first.read()
sock1 = conn.sock
conn.request('GET', '/page2.htm')
second = conn.getresponse()
body2 = second.read()
same = conn.sock is sock1 and sock1 is not None
conn.request('HEAD', '/cover3.jpg')
third = conn.getresponse()
body3 = third.read()
print(json.dumps({
  'statuses': [first.status, second.status, third.status],
  'lengths': [len(body1), len(body2), len(body3)],
  'declared': [first.getheader('Content-Length'), second.getheader('Content-Length'), third.getheader('Content-Length')],
  'connection': first.getheader('Connection'),
  'sameSocket': same,
  'pTags': body2.decode().count('<p>'),
}))
conn.close()
`;
    const result = JSON.parse((await runPython(script, [port])).stdout.toString()) as Record<string, unknown>;
    const page2 = readFileSync(path.join(CONTENT_DIR, 'page2.htm'), 'latin1').replace(
      'http://data.pr4e.org/',
      `http://127.0.0.1:${port}/`,
    );
    expect(result).toEqual({
      statuses: [200, 200, 200],
      lengths: [167, page2.length, 0],
      declared: ['167', String(page2.length), String(JPEG.length)],
      connection: 'keep-alive',
      sameSocket: true,
      pTags: 3,
    });
  });

  it('slow mode: socket1.py sees many small recv() chunks', async () => {
    lab.servers.setSlowMode({ bytesPerSecond: 10_000, writeSize: 64 });
    try {
      const script = `
import socket, sys, json
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n')
sizes = []
while True:
    data = s.recv(512)
    if not data:
        break
    sizes.append(len(data))
print(json.dumps(sizes))
`;
      const sizes = JSON.parse((await runPython(script, [port])).stdout.toString()) as number[];
      const total = sizes.reduce((sum, size) => sum + size, 0);
      expect(total).toBeGreaterThan(167);
      // Without slow mode the whole reply comes in one or two recv() calls; here, in pieces of about 64 bytes.
      expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(total / 64 / 2));
      expect(Math.max(...sizes)).toBeLessThan(256);
    } finally {
      lab.servers.setSlowMode(null);
    }
  });
});
