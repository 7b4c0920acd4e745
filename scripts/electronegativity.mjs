// Electron security lint: Electronegativity over src/ and the built main and preload.
// It exits 0 even with findings, so this gate reads its results: anything above LOW fails.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from './electron-binary.mjs';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity');
const LOW = 1;

const targets = ['src', 'out/main', 'out/preload'].map((dir) => path.join(root, dir));
const missing = targets.filter((dir) => !existsSync(dir));
if (missing.length > 0) {
  console.error(
    `electronegativity: build first (npm run build); missing ${missing.map((d) => path.relative(root, d)).join(', ')}`,
  );
  process.exit(1);
}

let blocking = 0;
for (const input of targets) {
  // Quiet its own logging; we print our own summary.
  const result = await run({ input, isRelative: true, electronVersionOverride: '45.5.0', parserPlugins: [] }, false);
  for (const issue of result.issues) {
    const above = issue.severity.value > LOW;
    if (above) blocking++;
    const where = `${path.relative(root, input)}/${issue.file}:${issue.location.line}`;
    console.log(`${above ? 'FAIL' : 'note'} ${issue.severity.name.padEnd(13)} ${issue.id.padEnd(40)} ${where}`);
  }
  const hardErrors = result.errors.filter((error) => !error.tolerable);
  for (const error of hardErrors) console.log(`note parse: ${error.file}: ${error.message}`);
}
console.log(
  blocking === 0 ? 'electronegativity: nothing above LOW' : `electronegativity: ${blocking} finding(s) above LOW`,
);
process.exit(blocking === 0 ? 0 : 1);
