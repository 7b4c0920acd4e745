/**
 * A growable column of numbers that takes values at the end and lets go of them at the front, for indexes that
 * follow a stream and must stay bounded: a Float64Array (8 bytes each, no object per entry; a column of references
 * is a Fifo from src/shared). Letting go moves a head; the space is reused when the column next grows.
 */

export class NumberDeque {
  #data = new Float64Array(256);
  #head = 0;
  #tail = 0;

  get length(): number {
    return this.#tail - this.#head;
  }

  at(index: number): number {
    return this.#data[this.#head + index] as number;
  }

  last(): number {
    return this.#data[this.#tail - 1] as number;
  }

  push(value: number): void {
    if (this.#tail === this.#data.length) this.#makeRoom();
    this.#data[this.#tail++] = value;
  }

  /** Lets go of the first `count` values. */
  dropFront(count: number): void {
    this.#head = Math.min(this.#tail, this.#head + count);
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
  }

  /** The last index whose value is <= `value` (values ascending), or -1 when there is none. */
  floorIndex(value: number): number {
    let low = this.#head;
    let high = this.#tail - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if ((this.#data[mid] as number) <= value) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found === -1 ? -1 : found - this.#head;
  }

  #makeRoom(): void {
    const live = this.length;
    if (this.#head > 0 && live * 2 <= this.#data.length) {
      this.#data.copyWithin(0, this.#head, this.#tail);
    } else {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data.subarray(this.#head, this.#tail));
      this.#data = bigger;
    }
    this.#head = 0;
    this.#tail = live;
  }
}
