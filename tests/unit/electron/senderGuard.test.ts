import { describe, expect, it } from 'vitest';
import type { LabCommands } from '../../../src/shared/contract';
import { ok } from '../../../src/shared/errors';
import { createGuardedHandler, isTrustedSender } from '../../../src/main/electron/senderGuard';
import { APP_ORIGIN } from '../../../src/main/electron/appProtocol';

const trusted = [APP_ORIGIN];
const mainFrame = (url: string) => ({ url, parent: null });

describe('the IPC sender guard', () => {
  it('trusts only our own page in the main frame', () => {
    expect(isTrustedSender(mainFrame('app://socket-lab/index.html'), trusted)).toBe(true);
    expect(isTrustedSender(mainFrame('app://socket-lab.evil/index.html'), trusted)).toBe(false);
    expect(isTrustedSender(mainFrame('https://socket-lab/index.html'), trusted)).toBe(false);
    expect(isTrustedSender(mainFrame('file:///tmp/index.html'), trusted)).toBe(false);
    expect(isTrustedSender({ url: 'app://socket-lab/index.html', parent: {} }, trusted)).toBe(false);
    expect(isTrustedSender(null, trusted)).toBe(false);
    expect(isTrustedSender(mainFrame('not a url'), trusted)).toBe(false);
  });

  const calls: unknown[][] = [];
  const commands = {
    hello: async () => {
      calls.push(['hello']);
      return ok({
        appName: 'Socket Lab',
        version: '0',
        platform: 'linux',
        transport: 'electron' as const,
        runtime: {},
      });
    },
    connect: async (request: unknown) => {
      calls.push(['connect', request]);
      return ok({ id: 'x' });
    },
  } as unknown as LabCommands;

  it('refuses a foreign frame before any service sees the message', async () => {
    calls.length = 0;
    const handler = createGuardedHandler('lab:hello', trusted, () => commands);
    const result = await handler({ senderFrame: mainFrame('https://evil.example/'), sender: { id: 1 } });
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(calls).toEqual([]);
  });

  it('validates arguments before the service runs', async () => {
    calls.length = 0;
    const handler = createGuardedHandler('socket:connect', trusted, () => commands);
    const event = { senderFrame: mainFrame('app://socket-lab/index.html'), sender: { id: 1 } };
    expect(await handler(event, { host: 'data.pr4e.org', port: '0x50' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PORT' },
    });
    expect(await handler(event, { host: 'data.pr4e.org', port: 80 }, 'extra')).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(calls).toEqual([]);
    expect(await handler(event, { host: 'data.pr4e.org', port: 80 })).toEqual({ ok: true, value: { id: 'x' } });
    expect(calls).toHaveLength(1);
  });

  it('passes a trusted, valid message through', async () => {
    const handler = createGuardedHandler('lab:hello', trusted, () => commands);
    const result = await handler({ senderFrame: mainFrame('app://socket-lab/'), sender: { id: 1 } });
    expect(result).toMatchObject({ ok: true, value: { appName: 'Socket Lab' } });
  });
});
