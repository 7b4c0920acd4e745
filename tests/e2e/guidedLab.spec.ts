/**
 * The whole guided lab, walked as a learner would: offline, through the web host, typing into the workbench,
 * clicking and using the keyboard. Every step's check must be red before the right action and green after it;
 * progress must survive a reload; the byte log must show the exact bytes.
 */
import net from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { axe } from './axe';
import { openLab, sendButton, connectButton } from './labPage';
import { test, expect } from './webHost';

const SCREENS = '.test-output/screens';

/** A port on 127.0.0.1 that nothing listens on: opened, then closed at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Bytes of a message typed with \\r and \\n escapes (the walk types ASCII only). */
function byteCount(escaped: string): number {
  return escaped.replace(/\\[rn]/g, 'x').length;
}

function bytesWords(count: number): string {
  return count === 1 ? '1 byte' : count < 1024 ? `${count} bytes` : `${(count / 1024).toFixed(1)} KiB`;
}

class Learner {
  /** Bytes sent so far on the selected connection, to know when a send has gone out. */
  #sent = 0;

  constructor(readonly page: Page) {}

  get check(): Locator {
    return this.page.getByTestId('guide-check');
  }

  async openStep(id: string, title: string): Promise<void> {
    await this.page.getByTestId(`guide-step-${id}`).click();
    await expect(this.page.getByTestId('guide-current')).toHaveAttribute('data-step', id);
    await expect(this.page.getByTestId('guide-current-title')).toContainText(title);
  }

  async expectRed(): Promise<void> {
    await expect(this.check).toHaveAttribute('data-passed', 'false');
    await expect(this.page.getByTestId('guide-check-status')).toContainText('Not yet');
  }

  async expectGreen(detail?: RegExp | string): Promise<void> {
    await expect(this.check).toHaveAttribute('data-passed', 'true');
    await expect(this.page.getByTestId('guide-check-status')).toContainText('passed');
    if (detail) await expect(this.page.getByTestId('guide-check-detail')).toContainText(detail);
  }

  /** Types host and port, presses Connect, and waits for the new connection (open unless `refused`). */
  async connect(host: string, port: number | string, refused = false): Promise<void> {
    const rows = this.page.getByTestId('connection-row');
    const before = await rows.count();
    await this.page.getByRole('textbox', { name: 'Host' }).fill(host);
    await this.page.getByRole('textbox', { name: 'Port' }).fill(String(port));
    await connectButton(this.page).click();
    await expect(rows).toHaveCount(before + 1);
    await expect(rows.nth(before)).toHaveAttribute('data-state', refused ? 'closed' : 'open');
    this.#sent = 0;
  }

  /** Waits until the selected connection reports `bytes` more bytes sent. */
  async #sentMore(bytes: number): Promise<void> {
    this.#sent += bytes;
    await expect(this.page.locator('[data-testid="connection-row"].chosen')).toContainText(
      `${bytesWords(this.#sent)} sent`,
    );
  }

  /** Types a message (with \r \n escapes) and sends it, by button or by Ctrl+Enter. */
  async send(text: string, how: 'button' | 'keyboard' = 'button'): Promise<void> {
    const composer = this.page.getByRole('textbox', { name: 'Message' });
    await composer.fill(text);
    if (how === 'keyboard') {
      await composer.press('Control+Enter');
    } else {
      await sendButton(this.page).click();
    }
    await this.#sentMore(byteCount(text));
  }

  /** The newest row of a kind, after scrolling the log to its end (as a learner would, if it stopped following). */
  async newest(selector: string): Promise<Locator> {
    const jump = this.page.getByRole('button', { name: /Jump to newest/ });
    if (await jump.isVisible()) await jump.click();
    return this.page.locator(`[data-testid="log-row"]${selector}`).last();
  }

  /** Waits until the newest row of a kind shows `text`, scrolling the log to its end whenever it is not there. */
  async expectNewest(selector: string, text: string): Promise<void> {
    await expect(async () => {
      await expect(await this.newest(selector)).toContainText(text, { timeout: 500 });
    }).toPass({ timeout: 10_000 });
  }

  async template(id: string): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Template' }).selectOption(id);
  }

  async sendTemplate(id: string): Promise<void> {
    await this.template(id);
    await sendButton(this.page).click();
    await this.#sentMore(byteCount(await this.page.getByRole('textbox', { name: 'Message' }).inputValue()));
  }

  /** Sends what is in the message box again, with Ctrl+Enter. */
  async sendAgain(): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');
    await this.#sentMore(byteCount(await this.page.getByRole('textbox', { name: 'Message' }).inputValue()));
  }

  async closeSelected(): Promise<void> {
    await this.page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(this.page.getByTestId('connection-row').last()).toHaveAttribute('data-state', 'closed');
  }

  async predict(text: string): Promise<void> {
    const input = this.page.getByTestId('guide-prediction-input');
    await input.fill(text);
    await input.press('Enter');
    await expect(this.page.getByTestId('guide-prediction-status')).toContainText(`Saved: “${text}”`);
  }

  /** A port from the guide's own task text ("127.0.0.1 port 40123. The …"). */
  async taskPort(after: RegExp): Promise<number> {
    const text = (await this.page.getByTestId('guide-task').textContent()) ?? '';
    const match = after.exec(text);
    if (!match?.[1]) throw new Error(`no port in the task text: ${text}`);
    return Number(match[1]);
  }

  /** The guide pane as the learner sees it, then scrolled to its end (the check). */
  async shoot(name: string): Promise<void> {
    const pane = this.page.getByTestId('guide-pane');
    const scroller = this.page.getByTestId('guide-scroll');
    await scroller.evaluate((element) => element.scrollTo(0, 0));
    await pane.screenshot({ path: `${SCREENS}/guide-${name}.png` });
    await scroller.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await pane.screenshot({ path: `${SCREENS}/guide-${name}-end.png` });
    await scroller.evaluate((element) => element.scrollTo(0, 0));
  }
}

test('a learner walks the whole guided lab offline, and every check turns green only after its task', async ({
  page,
  webHost,
}) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openLab(page, webHost.url);
  const me = new Learner(page);
  await expect(page.getByTestId('guide-progress-count')).toHaveText('0 of 11 steps passed');
  await expect(page.getByTestId('code-twin-empty')).toBeVisible();

  // Every check is red in an empty session.
  for (const id of ['reliable-pipe', 'ports', 'your-port', 'blank-line', 'who-closes', 'errors', 'port-tour']) {
    await page.getByTestId(`guide-step-${id}`).click();
    await me.expectRed();
  }

  await test.step('1 a reliable pipe', async () => {
    await me.openStep('reliable-pipe', 'A reliable pipe');
    await me.shoot('light-step1');
    await me.template('echo-hello');
    await expect(page.getByRole('textbox', { name: 'Host' })).toHaveValue('echo.lab.test');
    await expect(page.getByRole('textbox', { name: 'Port' })).toHaveValue('7');
    await me.expectRed();
    await me.connect('echo.lab.test', 7);
    await me.send('hello\\r\\n');
    await me.expectNewest('[data-dir="in"]', 'hello␍␊');
    await me.expectRed();
    await me.send('second try\\r\\n', 'keyboard');
    await me.expectGreen('19 bytes in 2 sends, and the same bytes came back in the same order');
    await expect(page.getByTestId('guide-step-reliable-pipe')).toHaveAttribute('data-passed', 'true');
    await expect(page.getByTestId('guide-progress-count')).toHaveText('1 of 11 steps passed');
    await me.closeSelected();
  });

  await test.step('2 ports (moving on with the keyboard)', async () => {
    // Arrow keys move between the step buttons.
    await page.getByTestId('guide-step-reliable-pipe').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', 'ports');
    await expect(page.getByTestId('guide-step-ports')).toBeFocused();
    const httpPort = await me.taskPort(/127\.0\.0\.1 port (\d+)\. The "connected" row/);
    const echoPort = await me.taskPort(/127\.0\.0\.1 port (\d+) and send hello/);
    await me.expectRed();
    // The web server takes the connection and says nothing: its answer is step 4's to predict.
    await me.connect('127.0.0.1', httpPort);
    await expect(page.locator('[data-testid="connection-row"].chosen')).toContainText('answered by Lab HTTP server');
    await expect(page.getByTestId('guide-check-part').first()).toHaveAttribute('data-done', 'true');
    await me.expectRed();
    await me.connect('127.0.0.1', echoPort);
    await me.send('hello\\r\\n');
    await me.expectRed();
    await me.closeSelected();
    const port = await closedPort();
    await me.connect('127.0.0.1', port, true);
    await expect(page.getByTestId('connection-error').last()).toContainText('ECONNREFUSED');
    await me.expectGreen(`port ${port} refused`);
  });

  await test.step('3 your side has a port too', async () => {
    await page.getByRole('button', { name: 'Next step →' }).click();
    await expect(page.getByTestId('guide-current-title')).toBeFocused();
    await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', 'your-port');
    await me.connect('echo.lab.test', 7);
    await me.expectRed();
    await me.connect('echo.lab.test', 7);
    await me.expectGreen(/Both connections go to port \d+, but yours are port \d+ and port \d+/);
    const addresses = page.getByTestId('connection-addresses');
    const first = (await addresses.nth(-2).textContent()) ?? '';
    const second = (await addresses.nth(-1).textContent()) ?? '';
    expect(first.split('⇄')[1]).toBe(second.split('⇄')[1]);
    expect(first.split('⇄')[0]).not.toBe(second.split('⇄')[0]);
    await me.closeSelected();
    await page.getByTestId('connection-row').nth(-2).click();
    await me.closeSelected();
  });

  await test.step('4 speak HTTP: predict the status line, then send', async () => {
    await me.openStep('speak-http', 'Speak HTTP');
    await me.expectRed();
    await me.predict('HTTP/1.1 200 OK');
    await me.expectRed();
    await me.shoot('light-step4');
    await me.connect('data.pr4e.org', 80);
    await me.expectRed();
    // The slides' telnet request, typed by hand (romeo.txt waits for step 6, which asks for its length).
    await me.send('GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n');
    await me.expectGreen('You predicted "HTTP/1.1 200 OK": exactly right.');
    await expect(page.getByTestId('guide-check-detail')).toContainText('a server names the highest version it speaks');
    // The byte log shows the exact bytes: the request with CR LF glyphs, the status line, then FIN.
    await me.expectNewest('[data-dir="out"]', 'GET http://data.pr4e.org/page1.htm HTTP/1.0␍␊␍␊');
    await me.expectNewest('[data-dir="in"]', 'HTTP/1.1 200 OK␍␊');
    await me.expectNewest('[data-kind="peer-ended"]', 'FIN received');
    // The code twin writes the socket program with the bytes that were sent.
    const twin = page.getByTestId('code-twin-code');
    await expect(twin).toContainText("mysock.connect(('data.pr4e.org', 80))");
    await expect(twin).toContainText("cmd = b'GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n'");
    await expect(twin).toContainText('data = mysock.recv(512)');
    await page.getByTestId('code-twin-urllib').check();
    await expect(twin).toContainText("urllib.request.urlopen('http://data.pr4e.org/page1.htm')");
    await page.getByTestId('code-twin-copy').click();
    await expect(page.getByTestId('code-twin-copy-status')).toContainText(/Copied|press Ctrl\+C/);
    await page.getByTestId('code-twin-socket').check();
  });

  await test.step('5 the blank line matters', async () => {
    await page.getByRole('button', { name: 'Next step →' }).click();
    await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', 'blank-line');
    await me.connect('data.pr4e.org', 80);
    await me.send('GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n');
    await expect(page.getByTestId('guide-check-part').first()).toHaveAttribute('data-done', 'true');
    await me.expectRed();
    // No event to wait for: the step asks for a real pause of at least BLANK_LINE_WAIT_MS (1 s, in the step's file),
    // counted from when the request line went out, which was before its "sent" count showed.
    await page.waitForTimeout(1_100);
    // The server waited: nothing came back on this connection.
    await expect(async () => {
      await expect(await me.newest('')).toHaveAttribute('data-dir', 'out', { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    await me.expectRed();
    await me.send('\\r\\n', 'keyboard');
    await me.expectGreen(/Nothing came back for \d+\.\d seconds: the server was waiting for the blank line/);
    await expect(page.getByTestId('code-twin-code')).toContainText('time.sleep(');
  });

  await test.step('6 headers, then body: predict Content-Length', async () => {
    await me.openStep('headers-body', 'Headers, then body');
    await me.expectRed();
    await me.predict('160');
    await me.expectRed();
    await me.connect('data.pr4e.org', 80);
    await me.sendTemplate('socket1-romeo');
    await me.expectGreen('You predicted 160; the server said Content-Length: 167.');
    // The code twin writes the book's socket1.py with the bytes that were sent.
    const twin = page.getByTestId('code-twin-code');
    await expect(twin).toContainText("cmd = b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'");
    await page.getByTestId('code-twin-urllib').check();
    await expect(twin).toContainText("urllib.request.urlopen('http://data.pr4e.org/romeo.txt')");
    await page.getByTestId('code-twin-socket').check();
    // Open the answer in the stream views: Content-Length: 167 with its CR LF, then the romeo text.
    await me.expectNewest('[data-dir="in"]', 'HTTP/1.1 200 OK');
    await (await me.newest('[data-dir="in"]')).click();
    await page.getByRole('tab', { name: 'Text' }).click();
    await expect(page.getByTestId('text-view')).toContainText('Content-Length: 167␍␊');
    await page.getByRole('tab', { name: 'HTTP' }).click();
    await expect(page.getByTestId('http-start-line')).toContainText('HTTP/1.1 200 OK');
    await expect(page.getByTestId('http-body')).toContainText('But soft what light through yonder window breaks');
    await me.shoot('light-step6');
    await page.emulateMedia({ colorScheme: 'dark' });
    await me.shoot('dark-step6');
    await page.screenshot({ path: `${SCREENS}/guide-dark-full.png` });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('7 who closes?', async () => {
    await me.openStep('who-closes', 'Who closes?');
    // Earlier steps' HTTP/1.0 answers do not count here: this step starts with nothing done.
    await expect(page.getByTestId('guide-check-part').first()).toHaveAttribute('data-done', 'false');
    await me.connect('data.pr4e.org', 80);
    await me.sendTemplate('socket1-romeo');
    await me.expectNewest('[data-kind="peer-ended"]', 'FIN received');
    await expect(page.getByTestId('guide-check-part').first()).toHaveAttribute('data-done', 'true');
    await me.expectRed();
    await me.connect('data.pr4e.org', 80);
    await me.sendTemplate('http11-host');
    await me.expectNewest('[data-dir="in"]', 'HTTP/1.1 200 OK␍␊');
    // The answer is in, and the server did not close: no FIN, the connection is still open.
    await expect(page.getByTestId('connection-row').last()).toHaveAttribute('data-state', 'open');
    await me.expectRed();
    await me.sendAgain();
    await me.expectGreen('A second request on the same connection got a second answer');
    await expect(page.getByTestId('connection-row').last()).toHaveAttribute('data-state', 'open');
    await me.closeSelected();
  });

  await test.step('8 when things go wrong', async () => {
    await page.getByRole('button', { name: 'Next step →' }).click();
    await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', 'errors');
    await me.expectRed();
    await me.connect('data.pr4e.org', 80);
    await me.sendTemplate('not-found');
    await me.expectNewest('[data-dir="in"]', 'HTTP/1.1 404 Not Found');
    // Step 2's refusal does not count here: this step wants its own.
    await me.expectRed();
    await me.connect('127.0.0.1', await closedPort(), true);
    await me.expectGreen('You saw a 404');
  });

  await test.step('progress survives a reload', async () => {
    await expect(page.getByTestId('guide-progress-count')).toHaveText('8 of 11 steps passed');
    await page.reload();
    await expect(page.getByTestId('guide-progress-count')).toHaveText('8 of 11 steps passed');
    await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', 'errors');
    await me.expectGreen();
    await expect(page.getByTestId('guide-check-detail')).toContainText('You passed this step earlier.');
    for (const id of [
      'reliable-pipe',
      'ports',
      'your-port',
      'speak-http',
      'blank-line',
      'headers-body',
      'who-closes',
    ]) {
      await expect(page.getByTestId(`guide-step-${id}`)).toHaveAttribute('data-passed', 'true');
    }
    await me.openStep('speak-http', 'Speak HTTP');
    await expect(page.getByTestId('guide-prediction-input')).toHaveValue('HTTP/1.1 200 OK');
    // The session before the reload comes back read-only, with the progress it kept; the live one starts empty.
    const before = page.getByTestId('replay-banner');
    await expect(before).toContainText('before the reload');
    await expect(before.getByTestId('replay-progress')).toContainText('8 of 11 steps passed');
    await page.getByRole('button', { name: '← Back to the live session' }).click();
    await expect(page.getByTestId('connections-empty')).toBeVisible();
  });

  await test.step('9 bytes, not characters', async () => {
    await me.openStep('bytes', 'Bytes, not characters');
    await me.expectRed();
    await me.connect('data.pr4e.org', 80);
    await me.expectRed();
    await me.sendTemplate('urljpeg-cover3');
    // The image alone is two of three: the small answer must still arrive in pieces, slowed down.
    await me.expectRed();
    const parts = page.getByTestId('guide-check-part');
    await expect(parts.nth(1)).toHaveAttribute('data-done', 'true');
    await expect(parts.nth(2)).toHaveAttribute('data-done', 'false');
    // Find the JPEG's first bytes with the log search, then read them in the hex view.
    await page.getByRole('searchbox', { name: 'Find bytes in the log' }).fill('\\xff\\xd8\\xff');
    await page.getByRole('searchbox', { name: 'Find bytes in the log' }).press('Enter');
    await expect(page.getByTestId('search-status')).toContainText(/Found in row \d+ at stream offset \d+/);
    const status = (await page.getByTestId('search-status').textContent()) ?? '';
    const offset = Number(/stream offset (\d+)/.exec(status)?.[1]);
    await page.getByRole('tab', { name: 'Hex' }).click();
    const lineStart = offset - (offset % 16);
    await page
      .getByTestId('hex-view-lines')
      .evaluate((element, top) => element.scrollTo(0, top), Math.max(0, (lineStart / 16 - 2) * 20));
    const hexOf = async (at: number): Promise<string[]> => {
      const line = page.getByTestId('hex-view').locator('.line', { hasText: at.toString(16).padStart(8, '0') });
      return ((await line.locator('.hex').textContent()) ?? '').trim().split(/\s+/);
    };
    const bytes = [...(await hexOf(lineStart - 16)), ...(await hexOf(lineStart)), ...(await hexOf(lineStart + 16))];
    const at = 16 + (offset % 16);
    // The blank line (0d 0a 0d 0a), then the body's first bytes: ff d8 ff.
    expect(bytes.slice(at - 4, at + 3)).toEqual(['0d', '0a', '0d', '0a', 'ff', 'd8', 'ff']);
    await expect(page.getByTestId('code-twin-code')).toContainText('recv(5120)');

    // Slow the lab HTTP server down and watch romeo.txt arrive in small pieces.
    await page.getByRole('combobox', { name: 'Lab HTTP server speed' }).selectOption('slow');
    await expect(page.getByTestId('slow-mode-note')).toContainText('many small pieces');
    await me.connect('data.pr4e.org', 80);
    await me.sendTemplate('socket1-romeo');
    await me.expectGreen(/starts FF D8 FF.*Slowed down, 535 bytes came in \d+ pieces/);
    const pieces = page.locator('[data-testid="connection-row"].chosen');
    await expect(pieces).toContainText('535 bytes received');
    await page.screenshot({ path: `${SCREENS}/slow-mode-light.png` });
    await page.getByRole('combobox', { name: 'Lab HTTP server speed' }).selectOption('full');
    await expect(page.getByTestId('slow-mode-note')).toContainText('as fast as');
  });

  await test.step('10 let urllib do it', async () => {
    await me.openStep('urllib', 'Let urllib do it');
    await me.expectRed();
    await me.connect('data.pr4e.org', 80);
    await me.sendTemplate('http11-host');
    await me.expectRed();
    await me.closeSelected();
    await me.connect('data.pr4e.org', 80);
    await me.send(
      'GET /romeo.txt HTTP/1.1\\r\\nAccept-Encoding: identity\\r\\nHost: data.pr4e.org\\r\\nUser-Agent: Python-urllib/3.11\\r\\nConnection: close\\r\\n\\r\\n',
    );
    await me.expectGreen('You spoke like urllib');
    await page.getByTestId('code-twin-urllib').check();
    await expect(page.getByTestId('code-twin-code')).toContainText(
      "fhand = urllib.request.urlopen('http://data.pr4e.org/romeo.txt')",
    );
    await me.shoot('light-step10');
  });

  await test.step('11 a tour of common ports', async () => {
    await me.openStep('port-tour', 'A tour of common ports');
    await expect(page.getByTestId('guide-port-table')).toContainText('443');
    await me.expectRed();
    await me.connect('mail.lab.test', 25);
    await me.expectNewest('[data-dir="in"]', '220 mail.lab.test');
    await me.expectRed();
    await me.connect('mail.lab.test', 110);
    await me.expectNewest('[data-dir="in"]', '+OK');
    await me.expectRed();
    // 443: the switch follows the port; with it off, plain bytes get a TLS alert; with it on, 200 inside TLS.
    const tls = page.getByRole('switch', { name: 'TLS' });
    const romeo = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n';
    await page.getByLabel('Port', { exact: true }).fill('443');
    await expect(tls).toBeChecked();
    await tls.uncheck();
    await me.connect('data.pr4e.org', 443);
    await me.send(romeo);
    await me.expectNewest('[data-kind="closed"]', 'this port expects TLS first');
    await me.expectRed();
    await tls.check();
    await me.connect('data.pr4e.org', 443);
    await me.send(romeo);
    await me.expectNewest('[data-layer="inside"][data-dir="in"]', 'HTTP/1.1 200 OK');
    await me.expectGreen('Both servers spoke first');
  });

  await expect(page.getByTestId('guide-progress-count')).toHaveText('11 of 11 steps passed');
  await expect(page.getByTestId('guide-finished')).toBeVisible();
  await me.shoot('light-finished');
  await page.emulateMedia({ colorScheme: 'dark' });
  await me.shoot('dark-finished');
  await page.getByTestId('code-twin').screenshot({ path: `${SCREENS}/guide-dark-codetwin.png` });

  // The guide and the code twin pass axe with no serious or critical problems, in both themes.
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const id of ['speak-http', 'port-tour']) {
      await page.getByTestId(`guide-step-${id}`).click();
      const report = await (
        await axe(page)
      )
        .include('[data-testid="guide-pane"]')
        .include('[data-testid="code-twin"]')
        .analyze();
      const serious = report.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(
        serious.map((v) => `${scheme} ${id}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).toEqual([]);
    }
  }
});
