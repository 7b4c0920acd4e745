/**
 * A first-in, first-out queue: push at the back, take from or drop at the front, read by position, all amortized
 * O(1) (Array.prototype.shift moves every element, so a long queue would go quadratic). Core's event delivery and
 * journal writer take items one by one; the renderer's byte stream keeps its chunks here and drops the oldest.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** The front item, without taking it. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** The item `index` places behind the front (0 is the front), or undefined outside 0 … length - 1. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.#items[this.#head + index] : undefined;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** Takes the front item; its slot lets go of the reference at once. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    this.#compact();
    return item;
  }

  /** Lets go of the first `count` items (all of them when there are fewer), their references at once. */
  dropFront(count: number): void {
    if (!(count > 0)) return;
    const end = Math.min(this.#items.length, this.#head + Math.floor(count));
    this.#items.fill(undefined, this.#head, end);
    this.#head = end;
    this.#compact();
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  /** Gives back the spent slots at the front once they are all of the array or most of a long one. */
  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      // Most of the array is spent slots: copying the live half costs less than keeping the dead one.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
