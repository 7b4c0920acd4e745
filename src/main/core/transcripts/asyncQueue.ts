/**
 * A one-reader queue that turns pushes into an async iterable, with backpressure: push() resolves once the reader
 * has room. It joins a push-style producer (the transcript reader's onEntry) to a pull-style consumer (the store's
 * import), so a large file flows through without piling up in memory.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #highWater: number;
  #items: T[] = [];
  #ended = false;
  #failure: { error: unknown } | null = null;
  #wakeReader: (() => void) | null = null;
  #wakeWriters: (() => void)[] = [];

  constructor(highWater = 64) {
    this.#highWater = highWater;
  }

  /** Adds an item; resolves when the queue has room again (or at once when it has). */
  async push(item: T): Promise<void> {
    if (this.#ended || this.#failure) return;
    this.#items.push(item);
    this.#wake();
    while (this.#items.length >= this.#highWater && !this.#ended && !this.#failure) {
      await new Promise<void>((resolve) => this.#wakeWriters.push(resolve));
    }
  }

  /** No more items: the reader finishes after the ones queued. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The reader throws this after the queued items are gone; writers stop waiting. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#wake();
    this.#releaseWriters();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.#failure) throw this.#failure.error;
      const item = this.#items.shift();
      if (item !== undefined) {
        if (this.#items.length < this.#highWater) this.#releaseWriters();
        yield item;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }

  #releaseWriters(): void {
    const writers = this.#wakeWriters;
    this.#wakeWriters = [];
    for (const wake of writers) wake();
  }
}
