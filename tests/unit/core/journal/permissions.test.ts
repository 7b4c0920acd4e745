import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleChild } from './fixture/bundle';
import { tempDir } from './helpers';

// Root may write anywhere, so as root the check runs in a child process as user "nobody" (uid 65534).
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function runStorageChild(child: string, dir: string): Record<string, unknown> {
  const result = spawnSync(process.execPath, [child, 'storage', dir], {
    encoding: 'utf8',
    ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`the child failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim()) as Record<string, unknown>;
}

describe.skipIf(process.platform === 'win32')('SessionStore in a folder it may not write', () => {
  let child: string;
  let canDropToNobody = true;
  beforeAll(async () => {
    child = await bundleChild();
    // "nobody" must be able to reach and read the bundle.
    chmodSync(path.dirname(child), 0o755);
    if (isRoot) {
      const probe = spawnSync(process.execPath, ['-e', ''], { uid: NOBODY, gid: NOBODY });
      canDropToNobody = probe.status === 0;
      if (!canDropToNobody) console.warn(`Skipping: running as root and cannot run a child as uid ${NOBODY} here.`);
    }
  }, 60_000);
  afterAll(() => rmSync(path.dirname(child), { recursive: true, force: true }));

  it('a read-only sessions folder: start and import fail with STORAGE in plain words naming it; nothing crashes', (context) => {
    if (!canDropToNobody) return context.skip();
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const dir = path.join(parent, 'sessions');
    mkdirSync(dir, { mode: 0o555 });
    chmodSync(dir, 0o555);
    const result = runStorageChild(child, dir);
    expect(result).toMatchObject({
      problem: null,
      started: false,
      storageError: {
        code: 'STORAGE',
        message: `The lab may not write in its sessions folder ${dir} (permission denied).`,
        hint: expect.stringContaining('--data-dir'),
        detail: 'EACCES',
      },
      journal: 'EACCES',
      import: { code: 'STORAGE', detail: 'EACCES' },
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a sessions folder that cannot be made under a read-only parent: init notes it, start says why', (context) => {
    if (!canDropToNobody) return context.skip();
    const parent = tempDir();
    chmodSync(parent, 0o555);
    const dir = path.join(parent, 'sessions');
    const result = runStorageChild(child, dir);
    expect(result).toMatchObject({
      problem: { code: 'STORAGE', detail: 'EACCES' },
      started: false,
      storageError: { code: 'STORAGE', message: expect.stringContaining(dir) },
    });
    chmodSync(parent, 0o755);
  });
});
