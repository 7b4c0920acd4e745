import { describe, expect, it } from 'vitest';
import { clampRecvSize, RecvPlan, type ArrivalChunk, type RecvCall } from '../../../src/shared/recvChunks';

/** Every call of the plan at once (the recv(n) view asks the plan for the calls it shows). */
function recvCalls(chunks: readonly ArrivalChunk[], n: number, peerEnded: boolean): RecvCall[] {
  const plan = new RecvPlan(chunks, n, peerEnded);
  return Array.from({ length: plan.count }, (_, i) => plan.at(i));
}

describe('recvCalls', () => {
  it('splits each arrival chunk at n and never joins two chunks', () => {
    const calls = recvCalls(
      [
        { offset: 0, length: 1200 },
        { offset: 1200, length: 300 },
      ],
      512,
      false,
    );
    expect(calls.map((c) => [c.offset, c.length, c.chunk, c.total])).toEqual([
      [0, 512, 0, 512],
      [512, 512, 0, 1024],
      [1024, 176, 0, 1200],
      [1200, 300, 1, 1500],
    ]);
    expect(calls.map((c) => c.call)).toEqual([1, 2, 3, 4]);
  });

  it("ends with b'' once the peer has sent FIN, as socket1.py's loop sees it", () => {
    const calls = recvCalls([{ offset: 0, length: 10 }], 512, true);
    expect(calls).toEqual([
      { call: 1, offset: 0, length: 10, chunk: 0, total: 10, calls: 1 },
      { call: 2, offset: 10, length: 0, chunk: -1, total: 10, calls: 1 },
    ]);
  });

  it("gives only b'' for a peer that closed without sending", () => {
    expect(recvCalls([], 512, true)).toEqual([{ call: 1, offset: 0, length: 0, chunk: -1, total: 0, calls: 1 }]);
    expect(recvCalls([], 512, false)).toEqual([]);
  });

  it('skips empty chunks and keeps stream offsets that do not start at 0', () => {
    const calls = recvCalls(
      [
        { offset: 100, length: 0 },
        { offset: 100, length: 5 },
        { offset: 105, length: 0 },
        { offset: 105, length: 3 },
      ],
      4,
      false,
    );
    expect(calls.map((c) => [c.offset, c.length, c.chunk])).toEqual([
      [100, 4, 1],
      [104, 1, 1],
      [105, 3, 3],
    ]);
  });

  it('with n=1 every byte is one call', () => {
    expect(recvCalls([{ offset: 0, length: 3 }], 1, false).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});

describe('RecvPlan', () => {
  it("reaches any call of cover3.jpg's 230,603 bytes at once", () => {
    // urljpeg.py reads recv(5120); uneven arrival chunks like the book's 5120, 4240, 3200, ...
    const sizes = [5120, 4240, 3200, 65536, 65536, 65536, 21435];
    let offset = 0;
    const chunks = sizes.map((length) => {
      const chunk = { offset, length };
      offset += length;
      return chunk;
    });
    const plan = new RecvPlan(chunks, 5120, true);
    const expected = sizes.reduce((sum, size) => sum + Math.ceil(size / 5120), 0) + 1;
    expect(plan.count).toBe(expected);
    expect(plan.waiting).toBe(false);
    expect(plan.at(1)).toMatchObject({ offset: 5120, length: 4240, chunk: 1 });
    expect(plan.at(plan.count - 2).total).toBe(offset);
    expect(plan.at(plan.count - 1).length).toBe(0);
    const all = recvCalls(chunks, 5120, true);
    expect(all.reduce((sum, c) => sum + c.length, 0)).toBe(offset);
    expect(all.every((c) => c.length <= 5120)).toBe(true);
  });

  it('says the loop is still waiting while the peer has not ended', () => {
    expect(new RecvPlan([{ offset: 0, length: 1 }], 512, false).waiting).toBe(true);
  });

  it('shows all the calls of a replay’s hole as one row, and counts every call', () => {
    const chunks: ArrivalChunk[] = [
      { offset: 0, length: 1000 },
      { offset: 1000, length: 1_000_000, hole: true },
      { offset: 1_001_000, length: 600 },
    ];
    const plan = new RecvPlan(chunks, 512, true);
    // 2 calls, then 1,954 for the hole (one row), then 2, then b''.
    expect([plan.count, plan.rows]).toEqual([2 + 1954 + 2 + 1, 2 + 1 + 2 + 1]);
    const rows = Array.from({ length: plan.rows }, (_, i) => plan.row(i));
    expect(rows.map((r) => [r.call, r.calls, r.offset, r.length])).toEqual([
      [1, 1, 0, 512],
      [2, 1, 512, 488],
      [3, 1954, 1000, 1_000_000],
      [1957, 1, 1_001_000, 512],
      [1958, 1, 1_001_512, 88],
      [1959, 1, 1_001_600, 0],
    ]);
    // Without holes, rows are the calls.
    const plain = new RecvPlan([{ offset: 0, length: 1200 }], 512, false);
    expect(Array.from({ length: plain.rows }, (_, i) => plain.row(i))).toEqual(
      recvCalls([{ offset: 0, length: 1200 }], 512, false),
    );
    expect(() => plan.row(plan.rows)).toThrow(RangeError);
  });

  it('refuses calls outside the plan', () => {
    const plan = new RecvPlan([{ offset: 0, length: 1 }], 512, false);
    expect(() => plan.at(1)).toThrow(RangeError);
    expect(() => plan.at(-1)).toThrow(RangeError);
  });
});

describe('clampRecvSize', () => {
  it('keeps whole positive sizes and falls back to 512', () => {
    expect(clampRecvSize(5120)).toBe(5120);
    expect(clampRecvSize(0)).toBe(1);
    expect(clampRecvSize(10.7)).toBe(10);
    expect(clampRecvSize(Number.NaN)).toBe(512);
    expect(clampRecvSize(1e12)).toBe(1024 * 1024);
  });
});
