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
  output: () => string;
  stop: () => Promise<void>;
}

const root = path.resolve(__dirname, '../..');
/** The build to test; SOCKET_LAB_OUT lets two people test two builds side by side. */
const outDir = path.resolve(root, process.env.SOCKET_LAB_OUT ?? 'out');

export async function startWebHostProcess(extraArgs: string[] = []): Promise<RunningWebHost> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(outDir, 'main/web.js'), '--no-open', '--data-dir', dataDir, ...extraArgs],
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
  return {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
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
