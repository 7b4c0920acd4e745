/**
 * Fault suite: a data folder the lab cannot write (issues 12.7 and the fault list of 12), through the real web
 * host and a real WebSocket. A full disk is a tiny tmpfs (size=64k) where this machine lets us mount one (root on
 * Linux), else /dev/full stands in for the progress file; a read-only disk is a tmpfs mounted ro. Each says in
 * plain words what cannot be saved, where and why, and nothing crashes: the lab goes on answering.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName, HelloInfo } from '../../../src/shared/contract';
import type { LabError, Result } from '../../../src/shared/errors';
import { startLabApp, type LabApp } from '../../../src/main/core/labApp';
import { startWebHost, type WebHost } from '../../../src/main/web/server';
import { fillDisk, tinyDisk as mountTinyDisk } from '../../disks';
import { openTab as openHostTab } from './echoHost';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tiny tmpfs for the data folder, unmounted after the test; or why this machine will not make one. */
function tinyDisk(options: string): { dir: string } | { skip: string } {
  const disk = mountTinyDisk(options);
  if ('remove' in disk) cleanups.push(disk.remove);
  return disk;
}

interface Tab {
  call: <T = unknown>(name: CommandName, ...args: unknown[]) => Promise<Result<T>>;
  received: () => string;
  /** What batches said, unasked, of a journal that stopped mid-session. */
  journalProblems: LabError[];
  close: () => void;
}

async function startLab(dataDir: string): Promise<{ app: LabApp; host: WebHost }> {
  const rendererDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-renderer-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  const app = await startLabApp({ appVersion: '0.0.0', runtime: {}, dataDir });
  const host = await startWebHost({ app, rendererDir });
  cleanups.push(async () => {
    await host.close();
    await app.stop();
    rmSync(rendererDir, { recursive: true, force: true });
  });
  return { app, host };
}

async function openTab(host: WebHost): Promise<Tab> {
  const tab = await openHostTab(host);
  cleanups.push(async () => {
    await tab.close();
  });
  return {
    call: tab.call,
    journalProblems: tab.journalProblems,
    received: () =>
      tab.events
        .map((event) =>
          event.type === 'data' && event.dir === 'in' ? Buffer.from(event.bytes).toString('latin1') : '',
        )
        .join(''),
    close: () => void tab.close(),
  };
}

const progress = { completed: ['reliable-pipe'], current: 'ports', predictions: { ports: 'echo answers' } };

/** The lab still does its work: an echo through the lab's own echo server comes back whole. */
async function echoWorks(tab: Tab): Promise<void> {
  const connected = await tab.call<{ id: string }>('connect', { host: 'echo.lab.test', port: 7 });
  if (!connected.ok) throw new Error(connected.error.message);
  const text = `still here ${Math.random()}\r\n`;
  expect(await tab.call('send', connected.value.id, new TextEncoder().encode(text))).toMatchObject({ ok: true });
  await expect.poll(() => tab.received().includes(text), { timeout: 5_000 }).toBe(true);
}

describe('a full disk for the data folder', () => {
  it('from the start: the journal and a progress save say so, where and why; the lab works, and saves once there is room', async (context) => {
    const disk = tinyDisk('size=64k');
    if ('skip' in disk) {
      console.warn(`Skipping the full-disk test: ${disk.skip}.`);
      return context.skip();
    }
    const { host } = await startLab(disk.dir);
    const filler = fillDisk(disk.dir);
    const tab = await openTab(host);

    const hello = await tab.call<HelloInfo>('hello');
    expect(hello).toMatchObject({ ok: true, value: { sessionId: null } });
    expect(hello.ok && hello.value.journalProblem).toMatchObject({
      code: 'STORAGE',
      message: `The disk that holds the sessions folder ${path.join(disk.dir, 'sessions')} is full.`,
      hint: expect.stringContaining('Free some space'),
    });

    const saved = await tab.call('saveProgress', progress);
    expect(saved).toEqual({
      ok: false,
      error: {
        code: 'STORAGE',
        message: `Your guide progress cannot be saved in ${disk.dir}: the disk is full.`,
        hint: 'Free some disk space, then try again.',
        detail: 'ENOSPC',
      },
    });
    // No half-written file is left behind to take the room a later save needs.
    expect(existsSync(path.join(disk.dir, `progress.json.${process.pid}.tmp`))).toBe(false);
    expect(await tab.call('getProgress')).toMatchObject({ ok: true });
    await echoWorks(tab);

    rmSync(filler);
    expect(await tab.call('saveProgress', progress)).toEqual({ ok: true, value: null });
    expect(await tab.call('getProgress')).toEqual({ ok: true, value: progress });
  });

  it('mid-session: the journal stops, the tab is told at once and hello says why; the session goes on', async (context) => {
    const disk = tinyDisk('size=64k');
    if ('skip' in disk) {
      console.warn(`Skipping the full-disk test: ${disk.skip}.`);
      return context.skip();
    }
    const { host } = await startLab(disk.dir);
    const tab = await openTab(host);
    const before = await tab.call<HelloInfo>('hello');
    expect(before.ok && before.value.sessionId).toBeTruthy();
    expect(before.ok && before.value.journalProblem).toBeUndefined();

    fillDisk(disk.dir);
    // The echo's bytes go to the journal; the write that finds the disk full stops it, and the next batch says so
    // without being asked (the journal writes in the background, so it may take a few echoes).
    for (let round = 0; round < 50 && tab.journalProblems.length === 0; round += 1) await echoWorks(tab);
    await expect.poll(() => tab.journalProblems.length, { timeout: 5_000 }).toBe(1);
    const full = {
      code: 'STORAGE',
      message: `The disk that holds the sessions folder ${path.join(disk.dir, 'sessions')} is full.`,
    };
    expect(tab.journalProblems[0]).toMatchObject(full);
    const hello = await tab.call<HelloInfo>('hello');
    expect(hello.ok && hello.value.journalProblem).toEqual(tab.journalProblems[0]);
    expect(await tab.call('saveProgress', progress)).toMatchObject({
      ok: false,
      error: { code: 'STORAGE', message: expect.stringContaining('the disk is full') },
    });
    await echoWorks(tab);
    // Said once: later batches carry events only.
    expect(tab.journalProblems).toHaveLength(1);
  });

  it('where no tmpfs can be mounted, /dev/full still shows a progress save saying the disk is full', async (context) => {
    if (!existsSync('/dev/full')) {
      console.warn('Skipping the /dev/full test: this system has no /dev/full.');
      return context.skip();
    }
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-devfull-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // The progress store writes a temp file then renames it; this one is /dev/full, where every write is ENOSPC.
    symlinkSync('/dev/full', path.join(dataDir, `progress.json.${process.pid}.tmp`));
    const { host } = await startLab(dataDir);
    const tab = await openTab(host);
    expect(await tab.call('saveProgress', progress)).toMatchObject({
      ok: false,
      error: { code: 'STORAGE', message: `Your guide progress cannot be saved in ${dataDir}: the disk is full.` },
    });
    await echoWorks(tab);
  });
});

describe('a read-only disk for the data folder', () => {
  it('the journal and a progress save say it is read-only, and where', async (context) => {
    const disk = tinyDisk('size=64k');
    if ('skip' in disk) {
      console.warn(`Skipping the read-only disk test: ${disk.skip}.`);
      return context.skip();
    }
    mkdirSync(path.join(disk.dir, 'sessions'));
    execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
    const { host } = await startLab(disk.dir);
    const tab = await openTab(host);
    const hello = await tab.call<HelloInfo>('hello');
    expect(hello.ok && hello.value.journalProblem).toMatchObject({
      code: 'STORAGE',
      message: `The sessions folder ${path.join(disk.dir, 'sessions')} is on a disk that is read-only.`,
    });
    expect(await tab.call('saveProgress', progress)).toMatchObject({
      ok: false,
      error: {
        code: 'STORAGE',
        message: `Your guide progress cannot be saved in ${disk.dir}: that folder is on a read-only disk.`,
        detail: 'EROFS',
      },
    });
    await echoWorks(tab);
  });
});
