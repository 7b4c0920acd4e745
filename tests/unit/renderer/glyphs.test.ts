import { describe, expect, it } from 'vitest';
import { decodeText, glyphRuns, glyphText } from '../../../src/renderer/src/features/byteLog/glyphs';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('glyphText', () => {
  it('draws CR, LF and tab as control pictures and other bytes as \\xHH', () => {
    expect(glyphText(ascii('GET / HTTP/1.0\r\n\r\n'))).toBe('GET / HTTP/1.0␍␊␍␊');
    expect(glyphText(Uint8Array.of(0x09, 0x00, 0x7f, 0xff, 0x41))).toBe('␉\\x00\\x7f\\xffA');
  });

  it('shows the bytes of UTF-8 text one by one, as Python prints bytes', () => {
    expect(glyphText(new TextEncoder().encode('é'))).toBe('\\xc3\\xa9');
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
});
