/**
 * TLS on port 443 in the learner's screen, through the web host in Chromium, on real loopback sockets to the lab
 * TLS server: the switch follows the port, step 11's tour with 443 (plain bytes get the alert and its words; with
 * TLS the same HTTP answer comes inside), the byte log's two layers, and the card's certificate, whose SHA-256 must
 * be what openssl prints for the certificate file in the web host's data folder. Screenshots in light and dark.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { openLab, SCREENS, sendButton, connectButton } from './labPage';
import { test, expect } from './webHost';

const GET = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n';

function tlsSwitch(page: Page) {
  return page.getByRole('switch', { name: 'TLS' });
}

/** Type a target, leave or set the TLS switch, Connect, and wait for the new connection to be open. */
async function connect(page: Page, host: string, port: string, tls?: boolean): Promise<void> {
  const rows = page.getByTestId('connection-row');
  const before = await rows.count();
  await page.getByLabel('Host', { exact: true }).fill(host);
  await page.getByLabel('Port', { exact: true }).fill(port);
  if (tls !== undefined) await tlsSwitch(page).setChecked(tls);
  await connectButton(page).click();
  await expect(rows).toHaveCount(before + 1);
  await expect(rows.nth(before)).toHaveAttribute('data-state', 'open');
}

/** Only connection `n`'s rows in the log, so every one of them is drawn. */
async function showConnection(page: Page, n: number): Promise<void> {
  const label = await page.locator(`[data-testid="log-filter"] option`, { hasText: `#${n} ` }).textContent();
  await page.getByTestId('log-filter').selectOption({ label: (label ?? '').trim() });
}

test('the TLS switch is on for port 443 by default, follows the port, and stays where the learner puts it', async ({
  page,
  webHost,
}) => {
  await openLab(page, webHost.url);
  const port = page.getByLabel('Port', { exact: true });
  await expect(port).toHaveValue('80');
  await expect(tlsSwitch(page)).not.toBeChecked();
  await port.fill('443');
  await expect(tlsSwitch(page)).toBeChecked();
  await expect(page.getByTestId('tls-words')).toContainText('On because the port is 443');
  await port.fill('7');
  await expect(tlsSwitch(page)).not.toBeChecked();
  await port.fill('443');
  // The learner's own choice holds while the port changes.
  await tlsSwitch(page).uncheck();
  await port.fill('4430');
  await port.fill('443');
  await expect(tlsSwitch(page)).not.toBeChecked();
  await expect(page.getByTestId('tls-words')).toContainText('port 443 expects TLS first');
  // A template that names 443 hands it back to the port: on.
  await page.getByTestId('template-select').selectOption('https-romeo');
  await expect(port).toHaveValue('443');
  await expect(tlsSwitch(page)).toBeChecked();
  await page.getByTestId('template-select').selectOption('socket1-romeo');
  await expect(port).toHaveValue('80');
  await expect(tlsSwitch(page)).not.toBeChecked();
  // Reached by the keyboard: Space flips it.
  await tlsSwitch(page).focus();
  await page.keyboard.press('Space');
  await expect(tlsSwitch(page)).toBeChecked();
});

test('step 11 with 443: plain bytes get a TLS alert and its words, then the same GET inside TLS gets 200; the card shows the lab certificate', async ({
  page,
  webHost,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1440, height: 960 });
  await page.emulateMedia({ colorScheme: 'light' });
  await openLab(page, webHost.url);
  await page.getByTestId('guide-step-port-tour').click();
  await expect(page.getByTestId('guide-current')).toHaveAttribute('data-step', 'port-tour');
  await expect(page.getByTestId('guide-task')).toContainText('Now HTTPS');
  const check = page.getByTestId('guide-check');
  const status = page.getByTestId('guide-check-status');
  const detail = page.getByTestId('guide-check-detail');

  // The greetings, as before.
  await connect(page, 'mail.lab.test', '25');
  await expect(page.locator('[data-testid="connection-row"].chosen')).toContainText('received');
  await connect(page, 'mail.lab.test', '110');
  await expect(check).toHaveAttribute('data-passed', 'false');

  // 443 with TLS off: the send goes as plain bytes and the answer is a TLS alert.
  await connect(page, 'data.pr4e.org', '443', false);
  await page.getByRole('textbox', { name: 'Message' }).fill(GET);
  await expect(page.getByTestId('send-destination')).toHaveText('to #3 data.pr4e.org:443');
  await sendButton(page).click();
  await expect(page.getByTestId('connection-row').nth(2)).toHaveAttribute('data-state', 'closed');
  await showConnection(page, 3);
  const rows = page.getByTestId('log-row');
  await expect(page.getByTestId('row-note')).toHaveText(
    'A TLS alert (fatal unexpected_message), not HTTP: this port expects TLS first. Switch TLS on and connect again.',
  );
  await expect(rows.filter({ has: page.getByTestId('row-note') })).toHaveAttribute('data-dir', 'in');
  await expect(rows.and(page.locator('[data-kind="error"]'))).toContainText('TLS_EXPECTED');
  await expect(rows.and(page.locator('[data-kind="closed"]'))).toContainText(
    'Closed: this port expects TLS first, so the server sent a TLS alert and hung up. Switch TLS on',
  );
  await expect(page.locator('[data-testid="log-row"][data-layer]')).toHaveCount(0);
  await expect(status).toContainText('Now switch TLS on');
  // The code twin says it too, where the learner reads the Python.
  await expect(page.getByTestId('code-twin-code')).toContainText(
    '# This port expects TLS first: your plain bytes got a TLS alert back (fatal unexpected_message),',
  );
  // It hung up after the alert, so the twin's loop ends on b'' and waits for no timeout.
  await expect(page.getByTestId('code-twin-code')).not.toContainText('did not close');
  await page.getByTestId('code-twin-code').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENS}/tls-plain-443-twin-light.png` });

  // 443 with TLS on: the same GET, inside TLS.
  await connect(page, 'data.pr4e.org', '443', true);
  await page.getByRole('textbox', { name: 'Message' }).fill(GET);
  await expect(page.getByTestId('send-destination')).toHaveText('to #4 data.pr4e.org:443 over TLS');
  await sendButton(page).click();
  await showConnection(page, 4);
  await expect(rows.and(page.locator('[data-kind="peer-ended"]'))).toHaveCount(1);
  const wire = page.locator('[data-testid="log-row"][data-layer="wire"]');
  const inside = page.locator('[data-testid="log-row"][data-layer="inside"]');
  await expect(wire.first()).toContainText('TLS record on the wire');
  await expect(wire.and(page.locator('[data-dir="out"]')).first()).toContainText('Handshake ClientHello');
  await expect(wire.and(page.locator('[data-dir="in"]')).filter({ hasText: 'Handshake ServerHello' })).toHaveCount(1);
  expect(await wire.filter({ hasText: 'Application data, encrypted' }).count()).toBeGreaterThanOrEqual(2);
  await expect(inside.and(page.locator('[data-dir="out"]'))).toContainText('inside TLS');
  await expect(inside.and(page.locator('[data-dir="out"]'))).toContainText('GET http://data.pr4e.org/romeo.txt');
  await expect(inside.and(page.locator('[data-dir="in"]')).first()).toContainText('HTTP/1.1 200 OK');
  await expect(rows.and(page.locator('[data-kind="tls"]'))).toContainText(
    /TLS 1\.3 agreed in .*, cipher TLS_\w+, speaking http\/1\.1 inside; certificate not trusted: made by Socket Lab/,
  );
  // Wire rows come before the plain bytes they carry: the ClientHello is the connection's first bytes.
  const kinds = await rows.evaluateAll((elements) =>
    elements.map((element) => `${element.getAttribute('data-kind')}:${element.getAttribute('data-dir') ?? ''}`),
  );
  expect(kinds.indexOf('wire:out')).toBeLessThan(kinds.indexOf('tls:'));
  expect(kinds.indexOf('tls:')).toBeLessThan(kinds.indexOf('data:out'));

  // The wire rows can be hidden, leaving the plain bytes inside TLS; and shown again.
  const showWire = page.getByRole('checkbox', { name: 'TLS records on the wire' });
  await showWire.uncheck();
  await expect(wire).toHaveCount(0);
  await expect(inside).toHaveCount(2);
  await showWire.check();
  await expect(wire.first()).toBeVisible();

  await expect(check).toHaveAttribute('data-passed', 'true');
  await expect(detail).toContainText('On port 443 the server wants TLS 1.3 first');

  // The card: version, cipher, certificate, and the fingerprint openssl prints for the lab's certificate file.
  const card = page.getByRole('region', { name: 'TLS on #4 data.pr4e.org:443' });
  await expect(card).toBeVisible();
  await expect(card.getByTestId('tls-version')).toHaveText('TLS 1.3');
  await expect(card.getByTestId('tls-cipher')).toHaveText(/^TLS_/);
  await expect(card.getByTestId('tls-subject')).toContainText('CN=data.pr4e.org');
  await expect(card.getByTestId('tls-valid-to')).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
  await expect(card.getByTestId('tls-trust')).toContainText('Not trusted (the lab’s own certificate)');
  await expect(card.getByTestId('tls-trust')).toContainText('no authority vouches for it');
  const printed = execFileSync(
    'openssl',
    ['x509', '-noout', '-fingerprint', '-sha256', '-in', path.join(webHost.dataDir, 'tls', 'lab-cert.pem')],
    { encoding: 'utf8' },
  );
  const fingerprint = printed.trim().split('=')[1];
  expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await expect(card.getByTestId('tls-sha256')).toHaveText(fingerprint as string);
  await expect(card.getByRole('button', { name: 'Copy fingerprint' })).toBeEnabled();

  // The code twin speaks the book's ssl context.
  await expect(page.getByTestId('code-twin-code')).toContainText('ctx = ssl.create_default_context()');
  await expect(page.getByTestId('code-twin-code')).toContainText('ctx.verify_mode = ssl.CERT_NONE');
  await expect(page.getByTestId('code-twin-code')).toContainText(
    "mysock = ctx.wrap_socket(sock, server_hostname='data.pr4e.org')",
  );

  // Pictures of both layers and the card, in light and dark: looked at by a person.
  await page.locator('[data-testid="log-row"][data-kind="tls"]').click();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByTestId('byte-log').screenshot({ path: `${SCREENS}/tls-${scheme}-log.png` });
    await card.screenshot({ path: `${SCREENS}/tls-${scheme}-card.png` });
    await page.screenshot({ path: `${SCREENS}/tls-${scheme}-page.png` });
  }
  // A picked wire row shows all its records' names, and its bytes in hex below.
  await wire.filter({ hasText: 'Handshake ServerHello' }).click();
  await expect(page.getByTestId('event-detail')).toContainText('see their bytes under Hex');
  await page.getByRole('tab', { name: 'Hex', exact: true }).click();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.getByTestId('byte-log').screenshot({ path: `${SCREENS}/tls-${scheme}-wire.png` });
  }
});
