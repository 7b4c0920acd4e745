import net from 'node:net';
import type { Page } from '@playwright/test';
import {
  SCREENS,
  connectTo,
  openLab,
  pasteOver,
  romeoExchange,
  startEchoServer,
  watchLongTasks,
  sendButton,
  connectButton,
} from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1440, height: 900 } });

const rows = (page: Page) => page.getByTestId('log-rows');

async function rowCount(page: Page): Promise<number> {
  return Number(await rows(page).getAttribute('data-rows'));
}

/** Send the composer's message with Ctrl+Enter and wait for its echo, so sends never overlap. */
async function sendAndWaitForEcho(page: Page): Promise<void> {
  const before = await rowCount(page);
  await page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');
  // Watched every animation frame: expect.poll looks again only after 100 ms and more, for each of 29 sends.
  await page.waitForFunction(
    (atLeast) => Number(document.querySelector('[data-testid="log-rows"]')?.getAttribute('data-rows')) >= atLeast,
    before + 2,
    { timeout: 10_000 },
  );
}

test('an empty log shows its words, its list is laid out but neither seen nor reached with Tab, and the first rows fill it', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await expect(page.getByText('Nothing yet. Connect, then send something')).toBeVisible();
  // The list is there already (so its first rows are drawn at its real height), but hidden.
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toBeHidden();
  expect(await rows(page).evaluate((element) => element.getBoundingClientRect().height)).toBeGreaterThan(100);
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    expect(await rows(page).evaluate((element) => element === document.activeElement)).toBe(false);
  }
  await romeoExchange(page);
  await expect(page.getByText('Nothing yet. Connect, then send something')).toHaveCount(0);
  await expect(rows(page)).toBeVisible();
  const count = await rowCount(page);
  await expect(page.locator(`[data-testid="log-row"][aria-posinset="${count}"]`)).toBeInViewport();
});

/** The log's drawn rows are consecutive, and each data row's offset is 6 bytes past the last one its way. */
async function expectRowsInOrder(page: Page): Promise<void> {
  const drawn = await page.getByTestId('log-row').evaluateAll((elements) =>
    elements.map((element) => ({
      at: Number(element.getAttribute('aria-posinset')),
      dir: element.getAttribute('data-dir'),
      offset: element.querySelector('.c-offset')?.textContent ?? '',
      bytes: element.querySelector('.c-count')?.textContent ?? '',
    })),
  );
  expect(drawn.length).toBeGreaterThan(5);
  expect(drawn.map((row) => row.at)).toEqual(drawn.map((_, i) => (drawn[0]?.at ?? 0) + i));
  for (const dir of ['out', 'in']) {
    const offsets = drawn.filter((row) => row.dir === dir).map((row) => Number(row.offset.slice(1)));
    expect(offsets.slice(1)).toEqual(offsets.slice(0, -1).map((offset) => offset + 6));
    expect(drawn.filter((row) => row.dir === dir).every((row) => row.bytes === '6 bytes')).toBe(true);
  }
}

test('the log follows the newest row, stops when scrolled up, and jumps back on request', async ({ page, webHost }) => {
  const echo = await startEchoServer();
  try {
    await page.goto(webHost.url);
    await connectTo(page, '127.0.0.1', String(echo.port), 'internet');
    await page.getByRole('textbox', { name: 'Message' }).fill('line\\r\\n');
    for (let i = 0; i < 25; i++) await sendAndWaitForEcho(page);

    const count = await rowCount(page);
    expect(count).toBeGreaterThanOrEqual(54);
    await expect(rows(page)).toHaveAttribute('data-following', 'true');
    await expect(page.locator(`[data-testid="log-row"][aria-posinset="${count}"]`)).toBeInViewport();
    await expect(page.getByRole('button', { name: /Jump to newest/ })).toHaveCount(0);

    // The learner scrolls up with the mouse wheel: the log stops following.
    await rows(page).hover();
    await page.mouse.wheel(0, -5000);
    await expect(rows(page)).toHaveAttribute('data-following', 'false');
    await expect(page.locator('[data-testid="log-row"][aria-posinset="1"]')).toBeInViewport();
    await expect(page.getByRole('button', { name: /Jump to newest/ })).toBeVisible();
    // The rows drawn are the rows in order, each with its own bytes (the list draws rows into the same elements
    // as it scrolls): every send of "line\r\n" 6 bytes further on than the one before, and each echo the same.
    await expectRowsInOrder(page);
    // Text selected in a row stays on that row while the list scrolls a little (rows in view keep their elements).
    const picked = page.locator('[data-testid="log-row"][aria-posinset="6"] .c-content');
    const words = await picked.evaluate((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      return getSelection()?.toString() ?? '';
    });
    expect(words.length).toBeGreaterThan(3);
    await page.mouse.wheel(0, 96);
    await expect.poll(() => page.locator('[data-testid="log-row"][aria-posinset="1"]').count()).toBe(0);
    expect(
      await page.evaluate(() => {
        const row = getSelection()?.anchorNode?.parentElement?.closest('[data-testid="log-row"]');
        return [getSelection()?.toString(), row?.getAttribute('aria-posinset')];
      }),
    ).toEqual([words, '6']);
    await page.evaluate(() => getSelection()?.removeAllRanges());
    await page.mouse.wheel(0, 400);
    await expect.poll(() => page.locator('[data-testid="log-row"][aria-posinset="1"]').count()).toBe(0);
    await expectRowsInOrder(page);
    await page.mouse.wheel(0, -5000);

    // New rows arrive; the view stays where the learner is, and says how many are new.
    for (let i = 0; i < 3; i++) await sendAndWaitForEcho(page);
    await expect(page.locator('[data-testid="log-row"][aria-posinset="1"]')).toBeInViewport();
    await expect(page.getByRole('button', { name: /Jump to newest/ })).toContainText('6 new');
    await page.screenshot({ path: `${SCREENS}/log-scrolled-up-light.png` });

    await page.getByRole('button', { name: /Jump to newest/ }).click();
    await expect(rows(page)).toHaveAttribute('data-following', 'true');
    const newest = await rowCount(page);
    await expect(page.locator(`[data-testid="log-row"][aria-posinset="${newest}"]`)).toBeInViewport();

    // Following again: the next rows scroll into view by themselves.
    await sendAndWaitForEcho(page);
    const latest = await rowCount(page);
    await expect(page.locator(`[data-testid="log-row"][aria-posinset="${latest}"]`)).toBeInViewport();
  } finally {
    await echo.close();
  }
});

test('keyboard: the log is a listbox; Home, arrows and End move the selected row', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  await rows(page).focus();
  await page.keyboard.press('Home');
  const first = page.locator('[data-testid="log-row"][aria-posinset="1"]');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await expect(first).toHaveAttribute('data-kind', 'resolving');
  await expect(rows(page)).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id')) ?? '');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-testid="log-row"][aria-posinset="2"]')).toHaveAttribute('aria-selected', 'true');
  // A connection event shows its words in the detail pane.
  await expect(page.getByTestId('event-detail')).toContainText('Resolved to 127.0.0.1');
  await page.keyboard.press('End');
  const last = await rowCount(page);
  await expect(page.locator(`[data-testid="log-row"][aria-posinset="${last}"]`)).toHaveAttribute(
    'aria-selected',
    'true',
  );
});

test('search finds bytes across the log, case-insensitively, and highlights the hit', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  await page.getByRole('searchbox', { name: 'Find bytes in the log' }).fill('content-length: 167\\r\\n');
  await page.getByRole('searchbox', { name: 'Find bytes in the log' }).press('Enter');
  await expect(page.getByTestId('search-status')).toContainText('Found in row');
  const received = page.locator('[data-testid="log-row"][data-dir="in"]').first();
  await expect(received).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('text-view').locator('.mark').first()).toBeVisible();
  await expect(page.getByTestId('text-view').locator('.mark').first()).toContainText('Content-Length: 167');

  // The blank line that ends the head: found once in the request, once in the response.
  await page.getByRole('searchbox', { name: 'Find bytes in the log' }).fill('\\r\\n\\r\\n');
  await page.getByRole('button', { name: 'Next match' }).click();
  await expect(page.getByTestId('search-status')).toContainText('Found in row');
  const firstHit = await page.getByTestId('search-status').textContent();
  await page.getByRole('button', { name: 'Next match' }).click();
  await expect(page.getByTestId('search-status')).not.toHaveText(firstHit ?? '');
  await page.getByRole('button', { name: 'Previous match' }).click();
  await expect(page.getByTestId('search-status')).toHaveText(firstHit ?? '');

  await page.getByRole('searchbox', { name: 'Find bytes in the log' }).fill('no such bytes anywhere');
  await page.getByRole('searchbox', { name: 'Find bytes in the log' }).press('Enter');
  await expect(page.getByTestId('search-status')).toContainText('is not in the log');
});

test('a paste into the search box far longer than anything it could find is refused at once in words', async ({
  page,
  context,
  webHost,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webHost.origin });
  await page.goto(webHost.url);
  await romeoExchange(page);
  const box = page.getByRole('searchbox', { name: 'Find bytes in the log' });
  await box.fill('Content-Length');
  const longestTask = await watchLongTasks(page);
  // A real paste (Ctrl+V) of a million characters: reading it as bytes on every change, and echoing it in the
  // status words, made one task of about 0.2 s.
  await pasteOver(page, box, 'ab', 500_000);
  await expect(page.getByTestId('search-status')).toHaveText(
    'Not put in the search box: a search can be at most 4,096 characters long, and this would make it ' +
      '1,000,000 characters.',
  );
  await expect(box).toHaveValue('Content-Length');
  expect(await longestTask()).toBeLessThan(100);
  // What is there still finds, and a paste that fits is taken.
  await box.press('Enter');
  await expect(page.getByTestId('search-status')).toContainText('Found in row');
  await pasteOver(page, box, 'x', 4096);
  await expect(box).toHaveValue('x'.repeat(4096));
});

test('copy the selected row as a Python bytes literal, as hex, and as text', async ({ page, context, webHost }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webHost.origin });
  await page.goto(webHost.url);
  await romeoExchange(page);
  await page.locator('[data-testid="log-row"][data-dir="out"]').click();
  await page.getByTestId('copy-python').click();
  await expect(page.getByTestId('copy-status')).toContainText('as a Python bytes literal');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    "b'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'",
  );
  await page.getByTestId('copy-hex').click();
  await expect(page.getByTestId('copy-status')).toContainText('as hex');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^47 45 54 20 .* 0d 0a 0d 0a$/);
  await page.getByTestId('copy-text').click();
  await expect(page.getByTestId('copy-status')).toContainText('as text');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n',
  );
});

test('copying 4 MiB, with the Clipboard API refused, goes through the copy command whole, and no task freezes the page', async ({
  page,
  context,
  webHost,
}) => {
  // Read only: writeText is refused, so Copy takes the older copy command, as a browser that refuses it would.
  await context.grantPermissions(['clipboard-read'], { origin: webHost.origin });
  const big = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.end(big);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await page.goto(webHost.url);
    await connectTo(page, '127.0.0.1', String((server.address() as net.AddressInfo).port), 'internet');
    await expect(page.getByTestId('connection-row')).toHaveAttribute('data-bytes-in', String(big.length));
    const longestTask = await watchLongTasks(page);
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    await page.getByTestId('copy-hex').click();
    await expect(page.getByTestId('copy-status')).toHaveText(
      'Copied 4.00 MiB of everything connection #1 received as hex.',
    );
    const hex = await clipboard();
    expect(hex.length).toBe(big.length * 3 - 1);
    expect(hex.slice(0, 12)).toBe('00 07 0e 15 ');
    await page.getByTestId('copy-python').click();
    await expect(page.getByTestId('copy-status')).toContainText('as a Python bytes literal');
    expect((await clipboard()).startsWith("b'\\x00\\x07\\x0e\\x15\\x1c#*18?FMT")).toBe(true);
    // Well under the 5 s the hidden text box took for 4 MiB, with room for a busy CI machine.
    expect(await longestTask()).toBeLessThan(1_500);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("the recv(n) view regroups the response into calls of at most n bytes, ending with b''", async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  await page.getByRole('tab', { name: 'recv(n)' }).click();
  await page.getByRole('spinbutton', { name: 'n (bytes per recv(n))' }).fill('100');
  await expect(page.getByTestId('recv-explain')).toContainText('recv(100)');
  const lengths = await page
    .getByTestId('recv-call')
    .evaluateAll((calls) => calls.map((call) => Number(call.getAttribute('data-length'))));
  expect(lengths.length).toBeGreaterThanOrEqual(7);
  expect(lengths.every((length) => length <= 100)).toBe(true);
  expect(lengths.at(-1)).toBe(0);
  expect(lengths.reduce((sum, length) => sum + length, 0)).toBe(
    Number((await page.getByTestId('connection-row').textContent())?.match(/(\d+) bytes received/)?.[1]),
  );
  await page.screenshot({ path: `${SCREENS}/recv-view-light.png` });
});

test('bytes from a peer are shown as text, never as HTML', async ({ page, webHost }) => {
  const echo = await startEchoServer();
  try {
    await page.goto(webHost.url);
    await connectTo(page, '127.0.0.1', String(echo.port), 'internet');
    await page
      .getByRole('textbox', { name: 'Message' })
      .fill('<b id="injected">bold</b><img src=x onerror="document.title=1">\\r\\n');
    await sendButton(page).click();
    const received = page.locator('[data-testid="log-row"][data-dir="in"]');
    await expect(received).toContainText('<b id="injected">bold</b>');
    await expect(page.locator('#injected')).toHaveCount(0);
    await expect(page.locator('[data-testid="byte-log"] img')).toHaveCount(0);
    expect(await page.title()).toBe('Socket Lab');
  } finally {
    await echo.close();
  }
});

test('a line of 96 binary bytes is drawn whole in the text view: it scrolls sideways to the last byte, offset in sight', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await connectTo(page, 'echo.lab.test', '7', 'lab');
  await page.getByLabel('hex').check();
  // 0x80 … 0xdf: each is drawn as \xNN, four columns a byte, so the line is far wider than the pane.
  const hex = Array.from({ length: 96 }, (_, i) => (0x80 + i).toString(16)).join(' ');
  await page.getByRole('textbox', { name: 'Message' }).fill(hex);
  await sendButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(1);
  const lines = page.getByTestId('text-view-lines');
  await expect(lines).toContainText('\\x80\\x81');
  const seen = await lines.evaluate(async (list) => {
    list.scrollLeft = list.scrollWidth;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const text = [...list.querySelectorAll('.bytes')].map((bytes) => bytes.textContent ?? '').join('');
    // The last byte's glyph, where it is drawn, and the offset cell: both inside the list's box.
    const walker = document.createTreeWalker(list, NodeFilter.SHOW_TEXT);
    let last: Text | null = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      if (node.textContent?.includes('xdf')) last = node as Text;
    if (!last) return { text, lastInside: false, offsetInside: false, wider: false };
    const range = document.createRange();
    const at = (last.textContent ?? '').lastIndexOf('f');
    range.setStart(last, at);
    range.setEnd(last, at + 1);
    const glyph = range.getBoundingClientRect();
    const box = list.getBoundingClientRect();
    const offset = list.querySelector('.offset')?.getBoundingClientRect();
    return {
      text,
      wider: list.scrollWidth > list.clientWidth,
      lastInside: glyph.right <= box.right + 0.5 && glyph.left >= box.left,
      offsetInside: offset !== undefined && offset.left >= box.left - 0.5 && offset.right <= box.right,
    };
  });
  expect(seen.text.endsWith('\\xde\\xdf')).toBe(true);
  expect(seen).toMatchObject({ wider: true, lastInside: true, offsetInside: true });
  await page.screenshot({ path: `${SCREENS}/text-view-binary-scrolled-light.png` });
});

test('splitters resize the panes from the keyboard', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  const splitter = page.getByTestId('guide-splitter');
  const before = Number(await splitter.getAttribute('aria-valuenow'));
  await splitter.focus();
  await page.keyboard.press('ArrowRight');
  await expect(splitter).toHaveAttribute('aria-valuenow', String(before + 16));
  await page.keyboard.press('Home');
  await expect(splitter).toHaveAttribute('aria-valuenow', (await splitter.getAttribute('aria-valuemin')) ?? '');
  const workbench = page.getByTestId('workbench-splitter');
  const height = Number(await workbench.getAttribute('aria-valuenow'));
  await workbench.focus();
  await page.keyboard.press('Shift+ArrowUp');
  await expect(workbench).toHaveAttribute('aria-valuenow', String(height - 64));
});

test('a shorter stream picked while the hex view is scrolled far down still shows its bytes from the top', async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await connectTo(page, 'data.pr4e.org', '80', 'lab');
  await page.getByRole('combobox', { name: 'Template' }).selectOption('urljpeg-cover3');
  await sendButton(page).click();
  // 230,210 bytes of picture plus the headers: the whole answer is in.
  await expect(page.locator('[data-testid="log-row"][data-kind="peer-ended"]')).toHaveCount(1);
  await page.getByRole('tab', { name: 'Hex' }).click();
  await page.getByTestId('hex-view-lines').evaluate((element) => element.scrollTo(0, 100_000));
  await expect(page.getByTestId('hex-view').locator('.line').first()).not.toContainText('00000000');

  await connectButton(page).click();
  await expect(page.getByTestId('connection-row').nth(1)).toHaveAttribute('data-state', 'open');
  await page.getByRole('combobox', { name: 'Template' }).selectOption('socket1-romeo');
  await sendButton(page).click();
  await expect(page.getByTestId('connection-row').nth(1)).toContainText('535 bytes received');
  const firstLine = page.getByTestId('hex-view').locator('.line').first();
  await expect(firstLine).toContainText('00000000');
  await expect(firstLine).toContainText('48 54 54 50 2f 31 2e 31');
});

test('the HTTP view: a HEAD answer has a Content-Length and no body, and that is not a mismatch', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await page.getByRole('combobox', { name: 'Template' }).selectOption('head-romeo');
  await connectButton(page).click();
  await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'open');
  await sendButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-kind="peer-ended"]')).toHaveCount(1);
  await page.getByRole('tab', { name: 'HTTP' }).click();
  await page.getByRole('radio', { name: 'all received' }).check();
  await expect(page.getByTestId('http-start-line')).toHaveText('HTTP/1.1 200 OK');
  await expect(page.getByTestId('http-headers')).toContainText('167');
  const check = page.getByTestId('http-length-check');
  await expect(check).toContainText('HEAD request, so no body follows');
  await expect(check).not.toHaveAttribute('data-match', 'false');
});

test('the column headings stand over their columns, wide and narrow', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  for (const width of [1920, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    const row = page.locator('[data-testid="log-row"][data-kind="data"]').first();
    for (const column of ['c-conn', 'c-dir', 'c-count', 'c-content']) {
      const heading = await page.locator(`.byte-log .columns .${column}`).boundingBox();
      const cell = await row.locator(`.${column}`).boundingBox();
      if (!heading || !cell) throw new Error(`${column} is not drawn at ${width} px`);
      expect(Math.abs(heading.x - cell.x), `${column} at ${width} px`).toBeLessThanOrEqual(1);
      expect(Math.abs(heading.width - cell.width), `${column} at ${width} px`).toBeLessThanOrEqual(1);
    }
  }
});

test('"Show" ticks what the views really show: everything received until a data row is picked', async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await expect(page.getByRole('radio', { name: 'all received' })).not.toBeChecked();
  await romeoExchange(page);
  // No row picked yet: the text view shows the whole answer, and says so.
  await expect(page.getByRole('radio', { name: 'selected row' })).not.toBeChecked();
  await expect(page.getByRole('radio', { name: 'all received' })).toBeChecked();
  await expect(page.getByTestId('stream-views')).toContainText('HTTP/1.1 200 OK');
  await page.locator('[data-testid="log-row"][data-dir="out"]').click();
  await expect(page.getByRole('radio', { name: 'selected row' })).toBeChecked();
  await expect(page.getByRole('radio', { name: 'all received' })).not.toBeChecked();
  await page.getByRole('radio', { name: 'all received' }).check();
  await expect(page.getByRole('radio', { name: 'all received' })).toBeChecked();
  await expect(page.getByRole('radio', { name: 'selected row' })).not.toBeChecked();
});

test('recv(1) gives one byte a call, recv(100000) the whole answer in one call, and the counts read right', async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  const received = Number((await page.getByTestId('connection-row').textContent())?.match(/(\d+) bytes received/)?.[1]);
  await page.getByRole('tab', { name: 'recv(n)' }).click();
  await page.getByRole('spinbutton', { name: 'n (bytes per recv(n))' }).fill('1');
  await expect(page.getByTestId('recv-summary')).toHaveText(`${received + 1} calls`);
  await expect(page.getByTestId('recv-explain')).toContainText('at most 1 byte of what has arrived');
  const first = page.getByTestId('recv-call').first();
  await expect(first).toHaveAttribute('data-length', '1');
  await expect(first).toContainText(/1 byte\s+total 1\s+b'H'/);
  await page.getByRole('spinbutton', { name: 'n (bytes per recv(n))' }).fill('100000');
  await expect(page.getByTestId('recv-summary')).toHaveText('2 calls');
  await expect(page.getByTestId('recv-call').first()).toContainText(`${received} bytes`);
  await expect(page.getByTestId('recv-call').last()).toContainText("b''");
});

test('on the recv(n) tab, Copy copies what that view shows: everything received, not the sent row picked before', async ({
  page,
  context,
  webHost,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webHost.origin });
  await page.goto(webHost.url);
  await romeoExchange(page);
  await page.locator('[data-testid="log-row"][data-dir="out"]').click();
  await page.getByRole('tab', { name: 'recv(n)' }).click();
  await page.getByTestId('copy-text').click();
  await expect(page.getByTestId('copy-status')).toContainText('everything connection #1 received');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*grief\n$/);
});
