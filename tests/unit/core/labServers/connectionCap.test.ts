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

/** `say`: what a served client sends first (the mail servers speak first); `answer`: what it then reads. */
const CASES = [
  { name: 'echo', start: startLabEchoServer, say: 'ping', answer: 'ping', refusal: '' },
  {
    name: 'SMTP-style',
    start: startLabSmtpServer,
    say: '',
    answer: `${SMTP_BANNER}\r\n`,
    refusal: '421 mail.lab.test already has 1 connections; try again later\r\n',
  },
  {
    name: 'POP-style',
    start: startLabPopServer,
    say: '',
    answer: `${POP_BANNER}\r\n`,
    refusal: '-ERR mail.lab.test already has 1 connections; try again later\r\n',
  },
] as const;

describe.each(CASES)('the $name server with room for one connection', ({ start, say, answer, refusal }) => {
  /** Connects, says `say`, and reads until the whole answer is there or the server ends: served or not. */
  async function served(port: number): Promise<RawClient> {
    const client = await RawClient.connect(port);
    if (say) client.send(say);
    await client.waitFor((c) => c.text.length >= answer.length || c.ended, 5_000, 'an answer or a FIN');
    return client;
  }

  it('refuses a second in its own words, and serves the next once the first has gone', async () => {
    const server = await start({ host: '127.0.0.1', port: 0, maxConnections: 1 });
    running.push(server);
    const first = await served(server.port);
    expect(first.text).toBe(answer);

    const second = await RawClient.connect(server.port);
    await second.waitFor((c) => c.ended, 5_000, 'the second one’s FIN');
    expect(second.text).toBe(refusal);
    second.close();

    first.close();
    await first.waitFor((c) => c.closed, 5_000, 'the first one closed');
    // The server frees the place when its own socket closes, a moment after ours, and no event tells a client: a
    // newcomer that comes first is refused, and the next try is served.
    let third = await served(server.port);
    for (let tries = 1; tries < 50 && third.text !== answer; tries += 1) {
      third.close();
      third = await served(server.port);
    }
    expect(third.text).toBe(answer);
    third.close();
  });
});
