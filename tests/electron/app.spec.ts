import path from 'node:path';
import { test, expect, _electron as electron } from '@playwright/test';
import { electronBinary } from '../../scripts/electron-binary.cjs';

const binary = electronBinary();
const root = path.resolve(__dirname, '../..');

test.skip(!binary.installed, `needs Electron's binary: ${binary.installed ? '' : binary.reason}`);

test('the desktop app opens sandboxed and shows the hello data over the preload bridge', async () => {
  const app = await electron.launch({ args: [root], executablePath: binary.installed ? binary.executable : undefined });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('hello-transport')).toHaveText('the desktop app');
    expect(window.url()).toMatch(/^app:\/\/socket-lab\//);
    // Context isolation: the page sees window.lab's functions, never require or ipcRenderer.
    const globals = await window.evaluate(() => ({
      lab: Object.keys((window as unknown as { lab: object }).lab).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(globals.require).toBe('undefined');
    expect(globals.process).toBe('undefined');
    expect(globals.lab).toContain('connect');
    expect(globals.lab).not.toContain('invoke');
  } finally {
    await app.close();
  }
});
