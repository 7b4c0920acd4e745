import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * Test files that replace a module (vi.mock of 'electron'), a global (vi.stubGlobal) or a prototype (vi.spyOn), or
 * that measure the process's memory, run each in a process of its own; the rest share one per worker, so the same
 * source modules are not imported again for every file (measured: 92.9 s with every file isolated, 72.0 s with
 * none, on the same machine back to back).
 */
const ISOLATED = [
  'tests/unit/electron/**/*.test.ts',
  'tests/unit/renderer/labUi.test.ts',
  'tests/unit/renderer/lib/tabKeys.test.ts',
  'tests/unit/core/transcripts/pcapngStreaming.test.ts',
  'tests/unit/core/journal/writer.test.ts',
];

export default defineConfig({
  // Compiles the renderer's rune classes (*.svelte.ts) so their logic runs under test in Node.
  plugins: [svelte({ configFile: 'svelte.config.mjs' })],
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket tests open real loopback servers and mostly wait on them: on two cores, three workers keep both busy
    // (measured: 82.7 s with two, 65.5 s with three, on a quiet machine).
    maxWorkers: 3,
    // Transformed modules kept on disk between runs (cleared with the other caches by scripts/test.mjs when the
    // packages, Node or the Svelte config change; the Svelte plugin's options are not in Vitest's cache key).
    experimental: { fsModuleCache: true, fsModuleCachePath: '.test-output/cache/vitest' },
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
      {
        extends: true,
        test: { name: 'shared', include: ['tests/unit/**/*.test.ts'], exclude: ISOLATED, isolate: false },
      },
    ],
  },
});
