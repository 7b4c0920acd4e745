/**
 * pcapng blocks, little-endian, as the IETF draft draft-ietf-opsawg-pcapng lays them out: Section Header Block,
 * Interface Description Block and Enhanced Packet Block, each with options padded to 32 bits. Pure functions over
 * bytes; no npm package writes pcapng, so this is ours.
 */

export const BLOCK_TYPE = {
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  enhancedPacket: 0x00000006,
} as const;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Option codes used here (draft section 3.5 and the block sections). */
export const OPTION = {
  endOfOptions: 0,
  comment: 1,
  shbHardware: 2,
  shbOs: 3,
  shbUserAppl: 4,
  ifName: 2,
  ifDescription: 3,
  ifTsresol: 9,
  epbFlags: 2,
} as const;

/** LINKTYPE_RAW: the packet starts at the IP header, version 4 or 6 read from its first nibble. */
export const LINKTYPE_RAW = 101;

/** epb_flags bits 0-1: the direction of the packet as the learner's computer saw it. */
export const EPB_DIRECTION = { inbound: 1, outbound: 2 } as const;

/** Option values are at most 65535 bytes (a 16-bit length). */
const MAX_OPTION_BYTES = 0xffff;

export interface BlockOption {
  code: number;
  value: Uint8Array;
}

const encoder = new TextEncoder();

/** `length` rounded up to a multiple of 4. */
export function padded(length: number): number {
  return (length + 3) & ~3;
}

/** A string option in UTF-8 (the draft's strings carry no terminating zero); cut at a character boundary if too long. */
export function stringOption(code: number, text: string): BlockOption {
  let value = encoder.encode(text);
  if (value.byteLength > MAX_OPTION_BYTES) {
    let end = MAX_OPTION_BYTES;
    // Step back over UTF-8 continuation bytes so the cut never splits a character.
    while (end > 0 && ((value[end] ?? 0) & 0xc0) === 0x80) end -= 1;
    value = value.subarray(0, end);
  }
  return { code, value };
}

export function uint32Option(code: number, value: number): BlockOption {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return { code, value: bytes };
}

export function uint8Option(code: number, value: number): BlockOption {
  return { code, value: Uint8Array.of(value) };
}

/** Bytes the options take, with opt_endofopt when there are any (none at all is allowed and saves 4 bytes). */
function optionsLength(options: readonly BlockOption[]): number {
  if (options.length === 0) return 0;
  let length = 4;
  for (const option of options) length += 4 + padded(option.value.byteLength);
  return length;
}

function writeOptions(view: DataView, bytes: Uint8Array, at: number, options: readonly BlockOption[]): number {
  if (options.length === 0) return at;
  for (const option of options) {
    view.setUint16(at, option.code, true);
    view.setUint16(at + 2, option.value.byteLength, true);
    bytes.set(option.value, at + 4);
    // Padding bytes stay zero: the block was allocated zero-filled.
    at += 4 + padded(option.value.byteLength);
  }
  view.setUint32(at, 0, true); // opt_endofopt: code 0, length 0
  return at + 4;
}

/** A block: type, total length, body, options, total length again. `body` fills in the fixed fields. */
function block(
  type: number,
  bodyLength: number,
  options: readonly BlockOption[],
  body: (view: DataView, bytes: Uint8Array, at: number) => void,
): Uint8Array {
  const total = 8 + padded(bodyLength) + optionsLength(options) + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  body(view, bytes, 8);
  writeOptions(view, bytes, 8 + padded(bodyLength), options);
  view.setUint32(total - 4, total, true);
  return bytes;
}

export interface SectionHeader {
  /** shb_userappl, e.g. "Socket Lab 0.1.0". */
  userAppl: string;
  /** shb_os. */
  os?: string;
  /** shb_hardware. */
  hardware?: string;
  /** One opt_comment each; the draft allows the option more than once. */
  comments?: readonly string[];
}

export function sectionHeaderBlock(header: SectionHeader): Uint8Array {
  const options: BlockOption[] = [];
  for (const comment of header.comments ?? []) options.push(stringOption(OPTION.comment, comment));
  if (header.hardware !== undefined) options.push(stringOption(OPTION.shbHardware, header.hardware));
  if (header.os !== undefined) options.push(stringOption(OPTION.shbOs, header.os));
  options.push(stringOption(OPTION.shbUserAppl, header.userAppl));
  return block(BLOCK_TYPE.sectionHeader, 16, options, (view, _bytes, at) => {
    view.setUint32(at, BYTE_ORDER_MAGIC, true);
    view.setUint16(at + 4, 1, true); // major version
    view.setUint16(at + 6, 0, true); // minor version
    // Section length -1: not given, so readers do not rely on it (we stream and cannot know it up front).
    view.setBigInt64(at + 8, -1n, true);
  });
}

export interface InterfaceDescription {
  linkType: number;
  /** 0 means no limit. */
  snapLen: number;
  name?: string;
  description?: string;
  /** if_tsresol: a power of ten when the top bit is clear (6 = microseconds, the draft's default; 9 = ns). */
  tsresol?: number;
}

export function interfaceDescriptionBlock(description: InterfaceDescription): Uint8Array {
  const options: BlockOption[] = [];
  if (description.name !== undefined) options.push(stringOption(OPTION.ifName, description.name));
  if (description.description !== undefined) {
    options.push(stringOption(OPTION.ifDescription, description.description));
  }
  if (description.tsresol !== undefined) options.push(uint8Option(OPTION.ifTsresol, description.tsresol));
  return block(BLOCK_TYPE.interfaceDescription, 8, options, (view, _bytes, at) => {
    view.setUint16(at, description.linkType, true);
    view.setUint16(at + 2, 0, true); // reserved
    view.setUint32(at + 4, description.snapLen, true);
  });
}

export interface EnhancedPacket {
  interfaceId: number;
  /** In units of the interface's if_tsresol, since 1970-01-01 UTC. */
  timestamp: bigint;
  /** The whole packet (captured length = original length: nothing is cut). */
  packet: Uint8Array;
  comment?: string;
  /** epb_flags: direction and more (draft section 4.3.1). */
  flags?: number;
}

export function enhancedPacketBlock(packet: EnhancedPacket): Uint8Array {
  const options: BlockOption[] = [];
  if (packet.comment !== undefined) options.push(stringOption(OPTION.comment, packet.comment));
  if (packet.flags !== undefined) options.push(uint32Option(OPTION.epbFlags, packet.flags));
  const length = packet.packet.byteLength;
  return block(BLOCK_TYPE.enhancedPacket, 20 + length, options, (view, bytes, at) => {
    view.setUint32(at, packet.interfaceId, true);
    view.setUint32(at + 4, Number((packet.timestamp >> 32n) & 0xffffffffn), true);
    view.setUint32(at + 8, Number(packet.timestamp & 0xffffffffn), true);
    view.setUint32(at + 12, length, true); // captured
    view.setUint32(at + 16, length, true); // original
    bytes.set(packet.packet, at + 20);
  });
}
