// npm run lab-server [-- options]: build if needed, then run the lab servers alone.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { root } from './electron-binary.cjs';
import { ensureBuilt } from './ensure-built.mjs';

ensureBuilt();
const child = spawn(process.execPath, [path.join(root, 'out/main/lab-server.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
