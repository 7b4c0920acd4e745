/** The pcapng block writer, read back byte by byte against the IETF draft's layouts (little-endian). */
import { describe, expect, it } from 'vitest';
import {
  enhancedPacketBlock,
  interfaceDescriptionBlock,
  LINKTYPE_RAW,
  sectionHeaderBlock,
  stringOption,
} from '../../../../src/main/core/transcripts/pcapngBlocks';

interface ReadOption {
  code: number;
  value: Buffer;
  /** Bytes the value took with its padding. */
  paddedLength: number;
  padding: Buffer;
}

/** Reads a block's envelope and its options from `optionsAt` on; checks the envelope on the way. */
function readBlock(bytes: Uint8Array, optionsAt: number) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const total = buf.readUInt32LE(4);
  expect(total).toBe(buf.length);
  expect(total % 4).toBe(0);
  expect(buf.readUInt32LE(total - 4)).toBe(total);
  const options: ReadOption[] = [];
  let at = optionsAt;
  let ended = false;
  while (at < total - 4) {
    const code = buf.readUInt16LE(at);
    const length = buf.readUInt16LE(at + 2);
    if (code === 0) {
      expect(length).toBe(0);
      ended = true;
      at += 4;
      break;
    }
    const paddedLength = Math.ceil(length / 4) * 4;
    options.push({
      code,
      value: buf.subarray(at + 4, at + 4 + length),
      paddedLength,
      padding: buf.subarray(at + 4 + length, at + 4 + paddedLength),
    });
    at += 4 + paddedLength;
  }
  expect(at).toBe(total - 4);
  return { buf, type: buf.readUInt32LE(0), total, options, ended };
}

describe('Section Header Block', () => {
  it('has the type, byte-order magic, version 1.0, unknown section length, and its options in order', () => {
    const block = sectionHeaderBlock({
      userAppl: 'Socket Lab 0.1.0',
      os: 'linux',
      comments: ['first', 'a second, longer comment'],
    });
    const { buf, type, options, ended } = readBlock(block, 24);
    expect(type).toBe(0x0a0d0d0a);
    expect(buf.readUInt32LE(8)).toBe(0x1a2b3c4d);
    expect(buf.readUInt16LE(12)).toBe(1);
    expect(buf.readUInt16LE(14)).toBe(0);
    expect(buf.readBigInt64LE(16)).toBe(-1n);
    expect(ended).toBe(true);
    expect(options.map((o) => [o.code, o.value.toString('utf8')])).toEqual([
      [1, 'first'],
      [1, 'a second, longer comment'],
      [3, 'linux'],
      [4, 'Socket Lab 0.1.0'],
    ]);
    // "first" is 5 bytes: padded to 8 with zeros; "Socket Lab 0.1.0" is 16: no padding.
    expect(options[0]?.paddedLength).toBe(8);
    expect([...(options[0]?.padding ?? [])]).toEqual([0, 0, 0]);
    expect(options[3]?.padding.length).toBe(0);
  });

  it('writes strings as UTF-8 without a terminating zero', () => {
    const { options } = readBlock(sectionHeaderBlock({ userAppl: 'Socket Lab é' }), 24);
    expect(options[0]?.value).toEqual(Buffer.from('Socket Lab é', 'utf8'));
  });
});

describe('Interface Description Block', () => {
  it('has LINKTYPE_RAW (101), the snap length, and if_tsresol 6 (microseconds) in one byte', () => {
    const block = interfaceDescriptionBlock({
      linkType: LINKTYPE_RAW,
      snapLen: 262_144,
      name: 'socketlab',
      description: 'synthesized',
      tsresol: 6,
    });
    const { buf, type, options } = readBlock(block, 16);
    expect(type).toBe(1);
    expect(buf.readUInt16LE(8)).toBe(101);
    expect(buf.readUInt16LE(10)).toBe(0);
    expect(buf.readUInt32LE(12)).toBe(262_144);
    expect(options.map((o) => [o.code, o.value.length])).toEqual([
      [2, 9],
      [3, 11],
      [9, 1],
    ]);
    expect(options[2]?.value[0]).toBe(6);
    expect([...(options[2]?.padding ?? [])]).toEqual([0, 0, 0]);
  });
});

describe('Enhanced Packet Block', () => {
  it('splits the 64-bit timestamp into high and low words, pads the packet, and carries comment and flags', () => {
    const packet = Uint8Array.from({ length: 41 }, (_, i) => i + 1);
    const timestamp = 1_796_036_520_123_456n; // µs in 2026: above 2^32, so both words matter
    const block = enhancedPacketBlock({ interfaceId: 0, timestamp, packet, comment: '#1 here', flags: 2 });
    const { buf, type, options } = readBlock(block, 28 + 44);
    expect(type).toBe(6);
    expect(buf.readUInt32LE(8)).toBe(0);
    expect((BigInt(buf.readUInt32LE(12)) << 32n) | BigInt(buf.readUInt32LE(16))).toBe(timestamp);
    expect(buf.readUInt32LE(20)).toBe(41); // captured
    expect(buf.readUInt32LE(24)).toBe(41); // original
    expect(buf.subarray(28, 28 + 41)).toEqual(Buffer.from(packet));
    expect([...buf.subarray(28 + 41, 28 + 44)]).toEqual([0, 0, 0]);
    expect(options.map((o) => o.code)).toEqual([1, 2]);
    expect(options[0]?.value.toString()).toBe('#1 here');
    expect(options[1]?.value.readUInt32LE(0)).toBe(2);
  });

  it('leaves out the options (and their end marker) when there are none', () => {
    const block = enhancedPacketBlock({ interfaceId: 0, timestamp: 0n, packet: new Uint8Array(40) });
    expect(block.byteLength).toBe(28 + 40 + 4);
    readBlock(block, 28 + 40);
  });
});

describe('string options', () => {
  it('cut a value longer than 65,535 bytes at a character boundary', () => {
    const option = stringOption(1, 'é'.repeat(40_000)); // 80,000 bytes of two-byte characters
    expect(option.value.byteLength).toBe(65_534);
    expect(Buffer.from(option.value).toString('utf8')).toBe('é'.repeat(32_767));
  });
});
