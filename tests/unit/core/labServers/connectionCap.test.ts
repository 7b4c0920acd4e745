/**
 * The echo, SMTP-style and POP-style servers share one connection cap (startCappedServer): past it, a newcomer is
 * told why in the protocol's own words (the echo server has none) and closed, and a place that frees up serves the
 * next one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startLabEchoServer } from '../../../../src/main/core/labServers/echoServer';
import { startLabPopServer, POP_BANNER } from '../../../../src/main/core/labServers/popServer';
import { startLabSmtpServer, SMTP_BANNER } from '../../../../src/main/core/labServers/smtpServer';
import type { RunningServer } from '../../../../src/main/core/labServers/socketTools';
import { RawClient } from './helpers';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

const CASES = [
  { name: 'echo', start: startLabEchoServer, greeting: '', refusal: '' },
  {
    name: 'SMTP-style',
    start: startLabSmtpServer,
    greeting: `${SMTP_BANNER}\r\n`,
    refusal: '421 mail.lab.test already has 1 connections; try again later\r\n',
  },
  {
    name: 'POP-style',
    start: startLabPopServer,
    greeting: `${POP_BANNER}\r\n`,
    refusal: '-ERR mail.lab.test already has 1 connections; try again later\r\n',
  },
] as const;

describe.each(CASES)('the $name server with room for one connection', ({ start, greeting, refusal }) => {
  it('refuses a second in its own words, and serves the next once the first has gone', async () => {
    const server = await start({ host: '127.0.0.1', port: 0, maxConnections: 1 });
    running.push(server);
    const first = await RawClient.connect(server.port);
    if (greeting) await first.waitFor((c) => c.text === greeting, 5_000, 'the first one’s greeting');
    else {
      first.send('ping');
      await first.waitFor((c) => c.text === 'ping', 5_000, 'the first one’s echo');
    }

    const second = await RawClient.connect(server.port);
    await second.waitFor((c) => c.ended, 5_000, 'the second one’s FIN');
    expect(second.text).toBe(refusal);
    second.close();

    first.close();
    await first.waitFor((c) => c.closed, 5_000, 'the first one closed');
    // The server counts the place free when its own socket closes, a moment after ours; a newcomer may come first.
    let third = await RawClient.connect(server.port);
    for (let tries = 0; tries < 50; tries += 1) {
      if (greeting) await third.waitFor((c) => c.text.length > 0 || c.ended, 5_000, 'an answer to the third');
      else {
        third.send('pong');
        await third.waitFor((c) => c.text.length > 0 || c.ended, 5_000, 'an answer to the third');
      }
      if (third.text === (greeting || 'pong')) break;
      third.close();
      third = await RawClient.connect(server.port);
    }
    expect(third.text).toBe(greeting || 'pong');
    third.close();
  });
});
