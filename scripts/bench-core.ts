// npm run bench:core — bytes per second through the connection hub next to a bare node:net read, in one run.
import { parseArgs } from 'node:util';
import { benchCoreRound, type CoreBenchResult } from './bench-hub';

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
    console.error('usage: npm run bench:core -- [--mb 256] [--rounds 7]');
    process.exit(2);
  }
  console.log(`bench:core — ${megabytes} MiB over loopback per run, ${rounds} rounds, hub and bare read in each`);
  // A warm-up round, not counted, so neither path is timed while the JIT is still cold.
  await benchCoreRound(Math.min(megabytes, 64) * 1024 * 1024, 0);
  const results: CoreBenchResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const result = await benchCoreRound(megabytes * 1024 * 1024, round);
    results.push(result);
    console.log(
      `  round ${round}: hub ${mbps(result.hubBytesPerSec)}, bare node:net ${mbps(result.bareBytesPerSec)}, ratio ${result.ratio.toFixed(3)}`,
    );
  }
  const ratio = median(results.map((result) => result.ratio));
  console.log(`hub:  ${mbps(median(results.map((result) => result.hubBytesPerSec)))} (median)`);
  console.log(`bare: ${mbps(median(results.map((result) => result.bareBytesPerSec)))} (median)`);
  console.log(
    `median ratio (hub / bare, same round): ${ratio.toFixed(3)} (goal >= 0.9: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
  );
}

void main();
