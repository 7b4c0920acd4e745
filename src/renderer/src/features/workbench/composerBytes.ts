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
