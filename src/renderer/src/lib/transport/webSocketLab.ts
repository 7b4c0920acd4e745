/** LabApi over the web host's WebSocket: binary frames, the same contract as the preload bridge. */
import {
  COMMAND_CHANNELS,
  COMMAND_NAMES,
  type CommandName,
  type EventBatch,
  type LabApi,
  type LabCommands,
  type Unsubscribe,
} from '../../../../shared/contract';
import { fail, type Result } from '../../../../shared/errors';
import { LIMITS } from '../../../../shared/limits';
import type { SessionListing } from '../../../../shared/transcript';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../../shared/wire';

type Pending = (result: Result<unknown>) => void;

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;

function tooLargeForTheLink(bytes: number): Result<never> {
  return fail(
    'SEND_TOO_LARGE',
    `This is ${mib(bytes)} in one go; the web host takes at most ${mib(LIMITS.maxWebSocketMessageBytes)} at once, and one send can be at most ${mib(LIMITS.maxSendBytes)}.`,
    'Split it into smaller sends.',
  );
}

/** The web host's token is new on every run, so after a restart only the new link works. */
export const LINK_LOST_HINT =
  'If `npm run web` stopped, start it again and open the new link it prints (the old link’s token no longer works); if it is still running, reload this page.';

// Every command is made from COMMAND_CHANNELS in the constructor; this declaration gives them their types.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface WebSocketLab extends LabCommands {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
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
    for (const name of COMMAND_NAMES) {
      Object.defineProperty(this, name, { value: (...args: unknown[]) => this.#call(name, args), enumerable: true });
    }
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

  async #call(name: CommandName, args: unknown[]): Promise<Result<unknown>> {
    if (!(await this.#opened) || this.#socket.readyState !== WebSocket.OPEN) return this.#disconnected();
    const callId = this.#nextCallId++;
    const frame = encodeFrame({ kind: 'call', callId, channel: COMMAND_CHANNELS[name], args });
    // The host closes the whole link on a frame past its cap (and every connection of this tab with it): answer here.
    if (frame.byteLength > LIMITS.maxWebSocketMessageBytes) return tooLargeForTheLink(frame.byteLength);
    return new Promise<Result<unknown>>((resolve) => {
      this.#pending.set(callId, resolve);
      this.#socket.send(frame);
    });
  }

  /**
   * Opens a transcript file in the browser: the file is uploaded to the web host in one streamed request (not over
   * the WebSocket, whose messages are capped), read there, and kept as a session. Not part of LabApi: the desktop
   * app opens files with its own dialog instead.
   */
  async uploadTranscript(file: Blob, fileName: string): Promise<Result<SessionListing>> {
    const url = new URL('/upload', this.#socket.url.replace(/^ws/, 'http'));
    url.searchParams.set('token', new URL(this.#socket.url).searchParams.get('token') ?? '');
    url.searchParams.set('name', fileName);
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: file,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      const answer = (await response.json()) as Result<SessionListing>;
      if (typeof answer === 'object' && answer !== null && typeof answer.ok === 'boolean') return answer;
      return fail('INTERNAL', 'The web host gave an answer the lab does not understand.', 'Try again.');
    } catch {
      return fail('DISCONNECTED', 'The file could not be sent to the web host.', LINK_LOST_HINT);
    }
  }

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
