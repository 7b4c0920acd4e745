// The one place that finds a Chromium for Playwright (tests and bench:ui): Playwright's own download does not
// work without the network, so Debian's is preferred.
const { existsSync } = require('node:fs');

/** As root Chromium needs --no-sandbox; the rest keep it from reaching for the closed network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * CHROMIUM_PATH, then /usr/bin/chromium, then Playwright's own; throws one line saying how to get one.
 * `{ tests: true }` puts Chromium's headless shell first (Debian's chromium-headless-shell, the build Playwright itself
 * runs headless tests in): the same engine without the browser's windowing and UI, it took the end-to-end suite from
 * 138 s to 78 s on 2 cores. The benchmarks keep the plain Chromium a learner runs.
 */
function findChromium({ tests = false } = {}) {
  const shell = tests ? ['/usr/bin/chromium-headless-shell'] : [];
  const candidates = [process.env.CHROMIUM_PATH, ...shell, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  try {
    candidates.push(require('playwright-core').chromium.executablePath());
  } catch {
    // Playwright has no browser of its own here.
  }
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'No Chromium found: install one (Debian: `apt-get install -y chromium`) or set CHROMIUM_PATH to its path.',
    );
  }
  return found;
}

module.exports = { CHROMIUM_ARGS, findChromium };
