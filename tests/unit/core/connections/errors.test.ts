import { describe, expect, it } from 'vitest';
import { explainSocketError } from '../../../../src/main/core/connections/errors';

const at = { host: '127.0.0.1', port: 9, phase: 'connect' } as const;

function systemError(code: string, message = `connect ${code} 127.0.0.1:9`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall: 'connect' });
}

describe('explainSocketError', () => {
  it('explains a refused connection in plain words, with a hint and the system text as detail', () => {
    expect(explainSocketError(systemError('ECONNREFUSED'), at)).toEqual({
      code: 'ECONNREFUSED',
      message:
        'Nothing is listening on 127.0.0.1 port 9. The computer answered, but no program has that port open, so it refused the connection.',
      hint: 'Check the port number, or start the server first.',
      detail: 'connect ECONNREFUSED 127.0.0.1:9',
    });
  });

  it('maps an unreachable host (a synthetic EHOSTUNREACH, which loopback cannot produce)', () => {
    const error = explainSocketError(systemError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.9.9.9:80'), {
      host: '10.9.9.9',
      port: 80,
      phase: 'connect',
    });
    expect(error.code).toBe('EHOSTUNREACH');
    expect(error.message).toBe(
      'There is no way to reach 10.9.9.9: the network says that computer cannot be reached from here.',
    );
    expect(error.hint).toContain('Check the address');
    expect(error.detail).toBe('connect EHOSTUNREACH 10.9.9.9:80');
  });

  it.each([
    ['ENOTFOUND', 'resolve', 'could not be found'],
    ['EAI_AGAIN', 'resolve', 'could not be looked up right now'],
    ['ECONNRESET', 'receive', 'reset the connection'],
    ['ECONNRESET', 'connect', 'while it was being set up'],
    ['EPIPE', 'send', 'already closed on the other side'],
    ['ENETUNREACH', 'connect', 'cannot be reached from this computer'],
    ['EADDRNOTAVAIL', 'connect', 'cannot use the address'],
    ['EADDRINUSE', 'connect', 'already in use'],
    ['ETIMEDOUT', 'receive', 'went silent'],
  ] as const)('%s while %s: %s', (code, phase, words) => {
    const error = explainSocketError(systemError(code), { host: 'data.pr4e.org', port: 80, phase });
    expect(error.code).toBe(code);
    expect(error.message).toContain(words);
    expect(error.message).not.toContain(code);
    expect(error.hint.length).toBeGreaterThan(10);
  });

  it('words our own connect timeout with the time waited, and no system detail', () => {
    const resolve = explainSocketError(
      { code: 'ETIMEDOUT' },
      { host: 'slow.example', port: 80, phase: 'resolve', timeoutMs: 1500 },
    );
    expect(resolve).toEqual({
      code: 'ETIMEDOUT',
      message: 'Looking up the address of "slow.example" got no answer within 1.5 seconds, so the lab gave up.',
      hint: expect.any(String),
    });
    const connect = explainSocketError(
      { code: 'ETIMEDOUT' },
      { host: '127.0.0.1', port: 80, phase: 'connect', timeoutMs: 10_000 },
    );
    expect(connect.message).toContain('127.0.0.1 port 80 did not answer within 10 seconds');
  });

  it('shows an unknown code as it is', () => {
    const error = explainSocketError(systemError('EPROTO', 'write EPROTO something odd'), { ...at, phase: 'send' });
    expect(error).toEqual({
      code: 'UNKNOWN',
      message:
        'Something went wrong while sending to 127.0.0.1 port 9. The system said: EPROTO: write EPROTO something odd',
      hint: 'Search for EPROTO to learn what it means, then try again.',
      detail: 'EPROTO: write EPROTO something odd',
    });
  });

  it('copes with things that are not errors at all', () => {
    expect(explainSocketError('boom', at)).toMatchObject({ code: 'UNKNOWN', detail: 'boom' });
    expect(explainSocketError(undefined, at)).toMatchObject({ code: 'UNKNOWN', detail: 'no details were given' });
    expect(explainSocketError({ code: 'BAD_PORT' }, at)).toMatchObject({ code: 'UNKNOWN', detail: 'BAD_PORT' });
  });
});
