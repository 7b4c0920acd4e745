/** Step 1 of the guide done with the keyboard alone, in a 1024×700 window: no mouse, every stop visibly focused. */
import type { Page } from '@playwright/test';
import { SCREENS, openLab } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1024, height: 700 } });

/** Tab (or Shift+Tab) until the element with this test id has focus; fails after `limit` presses. */
async function tabTo(page: Page, testId: string, backwards = false, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    if (focused === testId) {
      // Focus is drawn: an outline, or (for splitters) the accent background.
      const outline = await page.getByTestId(testId).evaluate((element) => getComputedStyle(element).outlineStyle);
      expect(outline, `${testId} shows no focus outline`).not.toBe('none');
      return;
    }
  }
  throw new Error(`Tab never reached ${testId}`);
}

test('step 1 from the keyboard alone: pick the echo template, connect, send twice, and the check turns green', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await expect(page.getByTestId('hello')).toBeVisible();
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'false');

  await tabTo(page, 'template-select');
  const select = page.getByTestId('template-select');
  for (let i = 0; i < 20 && (await select.inputValue()) !== 'echo-hello'; i++) await page.keyboard.press('ArrowDown');
  await expect(select).toHaveValue('echo-hello');
  await expect(page.getByLabel('Host', { exact: true })).toHaveValue('echo.lab.test');

  // The template comes first in the workbench, then where to connect: Connect is further on.
  await tabTo(page, 'connect-button');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'open');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeFocused();
  await page.keyboard.press('Control+Enter');
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(1);

  await page.keyboard.press('Control+A');
  await page.keyboard.type('second try\\r\\n');
  await page.keyboard.press('Control+Enter');
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(2);
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');
  await page.screenshot({ path: `${SCREENS}/keyboard-step1-1024x700-light.png` });
});
