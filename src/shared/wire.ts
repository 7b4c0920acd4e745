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

export function encodeFrame(message: unknown): Uint8Array<ArrayBuffer> {
  const blobs: Uint8Array[] = [];
  let blobBytes = 0;
  const head = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      const ref = { [BYTES_KEY]: [blobBytes, value.byteLength] };
      blobs.push(value);
      blobBytes += value.byteLength;
      return ref;
    }
    return value;
  });
  const headBytes = new TextEncoder().encode(head);
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

/** Decodes a frame; throws FrameError on anything malformed (never trusts offsets or lengths). */
export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new FrameError('frame shorter than its length prefix');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headLength = view.getUint32(0);
  if (headLength > frame.byteLength - 4) throw new FrameError('frame head runs past the end of the frame');
  let head: string;
  try {
    head = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(4, 4 + headLength));
  } catch {
    throw new FrameError('frame head is not UTF-8');
  }
  const blobArea = frame.subarray(4 + headLength);
  try {
    return JSON.parse(head, (_key, value: unknown) => {
      if (isBytesRef(value)) {
        const [offset, length] = value[BYTES_KEY];
        if (offset + length > blobArea.byteLength) throw new FrameError('a byte blob runs past the end of the frame');
        return blobArea.slice(offset, offset + length);
      }
      return value;
    });
  } catch (error) {
    if (error instanceof FrameError) throw error;
    throw new FrameError('frame head is not JSON');
  }
}

function isBytesRef(value: unknown): value is { [BYTES_KEY]: [number, number] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== BYTES_KEY) return false;
  const ref = (value as Record<string, unknown>)[BYTES_KEY];
  return (
    Array.isArray(ref) &&
    ref.length === 2 &&
    ref.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  );
}
