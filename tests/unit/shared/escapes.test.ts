import { describe, expect, it } from 'vitest';
import { bytesToEscapedText, parseEscapedText, parseHex } from '../../../src/shared/escapes';

function bytesOf(result: ReturnType<typeof parseEscapedText>): number[] {
  if (!result.ok) throw new Error(`expected bytes, got: ${result.error}`);
  return [...result.bytes];
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

describe('parseEscapedText', () => {
  it('turns the chapter request into the exact bytes on the wire', () => {
    const result = parseEscapedText('GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n');
    expect(bytesOf(result)).toEqual(ascii('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'));
  });

  it('knows \\r \\n \\t \\\\ \\0 and \\xHH (either case)', () => {
    expect(bytesOf(parseEscapedText('a\\rb\\nc\\td\\\\e\\0f\\x41\\xfF\\x00'))).toEqual([
      97, 13, 98, 10, 99, 9, 100, 92, 101, 0, 102, 0x41, 0xff, 0,
    ]);
  });

  it('encodes everything else as UTF-8', () => {
    expect(bytesOf(parseEscapedText('é€😀'))).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    expect(bytesOf(parseEscapedText(''))).toEqual([]);
  });

  it('reads \\0 as one NUL byte even before a digit', () => {
    expect(bytesOf(parseEscapedText('\\01'))).toEqual([0, 49]);
  });

  it('refuses an unknown escape and says where, counting from 1', () => {
    const result = parseEscapedText('abc\\qdef');
    expect(result).toMatchObject({ ok: false, index: 3 });
    if (result.ok) return;
    expect(result.error).toContain('character 4');
    expect(result.error).toContain('"q"');
    expect(result.error).toContain('\\\\');
  });

  it('refuses a bad \\x', () => {
    for (const [text, index] of [
      ['\\x', 0],
      ['ab\\x4', 2],
      ['\\xg1', 0],
      ['\\x 1', 0],
    ] as const) {
      const result = parseEscapedText(text);
      expect(result, text).toMatchObject({ ok: false, index });
      if (!result.ok) expect(result.error).toContain('two hex digits');
    }
  });

  it('refuses a lone backslash at the end', () => {
    const result = parseEscapedText('hello\\');
    expect(result).toMatchObject({ ok: false, index: 5 });
    if (!result.ok) expect(result.error).toContain('character 6');
  });

  it('names invisible characters after a backslash in words', () => {
    const result = parseEscapedText('\\ ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain('a space');
  });
});

describe('parseHex', () => {
  it('reads pairs of digits, with or without spaces, line breaks, commas and 0x', () => {
    const get = [0x47, 0x45, 0x54];
    for (const text of [
      '474554',
      '47 45 54',
      '47\n45\r\n54',
      '0x47, 0x45, 0x54',
      '0x474554',
      ' 47\t4554 ',
      '47,45,54',
    ]) {
      const result = parseHex(text);
      expect(result, text).toEqual({ ok: true, bytes: Uint8Array.from(get) });
    }
    expect(parseHex('fFaA00')).toEqual({ ok: true, bytes: Uint8Array.from([0xff, 0xaa, 0]) });
    expect(parseHex('')).toEqual({ ok: true, bytes: new Uint8Array(0) });
  });

  it('refuses an odd number of digits, naming the digit with no partner', () => {
    const result = parseHex('47 4');
    expect(result).toMatchObject({ ok: false, index: 3 });
    if (!result.ok) expect(result.error).toContain('no partner');
    expect(parseHex('474')).toMatchObject({ ok: false, index: 2 });
    // A byte cannot be split by a space, as in Python's bytes.fromhex.
    expect(parseHex('4 7')).toMatchObject({ ok: false, index: 0 });
  });

  it('refuses characters that are not hex digits', () => {
    const result = parseHex('47 4g');
    expect(result).toMatchObject({ ok: false, index: 4 });
    if (!result.ok) expect(result.error).toContain('"g"');
    expect(parseHex('zz')).toMatchObject({ ok: false, index: 0 });
    expect(parseHex('0x')).toMatchObject({ ok: false, index: 0 });
    expect(parseHex('0x 47')).toMatchObject({ ok: false, index: 0 });
    expect(parseHex('47-45')).toMatchObject({ ok: false, index: 2 });
  });
});

describe('bytesToEscapedText', () => {
  it('shows printable ASCII as is and escapes the rest', () => {
    const bytes = Uint8Array.from([...ascii('GET / HTTP/1.0'), 13, 10, 9, 92, 0, 0x7f, 0xc3, 0xa9]);
    expect(bytesToEscapedText(bytes)).toBe('GET / HTTP/1.0\\r\\n\\t\\\\\\x00\\x7f\\xc3\\xa9');
  });

  it('round-trips every byte value through parseEscapedText', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = bytesToEscapedText(all);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(parseEscapedText(text)).toEqual({ ok: true, bytes: all });
  });

  it('round-trips random bytes', () => {
    let seed = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    expect(parseEscapedText(bytesToEscapedText(random))).toEqual({ ok: true, bytes: random });
  });
});
