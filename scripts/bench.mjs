// npm run bench:core | bench:journal | bench:ui — benchmarks, not tests: they print measurements and ratios from one run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { build } from 'vite';
import { root } from './electron-binary.cjs';

const which = process.argv[2];
// TypeScript benches, bundled for plain Node; flags after the name pass through to the bench.
const bundled = { core: 'bench-core', journal: 'bench-journal' };
if (Object.hasOwn(bundled, which ?? '')) {
  // Bundle the TypeScript bench for plain Node, next to the test output (not into the app's out/).
  const outDir = path.join(root, '.test-output', 'bench');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: path.join(root, `scripts/${bundled[which]}.ts`),
      outDir,
      target: 'node20',
      emptyOutDir: true,
      minify: false,
    },
  });
  const result = spawnSync(process.execPath, [path.join(outDir, `${bundled[which]}.mjs`), ...process.argv.slice(3)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
} else if (which === 'ui') {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts/bench-ui.mjs'), ...process.argv.slice(3)], {
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
} else {
  console.error('usage: node scripts/bench.mjs core|journal|ui');
  process.exit(2);
}
