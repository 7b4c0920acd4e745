import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { chromium } from 'playwright-core';

/** Debian's Chromium (Playwright's own download does not work without the network): CHROMIUM_PATH, then /usr/bin/chromium, then Playwright's. */
function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright has no browser of its own here.
  }
  const found = candidates.find(
    (candidate): candidate is string => Boolean(candidate) && existsSync(candidate as string),
  );
  if (!found) {
    throw new Error(
      'No Chromium found for the end-to-end tests: install one (Debian: `apt-get install -y chromium`) or set CHROMIUM_PATH.',
    );
  }
  return found;
}

export default defineConfig({
  testDir: 'tests',
  outputDir: '.test-output/playwright',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.test-output/playwright.json' }]],
  globalSetup: './tests/e2e/globalSetup.ts',
  projects: [
    {
      name: 'web',
      testDir: 'tests/e2e',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: findChromium(),
          // As root Chromium needs --no-sandbox; the rest keep it from reaching for the closed network.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
        screenshot: 'only-on-failure',
        trace: 'off',
      },
    },
    { name: 'electron', testDir: 'tests/electron' },
  ],
});
