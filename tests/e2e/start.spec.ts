import { test, expect, startWebHostProcess } from './webHost';

test('the start screen shows the hello data fetched over the WebSocket', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByTestId('hello-transport')).toHaveText('the web host (browser)');
  await expect(page.getByTestId('hello-platform')).toHaveText(process.platform);
  await expect(page.getByTestId('hello-version')).toHaveText(/^\d+\.\d+\.\d+/);
  await page.screenshot({ path: '.test-output/screens/start.png' });
});

test('the same address without the token is refused', async ({ page, webHost }) => {
  const response = await page.goto(`${webHost.origin}/`);
  expect(response?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('full link');
});

test('a page from another origin cannot open the lab WebSocket, even with the token', async ({ page, webHost }) => {
  // A page served from a different port is a different origin: the host must refuse its WebSocket.
  const http = await import('node:http');
  const stranger = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>stranger</title>');
  });
  await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
  const address = stranger.address();
  const strangerPort = typeof address === 'object' && address ? address.port : 0;
  try {
    await page.goto(`http://127.0.0.1:${strangerPort}/`);
    const outcome = await page.evaluate(async (wsUrl) => {
      return new Promise<string>((resolve) => {
        const socket = new WebSocket(wsUrl);
        socket.onopen = () => resolve('open');
        socket.onerror = () => resolve('refused');
      });
    }, `ws://127.0.0.1:${webHost.port}/lab?token=${webHost.token}`);
    expect(outcome).toBe('refused');
  } finally {
    stranger.close();
  }
});

test('when the web host stops, the page says so at once, before the learner waits for an answer', async ({ page }) => {
  // A host of its own: this test stops it.
  const host = await startWebHostProcess();
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('hello-transport')).toHaveText('the web host (browser)');
    await expect(page.getByTestId('link-lost')).toHaveCount(0);
  } finally {
    await host.stop();
  }
  const banner = page.getByTestId('link-lost');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('lost its link to the web host');
  await expect(banner).toContainText('new link');
  await page.screenshot({ path: '.test-output/screens/link-lost.png' });
});
