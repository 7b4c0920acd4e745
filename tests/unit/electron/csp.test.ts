/**
 * The renderer's CSP comes from one constant: the app:// header, the built index.html's meta, and the dev server's
 * meta. Under the dev server, Vite injects each component's CSS as a <style> element: a real Chromium shows the
 * page styled (and reports no CSP violation), which is what `npm run dev` in Electron shows too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createServer, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { describe, expect, it } from 'vitest';
import config from '../../../electron.vite.config';
import { metaCsp, rendererCsp, RENDERER_CSP_DIRECTIVES } from '../../../src/shared/csp';
import { RENDERER_CSP } from '../../../src/main/electron/appProtocol';
import { CHROMIUM_ARGS, findChromium } from '../../../scripts/chromium.cjs';

const root = path.resolve(__dirname, '../../..');

/** The little of the DOM the page-side callbacks use (this file is typechecked without the DOM library). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { maxWidth: string; fontSize: string };
  document: { documentElement: unknown };
}

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

function cspPlugin(): Plugin {
  const renderer = (config as { renderer?: { plugins?: unknown[] } }).renderer;
  const plugin = (renderer?.plugins ?? []).flat().find((p) => (p as Plugin | null)?.name === 'socket-lab-csp-meta');
  if (!plugin) throw new Error('electron.vite.config.ts has no socket-lab-csp-meta plugin');
  return plugin as Plugin;
}

describe('one CSP, three deliveries', () => {
  it('the built policy allows no inline code, no sockets (desktop), and nothing from elsewhere', () => {
    const header = directives(RENDERER_CSP);
    expect(RENDERER_CSP).toBe(rendererCsp({ delivery: 'header' }));
    expect(header.get('default-src')).toEqual(["'none'"]);
    expect(header.get('script-src')).toEqual(["'self'"]);
    expect(header.get('style-src')).toEqual(["'self'"]);
    expect(header.get('connect-src')).toEqual(["'none'"]);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
    expect(RENDERER_CSP).not.toMatch(/unsafe|\*|https?:/);
  });

  it('the meta leaves out frame-ancestors (ignored in a meta) and adds inline styles under the dev server only', () => {
    const built = directives(metaCsp(false));
    const dev = directives(metaCsp(true));
    expect(built.has('frame-ancestors')).toBe(false);
    expect(built.get('style-src')).toEqual(["'self'"]);
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(built.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*']);
    // Dev differs in style-src only: scripts stay 'self', so the dev policy is not a weaker one in disguise.
    for (const name of Object.keys(RENDERER_CSP_DIRECTIVES)) {
      if (name !== 'style-src') expect(dev.get(name), name).toEqual(built.get(name));
    }
  });

  it('the built index.html carries exactly the built meta policy', () => {
    const built = path.join(root, 'out/renderer/index.html');
    expect(existsSync(built), 'build first: npm run build').toBe(true);
    const html = readFileSync(built, 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(metaCsp(false));
    expect(html).not.toContain('%SOCKET_LAB_CSP%');
  });

  it('a source index.html without the placeholder fails the build instead of shipping no policy', async () => {
    const plugin = cspPlugin();
    (plugin.configResolved as (c: unknown) => void)({ command: 'build' });
    const transform = plugin.transformIndexHtml as { handler: (html: string) => string };
    expect(() => transform.handler('<html><head></head></html>')).toThrow(/%SOCKET_LAB_CSP%/);
  });

  it('under the dev server the page is styled in a real Chromium, with no CSP violation', async () => {
    const server = await createServer({
      configFile: false,
      root: path.join(root, 'src/renderer'),
      plugins: [cspPlugin(), svelte({ configFile: path.join(root, 'svelte.config.mjs') })],
      server: { host: '127.0.0.1', port: 0, strictPort: false },
      logLevel: 'silent',
    });
    await server.listen();
    const browser = await chromium.launch({ executablePath: findChromium({ tests: true }), args: CHROMIUM_ARGS });
    try {
      const url = server.resolvedUrls?.local[0];
      if (!url) throw new Error('the dev server has no address');
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(url);
      const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(meta).toBe(metaCsp(true));
      // Without the lab's link the page shows its problem screen, drawn in App.svelte's own (injected) styles.
      const problem = page.getByTestId('start-problem');
      await problem.waitFor();
      // .problem-screen { max-width: 40rem } comes from App.svelte's <style>; unstyled, it would be 'none'.
      const fortyRem = await page.evaluate(() => {
        const dom = globalThis as unknown as BrowserGlobals;
        return 40 * parseFloat(dom.getComputedStyle(dom.document.documentElement).fontSize);
      });
      await expect
        .poll(() =>
          problem.evaluate((element) => {
            const dom = globalThis as unknown as BrowserGlobals;
            return dom.getComputedStyle((element as { parentElement: unknown }).parentElement).maxWidth;
          }),
        )
        .toBe(`${fortyRem}px`);
      expect(await page.locator('style').count()).toBeGreaterThan(0);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
