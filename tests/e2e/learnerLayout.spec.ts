/**
 * Issue 9's "fits the window": at 1280×800 Send is in view after Connect with no pane scrolled, and failures never
 * push the open connection out of view; at 1024×700 the byte log shows 8 whole rows with every column, code wraps
 * inside its box, the hex view shows its ASCII column, and connection rows show their ports. Screenshots of both
 * sizes in both themes go to .test-output/screens/ to be looked at.
 */
import type { Locator, Page } from '@playwright/test';
import { connectButton, openLab, romeoExchange, sendButton, shootBothThemes } from './labPage';
import { expect, test } from './webHost';

/** The element is drawn whole inside the box of `container` (not cut off by it, not scrolled out of it). */
async function expectInside(element: Locator, container: Locator, what: string): Promise<void> {
  const inner = await element.boundingBox();
  const outer = await container.boundingBox();
  if (!inner || !outer) throw new Error(`${what}: not drawn`);
  expect(inner.y, `${what}: top`).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(inner.y + inner.height, `${what}: bottom`).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
  expect(inner.x, `${what}: left`).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(inner.x + inner.width, `${what}: right`).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
}

async function refuse(page: Page, times: number): Promise<void> {
  await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill('1');
  const rows = page.getByTestId('connection-row');
  for (let i = 0; i < times; i += 1) {
    const before = await rows.count();
    await connectButton(page).click();
    await expect(rows).toHaveCount(before + 1);
    await expect(rows.nth(before)).toHaveAttribute('data-state', 'closed');
  }
}

test.describe('layout', () => {
  test.beforeEach(async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test(`16: at 1280×800, after failures, Connect leaves the open connection and Send in view, no pane scrolled`, async ({
    page,
    webHost,
  }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openLab(page, webHost.url);
    const workbench = page.getByTestId('workbench').locator('..');
    // Three refusals, then a bad port three times: the notices and failed rows a learner piles up in step 8.
    await refuse(page, 3);
    await page.getByLabel('Port', { exact: true }).fill('0x50');
    for (let i = 0; i < 3; i += 1) await connectButton(page).click();
    await expect(page.getByTestId('notice')).toHaveCount(1);
    await expect(page.getByTestId('earlier-notices')).toHaveText('2 earlier ones');
    await page.getByRole('button', { name: 'Dismiss all' }).click();
    await expect(page.getByTestId('notice')).toHaveCount(0);

    await page.getByLabel('Template').selectOption('echo-hello');
    await connectButton(page).click();
    const open = page.locator('[data-testid="connection-row"][data-state="open"]');
    await expect(open).toHaveCount(1);
    await expect(page.getByLabel('Message')).toBeFocused();
    await expect(sendButton(page)).toBeInViewport({ ratio: 1 });
    await expectInside(sendButton(page), workbench, 'Send');
    await expectInside(open, page.getByTestId('connection-list'), 'the open connection');
    await expectInside(page.getByTestId('connection-list'), workbench, 'the connection list');
    expect(await workbench.evaluate((element) => element.scrollTop)).toBe(0);
    await shootBothThemes(page, 'layout-1280x800');
  });

  test(`17 and 18: at 1024×700 the log shows 8 whole rows and every column, code wraps, hex shows ASCII, rows show their ports`, async ({
    page,
    webHost,
  }) => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await openLab(page, webHost.url);
    await romeoExchange(page);
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(page.locator('[data-testid="log-row"][data-kind="closed"]')).toHaveCount(1);
    const rowsBox = page.getByTestId('log-rows');

    // 17: eight whole rows in view, under column headings that include Time and Offset.
    const logRows = page.getByTestId('log-row');
    await expect(logRows.nth(8)).toBeAttached();
    const view = await rowsBox.boundingBox();
    let whole = 0;
    for (const row of await logRows.all()) {
      const box = await row.boundingBox();
      if (view && box && box.y >= view.y - 0.5 && box.y + box.height <= view.y + view.height + 0.5) whole += 1;
    }
    expect(whole, 'whole rows in view').toBeGreaterThanOrEqual(8);
    const headings = page.getByTestId('byte-log').locator('.columns');
    for (const name of ['Time', 'Offset']) await expect(headings.getByText(name, { exact: true })).toBeVisible();
    await expect(logRows.first().locator('.c-time')).toBeVisible();

    // 18: the connected row shows both ports without being picked...
    const connected = page.locator('[data-testid="log-row"][data-kind="connected"]');
    const words = ((await connected.textContent()) ?? '').trim();
    const ports = /your side (\S+) ⇄ (\S+?),/.exec(words);
    if (!ports) throw new Error(`no ports in: ${words}`);
    /** These words of the row are drawn inside its cell and inside the log's view: not cut off, not hidden. */
    const visible = async (text: string): Promise<boolean> =>
      connected.locator('.c-content').evaluate((cell, wanted) => {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.textContent?.lastIndexOf(wanted) ?? -1;
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + wanted.length);
          const words = range.getBoundingClientRect();
          const box = cell.getBoundingClientRect();
          const view = cell.closest('[data-testid="log-rows"]')?.getBoundingClientRect();
          return words.right <= box.right + 0.5 && (!view || words.bottom <= view.bottom + 0.5);
        }
        return false;
      }, text);
    expect(await visible(ports[1] ?? ''), `${ports[1]} is cut off`).toBe(true);
    expect(await visible(ports[2] ?? ''), `${ports[2]} is cut off`).toBe(true);
    // ...and, once picked, all of its words.
    await connected.click();
    const cell = connected.locator('.c-content');
    expect(await cell.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
    const last = /in \S+ ms$/.exec(words)?.[0] ?? 'no time';
    expect(await visible(last), `the end of "${words}" is cut off`).toBe(true);
    await shootBothThemes(page, 'layout-1024x700');

    // 17: the hex view's ASCII column is in view, beside the hex.
    await page.locator('[data-testid="log-row"][data-dir="in"]').first().click();
    await page.getByRole('tab', { name: 'Hex' }).click();
    const firstLine = page.getByTestId('hex-view').locator('.line').first();
    await expect(firstLine.locator('.ascii')).toContainText('|HTTP/1.1 200 OK');
    await expectInside(firstLine.locator('.ascii'), page.getByTestId('hex-view-lines'), 'the ASCII column');
    await shootBothThemes(page, 'layout-1024x700-hex');

    // 17: code blocks wrap inside their box: the code twin, and the guide's programs (step 10).
    const code = page.getByTestId('code-twin-code');
    await expect(code).toContainText('mysock.connect((');
    expect(await code.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
    await expectInside(code.getByText(/^cmd = b'GET/), code, 'the long cmd = line of the code twin');
    await page.getByRole('button', { name: /^Step 10: Let urllib do it/ }).click();
    for (const block of await page.getByTestId('guide-current').locator('pre').all()) {
      expect(await block.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
    }
    await shootBothThemes(page, 'layout-1024x700-step10');
  });
});
