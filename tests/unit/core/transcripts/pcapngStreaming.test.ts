/**
 * The .pcapng exporter streams: over a 200 MB session made up on the fly it yields as it reads, never falls more
 * than about one entry behind the source, and its memory stays flat. The blocks it yields are walked as they come.
 */
import { expect, it } from 'vitest';
import type { ConnectionId } from '../../../../src/shared/contract';
import { SummaryBuilder, type SessionEntry } from '../../../../src/shared/transcript';
import { exportPcapng } from '../../../../src/main/core/transcripts/pcapng';
import type { TranscriptSource } from '../../../../src/main/core/transcripts/source';

const KIB = 1024;
const MIB = 1024 * KIB;
const TOTAL_BYTES = 200 * MIB;
const ENTRY_BYTES = 64 * KIB;
const ENTRIES = TOTAL_BYTES / ENTRY_BYTES;
const ID: ConnectionId = 'big';

/** The source's entries, made as they are read; `produced` counts the data bytes handed out so far. */
function* bigSession(progress: { produced: number }): Generator<SessionEntry> {
  const endpoint = (port: number) => ({ address: '127.0.0.1', port, family: 'IPv4' as const });
  yield {
    kind: 'start',
    t: 0,
    sessionId: 'big',
    startedAt: Date.UTC(2026, 0, 1),
    appVersion: '0.1.0',
    transport: 'web',
    platform: 'linux',
  };
  yield {
    kind: 'event',
    t: 1,
    event: { id: ID, t: 1, type: 'connecting', address: '127.0.0.1', port: 9000, route: 'lab' },
  };
  const connected = {
    id: ID,
    t: 2,
    type: 'connected',
    local: endpoint(50_000),
    remote: endpoint(9000),
    route: 'lab',
    elapsedMs: 1,
  } as const;
  yield { kind: 'event', t: 2, event: connected };
  const offsets = { in: 0, out: 0 };
  for (let i = 0; i < ENTRIES; i += 1) {
    const dir = i % 8 === 0 ? 'out' : 'in';
    const t = 3 + i * 0.5;
    const bytes = new Uint8Array(ENTRY_BYTES).fill(i & 0xff);
    progress.produced += ENTRY_BYTES;
    yield { kind: 'event', t, event: { id: ID, t, type: 'data', dir, offset: offsets[dir], bytes } };
    offsets[dir] += ENTRY_BYTES;
  }
  const t = 3 + ENTRIES * 0.5;
  yield { kind: 'event', t, event: { id: ID, t, type: 'peer-ended' } };
  yield { kind: 'event', t, event: { id: ID, t, type: 'local-ended' } };
  yield { kind: 'event', t, event: { id: ID, t, type: 'closed', by: 'local' } };
  yield { kind: 'end', t: t + 1 };
}

/** Reads pcapng blocks from chunks as they arrive, whatever the chunk boundaries; counts blocks by type. */
class BlockWalker {
  readonly counts = new Map<number, number>();
  /** Blocks whose total length is not a multiple of 4; counted, and checked once at the end (an expect per block
   *  was over a third of this test's CPU). */
  misaligned = 0;
  #header: number[] = [];
  #skip = 0;

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.byteLength - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      this.#header.push(chunk[at] as number);
      at += 1;
      if (this.#header.length === 8) {
        const header = Buffer.from(this.#header);
        const type = header.readUInt32LE(0);
        const total = header.readUInt32LE(4);
        if (total % 4 !== 0) this.misaligned += 1;
        this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
        this.#skip = total - 8;
        this.#header = [];
      }
    }
  }

  get complete(): boolean {
    return this.#skip === 0 && this.#header.length === 0;
  }
}

function memory(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

it('yields a 200 MB session piece by piece, never far behind its source, with flat memory', async () => {
  const builder = new SummaryBuilder();
  for (const entry of bigSession({ produced: 0 })) builder.add(entry);
  const progress = { produced: 0 };
  const source: TranscriptSource = {
    summary: builder.summary,
    async *entries() {
      yield* bigSession(progress);
    },
  };

  const walker = new BlockWalker();
  const before = memory();
  let peak = before;
  let yielded = 0;
  let chunks = 0;
  let producedAtFirstChunk: number | undefined;
  let maxBehind = 0;
  const started = performance.now();
  for await (const chunk of exportPcapng(source)) {
    chunks += 1;
    yielded += chunk.byteLength;
    producedAtFirstChunk ??= progress.produced;
    // Output is larger than the data it carries (headers, ACKs), so data read minus output is what is held back.
    maxBehind = Math.max(maxBehind, progress.produced - yielded);
    walker.push(chunk);
    if (chunks % 64 === 0) peak = Math.max(peak, memory());
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `pcapng export of ${TOTAL_BYTES / MIB} MiB in ${ENTRIES} entries: ${(yielded / MIB).toFixed(1)} MiB out in ` +
      `${chunks} chunks, ${seconds.toFixed(2)} s (${(TOTAL_BYTES / MIB / seconds).toFixed(0)} MiB/s of session data); ` +
      `memory peak ${((peak - before) / MIB).toFixed(1)} MiB above the start; at most ${(maxBehind / KIB).toFixed(0)} KiB behind`,
  );

  expect(producedAtFirstChunk).toBeLessThanOrEqual(4 * ENTRY_BYTES);
  expect(maxBehind).toBeLessThanOrEqual(ENTRY_BYTES + 256 * KIB);
  expect(peak - before).toBeLessThan(64 * MIB);

  // Every 64 KiB entry is 45 segments at the MSS plus 23 ACKs; then the handshake (3) and two FINs with ACKs (4).
  expect(walker.complete).toBe(true);
  expect(walker.misaligned).toBe(0);
  expect(walker.counts.get(0x0a0d0d0a)).toBe(1);
  expect(walker.counts.get(1)).toBe(1);
  expect(walker.counts.get(6)).toBe(ENTRIES * (45 + 23) + 3 + 4);
  expect(yielded).toBeGreaterThan(TOTAL_BYTES);
}, 180_000);
