/**
 * The preload bridge: `window.lab` with one named function per message. It never exposes
 * ipcRenderer itself or the IPC event object (Electron's context-isolation "good code").
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_CHANNELS, EVENTS_CHANNEL, type EventBatch, type LabApi } from '../shared/contract';

const lab = {
  hello: () => ipcRenderer.invoke(COMMAND_CHANNELS.hello),
  connect: (request) => ipcRenderer.invoke(COMMAND_CHANNELS.connect, request),
  send: (id, bytes) => ipcRenderer.invoke(COMMAND_CHANNELS.send, id, bytes),
  end: (id) => ipcRenderer.invoke(COMMAND_CHANNELS.end, id),
  close: (id) => ipcRenderer.invoke(COMMAND_CHANNELS.close, id),
  abort: (id) => ipcRenderer.invoke(COMMAND_CHANNELS.abort, id),
  listConnections: () => ipcRenderer.invoke(COMMAND_CHANNELS.listConnections),
  ackEvents: (seq) => ipcRenderer.invoke(COMMAND_CHANNELS.ackEvents, seq),
  labServers: () => ipcRenderer.invoke(COMMAND_CHANNELS.labServers),
  setSlowMode: (slow) => ipcRenderer.invoke(COMMAND_CHANNELS.setSlowMode, slow),
  getProgress: () => ipcRenderer.invoke(COMMAND_CHANNELS.getProgress),
  saveProgress: (progress) => ipcRenderer.invoke(COMMAND_CHANNELS.saveProgress, progress),
  onEvents: (listener) => {
    const forward = (_event: IpcRendererEvent, batch: EventBatch) => listener(batch);
    ipcRenderer.on(EVENTS_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENTS_CHANNEL, forward);
    };
  },
} satisfies LabApi;

export type PreloadLab = typeof lab;

contextBridge.exposeInMainWorld('lab', lab);
