/**
 * The .pcapng exporter on sessions written out by hand, for what real loopback cannot produce on demand: a connect
 * that times out, a name that does not resolve, data past the journal's cap, a journal that lacks the connect.
 * Every file is checked with tshark.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionId, LabEvent } from '../../../../src/shared/contract';
import { summarize, type SessionEntry } from '../../../../src/shared/transcript';
import { memorySource } from '../../../../src/main/core/transcripts/source';
import {
  capinfos,
  commentField,
  dissect,
  expertSummary,
  exportToBuffer,
  exportToFile,
  fields,
  requireTshark,
  writeTemp,
  type PcapngFile,
} from './pcapngTshark';

const STARTED_AT = Date.UTC(2026, 10, 30, 9, 0, 0);

type Without<T> = T extends unknown ? Omit<T, 'id' | 't'> : never;

/** A session from a start entry and events written as [t, id, event]. */
function session(rows: Array<[number, ConnectionId, Without<LabEvent>] | SessionEntry>): SessionEntry[] {
  const entries: SessionEntry[] = [
    {
      kind: 'start',
      t: 0,
      sessionId: 'hand-made',
      startedAt: STARTED_AT,
      appVersion: '9.8.7',
      transport: 'electron',
      platform: 'linux',
    },
  ];
  for (const row of rows) {
    if (!Array.isArray(row)) {
      entries.push(row);
      continue;
    }
    const [t, id, event] = row;
    entries.push({ kind: 'event', t, event: { ...event, id, t } as LabEvent });
  }
  return entries;
}

function source(entries: SessionEntry[]) {
  return memorySource(entries, summarize(entries));
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function opened(id: string, port: number, t = 1): Array<[number, ConnectionId, Without<LabEvent>]> {
  return [
    [t, id, { type: 'resolving', host: 'echo.lab.test', port: 7, route: 'lab' }],
    [t + 0.1, id, { type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' }],
    [t + 0.2, id, { type: 'connecting', address: '127.0.0.1', port, route: 'lab' }],
    [
      t + 0.5,
      id,
      {
        type: 'connected',
        local: { address: '127.0.0.1', port: 50_000, family: 'IPv4' },
        remote: { address: '127.0.0.1', port, family: 'IPv4' },
        route: 'lab',
        elapsedMs: 0.3,
      },
    ],
  ];
}

let file: PcapngFile | null = null;

beforeAll(() => requireTshark());
afterEach(() => {
  file?.remove();
  file = null;
});

describe('a connect that times out', () => {
  const entries = session([
    [5, 'late', { type: 'resolving', host: '127.0.0.1', port: 9, route: 'internet' }],
    [5.1, 'late', { type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' }],
    [5.2, 'late', { type: 'connecting', address: '127.0.0.1', port: 9, route: 'internet' }],
    [
      10_005,
      'late',
      {
        type: 'error',
        code: 'ETIMEDOUT',
        message: '127.0.0.1 port 9 did not answer within 10 seconds, so the lab gave up waiting.',
        hint: 'Check the host and port.',
      },
    ],
    [10_005.5, 'late', { type: 'closed', by: 'error' }],
    { kind: 'end', t: 10_006 },
  ]);

  it('shows the SYN and its retransmissions at 1, 3 and 7 s, on a made-up but repeatable local port', async () => {
    file = await exportToFile(source(entries));
    const comment = await commentField();
    // One tshark pass for every field the test reads (a pass is ~0.4 s of CPU, most of it tshark starting).
    const { packets } = await dissect(file.path, [
      'frame.time_relative',
      'tcp.flags',
      'tcp.srcport',
      'tcp.analysis.retransmission',
      comment,
    ]);
    const rows = packets.map((p) => [
      p['frame.time_relative'],
      p['tcp.flags'],
      p['tcp.srcport'],
      p['tcp.analysis.retransmission'],
    ]);
    expect(rows.map((row) => [Number(row[0]).toFixed(3), row[1]])).toEqual([
      ['0.000', '0x0002'],
      ['1.000', '0x0002'],
      ['3.000', '0x0002'],
      ['7.000', '0x0002'],
    ]);
    // tshark itself calls the later SYNs retransmissions.
    expect(rows.slice(1).every((row) => row[3] === '1')).toBe(true);
    const port = Number(rows[0]?.[2]);
    expect(port).toBeGreaterThanOrEqual(49_152);
    expect(port).toBeLessThanOrEqual(65_535);
    // frame.number == 1
    expect(packets[0]?.[comment]).toBe(
      `#1 127.0.0.1:9; the connect never got a local port, so port ${port} stands in for it`,
    );
    // Same session, same file: ISNs and the port come from a seeded hash of the connection id.
    expect(Buffer.compare(await exportToBuffer(source(entries)), file.bytes)).toBe(0);
  });
});

describe('a name that does not resolve', () => {
  it('has no packets, and the section comment says why', async () => {
    const entries = session([
      [1, 'nx', { type: 'resolving', host: 'no-such-host.invalid', port: 80, route: 'internet' }],
      [
        40,
        'nx',
        {
          type: 'error',
          code: 'ENOTFOUND',
          message: 'The name "no-such-host.invalid" could not be found.',
          hint: 'Check the spelling.',
        },
      ],
      [40.2, 'nx', { type: 'closed', by: 'error' }],
    ]);
    file = await exportToFile(source(entries));
    const info = await capinfos(file.path);
    expect(info).toMatch(/Number of packets:\s+0\b/);
    expect(info).toContain(
      'Capture comment:     #1 no-such-host.invalid:80: no packets, since no connection was tried: ENOTFOUND: The name "no-such-host.invalid" could not be found.',
    );
    expect(info).toMatch(/Capture application:\s+Socket Lab 9\.8\.7/);
  });
});

describe('data past the journal cap (unsaved entries)', () => {
  const entries = session([
    ...opened('cap', 7007),
    [2, 'cap', { type: 'data', dir: 'out', offset: 0, bytes: bytes('send me a lot\n') }],
    [3, 'cap', { type: 'data', dir: 'in', offset: 0, bytes: bytes('first part;') }],
    { kind: 'journal-full', t: 3.5, limitBytes: 25 },
    { kind: 'unsaved', t: 4, id: 'cap', dir: 'in', offset: 11, length: 50_000 },
    { kind: 'unsaved', t: 5, id: 'cap', dir: 'in', offset: 50_011, length: 1_000 },
    // Not what a full journal does (it keeps nothing more), but a gap between kept bytes is the harder case.
    [5.5, 'cap', { type: 'data', dir: 'in', offset: 51_011, bytes: bytes('the end') }],
    [6, 'cap', { type: 'peer-ended' }],
    [7, 'cap', { type: 'local-ended' }],
    [7.5, 'cap', { type: 'closed', by: 'local' }],
    { kind: 'end', t: 8 },
  ]);

  it('moves the sequence numbers on with no packet, so tshark says a segment was not captured', async () => {
    file = await exportToFile(source(entries));
    const comment = await commentField();
    const pass = await dissect(
      file.path,
      ['tcp.seq', 'tcp.len', 'tcp.flags', 'tcp.srcport', 'tcp.analysis.lost_segment', comment],
      { follow: [0] },
    );
    const streams = pass.followed;
    expect(streams.get(0)?.clientBytes.toString()).toBe('send me a lot\n');
    // Follow TCP Stream marks the hole itself, with its exact size.
    expect(streams.get(0)?.serverBytes.toString('latin1')).toBe(
      'first part;[51000 bytes missing in capture file]\0the end',
    );

    const { expert } = pass;
    expect(expert.get('Errors') ?? []).toEqual([]);
    const warnings = expert.get('Warns') ?? [];
    expect(warnings).toContain('TCP: Previous segment(s) not captured (common at capture start)');
    expect(warnings.every((w) => /not captured|wasn't captured/i.test(w))).toBe(true);

    // The next kept bytes sit 51,000 past the last ones, as they did on the wire; the FIN follows them.
    // tcp.len == 7
    const after = pass.packets.find((p) => p['tcp.len'] === '7');
    expect([after?.['tcp.seq'], after?.['tcp.analysis.lost_segment']]).toEqual([String(1 + 11 + 51_000), '1']);
    // tcp.flags.fin == 1 && tcp.srcport == 7007
    const fin = pass.packets.find((p) => Number(p['tcp.flags']) & 0x001 && p['tcp.srcport'] === '7007');
    expect(fin?.['tcp.seq']).toEqual(String(1 + 11 + 51_000 + 7));

    // frame.comment || pkt_comment
    const comments = pass.packets.map((p) => p[comment] ?? '').filter((c) => c !== '');
    const unsavedNotes = comments.filter((c) => c.includes('journal’s cap'));
    // Once per run of unsaved data, not once per entry.
    expect(unsavedNotes).toEqual([
      expect.stringContaining('from stream offset 11 on was past the journal’s cap of 25 bytes'),
    ]);
  });

  it('is checked for real: one changed payload byte makes tshark report a bad TCP checksum', async () => {
    const good = await exportToFile(source(entries));
    expect((await expertSummary(good.path)).get('Errors') ?? []).toEqual([]);
    good.remove();
    const bytesOut = await exportToBuffer(source(entries));
    const at = bytesOut.indexOf('send me a lot');
    bytesOut[at] = 'S'.charCodeAt(0);
    file = writeTemp(bytesOut);
    const errors = (await expertSummary(file.path)).get('Errors') ?? [];
    expect(errors.some((e) => /checksum/i.test(e))).toBe(true);
  });
});

describe('closing', () => {
  it('adds the peer’s FIN, marked as assumed, when the learner closed before it came', async () => {
    const entries = session([
      ...opened('mine', 7007),
      [2, 'mine', { type: 'data', dir: 'out', offset: 0, bytes: bytes('hi') }],
      [3, 'mine', { type: 'local-ended' }],
      [3.2, 'mine', { type: 'closed', by: 'local' }],
      ...opened('still', 7008, 4),
    ]);
    file = await exportToFile(source(entries));
    const comment = await commentField();
    const pass = await dissect(file.path, ['tcp.stream', 'tcp.srcport', 'tcp.flags', comment]);
    // tcp.stream == 0
    const rows = pass.packets
      .filter((p) => p['tcp.stream'] === '0')
      .map((p) => [p['tcp.srcport'], p['tcp.flags'], p[comment]]);
    expect(rows.slice(-4).map((row) => [row[0], row[1]])).toEqual([
      ['50000', '0x0011'],
      ['7007', '0x0010'],
      ['7007', '0x0011'],
      ['50000', '0x0010'],
    ]);
    expect(rows.at(-2)?.[2]).toMatch(/^Assumed, not seen: after you closed/);
    const { expert } = pass;
    expect(expert.get('Warns') ?? []).toEqual([]);
    expect(await capinfos(file.path)).toContain(
      'Capture comment:     #2 echo.lab.test:7: still open when the session ended',
    );
  });
});

describe('a journal that lacks parts of a connection', () => {
  it('still writes the handshake before data, skips a connection whose address is no IP address, survives a time that is no number', async () => {
    const entries = session([
      [
        1,
        'odd',
        {
          type: 'connected',
          local: { address: '::ffff:127.0.0.1', port: 40_000, family: 'IPv6' },
          remote: { address: '127.0.0.1', port: 7, family: 'IPv4' },
          route: 'lab',
          elapsedMs: 1,
        },
      ],
      [2, 'odd', { type: 'data', dir: 'in', offset: 0, bytes: bytes('hello') }],
      [3, 'bad', { type: 'connecting', address: 'not an address', port: 7, route: 'lab' }],
      [4, 'bad', { type: 'data', dir: 'out', offset: 0, bytes: bytes('lost') }],
    ]);
    entries.push({ kind: 'event', t: Number.NaN, event: { id: 'odd', t: Number.NaN, type: 'local-ended' } });
    file = await exportToFile(source(entries));
    const rows = await fields(file.path, ['ip.src', 'tcp.flags', 'tcp.len']);
    expect(rows).toEqual([
      ['127.0.0.1', '0x0002', '0'],
      ['127.0.0.1', '0x0012', '0'],
      ['127.0.0.1', '0x0010', '0'],
      ['127.0.0.1', '0x0018', '5'],
      ['127.0.0.1', '0x0010', '0'],
      ['127.0.0.1', '0x0011', '0'],
      ['127.0.0.1', '0x0010', '0'],
    ]);
  });
});
