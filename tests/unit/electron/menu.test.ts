/** The native menu's template is a pure function: its items, shortcuts and actions, per platform. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import {
  buildMenuTemplate,
  flattenMenu,
  HELP_LINKS,
  openHelpLink,
  type MenuActions,
} from '../../../src/main/electron/menu';

function actions() {
  return {
    newSession: vi.fn<MenuActions['newSession']>(),
    command: vi.fn<MenuActions['command']>(),
    toggleTheme: vi.fn<MenuActions['toggleTheme']>(),
    openHelp: vi.fn<MenuActions['openHelp']>(),
  };
}

function template(platform: NodeJS.Platform, developer = false, given = actions()) {
  return { items: buildMenuTemplate({ platform, appName: 'Socket Lab', developer, actions: given }), given };
}

function byId(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const found = flattenMenu(items).find((item) => item.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}

function click(item: MenuItemConstructorOptions, window?: unknown): void {
  item.click?.(item as never, window as never, {} as never);
}

describe('the menu template', () => {
  it('has the usual top-level menus; macOS adds the app menu and keeps Quit there', () => {
    const linux = template('linux').items;
    expect(linux.map((item) => item.label)).toEqual(['&File', '&Edit', '&View', '&Window', '&Help']);
    expect(flattenMenu(linux).some((item) => item.role === 'quit')).toBe(true);
    expect(flattenMenu(linux).some((item) => item.role === 'about')).toBe(true);
    const mac = template('darwin').items;
    expect(mac[0]).toMatchObject({ role: 'appMenu', label: 'Socket Lab' });
    expect(flattenMenu(mac).some((item) => item.role === 'quit')).toBe(false);
    expect(flattenMenu(mac).some((item) => item.role === 'about')).toBe(false);
  });

  it('gives File its items with the usual shortcuts', () => {
    const { items } = template('win32');
    const file = items.find((item) => item.label === '&File')?.submenu as MenuItemConstructorOptions[];
    const labels = file.filter((item) => item.type !== 'separator').map((item) => item.label ?? item.role);
    expect(labels).toEqual(['New session', 'Open…', 'Save as…', 'Export', 'Close connection', 'Close window', 'quit']);
    expect(byId(items, 'new-session').accelerator).toBe('CmdOrCtrl+N');
    expect(byId(items, 'open-file').accelerator).toBe('CmdOrCtrl+O');
    expect(byId(items, 'save-as').accelerator).toBe('Shift+CmdOrCtrl+S');
    const exports = byId(items, 'export').submenu as MenuItemConstructorOptions[];
    expect(exports.map((item) => item.id)).toEqual(['export-txt', 'export-pcapng', 'export-py']);
    expect(exports.map((item) => item.label)).toEqual([
      'Text transcript (.txt)…',
      'Wireshark capture (.pcapng)…',
      'Python script (.py)…',
    ]);
  });

  it('each page item sends its own command, for the window it was clicked in', () => {
    const { items, given } = template('linux');
    const window = { id: 7 };
    click(byId(items, 'open-file'), window);
    click(byId(items, 'save-as'), window);
    click(byId(items, 'export-txt'), window);
    click(byId(items, 'export-pcapng'), window);
    click(byId(items, 'export-py'), window);
    click(byId(items, 'close-connection'), window);
    expect(given.command.mock.calls).toEqual([
      [{ kind: 'open-file' }, window],
      [{ kind: 'save-as', format: 'socketlab' }, window],
      [{ kind: 'save-as', format: 'txt' }, window],
      [{ kind: 'save-as', format: 'pcapng' }, window],
      [{ kind: 'save-as', format: 'py' }, window],
      [{ kind: 'close-connection' }, window],
    ]);
    click(byId(items, 'new-session'));
    click(byId(items, 'toggle-theme'));
    expect(given.newSession).toHaveBeenCalledTimes(1);
    expect(given.toggleTheme).toHaveBeenCalledTimes(1);
  });

  it('View has Toggle theme and Zoom (Ctrl+= as well as Ctrl+Plus); Reload and DevTools only unpackaged', () => {
    const installed = flattenMenu(template('linux').items);
    const roles = installed.map((item) => item.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']));
    expect(installed.find((item) => item.role === 'zoomIn' && item.accelerator === 'CmdOrCtrl+=')).toBeDefined();
    expect(roles).not.toContain('reload');
    expect(roles).not.toContain('toggleDevTools');
    const developer = flattenMenu(template('linux', true).items).map((item) => item.role);
    expect(developer).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it("Edit: Undo and Redo ask the page (never the browser's own history alone); off macOS their keys reach the page", () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const { items, given } = template(platform);
      const undo = byId(items, 'undo');
      const redo = byId(items, 'redo');
      expect([undo.role, redo.role]).toEqual([undefined, undefined]);
      expect(undo.accelerator).toBe('CmdOrCtrl+Z');
      expect(redo.accelerator).toBe(platform === 'win32' ? 'Ctrl+Y' : 'Shift+CmdOrCtrl+Z');
      // Registered with the system, Ctrl+Z would be taken before the page saw it (Windows and Linux).
      expect([undo.registerAccelerator, redo.registerAccelerator]).toEqual(
        platform === 'darwin' ? [true, true] : [false, false],
      );
      click(undo);
      click(redo);
      expect(given.command.mock.calls.map(([command]) => command)).toEqual([{ kind: 'undo' }, { kind: 'redo' }]);
      const edit = items.find((item) => item.label === '&Edit');
      const roles = flattenMenu(edit ? [edit] : [])
        .map((item) => item.role)
        .filter(Boolean);
      expect(roles).toEqual(
        platform === 'darwin'
          ? ['cut', 'copy', 'paste', 'pasteAndMatchStyle', 'delete', 'selectAll']
          : ['cut', 'copy', 'paste', 'delete', 'selectAll'],
      );
    }
  });

  it('Help lists only the allowlisted pages and hands the link itself to the action', () => {
    const { items, given } = template('linux');
    for (const link of HELP_LINKS) click(byId(items, link.id));
    expect(given.openHelp.mock.calls.map((call) => call[0])).toEqual([...HELP_LINKS]);
  });
});

describe('Help links', () => {
  it('are https pages of the book and of Python, and only they are opened', async () => {
    for (const link of HELP_LINKS) {
      const url = new URL(link.url);
      expect(url.protocol).toBe('https:');
      expect(['www.py4e.com', 'docs.python.org']).toContain(url.host);
    }
    const opened: string[] = [];
    const open = async (url: string) => void opened.push(url);
    expect(openHelpLink(HELP_LINKS[0].url, open)).toBe(true);
    for (const refused of [
      'http://www.py4e.com/html3/12-network',
      'https://www.py4e.com/html3/12-network?x=1',
      'https://evil.example/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      '',
    ]) {
      expect(openHelpLink(refused, open), refused).toBe(false);
    }
    expect(opened).toEqual([HELP_LINKS[0].url]);
  });

  it('a browser that cannot be started is not an unhandled rejection', async () => {
    const failing = vi.fn(async () => {
      throw new Error('no browser');
    });
    expect(openHelpLink(HELP_LINKS[1].url, failing)).toBe(true);
    await Promise.resolve();
    expect(failing).toHaveBeenCalledWith(HELP_LINKS[1].url);
  });
});
