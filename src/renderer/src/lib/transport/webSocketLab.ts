/** LabApi over the web host's WebSocket: binary frames, the same contract as the preload bridge. */
import {
  COMMAND_CHANNELS,
  type CommandName,
  type EventBatch,
  type LabApi,
  type LabCommands,
  type Unsubscribe,
} from '../../../../shared/contract';
import { fail, type Result } from '../../../../shared/errors';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../../shared/wire';

type Pending = (result: Result<unknown>) => void;

/** The web host's token is new on every run, so after a restart only the new link works. */
export const LINK_LOST_HINT =
  'If `npm run web` stopped, start it again and open the new link it prints (the old link’s token no longer works); if it is still running, reload this page.';

export class WebSocketLab implements LabApi {
  readonly #socket: WebSocket;
  readonly #opened: Promise<boolean>;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(batch: EventBatch) => void>();
  readonly #linkLostListeners = new Set<() => void>();
  #linkLost = false;
  #nextCallId = 1;
  #everOpened = false;

  constructor(url: string) {
    this.#socket = new WebSocket(url);
    this.#socket.binaryType = 'arraybuffer';
    this.#opened = new Promise((resolve) => {
      this.#socket.addEventListener('open', () => {
        this.#everOpened = true;
        resolve(true);
      });
      this.#socket.addEventListener('close', () => resolve(false));
    });
    this.#socket.addEventListener('message', (event: MessageEvent) => this.#receive(event.data));
    this.#socket.addEventListener('close', () => {
      for (const settle of this.#pending.values()) settle(this.#disconnected());
      this.#pending.clear();
      if (this.#everOpened) {
        this.#linkLost = true;
        for (const listener of this.#linkLostListeners) listener();
      }
    });
  }

  #disconnected(): Result<never> {
    return this.#everOpened
      ? fail('DISCONNECTED', 'The lab lost its link to the web host.', LINK_LOST_HINT)
      : fail(
          'DISCONNECTED',
          'The web host refused this page or is not running.',
          'Open the lab with the full link that `npm run web` printed; it carries a secret token.',
        );
  }

  #receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return;
    let message: ServerMessage;
    try {
      message = decodeFrame(new Uint8Array(data)) as ServerMessage;
    } catch {
      return;
    }
    if (message.kind === 'result') {
      const settle = this.#pending.get(message.callId);
      this.#pending.delete(message.callId);
      settle?.(message.result);
    } else if (message.kind === 'events') {
      for (const listener of this.#listeners) listener(message.batch);
    }
  }

  #call<K extends CommandName>(name: K, args: unknown[]): ReturnType<LabCommands[K]> {
    const result = (async (): Promise<Result<unknown>> => {
      if (!(await this.#opened) || this.#socket.readyState !== WebSocket.OPEN) return this.#disconnected();
      const callId = this.#nextCallId++;
      return new Promise<Result<unknown>>((resolve) => {
        this.#pending.set(callId, resolve);
        this.#socket.send(encodeFrame({ kind: 'call', callId, channel: COMMAND_CHANNELS[name], args }));
      });
    })();
    return result as ReturnType<LabCommands[K]>;
  }

  hello: LabCommands['hello'] = () => this.#call('hello', []);
  connect: LabCommands['connect'] = (request) => this.#call('connect', [request]);
  send: LabCommands['send'] = (id, bytes) => this.#call('send', [id, bytes]);
  end: LabCommands['end'] = (id) => this.#call('end', [id]);
  close: LabCommands['close'] = (id) => this.#call('close', [id]);
  abort: LabCommands['abort'] = (id) => this.#call('abort', [id]);
  listConnections: LabCommands['listConnections'] = () => this.#call('listConnections', []);
  ackEvents: LabCommands['ackEvents'] = (seq) => this.#call('ackEvents', [seq]);
  labServers: LabCommands['labServers'] = () => this.#call('labServers', []);
  setSlowMode: LabCommands['setSlowMode'] = (slow) => this.#call('setSlowMode', [slow]);
  getProgress: LabCommands['getProgress'] = () => this.#call('getProgress', []);
  saveProgress: LabCommands['saveProgress'] = (progress) => this.#call('saveProgress', [progress]);

  /**
   * Calls `listener` once the link to a web host that was reached is gone (the host stopped): nothing more will
   * arrive, so the page must say so before the learner waits for an answer. Not part of LabApi: only this
   * transport can lose its host while the page stays open.
   */
  onLinkLost(listener: () => void): Unsubscribe {
    if (this.#linkLost) listener();
    this.#linkLostListeners.add(listener);
    return () => {
      this.#linkLostListeners.delete(listener);
    };
  }

  onEvents(listener: (batch: EventBatch) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

/** The WebSocket address for the page this script was served from, carrying the page's token. */
export function webSocketUrlFor(location: Location): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/lab?token=${encodeURIComponent(token)}`;
}
