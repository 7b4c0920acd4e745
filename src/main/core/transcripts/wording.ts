/**
 * Words and numbers as the transcript files show them to a learner or a teacher: counts with thousands
 * separators, sizes, session times, and text from a session made safe to print (a host name or an error message
 * can hold any character, and a control character must never reach a terminal or break a line of a file).
 */

/** `230,210`: thousands separated the same way on every machine. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** `1 byte`, `52 bytes`, `230,210 bytes`. */
export function bytesInWords(value: number): string {
  return value === 1 ? '1 byte' : `${count(value)} bytes`;
}

/** `512 MiB`, `8 KiB`, `300 bytes`: a limit in the unit a person reads it in. */
export function sizeInWords(value: number): string {
  const unit = (size: number, name: string): string => `${(value / size).toFixed(1).replace(/\.0$/, '')} ${name}`;
  if (value >= 1024 * 1024 * 1024) return unit(1024 * 1024 * 1024, 'GiB');
  if (value >= 1024 * 1024) return unit(1024 * 1024, 'MiB');
  if (value >= 1024) return unit(1024, 'KiB');
  return bytesInWords(value);
}

/** Milliseconds as seconds with three decimals: `+1.234 s`. */
export function secondsAfter(ms: number): string {
  return `+${(Math.max(0, ms) / 1000).toFixed(3)} s`;
}

/** Wall-clock milliseconds as `2026-11-30 14:02:00 UTC`, the same wherever the file is made. */
export function wallClock(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return 'an unknown time';
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** A character that must not be printed as it is: C0 and C1 controls, DEL, line and paragraph separators,
 *  bidirectional controls (they reorder what an editor shows), and the byte-order mark. */
export function isUnsafeCharacter(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

/** Text from a session, safe on one line: every unsafe character (and a lone surrogate, which has no UTF-8 form)
 *  becomes `\xHH` or `\uHHHH`. */
export function visible(text: string): string {
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    let escaped: string | null = null;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
      escaped = `\\u${code.toString(16)}`;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      escaped = `\\u${code.toString(16)}`;
    } else if (isUnsafeCharacter(code)) {
      escaped = code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    }
    if (escaped !== null) {
      out += text.slice(runStart, i) + escaped;
      runStart = i + 1;
    }
  }
  return runStart === 0 ? text : out + text.slice(runStart);
}

/** A value from a file as a message quotes it: strings quoted, safe and cut short; other types named. */
export function shown(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `"${visible(cut)}"`;
  }
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

/** Lines of words in a transcript are at most this long; longer ones wrap at a space. */
export const WORDS_WIDTH = 120;

/** A line of words wrapped at a space before WORDS_WIDTH, carried on `indent` spaces in (or cut, if it has no space). */
export function wrapWords(line: string, indent: number): string {
  if (line.length <= WORDS_WIDTH) return line;
  const out: string[] = [];
  let rest = line;
  while (rest.length > WORDS_WIDTH) {
    const space = rest.lastIndexOf(' ', WORDS_WIDTH);
    const cut = space > indent + 20 ? space : WORDS_WIDTH;
    out.push(rest.slice(0, cut));
    rest = ' '.repeat(indent) + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out.join('\n');
}
