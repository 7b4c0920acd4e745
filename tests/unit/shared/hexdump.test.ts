import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asciiColumnChar,
  bytesToHex,
  formatOffset,
  HEX_LINE_BYTES,
  hexByte,
  hexDumpLine,
  pythonBytesLiteral,
} from '../../../src/shared/hexdump';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('hexByte and formatOffset', () => {
  it('writes two lower-case digits per byte', () => {
    expect(hexByte(0)).toBe('00');
    expect(hexByte(0x0d)).toBe('0d');
    expect(hexByte(0xff)).toBe('ff');
  });

  it('writes offsets as at least eight hex digits, like hexdump -C', () => {
    expect(formatOffset(0)).toBe('00000000');
    expect(formatOffset(167)).toBe('000000a7');
    expect(formatOffset(0x1_0000_0000)).toBe('100000000');
  });
});

describe('hexDumpLine', () => {
  it('shows CR LF as 0d 0a and dots in the ASCII column', () => {
    const line = hexDumpLine(ascii('hello\r\n'), 32);
    expect(line.offset).toBe('00000020');
    expect(line.hex.startsWith('68 65 6c 6c 6f 0d 0a')).toBe(true);
    expect(line.ascii).toBe('hello..');
  });

  it('pads a short line so the ASCII column stays aligned', () => {
    const full = hexDumpLine(new Uint8Array(HEX_LINE_BYTES).fill(0x41), 0);
    const short = hexDumpLine(ascii('A'), 0);
    expect(short.hex.length).toBe(full.hex.length);
    expect(full.hex).toBe('41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41');
  });

  it('treats only space to tilde as printable', () => {
    expect(asciiColumnChar(0x20)).toBe(' ');
    expect(asciiColumnChar(0x7e)).toBe('~');
    expect(asciiColumnChar(0x7f)).toBe('.');
    expect(asciiColumnChar(0xe9)).toBe('.');
    expect(asciiColumnChar(0x09)).toBe('.');
  });
});

describe('bytesToHex', () => {
  it('joins bytes like Python bytes.hex(" ")', () => {
    expect(bytesToHex(ascii('\r\n'))).toBe('0d 0a');
    expect(bytesToHex(ascii('GET'), '')).toBe('474554');
    expect(bytesToHex(new Uint8Array())).toBe('');
  });
});

describe('pythonBytesLiteral', () => {
  it('writes the request the way Python repr() prints it', () => {
    expect(pythonBytesLiteral(ascii('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'))).toBe(
      "b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'",
    );
  });

  it('escapes tab, backslash and bytes outside printable ASCII as \\xhh', () => {
    expect(pythonBytesLiteral(Uint8Array.of(0x09, 0x5c, 0x00, 0x7f, 0xff, 0x41))).toBe("b'\\t\\\\\\x00\\x7f\\xffA'");
  });

  it('chooses quotes as Python does', () => {
    // repr(b"it's") == b"it's"; repr(b'say "hi"') == b'say "hi"'; repr(b'\'"') == b'\'"'
    expect(pythonBytesLiteral(ascii("it's"))).toBe('b"it\'s"');
    expect(pythonBytesLiteral(ascii('say "hi"'))).toBe('b\'say "hi"\'');
    expect(pythonBytesLiteral(ascii('\'"'))).toBe("b'\\'\"'");
    expect(pythonBytesLiteral(new Uint8Array())).toBe("b''");
  });
});

describe('bytesToHex and pythonBytesLiteral write what the plain definitions write', () => {
  // The definitions, one string a byte: the fast versions (codes written, decoded once) must match them exactly.
  const plainHex = (bytes: Uint8Array, separator: string): string => [...bytes].map(hexByte).join(separator);
  const plainPython = (bytes: Uint8Array): string => {
    const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
    let out = 'b' + quote;
    for (const byte of bytes) {
      const char = String.fromCharCode(byte);
      if (char === quote || char === '\\') out += '\\' + char;
      else if (byte === 0x09) out += '\\t';
      else if (byte === 0x0a) out += '\\n';
      else if (byte === 0x0d) out += '\\r';
      else if (byte >= 0x20 && byte < 0x7f) out += char;
      else out += '\\x' + hexByte(byte);
    }
    return out + quote;
  };

  it('for any bytes and separator', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('', ' ', ':', ', ', '\n', '·'),
        (bytes, separator) => {
          expect(bytesToHex(bytes, separator)).toBe(plainHex(bytes, separator));
          expect(pythonBytesLiteral(bytes)).toBe(plainPython(bytes));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
