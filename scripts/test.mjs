// npm test: lint, typecheck, build, unit tests (Vitest), end-to-end tests (Playwright + Chromium), then one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { electronBinary, root } from './electron-binary.cjs';

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const outputDir = path.join(root, '.test-output');
rmSync(path.join(outputDir, 'vitest.json'), { force: true });
rmSync(path.join(outputDir, 'playwright.json'), { force: true });
mkdirSync(outputDir, { recursive: true });

const steps = [
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '.', '--log-level', 'warn']],
  ['typecheck (main, preload, shared, tests)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']],
  ['typecheck (renderer)', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']],
  [
    'typecheck (contract across transports, end-to-end specs)',
    bin('tsc'),
    ['-p', 'tests/tsconfig.browser.json', '--noEmit'],
  ],
  [
    'svelte-check',
    bin('svelte-check'),
    ['--tsconfig', './tsconfig.web.json', '--fail-on-warnings', '--output', 'human'],
  ],
  ['build', bin('electron-vite'), ['build']],
  [
    'security lint (Electronegativity over src/ and out/)',
    process.execPath,
    [path.join(root, 'scripts/electronegativity.mjs')],
  ],
  [
    'unit tests (Vitest)',
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(outputDir, 'vitest.json')}`],
  ],
  ['end-to-end tests (Playwright, Chromium)', ...withDisplay(bin('playwright'), ['test'])],
];

/** Electron's window needs a display on Linux; without one, run the end-to-end step under Xvfb when it is there. */
function withDisplay(command, args) {
  const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && electronBinary().installed;
  const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { encoding: 'utf8' }).stdout.trim();
  return needsDisplay && xvfb ? [xvfb, ['-a', command, ...args]] : [command, args];
}

const failedSteps = [];
for (const [name, command, args] of steps) {
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failedSteps.push(name);
    console.log(`=== ${name}: FAILED (${seconds} s)`);
    // Nothing after a failed build can run meaningfully.
    if (name === 'build') break;
  } else {
    console.log(`=== ${name}: ok (${seconds} s)`);
  }
}

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
const vitest = readJson(path.join(outputDir, 'vitest.json'));
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

console.log('');
const binary = electronBinary();
if (!binary.installed) console.log(`Electron end-to-end tests skipped: ${binary.reason}.`);
if (failedSteps.length > 0) console.log(`Failed steps: ${failedSteps.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);
