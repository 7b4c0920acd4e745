/**
 * The one module-level mock of `electron` (model: electron/fiddle tests/mocks/electron.ts), used by every test of
 * src/main/electron and src/preload through `vi.mock('electron', () => import('./electronMock'))`. It records what
 * the app asks of Electron and lets a test play Electron's part: emit app and WebContents events, answer dialogs,
 * call the registered IPC and protocol handlers. `resetElectronMock()` puts everything back between tests.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Handler = (...args: unknown[]) => unknown;

export class WebContentsMock extends EventEmitter {
  static nextId = 1;
  readonly id = WebContentsMock.nextId++;
  destroyed = false;
  url = '';
  /** What main sent the page, in order. */
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  windowOpenHandler: Handler | undefined;
  /** The page's main frame, as the IPC guard reads it. */
  mainFrame = { url: 'app://socket-lab/index.html', parent: null as unknown };
  readonly setWindowOpenHandler = vi.fn((handler: Handler) => {
    this.windowOpenHandler = handler;
  });
  readonly send = vi.fn((channel: string, payload: unknown) => {
    this.sent.push({ channel, payload });
  });
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  /** An IPC event from this page's main frame (or from `frame`). */
  ipcEvent(frame: { url: string; parent: unknown } | null = this.mainFrame) {
    return { sender: this, senderFrame: frame, processId: 1, frameId: 1 };
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed');
  }
  /** Emits `name` with an event whose preventDefault is watched; returns that event. */
  emitPreventable(name: string, ...rest: unknown[]) {
    const event = { preventDefault: vi.fn(), defaultPrevented: false, url: rest[0] };
    event.preventDefault.mockImplementation(() => {
      event.defaultPrevented = true;
    });
    this.emit(name, event, ...rest);
    return event;
  }
}

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class BrowserWindowMock extends EventEmitter {
  static nextId = 1;
  static readonly instances: BrowserWindowMock[] = [];
  static focused: BrowserWindowMock | null = null;
  /** Set to make the next windows' loadURL reject, as Electron does for a page that cannot load. */
  static loadFailure: Error | null = null;
  static getAllWindows = () => BrowserWindowMock.instances.filter((window) => !window.destroyed);
  static getFocusedWindow = () => BrowserWindowMock.focused;
  static fromId = (id: number) => BrowserWindowMock.instances.find((window) => window.id === id) ?? null;
  static fromWebContents = (contents: WebContentsMock) =>
    BrowserWindowMock.instances.find((window) => window.webContents === contents) ?? null;

  readonly id = BrowserWindowMock.nextId++;
  readonly webContents = new WebContentsMock();
  readonly options: Record<string, unknown>;
  destroyed = false;
  visible = false;
  minimized = false;
  maximized = false;
  bounds: Bounds;
  readonly loadURL = vi.fn((url: string) => {
    this.webContents.url = url;
    return BrowserWindowMock.loadFailure ? Promise.reject(BrowserWindowMock.loadFailure) : Promise.resolve();
  });
  readonly show = vi.fn(() => {
    this.visible = true;
  });
  readonly focus = vi.fn(() => {
    BrowserWindowMock.focused = this;
    this.emit('focus');
  });
  readonly restore = vi.fn(() => {
    this.minimized = false;
  });
  readonly maximize = vi.fn(() => {
    this.maximized = true;
  });

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    const width = typeof options.width === 'number' ? options.width : 800;
    const height = typeof options.height === 'number' ? options.height : 600;
    this.bounds = {
      x: typeof options.x === 'number' ? options.x : 100,
      y: typeof options.y === 'number' ? options.y : 100,
      width,
      height,
    };
    BrowserWindowMock.instances.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  getBounds(): Bounds {
    return { ...this.bounds };
  }
  getNormalBounds(): Bounds {
    return { ...this.bounds };
  }
  /** The learner closes the window: 'close', then 'closed', then the page is destroyed. */
  close(): void {
    if (this.destroyed) return;
    this.emit('close', { preventDefault: vi.fn() });
    this.destroyed = true;
    if (BrowserWindowMock.focused === this) BrowserWindowMock.focused = null;
    this.emit('closed');
    this.webContents.destroy();
  }
}

class AppMock extends EventEmitter {
  isPackaged = false;
  paths: Record<string, string> = {};
  gotLock = true;
  #ready: Promise<void> = Promise.resolve();
  readonly getPath = vi.fn((name: string) => {
    const found = this.paths[name];
    if (!found) throw new Error(`Unexpected call: app.getPath(${name})`);
    return found;
  });
  readonly setPath = vi.fn((name: string, value: string) => {
    this.paths[name] = value;
  });
  readonly getVersion = vi.fn(() => '0.1.0-test');
  readonly requestSingleInstanceLock = vi.fn((_data?: unknown) => this.gotLock);
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly setAboutPanelOptions = vi.fn();
  whenReady(): Promise<void> {
    return this.#ready;
  }
  /** Holds 'ready' back until the returned function is called (to play events that come before it). */
  holdReady(): () => void {
    let release!: () => void;
    this.#ready = new Promise((resolve) => (release = resolve));
    return release;
  }
  resetReady(): void {
    this.#ready = Promise.resolve();
  }
}

export const app = new AppMock();
export const BrowserWindow = BrowserWindowMock;

class IpcMainMock extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  readonly handle = vi.fn((channel: string, handler: Handler) => {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  });
  readonly removeHandler = vi.fn((channel: string) => this.handlers.delete(channel));
}
export const ipcMain = new IpcMainMock();

class IpcRendererMock extends EventEmitter {
  readonly invoke = vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>();
  readonly send = vi.fn();
}
export const ipcRenderer = new IpcRendererMock();

export const exposed: Record<string, unknown> = {};
export const contextBridge = {
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    exposed[key] = api;
  }),
};

export const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn((scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
    protocolHandlers.set(scheme, handler);
  }),
};

export const defaultSession = {
  permissionRequestHandler: undefined as Handler | undefined,
  permissionCheckHandler: undefined as Handler | undefined,
  devicePermissionHandler: undefined as Handler | undefined,
  beforeRequest: undefined as { filter: { urls: string[] }; listener: Handler } | undefined,
  setPermissionRequestHandler: vi.fn((handler: Handler) => {
    defaultSession.permissionRequestHandler = handler;
  }),
  setPermissionCheckHandler: vi.fn((handler: Handler) => {
    defaultSession.permissionCheckHandler = handler;
  }),
  setDevicePermissionHandler: vi.fn((handler: Handler) => {
    defaultSession.devicePermissionHandler = handler;
  }),
  webRequest: {
    onBeforeRequest: vi.fn((filter: { urls: string[] }, listener: Handler) => {
      defaultSession.beforeRequest = { filter, listener };
    }),
  },
};
export const session = { defaultSession };

export const dialog = {
  showErrorBox: vi.fn(),
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePath: '' })),
  showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: true, filePaths: [] as string[] })),
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: 0, checkboxChecked: false })),
};

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn(),
};

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };

export const screen = {
  displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1050 } }],
  getAllDisplays: vi.fn(() => screen.displays),
  getPrimaryDisplay: vi.fn(() => screen.displays[0]),
};

export const nativeTheme = { themeSource: 'system' as 'system' | 'light' | 'dark', shouldUseDarkColors: false };

/** Back to a fresh Electron: no windows, no handlers, no listeners, every recorded call forgotten. */
export function resetElectronMock(): void {
  // Vitest 4: every vi.fn goes back to the implementation it was made with, and forgets its calls.
  vi.resetAllMocks();
  BrowserWindowMock.instances.length = 0;
  BrowserWindowMock.focused = null;
  BrowserWindowMock.loadFailure = null;
  app.removeAllListeners();
  app.isPackaged = false;
  app.paths = {};
  app.gotLock = true;
  app.resetReady();
  ipcMain.removeAllListeners();
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  for (const key of Object.keys(exposed)) delete exposed[key];
  protocolHandlers.clear();
  defaultSession.permissionRequestHandler = undefined;
  defaultSession.permissionCheckHandler = undefined;
  defaultSession.devicePermissionHandler = undefined;
  defaultSession.beforeRequest = undefined;
  screen.displays = [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1050 } }];
  nativeTheme.themeSource = 'system';
  nativeTheme.shouldUseDarkColors = false;
}
