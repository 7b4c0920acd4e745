import { describe, expect, it } from 'vitest';
import {
  validateAckSeq,
  validateConnectionId,
  validateConnectRequest,
  validateHost,
  validateSendBytes,
} from '../../../src/main/core/validation';
import { LIMITS } from '../../../src/shared/limits';
import { validatePort } from '../../../src/shared/ports';

describe('validatePort', () => {
  it('accepts whole numbers 1..65535 and strings of decimal digits', () => {
    expect(validatePort(80)).toEqual({ ok: true, value: 80 });
    expect(validatePort(1)).toEqual({ ok: true, value: 1 });
    expect(validatePort(65535)).toEqual({ ok: true, value: 65535 });
    expect(validatePort('80')).toEqual({ ok: true, value: 80 });
    expect(validatePort('65535')).toEqual({ ok: true, value: 65535 });
    expect(validatePort('080')).toEqual({ ok: true, value: 80 });
  });

  it.each([
    [0, 'Port 0'],
    ['0', 'Port 0'],
    ['0x50', '0x50 in hex would be 80'],
    [' 80', 'spaces'],
    ['80 ', 'spaces'],
    [1.5, 'fractions'],
    ['1.5', 'fractions'],
    [65536, 'largest port is 65535'],
    ['65536', 'largest port is 65535'],
    ['99999999999999999999', 'largest port is 65535'],
    ['', 'Type a port'],
    ['1e3', 'digits 0-9'],
    [Number.NaN, 'digits'],
    [Number.POSITIVE_INFINITY, 'digits'],
    [-1, 'negative'],
    ['-1', 'sign'],
    ['+80', 'sign'],
    [null, 'Type a port'],
    [undefined, 'Type a port'],
    [[80], 'Type a port'],
    [{ port: 80 }, 'Type a port'],
    [80n, 'Type a port'],
  ])('refuses %s in plain words', (value, hint) => {
    const result = validatePort(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('BAD_PORT');
    expect(result.error.message).toMatch(/^A port is a whole number from 1 to 65535, like 80\. .* is not one\.$/);
    expect(result.error.hint).toContain(hint);
  });

  it('quotes the value the learner typed', () => {
    const result = validatePort('0x50');
    expect(result.ok || result.error.message).toBe(
      'A port is a whole number from 1 to 65535, like 80. "0x50" is not one.',
    );
  });
});

describe('validateHost', () => {
  it.each([
    ['data.pr4e.org', 'data.pr4e.org'],
    ['data.pr4e.org.', 'data.pr4e.org.'],
    ['localhost', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['a-b.c-d.e', 'a-b.c-d.e'],
    ['123.example', '123.example'],
    ['0xdead.example', '0xdead.example'],
    [`${'a'.repeat(63)}.org`, `${'a'.repeat(63)}.org`],
  ])('accepts %s', (value, host) => {
    expect(validateHost(value)).toEqual({ ok: true, value: host });
  });

  const longName = `${Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.')}.com`; // 4*63+3+4 = 259
  it.each([
    ['data pr4e.org', 'cannot contain spaces'],
    [' data.pr4e.org', 'cannot contain spaces'],
    ['data.pr4e.org\n', 'control characters'],
    ['data\t.org', 'control characters'],
    ['data\x00.org', 'control characters'],
    ['my_host.example', '"_" (underscore)'],
    ['', 'empty'],
    ['http://data.pr4e.org/romeo.txt', 'without a scheme'],
    ['data.pr4e.org/romeo.txt', 'without a scheme'],
    ['data.pr4e.org:80', 'a host and a port together'],
    ['[data.pr4e.org]', 'only for IPv6'],
    ['[::1', 'only for IPv6'],
    ['::g', 'not a valid one'],
    ['256.1.1.1', 'looks like an IPv4 address'],
    ['1.2.3', 'looks like an IPv4 address'],
    // The system resolver reads these as 127.0.0.1, so they are addresses in disguise, not names.
    ['0x7f.1', 'looks like an IPv4 address'],
    ['0x7F.0.0.1', 'looks like an IPv4 address'],
    ['0x7f000001', 'looks like an IPv4 address'],
    [longName, 'at most 253 characters'],
    [`${'a'.repeat(64)}.org`, 'at most 63 characters'],
    ['-data.org', 'hyphen'],
    ['data-.org', 'hyphen'],
    ['data..org', 'two dots in a row'],
    ['.data.org', 'start with a dot'],
    ['bücher.example', 'cannot contain "ü"'],
    ['data!.org', 'cannot contain "!"'],
  ])('refuses %j', (value, words) => {
    const result = validateHost(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('BAD_HOST');
    expect(`${result.error.message} ${result.error.hint}`).toContain(words);
    expect(result.error.hint.length).toBeGreaterThan(0);
  });

  it('says exactly what is wrong with a space', () => {
    const result = validateHost('data pr4e.org');
    expect(result.ok || result.error.message).toBe('A host name cannot contain spaces.');
  });

  it('allows 253 characters but not 254', () => {
    const labels = (total: number): string => {
      const parts: string[] = [];
      let left = total;
      while (left > 0) {
        const size = Math.min(63, left);
        parts.push('a'.repeat(size));
        left -= size + 1;
      }
      return parts.join('.');
    };
    expect(labels(253)).toHaveLength(253);
    expect(validateHost(labels(253)).ok).toBe(true);
    expect(validateHost(`${labels(253)}.`).ok).toBe(true);
    expect(labels(254)).toHaveLength(254);
    expect(validateHost(labels(254))).toMatchObject({ ok: false, error: { code: 'BAD_HOST' } });
  });

  it('refuses things that are not text', () => {
    for (const value of [42, null, undefined, {}, ['a']]) {
      expect(validateHost(value)).toMatchObject({ ok: false, error: { code: 'BAD_HOST' } });
    }
  });
});

describe('validateConnectRequest', () => {
  it('fills in the lab route and the default timeout', () => {
    expect(validateConnectRequest({ host: 'data.pr4e.org', port: 80 })).toEqual({
      ok: true,
      value: { host: 'data.pr4e.org', port: 80, route: 'lab', timeoutMs: LIMITS.connectTimeoutMs, tls: false },
    });
  });

  it('keeps the TLS switch, true or false, and nothing else', () => {
    expect(validateConnectRequest({ host: 'data.pr4e.org', port: 443, tls: true })).toMatchObject({
      ok: true,
      value: { port: 443, tls: true },
    });
    expect(validateConnectRequest({ host: 'data.pr4e.org', port: 443, tls: false })).toMatchObject({
      ok: true,
      value: { tls: false },
    });
    for (const tls of ['true', 1, null, {}]) {
      const result = validateConnectRequest({ host: 'data.pr4e.org', port: 443, tls });
      expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(result.ok || result.error.message).toMatch(/^The TLS switch must be true or false, not /);
    }
  });

  it('keeps a given route and timeout, strips IPv6 brackets, and reads a digit-string port', () => {
    expect(validateConnectRequest({ host: '[::1]', port: '7', route: 'internet', timeoutMs: 500 })).toEqual({
      ok: true,
      value: { host: '::1', port: 7, route: 'internet', timeoutMs: 500, tls: false },
    });
  });

  it.each([
    [null, 'BAD_REQUEST'],
    ['data.pr4e.org:80', 'BAD_REQUEST'],
    [[], 'BAD_REQUEST'],
    [{ host: 'a.org', port: 80, extra: 1 }, 'BAD_REQUEST'],
    [{ host: 'a.org', port: 80, __proto__: { polluted: true } }, 'BAD_REQUEST'],
    [{ host: 'a b', port: 80 }, 'BAD_HOST'],
    [{ port: 80 }, 'BAD_HOST'],
    [{ host: 'a.org', port: '0x50' }, 'BAD_PORT'],
    [{ host: 'a.org' }, 'BAD_PORT'],
    [{ host: 'a.org', port: 80, route: 'moon' }, 'BAD_REQUEST'],
    [{ host: 'a.org', port: 80, timeoutMs: 0 }, 'BAD_REQUEST'],
    [{ host: 'a.org', port: 80, timeoutMs: 1.5 }, 'BAD_REQUEST'],
    [{ host: 'a.org', port: 80, timeoutMs: '1000' }, 'BAD_REQUEST'],
    [{ host: 'a.org', port: 80, timeoutMs: LIMITS.maxConnectTimeoutMs + 1 }, 'BAD_REQUEST'],
  ])('refuses %j with %s', (raw, code) => {
    expect(validateConnectRequest(raw)).toMatchObject({ ok: false, error: { code } });
  });

  it('names the unknown field', () => {
    const result = validateConnectRequest({ host: 'a.org', port: 80, hots: 'x' });
    expect(result.ok || result.error.message).toContain('"hots"');
  });

  it('accepts the largest timeout', () => {
    expect(validateConnectRequest({ host: 'a.org', port: 80, timeoutMs: LIMITS.maxConnectTimeoutMs }).ok).toBe(true);
  });
});

describe('validateConnectionId', () => {
  it('accepts an id the hub makes', () => {
    const id = crypto.randomUUID();
    expect(validateConnectionId(id)).toEqual({ ok: true, value: id });
  });

  it.each([[''], [42], [null], ['a'.repeat(65)], ['../etc'], ['id with space']])('refuses %j', (raw) => {
    expect(validateConnectionId(raw)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});

describe('validateSendBytes', () => {
  it('accepts a Uint8Array or a Buffer of 1 byte up to 1 MiB', () => {
    expect(validateSendBytes(Uint8Array.of(1)).ok).toBe(true);
    expect(validateSendBytes(Buffer.from('hello')).ok).toBe(true);
    expect(validateSendBytes(new Uint8Array(LIMITS.maxSendBytes)).ok).toBe(true);
  });

  it('refuses an empty send in plain words', () => {
    const result = validateSendBytes(new Uint8Array(0));
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(result.ok || result.error.message).toBe('There is nothing to send: the message is empty.');
  });

  it('refuses more than 1 MiB with the size in words', () => {
    const result = validateSendBytes(new Uint8Array(LIMITS.maxSendBytes + 1));
    expect(result).toMatchObject({ ok: false, error: { code: 'SEND_TOO_LARGE' } });
    expect(result.ok || result.error.message).toBe(
      'This send is 1 MiB (1,048,577 bytes); one send can be at most 1 MiB (1,048,576 bytes).',
    );
    const big = validateSendBytes(new Uint8Array(3 * 1024 * 1024 + 512 * 1024));
    expect(big.ok || big.error.message).toContain('3.5 MiB (3,670,016 bytes)');
  });

  it.each([
    ['hello'],
    [[104, 105]],
    [new Uint16Array(2)],
    [new ArrayBuffer(4)],
    [null],
    [new DataView(new ArrayBuffer(2))],
  ])('refuses %j, which is not bytes', (raw) => {
    expect(validateSendBytes(raw)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});

describe('validateAckSeq', () => {
  it('accepts whole numbers from 0', () => {
    expect(validateAckSeq(0)).toEqual({ ok: true, value: 0 });
    expect(validateAckSeq(12)).toEqual({ ok: true, value: 12 });
  });

  it.each([[-1], [1.5], [Number.NaN], ['3'], [null], [2 ** 53]])('refuses %j', (raw) => {
    expect(validateAckSeq(raw)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});

describe('the words of a refusal (issue 12.9)', () => {
  const words = (result: { ok: boolean; error?: { message: string; hint: string } }): string =>
    result.ok ? '' : `${result.error?.message ?? ''} ${result.error?.hint ?? ''}`;

  it('echoes a long hex port only as a short excerpt, and never says "Infinity"', () => {
    const typed = `0x${'f'.repeat(400)}`;
    const text = words(validatePort(typed));
    expect(text).not.toContain('Infinity');
    expect(text).not.toContain('f'.repeat(60));
    expect(text.length).toBeLessThan(300);
    expect(text).toContain('larger than 65535');
    // A hex port that fits still gets its decimal value.
    expect(words(validatePort('0x50'))).toContain('0x50 in hex would be 80');
  });

  it('says "an object", and names other kinds of value in plain words', () => {
    expect(words(validatePort({ port: 80 }))).toContain('an object is not one');
    expect(words(validatePort({ port: 80 }))).not.toContain('a object');
    expect(words(validatePort(true))).toContain('true is not one');
    expect(words(validatePort(Number.POSITIVE_INFINITY))).not.toContain('Infinity');
    expect(words(validateAckSeq({}))).toMatch(/^an object is not a batch number/);
  });

  it('reads leading zeros as the number they are: "0000080" is 80, not too large', () => {
    expect(validatePort('0000080')).toEqual({ ok: true, value: 80 });
    expect(validatePort('000000000000000000000443')).toEqual({ ok: true, value: 443 });
    expect(words(validatePort('0000000'))).toContain('Port 0');
    expect(words(validatePort('0065536'))).toContain('largest port is 65535');
    expect(words(validatePort('9'.repeat(400)))).toContain('largest port is 65535');
    expect(words(validatePort('9'.repeat(400)))).not.toContain('9'.repeat(60));
  });

  it.each([
    ['right-to-left override', '80\u202e08', '\\u202e'],
    ['zero-width space', '8\u200b0', '\\u200b'],
    ['byte-order mark', '\ufeff80', '\\ufeff'],
    ['left-to-right isolate', '\u206680', '\\u2066'],
    ['no-break space', '80\u00a0', '\\u00a0'],
    ['a line separator', '80\u2028', '\\u2028'],
    ['a lone surrogate', '80\ud800', '\\ud800'],
    ['an escape (terminal colours)', '\u001b[31m80', '\\u001b'],
  ])('shows a %s as an escape, never raw', (_name, typed, escaped) => {
    for (const text of [
      words(validatePort(typed)),
      words(validateConnectionId(typed)),
      words(validateConnectRequest({ host: 'a.org', port: 80, [typed]: 1 })),
    ]) {
      expect(text).toContain(escaped);
      for (const raw of ['\u200b', '\u202e', '\ufeff', '\u2066', '\u00a0', '\u2028', '\u001b']) {
        expect(text).not.toContain(raw);
      }
      expect(text).not.toMatch(/[\ud800-\udfff]/);
    }
  });

  it('escapes a hidden or right-to-left character in a host name too', () => {
    for (const host of ['data\u202e.org', 'data\u200b.org', 'evil\u2067.org']) {
      const text = words(validateHost(host));
      expect(text).toMatch(/\\u20[0-9a-f]{2}/);
      expect(text).not.toMatch(/[\u200b\u202e\u2067]/);
    }
  });

  it('cuts what it echoes to a short excerpt, whole characters only', () => {
    const text = words(validateConnectionId('😀'.repeat(500)));
    expect(text.length).toBeLessThan(200);
    expect(text).toContain('😀');
    // No half of a surrogate pair is left at the cut.
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    const key = words(validateConnectRequest({ host: 'a.org', port: 80, ['k'.repeat(5000)]: 1 }));
    expect(key.length).toBeLessThan(200);
  });
});
