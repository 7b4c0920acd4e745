/** The .txt transcript: a real lab session as a teacher reads it, and the byte rendering rules one by one. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySource } from '../../../../src/main/core/transcripts/source';
import { bytesText, exportText, textExporter } from '../../../../src/main/core/transcripts/text';
import { summarize, type SessionEntry } from '../../../../src/shared/transcript';
import { closedPort } from '../connections/loopback';
import { labRecording, recordTour, type LabRecording } from './labSession';
import { exportToBuffer, FC_SEED, sessionArb } from './socketlabSessions';

let recording: LabRecording;
let text: string;
let refusedPort: number;

beforeAll(async () => {
  recording = await labRecording();
  refusedPort = await closedPort();
  await recordTour(recording, refusedPort);
  text = (await exportToBuffer(exportText, recording.session.source())).toString('utf8');
});

afterAll(async () => {
  await recording.stop();
});

const lines = (): string[] => text.split('\n');
const bytes = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'latin1'));

describe('a real session as a .txt transcript', () => {
  it('begins with when, how many connections, and which hosts', () => {
    expect(lines()[0]).toBe('Socket Lab session transcript');
    expect(text).toContain('Recorded:     2026-11-30 14:02:00 UTC, for ');
    expect(text).toMatch(
      new RegExp(
        `Connections:  8, to data\\.pr4e\\.org:80, echo\\.lab\\.test:7, 127\\.0\\.0\\.1:${refusedPort}, \\[::1\\]:\\d+ and data\\.pr4e\\.org:443\\n`,
      ),
    );
    expect(text).toContain('Ended:        cleanly (the session was closed properly)');
    expect(text).toMatch(/Data: {9}188 bytes sent, 231,\d{3} bytes received, and 140,582 bytes counted but not saved/);
  });

  it("shows socket1.py's exchange like a terminal: sent and received lines, CR and LF visible", () => {
    const start = text.search(/#1 asked for data\.pr4e\.org port 80 \(route: lab\), 0\.\d{3} s into the session\n/);
    expect(start).toBeGreaterThan(0);
    const first = text.slice(start, text.indexOf('#2 asked for'));
    expect(first).toMatch(
      /#1 connected: your side 127\.0\.0\.1:\d+ \u21c4 127\.0\.0\.1:\d+ \(Lab HTTP server, stands in for data\.pr4e\.org\)\n/,
    );
    expect(first).toContain(
      '#1 you sent 47 bytes:\n>>> GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\n>>> \\r\\n\n',
    );
    expect(first).toMatch(
      /#1 received 535 bytes:\n<<< HTTP\/1\.1 200 OK\\r\\n\n<<< Date: Tue, 01 Apr 2025 12:34:56 GMT\\r\\n\n/,
    );
    expect(first).toContain('<<< \\r\\n\n<<< But soft what light through yonder window breaks\\n\n');
    expect(first).toContain('#1 the other side sent FIN: it has nothing more to send\n');
    // Close sends FIN as part of closing; that is not a half-close.
    expect(first).toContain('#1 closed: you closed it (your side sent FIN, then let the connection go)\n');
    expect(first).not.toContain('half-close');
  });

  it('times count from each connection start', () => {
    const times = [...text.matchAll(/^ +\+(\d+\.\d{3}) s {2}#1 /gm)].map((match) => Number(match[1]));
    expect(times[0]).toBe(0);
    expect(times.every((time, i) => i === 0 || time >= (times[i - 1] as number))).toBe(true);
    expect(text).toMatch(/^ +\+0\.000 s {2}#2 asked for/m);
  });

  it('the picture is a short hex preview with its length, not 230 KB of escapes', () => {
    expect(text.length).toBeLessThan(20_000);
    const picture = text.slice(text.indexOf('#2 asked for'), text.indexOf('#3 asked for'));
    expect(picture).toContain('<<< Content-Type: image/jpeg\\r\\n\n<<< \\r\\n\n<<< [binary: ');
    expect(picture).toMatch(/<<< {3}0000018d {2}ff d8 ff /); // the JPEG starts after the 393-byte head and its blank line
    const shown = [...picture.matchAll(/\[binary: ([\d,]+) bytes/g)].map((m) =>
      Number((m[1] as string).replace(/,/g, '')),
    );
    expect(shown.reduce((sum, n) => sum + n, 0)).toBe(230_210);
    expect(picture).not.toMatch(/(\\x[0-9a-f]{2}){8}/);
  });

  it('an echo with UTF-8 text, a control byte and a half-close', () => {
    const echo = text.slice(text.indexOf('#3 asked for'), text.indexOf('#4 asked for'));
    expect(echo).toContain('>>> hello\\n\n');
    expect(echo).toContain('<<< caf\u00e9 \u2603 ok\\r\\n\n');
    expect(echo).toContain('>>> bell \\x07 and tab \\t end\\n\n');
    expect(echo).toContain(
      '#3 half-closed: you sent FIN, like shutdown(SHUT_WR), so you send no more; receiving goes on\n',
    );
    expect(echo).toContain('#3 closed: the other side closed it');
  });

  it('an error in its plain words, with the hint under it', () => {
    expect(text).toMatch(
      new RegExp(`#4 error ECONNREFUSED: Nothing is listening on 127\\.0\\.0\\.1 port ${refusedPort}\\.`),
    );
    expect(text).toMatch(/\n {16}Check the port number, or start the server first\.\n/);
    expect(text).toContain('#4 closed: it ended with the error above');
  });

  it('IPv6 addresses in brackets, and an abort said as a reset', () => {
    expect(text).toMatch(/#5 connected: your side \[::1\]:\d+ \u21c4 \[::1\]:\d+\n/);
    expect(text).toContain('#5 closed: you aborted it: a reset (RST) went out instead of FIN');
  });

  it('journal full, unsaved data, slow mode, progress and the end, in words', () => {
    expect(text).toContain(
      "-- the session's journal is full (256 MiB): from here on, data is counted but its bytes are not saved",
    );
    expect(text).toContain('#7 you sent 70,000 bytes that were not saved (the journal was full)');
    expect(text).toContain('#7 received 70,000 bytes that were not saved (the journal was full)');
    expect(text).toContain("-- the lab HTTP server's slow mode is on: 2,000 bytes a second, 100 bytes at a time");
    expect(text).toContain("-- the lab HTTP server's slow mode is off: it answers at full speed");
    expect(text).toMatch(
      /-- guided lab: passed reliable-pipe, speak-http; on blank-line; predicted for headers-body:\n {16}"Content-Length: 167"\n/,
    );
    expect(lines().at(-2)).toMatch(/-- the session ended: it was closed properly$/);
  });

  it('keeps every line readable: bytes wrap at the width, words at 120 columns', () => {
    for (const line of lines()) {
      if (/^(>>>|<<<) \[binary: /.test(line)) expect(line.length, line).toBeLessThanOrEqual(100);
      else if (/^(>>>|<<<|\.\.\.) /.test(line)) expect(line.length, line).toBeLessThanOrEqual(4 + 76 + 4);
      else expect(line.length, line).toBeLessThanOrEqual(120);
    }
  });
});

describe('bytes as lines', () => {
  it('a long line wraps with a continuation marker, never inside an escape, and keeps its \\r\\n', () => {
    const long = bytes(`${'a'.repeat(70)}\t${'b'.repeat(100)}\r\n`);
    expect(bytesText(long, '>>> ', 0, 76)).toBe(
      `>>> ${'a'.repeat(70)}\\t${'b'.repeat(4)}\n... ${'b'.repeat(76)}\n... ${'b'.repeat(20)}\\r\\n\n`,
    );
    const escapes = bytesText(bytes('\x01'.repeat(30)), '<<< ', 0, 20);
    for (const line of escapes.trimEnd().split('\n')) expect(line.slice(4)).toMatch(/^(\\x01)+$/);
  });

  it('short binary data is written out exactly; invalid UTF-8 and unsafe characters as \\xHH', () => {
    expect(bytesText(Uint8Array.of(0x00, 0xff, 0x41, 0x1b, 0x5b, 0x7f), '<<< ', 0, 76)).toBe(
      '<<< \\x00\\xffA\\x1b[\\x7f\n',
    );
    // a bidirectional override and a C1 control would reorder or hide what an editor shows
    expect(bytesText(new TextEncoder().encode('a\u202eb\u0085c'), '<<< ', 0, 76)).toBe(
      '<<< a\\xe2\\x80\\xaeb\\xc2\\x85c\n',
    );
    expect(bytesText(bytes('back\\slash'), '>>> ', 0, 76)).toBe('>>> back\\\\slash\n');
    expect(bytesText(Uint8Array.of(0x68, 0xc3), '<<< ', 0, 76)).toBe('<<< h\\xc3\n'); // a character cut in two
  });

  it('a piece of a picture without a line of text in front is all hex', () => {
    const piece = Uint8Array.from({ length: 500 }, (_, i) => (i * 37) % 256);
    piece[0] = 0x58; // 'X'
    piece[1] = 0x60; // '`'
    const shown = bytesText(piece, '<<< ', 1000, 76);
    expect(shown.split('\n')[0]).toBe('<<< [binary: 500 bytes from byte 1,000 of the stream; the first 32 in hex]');
    expect(shown.split('\n')[1]).toMatch(/^<<< {3}000003e8 {2}58 60 /);
  });
});

describe('the whole file', () => {
  it('a session that did not end cleanly says so at the end', async () => {
    const entries: SessionEntry[] = recording.session.entries.filter((entry) => entry.kind !== 'end');
    const cut = (await exportToBuffer(exportText, memorySource(entries, summarize(entries)))).toString('utf8');
    expect(cut).toContain('Ended:        not cleanly: the app stopped before the session was closed');
    expect(cut.trimEnd().split('\n').at(-1)).toMatch(
      /-- the transcript ends here: the app stopped before the session was closed$/,
    );
  });

  it('is streamed in pieces, not made whole in memory', async () => {
    const entries: SessionEntry[] = [...recording.session.entries.slice(0, 5)];
    const id =
      entries.find((entry) => entry.kind === 'event')!.kind === 'event'
        ? (entries[1] as { event: { id: string } }).event.id
        : '';
    for (let i = 0; i < 400; i += 1) {
      entries.push({
        kind: 'event',
        t: 10 + i,
        event: {
          type: 'data',
          id,
          t: 10 + i,
          dir: 'in',
          offset: 1_000_000 + i * 1000,
          bytes: bytes('line of text\r\n'.repeat(70)),
        },
      });
    }
    const pieces: number[] = [];
    for await (const piece of textExporter({ width: 60 })(memorySource(entries, summarize(entries))))
      pieces.push(piece.byteLength);
    expect(pieces.length).toBeGreaterThan(5);
    expect(Math.max(...pieces)).toBeLessThan(200 * 1024);
  });

  it('any session gives a transcript with no raw control, line-separator or reordering character (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(sessionArb(), async (session) => {
        const text = (await exportToBuffer(exportText, session.source())).toString('utf8');
        const unsafe = [...text].filter((char) => {
          const code = char.codePointAt(0) as number;
          return (
            (code < 0x20 && code !== 0x0a) ||
            (code >= 0x7f && code <= 0x9f) ||
            [0x2028, 0x2029, 0xfeff].includes(code) ||
            (code >= 0x202a && code <= 0x202e) ||
            (code >= 0x2066 && code <= 0x2069)
          );
        });
        expect(unsafe).toEqual([]);
        expect(text.startsWith('Socket Lab session transcript\n')).toBe(true);
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });
});
