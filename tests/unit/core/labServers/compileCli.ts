/** The lab-server CLI and what it imports, compiled to CommonJS the way the build treats it, in a scratch folder. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

/** TypeScript's own transpiler, as the build does; the caller removes `dir` when done. */
export function compileCli(): { dir: string; entry: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-server-cli-'));
  // The folders whole, and the one file of core the CLI reads its options with.
  const sources: Array<[string, string[]]> = [
    ['src/main/core/labServers', readdirSync('src/main/core/labServers')],
    ['src/shared', readdirSync('src/shared')],
    ['src/main/core', ['args.ts']],
  ];
  for (const [folder, files] of sources) {
    mkdirSync(path.join(dir, folder), { recursive: true });
    for (const file of files.filter((name) => name.endsWith('.ts'))) {
      const output = ts.transpileModule(readFileSync(path.join(folder, file), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        fileName: file,
      });
      writeFileSync(path.join(dir, folder, file.replace(/\.ts$/, '.js')), output.outputText);
    }
  }
  // The CLI's own dependencies (selfsigned, for the HTTPS server's certificate) resolve from the project's folder.
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'junction');
  return { dir, entry: path.join(dir, 'src/main/core/labServers/cli.js') };
}
