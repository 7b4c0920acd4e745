import { describe, expect, it } from 'vitest';
import { decodeText, glyphRuns } from '../../../src/renderer/src/lib/glyphs';

/** What the runs draw, as one string: `GET / HTTP/1.0␍␊␍␊` (the byte log draws the runs themselves). */
function glyphText(bytes: Uint8Array, start?: number, end?: number): string {
  return glyphRuns(bytes, start, end)
    .map((run) => run.text)
    .join('');
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('glyphText', () => {
  it('draws CR, LF and tab as control pictures and other bytes as \\xHH', () => {
    expect(glyphText(ascii('GET / HTTP/1.0\r\n\r\n'))).toBe('GET / HTTP/1.0␍␊␍␊');
    expect(glyphText(Uint8Array.of(0x09, 0x00, 0x7f, 0xff, 0x41))).toBe('␉\\x00\\x7f\\xffA');
  });

  it('shows UTF-8 text as text where it decodes, and every other byte as \\xHH', () => {
    const utf8 = (text: string) => new TextEncoder().encode(text);
    expect(glyphText(utf8('café\r\n'))).toBe('café␍␊');
    expect(glyphText(utf8('naïve 😀 日本'))).toBe('naïve 😀 日本');
    // A character cut off at the end of what is shown, a lone continuation byte, an overlong form, a surrogate.
    expect(glyphText(utf8('é'), 0, 1)).toBe('\\xc3');
    expect(glyphText(Uint8Array.of(0xa9, 0x41))).toBe('\\xa9A');
    expect(glyphText(Uint8Array.of(0xc0, 0xaf))).toBe('\\xc0\\xaf');
    expect(glyphText(Uint8Array.of(0xed, 0xa0, 0x80))).toBe('\\xed\\xa0\\x80');
    // Characters that cannot be seen (a no-break space, a right-to-left override, a C1 control) stay as bytes.
    expect(glyphText(utf8('a\u00a0b'))).toBe('a\\xc2\\xa0b');
    expect(glyphText(utf8('\u202e'))).toBe('\\xe2\\x80\\xae');
    expect(glyphText(Uint8Array.of(0xc2, 0x85))).toBe('\\xc2\\x85');
  });

  it('reads only the range asked for', () => {
    expect(glyphText(ascii('abcdef'), 2, 4)).toBe('cd');
    expect(glyphText(ascii('ab'), 0, 99)).toBe('ab');
  });
});

describe('glyphRuns', () => {
  it('groups printable text and gives each control byte its own run', () => {
    expect(glyphRuns(ascii('hi\r\n\r\nok'))).toEqual([
      { kind: 'text', text: 'hi', marked: false },
      { kind: 'cr', text: '␍', marked: false },
      { kind: 'lf', text: '␊', marked: false },
      { kind: 'cr', text: '␍', marked: false },
      { kind: 'lf', text: '␊', marked: false },
      { kind: 'text', text: 'ok', marked: false },
    ]);
  });

  it('splits runs at the edges of a search mark', () => {
    expect(glyphRuns(ascii('abcdef'), 0, 6, { start: 2, end: 4 })).toEqual([
      { kind: 'text', text: 'ab', marked: false },
      { kind: 'text', text: 'cd', marked: true },
      { kind: 'text', text: 'ef', marked: false },
    ]);
  });

  it('keeps a UTF-8 character whole, unless a search mark cuts through it', () => {
    const bytes = new TextEncoder().encode('café');
    expect(glyphRuns(bytes)).toEqual([
      { kind: 'text', text: 'caf', marked: false },
      { kind: 'utf8', text: 'é', marked: false },
    ]);
    expect(glyphRuns(bytes, 0, 5, { start: 3, end: 5 })).toEqual([
      { kind: 'text', text: 'caf', marked: false },
      { kind: 'utf8', text: 'é', marked: true },
    ]);
    expect(glyphRuns(bytes, 0, 5, { start: 4, end: 5 })).toEqual([
      { kind: 'text', text: 'caf', marked: false },
      { kind: 'byte', text: '\\xc3', marked: false },
      { kind: 'byte', text: '\\xa9', marked: true },
    ]);
  });

  it('merges neighbouring non-printable bytes', () => {
    expect(glyphRuns(Uint8Array.of(0xff, 0xd8, 0x41))).toEqual([
      { kind: 'byte', text: '\\xff\\xd8', marked: false },
      { kind: 'text', text: 'A', marked: false },
    ]);
  });
});

describe('decodeText', () => {
  it('decodes UTF-8 and replaces what is not UTF-8', () => {
    expect(decodeText(ascii('hello\r\n'))).toBe('hello\r\n');
    expect(decodeText(Uint8Array.of(0xff))).toBe('\ufffd');
  });

  it('stops at maxChars characters, a run cut at the bytes that reach it (a one-line preview)', () => {
    const binary = Uint8Array.from({ length: 240 }, (_, i) => 0x80 + (i % 64));
    const runs = glyphRuns(binary, 0, 240, null, 240);
    const text = runs.map((run) => run.text).join('');
    // Sixty bytes of \xHH are the 240 characters a preview line can hold; the rest is not drawn.
    expect(text.length).toBe(240);
    expect(text.startsWith('\\x80\\x81')).toBe(true);
    const mixed = ascii('GET / HTTP/1.0\r\n\r\n');
    expect(glyphRuns(mixed, 0, mixed.length, null, 5).map((run) => run.text)).toEqual(['GET /']);
    expect(glyphRuns(mixed, 0, mixed.length, null, 15).map((run) => run.kind)).toEqual(['text', 'cr']);
    // No limit: every byte.
    expect(
      glyphRuns(binary)
        .map((run) => run.text)
        .join('').length,
    ).toBe(960);
  });
});
