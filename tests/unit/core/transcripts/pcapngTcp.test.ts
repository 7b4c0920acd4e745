/**
 * TCP synthesis for the pcapng export: addresses, checksums (verified here by a separate implementation), the
 * handshake, MSS splitting, and the sequence and acknowledgement arithmetic of every packet.
 */
import { describe, expect, it } from 'vitest';
import {
  addressBytes,
  checksumOf,
  onesComplementAdd,
  seededUint32,
  synOptions,
  TcpConversation,
  tcpPacket,
  unmapped,
  type SideAddress,
  type SynthPacket,
} from '../../../../src/main/core/transcripts/tcpSynth';

interface Parsed {
  version: 4 | 6;
  src: Buffer;
  dst: Buffer;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  options: Buffer;
  payload: Buffer;
}

/** The RFC 1071 sum, written differently from the product's: 16-bit reads from a Buffer, folding as it goes. */
function foldedSum(...parts: Buffer[]): number {
  let sum = 0;
  for (const part of parts) {
    const even = part.length % 2 === 0 ? part : Buffer.concat([part, Buffer.alloc(1)]);
    for (let i = 0; i < even.length; i += 2) {
      sum += even.readUInt16BE(i);
      sum = (sum & 0xffff) + (sum >>> 16);
    }
  }
  return sum;
}

/** Parses one IP packet and checks its lengths and both checksums; a correct checksum makes the sum 0xffff. */
function parse(packet: Uint8Array): Parsed {
  const buf = Buffer.from(packet);
  const version = buf[0]! >> 4;
  let tcp: Buffer;
  let pseudo: Buffer;
  let src: Buffer;
  let dst: Buffer;
  if (version === 4) {
    expect(buf[0]).toBe(0x45);
    expect(buf.readUInt16BE(2)).toBe(buf.length);
    expect(buf.readUInt16BE(6)).toBe(0x4000);
    expect(buf[8]).toBe(64);
    expect(buf[9]).toBe(6);
    expect(foldedSum(buf.subarray(0, 20))).toBe(0xffff);
    src = buf.subarray(12, 16);
    dst = buf.subarray(16, 20);
    tcp = buf.subarray(20);
    pseudo = Buffer.concat([src, dst, Buffer.from([0, 6]), Buffer.from([tcp.length >> 8, tcp.length & 0xff])]);
  } else {
    expect(version).toBe(6);
    expect(buf.readUInt16BE(4)).toBe(buf.length - 40);
    expect(buf[6]).toBe(6);
    expect(buf[7]).toBe(64);
    src = buf.subarray(8, 24);
    dst = buf.subarray(24, 40);
    tcp = buf.subarray(40);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(tcp.length);
    pseudo = Buffer.concat([src, dst, length, Buffer.from([0, 0, 0, 6])]);
  }
  expect(foldedSum(pseudo, tcp)).toBe(0xffff);
  const headerLength = (tcp[12]! >> 4) * 4;
  return {
    version: version as 4 | 6,
    src,
    dst,
    srcPort: tcp.readUInt16BE(0),
    dstPort: tcp.readUInt16BE(2),
    seq: tcp.readUInt32BE(4),
    ack: tcp.readUInt32BE(8),
    flags: tcp[13]!,
    window: tcp.readUInt16BE(14),
    options: tcp.subarray(20, headerLength),
    payload: tcp.subarray(headerLength),
  };
}

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

function ends(v6 = false): { client: SideAddress; server: SideAddress } {
  const address = addressBytes(v6 ? '::1' : '127.0.0.1')!;
  return { client: { address, port: 50_123 }, server: { address, port: 8080 } };
}

function conversation(seed = 'conn-1', v6 = false) {
  const packets: Array<SynthPacket & { tcp: Parsed }> = [];
  const { client, server } = ends(v6);
  const tcp = new TcpConversation(client, server, seed, (packet) =>
    packets.push({ ...packet, tcp: parse(packet.bytes) }),
  );
  return { tcp, packets };
}

const add = (a: number, b: number): number => (a + b) % 2 ** 32;

describe('addresses', () => {
  it('turns IPv4 and IPv6 text into bytes', () => {
    expect([...addressBytes('127.0.0.1')!]).toEqual([127, 0, 0, 1]);
    expect([...addressBytes('::1')!]).toEqual([...new Array(15).fill(0), 1]);
    expect(Buffer.from(addressBytes('2001:db8::8:800:200c:417a')!).toString('hex')).toBe(
      '20010db80000000000080800200c417a',
    );
    expect(Buffer.from(addressBytes('1:2:3:4:5:6:7:8')!).toString('hex')).toBe('00010002000300040005000600070008');
    expect(Buffer.from(addressBytes('fe80::1%lo')!).toString('hex')).toBe('fe800000000000000000000000000001');
    expect(Buffer.from(addressBytes('::ffff:127.0.0.1')!).toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(Buffer.from(addressBytes('64:ff9b::192.0.2.33')!).toString('hex')).toBe('0064ff9b0000000000000000c0000221');
  });

  it('refuses what is not an IP address', () => {
    for (const text of ['localhost', '1.2.3', '256.1.1.1', '', '::1::2', 'data.pr4e.org']) {
      expect(addressBytes(text), text).toBeUndefined();
    }
  });

  it('reads ::ffff:a.b.c.d as the IPv4 address it stands for, and leaves other IPv6 alone', () => {
    expect([...unmapped(addressBytes('::ffff:10.1.2.3')!)]).toEqual([10, 1, 2, 3]);
    expect(unmapped(addressBytes('::1')!).byteLength).toBe(16);
  });
});

describe('checksums', () => {
  it('match the worked example of RFC 1071 (sum 0xddf2, checksum 0x220d)', () => {
    const bytes = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(checksumOf(onesComplementAdd(0, bytes))).toBe(0x220d);
  });

  it('are right for IPv4 and IPv6, odd payload lengths, and options (checked by a separate sum)', () => {
    for (const family of ['127.0.0.1', '::1'] as const) {
      const address = addressBytes(family)!;
      for (const length of [0, 1, 2, 3, 1459, 1460]) {
        const payload = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
        const packet = tcpPacket({
          src: address,
          dst: address,
          srcPort: 65_535,
          dstPort: 1,
          seq: 0xffff_ffff,
          ack: 0x8000_0000,
          flags: ACK | PSH,
          window: 0xffff,
          options: synOptions(1460),
          payload,
          ipId: 0xfffe,
        });
        const parsed = parse(packet);
        expect(parsed.payload).toEqual(Buffer.from(payload));
        expect(parsed.seq).toBe(0xffff_ffff);
      }
    }
  });

  it('refuses mixed families and options that are not 32-bit aligned', () => {
    const spec = { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: SYN, window: 1 };
    expect(() => tcpPacket({ ...spec, src: addressBytes('::1')!, dst: addressBytes('127.0.0.1')! })).toThrow(/family/);
    const v4 = addressBytes('127.0.0.1')!;
    expect(() => tcpPacket({ ...spec, src: v4, dst: v4, options: new Uint8Array(3) })).toThrow(/aligned/);
  });
});

describe('a conversation', () => {
  it('opens with SYN, SYN/ACK, ACK carrying MSS, window scale and SACK permitted, as a real stack does', () => {
    const { tcp, packets } = conversation();
    tcp.syn(1, '#1 here');
    tcp.accept(2);
    const [syn, synAck, ack] = packets.map((p) => p.tcp);
    const c = tcp.isn('client');
    const s = tcp.isn('server');
    expect(syn).toMatchObject({ flags: SYN, seq: c, ack: 0, window: 64_240, srcPort: 50_123, dstPort: 8080 });
    expect([...syn!.options]).toEqual([2, 4, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2]);
    expect(synAck).toMatchObject({ flags: SYN | ACK, seq: s, ack: add(c, 1), srcPort: 8080, dstPort: 50_123 });
    expect(synAck!.options.readUInt16BE(2)).toBe(1460);
    expect(ack).toMatchObject({ flags: ACK, seq: add(c, 1), ack: add(s, 1), window: 502 });
    expect(packets.map((p) => [p.t, p.from, p.comment])).toEqual([
      [1, 'client', '#1 here'],
      [2, 'server', undefined],
      [2, 'client', undefined],
    ]);
  });

  it('splits a send at the MSS (1460 for IPv4), PSH on the last piece, an ACK every two segments and at the end', () => {
    const { tcp, packets } = conversation();
    tcp.syn(0);
    tcp.accept(0);
    packets.length = 0;
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    tcp.data('client', 3, 0, bytes);
    const c = tcp.isn('client');
    const s = tcp.isn('server');
    expect(packets.map((p) => [p.from, p.tcp.flags, p.tcp.seq, p.tcp.ack, p.tcp.payload.length])).toEqual([
      ['client', ACK, add(c, 1), add(s, 1), 1460],
      ['client', ACK, add(c, 1461), add(s, 1), 1460],
      ['server', ACK, add(s, 1), add(c, 2921), 0],
      ['client', ACK, add(c, 2921), add(s, 1), 1460],
      ['client', ACK | PSH, add(c, 4381), add(s, 1), 620],
      ['server', ACK, add(s, 1), add(c, 5001), 0],
    ]);
    expect(Buffer.concat(packets.map((p) => p.tcp.payload))).toEqual(Buffer.from(bytes));
  });

  it('uses 1440 over IPv6', () => {
    const { tcp, packets } = conversation('v6', true);
    tcp.syn(0);
    tcp.accept(0);
    expect(packets[0]!.tcp.version).toBe(6);
    expect(packets[0]!.tcp.options.readUInt16BE(2)).toBe(1440);
    packets.length = 0;
    tcp.data('server', 1, 0, new Uint8Array(3000));
    expect(packets.filter((p) => p.from === 'server').map((p) => p.tcp.payload.length)).toEqual([1440, 1440, 120]);
  });

  it('counts a FIN as one sequence number, acknowledges it, and keeps the other direction going', () => {
    const { tcp, packets } = conversation();
    tcp.syn(0);
    tcp.accept(0);
    tcp.data('client', 1, 0, new Uint8Array(10));
    packets.length = 0;
    tcp.fin('client', 2); // half-close
    tcp.data('server', 3, 0, new Uint8Array(4));
    tcp.fin('server', 4);
    tcp.fin('server', 5); // a second FIN is not sent
    const c = tcp.isn('client');
    const s = tcp.isn('server');
    expect(packets.map((p) => [p.from, p.tcp.flags, p.tcp.seq, p.tcp.ack, p.tcp.payload.length])).toEqual([
      ['client', FIN | ACK, add(c, 11), add(s, 1), 0],
      ['server', ACK, add(s, 1), add(c, 12), 0],
      ['server', ACK | PSH, add(s, 1), add(c, 12), 4],
      ['client', ACK, add(c, 12), add(s, 5), 0],
      ['server', FIN | ACK, add(s, 5), add(c, 12), 0],
      ['client', ACK, add(c, 12), add(s, 6), 0],
    ]);
  });

  it('resets from either side at the next sequence number, and sends nothing after', () => {
    const { tcp, packets } = conversation();
    tcp.syn(0);
    tcp.accept(0);
    tcp.data('server', 1, 0, new Uint8Array(7));
    packets.length = 0;
    tcp.reset('client', 2, 'aborted');
    tcp.data('client', 3, 0, new Uint8Array(1));
    tcp.fin('server', 4);
    expect(packets.map((p) => [p.from, p.tcp.flags, p.tcp.seq, p.tcp.ack, p.comment])).toEqual([
      ['client', RST | ACK, add(tcp.isn('client'), 1), add(tcp.isn('server'), 8), 'aborted'],
    ]);
    expect(tcp.isReset).toBe(true);
  });

  it('answers a refused SYN with RST/ACK from the server, sequence 0, acknowledging the SYN', () => {
    const { tcp, packets } = conversation();
    tcp.syn(0);
    tcp.refuse(1, 'ECONNREFUSED');
    expect(packets[1]!.tcp).toMatchObject({ flags: RST | ACK, seq: 0, ack: add(tcp.isn('client'), 1) });
    expect(packets[1]!.from).toBe('server');
  });

  it('moves on over unsaved data with an ACK and no data packet, so the next segment leaves a gap', () => {
    const { tcp, packets } = conversation();
    tcp.syn(0);
    tcp.accept(0);
    tcp.data('server', 1, 0, new Uint8Array(100));
    packets.length = 0;
    tcp.skip('server', 2, 100, 1_000_000, 'not kept');
    tcp.data('server', 3, 1_000_100, new Uint8Array(5));
    const s = tcp.isn('server');
    expect(packets.map((p) => [p.from, p.tcp.seq, p.tcp.ack, p.tcp.payload.length, p.comment])).toEqual([
      ['client', add(tcp.isn('client'), 1), add(s, 1_000_101), 0, 'not kept'],
      ['server', add(s, 1_000_101), add(tcp.isn('client'), 1), 5, undefined],
      ['client', add(tcp.isn('client'), 1), add(s, 1_000_106), 0, undefined],
    ]);
  });

  it('does not send again what was already sent (a repeated entry), only the new part', () => {
    const { tcp, packets } = conversation();
    tcp.syn(0);
    tcp.accept(0);
    tcp.data('client', 1, 0, Buffer.from('hello'));
    packets.length = 0;
    tcp.data('client', 2, 3, Buffer.from('lo, world'));
    expect(packets[0]!.tcp.payload.toString()).toBe(', world');
    expect(packets[0]!.tcp.seq).toBe(add(tcp.isn('client'), 6));
  });

  it('wraps sequence numbers at 2^32 on long streams', () => {
    const { tcp } = conversation();
    expect(tcp.seqAt('client', 2 ** 32)).toBe(tcp.seqAt('client', 0));
    expect(tcp.seqAt('client', 2 ** 32 - 1 - tcp.isn('client'))).toBe(0);
    expect(tcp.seqAt('client', 5 * 2 ** 32 + 7)).toBe(add(tcp.isn('client'), 8));
  });

  it('takes its ISNs from a seeded hash: the same id always, another id differently, each side its own', () => {
    const a = conversation('same-id').tcp;
    const b = conversation('same-id').tcp;
    const c = conversation('other-id').tcp;
    expect(a.isn('client')).toBe(b.isn('client'));
    expect(a.isn('server')).toBe(b.isn('server'));
    expect(a.isn('client')).not.toBe(a.isn('server'));
    expect(a.isn('client')).not.toBe(c.isn('client'));
    expect(seededUint32('x', 'y')).toBe(seededUint32('x', 'y'));
  });
});
