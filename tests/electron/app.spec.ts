/**
 * The desktop app end to end, with Playwright's _electron: launch, the start screen, a connection to the lab
 * server, Save as and Open through the (answered) system dialogs, the menu, a file handed to a second launch, and
 * quitting. They run wherever Electron's binary is installed (under Xvfb on Linux) and are skipped elsewhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { romeoExchange } from '../e2e/labPage';
import {
  answerOpenDialog,
  answerSaveDialog,
  binary,
  clickMenu,
  launchDesktop,
  launchSecondInstance,
  skipReason,
  type Desktop,
} from './desktop';

test.skip(!binary.installed, skipReason);

let desktop: Desktop | undefined;

test.afterEach(async () => {
  await desktop?.close();
  desktop = undefined;
});

test('launch: one sandboxed window on app://, the start screen, and only the named bridge functions', async () => {
  desktop = await launchDesktop();
  const { app, page } = desktop;
  expect(page.url()).toBe('app://socket-lab/index.html');
  await expect(page).toHaveTitle('Socket Lab');
  await expect(page.getByTestId('hello-transport')).toHaveText('the desktop app');
  await expect(page.getByTestId('route-words')).toContainText('Lab HTTP server');
  await expect(page.getByRole('complementary', { name: 'Lab guide' })).toBeVisible();
  const globals = await page.evaluate(() => ({
    lab: Object.keys((window as unknown as { lab: object }).lab).sort(),
    desktop: Object.keys((window as unknown as { labDesktop: object }).labDesktop),
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
  }));
  expect(globals.require).toBe('undefined');
  expect(globals.process).toBe('undefined');
  expect(globals.lab).toContain('connect');
  expect(globals.lab).not.toContain('invoke');
  expect(globals.desktop).toEqual(['onCommand']);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  const menus = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((item) => item.label));
  expect(menus?.map((label) => label.replace('&', ''))).toEqual(
    expect.arrayContaining(['File', 'Edit', 'View', 'Help']),
  );
  // Copy works: our own page may write to the clipboard.
  await page.bringToFront();
  await page.evaluate(() => navigator.clipboard.writeText('GET / HTTP/1.0'));
  expect(await app.evaluate(({ clipboard }) => clipboard.readText())).toBe('GET / HTTP/1.0');
  // A link out of the lab goes nowhere: the page stays.
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await expect(page.getByTestId('hello-transport')).toHaveText('the desktop app');
  expect(page.url()).toBe('app://socket-lab/index.html');
});

test('a connection to the lab server: socket1.py by hand, every byte in the log', async () => {
  desktop = await launchDesktop();
  const { page } = desktop;
  await romeoExchange(page);
  await expect(page.getByTestId('log-row').filter({ hasText: 'HTTP/1.1 200 OK' })).not.toHaveCount(0);
  await expect(page.getByTestId('log-row').filter({ hasText: 'But soft what light' })).not.toHaveCount(0);
});

test('save a transcript through the Save dialog, export from the menu, and open it through the Open dialog', async () => {
  desktop = await launchDesktop();
  const { app, page, dataDir } = desktop;
  await romeoExchange(page);
  const file = path.join(dataDir, 'romeo.socketlab');
  await answerSaveDialog(app, file);
  await page.getByTestId('save-as').click();
  await page.getByTestId('save-as-socketlab').click();
  await expect(page.getByTestId('save-status')).toContainText('Saved as romeo.socketlab');
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { format: string };
  expect(saved.format).toBe('socketlab');

  // File › Export › Text transcript: the menu asks the page, which saves the session on screen.
  const text = path.join(dataDir, 'romeo.txt');
  await answerSaveDialog(app, text);
  await clickMenu(app, 'export-txt');
  await expect(page.getByTestId('save-status')).toContainText('Saved as romeo.txt');
  expect(readFileSync(text, 'utf8')).toContain('GET http://data.pr4e.org/romeo.txt HTTP/1.0');

  await answerOpenDialog(app, file);
  await clickMenu(app, 'open-file');
  const banner = page.getByTestId('replay-banner');
  await expect(banner).toContainText('read-only');
  await expect(banner).toContainText('romeo.socketlab');
  await expect(page.getByTestId('log-row').filter({ hasText: 'HTTP/1.1 200 OK' })).not.toHaveCount(0);
});

test('a .socketlab given to a second launch opens in the running window, and the second launch ends', async () => {
  desktop = await launchDesktop();
  const { app, page, dataDir } = desktop;
  await romeoExchange(page);
  const file = path.join(dataDir, 'handed-over.socketlab');
  await answerSaveDialog(app, file);
  await page.getByTestId('save-as').click();
  await page.getByTestId('save-as-socketlab').click();
  await expect(page.getByTestId('save-status')).toContainText('Saved as handed-over.socketlab');
  expect(await launchSecondInstance(desktop, [file])).toBe(0);
  await expect(page.getByTestId('replay-banner')).toContainText('handed-over.socketlab');
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});

test('Edit › Undo and the undo key take back a paste of thousands of lines in the message box', async () => {
  desktop = await launchDesktop();
  const { app, page } = desktop;
  const mod = process.platform === 'darwin' ? 'Meta' : 'Control';
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.focus();
  await page.keyboard.type('GET /romeo.txt HTTP/1.0');
  // Over 200 lines: the composer puts the paste in itself, where the browser's own undo cannot see it.
  const lines = 'GET /romeo.txt HTTP/1.0\n'.repeat(3_000);
  await app.evaluate(({ clipboard }, text) => clipboard.writeText(text), lines);
  await page.keyboard.press(`${mod}+A`);
  await page.keyboard.press(`${mod}+V`);
  await expect(box).toHaveValue(lines);
  await clickMenu(app, 'undo');
  await expect(box).toHaveValue('GET /romeo.txt HTTP/1.0');
  await clickMenu(app, 'redo');
  await expect(box).toHaveValue(lines);
  // The key, as a learner presses it: it must reach the page (off macOS the menu does not take it first).
  await page.keyboard.press(`${mod}+Z`);
  await expect(box).toHaveValue('GET /romeo.txt HTTP/1.0');
  // And in any other box the browser's own undo still works, from the key and from the menu.
  const host = page.getByLabel('Host', { exact: true });
  await host.fill('');
  await host.focus();
  await page.keyboard.type('echo.lab.test');
  await page.keyboard.press(`${mod}+Z`);
  await expect(host).not.toHaveValue('echo.lab.test');
  await page.keyboard.type('echo.lab.test');
  await clickMenu(app, 'undo');
  await expect(host).not.toHaveValue('echo.lab.test');
});

test('Toggle theme switches the page between light and dark', async () => {
  desktop = await launchDesktop();
  const { app, page } = desktop;
  const dark = () => page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  const before = await dark();
  await clickMenu(app, 'toggle-theme');
  await expect.poll(dark).toBe(!before);
});

test('quitting: closing the last window ends the app, its lab servers and its sessions cleanly', async () => {
  desktop = await launchDesktop();
  const { app, page } = desktop;
  await romeoExchange(page);
  const exited = new Promise<number | null>((resolve) => app.process().once('exit', (code) => resolve(code)));
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  expect(await exited).toBe(0);
  // The next start finds that session ended properly: nothing to recover.
  const again = await launchDesktop({ dataDir: desktop.dataDir });
  try {
    await expect(again.page.getByTestId('hello-transport')).toHaveText('the desktop app');
    const recoverable = await again.page.evaluate(async () => {
      const result = await (
        window as unknown as { lab: { recoverableSessions(): Promise<{ ok: boolean; value: unknown[] }> } }
      ).lab.recoverableSessions();
      return result.ok ? result.value.length : -1;
    });
    expect(recoverable).toBe(0);
  } finally {
    await again.close();
  }
});
