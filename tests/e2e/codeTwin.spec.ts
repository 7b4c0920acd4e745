/** The code twin as a learner uses it across several connections: it follows the one picked, in the flavor picked. */
import { connectTo, sendButton } from './labPage';
import { expect, test } from './webHost';

test.use({ viewport: { width: 1440, height: 900 } });

test('picking "socket" sticks, even while it was the only program to show', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  const code = page.getByTestId('code-twin-code');

  // Connection 1: an HTTP GET, read as urllib.
  await connectTo(page, 'data.pr4e.org', '80', 'lab');
  await page.getByTestId('template-select').selectOption('socket1-romeo');
  await sendButton(page).click();
  await page.getByTestId('code-twin-urllib').check();
  await expect(code).toHaveAttribute('data-flavor', 'urllib');

  // Connection 2: nothing sent yet, so only the socket program exists. The learner picks it anyway.
  await connectTo(page, 'data.pr4e.org', '80', 'lab');
  await expect(code).toHaveAttribute('data-flavor', 'socket');
  await page.getByTestId('code-twin-socket').click();
  await sendButton(page).click();
  await expect(page.locator('[data-testid="connection-row"].chosen')).toContainText('535 bytes received');
  // The urllib program now exists too, but the learner asked for socket.
  await expect(page.getByTestId('code-twin-urllib')).toBeEnabled();
  await expect(code).toHaveAttribute('data-flavor', 'socket');
  await expect(code).toContainText('mysock.connect((');

  // The twin follows the connection picked in the list: #1 is shown as socket code too now.
  await page.getByTestId('connection-row').first().click();
  await expect(page.getByTestId('code-twin')).toContainText('on connection 1');
  await expect(code).toHaveAttribute('data-flavor', 'socket');
});
