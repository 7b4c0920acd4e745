import { describe, expect, it } from 'vitest';
import { ByteStream, WRAP_BYTES } from '../../../src/renderer/src/features/session/byteStream.svelte';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes);

/** Every line of the text view, as text. */
function lines(stream: ByteStream): string[] {
  return Array.from({ length: stream.lineCount }, (_, i) => {
    const span = stream.line(i);
    return text(stream.read(span.start, span.end).bytes);
  });
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
    expect(stream.line(0)).toEqual({ start: 0, end: 3, hole: false });
    expect(stream.line(1)).toEqual({ start: 3, end: 6, hole: false });
    expect(stream.line(2)).toEqual({ start: 6, end: 6 + WRAP_BYTES, hole: false });
    expect(stream.line(3)).toEqual({ start: 6 + WRAP_BYTES, end: 10 + WRAP_BYTES, hole: false });
    expect(stream.lineAt(4)).toBe(1);
    expect(stream.lineAt(6 + WRAP_BYTES + 1)).toBe(3);
  });

  it('cuts exactly as the byte-by-byte rule did: a line of WRAP_BYTES ending in LF is one line', () => {
    const stream = new ByteStream();
    const exact = 'y'.repeat(WRAP_BYTES - 1) + '\n';
    const longer = 'z'.repeat(WRAP_BYTES) + '\n';
    stream.append(0, ascii(exact + longer + '\n\nend'), 0);
    expect(lines(stream)).toEqual([exact, 'z'.repeat(WRAP_BYTES), '\n', '\n', '\n', 'end']);
  });

  it('continues an open line into the next chunk, and a trailing LF opens no empty line', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('Content-'), 0);
    stream.append(8, ascii('Length: 167\r\n'), 1);
    expect(lines(stream)).toEqual(['Content-Length: 167\r\n']);
    expect(stream.lineAt(stream.end)).toBe(0);
    stream.append(21, ascii('\r\n'), 2);
    expect(lines(stream)).toEqual(['Content-Length: 167\r\n', '\r\n']);
  });

  it('indexes a megabyte without a line break as one run, its lines by arithmetic', () => {
    // With room for two runs only, anything but one entry per LF-ended run would let bytes go.
    const stream = new ByteStream(2);
    const block = new Uint8Array(1024 * 1024).fill(0x41);
    stream.append(0, block, 0);
    stream.append(block.byteLength, block, 1);
    expect(stream.letGo).toBe(false);
    expect(stream.lineCount).toBe(Math.ceil((2 * block.byteLength) / WRAP_BYTES));
    const last = stream.line(stream.lineCount - 1);
    expect(last.end).toBe(2 * block.byteLength);
    expect(stream.lineAt(block.byteLength)).toBe(Math.floor(block.byteLength / WRAP_BYTES));
  });

  it('keeps its line index bounded: past the limit the oldest bytes are let go, and it says so', () => {
    const stream = new ByteStream(100);
    for (let i = 0; i < 1000; i++) stream.append(i * 6, ascii(`l${String(i).padStart(3, '0')}\r\n`), i);
    expect(stream.letGo).toBe(true);
    expect(stream.lineCount).toBeLessThanOrEqual(100);
    expect(stream.lineCount).toBeGreaterThanOrEqual(99);
    expect(lines(stream).at(-1)).toBe('l999\r\n');
    expect(lines(stream)[0]).toBe(`l${String(1000 - stream.lineCount).padStart(3, '0')}\r\n`);
    expect(stream.chunkCount).toBeLessThanOrEqual(101);
    expect(stream.start).toBe(6 * (1000 - stream.lineCount));
  });

  it('keeps the place of bytes it does not know and says when a read touches them', () => {
    const stream = new ByteStream();
    stream.append(0, null, 0, 5);
    stream.append(5, ascii('tail'), 1);
    expect(stream.byteCount).toBe(9);
    expect(stream.read(0, 9).missing).toBe(true);
    expect(stream.read(5, 9)).toEqual({ bytes: ascii('tail'), missing: false, lost: false, unsaved: false });
  });

  it('says a stretch no chunk covers is missing (a damaged record in a saved session), never zeros', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('hello '), 0);
    // Bytes 6..9 never came: their record was set aside when the saved session was read.
    stream.append(10, ascii('world'), 1);
    expect(stream.byteCount).toBe(15);
    expect(stream.read(0, 15)).toMatchObject({ missing: true, lost: true });
    expect(stream.read(4, 8)).toMatchObject({ missing: true, lost: true });
    expect(stream.read(7, 9)).toMatchObject({ missing: true, lost: true });
    expect(stream.read(0, 6)).toEqual({ bytes: ascii('hello '), missing: false, lost: false, unsaved: false });
    expect(stream.read(10, 15)).toEqual({ bytes: ascii('world'), missing: false, lost: false, unsaved: false });
    // The text view gives the hole a line of its own, so the bytes on either side of it stay readable.
    expect(lines(stream)).toEqual(['hello ', '\0\0\0\0', 'world']);
    expect(stream.read(stream.line(1).start, stream.line(1).end)).toMatchObject({ missing: true, lost: true });
    expect(stream.read(stream.line(2).start, stream.line(2).end).lost).toBe(false);
    // Bytes the page never had of its own (a send of another page) are missing, not lost.
    const sent = new ByteStream();
    sent.append(0, null, 0, 4);
    expect(sent.read(0, 4)).toMatchObject({ missing: true, lost: false });
  });

  it('says why a replay has no bytes for a hole: not saved (a full journal) or lost (a damaged record)', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('GET /\r\n'), 0);
    stream.append(7, null, 1, 5, 'not-saved');
    stream.append(12, null, 2, 3, 'lost');
    stream.append(15, ascii('end'), 3);
    expect(stream.byteCount).toBe(18);
    expect(stream.read(7, 12)).toEqual({ bytes: new Uint8Array(5), missing: true, lost: true, unsaved: true });
    expect(stream.read(12, 15)).toMatchObject({ missing: true, lost: true, unsaved: false });
    // A read inside one hole never hands back the reason as if it were bytes.
    expect(stream.read(8, 10).bytes).toEqual(new Uint8Array(2));
    expect(stream.read(15, 18)).toEqual({ bytes: ascii('end'), missing: false, lost: false, unsaved: false });
    expect(stream.read(0, 18)).toMatchObject({ missing: true, lost: true, unsaved: true });
    // Each hole is a text-view line of its own, so the bytes after it read on.
    expect(lines(stream)).toEqual(['GET /\r\n', '\0'.repeat(5), '\0'.repeat(3), 'end']);
    expect(stream.read(stream.line(3).start, stream.line(3).end)).toMatchObject({
      bytes: ascii('end'),
      missing: false,
    });
    // A hole is one text-view line however long, and the lines after it are where they were.
    const big = new ByteStream();
    big.append(0, ascii('HTTP/1.1 200 OK\r\n'), 0);
    big.append(17, null, 1, 1_000_000, 'not-saved');
    big.append(1_000_017, ascii('tail\n'), 2);
    expect(big.lineCount).toBe(3);
    expect(big.line(1)).toEqual({ start: 17, end: 1_000_017, hole: true });
    expect(big.line(2)).toEqual({ start: 1_000_017, end: 1_000_022, hole: false });
    expect([big.lineAt(17), big.lineAt(500_000), big.lineAt(1_000_016), big.lineAt(1_000_018)]).toEqual([1, 1, 1, 2]);
    // Holes of one kind that follow on from each other (a socket read each, past a full journal) share one line.
    const reads = new ByteStream();
    for (let i = 0; i < 4; i++) reads.append(i * 1000, null, i, 1000, 'not-saved');
    reads.append(4000, null, 4, 10, 'lost');
    reads.append(4010, ascii('ok'), 5);
    expect(reads.lineCount).toBe(3);
    expect([reads.line(0), reads.line(1), reads.line(2)]).toEqual([
      { start: 0, end: 4000, hole: true },
      { start: 4000, end: 4010, hole: true },
      { start: 4010, end: 4012, hole: false },
    ]);
    expect(reads.read(0, 4000)).toMatchObject({ lost: true, unsaved: true });
    // The hex view's 16-byte lines: the same holes, one line each; the bytes around them in lines of 16.
    expect(big.fixedLineCount(16)).toBe(2 + 1 + 1);
    expect([0, 1, 2, 3].map((i) => big.fixedLine(i, 16))).toEqual([
      { start: 0, end: 16, hole: false },
      { start: 16, end: 17, hole: false },
      { start: 17, end: 1_000_017, hole: true },
      { start: 1_000_017, end: 1_000_022, hole: false },
    ]);
    const plain = new ByteStream();
    plain.append(0, new Uint8Array(40), 0);
    expect(plain.fixedLineCount(16)).toBe(3);
    expect(plain.fixedLine(2, 16)).toEqual({ start: 32, end: 40, hole: false });
    // Let go of from the front mid-hole, the hole is still one line, first.
    const front = new ByteStream();
    front.append(0, null, 0, 5000, 'lost');
    front.append(5000, ascii('x\n'), 1);
    front.forgetBefore(1);
    expect([front.lineCount, front.line(0).hole]).toEqual([1, false]);
    // Bytes let go to save memory are neither: the saved session has them.
    const kept = new ByteStream();
    kept.append(0, null, 0, 4);
    expect(kept.read(0, 4)).toMatchObject({ missing: true, lost: false, unsaved: false });
  });

  it('lets go of the chunks of events the store let go of, starting mid-line', () => {
    const stream = new ByteStream();
    stream.append(0, ascii('old line\nhal'), 3);
    stream.append(12, ascii('f\nnew\n'), 9);
    stream.forgetBefore(5);
    expect(stream.letGo).toBe(true);
    expect(stream.start).toBe(12);
    expect(stream.read(0, 12).bytes.byteLength).toBe(0);
    expect(lines(stream)).toEqual(['f\n', 'new\n']);
    expect(stream.chunk(0)).toEqual({ offset: 12, length: 6, eventIndex: 9, hole: false });
    stream.forgetBefore(10);
    expect(stream.byteCount).toBe(0);
    expect(stream.lineCount).toBe(0);
  });
});
