/**
 * The composer's text -> the exact bytes that will be sent. In text mode a line break typed in the box (Enter)
 * becomes CR LF, like telnet sends, or a bare LF when the learner chooses so; `\r \n \t \\ \xHH` escapes work
 * everywhere (src/shared/escapes.ts). In hex mode line breaks only separate bytes.
 */
import {
  bytesToEscapedText,
  parseEscapedText,
  parseHex,
  type ParsedBytes,
  type SendFormat,
} from '../../../../shared/escapes';
import { utf8CharAt } from '../../lib/glyphs';
import { LIMITS } from '../../../../shared/limits';

export type EnterBytes = 'crlf' | 'lf';

const CRLF = Uint8Array.of(13, 10);
const LF = Uint8Array.of(10);

/** No spelling of one send (even `0xHH, ` per byte) needs more characters than this; longer text is not parsed. */
export const MAX_COMPOSER_CHARACTERS = 8 * LIMITS.maxSendBytes;

/**
 * The fewest bytes `text` can mean, found without parsing it: in text mode an escape (`\xHH`, four characters) is
 * the most characters one byte takes (and with bare-LF breaks a pasted CR LF is one byte); in hex, two digits are one
 * byte (a `0x` prefix's 0 aside). For a paste too big to be one send, told before the box holds it: a text box with
 * millions of characters takes the browser seconds to lay out.
 */
export function fewestBytes(text: string, format: SendFormat, enter: EnterBytes = 'lf'): number {
  if (format === 'text') {
    let escapes = 0;
    for (let at = text.indexOf('\\'); at !== -1; at = text.indexOf('\\', at + 1)) escapes += 1;
    // With bare LF line breaks, a pasted CR before LF is part of one break, one byte (with CR LF, two, as typed).
    let returns = 0;
    if (enter === 'lf') for (let at = text.indexOf('\r'); at !== -1; at = text.indexOf('\r', at + 1)) returns += 1;
    return Math.max(0, text.length - 3 * escapes - returns);
  }
  let digits = 0;
  let prefixes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) | 0x20;
    if ((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66)) digits += 1;
    else if (code === 0x78) prefixes += 1;
  }
  return Math.max(0, Math.floor((digits - prefixes) / 2));
}

/** Text this long or longer is checked with `fewestBytes` before it goes into the box (typing never gets here). */
export const CHECKED_INSERT_CHARACTERS = 64 * 1024;

export function composerBytes(text: string, format: SendFormat, enter: EnterBytes): ParsedBytes {
  // A huge paste is refused in words at once, instead of being parsed again on every keystroke.
  if (text.length > MAX_COMPOSER_CHARACTERS) {
    const millions = (text.length / 1_000_000).toFixed(1);
    return {
      ok: false,
      error: `This message is ${millions} million characters long, far more than one send can carry (at most 1 MiB). Send it in smaller pieces.`,
      index: MAX_COMPOSER_CHARACTERS,
    };
  }
  if (format === 'hex') return parseHex(text);
  const breakBytes = enter === 'crlf' ? CRLF : LF;
  const parts: Uint8Array[] = [];
  let at = 0;
  // Each typed line is parsed alone so an escape can never swallow the line break after it.
  for (const line of text.split('\n')) {
    const withoutCr = line.endsWith('\r') ? line.slice(0, -1) : line;
    const parsed = parseEscapedText(withoutCr);
    if (!parsed.ok)
      return {
        ok: false,
        error: parsed.error.replace(/character \d+/, `character ${at + parsed.index + 1}`),
        index: at + parsed.index,
      };
    if (parts.length > 0) parts.push(breakBytes);
    parts.push(parsed.bytes);
    at += line.length + 1;
  }
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return { ok: true, bytes };
}

/**
 * Bytes -> what the text box would hold to send exactly them, whatever a typed line break sends: printable ASCII
 * and readable UTF-8 characters as they are, CR, LF, tab and backslash as \r \n \t \\, anything else as \xhh.
 */
export function bytesToComposerText(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.byteLength; i += 1) {
    const byte = bytes[i] as number;
    const char = byte >= 0x80 ? utf8CharAt(bytes, i, bytes.byteLength) : null;
    if (char) {
      out += char.text;
      i += char.length - 1;
    } else {
      out += bytesToEscapedText(bytes.subarray(i, i + 1));
    }
  }
  return out;
}
