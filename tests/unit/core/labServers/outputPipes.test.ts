/**
 * Issue 12.1: a closed output pipe (`npm run lab-server | head`, a closed IDE panel) must never stop a server. Each
 * test starts the real program with stdout a pipe, reads its first lines, closes the reading end, provokes a log
 * line (EPIPE on the next write), and checks the server still answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { compileCli } from './compileCli';
import { exchange, splitReply } from './helpers';

interface Started {
  child: ChildProcess;
  firstOutput: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node args`, reads stdout until `ready` shows, then closes the reading end of the pipe for good. */
async function startThenCloseStdout(args: string[], ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 15 s: ${stdout} ${stderr}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`exited before it was ready: ${stdout} ${stderr}`)));
  });
  // The reader goes away, as `| head` does after its lines: the next write gets EPIPE.
  child.stdout?.destroy();
  return { child, firstOutput: stdout, stderr: () => stderr, exited };
}

async function stop(started: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGTERM');
  return started.exited;
}

describe('npm run lab-server with a closed stdout', () => {
  it('keeps serving after the pipe it logs to has closed', async () => {
    const { dir, entry } = await compileCli();
    const started = await startThenCloseStdout(
      [entry, '--http-port', '0', '--echo-port', '0', '--smtp-port', '0', '--pop-port', '0', '--https-port', '0'],
      /Press Ctrl\+C to stop\./,
    );
    try {
      const port = Number(/http:\/\/127\.0\.0\.1:(\d+)\/romeo\.txt/.exec(started.firstOutput)?.[1]);
      expect(port).toBeGreaterThan(0);
      // Each request writes a log line to the closed pipe; the first one used to end the process.
      for (let round = 0; round < 3; round += 1) {
        const reply = splitReply(await exchange(port, 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'));
        expect(reply.statusLine, `request ${round + 1}`).toBe('HTTP/1.1 200 OK');
      }
      expect(started.child.exitCode).toBeNull();
      expect(await stop(started)).toEqual({ code: 0, signal: null });
      expect(started.stderr()).toBe('');
    } finally {
      started.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const WEB_ENTRY = path.resolve('out/main/web.js');
const built = existsSync(WEB_ENTRY);
if (!built) console.log(`Skipping the web-host pipe test: ${WEB_ENTRY} is not built yet (npm run build, or npm test).`);

describe.skipIf(!built)('npm run web with a closed stdout', () => {
  it('keeps serving after a tokenless WebSocket makes it log to the closed pipe', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-pipe-'));
    const started = await startThenCloseStdout(
      [WEB_ENTRY, '--no-open', '--data-dir', dataDir],
      /Lab HTTP server[^\n]*: 127\.0\.0\.1:\d+\n/,
    );
    try {
      const link = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=[A-Za-z0-9_-]+)/.exec(started.firstOutput);
      const webPort = Number(link?.[2]);
      expect(webPort).toBeGreaterThan(0);
      for (let round = 0; round < 3; round += 1) {
        // Refused for want of a token, and the refusal is logged: the write that used to kill the host.
        const socket = new WebSocket(`ws://127.0.0.1:${webPort}/`, {
          headers: { Origin: `http://127.0.0.1:${webPort}` },
        });
        await new Promise<void>((resolve) => {
          socket.once('error', () => resolve());
          socket.once('close', () => resolve());
          socket.once('unexpected-response', () => resolve());
        });
        socket.terminate();
      }
      const page = await fetch(link?.[1] as string);
      expect(page.status).toBe(200);
      expect(started.child.exitCode).toBeNull();
      expect((await stop(started)).code).toBe(0);
    } finally {
      started.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
