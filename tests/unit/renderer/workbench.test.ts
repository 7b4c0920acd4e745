import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabServerInfo } from '../../../src/shared/contract';
import {
  bytesToComposerText,
  composerBytes,
  fewestBytes,
  MAX_COMPOSER_CHARACTERS,
} from '../../../src/renderer/src/features/workbench/composerBytes';
import { connectionActions, connectionStateWords } from '../../../src/renderer/src/features/workbench/connectionWords';
import {
  portForRequest,
  sameTarget,
  TEMPLATES,
  templateTarget,
} from '../../../src/renderer/src/features/workbench/templates';
import { parseEscapedText } from '../../../src/shared/escapes';

function bytesOf(result: ReturnType<typeof composerBytes>): string {
  if (!result.ok) throw new Error(result.error);
  return String.fromCharCode(...result.bytes);
}

describe('bytesToComposerText (hex switched to text)', () => {
  it('spells bytes so that the text box sends exactly them again, whatever a typed line break sends', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const samples = [
      all,
      new TextEncoder().encode('café ☃ 😀\r\n\\x41'),
      Uint8Array.of(0xc3),
      Uint8Array.of(0x0a, 0x0a),
    ];
    for (const bytes of samples) {
      const text = bytesToComposerText(bytes);
      expect(text).not.toContain('\n');
      for (const enter of ['crlf', 'lf'] as const) {
        const back = composerBytes(text, 'text', enter);
        expect(back.ok && Array.from(back.bytes)).toEqual(Array.from(bytes));
      }
    }
    expect(bytesToComposerText(new TextEncoder().encode('café\r\n'))).toBe('café\\r\\n');
    expect(bytesToComposerText(Uint8Array.of(0x68, 0x69, 0x00, 0xff))).toBe('hi\\x00\\xff');
  });

  it('tells whether a connection goes where a template is meant to', () => {
    expect(sameTarget({ host: 'Data.PR4E.org.', port: 80 }, { host: 'data.pr4e.org', port: '80' })).toBe(true);
    expect(sameTarget({ host: 'echo.lab.test', port: 7 }, { host: 'data.pr4e.org', port: '80' })).toBe(false);
  });
});

describe('composerBytes', () => {
  it('refuses a huge paste in plain words without parsing it', () => {
    const huge = 'A'.repeat(MAX_COMPOSER_CHARACTERS + 1);
    const result = composerBytes(huge, 'text', 'crlf');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/far more than one send can carry \(at most 1 MiB\)/);
    // 8 Mi + 1 characters is 8.4 million, not "8.0 million".
    if (!result.ok) expect(result.error).toMatch(/This message is 8\.4 million characters long/);
    // Just under the bound it is parsed as usual (and the Send button then says it is over 1 MiB).
    const big = composerBytes('A'.repeat(2 * 1024 * 1024), 'text', 'crlf');
    expect(big.ok && big.bytes.byteLength).toBe(2 * 1024 * 1024);
  });

  it('sends a typed line break as CR LF, like telnet, or as a bare LF', () => {
    expect(bytesOf(composerBytes('GET / HTTP/1.0\n\n', 'text', 'crlf'))).toBe('GET / HTTP/1.0\r\n\r\n');
    expect(bytesOf(composerBytes('GET / HTTP/1.0\n\n', 'text', 'lf'))).toBe('GET / HTTP/1.0\n\n');
  });

  it('keeps escapes working, and a backslash at a line end cannot eat the line break', () => {
    expect(bytesOf(composerBytes('hello\\r\\n', 'text', 'crlf'))).toBe('hello\r\n');
    const result = composerBytes('a\\\nb', 'text', 'crlf');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.index).toBe(1);
  });

  it('reports the position of a bad escape on a later line counted from the start of the box', () => {
    const result = composerBytes('ok\nbad \\q', 'text', 'crlf');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.index).toBe(7);
      expect(result.error).toContain('character 8');
    }
  });

  it('treats a pasted CR LF line break like a typed one', () => {
    expect(bytesOf(composerBytes('a\r\nb', 'text', 'lf'))).toBe('a\nb');
  });

  it('reads hex with line breaks as separators', () => {
    expect(bytesOf(composerBytes('47 45\n54', 'hex', 'crlf'))).toBe('GET');
  });
});

describe('fewestBytes (a paste too big for one send, told before the box takes it)', () => {
  // Text made of the pieces that change the count most: escapes, line breaks, letters, hex digits, separators.
  const pieces = fc.constantFrom(
    'a',
    'Z',
    '\\x41',
    '\\xff',
    '\\r',
    '\\n',
    '\\\\',
    '\\',
    '\n',
    '\r\n',
    ' ',
    ',',
    '0x',
    'ff',
    '7',
    'é',
    '😀',
  );
  const texts = fc.array(pieces, { maxLength: 60 }).map((parts) => parts.join(''));

  it('never says more than the bytes the text really means, in text and in hex', () => {
    fc.assert(
      fc.property(texts, fc.constantFrom('crlf' as const, 'lf' as const), (text, enter) => {
        for (const format of ['text', 'hex'] as const) {
          const parsed = composerBytes(text, format, enter);
          if (parsed.ok) expect(fewestBytes(text, format, enter)).toBeLessThanOrEqual(parsed.bytes.byteLength);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is close for plain text and for spaced hex, so a paste over 1 MiB is told at once', () => {
    expect(fewestBytes('GET / HTTP/1.0\r\n'.repeat(100_000), 'text')).toBeGreaterThan(1_000_000);
    expect(fewestBytes('47 45 54 '.repeat(400_000), 'hex')).toBe(1_200_000);
    expect(fewestBytes('0x47, 0x45, '.repeat(100), 'hex')).toBe(200);
  });
});

describe('templates', () => {
  it('hold the chapter’s requests byte for byte', () => {
    const bytes = (id: string): string => {
      const template = TEMPLATES.find((entry) => entry.id === id);
      const parsed = parseEscapedText(template?.text ?? '');
      if (!parsed.ok) throw new Error(parsed.error);
      return String.fromCharCode(...parsed.bytes);
    };
    expect(bytes('socket1-romeo')).toBe('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
    expect(bytes('slides-page1')).toBe('GET http://data.pr4e.org/page1.htm HTTP/1.0\n\n');
    expect(bytes('urljpeg-cover3')).toBe('GET http://data.pr4e.org/cover3.jpg HTTP/1.0\r\n\r\n');
    expect(bytes('http11-host')).toBe('GET /romeo.txt HTTP/1.1\r\nHost: data.pr4e.org\r\n\r\n');
    expect(bytes('echo-hello')).toBe('hello\r\n');
    // Step 10 asks for urllib's request; typing 130 characters by hand is not the lesson.
    expect(bytes('urllib1-romeo')).toBe(
      'GET /romeo.txt HTTP/1.1\r\nAccept-Encoding: identity\r\nHost: data.pr4e.org\r\n' +
        'User-Agent: Python-urllib/3.11\r\nConnection: close\r\n\r\n',
    );
    expect(new Set(TEMPLATES.map((entry) => entry.id)).size).toBe(TEMPLATES.length);
  });

  it('take their target from the lab server that answers them', () => {
    const servers: LabServerInfo[] = [
      { kind: 'http', name: 'Lab HTTP', host: '127.0.0.1', port: 4000, mirrors: ['data.pr4e.org:80'] },
      { kind: 'echo', name: 'Lab echo', host: '127.0.0.1', port: 4001, mirrors: ['echo.lab.test:7'] },
    ];
    const romeo = TEMPLATES.find((entry) => entry.id === 'socket1-romeo');
    const helo = TEMPLATES.find((entry) => entry.id === 'smtp-helo');
    expect(templateTarget(romeo!, servers)).toEqual({ host: 'data.pr4e.org', port: '80' });
    expect(templateTarget(helo!, servers)).toBeNull();
  });

  it('send the port as typed unless it is plain digits, so main can explain it', () => {
    expect(portForRequest('80')).toBe(80);
    expect(portForRequest('0x50')).toBe('0x50');
    expect(portForRequest(' 80')).toBe(' 80');
    expect(portForRequest('')).toBe('');
    expect(portForRequest('655350')).toBe('655350');
  });
});

describe('connection words', () => {
  const base = { localEnded: false, peerEnded: false } as const;

  it('say what state a connection is in', () => {
    expect(connectionStateWords({ ...base, state: 'open' })).toBe('open');
    expect(connectionStateWords({ ...base, state: 'open', localEnded: true })).toBe(
      'half-closed: you sent FIN, still receiving',
    );
    expect(connectionStateWords({ ...base, state: 'closed', closedBy: 'peer' })).toBe('closed by the other side');
    // Both FINs: whose came first (a half-close on echo; socket1.py's server closing, then Close).
    expect(
      connectionStateWords({ ...base, state: 'closed', closedBy: 'peer', localEnded: true, peerEnded: true }),
    ).toBe('closed: you sent FIN first, then the other side');
    expect(
      connectionStateWords({ ...base, state: 'closed', closedBy: 'local', localEnded: true, peerEnded: true }),
    ).toBe('closed: the other side sent FIN first, then you');
    expect(connectionStateWords({ ...base, state: 'closed', closedBy: 'abort' })).toBe('aborted by you (RST)');
    expect(
      connectionStateWords({
        ...base,
        state: 'closed',
        closedBy: 'error',
        error: { code: 'ECONNREFUSED', message: 'm', hint: 'h' },
      }),
    ).toBe('failed: ECONNREFUSED');
  });

  it('allow half-close once, and close until closed', () => {
    expect(connectionActions(undefined)).toEqual({ canSend: false, canHalfClose: false, canClose: false });
    expect(connectionActions({ ...base, state: 'open' })).toEqual({
      canSend: true,
      canHalfClose: true,
      canClose: true,
    });
    expect(connectionActions({ ...base, state: 'open', localEnded: true }).canHalfClose).toBe(false);
    // After our FIN, shutdown(SHUT_WR), this side cannot send; the other side's FIN does not stop us sending.
    expect(connectionActions({ ...base, state: 'open', localEnded: true }).canSend).toBe(false);
    expect(connectionActions({ ...base, state: 'open', peerEnded: true }).canSend).toBe(true);
    expect(connectionActions({ ...base, state: 'connecting' })).toEqual({
      canSend: false,
      canHalfClose: false,
      canClose: true,
    });
    expect(connectionActions({ ...base, state: 'closed' }).canClose).toBe(false);
  });
});
