// npm run bench:journal — core throughput with every event journaled next to the same stream without, in one run.
import { parseArgs } from 'node:util';
import { benchJournalRound } from '../src/main/core/journal/bench';

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
  // A warm-up round, not counted, so neither side is timed while the JIT is cold.
  await benchJournalRound(Math.min(megabytes, 32) * 1024 * 1024, 0);
  const results = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await benchJournalRound(megabytes * 1024 * 1024, round);
    results.push(result);
    console.log(
      `  round ${round}: off ${mbps(result.offBytesPerSec)}, on ${mbps(result.onBytesPerSec)} ` +
        `(all fsynced: ${mbps(result.onDurableBytesPerSec)}), ratio ${result.ratio.toFixed(3)}, ` +
        `journal ${(result.journalBytes / 1e6).toFixed(1)} MB`,
    );
  }
  console.log(`journal off: ${mbps(median(results.map((r) => r.offBytesPerSec)))} (median)`);
  console.log(`journal on:  ${mbps(median(results.map((r) => r.onBytesPerSec)))} (median)`);
  console.log(`journal on, until all fsynced: ${mbps(median(results.map((r) => r.onDurableBytesPerSec)))} (median)`);
  console.log(`median ratio (on / off): ${median(results.map((r) => r.ratio)).toFixed(3)} (goal >= 0.8)`);
}

void main();
