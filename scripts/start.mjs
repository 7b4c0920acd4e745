// npm start: the desktop app. Without Electron's binary, one clear line instead of a stack trace.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { electronBinary, NO_BINARY_ADVICE, root } from './electron-binary.cjs';
import { ensureBuilt } from './ensure-built.mjs';

const binary = electronBinary();
if (!binary.installed) {
  console.error(`socket-lab: ${NO_BINARY_ADVICE}`);
  process.exit(1);
}
const dev = process.argv.includes('--dev');
if (!dev) ensureBuilt();
const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const child = dev
  ? spawn(process.execPath, [cli, 'dev'], { stdio: 'inherit', cwd: root })
  : spawn(binary.executable, [root], { stdio: 'inherit', cwd: root });
child.on('exit', (code) => process.exit(code ?? 0));
