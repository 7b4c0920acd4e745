import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../../../src/main/core/transcripts/asyncQueue';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('AsyncQueue', () => {
  it('hands every item to the reader in order, then ends', async () => {
    const queue = new AsyncQueue<number>(4);
    const read = collect(queue);
    for (let i = 0; i < 100; i++) await queue.push(i);
    queue.end();
    expect(await read).toEqual([...Array(100).keys()]);
  });

  it('holds a writer back while the reader is behind, so memory stays bounded', async () => {
    const queue = new AsyncQueue<number>(3);
    let pushed = 0;
    const writer = (async () => {
      for (let i = 0; i < 10; i++) {
        await queue.push(i);
        pushed += 1;
      }
      queue.end();
    })();
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody reads yet: the writer waits at the high-water mark instead of queueing all ten.
    expect(pushed).toBeLessThanOrEqual(3);
    expect(await collect(queue)).toHaveLength(10);
    await writer;
  });

  it('makes the reader throw after a failure, and lets waiting writers go', async () => {
    const queue = new AsyncQueue<number>(1);
    const writer = (async () => {
      await queue.push(1);
      await queue.push(2);
    })();
    queue.fail(new Error('the file stopped arriving'));
    await writer;
    await expect(collect(queue)).rejects.toThrow('the file stopped arriving');
  });
});
