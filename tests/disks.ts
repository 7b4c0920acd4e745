/**
 * Disks of the tests' own for storage faults: a tiny tmpfs (full in a few KiB, or mounted read-only) where this
 * machine lets the tests mount one (root on Linux). Shared by the unit fault suite and the end-to-end tests.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A folder on a tmpfs of its own mounted with `options` (e.g. 'size=64k', 'ro'), or why this machine will not
 *  make one. `remove` unmounts it and deletes the folder. */
export function tinyDisk(options: string): { dir: string; remove: () => void } | { skip: string } {
  if (process.platform !== 'linux') return { skip: `tmpfs mounts are a Linux feature; this is ${process.platform}` };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const words = String((error as { stderr?: Buffer }).stderr ?? error).trim();
    return { skip: `this machine does not let the tests mount a tmpfs (${words || 'mount failed'})` };
  }
  return {
    dir,
    remove: () => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the disk that holds `dir` to the last byte; returns the filler, to delete for room again. */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  // The last few bytes too, so no small write fits.
  try {
    for (;;) writeSync(fd, block.subarray(0, 1));
  } catch {
    // full
  } finally {
    closeSync(fd);
  }
  return filler;
}
