/**
 * What a Python `recv(n)` loop would have returned for the bytes a connection received.
 *
 * The model: bytes arrive in chunks (what the socket handed over at once). One `recv(n)` returns at most `n`
 * bytes, and never more than has arrived, so each arrival chunk becomes ceil(length / n) calls: full calls
 * of n bytes, then the rest. A real program that was busy while two chunks arrived would get them joined in
 * one call (up to n); this model shows the program that was always already waiting in `recv`. Once the peer
 * has sent FIN, one more call returns `b''`, which is what ends the book's `while True` loop.
 * Pure functions; random access, so a view of millions of calls can show any one at once.
 *
 * A replay's hole (an arrival whose bytes the saved session does not have) is still as many calls, but one row:
 * a gigabyte not saved would otherwise be two million rows of the same words.
 */

export interface ArrivalChunk {
  /** Stream offset of the chunk's first byte. */
  offset: number;
  length: number;
  /** A replay's hole: its calls are shown as one row. */
  hole?: boolean;
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
  /** How many calls this row stands for: 1, or all the calls of a hole (`call` is then the first). */
  calls: number;
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
  /** Rows: one per call, but one for all the calls of a hole; plus the final `b''` when the peer has ended. */
  readonly rows: number;
  /** rowsBefore[k]: rows that show chunks 0..k-1. */
  readonly #rowsBefore: Float64Array;
  readonly #dataRows: number;

  constructor(chunks: readonly ArrivalChunk[], n: number, peerEnded: boolean) {
    this.bufferSize = clampRecvSize(n);
    this.#chunks = chunks;
    this.#callsBefore = new Float64Array(chunks.length + 1);
    this.#rowsBefore = new Float64Array(chunks.length + 1);
    let calls = 0;
    let rows = 0;
    for (let k = 0; k < chunks.length; k++) {
      const chunk = chunks[k] as ArrivalChunk;
      this.#callsBefore[k] = calls;
      this.#rowsBefore[k] = rows;
      const chunkCalls = Math.ceil(chunk.length / this.bufferSize);
      calls += chunkCalls;
      rows += chunk.hole === true ? Math.min(1, chunkCalls) : chunkCalls;
    }
    this.#callsBefore[chunks.length] = calls;
    this.#rowsBefore[chunks.length] = rows;
    this.#dataCalls = calls;
    this.#dataRows = rows;
    this.count = calls + (peerEnded ? 1 : 0);
    this.rows = rows + (peerEnded ? 1 : 0);
    this.waiting = !peerEnded;
  }

  /** Row `index` (see `rows`): a call, or all the calls of a hole. */
  row(index: number): RecvCall {
    if (!Number.isInteger(index) || index < 0 || index >= this.rows) {
      throw new RangeError(`recv row ${index} is outside 0..${this.rows - 1}`);
    }
    if (index >= this.#dataRows) return this.at(this.count - 1);
    const k = lastAtOrBefore(this.#rowsBefore, this.#chunks.length, index);
    const chunk = this.#chunks[k] as ArrivalChunk;
    if (chunk.hole !== true) return this.at((this.#callsBefore[k] as number) + index - (this.#rowsBefore[k] as number));
    const first = this.#callsBefore[k] as number;
    const calls = (this.#callsBefore[k + 1] as number) - first;
    return {
      call: first + 1,
      offset: chunk.offset,
      length: chunk.length,
      chunk: k,
      total: chunk.offset + chunk.length,
      calls,
    };
  }

  /** Call number `index + 1`. */
  at(index: number): RecvCall {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`recv call ${index} is outside 0..${this.count - 1}`);
    }
    if (index >= this.#dataCalls) {
      const last = this.#chunks[this.#chunks.length - 1];
      const total = last ? last.offset + last.length : 0;
      return { call: index + 1, offset: total, length: 0, chunk: -1, total, calls: 1 };
    }
    const low = lastAtOrBefore(this.#callsBefore, this.#chunks.length, index);
    const chunk = this.#chunks[low] as ArrivalChunk;
    const within = index - (this.#callsBefore[low] as number);
    const offset = chunk.offset + within * this.bufferSize;
    const length = Math.min(this.bufferSize, chunk.length - within * this.bufferSize);
    return { call: index + 1, offset, length, chunk: low, total: offset + length, calls: 1 };
  }
}

/** The last k in 0..count-1 whose before[k] is at or below `index` (chunks with no calls or rows are passed over). */
function lastAtOrBefore(before: Float64Array, count: number, index: number): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((before[mid] as number) <= index) low = mid;
    else high = mid - 1;
  }
  return low;
}
