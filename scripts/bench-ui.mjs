// npm run bench:ui — a benchmark, not a test: it prints measurements from one run.
//
// 1. Streams 64 MiB from the lab echo server into the byte log, through the real web host, in Chromium: the page's
//    own workbench sends 1 MiB messages and the echo comes back. Reports throughput next to two baselines from the
//    same run (a bare LabApi WebSocket in the same browser without the UI, and a bare node:net client of the same
//    echo server), the longest main-thread task while streaming (PerformanceObserver 'longtask'), and the
//    renderer's heap afterwards (CDP, after a forced GC: the JS heap, and the ArrayBuffers that hold the bytes).
// 2. Fills the byte log with 1,000,000 rows (100 MB of data; a stand-in LabApi in the page, since one TCP
//    connection's received chunks are merged into few rows) and scrolls through them, reporting frame times.
//
// Environment: SOCKET_LAB_OUT (build folder, default out/, built if stale), CHROMIUM_PATH, BENCH_MB (default 64),
// BENCH_ROWS (default 1000000).
// Functions passed to page.evaluate / addInitScript run in the page, where these exist.
/* global window, document, requestAnimationFrame */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MIB = 1024 * 1024;
const streamMiB = Number(process.env.BENCH_MB ?? 64);
const rowCount = Number(process.env.BENCH_ROWS ?? 1_000_000);
async function buildFolder() {
  if (process.env.SOCKET_LAB_OUT) return path.resolve(root, process.env.SOCKET_LAB_OUT);
  const { ensureBuilt } = await import('./ensure-built.mjs');
  ensureBuilt();
  return path.join(root, 'out');
}

/** Start `node <out>/main/web.js --no-open` and read its link and the lab servers it prints. */
async function startWebHost(outDir) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-bench-'));
  const child = spawn(process.execPath, [path.join(outDir, 'main/web.js'), '--no-open', '--data-dir', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the web host printed no link in 15 s:\n${output}`)), 15_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (match && /echo[^\n]*:\s*[\d.]+:\d+/i.test(output)) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the web host exited with ${code}:\n${output}`)));
  });
  const echo = /echo[^\n]*:\s*([\d.]+):(\d+)/i.exec(output);
  return {
    url,
    echo: { host: echo[1], port: Number(echo[2]) },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The same bytes through the same echo server with a bare node:net client, keeping a 3 MiB window in flight. */
async function bareEchoRoundTrip(echo, total) {
  const socket = net.connect(echo.port, echo.host);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const chunk = Buffer.alloc(MIB, 0x78);
  const started = performance.now();
  let sent = 0;
  let received = 0;
  await new Promise((resolve) => {
    const pump = () => {
      while (sent < total && sent - received < 3 * MIB) {
        socket.write(chunk);
        sent += MIB;
      }
    };
    socket.on('data', (data) => {
      received += data.length;
      if (received >= total) resolve();
      else pump();
    });
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  return total / MIB / seconds;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function frameStats(deltas) {
  const sorted = [...deltas].sort((a, b) => a - b);
  return {
    frames: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** JS heap after a forced GC, and the ArrayBuffer bytes held outside it (where received bytes live). */
async function heapAfterGc(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const usage = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return { jsMiB: usage.usedSize / MIB, arrayBuffersMiB: (usage.backingStorageSize ?? Number.NaN) / MIB };
}

async function startLongTaskObserver(page) {
  await page.evaluate(() => {
    window.__benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        window.__benchLongTasks.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask', buffered: false });
  });
}

/** The web host's frame codec (src/shared/wire.ts) as plain script text, for the baseline below. */
async function wireCodecSource() {
  const { build } = await import('vite');
  const output = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry: path.join(root, 'src/shared/wire.ts'), formats: ['es'], fileName: 'wire' },
    },
  });
  const code = (Array.isArray(output) ? output[0] : output).output[0].code;
  return code.replace(/export\s*\{[^}]*\};?/, '');
}

/**
 * Baseline in the same page and run: the same echo stream over a second, bare LabApi WebSocket with no store and
 * no rendering. The difference to part 1 is what the byte log costs; this number is Chromium's WebSocket ceiling.
 */
async function rawWebSocketInPage(browser, host, codec) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(host.url);
  await page.getByTestId('hello-version').waitFor();
  const wsUrl = host.url.replace('http://', 'ws://').replace('/?token=', '/lab?token=');
  const mibPerSec = await page.evaluate(
    async ({ source, url, count, inFlight }) => {
      const { encodeFrame, decodeFrame } = new Function(`${source}; return { encodeFrame, decodeFrame };`)();
      const socket = new WebSocket(url);
      socket.binaryType = 'arraybuffer';
      await new Promise((resolve) => socket.addEventListener('open', resolve));
      const pending = new Map();
      let callId = 0;
      let received = 0;
      const call = (channel, args) =>
        new Promise((resolve) => {
          callId += 1;
          pending.set(callId, resolve);
          socket.send(encodeFrame({ kind: 'call', callId, channel, args }));
        });
      socket.addEventListener('message', (event) => {
        const message = decodeFrame(new Uint8Array(event.data));
        if (message.kind === 'result') {
          pending.get(message.callId)?.(message.result);
          pending.delete(message.callId);
          return;
        }
        for (const labEvent of message.batch.events) {
          if (labEvent.type === 'data' && labEvent.dir === 'in') received += labEvent.bytes.byteLength;
        }
        callId += 1;
        socket.send(encodeFrame({ kind: 'call', callId, channel: 'events:ack', args: [message.batch.seq] }));
      });
      const connected = await call('socket:connect', [{ host: 'echo.lab.test', port: 7, route: 'lab' }]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const mib = 1024 * 1024;
      const chunk = new Uint8Array(mib).fill(0x78);
      const started = performance.now();
      let sent = 0;
      while (received < count * mib) {
        if (sent < count && sent * mib - received < inFlight * mib) {
          const result = await call('socket:send', [connected.value.id, chunk]);
          if (result.ok) sent += 1;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
      socket.close();
      return count / ((performance.now() - started) / 1000);
    },
    { source: codec, url: wsUrl, count: streamMiB, inFlight: Number(process.env.BENCH_WINDOW_MIB ?? 3) },
  );
  await page.close();
  return mibPerSec;
}

/** Part 1: 64 MiB echoed back into the byte log through the web host. */
async function streamThroughWebHost(browser, host) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(host.url);
  await page.getByTestId('hello-version').waitFor();
  // The echo template fills in the lab echo server's host and port (lab route).
  await page.getByTestId('template-select').selectOption('echo-hello');
  await page.getByTestId('connect-button').click();
  const row = page.getByTestId('connection-row').first();
  await row.and(page.locator('[data-state="open"]')).waitFor();
  // Text of 1 MiB: one send each; the composer shows only the first 2 KiB of it.
  await page.getByTestId('composer').fill('x'.repeat(MIB));
  await page.getByTestId('composer-count').filter({ hasText: '1.00 MiB' }).waitFor();
  await startLongTaskObserver(page);

  const t0 = await page.evaluate(() => performance.now());
  const started = performance.now();
  // The sends are clicks on the page's own Send button, made inside the page so the driver's round trips do not
  // count. At most 3 MiB in flight, as a program's sendall/recv loop keeps; the hub refuses sends a peer is not taking.
  const refused = await page.evaluate(
    async ({ mib, count, window: inFlight }) => {
      const row = () => document.querySelector('[data-testid="connection-row"]');
      const received = () => Number(row()?.getAttribute('data-bytes-in'));
      const notices = () => document.querySelectorAll('[data-testid="notice"]').length;
      const button = document.querySelector('[data-testid="send-button"]');
      let sent = 0;
      let refusals = 0;
      while (received() < mib * count) {
        // The button is enabled again once main has taken the send (or refused it, which shows a notice).
        if (sent < count && !button.disabled && sent * mib - received() < inFlight * mib) {
          const before = notices();
          button.click();
          await new Promise((resolve) => setTimeout(resolve, 0));
          while (button.disabled) await new Promise((resolve) => setTimeout(resolve, 0));
          if (notices() > before) refusals += 1;
          else sent += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      return refusals;
    },
    { mib: MIB, count: streamMiB, window: Number(process.env.BENCH_WINDOW_MIB ?? 3) },
  );
  // Until the log has drawn the newest row.
  await page.waitForFunction(() => {
    const list = document.querySelector('[data-testid="log-rows"]');
    const count = Number(list?.getAttribute('data-rows'));
    return document.querySelector(`[data-testid="log-row"][aria-posinset="${count}"]`) !== null;
  });
  const seconds = (performance.now() - started) / 1000;
  const t1 = await page.evaluate(() => performance.now());
  const longTasks = await page.evaluate(
    ({ from, to }) => window.__benchLongTasks.filter((task) => task.start >= from && task.start <= to),
    { from: t0, to: t1 },
  );
  const rows = Number(await page.getByTestId('log-rows').getAttribute('data-rows'));
  const heapMiB = await heapAfterGc(page);
  // Past LIMITS.rendererKeptBytes the oldest bytes are dropped from view: a picture of how that looks.
  await page.getByTestId('log-rows').focus();
  await page.keyboard.press('Home');
  await page.screenshot({ path: path.join(root, '.test-output/screens/bench-bytes-dropped.png') });
  await page.close();
  return {
    mibPerSec: streamMiB / seconds,
    seconds,
    rows,
    longestTaskMs: Math.max(0, ...longTasks.map((task) => task.ms)),
    longTasks: longTasks.length,
    refused,
    heapMiB,
  };
}

/**
 * A stand-in LabApi installed before the app loads (lib/lab.ts uses window.lab when present, as in Electron):
 * it answers hello and delivers `rows` data events of 100 bytes in batches, like main would, without a network.
 */
function installSyntheticLab({ rows, batchRows }) {
  const ok = (value) => Promise.resolve({ ok: true, value });
  const listeners = new Set();
  const id = 'bench-0001';
  let delivered = 0;
  let seq = 0;
  window.__benchIngest = { done: false, startedAt: 0, endedAt: 0 };
  const deliver = () => {
    if (delivered === 0) {
      window.__benchIngest.startedAt = performance.now();
      const endpoint = (port) => ({ address: '127.0.0.1', port, family: 'IPv4' });
      const opening = [
        { id, t: 0, type: 'resolving', host: 'bench.lab.test' },
        { id, t: 0.1, type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
        { id, t: 0.2, type: 'connecting', address: '127.0.0.1', port: 7, route: 'lab' },
        { id, t: 0.5, type: 'connected', local: endpoint(50000), remote: endpoint(7), route: 'lab', elapsedMs: 0.3 },
      ];
      for (const listener of listeners) listener({ seq: ++seq, events: opening });
    }
    const count = Math.min(batchRows, rows - delivered);
    // One buffer per batch, each event a 100-byte view into it, as a decoded frame would give.
    const buffer = new Uint8Array(count * 100);
    const line = new TextEncoder().encode('GET /romeo.txt HTTP/1.0 row ');
    const events = [];
    for (let i = 0; i < count; i++) {
      const n = delivered + i;
      const bytes = buffer.subarray(i * 100, i * 100 + 100);
      bytes.set(line);
      bytes.set(new TextEncoder().encode(String(n).padStart(9, '0')), line.length);
      bytes.fill(0x2e, line.length + 9, 98);
      bytes[98] = 13;
      bytes[99] = 10;
      const dir = n % 2 === 0 ? 'out' : 'in';
      events.push({ id, t: 1 + n * 0.01, type: 'data', dir, offset: Math.floor(n / 2) * 100, bytes });
    }
    delivered += count;
    for (const listener of listeners) listener({ seq: ++seq, events });
    if (delivered < rows) setTimeout(deliver, 0);
    else {
      window.__benchIngest.endedAt = performance.now();
      window.__benchIngest.done = true;
    }
  };
  window.lab = {
    hello: () => ok({ appName: 'Socket Lab', version: 'bench', platform: 'bench', transport: 'web', runtime: {} }),
    labServers: () => ok([]),
    ackEvents: () => ok(null),
    connect: () => ok({ id }),
    send: () => ok({ offset: 0, length: 0 }),
    end: () => ok(null),
    close: () => ok(null),
    abort: () => ok(null),
    listConnections: () => ok([]),
    getProgress: () => ok({ completed: [], current: null, predictions: {} }),
    saveProgress: () => ok(null),
    onEvents(listener) {
      listeners.add(listener);
      if (listeners.size === 1) setTimeout(deliver, 50);
      return () => listeners.delete(listener);
    },
  };
}

/** Part 2: a million rows, then scroll through them and time every frame. */
async function scrollAMillionRows(browser, host) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(installSyntheticLab, { rows: rowCount, batchRows: 10_000 });
  await page.addInitScript(() => {
    window.__benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        window.__benchLongTasks.push({ start: entry.startTime, ms: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(host.url);
  await page.waitForFunction(() => window.__benchIngest?.done === true, null, { timeout: 300_000, polling: 250 });
  await page.waitForFunction(
    (expected) => Number(document.querySelector('[data-testid="log-rows"]')?.getAttribute('data-rows')) >= expected,
    rowCount + 4,
    { timeout: 60_000 },
  );
  const ingest = await page.evaluate(() => window.__benchIngest.endedAt - window.__benchIngest.startedAt);
  const longestTaskMs = await page.evaluate(() => Math.max(0, ...window.__benchLongTasks.map((task) => task.ms)));
  const heapMiB = await heapAfterGc(page);

  const measure = (mode) =>
    page.evaluate(async (how) => {
      const list = document.querySelector('[data-testid="log-rows"]');
      const deltas = [];
      let last = await new Promise((resolve) => requestAnimationFrame(resolve));
      const frames = how === 'sweep' ? 300 : 600;
      const range = list.scrollHeight - list.clientHeight;
      if (how === 'sweep') list.scrollTop = 0;
      for (let i = 1; i <= frames; i++) {
        // sweep: top to bottom in 300 frames (thousands of rows per frame); wheel: 120 px per frame, like a mouse.
        if (how === 'sweep') list.scrollTop = (range * i) / frames;
        else list.scrollTop = Math.max(0, list.scrollTop - 120);
        const now = await new Promise((resolve) => requestAnimationFrame(resolve));
        deltas.push(now - last);
        last = now;
      }
      const lastRow = document.querySelector('[data-testid="log-row"]:last-of-type');
      return { deltas, shownRow: lastRow?.getAttribute('aria-posinset') ?? null };
    }, mode);

  const sweep = await measure('sweep');
  const wheel = await measure('wheel');
  await page.close();
  return { ingestMs: ingest, longestTaskMs, heapMiB, sweep: frameStats(sweep.deltas), wheel: frameStats(wheel.deltas) };
}

const fmt = (value, digits = 1) => Number(value).toFixed(digits);

/** The core benchmark (npm run bench:core) for the same number of bytes, so the UI figure stands next to it. */
function coreHubMiBPerSec(mebibytes) {
  const run = spawnSync(process.execPath, [path.join(root, 'scripts/bench.mjs'), 'core'], {
    encoding: 'utf8',
    env: { ...process.env, BENCH_MB: String(mebibytes), BENCH_ROUNDS: '1' },
  });
  const match = /^hub:\s+([\d.]+) MB\/s/m.exec(run.stdout ?? '');
  if (!match) {
    console.error(run.stdout, run.stderr);
    return null;
  }
  return (Number(match[1]) * 1e6) / MIB;
}

async function main() {
  const outDir = await buildFolder();
  if (!existsSync(path.join(outDir, 'main/web.js'))) {
    throw new Error(`No build in ${outDir}: run npm run build (or set SOCKET_LAB_OUT).`);
  }
  const host = await startWebHost(outDir);
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    console.log(`bench:ui — build ${path.relative(root, outDir) || '.'}, Chromium ${browser.version()}`);

    const bare = await bareEchoRoundTrip(host.echo, streamMiB * MIB);
    const raw = await rawWebSocketInPage(browser, host, await wireCodecSource());
    const stream = await streamThroughWebHost(browser, host);
    console.log(
      `\n1. ${streamMiB} MiB echoed by the lab echo server into the byte log (1 MiB sends, web host, Chromium)`,
    );
    console.log(
      `   throughput:            ${fmt(stream.mibPerSec)} MiB/s  (${fmt(stream.seconds, 2)} s, ${stream.rows} log rows, ${stream.refused} sends refused and retried)`,
    );
    console.log(
      `   bare LabApi WebSocket in the same browser, no store, no rendering: ${fmt(raw)} MiB/s  (ratio ui / raw ${fmt(stream.mibPerSec / raw, 3)})`,
    );
    console.log(
      `   bare node:net client, same echo server: ${fmt(bare)} MiB/s  (ratio ui / bare ${fmt(stream.mibPerSec / bare, 3)})`,
    );
    const core = coreHubMiBPerSec(streamMiB);
    console.log(
      core === null
        ? '   core benchmark (hub + delivery, no browser): could not be run, see above'
        : `   core benchmark (hub + delivery, no browser), same size: ${fmt(core)} MiB/s  (ratio ui / core ${fmt(stream.mibPerSec / core, 3)})`,
    );
    console.log(
      `   longest main-thread task while streaming: ${fmt(stream.longestTaskMs)} ms  (${stream.longTasks} tasks over 50 ms)`,
    );
    console.log(
      `   renderer heap afterwards (after GC): JS ${fmt(stream.heapMiB.jsMiB)} MiB + ArrayBuffers ${fmt(stream.heapMiB.arrayBuffersMiB)} MiB`,
    );

    const rows = await scrollAMillionRows(browser, host);
    console.log(
      `\n2. ${rowCount.toLocaleString('en-US')} rows of 100 bytes in the byte log (stand-in LabApi in the page)`,
    );
    console.log(`   ingest (store + log, batches of 10,000): ${fmt(rows.ingestMs / 1000, 2)} s`);
    console.log(
      `   renderer heap with the rows (after GC): JS ${fmt(rows.heapMiB.jsMiB)} MiB + ArrayBuffers ${fmt(rows.heapMiB.arrayBuffersMiB)} MiB`,
    );
    console.log(`   longest main-thread task while ingesting: ${fmt(rows.longestTaskMs)} ms`);
    console.log(
      `   sweep top to bottom in 300 frames: p50 ${fmt(rows.sweep.p50)} ms, p95 ${fmt(rows.sweep.p95)} ms, max ${fmt(rows.sweep.max)} ms`,
    );
    console.log(
      `   wheel-like 120 px per frame (600):  p50 ${fmt(rows.wheel.p50)} ms, p95 ${fmt(rows.wheel.p95)} ms, max ${fmt(rows.wheel.max)} ms`,
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
