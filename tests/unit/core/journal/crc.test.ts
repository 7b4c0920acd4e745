import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Implementation, loadNativeCrc32 } from '../../../../src/main/core/journal/crc';
import { fragmentHeaderCrc } from '../../../../src/main/core/journal/format';

describe("the journal's CRC32", () => {
  it('uses the native module on this machine (its prebuilt binary is installed with npm ci)', () => {
    expect(crc32Implementation).toBe('@node-rs/crc32');
  });

  it('gives what zlib gives, for any bytes, sizes on both sides of the native cut-off, any starting value', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 5000 }),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 40 }),
        (bytes, start, skip) => {
          const view = bytes.subarray(Math.min(skip, bytes.length));
          expect(crc32(view, start)).toBe(zlibCrc32(view, start));
          expect(crc32(view)).toBe(zlibCrc32(view));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("starts a fragment's CRC from its length, type and sequence number as zlib would over those 7 bytes", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 0xff }),
        fc.nat({ max: 0xffffffff }),
        fc.uint8Array({ maxLength: 100 }),
        (length, type, seq, payload) => {
          const header = Buffer.alloc(7);
          header.writeUInt16LE(length, 0);
          header.writeUInt8(type, 2);
          header.writeUInt32LE(seq, 3);
          expect(fragmentHeaderCrc(length, type, seq)).toBe(zlibCrc32(header));
          expect(crc32(payload, fragmentHeaderCrc(length, type, seq))).toBe(
            zlibCrc32(Buffer.concat([header, payload])),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('continues across pieces: a record checked in parts has the CRC of its whole', () => {
    const whole = Buffer.alloc(70_000);
    for (let i = 0; i < whole.length; i++) whole[i] = (i * 7919) & 0xff;
    let crc = crc32(whole.subarray(0, 7));
    crc = crc32(whole.subarray(7, 40_000), crc);
    crc = crc32(whole.subarray(40_000), crc);
    expect(crc).toBe(zlibCrc32(whole));
  });

  it("falls back to zlib's when the native module cannot load or gives wrong numbers", () => {
    expect(
      loadNativeCrc32(() => {
        throw new Error('Cannot find native binding');
      }),
    ).toBeNull();
    expect(loadNativeCrc32(() => ({}))).toBeNull();
    expect(loadNativeCrc32(() => ({ crc32: () => 42 }))).toBeNull();
    const real = loadNativeCrc32();
    expect(real).not.toBeNull();
    expect(real?.(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
