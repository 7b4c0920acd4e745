/** The Electron app: the only code that imports 'electron'. It wraps the same core as the web host. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  protocol,
  session as electronSession,
  type OpenDialogOptions,
  type SaveDialogOptions,
  type WebContents,
} from 'electron';
import { EVENTS_CHANNEL, type LabCommands } from '../../shared/contract';
import { fail, ok } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import { EXPORT_EXTENSIONS, type ExportFormat } from '../../shared/transcript';
import { contentTypeFor } from '../core/contentTypes';
import { startLabApp, type LabApp } from '../core/labApp';
import type { LabSession, SessionFiles } from '../core/session';
import { storageFailure } from '../core/storageErrors';
import { writeFileAtomically } from '../core/transcripts/atomicWrite';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, RENDERER_CSP, resolveAppFile } from './appProtocol';
import { registerLabIpc } from './ipc';

// Must run before 'ready': app:// behaves like https (secure, standard origin) instead of file://.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trustedOrigins = [APP_ORIGIN, ...(devServerUrl ? [new URL(devServerUrl).origin] : [])];
const rendererDir = path.join(__dirname, '../renderer');
/** One session per window, with the navigation it was made in: a reload ends only the sessions made before it. */
const sessions = new Map<number, { navigation: number; session: Promise<LabSession> }>();
/** Per window, the number of the newest main-frame navigation that started. */
const navigations = new Map<number, number>();
let labApp: LabApp | undefined;

const FORMAT_NAMES: Record<ExportFormat, string> = {
  socketlab: 'Socket Lab session',
  txt: 'Text transcript',
  pcapng: 'Wireshark capture (pcapng)',
  py: 'Python script',
};

/** Save as and Open through the system's own dialogs, opened here in main: the page never names a path. */
function desktopFiles(contents: WebContents): SessionFiles {
  const owner = () => BrowserWindow.fromWebContents(contents) ?? undefined;
  return {
    async save(id, format) {
      const lab = labApp as LabApp;
      const named = await lab.transcripts.fileName(id, format);
      if (!named.ok) return named;
      const options: SaveDialogOptions = {
        title: 'Save the session as',
        defaultPath: path.join(app.getPath('documents'), named.value),
        filters: [{ name: FORMAT_NAMES[format], extensions: [EXPORT_EXTENSIONS[format].slice(1)] }],
      };
      const window = owner();
      const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return ok({ kind: 'cancelled' });
      const exported = await lab.transcripts.export(id, format);
      if (!exported.ok) return exported;
      try {
        await writeFileAtomically(choice.filePath, exported.value.chunks);
      } catch (error) {
        return storageFailure('The transcript', choice.filePath, error);
      }
      return ok({ kind: 'saved', fileName: path.basename(choice.filePath) });
    },
    async open() {
      const options: OpenDialogOptions = {
        title: 'Open a saved session',
        properties: ['openFile'],
        filters: [
          { name: FORMAT_NAMES.socketlab, extensions: ['socketlab'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const window = owner();
      const choice = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const file = choice.filePaths[0];
      if (choice.canceled || !file) return ok({ kind: 'cancelled' });
      return openTranscriptFile(file);
    },
  };
}

async function openTranscriptFile(file: string) {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    return fail(
      'BAD_FILE',
      `That file cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      'Pick another file.',
    );
  }
  if (size > LIMITS.maxTranscriptFileBytes) {
    return fail(
      'FILE_TOO_LARGE',
      `That file is ${Math.round(size / 2 ** 20)} MiB; Socket Lab opens transcripts of up to ${LIMITS.maxTranscriptFileBytes / 2 ** 20} MiB.`,
      'Open a smaller transcript.',
    );
  }
  const opened = await (labApp as LabApp).transcripts.importFile(path.basename(file), createReadStream(file));
  return opened.ok ? ok({ kind: 'opened' as const, session: opened.value }) : opened;
}

function sessionFor(contents: WebContents): Promise<LabCommands> {
  if (!labApp) return Promise.reject(new Error('the lab is still starting'));
  let kept = sessions.get(contents.id);
  if (!kept) {
    const session = labApp.createSession(
      'electron',
      (batch) => {
        if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, batch);
      },
      desktopFiles(contents),
    );
    kept = { navigation: navigations.get(contents.id) ?? 0, session };
    sessions.set(contents.id, kept);
  }
  return kept.session.then((made) => made.commands);
}

/** Ends the window's session if it was made before navigation number `before` (all of them when omitted). */
function endSession(id: number, before = Number.POSITIVE_INFINITY): void {
  const kept = sessions.get(id);
  if (!kept || kept.navigation >= before) return;
  sessions.delete(id);
  void kept.session.then((made) => made.dispose());
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
  // The session ends when a new page really replaced this one (a reload), not when a navigation merely started:
  // will-navigate may still cancel it. The new page's own session, made after the start, is kept.
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) navigations.set(id, (navigations.get(id) ?? 0) + 1);
  });
  contents.on('did-navigate', () => endSession(id, navigations.get(id) ?? 0));
  contents.on('render-process-gone', () => endSession(id));
  contents.on('destroyed', () => {
    endSession(id);
    navigations.delete(id);
  });
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
  registerLabIpc(trustedOrigins, sessionFor);
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
