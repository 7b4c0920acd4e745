/**
 * Issue 14 §1, the connection timeline, in Chromium through the web host with the real lab servers: the socket1.py
 * exchange drawn in order, an arrow and its byte-log row picking each other (mouse and keyboard), a slow-mode
 * answer's plot with one mark and one step per arrival row, a refused connect and an abort drawn as such, and the
 * guide's steps 7 and 9 opening it. Screenshots in both themes go to .test-output/screens/timeline-*.png.
 */
import type { Page } from '@playwright/test';
import { openLab, romeoExchange, shootBothThemes, sendButton, connectButton } from './labPage';
import { expect, test } from './webHost';

const steps = (page: Page) => page.getByTestId('timeline-step');

async function openTimeline(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Timeline', exact: true });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await expect(page.getByTestId('timeline')).toBeVisible();
}

/** Each drawn step as `kind:from>to` (`note` for a note on one lifeline), top to bottom. */
async function shape(page: Page): Promise<string[]> {
  return steps(page).evaluateAll((elements) =>
    elements.map((element) => {
      const { kind, from, to } = (element as HTMLElement).dataset;
      return `${kind}:${from}>${to}`;
    }),
  );
}

const tab = (page: Page, name: 'Arrows' | 'Bytes over time' | 'As a list') =>
  page.getByTestId('timeline').getByRole('tab', { name, exact: true });

/** The page itself never scrolls (a wheel over the timeline moves nothing else), and the timeline ends in the window. */
async function expectNoPageScroll(page: Page): Promise<void> {
  await page.getByTestId('timeline').hover();
  await page.mouse.wheel(0, 2000);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(await page.evaluate(() => [window.scrollY, document.scrollingElement?.scrollTop ?? 0])).toEqual([0, 0]);
  const box = await page.getByTestId('timeline').boundingBox();
  const size = page.viewportSize();
  expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(size?.height ?? 0);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(size?.width ?? 0);
}

test.describe('timeline', () => {
  test.beforeEach(async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1024, height: 700 });
  });

  test(`the socket1.py exchange: connect, the handshake underneath, one send, arrivals, FIN, close, in order`, async ({
    page,
    webHost,
  }) => {
    await openLab(page, webHost.url);
    await romeoExchange(page);
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(page.locator('[data-testid="log-row"][data-kind="closed"]')).toHaveCount(1);
    await openTimeline(page);
    await expect(page.getByTestId('timeline-connection')).toContainText('#1 data.pr4e.org:80');
    await expect(steps(page).last()).toHaveAttribute('data-kind', 'close');

    // Every step is in view here (the list is virtual: only the arrows in view are in the page).
    const drawn = await shape(page);
    expect(drawn).toHaveLength(Number(await page.getByTestId('timeline').getAttribute('data-steps')));
    const arrivals = drawn.filter((step) => step === 'arrival:peer>you').length;
    expect(arrivals).toBeGreaterThanOrEqual(1);
    expect(drawn).toEqual([
      'call:you>note',
      'syn:you>peer',
      'syn-ack:peer>you',
      'ack:you>peer',
      'send:you>peer',
      ...Array.from({ length: arrivals }, () => 'arrival:peer>you'),
      'fin:peer>you',
      'fin:you>peer',
      'close:you>note',
    ]);
    await expect(steps(page).nth(0)).toContainText("connect(('data.pr4e.org', 80))");
    await expect(steps(page).nth(1)).toContainText('SYN');
    await expect(steps(page).nth(3)).toContainText(/ACK: connected in [\d.]+ ms/);
    await expect(steps(page).nth(4)).toContainText('send 47 bytes');
    // The handshake is labelled as TCP's doing, for a screen reader too.
    await expect(steps(page).nth(2)).toHaveAttribute('aria-label', /TCP does this underneath/);
    // The arrivals add up to what the connection received.
    const received = await page
      .locator('[data-testid="timeline-step"][data-kind="arrival"]')
      .evaluateAll((elements) =>
        elements.reduce(
          (sum, element) =>
            sum + Number(/([\d,]+) bytes? arrive/.exec(element.textContent ?? '')?.[1]?.replace(/,/g, '')),
          0,
        ),
      );
    const logBytes = await page
      .locator('[data-testid="log-row"][data-dir="in"] .c-count')
      .evaluateAll((cells) => cells.reduce((sum, cell) => sum + Number(/\d+/.exec(cell.textContent ?? '')?.[0]), 0));
    expect(received).toBe(logBytes);
    // Time runs down.
    const times = await steps(page).evaluateAll((elements) =>
      elements.map((element) => {
        const text = element.querySelector('.time-col')?.textContent ?? '';
        const value = Number.parseFloat(text);
        return text.endsWith(' s') ? value * 1000 : value;
      }),
    );
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    await shootBothThemes(page, 'timeline-socket1');
    // The plot: one received line and mark per arrival, one sent mark, axes with units.
    await tab(page, 'Bytes over time').click();
    await expect(page.getByTestId('plot-arrival')).toHaveCount(arrivals);
    await expect(page.getByTestId('plot-send')).toHaveCount(1);
    await expect(page.getByTestId('bytes-plot')).toContainText('bytes');
    await expect(page.getByTestId('bytes-plot')).toContainText(/time since the connect began \((ms|s)\)/);
    await expectNoPageScroll(page);
    await shootBothThemes(page, 'timeline-socket1-plot');

    // The text alternative: the same steps as sentences.
    await tab(page, 'As a list').click();
    const sentences = page.getByTestId('timeline-sentence');
    await expect(sentences).toHaveCount(drawn.length);
    await expect(sentences.nth(4)).toContainText('your program to data.pr4e.org:80: send 47 bytes');
    await expect(sentences.last()).toContainText('close(): your socket is let go');
    await shootBothThemes(page, 'timeline-socket1-list');
  });

  test(`an arrow picks its row in the byte log, and a row its arrow, by mouse and by keyboard`, async ({
    page,
    webHost,
  }) => {
    await openLab(page, webHost.url);
    await romeoExchange(page);
    await openTimeline(page);
    const arrival = page.locator('[data-testid="timeline-step"][data-kind="arrival"]').first();
    await arrival.click();
    const index = await arrival.getAttribute('data-event');
    const row = page.locator(`#log-row-${index}`);
    await expect(row).toHaveAttribute('aria-selected', 'true');
    await expect(row).toHaveAttribute('data-dir', 'in');
    await expect(arrival).toHaveAttribute('aria-selected', 'true');
    await expect(row).toBeInViewport();

    // The other way: a row picked in the log lights its arrow.
    const finRow = page.locator('[data-testid="log-row"][data-kind="peer-ended"]');
    await finRow.click();
    const fin = page.locator('[data-testid="timeline-step"][data-kind="fin"][data-from="peer"]');
    await expect(fin).toHaveAttribute('aria-selected', 'true');
    await expect(fin).toBeInViewport();
    await expect(arrival).toHaveAttribute('aria-selected', 'false');

    // The keyboard: arrows move between the arrows, Enter picks the row.
    const list = page.getByTestId('timeline-steps');
    await list.focus();
    await page.keyboard.press('Home');
    await expect(list).toHaveAttribute('aria-activedescendant', /^tl-step-0$/);
    await page.keyboard.press('ArrowDown');
    await expect(list).toHaveAttribute('aria-activedescendant', 'tl-step-1');
    // Moving is not picking: the FIN row stays selected until Enter.
    await expect(finRow).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('Enter');
    const syn = page.locator('[data-testid="timeline-step"][data-kind="syn"]');
    await expect(syn).toHaveAttribute('aria-selected', 'true');
    const synIndex = await syn.getAttribute('data-event');
    await expect(page.locator(`#log-row-${synIndex}`)).toHaveAttribute('aria-selected', 'true');
    await expect(page.locator(`#log-row-${synIndex}`)).toHaveAttribute('data-kind', 'connecting');
    await expect(finRow).toHaveAttribute('aria-selected', 'false');
    // The SYN/ACK TCP sent unseen has no row: Enter on it picks the SYN's row before it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.locator(`#log-row-${synIndex}`)).toHaveAttribute('aria-selected', 'true');
    await shootBothThemes(page, 'timeline-picked');
  });

  test(`a slow-mode answer: the plot has one mark and one step per arrival row`, async ({ page, webHost }) => {
    // Tall enough for the log to show every row of the trickle, to count them against the marks.
    await page.setViewportSize({ width: 1280, height: 1000 });
    await openLab(page, webHost.url);
    await page.getByTestId('slow-mode-select').selectOption('slow');
    await expect(page.getByTestId('slow-mode-note')).toContainText('many small pieces');
    await openTimeline(page);
    await romeoExchange(page);
    await shootBothThemes(page, 'timeline-slow-arrows');
    // Every received row of the log is in the page (the log is taller than the answer's pieces).
    const logRows = page.getByTestId('log-rows');
    expect(Number(await logRows.getAttribute('data-rows'))).toBe(await page.getByTestId('log-row').count());
    const arrivalRows = await page.locator('[data-testid="log-row"][data-dir="in"]').count();
    expect(arrivalRows, 'slow mode sends the answer in pieces').toBeGreaterThanOrEqual(4);
    await expect(page.getByTestId('timeline')).toHaveAttribute('data-arrivals', String(arrivalRows));
    await tab(page, 'Bytes over time').click();
    await expect(page.getByTestId('plot-arrival')).toHaveCount(arrivalRows);
    // One rise of the received staircase per arrival: the pieces come tens of milliseconds apart.
    const rises = await page
      .getByTestId('plot-received-line')
      .evaluate((path) => (path.getAttribute('d')?.match(/V/g) ?? []).length);
    expect(rises).toBe(arrivalRows);
    // Each mark stands for its row, higher and later than the one before.
    const marks = await page.getByTestId('plot-arrival').evaluateAll((circles) =>
      circles.map((circle) => ({
        x: Number(circle.getAttribute('cx')),
        y: Number(circle.getAttribute('cy')),
        event: circle.getAttribute('data-event'),
      })),
    );
    const rowEvents = await page
      .locator('[data-testid="log-row"][data-dir="in"]')
      .evaluateAll((rows) => rows.map((row) => row.id.replace('log-row-', '')));
    expect(marks.map((mark) => mark.event)).toEqual(rowEvents);
    expect(
      marks.every((mark, i) => i === 0 || (mark.x > (marks[i - 1]?.x ?? 0) && mark.y < (marks[i - 1]?.y ?? 0))),
    ).toBe(true);
    await expect(page.getByTestId('plot-summary')).toContainText(`in ${arrivalRows} pieces`);
    await shootBothThemes(page, 'timeline-slow');

    // Step 9 points at this picture: its button opens the timeline of the connection that came in pieces.
    await page.getByTestId('timeline-close').click();
    await expect(page.getByTestId('timeline')).toHaveCount(0);
    await page.getByTestId('guide-step-bytes').click();
    await expect(page.getByTestId('guide-picture')).toContainText('staircase');
    await page.getByTestId('guide-open-timeline').click();
    await expect(page.getByTestId('timeline-connection')).toContainText('#1');
    await expect(page.getByTestId('timeline')).toHaveAttribute('data-arrivals', String(arrivalRows));
    await page.getByTestId('slow-mode-select').selectOption('full');
  });

  test(`a refused connect is SYN then RST; an echo session ends in your RST when aborted`, async ({
    page,
    webHost,
  }) => {
    await openLab(page, webHost.url);
    await openTimeline(page);
    await page.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill('1');
    await connectButton(page).click();
    await expect(page.getByTestId('connection-row')).toHaveAttribute('data-state', 'closed');
    await expect(steps(page).last()).toHaveAttribute('data-kind', 'close');
    expect(await shape(page)).toEqual(['call:you>note', 'syn:you>peer', 'rst:peer>you', 'close:you>note']);
    await expect(steps(page).nth(2)).toContainText('nothing listens on port 1');
    await expect(page.getByTestId('timeline')).toHaveAttribute('data-arrivals', '0');
    await expectNoPageScroll(page);
    await shootBothThemes(page, 'timeline-refused');

    // An echo session: what goes out comes back, arrow for arrow.
    await page.getByLabel('Template').selectOption('echo-hello');
    await connectButton(page).click();
    const open = page.locator('[data-testid="connection-row"][data-state="open"]');
    await expect(open).toHaveCount(1);
    await expect(page.getByTestId('timeline-connection')).toContainText('#2');
    await sendButton(page).click();
    await expect(page.locator('[data-testid="timeline-step"][data-kind="arrival"]')).toHaveCount(1);
    await sendButton(page).click();
    await expect(page.locator('[data-testid="timeline-step"][data-kind="arrival"]')).toHaveCount(2);
    await expect(page.locator('[data-testid="timeline-step"][data-kind="send"]')).toHaveCount(2);
    await shootBothThemes(page, 'timeline-echo');
    await tab(page, 'Bytes over time').click();
    await expect(page.getByTestId('plot-send')).toHaveCount(2);
    await expect(page.getByTestId('plot-arrival')).toHaveCount(2);
    await shootBothThemes(page, 'timeline-echo-plot');
    await tab(page, 'Arrows').click();

    await page.getByRole('button', { name: 'Abort (RST)' }).click();
    await expect(open).toHaveCount(0);
    await expect(steps(page).last()).toHaveAttribute('data-kind', 'rst');
    // Every step is in view here (the list is virtual: only the arrows in view are in the page).
    const drawn = await shape(page);
    expect(drawn).toHaveLength(Number(await page.getByTestId('timeline').getAttribute('data-steps')));
    expect(drawn.at(-1)).toBe('rst:you>peer');
    expect(drawn.filter((step) => step.startsWith('fin'))).toEqual([]);
    await expect(steps(page).last()).toContainText('RST: you aborted the connection');
    await shootBothThemes(page, 'timeline-abort');

    // Step 7 points at the picture of the connection the other side closed; none did here, so the newest that
    // received anything: the echo connection.
    await page.getByTestId('guide-step-who-closes').click();
    await page.getByTestId('guide-open-timeline').click();
    await expect(page.getByTestId('timeline-connection')).toContainText('#2');
  });
});
