/** Where the window opens again, and what the settings file may hold. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW,
  loadSettings,
  parseSettings,
  placeWindow,
  saveSettings,
  SETTINGS_FILE,
} from '../../../src/main/electron/desktopSettings';

const laptop = { workArea: { x: 0, y: 0, width: 1440, height: 870 } };
const monitor = { workArea: { x: 1440, y: -200, width: 2560, height: 1400 } };

describe('placeWindow', () => {
  it('opens at the default size the first time', () => {
    expect(placeWindow(undefined, [laptop], laptop)).toEqual({
      width: DEFAULT_WINDOW.width,
      height: DEFAULT_WINDOW.height,
    });
  });

  it('puts the window back exactly where it was while that display is there', () => {
    const saved = { x: 1600, y: -100, width: 1800, height: 1100 };
    expect(placeWindow(saved, [laptop, monitor], laptop)).toEqual(saved);
    expect(placeWindow({ x: 40, y: 30, width: 1000, height: 700 }, [laptop], laptop)).toEqual({
      x: 40,
      y: 30,
      width: 1000,
      height: 700,
    });
  });

  it('brings a window from a display that is gone onto the primary one, shrunk to fit', () => {
    const placed = placeWindow({ x: 1600, y: -100, width: 1800, height: 1100 }, [laptop], laptop);
    expect(placed).toEqual({ x: 0, y: 0, width: 1440, height: 870 });
  });

  it('moves a window whose title bar is off the top or far to the side back on screen', () => {
    for (const saved of [
      { x: 100, y: -600, width: 900, height: 700 },
      { x: 1400, y: 100, width: 900, height: 700 },
      { x: -880, y: 100, width: 900, height: 700 },
    ]) {
      const placed = placeWindow(saved, [laptop], laptop);
      expect(placed.x, JSON.stringify(saved)).toBeGreaterThanOrEqual(0);
      expect(placed.y).toBeGreaterThanOrEqual(0);
      expect((placed.x ?? 0) + placed.width).toBeLessThanOrEqual(1440);
      expect((placed.y ?? 0) + placed.height).toBeLessThanOrEqual(870);
      expect(placed).toMatchObject({ width: 900, height: 700 });
    }
  });

  it('never makes a window smaller than the smallest the lab fits in', () => {
    const tiny = { workArea: { x: 0, y: 0, width: 640, height: 400 } };
    const placed = placeWindow({ x: 0, y: 0, width: 1280, height: 840 }, [tiny], tiny);
    expect(placed).toMatchObject({ width: DEFAULT_WINDOW.minWidth, height: DEFAULT_WINDOW.minHeight });
  });
});

describe('the settings file', () => {
  it('keeps what it recognises and defaults the rest', () => {
    expect(parseSettings(null)).toEqual({ theme: 'system' });
    expect(parseSettings('not json')).toEqual({ theme: 'system' });
    expect(parseSettings('[1,2]')).toEqual({ theme: 'system' });
    expect(parseSettings('{"theme":"purple","window":{"x":"1","y":0,"width":10,"height":10}}')).toEqual({
      theme: 'system',
    });
    expect(parseSettings('{"window":{"x":1,"y":2,"width":-5,"height":10}}')).toEqual({ theme: 'system' });
    expect(
      parseSettings('{"theme":"dark","window":{"x":-20,"y":2,"width":900,"height":700,"maximized":true}}'),
    ).toEqual({ theme: 'dark', window: { x: -20, y: 2, width: 900, height: 700, maximized: true } });
  });

  it('is written whole and read back; a missing folder or damaged file reads as the defaults', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'socket-lab-settings-'));
    try {
      expect(await loadSettings(path.join(dir, 'missing'))).toEqual({ theme: 'system' });
      const settings = { theme: 'light' as const, window: { x: 5, y: 6, width: 800, height: 600, maximized: false } };
      await saveSettings(dir, settings);
      expect(JSON.parse(await readFile(path.join(dir, SETTINGS_FILE), 'utf8'))).toEqual(settings);
      expect(await loadSettings(dir)).toEqual(settings);
      await writeFile(path.join(dir, SETTINGS_FILE), '{"theme": "dark", "window": ');
      expect(await loadSettings(dir)).toEqual({ theme: 'system' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
