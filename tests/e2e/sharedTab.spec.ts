/**
 * The tab a worker's tests take in turn (tests/e2e/webHost.ts): a test that changes more than a navigation undoes
 * leaves the next test a fresh one, and a test that leaves nothing behind hands its tab on.
 */
import type { Page } from '@playwright/test';
import { openLab } from './labPage';
import { expect, test } from './webHost';

test.describe.configure({ mode: 'serial' });

let first: Page | null = null;
let second: Page | null = null;

test('a test that adds an init script, darkens the page and resizes it', async ({ page, webHost }) => {
  first = page;
  await page.addInitScript(() => Object.assign(window, { leftByEarlierTest: true }));
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 800, height: 600 });
  await openLab(page, webHost.url);
  await page.evaluate(() => localStorage.setItem('left-by-earlier-test', '1'));
  expect(await page.evaluate(() => 'leftByEarlierTest' in window)).toBe(true);
});

test('the next test gets a fresh tab, with nothing of the last one', async ({ page, webHost }) => {
  second = page;
  expect(page).not.toBe(first);
  await openLab(page, webHost.url);
  expect(await page.evaluate(() => 'leftByEarlierTest' in window)).toBe(false);
  expect(await page.evaluate(() => localStorage.getItem('left-by-earlier-test'))).toBeNull();
  expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(false);
  expect(page.viewportSize()).toEqual({ width: 1280, height: 720 });
});

test('a test after one that left nothing behind takes the same tab, put back as it was', async ({ page, webHost }) => {
  expect(page).toBe(second);
  await page.emulateMedia({ colorScheme: 'dark' });
  await openLab(page, webHost.url);
  expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
});

test('emulated media does not outlive the test that set it', async ({ page, webHost }) => {
  expect(page).toBe(second);
  await openLab(page, webHost.url);
  expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(false);
});
