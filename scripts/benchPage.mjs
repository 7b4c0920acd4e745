// What the Chromium benchmarks (bench:ui, bench:timeline) share: the build they time, the web host serving it, and a
// stand-in LabApi for the parts that time the page alone.
/* global window */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { webHostArgs } from './web-host.cjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The build to time: SOCKET_LAB_OUT, or out/ (built first when it is missing or stale). */
export async function buildFolder() {
  if (process.env.SOCKET_LAB_OUT) return path.resolve(root, process.env.SOCKET_LAB_OUT);
  const { ensureBuilt } = await import('./ensure-built.mjs');
  ensureBuilt();
  return path.join(root, 'out');
}

/**
 * `node <out>/main/web.js --no-open` in a data folder of its own; resolves with its link once the lab servers are up.
 * `profileDir`: the web host writes a CPU profile there when it exits (node --cpu-prof).
 */
export async function startWebHost(outDir, { profileDir } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-bench-'));
  const profiling = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...profiling, ...webHostArgs(outDir, ['--no-open', '--data-dir', dataDir])], {
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
  return {
    url,
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

/**
 * Init script: `window.lab` answers hello and the lists, empty, and anything else with null; events reach the page
 * through `window.__benchEmit(events)`, one batch per call. Each bench's own init script (added after this one)
 * makes the events; `window.__benchOpened(id, host, port)` gives the four that open a lab connection to 127.0.0.1.
 */
export function installStandInLab() {
  const ok = (value) => Promise.resolve({ ok: true, value });
  const listeners = new Set();
  let seq = 0;
  window.__benchEmit = (events) => {
    seq += 1;
    for (const listener of listeners) listener({ seq, events });
  };
  window.__benchOpened = (id, host, port) => {
    const endpoint = (at) => ({ address: '127.0.0.1', port: at, family: 'IPv4' });
    return [
      { id, t: 0, type: 'resolving', host, port, route: 'lab' },
      { id, t: 0.1, type: 'resolved', addresses: ['127.0.0.1'], chosen: '127.0.0.1' },
      { id, t: 0.2, type: 'connecting', address: '127.0.0.1', port, route: 'lab' },
      { id, t: 0.5, type: 'connected', local: endpoint(50000), remote: endpoint(port), route: 'lab', elapsedMs: 0.3 },
    ];
  };
  const known = {
    hello: () =>
      ok({
        appName: 'Socket Lab',
        version: 'bench',
        platform: 'bench',
        transport: 'web',
        runtime: {},
        sessionId: null,
      }),
    labServers: () => ok([]),
    listConnections: () => ok([]),
    listSessions: () => ok([]),
    recoverableSessions: () => ok([]),
    getProgress: () => ok({ completed: [], current: null, predictions: {} }),
    onEvents(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  window.lab = new Proxy(known, { get: (target, name) => target[name] ?? (() => ok(null)) });
}
