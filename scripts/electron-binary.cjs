// Is Electron's own binary here? Checked without require('electron'), which starts a download attempt.
// CommonJS so both the .mjs scripts and Playwright's transpiled TypeScript can load it.
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function electronBinary() {
  const moduleDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(moduleDir, 'path.txt');
  if (!existsSync(moduleDir))
    return { installed: false, reason: 'the electron package is not installed (run npm install)' };
  if (!existsSync(pathFile)) {
    return {
      installed: false,
      reason: "Electron's binary has not been downloaded (node_modules/electron/path.txt is missing)",
    };
  }
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(moduleDir, 'dist');
  const executable = path.join(distDir, readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(executable)) return { installed: false, reason: `Electron's binary is missing at ${executable}` };
  return { installed: true, executable };
}

const NO_BINARY_ADVICE =
  "The desktop app needs Electron's binary, which could not be downloaded (is there a network?). " +
  'Where a network exists, run `npx install-electron` to fetch it. ' +
  'Meanwhile `npm start` (or `npm run web`) opens the same lab in your browser.';

module.exports = { root, electronBinary, NO_BINARY_ADVICE };
