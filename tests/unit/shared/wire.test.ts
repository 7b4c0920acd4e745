import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameError } from '../../../src/shared/wire';

describe('WebSocket frames', () => {
  it('carries bytes as bytes, next to JSON', () => {
    const bytes = new Uint8Array([0, 13, 10, 255, 128]);
    const frame = encodeFrame({ kind: 'events', batch: { seq: 3, events: [{ type: 'data', bytes, note: 'é' }] } });
    // The raw bytes sit in the frame as they are, not as text.
    expect(Buffer.from(frame).includes(Buffer.from(bytes))).toBe(true);
    const decoded = decodeFrame(frame) as { batch: { events: { bytes: Uint8Array; note: string }[] } };
    const event = decoded.batch.events[0];
    expect(event?.bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(event?.bytes ?? [])).toEqual([0, 13, 10, 255, 128]);
    expect(event?.note).toBe('é');
  });

  it('round-trips several blobs and empty ones', () => {
    const message = { a: new Uint8Array([1]), b: [new Uint8Array(0), new Uint8Array([2, 3])] };
    const decoded = decodeFrame(encodeFrame(message)) as typeof message;
    expect(Array.from(decoded.a)).toEqual([1]);
    expect(decoded.b.map((blob) => Array.from(blob))).toEqual([[], [2, 3]]);
  });

  it('refuses malformed frames with FrameError, never trusting lengths', () => {
    expect(() => decodeFrame(new Uint8Array([0, 0]))).toThrow(FrameError);
    expect(() => decodeFrame(new Uint8Array([0, 0, 0, 50, 123]))).toThrow(FrameError);
    const badJson = new Uint8Array([0, 0, 0, 1, 0x7b]);
    expect(() => decodeFrame(badJson)).toThrow(FrameError);
    const head = new TextEncoder().encode('{"x":{"$bytes":[0,999]}}');
    const frame = new Uint8Array(4 + head.length);
    new DataView(frame.buffer).setUint32(0, head.length);
    frame.set(head, 4);
    expect(() => decodeFrame(frame)).toThrow(FrameError);
  });
});
