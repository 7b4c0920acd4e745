/**
 * Ways to show bytes exactly: a hex dump in the shape of `hexdump -C` (offset, hex, ASCII), plain hex, and a
 * Python bytes literal written the way Python's own `repr()` writes it. Pure functions.
 */

/** Bytes per hex dump line, as `hexdump -C` and `xxd` show them. */
export const HEX_LINE_BYTES = 16;

const HEX_DIGITS = '0123456789abcdef';
const HEX_CODES = Uint8Array.from(HEX_DIGITS, (digit) => digit.charCodeAt(0));
const asciiDecoder = new TextDecoder('utf-8');

/** Bytes that are all ASCII, as a string, in one native call. */
function asciiText(codes: Uint8Array): string {
  return asciiDecoder.decode(codes);
}

/** One byte as two lower-case hex digits. */
export function hexByte(byte: number): string {
  return (HEX_DIGITS[(byte >> 4) & 15] as string) + (HEX_DIGITS[byte & 15] as string);
}

/** A stream offset as at least 8 hex digits, like the first column of `hexdump -C`. */
export function formatOffset(offset: number): string {
  return offset.toString(16).padStart(8, '0');
}

/** Printable ASCII (space to ~) stands for itself in the ASCII column; every other byte is a dot. */
export function asciiColumnChar(byte: number): string {
  return byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.';
}

export interface HexDumpLine {
  /** Stream offset of the first byte, formatted (`00000010`). */
  offset: string;
  /** Two digits per byte, a space between bytes and an extra one after the eighth, padded to a full line. */
  hex: string;
  /** One character per byte: printable ASCII as is, everything else `.`. */
  ascii: string;
}

/** One line of a hex dump: `bytes` holds at most HEX_LINE_BYTES bytes starting at stream offset `offset`. */
export function hexDumpLine(bytes: Uint8Array, offset: number): HexDumpLine {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < HEX_LINE_BYTES; i++) {
    if (i > 0) hex += i === HEX_LINE_BYTES / 2 ? '  ' : ' ';
    const byte = bytes[i];
    if (byte === undefined) {
      hex += '  ';
    } else {
      hex += hexByte(byte);
      ascii += asciiColumnChar(byte);
    }
  }
  return { offset: formatOffset(offset), hex, ascii };
}

/** Bytes as hex digits, `separator` between bytes: `47 45 54` (Python's `bytes.hex(' ')`). */
export function bytesToHex(bytes: Uint8Array, separator = ' '): string {
  const sep = separator.length === 1 ? separator.charCodeAt(0) : -1;
  if (separator.length > 1 || sep > 0x7f) {
    const parts = new Array<string>(bytes.byteLength);
    for (let i = 0; i < bytes.byteLength; i++) parts[i] = hexByte(bytes[i] as number);
    return parts.join(separator);
  }
  // Written as ASCII codes and decoded once: a string per byte joined made a 4 MiB copy take about 400 ms.
  const step = sep === -1 ? 2 : 3;
  const out = new Uint8Array(Math.max(0, bytes.byteLength * step - (step - 2)));
  for (let i = 0, at = 0; i < bytes.byteLength; i++, at += step) {
    const byte = bytes[i] as number;
    out[at] = HEX_CODES[byte >> 4] as number;
    out[at + 1] = HEX_CODES[byte & 15] as number;
    if (sep !== -1 && at + 2 < out.length) out[at + 2] = sep;
  }
  return asciiText(out);
}

/**
 * The bytes as a Python bytes literal, exactly as Python's `repr()` prints them: `b'GET /\r\n\r\n'`.
 * Single quotes unless the bytes hold a `'` and no `"`; `\t \n \r \\` and the quote are escaped;
 * other bytes outside printable ASCII are `\xhh`.
 */
export function pythonBytesLiteral(bytes: Uint8Array): string {
  const quoteByte = bytes.includes(0x27) && !bytes.includes(0x22) ? 0x22 : 0x27;
  // At most four characters a byte (\\xhh), all ASCII: written as codes and decoded once.
  const out = new Uint8Array(bytes.byteLength * 4 + 3);
  let at = 0;
  out[at++] = 0x62; // b
  out[at++] = quoteByte;
  for (let i = 0; i < bytes.byteLength; i++) {
    const byte = bytes[i] as number;
    if (byte === quoteByte || byte === 0x5c) {
      out[at++] = 0x5c;
      out[at++] = byte;
    } else if (byte === 0x09 || byte === 0x0a || byte === 0x0d) {
      out[at++] = 0x5c;
      out[at++] = byte === 0x09 ? 0x74 : byte === 0x0a ? 0x6e : 0x72; // t n r
    } else if (byte >= 0x20 && byte < 0x7f) {
      out[at++] = byte;
    } else {
      out[at++] = 0x5c;
      out[at++] = 0x78; // x
      out[at++] = HEX_CODES[byte >> 4] as number;
      out[at++] = HEX_CODES[byte & 15] as number;
    }
  }
  out[at++] = quoteByte;
  return asciiText(out.subarray(0, at));
}
