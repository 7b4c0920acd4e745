// npm run bench:journal — core throughput with every event journaled next to the same stream without, in one run.
import { parseArgs } from 'node:util';
import { crc32Implementation } from '../src/main/core/journal/crc';
import { benchJournalRound, type JournalBenchRound } from './bench-journal-round';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '256' }, rounds: { type: 'string', default: '7' } },
});
const megabytes = Number(values.mb);
const rounds = Number(values.rounds);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const mbps = (bytesPerSec: number): string => `${(bytesPerSec / 1e6).toFixed(1)} MB/s`;

async function main(): Promise<void> {
  if (!Number.isSafeInteger(megabytes) || megabytes <= 0 || !Number.isSafeInteger(rounds) || rounds <= 0) {
    console.error('usage: npm run bench:journal -- [--mb 256] [--rounds 7]');
    process.exit(2);
  }
  console.log(`bench:journal — ${megabytes} MB over loopback per run, ${rounds} rounds, journal off and on in each`);
  console.log(`CRC32 of every fragment by ${crc32Implementation}`);
  // A full-size warm-up round, not counted: the JIT is warm, and the journal's first write of this size is not
  // timed while the kernel (and on a VM, the host) first hands out that much page cache.
  await benchJournalRound(megabytes * 1024 * 1024, 0);
  const results: JournalBenchRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await benchJournalRound(megabytes * 1024 * 1024, round);
    // A round whose journal did not keep every byte measured something else: say so rather than print its figures.
    const total = megabytes * 1024 * 1024;
    if (result.journalBytes <= total || result.journalBytes >= total * 1.01) {
      console.error(
        `  round ${round}: the journal holds ${result.journalBytes} bytes for ${total} streamed; not a fair round`,
      );
      process.exit(1);
    }
    results.push(result);
    console.log(
      `  round ${round}: off ${mbps(result.offBytesPerSec)}, on ${mbps(result.onBytesPerSec)} ` +
        `(all fsynced ${mbps(result.onDurableBytesPerSec)}; ` +
        `writes discarded ${mbps(result.onNoDiskBytesPerSec)}; ` +
        `its writev ran at ${mbps(result.journalWriteBytesPerSec)}, ` +
        `sockets paused for the disk ${result.pausedForDiskMs.toFixed(0)} of ${result.onMs.toFixed(0)} ms; ` +
        `bare hot writev ${mbps(result.diskBytesPerSec)}), ratio ${result.ratio.toFixed(3)}`,
    );
  }
  const each = (pick: (round: JournalBenchRound) => number): string => mbps(median(results.map(pick)));
  console.log(`journal off: ${each((r) => r.offBytesPerSec)} (median)`);
  console.log(`journal on:  ${each((r) => r.onBytesPerSec)} (median)`);
  console.log(`journal on, until all fsynced: ${each((r) => r.onDurableBytesPerSec)} (median)`);
  console.log(`journal on, writes discarded (its own CPU cost): ${each((r) => r.onNoDiskBytesPerSec)} (median)`);
  console.log(`the journal's own writev calls: ${each((r) => r.journalWriteBytesPerSec)} (median)`);
  console.log(`bare writev to the same disk from one hot buffer: ${each((r) => r.diskBytesPerSec)} (median)`);
  console.log(`journal size: ${((results[0]?.journalBytes ?? 0) / 1e6).toFixed(1)} MB for ${megabytes} MiB of data`);
  console.log(`median ratio (on / off): ${median(results.map((r) => r.ratio)).toFixed(3)} (goal >= 0.8)`);
  console.log(
    `median ratio (writes discarded / off): ${median(results.map((r) => r.onNoDiskBytesPerSec / r.offBytesPerSec)).toFixed(3)}`,
  );
  // Where the disk held the sockets back, the ratio measures the disk (on a VM, often the host handing back pages
  // it had taken: a first write into page cache can run at a few hundred MB/s), not the journal's own work.
  const unpaused = results.filter((r) => r.pausedForDiskMs < 0.05 * r.onMs);
  console.log(
    unpaused.length > 0
      ? `rounds where the disk paused the sockets under 5% of the time: ${unpaused.length} of ${results.length}, ` +
          `median ratio ${median(unpaused.map((r) => r.ratio)).toFixed(3)}`
      : `the disk paused the sockets in every round: the ratio measures the disk here`,
  );
}

void main();
