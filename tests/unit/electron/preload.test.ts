/**
 * The preload bridge under the one Electron mock: each of window.lab's functions invokes its own channel (a literal
 * table, so a function wired to another command's channel fails here), a rejected invoke becomes DISCONNECTED,
 * subscriptions never leak the IPC event, and nothing but named functions reaches the page.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMAND_CHANNELS, COMMAND_NAMES, EVENTS_CHANNEL, type LabApi } from '../../../src/shared/contract';
import { DESKTOP_CHANNELS, type DesktopBridge, type DesktopCommand } from '../../../src/shared/desktop';
import { contextBridge, exposed, ipcRenderer, resetElectronMock } from './electronMock';

vi.mock('electron', () => import('./electronMock'));

/** Written out by hand on purpose: the preload must match this, not merely agree with itself. */
const EXPECTED_CHANNELS: Record<keyof typeof COMMAND_CHANNELS, string> = {
  hello: 'lab:hello',
  connect: 'socket:connect',
  send: 'socket:send',
  end: 'socket:end',
  close: 'socket:close',
  abort: 'socket:abort',
  listConnections: 'socket:list',
  ackEvents: 'events:ack',
  labServers: 'labServers:list',
  setSlowMode: 'labServers:setSlowMode',
  getProgress: 'progress:get',
  saveProgress: 'progress:save',
  listSessions: 'sessions:list',
  recoverableSessions: 'sessions:recoverable',
  putAwaySession: 'sessions:putAway',
  deleteSession: 'sessions:delete',
  readSession: 'sessions:read',
  saveSession: 'sessions:save',
  openSessionFile: 'sessions:openFile',
  beginImport: 'sessions:beginImport',
  importChunk: 'sessions:importChunk',
  finishImport: 'sessions:finishImport',
};

let lab: LabApi;
let desktop: DesktopBridge;

beforeAll(async () => {
  resetElectronMock();
  await import('../../../src/preload/index');
  lab = exposed.lab as LabApi;
  desktop = exposed.labDesktop as DesktopBridge;
});

type AnyFunction = (...args: unknown[]) => Promise<unknown>;

describe('the preload bridge', () => {
  it('exposes window.lab and window.labDesktop, and never ipcRenderer or invoke', () => {
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(2);
    expect(Object.keys(exposed).sort()).toEqual(['lab', 'labDesktop']);
    expect(Object.keys(lab).sort()).toEqual([...COMMAND_NAMES, 'onEvents'].sort());
    expect(Object.keys(desktop)).toEqual(['onCommand']);
    for (const api of [lab, desktop]) {
      for (const [name, value] of Object.entries(api)) {
        expect(typeof value, name).toBe('function');
        expect(value, name).not.toBe(ipcRenderer.invoke);
        expect(value, name).not.toBe(ipcRenderer.send);
      }
      expect(Object.values(api)).not.toContain(ipcRenderer);
    }
  });

  it('sends every command on its own channel, with its arguments as given', async () => {
    expect(Object.keys(EXPECTED_CHANNELS).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(new Set(Object.values(EXPECTED_CHANNELS)).size).toBe(COMMAND_NAMES.length);
    for (const name of COMMAND_NAMES) {
      ipcRenderer.invoke.mockReset();
      ipcRenderer.invoke.mockResolvedValue({ ok: true, value: name });
      const args = [`${name}-argument`, 7, new Uint8Array([1, 2, 3])];
      const result = await (lab[name] as AnyFunction)(...args);
      expect(ipcRenderer.invoke, name).toHaveBeenCalledTimes(1);
      expect(ipcRenderer.invoke, name).toHaveBeenCalledWith(EXPECTED_CHANNELS[name], ...args);
      expect(result, name).toEqual({ ok: true, value: name });
    }
  });

  it('close and abort are different messages: close sends FIN on socket:close, abort RST on socket:abort', async () => {
    ipcRenderer.invoke.mockReset();
    ipcRenderer.invoke.mockResolvedValue({ ok: true, value: null });
    await lab.close('c1');
    await lab.abort('c2');
    expect(ipcRenderer.invoke.mock.calls).toEqual([
      ['socket:close', 'c1'],
      ['socket:abort', 'c2'],
    ]);
  });

  it('turns a rejected invoke (no handler, a destroyed frame, shutdown) into DISCONNECTED data', async () => {
    const failures = [
      new Error("No handler registered for 'lab:hello'"),
      new Error('Render frame was disposed before WebFrameMain could be accessed'),
      'a plain string',
    ];
    for (const failure of failures) {
      ipcRenderer.invoke.mockReset();
      ipcRenderer.invoke.mockRejectedValue(failure);
      const result = await lab.hello();
      expect(result).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
      if (!result.ok) expect(result.error.message).toMatch(/lost its link/);
    }
    // A throw before any promise exists (an argument that cannot be cloned) is data too.
    ipcRenderer.invoke.mockReset();
    ipcRenderer.invoke.mockImplementation(() => {
      throw new Error('An object could not be cloned.');
    });
    await expect(lab.connect({ host: 'data.pr4e.org', port: 80 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'DISCONNECTED' },
    });
  });

  it('passes a main-side failure through unchanged (errors are data both ways)', async () => {
    const refused = { ok: false, error: { code: 'FORBIDDEN', message: 'no', hint: 'no' } };
    ipcRenderer.invoke.mockReset();
    ipcRenderer.invoke.mockResolvedValue(refused);
    expect(await lab.hello()).toEqual(refused);
  });

  it('onEvents hands over the batch only, never the IPC event, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const stop = lab.onEvents((...args) => seen.push(args));
    const batch = { seq: 1, events: [] };
    ipcRenderer.emit(EVENTS_CHANNEL, { sender: ipcRenderer, ports: [] }, batch);
    expect(seen).toEqual([[batch]]);
    stop();
    ipcRenderer.emit(EVENTS_CHANNEL, { sender: ipcRenderer }, { seq: 2, events: [] });
    expect(seen).toHaveLength(1);
    expect(ipcRenderer.listenerCount(EVENTS_CHANNEL)).toBe(0);
  });

  it('labDesktop.onCommand tells main it listens, hands over the command only, and unsubscribes', () => {
    ipcRenderer.send.mockReset();
    const seen: unknown[][] = [];
    const stop = desktop.onCommand((...args) => seen.push(args));
    expect(ipcRenderer.send).toHaveBeenCalledWith(DESKTOP_CHANNELS.listening);
    const command: DesktopCommand = { kind: 'save-as', format: 'pcapng' };
    ipcRenderer.emit(DESKTOP_CHANNELS.command, { sender: ipcRenderer }, command);
    expect(seen).toEqual([[command]]);
    stop();
    ipcRenderer.emit(DESKTOP_CHANNELS.command, { sender: ipcRenderer }, { kind: 'open-file' });
    expect(seen).toHaveLength(1);
    expect(ipcRenderer.listenerCount(DESKTOP_CHANNELS.command)).toBe(0);
  });
});
