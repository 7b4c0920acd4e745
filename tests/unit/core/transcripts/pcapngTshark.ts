/**
 * Test helper: write an exported .pcapng to a temp file and ask tshark (a reader nobody here wrote) what is in it.
 * tshark is required, not optional: CI installs it, so a missing tshark fails the tests with a clear message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportPcapng } from '../../../../src/main/core/transcripts/pcapng';
import type { TranscriptSource } from '../../../../src/main/core/transcripts/source';
import { run } from '../labServers/helpers';

const TSHARK = process.env.TSHARK ?? 'tshark';

/** Throws (never skips) when tshark is not there: the pcapng tests exist to check the file with it. */
export function requireTshark(): void {
  const probe = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `tshark is needed to check the .pcapng export, but "${TSHARK} --version" failed (${probe.error?.message ?? `exit ${probe.status}`}). ` +
        'Install it (Debian: echo "wireshark-common wireshark-common/install-setuid boolean false" | ' +
        'debconf-set-selections; DEBIAN_FRONTEND=noninteractive apt-get install -y tshark), or set TSHARK to its path.',
    );
  }
}

export async function exportToBuffer(source: TranscriptSource): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of exportPcapng(source)) parts.push(part);
  return Buffer.concat(parts);
}

export interface PcapngFile {
  path: string;
  bytes: Buffer;
  remove(): void;
}

export async function exportToFile(source: TranscriptSource): Promise<PcapngFile> {
  return writeTemp(await exportToBuffer(source));
}

/** Bytes in a fresh temp folder, as `session.pcapng`. */
export function writeTemp(bytes: Buffer): PcapngFile {
  const dir = mkdtempSync(path.join(tmpdir(), 'socketlab-pcapng-'));
  const file = path.join(dir, 'session.pcapng');
  writeFileSync(file, bytes);
  return { path: file, bytes, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs tshark with checksum validation on, so a wrong IP or TCP checksum shows as an expert error. */
export async function tshark(file: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const all = ['-n', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-r', file, ...args];
  const result = await run(TSHARK, all, timeoutMs);
  if (result.code !== 0) throw new Error(`tshark ${all.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.toString('utf8');
}

export async function capinfos(file: string): Promise<string> {
  const result = await run('capinfos', [file]);
  if (result.code !== 0) throw new Error(`capinfos exited ${result.code}: ${result.stderr}`);
  return result.stdout.toString('utf8');
}

/** One row per packet with the fields asked for, tab-separated (`-T fields`). */
export async function fields(
  file: string,
  names: string[],
  filter?: string,
  extra: string[] = [],
): Promise<string[][]> {
  const args = [...extra, '-T', 'fields', ...names.flatMap((name) => ['-e', name])];
  if (filter !== undefined) args.push('-Y', filter);
  const text = await tshark(file, args);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

export interface FollowedStream {
  stream: number;
  /** `address:port` of each end; node 0 sent the first packet (our side). */
  client: string;
  server: string;
  clientBytes: Buffer;
  serverBytes: Buffer;
  /** Lines tshark printed that were neither hex nor a header, e.g. a note about missing bytes. */
  other: string[];
}

/** `tshark -q -z follow,tcp,raw,N` for each stream, in one run. */
export async function followStreams(file: string, streams: readonly number[]): Promise<Map<number, FollowedStream>> {
  return parseFollow(await tshark(file, ['-q', ...streams.flatMap((n) => ['-z', `follow,tcp,raw,${n}`])]));
}

function parseFollow(text: string): Map<number, FollowedStream> {
  const found = new Map<number, FollowedStream>();
  for (const section of text.split(/^={10,}$/m)) {
    const stream = /^Filter: tcp\.stream eq (\d+)$/m.exec(section);
    if (!stream) continue;
    const client = /^Node 0: (.*)$/m.exec(section)?.[1] ?? '';
    const server = /^Node 1: (.*)$/m.exec(section)?.[1] ?? '';
    const clientHex: string[] = [];
    const serverHex: string[] = [];
    const other: string[] = [];
    for (const line of section.split('\n')) {
      if (line === '' || /^(Follow|Filter|Node [01]):/.test(line)) continue;
      if (/^\t[0-9a-f]+$/.test(line)) serverHex.push(line.slice(1));
      else if (/^[0-9a-f]+$/.test(line)) clientHex.push(line);
      else other.push(line);
    }
    found.set(Number(stream[1]), {
      stream: Number(stream[1]),
      client,
      server,
      clientBytes: Buffer.from(clientHex.join(''), 'hex'),
      serverBytes: Buffer.from(serverHex.join(''), 'hex'),
      other,
    });
  }
  return found;
}

/** Expert info as `-z expert` sums it up: severity ("Errors", "Warns", "Notes", "Chats", "Comments") -> summaries. */
export async function expertSummary(file: string, extra: string[] = []): Promise<Map<string, string[]>> {
  return parseExpert(await tshark(file, [...extra, '-q', '-z', 'expert']));
}

function parseExpert(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const heading = /^(\w+) \(\d+\)$/.exec(line);
    if (heading?.[1]) {
      current = [];
      found.set(heading[1], current);
      continue;
    }
    // "   Frequency      Group           Protocol  Summary" rows: count, group, protocol, then the summary.
    const row = /^\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line);
    if (row && current) for (let i = 0; i < Number(row[1]); i += 1) current.push(`${row[3]}: ${row[4]}`);
  }
  return found;
}

/** The frame field that holds a packet comment: `frame.comment` in tshark 3.6 and later, `pkt_comment` before. */
export async function commentField(): Promise<string> {
  commentFieldName ??= run(TSHARK, ['-G', 'fields']).then((result) =>
    /\tframe\.comment\t/.test(result.stdout.toString('utf8')) ? 'frame.comment' : 'pkt_comment',
  );
  return commentFieldName;
}

let commentFieldName: Promise<string> | undefined;

/** Whether this tshark tries its HTTP heuristic on TCP by itself (`tcp http T` in `-G heuristic-decodes`). */
export async function httpHeuristicOn(): Promise<boolean> {
  const result = await run(TSHARK, ['-G', 'heuristic-decodes']);
  return /^tcp\thttp\tT$/m.test(result.stdout.toString('utf8'));
}

/** `_ws.expert.severity` as `-T fields` prints it: PI_ERROR (epan/proto.h). A malformed packet always carries one
 *  (its `_ws.malformed.expert` item is PI_MALFORMED, PI_ERROR), so no error severity means nothing malformed. */
export const EXPERT_ERROR = String(0x00800000);

export interface Dissection {
  /** One row per packet, `frame.number` and every field asked for, by name ('' when the packet has none; several
   *  values joined by ','). */
  packets: Array<Record<string, string>>;
  followed: Map<number, FollowedStream>;
  expert: Map<string, string[]>;
}

/**
 * One tshark pass that does the work of many: the fields of every packet (`-T fields`), Follow TCP Stream of the
 * streams asked for and the expert summary, all from the same dissection. Each pass over a 10 MB capture costs
 * about half a second of CPU, so a test asks once and filters the rows itself.
 */
export async function dissect(
  file: string,
  names: readonly string[],
  options: { follow?: readonly number[]; extra?: readonly string[] } = {},
): Promise<Dissection> {
  const all = ['frame.number', ...names];
  const args = [...(options.extra ?? []), '-T', 'fields', ...all.flatMap((name) => ['-e', name])];
  for (const stream of options.follow ?? []) args.push('-z', `follow,tcp,raw,${stream}`);
  const text = await tshark(file, [...args, '-z', 'expert']);
  // Packet rows come first, each starting with its frame number; then the statistics, in no fixed order.
  const lines = text.split('\n');
  const packets: Array<Record<string, string>> = [];
  while (lines[packets.length]?.startsWith(`${packets.length + 1}\t`)) {
    const values = (lines[packets.length] as string).split('\t');
    if (values.length !== all.length) throw new Error(`tshark printed ${values.length} fields, not ${all.length}`);
    packets.push(Object.fromEntries(all.map((name, at) => [name, values[at] as string])));
  }
  const stats = lines.slice(packets.length).join('\n');
  // Each Follow TCP Stream section sits between two rows of '='; the expert summary is what is left.
  const follow = /^={10,}\nFollow: [^]*?\n={10,}$/gm;
  return {
    packets,
    followed: parseFollow([...stats.matchAll(follow)].map((match) => match[0]).join('\n')),
    expert: parseExpert(stats.replace(follow, '')),
  };
}
