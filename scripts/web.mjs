// npm run web [-- --no-open --port N]: build if needed, then run the web host.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { root } from './electron-binary.cjs';
import { ensureBuilt } from './ensure-built.mjs';
import { webHostArgs } from './web-host.cjs';

ensureBuilt();
const child = spawn(process.execPath, webHostArgs(path.join(root, 'out'), process.argv.slice(2)), {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
