import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressStore, validateProgress } from '../../../src/main/core/progress';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'socket-lab-progress-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('lab progress on disk', () => {
  it('survives a restart (a new store on the same folder)', async () => {
    const dir = tempDir();
    await new ProgressStore(dir).save({
      completed: ['reliable-pipe'],
      current: 'ports',
      predictions: { 'headers-body': '167' },
    });
    expect(await new ProgressStore(dir).load()).toEqual({
      completed: ['reliable-pipe'],
      current: 'ports',
      predictions: { 'headers-body': '167' },
    });
  });

  it('starts empty when there is no file, and sets a corrupt file aside instead of losing it', async () => {
    const dir = tempDir();
    expect(await new ProgressStore(dir).load()).toEqual({ completed: [], current: null, predictions: {} });
    writeFileSync(path.join(dir, 'progress.json'), '{"completed": [tru');
    expect(await new ProgressStore(dir).load()).toEqual({ completed: [], current: null, predictions: {} });
    const kept = readdirSync(dir).find((name) => name.startsWith('progress.json.corrupt-'));
    expect(kept).toBeDefined();
    expect(readFileSync(path.join(dir, kept ?? ''), 'utf8')).toBe('{"completed": [tru');
  });

  it('keeps the last of several quick saves', async () => {
    const dir = tempDir();
    const store = new ProgressStore(dir);
    await Promise.all(['a', 'b', 'c'].map((step) => store.save({ completed: [step], current: step, predictions: {} })));
    expect((await store.load()).current).toBe('c');
  });

  it('never sets a fresh save aside while it reads a corrupt file (two tabs: one opening, one saving)', async () => {
    const saved = { completed: ['reliable-pipe'], current: 'ports', predictions: {} };
    // A race: without ordering, some of these attempts lose the save (it lands in progress.json.corrupt-*).
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'progress.json'), '{"completed": [tru');
      const store = new ProgressStore(dir);
      await Promise.all([store.load(), store.save(saved)]);
      expect(await new ProgressStore(dir).load()).toEqual(saved);
    }
  });

  it('keeps an optional learner name, and still loads progress saved before names existed', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'progress.json'),
      JSON.stringify({ completed: ['reliable-pipe'], current: 'ports', predictions: {} }),
    );
    expect(await new ProgressStore(dir).load()).toEqual({
      completed: ['reliable-pipe'],
      current: 'ports',
      predictions: {},
    });
    await new ProgressStore(dir).save({ completed: [], current: null, predictions: {}, learnerName: 'Ada Lovelace' });
    expect((await new ProgressStore(dir).load()).learnerName).toBe('Ada Lovelace');

    const named = (learnerName: unknown) =>
      validateProgress({ completed: [], current: null, predictions: {}, learnerName });
    expect(named('  Grace  ')).toEqual({
      ok: true,
      value: { completed: [], current: null, predictions: {}, learnerName: 'Grace' },
    });
    expect(named('   ')).toEqual({ ok: true, value: { completed: [], current: null, predictions: {} } });
    expect(named('Zoë Ñúñez 李')).toMatchObject({ ok: true, value: { learnerName: 'Zoë Ñúñez 李' } });
    for (const bad of [42, 'x'.repeat(81), 'two\nlines', 'bell\u0007']) {
      const result = named(bad);
      expect(result.ok).toBe(false);
      expect(result.ok || result.error.message).toContain('learnerName');
    }
  });

  it('refuses progress of the wrong shape', () => {
    expect(validateProgress({ completed: ['ok'], current: null, predictions: {} }).ok).toBe(true);
    expect(validateProgress(null).ok).toBe(false);
    expect(validateProgress({ completed: 'all', current: null, predictions: {} }).ok).toBe(false);
    expect(validateProgress({ completed: ['../x'], current: null, predictions: {} }).ok).toBe(false);
    expect(validateProgress({ completed: [], current: null, predictions: {}, admin: true }).ok).toBe(false);
    expect(validateProgress({ completed: [], current: null, predictions: { a: 'x'.repeat(5000) } }).ok).toBe(false);
  });
});
