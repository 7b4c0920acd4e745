import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { SCREENS, romeoExchange } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1440, height: 900 } });

/** Serious and critical axe violations on the page, or only inside `within` (a selector) when that alone changed. */
async function seriousViolations(page: Page, within?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const results = await (within ? builder.include(within) : builder).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => `${node.target.join(' ')} ${node.html.slice(0, 90)}`)
          .join(', ')}`,
    );
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.beforeEach(async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
    });

    test('the empty start screen has no serious or critical axe violations', async ({ page, webHost }) => {
      await page.goto(webHost.url);
      await expect(page.getByTestId('hello-version')).toBeVisible();
      await page.screenshot({ path: `${SCREENS}/main-empty-${scheme}.png` });
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('the main screen after an HTTP exchange has no serious or critical axe violations', async ({
      page,
      webHost,
    }) => {
      await page.goto(webHost.url);
      await romeoExchange(page);
      await page.locator('[data-testid="log-row"][data-dir="in"]').click();
      await page.screenshot({ path: `${SCREENS}/main-text-${scheme}.png` });
      // Soft: every view is checked and every violation listed, even when an earlier one fails.
      expect.soft(await seriousViolations(page), 'text view').toEqual([]);

      // A tab changes only the views pane: that is what each is checked in (the whole page was, just above).
      for (const tab of ['hex', 'http', 'recv'] as const) {
        await page.getByTestId(`view-tab-${tab}`).click();
        await page.screenshot({ path: `${SCREENS}/main-${tab}-${scheme}.png` });
        expect.soft(await seriousViolations(page, '[data-testid="stream-views"]'), `${tab} view`).toEqual([]);
      }
    });

    test('every part of the screen is inside a landmark, the resize bars included (axe region)', async ({
      page,
      webHost,
    }) => {
      await page.goto(webHost.url);
      await romeoExchange(page);
      const results = await new AxeBuilder({ page }).withRules(['region']).analyze();
      expect(results.violations.flatMap((violation) => violation.nodes.map((node) => node.target.join(' ')))).toEqual(
        [],
      );
    });

    test('a refusal notice has no serious or critical axe violations', async ({ page, webHost }) => {
      await page.goto(webHost.url);
      await page.getByTestId('port-input').fill('0x50');
      await page.getByTestId('connect-button').click();
      await expect(page.getByTestId('notice')).toBeVisible();
      await page.screenshot({ path: `${SCREENS}/refusal-${scheme}.png` });
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
}
