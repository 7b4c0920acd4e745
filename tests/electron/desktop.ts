/**
 * Launching the real desktop app for the `_electron` specs: the unpackaged build (fuses are applied only when
 * packaging, so Playwright's --inspect works), a data folder of its own, and the system dialogs answered by the test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary } from '../../scripts/electron-binary.cjs';

export const root = path.resolve(__dirname, '../..');
export const binary = electronBinary();
export const skipReason = binary.installed ? '' : `needs Electron's binary: ${binary.reason}`;

/** Chromium refuses to run as root with its sandbox (CI containers): only then is it turned off. */
const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];

export interface Desktop {
  app: ElectronApplication;
  page: Page;
  dataDir: string;
  env: Record<string, string>;
  close: () => Promise<void>;
}

export async function launchDesktop(options: { dataDir?: string; args?: string[] } = {}): Promise<Desktop> {
  if (!binary.installed) throw new Error(skipReason);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'socket-lab-electron-'));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // The dev server's address would send the app to a page that is not running.
    if (value !== undefined && name !== 'ELECTRON_RENDERER_URL') env[name] = value;
  }
  env.SOCKET_LAB_USER_DATA = dataDir;
  const app = await electron.launch({
    executablePath: binary.executable,
    args: [...rootArgs, root, ...(options.args ?? [])],
    env,
    cwd: root,
  });
  const page = await app.firstWindow();
  // Ready once the lab has sent its servers: the workbench names the one that answers data.pr4e.org.
  await page.getByTestId('route-words').waitFor();
  return {
    app,
    page,
    dataDir,
    env,
    close: async () => {
      await app.close().catch(() => undefined);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The next Save dialog answers `file`, as if the learner had picked it. */
export async function answerSaveDialog(app: ElectronApplication, file: string): Promise<void> {
  await app.evaluate(({ dialog }, chosen) => {
    dialog.showSaveDialog = (async () => ({ canceled: false, filePath: chosen })) as typeof dialog.showSaveDialog;
  }, file);
}

/** The next Open dialog answers `file`. */
export async function answerOpenDialog(app: ElectronApplication, file: string): Promise<void> {
  await app.evaluate(({ dialog }, chosen) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [chosen] })) as typeof dialog.showOpenDialog;
  }, file);
}

/** Clicks a native menu item by its id, for the first window, as the learner would with the mouse. */
export async function clickMenu(app: ElectronApplication, id: string): Promise<void> {
  await app.evaluate(({ BrowserWindow, Menu }, itemId) => {
    const item = Menu.getApplicationMenu()?.getMenuItemById(itemId);
    if (!item) throw new Error(`no menu item ${itemId}`);
    item.click(undefined, BrowserWindow.getAllWindows()[0], undefined);
  }, id);
}

/** A second launch of the app, as a double-click on a file does; resolves with its exit code. */
export function launchSecondInstance(desktop: Desktop, args: string[]): Promise<number | null> {
  if (!binary.installed) throw new Error(skipReason);
  const child = spawn(binary.executable, [...rootArgs, root, ...args], {
    env: desktop.env,
    cwd: root,
    stdio: 'ignore',
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}
