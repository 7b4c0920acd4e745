/**
 * What every boundary check shares, on both sides of the contract: a value shown back in the learner's words, and
 * the test for a plain object. Pure functions.
 */

/** At most this many characters of what was typed are echoed back. */
const EXCERPT_CHARACTERS = 32;
/**
 * Characters a learner cannot see, or that turn the text around them on screen (right-to-left overrides and
 * isolates), or that a terminal or a log would act on: controls, format characters, separators, surrogates left
 * alone, private-use and unassigned code points, and spaces other than the plain one.
 */
const HIDDEN_CHARACTER = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '"': '\\"', '\\': '\\\\' };

function escapedCharacter(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) return short;
  if (char === ' ' || !HIDDEN_CHARACTER.test(char)) return char;
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * What was typed, as a short quoted excerpt the learner recognises: at most EXCERPT_CHARACTERS whole characters
 * (never half a surrogate pair), with hidden and right-to-left characters written as \u escapes.
 */
export function excerpt(text: string): string {
  let out = '';
  let count = 0;
  // Iterating a string goes by code point, so an emoji is one character and a lone surrogate is one too.
  for (const char of text) {
    if (count === EXCERPT_CHARACTERS) return `"${out}..."`;
    out += escapedCharacter(char);
    count += 1;
  }
  return `"${out}"`;
}

/** A value as the learner would recognise it in a message: text as a short escaped excerpt, other kinds named. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return excerpt(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN (not a number)';
    if (!Number.isFinite(value)) return 'an endless number';
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return 'a big integer';
  if (value === null) return 'nothing (null)';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return 'an object';
}

/** An object literal or a null-prototype object, nothing with a class or a special prototype. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
