/**
 * Bytes shown as text a learner can read exactly: printable ASCII as is, CR as ␍, LF as ␊, tab as ␉, and every
 * other byte as \xHH (the way Python prints bytes). The result is plain strings, rendered as text nodes only:
 * bytes from a peer are never interpreted as HTML.
 */

export const CR_GLYPH = '␍';
export const LF_GLYPH = '␊';
export const TAB_GLYPH = '␉';

export type GlyphKind = 'text' | 'cr' | 'lf' | 'tab' | 'byte';

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
      return String.fromCharCode(byte);
    case 'byte':
      return '\\x' + byte.toString(16).padStart(2, '0');
  }
}

/**
 * Runs of same-kind bytes from `start` to `end`. A run never crosses the edge of `mark` (a range in the same
 * index space as start/end), so a search hit can be highlighted.
 */
export function glyphRuns(
  bytes: Uint8Array,
  start = 0,
  end = bytes.byteLength,
  mark: { start: number; end: number } | null = null,
): GlyphRun[] {
  const runs: GlyphRun[] = [];
  let current: GlyphRun | null = null;
  const stop = Math.min(end, bytes.byteLength);
  for (let i = Math.max(0, start); i < stop; i++) {
    const byte = bytes[i] as number;
    const kind = kindOf(byte);
    const marked = mark !== null && i >= mark.start && i < mark.end;
    // CR, LF and tab each get their own run so each glyph can be styled and counted.
    if (current && current.kind === kind && current.marked === marked && (kind === 'text' || kind === 'byte')) {
      current.text += glyphOf(byte, kind);
    } else {
      current = { kind, text: glyphOf(byte, kind), marked };
      runs.push(current);
    }
  }
  return runs;
}

/** The same, as one string: `GET / HTTP/1.0␍␊␍␊`. */
export function glyphText(bytes: Uint8Array, start = 0, end = bytes.byteLength): string {
  let text = '';
  const stop = Math.min(end, bytes.byteLength);
  for (let i = Math.max(0, start); i < stop; i++) {
    const byte = bytes[i] as number;
    text += glyphOf(byte, kindOf(byte));
  }
  return text;
}

const utf8 = new TextDecoder('utf-8');

/** The bytes decoded as UTF-8 (what `bytes.decode()` gives in Python, with � for bytes that are not UTF-8). */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
