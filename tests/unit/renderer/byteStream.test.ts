import { describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../src/shared/contract';
import { ByteStream, StreamFollower, WRAP_BYTES } from '../../../src/renderer/src/features/byteLog/byteStream';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

function data(id: string, dir: 'in' | 'out', offset: number, body: string): LabEvent {
  return { id, t: 0, type: 'data', dir, offset, bytes: ascii(body) };
}

describe('ByteStream', () => {
  it('reads across chunks without caring where they were cut', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('HTTP/1.1 2'), 0);
    stream.append(10, ascii('00 OK\r\n'), 1);
    stream.append(17, ascii('\r\nbody'), 2);
    expect(stream.byteCount).toBe(23);
    expect(stream.chunkCount).toBe(3);
    expect(text(stream.read(0, 23).bytes)).toBe('HTTP/1.1 200 OK\r\n\r\nbody');
    expect(text(stream.read(8, 13).bytes)).toBe(' 200 ');
    expect(text(stream.read(19, 100).bytes)).toBe('body');
    expect(stream.read(30, 40).bytes.byteLength).toBe(0);
    expect(stream.chunkIndexAt(12)).toBe(1);
  });

  it('cuts text-view lines after each LF, and long lines at WRAP_BYTES', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('a\r\nbb\n'), 0);
    stream.append(6, ascii('x'.repeat(WRAP_BYTES + 4)), 1);
    expect(stream.lineCount).toBe(4);
    expect(stream.line(0)).toEqual({ start: 0, end: 3 });
    expect(stream.line(1)).toEqual({ start: 3, end: 6 });
    expect(stream.line(2)).toEqual({ start: 6, end: 6 + WRAP_BYTES });
    expect(stream.line(3)).toEqual({ start: 6 + WRAP_BYTES, end: 10 + WRAP_BYTES });
    expect(stream.lineAt(4)).toBe(1);
  });

  it('continues an open line into the next chunk', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('Content-'), 0);
    stream.append(8, ascii('Length: 167\r\n'), 1);
    expect(stream.lineCount).toBe(1);
    expect(text(stream.read(stream.line(0).start, stream.line(0).end).bytes)).toBe('Content-Length: 167\r\n');
  });

  it('keeps the place of dropped bytes and says when a read touches them', () => {
    const stream = new ByteStream();
    stream.append(0, null, 0, 5);
    stream.append(5, ascii('tail'), 1);
    expect(stream.byteCount).toBe(9);
    expect(stream.read(0, 9).missing).toBe(true);
    expect(stream.read(5, 9)).toEqual({ bytes: ascii('tail'), missing: false });
  });

  it('forgets the bytes of events the store dropped', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('old'), 3);
    stream.append(3, ascii('new'), 9);
    stream.forgetBefore(5);
    expect(stream.read(0, 3).missing).toBe(true);
    expect(text(stream.read(3, 6).bytes)).toBe('new');
  });
});

describe('StreamFollower', () => {
  it('follows one direction of one connection, looking only at new events', () => {
    const events: LabEvent[] = [
      { id: 'a', t: 0, type: 'resolving', host: 'x', port: 1, route: 'lab' },
      data('a', 'out', 0, 'GET'),
      data('b', 'in', 0, 'other'),
      data('a', 'in', 0, 'HTTP'),
    ];
    const follower = new StreamFollower({ id: 'a', dir: 'in' });
    follower.update(events, () => 0, 0);
    expect(follower.stream.byteCount).toBe(4);
    events.push(data('a', 'in', 4, '/1.0'));
    follower.update(events, () => 0, 0);
    expect(text(follower.stream.read(0, 8).bytes)).toBe('HTTP/1.0');
    expect(follower.stream.chunk(1)).toEqual({ offset: 4, length: 4, eventIndex: 4 });
  });

  it('counts dropped events by their original length', () => {
    const events: LabEvent[] = [data('a', 'in', 0, ''), data('a', 'in', 10, 'end')];
    const follower = new StreamFollower({ id: 'a', dir: 'in' });
    follower.update(events, (index) => (index === 0 ? 10 : 0), 1);
    expect(follower.stream.byteCount).toBe(13);
    expect(follower.stream.read(0, 13).missing).toBe(true);
  });
});
