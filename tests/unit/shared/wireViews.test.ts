import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameError } from '../../../src/shared/wire';

/** A frame with this exact head text and blob area, as a foreign client could send it. */
function rawFrame(head: string, blobs: Uint8Array = new Uint8Array(0)): Uint8Array {
  const headBytes = new TextEncoder().encode(head);
  const frame = new Uint8Array(4 + headBytes.byteLength + blobs.byteLength);
  new DataView(frame.buffer).setUint32(0, headBytes.byteLength);
  frame.set(headBytes, 4);
  frame.set(blobs, 4 + headBytes.byteLength);
  return frame;
}

describe('decodeFrame gives views, not copies', () => {
  it('hands back each blob as a view into the frame itself', () => {
    const first = new Uint8Array([1, 2, 3]);
    const second = new Uint8Array(64 * 1024).fill(7);
    const frame = encodeFrame({ kind: 'events', batch: { seq: 1, events: [{ bytes: first }, { bytes: second }] } });
    const decoded = decodeFrame(frame) as { batch: { events: { bytes: Uint8Array }[] } };
    const [a, b] = decoded.batch.events.map((event) => event.bytes) as [Uint8Array, Uint8Array];
    expect(a.buffer).toBe(frame.buffer);
    expect(b.buffer).toBe(frame.buffer);
    expect(Array.from(a)).toEqual([1, 2, 3]);
    expect(b.byteLength).toBe(64 * 1024);
    expect(b.every((byte) => byte === 7)).toBe(true);
    // Changing the frame shows through: proof that nothing was copied.
    frame[frame.byteLength - 1] = 9;
    expect(b[b.byteLength - 1]).toBe(9);
  });

  it('decodes a 344 KiB blob named 3000 times as 3000 views of the same bytes (issue 12.10: once 1 GiB of copies)', () => {
    const blob = new Uint8Array(344 * 1024).fill(0x61);
    const refs = Array.from({ length: 3000 }, () => `{"$bytes":[0,${blob.byteLength}]}`).join(',');
    const decoded = decodeFrame(rawFrame(`{"all":[${refs}]}`, blob)) as { all: Uint8Array[] };
    expect(decoded.all).toHaveLength(3000);
    expect(decoded.all.every((view) => view.byteLength === blob.byteLength && view.byteOffset > 0)).toBe(true);
    expect(new Set(decoded.all.map((view) => view.buffer)).size).toBe(1);
  });

  it('sends a Node Buffer as bytes, never as its JSON form', () => {
    const decoded = decodeFrame(encodeFrame({ bytes: Buffer.from('hi') })) as { bytes: Uint8Array };
    expect(decoded.bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(decoded.bytes)).toBe('hi');
  });

  it('leaves look-alikes alone and refuses references that run past the blobs', () => {
    const decoded = decodeFrame(
      rawFrame('{"a":{"$bytes":[0,1],"x":1},"b":{"$bytes":[-1,1]},"c":{"$bytes":[0.5,1]},"d":{"$bytes":[0]}}'),
    ) as Record<string, unknown>;
    expect(decoded).toEqual({
      a: { $bytes: [0, 1], x: 1 },
      b: { $bytes: [-1, 1] },
      c: { $bytes: [0.5, 1] },
      d: { $bytes: [0] },
    });
    expect(() => decodeFrame(rawFrame('[[{"$bytes":[2,2]}]]', new Uint8Array(3)))).toThrow(FrameError);
    expect(() => decodeFrame(rawFrame('{"$bytes":[0,4]}', new Uint8Array(3)))).toThrow(FrameError);
    expect(Array.from(decodeFrame(rawFrame('{"$bytes":[1,2]}', new Uint8Array([5, 6, 7]))) as Uint8Array)).toEqual([
      6, 7,
    ]);
  });

  it('keeps a "__proto__" key an own property and never touches a prototype', () => {
    const decoded = decodeFrame(
      rawFrame('{"__proto__":{"$bytes":[0,1]},"n":{"__proto__":{"x":1}}}', new Uint8Array([4])),
    );
    const object = decoded as Record<string, unknown>;
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.hasOwn(object, '__proto__')).toBe(true);
    expect(Array.from(Object.getOwnPropertyDescriptor(object, '__proto__')?.value as Uint8Array)).toEqual([4]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('walks a head nested 200,000 deep without running out of stack', () => {
    const depth = 200_000;
    const head = `${'['.repeat(depth)}{"$bytes":[0,1]}${']'.repeat(depth)}`;
    let decoded: unknown;
    try {
      decoded = decodeFrame(rawFrame(head, new Uint8Array([42])));
    } catch (error) {
      // JSON.parse itself may refuse such a head; then it must be as a FrameError, never a RangeError.
      expect(error).toBeInstanceOf(FrameError);
      return;
    }
    let inner = decoded;
    for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
    expect(Array.from(inner as Uint8Array)).toEqual([42]);
  });
});

describe('encodeFrame with many blobs', () => {
  it('puts large and small blobs one after another in one frame, each decoded back where it was', () => {
    const big = Buffer.alloc(64 * 1024, 0x62);
    const tiny = Array.from({ length: 1000 }, (_, i) => Uint8Array.of(i & 0xff));
    const events = [...tiny.slice(0, 500), big, ...tiny.slice(500)].map((bytes) => ({ bytes }));
    const frame = encodeFrame({ kind: 'events', batch: { seq: 1, events } });
    const headLength = new DataView(frame.buffer).getUint32(0);
    // Nothing but the prefix, the head and the blobs' own bytes.
    expect(frame.byteLength).toBe(4 + headLength + 1000 + big.byteLength);
    const decoded = decodeFrame(frame) as { batch: { events: { bytes: Uint8Array }[] } };
    expect(decoded.batch.events.map((event) => event.bytes.byteLength)).toEqual(events.map((e) => e.bytes.length));
    expect(decoded.batch.events[700]!.bytes[0]).toBe(699 & 0xff);
    expect(Buffer.from(decoded.batch.events[500]!.bytes)).toEqual(big);
  });
});
