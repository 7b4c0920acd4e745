/** Starts the real web host (`node out/main/web.js --no-open`) and reads the link it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type BrowserContext, type Page } from '@playwright/test';
import { webHostArgs } from '../../scripts/web-host.cjs';

export interface RunningWebHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  output: () => string;
  /** The port a lab server listens on, as the web host printed it ("Lab HTTP server …: 127.0.0.1:PORT"). */
  labPort: (kind: 'HTTP' | 'echo' | 'SMTP' | 'POP') => number;
  stop: () => Promise<void>;
  /** kill -9: the web host dies at once, as in a crash or a power cut (its data folder stays). */
  kill: () => Promise<void>;
}

const root = path.resolve(__dirname, '../..');
/** The build to test; SOCKET_LAB_OUT lets two people test two builds side by side. */
const outDir = path.resolve(root, process.env.SOCKET_LAB_OUT ?? 'out');

/**
 * The lab TLS server's certificate files, as the first web host of this worker made them. Each later fresh data
 * folder starts with them, as a returning learner's folder does: making a certificate (a new RSA key, signed with
 * @peculiar/x509) took about 0.2 s of CPU of every test's start. The making itself is tested by
 * labCertificate.test.ts, and each worker's first web host still makes one.
 */
let labTlsFiles: Array<[name: string, bytes: Buffer]> | undefined;
const TLS_FILES = ['lab-cert.pem', 'lab-key.pem'];

function giveLabCertificate(dataDir: string): void {
  if (!labTlsFiles) return;
  mkdirSync(path.join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  for (const [name, bytes] of labTlsFiles) writeFileSync(path.join(dataDir, 'tls', name), bytes, { mode: 0o600 });
}

function keepLabCertificate(dataDir: string): void {
  const files = TLS_FILES.map((name) => path.join(dataDir, 'tls', name));
  if (labTlsFiles || !files.every((file) => existsSync(file))) return;
  labTlsFiles = files.map((file) => [path.basename(file), readFileSync(file)]);
}

export async function startWebHostProcess(
  extraArgs: string[] = [],
  options: {
    dataDir?: string;
    /** Open the lab with this program (as a learner's browser), not --no-open. */ browser?: string;
  } = {},
): Promise<RunningWebHost> {
  const fresh = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'socket-lab-e2e-'));
  if (fresh) giveLabCertificate(dataDir);
  const opening = options.browser === undefined ? ['--no-open'] : ['--browser', options.browser];
  const child: ChildProcess = spawn(
    process.execPath,
    webHostArgs(outDir, [...opening, '--data-dir', dataDir, ...extraArgs]),
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the web host printed no link in 15 s:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited with ${code}:\n${output}`));
    });
  });
  if (fresh) keepLabCertificate(dataDir);
  const parsed = new URL(url);
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
  };
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    output: () => output,
    labPort: (kind) => {
      const match = new RegExp(`Lab ${kind}[^\\n]*: 127\\.0\\.0\\.1:(\\d+)`).exec(output);
      if (!match?.[1]) throw new Error(`the web host printed no port for the lab ${kind} server:\n${output}`);
      return Number(match[1]);
    },
    stop: async () => {
      await end('SIGTERM');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
  };
}

/** Hands each test a web host that is already up, and starts the next one while the test runs. */
interface SpareHosts {
  take(): Promise<RunningWebHost>;
}

/** The page a worker's tests take in turn, in its own context, while none of them leaves anything behind in it. */
interface PagePool {
  context: BrowserContext | null;
  page: Page | null;
}

/** Events whose listeners a test might add and leave on the page; one more at its end means the page is not reused. */
const PAGE_EVENTS = [
  'close',
  'console',
  'crash',
  'dialog',
  'domcontentloaded',
  'download',
  'filechooser',
  'frameattached',
  'framedetached',
  'framenavigated',
  'load',
  'pageerror',
  'popup',
  'request',
  'requestfailed',
  'requestfinished',
  'response',
  'websocket',
  'worker',
] as const;

/** Methods whose effect outlives a navigation (scripts run in every new document, routes, bindings, headers…): a
 *  test that calls one keeps the tab to itself, and the next test gets a fresh context. */
const LASTING_PAGE_METHODS = [
  'addInitScript',
  'exposeBinding',
  'exposeFunction',
  'route',
  'routeFromHAR',
  'routeWebSocket',
  'setExtraHTTPHeaders',
] as const;
const LASTING_CONTEXT_METHODS = [
  ...LASTING_PAGE_METHODS,
  'setGeolocation',
  'setHTTPCredentials',
  'setOffline',
  'addCookies',
] as const;

/** Replaces `methods` on `target` with ones that call `mark` first; returns a function that puts them back. */
function markCalls(target: object, methods: readonly string[], mark: () => void): () => void {
  const own = target as Record<string, unknown>;
  for (const name of methods) {
    const original = own[name];
    if (typeof original !== 'function') continue;
    own[name] = (...args: unknown[]) => {
      mark();
      return (original as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return () => {
    for (const name of methods) delete own[name];
  };
}

/** Listeners on `page` for `event`: a Page is a Node EventEmitter at run time, though its types name only on/off. */
function listenerCount(page: Page, event: string): number {
  return (page as unknown as NodeJS.EventEmitter).listenerCount(event);
}

/** A navigation from a page whose lab asks before it is left (a session not kept on disk) must not wait on it. */
function leaveWithoutAsking(page: Page): void {
  page.on('dialog', (dialog) => {
    // Only where no test listens: a test that handles its own dialogs sees them as Playwright gives them.
    if (listenerCount(page, 'dialog') > 1) return;
    // Playwright dismisses a dialog no one listens to; dismissing 'beforeunload' would cancel the navigation.
    void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss()).catch(() => undefined);
  });
}

/**
 * Each test gets a web host of its own: saved guide progress and open connections never leak between tests. A web
 * host takes about 0.2 s to start (Node, the bundle, the lab servers), so each worker keeps one spare started
 * ahead, with its own data folder and ports like any other: a test takes the spare, and the next one starts while the
 * test runs, instead of every test waiting for its own at the start.
 */
export const test = base.extend<{ webHost: RunningWebHost }, { spareHosts: SpareHosts; pagePool: PagePool }>({
  /**
   * One page per worker, reused from test to test: each test opens its own web host at a port of its own, so the
   * lab's storage (kept per origin) starts empty for every test, and navigating the same tab there costs about
   * 0.2 s of CPU less than a new context and tab (a renderer process, the tab's set-up), measured over 12 loads.
   * A test that fails, closes the page, opens another, leaves a listener, or calls anything whose effect outlives
   * a navigation (the lists above) gets a fresh context for the next test.
   */
  pagePool: [
    // Playwright reads the fixture's dependencies from this destructuring; this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const pool: PagePool = { context: null, page: null };
      await use(pool);
      await pool.context?.close();
    },
    { scope: 'worker' },
  ],
  context: async ({ browser, pagePool }, use) => {
    if (pagePool.context === null || pagePool.page === null || pagePool.page.isClosed()) {
      await pagePool.context?.close().catch(() => undefined);
      pagePool.context = await browser.newContext();
      pagePool.page = await pagePool.context.newPage();
      leaveWithoutAsking(pagePool.page);
    }
    const context = pagePool.context;
    await context.clearPermissions();
    await context.clearCookies();
    let lasting = false;
    const restore = markCalls(context, LASTING_CONTEXT_METHODS, () => (lasting = true));
    await use(context);
    restore();
    if (lasting) pagePool.page = null;
  },
  page: async ({ context, pagePool, viewport }, use, testInfo) => {
    const page = pagePool.page as Page;
    await page.setViewportSize(viewport ?? { width: 1280, height: 720 });
    await page.emulateMedia({ media: null, colorScheme: null, reducedMotion: null, forcedColors: null });
    await page.mouse.move(0, 0);
    const listeners = PAGE_EVENTS.map((name) => listenerCount(page, name));
    let lasting = false;
    const restore = markCalls(page, LASTING_PAGE_METHODS, () => (lasting = true));
    await use(page);
    restore();
    const failed = testInfo.status !== testInfo.expectedStatus;
    const leftBehind = PAGE_EVENTS.some((name, i) => listenerCount(page, name) > (listeners[i] as number));
    if (failed || lasting || leftBehind || page.isClosed() || context.pages().length !== 1) pagePool.page = null;
  },
  spareHosts: [
    // Playwright reads the fixture's dependencies from this destructuring; this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const spare: { next: Promise<RunningWebHost> | null } = { next: null };
      const startNext = (): Promise<RunningWebHost> => {
        const starting = startWebHostProcess();
        // A spare that fails to start fails the test that takes it, with the web host's own output.
        starting.catch(() => undefined);
        return starting;
      };
      await use({
        async take() {
          const host = await (spare.next ?? startNext());
          spare.next = startNext();
          return host;
        },
      });
      const left = await spare.next?.catch(() => null);
      await left?.stop();
    },
    { scope: 'worker' },
  ],
  webHost: async ({ spareHosts }, use) => {
    const host = await spareHosts.take();
    await use(host);
    await host.stop();
  },
});

export { expect } from '@playwright/test';
