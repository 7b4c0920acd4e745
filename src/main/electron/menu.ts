/**
 * The native menu, as a pure function of the platform and a few actions, so it is tested without Electron.
 * Items that act on the page (Open…, Save as…, Close connection) become DesktopCommands for the focused window.
 */
import type { BaseWindow, MenuItemConstructorOptions } from 'electron';
import type { DesktopCommand } from '../../shared/desktop';
import type { ExportFormat } from '../../shared/transcript';

/** The only pages Help opens, in the learner's browser. Nothing else reaches shell.openExternal. */
export const HELP_LINKS = [
  {
    id: 'help-chapter',
    label: 'Python for Everybody, Chapter 12: Networked Programs',
    url: 'https://www.py4e.com/html3/12-network',
  },
  { id: 'help-lessons', label: 'The chapter’s lectures and exercises', url: 'https://www.py4e.com/lessons/network' },
  { id: 'help-socket', label: 'Python’s socket module', url: 'https://docs.python.org/3/library/socket.html' },
  {
    id: 'help-urllib',
    label: 'Python’s urllib.request module',
    url: 'https://docs.python.org/3/library/urllib.request.html',
  },
] as const;

export type HelpLink = (typeof HELP_LINKS)[number];

/** Opens `url` only when it is one of HELP_LINKS (and https); says whether it did. */
export function openHelpLink(url: string, openExternal: (url: string) => Promise<void>): boolean {
  const link = HELP_LINKS.find((candidate) => candidate.url === url);
  if (!link || new URL(link.url).protocol !== 'https:') return false;
  void openExternal(link.url).catch(() => undefined);
  return true;
}

export interface MenuActions {
  /** A fresh session in a window of its own. */
  newSession(): void;
  /** Something for the page of `window` (the focused one) to do. */
  command(command: DesktopCommand, window: BaseWindow | undefined): void;
  toggleTheme(): void;
  openHelp(link: HelpLink): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  appName: string;
  /** Unpackaged (`npm run dev`, `npm start` from the source): Reload and the developer tools are offered. */
  developer: boolean;
  actions: MenuActions;
}

const EXPORTS: ReadonlyArray<{ format: ExportFormat; label: string }> = [
  { format: 'txt', label: 'Text transcript (.txt)…' },
  { format: 'pcapng', label: 'Wireshark capture (.pcapng)…' },
  { format: 'py', label: 'Python script (.py)…' },
];

export function buildMenuTemplate({
  platform,
  appName,
  developer,
  actions,
}: MenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const toPage =
    (command: DesktopCommand): NonNullable<MenuItemConstructorOptions['click']> =>
    (_item, window) =>
      actions.command(command, window);

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'new-session', label: 'New session', accelerator: 'CmdOrCtrl+N', click: () => actions.newSession() },
      { id: 'open-file', label: 'Open…', accelerator: 'CmdOrCtrl+O', click: toPage({ kind: 'open-file' }) },
      { type: 'separator' },
      {
        id: 'save-as',
        label: 'Save as…',
        accelerator: 'Shift+CmdOrCtrl+S',
        click: toPage({ kind: 'save-as', format: 'socketlab' }),
      },
      {
        id: 'export',
        label: 'Export',
        submenu: EXPORTS.map(({ format, label }) => ({
          id: `export-${format}`,
          label,
          click: toPage({ kind: 'save-as', format }),
        })),
      },
      { type: 'separator' },
      { id: 'close-connection', label: 'Close connection', click: toPage({ kind: 'close-connection' }) },
      { type: 'separator' },
      { role: 'close', label: 'Close window' },
      ...(mac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const, accelerator: 'CmdOrCtrl+Q' }]),
    ],
  };

  // Undo and Redo are not roles. A role's undo is webContents.undo(), the browser's own history, which cannot see the
  // edits the message box makes itself (a paste of thousands of lines); and off macOS a role registers Ctrl+Z with
  // the system, so the page never sees the key. Shown but not registered there, the keys reach the page (the message
  // box, or the browser's own undo in any other box); a click asks the page. On macOS the page sees a key first and
  // the menu gets only the keys the page left alone, so the shortcut stays registered.
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      {
        id: 'undo',
        label: 'Undo',
        accelerator: 'CmdOrCtrl+Z',
        registerAccelerator: mac,
        click: toPage({ kind: 'undo' }),
      },
      {
        id: 'redo',
        label: 'Redo',
        accelerator: platform === 'win32' ? 'Ctrl+Y' : 'Shift+CmdOrCtrl+Z',
        registerAccelerator: mac,
        click: toPage({ kind: 'redo' }),
      },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' as const }] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { id: 'toggle-theme', label: 'Toggle theme (light/dark)', click: () => actions.toggleTheme() },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      // Ctrl+= zooms in too, as in browsers: CmdOrCtrl+Plus alone needs Shift on most keyboards.
      { role: 'zoomIn', accelerator: 'CmdOrCtrl+=', visible: false, acceleratorWorksWhenHidden: true },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(developer
        ? [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]
        : []),
    ],
  };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      ...HELP_LINKS.map((link) => ({ id: link.id, label: link.label, click: () => actions.openHelp(link) })),
      ...(mac ? [] : [{ type: 'separator' as const }, { role: 'about' as const, label: `About ${appName}` }]),
    ],
  };

  return [
    ...(mac ? [{ role: 'appMenu' as const, label: appName }] : []),
    file,
    edit,
    view,
    { role: 'windowMenu', label: '&Window' },
    help,
  ];
}

/** Every item of a template, submenus included, in order (for lookups and tests). */
export function flattenMenu(template: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? flattenMenu(item.submenu as MenuItemConstructorOptions[]) : []),
  ]);
}
