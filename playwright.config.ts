import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.cjs';

export default defineConfig({
  testDir: 'tests',
  outputDir: '.test-output/playwright',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // Each test starts a web host of its own (own data folder, free ports), so spec files can run two at a time.
  workers: 2,
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
          executablePath: findChromium({ tests: true }),
          args: CHROMIUM_ARGS,
        },
        screenshot: 'only-on-failure',
        trace: 'off',
      },
    },
    { name: 'electron', testDir: 'tests/electron' },
  ],
});
