/**
 * What a Python `recv(n)` loop would have returned for the bytes a connection received.
 *
 * The model: bytes arrive in chunks (what the socket handed over at once). One `recv(n)` returns at most `n`
 * bytes, and never more than has arrived, so each arrival chunk becomes ceil(length / n) calls: full calls
 * of n bytes, then the rest. A real program that was busy while two chunks arrived would get them joined in
 * one call (up to n); this model shows the program that was always already waiting in `recv`. Once the peer
 * has sent FIN, one more call returns `b''`, which is what ends the book's `while True` loop.
 * Pure functions; random access, so a view of millions of calls can show any one at once.
 */

export interface ArrivalChunk {
  /** Stream offset of the chunk's first byte. */
  offset: number;
  length: number;
}

export interface RecvCall {
  /** 1 for the loop's first call. */
  call: number;
  /** Stream offset of the first byte this call returned. */
  offset: number;
  /** Bytes returned; 0 for the final `b''`. */
  length: number;
  /** Index of the arrival chunk the bytes came from; -1 for the final `b''`. */
  chunk: number;
  /** Bytes received so far once this call returned (the running total urljpeg.py prints). */
  total: number;
}

/** Smallest and largest buffer size the lab lets a learner pick (Python allows any positive int). */
export const MIN_RECV_SIZE = 1;
export const MAX_RECV_SIZE = 1024 * 1024;

/** A whole number of bytes from MIN_RECV_SIZE to MAX_RECV_SIZE; anything else falls back to 512 (socket1.py). */
export function clampRecvSize(n: number): number {
  if (!Number.isFinite(n)) return 512;
  return Math.min(MAX_RECV_SIZE, Math.max(MIN_RECV_SIZE, Math.floor(n)));
}

export class RecvPlan {
  readonly bufferSize: number;
  /** Calls that returned bytes, plus the final `b''` when the peer has ended. */
  readonly count: number;
  /** True when the peer has not sent FIN yet: the loop is still waiting in `recv`. */
  readonly waiting: boolean;
  readonly #chunks: readonly ArrivalChunk[];
  /** callsBefore[k]: calls that return bytes of chunks 0..k-1. */
  readonly #callsBefore: Float64Array;
  readonly #dataCalls: number;

  constructor(chunks: readonly ArrivalChunk[], n: number, peerEnded: boolean) {
    this.bufferSize = clampRecvSize(n);
    this.#chunks = chunks;
    this.#callsBefore = new Float64Array(chunks.length + 1);
    let calls = 0;
    for (let k = 0; k < chunks.length; k++) {
      this.#callsBefore[k] = calls;
      calls += Math.ceil((chunks[k] as ArrivalChunk).length / this.bufferSize);
    }
    this.#callsBefore[chunks.length] = calls;
    this.#dataCalls = calls;
    this.count = calls + (peerEnded ? 1 : 0);
    this.waiting = !peerEnded;
  }

  /** Call number `index + 1`. */
  at(index: number): RecvCall {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`recv call ${index} is outside 0..${this.count - 1}`);
    }
    if (index >= this.#dataCalls) {
      const last = this.#chunks[this.#chunks.length - 1];
      const total = last ? last.offset + last.length : 0;
      return { call: index + 1, offset: total, length: 0, chunk: -1, total };
    }
    // The last chunk whose first call is at or before `index` (chunks of length 0 have no calls).
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#callsBefore[mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    const chunk = this.#chunks[low] as ArrivalChunk;
    const within = index - (this.#callsBefore[low] as number);
    const offset = chunk.offset + within * this.bufferSize;
    const length = Math.min(this.bufferSize, chunk.length - within * this.bufferSize);
    return { call: index + 1, offset, length, chunk: low, total: offset + length };
  }
}
