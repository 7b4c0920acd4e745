/** The lab-server CLI bundled to CommonJS the way the build makes out/main/lab-server.js, in a scratch folder. */
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'rolldown';

/**
 * Rolldown (the bundler electron-vite's build runs on) bundles the CLI and what it imports into one file, with the
 * packages left outside, as the build does; about 0.1 s, where TypeScript's transpiler took 2.4 s a file tree.
 * The caller removes `dir` when done.
 */
export async function compileCli(): Promise<{ dir: string; entry: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-server-cli-'));
  const entry = path.join(dir, 'lab-server.js');
  await build({
    input: 'src/main/core/labServers/cli.ts',
    platform: 'node',
    // Packages (selfsigned, for the HTTPS server's certificate) stay outside the bundle and resolve from the project.
    external: [/^[^./]/],
    output: { format: 'cjs', file: entry },
    logLevel: 'warn',
  });
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'junction');
  return { dir, entry };
}
