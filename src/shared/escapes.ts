/**
 * What the learner types into the message box, turned into the exact bytes that go on the wire, and back.
 * Pure functions, used by the renderer (to show the bytes before sending) and by main.
 *
 * Text format: UTF-8 text in which these escapes stand for one byte each:
 *   \r (13, carriage return)  \n (10, line feed)  \t (9, tab)  \\ (a backslash)  \0 (0)  \xHH (any byte, two hex digits)
 * Hex format: two hex digits per byte (upper or lower case), like Python's `bytes.fromhex`. Spaces, tabs, line
 * breaks and commas may stand between bytes (never inside one), and each group may start with `0x`, so
 * `47 45 54`, `474554`, `0x47, 0x45, 0x54` and `0x474554` all mean the bytes of `GET`.
 */

export type SendFormat = 'text' | 'hex';

export type ParsedBytes = { ok: true; bytes: Uint8Array } | { ok: false; error: string; index: number };

const utf8 = new TextEncoder();

const SINGLE_ESCAPES: Record<string, number> = { r: 13, n: 10, t: 9, '\\': 92, '0': 0 };

function isHexDigit(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-fA-F]$/.test(char);
}

/** How to show one character in an error message, so a space or a tab is visible. */
function describeChar(char: string): string {
  if (char === ' ') return 'a space';
  if (char === '\t') return 'a tab';
  if (char === '\n' || char === '\r') return 'a line break';
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `a control character (code ${code})`;
  return `"${char}"`;
}

/** Positions in messages count from 1, like a person counts characters. */
function position(index: number): string {
  return `character ${index + 1}`;
}

class ByteCollector {
  #chunks: Uint8Array[] = [];
  #length = 0;

  add(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#chunks.push(bytes);
    this.#length += bytes.byteLength;
  }

  addByte(byte: number): void {
    this.add(Uint8Array.of(byte));
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    return out;
  }
}

/** Text with `\r \n \t \\ \0 \xHH` escapes -> bytes. Everything else is encoded as UTF-8. */
export function parseEscapedText(text: string): ParsedBytes {
  const out = new ByteCollector();
  let runStart = 0;
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '\\') {
      i += 1;
      continue;
    }
    out.add(utf8.encode(text.slice(runStart, i)));
    const next = text[i + 1];
    if (next === undefined) {
      return {
        ok: false,
        index: i,
        error: `The backslash at ${position(i)} ends the message, but it starts an escape. Write \\\\ for a backslash itself.`,
      };
    }
    const single = SINGLE_ESCAPES[next];
    if (single !== undefined) {
      out.addByte(single);
      i += 2;
    } else if (next === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (hex.length !== 2 || !isHexDigit(hex[0]) || !isHexDigit(hex[1])) {
        return {
          ok: false,
          index: i,
          error: `The \\x at ${position(i)} must be followed by two hex digits (0-9, a-f), like \\x0d or \\xff.`,
        };
      }
      out.addByte(Number.parseInt(hex, 16));
      i += 4;
    } else {
      const shown = describeChar(String.fromCodePoint(text.codePointAt(i + 1) ?? 0));
      return {
        ok: false,
        index: i,
        error:
          `The backslash at ${position(i)} is followed by ${shown}, which is not an escape this lab knows. ` +
          'Use \\r, \\n, \\t, \\\\, \\0 or \\xHH (two hex digits); write \\\\ for a backslash itself.',
      };
    }
    runStart = i;
  }
  out.add(utf8.encode(text.slice(runStart)));
  return { ok: true, bytes: out.toBytes() };
}

function isHexSeparator(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === ',';
}

/** Hex digits, two per byte, with spaces, line breaks or commas allowed between bytes and optional `0x` prefixes. */
export function parseHex(text: string): ParsedBytes {
  const bytes: number[] = [];
  let i = 0;
  let atGroupStart = true;
  while (i < text.length) {
    const char = text[i] as string;
    if (isHexSeparator(char)) {
      atGroupStart = true;
      i += 1;
      continue;
    }
    if (atGroupStart && char === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      if (!isHexDigit(text[i + 2])) {
        return { ok: false, index: i, error: `The 0x at ${position(i)} must be followed by hex digits, like 0x0d.` };
      }
      i += 2;
    }
    atGroupStart = false;
    const high = text[i] as string;
    if (!isHexDigit(high)) {
      return {
        ok: false,
        index: i,
        error: `${capitalize(describeChar(high))} at ${position(i)} is not a hex digit. Hex uses only 0-9 and a-f.`,
      };
    }
    const low = text[i + 1];
    if (!isHexDigit(low)) {
      if (low === undefined || isHexSeparator(low)) {
        return {
          ok: false,
          index: i,
          error: `The hex digit "${high}" at ${position(i)} has no partner: each byte is exactly two hex digits, like 0a or ff.`,
        };
      }
      return {
        ok: false,
        index: i + 1,
        error: `${capitalize(describeChar(low))} at ${position(i + 1)} is not a hex digit. Hex uses only 0-9 and a-f.`,
      };
    }
    bytes.push(Number.parseInt(high + low, 16));
    i += 2;
  }
  return { ok: true, bytes: Uint8Array.from(bytes) };
}

function capitalize(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Bytes -> text that `parseEscapedText` turns back into the same bytes, for showing exactly what will be sent.
 * Printable ASCII stays as is; CR, LF, tab and backslash become \r \n \t \\; every other byte is \xhh
 * (lower case, as Python prints bytes), including the bytes of non-ASCII UTF-8 text.
 */
export function bytesToEscapedText(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 13) out += '\\r';
    else if (byte === 10) out += '\\n';
    else if (byte === 9) out += '\\t';
    else if (byte === 92) out += '\\\\';
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += '\\x' + byte.toString(16).padStart(2, '0');
  }
  return out;
}
