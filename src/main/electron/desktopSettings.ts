/**
 * What the desktop app remembers between runs beside the lab's own data: where its window was and which theme the
 * learner picked. One small JSON file in the app's data folder; a missing or damaged file means the defaults.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../core/transcripts/atomicWrite';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type ThemeChoice = 'system' | 'light' | 'dark';

export interface DesktopSettings {
  window?: WindowBounds & { maximized: boolean };
  theme: ThemeChoice;
}

export const SETTINGS_FILE = 'desktop.json';
export const DEFAULT_WINDOW = { width: 1280, height: 840, minWidth: 720, minHeight: 480 } as const;

/** A display's usable area (Electron's Display.workArea). */
export interface WorkArea {
  workArea: WindowBounds;
}

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);

function parseBounds(value: unknown): (WindowBounds & { maximized: boolean }) | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { x, y, width, height, maximized } = value as Record<string, unknown>;
  if (![x, y, width, height].every(isInteger)) return undefined;
  if ((width as number) <= 0 || (height as number) <= 0) return undefined;
  return {
    x: x as number,
    y: y as number,
    width: width as number,
    height: height as number,
    maximized: maximized === true,
  };
}

/** Reads the settings file's text; anything it does not recognise is left at its default. */
export function parseSettings(text: string | null): DesktopSettings {
  let raw: unknown;
  try {
    raw = text === null ? null : JSON.parse(text);
  } catch {
    raw = null;
  }
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const settings: DesktopSettings = {
    theme: record.theme === 'light' || record.theme === 'dark' ? record.theme : 'system',
  };
  const window = parseBounds(record.window);
  if (window) settings.window = window;
  return settings;
}

export async function loadSettings(dataDir: string): Promise<DesktopSettings> {
  try {
    return parseSettings(await readFile(path.join(dataDir, SETTINGS_FILE), 'utf8'));
  } catch {
    return parseSettings(null);
  }
}

export async function saveSettings(dataDir: string, settings: DesktopSettings): Promise<void> {
  const text = JSON.stringify(settings, null, 2) + '\n';
  await writeFileAtomically(
    path.join(dataDir, SETTINGS_FILE),
    (async function* () {
      yield Buffer.from(text, 'utf8');
    })(),
  );
}

function overlap(a: WindowBounds, b: WindowBounds): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/** Enough of the window's top edge on a display that the learner can grab it and drag it. */
function titleBarReachable(bounds: WindowBounds, area: WindowBounds): boolean {
  const grab = { x: bounds.x, y: bounds.y, width: bounds.width, height: Math.min(32, bounds.height) };
  const visible = overlap(grab, area);
  return visible >= Math.min(grab.width, 120) * grab.height;
}

/**
 * Where the window opens: where it was, when that is still on a display; otherwise the same size, shrunk to fit,
 * centred on the display it overlapped most (the primary one when none), so a removed monitor never hides it.
 */
export function placeWindow(
  saved: WindowBounds | undefined,
  displays: readonly WorkArea[],
  primary: WorkArea,
): Partial<WindowBounds> & { width: number; height: number } {
  if (!saved) return { width: DEFAULT_WINDOW.width, height: DEFAULT_WINDOW.height };
  const onScreen = displays.some((display) => titleBarReachable(saved, display.workArea));
  const home = [...displays].sort((a, b) => overlap(saved, b.workArea) - overlap(saved, a.workArea))[0] ?? primary;
  const area = overlap(saved, home.workArea) > 0 ? home.workArea : primary.workArea;
  const width = Math.max(DEFAULT_WINDOW.minWidth, Math.min(saved.width, area.width));
  const height = Math.max(DEFAULT_WINDOW.minHeight, Math.min(saved.height, area.height));
  if (onScreen && width === saved.width && height === saved.height) {
    return { x: saved.x, y: saved.y, width, height };
  }
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}
