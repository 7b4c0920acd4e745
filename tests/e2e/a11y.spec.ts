import type { Page } from '@playwright/test';
import { axe, seriousLines } from './axe';
import { SCREENS, romeoExchange, connectButton } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1440, height: 900 } });

const SCHEMES = ['light', 'dark'] as const;

/** Serious and critical axe violations on the page, or only inside `within` (a selector) when that alone changed. */
async function seriousViolations(page: Page, within?: string): Promise<string[]> {
  const builder = await axe(page);
  return seriousLines((await (within ? builder.include(within) : builder).analyze()).violations);
}

/**
 * Each page state is checked in both themes on one page: the themes are pure CSS (prefers-color-scheme), so
 * switching the emulated scheme redraws the same state in the other theme without a second web host and page load.
 * Soft expects: every state and theme is checked and every violation listed, even when an earlier one fails.
 */
test('the empty start screen has no serious or critical axe violations, light and dark', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByTestId('hello-version')).toBeVisible();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENS}/main-empty-${scheme}.png` });
    expect.soft(await seriousViolations(page), scheme).toEqual([]);
  }
});

test('the main screen after an HTTP exchange has no serious or critical axe violations, and every part of it is in a landmark (axe region), light and dark', async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  // Region is checked right after the exchange, the resize bars included; its impact is moderate, so it is asked for alone.
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    const region = await (await axe(page)).withRules(['region']).analyze();
    expect
      .soft(
        region.violations.flatMap((violation) => violation.nodes.map((node) => node.target.join(' '))),
        `${scheme} region`,
      )
      .toEqual([]);
  }
  await page.locator('[data-testid="log-row"][data-dir="in"]').click();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENS}/main-text-${scheme}.png` });
    expect.soft(await seriousViolations(page), `${scheme} text view`).toEqual([]);
  }
  // A tab changes only the views pane: that is what each is checked in (the whole page was, just above).
  for (const tab of ['hex', 'http', 'recv'] as const) {
    await page.getByTestId(`view-tab-${tab}`).click();
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: `${SCREENS}/main-${tab}-${scheme}.png` });
      expect.soft(await seriousViolations(page, '[data-testid="stream-views"]'), `${scheme} ${tab} view`).toEqual([]);
    }
  }
});

test('a refusal notice and a refused paste have no serious or critical axe violations, light and dark', async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await page.getByLabel('Port', { exact: true }).fill('0x50');
  await connectButton(page).click();
  await expect(page.getByTestId('notice')).toBeVisible();
  // And the Host box's own refusal of text far longer than any host name, in the same colours.
  await page.getByLabel('Host', { exact: true }).fill('h'.repeat(1025));
  await expect(page.getByTestId('target-refused')).toBeVisible();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENS}/refusal-${scheme}.png` });
    expect.soft(await seriousViolations(page), scheme).toEqual([]);
  }
});
