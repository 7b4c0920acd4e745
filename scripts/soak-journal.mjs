// npm run soak:journal -- --trials N: the journal's kill -9 soak (npm test runs 50 trials of it), as many times as asked.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { root } from './electron-binary.cjs';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    'flush-ms': { type: 'string', default: '10' },
    'mb-per-sec': { type: 'string', default: '200' },
    quiet: { type: 'boolean', default: false },
  },
});
const trials = Number(values.trials);
const seed = Number(values.seed);
const flushIntervalMs = Number(values['flush-ms']);
const megabytesPerSec = Number(values['mb-per-sec']);
if (![trials, seed, flushIntervalMs, megabytesPerSec].every((n) => Number.isSafeInteger(n) && n > 0)) {
  console.error(
    'usage: npm run soak:journal -- [--trials 500] [--seed 1] [--flush-ms 10] [--mb-per-sec 200] [--quiet]',
  );
  process.exit(2);
}

// The child and the soak driver are TypeScript from tests/unit/core/journal/fixture, bundled for plain Node.
const fixture = path.join(root, 'tests/unit/core/journal/fixture');
const outDir = path.join(root, '.test-output', 'soak-journal');
mkdirSync(outDir, { recursive: true });
await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir,
    target: 'node20',
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      input: { child: path.join(fixture, 'child.ts'), soak: path.join(fixture, 'soak.ts') },
      output: { entryFileNames: '[name].mjs' },
    },
  },
});
const { runSoak } = await import(pathToFileURL(path.join(outDir, 'soak.mjs')).href);

const started = Date.now();
const report = await runSoak({
  child: path.join(outDir, 'child.mjs'),
  trials,
  seed,
  flushIntervalMs,
  bytesPerSec: megabytesPerSec * 1e6,
  log: values.quiet ? undefined : (line) => console.log(line),
});
const flushed = report.trials.reduce((sum, trial) => sum + trial.flushed, 0);
const beyond = report.trials.reduce((sum, trial) => sum + trial.beyondFlush, 0);
console.log('');
console.log(
  `soak:journal — ${trials} trials in ${((Date.now() - started) / 1000).toFixed(1)} s (fsync every ${flushIntervalMs} ms; data at ${megabytesPerSec} MB/s, every other trial ten times as fast)`,
);
console.log(
  `  killed while writing: ${report.killedMidSession}; after finishing: ${report.trials.length - report.killedMidSession}`,
);
console.log(
  `  records recovered: ${report.recordsRecovered} (flushed before the kill: ${flushed}, more the kernel kept: ${beyond})`,
);
console.log(
  `  flushed records lost: 0 in every passing trial; worst torn tail trimmed: ${report.worstTornBytes} bytes`,
);
console.log(`  failures: ${report.failures.length}`);
for (const failure of report.failures) console.log(`    ${failure}`);
process.exit(report.failures.length === 0 ? 0 : 1);
