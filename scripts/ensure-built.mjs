// Builds the app when out/ is missing or older than the sources, so `npm run web` and `npm run lab-server` just work.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { root } from './electron-binary.cjs';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

export function ensureBuilt() {
  const outputs = ['out/main/index.js', 'out/main/web.js', 'out/main/lab-server.js', 'out/renderer/index.html'].map(
    (f) => path.join(root, f),
  );
  const built = outputs.every((file) => existsSync(file));
  const stale =
    built &&
    Math.max(newest(path.join(root, 'src')), statSync(path.join(root, 'electron.vite.config.ts')).mtimeMs) >
      Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  if (built && !stale) return;
  console.log(built ? 'socket-lab: sources changed, rebuilding…' : 'socket-lab: building the app (first run)…');
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (result.status !== 0) {
    console.error('socket-lab: the build failed (see above).');
    process.exit(result.status ?? 1);
  }
}
