/**
 * Session transcripts as a learner meets them in the browser: save the socket1.py exchange in each format as a
 * download, open the .socketlab again, get a reloaded tab's session back, and a crashed host's session offered.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { fillDisk, tinyDisk } from '../disks';
import { connectButton, connectTo, romeoExchange, SCREENS, sendButton } from './labPage';
import { expect, startWebHostProcess, test as base } from './webHost';

/** Each test that saves files gets a downloads folder of its own, removed when it ends. */
const test = base.extend<{ downloads: string }>({
  // Playwright reads the fixture's dependencies from this destructuring; this one has none.
  // eslint-disable-next-line no-empty-pattern
  downloads: async ({}, use) => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-downloads-'));
    await use(folder);
    rmSync(folder, { recursive: true, force: true });
  },
});

const REQUEST = 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n';

async function saveAs(page: Page, format: string, folder: string): Promise<string> {
  await page.getByRole('button', { name: /^Save as/ }).click();
  const downloading = page.waitForEvent('download');
  await page.getByTestId(`save-as-${format}`).click();
  const download = await downloading;
  const file = path.join(folder, download.suggestedFilename());
  await download.saveAs(file);
  return file;
}

/** Opens a transcript from Sessions… as a learner does, and waits for its replay's banner to name it. */
async function openTranscript(page: Page, file: string): Promise<void> {
  await page.getByRole('button', { name: 'Sessions…' }).click();
  await page.getByTestId('open-file-input').setInputFiles(file);
  await expect(page.getByTestId('replay-banner')).toContainText(path.basename(file));
}

/** A saved session, as a test changes it: entries, and the totals a reader checks them against. */
interface SavedSession {
  entries: Array<Record<string, unknown>>;
  totals: { entries: number; dataBytes: number; wireBytes?: number };
}

/** Writes a changed saved session next to the download and opens it. */
async function openChanged(page: Page, folder: string, name: string, saved: SavedSession): Promise<void> {
  const file = path.join(folder, name);
  writeFileSync(file, JSON.stringify(saved));
  await openTranscript(page, file);
}

/**
 * What each log row says, as the learner reads it (minus the time column, which is the same by construction): the
 * drawn text (innerText) of its direction, count and content cells, read in one round trip rather than three a row.
 */
async function rowTexts(page: Page): Promise<string[]> {
  return page.getByTestId('log-row').evaluateAll((rows) =>
    rows.map((row) =>
      ['.c-dir', '.c-count', '.c-content']
        .map((cell) => {
          const found = row.querySelectorAll<HTMLElement>(cell);
          if (found.length !== 1) throw new Error(`a log row has ${found.length} ${cell} cells, not 1`);
          return found[0]?.innerText ?? '';
        })
        .join(' | '),
    ),
  );
}

test('save the socket1.py exchange in all four formats, open the .socketlab again and see the same rows', async ({
  page,
  webHost,
  downloads: folder,
}) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.locator('[data-testid="log-row"][data-kind="closed"]')).toHaveCount(1);
  const liveRows = await rowTexts(page);

  const socketlab = await saveAs(page, 'socketlab', folder);
  expect(path.basename(socketlab)).toMatch(/^socket-lab-\d{4}-\d\d-\d\d-\d{4}\.socketlab$/);
  const saved = JSON.parse(readFileSync(socketlab, 'utf8')) as { format: string; version: number };
  expect(saved.format).toBe('socketlab');
  expect(saved.version).toBe(1);

  const text = readFileSync(await saveAs(page, 'txt', folder), 'utf8');
  expect(text).toContain('GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n');
  expect(text).toContain('But soft what light');

  // Wireshark's Follow TCP Stream, from the terminal: the request as sent.
  const pcapng = await saveAs(page, 'pcapng', folder);
  const followed = execFileSync('tshark', ['-r', pcapng, '-q', '-z', 'follow,tcp,ascii,0'], { encoding: 'utf8' });
  expect(followed).toContain('GET http://data.pr4e.org/romeo.txt HTTP/1.0');
  expect(followed).toContain('But soft what light');

  // The Python replay, against this web host's own lab HTTP server, prints the same answer.
  const script = await saveAs(page, 'py', folder);
  const replayed = execFileSync('python3', [script, '--lab', `127.0.0.1:${webHost.labPort('HTTP')}`], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(replayed).toContain('HTTP/1.1 200 OK');
  expect(replayed).toContain('But soft what light through yonder window breaks');

  // Open the .socketlab again: a read-only replay with the same rows.
  await openTranscript(page, socketlab);
  const banner = page.getByTestId('replay-banner');
  await expect(banner).toContainText('read-only');
  await expect(banner.getByTestId('replay-progress')).toBeVisible();
  await expect.poll(() => rowTexts(page)).toEqual(liveRows);
  await page.screenshot({ path: `${SCREENS}/replay-light.png` });

  // Nothing can be sent from a replay; going back shows the live session as it was.
  await expect(sendButton(page)).toHaveCount(0);
  await page.getByRole('button', { name: '← Back to the live session' }).click();
  await expect(page.getByTestId('replay-banner')).toHaveCount(0);
  await expect.poll(() => rowTexts(page)).toEqual(liveRows);
});

test('a reload mid-session brings the session back, read-only, with every row', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  const before = await rowTexts(page);
  expect(before.some((row) => row.includes(REQUEST.replace(/\r\n/g, '␍␊').slice(0, 30)))).toBe(true);
  await page.reload();
  const banner = page.getByTestId('replay-banner');
  await expect(banner).toContainText('before the reload');
  // The page went away, so the connection was reset: the replay ends where the reload cut it.
  await expect.poll(async () => (await rowTexts(page)).slice(0, before.length)).toEqual(before);
  await page.getByRole('button', { name: '← Back to the live session' }).click();
  await expect(page.getByTestId('log-empty')).toBeVisible();
});

/**
 * Waits until the sessions' journal files hold `text` at least `times` times. Written is enough for a kill -9: the
 * kernel keeps what a process wrote (only a power cut needs the journal's fsync, at most a second later).
 */
async function journalHolds(dataDir: string, text: string, times = 1): Promise<void> {
  const dir = path.join(dataDir, 'sessions');
  const count = (): number =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.journal'))
      .reduce((sum, name) => sum + readFileSync(path.join(dir, name)).toString('latin1').split(text).length - 1, 0);
  await expect.poll(count, { timeout: 10_000 }).toBeGreaterThanOrEqual(times);
}

test('a web host killed mid-session offers the session back at the next start', async ({ page }) => {
  const first = await startWebHostProcess();
  let second: Awaited<ReturnType<typeof startWebHostProcess>> | undefined;
  try {
    await page.goto(first.url);
    await romeoExchange(page);
    const before = await rowTexts(page);
    // The exchange's last event (the server's FIN) is in the journal file before the crash.
    await journalHolds(first.dataDir, '"peer-ended"');
    await first.kill();

    second = await startWebHostProcess([], { dataDir: first.dataDir });
    await page.goto(second.url);
    const offer = page.getByTestId('recovery-offer');
    await expect(offer).toContainText('Your last session ended unexpectedly at');
    await expect(offer).toContainText('1 connection');
    await offer.getByRole('button', { name: 'Open it' }).click();
    await expect(page.getByTestId('replay-banner')).toContainText('Recovered session');
    await expect.poll(() => rowTexts(page)).toEqual(before);
    await expect(page.getByTestId('recovery-offer')).toHaveCount(0);

    // The sessions list says how each ended.
    await page.getByRole('button', { name: 'Sessions…' }).click();
    const panel = page.getByTestId('sessions-panel');
    await expect(panel.locator('[data-testid="session-row"][data-ending="recovered"]')).toContainText(
      'data.pr4e.org:80',
    );
    await page.screenshot({ path: `${SCREENS}/sessions-list-light.png` });
  } finally {
    await second?.stop();
    await first.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  }
});

/** The socket1.py exchange once more, on a new connection (the template is still chosen): its answer arrives. */
async function exchangeAgain(page: Page): Promise<void> {
  const connections = page.getByTestId('connection-row');
  const before = await connections.count();
  await connectButton(page).click();
  const connection = connections.nth(before);
  await expect(connection).toHaveAttribute('data-state', 'open');
  await sendButton(page).click();
  // The log shows only the rows in view, so the connection's own words say the answer came.
  await expect(connection.getByTestId('connection-state')).toContainText('the other side sent FIN');
  expect(Number(await connection.getAttribute('data-bytes-in'))).toBeGreaterThan(0);
}

test('a disk that fills up mid-session: the page says at once the session is no longer saved, and the lab goes on', async ({
  page,
}) => {
  const disk = tinyDisk('size=128k');
  if ('skip' in disk) {
    console.warn(`Skipping the full-disk end-to-end test: ${disk.skip}.`);
    test.skip(true, disk.skip);
    return;
  }
  const host = await startWebHostProcess([], { dataDir: disk.dir });
  try {
    await page.goto(host.url);
    await romeoExchange(page);
    await expect(page.getByTestId('journal-problem')).toHaveCount(0);
    fillDisk(disk.dir);
    // The journal writes in the background, and the last page of its file may still take a few hundred bytes:
    // a learner goes on with more exchanges, and the page tells them, unasked, once a write finds the disk full.
    const problem = page.getByTestId('journal-problem');
    for (let exchange = 2; exchange <= 8 && (await problem.count()) === 0; exchange++) {
      await exchangeAgain(page);
      await page.waitForTimeout(300);
    }
    await expect(problem).toContainText('This session is no longer being saved.');
    await expect(problem).toContainText(
      `The disk that holds the sessions folder ${path.join(disk.dir, 'sessions')} is full.`,
    );
    await expect(problem).toHaveAttribute('role', 'alert');
    await page.screenshot({ path: `${SCREENS}/journal-stopped-light.png` });
    // Nothing else changed: one more exchange works, and its answer is in the log.
    await exchangeAgain(page);
  } finally {
    await host.stop();
    disk.remove();
  }
});

test('a recovered session with a damaged record shows where bytes were lost, never invented ones', async ({ page }) => {
  const first = await startWebHostProcess();
  let second: Awaited<ReturnType<typeof startWebHostProcess>> | undefined;
  try {
    await page.goto(first.url);
    await connectTo(page, 'echo.lab.test', '7', 'lab');
    const box = page.getByRole('textbox', { name: 'Message' });
    const connection = page.getByTestId('connection-row');
    let echoed = 0;
    for (const line of ['first\\r\\n', 'SECOND-MARKER\\r\\n', 'third\\r\\n']) {
      await box.fill(line);
      await sendButton(page).click();
      echoed += line.length - 2; // \\r and \\n are one byte each
      await expect(connection).toHaveAttribute('data-bytes-in', String(echoed));
    }
    // The third line, sent and echoed, is in the journal file; then a crash.
    await journalHolds(first.dataDir, 'third\r\n', 2);
    await first.kill();
    // The disk damages the records that hold the middle line (the send and its echo): one byte flipped in each.
    const dir = path.join(first.dataDir, 'sessions');
    const journal = path.join(dir, readdirSync(dir).find((name) => name.endsWith('.journal')) as string);
    const bytes = readFileSync(journal);
    let flipped = 0;
    for (let at = bytes.indexOf('SECOND-MARKER'); at !== -1; at = bytes.indexOf('SECOND-MARKER', at + 1)) {
      bytes[at + 3] = (bytes[at + 3] as number) ^ 0x20;
      flipped += 1;
    }
    expect(flipped).toBe(2);
    writeFileSync(journal, bytes);

    second = await startWebHostProcess([], { dataDir: first.dataDir });
    await page.goto(second.url);
    await page.getByTestId('recovery-offer').getByRole('button', { name: 'Open it' }).click();
    await expect(page.getByTestId('replay-banner')).toContainText('Recovered session');
    await expect(page.getByTestId('replay-banner')).toContainText(
      '2 damaged records could not be read: the views say “bytes lost here” where their bytes were.',
    );
    await page.locator('[data-testid="log-row"][data-dir="in"]').last().click();
    await page.getByLabel('all received').check();
    // The text view of what came back: the first and third lines, and between them the words, never zeros.
    const view = page.getByTestId('text-view-lines');
    await expect(view).toContainText('first');
    await expect(view).toContainText('third');
    const missing = view.getByTestId('bytes-missing');
    await expect(missing).toHaveAttribute('data-lost', 'true');
    await expect(missing.first()).toContainText('bytes lost here: the saved session’s record of them was damaged');
    await expect(view).not.toContainText('\\x00');
    await page.getByRole('tab', { name: 'HTTP' }).click();
    await expect(page.getByTestId('http-lost')).toContainText('Some of these bytes were lost');
    // In the log, each damaged record keeps a row where it arrived, with its length and why it has no bytes.
    const holes = page.locator('[data-testid="row-bytes-missing"][data-hole="lost"]');
    await expect(holes).toHaveCount(2);
    await expect(holes.first()).toHaveText('bytes lost (the saved session’s record of them was damaged)');
    // The code twin sends what it has and says what it left out; a hole is never a send of nothing.
    const twin = page.getByTestId('code-twin');
    await expect(twin).toContainText('Left out: 1 later send');
    await expect(twin).toContainText("cmd = b'first\\r\\n'");
    await expect(twin).not.toContainText("= b''");
    await page.getByRole('tab', { name: 'Text' }).click();
    await page.screenshot({ path: `${SCREENS}/replay-lost-bytes-light.png` });
  } finally {
    await second?.stop();
    await first.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  }
});

test('a saved session whose journal filled up: rows where bytes were not saved, and every view says why', async ({
  page,
  webHost,
  downloads: folder,
}) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  const saved = JSON.parse(readFileSync(await saveAs(page, 'socketlab', folder), 'utf8')) as SavedSession;
  // As a journal that filled up before the answer came writes it: the answer's reads counted, their bytes not kept.
  type Data = { type: string; id: string; t: number; dir: string; offset: number; bytes: string };
  const answer = (entry: Record<string, unknown>): Data | null => {
    const event = entry.event as Data | undefined;
    return entry.kind === 'event' && event?.type === 'data' && event.dir === 'in' ? event : null;
  };
  const first = saved.entries.findIndex((entry) => answer(entry) !== null);
  expect(first).toBeGreaterThan(0);
  let notSaved = 0;
  saved.entries = saved.entries.flatMap((entry, index) => {
    const event = answer(entry);
    if (!event) return [entry];
    const length = Buffer.from(event.bytes, 'base64').byteLength;
    notSaved += length;
    const hole = { kind: 'unsaved', t: event.t, id: event.id, dir: 'in', offset: event.offset, length };
    return index === first ? [{ kind: 'journal-full', t: event.t, limitBytes: 4096 }, hole] : [hole];
  });
  saved.totals.entries += 1;
  saved.totals.dataBytes -= notSaved;
  await openChanged(page, folder, 'journal-full.socketlab', saved);
  // The journal's own row says what it means for a replay, not what it meant live.
  await expect(page.locator('[data-testid="log-row"][data-kind="journal-full"]')).toContainText(
    'later bytes were not saved. The rows after this one say where bytes are missing.',
  );
  const holes = page.locator('[data-testid="row-bytes-missing"][data-hole="not-saved"]');
  await expect(holes.first()).toHaveText('bytes not saved (the journal was full, so the saved session never had them)');
  await page.locator('[data-testid="log-row"][data-dir="in"]').last().click();
  await page.getByLabel('all received').check();
  const missing = page.getByTestId('text-view-lines').getByTestId('bytes-missing');
  await expect(missing.first()).toHaveAttribute('data-unsaved', 'true');
  // Each hole is one line of the text view however long, and says how many bytes it stands for.
  await expect(missing).toHaveCount(await holes.count());
  await expect(missing.first()).toContainText(/\(\d[\d,]* bytes not saved here: the journal was full/);
  // The hex view the same: one row for each hole, however long.
  await page.getByRole('tab', { name: 'Hex' }).click();
  const hexMissing = page.getByTestId('hex-view-lines').getByTestId('bytes-missing');
  await expect(hexMissing).toHaveCount(await holes.count());
  await expect(hexMissing.first()).toContainText(/\(\d[\d,]* bytes not saved here: the journal was full/);
  // recv(n): one row for all the calls of a hole, numbered as the calls it stands for.
  await page.getByRole('tab', { name: 'recv(n)' }).click();
  const recvMissing = page.getByTestId('recv-calls').getByTestId('bytes-missing');
  await expect(recvMissing).toHaveCount(await holes.count());
  await expect(recvMissing.first()).toHaveAttribute('data-unsaved', 'true');
  await page.screenshot({ path: `${SCREENS}/replay-not-saved-recv-light.png` });
  await page.getByRole('tab', { name: 'HTTP' }).click();
  await expect(page.getByTestId('http-not-saved')).toContainText('Some of these bytes were not saved');
  await page.getByRole('tab', { name: 'Text' }).click();
  await page.screenshot({ path: `${SCREENS}/replay-not-saved-light.png` });
});

test('a saved TLS session whose journal filled up: the records on the wire it never had get a row that says so', async ({
  page,
  webHost,
  downloads: folder,
}) => {
  await page.goto(webHost.url);
  await connectTo(page, 'data.pr4e.org', '443', 'lab');
  await expect(page.getByRole('switch', { name: 'TLS' })).toBeChecked();
  await page.getByRole('textbox', { name: 'Message' }).fill(REQUEST.replaceAll('\r\n', '\\r\\n'));
  await sendButton(page).click();
  await expect(page.locator('[data-testid="log-row"][data-kind="peer-ended"]')).toHaveCount(1);
  const saved = JSON.parse(readFileSync(await saveAs(page, 'socketlab', folder), 'utf8')) as SavedSession;
  // As a journal that filled up after the handshake writes it: the answer's records counted, their bytes not kept.
  type Wire = { type: string; id: string; t: number; dir: string; offset: number; bytes: string };
  const answers = saved.entries.flatMap((entry, index) => {
    const event = entry.event as Wire | undefined;
    return entry.kind === 'event' && event?.type === 'wire' && event.dir === 'in' ? [index] : [];
  });
  const last = answers.at(-1) as number;
  const event = saved.entries[last]?.event as Wire;
  const length = Buffer.from(event.bytes, 'base64').byteLength;
  saved.entries.splice(
    last,
    1,
    { kind: 'journal-full', t: event.t, limitBytes: 4096 },
    { kind: 'unsaved', t: event.t, id: event.id, dir: 'in', offset: event.offset, length, wire: true },
  );
  saved.totals.entries += 1;
  saved.totals.wireBytes = (saved.totals.wireBytes ?? 0) - length;
  await openChanged(page, folder, 'tls-journal-full.socketlab', saved);
  const hole = page.locator('[data-testid="log-row"][data-layer="wire"]').filter({
    has: page.locator('[data-testid="row-bytes-missing"][data-hole="not-saved"]'),
  });
  await expect(hole).toHaveCount(1);
  await expect(hole).toContainText(`${length} bytes`);
  await expect(hole).toContainText('bytes not saved (the journal was full, so the saved session never had them)');
  await hole.click();
  await expect(page.getByTestId('wire-hole')).toContainText(
    `${length} bytes of TLS records on the wire: bytes not saved (the journal was full`,
  );
  await page.screenshot({ path: `${SCREENS}/replay-tls-not-saved-light.png` });
});

test('deleting a session asks first', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  await page.reload();
  await page.getByRole('button', { name: '← Back to the live session' }).click();
  await page.getByRole('button', { name: 'Sessions…' }).click();
  const finished = page.locator('[data-testid="session-row"][data-ending="clean"]');
  await expect(finished).toHaveCount(1);
  await finished.getByRole('button', { name: 'Delete…' }).click();
  await expect(finished).toContainText('Delete it for good?');
  await finished.getByRole('button', { name: 'Keep it' }).click();
  await expect(finished).toHaveCount(1);
  await finished.getByRole('button', { name: 'Delete…' }).click();
  await finished.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.locator('[data-testid="session-row"][data-ending="clean"]')).toHaveCount(0);
  await expect(page.getByTestId('sessions-message')).toContainText('deleted');
});

test('a file that is not a session gets one clear message, and nothing on screen changes', async ({
  page,
  webHost,
}) => {
  await page.goto(webHost.url);
  await romeoExchange(page);
  const before = await rowTexts(page);
  await page.getByRole('button', { name: 'Sessions…' }).click();
  await page.getByTestId('open-file-input').setInputFiles({
    name: 'notes.socketlab',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"something-else","entries":[]}'),
  });
  await expect(page.getByTestId('save-status')).toContainText('notes.socketlab was not opened');
  await expect(page.getByTestId('replay-banner')).toHaveCount(0);
  expect(await rowTexts(page)).toEqual(before);
});
