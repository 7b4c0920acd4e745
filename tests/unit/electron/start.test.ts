/**
 * `npm start` where Electron's binary is missing starts the lab in the browser through the web host, saying so in
 * one line, instead of stopping. Run for real: scripts/start.mjs, the web host it starts, a request to it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('npm start without the Electron binary', () => {
  it('says so in one line and starts the web host, which answers on loopback and stops on SIGTERM', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'socket-lab-start-'));
    // An empty Electron folder: the binary is missing whether or not this machine has one installed.
    const child = spawn(process.execPath, ['scripts/start.mjs', '--no-open', '--data-dir', path.join(dir, 'data')], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const look = () => {
          const found = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(output)?.[0];
          if (found) resolve(found);
        };
        child.stdout.on('data', look);
        void exited.then((code) => reject(new Error(`start.mjs exited (${code}) before the web host ran:\n${output}`)));
      });
      const notice = output.split('\n').filter((line) => line.includes('opens in your browser instead'));
      expect(notice).toHaveLength(1);
      expect(notice[0]).toMatch(
        /^socket-lab: the desktop app cannot start here \(.+\), so the lab opens in your browser instead, through the web host \(npm run web\)\.$/,
      );
      expect(output).not.toMatch(/Error|at .*\.js:\d+/);
      // The web host itself answers (the page, or a refusal of a link without its token: either way it runs).
      expect(await statusOf(url)).toBeGreaterThanOrEqual(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});
