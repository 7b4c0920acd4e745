/** The Electron app: the only code that imports 'electron'. It wraps the same core as the web host. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { app, BrowserWindow, protocol, session as electronSession, type WebContents } from 'electron';
import { EVENTS_CHANNEL } from '../../shared/contract';
import { contentTypeFor } from '../core/contentTypes';
import { startLabApp, type LabApp } from '../core/labApp';
import type { LabSession } from '../core/session';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, RENDERER_CSP, resolveAppFile } from './appProtocol';
import { registerLabIpc } from './ipc';

// Must run before 'ready': app:// behaves like https (secure, standard origin) instead of file://.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trustedOrigins = [APP_ORIGIN, ...(devServerUrl ? [new URL(devServerUrl).origin] : [])];
const rendererDir = path.join(__dirname, '../renderer');
const sessions = new Map<number, LabSession>();
let labApp: LabApp | undefined;

function sessionFor(contents: WebContents): LabSession {
  let session = sessions.get(contents.id);
  if (!session && labApp) {
    session = labApp.createSession('electron', (batch) => {
      if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, batch);
    });
    sessions.set(contents.id, session);
  }
  if (!session) throw new Error('the lab is still starting');
  return session;
}

function endSession(id: number): void {
  sessions.get(id)?.dispose();
  sessions.delete(id);
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': contentTypeFor(file),
          'Content-Security-Policy': RENDERER_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function lockDownSessions(): void {
  // The lab needs no camera, microphone, notifications or any other permission: refuse them all.
  electronSession.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  electronSession.defaultSession.setPermissionCheckHandler(() => false);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 720,
    minHeight: 480,
    title: 'Socket Lab',
    show: false,
    webPreferences: {
      // Reviewed: the preload exposes only window.lab's named functions (src/preload/index.ts).
      preload: path.join(__dirname, '../preload/index.js'), // eng-disable PRELOAD_JS_CHECK
      // Middle-click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  const contents = window.webContents;
  const id = contents.id;
  window.once('ready-to-show', () => window.show());
  // The lab page never leaves itself and opens no windows; it has no need of the web or the OS shell.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) endSession(id);
  });
  contents.on('render-process-gone', () => endSession(id));
  contents.on('destroyed', () => endSession(id));
  void window.loadURL(devServerUrl ?? `${APP_SCHEME}://${APP_HOST}/index.html`);
  return window;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.whenReady().then(async () => {
  lockDownSessions();
  serveRenderer();
  labApp = await startLabApp({
    appVersion: app.getVersion(),
    runtime: {
      node: process.versions.node,
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
    },
    dataDir: app.getPath('userData'),
    // Installed builds carry the lab's files as resources (package.json "build.extraResources").
    labServers: app.isPackaged ? { contentDir: path.join(process.resourcesPath, 'lab-content') } : {},
  });
  registerLabIpc(trustedOrigins, (senderId) => {
    const contents = BrowserWindow.getAllWindows()
      .map((window) => window.webContents)
      .find((candidate) => candidate.id === senderId);
    if (!contents) throw new Error('no window for this message');
    return sessionFor(contents).commands;
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let stopping = false;
app.on('will-quit', (event) => {
  if (stopping || !labApp) return;
  stopping = true;
  event.preventDefault();
  void labApp.stop().finally(() => app.quit());
});
