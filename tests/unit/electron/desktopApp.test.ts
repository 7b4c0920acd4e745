/**
 * The desktop app's main process under the one Electron mock, with the real core behind it: real lab servers on
 * loopback, real session journals and transcript files in a temporary folder. Electron's part (events, dialogs,
 * the page's IPC) is played by the test.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  COMMAND_CHANNELS,
  COMMAND_NAMES,
  EVENTS_CHANNEL,
  type CommandName,
  type EventBatch,
  type DeliveredEvent,
} from '../../../src/shared/contract';
import { DESKTOP_CHANNELS } from '../../../src/shared/desktop';
import type { Result } from '../../../src/shared/errors';
import { RENDERER_CSP } from '../../../src/main/electron/appProtocol';
import { startDesktopApp, type DesktopAppOptions } from '../../../src/main/electron/desktopApp';
import { flattenMenu, HELP_LINKS } from '../../../src/main/electron/menu';
import { startLabApp } from '../../../src/main/core/labApp';
import { startLabServers } from '../../../src/main/core/labServers';
import type { MenuItemConstructorOptions } from 'electron';
import {
  app,
  BrowserWindowMock,
  defaultSession,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  protocolHandlers,
  resetElectronMock,
  screen,
  shell,
  type WebContentsMock,
} from './electronMock';

vi.mock('electron', () => import('./electronMock'));

let dir: string;
let outDir: string;

beforeEach(async () => {
  resetElectronMock();
  dir = await mkdtemp(path.join(os.tmpdir(), 'socket-lab-desktop-'));
  outDir = path.join(dir, 'out');
  await mkdir(path.join(outDir, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(outDir, 'renderer', 'index.html'), '<!doctype html><title>Socket Lab</title>');
  await writeFile(path.join(outDir, 'renderer', 'assets', 'app.js'), 'console.log("lab")');
  await writeFile(path.join(outDir, 'secret.txt'), 'not for the page');
  await mkdir(path.join(dir, 'documents'));
  app.paths = { userData: path.join(dir, 'data'), documents: path.join(dir, 'documents') };
});

afterEach(async () => {
  await quit();
  await rm(dir, { recursive: true, force: true });
});

/** Plays the app quitting; waits until main stopped the lab (it quits again once it has). */
async function quit(): Promise<void> {
  const event = { preventDefault: vi.fn() };
  app.emit('will-quit', event);
  if (event.preventDefault.mock.calls.length > 0) await vi.waitFor(() => expect(app.quit).toHaveBeenCalled());
}

async function launch(options: DesktopAppOptions = {}) {
  const desktop = startDesktopApp({ outDir, argv: ['electron', '.'], cwd: dir, env: {}, ...options });
  await desktop.ready;
  return desktop;
}

function firstWindow(): BrowserWindowMock {
  const window = BrowserWindowMock.instances[0];
  if (!window) throw new Error('no window was created');
  return window;
}

async function invoke<T = unknown>(
  contents: WebContentsMock,
  name: CommandName,
  ...args: unknown[]
): Promise<Result<T>> {
  const handler = ipcMain.handlers.get(COMMAND_CHANNELS[name]);
  if (!handler) throw new Error(`no handler for ${name}`);
  return (await handler(contents.ipcEvent(), ...args)) as Result<T>;
}

async function value<T>(result: Promise<Result<T>>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`${settled.error.code}: ${settled.error.message}`);
  return settled.value;
}

async function sessionIdOf(contents: WebContentsMock): Promise<string> {
  const hello = await value(invoke<{ sessionId: string | null }>(contents, 'hello'));
  if (!hello.sessionId) throw new Error('the session is not kept');
  return hello.sessionId;
}

/** How a kept session ended ('live' while it runs), as the sessions list says. */
async function endingOf(contents: WebContentsMock, id: string): Promise<string | undefined> {
  const listed = await value(invoke<Array<{ id: string; ending: string }>>(contents, 'listSessions'));
  return listed.find((entry) => entry.id === id)?.ending;
}

function menuItem(id: string): MenuItemConstructorOptions {
  const template = Menu.buildFromTemplate.mock.calls.at(-1)?.[0] as MenuItemConstructorOptions[] | undefined;
  const item = flattenMenu(template ?? []).find((candidate) => candidate.id === id);
  if (!item?.click) throw new Error(`no menu item ${id}`);
  return item;
}

function click(id: string, window?: BrowserWindowMock): void {
  const item = menuItem(id);
  item.click?.(item as never, window as never, {} as never);
}

function pageListens(contents: WebContentsMock): void {
  ipcMain.emit(DESKTOP_CHANNELS.listening, contents.ipcEvent());
}

function eventsSent(contents: WebContentsMock): DeliveredEvent[] {
  return contents.sent
    .filter((entry) => entry.channel === EVENTS_CHANNEL)
    .flatMap((entry) => (entry.payload as EventBatch).events);
}

function commandsSent(contents: WebContentsMock): unknown[] {
  return contents.sent.filter((entry) => entry.channel === DESKTOP_CHANNELS.command).map((entry) => entry.payload);
}

/** Saves this window's session as .socketlab through main's Save dialog, answered with `file`. */
async function saveTranscript(contents: WebContentsMock, file: string): Promise<void> {
  const id = await sessionIdOf(contents);
  dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: file });
  expect(await value(invoke(contents, 'saveSession', id, 'socketlab'))).toEqual({
    kind: 'saved',
    fileName: path.basename(file),
  });
}

describe('IPC: every command, behind the guard', () => {
  it('registers one ipcMain.handle per COMMAND_CHANNELS entry and nothing else', async () => {
    await launch();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(COMMAND_CHANNELS).sort());
    expect(ipcMain.handle).toHaveBeenCalledTimes(COMMAND_NAMES.length);
  });

  it('refuses every channel from a foreign page or a subframe before any service runs', async () => {
    await launch();
    const contents = firstWindow().webContents;
    for (const name of COMMAND_NAMES) {
      const handler = ipcMain.handlers.get(COMMAND_CHANNELS[name]);
      for (const frame of [
        { url: 'https://evil.example/', parent: null },
        { url: 'app://socket-lab/index.html', parent: {} },
        null,
      ]) {
        const result = (await handler?.(contents.ipcEvent(frame))) as Result<unknown>;
        expect(result, `${name} from ${frame?.url}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
    }
    // Nothing was made for the foreign messages: the window's first real message starts its session.
    expect(await value(invoke(contents, 'listConnections'))).toEqual([]);
  });

  it('answers our own page through the real core: hello says the desktop app, and a socket reaches the lab server', async () => {
    await launch();
    const contents = firstWindow().webContents;
    const hello = await value(invoke<{ transport: string; appName: string }>(contents, 'hello'));
    expect(hello).toMatchObject({ transport: 'electron', appName: 'Socket Lab', version: '0.1.0-test' });
    const { id } = await value(invoke<{ id: string }>(contents, 'connect', { host: 'data.pr4e.org', port: 80 }));
    await vi.waitFor(() => expect(eventsSent(contents).map((event) => event.type)).toContain('connected'));
    const request = new TextEncoder().encode('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
    await value(invoke(contents, 'send', id, request));
    await vi.waitFor(() => {
      const received = eventsSent(contents)
        .filter((event) => event.type === 'data' && event.dir === 'in')
        .map((event) => Buffer.from((event as { bytes: Uint8Array }).bytes).toString('latin1'))
        .join('');
      expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(received).toContain('But soft what light through yonder window breaks');
    });
    // The wrong kind of argument is refused at the boundary, in plain words.
    expect(await invoke(contents, 'connect', { host: 'data.pr4e.org', port: '0x50' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PORT' },
    });
  });

  it('keys sessions on event.sender: two windows, two sessions', async () => {
    await launch();
    click('new-session');
    expect(BrowserWindowMock.instances).toHaveLength(2);
    const [one, two] = BrowserWindowMock.instances.map((window) => window.webContents) as [
      WebContentsMock,
      WebContentsMock,
    ];
    const first = await sessionIdOf(one);
    const second = await sessionIdOf(two);
    expect(first).not.toBe(second);
    expect(await sessionIdOf(one)).toBe(first);
  });
});

describe('app:// serves the renderer', () => {
  it('registers the scheme as privileged before ready, then serves files with the CSP', async () => {
    const release = app.holdReady();
    const desktop = startDesktopApp({ outDir, argv: [], cwd: dir, env: {} });
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true } },
    ]);
    expect(protocol.handle).not.toHaveBeenCalled();
    release();
    await desktop.ready;
    const handler = protocolHandlers.get('app');
    if (!handler) throw new Error('app:// is not handled');
    const page = await handler(new Request('app://socket-lab/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(RENDERER_CSP).toContain("connect-src 'none'");
    expect(RENDERER_CSP).toContain("style-src 'self';");
    expect(await page.text()).toContain('<title>Socket Lab</title>');
    const script = await handler(new Request('app://socket-lab/assets/app.js'));
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(firstWindow().loadURL).toHaveBeenCalledWith('app://socket-lab/index.html');
  });

  it('refuses traversal, other hosts and writes', async () => {
    await launch();
    const handler = protocolHandlers.get('app');
    if (!handler) throw new Error('app:// is not handled');
    for (const url of [
      'app://socket-lab/../secret.txt',
      'app://socket-lab/%2e%2e/secret.txt',
      'app://socket-lab/assets/..%2f..%2fsecret.txt',
      'app://socket-lab/missing.js',
      'app://elsewhere/index.html',
    ]) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('not for the page');
    }
    const post = await handler(new Request('app://socket-lab/index.html', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(404);
  });
});

describe('the page is locked in', () => {
  it('refuses navigation, redirects, new windows and webviews, for every WebContents', async () => {
    await launch();
    const window = firstWindow();
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webviewTag: false,
      preload: path.join(outDir, 'preload', 'index.js'),
    });
    // Another WebContents (DevTools, anything Chromium makes) gets the same locks.
    const other = new BrowserWindowMock().webContents;
    for (const contents of [window.webContents, other]) {
      for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
        expect(contents.emitPreventable(name, 'https://evil.example/').defaultPrevented, name).toBe(true);
      }
      expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    }
  });

  it('grants clipboard writes to our own page only, and no other permission to anyone', async () => {
    await launch();
    const ask = (permission: string, requestingUrl: string, isMainFrame = true) => {
      let granted: boolean | undefined;
      defaultSession.permissionRequestHandler?.(null, permission, (answer: boolean) => (granted = answer), {
        requestingUrl,
        isMainFrame,
      });
      return granted;
    };
    const check = (permission: string, origin: string, isMainFrame = true) =>
      defaultSession.permissionCheckHandler?.(null, permission, origin, { isMainFrame, requestingUrl: `${origin}/` });
    expect(ask('clipboard-sanitized-write', 'app://socket-lab/index.html')).toBe(true);
    expect(check('clipboard-sanitized-write', 'app://socket-lab')).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(ask('clipboard-sanitized-write', 'app://socket-lab/index.html', false)).toBe(false);
    for (const permission of [
      'clipboard-read',
      'media',
      'notifications',
      'geolocation',
      'openExternal',
      'fullscreen',
    ]) {
      expect(ask(permission, 'app://socket-lab/index.html'), permission).toBe(false);
      expect(check(permission, 'app://socket-lab'), permission).toBe(false);
    }
    expect(defaultSession.devicePermissionHandler?.({})).toBe(false);
  });

  it('cancels every request to the network (offline by design)', async () => {
    await launch();
    const refused = defaultSession.beforeRequest;
    expect(refused?.filter.urls).toEqual(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']);
    for (const url of ['https://data.pr4e.org/romeo.txt', 'http://127.0.0.1:8080/', 'wss://update.example/']) {
      let answer: unknown;
      refused?.listener({ url }, (response: unknown) => (answer = response));
      expect(answer, url).toEqual({ cancel: true });
    }
  });

  it('under the dev server, trusts and loads only its origin', async () => {
    await launch({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' } });
    const window = firstWindow();
    expect(window.loadURL).toHaveBeenCalledWith('http://localhost:5173');
    const answers: unknown[] = [];
    for (const url of ['http://localhost:5173/src/main.ts', 'ws://localhost:5173/', 'http://localhost:5174/']) {
      defaultSession.beforeRequest?.listener({ url }, (response: unknown) => answers.push(response));
    }
    expect(answers).toEqual([{ cancel: false }, { cancel: false }, { cancel: true }]);
    window.webContents.mainFrame.url = 'http://localhost:5173/';
    expect(await invoke(window.webContents, 'listConnections')).toEqual({ ok: true, value: [] });
  });
});

describe("a window's session ends only with its page", () => {
  it('a navigation that will-navigate refused ends nothing; a committed one does', async () => {
    await launch();
    const contents = firstWindow().webContents;
    const first = await sessionIdOf(contents);
    // The order Electron reports a refused link: the start, then will-navigate (refused), and no commit.
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'https://evil.example/' });
    expect(contents.emitPreventable('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(await sessionIdOf(contents)).toBe(first);
    // An in-page navigation (a #fragment) is not a new page either.
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    contents.emit('did-navigate-in-page');
    expect(await sessionIdOf(contents)).toBe(first);
    // A subframe's navigation is not the page's.
    contents.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    expect(await sessionIdOf(contents)).toBe(first);
    // A reload commits: the old session ends and the new page gets its own.
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    contents.emit('did-navigate');
    const second = await sessionIdOf(contents);
    expect(second).not.toBe(first);
    await vi.waitFor(async () => expect(await endingOf(contents, first)).toBe('clean'));
    expect(await endingOf(contents, second)).toBe('live');
  });

  it('a session the new page made before its commit was reported survives that commit', async () => {
    await launch();
    const contents = firstWindow().webContents;
    contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    const made = await sessionIdOf(contents);
    contents.emit('did-navigate');
    expect(await sessionIdOf(contents)).toBe(made);
    expect(await endingOf(contents, made)).toBe('live');
  });

  it('a crashed renderer and a destroyed window end it', async () => {
    await launch();
    const contents = firstWindow().webContents;
    const first = await sessionIdOf(contents);
    contents.emit('render-process-gone', {}, { reason: 'crashed' });
    await vi.waitFor(async () => expect(await endingOf(contents, first)).toBe('clean'));
    const second = await sessionIdOf(contents);
    expect(second).not.toBe(first);
    const { id } = await value(invoke<{ id: string }>(contents, 'connect', { host: 'data.pr4e.org', port: 80 }));
    expect(id).toBeTruthy();
    firstWindow().close();
    // The destroyed window's session was ended: its connection is closed, and it is listed as ended.
    const probe = new BrowserWindowMock().webContents;
    expect(await endingOf(probe, first)).toBe('clean');
    await vi.waitFor(async () => expect(await endingOf(probe, second)).toBe('clean'));
  });
});

describe("Save as, Open and a dropped file go through main's dialogs and pieces", () => {
  it('saves through the Save dialog (owned by the window) and opens through the Open dialog', async () => {
    await launch();
    const window = firstWindow();
    const file = path.join(dir, 'documents', 'chosen.socketlab');
    await saveTranscript(window.webContents, file);
    expect(dialog.showSaveDialog.mock.calls[0]?.[0]).toBe(window);
    expect(dialog.showSaveDialog.mock.calls[0]?.[1]).toMatchObject({
      defaultPath: expect.stringContaining(path.join(dir, 'documents')),
      filters: [{ extensions: ['socketlab'] }],
    });
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ format: 'socketlab' });

    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [file] });
    const opened = await value(
      invoke<{ kind: string; session: { importedFrom?: string } }>(window.webContents, 'openSessionFile'),
    );
    expect(opened.kind).toBe('opened');
    expect(opened.session.importedFrom).toBe('chosen.socketlab');
    expect(dialog.showOpenDialog.mock.calls[0]?.[0]).toBe(window);

    // Cancelled dialogs change nothing and say so.
    expect(await value(invoke(window.webContents, 'openSessionFile'))).toEqual({ kind: 'cancelled' });
    const id = await sessionIdOf(window.webContents);
    expect(await value(invoke(window.webContents, 'saveSession', id, 'txt'))).toEqual({ kind: 'cancelled' });
  });

  it('takes a dropped file in pieces, and refuses a foreign one in plain words', async () => {
    await launch();
    const contents = firstWindow().webContents;
    const file = path.join(dir, 'documents', 'dropped.socketlab');
    await saveTranscript(contents, file);
    const bytes = await readFile(file);
    const { importId } = await value(
      invoke<{ importId: string }>(contents, 'beginImport', 'dropped.socketlab', bytes.length),
    );
    const half = Math.ceil(bytes.length / 2);
    await value(invoke(contents, 'importChunk', importId, new Uint8Array(bytes.subarray(0, half))));
    await value(invoke(contents, 'importChunk', importId, new Uint8Array(bytes.subarray(half))));
    const listing = await value(invoke<{ importedFrom?: string }>(contents, 'finishImport', importId));
    expect(listing.importedFrom).toBe('dropped.socketlab');

    const foreign = new TextEncoder().encode('{"hello": "not a transcript"}');
    const begun = await value(
      invoke<{ importId: string }>(contents, 'beginImport', 'foreign.socketlab', foreign.length),
    );
    await value(invoke(contents, 'importChunk', begun.importId, foreign));
    const refused = await invoke(contents, 'finishImport', begun.importId);
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_FILE' } });
  });
});

describe('a failed start says why and quits', () => {
  it('an installed build without its lab files: an error dialog in plain words, exit 1, no window', async () => {
    app.isPackaged = true;
    const resources = path.join(dir, 'resources');
    await mkdir(resources);
    const before = process.resourcesPath;
    Object.assign(process, { resourcesPath: resources });
    try {
      const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      await launch();
      log.mockRestore();
    } finally {
      Object.assign(process, { resourcesPath: before });
    }
    expect(dialog.showErrorBox).toHaveBeenCalledTimes(1);
    const [title, content] = dialog.showErrorBox.mock.calls[0] as [string, string];
    expect(title).toBe('Socket Lab could not start');
    expect(content).toContain(path.join(resources, 'lab-content'));
    expect(content).toMatch(/missing/);
    expect(content).toMatch(/install Socket Lab again/);
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(BrowserWindowMock.instances).toHaveLength(0);
  });

  it('a lab server port that cannot be bound: the dialog names the port', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await launch({
        startLab: async (options) => {
          // The real servers, asked for a port that another program holds.
          await startLabServers({ ports: { http: port } });
          return startLabApp(options);
        },
      });
    } finally {
      log.mockRestore();
      await new Promise((resolve) => taken.close(resolve));
    }
    const [, content] = dialog.showErrorBox.mock.calls[0] as [string, string];
    expect(content).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(content).toMatch(/Close the program that uses that port/);
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(BrowserWindowMock.instances).toHaveLength(0);
  });

  it('a page that cannot be loaded: the dialog says so and the app exits', async () => {
    BrowserWindowMock.loadFailure = new Error("ERR_FILE_NOT_FOUND (-6) loading 'app://socket-lab/index.html'");
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await launch();
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(1));
    log.mockRestore();
    const [, content] = dialog.showErrorBox.mock.calls[0] as [string, string];
    expect(content).toMatch(/The lab's page could not be loaded \(ERR_FILE_NOT_FOUND/);
  });
});

describe('a later window that cannot load', () => {
  it('is logged, and does not end an app that already showed its page', async () => {
    await launch();
    firstWindow().webContents.emit('did-finish-load');
    BrowserWindowMock.loadFailure = new Error('ERR_ABORTED (-3)');
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    click('new-session');
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith(expect.stringMatching(/did not load: .*ERR_ABORTED/)));
    log.mockRestore();
    expect(app.exit).not.toHaveBeenCalled();
    expect(dialog.showErrorBox).not.toHaveBeenCalled();
  });
});

describe('one instance, and the files the system hands over', () => {
  it('a second launch hands its files to the first and quits without a window', async () => {
    app.gotLock = false;
    const desktop = await launch({ argv: ['socket-lab', 'lesson.socketlab', '--flag'] });
    expect(desktop.primary).toBe(false);
    expect(app.requestSingleInstanceLock).toHaveBeenCalledWith({ files: [path.join(dir, 'lesson.socketlab')] });
    expect(app.quit).toHaveBeenCalled();
    expect(protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled();
    expect(BrowserWindowMock.instances).toHaveLength(0);
  });

  it('the running app brings its window back and shows the file once the page listens', async () => {
    await launch();
    const window = firstWindow();
    const file = path.join(dir, 'documents', 'from-finder.socketlab');
    await saveTranscript(window.webContents, file);
    window.minimized = true;
    app.emit('second-instance', {}, ['socket-lab', 'ignored.socketlab'], os.tmpdir(), { files: [file] });
    await vi.waitFor(() => expect(window.restore).toHaveBeenCalled());
    expect(window.focus).toHaveBeenCalled();
    // The page has not said it listens yet: the file waits for it.
    await vi.waitFor(() => expect(window.show).toHaveBeenCalled());
    expect(commandsSent(window.webContents)).toEqual([]);
    pageListens(window.webContents);
    await vi.waitFor(() =>
      expect(commandsSent(window.webContents)).toEqual([
        { kind: 'show-session', session: expect.objectContaining({ importedFrom: 'from-finder.socketlab' }) },
      ]),
    );
  });

  it('a file on the first launch command line and a macOS open-file before ready are shown too', async () => {
    // Make a transcript with one run of the app, then start again as the system would.
    await launch();
    const file = path.join(dir, 'documents', 'twice.socketlab');
    await saveTranscript(firstWindow().webContents, file);
    await quit();
    resetElectronMock();
    app.paths = { userData: path.join(dir, 'data'), documents: path.join(dir, 'documents') };

    const release = app.holdReady();
    const desktop = startDesktopApp({
      outDir,
      argv: ['socket-lab', 'twice.socketlab'],
      cwd: path.dirname(file),
      env: {},
    });
    const openFile = { preventDefault: vi.fn() };
    app.emit('open-file', openFile, file);
    expect(openFile.preventDefault).toHaveBeenCalled();
    release();
    await desktop.ready;
    const contents = firstWindow().webContents;
    pageListens(contents);
    await vi.waitFor(() => expect(commandsSent(contents)).toHaveLength(2));
    expect(commandsSent(contents)).toEqual([
      { kind: 'show-session', session: expect.objectContaining({ importedFrom: 'twice.socketlab' }) },
      { kind: 'show-session', session: expect.objectContaining({ importedFrom: 'twice.socketlab' }) },
    ]);
  });

  it('a file that is not a transcript gets a message box in plain words, and changes nothing', async () => {
    await launch();
    const window = firstWindow();
    const file = path.join(dir, 'documents', 'notes.socketlab');
    await writeFile(file, 'these are my notes, not a session');
    app.emit('second-instance', {}, ['socket-lab', file], dir, null);
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenCalled());
    const [owner, options] = dialog.showMessageBox.mock.calls[0] as [unknown, { message: string; detail: string }];
    expect(owner).toBe(window);
    expect(options.message).toBe('notes.socketlab was not opened.');
    expect(options.detail.length).toBeGreaterThan(20);
    pageListens(window.webContents);
    expect(commandsSent(window.webContents)).toEqual([]);
  });
});

describe('the native menu', () => {
  it('is set from the template; page commands reach the focused page only once it listens', async () => {
    await launch();
    expect(Menu.setApplicationMenu).toHaveBeenCalledWith(Menu.buildFromTemplate.mock.results.at(-1)?.value);
    const window = firstWindow();
    click('save-as', window);
    expect(commandsSent(window.webContents)).toEqual([]);
    pageListens(window.webContents);
    click('save-as', window);
    click('export-pcapng', window);
    click('close-connection');
    click('open-file', window);
    expect(commandsSent(window.webContents)).toEqual([
      { kind: 'save-as', format: 'socketlab' },
      { kind: 'save-as', format: 'pcapng' },
      { kind: 'close-connection' },
      { kind: 'open-file' },
    ]);
  });

  it('Help opens only the allowlisted https pages', async () => {
    await launch();
    for (const link of HELP_LINKS) click(link.id);
    expect(shell.openExternal.mock.calls.map((call) => call[0])).toEqual(HELP_LINKS.map((link) => link.url));
    expect(HELP_LINKS.every((link) => link.url.startsWith('https://'))).toBe(true);
  });

  it('Toggle theme flips the theme the page follows and remembers it', async () => {
    await launch();
    click('toggle-theme');
    expect(nativeTheme.themeSource).toBe('dark');
    await vi.waitFor(async () =>
      expect(JSON.parse(await readFile(path.join(dir, 'data', 'desktop.json'), 'utf8'))).toMatchObject({
        theme: 'dark',
      }),
    );
    nativeTheme.shouldUseDarkColors = true;
    click('toggle-theme');
    expect(nativeTheme.themeSource).toBe('light');
    await quit();
    resetElectronMock();
    app.paths = { userData: path.join(dir, 'data'), documents: path.join(dir, 'documents') };
    await vi.waitFor(async () =>
      expect(JSON.parse(await readFile(path.join(dir, 'data', 'desktop.json'), 'utf8'))).toMatchObject({
        theme: 'light',
      }),
    );
    await launch();
    expect(nativeTheme.themeSource).toBe('light');
  });
});

describe('the window', () => {
  it('comes back where it was, and onto the screen when that display is gone', async () => {
    screen.displays = [
      { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1050 } },
      { id: 2, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } },
    ];
    await launch();
    const window = firstWindow();
    window.bounds = { x: 2100, y: 120, width: 1400, height: 900 };
    window.close();
    await vi.waitFor(async () =>
      expect(JSON.parse(await readFile(path.join(dir, 'data', 'desktop.json'), 'utf8'))).toMatchObject({
        window: { x: 2100, y: 120, width: 1400, height: 900, maximized: false },
      }),
    );
    // window-all-closed quits on Linux and Windows.
    app.emit('window-all-closed');
    if (process.platform !== 'darwin') expect(app.quit).toHaveBeenCalled();
    await quit();

    resetElectronMock();
    app.paths = { userData: path.join(dir, 'data'), documents: path.join(dir, 'documents') };
    screen.displays = [
      { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1050 } },
      { id: 2, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } },
    ];
    await launch();
    expect(firstWindow().options).toMatchObject({ x: 2100, y: 120, width: 1400, height: 900 });
    await quit();

    // The second monitor is gone: the window opens on the one that is left, whole.
    resetElectronMock();
    app.paths = { userData: path.join(dir, 'data'), documents: path.join(dir, 'documents') };
    await launch();
    const placed = firstWindow().options as { x: number; y: number; width: number; height: number };
    expect(placed.x).toBeGreaterThanOrEqual(0);
    expect(placed.y).toBeGreaterThanOrEqual(0);
    expect(placed.x + placed.width).toBeLessThanOrEqual(1920);
    expect(placed.y + placed.height).toBeLessThanOrEqual(1050);
    expect(placed).toMatchObject({ width: 1400, height: 900 });
  });

  it('shows itself once ready, and a new session opens a second window beside the first', async () => {
    await launch();
    const window = firstWindow();
    expect(window.visible).toBe(false);
    window.emit('ready-to-show');
    expect(window.visible).toBe(true);
    click('new-session');
    const second = BrowserWindowMock.instances[1];
    expect(second?.options).toMatchObject({ x: window.bounds.x + 28, y: window.bounds.y + 28 });
  });
});
