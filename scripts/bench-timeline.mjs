// npm run bench:timeline — a benchmark, not a test: it prints measurements.
//
// The timeline of one connection with 100,000 arrivals (issue 14: "draws in under 100 ms"), in the real built app
// through the web host, in a plain headless Chromium over raw CDP (--remote-debugging-pipe, scripts/cdp.mjs; no
// DevTools network capture). A stand-in LabApi in the page (lib/lab.ts uses window.lab when present) delivers the
// connection's events in batches; once the byte log shows them all, the bench presses "Timeline" and times:
//   open: from the click until the arrows are drawn (the model built from the 100,000 events, the diagram laid
//         out and painted: timed to just after the frame that shows them);
//   plot: from a click on "Bytes over time" until the staircase is painted;
//   reopen: close and open again, when the model is already built (drawing only).
// Each round is a fresh page (so the model is built from nothing). Flags: --arrivals (100000), --rounds (3).
// Environment: SOCKET_LAB_OUT (build folder), CHROMIUM_PATH.
// Functions handed to page.evaluate / addInitScript run in the page, where these exist.
/* global window, document, requestAnimationFrame */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from './cdp.mjs';
import { CHROMIUM_ARGS, findChromium } from './chromium.cjs';
import { buildFolder, installStandInLab, startWebHost } from './benchPage.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const screens = path.join(root, '.test-output/screens');
const { values: flags } = parseArgs({
  options: {
    arrivals: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
  },
});
const arrivals = Number(flags.arrivals);
const rounds = Number(flags.rounds);
const TARGET_MS = 100;

/** Init script: a stand-in LabApi that delivers one connection's `arrivals` received events of 100 bytes. */
function installSyntheticLab({ arrivals, batchRows }) {
  const id = 'bench-timeline';
  let delivered = 0;
  const emit = (events) => window.__benchEmit(events);
  const deliver = () => {
    const count = Math.min(batchRows, arrivals - delivered);
    const buffer = new Uint8Array(count * 100).fill(0x2e);
    const events = [];
    for (let i = 0; i < count; i++) {
      const n = delivered + i;
      // A slow trickle: 10 ms apart, so the staircase has far more steps than pixels.
      events.push({
        id,
        t: 2 + n * 10,
        type: 'data',
        dir: 'in',
        offset: n * 100,
        bytes: buffer.subarray(i * 100, i * 100 + 100),
      });
    }
    delivered += count;
    emit(events);
    if (delivered < arrivals) setTimeout(deliver, 0);
    else {
      emit([
        { id, t: 3 + arrivals * 10, type: 'peer-ended' },
        { id, t: 4 + arrivals * 10, type: 'closed', by: 'peer' },
      ]);
      window.__benchIngest.done = true;
    }
  };
  window.__benchIngest = {
    done: false,
    start() {
      emit([
        ...window.__benchOpened(id, 'data.pr4e.org', 80),
        { id, t: 1, type: 'data', dir: 'out', offset: 0, bytes: new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n') },
      ]);
      setTimeout(deliver, 0);
    },
  };
}

/** In the page: click, then wait until `ready()` holds, and until the frame showing it has been drawn. */
async function timeClick({ click, ready, arrivals }) {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  // The next task after a frame starts once that frame's rendering is done.
  const afterFrame = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      requestAnimationFrame(() => channel.port2.postMessage(null));
    });
  // The page's CSP allows no eval: the two conditions are spelled out here.
  const isReady = () =>
    ready === 'arrows'
      ? document.querySelector('[data-testid="timeline"]')?.getAttribute('data-arrivals') === String(arrivals) &&
        document.querySelectorAll('[data-testid="timeline-step"]').length > 0
      : (document.querySelector('[data-testid="plot-received-line"]')?.getAttribute('d') ?? '').length > 0;
  await frame();
  const started = performance.now();
  document.querySelector(click).click();
  // Svelte writes the DOM in a microtask after the click: by the next task it is there (or not yet).
  await new Promise((resolve) => setTimeout(resolve, 0));
  const scripted = performance.now();
  while (!isReady()) await frame();
  await afterFrame();
  return { scriptMs: scripted - started, drawnMs: performance.now() - started };
}

async function round(browser, host, n) {
  const page = await browser.newPage({ width: 1440, height: 900 });
  await page.addInitScript(installStandInLab, null);
  await page.addInitScript(installSyntheticLab, { arrivals, batchRows: 10_000 });
  await page.goto(host.url);
  await page.waitFor(() => document.querySelector('[data-testid="hello-version"]') !== null, undefined, {
    what: 'the lab to be ready',
  });
  await page.evaluate(() => window.__benchIngest.start());
  const rows = arrivals + 7;
  await page.waitFor(
    (expected) =>
      window.__benchIngest.done &&
      Number(document.querySelector('[data-testid="log-rows"]')?.getAttribute('data-rows')) >= expected,
    rows,
    { timeoutMs: 120_000, pollMs: 50, what: 'the byte log to show every row' },
  );
  // Pick the connection, as a learner does in the connection list.
  await page.evaluate(() => document.querySelector('[data-testid="connection-row"] input').click());
  const open = await page.evaluate(timeClick, { click: '[data-testid="timeline-toggle"]', ready: 'arrows', arrivals });
  const plot = await page.evaluate(timeClick, { click: '#timeline-tab-plot', ready: 'plot', arrivals });
  await page.evaluate(() => document.querySelector('#timeline-tab-arrows').click());
  await page.evaluate(() => document.querySelector('[data-testid="timeline-close"]').click());
  const reopen = await page.evaluate(timeClick, {
    click: '[data-testid="timeline-toggle"]',
    ready: 'arrows',
    arrivals,
  });
  const steps = Number(
    await page.evaluate(() => document.querySelector('[data-testid="timeline"]').getAttribute('data-steps')),
  );
  const inPage = await page.evaluate(() => document.querySelectorAll('[data-testid="timeline-step"]').length);
  if (n === 0) {
    await page.screenshot(path.join(screens, 'bench-timeline-arrows.png'));
    await page.evaluate(() => document.querySelector('#timeline-tab-plot').click());
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot(path.join(screens, 'bench-timeline-plot.png'));
  }
  await page.close();
  return { open, plot, reopen, steps, inPage };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (value) => Number(value).toFixed(1);

async function main() {
  const outDir = await buildFolder();
  if (!existsSync(path.join(outDir, 'main/web.js'))) throw new Error(`No build in ${outDir}: run npm run build.`);
  mkdirSync(screens, { recursive: true });
  const host = await startWebHost(outDir);
  const browser = launchChromium({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    console.log(
      `bench:timeline — ${arrivals.toLocaleString('en-US')} arrivals on one connection, ${await browser.version()}, raw CDP`,
    );
    const results = [];
    for (let n = 0; n < rounds; n++) {
      const result = await round(browser, host, n);
      results.push(result);
      console.log(
        `   round ${n + 1}: open ${fmt(result.open.drawnMs)} ms (script ${fmt(result.open.scriptMs)} ms), ` +
          `plot ${fmt(result.plot.drawnMs)} ms (script ${fmt(result.plot.scriptMs)} ms), ` +
          `reopen ${fmt(result.reopen.drawnMs)} ms; ${result.steps.toLocaleString('en-US')} steps, ${result.inPage} arrows in the page`,
      );
    }
    const open = median(results.map((result) => result.open.drawnMs));
    const plot = median(results.map((result) => result.plot.drawnMs));
    console.log(
      `\n   median: build the model and draw the arrows ${fmt(open)} ms; draw the plot ${fmt(plot)} ms; ` +
        `both ${fmt(open + plot)} ms (target < ${TARGET_MS} ms each)`,
    );
    console.log(
      `   ${open < TARGET_MS && plot < TARGET_MS ? 'met    ' : 'NOT met'}  timeline of 100,000 arrivals drawn in under ${TARGET_MS} ms`,
    );
  } finally {
    await browser.close();
    await host.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
