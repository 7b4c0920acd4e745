/**
 * Binary framing for the web host's WebSocket: one frame carries a JSON head plus raw byte blobs,
 * so `Uint8Array`s travel as bytes, not as base64 or number arrays.
 *
 * Frame: [u32 big-endian head length][head: UTF-8 JSON][blobs...]; in the head each Uint8Array is
 * replaced by `{"$bytes":[offset,length]}` pointing into the blob area.
 */
import type { EventBatch } from './contract';
import type { Result } from './errors';

export interface CallMessage {
  kind: 'call';
  callId: number;
  channel: string;
  args: unknown[];
}

export type ServerMessage =
  { kind: 'result'; callId: number; result: Result<unknown> } | { kind: 'events'; batch: EventBatch };

const BYTES_KEY = '$bytes';
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * A message as one frame: the length prefix, the head, then every blob copied in after it, in one buffer.
 *
 * The web host sends each batch as one WebSocket message in one frame. It used to send a batch as fragments (the
 * head, then each socket read as it came, uncopied), but Chromium's renderer spends far more per byte on a message
 * in many fragments: in `npm run bench:ui` the page's main thread took 3.9 ms per MiB with 64 KiB fragments and
 * 3.35 ms per MiB with one frame per batch, back to back (140 against 163 MB/s into the byte log). One copy of a
 * batch (at most LIMITS.maxBatchBytes and its head) costs the web host far less than that.
 */
export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  let blobBytes = 0;
  const head = JSON.stringify(message, function (this: unknown, key: string, value: unknown) {
    // The holder's own value, before toJSON: a Node Buffer would reach the replacer as {"type":"Buffer",...}.
    const original = (this as Record<string, unknown>)[key];
    if (original instanceof Uint8Array) {
      const ref = { [BYTES_KEY]: [blobBytes, original.byteLength] };
      blobs.push(original);
      blobBytes += original.byteLength;
      return ref;
    }
    return value;
  });
  const headBytes = utf8Encoder.encode(head);
  const frame = new Uint8Array(4 + headBytes.byteLength + blobBytes);
  new DataView(frame.buffer).setUint32(0, headBytes.byteLength);
  frame.set(headBytes, 4);
  let at = 4 + headBytes.byteLength;
  for (const blob of blobs) {
    frame.set(blob, at);
    at += blob.byteLength;
  }
  return frame;
}

export class FrameError extends Error {}

/**
 * Decodes a frame; throws FrameError on anything malformed (never trusts offsets or lengths). Each byte blob comes
 * back as a view into `frame` (no copy), so the caller must not change `frame` afterwards.
 */
export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new FrameError('frame shorter than its length prefix');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headLength = view.getUint32(0);
  if (headLength > frame.byteLength - 4) throw new FrameError('frame head runs past the end of the frame');
  let head: string;
  try {
    head = utf8.decode(frame.subarray(4, 4 + headLength));
  } catch {
    throw new FrameError('frame head is not UTF-8');
  }
  let message: unknown;
  try {
    // No reviver: one call per value would cost more than the few byte references are worth.
    message = JSON.parse(head);
  } catch {
    throw new FrameError('frame head is not JSON');
  }
  return resolveBytes(message, frame.subarray(4 + headLength));
}

type Container = Record<string, unknown> | unknown[];

/**
 * Replaces every `{"$bytes":[offset,length]}` in the parsed head with a view of the blob area. Walks with its own
 * stack, not recursion, so a deeply nested head cannot overflow the call stack.
 */
function resolveBytes(root: unknown, blobs: Uint8Array): unknown {
  if (typeof root !== 'object' || root === null) return root;
  if (isBytesRef(root)) return bytesOf(root, blobs);
  const stack: Container[] = [root as Container];
  while (stack.length > 0) {
    const holder = stack.pop() as Container;
    if (Array.isArray(holder)) {
      for (let i = 0; i < holder.length; i++) {
        const value = holder[i];
        if (typeof value !== 'object' || value === null) continue;
        if (isBytesRef(value)) holder[i] = bytesOf(value, blobs);
        else stack.push(value as Container);
      }
      continue;
    }
    for (const key in holder) {
      if (!Object.hasOwn(holder, key)) continue;
      const value = holder[key];
      if (typeof value !== 'object' || value === null) continue;
      if (!isBytesRef(value)) {
        stack.push(value as Container);
      } else if (key === '__proto__') {
        // Plain assignment would set the prototype; JSON.parse made an own property, so keep it one.
        Object.defineProperty(holder, key, { value: bytesOf(value, blobs), enumerable: true, writable: true });
      } else {
        holder[key] = bytesOf(value, blobs);
      }
    }
  }
  return root;
}

function bytesOf(ref: { [BYTES_KEY]: [number, number] }, blobs: Uint8Array): Uint8Array {
  const [offset, length] = ref[BYTES_KEY];
  if (offset + length > blobs.byteLength) throw new FrameError('a byte blob runs past the end of the frame');
  return blobs.subarray(offset, offset + length);
}

function isBytesRef(value: object): value is { [BYTES_KEY]: [number, number] } {
  if (Array.isArray(value) || !Object.hasOwn(value, BYTES_KEY)) return false;
  if (Object.keys(value).length !== 1) return false;
  const ref = (value as Record<string, unknown>)[BYTES_KEY];
  return (
    Array.isArray(ref) &&
    ref.length === 2 &&
    ref.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  );
}
