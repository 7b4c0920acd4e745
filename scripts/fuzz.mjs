// npm run fuzz -- [--runs N] [--seed N] [--only wire,validators,http,reader]: every fuzzed property of the project,
// as long as asked. The same properties run about 10,000 times each in npm test; this runs them N times each.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './electron-binary.cjs';

/** Each target and the test file that holds its properties (and its check over real sockets). */
const TARGETS = {
  wire: { file: 'tests/unit/web/wire.fuzz.test.ts', what: 'the WebSocket frame decoder' },
  validators: { file: 'tests/unit/core/validators.fuzz.test.ts', what: 'every command’s validator and dispatch' },
  http: { file: 'tests/unit/core/labServers/httpRequest.fuzz.test.ts', what: 'the lab HTTP request parser' },
  reader: { file: 'tests/unit/core/transcripts/socketlabReader.fuzz.test.ts', what: 'the .socketlab reader' },
};

const USAGE = `Usage: npm run fuzz -- [--runs N] [--seed N] [--only ${Object.keys(TARGETS).join(',')}]

  --runs N    cases per property (default 100000; npm test runs about 10000)
  --seed N    the seed to run from (default: the fixed one the tests use); a failure prints the seed it used
  --only ...  some targets only, comma-separated: ${Object.entries(TARGETS)
    .map(([name, { what }]) => `${name} (${what})`)
    .join(', ')}
`;

function stop(message) {
  console.error(`npm run fuzz: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      runs: { type: 'string', default: '100000' },
      seed: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  stop(error.message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runs = Number(values.runs);
if (!/^\d+$/.test(values.runs) || !Number.isSafeInteger(runs) || runs < 1) {
  stop(`--runs must be a whole number of cases from 1 up, not "${values.runs}".`);
}
if (values.seed !== undefined && !/^-?\d+$/.test(values.seed))
  stop(`--seed must be a whole number, not "${values.seed}".`);
const names = values.only === undefined ? Object.keys(TARGETS) : values.only.split(',').map((name) => name.trim());
for (const name of names) if (!Object.hasOwn(TARGETS, name)) stop(`there is no fuzz target called "${name}".`);

const seedWords = values.seed === undefined ? 'the fixed seed' : `seed ${values.seed}`;
console.log(
  `Fuzzing ${names.map((name) => TARGETS[name].what).join(', ')}: ${runs.toLocaleString('en-US')} cases a property, ${seedWords}.`,
);
const started = Date.now();
const result = spawnSync(
  path.join(root, 'node_modules', '.bin', 'vitest'),
  [
    'run',
    ...names.map((name) => TARGETS[name].file),
    '--reporter=verbose',
    // A long run takes as long as it takes; hooks build a lab, which is quick.
    '--testTimeout=86400000',
    '--hookTimeout=120000',
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_RUNS: String(runs), ...(values.seed === undefined ? {} : { FUZZ_SEED: values.seed }) },
  },
);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (result.status === 0) {
  console.log(
    `\nfuzz: ${names.join(', ')} ran clean, ${runs.toLocaleString('en-US')} cases a property, in ${seconds} s.`,
  );
} else {
  console.log(`\nfuzz: FAILED after ${seconds} s (the failing property above names its seed and smallest case).`);
}
process.exit(result.status ?? 1);
