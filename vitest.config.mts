import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles the renderer's rune classes (*.svelte.ts) so their logic runs under test in Node.
  plugins: [svelte({ configFile: 'svelte.config.mjs' })],
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket tests open real loopback servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
