/**
 * Issue 9's words, read on screen after doing what a learner does: Close and Half-close said right (who sent which
 * FIN), a code twin that reads a mail server's greeting first, step 9's status, the HTTP/1.1 answer to an HTTP/1.0
 * request explained, what a socket is, checks that count only the step's own work with predictions asked before
 * their answers are on screen, the graded exercise's real values, and é shown as é.
 */
import type { Page } from '@playwright/test';
import { SCREENS, connectButton, openLab, romeoExchange, sendButton } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1280, height: 800 } });

const logRow = (page: Page, kind: string) => page.locator(`[data-testid="log-row"][data-kind="${kind}"]`);
const twin = (page: Page) => page.getByTestId('code-twin-code');

async function connect(page: Page, host: string, port: string | number): Promise<void> {
  const rows = page.getByTestId('connection-row');
  const before = await rows.count();
  await page.getByLabel('Host', { exact: true }).fill(host);
  await page.getByLabel('Port', { exact: true }).fill(String(port));
  await connectButton(page).click();
  await expect(rows).toHaveCount(before + 1);
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await sendButton(page).click();
}

async function openStep(page: Page, number: number, title: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^Step ${number}: ${title}`) }).click();
  await expect(page.getByTestId('guide-current-title')).toContainText(title);
}

/** The log search says whether these bytes are anywhere in the session (rows out of view included). */
async function inLog(page: Page, text: string): Promise<boolean> {
  const search = page.getByRole('searchbox', { name: 'Find bytes in the log' });
  const status = page.getByTestId('search-status');
  await search.fill(text);
  await search.press('Enter');
  // Either answer names this search: "Found in row …" or "“text” is not in the log."
  await expect(status).toHaveText(new RegExp(`^Found in row|^“${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}”`));
  const found = ((await status.textContent()) ?? '').startsWith('Found');
  await search.fill('');
  return found;
}

test('6: Close is mysock.close(), worded as a close and written as one in the code twin', async ({ page, webHost }) => {
  await openLab(page, webHost.url);
  await connect(page, 'echo.lab.test', 7);
  await send(page, 'hello\\r\\n');
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(logRow(page, 'closed')).toHaveText(/Closed by you: your FIN went out and the socket is gone/);
  await expect(logRow(page, 'local-ended')).toContainText('you closed the socket (mysock.close())');
  await expect(logRow(page, 'local-ended')).not.toContainText('half');
  await expect(page.getByTestId('connection-state')).toHaveText('closed by you');
  await expect(twin(page)).toContainText('mysock.close()');
  await expect(twin(page)).not.toContainText('shutdown');
});

test('14: Half-close on echo says our FIN went first and the echo server answered with its own', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await connect(page, 'echo.lab.test', 7);
  await send(page, 'hello\\r\\n');
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Half-close (send FIN)' }).click();
  await expect(logRow(page, 'local-ended')).toContainText('you half-closed (shutdown(SHUT_WR))');
  await expect(logRow(page, 'closed')).toContainText(
    'Closed: you sent FIN first (half-close), then the other side sent its FIN',
  );
  await expect(logRow(page, 'closed')).not.toContainText('Closed by the other side');
  await expect(page.getByTestId('connection-state')).toHaveText('closed: you sent FIN first, then the other side');
  await expect(twin(page)).toContainText('mysock.shutdown(socket.SHUT_WR)');
});

test('6 and 14: socket1.py’s server sends FIN first; Close then says both sides are done, in that order', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await romeoExchange(page);
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(logRow(page, 'local-ended')).toContainText('now both sides have sent FIN');
  await expect(logRow(page, 'closed')).toContainText('Closed: the other side sent FIN first, then you sent yours');
  await expect(page.getByTestId('connection-state')).toHaveText('closed: the other side sent FIN first, then you');
});

test('7: the code twin of an SMTP visit reads the greeting before it sends anything', async ({ page, webHost }) => {
  await openLab(page, webHost.url);
  await page.getByLabel('Template').selectOption('smtp-helo');
  await connectButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]').first()).toContainText('220 ');
  await sendButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-dir="in"]')).toHaveCount(2);
  const code = (await twin(page).innerText()).replace(/\r/g, '');
  const greeting = code.indexOf('# This server speaks first: read its greeting before sending.');
  expect(greeting, code).toBeGreaterThan(0);
  expect(greeting).toBeLessThan(code.indexOf('mysock.send('));
});

test('8 and 9: step 9 never says "waiting for the whole image" under a ticked image; step 4 explains HTTP/1.1', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await openStep(page, 9, 'Bytes, not characters');
  await page.getByLabel('Template').selectOption('urljpeg-cover3');
  await connectButton(page).click();
  await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'open');
  await sendButton(page).click();
  await expect(page.getByTestId('guide-check-part').nth(1)).toHaveAttribute('data-done', 'true');
  const status = page.getByTestId('guide-check-status');
  await expect(status).toContainText('The whole image is here. Now set the lab HTTP server speed to Slow');
  await expect(status).not.toContainText('Waiting for the whole image');

  await openStep(page, 4, 'Speak HTTP');
  await page.getByLabel('Your prediction of the status line').fill('HTTP/1.0 200 OK');
  await page.getByRole('button', { name: 'Save prediction' }).click();
  await connect(page, 'data.pr4e.org', 80);
  await send(page, 'GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n');
  await expect(page.getByTestId('guide-check-detail')).toContainText(
    'You asked in HTTP/1.0 and the server said HTTP/1.1: a server names the highest version it speaks',
  );
});

test('10 and 12: the guide says what a socket is, the code twin’s socket line too; the graded values are the real ones', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  await expect(page.getByTestId('guide-current')).toContainText('A socket is much like an open file');
  await connect(page, 'echo.lab.test', 7);
  await expect(twin(page)).toContainText(
    '# A socket is your end of the pipe (AF_INET: IPv4 addresses, SOCK_STREAM: TCP).',
  );
  await page.getByLabel('Template').selectOption('intro-short');
  await expect(page.getByTestId('template-source')).toContainText(
    'graded request-response exercise reads these headers off the real data.pr4e.org',
  );
  await expect(page.getByTestId('template-source')).toContainText('switch the route to Internet');
});

test('11: checks count only the step’s own work, and no answer is on screen before its prediction is asked', async ({
  page,
  webHost,
}) => {
  test.setTimeout(90_000);
  await openLab(page, webHost.url);
  const parts = page.getByTestId('guide-check-part');
  const noneDone = async (): Promise<void> => {
    for (const part of await parts.all()) await expect(part).toHaveAttribute('data-done', 'false');
  };

  // Step 1: echo, twice.
  await page.getByLabel('Template').selectOption('echo-hello');
  await connectButton(page).click();
  await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'open');
  await sendButton(page).click();
  await send(page, 'second try\\r\\n');
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');

  // Step 2 arrives with nothing ticked, though an echo answered in step 1; its task asks for no HTTP answer.
  await page.getByRole('button', { name: 'Next step →' }).click();
  await noneDone();
  await expect(page.getByTestId('guide-task')).not.toContainText('HTTP/1.1');
  const task = (await page.getByTestId('guide-task').textContent()) ?? '';
  const httpPort = /127\.0\.0\.1 port (\d+)\. The "connected" row/.exec(task)?.[1] ?? '';
  const echoPort = /127\.0\.0\.1 port (\d+) and send hello/.exec(task)?.[1] ?? '';
  await connect(page, '127.0.0.1', httpPort);
  await connect(page, '127.0.0.1', echoPort);
  await send(page, 'hello\\r\\n');
  await connect(page, '127.0.0.1', 1);
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');

  // Step 3 arrives with nothing ticked, though connections were open in step 2.
  await page.getByRole('button', { name: 'Next step →' }).click();
  await noneDone();
  await connect(page, 'echo.lab.test', 7);
  await connect(page, 'echo.lab.test', 7);
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');

  // Step 4 asks for the status line, and no HTTP answer has been on screen yet.
  await page.getByRole('button', { name: 'Next step →' }).click();
  expect(await inLog(page, 'HTTP/1.')).toBe(false);
  await page.getByLabel('Your prediction of the status line').fill('HTTP/1.0 200 OK');
  await page.getByRole('button', { name: 'Save prediction' }).click();
  await connect(page, 'data.pr4e.org', 80);
  await send(page, 'GET http://data.pr4e.org/page1.htm HTTP/1.0\\r\\n\\r\\n');
  await expect(page.getByTestId('guide-check')).toHaveAttribute('data-passed', 'true');

  // Step 6 asks for romeo.txt's Content-Length before romeo.txt has ever been fetched (step 4 used page1.htm).
  await openStep(page, 6, 'Headers, then body');
  expect(await inLog(page, 'romeo.txt')).toBe(false);
  expect(await inLog(page, 'Content-Length: 167')).toBe(false);
  await expect(page.getByTestId('guide-current')).toContainText('But soft what light through yonder window breaks');

  // Step 8 arrives with nothing ticked, though a refusal happened in step 2.
  await openStep(page, 8, 'When things go wrong');
  await noneDone();
  // Step 10 arrives with nothing ticked, though HTTP requests were sent before.
  await openStep(page, 10, 'Let urllib do it');
  await noneDone();
  await expect(page.getByTestId('guide-check')).toContainText('Only connections you open while this step is on');
  await page.screenshot({ path: `${SCREENS}/trap11-step10-fresh-light.png` });
});

test('15: a typed é is shown as é in the log, and its two bytes stay visible in hex', async ({ page, webHost }) => {
  await openLab(page, webHost.url);
  await connect(page, 'echo.lab.test', 7);
  await send(page, 'café\\r\\n');
  const received = page.locator('[data-testid="log-row"][data-dir="in"]');
  await expect(received).toContainText('café␍␊');
  await expect(received).not.toContainText('\\xc3');
  await expect(received).toContainText('7 bytes');
  await received.click();
  await page.getByRole('tab', { name: 'Hex' }).click();
  await expect(page.getByTestId('hex-view')).toContainText('63 61 66 c3 a9 0d 0a');
  await expect(page.getByTestId('composer-preview')).toHaveText('café␍␊');
});
