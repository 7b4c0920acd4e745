/**
 * The web host's caps over all its tabs (issue 12.10): connections are capped per tab (64) and for the whole host,
 * and the refusal says which cap was hit; tabs are capped too, and a tab past the cap is told so in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../src/shared/errors';
import { LIMITS } from '../../../src/shared/limits';
import type { WebHost } from '../../../src/main/web/server';
import { openTab as openHostTab, startEchoHost, type EchoHost, type Tab } from './echoHost';

const HOST_CAP = 70;
const TAB_CAP = 3;

let lab: EchoHost;
let host: WebHost;
let echoPort: number;

beforeAll(async () => {
  lab = await startEchoHost('socket-lab-caps-', { app: { maxConnectionsInAll: HOST_CAP }, host: { maxTabs: TAB_CAP } });
  ({ host, echoPort } = lab);
});

afterAll(() => lab.close());

const openTab = (): Promise<Tab> => openHostTab(host);

const connectEcho = (tab: Tab) => tab.call('connect', { host: '127.0.0.1', port: echoPort, route: 'internet' });

describe('connections across every tab of the web host', () => {
  it('caps a tab at 64 and the whole host too, and says which cap was hit', async () => {
    const first = await openTab();
    const second = await openTab();
    try {
      for (let i = 0; i < LIMITS.maxOpenConnections; i += 1) expect((await connectEcho(first)).ok).toBe(true);
      const tabFull = await connectEcho(first);
      expect(tabFull).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
      expect(tabFull.ok || tabFull.error.message).toMatch(/^You already have 64 connections open/);

      const room = HOST_CAP - LIMITS.maxOpenConnections;
      for (let i = 0; i < room; i += 1) expect((await connectEcho(second)).ok).toBe(true);
      const hostFull = await connectEcho(second);
      expect(hostFull).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
      // The second tab has only a few of its own: the words name the whole lab's cap, and where to make room.
      expect(hostFull.ok || hostFull.error.message).toContain(`${HOST_CAP} connections`);
      expect(hostFull.ok || hostFull.error.message).toMatch(/all (its|the lab’s) tabs/);
      expect(hostFull.ok || hostFull.error.hint).toMatch(/other tab/);

      // Room made in one tab is room for the other.
      const list = await first.call('listConnections');
      const someId = list.ok ? (list.value as Array<{ id: string }>)[0]?.id : undefined;
      expect(await first.call('abort', someId)).toEqual({ ok: true, value: null });
      expect((await connectEcho(second)).ok).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe('tabs the web host serves at once', () => {
  it('serves up to its cap; a tab past it is told in words, and served once another tab closes', async () => {
    const tabs = [await openTab(), await openTab(), await openTab()];
    for (const tab of tabs) expect(await tab.call('hello')).toMatchObject({ ok: true });
    const extra = await openTab();
    const refused = await extra.call('hello');
    expect(refused).toMatchObject({ ok: false, error: { code: 'TOO_MANY_CONNECTIONS' } });
    expect(refused.ok || refused.error.message).toContain(`${TAB_CAP} tabs`);
    expect(refused.ok || refused.error.hint).toMatch(/Close a lab tab/);
    // Every call of that tab gets the same answer, and it holds no session (nothing is journaled for it).
    expect(await extra.call('connect', { host: '127.0.0.1', port: echoPort })).toEqual(refused);
    await extra.close();

    await (tabs[0] as Tab).close();
    // The closed tab's place is free once the host has seen the close, which it announces to no one: so a new tab
    // asks, and asks again after a pause while it is still refused (the pause keeps refused tabs from piling up).
    let again: Result<unknown> = refused;
    for (let attempt = 0; attempt < 50 && !again.ok; attempt += 1) {
      const tab = await openTab();
      again = await tab.call('hello');
      if (!again.ok) {
        await tab.close();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(again).toMatchObject({ ok: true });
    for (const tab of tabs.slice(1)) await tab.close();
  });

  it('has a sensible default', () => {
    expect(LIMITS.webHostMaxTabs).toBeGreaterThanOrEqual(4);
    expect(LIMITS.maxConnectionsInAll).toBeGreaterThanOrEqual(2 * LIMITS.maxOpenConnections);
  });
});
