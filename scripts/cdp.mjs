// A small Chrome DevTools Protocol client over --remote-debugging-pipe, for bench:ui. Playwright turns on the
// Network domain, which copies every WebSocket frame into CDP events; this client enables only what it asks for.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Starts a headless Chromium that speaks CDP on fds 3 (commands in) and 4 (replies and events out). */
export function launchChromium({ executablePath, args = [] }) {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-bench-chromium-'));
  const child = spawn(
    executablePath,
    [...args, '--headless', '--remote-debugging-pipe', `--user-data-dir=${userDataDir}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  return new Browser(child, userDataDir);
}

class Browser {
  #child;
  #userDataDir;
  #nextId = 1;
  #pending = new Map();
  #listeners = new Set();
  #stderr = '';
  #exited;

  constructor(child, userDataDir) {
    this.#child = child;
    this.#userDataDir = userDataDir;
    child.stderr.on('data', (chunk) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4000)));
    this.#exited = new Promise((resolve) => child.once('exit', resolve));
    void this.#exited.then(() => {
      for (const { reject } of this.#pending.values()) reject(new Error(`Chromium exited:\n${this.#stderr}`));
      this.#pending.clear();
    });
    let buffered = '';
    child.stdio[4].setEncoding('utf8');
    child.stdio[4].on('data', (text) => {
      buffered += text;
      let end;
      while ((end = buffered.indexOf('\0')) !== -1) {
        const message = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        this.#receive(message);
      }
    });
  }

  #receive(message) {
    if (message.id !== undefined) {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (!waiter) return;
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
      return;
    }
    for (const listener of this.#listeners) listener(message);
  }

  /** One CDP command; resolves with its result, rejects with its error. */
  send(method, params = {}, sessionId = undefined) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#child.stdio[3].write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  }

  /** Calls `listener` for every event; returns a function that stops it. */
  onEvent(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async version() {
    return (await this.send('Browser.getVersion')).product;
  }

  /** A new tab of `width` × `height`, attached, with only Page and Runtime enabled. */
  async newPage({ width = 1440, height = 900 } = {}) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId, targetId);
    // Closing a tab must never wait on a "leave site?" question.
    this.onEvent((message) => {
      if (message.sessionId === sessionId && message.method === 'Page.javascriptDialogOpening') {
        void page.send('Page.handleJavaScriptDialog', { accept: true }).catch(() => undefined);
      }
    });
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  async close() {
    try {
      await Promise.race([this.send('Browser.close'), this.#exited]);
    } catch {
      this.#child.kill('SIGKILL');
    }
    await this.#exited;
    rmSync(this.#userDataDir, { recursive: true, force: true });
  }
}

class Page {
  #browser;
  #sessionId;
  #targetId;
  #performance = false;

  constructor(browser, sessionId, targetId) {
    this.#browser = browser;
    this.#sessionId = sessionId;
    this.#targetId = targetId;
  }

  send(method, params = {}) {
    return this.#browser.send(method, params, this.#sessionId);
  }

  /** Resolves on the next event `method` of this page. */
  nextEvent(method) {
    return new Promise((resolve) => {
      const stop = this.#browser.onEvent((message) => {
        if (message.sessionId !== this.#sessionId || message.method !== method) return;
        stop();
        resolve(message.params);
      });
    });
  }

  /** Runs `fn(arg)` in every document this page loads from now on, before the page's own scripts. */
  async addInitScript(fn, arg) {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source: `(${fn})(${JSON.stringify(arg)});` });
  }

  async goto(url) {
    const loaded = this.nextEvent('Page.loadEventFired');
    await this.send('Page.navigate', { url });
    await loaded;
  }

  /** `fn(arg)` in the page, awaited; its value comes back as JSON. */
  async evaluate(fn, arg) {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', {
      expression: `(${fn})(${JSON.stringify(arg)})`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) {
      const text = exceptionDetails.exception?.description ?? exceptionDetails.text;
      throw new Error(`in the page: ${text}`);
    }
    return result.value;
  }

  /** Polls `fn(arg)` in the page until it returns something truthy. */
  async waitFor(fn, arg, { timeoutMs = 60_000, pollMs = 50, what = 'a condition' } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate(fn, arg);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async screenshot(file) {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
    writeFileSync(file, Buffer.from(data, 'base64'));
  }

  /** Milliseconds of CPU the page's main thread has spent in tasks so far (thread time, not wall time). */
  async mainThreadMs() {
    if (!this.#performance) {
      await this.send('Performance.enable', { timeDomain: 'threadTicks' });
      this.#performance = true;
    }
    const { metrics } = await this.send('Performance.getMetrics');
    return (metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? Number.NaN) * 1000;
  }

  /** JS heap and ArrayBuffer bytes after a forced garbage collection, in MiB. */
  async heapAfterGc() {
    await this.send('HeapProfiler.collectGarbage');
    const usage = await this.send('Runtime.getHeapUsage');
    return { jsMiB: usage.usedSize / 2 ** 20, arrayBuffersMiB: usage.backingStorageSize / 2 ** 20 };
  }

  async close() {
    await this.#browser.send('Target.closeTarget', { targetId: this.#targetId });
  }
}
