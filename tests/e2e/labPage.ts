/** Steps the workbench and byte-log specs share: a loopback echo server, and driving the workbench as a learner. */
import net from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect } from './webHost';

export const SCREENS = '.test-output/screens';

export interface EchoServer {
  port: number;
  close: () => Promise<void>;
}

/** A loopback echo server owned by the test: every byte goes straight back. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Open the lab and wait until it is ready: the lab has sent its list of servers, which the workbench shows by
 * naming the server that answers the host it starts with. Picking a template before that would test luck.
 */
export async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('route-words')).toContainText('Lab HTTP server');
}

export async function setRoute(page: Page, route: 'lab' | 'internet'): Promise<void> {
  const toggle = page.getByTestId('route-toggle');
  if ((await toggle.getAttribute('data-route')) !== route) await toggle.click();
  await expect(toggle).toHaveAttribute('data-route', route);
}

/** Type a target, pick the route, press Connect, and wait until the selected connection is open. */
export async function connectTo(page: Page, host: string, port: string, route: 'lab' | 'internet'): Promise<void> {
  await page.getByLabel('Host', { exact: true }).fill(host);
  await page.getByLabel('Port', { exact: true }).fill(port);
  await setRoute(page, route);
  const before = await page.getByTestId('connection-row').count();
  await connectButton(page).click();
  await expect(page.getByTestId('connection-row')).toHaveCount(before + 1);
  await expect(page.getByTestId('connection-row').nth(before)).toHaveAttribute('data-state', 'open');
}

/**
 * The screen as it is now, in both themes, as `${SCREENS}/${name}-light.png` and `-dark.png`; the page is left in
 * light. The themes differ only in colour variables (app.css's one prefers-color-scheme block; nothing reads the
 * scheme from script), so a flow whose assertions look at layout or words runs once and is shot in both.
 */
export async function shootBothThemes(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENS}/${name}-${scheme}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The workbench's Connect button, found as a learner finds it: by its role and name. */
export const connectButton = (page: Page) => page.getByRole('button', { name: 'Connect', exact: true });
/** Send, whose name says where it sends once there is a connection ("Send to data.pr4e.org:80"). */
export const sendButton = (page: Page) => page.getByRole('button', { name: /^Send( to .*)?$/ });

/** The socket1.py exchange with the lab server as the page starts (data.pr4e.org port 80): connect, send, FIN back. */
export async function romeoExchange(page: Page): Promise<void> {
  await expect(page.getByTestId('route-words')).toContainText('Lab HTTP server');
  await page.getByLabel('Template').selectOption('socket1-romeo');
  await connectButton(page).click();
  await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'open');
  await sendButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-kind="peer-ended"]')).toHaveCount(1);
}

/**
 * Starts counting the page's long tasks (over 50 ms, as the browser reports them); the function it returns gives the
 * longest since then, 0 when there was none. For flows that must never freeze the page (a huge paste, a big copy).
 */
export async function watchLongTasks(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { longTasks: number[] }).longTasks = seen;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) seen.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  return () => page.evaluate(() => Math.max(0, ...(window as unknown as { longTasks: number[] }).longTasks));
}

/**
 * A real paste (Ctrl+V) over everything in `box`, of `piece` repeated `times` times: the text is made in the page,
 * so 40 MB never crosses to Playwright. The test must have granted the clipboard.
 */
export async function pasteOver(page: Page, box: Locator, piece: string, times = 1): Promise<void> {
  await page.evaluate(([text, count]) => navigator.clipboard.writeText(text.repeat(count)), [piece, times] as const);
  await box.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
}
