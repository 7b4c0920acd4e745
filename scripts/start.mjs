// npm start: the desktop app. Where Electron's binary is missing (no network at install), the same lab opens in the
// browser through the web host instead, started exactly as `npm run web` starts it, with one line saying so.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { electronBinary, NO_BINARY_ADVICE, root } from './electron-binary.cjs';
import { ensureBuilt } from './ensure-built.mjs';

const dev = process.argv.includes('--dev');
const passOn = process.argv.slice(2).filter((arg) => arg !== '--dev');
const binary = electronBinary();

/** Runs the child in this terminal, passes Ctrl+C and kill on to it, and exits as it does. */
function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (!binary.installed) {
  if (dev) {
    // The dev server drives Electron itself; without it there is nothing to develop against.
    console.error(`socket-lab: ${NO_BINARY_ADVICE}`);
    process.exit(1);
  }
  console.log(
    `socket-lab: the desktop app cannot start here (${binary.reason}), so the lab opens in your browser instead, through the web host (npm run web).`,
  );
  run(process.execPath, [path.join(root, 'scripts', 'web.mjs'), ...passOn]);
} else if (dev) {
  run(process.execPath, [path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'dev']);
} else {
  ensureBuilt();
  run(binary.executable, [root, ...passOn]);
}
