// Electron security lint: Electronegativity over src/ and the built main and preload.
// It exits 0 even with findings, so this gate reads its results: anything above LOW fails.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { root } from './electron-binary.cjs';

const require = createRequire(import.meta.url);
// It fetches translations and Electron's release list from the internet on every run; keep it offline.
const toolRequire = createRequire(require.resolve('@doyensec/electronegativity'));
const gotPath = toolRequire.resolve('got');
const offline = () => Promise.reject(new Error('offline: Socket Lab runs this check without the network'));
require.cache[gotPath] = {
  id: gotPath,
  filename: gotPath,
  loaded: true,
  exports: { __esModule: true, default: offline },
};
const run = require('@doyensec/electronegativity');
const LOW = 1;

// Whole trees: its global checks (navigation, permissions, CSP) look across main, preload and renderer together.
const targets = ['src', 'out'].map((dir) => path.join(root, dir));
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
  const result = await run(
    {
      input,
      isRelative: true,
      electronVersionOverride: '45.5.0',
      parserPlugins: [],
      // Needs the network (a list of Electron releases); versions are pinned in package.json instead.
      excludeFromScan: [
        'AvailableSecurityFixesGlobalCheck',
        // The bundle drops the `// eng-disable` review comments, so each openExternal call is judged in src/ only.
        ...(path.basename(input) === 'out' ? ['OpenExternalJSCheck'] : []),
      ],
    },
    false,
  );
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
