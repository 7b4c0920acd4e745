/**
 * What the web host's socket tests share: a lab app and its web host in a fresh folder, a loopback echo server to
 * connect to, and a tab that speaks the host's WebSocket the way the browser's client does (every batch
 * acknowledged, events kept).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { COMMAND_CHANNELS, type CommandName, type DeliveredEvent } from '../../../src/shared/contract';
import { fail, type LabError, type Result } from '../../../src/shared/errors';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../src/shared/wire';
import { startLabApp, type LabApp, type LabAppOptions } from '../../../src/main/core/labApp';
import { startWebHost, type WebHost, type WebHostOptions } from '../../../src/main/web/server';
import { eventWaits } from '../eventWaits';

export interface EchoHost {
  app: LabApp;
  host: WebHost;
  /** A loopback server that sends back every byte, and its port. */
  echo: net.Server;
  echoPort: number;
  close(): Promise<void>;
}

export async function startEchoHost(
  prefix: string,
  options: {
    app?: Partial<Omit<LabAppOptions, 'dataDir'>>;
    host?: Partial<Omit<WebHostOptions, 'app' | 'rendererDir'>>;
  } = {},
): Promise<EchoHost> {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(path.join(tempDir, 'renderer'));
  writeFileSync(path.join(tempDir, 'renderer', 'index.html'), '<!doctype html>');
  const app = await startLabApp({ appVersion: '0.0.0', runtime: {}, ...options.app, dataDir: tempDir });
  const host = await startWebHost({ ...options.host, app, rendererDir: path.join(tempDir, 'renderer') });
  const echo = net.createServer((socket) => {
    // The lab aborts (RST) a closing tab's connections; the echo side just lets go.
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  return {
    app,
    host,
    echo,
    echoPort: (echo.address() as net.AddressInfo).port,
    async close() {
      await host.close();
      await app.stop();
      echo.close();
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

export interface Tab {
  socket: WebSocket;
  call: <T = unknown>(name: CommandName, ...args: unknown[]) => Promise<Result<T>>;
  /** Every event delivered to this tab, in order. */
  events: DeliveredEvent[];
  /** What batches said of a journal that stopped mid-session, in order. */
  journalProblems: LabError[];
  /** Resolves once `check` holds for the events delivered so far (checked again at each batch); fails after `timeoutMs`. */
  until: (check: (events: DeliveredEvent[]) => boolean, what: string, timeoutMs?: number) => Promise<void>;
  /** Resolves with the close code once the link is closed, by either side. */
  closed: Promise<number>;
  close: () => Promise<number>;
}

/** A tab of the web host: a WebSocket with its token and the host's own Origin. */
export async function openTab(host: WebHost): Promise<Tab> {
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}/lab?token=${host.token}`, {
    origin: `http://127.0.0.1:${host.port}`,
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const events: DeliveredEvent[] = [];
  const journalProblems: LabError[] = [];
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const waits = eventWaits();
  const closed = new Promise<number>((resolve) =>
    socket.once('close', (code) => {
      // A call the host never answers because it closed the link fails at once, with the close code.
      for (const settle of pending.values()) settle(fail('DISCONNECTED', `the link closed with ${code}`, ''));
      resolve(code);
    }),
  );
  let nextId = 1;
  socket.on('message', (data: Buffer) => {
    const message = decodeFrame(data) as ServerMessage;
    if (message.kind === 'result') pending.get(message.callId)?.(message.result);
    else {
      events.push(...message.batch.events);
      if (message.batch.journalProblem) journalProblems.push(message.batch.journalProblem);
      socket.send(
        encodeFrame({ kind: 'call', callId: 0, channel: COMMAND_CHANNELS.ackEvents, args: [message.batch.seq] }),
      );
      waits.wake();
    }
  });
  return {
    socket,
    events,
    journalProblems,
    closed,
    until: (check, what, timeoutMs) => waits.until(() => check(events), what, timeoutMs),
    call: <T = unknown>(name: CommandName, ...args: unknown[]) =>
      new Promise<Result<T>>((resolve) => {
        const callId = nextId++;
        pending.set(callId, resolve as (result: Result<unknown>) => void);
        socket.send(encodeFrame({ kind: 'call', callId, channel: COMMAND_CHANNELS[name], args }));
      }),
    close: async () => {
      socket.close();
      return closed;
    },
  };
}
