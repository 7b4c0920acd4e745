/**
 * Synthesized IPv4/IPv6 + TCP packets for one connection, built from what the lab saw on its socket (connect,
 * each send, each read, FIN, RST). The bytes are the learner's own; the segmenting, ACKs, windows and sequence
 * numbers are modeled on a real stack so Wireshark's analysis and Follow TCP Stream work. Pure code over bytes.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** What a real stack announces over Ethernet: MTU 1500 minus the IP and TCP headers. */
export const MSS = { IPv4: 1460, IPv6: 1440 } as const;

export type Family = 'IPv4' | 'IPv6';

/** Window in the SYN (a whole number of segments, as Linux sends) and the scale both sides announce. */
const SYN_WINDOW: Record<Family, number> = { IPv4: 64240, IPv6: 64800 };
const WINDOW_SCALE = 7;
/** After the handshake: 502 << 7 = 64,256 bytes, far more than the two segments we ever leave unacknowledged. */
const ESTABLISHED_WINDOW = 502;
/** Like a delayed-ACK receiver: one ACK for every two full segments, and one when a burst ends. */
const SEGMENTS_PER_ACK = 2;
const TTL = 64;
const PROTOCOL_TCP = 6;

/** The 4 or 16 bytes of an IP address, or undefined if it is not one. An IPv6 zone (`%eth0`) is dropped. */
export function addressBytes(address: string): Uint8Array | undefined {
  const plain = address.split('%')[0] ?? '';
  if (isIPv4(plain)) return Uint8Array.from(plain.split('.').map(Number));
  if (!isIPv6(plain)) return undefined;
  let text = plain;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An IPv4 tail (`::ffff:127.0.0.1`) is the last two groups: rewrite it as `7f00:1`.
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groupsOf = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [head = '', rest] = text.split('::');
  const before = groupsOf(head);
  const after = rest === undefined ? [] : groupsOf(rest);
  const zeros = new Array<number>(8 - before.length - after.length).fill(0);
  const bytes = new Uint8Array(16);
  [...before, ...zeros, ...after].forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** `::ffff:a.b.c.d` as the IPv4 address it stands for; anything else unchanged. */
export function unmapped(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength !== 16) return bytes;
  for (let i = 0; i < 10; i += 1) if (bytes[i] !== 0) return bytes;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return bytes;
  return bytes.slice(12);
}

/** The 16-bit one's complement sum (RFC 1071) of `bytes` added to `sum`, not yet folded or inverted. */
export function onesComplementAdd(sum: number, bytes: Uint8Array): number {
  const end = bytes.byteLength & ~1;
  for (let i = 0; i < end; i += 2) sum += ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
  if (end < bytes.byteLength) sum += (bytes[end] as number) << 8;
  return sum;
}

/** Folds a sum to 16 bits and inverts it: the value that goes in a checksum field. */
export function checksumOf(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export interface TcpSegmentSpec {
  /** 4 bytes (IPv4) or 16 bytes (IPv6); both ends the same family. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** TCP options, already padded to a multiple of 4 bytes. */
  options?: Uint8Array;
  payload?: Uint8Array;
  /** IPv4 identification field. */
  ipId?: number;
}

/** One IP packet carrying one TCP segment, with correct IP and TCP checksums. */
export function tcpPacket(spec: TcpSegmentSpec): Uint8Array {
  const v6 = spec.src.byteLength === 16;
  if (spec.dst.byteLength !== spec.src.byteLength) throw new Error('both ends of a packet must be the same IP family');
  const options = spec.options ?? new Uint8Array(0);
  if (options.byteLength % 4 !== 0 || options.byteLength > 40)
    throw new Error('TCP options must be 0-40 bytes, 32-bit aligned');
  const payload = spec.payload ?? new Uint8Array(0);
  const ipHeader = v6 ? 40 : 20;
  const tcpLength = 20 + options.byteLength + payload.byteLength;
  const packet = new Uint8Array(ipHeader + tcpLength);
  const view = new DataView(packet.buffer);

  if (v6) {
    view.setUint32(0, 0x60000000); // version 6, traffic class 0, flow label 0
    view.setUint16(4, tcpLength);
    packet[6] = PROTOCOL_TCP;
    packet[7] = TTL;
    packet.set(spec.src, 8);
    packet.set(spec.dst, 24);
  } else {
    packet[0] = 0x45; // version 4, header of 5 words
    view.setUint16(2, ipHeader + tcpLength);
    view.setUint16(4, (spec.ipId ?? 0) & 0xffff);
    view.setUint16(6, 0x4000); // don't fragment, as a TCP stack doing path MTU discovery sends
    packet[8] = TTL;
    packet[9] = PROTOCOL_TCP;
    packet.set(spec.src, 12);
    packet.set(spec.dst, 16);
    view.setUint16(10, checksumOf(onesComplementAdd(0, packet.subarray(0, 20))));
  }

  const tcp = ipHeader;
  view.setUint16(tcp, spec.srcPort);
  view.setUint16(tcp + 2, spec.dstPort);
  view.setUint32(tcp + 4, spec.seq >>> 0);
  view.setUint32(tcp + 8, spec.ack >>> 0);
  packet[tcp + 12] = ((20 + options.byteLength) / 4) << 4;
  packet[tcp + 13] = spec.flags;
  view.setUint16(tcp + 14, spec.window);
  packet.set(options, tcp + 20);
  packet.set(payload, tcp + 20 + options.byteLength);

  // Pseudo-header: addresses, protocol and TCP length (RFC 9293 3.1; RFC 8200 8.1 for IPv6).
  let sum = onesComplementAdd(0, spec.src);
  sum = onesComplementAdd(sum, spec.dst);
  sum += PROTOCOL_TCP + (tcpLength >>> 16) + (tcpLength & 0xffff);
  sum = onesComplementAdd(sum, packet.subarray(tcp, tcp + 20 + options.byteLength));
  sum = onesComplementAdd(sum, payload);
  view.setUint16(tcp + 16, checksumOf(sum));
  return packet;
}

/** The SYN's options as Windows and many stacks order them: MSS, NOP, window scale, NOP, NOP, SACK permitted. */
export function synOptions(mss: number, windowScale = WINDOW_SCALE): Uint8Array {
  return Uint8Array.of(2, 4, mss >> 8, mss & 0xff, 1, 3, 3, windowScale, 1, 1, 4, 2);
}

/** A 32-bit number from a seeded hash, so an export of the same session is the same file every time. */
export function seededUint32(seed: string, purpose: string): number {
  return createHash('sha256').update(`${purpose}\0${seed}`).digest().readUInt32BE(0);
}

export type Side = 'client' | 'server';

export interface SideAddress {
  /** 4 or 16 bytes. */
  address: Uint8Array;
  port: number;
}

export interface SynthPacket {
  /** Session time, ms. */
  t: number;
  from: Side;
  bytes: Uint8Array;
  comment?: string;
}

interface SideState {
  end: SideAddress;
  isn: number;
  /** Stream bytes this side has sent so far (kept or not), i.e. the next stream offset. */
  sent: number;
  finSent: boolean;
  ipId: number;
}

const TWO_32 = 2 ** 32;

interface PacketSpec {
  flags: number;
  seq: number;
  window: number;
  options?: Uint8Array;
  payload?: Uint8Array;
  comment?: string | undefined;
}

/**
 * One TCP connection's packets. The client is the learner's side (the lab only connects out). Sequence numbers
 * follow stream offsets: byte `o` a side sends has sequence number ISN + 1 + o, so the numbers stay right even
 * across data the journal did not keep.
 */
export class TcpConversation {
  readonly mss: number;
  readonly family: Family;
  readonly #sides: Record<Side, SideState>;
  readonly #emit: (packet: SynthPacket) => void;
  #serverSynSent = false;
  #reset = false;

  constructor(client: SideAddress, server: SideAddress, seed: string, emit: (packet: SynthPacket) => void) {
    if (client.address.byteLength !== server.address.byteLength) {
      throw new Error('client and server must be the same IP family');
    }
    this.family = client.address.byteLength === 16 ? 'IPv6' : 'IPv4';
    this.mss = MSS[this.family];
    this.#emit = emit;
    const side = (end: SideAddress, name: Side): SideState => ({
      end,
      isn: seededUint32(seed, `${name} isn`),
      sent: 0,
      finSent: false,
      ipId: seededUint32(seed, `${name} ip id`) & 0xffff,
    });
    this.#sides = { client: side(client, 'client'), server: side(server, 'server') };
  }

  /** True once a reset ended the connection; nothing more is sent after that. */
  get isReset(): boolean {
    return this.#reset;
  }

  isn(side: Side): number {
    return this.#sides[side].isn;
  }

  /** Whether `side` has sent its FIN. */
  finSent(side: Side): boolean {
    return this.#sides[side].finSent;
  }

  /** Stream bytes `side` has sent so far, kept or not. */
  sent(side: Side): number {
    return this.#sides[side].sent;
  }

  /** Sequence number of stream byte `offset` sent by `side` (the SYN took ISN itself). */
  seqAt(side: Side, offset: number): number {
    return (this.#sides[side].isn + 1 + (offset % TWO_32)) % TWO_32;
  }

  /** The next sequence number `side` will use (after its data, and after its FIN once sent). */
  nextSeq(side: Side): number {
    const state = this.#sides[side];
    return (this.seqAt(side, state.sent) + (state.finSent ? 1 : 0)) % TWO_32;
  }

  /** The client's SYN (again, for a retransmission). */
  syn(t: number, comment?: string): void {
    const seq = this.#sides.client.isn;
    this.#packet('client', t, {
      flags: TCP_FLAGS.SYN,
      seq,
      window: SYN_WINDOW[this.family],
      options: synOptions(this.mss),
      comment,
    });
  }

  /** The server's SYN/ACK and the client's ACK: the handshake completes. */
  accept(t: number): void {
    this.#serverSynSent = true;
    const seq = this.#sides.server.isn;
    const flags = TCP_FLAGS.SYN | TCP_FLAGS.ACK;
    this.#packet('server', t, { flags, seq, window: SYN_WINDOW[this.family], options: synOptions(this.mss) });
    this.#ack('client', t);
  }

  /** Nothing listens: the server's stack answers the SYN with RST/ACK (sequence 0, acknowledging the SYN). */
  refuse(t: number, comment?: string): void {
    if (this.#reset) return;
    this.#packet('server', t, { flags: TCP_FLAGS.RST | TCP_FLAGS.ACK, seq: 0, window: 0, comment });
    this.#reset = true;
  }

  /** Data `side` sent at stream `offset`, split at the MSS, and the other side's ACKs. */
  data(side: Side, t: number, offset: number, bytes: Uint8Array, comment?: string): void {
    const state = this.#sides[side];
    if (this.#reset || state.finSent) return;
    // Bytes already sent (a repeated entry) are not sent twice; a jump forward stays a gap, as it was.
    const first = Math.max(0, state.sent - offset);
    let unacked = 0;
    for (let at = first; at < bytes.byteLength; at += this.mss) {
      const payload = bytes.subarray(at, Math.min(at + this.mss, bytes.byteLength));
      const last = at + payload.byteLength >= bytes.byteLength;
      const flags = TCP_FLAGS.ACK | (last ? TCP_FLAGS.PSH : 0);
      const seq = this.seqAt(side, offset + at);
      this.#packet(side, t, {
        flags,
        seq,
        window: ESTABLISHED_WINDOW,
        payload,
        comment: at === first ? comment : undefined,
      });
      state.sent = offset + at + payload.byteLength;
      unacked += 1;
      if (unacked === SEGMENTS_PER_ACK || last) {
        this.#ack(other(side), t);
        unacked = 0;
      }
    }
  }

  /** Data that happened but was not kept: the sequence numbers move on with no packet, and the receiver ACKs it. */
  skip(side: Side, t: number, offset: number, length: number, comment?: string): void {
    const state = this.#sides[side];
    if (this.#reset || state.finSent) return;
    state.sent = Math.max(state.sent, offset + length);
    this.#ack(other(side), t, comment);
  }

  /** `side` sends FIN; the other side's stack ACKs it at once. */
  fin(side: Side, t: number, comment?: string): void {
    const state = this.#sides[side];
    if (this.#reset || state.finSent) return;
    this.#packet(side, t, {
      flags: TCP_FLAGS.FIN | TCP_FLAGS.ACK,
      seq: this.nextSeq(side),
      window: ESTABLISHED_WINDOW,
      comment,
    });
    state.finSent = true;
    this.#ack(other(side), t);
  }

  /** `side` resets the connection (RST/ACK, as Linux sends on an abortive close); it is over. */
  reset(side: Side, t: number, comment?: string): void {
    if (this.#reset) return;
    this.#packet(side, t, { flags: TCP_FLAGS.RST | TCP_FLAGS.ACK, seq: this.nextSeq(side), window: 0, comment });
    this.#reset = true;
  }

  #ack(side: Side, t: number, comment?: string): void {
    // Before the SYN/ACK the server has said nothing, so it cannot acknowledge anything either.
    if (side === 'server' && !this.#serverSynSent) return;
    this.#packet(side, t, { flags: TCP_FLAGS.ACK, seq: this.nextSeq(side), window: ESTABLISHED_WINDOW, comment });
  }

  #packet(side: Side, t: number, spec: PacketSpec): void {
    const from = this.#sides[side];
    const to = this.#sides[other(side)];
    const bytes = tcpPacket({
      src: from.end.address,
      dst: to.end.address,
      srcPort: from.end.port,
      dstPort: to.end.port,
      seq: spec.seq,
      // Every segment but the first SYN acknowledges what the other side has sent so far.
      ack: spec.flags & TCP_FLAGS.ACK ? this.nextSeq(other(side)) : 0,
      flags: spec.flags,
      window: spec.window,
      ipId: from.ipId,
      ...(spec.options && { options: spec.options }),
      ...(spec.payload && { payload: spec.payload }),
    });
    from.ipId = (from.ipId + 1) & 0xffff;
    const packet: SynthPacket = { t, from: side, bytes };
    if (spec.comment !== undefined) packet.comment = spec.comment;
    this.#emit(packet);
  }
}

function other(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}
