/**
 * The guide's instructions against the screen they describe: every template the guide names is in the template
 * list, every control it names is there, and "above" or "below" points where the thing really is.
 */
import type { Page } from '@playwright/test';
import { STEP_IDS } from '../../src/renderer/src/features/guide/steps';
import { test, expect } from './webHost';

test.use({ viewport: { width: 1280, height: 800 } });

async function openStep(page: Page, id: string): Promise<void> {
  await page.getByTestId(`guide-step-${id}`).click();
  await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', id);
}

test('every template, control and place the guide names is on the screen', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByTestId('hello')).toBeVisible();
  const templates = (await page.getByRole('combobox', { name: 'Template' }).locator('option').allTextContents()).map(
    (label) => label.trim(),
  );
  const speeds = (
    await page.getByRole('combobox', { name: 'Lab HTTP server speed' }).locator('option').allTextContents()
  ).map((label) => label.trim());

  // What was checked, so a guide whose words stop matching these patterns fails instead of passing with nothing checked.
  const checked = { steps: 0, lines: 0, templates: 0, speeds: 0, saveButtons: 0, places: 0 };
  for (const id of STEP_IDS) {
    await openStep(page, id);
    checked.steps += 1;
    const lines = (await page.getByTestId('guide-task').locator('li').allTextContents()).map((line) => line.trim());
    for (const line of lines) {
      checked.lines += 1;
      for (const match of line.matchAll(/template "([^"]+)"/g)) {
        const named = match[1] ?? '';
        expect(
          templates.some((label) => label.startsWith(named)),
          `step ${id} names the template "${named}"; the list has: ${templates.join(' | ')}`,
        ).toBe(true);
        checked.templates += 1;
      }
      if (line.includes('"Lab HTTP server speed"')) {
        await expect(page.getByLabel('Lab HTTP server speed')).toBeVisible();
        const speed = /to (\w+)/.exec(line.slice(line.indexOf('"Lab HTTP server speed"')))?.[1] ?? '';
        expect(
          speeds.some((label) => label.startsWith(speed)),
          `no speed called ${speed}`,
        ).toBe(true);
        checked.speeds += 1;
      }
      if (/press Save prediction/i.test(line)) {
        await expect(page.getByRole('button', { name: 'Save prediction' })).toBeVisible();
        checked.saveButtons += 1;
      }
      if (/prediction/i.test(line) && /\b(above|below)\b/.test(line)) {
        const form = await page.getByTestId('guide-prediction').boundingBox();
        const task = await page.getByTestId('guide-task').boundingBox();
        if (!form || !task) throw new Error(`step ${id}: the prediction box or the task is not drawn`);
        const formIsAbove = form.y + form.height <= task.y;
        expect(
          /\babove\b/.test(line) ? formIsAbove : !formIsAbove,
          `step ${id} says the prediction box is ${/\babove\b/.test(line) ? 'above' : 'below'} the task`,
        ).toBe(true);
        checked.places += 1;
      }
    }
  }
  expect(checked.steps).toBe(STEP_IDS.length);
  expect(checked.lines).toBeGreaterThanOrEqual(STEP_IDS.length);
  expect(checked.templates, 'template names checked').toBeGreaterThanOrEqual(3);
  expect(checked.speeds, 'speed names checked').toBeGreaterThanOrEqual(1);
  expect(checked.saveButtons + checked.places, 'prediction words checked').toBeGreaterThanOrEqual(1);
});
