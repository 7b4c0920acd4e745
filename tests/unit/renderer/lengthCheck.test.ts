import { describe, expect, it } from 'vitest';
import { splitHttpStream } from '../../../src/shared/http';
import { lengthCheck } from '../../../src/renderer/src/features/byteLog/lengthCheck';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const HEAD_ANSWER = 'HTTP/1.1 200 OK\r\nContent-Length: 167\r\nContent-Type: text/plain\r\n\r\n';
const ROMEO_BODY = 'x'.repeat(167);

function first<T>(items: readonly T[]): T {
  const item = items[0];
  if (item === undefined) throw new Error('no message');
  return item;
}

describe('the HTTP view’s Content-Length check', () => {
  it('does not call the answer to HEAD a mismatch: it has a Content-Length and, rightly, no body', () => {
    const message = first(splitHttpStream(ascii(HEAD_ANSWER), { ended: true, requestMethods: ['HEAD'] }).messages);
    const check = lengthCheck(message, true, 'HEAD');
    expect(check.ok).not.toBe(false);
    expect(check.words).toMatch(/HEAD/);
    expect(check.words).toMatch(/no body/);
    expect(check.words).not.toMatch(/do not match/);
  });

  it('keeps a keep-alive HEAD then GET apart: the GET’s body matches its Content-Length', () => {
    const bytes = ascii(HEAD_ANSWER + HEAD_ANSWER + ROMEO_BODY);
    const { messages } = splitHttpStream(bytes, { requestMethods: ['HEAD', 'GET'] });
    expect(messages).toHaveLength(2);
    expect(lengthCheck(first(messages), false, 'HEAD').ok).toBeNull();
    expect(lengthCheck(first(messages.slice(1)), false, 'GET')).toEqual({
      ok: true,
      words: 'Content-Length: 167 — the body has 167 bytes: they match.',
    });
  });

  it('waits for a short body while the connection is open, and calls it cut short once the server has closed', () => {
    const bytes = ascii(HEAD_ANSWER + 'short');
    const open = first(splitHttpStream(bytes, { ended: false }).messages);
    expect(lengthCheck(open, false, 'GET')).toEqual({
      ok: null,
      words: 'Content-Length: 167 — 5 body bytes so far; 162 still to come.',
    });
    const closed = first(splitHttpStream(bytes, { ended: true }).messages);
    expect(lengthCheck(closed, true, 'GET')).toEqual({
      ok: false,
      words: 'Content-Length: 167 — but the connection closed after 5 body bytes: 162 never came.',
    });
  });
});
