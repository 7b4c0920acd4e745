/**
 * Bytes shown as text a learner can read exactly: printable ASCII as is, CR as ␍, LF as ␊, tab as ␉, a whole
 * UTF-8 character that can be seen as that character (a typed `é` is `é`, not `\xc3\xa9`; the hex view still
 * shows its two bytes), and every other byte as \xHH (the way Python prints bytes). Only the bytes a row shows are
 * read. The result is plain strings, rendered as text nodes only: bytes from a peer are never interpreted as HTML.
 */

export const CR_GLYPH = '␍';
export const LF_GLYPH = '␊';
export const TAB_GLYPH = '␉';

export type GlyphKind = 'text' | 'utf8' | 'cr' | 'lf' | 'tab' | 'byte';

export interface GlyphRun {
  kind: GlyphKind;
  text: string;
  /** Part of a search match. */
  marked: boolean;
}

function kindOf(byte: number): GlyphKind {
  if (byte === 13) return 'cr';
  if (byte === 10) return 'lf';
  if (byte === 9) return 'tab';
  return byte >= 0x20 && byte <= 0x7e ? 'text' : 'byte';
}

function glyphOf(byte: number, kind: GlyphKind): string {
  switch (kind) {
    case 'cr':
      return CR_GLYPH;
    case 'lf':
      return LF_GLYPH;
    case 'tab':
      return TAB_GLYPH;
    case 'text':
    case 'utf8':
      return String.fromCharCode(byte);
    case 'byte':
      return '\\x' + byte.toString(16).padStart(2, '0');
  }
}

/** Invisible or look-alike characters (controls, format and bidi marks, odd spaces) stay as their bytes. */
const HIDDEN = /[\p{C}\p{Z}]/u;

/**
 * The UTF-8 character whose first byte is bytes[i], ending before `stop`, when it is well formed and can be seen:
 * its text and how many bytes it takes; otherwise null (the bytes are then shown as \xHH).
 */
export function utf8CharAt(bytes: Uint8Array, i: number, stop: number): { text: string; length: number } | null {
  const lead = bytes[i] as number;
  let length: number;
  let code: number;
  let least: number;
  if (lead >= 0xc2 && lead <= 0xdf) [length, code, least] = [2, lead & 0x1f, 0x80];
  else if (lead >= 0xe0 && lead <= 0xef) [length, code, least] = [3, lead & 0x0f, 0x800];
  else if (lead >= 0xf0 && lead <= 0xf4) [length, code, least] = [4, lead & 0x07, 0x10000];
  else return null;
  if (i + length > stop) return null;
  for (let k = 1; k < length; k += 1) {
    const next = bytes[i + k] as number;
    if ((next & 0xc0) !== 0x80) return null;
    code = (code << 6) | (next & 0x3f);
  }
  // Overlong forms, UTF-16 surrogates and code points past Unicode are not UTF-8 text.
  if (code < least || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
  const text = String.fromCodePoint(code);
  return HIDDEN.test(text) ? null : { text, length };
}

function sameMark(from: number, to: number, isMarked: (i: number) => boolean): boolean {
  for (let i = from + 1; i < to; i += 1) if (isMarked(i) !== isMarked(from)) return false;
  return true;
}

/**
 * Runs of same-kind bytes from `start` to `end`. A run never crosses the edge of `mark` (a range in the same
 * index space as start/end), so a search hit can be highlighted. With `maxChars`, the runs stop once they hold
 * that many characters: a one-line preview needs no more, and the browser lays out every character of a line,
 * shown or clipped (240 bytes of binary are 960 characters of \xHH).
 */
export function glyphRuns(
  bytes: Uint8Array,
  start = 0,
  end = bytes.byteLength,
  mark: { start: number; end: number } | null = null,
  maxChars = Number.POSITIVE_INFINITY,
): GlyphRun[] {
  const runs: GlyphRun[] = [];
  let current: GlyphRun | null = null;
  const stop = Math.min(end, bytes.byteLength);
  const isMarked = (i: number): boolean => mark !== null && i >= mark.start && i < mark.end;
  // Characters in the runs before `current`, and so far in it.
  let before = 0;
  for (let i = Math.max(0, start); i < stop; i++) {
    if (before + (current?.text.length ?? 0) >= maxChars) break;
    const byte = bytes[i] as number;
    const marked = isMarked(i);
    const char = byte >= 0x80 ? utf8CharAt(bytes, i, stop) : null;
    // A character is drawn whole only when a search mark does not cut through it.
    if (char && sameMark(i, i + char.length, isMarked)) {
      if (current && current.kind === 'utf8' && current.marked === marked) current.text += char.text;
      else {
        before += current?.text.length ?? 0;
        current = { kind: 'utf8', text: char.text, marked };
        runs.push(current);
      }
      i += char.length - 1;
      continue;
    }
    const kind = kindOf(byte);
    // CR, LF and tab each get their own run so each glyph can be styled and counted.
    if (current && current.kind === kind && current.marked === marked && (kind === 'text' || kind === 'byte')) {
      current.text += glyphOf(byte, kind);
    } else {
      before += current?.text.length ?? 0;
      current = { kind, text: glyphOf(byte, kind), marked };
      runs.push(current);
    }
  }
  return runs;
}

const utf8 = new TextDecoder('utf-8');

/** The bytes decoded as UTF-8 (what `bytes.decode()` gives in Python, with � for bytes that are not UTF-8). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
