import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket tests open real loopback servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
