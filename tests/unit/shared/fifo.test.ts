import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/shared/fifo';

/** Pushes `count` numbers from `next` on, to the queue and to its array model; returns the next number. */
function pushRun(fifo: Fifo<number>, model: number[], next: number, count: number): number {
  for (let i = 0; i < count; i += 1) {
    fifo.push(next + i);
    model.push(next + i);
  }
  return next + count;
}

describe('Fifo', () => {
  it('hands items back in the order they came, across its compactions, like an array used as a queue', () => {
    // Runs of pushes and shifts long enough to cross the 1024-slot compaction many times.
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 3000 }) }), fc.record({ shift: fc.nat(3000) }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        let next = 0;
        for (const step of ops) {
          if ('push' in step) {
            next = pushRun(fifo, model, next, step.push);
          } else {
            const got: (number | undefined)[] = [];
            const wanted: (number | undefined)[] = [];
            for (let i = 0; i < step.shift; i += 1) {
              got.push(fifo.shift());
              wanted.push(model.shift());
            }
            expect(got).toEqual(wanted);
          }
          expect([fifo.length, fifo.peek()]).toEqual([model.length, model[0]]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('reads by position and drops from the front, across its compactions, like an array sliced at the front', () => {
    // What the byte stream does: push chunks, read any kept one by position, drop the oldest in runs.
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ drop: fc.integer({ min: -2, max: 3000 }) }),
      fc.record({ shift: fc.nat(5) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const fifo = new Fifo<number>();
        let model: number[] = [];
        let next = 0;
        for (const step of ops) {
          if ('push' in step) {
            next = pushRun(fifo, model, next, step.push);
          } else if ('drop' in step) {
            fifo.dropFront(step.drop);
            model = model.slice(Math.max(0, step.drop));
          } else {
            for (let i = 0; i < step.shift; i += 1) expect(fifo.shift()).toBe(model.shift());
          }
          expect(fifo.length).toBe(model.length);
          for (const index of [-1, 0, 1, model.length >> 1, model.length - 1, model.length]) {
            expect(fifo.at(index)).toBe(model[index]);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is empty after dropping more than it holds, and takes new items from there', () => {
    const fifo = new Fifo<string>();
    for (const item of ['a', 'b', 'c']) fifo.push(item);
    fifo.dropFront(1);
    expect([fifo.length, fifo.at(0), fifo.peek()]).toEqual([2, 'b', 'b']);
    fifo.dropFront(5);
    expect([fifo.length, fifo.at(0), fifo.shift()]).toEqual([0, undefined, undefined]);
    fifo.push('d');
    expect([fifo.length, fifo.at(0)]).toEqual([1, 'd']);
  });

  it('ignores a drop of zero, a negative or a not-a-number count', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    for (const count of [0, -1, Number.NaN]) fifo.dropFront(count);
    expect([fifo.length, fifo.at(0)]).toEqual([1, 'a']);
  });

  it('is empty after clear, and takes new items from there', () => {
    const fifo = new Fifo<string>();
    for (const item of ['a', 'b', 'c']) fifo.push(item);
    fifo.shift();
    fifo.clear();
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
    fifo.push('d');
    expect([fifo.length, fifo.peek(), fifo.shift(), fifo.length]).toEqual([1, 'd', 'd', 0]);
  });
});
