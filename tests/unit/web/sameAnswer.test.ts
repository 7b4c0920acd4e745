/**
 * The same call gets the same answer on both transports (issue 12.8): a send too large for the lab is answered
 * SEND_TOO_LARGE over the web host's WebSocket, as the desktop app's IPC (dispatchCommand on a session) answers it,
 * and the tab's link and its connections stay up. Only a frame past the hard cap closes the link, and the page's
 * own client never sends one: it answers such a call itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { COMMAND_CHANNELS, type CommandName, type LabCommands } from '../../../src/shared/contract';
import type { Result } from '../../../src/shared/errors';
import { LIMITS } from '../../../src/shared/limits';
import { dispatchCommand } from '../../../src/main/core/dispatch';
import type { LabApp } from '../../../src/main/core/labApp';
import type { WebHost } from '../../../src/main/web/server';
import { openTab as openHostTab, startEchoHost, type EchoHost, type Tab } from './echoHost';

let lab: EchoHost;
let app: LabApp;
let host: WebHost;
let echoPort: number;

beforeAll(async () => {
  lab = await startEchoHost('socket-lab-same-');
  ({ app, host, echoPort } = lab);
});

afterAll(() => lab.close());

const openTab = (): Promise<Tab> => openHostTab(host);

/** The desktop app's path: main's one door, on a session of its own. */
async function desktopAnswer(name: CommandName, args: (id: string) => unknown[]): Promise<Result<unknown>> {
  const session = await app.createSession('electron', () => undefined, {
    save: async () => ({ ok: true, value: { kind: 'cancelled' } }),
    open: async () => ({ ok: true, value: { kind: 'cancelled' } }),
  });
  try {
    const connected = await dispatchCommand(session.commands, COMMAND_CHANNELS.connect, [
      { host: '127.0.0.1', port: echoPort, route: 'internet' },
    ]);
    if (!connected.ok) throw new Error(connected.error.message);
    const id = (connected.value as { id: string }).id;
    return await dispatchCommand(session.commands, COMMAND_CHANNELS[name], args(id));
  } finally {
    await session.dispose();
  }
}

describe('a send too large for the lab, over the web host (issue 12.8)', () => {
  it('is answered SEND_TOO_LARGE exactly as the desktop app answers it, and the tab keeps its link', async () => {
    const tab = await openTab();
    const connected = await tab.call('connect', { host: '127.0.0.1', port: echoPort, route: 'internet' });
    if (!connected.ok) throw new Error(connected.error.message);
    const id = (connected.value as { id: string }).id;
    const twoMiB = new Uint8Array(2 * 1024 * 1024).fill(0x41);
    const web = await tab.call('send', id, twoMiB);
    expect(web).toMatchObject({ ok: false, error: { code: 'SEND_TOO_LARGE' } });
    expect(web).toEqual(await desktopAnswer('send', (other) => [other, twoMiB]));
    // The link and the connection are still there: a normal send goes through.
    expect(await tab.call('send', id, new TextEncoder().encode('hi'))).toEqual({
      ok: true,
      value: { offset: 0, length: 2 },
    });
    expect(tab.socket.readyState).toBe(WebSocket.OPEN);
    tab.socket.close();
  });

  it('takes the largest valid calls (a 1 MiB send, a 1 MiB piece of a file) whole', async () => {
    const tab = await openTab();
    const connected = await tab.call('connect', { host: '127.0.0.1', port: echoPort, route: 'internet' });
    if (!connected.ok) throw new Error(connected.error.message);
    const id = (connected.value as { id: string }).id;
    const largest = new Uint8Array(LIMITS.maxSendBytes).fill(0x42);
    expect(await tab.call('send', id, largest)).toEqual({ ok: true, value: { offset: 0, length: largest.length } });
    const tooBigPiece = await tab.call('importChunk', 'no-such-import', new Uint8Array(LIMITS.maxSendBytes + 1));
    expect(tooBigPiece).toEqual(
      await desktopAnswer('importChunk', () => ['no-such-import', new Uint8Array(LIMITS.maxSendBytes + 1)]),
    );
    expect(tab.socket.readyState).toBe(WebSocket.OPEN);
    tab.socket.close();
  });

  it('closes only a frame past the hard cap, which leaves room for the largest valid call', async () => {
    expect(LIMITS.maxWebSocketMessageBytes).toBeGreaterThanOrEqual(2 * LIMITS.maxSendBytes + 64 * 1024);
    const tab = await openTab();
    tab.socket.send(new Uint8Array(LIMITS.maxWebSocketMessageBytes + 1));
    expect(await tab.closed).toBe(1009);
  });
});

describe("the page's own WebSocket client (the renderer side of 12.8)", () => {
  /** The browser's WebSocket, as the page has it: same-origin, so it carries the lab's Origin. */
  function installBrowserWebSocket(): () => void {
    const origin = `http://127.0.0.1:${host.port}`;
    class BrowserWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { origin });
      }
    }
    const before = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = BrowserWebSocket;
    return () => {
      (globalThis as { WebSocket?: unknown }).WebSocket = before;
    };
  }

  it('answers a call too large for any frame itself, SEND_TOO_LARGE, and keeps the link and its connections', async () => {
    const restore = installBrowserWebSocket();
    try {
      // Through a variable: this typecheck has no DOM types, and the client is typechecked with the renderer.
      const clientModule = '../../../src/renderer/src/lib/transport/webSocketLab';
      const { WebSocketLab } = (await import(clientModule)) as {
        WebSocketLab: new (url: string) => LabCommands & { onLinkLost(listener: () => void): () => void };
      };
      const lab = new WebSocketLab(`ws://127.0.0.1:${host.port}/lab?token=${host.token}`);
      let linkLost = false;
      lab.onLinkLost(() => (linkLost = true));
      const connected = await lab.connect({ host: '127.0.0.1', port: echoPort, route: 'internet' });
      if (!connected.ok) throw new Error(connected.error.message);
      const huge = await lab.send(connected.value.id, new Uint8Array(LIMITS.maxWebSocketMessageBytes + 1));
      expect(huge).toMatchObject({ ok: false, error: { code: 'SEND_TOO_LARGE' } });
      expect(huge.ok || `${huge.error.message} ${huge.error.hint}`).toMatch(/MiB.*Split it into smaller sends/);
      // Under the cap the host itself answers, with the desktop app's words.
      const twoMiB = await lab.send(connected.value.id, new Uint8Array(2 * 1024 * 1024));
      expect(twoMiB.ok || twoMiB.error.message).toMatch(/^This send is 2 MiB/);
      expect(await lab.send(connected.value.id, new TextEncoder().encode('still here'))).toMatchObject({ ok: true });
      expect(linkLost).toBe(false);
      expect((await lab.listConnections()).ok).toBe(true);
    } finally {
      restore();
    }
  });
});
