import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  headerValue,
  headerValues,
  splitHttpMessage,
  splitHttpStream,
  type HttpMessage,
  type HttpSplit,
} from '../../../src/shared/http';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

function http(split: HttpSplit): HttpMessage {
  if (split.kind !== 'http') throw new Error(`expected HTTP, got: ${split.reason}`);
  return split;
}

const ROMEO = readFileSync(path.resolve(__dirname, '../../../src/main/core/labServers/content/romeo.txt'));
const ROMEO_RESPONSE = ascii(
  'HTTP/1.1 200 OK\r\n' +
    'Date: Sun, 01 Jun 2025 10:00:00 GMT\r\n' +
    'Server: SocketLab-LabServer/0.1\r\n' +
    'Content-Length: 167\r\n' +
    'Connection: close\r\n' +
    'Content-Type: text/plain\r\n' +
    '\r\n' +
    text(ROMEO),
);

describe('splitHttpMessage: responses', () => {
  it('splits the romeo.txt answer into status line, headers, blank line and body', () => {
    expect(ROMEO.length).toBe(167);
    const message = http(splitHttpMessage(ROMEO_RESPONSE));
    expect(message.startLine).toEqual({ kind: 'status', version: 'HTTP/1.1', status: 200, reason: 'OK' });
    expect(message.startLineText).toBe('HTTP/1.1 200 OK');
    expect(message.headers.map((h) => h.name)).toEqual([
      'Date',
      'Server',
      'Content-Length',
      'Connection',
      'Content-Type',
    ]);
    expect(message.headersComplete).toBe(true);
    expect(message.lineEnding).toBe('crlf');
    expect(message.blankLine?.ending).toBe('crlf');
    expect(text(ROMEO_RESPONSE.subarray(message.blankLine!.start - 2, message.blankLine!.end))).toBe('\r\n\r\n');
    expect(message.framing).toBe('content-length');
    expect(message.contentLength).toBe(167);
    expect(message.bodyLength).toBe(167);
    expect(message.bodyMissing).toBe(0);
    expect(message.complete).toBe(true);
    expect(text(message.body)).toBe(text(ROMEO));
    expect(text(message.body).startsWith('But soft what light through yonder window breaks\n')).toBe(true);
    expect(message.end).toBe(ROMEO_RESPONSE.length);
    expect(message.problems).toEqual([]);
  });

  it('looks headers up ignoring case, keeps their order and where each line is', () => {
    const message = http(splitHttpMessage(ROMEO_RESPONSE));
    expect(headerValue(message, 'content-length')).toBe('167');
    expect(headerValue(message, 'CONTENT-TYPE')).toBe('text/plain');
    expect(headerValue(message, 'ETag')).toBeUndefined();
    const length = message.headers[2]!;
    expect(text(ROMEO_RESPONSE.subarray(length.line.start, length.line.end))).toBe('Content-Length: 167');
    expect(length.ending).toBe('crlf');
  });

  it('reports a body that has not all arrived yet', () => {
    const partial = ROMEO_RESPONSE.subarray(0, ROMEO_RESPONSE.length - 67);
    const message = http(splitHttpMessage(partial));
    expect(message.contentLength).toBe(167);
    expect(message.bodyLength).toBe(100);
    expect(message.bodyMissing).toBe(67);
    expect(message.complete).toBe(false);
  });

  it('reports headers that have not ended yet', () => {
    const message = http(splitHttpMessage(ascii('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n')));
    expect(message.headersComplete).toBe(false);
    expect(message.blankLine).toBeNull();
    expect(message.complete).toBe(false);
    expect(message.bodyLength).toBe(0);
  });

  it('treats a response with no length as running until the server closes', () => {
    const bytes = ascii('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello');
    expect(http(splitHttpMessage(bytes)).framing).toBe('until-close');
    expect(http(splitHttpMessage(bytes)).complete).toBe(false);
    expect(http(splitHttpMessage(bytes, { ended: true })).complete).toBe(true);
    expect(text(http(splitHttpMessage(bytes, { ended: true })).body)).toBe('hello');
  });

  it('knows the answer to HEAD, 204 and 304 carry no body', () => {
    const head = ascii('HTTP/1.1 200 OK\r\nContent-Length: 167\r\n\r\n');
    expect(http(splitHttpMessage(head)).complete).toBe(false);
    const headAnswer = http(splitHttpMessage(head, { requestMethod: 'HEAD' }));
    expect(headAnswer.framing).toBe('none');
    expect(headAnswer.complete).toBe(true);
    expect(http(splitHttpMessage(ascii('HTTP/1.1 304 Not Modified\r\n\r\n'))).complete).toBe(true);
  });

  it('reads a chunked body to its last chunk', () => {
    const bytes = ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    const message = http(splitHttpMessage(bytes));
    expect(message.framing).toBe('chunked');
    expect(message.complete).toBe(true);
    expect(message.end).toBe(bytes.length);
    expect(http(splitHttpMessage(bytes.subarray(0, bytes.length - 3))).complete).toBe(false);
  });

  it('keeps the bytes of a JPEG body exactly', () => {
    const jpeg = readFileSync(path.resolve(__dirname, '../../../src/main/core/labServers/content/cover3.jpg'));
    const head = ascii(`HTTP/1.1 200 OK\r\nContent-Length: ${jpeg.length}\r\nContent-Type: image/jpeg\r\n\r\n`);
    const bytes = new Uint8Array(head.length + jpeg.length);
    bytes.set(head);
    bytes.set(jpeg, head.length);
    const message = http(splitHttpMessage(bytes));
    expect(message.complete).toBe(true);
    expect([...message.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(message.bodyLength).toBe(jpeg.length);
  });

  it('flags a Content-Length that is not a number', () => {
    const message = http(splitHttpMessage(ascii('HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nabc')));
    expect(message.contentLength).toBeNull();
    expect(message.contentLengthProblem).toMatch(/not a number/);
    expect(message.framing).toBe('until-close');
  });
});

describe('splitHttpMessage: requests', () => {
  it('splits the book request with its blank line', () => {
    const message = http(splitHttpMessage(ascii('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n')));
    expect(message.startLine).toEqual({
      kind: 'request',
      method: 'GET',
      target: 'http://data.pr4e.org/romeo.txt',
      version: 'HTTP/1.0',
    });
    expect(message.headers).toEqual([]);
    expect(message.headersComplete).toBe(true);
    expect(message.framing).toBe('none');
    expect(message.complete).toBe(true);
  });

  it('says the slides’ bare \\n\\n is a line-feed-only blank line', () => {
    const message = http(splitHttpMessage(ascii('GET http://data.pr4e.org/romeo.txt HTTP/1.0\n\n')));
    expect(message.lineEnding).toBe('lf');
    expect(message.blankLine).toEqual({ start: 44, end: 45, ending: 'lf' });
    expect(message.complete).toBe(true);
    const mixed = http(splitHttpMessage(ascii('GET / HTTP/1.1\r\nHost: x\n\r\n')));
    expect(mixed.lineEnding).toBe('mixed');
    expect(mixed.blankLine?.ending).toBe('crlf');
  });

  it('waits for the blank line: a request line alone is not complete', () => {
    const message = http(splitHttpMessage(ascii('GET /romeo.txt HTTP/1.0\r\n')));
    expect(message.headersComplete).toBe(false);
    expect(message.complete).toBe(false);
  });

  it('reads the headers urllib sends', () => {
    const bytes = ascii(
      'GET /romeo.txt HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: data.pr4e.org\r\n' +
        'User-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n',
    );
    const message = http(splitHttpMessage(bytes));
    expect(headerValue(message, 'host')).toBe('data.pr4e.org');
    expect(headerValue(message, 'connection')).toBe('close');
    expect(headerValues(message, 'accept-encoding')).toEqual(['identity']);
    expect(message.complete).toBe(true);
  });

  it('notes a request line with no version and a header line with no colon', () => {
    const message = http(splitHttpMessage(ascii('GET /romeo.txt\r\nHost data.pr4e.org\r\n\r\n')));
    expect(message.startLine).toMatchObject({ kind: 'request', version: null });
    expect(message.headers[0]).toMatchObject({ valid: false, name: '' });
    expect(message.problems).toHaveLength(2);
    expect(headerValue(message, 'host')).toBeUndefined();
  });

  it('skips blank lines before a request, as servers do', () => {
    const message = http(splitHttpMessage(ascii('\r\n\nGET / HTTP/1.0\r\n\r\n')));
    expect(message.start).toBe(3);
    expect(message.startLineText).toBe('GET / HTTP/1.0');
  });

  it('counts a request body by its Content-Length', () => {
    const message = http(splitHttpMessage(ascii('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcdef')));
    expect(text(message.body)).toBe('abc');
    expect(message.end).toBe(message.bodyStart + 3);
  });
});

describe('splitHttpMessage: not HTTP', () => {
  it('says an unfinished first line may still become HTTP', () => {
    expect(splitHttpMessage(ascii('GET /romeo.txt HTT'))).toMatchObject({ kind: 'not-http', maybeLater: true });
    expect(splitHttpMessage(ascii('HTT'))).toMatchObject({ kind: 'not-http', maybeLater: true });
    expect(splitHttpMessage(new Uint8Array())).toMatchObject({ kind: 'not-http', maybeLater: true });
  });

  it('never throws on garbage, binary, greetings or echoes', () => {
    const samples = [
      Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x0a),
      Uint8Array.of(0xff, 0xd8, 0xff),
      ascii('220 mail.lab ESMTP ready\r\n'),
      ascii('+OK POP3 ready\r\n'),
      ascii('hello echo\n'),
      ascii('\r\n\r\n'),
      ascii('HTTP/1.1 2000 OK\r\n\r\n'),
      ascii('x'.repeat(20_000)),
    ];
    for (const sample of samples) {
      const split = splitHttpMessage(sample);
      expect(split.kind).toBe('not-http');
    }
    expect(splitHttpMessage(Uint8Array.of(0xff, 0xd8, 0xff))).toMatchObject({ maybeLater: false });
  });

  it('survives every prefix and random bytes', () => {
    for (let n = 0; n <= ROMEO_RESPONSE.length; n += 1)
      expect(() => splitHttpMessage(ROMEO_RESPONSE.subarray(0, n))).not.toThrow();
    let seed = 7;
    for (let round = 0; round < 200; round += 1) {
      const bytes = new Uint8Array(64).map(() => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % 3 === 0 ? 10 : seed & 0xff;
      });
      expect(() => splitHttpStream(bytes)).not.toThrow();
    }
  });
});

describe('splitHttpStream', () => {
  const two =
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello' +
    'HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope';

  it('splits two keep-alive answers by their Content-Length', () => {
    const stream = splitHttpStream(ascii(two));
    expect(stream.messages.map((m) => m.startLineText)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    expect(stream.messages.map((m) => text(m.body))).toEqual(['hello', 'nope']);
    expect(stream.messages.every((m) => m.complete)).toBe(true);
    expect(stream.leftover).toBeNull();
  });

  it('keeps an unfinished last answer and stops there', () => {
    const stream = splitHttpStream(ascii(two.slice(0, -2)));
    expect(stream.messages).toHaveLength(2);
    expect(stream.messages[1]!.complete).toBe(false);
    expect(stream.messages[1]!.bodyMissing).toBe(2);
  });

  it('splits several requests sent on one connection', () => {
    const stream = splitHttpStream(ascii('GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n\r\n'));
    expect(stream.messages.map((m) => m.startLine.kind === 'request' && m.startLine.target)).toEqual(['/a', '/b']);
    expect(stream.leftover).toBeNull();
  });

  it('uses the request methods for HEAD answers', () => {
    const bytes = ascii(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
    );
    const stream = splitHttpStream(bytes, { requestMethods: ['HEAD', 'GET'] });
    expect(stream.messages.map((m) => m.bodyLength)).toEqual([0, 5]);
  });

  it('reports bytes after the messages that are not HTTP', () => {
    const stream = splitHttpStream(ascii('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx\x00\x01\x02\n'));
    expect(stream.messages).toHaveLength(1);
    expect(stream.leftover).toMatchObject({ start: 39, end: 43 });
  });
});
