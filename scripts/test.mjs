// npm test: the build, then the unit tests, then the end-to-end tests with the static checks (typecheck, lint, security)
// beside them; each step's output printed whole when it ends, how long each part took, and one summary line.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { electronBinary, root } from './electron-binary.cjs';

const outputDir = path.join(root, '.test-output');
rmSync(path.join(outputDir, 'vitest.json'), { force: true });
rmSync(path.join(outputDir, 'playwright.json'), { force: true });
mkdirSync(outputDir, { recursive: true });

/**
 * The lint and typecheck caches (package.json keeps them in .test-output/cache and .svelte-check) know the files they
 * checked, not the tools that checked them: a newer plugin or compiler must see every file again, so they start
 * afresh whenever the installed packages, Node or the Svelte config change.
 */
function freshCachesForNewTools() {
  const cacheDir = path.join(outputDir, 'cache');
  const stampFile = path.join(cacheDir, 'tools.sha256');
  const contentOf = (file) => (existsSync(file) ? readFileSync(file) : '');
  const stamp = createHash('sha256')
    .update(process.version)
    .update(contentOf(path.join(root, 'node_modules', '.package-lock.json')))
    .update(contentOf(path.join(root, 'package-lock.json')))
    .update(contentOf(path.join(root, 'svelte.config.mjs')))
    .digest('hex');
  if (contentOf(stampFile).toString() === stamp) return;
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(path.join(root, '.svelte-check'), { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(stampFile, stamp);
}
freshCachesForNewTools();

const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/**
 * A package.json script as steps: split at its `&&`s, so `npm run lint` and `npm test` run the same commands and
 * the parts of one script can run side by side. `extra` is added to one part's arguments (matched by its program).
 */
function scriptSteps(name, extra = {}) {
  if (typeof scripts[name] !== 'string') throw new Error(`package.json has no "${name}" script`);
  return scripts[name].split(/\s*&&\s*/).map((command) => {
    const program = command.split(' ')[0];
    return { name: `${name}: ${command}`, command: extra[program] ? `${command} ${extra[program]}` : command };
  });
}

/** Electron's window needs a display on Linux; without one, run the end-to-end step under Xvfb when it is there. */
function withDisplay(command) {
  const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && electronBinary().installed;
  const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim();
  return needsDisplay && xvfb ? `${xvfb} -a ${command}` : command;
}

// npm puts node_modules/.bin on PATH for a script; these steps are the scripts' own commands, so do the same.
const env = {
  ...process.env,
  PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0'),
};

/** Runs one step with its output kept, and prints that output whole when the step ends, so parallel steps stay readable. */
function run(step) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(step.command, { cwd: root, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    const finish = (code, error) => {
      const seconds = (Date.now() - started) / 1000;
      const output = Buffer.concat(chunks).toString().trimEnd();
      console.log(`\n=== ${step.name}`);
      if (output) console.log(output);
      if (error) console.log(`could not start: ${error.message}`);
      const ok = code === 0 && !error;
      console.log(`=== ${step.name}: ${ok ? 'ok' : 'FAILED'} (${seconds.toFixed(1)} s)`);
      resolve({ name: step.name, ok, seconds });
    };
    child.once('error', (error) => finish(null, error));
    child.once('close', (code) => finish(code));
  });
}

/** Runs the steps at most `width` at a time, in the order given (longest first packs best). */
async function runSideBySide(steps, width) {
  const results = [];
  const queue = [...steps];
  const worker = async () => {
    for (let step = queue.shift(); step; step = queue.shift()) results.push(await run(step));
  };
  await Promise.all(Array.from({ length: Math.min(width, steps.length) }, worker));
  return results;
}

const vitestJson = path.join(outputDir, 'vitest.json');

/**
 * A step run at the lowest CPU priority, so it takes only the time the tests leave idle. The static checks ride beside
 * the tests this way, from the build's end to the last test: the unit tests leave a core idle for seconds at a time
 * (a file that waits on idle timeouts, the last slow files), and Playwright's two workers leave some too (they wait on
 * pages and sockets).
 */
function gentle(step) {
  return process.platform === 'win32' ? step : { ...step, command: `nice -n 19 ${step.command}` };
}

// The unit and end-to-end tests read the build (out/); nothing else waits for it.
const build = { name: 'build', width: 1, steps: scriptSteps('build') };
/** The tests, one part after the other: Vitest's timing tests (idle timeouts, slowloris deadlines) need its three
 *  workers to have the cores, and Playwright's two workers then take them. */
const tests = [
  {
    name: 'unit tests',
    width: 1,
    steps: [
      {
        name: 'unit tests (Vitest)',
        command: `vitest run --reporter=default --reporter=json --outputFile.json=${JSON.stringify(vitestJson)}`,
      },
    ],
  },
  {
    name: 'end-to-end tests',
    width: 1,
    steps: [{ name: 'end-to-end tests (Playwright, Chromium)', command: withDisplay('playwright test') }],
  },
];
/** The lint, typechecks and security lint: single-threaded programs, one at a time, beside the tests. */
const checks = {
  name: 'static checks, beside the tests',
  width: 1,
  steps: [
    ...scriptSteps('typecheck'),
    ...scriptSteps('lint', { prettier: '--log-level warn' }),
    ...scriptSteps('security'),
  ].map(gentle),
};

const timings = [];
const failedSteps = [];
async function runPart(part) {
  const started = Date.now();
  const results = await runSideBySide(part.steps, part.width);
  timings.push({ name: part.name, seconds: (Date.now() - started) / 1000, results });
  failedSteps.push(...results.filter((result) => !result.ok).map((result) => result.name));
  return results;
}

const started = Date.now();
// Nothing after a failed build can run meaningfully.
if ((await runPart(build)).every((result) => result.ok)) {
  const checking = runPart(checks);
  for (const part of tests) await runPart(part);
  await checking;
}
const wholeSeconds = (Date.now() - started) / 1000;

function readJson(file) {
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    return undefined;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const vitest = readJson(vitestJson);
if (vitest) {
  passed += vitest.numPassedTests ?? 0;
  failed += vitest.numFailedTests ?? 0;
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
}
const playwright = readJson(path.join(outputDir, 'playwright.json'));
if (playwright?.stats) {
  passed += playwright.stats.expected ?? 0;
  failed += (playwright.stats.unexpected ?? 0) + (playwright.stats.flaky ?? 0);
  skipped += playwright.stats.skipped ?? 0;
}

console.log('\nHow long each part took:');
for (const part of timings) {
  console.log(`  ${part.name}: ${part.seconds.toFixed(1)} s`);
  for (const result of [...part.results].sort((a, b) => b.seconds - a.seconds)) {
    console.log(`    ${result.seconds.toFixed(1).padStart(6)} s  ${result.name}${result.ok ? '' : ' (FAILED)'}`);
  }
}
console.log(`  in all: ${wholeSeconds.toFixed(1)} s`);
console.log('');
const binary = electronBinary();
if (!binary.installed) console.log(`Electron end-to-end tests skipped: ${binary.reason}.`);
if (failedSteps.length > 0) console.log(`Failed steps: ${failedSteps.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);
