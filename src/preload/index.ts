/**
 * The preload bridge: `window.lab` with one named function per message, each made from COMMAND_CHANNELS so a
 * function can only ever invoke its own channel, and `window.labDesktop` for the native menu's commands. It never
 * exposes ipcRenderer itself or the IPC event object (Electron's context-isolation "good code").
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  COMMAND_CHANNELS,
  COMMAND_NAMES,
  EVENTS_CHANNEL,
  type CommandName,
  type EventBatch,
  type LabApi,
  type LabCommands,
} from '../shared/contract';
import { DESKTOP_CHANNELS, type DesktopBridge, type DesktopCommand } from '../shared/desktop';
import { fail, type Result } from '../shared/errors';

/** invoke() rejects when main has no handler, the frame is gone or the app is quitting: the renderer expects data. */
function disconnected(): Result<never> {
  return fail(
    'DISCONNECTED',
    'The lab window lost its link to the app.',
    'Close this window and open the lab again; if it keeps happening, restart Socket Lab.',
  );
}

/** The one way a command reaches main: its own channel, and a Result back whatever happens on the way. */
export function invoker(name: CommandName): (...args: unknown[]) => Promise<Result<unknown>> {
  const channel = COMMAND_CHANNELS[name];
  return async (...args) => {
    try {
      return (await ipcRenderer.invoke(channel, ...args)) as Result<unknown>;
    } catch {
      return disconnected();
    }
  };
}

const commands = Object.fromEntries(COMMAND_NAMES.map((name) => [name, invoker(name)])) as unknown as LabCommands;

const lab: LabApi = {
  ...commands,
  onEvents: (listener) => {
    const forward = (_event: IpcRendererEvent, batch: EventBatch) => listener(batch);
    ipcRenderer.on(EVENTS_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENTS_CHANNEL, forward);
    };
  },
};

const labDesktop: DesktopBridge = {
  onCommand: (listener) => {
    const forward = (_event: IpcRendererEvent, command: DesktopCommand) => listener(command);
    ipcRenderer.on(DESKTOP_CHANNELS.command, forward);
    // Main keeps files the system handed over until the page listens: this says it does.
    ipcRenderer.send(DESKTOP_CHANNELS.listening);
    return () => {
      ipcRenderer.removeListener(DESKTOP_CHANNELS.command, forward);
    };
  },
};

export type PreloadLab = typeof lab;
export type PreloadDesktop = typeof labDesktop;

contextBridge.exposeInMainWorld('lab', lab);
contextBridge.exposeInMainWorld('labDesktop', labDesktop);
