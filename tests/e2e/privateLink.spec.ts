/**
 * The token stays off other accounts' screens (issue 12.4): the browser is started with the path of a private
 * file, never the tokened link, and the page drops the token from its address once loaded, while the lab works
 * (its WebSocket and uploads keep the token in memory) and a reload still finds the lab.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openLab, sendButton, connectButton } from './labPage';
import { expect, startWebHostProcess, test } from './webHost';

test('the browser gets a private file’s path, and the page’s address carries no token once loaded', async ({
  page,
}) => {
  test.skip(process.platform === 'win32', 'the launcher stand-in is a shell script');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-launcher-'));
  const argvFile = path.join(scratch, 'argv.txt');
  // Stands in for xdg-open: it writes down exactly the arguments it was started with, as `ps` would show them.
  const launcher = path.join(scratch, 'fake-browser');
  writeFileSync(launcher, `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}'\n`);
  chmodSync(launcher, 0o755);
  const host = await startWebHostProcess([], { browser: launcher });
  try {
    await expect.poll(() => existsSync(argvFile)).toBe(true);
    const argv = readFileSync(argvFile, 'utf8').trimEnd().split('\n');
    expect(argv).toHaveLength(1);
    const file = argv[0] as string;
    expect(argv.join(' ')).not.toContain(host.token);
    expect(argv.join(' ')).not.toContain('http:');
    expect(path.basename(file)).toBe('open-socket-lab.html');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toContain(host.url);

    // The learner's browser opens the file; it goes on to the lab, which then hides the token.
    await openLab(page, pathToFileURL(file).href);
    await expect(page).toHaveURL(`${host.origin}/`);
    expect(page.url()).not.toContain(host.token);
    expect(await page.evaluate(() => location.href)).not.toContain('token');

    // The lab works without the token in its address: the WebSocket kept it.
    await page.getByTestId('template-select').selectOption('echo-hello');
    await connectButton(page).click();
    await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'open');
    await sendButton(page).click();
    await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(1);

    // A reload finds the lab again, and the token stays out of the address.
    await page.reload();
    await expect(page.getByTestId('hello-transport')).toHaveText('the web host (browser)');
    await expect(page).toHaveURL(`${host.origin}/`);
  } finally {
    await host.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('every page loaded from the printed link hides its token, and a stale one is not retried', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await expect(page).toHaveURL(`${webHost.origin}/`);
  // An old run's link (its token no longer works) is refused in words, and does not loop through the kept one.
  await page.goto(`${webHost.origin}/?token=${'x'.repeat(webHost.token.length)}`);
  await expect(page.locator('body')).toContainText('full link');
  await expect(page).toHaveURL(/token=x+$/);
  await page.goto(`${webHost.origin}/`);
  await expect(page.locator('body')).toContainText('full link');
});
