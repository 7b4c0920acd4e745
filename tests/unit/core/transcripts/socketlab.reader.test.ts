/** The .socketlab reader: each way a file can be wrong gets one clear refusal; every valid way to write it is read. */
import { describe, expect, it } from 'vitest';
import { socketlabExporter } from '../../../../src/main/core/transcripts/socketlab';
import { readSocketlab } from '../../../../src/main/core/transcripts/socketlabReader';
import { memorySource } from '../../../../src/main/core/transcripts/source';
import { LIMITS } from '../../../../src/shared/limits';
import { summarize, type SessionEntry } from '../../../../src/shared/transcript';
import { chunked, exportToBuffer, readBack, type ReadBack } from './socketlabSessions';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const request = text('GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n');
const reply = text('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');

const ENTRIES: SessionEntry[] = [
  {
    kind: 'start',
    t: 0,
    sessionId: 'sess-1',
    startedAt: Date.UTC(2026, 10, 30, 14, 2),
    appVersion: '0.1.0',
    transport: 'web',
    platform: 'linux',
  },
  { kind: 'event', t: 1, event: { type: 'resolving', id: 'c1', t: 1, host: 'data.pr4e.org', port: 80, route: 'lab' } },
  { kind: 'event', t: 2, event: { type: 'resolved', id: 'c1', t: 2, addresses: ['127.0.0.1'], chosen: '127.0.0.1' } },
  {
    kind: 'event',
    t: 3,
    event: {
      type: 'connected',
      id: 'c1',
      t: 3,
      local: { address: '127.0.0.1', port: 50612, family: 'IPv4' },
      remote: { address: '127.0.0.1', port: 8080, family: 'IPv4' },
      route: 'lab',
      answeredBy: 'Lab HTTP server (stands in for data.pr4e.org)',
      elapsedMs: 0.4,
    },
  },
  { kind: 'event', t: 4, event: { type: 'data', id: 'c1', t: 4, dir: 'out', offset: 0, bytes: request } },
  {
    kind: 'event',
    t: 5.25,
    event: { type: 'data', id: 'c1', t: 5.25, dir: 'in', offset: 0, bytes: reply.subarray(0, 20) },
  },
  {
    kind: 'event',
    t: 5.5,
    event: { type: 'data', id: 'c1', t: 5.5, dir: 'in', offset: 20, bytes: reply.subarray(20) },
  },
  { kind: 'event', t: 6, event: { type: 'peer-ended', id: 'c1', t: 6 } },
  { kind: 'event', t: 7, event: { type: 'closed', id: 'c1', t: 7, by: 'peer' } },
  { kind: 'end', t: 8 },
];
const DATA_ENTRY = 5; // index of the first received data entry

const save = socketlabExporter({ now: () => new Date('2026-12-01T09:30:00.000Z'), appVersion: '0.1.0' });
const good = await exportToBuffer(save, memorySource(ENTRIES, summarize(ENTRIES)));
const goodJson = (): Record<string, unknown> => JSON.parse(good.toString('utf8')) as Record<string, unknown>;
const entriesOf = (json: Record<string, unknown>): Array<Record<string, unknown>> =>
  json.entries as Array<Record<string, unknown>>;
const eventOf = (json: Record<string, unknown>, index: number): Record<string, unknown> =>
  entriesOf(json)[index]!.event as Record<string, unknown>;

async function read(bytes: Uint8Array | string, options = {}, chunk: number | number[] = 7): Promise<ReadBack> {
  return readBack(typeof bytes === 'string' ? text(bytes) : bytes, options, chunk);
}

async function refusal(
  bytes: Uint8Array | string,
  options = {},
): Promise<{ code: string; message: string; hint: string }> {
  const { result } = await read(bytes, options);
  if (result.ok) throw new Error('expected the file to be refused');
  expect(result.error.hint.length).toBeGreaterThan(10);
  return result.error;
}

function changed(change: (json: Record<string, unknown>) => void): string {
  const json = goodJson();
  change(json);
  return JSON.stringify(json);
}

describe('a good file, written any valid way', () => {
  it('reads back exactly, in any chunk size', async () => {
    for (const chunk of [1, 2, 3, 64, 1000, 1 << 20]) {
      const { result, entries } = await read(good, {}, chunk);
      expect(result.ok).toBe(true);
      expect(entries).toEqual(ENTRIES);
    }
  });

  it('re-indented, with the keys in another order and the header after the entries', async () => {
    const json = goodJson();
    const reordered: Record<string, unknown> = {};
    for (const key of Object.keys(json).reverse()) reordered[key] = json[key];
    reordered.entries = entriesOf(json).map((entry) => Object.fromEntries(Object.entries(entry).reverse()));
    const { result, entries } = await read(JSON.stringify(reordered, null, '\t'));
    expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    expect(entries).toEqual(ENTRIES);
  });

  it('with fields this version does not know, anywhere: they are ignored', async () => {
    const { result, entries } = await read(
      changed((json) => {
        json.comment = { added: ['by', 'a', { later: 'version' }] };
        entriesOf(json)[1]!.note = 'typed slowly';
        eventOf(json, 3).tls = { version: 'TLSv1.3' };
        (json.session as Record<string, unknown>).machine = 'lab-pc-7';
      }),
    );
    expect(result.ok ? 'ok' : result.error.message).toBe('ok');
    expect(entries).toEqual(ENTRIES);
  });

  it('U+FEFF inside a text is kept, written as it is or escaped (the parser alone drops it)', async () => {
    const host = '\ufeffdata\ufeff.pr4e.org\ufeff';
    const raw = good.toString('utf8').replaceAll('"host":"data.pr4e.org"', `"host":"${host}"`);
    const escaped = good
      .toString('utf8')
      .replaceAll('"host":"data.pr4e.org"', '"host":"\\ufeffdata\\uFEFF.pr4e.org\\ufeff"');
    for (const file of [raw, escaped]) {
      for (const chunk of [1, 7, 4096]) {
        const { result, entries } = await read(file, {}, chunk);
        expect(result.ok ? 'ok' : result.error.message).toBe('ok');
        const resolving = entries[1] as Extract<SessionEntry, { kind: 'event' }>;
        expect(resolving.event.type === 'resolving' && resolving.event.host).toBe(host);
      }
    }
  });

  it('with a UTF-8 byte-order mark (Windows Notepad writes one)', async () => {
    const { result, entries } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good]));
    expect(result.ok).toBe(true);
    expect(entries).toEqual(ENTRIES);
  });

  it('says what the file holds', async () => {
    const { result } = await read(good);
    expect(result).toEqual({
      ok: true,
      value: {
        version: 1,
        appVersion: '0.1.0',
        savedAt: '2026-12-01T09:30:00.000Z',
        sessionId: 'sess-1',
        startedAt: Date.UTC(2026, 10, 30, 14, 2),
        entries: ENTRIES.length,
        bytes: request.byteLength + reply.byteLength,
        progress: null,
      },
    });
  });

  it('__proto__ in a file is only a field name: no object changes its prototype', async () => {
    const withProto = good
      .toString('utf8')
      .replace('"entries":[', '"__proto__":{"polluted":1},"entries":[')
      .replace('{"kind":"end","t":8}', '{"kind":"end","t":8,"__proto__":{"polluted":2}}');
    const { result, entries } = await read(withProto);
    expect(result.ok).toBe(true);
    expect(entries).toEqual(ENTRIES);
    expect(Object.getPrototypeOf(entries.at(-1))).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a file that is not a Socket Lab session', () => {
  it.each([
    ['a HAR file', '{"log":{"version":"1.2","creator":{"name":"Firefox"},"entries":[]}}'],
    ['package.json', '{"name":"socket-lab","version":"0.1.0","scripts":{}}'],
    ['a JSON list', '[{"kind":"start"}]'],
    ['a JSON string', '"socketlab"'],
    ['a number', '42'],
    ['plain text', 'GET http://data.pr4e.org/romeo.txt HTTP/1.0\r\n\r\n'],
    ['a PNG', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
  ])('%s', async (_what, bytes) => {
    const error = await refusal(typeof bytes === 'string' ? bytes : new Uint8Array(bytes));
    expect(error.code).toBe('BAD_FILE');
    expect(error.message).toMatch(/^This is not a Socket Lab session/);
  });

  it('another format', async () => {
    const error = await refusal(changed((json) => (json.format = 'har')));
    expect(error.message).toBe('This is not a Socket Lab session: its format is "har", not "socketlab".');
  });

  it('no format at all', async () => {
    const error = await refusal(changed((json) => delete json.format));
    expect(error.message).toBe('This is not a Socket Lab session: the file holds JSON, but no "format": "socketlab".');
  });

  it('an empty file, or only spaces', async () => {
    expect((await refusal('')).message).toBe('This file is empty, so it holds no session.');
    expect((await refusal(' \n\t\r\n')).message).toBe('This file is empty, so it holds no session.');
  });

  it('UTF-16 text', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(good.toString('utf8'), 'utf16le')]);
    expect((await refusal(utf16)).message).toBe(
      'This file is saved as UTF-16 text, but a Socket Lab file is UTF-8 JSON.',
    );
  });
});

describe('a newer Socket Lab', () => {
  it('version 3: says which versions, and what to do', async () => {
    const error = await refusal(changed((json) => (json.version = 3)));
    expect(error.message).toBe(
      'This file was saved by a newer Socket Lab (version 3); this one reads version 1: update Socket Lab to open it.',
    );
  });

  it('version 3 written after entries this version cannot read: still "newer", not "damaged"', async () => {
    const json = goodJson();
    delete json.version;
    entriesOf(json).splice(2, 0, { kind: 'tls-record', t: 2, bytes: 'FgMB' });
    const file = JSON.stringify(json).replace(/\}$/, ',"version":3}');
    expect((await refusal(file)).message).toMatch(/saved by a newer Socket Lab \(version 3\)/);
  });

  it('a version that is not a whole number', async () => {
    for (const version of ['"1"', '1.5', '0', '-1', 'null', '[1]']) {
      const file = good.toString('utf8').replace('"version":1,', `"version":${version},`);
      expect((await refusal(file)).message).toMatch(/"version" must be a whole number like 1/);
    }
  });
});

describe('a damaged file', () => {
  it('cut short: says it was cut off, and in which entry', async () => {
    const cut = good.subarray(0, good.indexOf('"kind":"end"') - 30);
    const error = await refusal(cut);
    expect(error.message).toMatch(/^This file ends too soon: it stops after [\d,]+ bytes, in entry 9, before the end/);
  });

  it('corrupt JSON: says the line', async () => {
    const lines = good.toString('utf8').split('\n');
    lines[12] = lines[12]!.replace('"t":', '"t"=');
    const error = await refusal(lines.join('\n'));
    expect(error.message).toMatch(/^This file is damaged: it stops being valid JSON at line 13 \(byte [\d,]+\)\.$/);
  });

  it('something after the end', async () => {
    const error = await refusal(Buffer.concat([good, text('{"format":"socketlab"}')]));
    expect(error.message).toMatch(/^This file goes on after the end of the session, at line \d+/);
  });

  it('not UTF-8: says where', async () => {
    const bytes = Buffer.from(good);
    const at = bytes.indexOf('data.pr4e.org');
    bytes[at] = 0xff;
    const error = await refusal(bytes);
    expect(error.message).toMatch(
      /^This file is damaged: it is not UTF-8 text at line \d+ \(byte [\d,]+\) \(byte [\d,]+ is 0xff\)/,
    );
  });

  it('broken base64: says the entry and the character', async () => {
    const error = await refusal(changed((json) => (eventOf(json, DATA_ENTRY).bytes = 'SFRU!FAx')));
    expect(error.message).toMatch(
      /^Entry 6 \(line \d+\) is damaged: its "bytes" are not valid base64: character 5 is "!"\.$/,
    );
    const unpadded = await refusal(changed((json) => (eventOf(json, DATA_ENTRY).bytes = 'SFRUUA')));
    expect(unpadded.message).toMatch(/6 characters is not a whole number of groups of four/);
    const stray = await refusal(changed((json) => (eventOf(json, DATA_ENTRY).bytes = 'SFRUUB==')));
    expect(stray.message).toMatch(/the last group has stray bits/);
  });

  it('wrong types and absurd numbers: says the field and what it must be', async () => {
    const cases: Array<[(json: Record<string, unknown>) => void, RegExp]> = [
      [
        (json) => (eventOf(json, 1).port = 70000),
        /^Entry 2 \(line \d+\) is damaged: its "port" must be a whole number from 1 to 65,535, not 70000\.$/,
      ],
      [(json) => (eventOf(json, 1).port = '80'), /its "port" must be a whole number from 1 to 65,535, not "80"/],
      [
        (json) => (eventOf(json, DATA_ENTRY).offset = 1e300),
        /its "offset" must be a whole number from 0 to [\d,]+, not 1e\+300/,
      ],
      [(json) => (eventOf(json, 1).host = 42), /its "host" must be text, not 42/],
      [(json) => (entriesOf(json)[2]!.t = -5), /its "t" must be a number of milliseconds from 0 up, not -5/],
      [(json) => (eventOf(json, 3).local = null), /its "local" must be an object, not null/],
      [(json) => (eventOf(json, 8).by = 'magic'), /its "by" must be "local", "peer", "error" or "abort", not "magic"/],
      [(json) => (entriesOf(json)[4]!.kind = 'evnt'), /its "kind" must be "start", "event",.* not "evnt"/],
      [
        (json) => entriesOf(json).splice(3, 0, 7 as unknown as Record<string, unknown>),
        /^Entry 4 .* it must be an object, not 7/,
      ],
      [
        (json) => ((json.totals as Record<string, number>).entries = 12),
        /says it holds 12 entries, but it has 10: entries were lost/,
      ],
      [
        (json) => ((json.totals as Record<string, number>).entries = 2 ** 60),
        /"totals" part is damaged: its "entries" must be a whole number/,
      ],
      [(json) => (json.session = 'yes'), /^This file's "session" part is damaged: it must be an object, not "yes"\.$/],
      [(json) => (json.savedAt = 'yesterday'), /"savedAt" part is damaged: its "savedAt" must be a date and time/],
      [
        (json) => (json.progress = { completed: 'all' }),
        /"progress" part is damaged: the lab progress is not in the expected shape/,
      ],
      [
        (json) => entriesOf(json).splice(1, 0, { kind: 'slow-mode', t: 1, slow: { bytesPerSecond: 0, writeSize: 1 } }),
        /^Entry 2 .* the slow-mode speed must be a whole number/,
      ],
    ];
    for (const [change, expected] of cases) expect((await refusal(changed(change))).message).toMatch(expected);
  });

  it('data that does not follow on: says what is missing', async () => {
    const error = await refusal(changed((json) => (eventOf(json, DATA_ENTRY + 1).offset = 40)));
    expect(error.message).toMatch(
      /^Entry 7 \(line \d+\) is damaged: it does not follow on: connection #1's received bytes should go on at byte 20, but this data starts at byte 40 \(20 bytes are missing\)\.$/,
    );
  });

  it('entries out of place', async () => {
    const cases: Array<[(entries: Array<Record<string, unknown>>) => void, RegExp]> = [
      [(entries) => entries.shift(), /^Entry 1 .* it is a "event" entry, but a session's first entry is its "start"/],
      [(entries) => entries.splice(4, 0, entries[0]!), /^Entry 5 .* a second "start" entry/],
      [
        (entries) =>
          entries.push({ kind: 'progress', t: 9, progress: { completed: [], current: null, predictions: {} } }),
        /comes after the session's "end" entry/,
      ],
      [(entries) => entries.splice(1, 1), /of connection "c1", which never started/],
      [
        (entries) => entries.splice(8, 0, entries.splice(7, 1)[0]!),
        /"peer-ended" event of connection #1, after that connection closed/,
      ],
    ];
    for (const [change, expected] of cases) {
      expect((await refusal(changed((json) => change(entriesOf(json))))).message).toMatch(expected);
    }
  });

  it('a header that disagrees with the entries', async () => {
    const id = await refusal(changed((json) => ((json.session as Record<string, unknown>).id = 'other')));
    expect(id.message).toBe(
      'This file\'s header says the session\'s id is "other", but its entries say "sess-1": the file was changed, or put together from two files.',
    );
    const ending = await refusal(changed((json) => entriesOf(json).pop()));
    expect(ending.message).toMatch(/says the session's ending is a clean one, but its entries say it did not/);
  });

  it('a part that is there twice', async () => {
    const twice = good.toString('utf8').replace('"totals":', '"entries":[],"totals":');
    expect((await refusal(twice)).message).toMatch(/^This file has "entries" twice/);
  });

  it('missing parts', async () => {
    for (const part of ['app', 'savedAt', 'session', 'progress', 'totals']) {
      expect((await refusal(changed((json) => delete json[part]))).message).toBe(
        `This Socket Lab file has no "${part}" part, so it is damaged.`,
      );
    }
    expect((await refusal(changed((json) => delete json.entries))).message).toMatch(/has no entries/);
    expect((await refusal(changed((json) => delete json.version))).message).toMatch(/has no "version"/);
  });
});

describe('limits', () => {
  it('deep nesting, 100,000 [ deep: refused at the limit, at once', async () => {
    const started = performance.now();
    expect((await refusal('['.repeat(100_000))).message).toMatch(/^This is not a Socket Lab session/);
    const deep = good.toString('utf8').replace('"entries":[', `"extra":${'['.repeat(100_000)}`);
    const line = good.toString('utf8').slice(0, good.indexOf('"entries":[')).split('\n').length;
    expect((await refusal(deep)).message).toMatch(
      new RegExp(`^This file nests lists and objects more than 32 deep \\(at line ${line} \\(byte [\\d,]+\\)\\)`),
    );
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('more entries than allowed', async () => {
    expect((await refusal(good, { maxEntries: 3 })).message).toBe(
      'This file has more than 3 entries, more than Socket Lab opens.',
    );
  });

  it('one entry larger than allowed', async () => {
    const big = changed((json) => (eventOf(json, DATA_ENTRY).bytes = Buffer.alloc(300_000, 7).toString('base64')));
    expect((await refusal(big, { maxEntryBytes: 256 * 1024 })).message).toMatch(
      /^Entry 6 \(line \d+\) is larger than 256 KiB/,
    );
    const bigHeader = changed((json) => (json.comment = 'x'.repeat(300_000)));
    expect((await refusal(bigHeader, { maxEntryBytes: 256 * 1024, maxStringLength: 1e6 })).message).toMatch(
      /^The file's "comment" part is larger than 256 KiB/,
    );
  });

  it('a text longer than allowed', async () => {
    const long = changed((json) => (eventOf(json, 8).note = 'n'.repeat(70_000)));
    expect((await refusal(long)).message).toMatch(/^A text in entry 9 \(line \d+\) is 70,000 characters long/);
  });

  it('a file larger than allowed', async () => {
    const error = await refusal(good, { maxFileBytes: 1000 });
    expect(error.code).toBe('FILE_TOO_LARGE');
    expect(error.message).toBe('This file is larger than 1,000 bytes, the largest transcript Socket Lab opens.');
  });

  it('a multi-gigabyte input is refused at the limit, without reading it all', async () => {
    let pulled = 0;
    let finished = false;
    const header = good.subarray(0, good.indexOf('"entries":['));
    const huge = Buffer.alloc(600 * 1024 * 1024); // zero pages the system maps only when touched
    async function* gigabytes(): AsyncGenerator<Uint8Array> {
      try {
        yield header;
        for (let i = 0; i < 8; i += 1) {
          pulled += 1;
          yield huge; // 8 x 600 MiB: 4.8 GB in all
        }
      } finally {
        finished = true;
      }
    }
    const started = performance.now();
    const result = await readSocketlab(gigabytes(), () => undefined);
    expect(result.ok ? '' : result.error.code).toBe('FILE_TOO_LARGE');
    expect(result.ok ? '' : result.error.message).toMatch(/larger than 512 MiB/);
    expect(pulled).toBe(1);
    expect(finished).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(LIMITS.maxTranscriptFileBytes).toBe(512 * 1024 * 1024);
  });

  it('an endless stream of valid entries stops at maxFileBytes, and what came before was handed on', async () => {
    let yielded = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield good.subarray(0, good.indexOf('{"kind":"event","t":6,')); // before the server's FIN
      let offset = reply.byteLength;
      for (let i = 0; i < 1e9; i += 1) {
        const line = `{"kind":"event","t":9,"event":{"type":"data","id":"c1","t":9,"dir":"in","offset":${offset},"bytes":"${Buffer.alloc(3000, i).toString('base64')}"}},\n`;
        offset += 3000;
        yielded += line.length;
        yield text(line);
      }
    }
    let handedOn = 0;
    const result = await readSocketlab(endless(), () => void (handedOn += 1), { maxFileBytes: 4 * 1024 * 1024 });
    expect(result.ok ? '' : result.error.code).toBe('FILE_TOO_LARGE');
    expect(yielded).toBeLessThan(4 * 1024 * 1024 + 5000);
    expect(handedOn).toBeGreaterThan(1000);
  });
});

describe('the input and the caller', () => {
  it('entries are handed on in order, each awaited before the next', async () => {
    const seen: string[] = [];
    let busy = false;
    const result = await readSocketlab(chunked(good, 5), async (entry) => {
      expect(busy).toBe(false);
      busy = true;
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(entry.kind === 'event' ? entry.event.type : entry.kind);
      busy = false;
    });
    expect(result.ok).toBe(true);
    expect(seen).toEqual(ENTRIES.map((entry) => (entry.kind === 'event' ? entry.event.type : entry.kind)));
  });

  it('a refused file is not read on', async () => {
    let pulled = 0;
    async function* garbage(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled += 1;
        yield text('{"format":"socketlab","version":1,"entries":[{"kind":"end"}');
      }
    }
    const result = await readSocketlab(garbage(), () => undefined);
    expect(result.ok).toBe(false);
    expect(pulled).toBe(1);
  });

  it('a file that cannot be read to the end', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield good.subarray(0, 100);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const result = await readSocketlab(failing(), () => undefined);
    expect(result.ok ? '' : result.error.message).toBe('The file could not be read to the end: EIO: i/o error, read.');
  });

  it("the caller's own failure to keep an entry is reported as the caller's, not the file's", async () => {
    const full = await readSocketlab(chunked(good), () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    expect(full.ok ? '' : full.error.code).toBe('STORAGE');
  });
});
