/**
 * A streaming UTF-8 check that says where the first bad byte is. TextDecoder's fatal mode only says whether, and a
 * file refused for "not UTF-8" should say where to look. Follows the Unicode well-formed byte sequences table
 * (no overlong forms, no surrogates, nothing above U+10FFFF); a character may be split between chunks.
 */
import { isUtf8 } from 'node:buffer';

/** Up to this many bytes the loop below is quicker than isUtf8 (measured on 1-, 3- and 17-byte chunks). */
const SHORT_BYTES = 16;

export class Utf8Check {
  /** Continuation bytes still owed by the character being read. */
  #need = 0;
  /** Range allowed for the next continuation byte (narrower right after some lead bytes). */
  #lower = 0x80;
  #upper = 0xbf;

  /** Index in `bytes` of the first byte that breaks UTF-8, or -1. */
  check(bytes: Uint8Array): number {
    // Native fast path for the usual case: a whole number of characters, all well formed. A few bytes cost less
    // checked here than the call does.
    if (this.#need === 0 && bytes.length > SHORT_BYTES && isUtf8(bytes)) return -1;
    for (let i = 0; i < bytes.length; i += 1) {
      const byte = bytes[i] as number;
      if (this.#need === 0) {
        if (byte < 0x80) continue;
        if (byte >= 0xc2 && byte <= 0xdf) this.#need = 1;
        else if (byte === 0xe0) [this.#need, this.#lower] = [2, 0xa0];
        else if (byte === 0xed) [this.#need, this.#upper] = [2, 0x9f];
        else if (byte >= 0xe1 && byte <= 0xef) this.#need = 2;
        else if (byte === 0xf0) [this.#need, this.#lower] = [3, 0x90];
        else if (byte === 0xf4) [this.#need, this.#upper] = [3, 0x8f];
        else if (byte >= 0xf1 && byte <= 0xf3) this.#need = 3;
        else return i;
        continue;
      }
      if (byte < this.#lower || byte > this.#upper) return i;
      this.#lower = 0x80;
      this.#upper = 0xbf;
      this.#need -= 1;
    }
    return -1;
  }

  /** True when the bytes so far end in the middle of a character. */
  get incomplete(): boolean {
    return this.#need > 0;
  }
}
