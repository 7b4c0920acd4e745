/**
 * Issue 9's traps, each walked into the way a first-time learner would, and shown to be gone: a request sent to
 * the wrong server, a template picked before the lab is ready, finished connections that block Connect, the page
 * scrolling away, and a Type-as switch that changed what the box means.
 */
import net from 'node:net';
import type { Page } from '@playwright/test';
import { SCREENS, connectButton, openLab, romeoExchange, sendButton } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1280, height: 800 } });

const rows = (page: Page) => page.getByTestId('connection-row');

async function openStep(page: Page, number: number, title: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^Step ${number}: ${title}`) }).click();
  await expect(page.getByTestId('guide-current-title')).toContainText(title);
}

test('1: socket1.py picked while the echo connection is selected: the target follows, Send says where, the check says what it saw', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  // Step 1, as the guide says: the echo template, Connect, Send.
  await page.getByLabel('Template').selectOption({ label: 'Echo: hello\\r\\n' });
  await connectButton(page).click();
  await expect(rows(page).first()).toHaveAttribute('data-state', 'open');
  await sendButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(1);

  // Step 4: predict, then pick socket1.py with the echo connection still selected.
  await openStep(page, 4, 'Speak HTTP');
  await page.getByLabel('Your prediction of the status line').fill('HTTP/1.0 200 OK');
  await page.getByRole('button', { name: 'Save prediction' }).click();
  await page.getByLabel('Template').selectOption('socket1-romeo');
  await expect(page.getByLabel('Host', { exact: true })).toHaveValue('data.pr4e.org');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue('80');
  const offer = page.getByRole('button', { name: 'Connect to data.pr4e.org port 80' });
  await expect(offer).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send to echo.lab.test:7' })).toBeVisible();
  await expect(page.getByTestId('send-elsewhere')).toContainText('meant for data.pr4e.org port 80');
  await page.screenshot({ path: `${SCREENS}/trap1-send-elsewhere-light.png` });

  // The learner sends anyway: the check, waiting, says where the GET went and what to do.
  await page.getByRole('button', { name: 'Send to echo.lab.test:7' }).click();
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(2);
  await expect(page.getByTestId('guide-check-status')).toContainText(
    'Your GET went to echo.lab.test port 7: the echo server, which sent it back. Connect to data.pr4e.org port 80 and send it there.',
  );

  // One click on the offer connects there; Send is plain Send again, and the step passes.
  await offer.click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).nth(1)).toHaveAttribute('data-state', 'open');
  await expect(offer).toHaveCount(0);
  await expect(page.getByTestId('send-destination')).toHaveText('to #2 data.pr4e.org:80');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');
});

test('2: a template picked before the lab has said where its servers are fills in its target once it knows', async ({
  page,
  webHost,
}) => {
  // Hold every message from the web host (the hello and the lab-server list too) until the learner has picked.
  let holding = true;
  const held: Array<() => void> = [];
  await page.routeWebSocket(
    () => true,
    (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (holding) held.push(() => ws.send(message));
        else ws.send(message);
      });
    },
  );
  await page.goto(webHost.url);
  await expect(page.getByTestId('start-loading')).toBeVisible();
  await page.getByLabel('Template').selectOption('echo-hello');
  // Not known yet: no stale data.pr4e.org:80 to connect to by mistake, and Connect waits.
  await expect(page.getByLabel('Host', { exact: true })).toHaveValue('');
  await expect(connectButton(page)).toBeDisabled();
  await expect(page.getByTestId('route-words')).toContainText('Waiting for the lab');

  holding = false;
  for (const send of held.splice(0)) send();
  await expect(page.getByLabel('Host', { exact: true })).toHaveValue('echo.lab.test');
  await expect(page.getByLabel('Port', { exact: true })).toHaveValue('7');
  await connectButton(page).click();
  await expect(page.getByTestId('connection-answered-by')).toContainText('Lab echo server');
});

test('3: finished connections do not block Connect, and Clear finished takes them off the list in one go', async ({
  page,
  webHost,
}) => {
  test.setTimeout(120_000);
  // Like socket1.py's server: it answers, sends FIN, and the learner never presses Close.
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end('done\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = String((server.address() as net.AddressInfo).port);
  try {
    await openLab(page, webHost.url);
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(port);
    // Two more than the 64 the lab allows open at once. Fewer than 64 connections cannot reach that limit, finished
    // or not, so the first 62 Connects only wait for the button (it is busy while one connects); from the 63rd on,
    // every row so far must show the server's FIN before the next Connect. Watched every animation frame: waiting for
    // each FIN (the screen redraws ten times a second) was most of this test's time over 66 rounds.
    const allFinished = ({ n, words }: { n: number; words: string }) => {
      const states = [...document.querySelectorAll('[data-testid="connection-row"] [data-testid="connection-state"]')];
      return states.length === n && states.every((state) => state.textContent?.replace(/\s+/g, ' ').trim() === words);
    };
    for (let n = 1; n <= 66; n += 1) {
      await connectButton(page).click();
      if (n < 63) continue;
      await page.waitForFunction(
        allFinished,
        { n, words: 'the other side sent FIN (done sending)' },
        { timeout: 10_000 },
      );
    }
    await expect(rows(page)).toHaveCount(66);
    await expect(page.getByTestId('notice')).toHaveCount(0);
    await expect(page.getByTestId('connection-list')).toContainText('Connections (66, 66 finished)');

    const logRows = Number(await page.getByTestId('log-rows').getAttribute('data-rows'));
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await expect(rows(page)).toHaveCount(0);
    await expect(page.getByTestId('connections-cleared')).toContainText('their rows stay in the byte log');
    // Their rows stay (and each closed one adds its FIN and close rows); the log still lists every connection.
    await expect
      .poll(async () => Number(await page.getByTestId('log-rows').getAttribute('data-rows')))
      .toBeGreaterThanOrEqual(logRows + 2 * 66);
    await expect(page.getByTestId('log-filter').locator('option')).toHaveCount(67);

    // And the next connection just works.
    await connectButton(page).click();
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toContainText('#67 127.0.0.1');
  } finally {
    server.close();
  }
});

test('4: the mouse wheel over the header or the code twin never scrolls the page into a blank band', async ({
  page,
  webHost,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openLab(page, webHost.url);
  await romeoExchange(page);

  const header = page.getByRole('banner');
  for (const target of [header, page.getByTestId('code-twin'), page.getByTestId('workbench')]) {
    await target.hover();
    await page.mouse.wheel(0, 2000);
    await page.mouse.wheel(0, 2000);
    // Let a scroll (if any) land before looking.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await page.evaluate(() => [window.scrollY, document.scrollingElement?.scrollTop ?? 0])).toEqual([0, 0]);
    expect((await header.boundingBox())?.y).toBe(0);
  }
  // Nothing of the app lies below the window: the page is exactly as tall as the window.
  const box = await page.getByTestId('twin-pane').boundingBox();
  expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(700);
  await page.screenshot({ path: `${SCREENS}/trap4-wheel-1024x700-light.png` });
});

test('13: switching Type as between text and hex converts the message, and refuses what is not bytes yet', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  const box = page.getByLabel('Message');
  await page.getByLabel('hex').check();
  await box.fill('68 69 0d 0a');
  await expect(page.getByTestId('composer-preview')).toHaveText('hi␍␊');

  await page.getByLabel('text', { exact: true }).check();
  await expect(box).toHaveValue('hi\\r\\n');
  await expect(page.getByTestId('composer-preview')).toHaveText('hi␍␊');
  await expect(page.getByTestId('composer-count')).toHaveText('Will send 4 bytes');

  // A typed é and a line break (Enter sends CR LF) become their exact bytes, and come back the same.
  await box.fill('café\n');
  await page.getByLabel('hex').check();
  await expect(box).toHaveValue('63 61 66 c3 a9 0d 0a');
  await page.getByLabel('text', { exact: true }).check();
  await expect(box).toHaveValue('café\\r\\n');

  // Half a byte cannot be converted: the box stays hex, and says why.
  await page.getByLabel('hex').check();
  await box.fill('68 6');
  await page.getByLabel('text', { exact: true }).click();
  await expect(page.getByTestId('format-problem')).toContainText('The message stays in hex');
  await expect(page.getByLabel('hex')).toBeChecked();
  await expect(box).toHaveValue('68 6');
});
