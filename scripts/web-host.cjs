// How `node out/main/web.js` is started: by `npm run web` (and `npm start` where Electron cannot run), the
// end-to-end tests and the benchmarks alike, so what they measure is what a learner runs.
// CommonJS so both the .mjs scripts and Playwright's transpiled TypeScript can load it.
const path = require('node:path');

/**
 * Node flags for the web host. `--initial-old-space-size=64`: V8 starts with an old generation of a few MiB, and a
 * stream keeps the young generation busy (every 64 KiB socket read is a new buffer), so V8 kept starting full
 * marking while the old generation still had room: 52 to 73 mark-compacts per GiB streamed into the byte log, with
 * their concurrent marking on the other core. With 64 MiB to start with, 0 or 1 per GiB, and the web host's own
 * CPU for that GiB went from 4.45 s to 2.53 s (bench:ui part 1, back to back, `--trace-gc`). It costs at most
 * that much more garbage held before the first collection. Setting it from inside the process
 * (v8.setFlagsFromString) came too late to matter (52 to 43 mark-compacts), so it is a flag of the command.
 */
const WEB_HOST_NODE_FLAGS = ['--initial-old-space-size=64'];

/** The arguments after `node` that start the web host in `outDir` (the build folder) with `args`. */
function webHostArgs(outDir, args = []) {
  return [...WEB_HOST_NODE_FLAGS, path.join(outDir, 'main', 'web.js'), ...args];
}

module.exports = { webHostArgs };
