/** The learner's own progress: an optional name kept with it, and starting the lab again, asked first. */
import type { Page } from '@playwright/test';
import { openLab, connectButton } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1280, height: 800 } });

async function passStep1(page: Page): Promise<void> {
  await page.getByLabel('Template').selectOption('echo-hello');
  await connectButton(page).click();
  await expect(page.getByTestId('connection-row').last()).toHaveAttribute('data-state', 'open');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByLabel('Message').fill('second try\\r\\n');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');
}

test('a name typed once is kept with the progress, and shown after a reload', async ({ page, webHost }) => {
  await openLab(page, webHost.url);
  await page.getByText('Your name, and starting again').click();
  const name = page.getByLabel('Your name (optional');
  await name.fill('  Ada   Lovelace ');
  await name.press('Enter');
  await expect(page.getByTestId('guide-you-toggle')).toHaveText('Ada Lovelace’s progress');
  await passStep1(page);
  await expect(page.getByTestId('guide-progress-count')).toHaveText('1 of 11 steps passed');

  await page.reload();
  await expect(page.getByTestId('guide-progress-count')).toHaveText('1 of 11 steps passed');
  await expect(page.getByTestId('guide-you-toggle')).toHaveText('Ada Lovelace’s progress');
  await page.getByText('Ada Lovelace’s progress').click();
  await expect(page.getByLabel('Your name (optional')).toHaveValue('Ada Lovelace');
});

test('"Start the lab again" asks first; yes forgets passed steps and predictions, keeps the name, and counts from now', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await page.getByText('Your name, and starting again').click();
  await page.getByLabel('Your name (optional').fill('Grace');
  await page.getByLabel('Your name (optional').press('Tab');
  await passStep1(page);
  await page.getByRole('button', { name: /^Step 4: Speak HTTP/ }).click();
  await page.getByLabel('Your prediction of the status line').fill('HTTP/1.0 200 OK');
  await page.getByRole('button', { name: 'Save prediction' }).click();

  // Asked first: the safe answer has the focus, and keeps everything.
  await page.getByRole('button', { name: 'Start the lab again…' }).click();
  const question = page.getByRole('group', { name: /Start the lab again from step 1\?/ });
  await expect(question).toContainText('forgets which steps you passed and your predictions');
  await expect(page.getByRole('button', { name: 'Keep my progress' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(question).toHaveCount(0);
  await expect(page.getByTestId('guide-progress-count')).toHaveText('1 of 11 steps passed');

  await page.getByRole('button', { name: 'Start the lab again…' }).click();
  await page.getByRole('button', { name: 'Yes, start again' }).click();
  await expect(page.getByTestId('guide-progress-count')).toHaveText('0 of 11 steps passed');
  await expect(page.getByTestId('guide-current-title')).toContainText('A reliable pipe');
  await expect(page.getByRole('status').filter({ hasText: 'Started again' })).toBeVisible();
  // The echo exchange from before does not count again; the name stays; the prediction is gone.
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'false');
  await expect(page.getByTestId('guide-you-toggle')).toHaveText('Grace’s progress');
  await page.getByRole('button', { name: /^Step 4: Speak HTTP/ }).click();
  await expect(page.getByLabel('Your prediction of the status line')).toHaveValue('');

  // And it lasts: a reload shows the fresh start.
  await page.reload();
  await expect(page.getByTestId('guide-progress-count')).toHaveText('0 of 11 steps passed');
});
