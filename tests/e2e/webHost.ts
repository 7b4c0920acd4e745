/** Starts the real web host (`node out/main/web.js --no-open`) and reads the link it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';

export interface RunningWebHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  output: () => string;
  /** The port a lab server listens on, as the web host printed it ("Lab HTTP server …: 127.0.0.1:PORT"). */
  labPort: (kind: 'HTTP' | 'echo' | 'SMTP' | 'POP') => number;
  stop: () => Promise<void>;
  /** kill -9: the web host dies at once, as in a crash or a power cut (its data folder stays). */
  kill: () => Promise<void>;
}

const root = path.resolve(__dirname, '../..');
/** The build to test; SOCKET_LAB_OUT lets two people test two builds side by side. */
const outDir = path.resolve(root, process.env.SOCKET_LAB_OUT ?? 'out');

export async function startWebHostProcess(
  extraArgs: string[] = [],
  options: {
    dataDir?: string;
    /** Open the lab with this program (as a learner's browser), not --no-open. */ browser?: string;
  } = {},
): Promise<RunningWebHost> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'socket-lab-e2e-'));
  const opening = options.browser === undefined ? ['--no-open'] : ['--browser', options.browser];
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(outDir, 'main/web.js'), ...opening, '--data-dir', dataDir, ...extraArgs],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the web host printed no link in 15 s:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
  };
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    output: () => output,
    labPort: (kind) => {
      const match = new RegExp(`Lab ${kind}[^\\n]*: 127\\.0\\.0\\.1:(\\d+)`).exec(output);
      if (!match?.[1]) throw new Error(`the web host printed no port for the lab ${kind} server:\n${output}`);
      return Number(match[1]);
    },
    stop: async () => {
      await end('SIGTERM');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
  };
}

/** Each test gets a web host of its own: saved guide progress and open connections never leak between tests. */
export const test = base.extend<{ webHost: RunningWebHost }>({
  // Playwright reads the fixture's dependencies from this destructuring; this one has none.
  // eslint-disable-next-line no-empty-pattern
  webHost: async ({}, use) => {
    const host = await startWebHostProcess();
    await use(host);
    await host.stop();
  },
});

export { expect } from '@playwright/test';
