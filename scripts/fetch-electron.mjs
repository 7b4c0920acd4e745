// postinstall: fetch Electron's binary with Electron's own installer; without a network, say so in one line and succeed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { electronBinary, NO_BINARY_ADVICE, root } from './electron-binary.cjs';

if (electronBinary().installed || process.env.SOCKET_LAB_SKIP_ELECTRON_DOWNLOAD) process.exit(0);

const installer = path.join(root, 'node_modules', 'electron', 'install.js');
const run = spawnSync(process.execPath, [installer], { cwd: root, encoding: 'utf8', timeout: 180_000 });
if (run.status === 0 && electronBinary().installed) {
  console.log('socket-lab: Electron binary installed.');
} else {
  console.log(`socket-lab: ${NO_BINARY_ADVICE}`);
}
process.exit(0);
