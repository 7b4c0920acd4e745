/**
 * The desktop app's lifecycle, wired from the parts beside it: one instance, the app:// page, the lab's core, one
 * session per window, the native menu, files the system hands over, and a failed start that says why and quits.
 * Everything Electron offers is reached through the `electron` module, so the unit tests replace it with one mock.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  screen,
  session as electronSession,
  shell,
  type BaseWindow,
  type WebContents,
} from 'electron';
import { EVENTS_CHANNEL } from '../../shared/contract';
import { DESKTOP_CHANNELS, type DesktopCommand } from '../../shared/desktop';
import { APP_NAME, startLabApp, type LabApp, type LabAppOptions } from '../core/labApp';
import { APP_ORIGIN, APP_START_URL, registerAppScheme, serveRenderer } from './appProtocol';
import { desktopFiles, openTranscriptAt } from './desktopFiles';
import { DEFAULT_WINDOW, loadSettings, placeWindow, saveSettings, type DesktopSettings } from './desktopSettings';
import { registerLabIpc } from './ipc';
import { lockDownContents, lockDownPermissions, refuseRemoteRequests } from './lockdown';
import { buildMenuTemplate, openHelpLink } from './menu';
import { filesFromSecondInstance, PageInbox, transcriptPathsIn } from './openFiles';
import { isTrustedSender, originOf } from './senderGuard';
import { StartupError, startupFailureHandler } from './startupFailure';
import { WindowSessions } from './windowSessions';

export interface DesktopAppOptions {
  /** The lab's core; tests pass one that fails. */
  startLab?: (options: LabAppOptions) => Promise<LabApp>;
  /** The built app's folder (holding main/, preload/, renderer/); default the folder above this bundle. */
  outDir?: string;
  argv?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface DesktopApp {
  /** This process holds the single-instance lock (false: it handed its files to the running app and quits). */
  primary: boolean;
  /** Settles once the app started (a window is opening) or its failure was shown. */
  ready: Promise<void>;
}

/** How far each new window sits from the one before it, so they do not hide each other. */
const CASCADE = 28;

export function startDesktopApp(options: DesktopAppOptions = {}): DesktopApp {
  const env = options.env ?? process.env;
  const argv = options.argv ?? process.argv;
  const cwd = options.cwd ?? process.cwd();
  const outDir = options.outDir ?? path.join(__dirname, '..');
  const startLab = options.startLab ?? startLabApp;
  const failStart = startupFailureHandler({
    showErrorBox: (title, content) => dialog.showErrorBox(title, content),
    exit: (code) => app.exit(code),
  });

  // Unpackaged only: the end-to-end specs (and a developer) give the app a data folder of its own.
  if (!app.isPackaged && env.SOCKET_LAB_USER_DATA) app.setPath('userData', env.SOCKET_LAB_USER_DATA);

  // A second launch (a double-clicked .socketlab) hands its files to the running app, which opens them.
  const launchFiles = transcriptPathsIn(argv, cwd);
  if (!app.requestSingleInstanceLock({ files: launchFiles })) {
    app.quit();
    return { primary: false, ready: Promise.resolve() };
  }

  registerAppScheme(protocol);

  const devServerUrl = !app.isPackaged ? env.ELECTRON_RENDERER_URL : undefined;
  const devOrigin = devServerUrl ? originOf(devServerUrl) : null;
  const trustedOrigins = [APP_ORIGIN, ...(devOrigin ? [devOrigin] : [])];
  // Under `npm run dev` the page comes from Vite's server, and its hot reload talks over a WebSocket to it.
  const requestOrigins = devOrigin ? [devOrigin, devOrigin.replace(/^http/, 'ws')] : [];
  const inbox = new PageInbox<WebContents>(DESKTOP_CHANNELS.command);
  const windows: BrowserWindow[] = [];
  let lastFocused: BrowserWindow | undefined;
  let labApp: LabApp | undefined;
  let sessions: WindowSessions<WebContents> | undefined;
  let settings: DesktopSettings = { theme: 'system' };
  let started = false;
  /** Some window has shown the lab's page: from then on the app has started, whatever a later window does. */
  let pageLoaded = false;
  const waitingFiles: string[] = [...launchFiles];

  function rememberWindow(window: BrowserWindow): void {
    if (window.isDestroyed()) return;
    const bounds = window.getNormalBounds();
    settings = { ...settings, window: { ...bounds, maximized: window.isMaximized() } };
    void saveSettings(app.getPath('userData'), settings).catch(() => undefined);
  }

  function createWindow(): BrowserWindow {
    const previous = windows.at(-1);
    const placed = previous
      ? { ...previous.getBounds(), x: previous.getBounds().x + CASCADE, y: previous.getBounds().y + CASCADE }
      : placeWindow(settings.window, screen.getAllDisplays(), screen.getPrimaryDisplay());
    const window = new BrowserWindow({
      ...placed,
      minWidth: DEFAULT_WINDOW.minWidth,
      minHeight: DEFAULT_WINDOW.minHeight,
      title: APP_NAME,
      show: false,
      webPreferences: {
        // Reviewed: the preload exposes only window.lab's and window.labDesktop's named functions.
        preload: path.join(outDir, 'preload/index.js'), // eng-disable PRELOAD_JS_CHECK
        // Middle-click must not open links in new windows.
        disableBlinkFeatures: 'Auxclick',
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webviewTag: false,
        // Spellcheck would fetch dictionaries from the network; the lab is offline by design.
        spellcheck: false,
        navigateOnDragDrop: false,
      },
    });
    if (!previous && settings.window?.maximized) window.maximize();
    windows.push(window);
    lastFocused = window;
    const contents = window.webContents;
    const id = contents.id;
    lockDownContents(contents);
    sessions?.track(contents);
    contents.on('did-navigate', () => inbox.pageGone(id));
    contents.on('destroyed', () => inbox.forget(id));
    window.on('focus', () => (lastFocused = window));
    window.on('close', () => rememberWindow(window));
    window.on('closed', () => {
      windows.splice(windows.indexOf(window), 1);
      if (lastFocused === window) lastFocused = windows.at(-1);
    });
    window.once('ready-to-show', () => window.show());
    contents.once('did-finish-load', () => (pageLoaded = true));
    window.loadURL(devServerUrl ?? APP_START_URL).catch((error: unknown) => {
      if (window.isDestroyed()) return;
      // Once the lab has shown its page, a later window that fails to load is not a failed start.
      if (pageLoaded) {
        console.error(`socket-lab: a window's page did not load: ${String(error)}`);
        return;
      }
      failStart(
        new StartupError(
          `The lab's page could not be loaded (${error instanceof Error ? error.message : String(error)}).`,
          'This installation looks incomplete: install Socket Lab again.',
          { cause: error },
        ),
      );
    });
    return window;
  }

  /** The window a menu command or a file is for: the one clicked in, else the focused one, else the last used. */
  function targetWindow(clicked?: BaseWindow): BrowserWindow | undefined {
    const fromClick = clicked ? BrowserWindow.fromId(clicked.id) : null;
    return fromClick ?? BrowserWindow.getFocusedWindow() ?? lastFocused ?? windows.at(-1);
  }

  function bringToFront(window: BrowserWindow): void {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  async function openFromSystem(files: readonly string[]): Promise<void> {
    if (files.length === 0) return;
    if (!started || !labApp) {
      waitingFiles.push(...files);
      return;
    }
    const window = targetWindow() ?? createWindow();
    bringToFront(window);
    for (const file of files) {
      const opened = await openTranscriptAt(labApp, file);
      if (window.isDestroyed()) return;
      if (opened.ok) {
        inbox.deliver(window.webContents, { kind: 'show-session', session: opened.value }, true);
      } else {
        void dialog.showMessageBox(window, {
          type: 'warning',
          title: APP_NAME,
          message: `${path.basename(file)} was not opened.`,
          detail: `${opened.error.message} ${opened.error.hint}`,
        });
      }
    }
  }

  function toggleTheme(): void {
    const theme = nativeTheme.shouldUseDarkColors ? 'light' : 'dark';
    // The page follows prefers-color-scheme, which themeSource sets: nothing to tell the page.
    nativeTheme.themeSource = theme;
    settings = { ...settings, theme };
    void saveSettings(app.getPath('userData'), settings).catch(() => undefined);
  }

  function sendToPage(command: DesktopCommand, clicked?: BaseWindow): void {
    const window = targetWindow(clicked);
    if (window && !window.isDestroyed()) inbox.deliver(window.webContents, command, false);
  }

  async function start(): Promise<void> {
    const dataDir = app.getPath('userData');
    settings = await loadSettings(dataDir);
    nativeTheme.themeSource = settings.theme;
    const defaultSession = electronSession.defaultSession;
    lockDownPermissions(defaultSession, trustedOrigins);
    refuseRemoteRequests(defaultSession, requestOrigins);
    serveRenderer(protocol, path.join(outDir, 'renderer'));

    // Installed builds carry the lab's files as resources (package.json "build.extraResources").
    const contentDir = app.isPackaged ? path.join(process.resourcesPath, 'lab-content') : undefined;
    if (contentDir) {
      await access(contentDir).catch((error: unknown) => {
        throw new StartupError(
          `The lab's own files (romeo.txt and the others the lab servers send) are missing from ${contentDir}.`,
          'This installation is incomplete: install Socket Lab again.',
          { cause: error },
        );
      });
    }
    const lab = await startLab({
      appVersion: app.getVersion(),
      runtime: {
        node: process.versions.node,
        electron: process.versions.electron ?? '',
        chrome: process.versions.chrome ?? '',
      },
      dataDir,
      labServers: contentDir ? { contentDir } : {},
    });
    labApp = lab;
    const windowSessions = new WindowSessions<WebContents>((contents) =>
      lab.createSession(
        'electron',
        (batch) => {
          if (!contents.isDestroyed()) contents.send(EVENTS_CHANNEL, batch);
        },
        desktopFiles(
          lab,
          () => BrowserWindow.fromWebContents(contents) ?? undefined,
          () => app.getPath('documents'),
        ),
      ),
    );
    sessions = windowSessions;
    registerLabIpc(trustedOrigins, (sender) => windowSessions.commands(sender));
    ipcMain.on(DESKTOP_CHANNELS.listening, (event) => {
      if (isTrustedSender(event.senderFrame, trustedOrigins)) inbox.listening(event.sender);
    });

    app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() });
    const template = buildMenuTemplate({
      platform: process.platform,
      appName: APP_NAME,
      developer: !app.isPackaged,
      actions: {
        newSession: () => bringToFront(createWindow()),
        command: (command, clicked) => sendToPage(command, clicked),
        toggleTheme,
        // Reviewed: only HELP_LINKS' fixed https pages reach the browser (openHelpLink checks the allowlist).
        openHelp: (link) => openHelpLink(link.url, (url) => shell.openExternal(url)), // eng-disable OPEN_EXTERNAL_JS_CHECK
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));

    started = true;
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
    await openFromSystem(waitingFiles.splice(0));
  }

  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  // macOS hands files over with this event, at launch before 'ready' too.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void openFromSystem([file]);
  });
  app.on('second-instance', (_event, secondArgv, workingDirectory, additionalData) => {
    const files = filesFromSecondInstance(secondArgv, workingDirectory, additionalData);
    const window = targetWindow();
    if (window) bringToFront(window);
    void openFromSystem(files);
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

  const ready = app
    .whenReady()
    .then(start)
    .catch((error: unknown) => failStart(error));
  return { primary: true, ready };
}
