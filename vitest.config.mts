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
    // Socket tests open real loopback servers and mostly wait on them: on two cores, three workers keep both busy
    // (measured: 82.7 s with two, 65.5 s with three, on a quiet machine).
    maxWorkers: 3,
  },
});
