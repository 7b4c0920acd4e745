import { describe, expect, it } from 'vitest';
import {
  directionOf,
  eventSummary,
  formatBytes,
  formatElapsed,
  formatEndpoint,
  olderWords,
} from '../../../src/renderer/src/lib/eventWords';

describe('event words', () => {
  it('name the direction of data', () => {
    const base = { id: 'a', t: 0, type: 'data', offset: 0, bytes: new Uint8Array(1) } as const;
    expect(directionOf({ ...base, dir: 'out' })).toEqual({ arrow: '→', words: 'sent' });
    expect(directionOf({ ...base, dir: 'in' })).toEqual({ arrow: '←', words: 'received' });
  });

  it('say who answered and both ends of a connection', () => {
    const summary = eventSummary({
      id: 'a',
      t: 5,
      type: 'connected',
      local: { address: '127.0.0.1', port: 51234, family: 'IPv4' },
      remote: { address: '::1', port: 8080, family: 'IPv6' },
      route: 'lab',
      answeredBy: 'Lab HTTP server (stands in for data.pr4e.org)',
      elapsedMs: 1.5,
    });
    expect(summary).toContain('127.0.0.1:51234');
    expect(summary).toContain('[::1]:8080');
    expect(summary).toContain('answered by Lab HTTP server');
  });

  it('do not call a program on this computer "the real internet host"', () => {
    const connected = (address: string) =>
      eventSummary({
        id: 'a',
        t: 5,
        type: 'connected',
        local: { address: '127.0.0.1', port: 51234, family: 'IPv4' },
        remote: { address, port: 8080, family: address.includes(':') ? 'IPv6' : 'IPv4' },
        route: 'internet',
        elapsedMs: 1.5,
      });
    expect(connected('127.0.0.1')).toContain('answered by the program listening there, on this computer');
    expect(connected('::1')).toContain('on this computer');
    expect(connected('::ffff:127.0.0.2')).toContain('on this computer');
    expect(connected('127.0.0.1')).not.toContain('internet');
    expect(connected('192.0.2.10')).toContain('answered by the real host on the internet');
  });

  it('tell Close from Half-close, and say who sent which FIN', () => {
    const ended = { id: 'a', t: 0, type: 'local-ended' } as const;
    const closed = (by: 'local' | 'peer') => ({ id: 'a', t: 0, type: 'closed', by }) as const;
    // Close: our FIN, then the socket is gone.
    const close = { localEndedIndex: 5, peerEndedIndex: null, finByClose: true };
    expect(eventSummary(ended, close)).toContain('you closed the socket (mysock.close())');
    expect(eventSummary(ended, close)).not.toContain('half');
    expect(eventSummary(closed('local'), close)).toBe('Closed by you: your FIN went out and the socket is gone');
    // Half-close on echo: our FIN first, the echo server's FIN after it; the hub says the peer closed last.
    const half = { localEndedIndex: 5, peerEndedIndex: 7, finByClose: false };
    expect(eventSummary(ended, half)).toContain('half-closed (shutdown(SHUT_WR))');
    expect(eventSummary(closed('peer'), half)).toBe(
      'Closed: you sent FIN first (half-close), then the other side sent its FIN',
    );
    // socket1.py: the server's FIN first, then ours.
    const serverFirst = { localEndedIndex: 9, peerEndedIndex: 7, finByClose: true };
    expect(eventSummary(ended, serverFirst)).toContain('now both sides have sent FIN');
    expect(eventSummary(closed('local'), serverFirst)).toBe(
      'Closed: the other side sent FIN first, then you sent yours',
    );
  });

  it('explain FIN, close and errors in plain words', () => {
    expect(eventSummary({ id: 'a', t: 0, type: 'peer-ended' })).toContain('FIN received');
    expect(eventSummary({ id: 'a', t: 0, type: 'local-ended' })).toContain('FIN sent');
    expect(eventSummary({ id: 'a', t: 0, type: 'closed', by: 'peer' })).toBe('Closed by the other side');
    expect(
      eventSummary({
        id: 'a',
        t: 0,
        type: 'error',
        code: 'ECONNREFUSED',
        message: 'Nothing is listening on that port.',
        hint: 'Check the port.',
      }),
    ).toBe('ECONNREFUSED: Nothing is listening on that port. Check the port.');
  });

  it('format times, sizes and endpoints', () => {
    expect(formatElapsed(0.42)).toBe('+0.4 ms');
    expect(formatElapsed(152.4)).toBe('+152 ms');
    expect(formatElapsed(1250)).toBe('+1.25 s');
    expect(formatElapsed(123_000)).toBe('+2 min 3 s');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(167)).toBe('167 bytes');
    expect(formatBytes(65536)).toBe('64.0 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64.00 MiB');
    expect(formatEndpoint(undefined)).toBe('?');
  });

  it('say where bytes let go from the screen still are: in the saved session, or its first part only', () => {
    expect(olderWords(null)).toBe('Older bytes are not shown here; they are in the saved session.');
    expect(olderWords(256 * 1024 * 1024)).toBe(
      'Older bytes are not shown here; the saved session has the session’s first 256.00 MiB.',
    );
  });
});
