// npm run bench:core — bytes per second through the connection hub next to a bare node:net read, in one run.
import { benchCore } from '../src/main/core/connections/bench';

const megabytes = Number(process.env.BENCH_MB ?? 256);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  console.log(`bench:core — ${megabytes} MB over loopback, ${rounds} rounds (best of each reported)`);
  let bestHub = 0;
  let bestBare = 0;
  for (let round = 1; round <= rounds; round++) {
    const result = await benchCore(megabytes * 1024 * 1024);
    bestHub = Math.max(bestHub, result.hubBytesPerSec);
    bestBare = Math.max(bestBare, result.bareBytesPerSec);
    console.log(
      `  round ${round}: hub ${(result.hubBytesPerSec / 1e6).toFixed(1)} MB/s, bare node:net ${(result.bareBytesPerSec / 1e6).toFixed(1)} MB/s, ratio ${result.ratio.toFixed(3)}`,
    );
  }
  console.log(`hub:  ${(bestHub / 1e6).toFixed(1)} MB/s`);
  console.log(`bare: ${(bestBare / 1e6).toFixed(1)} MB/s`);
  console.log(`ratio (hub / bare): ${(bestHub / bestBare).toFixed(3)}`);
}

void main();
