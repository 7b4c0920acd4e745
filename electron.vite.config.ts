import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { metaCsp } from './src/shared/csp';

const CSP_PLACEHOLDER = '%SOCKET_LAB_CSP%';

/** index.html's CSP meta comes from src/shared/csp.ts, the one place the policy is written; dev allows inline styles. */
function cspMeta(): Plugin {
  let dev = false;
  return {
    name: 'socket-lab-csp-meta',
    configResolved(config) {
      dev = config.command === 'serve';
    },
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(CSP_PLACEHOLDER)) {
          throw new Error(`src/renderer/index.html must carry its CSP meta as content="${CSP_PLACEHOLDER}".`);
        }
        return html.replace(CSP_PLACEHOLDER, metaCsp(dev));
      },
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // The web host and the lab-server CLI run this output under plain Node 20 too.
      target: 'node20',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/index.ts'),
          web: resolve(__dirname, 'src/main/web/cli.ts'),
          'lab-server': resolve(__dirname, 'src/main/core/labServers/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [cspMeta(), svelte({ configFile: resolve(__dirname, 'svelte.config.mjs') })],
    build: {
      rollupOptions: {
        input: resolve(__dirname, 'src/renderer/index.html'),
      },
    },
  },
});
